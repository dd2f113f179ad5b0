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
        first.body.contains("id=\"audit-verify\"") && !first.body.contains("id=\"audit-status\""),
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
