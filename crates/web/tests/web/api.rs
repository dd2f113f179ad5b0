use super::*;

#[tokio::test]
async fn openapi_lists_every_api_route_with_its_security() {
    let app = TestApp::spawn().await;
    let doc = app.get("/api/v1/openapi.json", None).await.json();
    assert_eq!(doc["openapi"], "3.1.0");
    // Every stable error code is in the document, the specific refusals among them.
    let codes =
        &doc["components"]["schemas"]["Error"]["properties"]["error"]["properties"]["code"]["enum"];
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
