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
