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
