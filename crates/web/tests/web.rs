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

mod sign_in {
    use super::*;

    #[tokio::test]
    async fn one_time_password_flow_ends_on_the_vietnamese_dashboard() {
        let app = TestApp::spawn().await;
        let otp = app.state.accounts.ensure_admin().await.unwrap().unwrap();
        let login = app.get("/login", None).await;
        assert_eq!(login.status, 200);
        assert!(login.body.contains("Đăng nhập"));
        let csrf = login
            .cookie("lantoa_csrf")
            .expect("a CSRF cookie for the sign-in form");
        assert!(login.body.contains(&format!("value=\"{csrf}\"")));

        let anon = common::Browser {
            cookie: format!("lantoa_csrf={csrf}"),
            csrf: csrf.clone(),
        };
        let r = app
            .post_form(
                "/login",
                Some(&anon),
                &[
                    ("username", "admin"),
                    ("password", &otp),
                    ("next", "/units"),
                ],
            )
            .await;
        assert_eq!(r.status, 303);
        assert_eq!(
            r.location(),
            "/account/password",
            "a one-time password must be changed first"
        );
        let session = r.cookie("lantoa_session").unwrap();
        let s = app.state.accounts.session(&session).await.unwrap().unwrap();
        let me = common::Browser {
            cookie: format!("lantoa_session={session}"),
            csrf: s.csrf,
        };

        let blocked = app.get("/units", Some(&me)).await;
        assert_eq!(
            (blocked.status.as_u16(), blocked.location()),
            (303, "/account/password")
        );

        let r = app
            .post_form(
                "/account/password",
                Some(&me),
                &[
                    ("current", &otp),
                    ("new", "Hồ Gươm 2026 xanh"),
                    ("confirm", "Hồ Gươm 2026 xanh"),
                ],
            )
            .await;
        assert_eq!(
            (r.status.as_u16(), r.location()),
            (303, "/?flash=flash-password-changed")
        );
        let fresh = r.cookie("lantoa_session").unwrap();
        assert!(
            app.state
                .accounts
                .session(&session)
                .await
                .unwrap()
                .is_none(),
            "the old session ended"
        );
        let me = common::Browser {
            cookie: format!("lantoa_session={fresh}"),
            csrf: String::new(),
        };
        let home = app.get("/?flash=flash-password-changed", Some(&me)).await;
        assert_eq!(home.status, 200);
        assert!(home.body.contains("Bảng điều khiển"));
        assert!(home.body.contains("Đã đổi mật khẩu."));
    }

    #[tokio::test]
    async fn wrong_password_gets_a_clear_vietnamese_message_and_no_session() {
        let app = TestApp::spawn().await;
        app.user("lan", vec![Role::Viewer]).await;
        let anon = common::Browser {
            cookie: "lantoa_csrf=0123456789abcdef0123456789abcdef".into(),
            csrf: "0123456789abcdef0123456789abcdef".into(),
        };
        let r = app
            .post_form(
                "/login",
                Some(&anon),
                &[("username", "lan"), ("password", "wrong"), ("next", "/")],
            )
            .await;
        assert_eq!(r.status, 401);
        assert!(
            r.body.contains("Sai tên đăng nhập hoặc mật khẩu."),
            "{}",
            r.body
        );
        assert!(
            r.body.contains("value=\"lan\""),
            "the user name is kept in the form"
        );
        assert!(r.cookie("lantoa_session").is_none());
    }

    #[tokio::test]
    async fn repeated_failures_are_throttled_with_retry_after() {
        let app = TestApp::spawn().await;
        app.user("lan", vec![Role::Viewer]).await;
        let anon = common::Browser {
            cookie: "lantoa_csrf=0123456789abcdef0123456789abcdef".into(),
            csrf: "0123456789abcdef0123456789abcdef".into(),
        };
        for _ in 0..5 {
            app.post_form(
                "/login",
                Some(&anon),
                &[("username", "lan"), ("password", "wrong")],
            )
            .await;
        }
        let r = app
            .post_form(
                "/login",
                Some(&anon),
                &[("username", "lan"), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(r.status, 429);
        assert!(r.body.contains("Đăng nhập sai quá nhiều lần"));
    }

    #[tokio::test]
    async fn an_expired_or_unknown_session_goes_back_to_sign_in() {
        let app = TestApp::spawn().await;
        let who = common::Browser {
            cookie: "lantoa_session=deadbeef".into(),
            csrf: String::new(),
        };
        let r = app.get("/units?kind=commune", Some(&who)).await;
        assert_eq!(r.status, 303);
        assert_eq!(r.location(), "/login?next=%2Funits");
        let api = app.get("/api/v1/units", Some(&who)).await;
        assert_eq!(api.status, 401);
        assert_eq!(api.error_code(), "unauthenticated");
    }

    #[tokio::test]
    async fn the_language_switch_persists_and_logout_ends_the_session() {
        let app = TestApp::spawn().await;
        let u = app.user("lan", vec![Role::Viewer]).await;
        let me = app.browser(&u).await;
        let r = app
            .post_form("/lang", Some(&me), &[("lang", "en"), ("next", "/units")])
            .await;
        assert_eq!((r.status.as_u16(), r.location()), (303, "/units"));
        assert_eq!(r.cookie("lantoa_lang").as_deref(), Some("en"));
        assert_eq!(app.state.accounts.user(u.id).await.unwrap().lang, "en");
        let en = common::Browser {
            cookie: format!("{}; lantoa_lang=en", me.cookie),
            csrf: me.csrf.clone(),
        };
        let home = app.get("/", Some(&en)).await;
        assert!(home.body.contains("<h1 id=\"page-title\">Dashboard</h1>"));
        assert!(home.body.contains("lang=\"en\""));
        let out = app.post_form("/logout", Some(&en), &[]).await;
        assert_eq!(out.location(), "/login?flash=flash-logged-out");
        assert_eq!(app.get("/", Some(&en)).await.status, 303);
    }
}

mod cookies {
    use super::*;

    #[tokio::test]
    async fn cookies_are_http_only_and_secure_when_configured() {
        let app = TestApp::spawn_with(lantoa_web::WebConfig {
            secure_cookies: true,
            ..Default::default()
        })
        .await;
        app.user("lan", vec![Role::Viewer]).await;
        let login = app.get("/login", None).await;
        let set: Vec<_> = login
            .headers
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect();
        assert!(
            set.iter().any(|c| c.starts_with("lantoa_csrf=")
                && c.contains("HttpOnly")
                && c.contains("Secure")),
            "{set:?}"
        );
        let csrf = login.cookie("lantoa_csrf").unwrap();
        let anon = common::Browser {
            cookie: format!("lantoa_csrf={csrf}"),
            csrf,
        };
        let r = app
            .post_form(
                "/login",
                Some(&anon),
                &[("username", "lan"), ("password", PASSWORD)],
            )
            .await;
        let set: Vec<_> = r
            .headers
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect();
        assert!(
            set.iter().any(|c| c.starts_with("lantoa_session=")
                && c.contains("HttpOnly")
                && c.contains("Secure")
                && c.contains("SameSite=Lax")),
            "{set:?}"
        );
    }
}

mod bad_input {
    use super::*;

    #[tokio::test]
    async fn forms_without_or_with_a_wrong_csrf_token_are_refused_and_write_nothing() {
        let app = TestApp::spawn().await;
        let u = app.user("lan", vec![Role::WatchOfficer]).await;
        let me = app.browser(&u).await;
        let before = app.audit_rows().await;
        let fields = [("kind", "agency"), ("name", "Sở Thử")];
        let missing = app
            .send(
                axum::http::Request::post("/units")
                    .header("content-type", "application/x-www-form-urlencoded")
                    .header("cookie", &me.cookie)
                    .body(axum::body::Body::from(
                        serde_urlencoded::to_string(fields).unwrap(),
                    ))
                    .unwrap(),
            )
            .await;
        assert_eq!(missing.status, 403);
        assert!(
            missing.body.contains("mã chống giả mạo CSRF"),
            "{}",
            missing.body
        );
        let wrong = app
            .post_form(
                "/units",
                Some(&me),
                &[("kind", "agency"), ("name", "Sở Thử"), ("csrf", "nope")],
            )
            .await;
        assert_eq!(wrong.status, 403);
        assert_eq!(app.audit_rows().await, before);
        let (_, total) = app.state.registry.list(&Default::default()).await.unwrap();
        assert_eq!(total, 0);
        // With the token it goes through.
        let ok = app.post_form("/units", Some(&me), &fields).await;
        assert_eq!(ok.status, 303, "{}", ok.body);
        assert_eq!(app.audit_rows().await, before + 1);
    }

    #[tokio::test]
    async fn an_invalid_tax_code_is_explained_in_the_form_and_nothing_is_saved() {
        let app = TestApp::spawn().await;
        let u = app.user("lan", vec![Role::WatchOfficer]).await;
        let me = app.browser(&u).await;
        let r = app
            .post_form(
                "/units",
                Some(&me),
                &[
                    ("kind", "enterprise"),
                    ("code", "0100109107"),
                    ("name", "Công ty Sai Mã"),
                ],
            )
            .await;
        assert_eq!(r.status, 422);
        assert!(
            r.body
                .contains("Chữ số kiểm tra của mã số thuế 0100109107 không đúng"),
            "{}",
            r.body
        );
        assert!(
            r.body.contains("value=\"Công ty Sai Mã\""),
            "the form keeps what was typed"
        );
        let bad_date = app
            .post_form(
                "/units",
                Some(&me),
                &[
                    ("kind", "agency"),
                    ("name", "Sở X"),
                    ("valid_from", "31/02/2025"),
                ],
            )
            .await;
        assert_eq!(bad_date.status, 422);
        assert!(
            bad_date
                .body
                .contains("Ngày &quot;31&#x2f;02&#x2f;2025&quot; không hợp lệ"),
            "{}",
            bad_date.body
        );
        let (_, total) = app.state.registry.list(&Default::default()).await.unwrap();
        assert_eq!(total, 0);
    }

    #[tokio::test]
    async fn malformed_json_oversized_bodies_and_unknown_fields_get_json_errors() {
        let app = TestApp::spawn_with(lantoa_web::WebConfig {
            max_body_bytes: 2048,
            ..Default::default()
        })
        .await;
        let u = app.user("lan", vec![Role::WatchOfficer]).await;
        let tok = app.token("lan", &[]).await;
        let _ = u;
        let before = app.audit_rows().await;
        let r = app
            .api(
                "POST",
                "/api/v1/units",
                Some(&tok),
                Some("{\"kind\": \"agency\", "),
            )
            .await;
        assert_eq!(r.status, 400);
        assert_eq!(r.error_code(), "malformed_body");
        let big = format!("{{\"kind\":\"agency\",\"name\":\"{}\"}}", "x".repeat(5000));
        let r = app
            .api("POST", "/api/v1/units", Some(&tok), Some(&big))
            .await;
        assert_eq!(r.status, 413);
        assert_eq!(r.error_code(), "payload_too_large");
        assert!(r.error_message().contains("web.max_body_bytes"));
        let r = app
            .api(
                "POST",
                "/api/v1/units",
                Some(&tok),
                Some("{\"kind\":\"agency\",\"name\":\"A\",\"colour\":1}"),
            )
            .await;
        assert_eq!(r.status, 400);
        assert!(r.error_message().contains("colour"));
        let r = app
            .api(
                "POST",
                "/api/v1/units",
                Some(&tok),
                Some("{\"kind\":\"castle\",\"name\":\"A\"}"),
            )
            .await;
        assert_eq!(r.status, 422);
        assert!(r.error_message().contains("castle"));
        assert_eq!(app.audit_rows().await, before, "nothing was written");
        let ok = app
            .api(
                "POST",
                "/api/v1/units",
                Some(&tok),
                Some("{\"kind\":\"agency\",\"name\":\"Sở Thử\"}"),
            )
            .await;
        assert_eq!(ok.status, 201, "{}", ok.body);
        assert_eq!(ok.json()["unit"]["name"], "Sở Thử");
    }

    #[tokio::test]
    async fn an_oversized_form_gets_a_vietnamese_413_and_writes_nothing() {
        let app = TestApp::spawn_with(lantoa_web::WebConfig {
            max_body_bytes: 2048,
            ..Default::default()
        })
        .await;
        let u = app.user("lan", vec![Role::WatchOfficer]).await;
        let me = app.browser(&u).await;
        let before = app.audit_rows().await;
        let name = "x".repeat(5000);
        let r = app
            .post_form("/units", Some(&me), &[("kind", "agency"), ("name", &name)])
            .await;
        assert_eq!(r.status, 413);
        assert!(r.body.contains("vượt quá giới hạn 2048 byte"), "{}", r.body);
        assert_eq!(app.audit_rows().await, before);
        assert_eq!(
            app.get("/units", Some(&me)).await.status,
            200,
            "still serving"
        );
    }

    #[tokio::test]
    async fn unknown_routes_and_methods_are_clear_4xx_and_the_server_keeps_serving() {
        let app = TestApp::spawn().await;
        let r = app.get("/api/v1/nothing-here", None).await;
        assert_eq!(r.status, 404);
        assert_eq!(r.error_code(), "not_found");
        let r = app.get("/no-such-page", None).await;
        assert_eq!(r.status, 404);
        assert!(r.body.contains("Không tìm thấy"));
        let r = app.api("DELETE", "/api/v1/units", None, None).await;
        assert_eq!(r.status, 405);
        assert_eq!(r.error_code(), "method_not_allowed");
        assert_eq!(app.get("/healthz", None).await.status, 200);
    }

    #[tokio::test]
    async fn a_bad_token_and_a_missing_role_are_told_apart() {
        let app = TestApp::spawn().await;
        app.user("lan", vec![Role::Viewer]).await;
        let tok = app.token("lan", &[]).await;
        let before = app.audit_rows().await;
        let r = app
            .api("GET", "/api/v1/units", Some("lt_forged"), None)
            .await;
        assert_eq!(r.status, 401);
        let r = app
            .api(
                "POST",
                "/api/v1/units",
                Some(&tok),
                Some("{\"kind\":\"agency\",\"name\":\"A\"}"),
            )
            .await;
        assert_eq!(r.status, 403);
        assert_eq!(r.error_code(), "forbidden");
        assert_eq!(app.audit_rows().await, before);
    }

    #[tokio::test]
    async fn the_api_rate_limit_answers_429_with_retry_after() {
        let app = TestApp::spawn_with(lantoa_web::WebConfig {
            api_rate_per_minute: 3,
            ..Default::default()
        })
        .await;
        app.user("lan", vec![Role::Viewer]).await;
        let tok = app.token("lan", &[]).await;
        for _ in 0..3 {
            assert_eq!(
                app.api("GET", "/api/v1/me", Some(&tok), None).await.status,
                200
            );
        }
        let r = app.api("GET", "/api/v1/me", Some(&tok), None).await;
        assert_eq!(r.status, 429);
        assert!(r.headers.get("retry-after").is_some());
    }
}

mod api {
    use super::*;

    #[tokio::test]
    async fn openapi_lists_every_api_route_with_its_security() {
        let app = TestApp::spawn().await;
        let doc = app.get("/api/v1/openapi.json", None).await.json();
        assert_eq!(doc["openapi"], "3.1.0");
        // Every stable error code is in the document, the specific refusals among them.
        let codes = &doc["components"]["schemas"]["Error"]["properties"]["error"]["properties"]["code"]
            ["enum"];
        assert_eq!(
            codes.as_array().map(Vec::len),
            Some(lantoa_core::error_code::ALL.len())
        );
        assert!(
            codes
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c == "campaign_wrong_state")
        );
        for r in table().into_iter().filter(|r| r.surface == Surface::Api) {
            let op = &doc["paths"][r.path][r.method.to_lowercase()];
            assert!(
                op.is_object(),
                "{} {} missing from OpenAPI",
                r.method,
                r.path
            );
            assert_eq!(
                op["security"].as_array().unwrap().is_empty(),
                r.access == Access::Public
            );
        }
    }

    #[tokio::test]
    async fn units_api_lists_filters_and_pages() {
        let app = TestApp::with_communes().await;
        app.user("lan", vec![Role::Viewer]).await;
        let tok = app.token("lan", &[]).await;
        let r = app
            .api(
                "GET",
                "/api/v1/units?kind=commune&limit=10&offset=120",
                Some(&tok),
                None,
            )
            .await
            .json();
        assert_eq!(r["total"], 126);
        assert_eq!(r["units"].as_array().unwrap().len(), 6);
        let r = app
            .api(
                "GET",
                "/api/v1/units?q=ph%C6%B0%E1%BB%9Dng%20y%C3%AAn%20ho%C3%A0",
                Some(&tok),
                None,
            )
            .await
            .json();
        assert_eq!(r["units"][0]["name"], "Phường Yên Hòa");
        let r = app
            .api("GET", "/api/v1/communes/legacy/00007", Some(&tok), None)
            .await
            .json();
        assert_eq!(r["conversion"]["kind"], "split");
        let r = app
            .api("GET", "/api/v1/units?limit=9999", Some(&tok), None)
            .await;
        assert_eq!(r.status, 422);
    }

    #[tokio::test]
    async fn health_readiness_and_metrics_answer() {
        let app = TestApp::spawn().await;
        assert_eq!(app.get("/healthz", None).await.json()["status"], "ok");
        assert_eq!(app.get("/readyz", None).await.json()["status"], "ready");
        app.get("/login", None).await;
        let m = app.get("/metrics", None).await;
        assert!(m.body.contains("lantoa_http_requests_total"), "{}", m.body);
        assert!(m.body.contains("route=\"/login\""));
    }
}

mod roles {
    use super::*;

    fn denied(r: &common::Resp, api: bool) -> bool {
        if r.status == 403 {
            return true;
        }
        if api {
            r.status == 401
        } else {
            r.status == 303
                && (r.location().starts_with("/login?next=") || r.location() == "/account/password")
        }
    }

    /// The methods the security walk tries on every path.
    const METHODS: [&str; 6] = ["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS"];

    /// Every path × every method × anonymous and a user of each role: a method the table has
    /// a row for (HEAD counts as GET) is allowed exactly to whom the row allows and refused
    /// to everyone else; a method it has no row for is refused to everyone, before any
    /// handler runs.
    #[tokio::test]
    async fn every_route_every_method_as_every_role() {
        let app = TestApp::with_communes().await;
        let unit = app
            .state
            .registry
            .create(
                "test",
                &lantoa_registry::NewUnit::new(lantoa_core::unit::UnitKind::Agency, None, "Sở Thử"),
            )
            .await
            .unwrap();
        app.user("keeper", vec![Role::Admin]).await;
        let victim = app.user("victim", vec![Role::Viewer]).await;
        let mut users = Vec::new();
        for role in Role::ALL {
            let u = app
                .user(
                    &format!("as-{}", role.as_str().replace('_', "-")),
                    vec![role],
                )
                .await;
            let token = app.token(&u.username, &[]).await;
            users.push((role, u, token));
        }
        let anon = common::Browser {
            cookie: "lantoa_csrf=0123456789abcdef0123456789abcdef".into(),
            csrf: "0123456789abcdef0123456789abcdef".into(),
        };
        let routes = table();
        let mut paths: Vec<&str> = routes.iter().map(|r| r.path).collect();
        paths.dedup();
        paths.sort_unstable();
        paths.dedup();
        let mut checked = 0;
        let mut refused_methods = 0;
        for path_spec in paths {
            let path = path_spec
                .replace(
                    "{id}",
                    &if path_spec.contains("users") {
                        victim.id
                    } else {
                        unit.id
                    }
                    .to_string(),
                )
                .replace("{code}", "00007");
            for method in METHODS {
                let rule_method = if method == "HEAD" { "GET" } else { method };
                let spec = routes
                    .iter()
                    .find(|r| r.path == path_spec && r.method == rule_method);
                let api = spec.map_or(path_spec.starts_with("/api/"), |s| {
                    s.surface == Surface::Api
                });
                let subjects: Vec<Option<&(Role, lantoa_accounts::User, String)>> =
                    std::iter::once(None)
                        .chain(users.iter().map(Some))
                        .collect();
                for subject in subjects {
                    let who =
                        subject.map_or("anonymous".to_owned(), |(r, _, _)| r.as_str().to_owned());
                    // A fresh session each time: some routes (sign-out) end the one they use.
                    let browser = match subject {
                        Some((_, u, _)) if !api => Some(app.browser(u).await),
                        _ => None,
                    };
                    let mut b = axum::http::Request::builder().method(method).uri(&path);
                    let body = if method == "GET" || method == "HEAD" {
                        String::new()
                    } else if api {
                        "{}".to_owned()
                    } else {
                        let csrf = browser.as_ref().map_or(&anon.csrf, |br| &br.csrf);
                        format!("csrf={csrf}")
                    };
                    match (api, subject) {
                        (true, Some((_, _, tok))) => {
                            b = b.header("authorization", format!("Bearer {tok}"));
                        }
                        (false, Some(_)) => {
                            if let Some(br) = &browser {
                                b = b.header("cookie", &br.cookie);
                            }
                        }
                        (false, None) => b = b.header("cookie", &anon.cookie),
                        (true, None) => {}
                    }
                    if !body.is_empty() {
                        b = b.header(
                            "content-type",
                            if api {
                                "application/json"
                            } else {
                                "application/x-www-form-urlencoded"
                            },
                        );
                    }
                    let resp = app
                        .send(b.body(axum::body::Body::from(body)).unwrap())
                        .await;
                    let Some(spec) = spec else {
                        assert_eq!(
                            resp.status, 405,
                            "{method} {path_spec} as {who} has no row in the table: {} {}",
                            resp.status, resp.body
                        );
                        refused_methods += 1;
                        continue;
                    };
                    let allowed = match (spec.access, subject) {
                        (Access::Public, _) => true,
                        (Access::Device, _) => false,
                        (_, None) => false,
                        (Access::SignedIn | Access::SignedInPending, Some(_)) => true,
                        (Access::Roles(rs), Some((role, _, _))) => rs.contains(role),
                    };
                    assert_ne!(resp.status, 405, "{method} {path_spec} is not routed");
                    assert!(
                        resp.status.as_u16() < 500,
                        "{method} {path_spec} as {who}: {} {}",
                        resp.status,
                        resp.body
                    );
                    assert_eq!(
                        !denied(&resp, api),
                        allowed,
                        "{method} {path_spec} as {who}: {} {}",
                        resp.status,
                        resp.body
                    );
                    if method == "HEAD" {
                        assert!(resp.body.is_empty(), "HEAD {path_spec} sent a body");
                    }
                    checked += 1;
                }
            }
        }
        let rows = routes.len();
        let gets = routes.iter().filter(|r| r.method == "GET").count();
        assert_eq!(checked, (rows + gets) * (Role::ALL.len() + 1));
        assert!(refused_methods > 0);
    }
}

mod catalogues {
    use super::*;
    use std::collections::BTreeSet;

    fn ids(lang: &str) -> BTreeSet<String> {
        lantoa_web::i18n::all_ids()[lang].iter().cloned().collect()
    }

    #[test]
    fn both_languages_define_the_same_messages() {
        let vi = ids("vi");
        let en = ids("en");
        assert!(vi.len() > 100);
        // The console's and the domain's catalogues share one namespace: no id twice.
        let all = lantoa_web::i18n::all_ids();
        assert_eq!(all["vi"].len(), vi.len(), "an id repeats in vi");
        assert_eq!(all["en"].len(), en.len(), "an id repeats in en");
        assert_eq!(
            vi.difference(&en).collect::<Vec<_>>(),
            Vec::<&String>::new(),
            "missing in en.ftl"
        );
        assert_eq!(
            en.difference(&vi).collect::<Vec<_>>(),
            Vec::<&String>::new(),
            "missing in vi.ftl"
        );
    }

    /// Every action the modules write to the audit log has a name in both languages (the audit
    /// page shows it, with the code as the tooltip): the actions are read from the code, each
    /// `Entry::new(actor, "module.action", …)`, and those passed by a variable are listed.
    #[test]
    fn every_audited_action_has_a_name() {
        fn sources(dir: &std::path::Path, out: &mut Vec<String>) {
            for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    sources(&path, out);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    out.extend(std::fs::read_to_string(&path));
                }
            }
        }
        let crates = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .unwrap();
        let mut texts = Vec::new();
        for krate in std::fs::read_dir(crates).unwrap() {
            let src = krate.unwrap().path().join("src");
            if src.is_dir() {
                sources(&src, &mut texts);
            }
        }
        let mut actions: BTreeSet<String> = [
            "accounts.user_disabled",
            "accounts.user_enabled",
            "accounts.password_changed",
            "accounts.password_set",
            "accounts.one_time_password_issued",
            "notify.alert_approved",
            "notify.alert_refused",
            "notify.campaign_submitted",
            "notify.campaign_approved",
            "notify.campaign_sent_back",
            "notify.campaign_cancelled",
            "opendata.dataset_created",
            "opendata.group_created",
            "reports.submitted",
            "reports.sent_back",
            "reports.approved",
            "reports.reopened",
        ]
        .into_iter()
        .map(str::to_owned)
        .collect();
        for text in &texts {
            for part in text.split("Entry::new(").skip(1) {
                // The second argument, when it is a literal.
                let after_actor = part.split_once(',').map(|(_, rest)| rest.trim_start());
                if let Some(rest) = after_actor.and_then(|r| r.strip_prefix('"'))
                    && let Some((action, _)) = rest.split_once('"')
                    && action.contains('.')
                {
                    actions.insert(action.to_owned());
                }
            }
        }
        assert!(actions.len() > 50, "only {} actions found", actions.len());
        let vi = ids("vi");
        let en = ids("en");
        let missing: Vec<&String> = actions
            .iter()
            .filter(|a| {
                let id = format!("audit-act-{}", a.replace('.', "-"));
                !vi.contains(&id) || !en.contains(&id)
            })
            .collect();
        assert!(missing.is_empty(), "actions without a name: {missing:?}");
    }

    #[test]
    fn no_vietnamese_console_message_says_english_words() {
        let vi = lantoa_web::i18n::all_ids()["vi"].clone();
        let mut found = Vec::new();
        for id in &vi {
            // Arguments as neutral placeholders: what people typed is not the catalogue's text.
            let names: Vec<String> = [lantoa_web::i18n::VI, lantoa_core::msg::VI]
                .iter()
                .flat_map(|source| lantoa_core::msg::variables(source, id))
                .collect();
            let args: Vec<(&str, String)> = names
                .iter()
                .map(|a| (a.as_str(), "X1".to_owned()))
                .collect();
            let text = lantoa_web::i18n::tr(lantoa_web::i18n::Lang::Vi, id, &args);
            let english = lantoa_core::msg::english_words(&text);
            if !english.is_empty() {
                found.push(format!("{id}: {text} {english:?}"));
            }
        }
        assert!(found.is_empty(), "{found:#?}");
    }

    #[test]
    fn every_message_the_console_uses_exists() {
        let vi = ids("vi");
        let mut used: BTreeSet<String> = BTreeSet::new();
        for (_, src) in lantoa_web::TEMPLATES {
            for quote in ['"', '\''] {
                let pat = format!("t({quote}");
                for part in src.split(&pat).skip(1) {
                    let key = part.split(quote).next().unwrap();
                    if !key.ends_with('-') {
                        used.insert(key.to_owned());
                    }
                }
            }
        }
        for m in lantoa_web::MODULES {
            used.insert(format!("module-{m}"));
            used.insert(format!("module-{m}-what"));
        }
        for k in lantoa_core::unit::UnitKind::ALL {
            used.insert(format!("kind-{}", k.as_str()));
        }
        for r in Role::ALL {
            used.insert(format!("role-{}", r.as_str()));
        }
        for k in lantoa_watch::SubjectKind::ALL {
            used.insert(format!("subject-{}", k.as_str()));
        }
        for s in ["created", "already_registered", "rejected"] {
            used.insert(format!("import-{s}"));
        }
        for c in lantoa_watch::signals::Category::ALL {
            used.insert(format!("category-{}", c.as_str()));
        }
        // CAP's words, shown in the reader's language wherever an alert is.
        {
            use lantoa_notify::cap::{Category, Certainty, MsgType, Severity, Status, Urgency};
            let families: [(&str, Vec<&str>); 6] = [
                ("status", Status::ALL.iter().map(|v| v.as_str()).collect()),
                ("msgtype", MsgType::ALL.iter().map(|v| v.as_str()).collect()),
                (
                    "category",
                    Category::ALL.iter().map(|v| v.as_str()).collect(),
                ),
                ("urgency", Urgency::ALL.iter().map(|v| v.as_str()).collect()),
                (
                    "severity",
                    Severity::ALL.iter().map(|v| v.as_str()).collect(),
                ),
                (
                    "certainty",
                    Certainty::ALL.iter().map(|v| v.as_str()).collect(),
                ),
            ];
            for (family, words) in families {
                for w in words {
                    used.insert(format!("cap-{family}-{w}"));
                }
            }
        }
        for s in ["queued", "running", "done", "failed"] {
            used.insert(format!("crawl-{s}"));
        }
        for s in ["open", "confirmed", "dismissed"] {
            used.insert(format!("finding-{s}"));
        }
        for f in [
            "invalid_url",
            "forbidden",
            "unreachable",
            "timeout",
            "too_many_redirects",
            "redirect_loop",
            "robots_disallow",
            "body",
            "truncated",
            "not_html",
            "no_text",
        ] {
            used.insert(format!("failure-{f}"));
        }
        for c in [
            "daily",
            "weekly",
            "monthly",
            "quarterly",
            "yearly",
            "irregular",
        ] {
            used.insert(format!("cadence-{c}"));
        }
        for c in ["open", "deidentified", "restricted"] {
            used.insert(format!("sensitivity-{c}"));
        }
        // The kinds of problem in a row (every ErrorType) and in a file.
        for p in [
            "type-error",
            "constraint-error",
            "unique-error",
            "missing-cell",
            "extra-cell",
            "blank-row",
            "primary-key",
            "row-constraint",
            "encoding-error",
            "ambiguous-admin-mapping",
            "k-anonymity",
            "missing-label",
            "blank-label",
            "duplicate-label",
            "extra-label",
            "source-error",
            "personal-data",
        ] {
            used.insert(format!("problem-{p}"));
        }
        for c in ["queued", "running", "done", "refused", "failed"] {
            used.insert(format!("upload-{c}"));
        }
        for l in ["strict", "hint"] {
            used.insert(format!("od-suggest-{l}"));
        }
        for f in [
            "dataset-created",
            "uploaded",
            "row-published",
            "row-still-dirty",
        ] {
            used.insert(format!("flash-{f}"));
        }
        used.insert("flash-reviewed".to_owned());
        used.insert("flash-trained".to_owned());
        for s in ["active", "merged", "abolished"] {
            used.insert(format!("status-{s}"));
        }
        // Facts the registry stores for the shipped units (communes' data file, demo city).
        for a in [
            "type",
            "province_code",
            "lat",
            "lon",
            "area_km2",
            "address",
            "phone",
            "email",
            "position",
        ] {
            used.insert(format!("attr-{a}"));
        }
        for c in ["created", "renamed", "updated", "merged", "abolished"] {
            used.insert(format!("change-{c}"));
        }
        for row in lantoa_core::error_code::ALL {
            used.insert(format!("err-title-{}", row.status));
        }
        // Message ids named in the web crate's code.
        let code = [
            include_str!("../src/error.rs"),
            include_str!("../src/pages/auth.rs"),
            include_str!("../src/pages/units.rs"),
            include_str!("../src/pages/home.rs"),
            include_str!("../src/api/v1.rs"),
            include_str!("../src/pages/watch.rs"),
        ];
        for src in code {
            for prefix in ["\"err-", "\"flash-"] {
                for part in src.split(prefix).skip(1) {
                    let rest: String = part
                        .chars()
                        .take_while(|c| c.is_ascii_lowercase() || *c == '-')
                        .collect();
                    if !rest.is_empty() && !rest.ends_with('-') {
                        used.insert(format!("{}{rest}", &prefix[1..]));
                    }
                }
            }
        }
        let missing: Vec<_> = used.difference(&vi).collect();
        assert!(
            missing.is_empty(),
            "messages used but not defined: {missing:?}"
        );
    }
}

mod pages {
    use super::*;

    #[tokio::test]
    async fn a_commune_page_shows_its_facts_and_history_in_both_languages() {
        let app = TestApp::with_communes().await;
        let u = app.user("lan", vec![Role::Viewer]).await;
        let me = app.browser(&u).await;
        let ward = app
            .state
            .registry
            .by_code(lantoa_core::unit::UnitKind::Commune, "00004")
            .await
            .unwrap()
            .unwrap();
        let vi = app.get(&format!("/units/{}", ward.id), Some(&me)).await;
        assert_eq!(vi.status, 200);
        assert!(vi.body.contains("<h1>Phường Ba Đình</h1>"));
        assert!(vi.body.contains("Diện tích (km²)"), "{}", vi.body);
        assert!(vi.body.contains("2025-07-01"));
        let en = common::Browser {
            cookie: format!("{}; lantoa_lang=en", me.cookie),
            csrf: me.csrf.clone(),
        };
        let page = app.get(&format!("/units/{}", ward.id), Some(&en)).await;
        assert!(page.body.contains("Area (km²)"));
        assert!(page.body.contains("Communes and wards"));
        let list = app.get("/units?kind=commune&page=2", Some(&me)).await;
        assert!(list.body.contains("Có 126 đơn vị."), "{}", list.body);
        assert!(list.body.contains("rel=\"prev\""));
        assert!(
            !list.body.contains("rel=\"next\""),
            "page 3 of 50 is the last"
        );
        let bad = app.get("/units?kind=castle", Some(&me)).await;
        assert_eq!(bad.status, 422);
        assert!(
            bad.body
                .contains("Loại đơn vị &quot;castle&quot; không tồn tại."),
            "{}",
            bad.body
        );
    }
}

mod opendata {
    use super::*;

    const SCHEMA: &str = r#"{"fields": [
        {"name": "ma", "constraints": {"required": true}},
        {"name": "phuong_xa", "lantoa:kind": "commune"},
        {"name": "so", "type": "integer", "constraints": {"minimum": 0}}
    ], "primaryKey": "ma"}"#;

    #[tokio::test]
    async fn a_steward_creates_a_dataset_uploads_a_file_and_fixes_a_quarantined_row() {
        let app = TestApp::with_demo_city().await;
        let agency = app.agency("SKHCN-HN").await.to_string();
        let u = app.user("hoa", vec![Role::DataSteward]).await;
        let me = app.browser(&u).await;
        let viewer_user = app.user("xem", vec![Role::Viewer]).await;
        let viewer = app.browser(&viewer_user).await;
        let fields = |schema: &'static str, name: &'static str| {
            vec![
                ("name", name),
                ("title", "Số liệu thử"),
                ("notes", ""),
                ("license_id", "cc-by-4.0"),
                ("cadence", "monthly"),
                ("sensitivity", "open"),
                ("schema", schema),
            ]
        };
        // A schema that is not Table Schema: the form comes back with the reason and the text.
        let mut bad = fields(
            r#"{"fields": [{"name": "ma", "type": "text"}]}"#,
            "so-lieu-thu",
        );
        bad.push(("owner_unit_id", agency.as_str()));
        let r = app.post_form("/opendata/datasets", Some(&me), &bad).await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(r.body.contains("fields[0].type"), "{}", r.body);
        assert!(r.body.contains("Số liệu thử"), "what was typed is kept");
        // A viewer may not create one.
        let mut good = fields(SCHEMA, "so-lieu-thu");
        good.push(("owner_unit_id", agency.as_str()));
        let r = app
            .post_form("/opendata/datasets", Some(&viewer), &good)
            .await;
        assert_eq!(r.status, 403);
        let r = app.post_form("/opendata/datasets", Some(&me), &good).await;
        assert_eq!(r.status, 303, "{}", r.body);
        let csv =
            "ma,phuong_xa,so\nA1,Phường Hoàn Kiếm,5\nA2,Phường Không Có,7\nA3,Phường Phúc Xá,-1\n";
        let (ct, body) = multipart("so-lieu.csv", csv);
        let r = app
            .post_multipart("/opendata/so-lieu-thu/uploads", &me, &ct, body)
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        let page = app.get("/opendata/so-lieu-thu", Some(&me)).await;
        assert!(
            page.body.contains("http-equiv=\"refresh\""),
            "live while queued"
        );
        // The worker's part, through the same service.
        let od = app.state.opendata.clone();
        let d = od.dataset_by_name("so-lieu-thu").await.unwrap();
        let up = od.uploads(d.id).await.unwrap().remove(0);
        od.run_upload(up.id).await.unwrap();
        let page = app.get("/opendata/so-lieu-thu", Some(&me)).await;
        assert_eq!(page.status, 200);
        assert!(!page.body.contains("http-equiv=\"refresh\""));
        assert!(page.body.contains("Phường Không Có"), "{}", page.body);
        // Why each row waits, in Vietnamese (the Frictionless kind kept as the tooltip).
        assert!(
            page.body
                .contains("title=\"constraint-error\">Vi phạm ràng buộc")
        );
        assert!(
            page.body
                .contains("không phải xã, phường của Thành phố Hà Nội")
                && page.body.contains("Nhỏ hơn mức tối thiểu 0"),
            "{}",
            page.body
        );
        assert!(!page.body.contains("is no commune"), "{}", page.body);
        // And in English by the switch.
        let en = common::Browser {
            cookie: format!("{}; lantoa_lang=en", me.cookie),
            csrf: me.csrf.clone(),
        };
        let page_en = app.get("/opendata/so-lieu-thu", Some(&en)).await;
        assert!(
            page_en.body.contains("Less than the minimum 0"),
            "{}",
            page_en.body
        );
        assert!(
            page.body.contains("<svg") && page.body.contains("<polyline"),
            "the quality chart"
        );
        assert!(
            page.body.contains("Sống: cập nhật 0 ngày trước"),
            "{}",
            page.body
        );
        assert!(
            page.body.contains("id=\"find-suggestions\""),
            "duplicates are looked for on request"
        );
        let suggest = app.get("/opendata/so-lieu-thu?suggest=1", Some(&me)).await;
        assert!(
            suggest.body.contains("id=\"no-suggestions\""),
            "{}",
            suggest.body
        );
        let list = app.get("/opendata", Some(&viewer)).await;
        assert!(
            list.body.contains("Số liệu thử") && list.body.contains("33,3%"),
            "{}",
            list.body
        );
        // Fix row 4 (the negative count): published.
        let q = od.quarantine(d.id, "open", 10).await.unwrap();
        let neg = q.iter().find(|r| r.row_number == 4).unwrap();
        let r = app
            .post_form(
                &format!("/opendata/quarantine/{}/fix", neg.id),
                Some(&me),
                &[
                    ("dataset", "so-lieu-thu"),
                    ("cell_0", "A3"),
                    ("cell_1", "Phường Phúc Xá"),
                    ("cell_2", "1"),
                ],
            )
            .await;
        assert_eq!(r.status, 303);
        assert!(
            r.headers["location"]
                .to_str()
                .unwrap()
                .contains("flash-row-published")
        );
        let page = app
            .get("/opendata/so-lieu-thu?flash=flash-row-published", Some(&me))
            .await;
        assert!(page.body.contains("Dòng đã đạt và được công bố."));
        assert!(
            page.body.contains("Phường Hồng Hà"),
            "the old ward's current name is published"
        );
        assert_eq!(od.rows(d.id, 0, 10).await.unwrap().1, 2);
        // A fix that still fails stays, with its errors; a viewer cannot fix.
        let other = q.iter().find(|r| r.row_number == 3).unwrap();
        let r = app
            .post_form(
                &format!("/opendata/quarantine/{}/fix", other.id),
                Some(&viewer),
                &[
                    ("dataset", "so-lieu-thu"),
                    ("cell_0", "A2"),
                    ("cell_1", "Phường Tây Hồ"),
                    ("cell_2", "7"),
                ],
            )
            .await;
        assert_eq!(r.status, 403);
        let r = app
            .post_form(
                &format!("/opendata/quarantine/{}/fix", other.id),
                Some(&me),
                &[
                    ("dataset", "so-lieu-thu"),
                    ("cell_0", "A2"),
                    ("cell_1", "Phường Vẫn Sai"),
                    ("cell_2", "7"),
                ],
            )
            .await;
        assert!(
            r.headers["location"]
                .to_str()
                .unwrap()
                .contains("flash-row-still-dirty")
        );
        let page = app.get("/opendata/so-lieu-thu", Some(&me)).await;
        assert!(page.body.contains("Phường Vẫn Sai"), "the attempt is kept");
        // An empty upload is refused with the reason.
        let empty = app
            .post_form(
                &format!("/opendata/so-lieu-thu/uploads?csrf={}", me.csrf),
                Some(&me),
                &[],
            )
            .await;
        assert_eq!(empty.status, 400, "{}", empty.body);
        let missing = app.get("/opendata/khong-co", Some(&me)).await;
        assert_eq!(missing.status, 404);
    }
}

mod agency_scope {
    use super::*;

    #[tokio::test]
    async fn an_agency_uploader_sees_and_changes_only_its_agencys_datasets() {
        let app = TestApp::spawn().await;
        let od = app.load_open_data_demo().await;
        let health = app.agency("SYT-HN").await;
        let admin_user = app.user("quan", vec![Role::Admin]).await;
        let admin = app.browser(&admin_user).await;
        let u = app.user("thu", vec![Role::AgencyUploader]).await;
        // The administrator sets the uploader's agency on the user page.
        let page = app.get(&format!("/users/{}", u.id), Some(&admin)).await;
        assert!(page.body.contains("Sở Y tế Hà Nội"), "{}", page.body);
        let r = app
            .post_form(
                &format!("/users/{}/unit", u.id),
                Some(&admin),
                &[("unit_id", health.to_string().as_str())],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        let bad = app
            .post_form(
                &format!("/users/{}/unit", u.id),
                Some(&admin),
                &[("unit_id", "abc")],
            )
            .await;
        assert_eq!(bad.status, 422);
        let me = app.browser(&u).await;
        let list = app.get("/opendata", Some(&me)).await;
        assert!(list.body.contains("Số ca sốt xuất huyết"), "{}", list.body);
        assert!(
            !list.body.contains("Điểm truy cập Wi-Fi"),
            "another agency's dataset is not listed"
        );
        assert_eq!(
            app.get("/opendata/diem-wifi-cong-cong", Some(&me))
                .await
                .status,
            404
        );
        assert_eq!(
            app.get("/opendata/ca-sot-xuat-huyet-theo-tuan", Some(&me))
                .await
                .status,
            200
        );
        let wifi = od.dataset_by_name("diem-wifi-cong-cong").await.unwrap();
        let q = od.quarantine(wifi.id, "open", 1).await.unwrap();
        let r = app
            .post_form(
                &format!("/opendata/quarantine/{}/fix", q[0].id),
                Some(&me),
                &[("dataset", "diem-wifi-cong-cong"), ("cell_0", "WF-9")],
            )
            .await;
        assert_eq!(r.status, 403);
        // Naming its own dataset in the form does not make another agency's row its own.
        let r = app
            .post_form(
                &format!("/opendata/quarantine/{}/fix", q[0].id),
                Some(&me),
                &[
                    ("dataset", "ca-sot-xuat-huyet-theo-tuan"),
                    ("cell_0", "WF-9"),
                ],
            )
            .await;
        assert_eq!(r.status, 403, "{}", r.body);
        let still = od.quarantine(wifi.id, "open", 1).await.unwrap();
        assert_eq!(
            (still[0].id, &still[0].cells),
            (q[0].id, &q[0].cells),
            "the row is untouched"
        );
        // Through the CKAN API with the uploader's token, likewise.
        let token = app.token("thu", &[]).await;
        let r = app
            .send(resource_create(
                "diem-wifi-cong-cong",
                "ma_diem\r\nWF-1",
                Some(&token),
            ))
            .await;
        assert_eq!(r.status, 403, "{}", r.body);
        assert!(r.body.contains("Authorization Error"));
        let r = app
            .send(resource_create(
                "ca-sot-xuat-huyet-theo-tuan",
                "ma_diem\r\nWF-1",
                Some(&token),
            ))
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
    }
}

mod large_uploads {
    use super::*;

    /// The upload form's request for the dengue dataset, carrying a multipart form.
    fn dengue_upload(
        me: &common::Browser,
        (content_type, body): (String, String),
    ) -> axum::http::Request<axum::body::Body> {
        axum::http::Request::post(format!(
            "/opendata/ca-sot-xuat-huyet-theo-tuan/uploads?csrf={}",
            me.csrf
        ))
        .header("content-type", content_type)
        .header("cookie", &me.cookie)
        .body(axum::body::Body::from(body))
        .unwrap()
    }

    /// The demo's open data, a data steward signed in, the dengue dataset and its uploads so far.
    async fn steward_on_dengue(
        app: &TestApp,
    ) -> (
        lantoa_opendata::OpenData,
        common::Browser,
        lantoa_opendata::Dataset,
        usize,
    ) {
        let od = app.load_open_data_demo().await;
        let u = app.user("hoa", vec![Role::DataSteward]).await;
        let me = app.browser(&u).await;
        let d = od
            .dataset_by_name("ca-sot-xuat-huyet-theo-tuan")
            .await
            .unwrap();
        let before = od.uploads(d.id).await.unwrap().len();
        (od, me, d, before)
    }

    /// The upload form and `resource_create` take the date the data is as of: a file of old
    /// ward names stated as of 2024 is read in the old units and the page says so; a date that
    /// is not one is refused with its field named, and nothing is kept.
    #[tokio::test]
    async fn an_upload_says_what_day_its_names_are_of() {
        let app = TestApp::spawn().await;
        let (od, me, d, before) = steward_on_dengue(&app).await;
        let csv = "nam,tuan,phuong_xa,so_ca\n2026,1,Phường Ô Chợ Dừa,4\n";
        let send = |as_of: &str| {
            dengue_upload(
                &me,
                multipart_form(&[("as_of", as_of)], Some(("cu.csv", csv))),
            )
        };
        let r = app.send(send("31/13/2024")).await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(
            r.body.contains("Ngày &quot;tính đến&quot; không hợp lệ")
                || r.body.contains("Ngày \"tính đến\" không hợp lệ"),
            "{}",
            r.body
        );
        assert_eq!(od.uploads(d.id).await.unwrap().len(), before);
        let r = app.send(send("31/12/2024")).await;
        assert_eq!(r.status, 303, "{}", r.body);
        let up = od.uploads(d.id).await.unwrap().remove(0);
        let done = od.run_upload(up.id).await.unwrap();
        assert_eq!(
            (
                done.as_of.as_deref(),
                done.names.as_deref(),
                done.quarantined
            ),
            (Some("2024-12-31"), Some("old"), 1),
            "the old Phường Ô Chợ Dừa was divided"
        );
        let en = common::Browser {
            cookie: format!("{}; lantoa_lang=en", me.cookie),
            csrf: me.csrf.clone(),
        };
        let page = app
            .get("/opendata/ca-sot-xuat-huyet-theo-tuan", Some(&en))
            .await;
        assert!(
            page.body
                .replace("&#x2f;", "/")
                .contains("Names read as the units before 1/7/2025 (as of 31/12/2024)"),
            "{}",
            page.body
        );
        let token = app.token("hoa", &[]).await;
        let r = app
            .send(resource_create_with(
                "ca-sot-xuat-huyet-theo-tuan",
                &[("as_of", "hôm qua")],
                csv,
                Some(&token),
            ))
            .await;
        assert_eq!(r.status, 409, "{}", r.body);
        let said: serde_json::Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(
            said["error"]["as_of"][0], "\"hôm qua\" is not a date (dd/mm/yyyy or yyyy-mm-dd)",
            "{}",
            r.body
        );
        assert_eq!(od.uploads(d.id).await.unwrap().len(), before + 1);
    }

    fn staging_files(app: &TestApp) -> usize {
        std::fs::read_dir(app.t.dir.path().join("blobs").join("staging"))
            .map(|d| d.count())
            .unwrap_or(0)
    }

    /// Uploads stream to disk: a file larger than the request body limit is taken whole and
    /// read back row for row; one over the upload limit is refused with the limit named, and
    /// leaves no upload, no blob and no partial file behind.
    #[tokio::test]
    async fn a_file_past_the_body_limit_is_kept_and_one_past_the_upload_limit_is_refused() {
        let app = TestApp::spawn_with(lantoa_web::WebConfig {
            max_body_bytes: 4096,
            max_upload_bytes: 300_000,
            ..Default::default()
        })
        .await;
        let (od, me, d, before) = steward_on_dengue(&app).await;
        let header = "nam,tuan,phuong_xa,so_ca\n";
        let mut csv = header.to_owned();
        let mut n = 0;
        while csv.len() < 200_000 {
            n += 1;
            csv.push_str(&format!("2026,{},Phường Hoàn Kiếm,{n}\n", 1 + n % 52));
        }
        let send = |csv: String| dengue_upload(&me, multipart("lon.csv", &csv));
        let r = app.send(send(csv.clone())).await;
        assert_eq!(r.status, 303, "{}", r.body);
        let ups = od.uploads(d.id).await.unwrap();
        assert_eq!(ups.len(), before + 1);
        let done = od.run_upload(ups[0].id).await.unwrap();
        assert_eq!(done.status, "done", "{:?}", done.message);
        assert_eq!(done.rows, n, "every row of the streamed file was read");
        assert_eq!(done.rows, done.clean + done.quarantined + done.duplicates);
        assert_eq!(staging_files(&app), 0);
        // Past the upload limit: 413 with the limit and the setting, nothing kept.
        let mut huge = header.to_owned();
        while huge.len() < 400_000 {
            huge.push_str("2026,1,Phường Hoàn Kiếm,1\n");
        }
        let r = app.send(send(huge)).await;
        assert_eq!(r.status, 413, "{}", r.body);
        assert!(r.body.contains("300000"), "{}", r.body);
        assert_eq!(od.uploads(d.id).await.unwrap().len(), before + 1);
        assert_eq!(staging_files(&app), 0, "the partial file is removed");
        // Not multipart: a clear reason.
        let r = app
            .post_form(
                &format!(
                    "/opendata/ca-sot-xuat-huyet-theo-tuan/uploads?csrf={}",
                    me.csrf
                ),
                Some(&me),
                &[("file", "nam,tuan,phuong_xa,so_ca")],
            )
            .await;
        assert_eq!(r.status, 400, "{}", r.body);
        assert!(r.body.contains("send the file as multipart"), "{}", r.body);
        // Through the CKAN API: the same limits, in CKAN's envelope; no token, no reading.
        let token = app.token("hoa", &[]).await;
        let call = |rows: usize, token: Option<&str>| {
            let csv = format!("{header}{}", "2026,2,Phường Hoàn Kiếm,3\n".repeat(rows));
            resource_create("ca-sot-xuat-huyet-theo-tuan", &csv, token)
        };
        let r = app.send(call(6000, Some(&token))).await;
        assert_eq!(r.status, 200, "{}", r.body);
        let r = app.send(call(20_000, Some(&token))).await;
        assert_eq!(r.status, 413, "{}", r.body);
        assert!(
            r.body.contains("\"success\":false") && r.body.contains("web.max_upload_bytes"),
            "{}",
            r.body
        );
        let r = app.send(call(10, None)).await;
        assert_eq!(r.status, 403, "{}", r.body);
        assert_eq!(od.uploads(d.id).await.unwrap().len(), before + 2);
        assert_eq!(staging_files(&app), 0);
        // JSON bodies stay bounded by the body limit, with a reason.
        let r = app
            .send(
                axum::http::Request::post("/api/action/package_show")
                    .header("content-type", "application/json")
                    .body(axum::body::Body::from(format!(
                        "{{\"id\": \"{}\"}}",
                        "x".repeat(5000)
                    )))
                    .unwrap(),
            )
            .await;
        assert_eq!(r.status, 413, "{}", r.body);
        assert!(r.body.contains("web.max_body_bytes"), "{}", r.body);
    }
}

mod ckan {
    use super::*;

    async fn with_demo_data() -> TestApp {
        let app = TestApp::spawn().await;
        app.load_open_data_demo().await;
        app
    }

    fn json(r: &common::Resp) -> serde_json::Value {
        serde_json::from_str(&r.body).unwrap_or_else(|e| panic!("{e}: {}", r.body))
    }

    /// A row's `_id` stays when a later upload replaces its values; a new key gets a new one.
    /// Groups and tags are the datasets' own, created and set through the API; an agency's
    /// uploader does not create groups.
    #[tokio::test]
    async fn row_ids_stay_and_groups_and_tags_are_real() {
        let app = with_demo_data().await;
        let od = app.state.opendata.clone();
        let wifi = od.dataset_by_name("diem-wifi-cong-cong").await.unwrap();
        let record = |key: &'static str| {
            let app = &app;
            async move {
                let r = app
                    .get(
                        &format!(
                            "/api/3/action/datastore_search?resource_id=diem-wifi-cong-cong-csv&filters=%7B%22ma_diem%22%3A%22{key}%22%7D"
                        ),
                        None,
                    )
                    .await;
                json(&r)["result"]["records"][0].clone()
            }
        };
        let before = record("WF-0001").await;
        let id = before["_id"].as_i64().unwrap();
        let (all, _) = od.records(wifi.id, 0, 1000).await.unwrap();
        let top = all.iter().map(|(i, _)| *i).max().unwrap();
        let u = od
            .upload(
                "test",
                wifi.id,
                "lan-2.csv",
                "ma_diem,ten_diem,dia_chi,phuong_xa,toc_do_mbps,ngay_hoat_dong,trang_thai\n\
                 WF-0001,Vườn hoa Lý Thái Tổ,Đinh Tiên Hoàng,Phường Hoàn Kiếm,300,01/07/2025,Hoạt động\n\
                 WF-0999,Ga Hà Nội,120 Lê Duẩn,Phường Văn Miếu - Quốc Tử Giám,100,01/12/2025,Hoạt động\n"
                    .as_bytes(),
            )
            .await
            .unwrap();
        od.run_upload(u.id).await.unwrap();
        let after = record("WF-0001").await;
        assert_eq!(
            (after["_id"].as_i64(), &after["toc_do_mbps"]),
            (Some(id), &serde_json::json!(300))
        );
        assert!(record("WF-0999").await["_id"].as_i64().unwrap() > top);
        // Filtered and sorted by _id.
        let r = app
            .get(
                &format!("/api/3/action/datastore_search?resource_id=diem-wifi-cong-cong-csv&filters=%7B%22_id%22%3A{id}%7D&sort=_id%20desc"),
                None,
            )
            .await;
        assert_eq!(
            json(&r)["result"]["records"][0]["ma_diem"],
            "WF-0001",
            "{}",
            r.body
        );

        // Groups and tags as loaded by the demo.
        let r = app.get("/api/3/action/tag_list", None).await;
        assert!(
            json(&r)["result"]
                .as_array()
                .unwrap()
                .contains(&serde_json::json!("wifi"))
        );
        let r = app
            .get("/api/3/action/package_show?id=diem-wifi-cong-cong", None)
            .await;
        assert_eq!(json(&r)["result"]["groups"][0]["name"], "ha-tang-so");
        assert_eq!(json(&r)["result"]["num_tags"], 3);
        // A steward creates a group and files a dataset in it; an agency's uploader may not.
        app.user("hoa", vec![Role::DataSteward]).await;
        let steward = app.token("hoa", &[]).await;
        let call = |action: &str, key: &str, body: &'static str| {
            axum::http::Request::post(format!("/api/3/action/{action}"))
                .header("content-type", "application/json")
                .header("authorization", key)
                .body(axum::body::Body::from(body))
                .unwrap()
        };
        let r = app
            .send(call(
                "group_create",
                &steward,
                r#"{"name": "moi-truong", "title": "Môi trường"}"#,
            ))
            .await;
        assert_eq!(json(&r)["result"]["name"], "moi-truong", "{}", r.body);
        let r = app
            .send(call(
                "group_create",
                &steward,
                r#"{"name": "moi-truong", "title": "Lần nữa"}"#,
            ))
            .await;
        assert_eq!(r.status, 409);
        assert!(
            json(&r)["error"]["name"][0]
                .as_str()
                .unwrap()
                .contains("already in use")
        );
        let r = app
            .send(call(
                "package_patch",
                &steward,
                r#"{"id": "diem-wifi-cong-cong", "groups": [{"name": "khong-co"}]}"#,
            ))
            .await;
        assert_eq!(r.status, 409);
        assert!(
            json(&r)["error"]["groups"][0]
                .as_str()
                .unwrap()
                .contains("khong-co")
        );
        assert_eq!(
            od.labels(wifi.id).await.unwrap().groups.len(),
            1,
            "nothing changed"
        );
        let r = app
            .send(call(
                "package_patch",
                &steward,
                r#"{"id": "diem-wifi-cong-cong", "groups": [{"name": "moi-truong"}, {"name": "ha-tang-so"}], "tag_string": "wifi, công cộng"}"#,
            ))
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        let r = app
            .get("/api/3/action/group_list?all_fields=true", None)
            .await;
        let counts: std::collections::BTreeMap<String, i64> = json(&r)["result"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| {
                (
                    g["name"].as_str().unwrap().to_owned(),
                    g["package_count"].as_i64().unwrap(),
                )
            })
            .collect();
        assert_eq!(counts["moi-truong"], 1);
        assert_eq!(counts["y-te"], 1);
        let r = app
            .get(
                "/api/3/action/package_search?fq=tags:%22c%C3%B4ng%20c%E1%BB%99ng%22",
                None,
            )
            .await;
        assert_eq!(json(&r)["result"]["count"], 1, "{}", r.body);
        app.user("thu", vec![Role::AgencyUploader]).await;
        let token = app.token("thu", &[]).await;
        let r = app
            .send(call(
                "group_create",
                &token,
                r#"{"name": "cua-toi", "title": "Của tôi"}"#,
            ))
            .await;
        assert_eq!(r.status, 403, "{}", r.body);
    }

    #[tokio::test]
    async fn the_action_api_answers_in_ckans_envelope_on_both_paths_without_an_account() {
        let app = with_demo_data().await;
        for path in ["/api/3/action/package_list", "/api/action/package_list"] {
            let r = app.get(path, None).await;
            assert_eq!(r.status, 200, "{}", r.body);
            let v = json(&r);
            assert_eq!(v["success"], true);
            assert_eq!(v["result"].as_array().unwrap().len(), 3);
            assert!(v["help"].as_str().unwrap().contains("help_show"));
        }
        // POST with a JSON body, as ckanapi sends, needs no CSRF token.
        let r = app
            .send(
                axum::http::Request::post("/api/action/package_show")
                    .header("content-type", "application/json")
                    .body(axum::body::Body::from(
                        r#"{"id": "ca-sot-xuat-huyet-theo-tuan"}"#,
                    ))
                    .unwrap(),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        let v = json(&r);
        assert_eq!(v["result"]["organization"]["name"], "syt-hn");
        // organization_list with all_fields and organization_show give each agency's count of
        // public datasets, as CKAN's package_count.
        let r = app
            .get("/api/3/action/organization_list?all_fields=true", None)
            .await;
        let orgs = json(&r);
        let syt = orgs["result"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["name"] == "syt-hn")
            .cloned()
            .unwrap_or_else(|| panic!("{orgs}"));
        let public_of_syt = app
            .state
            .opendata
            .public_datasets()
            .await
            .unwrap()
            .iter()
            .filter(|d| d.owner_unit_id.to_string() == syt["id"].as_str().unwrap())
            .count();
        assert!(public_of_syt >= 1);
        assert_eq!(syt["package_count"], public_of_syt, "{syt}");
        let r = app
            .get("/api/3/action/organization_show?id=syt-hn", None)
            .await;
        assert_eq!(json(&r)["result"]["package_count"], public_of_syt);
        // help_show says what an action takes; an unknown one is CKAN's Not Found Error.
        let r = app
            .get("/api/3/action/help_show?name=package_search", None)
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert!(
            json(&r)["result"].as_str().unwrap().contains("facet.field"),
            "{}",
            r.body
        );
        let r = app
            .get("/api/3/action/help_show?name=no_such_action", None)
            .await;
        assert_eq!(r.status, 404, "{}", r.body);
        assert_eq!(json(&r)["error"]["__type"], "Not Found Error", "{}", r.body);
        let url = v["result"]["resources"][0]["url"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(
            url.ends_with("/opendata/ca-sot-xuat-huyet-theo-tuan/rows.csv"),
            "{url}"
        );
        // Errors in CKAN's words.
        let r = app
            .get("/api/3/action/package_show?id=khong-co", None)
            .await;
        assert_eq!(r.status, 404);
        assert_eq!(json(&r)["error"]["__type"], "Not Found Error");
        assert_eq!(json(&r)["success"], false);
        let r = app
            .send(
                axum::http::Request::post("/api/3/action/package_show")
                    .header("content-type", "application/json")
                    .body(axum::body::Body::from("{not json"))
                    .unwrap(),
            )
            .await;
        // A body that cannot be read, and an unknown action: CKAN's bare "Bad request" string.
        assert_eq!(r.status, 400, "{}", r.body);
        let said = json(&r);
        assert!(
            said.as_str().is_some_and(
                |m| m.starts_with("Bad request - JSON Error") && m.contains("not JSON")
            ),
            "{said}"
        );
        let r = app.get("/api/3/action/package_delete", None).await;
        assert_eq!(r.status, 400);
        assert_eq!(
            json(&r),
            "Bad request - Action name not known: package_delete"
        );
        // A validation error lists its messages per field, with HTTP 409 as CKAN answers it.
        let r = app.get("/api/3/action/package_search?rows=ten", None).await;
        assert_eq!(r.status, 409, "{}", r.body);
        assert_eq!(json(&r)["error"]["__type"], "Validation Error");
        assert!(
            json(&r)["error"]["rows"][0]
                .as_str()
                .is_some_and(|m| m.contains("\"ten\" is not a natural number")),
            "{}",
            r.body
        );
        // A query that cannot be read says where.
        for (fq, at) in [
            ("organization:(syt-hn", "not closed"),
            ("khong_co:1", "no field"),
        ] {
            let r = app
                .get(&format!("/api/3/action/package_search?fq={fq}"), None)
                .await;
            assert_eq!(r.status, 400, "{}", r.body);
            assert_eq!(json(&r)["error"]["__type"], "Search Query Error");
            assert!(
                json(&r)["error"]["message"]
                    .as_str()
                    .is_some_and(|m| m.starts_with("fq: ") && m.contains(at)),
                "{}",
                r.body
            );
        }
    }

    #[tokio::test]
    async fn the_portal_and_the_dcat_catalogue_are_public() {
        let app = with_demo_data().await;
        let r = app.get("/data", None).await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert!(r.body.contains("3 bộ dữ liệu."), "{}", r.body);
        let r = app.get("/data?q=wi-fi", None).await;
        assert!(r.body.contains("1 bộ dữ liệu.") && r.body.contains("Điểm truy cập Wi-Fi"));
        let r = app.get("/data/diem-wifi-cong-cong", None).await;
        assert_eq!(r.status, 200);
        assert!(r.body.contains("Sở Khoa học và Công nghệ Hà Nội"));
        assert!(r.body.contains("/opendata/diem-wifi-cong-cong/rows.csv"));
        assert!(r.body.contains("Vườn Hoa Lý Thái Tổ"), "{}", r.body);
        assert_eq!(app.get("/data/khong-co", None).await.status, 404);
        let r = app.get("/catalog.jsonld", None).await;
        assert_eq!(r.status, 200);
        assert_eq!(r.headers["content-type"], "application/ld+json");
        let v = json(&r);
        assert_eq!(v["@type"], "dcat:Catalog");
        let datasets = v["dcat:dataset"].as_array().unwrap();
        assert_eq!(datasets.len(), 3);
        for d in datasets {
            assert_eq!(d["@type"], "dcat:Dataset");
            assert!(!d["dct:title"].as_str().unwrap().is_empty());
            for dist in d["dcat:distribution"].as_array().unwrap() {
                let url = dist["dcat:downloadURL"]["@id"].as_str().unwrap();
                let path = url.split_once("localhost").map_or(url, |(_, p)| p);
                assert_eq!(app.get(path, None).await.status, 200, "{url}");
            }
        }
    }

    /// A restricted dataset switched to open by package_patch is held to the sharing rules, as
    /// on create: its identity numbers are not published.
    #[tokio::test]
    async fn package_patch_cannot_open_a_dataset_that_would_publish_personal_data() {
        let app = with_demo_data().await;
        app.user("hoa", vec![Role::DataSteward]).await;
        let steward = app.token("hoa", &[]).await;
        let call = |action: &str, body: &str| {
            axum::http::Request::post(format!("/api/3/action/{action}"))
                .header("content-type", "application/json")
                .header("authorization", &steward)
                .body(axum::body::Body::from(body.to_owned()))
                .unwrap()
        };
        let r = app
            .send(call(
                "package_create",
                r#"{"name": "ho-tro-xa-hoi", "title": "Hỗ trợ", "owner_org": "skhcn-hn", "sensitivity": "restricted", "schema": {"fields": [{"name": "ma"}, {"name": "cccd", "lantoa:kind": "cccd"}], "primaryKey": "ma"}}"#,
            ))
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        let r = app
            .send(resource_create(
                "ho-tro-xa-hoi",
                "ma,cccd\r\nA1,001185012345\r\n",
                Some(&steward),
            ))
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        let r = app
            .send(call(
                "package_patch",
                r#"{"id": "ho-tro-xa-hoi", "extras": [{"key": "sensitivity", "value": "open"}]}"#,
            ))
            .await;
        assert!(r.status.is_client_error(), "{} {}", r.status, r.body);
        assert!(r.body.contains("Field cccd"), "{}", r.body);
        assert_eq!(
            app.get("/api/3/action/package_show?id=ho-tro-xa-hoi", None)
                .await
                .status,
            404
        );
        assert_eq!(
            app.get("/opendata/ho-tro-xa-hoi/rows.csv", None)
                .await
                .status,
            404
        );
    }

    /// A published cell that a spreadsheet would run (`=HYPERLINK(…)`, `+cmd|…`, `@SUM…`) is
    /// neutralised in both CSV downloads; the Excel one starts with a byte-order mark; the JSON
    /// keeps the value as published.
    #[tokio::test]
    async fn csv_downloads_neutralise_formulas_and_excel_gets_a_bom() {
        let app = with_demo_data().await;
        let od = app.state.opendata.clone();
        let agency = app.agency("SYT-HN").await;
        let d = od
            .create_dataset(
                "test",
                &lantoa_opendata::NewDataset {
                    name: "gop-y".into(),
                    title: "Góp ý".into(),
                    notes: String::new(),
                    owner_unit_id: agency,
                    license_id: "cc-by-4.0".into(),
                    cadence: "irregular".into(),
                    sensitivity: "open".into(),
                    schema_json: r#"{"fields": [{"name": "ma"}, {"name": "noi_dung"}, {"name": "so", "type": "integer"}], "primaryKey": "ma"}"#.into(),
                },
            )
            .await
            .unwrap();
        let u = od
            .upload(
                "test",
                d.id,
                "g.csv",
                "ma,noi_dung,so\nA,\"=HYPERLINK(\"\"http://evil.example\"\",\"\"bấm\"\")\",-5\nB,+cmd|' /C calc'!A0,3\nC,@SUM(1+1),4\nD,Đường Láng,5\n".as_bytes(),
            )
            .await
            .unwrap();
        let u = od.run_upload(u.id).await.unwrap();
        assert_eq!(u.clean, 4, "{u:?}");
        let csv = app.get("/opendata/gop-y/rows.csv", None).await;
        assert_eq!(
            csv.body,
            "ma,noi_dung,so\nA,\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"bấm\"\")\",-5\nB,'+cmd|' /C calc'!A0,3\nC,'@SUM(1+1),4\nD,Đường Láng,5\n"
        );
        let excel = app.get("/opendata/gop-y/rows-excel.csv", None).await;
        assert_eq!(excel.status, 200);
        assert!(excel.bytes.starts_with(b"\xEF\xBB\xBFma,noi_dung,so\n"));
        assert_eq!(&excel.bytes[3..], csv.bytes.as_slice());
        let json = app.get("/opendata/gop-y/rows.json", None).await;
        assert!(
            json.body.contains(r#""noi_dung":"=HYPERLINK("#),
            "{}",
            json.body
        );
        let page = app.get("/data/gop-y", None).await;
        assert!(page.body.contains("/opendata/gop-y/rows-excel.csv"));
    }

    #[tokio::test]
    async fn a_dropped_column_is_in_no_public_output() {
        let app = with_demo_data().await;
        let od = app.state.opendata.clone();
        let agency = app.agency("SYT-HN").await;
        let d = od
            .create_dataset(
                "test",
                &lantoa_opendata::NewDataset {
                    name: "ca-benh".into(),
                    title: "Ca bệnh".into(),
                    notes: String::new(),
                    owner_unit_id: agency,
                    license_id: "cc-by-4.0".into(),
                    cadence: "weekly".into(),
                    sensitivity: "deidentified".into(),
                    schema_json: r#"{"fields": [{"name": "ma"}, {"name": "dien_thoai", "lantoa:kind": "phone", "lantoa:share": "drop"}, {"name": "so_ca", "type": "integer"}], "primaryKey": "ma"}"#.into(),
                },
            )
            .await
            .unwrap();
        let u = od
            .upload(
                "test",
                d.id,
                "c.csv",
                b"ma,dien_thoai,so_ca\nC1,0912345678,4\n",
            )
            .await
            .unwrap();
        od.run_upload(u.id).await.unwrap();
        let csv = app.get("/opendata/ca-benh/rows.csv", None).await;
        assert_eq!(csv.body, "ma,so_ca\nC1,4\n");
        let v = json(
            &app.get(
                "/api/3/action/datastore_search?resource_id=ca-benh-csv",
                None,
            )
            .await,
        );
        let fields: Vec<&str> = v["result"]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["id"].as_str().unwrap())
            .collect();
        assert_eq!(fields, ["_id", "ma", "so_ca"]);
        let r = app
            .get("/api/3/action/datastore_search?resource_id=ca-benh-csv&filters=%7B%22dien_thoai%22%3A%220912345678%22%7D", None)
            .await;
        assert!(r.body.contains("no field dien_thoai"), "{}", r.body);
        let page = app.get("/data/ca-benh", None).await;
        assert!(!page.body.contains("dien_thoai") && !page.body.contains("0912345678"));
        assert!(!csv.body.contains("0912345678"));
    }

    #[tokio::test]
    async fn write_actions_need_an_editors_token_and_say_what_is_wrong() {
        let app = with_demo_data().await;
        app.user("xem", vec![Role::Viewer]).await;
        app.user("hoa", vec![Role::DataSteward]).await;
        let viewer = app.token("xem", &[]).await;
        let steward = app.token("hoa", &[]).await;
        let call = |action: &'static str, key: Option<String>, body: &'static str| {
            let mut b = axum::http::Request::post(format!("/api/3/action/{action}"))
                .header("content-type", "application/json");
            if let Some(k) = key {
                b = b.header("x-ckan-api-key", k);
            }
            b.body(axum::body::Body::from(body)).unwrap()
        };
        let body = r#"{"name": "thu-nghiem", "title": "Thử nghiệm", "owner_org": "skhcn-hn", "extras": [{"key": "schema", "value": "{\"fields\": [{\"name\": \"a\", \"type\": \"interger\"}]}"}]}"#;
        let r = app.send(call("package_create", None, body)).await;
        assert_eq!(
            (r.status.as_u16(), json(&r)["error"]["__type"].clone()),
            (403, "Authorization Error".into())
        );
        let r = app.send(call("package_create", Some(viewer), body)).await;
        assert_eq!(r.status, 403, "{}", r.body);
        let r = app
            .send(call("package_create", Some(steward.clone()), body))
            .await;
        assert_eq!(json(&r)["error"]["__type"], "Validation Error");
        assert!(r.body.contains("fields[0].type"), "{}", r.body);
        let r = app
            .send(call(
                "package_create",
                Some(steward.clone()),
                r#"{"name": "thu-nghiem", "title": "Thử nghiệm", "owner_org": "khong-co", "schema": {"fields": [{"name": "a"}]}}"#,
            ))
            .await;
        assert!(r.body.contains("owner_org"), "{}", r.body);
        let r = app
            .send(call(
                "resource_create",
                Some(steward.clone()),
                r#"{"package_id": "diem-wifi-cong-cong", "url": "https://example.com/x.csv"}"#,
            ))
            .await;
        assert_eq!(json(&r)["error"]["__type"], "Validation Error");
        assert!(r.body.contains("multipart"), "{}", r.body);
        // A restricted dataset is not found by readers but is written by its editors.
        let r = app
            .send(call(
                "package_create",
                Some(steward.clone()),
                r#"{"name": "han-che", "title": "Hạn chế", "owner_org": "skhcn-hn", "sensitivity": "restricted", "schema": {"fields": [{"name": "a"}]}}"#,
            ))
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        let r = app.get("/api/3/action/package_show?id=han-che", None).await;
        assert_eq!(r.status, 404, "{}", r.body);
        let r = app
            .send(resource_create("han-che", "a\r\nx", Some(&steward)))
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert!(r.body.contains("upload_id"), "{}", r.body);
    }

    /// Writes go over POST only, and a token whose user must still change a one-time
    /// password changes nothing (as on /api/v1).
    #[tokio::test]
    async fn write_actions_are_post_only_and_need_a_changed_password() {
        let app = with_demo_data().await;
        app.user("hoa", vec![Role::DataSteward]).await;
        let steward = app.token("hoa", &[]).await;
        let before = app.state.opendata.datasets(None).await.unwrap().len();
        let r = app
            .send(
                axum::http::Request::get(
                    "/api/3/action/package_create?name=qua-get&title=X&owner_org=skhcn-hn&schema=%7B%22fields%22%3A%5B%7B%22name%22%3A%22a%22%7D%5D%7D",
                )
                .header("x-ckan-api-key", &steward)
                .body(axum::body::Body::empty())
                .unwrap(),
            )
            .await;
        assert_eq!(r.status, 405, "{}", r.body);
        assert_eq!(json(&r)["success"], false);
        let r = app
            .send(
                axum::http::Request::get(
                    "/api/3/action/package_patch?id=diem-wifi-cong-cong&sensitivity=open",
                )
                .header("authorization", &steward)
                .body(axum::body::Body::empty())
                .unwrap(),
            )
            .await;
        assert_eq!(r.status, 405, "{}", r.body);
        // A new steward with a one-time password still to change.
        let created = app
            .state
            .accounts
            .create_user(
                "test",
                &lantoa_accounts::NewUser::new("moi", "Người Mới", vec![Role::DataSteward]),
            )
            .await
            .unwrap();
        assert!(created.user.must_change_password);
        let fresh = app.token("moi", &[]).await;
        let r = app
            .send(
                axum::http::Request::post("/api/3/action/package_create")
                    .header("content-type", "application/json")
                    .header("x-ckan-api-key", &fresh)
                    .body(axum::body::Body::from(
                        r#"{"name": "mat-khau-moi", "title": "X", "owner_org": "skhcn-hn", "schema": {"fields": [{"name": "a"}]}}"#,
                    ))
                    .unwrap(),
            )
            .await;
        assert_eq!(r.status, 403, "{}", r.body);
        assert!(r.body.contains("one-time password"), "{}", r.body);
        let r = app
            .send(resource_create(
                "diem-wifi-cong-cong",
                "a\r\nx",
                Some(&fresh),
            ))
            .await;
        assert_eq!(r.status, 403, "{}", r.body);
        let after = app.state.opendata.datasets(None).await.unwrap().len();
        assert_eq!(before, after, "nothing was created");
    }

    #[tokio::test]
    async fn search_facets_paging_and_the_datastore_agree_with_the_published_rows() {
        let app = with_demo_data().await;
        let v = json(
            &app.get(
                "/api/3/action/package_search?q=s%E1%BB%91t%20xu%E1%BA%A5t%20huy%E1%BA%BFt&facet.field=%5B%22organization%22%5D",
                None,
            )
            .await,
        );
        assert_eq!(v["result"]["count"], 1, "{v}");
        assert_eq!(v["result"]["facets"]["organization"]["syt-hn"], 1);
        // Tone marks are optional in q.
        let v = json(
            &app.get("/api/3/action/package_search?q=sot+xuat+huyet", None)
                .await,
        );
        assert_eq!(v["result"]["count"], 1);
        let v = json(
            &app.get(
                "/api/3/action/datastore_search?resource_id=ca-sot-xuat-huyet-theo-tuan-csv&filters=%7B%22tuan%22%3A%2240%22%7D&sort=so_ca%20desc",
                None,
            )
            .await,
        );
        let records = v["result"]["records"].as_array().unwrap();
        assert_eq!(v["result"]["total"], 8, "{v}");
        let counts: Vec<i64> = records
            .iter()
            .map(|r| r["so_ca"].as_i64().unwrap())
            .collect();
        let mut sorted = counts.clone();
        sorted.sort_unstable_by(|a, b| b.cmp(a));
        assert_eq!(counts, sorted, "sorted by so_ca desc, typed as numbers");
        let r = app
            .get(
                "/api/3/action/datastore_search?resource_id=ca-sot-xuat-huyet-theo-tuan-csv&filters=%7B%22khong%22%3A1%7D",
                None,
            )
            .await;
        assert_eq!(r.status, 409);
        assert!(r.body.contains("no field khong"));
        // Downloads stream every published row at a stable address.
        let csv = app
            .get("/opendata/ca-sot-xuat-huyet-theo-tuan/rows.csv", None)
            .await;
        assert_eq!(csv.status, 200);
        assert!(csv.body.starts_with("nam,tuan,phuong_xa,so_ca\n"));
        // The current file's 80 clean rows and the demo year's 24 (23 clean, one corrected).
        assert_eq!(csv.body.lines().count(), 1 + 80 + 24);
        let js = app
            .get("/opendata/ca-sot-xuat-huyet-theo-tuan/rows.json", None)
            .await;
        let rows: serde_json::Value = serde_json::from_str(&js.body).unwrap();
        let rows = rows.as_array().unwrap();
        assert_eq!(rows.len(), 104);
        let years = |y: &str| rows.iter().filter(|r| r["nam"] == y).count();
        assert_eq!((years("2025"), years("2023")), (80, 24));
        let none = app
            .get("/opendata/ca-sot-xuat-huyet-theo-tuan/rows.xml", None)
            .await;
        assert_eq!(none.status, 404);
    }
}

mod watch {
    use super::*;

    const CSV: &str = "Loại;Tên;URL;Số giấy phép;Ngày cấp\nwebsite;Tin tức Phố Cổ;https://tintuc-phoco.example;12/GP;05/03/2021\nwebsite;Trang Lỗi;ftp://loi.example;;\n";

    #[tokio::test]
    async fn officers_import_a_csv_in_the_console_and_see_each_row() {
        let app = TestApp::spawn().await;
        let u = app.user("lan", vec![Role::WatchOfficer]).await;
        let me = app.browser(&u).await;
        let page = app.get("/watch", Some(&me)).await;
        assert!(page.body.contains(&format!(
            "action=\"/watch/subjects/import?csrf={}\"",
            me.csrf
        )));
        let (ct, body) = multipart("ds.csv", CSV);
        let no_token = app
            .send(
                axum::http::Request::post("/watch/subjects/import")
                    .header("content-type", &ct)
                    .header("cookie", &me.cookie)
                    .body(axum::body::Body::from(body.clone()))
                    .unwrap(),
            )
            .await;
        assert_eq!(no_token.status, 403);
        let r = app
            .post_multipart("/watch/subjects/import", &me, &ct, body)
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert!(
            r.body
                .contains("Tệp ds.csv: thêm 1, đã có 0, bị từ chối 1."),
            "{}",
            r.body
        );
        assert!(
            r.body.contains("phải là địa chỉ http hoặc https"),
            "{}",
            r.body
        );
        let list = app.get("/watch?kind=website", Some(&me)).await;
        assert!(
            list.body.contains("Tin tức Phố Cổ")
                && list.body.contains("12&#x2f;GP (05&#x2f;03&#x2f;2021)"),
            "{}",
            list.body
        );
        let empty = app
            .post_form(
                &format!("/watch/subjects/import?csrf={}", me.csrf),
                Some(&me),
                &[],
            )
            .await;
        assert_eq!(empty.status, 400, "{}", empty.body);
    }

    /// More crawls than a page: the list goes on fifty at a time, by state, subject and order;
    /// a state or order the list does not have is named.
    #[tokio::test]
    async fn the_crawl_list_pages_filters_and_sorts() {
        let app = TestApp::spawn().await;
        let u = app.user("lan", vec![Role::WatchOfficer]).await;
        let me = app.browser(&u).await;
        for subject in app.websites(105).await {
            let r = app
                .post_form(
                    &format!("/watch/subjects/{}/crawl", subject.id),
                    Some(&me),
                    &[],
                )
                .await;
            assert_eq!(r.status, 303, "{}", r.body);
        }
        let first = app.get("/watch/crawls", Some(&me)).await;
        assert_eq!(first.status, 200, "{}", first.body);
        assert!(first.body.contains("Trang tin 104"), "newest first");
        assert!(!first.body.contains("Trang tin 004<"), "{}", first.body);
        assert!(first.body.contains("dòng 1–50 trong 105"), "{}", first.body);
        assert!(!first.body.contains("id=\"pager-prev\""));
        let third = link_to(
            &app.get(&link_to(&first.body, "pager-next"), Some(&me))
                .await
                .body,
            "pager-next",
        );
        assert_eq!(third, "/watch/crawls?page=2");
        let third = app.get(&third, Some(&me)).await;
        assert_eq!(third.status, 200, "{}", third.body);
        for k in 0..5 {
            assert!(
                third.body.contains(&format!("Trang tin {k:03}")),
                "{}",
                third.body
            );
        }
        assert!(!third.body.contains("Trang tin 005"), "{}", third.body);
        assert!(third.body.contains("id=\"pager-prev\""));
        assert!(!third.body.contains("id=\"pager-next\""));
        assert!(
            !third.body.contains("http-equiv=\"refresh\""),
            "a later page does not reload"
        );
        // By subject and state, the oldest first; the exports keep the filters.
        let found = app
            .get(
                "/watch/crawls?q=trang+tin+10&status=queued&sort=oldest",
                Some(&me),
            )
            .await;
        assert!(found.body.contains("dòng 1–5 trong 5"), "{}", found.body);
        assert!(
            found.body.find("Trang tin 100") < found.body.find("Trang tin 104"),
            "{}",
            found.body
        );
        assert!(
            found
                .body
                .contains("crawls.csv?q=trang+tin+10&amp;status=queued&amp;sort=oldest"),
            "{}",
            found.body
        );
        let c = app
            .get(
                "/watch/crawls.csv?q=trang+tin+10&status=queued&sort=oldest",
                Some(&me),
            )
            .await;
        assert_eq!(c.body.lines().count(), 6, "{}", c.body);
        let none = app.get("/watch/crawls?status=done", Some(&me)).await;
        assert!(
            !none.body.contains("Trang tin"),
            "no crawl is done yet: {}",
            none.body
        );
        let bad = app.get("/watch/crawls?status=xong", Some(&me)).await;
        assert_eq!(bad.status, 422, "{}", bad.body);
        assert!(
            bad.body.contains("xong") && bad.body.contains("queued, running, done, failed"),
            "{}",
            bad.body
        );
        // A failed crawl says why in the reader's language; the engineers' words stay in the API.
        lantoa_store::sqlx::query(
            "UPDATE watch_crawls SET status = 'failed', message = $1 WHERE id = (SELECT MIN(id) FROM watch_crawls)",
        )
        .bind(r#"{"reason":{"key":"internal-error","args":[]},"detail":"disk full"}"#)
        .execute(app.state.db.pool())
        .await
        .unwrap();
        let failed = app.get("/watch/crawls/1", Some(&me)).await;
        assert!(
            failed.body.contains("Đã có lỗi trong hệ thống") && !failed.body.contains("disk full"),
            "{}",
            failed.body
        );
        // The API pages the same list, with the total and the next offset.
        let token = app.token("lan", &[Role::WatchOfficer]).await;
        let r = app
            .api(
                "GET",
                "/api/v1/watch/crawls?status=queued&limit=100",
                Some(&token),
                None,
            )
            .await;
        let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(
            (v["total"].as_i64(), v["next"].as_i64()),
            (Some(104), Some(100)),
            "{v}"
        );
        let r = app
            .api(
                "GET",
                "/api/v1/watch/crawls?sort=sideways",
                Some(&token),
                None,
            )
            .await;
        assert_eq!(r.status, 422, "{}", r.body);
        // The whole list, not one page, as a workbook: newest first, states by name.
        let x = app.get("/watch/crawls.xlsx", Some(&me)).await;
        assert_eq!(x.status, 200, "{}", x.body);
        let rows = workbook_rows(&x.bytes);
        assert_eq!(rows.len(), 106, "{:?}", &rows[..2]);
        assert_eq!(rows[1][1], "Trang tin 104");
        assert!(
            rows[1..105].iter().all(|r| r[2] == "đang chờ"),
            "{:?}",
            &rows[..2]
        );
        // The failed one, last, with its reason in words.
        assert_eq!(rows[105][2], "lỗi", "{:?}", rows[105]);
        assert!(
            rows[105][11].starts_with("Đã có lỗi trong hệ thống"),
            "{:?}",
            rows[105]
        );
        let r = app
            .get("/watch/crawls.csv?from=2026-13-01&to=2026-12-31", Some(&me))
            .await;
        assert_eq!(r.status, 422, "{}", r.body);
    }

    /// A city's hundreds of subjects: the list goes page by page, keeping its filter.
    #[tokio::test]
    async fn the_subject_list_goes_page_by_page_with_its_filter() {
        let app = TestApp::spawn().await;
        let u = app.user("lan", vec![Role::WatchOfficer]).await;
        let me = app.browser(&u).await;
        app.websites(130).await;
        let first = app.get("/watch?kind=website", Some(&me)).await;
        assert_eq!(first.status, 200, "{}", first.body);
        assert!(
            first.body.contains("dòng 1–100 trong 130"),
            "{}",
            first.body
        );
        assert!(!first.body.contains("id=\"pager-prev\""), "{}", first.body);
        assert!(
            first
                .body
                .contains("href=\"&#x2f;watch?page=1&amp;kind=website\""),
            "{}",
            first.body
        );
        // Newest first: the last one registered leads, and the pager keeps the order.
        let newest = app.get("/watch?kind=website&sort=newest", Some(&me)).await;
        let at = |body: &str, name: &str| body.find(name).unwrap_or(usize::MAX);
        assert!(
            at(&newest.body, "Trang tin 129") < at(&newest.body, "Trang tin 128"),
            "{}",
            newest.body
        );
        assert!(
            newest
                .body
                .contains("href=\"&#x2f;watch?page=1&amp;kind=website&amp;sort=newest\""),
            "{}",
            newest.body
        );
        let r = app.get("/watch?sort=size", Some(&me)).await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(
            r.body.contains("&quot;size&quot; không phải cách sắp xếp"),
            "{}",
            r.body
        );
        let token = app.token("lan", &[]).await;
        let r = app
            .api(
                "GET",
                "/api/v1/watch/subjects?sort=newest&limit=1",
                Some(&token),
                None,
            )
            .await;
        assert_eq!(
            r.json()["subjects"][0]["name"],
            "Trang tin 129",
            "{}",
            r.body
        );
        let second = app.get("/watch?page=1&kind=website", Some(&me)).await;
        assert!(
            second.body.contains("dòng 101–130 trong 130"),
            "{}",
            second.body
        );
        assert!(
            !second.body.contains("id=\"pager-next\""),
            "{}",
            second.body
        );
        assert!(second.body.contains("id=\"pager-prev\""), "{}", second.body);
        let rows = second.body.matches("<tr><td>").count();
        assert_eq!(rows, 30, "{}", second.body);
        // A search narrows before paging: one page, no pager links.
        let found = app.get("/watch?q=Trang+tin+12", Some(&me)).await;
        assert!(!found.body.contains("id=\"pager-next\""), "{}", found.body);
        assert!(found.body.contains("Trang tin 125"), "{}", found.body);
        let bad = app.get("/watch?page=x", Some(&me)).await;
        assert_eq!(bad.status, 400, "{}", bad.body);
        // The whole filtered list as a spreadsheet, which imports back as what is there.
        assert!(
            first
                .body
                .contains("href=\"&#x2f;watch&#x2f;subjects.csv?kind=website\""),
            "{}",
            first.body
        );
        let csv = app.get("/watch/subjects.csv?kind=website", Some(&me)).await;
        assert_eq!(csv.status, 200, "{}", csv.body);
        assert!(csv.body.starts_with('\u{feff}'), "a BOM for Excel");
        let lines: Vec<&str> = csv.body.trim_start_matches('\u{feff}').lines().collect();
        assert_eq!(lines.len(), 131);
        assert_eq!(
            lines[0],
            "Loại;Tên;URL;Số giấy phép;Ngày cấp;Cơ quan báo chí"
        );
        assert!(
            lines.contains(&"Trang thông tin điện tử;Trang tin 007;https://trang-007.example/;;;"),
            "{}",
            lines[1]
        );
        let (ct, body) = multipart("doi-tuong.csv", csv.body.trim_start_matches('\u{feff}'));
        let back = app
            .post_multipart("/watch/subjects/import", &me, &ct, body)
            .await;
        assert_eq!(back.status, 200, "{}", back.body);
        assert!(
            back.body.contains("thêm 0, đã có 130, bị từ chối 0"),
            "{}",
            back.body
        );
        // The same list as an Excel workbook, which imports back too.
        let xlsx = app
            .get("/watch/subjects.xlsx?kind=website", Some(&me))
            .await;
        assert_eq!(xlsx.status, 200, "{}", xlsx.body);
        let rows = workbook_rows(&xlsx.bytes);
        assert_eq!(rows.len(), 131);
        assert_eq!(rows[0][1], "Tên");
        assert!(rows.iter().any(|r| r[1] == "Trang tin 007"), "{rows:?}");
        let back = app
            .send(
                axum::http::Request::post("/api/v1/watch/subjects/import")
                    .header(
                        "authorization",
                        format!("Bearer {}", app.token("lan", &[]).await),
                    )
                    .header(
                        "content-type",
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    )
                    .body(axum::body::Body::from(xlsx.bytes.clone()))
                    .unwrap(),
            )
            .await;
        assert_eq!(back.status, 200, "{}", back.body);
        assert_eq!(back.json()["report"]["already"], 130, "{}", back.body);
    }

    #[tokio::test]
    async fn the_api_takes_an_xlsx_workbook_too() {
        let app = TestApp::with_demo_city().await;
        app.user("lan", vec![Role::WatchOfficer]).await;
        let officer = app.token("lan", &[]).await;
        let xlsx = include_bytes!("../../watch/tests/fixtures/subjects.xlsx");
        let r = app
            .send(
                axum::http::Request::post("/api/v1/watch/subjects/import")
                    .header("authorization", format!("Bearer {officer}"))
                    .header(
                        "content-type",
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    )
                    .body(axum::body::Body::from(xlsx.to_vec()))
                    .unwrap(),
            )
            .await
            .json();
        assert_eq!(
            (
                r["report"]["created"].as_i64(),
                r["report"]["rejected"].as_i64()
            ),
            (Some(2), Some(1)),
            "{r}"
        );
    }

    #[tokio::test]
    async fn the_api_imports_lists_and_refuses_viewers() {
        let app = TestApp::spawn().await;
        app.user("lan", vec![Role::WatchOfficer]).await;
        app.user("xem", vec![Role::Viewer]).await;
        let officer = app.token("lan", &[]).await;
        let viewer = app.token("xem", &[]).await;
        let r = app
            .api(
                "POST",
                "/api/v1/watch/subjects/import",
                Some(&viewer),
                Some(CSV),
            )
            .await;
        assert_eq!(r.status, 403);
        let r = app
            .api(
                "POST",
                "/api/v1/watch/subjects/import",
                Some(&officer),
                Some(CSV),
            )
            .await
            .json();
        assert_eq!(
            (
                r["report"]["created"].as_i64(),
                r["report"]["rejected"].as_i64()
            ),
            (Some(1), Some(1))
        );
        assert_eq!(r["report"]["rows"][1]["status"]["field"], "url");
        let r = app
            .api(
                "POST",
                "/api/v1/watch/subjects",
                Some(&officer),
                Some(r#"{"kind":"clip","url":"https://video.example/watch?v=9","name":"Clip 9"}"#),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
        let r = app
            .api(
                "POST",
                "/api/v1/watch/subjects",
                Some(&officer),
                Some(r#"{"kind":"clip","url":"https://video.example/watch?v=9","name":"Again"}"#),
            )
            .await;
        assert_eq!(r.status, 409);
        let r = app
            .api(
                "POST",
                "/api/v1/watch/subjects",
                Some(&officer),
                Some(r#"{"kind":"hologram","url":"https://x.example","name":"X"}"#),
            )
            .await;
        assert_eq!(r.status, 422);
        assert!(r.error_message().contains("hologram"));
        let list = app
            .api(
                "GET",
                "/api/v1/watch/subjects?kind=clip",
                Some(&viewer),
                None,
            )
            .await
            .json();
        assert_eq!(list["total"], 1);
    }

    async fn demo_subject(app: &TestApp, url: &str) -> i64 {
        app.state
            .registry
            .load_demo("test", lantoa_registry::DEMO_CITY)
            .await
            .unwrap();
        app.state
            .watch
            .import_csv("test", lantoa_watch::DEMO_SUBJECTS.as_bytes())
            .await
            .unwrap();
        app.state.watch.find_by_url(url).await.unwrap().unwrap().id
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn officers_crawl_a_site_read_the_evidence_and_review_it() {
        let app = TestApp::spawn().await;
        let id = demo_subject(&app, "http://thanglong-giaitri.example/").await;
        let viewer = app.user("xem", vec![Role::Viewer]).await;
        let viewer = app.browser(&viewer).await;
        let r = app
            .post_form(&format!("/watch/subjects/{id}/crawl"), Some(&viewer), &[])
            .await;
        assert_eq!(r.status, 403, "a viewer cannot start crawls");
        let u = app.user("lan", vec![Role::WatchOfficer]).await;
        let me = app.browser(&u).await;
        let subjects = app.get("/watch", Some(&me)).await;
        assert!(
            subjects.body.contains(&format!(
                "action=\"&#x2f;watch&#x2f;subjects&#x2f;{id}&#x2f;crawl\""
            )) || subjects
                .body
                .contains(&format!("action=\"/watch/subjects/{id}/crawl\"")),
            "a crawl button per subject"
        );
        let r = app
            .post_form(&format!("/watch/subjects/{id}/crawl"), Some(&me), &[])
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        let crawl_id: i64 = r.location().rsplit('/').next().unwrap().parse().unwrap();
        let queued = app.get(r.location(), Some(&me)).await;
        assert!(
            queued.body.contains("http-equiv=\"refresh\""),
            "a queued crawl's page refreshes itself"
        );
        // A worker runs the job.
        let done = app.state.crawler.run(crawl_id, &|_| {}).await.unwrap();
        assert_eq!(done.status, "done");
        let page = app
            .get(&format!("/watch/crawls/{crawl_id}"), Some(&me))
            .await;
        assert_eq!(page.status, 200);
        assert!(
            !page.body.contains("http-equiv=\"refresh\""),
            "a finished crawl stops refreshing"
        );
        assert!(page.body.contains("nhan-dinh"), "{}", page.body);
        let list = app.get("/watch/crawls", Some(&me)).await;
        assert!(list.body.contains("Thăng Long Giải Trí"));

        let findings = app
            .get(&format!("/watch/findings?subject={id}"), Some(&me))
            .await;
        assert_eq!(findings.status, 200);
        assert!(findings.body.contains("ads.gambling"), "{}", findings.body);
        assert!(
            findings.body.contains("Luật Quảng cáo 2012"),
            "the clause is shown"
        );
        assert!(findings.body.contains("nhà cái"), "the evidence is quoted");
        let all = app
            .state
            .watch
            .findings(&lantoa_watch::FindingQuery {
                subject_id: Some(id),
                limit: 100,
                offset: 0,
                ..Default::default()
            })
            .await
            .unwrap();
        let gambling = all.iter().find(|f| f.rule_id == "ads.gambling").unwrap();
        let sha = gambling.warc_sha256.clone().unwrap();
        let capture = app.get(&format!("/watch/captures/{sha}"), Some(&me)).await;
        assert_eq!(capture.status, 200);
        assert!(capture.body.contains("WARC-Target-URI"));
        assert!(capture.body.contains("Soi kèo trận này"));
        let raw = app
            .get(&format!("/watch/captures/{sha}?raw=1"), Some(&me))
            .await;
        assert_eq!(
            raw.headers[axum::http::header::CONTENT_TYPE],
            "application/warc"
        );
        assert!(raw.body.starts_with("WARC/1.1\r\n"));
        let missing = app
            .get(&format!("/watch/captures/{}", "0".repeat(64)), Some(&me))
            .await;
        assert_eq!(missing.status, 404);

        // Review: a bad decision is refused and names the value; a good one is kept.
        let bad = app
            .post_form(
                &format!("/watch/findings/{}/review", gambling.id),
                Some(&me),
                &[("decision", "maybe")],
            )
            .await;
        assert_eq!(bad.status, 422, "{}", bad.body);
        assert!(bad.body.contains("maybe"));
        let ok = app
            .post_form(
                &format!("/watch/findings/{}/review", gambling.id),
                Some(&me),
                &[
                    ("decision", "confirmed"),
                    ("note", "Đủ căn cứ chuyển Thanh tra"),
                ],
            )
            .await;
        assert_eq!(ok.status, 303);
        let after = app.get(ok.location(), Some(&me)).await;
        assert!(
            after.body.contains("Đã ghi nhận quyết định")
                || after.body.contains("The decision was recorded")
        );
        let f = app.state.watch.finding(gambling.id).await.unwrap();
        assert_eq!(f.status, "confirmed");
        assert_eq!(f.reviewed_by.as_deref(), Some("lan"));
        assert_eq!(f.review_note.as_deref(), Some("Đủ căn cứ chuyển Thanh tra"));
        // The queue's chosen rows at once: all or none.
        let open: Vec<String> = all
            .iter()
            .filter(|f| f.id != gambling.id)
            .map(|f| f.id.to_string())
            .collect();
        assert!(!open.is_empty(), "the page gives more than one finding");
        let queue = app.get("/watch/findings?status=open", Some(&me)).await;
        assert!(
            queue.body.contains(&format!("id=\"pick-{}\"", open[0]))
                && queue.body.contains("form=\"bulk\""),
            "{}",
            queue.body
        );
        let mut form: Vec<(&str, &str)> = open.iter().map(|id| ("ids", id.as_str())).collect();
        form.push(("ids", "999999"));
        form.push(("decision", "dismissed"));
        let r = app
            .post_form("/watch/findings/review", Some(&me), &form)
            .await;
        assert_eq!(r.status, 404, "{}", r.body);
        let still = app
            .state
            .watch
            .finding(open[0].parse().unwrap())
            .await
            .unwrap();
        assert_eq!(
            still.status, "open",
            "nothing is decided when one id is wrong"
        );
        let r = app
            .post_form(
                "/watch/findings/review",
                Some(&me),
                &[("ids", "mot"), ("decision", "dismissed")],
            )
            .await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(r.body.contains("mot"), "{}", r.body);
        let mut form: Vec<(&str, &str)> = open.iter().map(|id| ("ids", id.as_str())).collect();
        form.push(("decision", "dismissed"));
        form.push(("note", "Không vi phạm"));
        let r = app
            .post_form("/watch/findings/review", Some(&me), &form)
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        for id in &open {
            let f = app.state.watch.finding(id.parse().unwrap()).await.unwrap();
            assert_eq!(
                (f.status.as_str(), f.review_note.as_deref()),
                ("dismissed", Some("Không vi phạm"))
            );
        }
        let csv = app
            .get("/watch/findings.csv?status=dismissed", Some(&me))
            .await;
        assert_eq!(csv.status, 200, "{}", csv.body);
        let rows: Vec<csv::StringRecord> = csv::ReaderBuilder::new()
            .delimiter(b';')
            .from_reader(csv.body.trim_start_matches('\u{feff}').as_bytes())
            .records()
            .map(Result::unwrap)
            .collect();
        assert_eq!(rows.len(), open.len(), "{}", csv.body);
        assert!(
            rows.iter()
                .all(|r| (&r[9], &r[10], &r[11]) == ("đã bác bỏ", "lan", "Không vi phạm")),
            "{}",
            csv.body
        );
        let trained = app
            .post_form("/watch/classifier/train", Some(&me), &[])
            .await;
        assert_eq!(trained.status, 303);
        let page = app.get(trained.location(), Some(&me)).await;
        assert!(page.body.contains("id=\"classifier-figures\""));
        assert!(
            !page.body.contains("Mới học từ các mẫu kèm theo"),
            "figures of the stored model are shown"
        );
        let bad_filter = app.get("/watch/findings?category=spam", Some(&me)).await;
        assert_eq!(bad_filter.status, 422);
        assert!(bad_filter.body.contains("spam"));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_api_queues_crawls_lists_findings_and_takes_reviews() {
        let app = TestApp::spawn().await;
        let id = demo_subject(&app, "http://suckhoe-hotay.example/").await;
        app.user("lan", vec![Role::WatchOfficer]).await;
        app.user("xem", vec![Role::Viewer]).await;
        let officer = app.token("lan", &[]).await;
        let viewer = app.token("xem", &[]).await;
        let r = app
            .api(
                "POST",
                &format!("/api/v1/watch/subjects/{id}/crawl"),
                Some(&viewer),
                None,
            )
            .await;
        assert_eq!(r.status, 403);
        let r = app
            .api(
                "POST",
                "/api/v1/watch/subjects/999999/crawl",
                Some(&officer),
                None,
            )
            .await;
        assert_eq!(r.status, 404, "{}", r.body);
        let r = app
            .api(
                "POST",
                &format!("/api/v1/watch/subjects/{id}/crawl"),
                Some(&officer),
                None,
            )
            .await;
        assert_eq!(r.status, 202, "{}", r.body);
        let crawl_id = r.json()["crawl"]["id"].as_i64().unwrap();
        app.state.crawler.run(crawl_id, &|_| {}).await.unwrap();
        let c = app
            .api(
                "GET",
                &format!("/api/v1/watch/crawls/{crawl_id}"),
                Some(&viewer),
                None,
            )
            .await
            .json();
        assert_eq!(c["crawl"]["status"], "done");
        assert!(c["pages"].as_array().unwrap().len() >= 2);
        let f = app
            .api(
                "GET",
                &format!("/api/v1/watch/findings?subject={id}&status=open"),
                Some(&viewer),
                None,
            )
            .await
            .json();
        let list = f["findings"].as_array().unwrap();
        assert_eq!(f["total"].as_u64(), Some(list.len() as u64), "{f}");
        assert!(list.len() >= 2, "{f}");
        // A page of one, the second: the same total, the queue's second finding.
        let second = app
            .api(
                "GET",
                &format!("/api/v1/watch/findings?subject={id}&status=open&limit=1&offset=1"),
                Some(&viewer),
                None,
            )
            .await
            .json();
        assert_eq!(second["total"], f["total"]);
        // Oldest and newest first are each other's reverse; an unknown order is named.
        let order = |sort: &'static str| {
            let (app, viewer) = (&app, viewer.clone());
            async move {
                app.api(
                    "GET",
                    &format!("/api/v1/watch/findings?subject={id}&sort={sort}"),
                    Some(&viewer),
                    None,
                )
                .await
            }
        };
        let ids = |r: &common::Resp| -> Vec<i64> {
            r.json()["findings"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f["id"].as_i64().unwrap())
                .collect()
        };
        let oldest = ids(&order("oldest").await);
        let mut newest = ids(&order("newest").await);
        newest.reverse();
        assert_eq!(oldest, newest);
        assert!(oldest.windows(2).all(|w| w[0] < w[1]), "{oldest:?}");
        let r = order("size").await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(r.error_message().starts_with("sort:"), "{}", r.body);
        assert_eq!(second["findings"].as_array().unwrap().len(), 1);
        assert_eq!(second["findings"][0]["id"], list[1]["id"]);
        let health = list
            .iter()
            .find(|f| f["rule_id"] == "ads.health_food_as_medicine")
            .unwrap();
        assert!(
            health["evidence"]
                .as_str()
                .unwrap()
                .contains("không phải là thuốc"),
            "{health}"
        );
        assert!(health["warc_sha256"].as_str().unwrap().len() == 64);
        let fid = health["id"].as_i64().unwrap();
        let r = app
            .api(
                "GET",
                "/api/v1/watch/findings?status=later",
                Some(&viewer),
                None,
            )
            .await;
        assert_eq!(r.status, 422);
        assert!(r.error_message().contains("later"), "{}", r.body);
        let r = app
            .api(
                "POST",
                &format!("/api/v1/watch/findings/{fid}/review"),
                Some(&officer),
                Some(r#"{"decision":"perhaps"}"#),
            )
            .await;
        assert_eq!(r.status, 422);
        assert!(r.error_message().contains("perhaps"), "{}", r.body);
        let r = app
            .api(
                "POST",
                &format!("/api/v1/watch/findings/{fid}/review"),
                Some(&viewer),
                Some(r#"{"decision":"dismissed"}"#),
            )
            .await;
        assert_eq!(r.status, 403);
        let r = app
            .api(
                "POST",
                &format!("/api/v1/watch/findings/{fid}/review"),
                Some(&officer),
                Some(r#"{"decision":"dismissed","note":"quảng cáo đã gỡ"}"#),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.json()["finding"]["status"], "dismissed");
        // Several at once: none chosen is named; then every open one is confirmed.
        let r = app
            .api(
                "POST",
                "/api/v1/watch/findings/review",
                Some(&officer),
                Some(r#"{"ids": [], "decision": "confirmed"}"#),
            )
            .await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(r.error_message().starts_with("ids:"), "{}", r.body);
        let rest: Vec<i64> = list
            .iter()
            .map(|f| f["id"].as_i64().unwrap())
            .filter(|f| *f != fid)
            .collect();
        let r = app
            .api(
                "POST",
                "/api/v1/watch/findings/review",
                Some(&officer),
                Some(&serde_json::json!({ "ids": rest, "decision": "confirmed" }).to_string()),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.json()["reviewed"], rest.len(), "{}", r.body);
        let s = app
            .api(
                "GET",
                &format!("/api/v1/watch/scores?subject={id}"),
                Some(&viewer),
                None,
            )
            .await
            .json();
        assert!(
            s["scores"]
                .as_array()
                .unwrap()
                .iter()
                .any(|x| x["category"] == "advertising")
        );
        let r = app
            .api(
                "POST",
                "/api/v1/watch/classifier/train",
                Some(&viewer),
                None,
            )
            .await;
        assert_eq!(r.status, 403);
        let r = app
            .api(
                "POST",
                "/api/v1/watch/classifier/train",
                Some(&officer),
                None,
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        let m = &r.json()["model"];
        assert!(
            m["precision"].as_f64().unwrap() > 0.0 && m["held_out"].as_i64().unwrap() > 0,
            "{m}"
        );
    }
}

mod cases {
    use super::*;

    /// Officers tick subjects on the list and open a case on each at once; a subject that
    /// already has an open case of the category is refused by name and the others open.
    #[tokio::test]
    async fn cases_open_on_many_chosen_subjects_each_refusal_named() {
        let app = TestApp::spawn().await;
        let subjects = app.websites(3).await;
        app.state
            .watch
            .open_case(
                "lan",
                &[Role::WatchOfficer],
                &lantoa_watch::NewCase {
                    subject_id: subjects[0].id,
                    category: "bao_hoa".into(),
                    title: String::new(),
                    findings: Vec::new(),
                    note: "đã mở trước".into(),
                },
            )
            .await
            .unwrap();
        let u = app.user("lan", vec![Role::WatchOfficer]).await;
        let lan = app.browser(&u).await;
        let xem = app.user("xem", vec![Role::Viewer]).await;
        let xem = app.browser(&xem).await;
        let list = app.get("/watch", Some(&lan)).await;
        assert!(
            list.body
                .contains(&format!("id=\"pick-{}\"", subjects[1].id))
                && list.body.contains("form=\"bulk-open\""),
            "{}",
            list.body
        );
        assert!(
            !app.get("/watch", Some(&xem))
                .await
                .body
                .contains("bulk-open")
        );
        let ids: Vec<String> = subjects.iter().map(|s| s.id.to_string()).collect();
        let form = |note: &'static str| {
            let mut f: Vec<(&str, &str)> =
                ids.iter().map(|i| ("subject_ids", i.as_str())).collect();
            f.push(("category", "bao_hoa"));
            f.push(("note", note));
            f
        };
        let before = app.state.watch.cases(None).await.unwrap().len();
        let r = app
            .post_form("/watch/cases/bulk", Some(&xem), &form("x"))
            .await;
        assert_eq!(r.status, 403);
        let r = app
            .post_form("/watch/cases/bulk", Some(&lan), &form(" "))
            .await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert_eq!(app.state.watch.cases(None).await.unwrap().len(), before);
        let r = app
            .post_form("/watch/cases/bulk", Some(&lan), &form("Rà soát đợt 1"))
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert!(
            r.body.contains(
                "Đã mở 2 hồ sơ (Dấu hiệu &quot;báo hóa&quot;); 1 đối tượng không mở được"
            ),
            "{}",
            r.body
        );
        assert!(
            r.body
                .contains(&format!("id=\"bulk-{}\" class=\"refused\"", subjects[0].id)),
            "{}",
            r.body
        );
        assert_eq!(app.state.watch.cases(None).await.unwrap().len(), before + 2);
        // The step's cases as a workbook; an unknown step is named.
        let x = app
            .get("/watch/cases.xlsx?state=phat_hien", Some(&lan))
            .await;
        assert_eq!(x.status, 200, "{}", x.body);
        let rows = workbook_rows(&x.bytes);
        assert_eq!(rows.len(), 1 + before + 2, "{rows:?}");
        assert_eq!(rows[0][4], "Bước");
        assert!(rows[1..].iter().all(|r| r[4] == "Phát hiện"), "{rows:?}");
        let r = app.get("/watch/cases.csv?state=lost", Some(&lan)).await;
        assert_eq!(r.status, 422, "{}", r.body);
        // The same through the API: each refusal with its code.
        let token = app.token("lan", &[]).await;
        let body = serde_json::json!({
            "subject_ids": [subjects[0].id, subjects[1].id],
            "category": "advertising", "note": "Quảng cáo",
        })
        .to_string();
        let r = app
            .api(
                "POST",
                "/api/v1/watch/cases/bulk",
                Some(&token),
                Some(&body),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(
            r.json()["opened"].as_array().unwrap().len(),
            2,
            "{}",
            r.body
        );
        let r = app
            .api(
                "POST",
                "/api/v1/watch/cases/bulk",
                Some(&token),
                Some(&body),
            )
            .await;
        assert_eq!(
            r.json()["opened"].as_array().unwrap().len(),
            0,
            "{}",
            r.body
        );
        assert_eq!(r.json()["refused"][0]["code"], "case_open", "{}", r.body);
        let bad = body.replace("advertising", "gossip");
        let r = app
            .api("POST", "/api/v1/watch/cases/bulk", Some(&token), Some(&bad))
            .await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(r.error_message().starts_with("category:"), "{}", r.body);
    }

    /// A city's board: each state shows its count and newest cases with a link to all of
    /// them, a page at a time; the subject of a new case is found by a search, not picked
    /// from a list of every subject.
    #[tokio::test]
    async fn the_board_pages_a_states_cases_and_finds_the_subject_by_search() {
        let app = TestApp::spawn().await;
        let subjects = app.websites(64).await;
        let officer = [Role::WatchOfficer];
        for s in &subjects {
            let new = lantoa_watch::NewCase {
                subject_id: s.id,
                category: "bao_hoa".into(),
                title: format!("Hồ sơ {}", s.name),
                findings: Vec::new(),
                note: "mở để thử".into(),
            };
            app.state
                .watch
                .open_case("lan", &officer, &new)
                .await
                .unwrap();
        }
        let u = app.user("lan", vec![Role::WatchOfficer]).await;
        let lan = app.browser(&u).await;
        let r = app.get("/watch/cases?state=lost", Some(&lan)).await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(
            r.body
                .contains("&quot;lost&quot; không phải bước của quy trình"),
            "{}",
            r.body
        );
        let board = app.get("/watch/cases", Some(&lan)).await;
        assert_eq!(board.status, 200);
        // The first state holds all 64: ten shown, and the link to all of them.
        assert!(board.body.contains("xem cả 64 hồ sơ"), "{}", board.body);
        assert_eq!(board.body.matches("Hồ sơ Trang tin").count(), 10);
        let first = app.state.watch.case_rules().states()[0].id.clone();
        let page = app
            .get(&format!("/watch/cases?state={first}"), Some(&lan))
            .await;
        assert!(page.body.contains("hồ sơ 1–50 trong 64"), "{}", page.body);
        assert!(page.body.contains("id=\"pager-next\""));
        let second = app
            .get(&format!("/watch/cases?state={first}&page=1"), Some(&lan))
            .await;
        assert!(
            second.body.contains("hồ sơ 51–64 trong 64"),
            "{}",
            second.body
        );
        assert!(
            second.body.contains("Hồ sơ Trang tin 000"),
            "the oldest case is on the last page"
        );
        // Oldest first: the first case opens the first page, and the pager keeps the order.
        let oldest = app
            .get(
                &format!("/watch/cases?state={first}&sort=oldest"),
                Some(&lan),
            )
            .await;
        let listed = &oldest.body[oldest.body.find("id=\"listed\"").unwrap()..];
        assert!(
            listed.find("Hồ sơ Trang tin 000") < listed.find("Hồ sơ Trang tin 001"),
            "{}",
            oldest.body
        );
        assert!(oldest.body.contains("&amp;sort=oldest"), "{}", oldest.body);
        let r = app
            .get(&format!("/watch/cases?state={first}&sort=size"), Some(&lan))
            .await;
        assert_eq!(r.status, 422, "{}", r.body);
        // The subject picker offers at most 50, and a search narrows it to the one wanted.
        assert!(
            board.body.contains("50 trong 64 đối tượng phù hợp"),
            "{}",
            board.body
        );
        let found = app
            .get("/watch/cases?subject_q=trang-007", Some(&lan))
            .await;
        assert!(
            found.body.contains("1 trong 1 đối tượng phù hợp"),
            "{}",
            found.body
        );
        assert!(
            found
                .body
                .contains(&format!("<option value=\"{}\"", subjects[7].id))
        );
    }

    #[tokio::test]
    async fn an_officer_opens_a_case_each_role_moves_it_as_the_workflow_allows() {
        let app = TestApp::spawn().await;
        let subject = app
            .subject("https://tintuc-phoco.example/", "Tin tức Phố Cổ")
            .await;
        let sid = subject.id.to_string();
        let who = |name: &'static str, role: Role| {
            let app = &app;
            async move {
                let u = app.user(name, vec![role]).await;
                app.browser(&u).await
            }
        };
        let lan = who("lan", Role::WatchOfficer).await;
        let tra = who("tra", Role::Inspector).await;
        let xem = who("xem", Role::Viewer).await;
        let open = [
            ("subject_id", sid.as_str()),
            ("category", "bao_hoa"),
            ("title", ""),
            ("note", "Trang có chuyên mục, tòa soạn như báo"),
        ];
        // A viewer sees the board but neither the form nor the right to open.
        let board = app.get("/watch/cases", Some(&xem)).await;
        assert_eq!(board.status, 200);
        assert!(!board.body.contains("id=\"open-case\""));
        assert_eq!(
            app.post_form("/watch/cases", Some(&xem), &open)
                .await
                .status,
            403
        );
        // Without a reason the form comes back, as typed, with the field named.
        let mut no_reason = open;
        no_reason[3] = ("note", "");
        let r = app.post_form("/watch/cases", Some(&lan), &no_reason).await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(r.body.contains("note"), "{}", r.body);
        // Findings that are not numbers, or not the subject's, are named.
        for (listed, says) in [
            ("7, x", "không phải số hiệu của dấu hiệu"),
            ("424242", "Dấu hiệu số 424242 không thuộc đối tượng"),
        ] {
            let mut with = open.to_vec();
            with.push(("findings", listed));
            let r = app.post_form("/watch/cases", Some(&lan), &with).await;
            assert_eq!(r.status, 422, "{}", r.body);
            assert!(r.body.contains(says), "{says}: {}", r.body);
        }
        let r = app.post_form("/watch/cases", Some(&lan), &open).await;
        assert_eq!(r.status, 303, "{}", r.body);
        let at = r.headers["location"].to_str().unwrap().to_owned();
        let page = app.get(&at, Some(&lan)).await;
        assert!(page.body.contains("Đã mở vụ việc."), "{}", page.body);
        assert!(
            page.body.contains("id=\"case-state\">Phát hiện<"),
            "{}",
            page.body
        );
        assert!(
            page.body.contains("Trang có chuyên mục"),
            "the reason is on the timeline"
        );
        let case = at.split('?').next().unwrap().to_owned();
        // A second open case on the same subject and category names the first.
        let r = app.post_form("/watch/cases", Some(&lan), &open).await;
        assert_eq!(r.status, 409, "{}", r.body);
        assert!(r.body.contains("đang có hồ sơ mở về"), "{}", r.body);
        // The inspector may not move it from phat_hien; the officer may.
        let step = |to: &'static str| [("to", to), ("note", "theo quy trình")];
        let r = app
            .post_form(&format!("{case}/move"), Some(&tra), &step("xem_xet"))
            .await;
        assert_eq!(r.status, 403, "{}", r.body);
        assert!(
            r.body
                .contains("cần một trong các vai trò: Chuyên viên thông tin điện tử"),
            "{}",
            r.body
        );
        assert_eq!(
            app.post_form(&format!("{case}/move"), Some(&xem), &step("xem_xet"))
                .await
                .status,
            403
        );
        for to in ["xem_xet", "moi_lam_viec"] {
            let r = app
                .post_form(&format!("{case}/move"), Some(&lan), &step(to))
                .await;
            assert_eq!(r.status, 303, "{to}: {}", r.body);
        }
        // A move the workflow has no path for is refused with where it can go.
        let r = app
            .post_form(&format!("{case}/move"), Some(&lan), &step("xu_phat"))
            .await;
        assert_eq!(r.status, 409, "{}", r.body);
        // Where it can go, by the steps' names, not their codes.
        assert!(
            r.body.contains("chỉ chuyển sang: Chờ phản hồi"),
            "{}",
            r.body
        );
        let page = app.get(&case, Some(&xem)).await;
        assert!(page.body.contains("Mời làm việc"), "{}", page.body);
        assert!(
            !page.body.contains("id=\"move-case\""),
            "a viewer has no moves"
        );
        let board = app.get("/watch/cases", Some(&xem)).await;
        assert!(
            board
                .body
                .contains("id=\"state-moi_lam_viec\"><th scope=\"row\">Mời làm việc"),
            "{}",
            board.body
        );
    }

    #[tokio::test]
    async fn the_inspectorate_records_a_sanction_with_its_decision_or_is_told_what_is_missing() {
        let app = TestApp::spawn().await;
        let subject = app
            .subject("https://quangcao.example/", "Quảng cáo X")
            .await;
        let w = &app.state.watch;
        let c = w
            .open_case(
                "lan",
                &[Role::WatchOfficer],
                &lantoa_watch::NewCase {
                    subject_id: subject.id,
                    category: "advertising".into(),
                    note: "quảng cáo sai".into(),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        for (role, to) in [
            (Role::WatchOfficer, "xem_xet"),
            (Role::Approver, "chuyen_thanh_tra"),
            (Role::Inspector, "cho_phan_hoi"),
        ] {
            w.move_case("x", &[role], c.id, to, "bước").await.unwrap();
        }
        let tra_user = app.user("tra", vec![Role::Inspector]).await;
        let tra = app.browser(&tra_user).await;
        let at = format!("/watch/cases/{}", c.id);
        let page = app.get(&at, Some(&tra)).await;
        assert!(page.body.contains("id=\"sanction-form\""), "{}", page.body);
        assert!(
            !page.body.contains("<option value=\"xu_phat\">"),
            "a sanction is not a bare step"
        );
        // Decided today, after the transfer, under a clause of the sanctions file.
        let today = lantoa_core::time::local_date(chrono::Utc::now())
            .format("%Y-%m-%d")
            .to_string();
        let mut form = vec![
            ("decision_no", ""),
            ("decision_date", today.as_str()),
            ("decree", "15/2020/NĐ-CP"),
            ("article", "101"),
            ("clause", "1"),
            ("fine_vnd", "15.000.000"),
            ("remedies", "Gỡ bỏ"),
            ("note", "Đã ra quyết định"),
        ];
        let r = app
            .post_form(&format!("{at}/sanction"), Some(&tra), &form)
            .await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(r.body.contains("decision_no"), "{}", r.body);
        assert!(
            r.body
                .contains("id=\"s-article\" name=\"article\" value=\"101\""),
            "what was typed stays: {}",
            r.body
        );
        assert_eq!(w.case(c.id).await.unwrap().state, "cho_phan_hoi");
        form[0] = ("decision_no", "12/QĐ-XPHC");
        let r = app
            .post_form(&format!("{at}/sanction"), Some(&tra), &form)
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        let page = app.get(&at, Some(&tra)).await;
        assert!(
            page.body.contains("id=\"sanction-fine\">15.000.000<"),
            "{}",
            page.body
        );
        assert!(page.body.contains("Xử phạt"), "{}", page.body);
    }

    #[tokio::test]
    async fn documents_the_commitment_to_fix_and_the_dossier_from_the_case_page_and_the_api() {
        let app = TestApp::spawn().await;
        let subject = app
            .subject("https://tintuc-phoco.example/", "Tin tức Phố Cổ")
            .await;
        let lan = app.user("lan", vec![Role::WatchOfficer]).await;
        let lan = app.browser(&lan).await;
        let xem = app.user("xem", vec![Role::Viewer]).await;
        let xem = app.browser(&xem).await;
        let officer = app.token("lan", &[Role::WatchOfficer]).await;
        let w = &app.state.watch;
        let c = w
            .open_case(
                "lan",
                &[Role::WatchOfficer],
                &lantoa_watch::NewCase {
                    subject_id: subject.id,
                    category: "bao_hoa".into(),
                    note: "tòa soạn".into(),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        for to in ["xem_xet", "moi_lam_viec"] {
            w.move_case("lan", &[Role::WatchOfficer], c.id, to, "tiến hành")
                .await
                .unwrap();
        }
        let at = format!("/watch/cases/{}", c.id);
        let page = app.get(&at, Some(&lan)).await;
        assert!(
            page.body.contains("id=\"document-invitation\""),
            "{}",
            page.body
        );
        assert!(page.body.contains("id=\"document-minutes\""));
        assert!(!page.body.contains("id=\"document-transfer\""));
        // A viewer sees the documents but no form to issue one.
        let seen = app.get(&at, Some(&xem)).await;
        assert!(!seen.body.contains("id=\"document-invitation\""));
        let post = format!("{at}/documents");
        // Without the session's time the form comes back naming it, as typed.
        let r = app
            .post_form(
                &post,
                Some(&lan),
                &[
                    ("kind", "invitation"),
                    ("signer", "Nguyễn Văn Thử"),
                    ("meeting_at", ""),
                ],
            )
            .await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(r.body.contains("meeting_at"), "{}", r.body);
        assert!(r.body.contains("value=\"Nguyễn Văn Thử\""), "{}", r.body);
        assert!(w.case_documents(c.id).await.unwrap().is_empty());
        let r = app
            .post_form(
                &post,
                Some(&lan),
                &[
                    ("kind", "invitation"),
                    ("meeting_at", "2026-12-03T09:00"),
                    ("signer", ""),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        let d = w.case_documents(c.id).await.unwrap().remove(0);
        let page = app.get(&at, Some(&lan)).await;
        // The console escapes "/" in text.
        assert!(
            page.body.contains(&d.reference().replace('/', "&#x2f;")),
            "{}",
            page.body
        );
        let docx = app
            .get(&format!("{at}/documents/{}", d.id), Some(&xem))
            .await;
        assert_eq!(docx.status, 200);
        assert!(
            docx.headers["content-disposition"]
                .to_str()
                .unwrap()
                .contains(".docx")
        );
        let text = lantoa_docs::docx_text(&docx.bytes).unwrap();
        assert!(
            text.contains("GIẤY MỜI") && text.contains("09 giờ 00, ngày 03/12/2026"),
            "{text}"
        );
        // A document of another case is not served under this one.
        let r = app
            .get(&format!("/watch/cases/999/documents/{}", d.id), Some(&lan))
            .await;
        assert_eq!(r.status, 422, "{}", r.body);

        // Through the API: an unknown kind is named; a takedown letter is not for this state.
        let api = format!("/api/v1/watch/cases/{}/documents", c.id);
        let r = app
            .api("POST", &api, Some(&officer), Some(r#"{"kind": "fax"}"#))
            .await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(r.body.contains("fax"), "{}", r.body);
        let r = app
            .api(
                "POST",
                &api,
                Some(&officer),
                Some(r#"{"kind": "takedown"}"#),
            )
            .await;
        assert_eq!(r.status, 409, "{}", r.body);
        let r = app
            .api(
                "POST",
                &api,
                Some(&officer),
                Some(
                    r#"{"kind": "invitation", "meeting_at": "2026-12-04 14:00", "colour": "red"}"#,
                ),
            )
            .await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(r.body.contains("colour"), "{}", r.body);
        let r = app
            .api(
                "POST",
                &api,
                Some(&officer),
                Some(
                    r#"{"kind": "invitation", "meeting_at": "2026-12-04T14:00:00+07:00", "signer_title": "Giám đốc", "note": "chỉ để nội bộ"}"#,
                ),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.json()["document"]["number"], 2);
        // The document downloads through the API with the token; the meeting time was read
        // from ISO 8601, the internal note is not printed.
        let href = r.json()["href"].as_str().unwrap().to_owned();
        assert!(href.starts_with("/api/v1/watch/cases/"), "{href}");
        let docx = app.api("GET", &href, Some(&officer), None).await;
        assert_eq!(docx.status, 200, "{}", docx.body);
        let text = lantoa_docs::docx_text(&docx.bytes).unwrap();
        assert!(text.contains("14 giờ 00, ngày 04/12/2026"), "{text}");
        assert!(
            !text.contains("chỉ để nội bộ") && !text.contains("KT."),
            "{text}"
        );
        let anonymous = app.api("GET", &href, None, None).await;
        assert_eq!(anonymous.status, 401, "{}", anonymous.body);

        // The commitment to fix: a date in the past is named and nothing moves.
        w.move_case(
            "lan",
            &[Role::WatchOfficer],
            c.id,
            "cho_phan_hoi",
            "đã làm việc",
        )
        .await
        .unwrap();
        let page = app.get(&at, Some(&lan)).await;
        assert!(page.body.contains("id=\"fix-form\""), "{}", page.body);
        let r = app
            .post_form(
                &format!("{at}/fix"),
                Some(&lan),
                &[("due", "2020-01-01"), ("note", "cam kết")],
            )
            .await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(r.body.contains("đã qua; ngày kiểm tra lại"), "{}", r.body);
        assert_eq!(w.case(c.id).await.unwrap().state, "cho_phan_hoi");
        let r = app
            .post_form(
                &format!("{at}/fix"),
                Some(&lan),
                &[("due", "2099-01-01"), ("note", "cam kết")],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        let page = app.get(&at, Some(&lan)).await;
        assert!(
            page.body
                .contains("Kiểm tra lại ngày 2099-01-01: đã lên lịch"),
            "{}",
            page.body
        );
        let r = app
            .api(
                "GET",
                &format!("/api/v1/watch/cases/{}", c.id),
                Some(&officer),
                None,
            )
            .await;
        assert_eq!(r.json()["rechecks"][0]["status"], "scheduled");
        assert_eq!(r.json()["documents"].as_array().unwrap().len(), 2);

        // The dossier verifies, and holds both documents.
        let zip = app.get(&format!("{at}/dossier"), Some(&xem)).await;
        assert_eq!(zip.status, 200);
        let check = lantoa_watch::dossier::verify(&zip.bytes).unwrap();
        assert!(check.ok(), "{check:?}");
        assert_eq!(
            check
                .intact
                .iter()
                .filter(|n| n.starts_with("documents/"))
                .count(),
            2,
            "{check:?}"
        );
    }

    #[tokio::test]
    async fn cases_through_the_api_with_the_steps_each_caller_may_take() {
        let app = TestApp::spawn().await;
        let subject = app
            .subject("https://quangcao.example/", "Quảng cáo X")
            .await;
        app.user("lan", vec![Role::WatchOfficer]).await;
        app.user("tra", vec![Role::Inspector]).await;
        let officer = app.token("lan", &[Role::WatchOfficer]).await;
        let inspector = app.token("tra", &[Role::Inspector]).await;
        let body = format!(
            r#"{{"subject_id": {}, "category": "advertising", "note": "quảng cáo thực phẩm chức năng"}}"#,
            subject.id
        );
        let r = app
            .api("POST", "/api/v1/watch/cases", Some(&inspector), Some(&body))
            .await;
        assert_eq!(r.status, 403, "{}", r.body);
        let r = app
            .api("POST", "/api/v1/watch/cases", Some(&officer), Some(&body))
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
        let id = r.json()["case"]["id"].as_i64().unwrap();
        // A body without its reason names the field.
        let r = app
            .api(
                "POST",
                "/api/v1/watch/cases",
                Some(&officer),
                Some(r#"{"subject_id": 1, "category": "advertising"}"#),
            )
            .await;
        assert!(r.status == 400 || r.status == 422, "{}", r.body);
        assert!(r.body.contains("note"), "{}", r.body);
        let r = app
            .api(
                "GET",
                &format!("/api/v1/watch/cases/{id}"),
                Some(&officer),
                None,
            )
            .await;
        assert_eq!(r.status, 200);
        assert_eq!(r.json()["next"][0], "xem_xet");
        assert_eq!(r.json()["timeline"].as_array().unwrap().len(), 1);
        let r = app
            .api(
                "GET",
                &format!("/api/v1/watch/cases/{id}"),
                Some(&inspector),
                None,
            )
            .await;
        assert_eq!(r.json()["next"], serde_json::json!([]));
        let step = r#"{"to": "xem_xet", "note": "xem xét"}"#;
        let path = format!("/api/v1/watch/cases/{id}/move");
        let r = app.api("POST", &path, Some(&inspector), Some(step)).await;
        assert_eq!(r.status, 403, "{}", r.body);
        let r = app.api("POST", &path, Some(&officer), Some(step)).await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.json()["case"]["state"], "xem_xet");
        let r = app
            .api(
                "GET",
                "/api/v1/watch/cases?state=xem_xet",
                Some(&inspector),
                None,
            )
            .await;
        assert_eq!(r.json()["cases"].as_array().unwrap().len(), 1);
        let r = app
            .api(
                "GET",
                "/api/v1/watch/cases?overdue=true",
                Some(&inspector),
                None,
            )
            .await;
        assert_eq!(r.json()["cases"], serde_json::json!([]));
        let r = app
            .api("GET", "/api/v1/watch/cases/999", Some(&officer), None)
            .await;
        assert_eq!(r.status, 404);
        // A sanction is recorded only from where the workflow allows it, with its decision.
        let sanction = r#"{"decision_no": "12/QĐ-XPHC", "decision_date": "2026-03-20",
            "decree": "38/2021/NĐ-CP", "article": "51", "fine_vnd": 30000000, "note": "quyết định"}"#;
        let path = format!("/api/v1/watch/cases/{id}/sanction");
        let r = app
            .api("POST", &path, Some(&inspector), Some(sanction))
            .await;
        assert_eq!(r.status, 409, "{}", r.body);
        assert!(
            r.body.contains(r#"cannot go to \"Sanctioned\""#),
            "{}",
            r.body
        );
        assert_eq!(r.error_code(), "case_move_refused", "{}", r.body);
        // The period's figures; a reversed period names its end.
        let today = lantoa_core::time::local_date(chrono::Utc::now()).to_string();
        let r = app
            .api(
                "GET",
                &format!("/api/v1/watch/figures?from={today}&to={today}"),
                Some(&inspector),
                None,
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.json()["invited"], 0);
        assert_eq!(r.json()["removal_rate_pct"], serde_json::Value::Null);
        let r = app
            .api(
                "GET",
                "/api/v1/watch/figures?from=2026-03-31&to=2026-03-01",
                Some(&inspector),
                None,
            )
            .await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(
            r.body.contains("to: the period ends before it starts"),
            "{}",
            r.body
        );
    }
}

mod notify {
    use super::*;

    const LIST: &str = "Họ tên,Số điện thoại,Phường/xã\nNguyễn Thị Lan,0912 345 678,Phường Hoàn Kiếm\nTrần Văn Bình,+84 983 456 789,Phường Ba Đình\nJohn Smith,+1 415 555 0100,Phường Ba Đình\n";

    /// A recipient list form: its content type and body.
    fn list_form(name: &str, csv: &str) -> (String, String) {
        let boundary = "lantoa-list";
        (
            format!("multipart/form-data; boundary={boundary}"),
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\n{name}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"ds.csv\"\r\nContent-Type: text/csv\r\n\r\n{csv}\r\n--{boundary}--\r\n"
            ),
        )
    }

    #[tokio::test]
    async fn a_list_is_imported_a_campaign_drafted_and_approved_by_another_person() {
        let app = TestApp::spawn().await;
        let lan = app.user("lan", vec![Role::Communicator]).await;
        let me = app.browser(&lan).await;
        let hung_user = app.user("hung", vec![Role::Approver]).await;
        let hung = app.browser(&hung_user).await;
        let viewer_user = app.user("xem", vec![Role::Viewer]).await;
        let viewer = app.browser(&viewer_user).await;
        // A viewer may not import; a communicator may, and sees each refused row.
        let r = {
            let (ct, body) = list_form("Ba Đình", LIST);
            app.post_multipart("/notify/lists", &viewer, &ct, body)
                .await
        };
        assert_eq!(r.status, 403);
        let r = {
            let (ct, body) = list_form("Ba Đình", LIST);
            app.post_multipart("/notify/lists", &me, &ct, body).await
        };
        assert_eq!(r.status, 303, "{}", r.body);
        let at = r.headers["location"].to_str().unwrap().to_owned();
        let page = app.get(&at, Some(&me)).await;
        assert!(page.body.contains("Đã nhập danh sách"), "{}", page.body);
        assert!(
            page.body.contains("+1 415 555 0100"),
            "the refused row is shown"
        );
        assert!(page.body.contains("id=\"recipients\">2<"), "{}", page.body);
        // Operators by their names from the numbering plan, not their ids.
        assert!(
            page.body.contains("<td>VinaPhone</td>") && page.body.contains("<td>Viettel</td>"),
            "{}",
            page.body
        );
        assert!(!page.body.contains("<td>viettel</td>"), "{}", page.body);
        // A file with no phone column: the reason names what the header has.
        let r = {
            let (ct, body) = list_form("Sai", "Tên,Địa chỉ\nA,B\n");
            app.post_multipart("/notify/lists", &me, &ct, body).await
        };
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(r.body.contains("Địa chỉ"), "{}", r.body);
        let n = app.state.notify.clone();
        let list_id = n.lists().await.unwrap()[0].id.to_string();
        // A bad brandname: the form comes back with the reason and what was typed.
        let mut form = vec![
            ("name", "Sốt xuất huyết tuần 40"),
            ("topic", "dengue"),
            ("brandname", "Sở Y tế"),
            ("body", "Kính gửi {ten}: hãy diệt lăng quăng, ngủ màn."),
            ("list_id", list_id.as_str()),
        ];
        let r = app.post_form("/notify/campaigns", Some(&me), &form).await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(
            r.body.contains("brandname") && r.body.contains("hãy diệt lăng quăng"),
            "{}",
            r.body
        );
        form[2] = ("brandname", "SoYTe-HN");
        let r = app.post_form("/notify/campaigns", Some(&me), &form).await;
        assert_eq!(r.status, 303, "{}", r.body);
        let at = r.headers["location"]
            .to_str()
            .unwrap()
            .split('?')
            .next()
            .unwrap()
            .to_owned();
        let page = app.get(&at, Some(&me)).await;
        assert!(page.body.contains("2 người nhận"), "{}", page.body);
        assert!(
            page.body
                .contains("title=\"dengue\">Phòng chống sốt xuất huyết</dd>"),
            "the topic by its name: {}",
            page.body
        );
        assert!(
            page.body.contains("Kính gửi Nguyễn Thị Lan"),
            "{}",
            page.body
        );
        assert!(
            page.body
                .contains("<del>Kính</del> <ins>Kinh</ins> <del>gửi</del> <ins>gui</ins> {ten}:"),
            "the words without diacritics beside the words as written: {}",
            page.body
        );
        assert!(page.body.contains("id=\"submit-form\""));
        // The author submits; the author cannot approve; the approver must type the name.
        let r = app.post_form(&format!("{at}/submit"), Some(&me), &[]).await;
        assert_eq!(r.status, 303, "{}", r.body);
        let r = app
            .post_form(
                &format!("{at}/approve"),
                Some(&me),
                &[("confirm", "Sốt xuất huyết tuần 40")],
            )
            .await;
        assert_eq!(r.status, 403);
        let page = app.get(&at, Some(&hung)).await;
        assert!(page.body.contains("id=\"approve-form\""), "{}", page.body);
        let r = app
            .post_form(
                &format!("{at}/approve"),
                Some(&hung),
                &[("confirm", "sốt xuất huyết")],
            )
            .await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(r.body.contains("Sốt xuất huyết tuần 40"), "{}", r.body);
        let r = app
            .post_form(
                &format!("{at}/approve"),
                Some(&hung),
                &[("confirm", "Sốt xuất huyết tuần 40")],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        let page = app.get(&at, Some(&viewer)).await;
        // Approved: queued, with progress per operator, and no dispatcher bound yet says so.
        assert!(page.body.contains("Đang gửi"), "{}", page.body);
        assert!(page.body.contains("id=\"progress-total\""), "{}", page.body);
        assert!(page.body.contains("id=\"no-binds\""), "{}", page.body);
        assert!(page.body.contains("http-equiv=\"refresh\""));
        // Progress per operator by name, the chart's title and a bind's state in Vietnamese.
        assert!(page.body.contains("<td>Viettel</td>"), "{}", page.body);
        assert!(
            page.body.contains(">Viettel</text>") && !page.body.contains(">viettel</text>"),
            "{}",
            page.body
        );
        assert!(page.body.contains("đã đến máy / đã nhận"), "{}", page.body);
        n.set_bind(&lantoa_notify::BindStatus {
            name: "sim#1@d1".into(),
            smsc: "sim".into(),
            owner: "d1".into(),
            state: "throttled".into(),
            detail: String::new(),
            tps: 100,
            window: 10,
            updated_at: 0,
        })
        .await
        .unwrap();
        let page = app.get(&at, Some(&viewer)).await;
        assert!(
            page.body.contains("sim#1@d1: SMSC đang hạn chế tốc độ"),
            "{}",
            page.body
        );
        assert!(!page.body.contains("id=\"approve-form\""));
        let home = app.get("/notify", Some(&viewer)).await;
        assert!(
            home.body.contains("Sốt xuất huyết tuần 40")
                && !home.body.contains("id=\"draft-campaign\"")
        );
    }

    /// A list file as an API request body (`POST /api/v1/notify/lists?…`).
    async fn api_list(app: &TestApp, query: &str, token: &str, body: &str) -> common::Resp {
        app.send(
            axum::http::Request::post(format!("/api/v1/notify/lists?{query}"))
                .header("authorization", format!("Bearer {token}"))
                .header("content-type", "text/csv")
                .body(axum::body::Body::from(body.to_owned()))
                .unwrap(),
        )
        .await
    }

    #[tokio::test]
    async fn another_system_sends_through_the_api_from_list_to_deliveries() {
        let app = TestApp::spawn().await;
        app.user("lan", vec![Role::Communicator]).await;
        app.user("hung", vec![Role::Approver]).await;
        app.user("xem", vec![Role::Viewer]).await;
        let lan = app.token("lan", &[]).await;
        let hung = app.token("hung", &[]).await;
        let viewer = app.token("xem", &[]).await;
        // The list: a viewer may not import; a file without a phone column keeps nothing and
        // says what the header has; the good file is taken with its refused row named.
        let r = api_list(&app, "name=Ba%20%C4%90%C3%ACnh", &viewer, LIST).await;
        assert_eq!(r.status, 403, "{}", r.body);
        let r = api_list(&app, "name=Sai", &lan, "Tên,Địa chỉ\nA,B\n").await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(r.error_message().contains("Địa chỉ"), "{}", r.body);
        let r = api_list(&app, "name=Ba%20%C4%90%C3%ACnh&so=1", &lan, LIST).await;
        assert_eq!(r.status, 400, "an unknown parameter is named: {}", r.body);
        let r = app
            .api("GET", "/api/v1/notify/lists", Some(&viewer), None)
            .await;
        assert_eq!(
            r.json()["lists"].as_array().unwrap().len(),
            0,
            "nothing kept: {}",
            r.body
        );
        let r = api_list(
            &app,
            "name=Ba%20%C4%90%C3%ACnh&file_name=ba-dinh.csv",
            &lan,
            LIST,
        )
        .await;
        assert_eq!(r.status, 201, "{}", r.body);
        let list = r.json()["list"].clone();
        assert_eq!(list["name"], "Ba Đình");
        assert_eq!(list["recipients"], 2);
        assert_eq!(list["refused"][0]["row"], 4, "{}", r.body);
        let list_id = list["id"].as_i64().unwrap();
        let r = app
            .api(
                "GET",
                &format!("/api/v1/notify/lists/{list_id}"),
                Some(&viewer),
                None,
            )
            .await;
        assert_eq!(r.json()["list"]["by_operator"]["viettel"], 1, "{}", r.body);
        // The cost of a text, before drafting.
        let r = app
            .api(
                "POST",
                "/api/v1/notify/cost",
                Some(&lan),
                Some(&format!(
                    r#"{{"body": "Kính gửi {{ten}}: hãy ngủ màn.", "list_id": {list_id}}}"#
                )),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.json()["estimate"]["recipients"], 2);
        assert_eq!(
            r.json()["estimate"]["sample"],
            "Kính gửi Nguyễn Thị Lan: hãy ngủ màn."
        );
        let r = app
            .api(
                "POST",
                "/api/v1/notify/cost",
                Some(&lan),
                Some(r#"{"text": "x"}"#),
            )
            .await;
        assert_eq!(r.status, 400, "{}", r.body);
        // A draft with a bad brandname names the field and keeps nothing; the good one comes
        // back with its plan.
        let draft = |brandname: &str| {
            format!(
                r#"{{"name": "Sốt xuất huyết tuần 41", "topic": "dengue", "brandname": "{brandname}", "body": "Kính gửi {{ten}}: hãy diệt lăng quăng.", "list_id": {list_id}}}"#
            )
        };
        let r = app
            .api(
                "POST",
                "/api/v1/notify/campaigns",
                Some(&lan),
                Some(&draft("Sở Y tế")),
            )
            .await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(r.error_message().starts_with("brandname:"), "{}", r.body);
        let r = app
            .api("GET", "/api/v1/notify/campaigns", Some(&lan), None)
            .await;
        assert_eq!(r.json()["campaigns"].as_array().unwrap().len(), 0);
        let r = app
            .api(
                "POST",
                "/api/v1/notify/campaigns",
                Some(&viewer),
                Some(&draft("SoYTe-HN")),
            )
            .await;
        assert_eq!(r.status, 403);
        let r = app
            .api(
                "POST",
                "/api/v1/notify/campaigns",
                Some(&lan),
                Some(&draft("SoYTe-HN")),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
        assert_eq!(r.json()["plan"]["recipients"], 2);
        let id = r.json()["campaign"]["id"].as_i64().unwrap();
        let at = format!("/api/v1/notify/campaigns/{id}");
        let r = app.api("GET", &at, Some(&lan), None).await;
        assert_eq!(
            r.json()["steps"],
            serde_json::json!(["submit", "cancel"]),
            "{}",
            r.body
        );
        let r = app.api("GET", &at, Some(&hung), None).await;
        assert_eq!(
            r.json()["steps"],
            serde_json::json!(["cancel"]),
            "{}",
            r.body
        );
        // Only the author submits; the author cannot approve; the approver types the name.
        let r = app
            .api("POST", &format!("{at}/submit"), Some(&hung), None)
            .await;
        assert_eq!(r.status, 403, "{}", r.body);
        let r = app
            .api("POST", &format!("{at}/submit"), Some(&lan), None)
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.json()["campaign"]["status"], "pending");
        let confirm = r#"{"confirm": "Sốt xuất huyết tuần 41"}"#;
        let r = app
            .api("POST", &format!("{at}/approve"), Some(&lan), Some(confirm))
            .await;
        assert_eq!(r.status, 403, "{}", r.body);
        let r = app
            .api(
                "POST",
                &format!("{at}/approve"),
                Some(&hung),
                Some(r#"{"confirm": "sốt"}"#),
            )
            .await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(r.error_message().starts_with("confirm:"), "{}", r.body);
        let r = app
            .api(
                "POST",
                &format!("{at}/approve"),
                Some(&hung),
                Some("{confirm"),
            )
            .await;
        assert_eq!(r.status, 400, "{}", r.body);
        let r = app
            .api("POST", &format!("{at}/publish"), Some(&hung), None)
            .await;
        assert_eq!(r.status, 404, "{}", r.body);
        let r = app
            .api("POST", &format!("{at}/approve"), Some(&hung), Some(confirm))
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.json()["campaign"]["status"], "sending");
        // Progress and deliveries (no dispatcher here: both messages wait in the queue).
        let r = app
            .api("GET", &format!("{at}/progress"), Some(&viewer), None)
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.json()["progress"]["total"]["queued"], 2, "{}", r.body);
        let r = app
            .api(
                "GET",
                &format!("{at}/deliveries?limit=1"),
                Some(&viewer),
                None,
            )
            .await;
        assert_eq!(r.json()["total"], 2, "{}", r.body);
        let first = &r.json()["deliveries"][0];
        assert_eq!(first["state"], "queued");
        let next = r.json()["next"].as_i64().unwrap();
        let r = app
            .api(
                "GET",
                &format!("{at}/deliveries?limit=1&after={next}"),
                Some(&viewer),
                None,
            )
            .await;
        assert_ne!(
            r.json()["deliveries"][0]["phone"],
            first["phone"],
            "{}",
            r.body
        );
        let r = app
            .api(
                "GET",
                &format!("{at}/deliveries?state=gone"),
                Some(&viewer),
                None,
            )
            .await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(r.error_message().starts_with("state:"), "{}", r.body);
        let r = app
            .api(
                "GET",
                &format!("{at}/deliveries?limit=5000"),
                Some(&viewer),
                None,
            )
            .await;
        assert_eq!(r.status, 422, "{}", r.body);
        let r = app
            .api(
                "GET",
                "/api/v1/notify/campaigns/999/deliveries",
                Some(&viewer),
                None,
            )
            .await;
        assert_eq!(r.status, 404, "{}", r.body);
        // Cancel: the queue is emptied.
        let r = app
            .api(
                "POST",
                &format!("{at}/cancel"),
                Some(&lan),
                Some(r#"{"note": "sai danh sách"}"#),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        let r = app
            .api(
                "GET",
                &format!("{at}/deliveries?state=cancelled"),
                Some(&viewer),
                None,
            )
            .await;
        assert_eq!(r.json()["total"], 2, "{}", r.body);
        let r = app
            .api("POST", &format!("{at}/cancel"), Some(&lan), None)
            .await;
        assert_eq!(
            r.status, 409,
            "a cancelled campaign is not cancelled twice: {}",
            r.body
        );
    }

    #[tokio::test]
    async fn a_text_is_costed_while_drafting_and_its_author_drops_its_diacritics_in_one_click() {
        let app = TestApp::spawn().await;
        let lan = app.user("lan", vec![Role::Communicator]).await;
        let me = app.browser(&lan).await;
        let viewer_user = app.user("xem", vec![Role::Viewer]).await;
        let viewer = app.browser(&viewer_user).await;
        let r = {
            let (ct, body) = list_form("Ba Đình", LIST);
            app.post_multipart("/notify/lists", &me, &ct, body).await
        };
        assert_eq!(r.status, 303, "{}", r.body);
        let n = app.state.notify.clone();
        let list_id = n.lists().await.unwrap()[0].id.to_string();
        // The fragment the form's script fetches as the text is typed.
        let body = "Kính gửi {ten}: mùa sốt xuất huyết, hãy diệt lăng quăng và ngủ màn.";
        let q = |text: &str| {
            let query =
                serde_urlencoded::to_string([("list_id", list_id.as_str()), ("body", text)])
                    .unwrap();
            format!("/notify/cost?{query}")
        };
        let r = app.get(&q(body), Some(&me)).await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert!(r.body.contains("id=\"cost-line\""), "{}", r.body);
        assert!(r.body.contains("2 người nhận"), "{}", r.body);
        assert!(r.body.contains("id=\"cost-unaccented\""), "{}", r.body);
        assert!(!r.body.contains("<html"), "a fragment, not a page");
        // A text that cannot be sent says why, where the cost would be.
        let r = app.get(&q("Chào {khong_co}"), Some(&me)).await;
        assert_eq!(r.status, 200);
        assert!(
            r.body.contains("id=\"cost-error\"") && r.body.contains("khong_co"),
            "{}",
            r.body
        );
        assert_eq!(app.get(&q(body), Some(&viewer)).await.status, 403);
        // Without JavaScript: "Preview cost" shows the form again with the figures, and
        // drafts nothing.
        let form = [
            ("name", "Sốt xuất huyết"),
            ("topic", "dengue"),
            ("brandname", "SoYTe-HN"),
            ("body", body),
            ("list_id", list_id.as_str()),
            ("preview", "1"),
        ];
        let r = app.post_form("/notify/campaigns", Some(&me), &form).await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert!(r.body.contains("id=\"cost-line\""), "{}", r.body);
        assert!(
            r.body.contains("hãy diệt lăng quăng"),
            "what was typed stays"
        );
        assert!(n.campaigns().await.unwrap().is_empty());
        // Drafted; the author swaps in the text without diacritics, fewer segments.
        let r = app
            .post_form("/notify/campaigns", Some(&me), &form[..5])
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        let c = n.campaigns().await.unwrap()[0].clone();
        let at = format!("/notify/campaigns/{}", c.id);
        let page = app.get(&at, Some(&viewer)).await;
        assert!(
            !page.body.contains("id=\"unaccented-form\""),
            "not for others"
        );
        assert_eq!(
            app.post_form(&format!("{at}/unaccented"), Some(&viewer), &[])
                .await
                .status,
            403
        );
        let page = app.get(&at, Some(&me)).await;
        assert!(
            page.body.contains("id=\"unaccented-form\""),
            "{}",
            page.body
        );
        let r = app
            .post_form(&format!("{at}/unaccented"), Some(&me), &[])
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        let page = app
            .get(r.headers["location"].to_str().unwrap(), Some(&me))
            .await;
        assert!(
            page.body.contains("Nội dung đã chuyển sang không dấu"),
            "{}",
            page.body
        );
        assert_eq!(
            n.campaign(c.id).await.unwrap().body,
            "Kinh gui {ten}: mua sot xuat huyet, hay diet lang quang va ngu man."
        );
        assert!(
            !page.body.contains("id=\"unaccented-form\""),
            "nothing left to drop"
        );
    }

    #[tokio::test]
    async fn figures_come_for_a_period_and_a_bad_period_says_which_end_is_wrong() {
        let app = TestApp::spawn().await;
        app.user("xem", vec![Role::Viewer]).await;
        let tok = app.token("xem", &[]).await;
        let r = app
            .api(
                "GET",
                "/api/v1/notify/figures?from=2026-11-01&to=2026-11-30",
                Some(&tok),
                None,
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        let f = r.json();
        assert_eq!(f["campaigns"], 0);
        assert_eq!(f["delivered_pct"], 0.0);
        // Midnight in Hà Nội, in microseconds since the epoch: 2026-10-31T17:00:00Z.
        assert_eq!(f["from"], 1_793_466_000_000_000i64);
        for (query, field) in [
            ("from=2026-13-01&to=2026-11-30", "from:"),
            ("from=2026-11-01&to=30/11/2026", "to:"),
            ("from=2026-11-30&to=2026-11-01", "to:"),
        ] {
            let r = app
                .api(
                    "GET",
                    &format!("/api/v1/notify/figures?{query}"),
                    Some(&tok),
                    None,
                )
                .await;
            assert_eq!(r.status, 422, "{query}: {}", r.body);
            assert!(r.error_message().starts_with(field), "{query}: {}", r.body);
        }
        let r = app
            .api(
                "GET",
                "/api/v1/notify/figures?from=2026-11-01&to=2026-11-30",
                None,
                None,
            )
            .await;
        assert_eq!(r.status, 401);
    }

    #[tokio::test]
    async fn opt_outs_come_through_the_api_and_the_console_and_bad_ones_say_why() {
        let app = TestApp::spawn().await;
        let lan = app.user("lan", vec![Role::Communicator]).await;
        app.user("xem", vec![Role::Viewer]).await;
        let tok = app.token("lan", &[]).await;
        let viewer = app.token("xem", &[]).await;
        let r = app
            .api(
                "POST",
                "/api/v1/notify/optouts",
                Some(&tok),
                Some(r#"{"phone": "+84 912 345 678"}"#),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
        assert_eq!(r.json()["phone"], "0912345678");
        let r = app
            .api(
                "POST",
                "/api/v1/notify/optouts",
                Some(&tok),
                Some(r#"{"phone": "12"}"#),
            )
            .await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(r.error_message().starts_with("phone:"), "{}", r.body);
        let r = app
            .api(
                "POST",
                "/api/v1/notify/optouts",
                Some(&tok),
                Some(r#"{"phone": "0912345678", "source": "sms"}"#),
            )
            .await;
        assert_eq!(r.status, 422);
        assert!(
            r.error_message().contains("is not one of reply"),
            "{}",
            r.body
        );
        let r = app
            .api(
                "POST",
                "/api/v1/notify/optouts",
                Some(&viewer),
                Some(r#"{"phone": "0912345678"}"#),
            )
            .await;
        assert_eq!(r.status, 403);
        let r = app
            .api(
                "POST",
                "/api/v1/notify/optouts",
                Some(&tok),
                Some(r#"{"phone": "0912345678", "so": 1}"#),
            )
            .await;
        assert_eq!(r.status, 400, "{}", r.body);
        // The Do-Not-Call file as a request body: a report of what was taken and refused.
        let r = app
            .send(
                axum::http::Request::post("/api/v1/notify/optouts/import?source=dnc")
                    .header("authorization", format!("Bearer {tok}"))
                    .header("content-type", "text/csv")
                    .body(axum::body::Body::from(
                        "so_dien_thoai\n0983456789\nkhong-phai-so\n0912345678\n",
                    ))
                    .unwrap(),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(
            r.json()["added"],
            1,
            "0912345678 was there already: {}",
            r.body
        );
        assert_eq!(r.json()["refused"][0]["row"], 3);
        // The console's form: ported numbers, with the refused rows shown.
        let me = app.browser(&lan).await;
        let boundary = "lantoa-numbers";
        let body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\nported\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"p.csv\"\r\n\r\nSĐT,Nhà mạng\n0912345678,MobiFone\n0983456789,Không rõ\n\r\n--{boundary}--\r\n"
        );
        let ct = format!("multipart/form-data; boundary={boundary}");
        let r = app.post_multipart("/notify/numbers", &me, &ct, body).await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert!(
            r.body
                .contains("Đã ghi nhận 1 số chuyển mạng; 1 dòng bị loại."),
            "{}",
            r.body
        );
        assert!(r.body.contains("Không rõ"), "the refused row is shown");
    }
}

mod plans {
    use super::*;

    const APPENDIX: &str = "STT,Nhiệm vụ,Đơn vị chủ trì,Thời gian hoàn thành\nI,Chính quyền số,,\n1,Kho dữ liệu mở,Sở Y tế Hà Nội,Quý II/2024\n";

    #[tokio::test]
    async fn a_planner_registers_a_plan_previews_and_stores_its_appendix() {
        let app = TestApp::with_demo_city().await;
        let ke = app.user("kehoach", vec![Role::Planner]).await;
        let ke = app.browser(&ke).await;
        let xem = app.user("xem", vec![Role::Viewer]).await;
        let xem = app.browser(&xem).await;
        let page = app.get("/plans", Some(&ke)).await;
        assert!(page.body.contains("id=\"plan-form\""), "{}", page.body);
        assert!(
            !app.get("/plans", Some(&xem))
                .await
                .body
                .contains("id=\"plan-form\"")
        );
        let form = [
            ("number", "239/KH-UBND"),
            ("issued_on", "27/09/2023"),
            ("issuer", "UBND thành phố Hà Nội"),
            ("title", "Chuyển đổi số"),
            ("from_year", "2023"),
            ("to_year", "2025"),
            ("implements", "18-NQ/TU"),
        ];
        assert_eq!(app.post_form("/plans", Some(&xem), &form).await.status, 403);
        // Years backwards: the form comes back as typed, naming the field.
        let mut bad = form;
        bad[5] = ("to_year", "2020");
        let r = app.post_form("/plans", Some(&ke), &bad).await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(
            r.body.contains("to_year") && r.body.contains("value=\"239&#x2f;KH-UBND\""),
            "{}",
            r.body
        );
        let r = app.post_form("/plans", Some(&ke), &form).await;
        assert_eq!(r.status, 303, "{}", r.body);
        let at = r.headers["location"].to_str().unwrap().to_owned();
        let page = app.get(&at, Some(&ke)).await;
        assert!(
            page.body
                .contains("Kế hoạch số 239&#x2f;KH-UBND ngày 27&#x2f;09&#x2f;2023"),
            "{}",
            page.body
        );
        assert!(page.body.contains("id=\"no-tasks\""));

        // A preview stores nothing; a refused row stores nothing; then the good file is stored.
        let (ct, body) = multipart("phu-luc.csv", APPENDIX);
        let r = app
            .post_multipart(&format!("{at}/import"), &ke, &ct, body)
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert!(
            r.body
                .contains("thêm 2, cập nhật 0, không đổi 0, bị từ chối 0"),
            "{}",
            r.body
        );
        assert!(r.body.contains("Xem trước: chưa lưu gì"), "{}", r.body);
        let bad = APPENDIX.replace("Sở Y tế Hà Nội", "Sở Không Có");
        let (ct, body) = multipart("phu-luc.csv", &bad);
        let r = app
            .post_multipart(&format!("{at}/import"), &ke, &ct, body.replace("\r\n--lantoa-test-boundary--", "\r\n--lantoa-test-boundary\r\nContent-Disposition: form-data; name=\"store\"\r\n\r\n1\r\n--lantoa-test-boundary--"))
            .await;
        assert!(
            r.body.contains("bị từ chối 1") && r.body.contains("Sở Không Có"),
            "{}",
            r.body
        );
        assert!(r.body.contains("Chưa lưu gì"), "{}", r.body);
        assert!(
            app.get(&at, Some(&ke))
                .await
                .body
                .contains("id=\"no-tasks\"")
        );
        let (ct, body) = multipart("phu-luc.csv", APPENDIX);
        let body = body.replace(
            "\r\n--lantoa-test-boundary--",
            "\r\n--lantoa-test-boundary\r\nContent-Disposition: form-data; name=\"store\"\r\n\r\n1\r\n--lantoa-test-boundary--",
        );
        let r = app
            .post_multipart(&format!("{at}/import"), &ke, &ct, body)
            .await;
        assert!(r.body.contains("Đã lưu."), "{}", r.body);
        let page = app.get(&at, Some(&xem)).await;
        assert!(page.body.contains("id=\"task-I.1\""), "{}", page.body);
        assert!(
            page.body.contains("Sở Y tế Hà Nội") && page.body.contains("30&#x2f;06&#x2f;2024"),
            "{}",
            page.body
        );
        // A viewer may not import.
        let (ct, body) = multipart("phu-luc.csv", APPENDIX);
        assert_eq!(
            app.post_multipart(&format!("{at}/import"), &xem, &ct, body)
                .await
                .status,
            403
        );
        assert_eq!(app.get("/plans/999", Some(&ke)).await.status, 404);

        // Sở Y tế's own account reports on its task; a percent over 100 is named; another
        // unit's account is refused; the plan shows the status.
        let yte = app.agency_named("Sở Y tế Hà Nội").await;
        let khcn = app
            .state
            .registry
            .find_by_name(
                lantoa_core::unit::UnitKind::Agency,
                "Sở Khoa học và Công nghệ Hà Nội",
            )
            .await
            .unwrap()[0]
            .id;
        let ytecv = app.user("ytecv", vec![Role::AgencyUploader]).await;
        app.state
            .accounts
            .set_unit("admin", ytecv.id, Some(yte))
            .await
            .unwrap();
        let ytecv = app.browser(&ytecv).await;
        let khcncv = app.user("khcncv", vec![Role::AgencyUploader]).await;
        app.state
            .accounts
            .set_unit("admin", khcncv.id, Some(khcn))
            .await
            .unwrap();
        let khcncv = app.browser(&khcncv).await;
        let plan_id: i64 = at.trim_start_matches("/plans/").parse().unwrap();
        let task = app
            .state
            .plans
            .task(plan_id, "I.1")
            .await
            .unwrap()
            .unwrap()
            .id;
        let page = app.get(&at, Some(&ytecv)).await;
        assert!(
            page.body.contains(&format!("id=\"task-report-{task}\"")),
            "{}",
            page.body
        );
        assert!(
            !app.get(&at, Some(&khcncv))
                .await
                .body
                .contains(&format!("id=\"task-report-{task}\""))
        );
        let url = format!("{at}/tasks/{task}/report");
        let report = |who: &common::Browser,
                      percent: &'static str,
                      file: Option<(&'static str, &'static str)>| {
            let (ct, body) = multipart_form(
                &[
                    ("status", "in_progress"),
                    ("percent", percent),
                    ("body", "Đã dựng kho"),
                ],
                file,
            );
            let (who, url) = (who.clone(), url.clone());
            let app = &app;
            async move { app.post_multipart(&url, &who, &ct, body).await }
        };
        let r = report(&ytecv, "120", None).await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(r.body.contains("percent"), "{}", r.body);
        let r = report(&khcncv, "50", None).await;
        assert_eq!(r.status, 403, "{}", r.body);
        // An evidence file of a kind not accepted: named, and the report is not kept.
        let r = report(&ytecv, "60", Some(("bien-ban.exe", "MZ..."))).await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(r.body.contains("bien-ban.exe"), "{}", r.body);
        assert!(app.state.plans.task_reports(task).await.unwrap().is_empty());
        let r = report(&ytecv, "60", Some(("bien-ban.pdf", "%PDF-1.4 biên bản"))).await;
        assert_eq!(r.status, 303, "{}", r.body);
        // The file is listed under the task and read back as sent.
        let page = app.get(&at, Some(&xem)).await;
        let sha = page
            .body
            .split(&format!("href=\"{at}/evidence/"))
            .nth(1)
            .map(|rest| rest[..64].to_owned())
            .unwrap_or_else(|| panic!("no evidence link: {}", page.body));
        let file = app.get(&format!("{at}/evidence/{sha}"), Some(&xem)).await;
        assert_eq!(file.status, 200);
        assert_eq!(file.body, "%PDF-1.4 biên bản");
        assert_eq!(file.headers["content-type"], "application/pdf");
        let page = app.get(&at, Some(&xem)).await;
        assert!(page.body.contains("đang triển khai · 60%"), "{}", page.body);
        assert!(page.body.contains("id=\"by-unit\""), "{}", page.body);
        // As the plan stood on a day before the report (a report on a past period links here):
        // the task had no report yet; the day is said; a malformed day is named.
        let then = app.get(&format!("{at}?on=2025-12-31"), Some(&xem)).await;
        assert_eq!(then.status, 200, "{}", then.body);
        assert!(
            then.body.contains("id=\"standing-on\"") && then.body.contains("31&#x2f;12&#x2f;2025"),
            "{}",
            then.body
        );
        assert!(
            !then.body.contains("đang triển khai · 60%"),
            "{}",
            then.body
        );
        // The day as officers write it is read; a day that does not exist is named.
        let same = app.get(&format!("{at}?on=31/12/2025"), Some(&xem)).await;
        assert_eq!(same.status, 200, "{}", same.body);
        let bad = app.get(&format!("{at}?on=31/13/2025"), Some(&xem)).await;
        assert_eq!(bad.status, 422, "{}", bad.body);
        assert!(
            bad.body
                .contains("31&#x2f;13&#x2f;2025&quot; không phải ngày"),
            "{}",
            bad.body
        );
        let list = app.get("/plans?on=2025-12-31", Some(&xem)).await;
        assert!(
            list.body.contains(&format!("href=\"{at}?on=2025-12-31\"")),
            "{}",
            list.body
        );
        assert_eq!(app.get("/plans?on=hôm-qua", Some(&xem)).await.status, 422);
        // The dashboard's charts: tasks by unit and the timeline, drawn on the server.
        for id in ["chart-by-unit", "chart-gantt"] {
            assert!(
                page.body
                    .contains("<svg xmlns=\"http://www.w3.org/2000/svg\"")
                    && page.body.contains(&format!("id=\"{id}\"")),
                "{id}: {}",
                page.body
            );
        }
        assert!(
            page.body
                .contains("<title>I.1 Kho dữ liệu mở: 01/04/2024 – 30/06/2024</title>"),
            "each timeline bar is titled with its task: {}",
            page.body
        );

        // Indicators: a target that is not "year: value" is named; a good one is defined; an
        // actual for a period is recorded and judged against the year's target.
        assert!(page.body.contains("id=\"no-indicators\""));
        let define = |targets: &'static str| {
            [
                ("code", "CQS-01"),
                ("name", "Hồ sơ trực tuyến toàn trình"),
                ("measure", "%"),
                ("pillar", "Chính quyền số"),
                ("baseline", "30"),
                ("direction", "higher"),
                ("targets", targets),
            ]
        };
        let url = format!("{at}/indicators");
        let r = app.post_form(&url, Some(&ke), &define("2024 = 50")).await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(
            r.body.contains("2024 = 50") && r.body.contains("năm: giá trị"),
            "{}",
            r.body
        );
        assert_eq!(
            app.post_form(&url, Some(&xem), &define("2024: 50"))
                .await
                .status,
            403
        );
        let r = app
            .post_form(&url, Some(&ke), &define("2023: 40; 2024: 50; 2025: 60"))
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        let ind = app.state.plans.indicators(plan_id).await.unwrap()[0].id;
        let r = app
            .post_form(
                &format!("{at}/indicators/{ind}/actual"),
                Some(&ke),
                &[
                    ("period", "Thường xuyên"),
                    ("value", "10"),
                    ("source", "Cổng"),
                ],
            )
            .await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(r.body.contains("period"), "{}", r.body);
        let year = chrono::Datelike::year(&lantoa_core::time::now()).clamp(2023, 2025);
        let r = app
            .post_form(
                &format!("{at}/indicators/{ind}/actual"),
                Some(&ke),
                &[
                    ("period", &format!("{year}")),
                    ("value", "55,5"),
                    ("source", "Cổng dịch vụ công"),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        let page = app.get(&at, Some(&xem)).await;
        let row = page.body.split("id=\"ind-CQS-01\"").nth(1).unwrap();
        assert!(row.contains("55.5"), "{row}");
    }
}

mod plan_reminders {
    use super::*;

    #[tokio::test]
    async fn the_reminders_page_lists_each_lead_units_digest_for_a_day() {
        let app = TestApp::with_demo_city().await;
        let plan = app
            .state
            .plans
            .create(
                "ke",
                &lantoa_plans::NewPlan {
                    number: "239/KH-UBND".into(),
                    issued_on: "27/09/2023".into(),
                    issuer: "UBND thành phố Hà Nội".into(),
                    title: "Chuyển đổi số".into(),
                    from_year: 2023,
                    to_year: 2025,
                    implements: String::new(),
                },
            )
            .await
            .unwrap();
        app.state
            .plans
            .import_appendix(
                "ke",
                plan.id,
                "STT,Nhiệm vụ,Đơn vị chủ trì,Thời gian hoàn thành\n1,Kho dữ liệu mở,Sở Y tế Hà Nội,30/06/2024\n".as_bytes(),
                true,
            )
            .await
            .unwrap();
        let xem = app.user("xem", vec![Role::Viewer]).await;
        let xem = app.browser(&xem).await;
        let page = app
            .get("/plans/reminders?date=2024-06-27", Some(&xem))
            .await;
        assert_eq!(page.status, 200, "{}", page.body);
        assert!(
            page.body.contains("<h2>Sở Y tế Hà Nội</h2>"),
            "{}",
            page.body
        );
        assert!(
            page.body
                .contains("30&#x2f;06&#x2f;2024 · 239&#x2f;KH-UBND 1 · Kho dữ liệu mở"),
            "{}",
            page.body
        );
        let page = app
            .get("/plans/reminders?date=2024-07-02", Some(&xem))
            .await;
        assert!(page.body.contains("class=\"overdue\""), "{}", page.body);
        // 1 May 2024: the Q1 progress report (due 20/3, Decree 09 cut-offs) was never sent.
        let page = app
            .get("/plans/reminders?date=2024-05-01", Some(&xem))
            .await;
        assert!(
            page.body.contains("Quý II&#x2f;2024, số liệu từ 15&#x2f;03&#x2f;2024 đến 14&#x2f;06&#x2f;2024, hạn gửi 20&#x2f;06&#x2f;2024"),
            "{}",
            page.body
        );
        assert!(
            page.body.contains("class=\"reports-due\"><li><strong class=\"status status-overdue\">20&#x2f;03&#x2f;2024</strong>"),
            "{}",
            page.body
        );
        // 1 October 2023, days after the plan was issued: nothing is owed yet.
        let page = app
            .get("/plans/reminders?date=2023-10-01", Some(&xem))
            .await;
        assert!(page.body.contains("id=\"no-reminders\""), "{}", page.body);
        // Reminders by SMS: without a focal point nobody can be reached, and that is named;
        // with one, the day's digests become a Notify campaign awaiting approval.
        let ke = app.user("kehoach", vec![Role::Planner]).await;
        let ke = app.browser(&ke).await;
        let r = app
            .post_form("/plans/reminders/sms", Some(&ke), &[("date", "2024-06-27")])
            .await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(r.body.contains("có đầu mối với số di động"), "{}", r.body);
        let yte = app.agency_named("Sở Y tế Hà Nội").await;
        let contact = [
            ("unit_id", yte.to_string()),
            ("name", "Nguyễn Văn Đầu Mối".to_owned()),
            ("phone", "0912 3456".to_owned()),
            ("date", "2024-06-27".to_owned()),
        ];
        let pairs: Vec<(&str, &str)> = contact.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let r = app
            .post_form("/plans/reminders/contact", Some(&ke), &pairs)
            .await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(r.body.contains("Số điện thoại có 8 chữ số"), "{}", r.body);
        let good: Vec<(&str, &str)> = pairs
            .iter()
            .map(|(k, v)| {
                if *k == "phone" {
                    (*k, "0912345678")
                } else {
                    (*k, *v)
                }
            })
            .collect();
        let r = app
            .post_form("/plans/reminders/contact", Some(&ke), &good)
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        let page = app.get("/plans/reminders?date=2024-06-27", Some(&ke)).await;
        assert!(
            page.body.contains("Nguyễn Văn Đầu Mối, 0912345678"),
            "{}",
            page.body
        );
        let r = app
            .post_form("/plans/reminders/sms", Some(&ke), &[("date", "2024-06-27")])
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        let campaigns = app.state.notify.campaigns().await.unwrap();
        let c = campaigns
            .iter()
            .find(|c| c.name == "Nhắc việc kế hoạch 27/06/2024")
            .unwrap();
        assert_eq!(
            (c.status.as_str(), c.topic.as_str()),
            ("pending", "nhac_viec")
        );
        let list = app.state.notify.list(c.list_id).await.unwrap();
        assert_eq!(list.recipients, 1);
        assert!(
            r.headers["location"]
                .to_str()
                .unwrap()
                .ends_with(&format!("/notify/campaigns/{}", c.id))
        );
        // Once a day: asked again (or by serve's morning task), the same campaign.
        let again = lantoa_web::reminders::send_sms(
            &app.state,
            "lantoa",
            chrono::NaiveDate::from_ymd_opt(2024, 6, 27).unwrap(),
        )
        .await
        .unwrap();
        assert_eq!(again, Some(c.id));
        let reminders = app
            .state
            .notify
            .campaigns()
            .await
            .unwrap()
            .iter()
            .filter(|x| x.topic == "nhac_viec")
            .count();
        assert_eq!(reminders, 1);
        let bad = app.get("/plans/reminders?date=mai", Some(&xem)).await;
        assert_eq!(bad.status, 422, "{}", bad.body);
        assert!(bad.body.contains("mai"), "{}", bad.body);
    }
}

mod plan_committee {
    use super::*;

    #[tokio::test]
    async fn a_planner_keeps_the_committee_and_puts_a_section_under_a_member() {
        let app = TestApp::with_demo_city().await;
        let plan = app
            .state
            .plans
            .create(
                "kehoach",
                &lantoa_plans::NewPlan {
                    number: "239/KH-UBND".into(),
                    issued_on: "27/09/2023".into(),
                    issuer: "UBND thành phố Hà Nội".into(),
                    title: "Chuyển đổi số".into(),
                    from_year: 2023,
                    to_year: 2025,
                    implements: String::new(),
                },
            )
            .await
            .unwrap();
        app.state
            .plans
            .import_appendix(
                "kehoach",
                plan.id,
                "STT,Nhiệm vụ,Đơn vị chủ trì,Thời gian hoàn thành\nI,Chính quyền số,,\n1,Kho dữ liệu mở,Sở Y tế Hà Nội,Quý II/2024\n2,Báo cáo năm,Sở Y tế Hà Nội,Hằng năm\n".as_bytes(),
                true,
            )
            .await
            .unwrap();
        let ke = app.user("kehoach", vec![Role::Planner]).await;
        let ke = app.browser(&ke).await;
        let xem = app.user("xem", vec![Role::Viewer]).await;
        let xem = app.browser(&xem).await;
        let page = app.get("/plans/committee", Some(&ke)).await;
        assert!(
            page.body.contains("id=\"no-members\"") && page.body.contains("id=\"member-form\""),
            "{}",
            page.body
        );
        let form = [
            ("name", "Trần Văn A"),
            ("position", "Phó Chủ tịch UBND thành phố"),
            ("role", "deputy"),
            ("fields", "Chính quyền số; Kinh tế số"),
            ("phone", "0912 34"),
        ];
        assert_eq!(
            app.post_form("/plans/committee", Some(&xem), &form)
                .await
                .status,
            403
        );
        // A bad phone: named, the form back as typed, nothing kept.
        let r = app.post_form("/plans/committee", Some(&ke), &form).await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(
            r.body.contains("phone") && r.body.contains("value=\"Trần Văn A\""),
            "{}",
            r.body
        );
        assert!(app.state.plans.members().await.unwrap().is_empty());
        let mut good = form;
        good[4] = ("phone", "0912345678");
        let r = app.post_form("/plans/committee", Some(&ke), &good).await;
        assert_eq!(r.status, 303, "{}", r.body);
        let page = app.get("/plans/committee", Some(&xem)).await;
        assert!(
            page.body.contains("Chính quyền số; Kinh tế số")
                && page.body.contains("Phó Trưởng ban"),
            "{}",
            page.body
        );
        let member = app.state.plans.members().await.unwrap()[0].id;

        // Section I under the member: the plan's summary by member counts its two tasks; an
        // unknown code is named.
        let at = format!("/plans/{}", plan.id);
        let r = app
            .post_form(
                &format!("{at}/assign"),
                Some(&ke),
                &[("code", "IX"), ("member", &member.to_string())],
            )
            .await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(
            r.body.contains("Kế hoạch không có nhiệm vụ hay mục"),
            "{}",
            r.body
        );
        let r = app
            .post_form(
                &format!("{at}/assign"),
                Some(&ke),
                &[("code", "I"), ("member", &member.to_string())],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        let page = app.get(&at, Some(&xem)).await;
        let table = page.body.split("id=\"by-member\"").nth(1).unwrap();
        assert!(
            table.contains("<td>Trần Văn A (Phó Chủ tịch UBND thành phố)</td><td>2</td>"),
            "{}",
            page.body
        );
        // The summary for the leadership: both tasks are overdue today (Q2/2024; yearly work
        // with no report), under the member.
        let page = app.get(&format!("{at}/escalation"), Some(&xem)).await;
        assert_eq!(page.status, 200, "{}", page.body);
        let mine = page
            .body
            .split(&format!("id=\"member-{member}\""))
            .nth(1)
            .unwrap();
        assert!(
            mine.contains("Kho dữ liệu mở") && mine.contains("Báo cáo năm"),
            "{}",
            page.body
        );
        assert!(
            page.body.contains("id=\"escalation-units\""),
            "{}",
            page.body
        );
        // Leaving: recorded, and no longer offered for assignment.
        let r = app
            .post_form(
                &format!("/plans/committee/{member}/active"),
                Some(&ke),
                &[("active", "0")],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        assert!(!app.state.plans.member(member).await.unwrap().active);
        assert!(
            !app.get(&at, Some(&ke))
                .await
                .body
                .contains("id=\"as-member\"")
        );
    }
}

mod plan_dti {
    use super::*;

    #[tokio::test]
    async fn a_planner_enters_the_self_assessment_and_results_and_the_years_are_compared() {
        let app = TestApp::spawn().await;
        let ke = app.user("kehoach", vec![Role::Planner]).await;
        let ke = app.browser(&ke).await;
        let xem = app.user("xem", vec![Role::Viewer]).await;
        let xem = app.browser(&xem).await;
        let page = app.get("/plans/dti?year=2023", Some(&xem)).await;
        assert!(
            page.body.contains("id=\"no-dti\"")
                && page.body.contains("Quyết định 922&#x2f;QĐ-BTTTT"),
            "{}",
            page.body
        );
        assert!(
            !page.body.contains("id=\"score-1.1\""),
            "a viewer sees no inputs"
        );
        assert!(page.body.contains("id=\"dti-mains-only\""), "{}", page.body);
        let page = app.get("/plans/dti?year=2025", Some(&ke)).await;
        assert!(
            page.body.contains("id=\"dti-not-loaded\"")
                && !page.body.contains("id=\"score-1.1\"")
                && page.body.contains("id=\"result-form\""),
            "{}",
            page.body
        );
        let scores = [
            ("score-1.1", "8"),
            ("evidence-1.1", "Kế hoạch 239"),
            ("score-1.2", "12"),
            ("evidence-1.2", "x"),
            ("score-1.3", ""),
        ];
        assert_eq!(
            app.post_form("/plans/dti/2023/scores", Some(&xem), &scores)
                .await
                .status,
            403
        );
        // 1.2 is worth 10 points: named; 1.1 is not stored either.
        let r = app
            .post_form("/plans/dti/2023/scores", Some(&ke), &scores)
            .await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(
            r.body.contains("1.2: 12 không phải điểm từ 0 đến 10"),
            "{}",
            r.body
        );
        let fw = lantoa_plans::Frameworks::builtin().unwrap();
        assert_eq!(
            app.state
                .plans
                .dti_assessment(&fw, 2023)
                .await
                .unwrap()
                .total,
            None
        );
        let mut good = scores;
        good[2] = ("score-1.2", "6");
        let r = app
            .post_form("/plans/dti/2023/scores", Some(&ke), &good)
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        let page = app.get("/plans/dti?year=2023", Some(&xem)).await;
        // 14 of awareness's 100 points; 14 of the 1,000 in total.
        assert!(
            page.body.contains("id=\"dti-total\">0.0140<"),
            "{}",
            page.body
        );
        // Results: a rank beyond the provinces is named; two years give the places gained.
        let r = app
            .post_form(
                "/plans/dti/2023/result",
                Some(&ke),
                &[("rank", "70"), ("of_count", "63"), ("source", "dti.gov.vn")],
            )
            .await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(r.body.contains("rank"), "{}", r.body);
        for (year, rank, of) in [("2022", "24", "63"), ("2023", "6", "63")] {
            let r = app
                .post_form(
                    &format!("/plans/dti/{year}/result"),
                    Some(&ke),
                    &[
                        ("rank", rank),
                        ("of_count", of),
                        ("index_value", ""),
                        ("source", "dti.gov.vn"),
                    ],
                )
                .await;
            assert_eq!(r.status, 303, "{}", r.body);
        }
        let page = app.get("/plans/dti", Some(&xem)).await;
        assert!(page.body.contains("<td>6/63 (+18)</td>"), "{}", page.body);
        assert!(page.body.contains("id=\"chart-dti\""), "{}", page.body);
        let en = common::Browser {
            cookie: format!("{}; lantoa_lang=en", xem.cookie),
            csrf: xem.csrf.clone(),
        };
        let en = app.get("/plans/dti", Some(&en)).await;
        assert!(
            en.body.contains("Year over year") && en.body.contains("Self-assessment 2023"),
            "{}",
            en.body
        );
    }
}

mod plan_measures {
    use super::*;

    #[tokio::test]
    async fn an_indicator_computed_from_open_data_is_read_through_its_service() {
        let app = TestApp::spawn().await;
        let od = app.load_open_data_demo().await;
        let published = od.public_datasets().await.unwrap().len();
        assert!(published > 0, "the demo publishes datasets");
        let plan = app
            .state
            .plans
            .create(
                "kehoach",
                &lantoa_plans::NewPlan {
                    number: "239/KH-UBND".into(),
                    issued_on: "27/09/2023".into(),
                    issuer: "UBND thành phố Hà Nội".into(),
                    title: "Chuyển đổi số".into(),
                    from_year: 2023,
                    to_year: 2035,
                    implements: String::new(),
                },
            )
            .await
            .unwrap();
        let ke = app.user("kehoach", vec![Role::Planner]).await;
        let ke = app.browser(&ke).await;
        let at = format!("/plans/{}", plan.id);
        let define = |computed: &'static str| {
            [
                ("code", "XHS-02"),
                ("name", "Bộ dữ liệu mở được công bố"),
                ("measure", "bộ"),
                ("pillar", "Xã hội số"),
                ("baseline", ""),
                ("direction", "higher"),
                ("targets", ""),
                ("computed_from", computed),
            ]
        };
        // A measure the console does not compute is named; nothing is defined.
        let r = app
            .post_form(
                &format!("{at}/indicators"),
                Some(&ke),
                &define("opendata.rows"),
            )
            .await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(
            r.body.contains("computed_from") && r.body.contains("opendata.rows"),
            "{}",
            r.body
        );
        assert!(
            app.state
                .plans
                .indicators(plan.id)
                .await
                .unwrap()
                .is_empty()
        );
        let r = app
            .post_form(
                &format!("{at}/indicators"),
                Some(&ke),
                &define("opendata.public_datasets"),
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        let r = app
            .post_form(&format!("{at}/indicators/refresh"), Some(&ke), &[])
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert!(
            r.body
                .contains(&format!("XHS-02 · opendata.public_datasets: {published}")),
            "{}",
            r.body
        );
        let year = chrono::Datelike::year(&lantoa_core::time::now().date_naive());
        let s = app.state.plans.standings(plan.id, year).await.unwrap();
        assert_eq!(s[0].actual.map(|(_, v)| v), Some(published as f64));
        // The green set, adopted twice: seven indicators once.
        for _ in 0..2 {
            let r = app
                .post_form(&format!("{at}/indicators/green"), Some(&ke), &[])
                .await;
            assert_eq!(r.status, 303, "{}", r.body);
        }
        let green = app
            .state
            .plans
            .indicators(plan.id)
            .await
            .unwrap()
            .iter()
            .filter(|i| i.pillar == "Chuyển đổi số xanh")
            .count();
        assert_eq!(green, 7);
    }
}

mod alerts {
    use super::*;

    fn form(status: &'static str, expires: String) -> Vec<(&'static str, String)> {
        vec![
            ("status", status.into()),
            ("msg_type", "Alert".into()),
            ("refers_to", String::new()),
            ("category", "Met".into()),
            ("event", "Bão số 9".into()),
            ("urgency", "Expected".into()),
            ("severity", "Severe".into()),
            ("certainty", "Likely".into()),
            ("headline", "Bão số 9 gây mưa rất to".into()),
            ("description", "Gió mạnh cấp 8–9.".into()),
            ("instruction", "Hạn chế ra đường.".into()),
            ("expires", expires),
            ("communes", "00004".into()),
            ("communes", "00008".into()),
            ("feed", "1".into()),
        ]
    }

    #[tokio::test]
    async fn alerts_are_issued_as_cap_and_only_actual_ones_reach_the_public() {
        let app = TestApp::spawn().await;
        let tt = app.user("truyenthong", vec![Role::Communicator]).await;
        let tt = app.browser(&tt).await;
        let xem = app.user("xem", vec![Role::Viewer]).await;
        let xem = app.browser(&xem).await;
        let later = (lantoa_core::time::now() + chrono::Duration::days(1))
            .format("%Y-%m-%dT%H:%M")
            .to_string();
        let post = |who: &common::Browser, f: Vec<(&'static str, String)>| {
            let who = who.clone();
            let app = &app;
            async move {
                let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
                app.post_form("/notify/alerts", Some(&who), &pairs).await
            }
        };
        assert_eq!(post(&xem, form("Test", later.clone())).await.status, 403);
        // An expiry in the past: named, the form kept, nothing stored.
        let r = post(&tt, form("Actual", "2020-01-01T08:00".into())).await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(
            r.body.contains("expires") && r.body.contains("value=\"Bão số 9 gây mưa rất to\""),
            "{}",
            r.body
        );
        let n = &app.state.notify;
        assert!(n.alerts(false, 10).await.unwrap().is_empty());
        // A test alert: marked in the console, absent from every public place.
        assert_eq!(post(&tt, form("Test", later.clone())).await.status, 303);
        let test = n.alerts(false, 10).await.unwrap()[0].clone();
        let page = app.get("/notify/alerts", Some(&xem)).await;
        assert!(
            page.body.contains("Thử nghiệm: KHÔNG CÔNG KHAI"),
            "{}",
            page.body
        );
        // CAP's words in Vietnamese: the list, and the form's choices (whose values stay CAP's).
        assert!(
            page.body
                .contains("<span title=\"Alert\">Cảnh báo mới</span>"),
            "{}",
            page.body
        );
        let form_page = app.get("/notify/alerts", Some(&tt)).await;
        for shown in [
            "<option value=\"Immediate\">Hành động ngay</option>",
            "<option value=\"Extreme\">Đặc biệt nghiêm trọng</option>",
            "<option value=\"Observed\">Đã xảy ra</option>",
            "<option value=\"Met\">Khí tượng, thủy văn</option>",
            ">Mức khẩn cấp</label>",
        ] {
            assert!(
                form_page.body.contains(shown),
                "{shown}: {}",
                form_page.body
            );
        }
        assert!(!form_page.body.contains(">Urgency</label>"));
        assert_eq!(
            app.get(&format!("/alerts/{}", test.id), None).await.status,
            404
        );
        assert_eq!(
            app.get(&format!("/alerts/{}/cap.xml", test.id), None)
                .await
                .status,
            404
        );
        // An actual alert waits for a second person; its author sees no approve button.
        assert_eq!(post(&tt, form("Actual", later)).await.status, 303);
        let pending = n.alerts(false, 10).await.unwrap()[0].clone();
        assert_eq!(pending.state, "pending");
        assert_eq!(
            app.get(&format!("/alerts/{}", pending.id), None)
                .await
                .status,
            404
        );
        let page = app.get("/notify/alerts", Some(&tt)).await;
        assert!(
            page.body
                .contains(&format!("id=\"pending-{}\"", pending.id))
                && !page
                    .body
                    .contains(&format!("id=\"approve-{}\"", pending.id)),
            "{}",
            page.body
        );
        let r = app
            .post_form(
                &format!("/notify/alerts/{}/approve", pending.id),
                Some(&tt),
                &[],
            )
            .await;
        assert_eq!(r.status, 409, "{}", r.body);
        let pd = app.user("pheduyet", vec![Role::Approver]).await;
        let pd = app.browser(&pd).await;
        assert!(
            app.get("/notify/alerts", Some(&pd))
                .await
                .body
                .contains(&format!("id=\"approve-{}\"", pending.id))
        );
        let r = app
            .post_form(
                &format!("/notify/alerts/{}/approve", pending.id),
                Some(&pd),
                &[],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        // Approved: public, with no sign-in.
        let live = n.alerts(true, 10).await.unwrap()[0].clone();
        assert_eq!(live.id, pending.id);
        let page = app.get(&format!("/alerts/{}", live.id), None).await;
        assert_eq!(page.status, 200, "{}", page.body);
        assert!(
            page.body.contains("Phường Ba Đình, Phường Ngọc Hà"),
            "{}",
            page.body
        );
        let cap = app.get(&format!("/alerts/{}/cap.xml", live.id), None).await;
        assert_eq!(
            cap.headers["content-type"],
            "application/cap+xml; charset=utf-8"
        );
        let read = lantoa_notify::cap::Alert::from_xml(&cap.body).unwrap();
        assert_eq!(read, live.cap().unwrap());
        let feed = app.get("/alerts/feed.atom", None).await;
        assert_eq!(feed.status, 200);
        assert_eq!(feed.body.matches("<entry>").count(), 1, "{}", feed.body);
        assert!(
            feed.body.contains(&format!("/alerts/{}/cap.xml", live.id)),
            "{}",
            feed.body
        );
        let list = app.get("/alerts", None).await;
        assert!(
            list.body.contains("Bão số 9 gây mưa rất to")
                && !list.body.contains(&format!("/alerts/{}\"", test.id)),
            "{}",
            list.body
        );

        // Another agency's CAP: a bad one names the element and keeps nothing; a good one is kept.
        let bad = live.xml.replace("<urgency>Expected</urgency>", "");
        let (ct, body) = multipart("canh-bao.xml", &bad);
        let r = app
            .post_multipart("/notify/alerts/import", &tt, &ct, body)
            .await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(
            r.body
                .contains("Văn bản CAP, phần &lt;info&#x2f;urgency&gt;: bắt buộc nhưng không có"),
            "{}",
            r.body
        );
        assert_eq!(n.alerts(false, 10).await.unwrap().len(), 2);
        let theirs = live
            .xml
            .replace(&live.identifier, "NCHMF-1")
            .replace(&live.sender, "canhbao@nchmf.example");
        // One claiming the city's own sender is refused; nothing kept.
        let forged = live.xml.replace(&live.identifier, "GIA-MAO-1");
        let (ct, body) = multipart("canh-bao.xml", &forged);
        let r = app
            .post_multipart("/notify/alerts/import", &tt, &ct, body)
            .await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert_eq!(n.alerts(false, 10).await.unwrap().len(), 2);
        let (ct, body) = multipart("canh-bao.xml", &theirs);
        let r = app
            .post_multipart("/notify/alerts/import", &tt, &ct, body)
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        // Kept as theirs, and off the public feed until a second person approves it.
        assert_eq!(n.alerts(true, 10).await.unwrap().len(), 1);
        let at = r.headers["location"].to_str().unwrap().to_owned();
        let id: i64 = at.rsplit('/').next().unwrap().parse().unwrap();
        let page = app.get(&at, Some(&tt)).await;
        assert!(
            page.body.contains("nhận từ canhbao@nchmf.example")
                && !page.body.contains("id=\"approve\""),
            "{}",
            page.body
        );
        assert!(!app.get("/alerts", None).await.body.contains("NCHMF"));
        assert_eq!(app.get(&format!("/alerts/{id}"), None).await.status, 404);
        let r = app
            .post_form(&format!("/notify/alerts/{id}/approve"), Some(&pd), &[])
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        assert_eq!(n.alerts(true, 10).await.unwrap().len(), 2);
        let public = app.get(&format!("/alerts/{id}"), None).await;
        assert!(
            public.body.contains("nhận từ canhbao@nchmf.example"),
            "{}",
            public.body
        );
        // Its page offers to forward it; the form comes filled from it, naming it.
        assert!(
            app.get(&at, Some(&tt))
                .await
                .body
                .contains("id=\"forward\"")
        );
        let form = app
            .get(&format!("/notify/alerts?forward={id}"), Some(&tt))
            .await;
        assert!(
            form.body.contains("id=\"forwarding\"")
                && form
                    .body
                    .contains(&format!("<option value=\"{id}\" selected>"))
                && form.body.contains("value=\"Bão số 9 gây mưa rất to\""),
            "{}",
            form.body
        );

        // An alert the operators are asked to broadcast shows its trail per operator.
        let with_operators = n
            .clone()
            .with_broadcast(vec![lantoa_notify::broadcast::Endpoint {
                operator: "viettel".into(),
                url: "http://127.0.0.1:9/cap".into(),
                token: None,
            }]);
        let mut storm = lantoa_notify::NewAlert {
            status: "Actual".into(),
            msg_type: "Alert".into(),
            category: "Met".into(),
            event: "Bão số 10".into(),
            urgency: "Immediate".into(),
            severity: "Extreme".into(),
            certainty: "Observed".into(),
            headline: "Bão số 10".into(),
            expires: (lantoa_core::time::now() + chrono::Duration::days(1))
                .format("%Y-%m-%dT%H:%M")
                .to_string(),
            communes: vec!["00004".into()],
            ..Default::default()
        };
        storm.broadcast = true;
        let b = with_operators
            .issue_alert("truyenthong", "canhbao@lantoa.invalid", &storm)
            .await
            .unwrap();
        let page = app.get("/notify/alerts", Some(&xem)).await;
        assert!(
            page.body.contains("gửi khi được phê duyệt"),
            "{}",
            page.body
        );
        with_operators
            .approve_alert("pheduyet", b.id)
            .await
            .unwrap();
        let page = app.get("/notify/alerts", Some(&xem)).await;
        assert!(
            page.body.contains(&format!(
                "id=\"broadcasts-{}\"><li>viettel: chờ nhà mạng (0 lần gửi)",
                b.id
            )),
            "{}",
            page.body
        );
    }
}

mod speakers {
    use super::*;

    fn between<'a>(body: &'a str, start: &str, end: &str) -> &'a str {
        let from = body
            .find(start)
            .unwrap_or_else(|| panic!("{start} in {body}"))
            + start.len();
        let len = body[from..].find(end).unwrap();
        &body[from..from + len]
    }

    /// Communes typed by name, with or without tone marks, instead of picked from 126: an
    /// unknown one is named with what it may mean, the form kept; known ones reach their
    /// clusters.
    #[tokio::test]
    async fn a_bulletin_reaches_the_communes_typed_by_name() {
        let app = TestApp::spawn().await;
        let tt = app.user("truyenthong", vec![Role::Communicator]).await;
        let tt = app.browser(&tt).await;
        let mut tokens = Vec::new();
        for (name, commune) in [
            ("Cụm loa Ba Đình 1", "00004"),
            ("Cụm loa Hoàn Kiếm 1", "00070"),
        ] {
            let r = app
                .post_form(
                    "/notify/speakers/clusters",
                    Some(&tt),
                    &[("name", name), ("commune", commune)],
                )
                .await;
            tokens.push(between(&r.body, "id=\"cluster-token\">", "<").to_owned());
        }
        let page = app.get("/notify/speakers", Some(&tt)).await;
        assert!(
            page.body.contains("id=\"b-communes-typed\"")
                && page.body.contains("<option value=\"Phường Hoàn Kiếm\">"),
            "{}",
            page.body
        );
        let tomorrow = (lantoa_core::time::now() + chrono::Duration::days(1))
            .format("%Y-%m-%d")
            .to_string();
        let send = |typed: &'static str| {
            let (tt, tomorrow, app) = (tt.clone(), tomorrow.clone(), &app);
            async move {
                app.post_form(
                    "/notify/speakers/bulletins",
                    Some(&tt),
                    &[
                        ("title", "Lịch tiêm chủng"),
                        ("body", "Trạm y tế tiêm chủng lúc 7h30."),
                        ("communes_typed", typed),
                        ("from", &tomorrow),
                        ("times", "06:30"),
                    ],
                )
                .await
            }
        };
        let r = send("Hoàn Kiếm, Hoàn").await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(
            r.body.contains("có phải là: Phường Hoàn Kiếm (00070)")
                && r.body.contains("value=\"Hoàn Kiếm, Hoàn\""),
            "{}",
            r.body
        );
        for t in &tokens {
            let r = app.api("GET", "/speakers/v1/playlist", Some(t), None).await;
            assert_eq!(
                r.json()["plays"],
                serde_json::json!([]),
                "nothing scheduled"
            );
        }
        let r = send("hoan kiem; Phường Ba Đình").await;
        assert_eq!(r.status, 303, "{}", r.body);
        for t in &tokens {
            let r = app.api("GET", "/speakers/v1/playlist", Some(t), None).await;
            assert_eq!(r.json()["plays"].as_array().unwrap().len(), 1, "{}", r.body);
        }
    }

    #[tokio::test]
    async fn clusters_pull_only_their_own_playlist_and_a_revoked_token_is_refused() {
        let app = TestApp::spawn().await;
        let tt = app.user("truyenthong", vec![Role::Communicator]).await;
        let tt = app.browser(&tt).await;
        let add = |name: &'static str, commune: &'static str| {
            let tt = tt.clone();
            let app = &app;
            async move {
                let r = app
                    .post_form(
                        "/notify/speakers/clusters",
                        Some(&tt),
                        &[("name", name), ("commune", commune)],
                    )
                    .await;
                assert_eq!(r.status, 200, "{}", r.body);
                between(&r.body, "id=\"cluster-token\">", "<").to_owned()
            }
        };
        let mine = add("Cụm loa Ba Đình 1", "00004").await;
        let theirs = add("Cụm loa Hoàn Kiếm 1", "00070").await;
        // A bad commune: named, the name kept in the form, nothing added.
        let r = app
            .post_form(
                "/notify/speakers/clusters",
                Some(&tt),
                &[("name", "Cụm loa X"), ("commune", "99999")],
            )
            .await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(
            r.body.contains("99999") && r.body.contains("value=\"Cụm loa X\""),
            "{}",
            r.body
        );
        let tomorrow = (lantoa_core::time::now() + chrono::Duration::days(1))
            .format("%Y-%m-%d")
            .to_string();
        let bulletin = |times: &'static str| {
            let tt = tt.clone();
            let tomorrow = tomorrow.clone();
            let app = &app;
            async move {
                app.post_form(
                    "/notify/speakers/bulletins",
                    Some(&tt),
                    &[
                        ("title", "Lịch tiêm chủng"),
                        ("body", "Trạm y tế phường tiêm chủng ngày 5/12 lúc 7h30."),
                        ("communes", "00004"),
                        ("from", &tomorrow),
                        ("times", times),
                        ("repeats", "2"),
                    ],
                )
                .await
            }
        };
        let r = bulletin("6:3O").await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(
            r.body.contains("times") && r.body.contains("value=\"Lịch tiêm chủng\""),
            "{}",
            r.body
        );
        assert_eq!(bulletin("06:30, 17:00").await.status, 303);
        let page = app.get("/notify/speakers", Some(&tt)).await;
        assert!(
            page.body.contains("Lịch tiêm chủng") && page.body.contains("ngày năm tháng mười hai"),
            "the text as read: {}",
            page.body
        );
        assert!(page.body.contains("id=\"covered\">2 / "), "{}", page.body);

        // The device API: its own playlist only.
        let r = app
            .api("GET", "/speakers/v1/playlist", Some(&mine), None)
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        let list: serde_json::Value = serde_json::from_str(&r.body).unwrap();
        let plays = list["plays"].as_array().unwrap();
        assert_eq!(plays.len(), 2);
        let (play, b) = (
            plays[0]["play"].as_i64().unwrap(),
            plays[0]["bulletin"].as_i64().unwrap(),
        );
        let r = app
            .api("GET", "/speakers/v1/playlist", Some(&theirs), None)
            .await;
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&r.body).unwrap()["plays"],
            serde_json::json!([])
        );
        let audio = |tok: String| {
            let app = &app;
            async move {
                app.api("GET", &format!("/speakers/v1/audio/{b}"), Some(&tok), None)
                    .await
            }
        };
        assert_eq!(audio(theirs.clone()).await.status, 404);
        let wav = audio(mine.clone()).await;
        assert_eq!(
            (
                wav.status.as_u16(),
                wav.headers["content-type"].to_str().unwrap()
            ),
            (200, "audio/wav")
        );
        let report = |tok: String, body: &'static str| {
            let app = &app;
            async move {
                app.api(
                    "POST",
                    &format!("/speakers/v1/plays/{play}"),
                    Some(&tok),
                    Some(body),
                )
                .await
            }
        };
        assert_eq!(
            report(theirs.clone(), r#"{"outcome":"played"}"#)
                .await
                .status,
            404
        );
        let r = report(mine.clone(), r#"{"outcome":"played","x":1}"#).await;
        assert_eq!(r.status, 400, "{}", r.body);
        let r = report(mine.clone(), r#"{"outcome":"sung"}"#).await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(r.body.contains("outcome"), "{}", r.body);
        assert_eq!(
            report(mine.clone(), r#"{"outcome":"played"}"#).await.status,
            200
        );
        // No token, a user's API token: refused.
        assert_eq!(
            app.api("GET", "/speakers/v1/playlist", None, None)
                .await
                .status,
            401
        );
        let user_token = app.token("truyenthong", &[]).await;
        assert_eq!(
            app.api("GET", "/speakers/v1/playlist", Some(&user_token), None)
                .await
                .status,
            401
        );
        // Revoked from the console: refused, saying so.
        let n = &app.state.notify;
        let id = n.device(&mine).await.unwrap().id;
        let pd = app.user("pheduyet", vec![Role::Approver]).await;
        let pd = app.browser(&pd).await;
        let r = app
            .post_form(
                &format!("/notify/speakers/clusters/{id}/revoke"),
                Some(&pd),
                &[],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        let r = app
            .api("GET", "/speakers/v1/playlist", Some(&mine), None)
            .await;
        assert_eq!(r.status, 401);
        assert!(r.body.contains("revoked"), "{}", r.body);
    }

    #[tokio::test]
    async fn a_campaign_is_also_read_out_from_its_own_page() {
        let app = TestApp::spawn().await;
        let n = app.state.notify.clone();
        n.add_cluster("setup", "Cụm loa Ba Đình", "00004")
            .await
            .unwrap();
        let csv = "Họ tên,Số điện thoại,Phường/xã\nA,0981000001,Phường Ba Đình\n";
        let (list, _) = n
            .import_list("setup", "Dân cư", "l.csv", csv.as_bytes())
            .await
            .unwrap();
        let c = n
            .create_campaign(
                "setup",
                &lantoa_notify::NewCampaign {
                    name: "Lịch cắt điện".into(),
                    topic: "power".into(),
                    brandname: "EVN-HN".into(),
                    body: "Cắt điện từ 8h đến 11h ngày 3/12.".into(),
                    list_id: list.id,
                    communes: vec!["00004".into()],
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let tt = app.user("truyenthong", vec![Role::Communicator]).await;
        let tt = app.browser(&tt).await;
        let page = app
            .get(&format!("/notify/campaigns/{}", c.id), Some(&tt))
            .await;
        assert!(
            page.body.contains("id=\"read-on-speakers\""),
            "{}",
            page.body
        );
        let form = app
            .get(&format!("/notify/speakers?campaign={}", c.id), Some(&tt))
            .await;
        assert!(
            form.body.contains("id=\"for-campaign\"")
                && form
                    .body
                    .contains(&format!("name=\"campaign\" value=\"{}\"", c.id))
                && form.body.contains("Cắt điện từ 8h"),
            "{}",
            form.body
        );
        let tomorrow = (lantoa_core::time::now() + chrono::Duration::days(1))
            .format("%Y-%m-%d")
            .to_string();
        let id = c.id.to_string();
        let r = app
            .post_form(
                "/notify/speakers/bulletins",
                Some(&tt),
                &[
                    ("campaign", id.as_str()),
                    ("title", "Lịch cắt điện"),
                    ("body", "Cắt điện từ 8h đến 11h ngày 3/12."),
                    ("communes", "00004"),
                    ("from", &tomorrow),
                    ("times", "07:00"),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        let page = app
            .get(&format!("/notify/campaigns/{}", c.id), Some(&tt))
            .await;
        assert!(
            page.body.contains("id=\"campaign-bulletins\"") && page.body.contains("chờ phát 1"),
            "{}",
            page.body
        );
    }

    #[tokio::test]
    async fn a_campaign_still_being_queued_says_so_in_both_languages() {
        let app = TestApp::spawn().await;
        let n = app.state.notify.clone();
        let csv = "Họ tên,Số điện thoại\nA,0981000001\nB,0981000002\n";
        let (list, _) = n
            .import_list("setup", "Dân cư", "l.csv", csv.as_bytes())
            .await
            .unwrap();
        let c = n
            .create_campaign(
                "setup",
                &lantoa_notify::NewCampaign {
                    name: "Phòng dịch".into(),
                    topic: "dengue".into(),
                    brandname: "SoTTTT-HN".into(),
                    body: "Hãy ngủ màn.".into(),
                    list_id: list.id,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let tt = app.user("truyenthong", vec![Role::Communicator]).await;
        let tt = app.browser(&tt).await;
        let at = format!("/notify/campaigns/{}", c.id);
        let page = app.get(&at, Some(&tt)).await;
        assert!(!page.body.contains("id=\"queueing\""), "{}", page.body);
        // Approved, its first step queued and the rest still to come (as a large list stands
        // between its approval and its last step).
        lantoa_store::sqlx::query(
            "UPDATE notify_campaigns SET status = 'sending', queue_after = '0981000001' WHERE id = $1",
        )
        .bind(c.id)
        .execute(app.state.db.pool())
        .await
        .unwrap();
        let page = app.get(&at, Some(&tt)).await;
        assert!(
            page.body.contains("id=\"queueing\"")
                && page
                    .body
                    .contains("vẫn đang được xếp hàng, mỗi lượt 5.000 số"),
            "{}",
            page.body
        );
        let en = common::Browser {
            cookie: format!("{}; lantoa_lang=en", tt.cookie),
            csrf: tt.csrf.clone(),
        };
        let page = app.get(&at, Some(&en)).await;
        assert!(
            page.body
                .contains("still being queued, 5,000 numbers at a time"),
            "{}",
            page.body
        );
        let api = app
            .api(
                "GET",
                &format!("/api/v1{at}"),
                Some(&app.token("truyenthong", &[Role::Communicator]).await),
                None,
            )
            .await;
        assert_eq!(api.json()["campaign"]["queueing"], true, "{}", api.body);
    }

    #[tokio::test]
    async fn one_alert_page_shows_every_channel_and_the_prepared_cancel_stops_them() {
        let app = TestApp::spawn().await;
        let n = app.state.notify.clone();
        n.add_cluster("setup", "Cụm loa Ba Đình", "00004")
            .await
            .unwrap();
        let csv = "Họ tên,Số điện thoại,Phường/xã\nA,0981000001,Phường Ba Đình\nB,0911000002,Phường Hoàn Kiếm\n";
        let (list, _) = n
            .import_list("setup", "Dân cư", "l.csv", csv.as_bytes())
            .await
            .unwrap();
        let tt = app.user("truyenthong", vec![Role::Communicator]).await;
        let tt = app.browser(&tt).await;
        let later = (lantoa_core::time::now() + chrono::Duration::days(1))
            .format("%Y-%m-%dT%H:%M")
            .to_string();
        let list_id = list.id.to_string();
        let r = app
            .post_form(
                "/notify/alerts",
                Some(&tt),
                &[
                    ("status", "Actual"),
                    ("msg_type", "Alert"),
                    ("category", "Met"),
                    ("event", "Ngập úng"),
                    ("urgency", "Immediate"),
                    ("severity", "Severe"),
                    ("certainty", "Observed"),
                    ("headline", "Ngập sâu phố Phan Đình Phùng"),
                    ("instruction", "Không đi vào vùng ngập."),
                    ("expires", &later),
                    ("communes", "00004"),
                    ("feed", "1"),
                    ("sms_list", &list_id),
                    ("speakers", "1"),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        let at = r.headers["location"].to_str().unwrap().to_owned();
        let page = app.get(&at, Some(&tt)).await;
        assert!(
            page.body.contains("class=\"banner-live\"") && page.body.contains("CẢNH BÁO THẬT"),
            "{}",
            page.body
        );
        assert!(
            page.body.contains("sẽ phát sau khi được phê duyệt"),
            "{}",
            page.body
        );
        let pd = app.user("pheduyet", vec![Role::Approver]).await;
        let pd = app.browser(&pd).await;
        let r = app
            .post_form(&format!("{at}/approve"), Some(&pd), &[])
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        let page = app.get(&at, Some(&pd)).await;
        let sms = between(&page.body, "id=\"ch-sms\">", "</tr>");
        assert!(
            sms.contains("chờ gửi 1"),
            "the one number in Ba Đình: {sms}"
        );
        let spk = between(&page.body, "id=\"ch-speakers\">", "</tr>");
        assert!(spk.contains("chờ phát 1"), "{spk}");
        // The prepared Cancel, one click.
        let r = app
            .post_form(
                &format!("{at}/cancel"),
                Some(&pd),
                &[("note", "nước đã rút")],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        let cancel = app
            .get(r.headers["location"].to_str().unwrap(), Some(&pd))
            .await;
        assert!(
            cancel.body.contains("HỦY: Ngập sâu phố Phan Đình Phùng"),
            "{}",
            cancel.body
        );
        let page = app.get(&at, Some(&pd)).await;
        let sms = between(&page.body, "id=\"ch-sms\">", "</tr>");
        assert!(sms.contains("Đã hủy") && sms.contains("đã hủy 1"), "{sms}");
        let spk = between(&page.body, "id=\"ch-speakers\">", "</tr>");
        assert!(spk.contains("đã rút") && spk.contains("đã rút 1"), "{spk}");
        assert!(
            !page.body.contains("id=\"cancel-form\""),
            "no second Cancel"
        );
        // A drill's page says so, in its own colours.
        let r = app
            .post_form(
                "/notify/alerts",
                Some(&tt),
                &[
                    ("status", "Exercise"),
                    ("msg_type", "Alert"),
                    ("category", "Fire"),
                    ("event", "Diễn tập"),
                    ("urgency", "Expected"),
                    ("severity", "Minor"),
                    ("certainty", "Possible"),
                    ("headline", "Diễn tập PCCC"),
                    ("expires", &later),
                    ("communes", "00004"),
                    ("feed", "1"),
                ],
            )
            .await;
        let drill = app
            .get(r.headers["location"].to_str().unwrap(), Some(&tt))
            .await;
        assert!(
            drill.body.contains("class=\"banner-drill\"")
                && drill.body.contains("KHÔNG PHẢI CẢNH BÁO THẬT")
                && !drill.body.contains("banner-live"),
            "{}",
            drill.body
        );
    }
}

mod notices {
    use super::*;

    #[tokio::test]
    async fn a_notice_reaches_each_recipient_by_its_own_link_and_is_confirmed_without_sign_in() {
        let app = TestApp::spawn().await;
        let tt = app.user("truyenthong", vec![Role::Communicator]).await;
        let tt = app.browser(&tt).await;
        for (name, kind, commune) in [
            ("Báo Kinh tế & Đô thị", "press", ""),
            ("Điểm thông tin phường Ba Đình", "point", "00004"),
        ] {
            let r = app
                .post_form(
                    "/notify/notices/outlets",
                    Some(&tt),
                    &[
                        ("name", name),
                        ("kind", kind),
                        ("commune", commune),
                        ("contact", "0912000000"),
                    ],
                )
                .await;
            assert_eq!(r.status, 303, "{}", r.body);
        }
        // A point without its commune: named, what was typed kept.
        let r = app
            .post_form(
                "/notify/notices/outlets",
                Some(&tt),
                &[
                    ("name", "Điểm X"),
                    ("kind", "point"),
                    ("commune", ""),
                    ("contact", "x"),
                ],
            )
            .await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(
            r.body.contains("commune") && r.body.contains("value=\"Điểm X\""),
            "{}",
            r.body
        );
        // A notice with no recipient: named, the text kept.
        let issue = |kinds: &'static [&'static str]| {
            let tt = tt.clone();
            let app = &app;
            async move {
                let mut f = vec![
                    ("number", "20/HD-STTTT"),
                    ("title", "Định hướng tuyên truyền bão số 9"),
                    ("body", "Dẫn nguồn tin chính thức; không đăng ảnh cũ."),
                ];
                f.extend(kinds.iter().map(|k| ("kinds", *k)));
                app.post_form("/notify/notices", Some(&tt), &f).await
            }
        };
        let r = issue(&[]).await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(r.body.contains("không đăng ảnh cũ"), "{}", r.body);
        let r = issue(&["press", "point"]).await;
        assert_eq!(r.status, 200, "{}", r.body);
        let links: Vec<String> = r
            .body
            .split("<code class=\"notice-link\">")
            .skip(1)
            .map(|s| s[..s.find('<').unwrap()].replace("&#x2f;", "/"))
            .collect();
        assert_eq!(links.len(), 2, "{}", r.body);
        // The recipient, with no account.
        let page = app.get(&links[0], None).await;
        assert_eq!(page.status, 200, "{}", page.body);
        assert!(page.body.contains("không đăng ảnh cũ"));
        let anon = common::Browser {
            cookie: "lantoa_csrf=0123456789abcdef0123456789abcdef".into(),
            csrf: "0123456789abcdef0123456789abcdef".into(),
        };
        let r = app
            .post_form(&links[0], Some(&anon), &[("read_by", " ")])
            .await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(r.body.contains("read_by"), "{}", r.body);
        let r = app
            .post_form(
                &links[0],
                Some(&anon),
                &[("read_by", "Trần Thị B, Thư ký tòa soạn")],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        let page = app.get(&links[0], None).await;
        assert!(
            page.body.contains("id=\"confirmed\"") && page.body.contains("Trần Thị B"),
            "{}",
            page.body
        );
        assert_eq!(app.get("/notices/lt_dh_made-up", None).await.status, 404);
        // The console: one of the two opened it and confirmed.
        let list = app.get("/notify/notices", Some(&tt)).await;
        assert!(
            list.body.contains("1&#x2f;2 nơi đã xác nhận đọc (1 đã mở)"),
            "{}",
            list.body
        );
    }
}

mod reports {
    use super::*;

    #[tokio::test]
    async fn a_report_is_started_written_approved_by_another_and_exported() {
        let app = TestApp::spawn().await;
        let kh = app.user("kehoach", vec![Role::Planner]).await;
        let kh = app.browser(&kh).await;
        let xem = app.user("xem", vec![Role::Viewer]).await;
        let xem = app.browser(&xem).await;
        let start = |who: &common::Browser, n: &'static str| {
            let who = who.clone();
            let app = &app;
            async move {
                app.post_form(
                    "/reports",
                    Some(&who),
                    &[
                        ("frequency", "quarterly"),
                        ("year", "2026"),
                        ("n", n),
                        ("cutoff", "decree09"),
                    ],
                )
                .await
            }
        };
        assert_eq!(start(&xem, "1").await.status, 403);
        // A fifth quarter: named, the form kept.
        let r = start(&kh, "5").await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(
            r.body.contains("5 không phải kỳ trong năm (từ 1 đến 4)")
                && r.body.contains("value=\"5\""),
            "{}",
            r.body
        );
        let r = start(&kh, "1").await;
        assert_eq!(r.status, 303, "{}", r.body);
        let at = r.headers["location"].to_str().unwrap().to_owned();
        let page = app.get(&at, Some(&kh)).await;
        assert!(
            page.body.contains("Quý I&#x2f;2026") && page.body.contains("2025-12-15"),
            "{}",
            page.body
        );
        // Nothing happened in the quarter: each field says so, no zeros posing as data.
        assert!(
            page.body.contains("id=\"empty-watch\"") && page.body.contains("id=\"empty-notify\""),
            "{}",
            page.body
        );
        assert!(!page.body.contains("id=\"figures-watch\""));
        // A text, then its next version; a target that is not a number is named.
        for body in ["Bản một.", "Bản hai."] {
            let r = app
                .post_form(
                    &format!("{at}/texts"),
                    Some(&kh),
                    &[("section", "shortcomings"), ("body", body)],
                )
                .await;
            assert_eq!(r.status, 303, "{}", r.body);
        }
        let page = app.get(&at, Some(&kh)).await;
        assert!(
            page.body.contains("Bản hai.") && page.body.contains("v2 · kehoach"),
            "{}",
            page.body
        );
        // The lists a figure links to narrow to the report's days; a bad day is named.
        let n = &app.state.notify;
        n.add_outlet("setup", "Báo A", "press", "", "a@b")
            .await
            .unwrap();
        n.issue_notice(
            "setup",
            &lantoa_notify::notices::NewNotice {
                number: "1/HD".into(),
                title: "Định hướng".into(),
                body: "Nội dung.".into(),
                kinds: vec!["press".into()],
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let today = lantoa_core::time::now().format("%Y-%m-%d").to_string();
        let within = app
            .get(
                &format!("/notify/notices?from={today}&to={today}"),
                Some(&kh),
            )
            .await;
        assert!(
            within.body.contains("id=\"span\">1 ") && within.body.contains("1&#x2f;HD"),
            "{}",
            within.body
        );
        let before = app
            .get("/notify/notices?from=2020-01-01&to=2020-12-31", Some(&kh))
            .await;
        assert!(
            before.body.contains("id=\"span\">0 ") && !before.body.contains("1&#x2f;HD"),
            "{}",
            before.body
        );
        for bad in [
            "/watch/cases?kind=gossip&from=2023-01-01&to=2023-12-31",
            "/watch/cases?from=2023-01-01&to=2023-12-31",
        ] {
            let r = app.get(bad, Some(&kh)).await;
            assert_eq!(r.status, 422, "{bad}: {}", r.body);
            assert!(r.body.contains("chỉ tiêu"), "{}", r.body);
        }
        let r = app
            .get(
                "/watch/cases?kind=invited&from=2023-01-01&to=2023-12-31",
                Some(&kh),
            )
            .await;
        assert!(r.body.contains("id=\"counted\""), "{}", r.body);
        let r = app
            .get("/watch/crawls?from=2020-13-01&to=2020-12-31", Some(&kh))
            .await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(
            r.body.contains("2020-13-01&quot; không phải ngày"),
            "{}",
            r.body
        );
        let r = app
            .get("/opendata?from=2020-01-01&to=2020-12-31", Some(&kh))
            .await;
        assert!(r.body.contains("id=\"read-h\">0 "), "{}", r.body);
        let r = app
            .get("/notify?from=2020-01-01&to=2020-12-31", Some(&kh))
            .await;
        assert!(r.body.contains("id=\"sent-h\">0 "), "{}", r.body);
        let r = app
            .get("/notify/speakers?from=2020-01-01&to=2020-12-31", Some(&kh))
            .await;
        assert!(r.body.contains("id=\"span\""), "{}", r.body);
        assert_eq!(
            app.get("/notify?from=2020-01-01&to=2020-02-30", Some(&kh))
                .await
                .status,
            422
        );
        assert_eq!(
            app.get("/notify/alerts?from=2026-01-01&to=2026-03-31", Some(&kh))
                .await
                .status,
            200
        );
        let r = app
            .post_form(
                &format!("{at}/targets"),
                Some(&kh),
                &[("target.notify.notices", "mười")],
            )
            .await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(r.body.contains("notify.notices"), "{}", r.body);
        let r = app
            .post_form(
                &format!("{at}/targets"),
                Some(&kh),
                &[("target.notify.notices", "12")],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        // The draft downloads as a draft; the final copy waits for approval.
        let docx = app.get(&format!("{at}/report.docx"), Some(&kh)).await;
        assert_eq!(docx.status, 200);
        let text = lantoa_docs::docx_text(&docx.bytes).unwrap();
        assert!(
            text.contains("DỰ THẢO") && text.contains("Bản hai."),
            "{text}"
        );
        let r = app
            .get(&format!("{at}/report.docx?final=1"), Some(&kh))
            .await;
        assert_eq!(r.status, 409, "{}", r.body);
        // Review; its submitter may not approve it; another person does.
        assert_eq!(
            app.post_form(&format!("{at}/submit"), Some(&kh), &[])
                .await
                .status,
            303
        );
        let r = app
            .post_form(&format!("{at}/approve"), Some(&kh), &[])
            .await;
        assert_eq!(r.status, 409, "{}", r.body);
        let ld = app.user("lanhdao", vec![Role::Approver]).await;
        let ld = app.browser(&ld).await;
        let r = app
            .post_form(&format!("{at}/approve"), Some(&ld), &[])
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        let page = app.get(&at, Some(&xem)).await;
        assert!(
            page.body.contains("đã phê duyệt") && page.body.contains("lanhdao"),
            "{}",
            page.body
        );
        // Approved, it takes the register's first number of the year, on the page and the copy.
        assert!(
            page.body
                .contains("id=\"report-number\">Số 1 trong sổ đăng ký báo cáo"),
            "{}",
            page.body
        );
        let docx = app
            .get(&format!("{at}/report.docx?final=1"), Some(&xem))
            .await;
        assert_eq!(docx.status, 200);
        let text = lantoa_docs::docx_text(&docx.bytes).unwrap();
        assert!(
            !text.contains("DỰ THẢO")
                && text.contains("Kết quả công tác quý I/2026")
                && text.contains("Số: 01/BC-"),
            "{text}"
        );
    }
}

mod alerts_api {
    use super::*;

    #[tokio::test]
    async fn alerts_are_issued_approved_cancelled_and_imported_over_the_api() {
        let app = TestApp::spawn().await;
        app.user("truyenthong", vec![Role::Communicator]).await;
        app.user("pheduyet", vec![Role::Approver]).await;
        let tt = app.token("truyenthong", &[]).await;
        let pd = app.token("pheduyet", &[]).await;
        let later = (lantoa_core::time::now() + chrono::Duration::days(1))
            .format("%Y-%m-%dT%H:%M")
            .to_string();
        let alert = |expires: &str, extra: &str| {
            format!(
                r#"{{"status":"Actual","msg_type":"Alert","category":"Met","event":"Bão","urgency":"Expected","severity":"Severe","certainty":"Likely","headline":"Bão số 3","expires":"{expires}","communes":["00004"]{extra}}}"#
            )
        };
        // Bad input: the field named, nothing kept.
        let r = app
            .api(
                "POST",
                "/api/v1/notify/alerts",
                Some(&tt),
                Some(&alert("2020-01-01T00:00", "")),
            )
            .await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(r.body.contains("expires"), "{}", r.body);
        let r = app
            .api(
                "POST",
                "/api/v1/notify/alerts",
                Some(&tt),
                Some(&alert(&later, r#","nonsense":1"#)),
            )
            .await;
        assert_eq!(r.status, 400, "{}", r.body);
        let n = &app.state.notify;
        assert!(n.alerts(false, 10).await.unwrap().is_empty());
        // Issued; the author may not approve it; another may; then its Cancel.
        let r = app
            .api(
                "POST",
                "/api/v1/notify/alerts",
                Some(&tt),
                Some(&alert(&later, "")),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
        let id = serde_json::from_str::<serde_json::Value>(&r.body).unwrap()["alert"]["id"]
            .as_i64()
            .unwrap();
        let step = |tok: &str, step: &str, body: Option<&'static str>| {
            let tok = tok.to_owned();
            let path = format!("/api/v1/notify/alerts/{id}/{step}");
            let app = &app;
            async move { app.api("POST", &path, Some(&tok), body).await }
        };
        let own = step(&tt, "approve", None).await;
        assert_eq!(own.status, 409);
        // A specific code says what kept it: the author may not approve their own alert.
        assert_eq!(own.error_code(), "second_person_required", "{}", own.body);
        let r = step(&pd, "approve", None).await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert!(r.body.contains("\"public\":true"), "{}", r.body);
        let r = step(&pd, "cancel", Some(r#"{"note":"hết bão"}"#)).await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert!(r.body.contains("\"msg_type\":\"Cancel\""), "{}", r.body);
        let list = app
            .api("GET", "/api/v1/notify/alerts", Some(&tt), None)
            .await;
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&list.body).unwrap()["alerts"]
                .as_array()
                .unwrap()
                .len(),
            2
        );
        // Another agency's CAP: a malformed one named, a good one kept.
        let theirs = n
            .alert(id)
            .await
            .unwrap()
            .xml
            .replace("LANTOA-", "NCHMF-")
            .replace("canhbao@lantoa.invalid", "canhbao@nchmf.example");
        let broken = theirs.replace("<urgency>Expected</urgency>", "");
        let r = app
            .api(
                "POST",
                "/api/v1/notify/alerts/import",
                Some(&tt),
                Some(&broken),
            )
            .await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(r.body.contains("info/urgency"), "{}", r.body);
        let r = app
            .api(
                "POST",
                "/api/v1/notify/alerts/import",
                Some(&tt),
                Some(&theirs),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
    }
}

mod security {
    use super::*;
    use axum::body::Body;
    use axum::http::Request;

    /// The two-person rule compares people: an officer who issued a live alert with an API
    /// token may not approve it from a console session, nor the other way round.
    #[tokio::test]
    async fn a_session_and_a_token_of_one_officer_are_one_person() {
        let app = TestApp::spawn().await;
        let lan = app
            .user("lan", vec![Role::Communicator, Role::Approver])
            .await;
        let tok = app.token("lan", &[]).await;
        let browser = app.browser(&lan).await;
        let later = (lantoa_core::time::now() + chrono::Duration::days(1))
            .format("%Y-%m-%dT%H:%M")
            .to_string();
        let body = format!(
            r#"{{"status":"Actual","msg_type":"Alert","category":"Safety","event":"Sơ tán","urgency":"Immediate","severity":"Extreme","certainty":"Observed","headline":"SƠ TÁN NGAY","expires":"{later}","communes":["00004"]}}"#
        );
        let r = app
            .api("POST", "/api/v1/notify/alerts", Some(&tok), Some(&body))
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
        let id = r.json()["alert"]["id"].as_i64().unwrap();
        let r = app
            .post_form(&format!("/notify/alerts/{id}/approve"), Some(&browser), &[])
            .await;
        assert_eq!(r.status, 409, "{}", r.body);
        let second = app.token("lan", &[]).await;
        let r = app
            .api(
                "POST",
                &format!("/api/v1/notify/alerts/{id}/approve"),
                Some(&second),
                None,
            )
            .await;
        assert_eq!(r.status, 409, "{}", r.body);
        let n = &app.state.notify;
        assert!(!n.alert(id).await.unwrap().public);
        assert!(n.alerts(true, 10).await.unwrap().is_empty());
    }

    fn anon() -> common::Browser {
        common::Browser {
            cookie: "lantoa_csrf=0123456789abcdef0123456789abcdef".into(),
            csrf: "0123456789abcdef0123456789abcdef".into(),
        }
    }

    /// The audit log reads back a hundred rows at a time, newest first, by actor and action.
    #[tokio::test]
    async fn the_audit_log_goes_back_page_by_page_and_filters() {
        let app = TestApp::spawn().await;
        let admin = app.user("quantri", vec![Role::Admin]).await;
        let me = app.browser(&admin).await;
        for k in 0..120 {
            let mut tx = app.state.db.begin().await.unwrap();
            let actor = if k % 2 == 0 { "lan" } else { "minh" };
            lantoa_store::audit::append(
                &mut tx,
                &lantoa_store::audit::Entry::new(actor, "watch.case_opened", format!("case:{k}")),
            )
            .await
            .unwrap();
            tx.commit().await.unwrap();
        }
        let first = app.get("/audit", Some(&me)).await;
        assert_eq!(first.status, 200, "{}", first.body);
        assert_eq!(first.body.matches("<tr><td>").count(), 100);
        // The chain is walked on request only; the page shows its head and size.
        assert!(
            first.body.contains("id=\"audit-verify\"")
                && !first.body.contains("id=\"audit-status\""),
            "{}",
            first.body
        );
        let rows = app.audit_rows().await;
        let verified = app.get("/audit?verify=1", Some(&me)).await;
        assert!(
            verified.body.contains(&format!(
                "Chuỗi nhật ký nguyên vẹn: {rows} bản ghi đã kiểm tra."
            )),
            "{}",
            verified.body
        );
        assert!(!first.body.contains("id=\"audit-newest\""));
        let older = link_to(&first.body, "audit-older");
        assert!(older.starts_with("/audit?before="), "{older}");
        let second = app.get(&older, Some(&me)).await;
        assert_eq!(second.status, 200, "{}", second.body);
        // The rest of the 120 and the admin's own rows, then nothing further back.
        assert!(
            second.body.matches("<tr><td>").count() >= 20,
            "{}",
            second.body
        );
        assert!(second.body.contains("id=\"audit-newest\""));
        assert!(!second.body.contains("id=\"audit-older\""));
        let lan = app.get("/audit?actor=lan&action=watch.", Some(&me)).await;
        assert_eq!(lan.body.matches("<tr><td>").count(), 60, "{}", lan.body);
        assert!(!lan.body.contains("<td>minh</td>"));
        assert!(
            lan.body.contains("value=\"lan\""),
            "the filter shows what was asked"
        );
        let bad = app.get("/audit?before=x", Some(&me)).await;
        assert_eq!(bad.status, 400, "{}", bad.body);
        // The filtered rows whole, past the page's hundred, as a workbook: each action by
        // its name beside its code.
        assert!(
            lan.body
                .contains("href=\"&#x2f;audit.xlsx?actor=lan&amp;action=watch.\""),
            "{}",
            lan.body
        );
        let x = app
            .get("/audit.xlsx?actor=lan&action=watch.", Some(&me))
            .await;
        assert_eq!(x.status, 200, "{}", x.body);
        let rows = workbook_rows(&x.bytes);
        assert_eq!(rows.len(), 61, "{rows:?}");
        assert!(
            rows[1..]
                .iter()
                .all(|r| r[2] == "lan" && r[4] == "watch.case_opened" && !r[3].is_empty()),
            "{rows:?}"
        );
        let all = app.get("/audit.csv", Some(&me)).await;
        let records = csv::ReaderBuilder::new()
            .delimiter(b';')
            .from_reader(all.body.trim_start_matches('\u{feff}').as_bytes())
            .records()
            .count();
        assert!(records >= 120, "{records}");
    }

    /// HEAD is held to GET's rule: no anonymous 200 with the real headers, no handler run.
    #[tokio::test]
    async fn head_requests_pass_the_same_access_check_as_get() {
        let app = TestApp::spawn().await;
        let admin = app.user("quantri", vec![Role::Admin]).await;
        for path in ["/api/v1/users", "/api/v1/audit/verify"] {
            let r = app.api("HEAD", path, None, None).await;
            assert_eq!(r.status, 401, "HEAD {path} anonymous");
        }
        for path in [
            "/users",
            "/audit",
            "/watch/cases/1/dossier",
            "/reports/1/report.docx",
        ] {
            let r = app
                .send(Request::head(path).body(Body::empty()).unwrap())
                .await;
            assert_eq!(r.status, 303, "HEAD {path} anonymous");
            assert!(r.location().starts_with("/login?next="), "{path}");
        }
        let viewer = app.user("xem", vec![Role::Viewer]).await;
        let tok = app.token(&viewer.username, &[]).await;
        assert_eq!(
            app.api("HEAD", "/api/v1/users", Some(&tok), None)
                .await
                .status,
            403
        );
        let tok = app.token(&admin.username, &[]).await;
        let ok = app.api("HEAD", "/api/v1/users", Some(&tok), None).await;
        assert_eq!(ok.status, 200);
        assert!(ok.body.is_empty());
        // A method no route takes is refused, signed in or not.
        for m in ["PUT", "DELETE", "OPTIONS", "PATCH"] {
            let r = app.api(m, "/api/v1/users", Some(&tok), None).await;
            assert_eq!(r.status, 405, "{m}");
            assert_eq!(r.error_code(), "method_not_allowed");
        }
    }

    #[tokio::test]
    async fn next_after_sign_in_and_language_switch_stays_on_this_site() {
        let app = TestApp::spawn().await;
        app.user("lan", vec![Role::Viewer]).await;
        for (next, to) in [
            ("/\t/evil.example", "/"),
            ("/\n/evil.example", "/"),
            ("/\r\nSet-Cookie: x=1", "/"),
            ("//evil.example", "/"),
            ("/\\evil.example", "/"),
            ("https://evil.example/", "/"),
            ("/units?q=a", "/units?q=a"),
        ] {
            let login = app
                .post_form(
                    "/login",
                    Some(&anon()),
                    &[("username", "lan"), ("password", PASSWORD), ("next", next)],
                )
                .await;
            assert_eq!(
                (login.status.as_u16(), login.location()),
                (303, to),
                "{next:?}"
            );
            let lang = app
                .post_form("/lang", Some(&anon()), &[("lang", "en"), ("next", next)])
                .await;
            assert_eq!(
                (lang.status.as_u16(), lang.location()),
                (303, to),
                "{next:?}"
            );
        }
    }

    #[tokio::test]
    async fn every_answer_carries_the_security_headers() {
        let app = TestApp::spawn().await;
        let u = app.user("lan", vec![Role::Viewer]).await;
        let b = app.browser(&u).await;
        let tok = app.token("lan", &[]).await;
        for r in [
            app.get("/login", None).await,
            app.get("/", Some(&b)).await,
            app.get("/no/such/page", Some(&b)).await,
            app.api("GET", "/api/v1/me", Some(&tok), None).await,
            app.get("/alerts", None).await,
        ] {
            let h = |n: &str| {
                r.headers
                    .get(n)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("")
                    .to_owned()
            };
            assert!(h("content-security-policy").contains("script-src 'self'"));
            assert!(!h("content-security-policy").contains("unsafe-inline"));
            assert_eq!(h("x-frame-options"), "DENY");
            assert_eq!(h("x-content-type-options"), "nosniff");
            assert_eq!(h("referrer-policy"), "same-origin");
        }
    }

    /// The console's pages hold no inline script or style attribute (the policy forbids them).
    #[test]
    fn console_pages_hold_no_inline_script_or_style() {
        for (name, src) in lantoa_web::TEMPLATES {
            assert!(!src.contains(" style=\""), "{name} has a style attribute");
            assert!(!src.contains("<script>"), "{name} has an inline script");
            assert!(!src.contains(" onclick="), "{name} has an inline handler");
        }
    }

    /// A client that sends its request head a little at a time, or opens a connection and
    /// says nothing, or keeps a connection open after its answer, is disconnected once the
    /// header timeout has passed. (The 60 s bound only stops a hung test; nothing is timed.)
    #[tokio::test]
    async fn slow_and_idle_connections_are_closed() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let app = TestApp::spawn().await;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(lantoa_web::serve(
            listener,
            app.router.clone(),
            std::time::Duration::from_secs(1),
            std::future::pending(),
        ));
        let closed = |mut s: tokio::net::TcpStream| async move {
            let mut buf = Vec::new();
            tokio::time::timeout(std::time::Duration::from_secs(60), s.read_to_end(&mut buf))
                .await
                .expect("the server closes the connection")
                .ok();
            String::from_utf8_lossy(&buf).into_owned()
        };
        // Half a request head, then nothing.
        let mut slow = tokio::net::TcpStream::connect(addr).await.unwrap();
        slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
            .await
            .unwrap();
        let answer = closed(slow).await;
        assert!(!answer.contains("200 OK"), "{answer}");
        // A connection that sends nothing.
        let silent = tokio::net::TcpStream::connect(addr).await.unwrap();
        closed(silent).await;
        // A whole request is answered; the kept-alive connection is then closed when idle.
        let mut ok = tokio::net::TcpStream::connect(addr).await.unwrap();
        ok.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            .await
            .unwrap();
        let answer = closed(ok).await;
        assert!(answer.starts_with("HTTP/1.1 200 OK"), "{answer}");
    }

    /// An error quotes at most a short excerpt of what it was sent.
    #[tokio::test]
    async fn errors_quote_only_an_excerpt() {
        let app = TestApp::spawn().await;
        let u = app.user("lan", vec![Role::Viewer]).await;
        let tok = app.token(&u.username, &[]).await;
        let huge = "x".repeat(20_000);
        let r = app
            .api(
                "GET",
                &format!("/api/v1/notify/figures?from={huge}&to=2026-01-01"),
                Some(&tok),
                None,
            )
            .await;
        assert_eq!(r.status, 422, "{}", r.body.len());
        assert!(
            r.error_message().starts_with("from: \"xxx"),
            "{}",
            r.error_message()
        );
        assert!(r.body.len() < 2_500, "{}", r.body.len());
        let b = app.browser(&u).await;
        let page = app
            .get(&format!("/watch/crawls?from={huge}"), Some(&b))
            .await;
        assert!(page.status.is_client_error(), "{}", page.status);
        assert!(!page.body.contains(&"x".repeat(400)));
    }

    #[tokio::test]
    async fn an_invalid_api_token_gets_json() {
        let app = TestApp::spawn().await;
        let r = app
            .api("GET", "/api/v1/units", Some("not-a-token"), None)
            .await;
        assert_eq!(r.status, 401);
        assert!(
            r.headers
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .starts_with("application/json"),
            "{}",
            r.body
        );
        assert_eq!(r.error_code(), "unauthenticated");
    }

    /// `%` and `_` in a search are the characters themselves, not wildcards.
    #[tokio::test]
    async fn search_wildcards_are_literal() {
        let app = TestApp::spawn().await;
        app.subject("https://giamgia.example.vn/", "Giảm 50% học phí")
            .await;
        app.subject("https://tintuc.example.vn/", "Tin tức 24h")
            .await;
        app.subject("https://a_b.example.vn/", "Trang ab").await;
        let u = app.user("lan", vec![Role::Viewer]).await;
        let tok = app.token(&u.username, &[]).await;
        let count = |q: &'static str| {
            let app = &app;
            let tok = tok.clone();
            async move {
                let r = app
                    .api(
                        "GET",
                        &format!("/api/v1/watch/subjects?q={q}"),
                        Some(&tok),
                        None,
                    )
                    .await;
                assert_eq!(r.status, 200, "{}", r.body);
                r.json()["total"].as_i64().unwrap()
            }
        };
        assert_eq!(count("%25").await, 1);
        assert_eq!(count("_").await, 1);
        assert_eq!(count("tin").await, 1);
        let r = app
            .api("GET", "/api/v1/units?q=%25", Some(&tok), None)
            .await;
        assert_eq!(r.json()["total"].as_i64(), Some(0), "{}", r.body);
    }

    /// Behind a trusted proxy, sign-in failures count per (name, real client): someone
    /// guessing `admin` from one address does not lock out the administrator at another, both
    /// reaching the server through the same proxy. A header from an untrusted peer is ignored.
    #[tokio::test]
    async fn sign_in_throttling_is_per_user_and_client_behind_a_proxy() {
        let proxy: std::net::IpAddr = "10.0.0.5".parse().unwrap();
        let app = TestApp::spawn_with(lantoa_web::WebConfig {
            trusted_proxies: vec![proxy],
            ..Default::default()
        })
        .await;
        app.user("quantri", vec![Role::Admin]).await;
        let login = |from: std::net::IpAddr, forwarded: &'static str, password: &'static str| {
            let a = anon();
            let body = serde_urlencoded::to_string([
                ("username", "quantri"),
                ("password", password),
                ("csrf", a.csrf.as_str()),
            ])
            .unwrap();
            let mut req = Request::post("/login")
                .header("content-type", "application/x-www-form-urlencoded")
                .header("cookie", a.cookie)
                .header("x-forwarded-for", forwarded)
                .body(Body::from(body))
                .unwrap();
            req.extensions_mut()
                .insert(axum::extract::ConnectInfo(std::net::SocketAddr::new(
                    from, 40000,
                )));
            app.send(req)
        };
        for _ in 0..5 {
            let r = login(proxy, "203.0.113.9", "sai mật khẩu").await;
            assert_eq!(r.status, 401, "the form again, with the error");
        }
        let r = login(proxy, "203.0.113.9", PASSWORD).await;
        assert_eq!(r.status, 429, "the guessing client is held off");
        // The real administrator, through the same proxy from another address.
        let r = login(proxy, "198.51.100.7", PASSWORD).await;
        assert_eq!(r.status, 303, "{}", r.body);
        // A client that is not the proxy cannot claim an address: its own counts.
        let stranger: std::net::IpAddr = "192.0.2.1".parse().unwrap();
        for _ in 0..5 {
            login(stranger, "198.51.100.7", "sai mật khẩu").await;
        }
        assert_eq!(login(stranger, "198.51.100.8", PASSWORD).await.status, 429);
        assert_eq!(login(proxy, "198.51.100.7", PASSWORD).await.status, 303);
        // Only the last hop the proxy wrote is believed: a client's own X-Forwarded-For
        // entries to its left do not move it.
        assert_eq!(
            login(proxy, "198.51.100.7, 203.0.113.9", PASSWORD)
                .await
                .status,
            429
        );
    }
}

mod workbooks {
    use super::*;

    /// The datasets list as a workbook: each dataset once, its owner by name, the rows it
    /// publishes as a number; an agency's uploader gets its own agency's only.
    #[tokio::test]
    async fn the_datasets_list_exports_what_the_person_sees() {
        let app = TestApp::spawn().await;
        let od = app.load_open_data_demo().await;
        let all = od.datasets(None).await.unwrap();
        let u = app.user("xem", vec![Role::Viewer]).await;
        let me = app.browser(&u).await;
        let page = app.get("/opendata", Some(&me)).await;
        assert!(page.body.contains("id=\"datasets-xlsx\""), "{}", page.body);
        let rows = workbook_rows(&app.get("/opendata.xlsx", Some(&me)).await.bytes);
        assert_eq!(rows.len(), all.len() + 1, "{rows:?}");
        let first = &all[0];
        let row = rows.iter().find(|r| r[0] == first.name).unwrap();
        assert_eq!(
            row[4],
            od.rows(first.id, 0, 0).await.unwrap().1.to_string(),
            "{row:?}"
        );
        let cv = app.user("canbo", vec![Role::AgencyUploader]).await;
        app.state
            .accounts
            .set_unit("admin", cv.id, Some(first.owner_unit_id))
            .await
            .unwrap();
        let cv = app.browser(&cv).await;
        let own = workbook_rows(&app.get("/opendata.xlsx", Some(&cv)).await.bytes);
        let owned = all
            .iter()
            .filter(|d| d.owner_unit_id == first.owner_unit_id)
            .count();
        assert_eq!(own.len(), owned + 1, "{own:?}");
        // Searched by title on tone keys, ordered by title, a page at a time in the API.
        let word = first
            .title
            .split_whitespace()
            .last()
            .unwrap()
            .to_uppercase();
        let found = app
            .get(
                &format!("/opendata?q={}&sort=title", urlencode(&word)),
                Some(&me),
            )
            .await;
        assert_eq!(found.status, 200, "{}", found.body);
        assert!(found.body.contains(&first.title), "{word}: {}", found.body);
        let token = app.token("xem", &[Role::Viewer]).await;
        let r = app
            .api(
                "GET",
                "/api/v1/opendata/datasets?limit=1&sort=newest",
                Some(&token),
                None,
            )
            .await;
        let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(v["total"].as_i64(), Some(all.len() as i64), "{v}");
        assert_eq!(v["datasets"].as_array().unwrap().len(), 1, "{v}");
        assert_eq!(v["next"].as_i64(), (all.len() > 1).then_some(1), "{v}");
        let r = app
            .api(
                "GET",
                "/api/v1/opendata/datasets?sort=size",
                Some(&token),
                None,
            )
            .await;
        assert_eq!(r.status, 422, "{}", r.body);
    }

    /// The 126 communes as the units list filters them, whole (past its page of 50), in both
    /// files: kind and state by name, the day in force as a day.
    #[tokio::test]
    async fn the_units_list_exports_what_it_filters() {
        let app = TestApp::with_communes().await;
        let u = app.user("xem", vec![Role::Viewer]).await;
        let me = app.browser(&u).await;
        let page = app.get("/units?kind=commune", Some(&me)).await;
        assert!(
            page.body.contains("href=\"&#x2f;units.xlsx?kind=commune\""),
            "{}",
            page.body
        );
        assert!(
            page.body.contains("01&#x2f;07&#x2f;2025"),
            "days as dd/mm/yyyy: {}",
            page.body
        );
        let x = app.get("/units.xlsx?kind=commune", Some(&me)).await;
        let rows = workbook_rows(&x.bytes);
        assert_eq!(rows.len(), 127, "{:?}", &rows[..3]);
        assert!(
            rows[1..].iter().all(|r| r[4] == "Đang hoạt động"),
            "{:?}",
            &rows[..3]
        );
        let c = app
            .get("/units.csv?kind=commune&q=Ba%20%C4%90%C3%ACnh", Some(&me))
            .await;
        let lines: Vec<&str> = c.body.trim_start_matches('\u{feff}').lines().collect();
        assert!(
            lines.len() >= 2 && lines[1..].iter().all(|l| l.contains("Ba Đình")),
            "{}",
            c.body
        );
        assert!(lines[1].contains(";01/07/2025;"), "{}", c.body);
        let bad = app.get("/units.csv?kind=tinh", Some(&me)).await;
        assert_eq!(bad.status, 422, "{}", bad.body);
        // By code: the file's first communes are the lowest codes; the pager keeps the order.
        let by_code = workbook_rows(
            &app.get("/units.xlsx?kind=commune&sort=code", Some(&me))
                .await
                .bytes,
        );
        let codes: Vec<&str> = by_code[1..].iter().map(|r| r[1].as_str()).collect();
        let mut sorted = codes.clone();
        sorted.sort();
        assert_eq!(codes, sorted);
        let page = app.get("/units?kind=commune&sort=code", Some(&me)).await;
        assert!(page.body.contains("sort=code"), "{}", page.body);
        assert!(
            page.body.contains("<option value=\"code\" selected>"),
            "{}",
            page.body
        );
        let bad = app.get("/units?sort=size", Some(&me)).await;
        assert_eq!(bad.status, 422, "{}", bad.body);
        assert!(
            bad.body.contains("kind, name, code, newest"),
            "{}",
            bad.body
        );
    }

    /// The notify module's lists at a size past one page: campaigns (55, searched on tone
    /// keys, by state, the pager keeping the filters), recipient lists, alerts and notices,
    /// each exported whole as the filters select; a state or order a list does not have is
    /// refused by name in both languages, in the console and the API.
    #[tokio::test]
    async fn the_notify_lists_page_search_filter_and_export() {
        let app = TestApp::spawn().await;
        let n = app.state.notify.clone();
        let csv = "Số điện thoại\n0912345678\n0983456789\n";
        let (hk, _) = n
            .import_list("lan", "Phường Hoàn Kiếm", "hk.csv", csv.as_bytes())
            .await
            .unwrap();
        for i in 0..55 {
            let c = n
                .create_campaign(
                    "lan",
                    &lantoa_notify::NewCampaign {
                        name: if i == 7 {
                            "Phòng chống bão số 9 ở xã Hòa Lạc".to_owned()
                        } else {
                            format!("Tuyên truyền {i:02}")
                        },
                        topic: "dengue".into(),
                        brandname: "SoTTTT-HN".into(),
                        body: "Hay ngu man.".into(),
                        list_id: hk.id,
                        ..Default::default()
                    },
                )
                .await
                .unwrap();
            if i % 10 == 0 {
                n.submit("lan", c.id).await.unwrap();
            }
        }
        let u = app.user("xem", vec![Role::Viewer]).await;
        let me = app.browser(&u).await;
        let page = app.get("/notify", Some(&me)).await;
        assert_eq!(page.status, 200, "{}", page.body);
        assert!(page.body.contains("dòng 1–50 trong 55"), "{}", page.body);
        assert!(page.body.contains("id=\"pager-next\""), "{}", page.body);
        let next = app.get("/notify?page=1", Some(&me)).await;
        assert!(next.body.contains("dòng 51–55 trong 55"), "{}", next.body);
        assert!(next.body.contains("Tuyên truyền 00"), "the oldest is last");
        // "Hoà" (the older place of the tone mark) finds "Hòa".
        let found = app.get("/notify?q=ho%C3%A0+l%E1%BA%A1c", Some(&me)).await;
        assert!(
            found.body.contains("Phòng chống bão số 9") && found.body.contains("trong 1<"),
            "{}",
            found.body
        );
        let pending = app
            .get("/notify?status=pending&sort=oldest", Some(&me))
            .await;
        assert!(
            pending.body.contains("dòng 1–6 trong 6"),
            "{}",
            pending.body
        );
        // The exports hold every row the filters select, past the page.
        let rows = workbook_rows(&app.get("/notify/campaigns.xlsx", Some(&me)).await.bytes);
        assert_eq!(rows.len(), 56, "{:?}", &rows[..2]);
        assert_eq!(rows[0][5], "Trạng thái");
        assert!(
            rows[1..].iter().any(|r| r[5] == "Chờ phê duyệt"),
            "{:?}",
            &rows[..3]
        );
        let c = app
            .get("/notify/campaigns.csv?status=pending", Some(&me))
            .await;
        let lines: Vec<&str> = c.body.trim_start_matches('\u{feff}').lines().collect();
        assert_eq!(lines.len(), 7, "{}", c.body);
        assert!(
            lines[1].contains(";Phòng chống sốt xuất huyết;"),
            "the topic by name: {}",
            c.body
        );
        // A state the list does not have: named, in Vietnamese and in English.
        let bad = app.get("/notify?status=gui-roi", Some(&me)).await;
        assert_eq!(bad.status, 422, "{}", bad.body);
        assert!(
            bad.body.contains("gui-roi") && bad.body.contains("không phải giá trị lọc"),
            "{}",
            bad.body
        );
        let en = common::Browser {
            cookie: format!("{}; lantoa_lang=en", me.cookie),
            csrf: me.csrf.clone(),
        };
        let bad = app.get("/notify?sort=sideways", Some(&en)).await;
        assert_eq!(bad.status, 422, "{}", bad.body);
        assert!(bad.body.contains("is not a sort order"), "{}", bad.body);
        // Recipient lists: their own page, searched, exported.
        n.import_list("lan", "Xã Sóc Sơn", "ss.csv", csv.as_bytes())
            .await
            .unwrap();
        let lists = app.get("/notify/lists?q=s%C3%B3c", Some(&me)).await;
        assert!(
            lists.body.contains("Xã Sóc Sơn") && !lists.body.contains("Phường Hoàn Kiếm"),
            "{}",
            lists.body
        );
        let rows = workbook_rows(
            &app.get("/notify/lists.xlsx?sort=name", Some(&me))
                .await
                .bytes,
        );
        assert_eq!(rows.len(), 3, "{rows:?}");
        assert_eq!(
            (rows[1][1].as_str(), rows[1][4].as_str()),
            ("Phường Hoàn Kiếm", "2")
        );
        // Alerts: by status and approval; notices: searched; both exported.
        let storm = lantoa_notify::NewAlert {
            status: "Exercise".into(),
            msg_type: "Alert".into(),
            category: "Met".into(),
            event: "Diễn tập bão".into(),
            urgency: "Expected".into(),
            severity: "Severe".into(),
            certainty: "Likely".into(),
            headline: "Diễn tập ứng phó bão".into(),
            expires: "2099-12-31T12:00".into(),
            communes: vec!["00004".into()],
            ..Default::default()
        };
        n.issue_alert("lan", "canhbao@hanoi.gov.vn", &storm)
            .await
            .unwrap();
        let alerts = app.get("/notify/alerts?status=Exercise", Some(&me)).await;
        assert!(
            alerts.body.contains("Diễn tập ứng phó bão"),
            "{}",
            alerts.body
        );
        let none = app.get("/notify/alerts?status=Actual", Some(&me)).await;
        assert!(none.body.contains("id=\"no-alerts\""), "{}", none.body);
        let rows = workbook_rows(&app.get("/notify/alerts/list.xlsx", Some(&me)).await.bytes);
        assert_eq!(rows.len(), 2, "{rows:?}");
        assert_eq!(
            rows[1][5], "Diễn tập",
            "CAP's status in Vietnamese: {rows:?}"
        );
        n.add_outlet("lan", "Báo A", "press", "", "a@b.example")
            .await
            .unwrap();
        n.issue_notice(
            "lan",
            &lantoa_notify::notices::NewNotice {
                number: "15/HD-STTTT".into(),
                title: "Định hướng tuyên truyền Tháng chuyển đổi số".into(),
                body: "Tập trung tuyên truyền.".into(),
                due: "2099-09-25".into(),
                kinds: vec!["press".into()],
                outlets: vec![],
            },
        )
        .await
        .unwrap();
        let notices = app
            .get(
                "/notify/notices?q=chuy%E1%BB%83n+%C4%91%E1%BB%95i",
                Some(&me),
            )
            .await;
        assert!(
            notices.body.contains("15&#x2f;HD-STTTT")
                && notices.body.contains("<td>25&#x2f;09&#x2f;2099</td>"),
            "{}",
            notices.body
        );
        let c = app.get("/notify/notices/list.csv", Some(&me)).await;
        assert!(
            c.body.contains("15/HD-STTTT;") && c.body.contains(";25/09/2099;"),
            "{}",
            c.body
        );
        // The API pages the same lists, with the total and the next offset.
        let token = app.token("xem", &[Role::Viewer]).await;
        let r = app
            .api(
                "GET",
                "/api/v1/notify/campaigns?limit=20&offset=40",
                Some(&token),
                None,
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(
            (v["total"].as_i64(), v["next"].as_i64()),
            (Some(55), None),
            "{v}"
        );
        assert_eq!(v["campaigns"].as_array().unwrap().len(), 15);
        let r = app
            .api(
                "GET",
                "/api/v1/notify/campaigns?limit=20&status=pending",
                Some(&token),
                None,
            )
            .await;
        let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(v["total"].as_i64(), Some(6), "{v}");
        let r = app
            .api(
                "GET",
                "/api/v1/notify/alerts?state=waiting",
                Some(&token),
                None,
            )
            .await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(
            r.body.contains("\"state\"") || r.body.contains("state"),
            "{}",
            r.body
        );
        let r = app
            .api("GET", "/api/v1/notify/lists?q=s%C3%B3c", Some(&token), None)
            .await;
        let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(v["total"].as_i64(), Some(1), "{v}");
    }

    /// The accounts list past one page: searched by name on tone keys, by role, ordered by
    /// name, exported whole; a role the list does not know is named, in both languages.
    #[tokio::test]
    async fn the_accounts_list_pages_searches_and_exports() {
        let app = TestApp::spawn().await;
        let admin = app.user("quantri", vec![Role::Admin]).await;
        for i in 0..51 {
            app.user(&format!("canbo{i:02}"), vec![Role::Viewer]).await;
        }
        app.state
            .accounts
            .create_user(
                "test",
                &lantoa_accounts::NewUser::new("hoa.nt", "Nguyễn Thị Hòa", vec![Role::Planner]),
            )
            .await
            .unwrap();
        let me = app.browser(&admin).await;
        let page = app.get("/users", Some(&me)).await;
        assert_eq!(page.status, 200, "{}", page.body);
        assert!(page.body.contains("dòng 1–50 trong 53"), "{}", page.body);
        let next = app.get(&link_to(&page.body, "pager-next"), Some(&me)).await;
        assert!(next.body.contains("dòng 51–53 trong 53"), "{}", next.body);
        let found = app.get("/users?q=ho%C3%A0&role=planner", Some(&me)).await;
        assert!(
            found.body.contains("hoa.nt") && found.body.contains("trong 1<"),
            "{}",
            found.body
        );
        let rows = workbook_rows(&app.get("/users.xlsx?role=viewer", Some(&me)).await.bytes);
        assert_eq!(rows.len(), 52, "{:?}", &rows[..2]);
        assert_eq!(rows[1][2], "Người xem", "{:?}", rows[1]);
        let bad = app.get("/users?role=boss", Some(&me)).await;
        assert_eq!(bad.status, 422, "{}", bad.body);
        assert!(bad.body.contains("không phải giá trị lọc"), "{}", bad.body);
        let en = common::Browser {
            cookie: format!("{}; lantoa_lang=en", me.cookie),
            csrf: me.csrf.clone(),
        };
        let bad = app.get("/users?sort=age", Some(&en)).await;
        assert_eq!(bad.status, 422, "{}", bad.body);
        assert!(
            bad.body.contains("is not one of the values"),
            "{}",
            bad.body
        );
    }

    /// Every workbook reader refuses a file that unpacks to gigabytes before inflating it, with
    /// a short message that quotes nothing of the file, and keeps nothing of it.
    #[tokio::test]
    async fn every_workbook_reader_refuses_a_zip_bomb() {
        let app = TestApp::with_demo_city().await;
        let bomb = |xlsx: &[u8]| lantoa_store::testing::claiming_unpacked(xlsx, 0x7fff_ffff);
        let refused = |what: &str, message: &str| {
            assert!(
                message.contains("unpacks to more than"),
                "{what}: {message}"
            );
            assert!(message.len() < 400, "{what}: {message}");
        };
        // Watch subjects, over the API.
        app.user(
            "lan",
            vec![Role::WatchOfficer, Role::Communicator, Role::Planner],
        )
        .await;
        let tok = app.token("lan", &[]).await;
        let subjects = bomb(include_bytes!("../../watch/tests/fixtures/subjects.xlsx"));
        let r = app
            .send(
                axum::http::Request::post("/api/v1/watch/subjects/import")
                    .header("authorization", format!("Bearer {tok}"))
                    .header(
                        "content-type",
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    )
                    .body(axum::body::Body::from(subjects))
                    .unwrap(),
            )
            .await;
        assert!(r.status.is_client_error(), "{} {}", r.status, r.body);
        refused("watch subjects", &r.error_message());
        let (_, total) = app
            .state
            .watch
            .list(&lantoa_watch::ListQuery {
                limit: 10,
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(total, 0);
        // Opt-outs, over the API; a recipient list, through the service.
        let workbook = bomb(include_bytes!("../../opendata/tests/fixtures/wifi.xlsx"));
        let r = app
            .send(
                axum::http::Request::post("/api/v1/notify/optouts/import?source=dnc")
                    .header("authorization", format!("Bearer {tok}"))
                    .body(axum::body::Body::from(workbook.clone()))
                    .unwrap(),
            )
            .await;
        assert!(r.status.is_client_error(), "{} {}", r.status, r.body);
        refused("opt-outs", &r.error_message());
        let n = &app.state.notify;
        let e = n
            .import_list(
                "lan",
                "Danh sách",
                "ds.xlsx",
                std::io::Cursor::new(workbook.clone()),
            )
            .await
            .unwrap_err();
        refused("recipient list", &e.to_string());
        assert!(n.lists().await.unwrap().is_empty());
        // A plan's appendix.
        let plan = app
            .state
            .plans
            .create(
                "lan",
                &lantoa_plans::NewPlan {
                    number: "1/KH-UBND".into(),
                    issued_on: "2026-01-05".into(),
                    issuer: "UBND thành phố Hà Nội".into(),
                    title: "Kế hoạch thử".into(),
                    from_year: 2026,
                    to_year: 2026,
                    implements: String::new(),
                },
            )
            .await
            .unwrap();
        let appendix = bomb(include_bytes!("../../plans/tests/fixtures/appendix.xlsx"));
        let e = app
            .state
            .plans
            .import_appendix("lan", plan.id, &appendix, true)
            .await
            .unwrap_err();
        refused("plan appendix", &e.to_string());
        // An open-data upload: refused, no row read.
        let od = app.load_open_data_demo().await;
        let d = od.dataset_by_name("diem-wifi-cong-cong").await.unwrap();
        let before = od.rows(d.id, 0, 1).await.unwrap().1;
        let u = od
            .upload("lan", d.id, "wifi.xlsx", &workbook)
            .await
            .unwrap();
        let u = od.run_upload(u.id).await.unwrap();
        assert_eq!((u.status.as_str(), u.rows), ("refused", 0), "{u:?}");
        refused("open data", &u.problems[0].note.to_string());
        assert_eq!(od.rows(d.id, 0, 1).await.unwrap().1, before);
    }
}

/// Plans, reports and open data through `/api/v1`: what another system or the CLI does, with
/// the console's rules and named errors, nothing kept from a refused request.
mod module_api {
    use super::*;

    const APPENDIX: &str = "STT,Nhiệm vụ,Đơn vị chủ trì,Thời gian hoàn thành\nI,Chính quyền số,,\n1,Kho dữ liệu mở,Sở Y tế Hà Nội,Quý II/2024\n2,Cổng dịch vụ công,Sở Y tế Hà Nội,Quý IV/2024\n";

    #[tokio::test]
    async fn plans_tasks_reports_by_the_lead_unit_and_indicators() {
        let app = TestApp::with_demo_city().await;
        let plans = &app.state.plans;
        let plan = app.plan_with("239/KH-UBND", (2023, 2025), APPENDIX).await;
        let other = app
            .plan_with(
                "1/KH-UBND",
                (2024, 2024),
                "STT,Nhiệm vụ,Đơn vị chủ trì,Thời gian hoàn thành\nI,Khác,,\n",
            )
            .await;
        let yte = app.agency_named("Sở Y tế Hà Nội").await;
        let cv = app.user("ytecv", vec![Role::AgencyUploader]).await;
        app.state
            .accounts
            .set_unit("admin", cv.id, Some(yte))
            .await
            .unwrap();
        let cv = app.token("ytecv", &[]).await;
        app.user("xem", vec![Role::Viewer]).await;
        let xem = app.token("xem", &[]).await;
        app.user("kehoach", vec![Role::Planner]).await;
        let kh = app.token("kehoach", &[]).await;

        let r = app
            .api("GET", "/api/v1/plans?on=01/07/2025", Some(&xem), None)
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        let listed = r.json()["plans"].as_array().unwrap().clone();
        assert_eq!(listed.len(), 2);
        let ours = listed.iter().find(|p| p["plan"]["id"] == plan.id).unwrap();
        // On 1/7/2025 both tasks are past their deadlines with no report.
        assert_eq!(ours["tasks"]["tasks"], 2, "{}", r.body);
        assert_eq!(ours["tasks"]["overdue"], 2, "{}", r.body);
        let r = app
            .api("GET", "/api/v1/plans?on=31/02/2025", Some(&xem), None)
            .await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(r.error_message().starts_with("on:"), "{}", r.body);

        // Tasks a page at a time: three rows (the section and two tasks), two per page.
        let at = format!("/api/v1/plans/{}", plan.id);
        let r = app
            .api("GET", &format!("{at}/tasks?limit=2"), Some(&xem), None)
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.json()["total"], 3);
        assert_eq!(r.json()["next"], 2);
        let codes: Vec<String> = r.json()["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["task"]["code"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(codes, ["I", "I.1"]);
        let r = app
            .api(
                "GET",
                &format!("{at}/tasks?limit=2&offset=2"),
                Some(&xem),
                None,
            )
            .await;
        assert_eq!(r.json()["next"], serde_json::Value::Null);
        let task = r.json()["tasks"][0]["task"]["id"].as_i64().unwrap();
        assert_eq!(
            app.api("GET", "/api/v1/plans/999", Some(&xem), None)
                .await
                .status,
            404
        );

        // The lead unit's account reports; a bad percent is named and nothing is kept; a
        // viewer of no unit is refused; the task through another plan's path is not found.
        let url = format!("{at}/tasks/{task}/report");
        let body = |percent: i64| {
            format!(r#"{{"status": "in_progress", "percent": {percent}, "body": "Đã dựng cổng"}}"#)
        };
        let r = app.api("POST", &url, Some(&cv), Some(&body(120))).await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(r.error_message().starts_with("percent:"), "{}", r.body);
        assert_eq!(plans.task_reports(task).await.unwrap().len(), 0);
        let r = app.api("POST", &url, Some(&xem), Some(&body(40))).await;
        assert_eq!(r.status, 403, "{}", r.body);
        let r = app
            .api(
                "POST",
                &format!("/api/v1/plans/{}/tasks/{task}/report", other.id),
                Some(&cv),
                Some(&body(40)),
            )
            .await;
        assert_eq!(r.status, 404, "{}", r.body);
        assert_eq!(r.error_code(), "not_found", "{}", r.body);
        let r = app
            .api("POST", &url, Some(&cv), Some(r#"{"status": "in_progress"#))
            .await;
        assert_eq!(r.status, 400, "{}", r.body);
        let r = app.api("POST", &url, Some(&cv), Some(&body(40))).await;
        assert_eq!(r.status, 201, "{}", r.body);
        assert_eq!(r.json()["report"]["percent"], 40);
        assert_eq!(plans.task_reports(task).await.unwrap().len(), 1);
        // The plan's tasks, all of them, as a workbook: units by name, the report as given.
        let xem_user = app.state.accounts.user_by_name("xem").await.unwrap();
        let page = app.browser(&xem_user).await;
        let x = app
            .get(&format!("/plans/{}/tasks.xlsx", plan.id), Some(&page))
            .await;
        assert_eq!(x.status, 200, "{}", x.body);
        let rows = workbook_rows(&x.bytes);
        assert_eq!(rows.len(), 4, "{rows:?}");
        assert_eq!(rows[0][0], "Mã");
        let reported = rows.iter().find(|r| r[0] == "I.2").unwrap();
        assert_eq!(
            (
                reported[2].as_str(),
                reported[6].as_str(),
                reported[7].as_str()
            ),
            ("Sở Y tế Hà Nội", "đang triển khai", "40"),
            "{rows:?}"
        );
        let r = app
            .get(
                &format!("/plans/{}/tasks.csv?on=31/02/2025", plan.id),
                Some(&page),
            )
            .await;
        assert_eq!(r.status, 422, "{}", r.body);

        // Indicators: a planner defines one in the service, records an actual by the API; a
        // period that is not one is named.
        let ind = plans
            .define_indicator(
                "setup",
                &[Role::Planner],
                plan.id,
                &lantoa_plans::NewIndicator {
                    code: "CQS1".into(),
                    name: "Hồ sơ trực tuyến".into(),
                    measure: "%".into(),
                    pillar: "government".into(),
                    baseline: None,
                    direction: lantoa_plans::Direction::Higher,
                    targets: vec![(2024, 80.0)],
                    computed_from: None,
                },
            )
            .await
            .unwrap();
        let actual = format!("{at}/indicators/{}/actual", ind.id);
        let r = app
            .api(
                "POST",
                &actual,
                Some(&kh),
                Some(r#"{"period": "Quý V/2024", "value": 85, "source": "Cổng DVC"}"#),
            )
            .await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(r.error_message().starts_with("period:"), "{}", r.body);
        let r = app
            .api(
                "POST",
                &actual,
                Some(&cv),
                Some(r#"{"period": "2024", "value": 85, "source": "Cổng DVC"}"#),
            )
            .await;
        assert_eq!(r.status, 403, "{}", r.body);
        let r = app
            .api(
                "POST",
                &actual,
                Some(&kh),
                Some(r#"{"period": "2024", "value": 85, "source": "Cổng DVC"}"#),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
        assert_eq!(r.json()["period_end"], "2024-12-31");
        let r = app
            .api(
                "GET",
                &format!("{at}/indicators?year=2024"),
                Some(&xem),
                None,
            )
            .await;
        let s = &r.json()["indicators"][0];
        assert_eq!(s["target"], 80.0, "{}", r.body);
        assert_eq!(s["met"], true, "{}", r.body);
        let r = app
            .api(
                "POST",
                &format!("/api/v1/plans/{}/indicators/{}/actual", other.id, ind.id),
                Some(&kh),
                Some(r#"{"period": "2024", "value": 85, "source": "x"}"#),
            )
            .await;
        assert_eq!(r.status, 404, "{}", r.body);
    }

    #[tokio::test]
    async fn a_report_is_started_written_approved_by_another_and_downloaded() {
        let app = TestApp::spawn().await;
        app.user("kehoach", vec![Role::Planner]).await;
        let kh = app.token("kehoach", &[]).await;
        app.user("duyet", vec![Role::Approver]).await;
        let duyet = app.token("duyet", &[]).await;
        app.user("xem", vec![Role::Viewer]).await;
        let xem = app.token("xem", &[]).await;
        let start = r#"{"frequency": "quarterly", "year": 2026, "n": 1}"#;
        assert_eq!(
            app.api("POST", "/api/v1/reports", Some(&xem), Some(start))
                .await
                .status,
            403
        );
        let r = app
            .api(
                "POST",
                "/api/v1/reports",
                Some(&kh),
                Some(r#"{"frequency": "quarterly", "year": 2026, "n": 5}"#),
            )
            .await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(r.error_message().starts_with("n:"), "{}", r.body);
        let r = app.api("GET", "/api/v1/reports", Some(&xem), None).await;
        assert_eq!(r.json()["reports"].as_array().unwrap().len(), 0);
        let r = app
            .api("POST", "/api/v1/reports", Some(&kh), Some(start))
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
        assert_eq!(r.json()["report"]["label"], "Quý I/2026");
        let at = format!("/api/v1/reports/{}", r.json()["report"]["id"]);
        let r = app.api("GET", &at, Some(&kh), None).await;
        assert_eq!(
            r.json()["steps"],
            serde_json::json!(["submit"]),
            "{}",
            r.body
        );
        assert!(
            r.json()["contents"]["sections"]
                .as_array()
                .unwrap()
                .iter()
                .any(|s| s["field"] == "watch"),
            "{}",
            r.body
        );
        // A text; a target on a figure that is not one keeps no target at all.
        let r = app
            .api(
                "POST",
                &format!("{at}/texts"),
                Some(&kh),
                Some(r#"{"section": "shortcomings", "body": "Bản một."}"#),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
        assert_eq!(r.json()["text"]["version"], 1);
        let key = lantoa_reports::figures::Labels::builtin().unwrap().figure[0]
            .key
            .clone();
        let r = app
            .api(
                "POST",
                &format!("{at}/targets"),
                Some(&kh),
                Some(&format!(r#"{{"{key}": 12, "no.such": 3}}"#)),
            )
            .await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(r.error_message().contains("no.such"), "{}", r.body);
        let r = app.api("GET", &at, Some(&kh), None).await;
        assert_eq!(r.json()["contents"]["targets"], serde_json::json!([]));
        let r = app
            .api(
                "POST",
                &format!("{at}/targets"),
                Some(&kh),
                Some(&format!(r#"{{"{key}": 12}}"#)),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.json()["targets"][0][1], 12.0, "{}", r.body);
        // Steps: an unknown one is named; the author cannot approve; another person does.
        let r = app
            .api("POST", &format!("{at}/publish"), Some(&kh), None)
            .await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(r.error_message().contains("send-back"), "{}", r.body);
        let r = app
            .api("POST", &format!("{at}/submit"), Some(&kh), None)
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.json()["steps"], serde_json::json!(["send-back"]));
        let r = app
            .api("POST", &format!("{at}/approve"), Some(&kh), None)
            .await;
        assert_eq!(r.status, 409, "{}", r.body);
        assert_eq!(r.error_code(), "second_person_required", "{}", r.body);
        let r = app.api("GET", &at, Some(&duyet), None).await;
        assert_eq!(
            r.json()["steps"],
            serde_json::json!(["send-back", "approve"])
        );
        let r = app
            .api("POST", &format!("{at}/approve"), Some(&duyet), None)
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.json()["report"]["state"], "approved");
        assert!(r.json()["report"]["number"].is_i64(), "{}", r.body);
        let r = app
            .api(
                "GET",
                &format!("{at}/report.docx?final=1"),
                Some(&xem),
                None,
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(
            r.headers["content-type"],
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        );
        assert!(r.bytes.starts_with(b"PK"));
    }

    #[tokio::test]
    async fn an_agency_uploads_follows_and_fixes_its_quarantined_rows() {
        let app = TestApp::spawn().await;
        let od = app.load_open_data_demo().await;
        let mut dirty = None;
        for d in od.datasets(None).await.unwrap() {
            if !od.quarantine(d.id, "open", 1).await.unwrap().is_empty() {
                dirty = Some(d);
                break;
            }
        }
        let d = dirty.expect("the demo has a dataset with quarantined rows");
        let owner = d.owner_unit_id;
        let cv = app.user("canbo", vec![Role::AgencyUploader]).await;
        app.state
            .accounts
            .set_unit("admin", cv.id, Some(owner))
            .await
            .unwrap();
        let cv = app.token("canbo", &[]).await;
        let elsewhere = app
            .state
            .registry
            .create(
                "test",
                &lantoa_registry::NewUnit::new(lantoa_core::unit::UnitKind::Agency, None, "Sở Thử"),
            )
            .await
            .unwrap();
        let stranger = app.user("khac", vec![Role::AgencyUploader]).await;
        app.state
            .accounts
            .set_unit("admin", stranger.id, Some(elsewhere.id))
            .await
            .unwrap();
        let stranger = app.token("khac", &[]).await;

        let r = app
            .api("GET", "/api/v1/opendata/datasets", Some(&cv), None)
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        let mine = r.json()["datasets"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["dataset"]["name"] == d.name.as_str())
            .unwrap()["may_change"]
            .clone();
        assert_eq!(mine, true);

        // The quarantine a page at a time.
        let q = format!("/api/v1/opendata/datasets/{}/quarantine", d.name);
        let r = app
            .api("GET", &format!("{q}?limit=1"), Some(&cv), None)
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        let total = r.json()["total"].as_i64().unwrap();
        assert!(total >= 1);
        assert_eq!(r.json()["rows"].as_array().unwrap().len(), 1);
        let row = r.json()["rows"][0].clone();
        let id = row["id"].as_i64().unwrap();
        let r = app
            .api("GET", &format!("{q}?status=lost"), Some(&cv), None)
            .await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(r.error_message().starts_with("status:"), "{}", r.body);

        // A fix naming a field the schema lacks changes nothing; another agency may not fix.
        let fix = format!("/api/v1/opendata/quarantine/{id}/fix");
        let r = app
            .api(
                "POST",
                &fix,
                Some(&cv),
                Some(r#"{"cells": {"no_such_field": "1"}}"#),
            )
            .await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(r.error_message().contains("no_such_field"), "{}", r.body);
        let r = app
            .api("POST", &fix, Some(&stranger), Some(r#"{"cells": {}}"#))
            .await;
        assert_eq!(r.status, 403, "{}", r.body);
        // The row unchanged stays dirty with its reasons, still in the quarantine.
        let r = app
            .api("POST", &fix, Some(&cv), Some(r#"{"cells": {}}"#))
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.json()["outcome"], "still_dirty", "{}", r.body);
        assert!(!r.json()["errors"].as_array().unwrap().is_empty());
        let r = app.api("GET", &q, Some(&cv), None).await;
        assert_eq!(r.json()["total"].as_i64().unwrap(), total);

        // An upload: the body is the file; a bad date is named before anything is kept; the
        // upload is queued and a worker reads it.
        let before = od.uploads(d.id).await.unwrap().len();
        let up = format!("/api/v1/opendata/datasets/{}/uploads", d.name);
        let header: Vec<String> = d.schema["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["name"].as_str().unwrap().to_owned())
            .collect();
        let csv = format!("{}\n", header.join(","));
        let send = |path: String, token: String, body: String| {
            let app = &app;
            async move {
                app.send(
                    axum::http::Request::builder()
                        .method("POST")
                        .uri(path)
                        .header("authorization", format!("Bearer {token}"))
                        .header("content-type", "text/csv")
                        .body(axum::body::Body::from(body))
                        .unwrap(),
                )
                .await
            }
        };
        let r = send(format!("{up}?as_of=31/13/2024"), cv.clone(), csv.clone()).await;
        assert_eq!(r.status, 422, "{}", r.body);
        let r = send(up.clone(), stranger.clone(), csv.clone()).await;
        assert_eq!(r.status, 403, "{}", r.body);
        let r = send(up.clone(), cv.clone(), String::new()).await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(r.error_message().starts_with("file:"), "{}", r.body);
        assert_eq!(od.uploads(d.id).await.unwrap().len(), before);
        let r = send(format!("{up}?file_name=moi.csv"), cv.clone(), csv).await;
        assert_eq!(r.status, 202, "{}", r.body);
        assert_eq!(r.json()["upload"]["status"], "queued");
        let uid = r.json()["upload"]["id"].as_i64().unwrap();
        od.run_upload(uid).await.unwrap();
        let r = app
            .api(
                "GET",
                &format!("/api/v1/opendata/uploads/{uid}"),
                Some(&cv),
                None,
            )
            .await;
        assert_eq!(r.json()["upload"]["file_name"], "moi.csv", "{}", r.body);
        assert_ne!(r.json()["upload"]["status"], "queued", "{}", r.body);
        let r = app
            .api(
                "GET",
                &format!("/api/v1/opendata/datasets/{}/uploads", d.name),
                Some(&cv),
                None,
            )
            .await;
        assert_eq!(r.json()["uploads"].as_array().unwrap().len(), before + 1);
    }
}

/// The dashboard opens on what waits on the person signed in, from each module's own rules.
mod dashboard {
    use super::*;

    #[tokio::test]
    async fn each_person_sees_their_own_work_first() {
        let app = TestApp::spawn().await;
        let od = app.load_open_data_demo().await;
        // A case opened by an officer waits at its first step for the officers.
        let s = app.websites(1).await.remove(0);
        app.state
            .watch
            .open_case(
                "khac",
                &[Role::WatchOfficer],
                &lantoa_watch::NewCase {
                    subject_id: s.id,
                    category: "bao_hoa".into(),
                    title: "Hồ sơ thử".into(),
                    findings: Vec::new(),
                    note: "mở để thử".into(),
                },
            )
            .await
            .unwrap();
        // A plan whose task of Sở Y tế was due in 2024 and has no report.
        app.plan_with(
            "9/KH-UBND",
            (2024, 2024),
            "STT,Nhiệm vụ,Đơn vị chủ trì,Thời gian hoàn thành\n1,Kho dữ liệu mở,Sở Y tế Hà Nội,Quý II/2024\n",
        )
        .await;
        let yte = app.agency_named("Sở Y tế Hà Nội").await;
        let officer = app.user("lan", vec![Role::WatchOfficer]).await;
        let officer = app.browser(&officer).await;
        let page = app.get("/", Some(&officer)).await;
        assert!(
            page.body
                .contains("1 hồ sơ ở bước “Phát hiện” chờ bạn xử lý")
                && page.body.contains("&#x2f;watch&#x2f;cases?state=phat_hien"),
            "{}",
            page.body
        );
        assert!(!page.body.contains("id=\"work-none\""));

        // An agency's uploader: the quarantined rows of its own agency's datasets only.
        let mut dirty = None;
        for d in od.datasets(None).await.unwrap() {
            let (_, n) = od.quarantine_page(d.id, "open", 0, 0).await.unwrap();
            if n > 0 {
                dirty = Some((d, n));
                break;
            }
        }
        let (d, n) = dirty.expect("the demo keeps some rows back");
        let cv = app.user("canbo", vec![Role::AgencyUploader]).await;
        app.state
            .accounts
            .set_unit("admin", cv.id, Some(d.owner_unit_id))
            .await
            .unwrap();
        let cv = app.browser(&cv).await;
        let page = app.get("/", Some(&cv)).await;
        assert!(
            page.body.contains(&format!("{n} dòng bị giữ lại"))
                && page
                    .body
                    .contains(&format!("&#x2f;opendata&#x2f;{}#quarantine", d.name)),
            "{}",
            page.body
        );
        // Sở Y tế's account: its task overdue, shown first as late.
        let yt = app.user("ytecv", vec![Role::Viewer]).await;
        app.state
            .accounts
            .set_unit("admin", yt.id, Some(yte))
            .await
            .unwrap();
        let yt = app.browser(&yt).await;
        let page = app.get("/", Some(&yt)).await;
        assert!(
            page.body.contains("1 nhiệm vụ của đơn vị bạn đã quá hạn")
                && page.body.contains("class=\"late\""),
            "{}",
            page.body
        );
        // A report sent for review waits on another approver, not on who sent it.
        let reports = lantoa_reports::Reports::new(app.t.db.clone(), Default::default()).unwrap();
        let r = reports
            .create("kehoach", "yearly", 2025, 1, "calendar")
            .await
            .unwrap();
        reports.submit("kehoach", r.id).await.unwrap();
        let kh = app.user("kehoach", vec![Role::Planner]).await;
        let kh = app.browser(&kh).await;
        assert!(
            !app.get("/", Some(&kh))
                .await
                .body
                .contains("báo cáo chờ duyệt")
        );
        let duyet = app.user("duyet", vec![Role::Approver]).await;
        let duyet = app.browser(&duyet).await;
        let page = app.get("/", Some(&duyet)).await;
        assert!(page.body.contains("1 báo cáo chờ duyệt"), "{}", page.body);
        // A viewer of no unit: nothing waits.
        let xem = app.user("xem", vec![Role::Viewer]).await;
        let xem = app.browser(&xem).await;
        let page = app.get("/", Some(&xem)).await;
        assert!(page.body.contains("id=\"work-none\""), "{}", page.body);
        assert!(
            page.body.find("id=\"work-h\"") < page.body.find("id=\"units-h\""),
            "own work comes before the registry's counts"
        );
    }
}

/// The SQLite and PostgreSQL migrations of every module build the same schema, read from the
/// databases themselves: the same tables, each with the same columns, of the same kind
/// (integer, real, text, bytes), the same ones required, and the same named indexes.
mod schema_parity {
    use lantoa_store::sqlx::{self, Row as _};
    use std::collections::BTreeMap;

    /// A column's kind and whether it is required.
    type Columns = BTreeMap<String, (&'static str, bool)>;

    /// The kind a declared type belongs to on either database.
    fn kind(declared: &str) -> &'static str {
        let t = declared.to_ascii_lowercase();
        if t.contains("int") || t == "boolean" {
            "integer"
        } else if t.contains("char") || t.contains("text") || t == "json" || t == "jsonb" {
            "text"
        } else if t.contains("real")
            || t.contains("double")
            || t.contains("numeric")
            || t.contains("float")
        {
            "real"
        } else if t.contains("blob") || t == "bytea" {
            "bytes"
        } else {
            "other"
        }
    }

    async fn sqlite(db: &lantoa_store::Db) -> Schema {
        let pool = db.pool();
        let tables: Vec<String> = sqlx::query_scalar(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
        )
        .fetch_all(pool)
        .await
        .unwrap();
        let mut out = BTreeMap::new();
        for t in tables {
            // Virtual tables' shadow tables (full-text indexes) are SQLite's own.
            let mut cols = Columns::new();
            for r in sqlx::query(&format!(
                "SELECT name, type, \"notnull\", pk FROM pragma_table_info('{t}')"
            ))
            .fetch_all(pool)
            .await
            .unwrap()
            {
                let name: String = r.try_get(0).unwrap();
                let declared: String = r.try_get(1).unwrap();
                let required =
                    r.try_get::<i64, _>(2).unwrap() != 0 || r.try_get::<i64, _>(3).unwrap() != 0;
                cols.insert(name, (kind(&declared), required));
            }
            out.insert(t, cols);
        }
        let indexes = sqlx::query_scalar(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_autoindex_%'",
        )
        .fetch_all(pool)
        .await
        .unwrap()
        .into_iter()
        .collect();
        (out, indexes)
    }

    async fn postgres(db: &lantoa_store::Db) -> Schema {
        let pool = db.pool();
        let mut out: BTreeMap<String, Columns> = BTreeMap::new();
        for r in sqlx::query(
            "SELECT c.table_name::text, c.column_name::text, c.data_type::text, c.is_nullable::text
             FROM information_schema.columns c JOIN information_schema.tables t
               ON t.table_schema = c.table_schema AND t.table_name = c.table_name
             WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'",
        )
        .fetch_all(pool)
        .await
        .unwrap()
        {
            let table: String = r.try_get(0).unwrap();
            let name: String = r.try_get(1).unwrap();
            let declared: String = r.try_get(2).unwrap();
            let nullable: String = r.try_get(3).unwrap();
            out.entry(table)
                .or_default()
                .insert(name, (kind(&declared), nullable == "NO"));
        }
        // Named indexes: those a constraint made for itself are the database's own.
        let indexes = sqlx::query_scalar(
            "SELECT i.indexname::text FROM pg_indexes i
             WHERE i.schemaname = 'public' AND NOT EXISTS (
                 SELECT 1 FROM pg_constraint k WHERE k.conname = i.indexname)",
        )
        .fetch_all(pool)
        .await
        .unwrap()
        .into_iter()
        .collect();
        (out, indexes)
    }

    type Schema = (
        BTreeMap<String, Columns>,
        std::collections::BTreeSet<String>,
    );

    /// What differs between SQLite's schema and PostgreSQL's, one line each.
    fn differences(lite: &Schema, pg: &Schema) -> Vec<String> {
        let ((lite_tables, lite_indexes), (pg_tables, pg_indexes)) = (lite, pg);
        let mut differences = Vec::new();
        for t in lite_tables.keys().chain(pg_tables.keys()) {
            match (lite_tables.get(t), pg_tables.get(t)) {
                (Some(_), None) => differences.push(format!("table {t}: only on SQLite")),
                (None, Some(_)) => differences.push(format!("table {t}: only on PostgreSQL")),
                (Some(a), Some(b)) => {
                    for c in a.keys().chain(b.keys()) {
                        match (a.get(c), b.get(c)) {
                            (Some(x), Some(y)) if x != y => differences.push(format!(
                                "{t}.{c}: SQLite {x:?}, PostgreSQL {y:?} (kind, required)"
                            )),
                            (Some(_), None) => differences.push(format!("{t}.{c}: only on SQLite")),
                            (None, Some(_)) => {
                                differences.push(format!("{t}.{c}: only on PostgreSQL"))
                            }
                            _ => {}
                        }
                    }
                }
                (None, None) => {}
            }
        }
        for i in lite_indexes.symmetric_difference(pg_indexes) {
            let on = if lite_indexes.contains(i) {
                "SQLite"
            } else {
                "PostgreSQL"
            };
            differences.push(format!("index {i}: only on {on}"));
        }
        differences.sort();
        differences.dedup();
        differences
    }

    #[tokio::test]
    #[ignore = "compares with PostgreSQL: cargo xtask test runs it beside the PostgreSQL suites"]
    async fn both_databases_get_the_same_tables_columns_and_indexes() {
        let server = std::env::var(lantoa_store::testing::ENV)
            .expect("LANTOA_TEST_DATABASE_URL names the PostgreSQL server to compare with");
        assert!(!server.is_empty(), "LANTOA_TEST_DATABASE_URL is empty");
        let pg = lantoa_store::testing::TestDb::new(&lantoa_web::MIGRATIONS)
            .await
            .unwrap();
        assert!(pg.is_postgres());
        let dir = tempfile::tempdir().unwrap();
        let lite = lantoa_store::Db::connect_with(
            &format!("sqlite://{}", dir.path().join("parity.db").display()),
            Some(1),
        )
        .await
        .unwrap();
        let mut sets: Vec<&lantoa_store::migrate::MigrationSet> = vec![&lantoa_store::MIGRATIONS];
        sets.extend(
            lantoa_web::MIGRATIONS
                .iter()
                .copied()
                .filter(|s| s.component != "store"),
        );
        lantoa_store::migrate::run(&lite, &sets).await.unwrap();
        let lite_schema = sqlite(&lite).await;
        let pg_schema = postgres(&pg.db).await;
        let differences = differences(&lite_schema, &pg_schema);
        let (lite_tables, lite_indexes) = &lite_schema;
        eprintln!(
            "schema parity: {} tables, {} columns, {} named indexes compared",
            lite_tables.len(),
            lite_tables.values().map(|c| c.len()).sum::<usize>(),
            lite_indexes.len()
        );
        assert!(
            lite_tables.len() > 40,
            "only {} tables migrated",
            lite_tables.len()
        );
        assert!(
            differences.is_empty(),
            "{} differences:\n{}",
            differences.len(),
            differences.join("\n")
        );
        // The comparison sees a column one database has and the other has not.
        sqlx::query(
            "ALTER TABLE notify_campaigns ADD COLUMN parity_probe TEXT NOT NULL DEFAULT ''",
        )
        .execute(lite.pool())
        .await
        .unwrap();
        sqlx::query("CREATE INDEX parity_probe_index ON notify_campaigns (parity_probe)")
            .execute(lite.pool())
            .await
            .unwrap();
        let probed = super::schema_parity::differences(&sqlite(&lite).await, &pg_schema);
        assert_eq!(
            probed,
            [
                "index parity_probe_index: only on SQLite",
                "notify_campaigns.parity_probe: only on SQLite",
            ]
        );
    }
}
