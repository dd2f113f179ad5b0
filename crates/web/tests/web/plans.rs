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
