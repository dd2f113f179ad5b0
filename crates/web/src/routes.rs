//! The route table: every route, who may use it, and its handler.

use axum::routing::{MethodRouter, get, post};
use lantoa_core::Role;

use crate::{AppState, api, metrics, pages};

/// Who may use a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not.
    Public,
    /// Any signed-in user, even one who must still change a one-time password.
    SignedInPending,
    /// Any signed-in user with a changed password.
    SignedIn,
    /// Signed-in users holding one of these roles.
    Roles(&'static [Role]),
    /// A commune loudspeaker cluster, by its own bearer token (the handler checks it against
    /// the cluster; a user's session or API token is not one).
    Device,
}

/// What a route serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Surface {
    /// A console page or form.
    Page,
    /// A JSON API endpoint (listed in the OpenAPI document).
    Api,
    /// Health, readiness, metrics, static files.
    System,
}

/// One route.
#[derive(Clone)]
pub struct RouteSpec {
    /// HTTP method.
    pub method: &'static str,
    /// Path in axum syntax (`/units/{id}`).
    pub path: &'static str,
    /// Who may use it.
    pub access: Access,
    /// What it serves.
    pub surface: Surface,
    /// One line for the OpenAPI document and the docs.
    pub summary: &'static str,
    /// The handler.
    pub handler: fn() -> MethodRouter<AppState>,
}

impl std::fmt::Debug for RouteSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {} {:?}", self.method, self.path, self.access)
    }
}

/// Administrators only.
pub const ADMIN: &[Role] = &[Role::Admin];
/// Who may register and import watch subjects.
pub const WATCH_EDITORS: &[Role] = &[Role::Admin, Role::WatchOfficer];
/// Who may move enforcement cases (the workflow says which role makes which move).
pub const CASE_MOVERS: &[Role] = &[
    Role::Admin,
    Role::WatchOfficer,
    Role::Inspector,
    Role::Approver,
];
/// Who may create datasets, upload files and fix quarantined rows.
pub const OPENDATA_EDITORS: &[Role] = &[Role::Admin, Role::DataSteward, Role::AgencyUploader];
/// Who may create groups, which gather every agency's datasets (not an agency's own uploader).
pub const OPENDATA_CURATORS: &[Role] = &[Role::Admin, Role::DataSteward];
/// Who may import recipient lists and draft campaigns.
pub const NOTIFY_AUTHORS: &[Role] = &[Role::Admin, Role::Communicator];
/// Who may take a campaign's steps (each step checks its own rule: the author submits, another
/// approver approves).
pub const NOTIFY_STEPS: &[Role] = &[Role::Admin, Role::Communicator, Role::Approver];

/// Who may start reports and write their texts and targets.
pub const REPORT_WRITERS: &[Role] = &[Role::Admin, Role::Planner];
/// Who may take a report's steps (approval by someone other than who submitted it).
pub const REPORT_STEPS: &[Role] = &[Role::Admin, Role::Planner, Role::Approver];

/// Who may register plans and import their appendices.
pub const PLANNERS: &[Role] = &[Role::Admin, Role::Planner];

/// Who may register and change units.
pub const UNIT_EDITORS: &[Role] = &[
    Role::Admin,
    Role::WatchOfficer,
    Role::DataSteward,
    Role::Planner,
];

macro_rules! routes {
    ($($method:ident $path:literal $access:expr, $surface:ident, $summary:literal => $handler:expr;)*) => {
        vec![$(RouteSpec {
            method: routes!(@m $method),
            path: $path,
            access: $access,
            surface: Surface::$surface,
            summary: $summary,
            handler: || routes!(@r $method, $handler),
        }),*]
    };
    (@m GET) => { "GET" };
    (@m POST) => { "POST" };
    (@r GET, $h:expr) => { get($h) };
    (@r POST, $h:expr) => { post($h) };
}

/// Every route of Lantoa.
pub fn table() -> Vec<RouteSpec> {
    use Access::*;
    routes! {
        GET "/healthz" Public, System, "Liveness: the process answers" => api::system::healthz;
        GET "/readyz" Public, System, "Readiness: the database answers" => api::system::readyz;
        GET "/metrics" Public, System, "Prometheus metrics" => metrics::export;
        GET "/static/app.css" Public, System, "Console style sheet" => pages::assets::css;
        GET "/static/cost.js" Public, System, "The draft form's live cost, as the text is typed" => pages::assets::cost_js;

        GET "/login" Public, Page, "Sign-in form" => pages::auth::login_form;
        POST "/login" Public, Page, "Sign in" => pages::auth::login;
        POST "/logout" SignedInPending, Page, "Sign out" => pages::auth::logout;
        POST "/lang" Public, Page, "Switch the console language" => pages::auth::switch_lang;
        GET "/account/password" SignedInPending, Page, "Password change form" => pages::auth::password_form;
        POST "/account/password" SignedInPending, Page, "Change one's password" => pages::auth::change_password;

        GET "/" SignedIn, Page, "Dashboard" => pages::home::dashboard;
        GET "/watch" SignedIn, Page, "Watch: subjects and their import" => pages::watch::subjects;
        GET "/watch/subjects.csv" SignedIn, Page, "Every subject the list's filters select (kind, q), as CSV that imports back" => pages::watch::subjects_csv;
        GET "/watch/subjects.xlsx" SignedIn, Page, "Every subject the list's filters select (kind, q), as an Excel workbook" => pages::watch::subjects_xlsx;
        GET "/watch/findings.csv" SignedIn, Page, "Every finding the queue's filters select (status, category, subject), as CSV for Excel" => pages::watch::findings_csv;
        GET "/watch/findings.xlsx" SignedIn, Page, "Every finding the queue's filters select (status, category, subject), as an Excel workbook" => pages::watch::findings_xlsx;
        POST "/watch/subjects/import" Roles(WATCH_EDITORS), Page, "Import subjects from a CSV file" => pages::watch::import;
        POST "/watch/subjects/{id}/crawl" Roles(WATCH_EDITORS), Page, "Queue a crawl of a subject" => pages::watch::crawl_subject;
        GET "/watch/crawls" SignedIn, Page, "Crawls and their live progress" => pages::watch::crawls;
        GET "/watch/crawls.csv" SignedIn, Page, "Every crawl (of a period: from, to, kind), newest first, as CSV for Excel" => pages::watch::crawls_csv;
        GET "/watch/crawls.xlsx" SignedIn, Page, "Every crawl (of a period: from, to, kind), newest first, as an Excel workbook" => pages::watch::crawls_xlsx;
        GET "/watch/crawls/{id}" SignedIn, Page, "A crawl and every page it tried" => pages::watch::crawl;
        GET "/watch/findings" SignedIn, Page, "Findings with evidence, scores, and the review queue" => pages::watch::findings;
        POST "/watch/findings/review" Roles(WATCH_EDITORS), Page, "One decision on every chosen finding (ids, decision, note), all or none" => pages::watch::review_many;
        POST "/watch/findings/{id}/review" Roles(WATCH_EDITORS), Page, "Confirm or dismiss a finding" => pages::watch::review;
        GET "/watch/captures/{sha}" SignedIn, Page, "A captured response (WARC); ?raw=1 downloads it" => pages::watch::capture;
        POST "/watch/classifier/train" Roles(WATCH_EDITORS), Page, "Retrain the harmful-content classifier" => pages::watch::train;
        GET "/watch/cases" SignedIn, Page, "Enforcement cases by state, the overdue ones first, and the form to open one" => pages::cases::board;
        GET "/watch/cases.csv" SignedIn, Page, "Every case (of one step: state), newest first, as CSV for Excel" => pages::cases::cases_csv;
        GET "/watch/cases.xlsx" SignedIn, Page, "Every case (of one step: state), newest first, as an Excel workbook" => pages::cases::cases_xlsx;
        POST "/watch/cases/bulk" Roles(WATCH_EDITORS), Page, "Open a case on each chosen subject (subject_ids, category, note); what opened and why each other was refused" => pages::cases::open_many;
        POST "/watch/cases" Roles(WATCH_EDITORS), Page, "Open a case on a subject (subject_id, category, title, note)" => pages::cases::open;
        GET "/watch/cases/{id}" SignedIn, Page, "A case: its subject, findings, timeline and the moves the viewer may make" => pages::cases::case;
        POST "/watch/cases/{id}/sanction" Roles(CASE_MOVERS), Page, "Record the Inspectorate's sanction on a case (decision, basis, fine, remedies) and move it with it" => pages::cases::sanction;
        POST "/watch/cases/{id}/move" Roles(CASE_MOVERS), Page, "Move a case to another state (to, note) if the workflow allows it to the viewer's roles" => pages::cases::move_case;
        POST "/watch/cases/{id}/fix" Roles(CASE_MOVERS), Page, "Record the unit's commitment to fix by a date (due, note); the re-check is scheduled for it" => pages::cases::fix;
        POST "/watch/cases/{id}/documents" Roles(CASE_MOVERS), Page, "Issue a document on a case in the Decree 30/2020 form (kind and its fields)" => pages::cases::issue_document;
        GET "/watch/cases/{id}/documents/{doc}" SignedIn, Page, "A case's document as issued (DOCX)" => pages::cases::document;
        GET "/watch/cases/{id}/dossier" SignedIn, Page, "A case's evidence dossier: captures, screenshots, findings, documents and a SHA-256 manifest (ZIP)" => pages::cases::dossier;
        GET "/notify" SignedIn, Page, "Notify: campaigns, recipient lists, and the forms to import and draft" => pages::notify::home;
        GET "/notify/campaigns.csv" SignedIn, Page, "The campaigns the list's search and filters select (q, status, emergency, sort), as CSV for Excel" => pages::notify::campaigns_csv;
        GET "/notify/campaigns.xlsx" SignedIn, Page, "The campaigns the list's search and filters select, as an Excel workbook" => pages::notify::campaigns_xlsx;
        GET "/notify/lists" SignedIn, Page, "Recipient lists a page at a time (q, sort, page)" => pages::notify::lists;
        GET "/notify/lists.csv" SignedIn, Page, "The recipient lists the search selects (q, sort), as CSV for Excel" => pages::notify::lists_csv;
        GET "/notify/lists.xlsx" SignedIn, Page, "The recipient lists the search selects, as an Excel workbook" => pages::notify::lists_xlsx;
        POST "/notify/lists" Roles(NOTIFY_AUTHORS), Page, "Import a recipient list (CSV or XLSX); refused rows are reported" => pages::notify::import_list;
        GET "/notify/lists/{id}" SignedIn, Page, "A recipient list: counts per operator and every refused row" => pages::notify::list;
        POST "/notify/campaigns" Roles(NOTIFY_AUTHORS), Page, "Draft an SMS campaign (or, with preview=1, show what its text costs)" => pages::notify::create;
        GET "/notify/cost" Roles(NOTIFY_AUTHORS), Page, "What a text costs on a list (body, list_id): the draft form's cost line, as an HTML fragment" => pages::notify::cost;
        POST "/notify/numbers" Roles(NOTIFY_AUTHORS), Page, "Import opt-outs (the Do-Not-Call list, replies) or ported numbers" => pages::notify::import_numbers;
        GET "/notify/campaigns/{id}" SignedIn, Page, "A campaign and its plan: recipients per operator, segments, cost, the message as sent" => pages::notify::campaign;
        POST "/notify/campaigns/{id}/{step}" Roles(NOTIFY_STEPS), Page, "Submit, approve (typing the name), send back or cancel a campaign" => pages::notify::step;
        GET "/opendata" SignedIn, Page, "Datasets with their owner, rows published and quality" => pages::opendata::datasets;
        GET "/opendata.csv" SignedIn, Page, "The datasets the list shows (an agency's uploader: its own), with rows published and quality, as CSV for Excel" => pages::opendata::datasets_csv;
        GET "/opendata.xlsx" SignedIn, Page, "The datasets the list shows, with rows published and quality, as an Excel workbook" => pages::opendata::datasets_xlsx;
        POST "/opendata/datasets" Roles(OPENDATA_EDITORS), Page, "Create a dataset with its Table Schema" => pages::opendata::create;
        GET "/opendata/{name}" SignedIn, Page, "A dataset: schema, uploads, published rows, quarantine" => pages::opendata::dataset;
        POST "/opendata/{name}/uploads" Roles(OPENDATA_EDITORS), Page, "Upload a CSV file to a dataset" => pages::opendata::upload;
        POST "/opendata/{name}/labels" Roles(OPENDATA_EDITORS), Page, "Set a dataset's tags and groups" => pages::opendata::labels;
        POST "/opendata/groups" Roles(OPENDATA_CURATORS), Page, "Create a group of datasets (not an agency's uploader)" => pages::opendata::create_group;
        POST "/opendata/quarantine/{id}/fix" Roles(OPENDATA_EDITORS), Page, "Fix a quarantined row; published if it passes" => pages::opendata::fix;
        GET "/opendata/{name}/{file}" Public, Page, "Download a dataset's published rows: rows.csv, rows-excel.csv (with a BOM for Excel; formula-like cells neutralised in both) or rows.json" => api::ckan::download;
        GET "/alerts" Public, Page, "The public alerts, newest first (no sign-in)" => pages::alerts::public_list;
        GET "/alerts/feed.atom" Public, Page, "The public alerts as an Atom feed, each entry linking to its page and CAP" => pages::alerts::feed;
        GET "/alerts/{id}" Public, Page, "A public alert's page" => pages::alerts::public_page;
        GET "/alerts/{id}/cap.xml" Public, Page, "A public alert as CAP 1.2 XML" => pages::alerts::public_cap;
        GET "/notify/alerts" SignedIn, Page, "Every alert (drills and tests marked), the form to issue one, the import of CAP" => pages::alerts::console;
        GET "/notify/alerts/list.csv" SignedIn, Page, "The alerts the console's search and filters select (q, status, state, sort), as CSV for Excel" => pages::alerts::alerts_csv;
        GET "/notify/alerts/list.xlsx" SignedIn, Page, "The alerts the console's search and filters select, as an Excel workbook" => pages::alerts::alerts_xlsx;
        POST "/notify/alerts" Roles(NOTIFY_AUTHORS), Page, "Issue an alert as CAP 1.2 (status, msg_type, refers_to, category, event, urgency, severity, certainty, headline, description, instruction, expires, communes)" => pages::alerts::issue;
        GET "/notify/alerts/{id}" SignedIn, Page, "An alert with each channel's state (feed, operator broadcast, SMS, loudspeakers) and its prepared Cancel" => pages::alerts::page;
        POST "/notify/alerts/{id}/{step}" Roles(NOTIFY_STEPS), Page, "A second person approves or refuses a pending live alert (step: approve, refuse); or its prepared Cancel goes out (step: cancel, note)" => pages::alerts::step;
        GET "/notify/speakers" SignedIn, Page, "Commune loudspeakers: clusters, bulletins, coverage, and the forms to add a cluster and schedule a bulletin" => pages::speakers::home;
        POST "/notify/speakers/clusters" Roles(NOTIFY_AUTHORS), Page, "Add a loudspeaker cluster in a commune (name, commune); its token is shown once" => pages::speakers::add_cluster;
        POST "/notify/speakers/clusters/{id}/revoke" Roles(NOTIFY_STEPS), Page, "Revoke a cluster's token" => pages::speakers::revoke;
        POST "/notify/speakers/bulletins" Roles(NOTIFY_AUTHORS), Page, "Speak and schedule a bulletin (title, body, communes, from, to, times, repeats)" => pages::speakers::schedule;
        POST "/notify/speakers/bulletins/{id}/withdraw" Roles(NOTIFY_STEPS), Page, "Withdraw a bulletin: its plays not yet played leave every playlist" => pages::speakers::withdraw;
        GET "/notify/speakers/bulletins/{id}/audio.wav" SignedIn, Page, "A bulletin's audio (WAV)" => pages::speakers::audio;
        GET "/notify/notices" SignedIn, Page, "Propaganda orientation notices with their reading, the recipients, and the forms to add one and issue a notice" => pages::notices::home;
        GET "/notify/notices/list.csv" SignedIn, Page, "The notices the search selects (q, sort), as CSV for Excel" => pages::notices::notices_csv;
        GET "/notify/notices/list.xlsx" SignedIn, Page, "The notices the search selects, as an Excel workbook" => pages::notices::notices_xlsx;
        POST "/notify/notices" Roles(NOTIFY_AUTHORS), Page, "Issue a notice (number, title, body, due, kinds, outlets); each recipient's link is shown once" => pages::notices::issue;
        POST "/notify/notices/outlets" Roles(NOTIFY_AUTHORS), Page, "Add a recipient: a press agency or a commune information point (name, kind, commune, contact)" => pages::notices::add_outlet;
        GET "/notify/notices/{id}" SignedIn, Page, "A notice: who opened it and who confirmed reading it, when" => pages::notices::notice;
        POST "/notify/notices/{id}/renew" Roles(NOTIFY_AUTHORS), Page, "A new link for one recipient of a notice (outlet); shown once" => pages::notices::renew;
        GET "/notices/{token}" Public, Page, "A recipient's notice, by its own link (no sign-in)" => pages::notices::public;
        POST "/notices/{token}" Public, Page, "The recipient confirms reading the notice (read_by)" => pages::notices::confirm;
        GET "/speakers/v1/playlist" Device, Api, "A loudspeaker cluster's playlist: its plays to come, in time order" => pages::speakers::playlist;
        GET "/speakers/v1/audio/{id}" Device, Api, "The audio (WAV) of a bulletin on the cluster's playlist" => pages::speakers::device_audio;
        POST "/speakers/v1/plays/{id}" Device, Api, "Report a play of the cluster's own as played or failed ({\"outcome\", \"detail\"})" => pages::speakers::report;
        POST "/notify/alerts/import" Roles(NOTIFY_AUTHORS), Page, "Import another agency's CAP 1.2 alert (multipart file)" => pages::alerts::import;
        GET "/data" Public, Page, "The public open-data portal: search the datasets" => pages::portal::search;
        GET "/data/{name}" Public, Page, "The public page of a dataset: description, fields, first rows, downloads" => pages::portal::dataset;
        GET "/catalog.jsonld" Public, System, "The open-data catalogue in DCAT (JSON-LD)" => pages::portal::catalog;
        GET "/plans" SignedIn, Page, "Digital-transformation plans, and the form to register one" => pages::plans::list;
        POST "/plans" Roles(PLANNERS), Page, "Register a plan (number, issued_on, issuer, title, from_year, to_year, implements)" => pages::plans::create;
        GET "/plans/reminders" SignedIn, Page, "Each lead unit's digest for a day: tasks due soon without a report, and overdue ones (date=YYYY-MM-DD)" => pages::plans::reminders;
        POST "/plans/reminders/contact" Roles(PLANNERS), Page, "Set a lead unit's focal point for reminders (unit_id, name, phone)" => pages::plans::set_contact;
        POST "/plans/reminders/sms" Roles(PLANNERS), Page, "Turn a day's digests into an SMS campaign to the units' focal points, submitted for approval (date)" => pages::plans::send_reminders;
        GET "/plans/dti" SignedIn, Page, "The DTI: years compared by pillar and rank, a year's self-assessment (year=)" => pages::plans::dti;
        POST "/plans/dti/{year}/scores" Roles(PLANNERS), Page, "Record a year's self-assessed component scores (score-CODE, evidence-CODE), all or none" => pages::plans::dti_scores;
        POST "/plans/dti/{year}/result" Roles(PLANNERS), Page, "Record the year's published DTI result (rank, of_count, index_value, source)" => pages::plans::dti_result;
        GET "/plans/committee" SignedIn, Page, "The steering committee: members, positions, assigned fields" => pages::plans::committee;
        POST "/plans/committee" Roles(PLANNERS), Page, "Add a committee member (name, position, role, fields, phone)" => pages::plans::add_member;
        POST "/plans/committee/{id}/active" Roles(PLANNERS), Page, "A committee member leaves (active=0) or returns (active=1)" => pages::plans::member_active;
        POST "/plans/{id}/assign" Roles(PLANNERS), Page, "Put a task or section and everything below it under a committee member (code, member)" => pages::plans::assign;
        GET "/plans/{id}/tasks.csv" SignedIn, Page, "Every task of a plan as it stands on a day (on), in the appendix's order, as CSV for Excel" => pages::plans::tasks_csv;
        GET "/plans/{id}/tasks.xlsx" SignedIn, Page, "Every task of a plan as it stands on a day (on), in the appendix's order, as an Excel workbook" => pages::plans::tasks_xlsx;
        GET "/plans/{id}" SignedIn, Page, "A plan with its tasks by section, lead units and deadlines" => pages::plans::plan;
        POST "/plans/{id}/tasks/{task}/report" SignedIn, Page, "A progress report on a task (multipart: status, percent, body, evidence, an optional evidence file), by its lead unit's account or a planner" => pages::plans::report;
        GET "/plans/{id}/escalation" SignedIn, Page, "The summary for the leadership: by committee member the tasks overdue or blocked, and the units most overdue" => pages::plans::escalation;
        GET "/plans/{id}/evidence/{sha}" SignedIn, Page, "An evidence file sent with a progress report, as an attachment" => pages::plans::evidence;
        POST "/plans/{id}/indicators" Roles(PLANNERS), Page, "Define an indicator of a plan (code, name, measure, pillar, baseline, direction, targets)" => pages::plans::define_indicator;
        POST "/plans/{id}/indicators/green" Roles(PLANNERS), Page, "Adopt the green digital-transformation indicator set into the plan" => pages::plans::adopt_green;
        POST "/plans/{id}/indicators/refresh" Roles(PLANNERS), Page, "Read every computed indicator from the module that owns its figure and record today's value" => pages::plans::refresh_indicators;
        POST "/plans/{id}/indicators/{indicator}/actual" Roles(PLANNERS), Page, "Record an indicator's actual for a period (period, value, source, evidence)" => pages::plans::record_actual;
        POST "/plans/{id}/import" Roles(PLANNERS), Page, "Import a plan's appendix (multipart file; store to store): the report per row" => pages::plans::import;
        GET "/reports" SignedIn, Page, "The department's reports by period, and the form to start one" => pages::reports::list;
        POST "/reports" Roles(REPORT_WRITERS), Page, "Start the report of a period (frequency, year, n, cutoff)" => pages::reports::create;
        GET "/reports/{id}" SignedIn, Page, "A report: figures per field against the plan and last year, charts, texts, steps" => pages::reports::page;
        POST "/reports/{id}/texts" Roles(REPORT_WRITERS), Page, "Save a section's text as its next version (section, body)" => pages::reports::write;
        POST "/reports/{id}/targets" Roles(REPORT_WRITERS), Page, "Set the plan's targets (target.KEY)" => pages::reports::targets;
        POST "/reports/{id}/{step}" Roles(REPORT_STEPS), Page, "Submit, send back, approve (another person) or reopen a report" => pages::reports::step;
        GET "/reports/{id}/report.docx" SignedIn, Page, "The report as DOCX in Decree 30's form (?final=1 only once approved)" => api::reports::docx;
        GET "/reports/{id}/report.pdf" SignedIn, Page, "The report as PDF, rendered from the DOCX by LibreOffice (?final=1 only once approved)" => api::reports::pdf;

        GET "/units" SignedIn, Page, "Units registry" => pages::units::list;
        GET "/units.csv" SignedIn, Page, "The units the filters select (kind, q, ended), as CSV for Excel" => pages::units::list_csv;
        GET "/units.xlsx" SignedIn, Page, "The units the filters select (kind, q, ended), as an Excel workbook" => pages::units::list_xlsx;
        GET "/units/new" Roles(UNIT_EDITORS), Page, "New unit form" => pages::units::new_form;
        POST "/units" Roles(UNIT_EDITORS), Page, "Register a unit" => pages::units::create;
        GET "/units/{id}" SignedIn, Page, "A unit and its history" => pages::units::show;

        GET "/users" Roles(ADMIN), Page, "Users a page at a time (q, role, sort, page)" => pages::users::list;
        GET "/users.csv" Roles(ADMIN), Page, "The users the list's search and role select, as CSV for Excel" => pages::users::users_csv;
        GET "/users.xlsx" Roles(ADMIN), Page, "The users the list's search and role select, as an Excel workbook" => pages::users::users_xlsx;
        GET "/users/new" Roles(ADMIN), Page, "New user form" => pages::users::new_form;
        POST "/users" Roles(ADMIN), Page, "Create a user" => pages::users::create;
        GET "/users/{id}" Roles(ADMIN), Page, "A user" => pages::users::show;
        POST "/users/{id}/roles" Roles(ADMIN), Page, "Set a user's roles" => pages::users::set_roles;
        POST "/users/{id}/unit" Roles(ADMIN), Page, "Set the agency a user works for" => pages::users::set_unit;
        POST "/users/{id}/disable" Roles(ADMIN), Page, "Disable a user" => pages::users::disable;
        POST "/users/{id}/enable" Roles(ADMIN), Page, "Enable a user" => pages::users::enable;
        POST "/users/{id}/reset-password" Roles(ADMIN), Page, "Issue a one-time password" => pages::users::reset_password;
        GET "/audit" Roles(ADMIN), Page, "Audit log and its verification" => pages::users::audit;
        GET "/audit.csv" Roles(ADMIN), Page, "The audit rows the filters select (actor, action), newest first, as CSV for Excel" => pages::users::audit_csv;
        GET "/audit.xlsx" Roles(ADMIN), Page, "The audit rows the filters select (actor, action), newest first, as an Excel workbook" => pages::users::audit_xlsx;

        GET "/api/v1/openapi.json" Public, Api, "This OpenAPI document" => api::openapi::document;
        GET "/api/v1/me" SignedInPending, Api, "The caller: user and roles in force" => api::v1::me;
        GET "/api/v1/units" SignedIn, Api, "List units (kind, q, include_ended, limit, offset)" => api::v1::list_units;
        POST "/api/v1/units" Roles(UNIT_EDITORS), Api, "Register a unit" => api::v1::create_unit;
        GET "/api/v1/units/{id}" SignedIn, Api, "One unit" => api::v1::get_unit;
        GET "/api/v1/units/{id}/history" SignedIn, Api, "A unit's versions" => api::v1::unit_history;
        GET "/api/v1/communes/legacy/{code}" SignedIn, Api, "Where a pre-2025 commune went" => api::v1::legacy_commune;
        GET "/api/3/action/{action}" Public, Api, "CKAN Action API (read): package_list, package_show, package_search, organization_list, organization_show, group_list, tag_list, resource_show, status_show, site_read, datastore_search" => api::ckan::action;
        POST "/api/3/action/{action}" Public, Api, "CKAN Action API (read), parameters as a JSON body" => api::ckan::action;
        GET "/api/action/{action}" Public, Api, "CKAN Action API at the path the ckanapi client uses" => api::ckan::action;
        POST "/api/action/{action}" Public, Api, "CKAN Action API at the path the ckanapi client uses, JSON body" => api::ckan::action;
        POST "/api/v1/notify/optouts" Roles(NOTIFY_AUTHORS), Api, "Record that a number wants no non-emergency messages ({phone, source})" => api::v1::opt_out;
        POST "/api/v1/notify/alerts" Roles(NOTIFY_AUTHORS), Api, "Issue an alert as CAP 1.2 from JSON (the console form's fields); a live one waits for a second person" => api::v1::issue_alert;
        GET "/api/v1/notify/alerts" SignedIn, Api, "A page of alerts (q, status, state, sort, limit, offset; total, next), tests and drills marked by their status" => api::v1::alerts;
        POST "/api/v1/notify/alerts/import" Roles(NOTIFY_AUTHORS), Api, "Import another agency's CAP 1.2 document (the body)" => api::v1::import_alert;
        POST "/api/v1/notify/alerts/{id}/{step}" Roles(NOTIFY_STEPS), Api, "Approve or refuse a pending live alert (a second person), or send its prepared Cancel ({note})" => api::v1::alert_step;
        GET "/api/v1/notify/lists" SignedIn, Api, "A page of recipient lists (q, sort, limit, offset; total, next)" => api::notify::lists;
        POST "/api/v1/notify/lists" Roles(NOTIFY_AUTHORS), Api, "Import a recipient list: the body is the CSV or XLSX file (?name=, file_name=); the report names every refused row" => api::notify::import_list;
        GET "/api/v1/notify/lists/{id}" SignedIn, Api, "A recipient list: counts per operator and the refused rows with their reasons" => api::notify::list;
        POST "/api/v1/notify/cost" Roles(NOTIFY_AUTHORS), Api, "What a text costs ({body, list_id?}): encoding, segments, cost per operator, the unaccented variant" => api::notify::cost;
        GET "/api/v1/notify/campaigns" SignedIn, Api, "A page of SMS campaigns (q, status, emergency, sort, limit, offset; total, next)" => api::notify::campaigns;
        POST "/api/v1/notify/campaigns" Roles(NOTIFY_AUTHORS), Api, "Draft an SMS campaign ({name, topic, brandname, body, list_id, communes?, emergency?, resend_uncertain?}); its plan" => api::notify::create_campaign;
        GET "/api/v1/notify/campaigns/{id}" SignedIn, Api, "A campaign, its plan and the steps the caller may take" => api::notify::campaign;
        POST "/api/v1/notify/campaigns/{id}/{step}" Roles(NOTIFY_STEPS), Api, "Submit (the author), approve ({confirm}: another approver types the name), send back ({note}) or cancel ({note?}) a campaign" => api::notify::step;
        GET "/api/v1/notify/campaigns/{id}/progress" SignedIn, Api, "A campaign's progress: messages per state and operator, failure reasons, the binds sending" => api::notify::progress;
        GET "/api/v1/notify/campaigns/{id}/deliveries" SignedIn, Api, "A page of a campaign's messages with each part's answer (state, after, limit ≤ 1000); next gives the following page" => api::notify::deliveries;
        GET "/api/v1/notify/figures" SignedIn, Api, "Sending figures for a period (from, to: YYYY-MM-DD): campaigns, recipients, segments, delivered %, by topic and operator" => api::v1::notify_figures;
        POST "/api/v1/notify/optouts/import" Roles(NOTIFY_AUTHORS), Api, "Import opt-outs from a CSV/XLSX body (?source=dnc); a report of refused rows" => api::v1::import_opt_outs;
        GET "/api/v1/watch/subjects" SignedIn, Api, "List watch subjects (kind, q, limit, offset)" => api::v1::list_subjects;
        POST "/api/v1/watch/subjects" Roles(WATCH_EDITORS), Api, "Register a watch subject" => api::v1::create_subject;
        POST "/api/v1/watch/subjects/import" Roles(WATCH_EDITORS), Api, "Import subjects from CSV (the request body); a report per row" => api::v1::import_subjects;
        POST "/api/v1/watch/subjects/{id}/crawl" Roles(WATCH_EDITORS), Api, "Queue a crawl of a subject" => api::v1::crawl_subject;
        GET "/api/v1/watch/crawls" SignedIn, Api, "A page of crawls (subject, status, q, sort, limit, offset; total, next)" => api::v1::list_crawls;
        GET "/api/v1/watch/crawls/{id}" SignedIn, Api, "A crawl with its pages" => api::v1::get_crawl;
        GET "/api/v1/watch/findings" SignedIn, Api, "Findings, a page at a time, and how many the filters select (subject, status, category, limit, offset)" => api::v1::list_findings;
        POST "/api/v1/watch/findings/review" Roles(WATCH_EDITORS), Api, "One decision on several findings: {ids, decision, note}, all or none (at most 500)" => api::v1::review_findings;
        POST "/api/v1/watch/findings/{id}/review" Roles(WATCH_EDITORS), Api, "Confirm or dismiss a finding: {decision, note}" => api::v1::review_finding;
        GET "/api/v1/watch/figures" SignedIn, Api, "Watch figures for a period (from, to: YYYY-MM-DD): sites and clips reviewed, invitations, transfers, takedowns and removal rate, sanctions and fines" => api::v1::watch_figures;
        GET "/api/v1/watch/cases" SignedIn, Api, "Enforcement cases (state, or overdue=true)" => api::v1::list_cases;
        POST "/api/v1/watch/cases/bulk" Roles(WATCH_EDITORS), Api, "Open a case on each of several subjects: {subject_ids, category, note}; the cases opened and each refusal with its code" => api::v1::open_cases;
        POST "/api/v1/watch/cases" Roles(WATCH_EDITORS), Api, "Open a case: {subject_id, category, title?, findings?, note}" => api::v1::open_case;
        GET "/api/v1/watch/cases/{id}" SignedIn, Api, "A case with its timeline and the steps the caller may take" => api::v1::get_case;
        POST "/api/v1/watch/cases/{id}/sanction" Roles(CASE_MOVERS), Api, "Record the Inspectorate's sanction: {decision_no, decision_date, decree, article, clause?, fine_vnd, remedies?, note}" => api::v1::sanction_case;
        POST "/api/v1/watch/cases/{id}/move" Roles(CASE_MOVERS), Api, "Move a case: {to, note}, if the workflow allows it to the caller's roles" => api::v1::move_case;
        POST "/api/v1/watch/cases/{id}/fix" Roles(CASE_MOVERS), Api, "The unit's commitment to fix: {due, note}; the re-check is scheduled for the date" => api::v1::fix_case;
        POST "/api/v1/watch/cases/{id}/documents" Roles(CASE_MOVERS), Api, "Issue a document: {kind, date?, meeting_at?, place?, attendees?, unit_attendees?, statement?, conclusion?, signer?, signer_title?, note? (kept with the register entry, not printed)}" => api::v1::issue_document;
        GET "/api/v1/watch/cases/{id}/documents/{doc}" SignedIn, Api, "A case's document as issued (DOCX)" => api::v1::case_document;
        GET "/api/v1/watch/scores" SignedIn, Api, "Subjects' scores per category (subject, min)" => api::v1::list_scores;
        POST "/api/v1/watch/classifier/train" Roles(WATCH_EDITORS), Api, "Retrain the harmful-content classifier; its held-out precision and recall" => api::v1::train_classifier;
        GET "/api/v1/plans" SignedIn, Api, "Digital-transformation plans, newest first, each with its tasks' counts on a day (on)" => api::plans::plans;
        GET "/api/v1/plans/{id}" SignedIn, Api, "A plan with its tasks' counts in all, by lead unit and by committee member (on)" => api::plans::plan;
        GET "/api/v1/plans/{id}/tasks" SignedIn, Api, "A page of a plan's tasks in the appendix's order, each with its latest report and whether it is overdue (on, limit ≤ 1000, offset)" => api::plans::tasks;
        POST "/api/v1/plans/{id}/tasks/{task}/report" SignedIn, Api, "A progress report on a task ({status, percent, body, evidence?}), by its lead unit's account or a planner" => api::plans::report;
        GET "/api/v1/plans/{id}/indicators" SignedIn, Api, "A plan's indicators against the year's targets (year)" => api::plans::indicators;
        POST "/api/v1/plans/{id}/indicators/refresh" Roles(PLANNERS), Api, "Read every computed indicator from the module that owns its figure and record today's value" => api::plans::refresh;
        POST "/api/v1/plans/{id}/indicators/{indicator}/actual" Roles(PLANNERS), Api, "Record an indicator's actual ({period, value, source, evidence?})" => api::plans::record_actual;
        GET "/api/v1/reports" SignedIn, Api, "The department's reports, newest period first" => api::reports::reports;
        POST "/api/v1/reports" Roles(REPORT_WRITERS), Api, "Start the report of a period ({frequency, year, n, cutoff?})" => api::reports::create;
        GET "/api/v1/reports/{id}" SignedIn, Api, "A report: its figures this period and a year before, targets, texts, and the steps the caller may take" => api::reports::report;
        POST "/api/v1/reports/{id}/texts" Roles(REPORT_WRITERS), Api, "Save a section's text as its next version ({section, body})" => api::reports::write;
        POST "/api/v1/reports/{id}/targets" Roles(REPORT_WRITERS), Api, "Set the plan's targets ({KEY: number or null}); every key checked before any is kept" => api::reports::targets;
        GET "/api/v1/reports/{id}/report.docx" SignedIn, Api, "The report as DOCX in Decree 30's form (?final=1 only once approved)" => api::reports::docx;
        GET "/api/v1/reports/{id}/report.pdf" SignedIn, Api, "The report as PDF (?final=1 only once approved)" => api::reports::pdf;
        POST "/api/v1/reports/{id}/{step}" Roles(REPORT_STEPS), Api, "Submit, send back, approve (someone other than who submitted it) or reopen a report" => api::reports::step;
        GET "/api/v1/opendata/datasets" SignedIn, Api, "A page of datasets (q, sort, limit, offset; total, next) with their owner and schema, and whether the caller may upload to each" => api::opendata::datasets;
        POST "/api/v1/opendata/datasets/{name}/uploads" Roles(OPENDATA_EDITORS), Api, "Upload a file to a dataset: the body is the file (?file_name=, as_of=); 202, then a worker reads it" => api::opendata::upload;
        GET "/api/v1/opendata/datasets/{name}/uploads" SignedIn, Api, "A dataset's uploads, newest first, with their counts and file problems" => api::opendata::uploads;
        GET "/api/v1/opendata/datasets/{name}/quarantine" SignedIn, Api, "A page of a dataset's quarantined rows with their reasons (status, limit ≤ 1000, offset)" => api::opendata::quarantine;
        GET "/api/v1/opendata/uploads/{id}" SignedIn, Api, "One upload as it stands: status and counts" => api::opendata::upload_info;
        POST "/api/v1/opendata/quarantine/{id}/fix" Roles(OPENDATA_EDITORS), Api, "Fix a quarantined row ({cells: {FIELD: value}}); published if it passes" => api::opendata::fix;
        GET "/api/v1/users" Roles(ADMIN), Api, "List users" => api::v1::list_users;
        POST "/api/v1/users" Roles(ADMIN), Api, "Create a user (returns a one-time password)" => api::v1::create_user;
        GET "/api/v1/audit/verify" Roles(ADMIN), Api, "Verify the audit chain" => api::v1::verify_audit;
        GET "/api/v1/jobs" Roles(ADMIN), Api, "Job queue counts and dead jobs" => api::v1::jobs;
    }
}
