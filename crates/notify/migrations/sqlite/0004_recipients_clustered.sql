-- A list's recipients, clustered by (list, number) in one B-tree: no rowid table beside the
-- key and no commune index. Writing a city-wide list was SQLite maintaining three trees per
-- row; a campaign narrowed to communes now reads its list's rows in key order instead.
CREATE TABLE notify_recipients_new (
    list_id       INTEGER  NOT NULL REFERENCES notify_lists (id),
    phone         TEXT     NOT NULL,
    operator      TEXT     NOT NULL,
    ported        INTEGER  NOT NULL,
    commune_code  TEXT,
    name          TEXT,
    PRIMARY KEY (list_id, phone)
) WITHOUT ROWID;
INSERT INTO notify_recipients_new (list_id, phone, operator, ported, commune_code, name)
    SELECT list_id, phone, operator, ported, commune_code, name FROM notify_recipients;
DROP TABLE notify_recipients;
ALTER TABLE notify_recipients_new RENAME TO notify_recipients;
