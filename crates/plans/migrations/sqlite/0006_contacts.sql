-- Each lead unit's focal point (đầu mối) for follow-up: who hears the unit's reminders by SMS.
CREATE TABLE plans_contacts (
    unit_id     INTEGER PRIMARY KEY,
    name        TEXT  NOT NULL,
    -- national form, 0xxxxxxxxx
    phone       TEXT  NOT NULL,
    updated_by  TEXT  NOT NULL,
    updated_at  INTEGER  NOT NULL
);
