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
