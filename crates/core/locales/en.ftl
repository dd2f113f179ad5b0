# What the domain says to people (errors, quarantine reasons), in English.
# Every id here must be in vi.ftl; a test in lantoa-core checks it.

## Sex (citizen identity numbers)
sex-male = male
sex-female = female

## Mobile numbers
phone-empty = The phone number is empty.
phone-not-a-digit = The phone number contains "{ $char }", which is not a digit.
phone-wrong-length = The phone number has { $digits } digits; a mobile number has 10 (or 11 before 2018).
phone-unknown-prefix = The prefix { $prefix } belongs to no mobile operator.

## Tax codes
tax-code-shape = A tax code has 10 digits, or 10 digits, a dash and 3 digits for a branch.
tax-code-check-digit = The check digit of tax code { $code } is wrong.
tax-code-never-issued = Tax code { $code } is of a form that is never issued.

## Citizen identity numbers
cccd-shape = A citizen identity number has 12 digits; this has { $chars } characters or a non-digit.
cccd-unknown-province = { $code } is not a province code of a citizen identity number.
cccd-birth-year = The number encodes birth year { $encoded }, but the record says { $given }.
cccd-sex = The number encodes sex { $encoded }, but the record says { $given }.

## Labels: unit kinds, violation categories, case states, roles
kind-agency = Agencies
kind-enterprise = Enterprises
kind-press_agency = Press agencies
kind-commune = Communes and wards
kind-person = People
role-admin = Administrator
role-watch_officer = Electronic-information officer
role-inspector = Inspector
role-communicator = Communicator
role-approver = Approver
role-data_steward = Data steward
role-agency_uploader = Agency uploader
role-planner = Planner
role-viewer = Viewer
case-state-phat_hien = Found
case-state-xem_xet = Under review
case-state-moi_lam_viec = Unit invited to a working session
case-state-chuyen_thanh_tra = Transferred to the Inspectorate
case-state-de_nghi_go = Takedown proposed
case-state-cho_phan_hoi = Awaiting an answer
case-state-da_khac_phuc = Fixed
case-state-xu_phat = Sanctioned
case-state-da_go = Taken down
case-state-khong_go = Not taken down
case-state-khong_vi_pham = No violation
case-state-trung = Duplicate
category-bao_hoa = "Báo hóa" signs
category-advertising = Illegal advertising
category-harmful = Harmful content
unit-kind-agency = agency
unit-kind-enterprise = enterprise
unit-kind-press_agency = press agency
unit-kind-commune = commune
unit-kind-person = person

## Common
note-as-written = { $note }
internal-error = An error inside Lantoa; the details are in the server log.
storage-error = The database is not answering. Try again later.
data-file-invalid = The data file cannot be read: { $detail }
commune-code-shape = A commune code has five digits, not "{ $value }".

## Registry of units
registry-no-unit = No unit { $id }.
registry-duplicate = A unit of kind "{ $kind }" with code { $code } already exists.
registry-ended = Unit { $id } no longer exists (merged or abolished) and cannot change.
registry-date-order = The change is dated { $given }, but the current version starts { $current }; a change must come after it.
registry-kind-mismatch = Cannot merge a { $from } into a { $into }: only units of one kind merge.
registry-no-legacy-commune = No commune of before 1/7/2025 has code { $code }.
registry-tax-code-needed = An enterprise needs its tax code.
registry-commune-code-needed = A commune needs its 5-digit code.
registry-code-too-long = A code has at most { $max } characters.
registry-attrs-not-object = Attributes must be a JSON object.
registry-name-empty = The name must not be empty.
registry-name-too-long = A name has at most { $max } characters.
registry-bad-kind = There is no unit kind "{ $value }".
registry-merge-self = A unit cannot be merged into itself.
case-document-invitation = Invitation (giấy mời)
case-document-minutes = Working minutes (biên bản làm việc)
case-document-transfer = Transfer slip to the Inspectorate (phiếu chuyển)
case-document-takedown = Takedown proposal to the Authority (công văn)

## Watched subjects, addresses
watch-duplicate = A subject with URL { $url } is already registered.
watch-no-subject = No subject { $id }.
watch-no-case = No case { $id }.
watch-file-unreadable = The file cannot be read as CSV with a header row: { $detail }
watch-host-forbidden = { $host } resolves to { $address }, which is not a public address; the crawler does not go there.
watch-host-unreachable = { $host } cannot be reached: { $reason }
watch-case-open = { $subject } already has an open case on { $category }: case { $existing }.
watch-not-a-date = "{ $value }" is not a date (dd/mm/yyyy or yyyy-mm-dd).
watch-not-a-moment = "{ $value }" is not a date and time (dd/mm/yyyy HH:mm or yyyy-mm-dd HH:mm).
watch-date-in-future = { $date } is in the future (today is { $today }).
watch-bad-figure = "{ $value }" is not a case figure; the figures are { $known }.
subject-bad-kind = "{ $value }" is not a subject kind (website, social network, social account, video channel, clip, post).
subject-name-empty = A subject's name must not be empty.
subject-name-too-long = The name is { $chars } characters long; a subject's name has at most { $max } (a site's or a page's name, not its text).
url-empty = The address is empty.
url-unreadable = "{ $url }" is not a URL ({ $detail }).
url-not-http = "{ $url }" must be an http or https address.
url-credentials = "{ $url }" must not carry a user name or password.
url-no-host = "{ $url }" has no host name.
finding-bad-decision = "{ $value }" is not a decision (confirmed, dismissed).
finding-bad-status = "{ $value }" is not a finding's status (open, confirmed, dismissed).

## Importing subjects
import-row-unreadable = The row cannot be read: { $detail }
import-not-yes-no = "{ $value }" is neither "có" nor "không".
import-no-enterprise = No enterprise with tax code { $code } in the registry; give its name to register it.
import-no-unit-named = No unit named "{ $name }" in the registry; register it or give its tax code.
import-units-share-name = { $count } units are named "{ $name }"; give the tax code.

## Enforcement cases
case-move-refused = A case at "{ $from }" cannot go to "{ $to }"; from "{ $from }" it goes to: { $next }.
case-move-finished = A case at "{ $from }" is finished and cannot go to "{ $to }".
case-move-needs-role = Moving a case from "{ $from }" to "{ $to }" needs one of the roles: { $roles }.
case-open-needs-role = Opening a case needs the role { $role }.
case-note-required = Every step of a case says why.
case-bad-category = "{ $value }" is not a category; the categories are: { $known }.
case-bad-state = "{ $value }" is not a step of the workflow; the steps are: { $known }.
case-finding-not-subjects = Finding { $finding } is not one of subject { $subject }'s.
case-move-needs-form = Moving a case to "{ $to }" records { $what } with it: use its form.
case-requires-sanction = the sanction decision
case-requires-recheck = the re-check date
case-cannot-reopen = Case { $case } cannot reopen: another case on the same subject and category is open.
case-changed-meanwhile = Case { $case } changed meanwhile; reload it.
recheck-in-past = { $date } is in the past; the re-check is on the day the unit committed to.
recheck-not-found = No re-check { $id }.
dossier-invalid = The dossier does not verify: { $detail }

## Sanctions
sanction-needs = A sanction needs { $what }.
sanction-field-decision_no = its decision's number
sanction-field-decree = the decree it applies
sanction-field-article = the article it applies
sanction-unknown-decree = "{ $decree }" is not a sanctioning decree in the sanctions file (it has: { $known }).
sanction-no-articles = The sanctions file lists no article of decree { $decree } yet; the department adds them before a sanction under it is recorded.
sanction-unknown-article = Decree { $decree } has no article "{ $article }" in the sanctions file (it has: { $known }).
sanction-unknown-clause = Art. { $article } of decree { $decree } has no clause "{ $clause }" in the sanctions file (it has: { $known }).
sanction-fine-out-of-range = { $fine } is outside art. { $article } cl. { $clause } of decree { $decree }: { $min } to { $max }.
sanction-fine-out-of-range-org = { $fine } is outside art. { $article } cl. { $clause } of decree { $decree }: { $min } to { $max } ({ $organisation } for an organisation).
sanction-fine-negative = A fine cannot be negative ({ $fine }).
sanction-not-transferred = A sanction needs the case to have passed "{ $state }" (the dossier transferred to the Inspectorate); case { $case } never did.
sanction-before-transfer = The decision's date { $date } is before the dossier was transferred to the Inspectorate on { $transferred }.

## A case's documents
document-needs = This document needs { $what }.
document-field-meeting_at = when the session was held
document-field-attendees = the department's people present
document-field-unit_attendees = the managing unit's people present
document-field-conclusion = the conclusion
document-needs-role = Issuing a case's documents needs one of the roles: { $roles }.
document-none-in-state = A "{ $kind }" cannot be issued while the case is at "{ $state }": no document is issued there.
document-not-in-state = A "{ $kind }" cannot be issued while the case is at "{ $state }"; there the documents are: { $allowed }.
document-no-letterhead = No letterhead covers { $date }.
document-register-busy = The register was busy; issue the document again.
document-not-found = No document { $id }.
document-bad-kind = "{ $value }" is not a document (invitation, minutes, transfer, takedown).
document-not-of-case = Document { $document } is not of case { $case }.
case-figure-needed = Say which figure's cases (kind=invited, transferred…).
finding-bad-number = "{ $value }" is not a finding's number.
body-unreadable = The body cannot be read: { $detail }

## Cleaning open data: why a cell or a row is quarantined
cell-not-excel-serial = { $value } is not an Excel date serial of 1900–2099.
cell-not-iso-date = "{ $value }" is not a date in the form YYYY-MM-DD.
cell-not-calendar-day = "{ $value }" is not a day of the calendar.
cell-not-date = "{ $value }" is not a date (expected day/month/year, e.g. 01/07/2025).
cell-year-only = "{ $value }" gives only the year; a full date is required (record the year in a year column).
cell-month-swapped = "{ $value }": month { $month } does not exist; day and month look swapped (the form is day/month/year).
cell-not-datetime = "{ $value }" is not a date and time (e.g. 2025-07-01T08:30:00 or 01/07/2025 08:30).
cell-not-year = "{ $value }" is not a year (four digits).
cell-not-integer = "{ $value }" is not a whole number.
cell-no-number = "{ $value }" holds no number.
cell-digit-groups = "{ $value }": digits between separators must come in threes.
cell-not-number = "{ $value }" is not a number.
cell-not-number-decimal = "{ $value }" is not a number (this column writes decimals with "{ $decimal }").
cell-not-number-separators = "{ $value }" is not a number (this column writes decimals with "{ $decimal }" and thousands with "{ $group }").
cell-not-finite = "{ $value }" is not a finite number.
cell-not-email = "{ $value }" is not an e-mail address.
cell-not-uri = "{ $value }" is not an absolute URI ({ $detail }).
cell-not-uuid = "{ $value }" is not a UUID.
cell-not-boolean = "{ $value }" is neither { $true } nor { $false }.
cell-vni = The text is in the VNI legacy encoding (e.g. "Vieät" for "Việt"); re-save it as Unicode.
cell-legacy-encoding = The text is in a legacy encoding (TCVN3 or VNI, cannot tell which); re-save it as Unicode.
cell-required = A value is required.
cell-too-long = The cell has { $chars } characters; cells longer than { $max } are not accepted.
cell-formula-error = { $value } is a spreadsheet formula's error, not a value.
cell-not-unique = An earlier row has this value; the column's values must not repeat.
cell-too-short = Shorter than { $min } characters.
cell-longer-than = Longer than { $max } characters.
cell-below-minimum = Less than the minimum { $min }.
cell-above-maximum = More than the maximum { $max }.
cell-pattern = Does not match the pattern { $pattern }.
cell-not-allowed = Not one of the allowed values ({ $allowed }).
row-blank = Every cell of the row is empty.
row-missing-cell = The row ends before this column.
row-extra-cell = The row has more cells than the header.
row-key-repeated = An earlier row has the same { $fields } ({ $values }) with other values.
row-key-published = A published row already has this key.
row-k-anonymity = Fewer than { $k } published rows share its { $fields }; it is held back and published when enough do.
admin-other-province = "{ $value }" is given in "{ $province }"; only the communes and wards of { $city } are known.
admin-other-province-only = "{ $value }" is not { $city }, whose units alone are known.
admin-no-district = "{ $value }" was no district of { $city } before 1/7/2025.
admin-no-code = { $value } is no commune code of { $city }, old or current.
admin-not-in-district = There was no commune or ward "{ $value }" in { $district } before 1/7/2025, and no current one has the name.
admin-no-commune = "{ $value }" is no commune or ward of { $city }, old or current.
admin-not-converted = { $value } has no current unit in the conversion table.
admin-divided = "{ $value }" is { $old }, which on 1/7/2025 was divided between { $into }; which one holds this row depends on the street: give the current commune or ward.
admin-shared = "{ $value }" may be any of: { $candidates }; give the district, or the current commune or ward.

## Open data: datasets, uploads, quarantine
schema-invalid = The schema is not valid Table Schema: { $detail }
dataset-exists = A dataset named { $name } exists.
opendata-not-found = No { $what } { $id }.
opendata-thing-dataset = dataset
opendata-thing-upload = upload
opendata-thing-group = group
opendata-thing-agency = agency
opendata-thing-quarantined-row = quarantined row
opendata-bad-tag = The tag "{ $value }" must be 2–{ $max } characters of letters, digits, spaces, -, _ and .
opendata-not-one-of = "{ $value }" is not one of { $allowed }.
opendata-bad-name = "{ $value }" must be 2–100 characters of a-z, 0-9, - and _.
opendata-title-required = A title is required.
opendata-licence-required = A licence is required.
opendata-owner-not-agency = { $name } is of kind "{ $kind }", not an agency.
opendata-no-group = There is no group "{ $name }".
quarantine-not-open = Quarantined row { $id } is already { $status }.
quarantine-status-open = open
quarantine-status-fixed = fixed
quarantine-status-discarded = discarded
quarantine-cell-count = { $given } cells given; the schema has { $fields } fields.
personal-kind-cccd = citizen identity numbers (CCCD)
personal-kind-phone = telephone numbers
personal-kind-email = e-mail addresses
personal-kind-name = people's full names
personal-kind-birth = dates of birth
personal-found = Column { $field }: { $matched } of the first { $looked } values are { $kind } — personal data (Law 91/2025/QH15); a shared dataset drops the column ("lantoa:share": "drop"), or is restricted; if it only looks personal, mark the field "lantoa:personal": false.
personal-found-or-generalise = Column { $field }: { $matched } of the first { $looked } values are { $kind } — personal data (Law 91/2025/QH15); a shared dataset drops the column ("lantoa:share": "drop") or generalises it ("year", "age_band"), or is restricted; if it only looks personal, mark the field "lantoa:personal": false.
personal-labelled = Field { $field }: { $kind } are personal data (Law 91/2025/QH15); a shared dataset drops the column ("lantoa:share": "drop"), or is restricted.
personal-labelled-or-generalise = Field { $field }: { $kind } are personal data (Law 91/2025/QH15); a shared dataset drops the column ("lantoa:share": "drop") or generalises it ("year", "age_band"), or is restricted.
file-empty = The file is empty.
file-not-text = The file is not text (it holds zero bytes); upload CSV, XLSX or JSON.
file-no-header = The file has no header row.
file-label-encoding = Label { $column }: { $detail }
file-too-large-whole = The { $format } file is over { $mib } MiB; a workbook or JSON document is read whole, so files this large are not read. Save it as CSV (UTF-8), which is read as it streams, whatever its size.
file-sheet-unreadable = The sheet cannot be read: { $detail }
file-not-json = Not JSON at line { $line }, column { $column }: { $detail }
file-json-shape = A JSON upload is an array of objects, or an object with one under "data", "records" or "rows".
file-row-unreadable = Row { $row } cannot be read: { $detail }
file-blank-label = Column { $column } has no label; its cells are not read.
file-duplicate-label = Column { $column } repeats the label "{ $label }"; only the first such column is read.
file-missing-label = No column is labelled "{ $label }" (the header has: { $header }).
file-extra-label = Column { $column } "{ $label }" is not in the schema; it is kept in the upload but not published.
file-unreadable = The file cannot be read: { $detail }
file-not-csv = The file cannot be read as CSV: { $detail }
opendata-own-agency-only = An agency uploader creates datasets of its own agency only.
