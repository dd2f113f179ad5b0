//! The console and API, through the real router on a fresh database. Runs on SQLite in
//! `cargo test` and again on PostgreSQL in `cargo xtask test`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers: a panic is the failure report

mod common;

use common::{PASSWORD, TestApp};
use lantoa_core::Role;
use lantoa_web::routes::{Access, Surface, table};

/// The address of the link with id `id` in a page, unescaped.
fn link_to(body: &str, id: &str) -> String {
    body.split(&format!("id=\"{id}\""))
        .next()
        .and_then(|b| b.rsplit("href=\"").next())
        .and_then(|h| h.split('"').next())
        .unwrap_or_else(|| panic!("no link {id}"))
        .replace("&#x2f;", "/")
        .replace("&amp;", "&")
}

/// A multipart body holding one file in the field `file`, and its content type.
fn multipart(file_name: &str, csv: &str) -> (String, String) {
    let boundary = "lantoa-test-boundary";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: text/csv\r\n\r\n{csv}\r\n--{boundary}--\r\n"
    );
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// A multipart form of text `fields` and, if given, one `file` (name, bytes as text).
/// `s` as a query's value.
fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("v", s)]).unwrap()[2..].to_owned()
}

/// A downloaded workbook's first sheet, each cell as text.
fn workbook_rows(bytes: &[u8]) -> Vec<Vec<String>> {
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> =
        calamine::Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let range = book.worksheet_range_at(0).unwrap().unwrap();
    range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect()
}

fn multipart_form(fields: &[(&str, &str)], file: Option<(&str, &str)>) -> (String, String) {
    let boundary = "lantoa-test-boundary";
    let mut body = String::new();
    for (k, v) in fields {
        body.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
        ));
    }
    if let Some((name, content)) = file {
        body.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n{content}\r\n"
        ));
    }
    body.push_str(&format!("--{boundary}--\r\n"));
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// A CKAN `resource_create` call for dataset `package_id` carrying `csv` as its `upload`, with
/// `token` if given.
fn resource_create(
    package_id: &str,
    csv: &str,
    token: Option<&str>,
) -> axum::http::Request<axum::body::Body> {
    resource_create_with(package_id, &[], csv, token)
}

/// [`resource_create`] with more text `fields`.
fn resource_create_with(
    package_id: &str,
    fields: &[(&str, &str)],
    csv: &str,
    token: Option<&str>,
) -> axum::http::Request<axum::body::Body> {
    let boundary = "b0undary";
    let mut body = String::new();
    for (k, v) in [("package_id", package_id)].iter().chain(fields) {
        body.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
        ));
    }
    body.push_str(&format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"upload\"; filename=\"x.csv\"\r\n\r\n{csv}\r\n--{boundary}--\r\n"
    ));
    let mut r = axum::http::Request::post("/api/action/resource_create").header(
        "content-type",
        format!("multipart/form-data; boundary={boundary}"),
    );
    if let Some(t) = token {
        r = r.header("authorization", t);
    }
    r.body(axum::body::Body::from(body)).unwrap()
}

#[path = "web/sign_in.rs"]
mod sign_in;

#[path = "web/cookies.rs"]
mod cookies;

#[path = "web/bad_input.rs"]
mod bad_input;

#[path = "web/api.rs"]
mod api;

#[path = "web/roles.rs"]
mod roles;

#[path = "web/catalogues.rs"]
mod catalogues;

#[path = "web/pages.rs"]
mod pages;

#[path = "web/opendata.rs"]
mod opendata;

#[path = "web/agency_scope.rs"]
mod agency_scope;

#[path = "web/large_uploads.rs"]
mod large_uploads;

#[path = "web/ckan.rs"]
mod ckan;

#[path = "web/watch.rs"]
mod watch;

#[path = "web/cases.rs"]
mod cases;

#[path = "web/notify.rs"]
mod notify;

#[path = "web/plans.rs"]
mod plans;

#[path = "web/plan_reminders.rs"]
mod plan_reminders;

#[path = "web/plan_committee.rs"]
mod plan_committee;

#[path = "web/plan_dti.rs"]
mod plan_dti;

#[path = "web/plan_measures.rs"]
mod plan_measures;

#[path = "web/alerts.rs"]
mod alerts;

#[path = "web/speakers.rs"]
mod speakers;

#[path = "web/notices.rs"]
mod notices;

#[path = "web/reports.rs"]
mod reports;

#[path = "web/alerts_api.rs"]
mod alerts_api;

#[path = "web/security.rs"]
mod security;

#[path = "web/workbooks.rs"]
mod workbooks;

/// Plans, reports and open data through `/api/v1`: what another system or the CLI does, with
/// the console's rules and named errors, nothing kept from a refused request.
#[path = "web/module_api.rs"]
mod module_api;

/// The dashboard opens on what waits on the person signed in, from each module's own rules.
#[path = "web/dashboard.rs"]
mod dashboard;

/// The SQLite and PostgreSQL migrations of every module build the same schema, read from the
/// databases themselves: the same tables, each with the same columns, of the same kind
/// (integer, real, text, bytes), the same ones required, and the same named indexes.
#[path = "web/schema_parity.rs"]
mod schema_parity;
