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
