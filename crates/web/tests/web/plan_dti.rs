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
        page.body.contains("id=\"no-dti\"") && page.body.contains("Quyết định 922&#x2f;QĐ-BTTTT"),
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
