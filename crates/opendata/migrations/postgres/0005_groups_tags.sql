-- Groups (themes that gather datasets across agencies, as CKAN's groups) and tags (free
-- keywords) of datasets.
CREATE TABLE opendata_groups (
    id            BIGSERIAL PRIMARY KEY,
    name          TEXT     NOT NULL UNIQUE,
    title         TEXT     NOT NULL,
    description   TEXT     NOT NULL DEFAULT '',
    created_by    TEXT     NOT NULL,
    created_at    BIGINT  NOT NULL
);

CREATE TABLE opendata_dataset_groups (
    dataset_id    BIGINT  NOT NULL REFERENCES opendata_datasets (id),
    group_id      BIGINT  NOT NULL REFERENCES opendata_groups (id),
    PRIMARY KEY (dataset_id, group_id)
);
CREATE INDEX opendata_dataset_groups_group ON opendata_dataset_groups (group_id);

CREATE TABLE opendata_dataset_tags (
    dataset_id    BIGINT  NOT NULL REFERENCES opendata_datasets (id),
    tag           TEXT     NOT NULL,
    PRIMARY KEY (dataset_id, tag)
);
CREATE INDEX opendata_dataset_tags_tag ON opendata_dataset_tags (tag);
