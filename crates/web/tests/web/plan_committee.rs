use super::*;

#[tokio::test]
async fn a_planner_keeps_the_committee_and_puts_a_section_under_a_member() {
    let app = TestApp::with_demo_city().await;
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
                to_year: 2025,
                implements: String::new(),
            },
        )
        .await
        .unwrap();
    app.state
            .plans
            .import_appendix(
                "kehoach",
                plan.id,
                "STT,Nhiệm vụ,Đơn vị chủ trì,Thời gian hoàn thành\nI,Chính quyền số,,\n1,Kho dữ liệu mở,Sở Y tế Hà Nội,Quý II/2024\n2,Báo cáo năm,Sở Y tế Hà Nội,Hằng năm\n".as_bytes(),
                true,
            )
            .await
            .unwrap();
    let ke = app.user("kehoach", vec![Role::Planner]).await;
    let ke = app.browser(&ke).await;
    let xem = app.user("xem", vec![Role::Viewer]).await;
    let xem = app.browser(&xem).await;
    let page = app.get("/plans/committee", Some(&ke)).await;
    assert!(
        page.body.contains("id=\"no-members\"") && page.body.contains("id=\"member-form\""),
        "{}",
        page.body
    );
    let form = [
        ("name", "Trần Văn A"),
        ("position", "Phó Chủ tịch UBND thành phố"),
        ("role", "deputy"),
        ("fields", "Chính quyền số; Kinh tế số"),
        ("phone", "0912 34"),
    ];
    assert_eq!(
        app.post_form("/plans/committee", Some(&xem), &form)
            .await
            .status,
        403
    );
    // A bad phone: named, the form back as typed, nothing kept.
    let r = app.post_form("/plans/committee", Some(&ke), &form).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(
        r.body.contains("phone") && r.body.contains("value=\"Trần Văn A\""),
        "{}",
        r.body
    );
    assert!(app.state.plans.members().await.unwrap().is_empty());
    let mut good = form;
    good[4] = ("phone", "0912345678");
    let r = app.post_form("/plans/committee", Some(&ke), &good).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = app.get("/plans/committee", Some(&xem)).await;
    assert!(
        page.body.contains("Chính quyền số; Kinh tế số") && page.body.contains("Phó Trưởng ban"),
        "{}",
        page.body
    );
    let member = app.state.plans.members().await.unwrap()[0].id;

    // Section I under the member: the plan's summary by member counts its two tasks; an
    // unknown code is named.
    let at = format!("/plans/{}", plan.id);
    let r = app
        .post_form(
            &format!("{at}/assign"),
            Some(&ke),
            &[("code", "IX"), ("member", &member.to_string())],
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(
        r.body.contains("Kế hoạch không có nhiệm vụ hay mục"),
        "{}",
        r.body
    );
    let r = app
        .post_form(
            &format!("{at}/assign"),
            Some(&ke),
            &[("code", "I"), ("member", &member.to_string())],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = app.get(&at, Some(&xem)).await;
    let table = page.body.split("id=\"by-member\"").nth(1).unwrap();
    assert!(
        table.contains("<td>Trần Văn A (Phó Chủ tịch UBND thành phố)</td><td>2</td>"),
        "{}",
        page.body
    );
    // The summary for the leadership: both tasks are overdue today (Q2/2024; yearly work
    // with no report), under the member.
    let page = app.get(&format!("{at}/escalation"), Some(&xem)).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let mine = page
        .body
        .split(&format!("id=\"member-{member}\""))
        .nth(1)
        .unwrap();
    assert!(
        mine.contains("Kho dữ liệu mở") && mine.contains("Báo cáo năm"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("id=\"escalation-units\""),
        "{}",
        page.body
    );
    // Leaving: recorded, and no longer offered for assignment.
    let r = app
        .post_form(
            &format!("/plans/committee/{member}/active"),
            Some(&ke),
            &[("active", "0")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(!app.state.plans.member(member).await.unwrap().active);
    assert!(
        !app.get(&at, Some(&ke))
            .await
            .body
            .contains("id=\"as-member\"")
    );
}
