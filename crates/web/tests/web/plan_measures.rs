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
