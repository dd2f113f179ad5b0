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
        r.body.contains("5 không phải kỳ trong năm (từ 1 đến 4)") && r.body.contains("value=\"5\""),
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
