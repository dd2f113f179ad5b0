use super::*;

#[tokio::test]
async fn each_person_sees_their_own_work_first() {
    let app = TestApp::spawn().await;
    let od = app.load_open_data_demo().await;
    // A case opened by an officer waits at its first step for the officers.
    let s = app.websites(1).await.remove(0);
    app.state
        .watch
        .open_case(
            "khac",
            &[Role::WatchOfficer],
            &lantoa_watch::NewCase {
                subject_id: s.id,
                category: "bao_hoa".into(),
                title: "Hồ sơ thử".into(),
                findings: Vec::new(),
                note: "mở để thử".into(),
            },
        )
        .await
        .unwrap();
    // A plan whose task of Sở Y tế was due in 2024 and has no report.
    app.plan_with(
            "9/KH-UBND",
            (2024, 2024),
            "STT,Nhiệm vụ,Đơn vị chủ trì,Thời gian hoàn thành\n1,Kho dữ liệu mở,Sở Y tế Hà Nội,Quý II/2024\n",
        )
        .await;
    let yte = app.agency_named("Sở Y tế Hà Nội").await;
    let officer = app.user("lan", vec![Role::WatchOfficer]).await;
    let officer = app.browser(&officer).await;
    let page = app.get("/", Some(&officer)).await;
    assert!(
        page.body
            .contains("1 hồ sơ ở bước “Phát hiện” chờ bạn xử lý")
            && page.body.contains("&#x2f;watch&#x2f;cases?state=phat_hien"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("id=\"work-none\""));

    // An agency's uploader: the quarantined rows of its own agency's datasets only.
    let mut dirty = None;
    for d in od.datasets(None).await.unwrap() {
        let (_, n) = od.quarantine_page(d.id, "open", 0, 0).await.unwrap();
        if n > 0 {
            dirty = Some((d, n));
            break;
        }
    }
    let (d, n) = dirty.expect("the demo keeps some rows back");
    let cv = app.user("canbo", vec![Role::AgencyUploader]).await;
    app.state
        .accounts
        .set_unit("admin", cv.id, Some(d.owner_unit_id))
        .await
        .unwrap();
    let cv = app.browser(&cv).await;
    let page = app.get("/", Some(&cv)).await;
    assert!(
        page.body.contains(&format!("{n} dòng bị giữ lại"))
            && page
                .body
                .contains(&format!("&#x2f;opendata&#x2f;{}#quarantine", d.name)),
        "{}",
        page.body
    );
    // Sở Y tế's account: its task overdue, shown first as late.
    let yt = app.user("ytecv", vec![Role::Viewer]).await;
    app.state
        .accounts
        .set_unit("admin", yt.id, Some(yte))
        .await
        .unwrap();
    let yt = app.browser(&yt).await;
    let page = app.get("/", Some(&yt)).await;
    assert!(
        page.body.contains("1 nhiệm vụ của đơn vị bạn đã quá hạn")
            && page.body.contains("class=\"late\""),
        "{}",
        page.body
    );
    // A report sent for review waits on another approver, not on who sent it.
    let reports = lantoa_reports::Reports::new(app.t.db.clone(), Default::default()).unwrap();
    let r = reports
        .create("kehoach", "yearly", 2025, 1, "calendar")
        .await
        .unwrap();
    reports.submit("kehoach", r.id).await.unwrap();
    let kh = app.user("kehoach", vec![Role::Planner]).await;
    let kh = app.browser(&kh).await;
    assert!(
        !app.get("/", Some(&kh))
            .await
            .body
            .contains("báo cáo chờ duyệt")
    );
    let duyet = app.user("duyet", vec![Role::Approver]).await;
    let duyet = app.browser(&duyet).await;
    let page = app.get("/", Some(&duyet)).await;
    assert!(page.body.contains("1 báo cáo chờ duyệt"), "{}", page.body);
    // A viewer of no unit: nothing waits.
    let xem = app.user("xem", vec![Role::Viewer]).await;
    let xem = app.browser(&xem).await;
    let page = app.get("/", Some(&xem)).await;
    assert!(page.body.contains("id=\"work-none\""), "{}", page.body);
    assert!(
        page.body.find("id=\"work-h\"") < page.body.find("id=\"units-h\""),
        "own work comes before the registry's counts"
    );
}
