-- The report's number in the department's register of reports ("Số: 03/BC-STTTT"): taken when it
-- is first approved, in the year of that approval, and kept when it is reopened and approved again.
ALTER TABLE reports_reports ADD COLUMN number BIGINT;
ALTER TABLE reports_reports ADD COLUMN number_year BIGINT;
CREATE UNIQUE INDEX reports_register ON reports_reports (number_year, number);
