//! The console in real headless Chromium through chromedriver.
//!
//! Needs a running chromedriver: `cargo xtask test` installs Chromium and chromedriver, starts
//! the driver, sets `LANTOA_WEBDRIVER` and runs these with `--ignored`. Without the variable
//! the test fails: it never passes by skipping.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers: a panic is the failure report

mod common;

use common::TestApp;
use fantoccini::{ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;

async fn browser() -> fantoccini::Client {
    let url = std::env::var("LANTOA_WEBDRIVER")
        .expect("LANTOA_WEBDRIVER must name a running chromedriver (cargo xtask test starts one)");
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": std::env::var("LANTOA_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()),
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--disable-quic", "--no-first-run", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--window-size=1280,900"]
        }),
    );
    ClientBuilder::new(HttpConnector::new())
        .capabilities(caps)
        .connect(&url)
        .await
        .expect("a chromedriver session")
}

/// The `href` of the element at `css`.
async fn href(c: &fantoccini::Client, css: &str) -> String {
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .attr("href")
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("{css} has no href"))
}

async fn text(c: &fantoccini::Client, css: &str) -> String {
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .text()
        .await
        .unwrap()
}

async fn fill(c: &fantoccini::Client, css: &str, value: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .send_keys(value)
        .await
        .unwrap();
}

/// Clicks an element that navigates, and waits until a new document has replaced the old one
/// and finished loading: the old document carries a marker the new one lacks. (WebDriver's
/// click returns before a form submission's navigation completes.) The wait is bounded, so a
/// page that never changes fails the test instead of hanging it.
async fn click(c: &fantoccini::Client, css: &str) {
    c.execute("window.__lantoaOld = true; return true", vec![])
        .await
        .unwrap();
    tick(c, css).await;
    for _ in 0..400 {
        let loaded = c
            .execute(
                "return window.__lantoaOld === undefined && document.readyState === 'complete'",
                vec![],
            )
            .await;
        if matches!(loaded, Ok(serde_json::Value::Bool(true))) {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("clicking {css} did not load a new page");
}

/// Clicks an element that does not navigate (a checkbox: ticked in place, no page loads).
async fn tick(c: &fantoccini::Client, css: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .click()
        .await
        .unwrap();
}

/// Signs `who` in with the test password.
async fn sign_in(c: &fantoccini::Client, base: &str, who: &str) {
    c.goto(&format!("{base}/login")).await.unwrap();
    fill(c, "#username", who).await;
    fill(c, "#password", common::PASSWORD).await;
    click(c, "#login-submit").await;
}

/// Serves `app` and signs `who` in from a new browser; the browser and the base URL.
async fn signed_in(app: &TestApp, who: &str) -> (fantoccini::Client, String) {
    let base = app.serve().await;
    let c = browser().await;
    sign_in(&c, &base, who).await;
    (c, base)
}

async fn path(c: &fantoccini::Client) -> String {
    c.current_url().await.unwrap().path().to_owned()
}

#[tokio::test]
#[ignore = "needs Chromium and chromedriver: run by `cargo xtask test`"]
async fn first_sign_in_password_change_language_switch_and_sign_out() {
    let app = TestApp::with_communes().await;
    app.state
        .registry
        .load_demo("test", lantoa_registry::DEMO_CITY)
        .await
        .unwrap();
    let otp = app.state.accounts.ensure_admin().await.unwrap().unwrap();
    let base = app.serve().await;
    let c = browser().await;

    c.goto(&format!("{base}/")).await.unwrap();
    assert_eq!(path(&c).await, "/login");
    assert_eq!(text(&c, "h1").await, "Đăng nhập");

    // A wrong password first: a clear message, still on the sign-in page.
    fill(&c, "#username", "admin").await;
    fill(&c, "#password", "not the password").await;
    click(&c, "#login-submit").await;
    assert_eq!(
        text(&c, "#form-error").await,
        "Sai tên đăng nhập hoặc mật khẩu."
    );

    fill(&c, "#password", &otp).await;
    click(&c, "#login-submit").await;
    assert_eq!(
        path(&c).await,
        "/account/password",
        "{}",
        text(&c, "main").await
    );
    assert!(text(&c, "#must-change").await.contains("mật khẩu một lần"));

    fill(&c, "#current", &otp).await;
    fill(&c, "#new", "Thủ đô Hà Nội 2026").await;
    fill(&c, "#confirm", "Thủ đô Hà Nội 2026").await;
    click(&c, "#password-submit").await;
    assert_eq!(path(&c).await, "/", "{}", text(&c, "main").await);
    assert_eq!(text(&c, "#page-title").await, "Bảng điều khiển");
    assert!(
        text(&c, "main").await.contains("126"),
        "the dashboard counts the communes"
    );
    if let Ok(dir) = std::env::var("LANTOA_SCREENSHOT_DIR") {
        let png = c.screenshot().await.unwrap();
        std::fs::write(std::path::Path::new(&dir).join("console-vi.png"), png).unwrap();
    }

    // A core flow without JavaScript: register a unit through the form; a bad tax code is
    // explained first, and what was typed is kept.
    c.goto(&format!("{base}/units/new")).await.unwrap();
    c.find(Locator::Css("#kind option[value=enterprise]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    fill(&c, "#code", "0100109107").await;
    fill(&c, "#name", "Công ty TNHH Thử Nghiệm").await;
    click(&c, "main form button[type=submit]").await;
    assert!(
        text(&c, "#form-error")
            .await
            .contains("Chữ số kiểm tra của mã số thuế")
    );
    let code = c.find(Locator::Css("#code")).await.unwrap();
    code.clear().await.unwrap();
    code.send_keys("0100109106").await.unwrap();
    click(&c, "main form button[type=submit]").await;
    assert_eq!(text(&c, "h1").await, "Công ty TNHH Thử Nghiệm");

    // Upload a subject list: one good row, one refused with its reason.
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("danh-sach.csv");
    std::fs::write(&csv, "Loại,Tên,URL\nwebsite,Tin tức Phố Cổ,https://tintuc-phoco.example\nwebsite,Lỗi,ftp://loi.example\n").unwrap();
    c.goto(&format!("{base}/watch")).await.unwrap();
    fill(&c, "#file", csv.to_str().unwrap()).await;
    click(&c, "#import-submit").await;
    assert_eq!(
        text(&c, "#import-summary").await,
        "Tệp danh-sach.csv: thêm 1, đã có 0, bị từ chối 1."
    );
    assert!(
        text(&c, "tr.row-rejected")
            .await
            .contains("phải là địa chỉ http hoặc https")
    );

    c.goto(&format!("{base}/")).await.unwrap();
    click(&c, "#lang-switch").await;
    assert_eq!(text(&c, "#page-title").await, "Dashboard");
    // The choice persists across pages.
    c.goto(&format!("{base}/units?kind=commune")).await.unwrap();
    assert_eq!(text(&c, "h1").await, "Units registry");

    click(&c, "#logout").await;
    assert_eq!(path(&c).await, "/login");
    assert_eq!(text(&c, "h1").await, "Sign in");
    assert_eq!(text(&c, ".flash").await, "You have signed out.");
    c.goto(&format!("{base}/")).await.unwrap();
    assert_eq!(path(&c).await, "/login", "signed out for real");
    c.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Chromium and chromedriver: run by `cargo xtask test`"]
async fn an_officer_crawls_a_site_reads_the_evidence_and_confirms_a_finding() {
    let app = TestApp::with_demo_city().await;
    app.state
        .watch
        .import_csv("test", lantoa_watch::DEMO_SUBJECTS.as_bytes())
        .await
        .unwrap();
    let subject = app
        .state
        .watch
        .find_by_url("http://suckhoe-hotay.example/")
        .await
        .unwrap()
        .unwrap();
    app.user("lan", vec![lantoa_core::Role::WatchOfficer]).await;
    let (c, base) = signed_in(&app, "lan").await;

    c.goto(&format!("{base}/watch")).await.unwrap();
    click(&c, &format!("#crawl-{}", subject.id)).await;
    assert!(path(&c).await.starts_with("/watch/crawls/"));
    assert_eq!(text(&c, "#crawl-status").await, "đang chờ");
    let crawl_id: i64 = path(&c).await.rsplit('/').next().unwrap().parse().unwrap();
    // A worker runs it; the page (which refreshes itself while queued) then shows the result.
    app.state.crawler.run(crawl_id, &|_| {}).await.unwrap();
    c.refresh().await.unwrap();
    assert_eq!(text(&c, "#crawl-status").await, "xong");
    assert!(text(&c, "#pages").await.contains("vien-xuong-khop"));

    c.goto(&format!("{base}/watch/findings?subject={}", subject.id))
        .await
        .unwrap();
    assert!(text(&c, "#scores").await.contains("Quảng cáo trái phép"));
    let finding = app
        .state
        .watch
        .findings(&lantoa_watch::FindingQuery {
            subject_id: Some(subject.id),
            limit: 50,
            offset: 0,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_iter()
        .find(|f| f.rule_id == "ads.health_food_as_medicine")
        .unwrap();
    let item = text(&c, &format!("#finding-{}", finding.id)).await;
    assert!(item.contains("chữa khỏi"), "{item}");
    assert!(item.contains("không phải là thuốc"), "{item}");
    fill(&c, &format!("#note-{}", finding.id), "Chuyển Thanh tra Sở").await;
    click(&c, &format!("#confirm-{}", finding.id)).await;
    assert_eq!(text(&c, ".flash").await, "Đã ghi nhận quyết định.");
    let stored = app.state.watch.finding(finding.id).await.unwrap();
    assert_eq!(stored.status, "confirmed");
    assert_eq!(stored.review_note.as_deref(), Some("Chuyển Thanh tra Sở"));

    // A case on the subject and category, resting on its findings that were not dismissed.
    c.goto(&format!(
        "{base}/watch/cases?subject={}&category=advertising",
        stored.subject_id
    ))
    .await
    .unwrap();
    assert!(
        text(&c, "#case-with-findings")
            .await
            .contains(&format!("#{}", finding.id))
    );
    fill(&c, "#case-note", "Quảng cáo thực phẩm như thuốc chữa bệnh").await;
    click(&c, "#open-button").await;
    assert_eq!(text(&c, ".flash").await, "Đã mở vụ việc.");
    assert!(
        text(&c, "#case-findings")
            .await
            .contains(&format!("#{}", finding.id))
    );

    // The capture behind the finding.
    c.goto(&format!(
        "{base}/watch/captures/{}",
        finding.warc_sha256.as_deref().unwrap()
    ))
    .await
    .unwrap();
    assert_eq!(text(&c, "#capture-sha").await, finding.warc_sha256.unwrap());
    assert!(
        text(&c, ".capture-body")
            .await
            .contains("Bác sĩ Nguyễn Văn Demo")
    );
    c.close().await.unwrap();
}

#[tokio::test]
#[ignore = "needs Chromium and chromedriver: run by `cargo xtask test`"]
async fn a_steward_uploads_a_file_and_publishes_a_fixed_row() {
    let app = TestApp::spawn().await;
    // The demo files, read by the worker's code path.
    let od = app.load_open_data_demo().await;
    let d = od.dataset_by_name("diem-wifi-cong-cong").await.unwrap();
    app.user("hoa", vec![lantoa_core::Role::DataSteward]).await;
    let (c, base) = signed_in(&app, "hoa").await;

    c.goto(&format!("{base}/opendata")).await.unwrap();
    assert!(text(&c, "#datasets").await.contains("Điểm truy cập Wi-Fi"));
    c.goto(&format!("{base}/opendata/{}", d.name))
        .await
        .unwrap();
    let quarantine = od.quarantine(d.id, "open", 100).await.unwrap();
    let speed = quarantine
        .iter()
        .find(|q| q.cells[0] == "WF-0014")
        .expect("the speed-0 row is quarantined");
    assert!(
        text(&c, &format!("#q-{}", speed.id))
            .await
            .contains("toc_do_mbps")
    );
    // Fix the speed in the form and send it.
    let input = c
        .find(Locator::Css(&format!("#q{}-4", speed.id)))
        .await
        .unwrap();
    input.clear().await.unwrap();
    input.send_keys("50").await.unwrap();
    click(&c, &format!("#fix-{}", speed.id)).await;
    assert_eq!(text(&c, ".flash").await, "Dòng đã đạt và được công bố.");
    assert!(text(&c, "#rows").await.contains("Vườn Hoa Con Cóc"));

    // A new file through the upload form.
    let file = std::env::temp_dir().join(format!("lantoa-wifi-{}.csv", std::process::id()));
    std::fs::write(
        &file,
        "ma_diem,ten_diem,dia_chi,phuong_xa,toc_do_mbps,ngay_hoat_dong,trang_thai\nWF-0100,Ga Hà Nội,120 Lê Duẩn,Phường Cửa Nam,100,01/12/2025,Hoạt động\n",
    )
    .unwrap();
    c.find(Locator::Css("#file"))
        .await
        .unwrap()
        .send_keys(&file.display().to_string())
        .await
        .unwrap();
    click(&c, "#upload-submit").await;
    assert_eq!(
        text(&c, ".flash").await,
        "Đã lưu tệp và xếp hàng xử lý; các dòng sẽ hiện ra khi được đọc."
    );
    let second = od.uploads(d.id).await.unwrap().remove(0);
    assert_eq!((second.version, second.status.as_str()), (2, "queued"));
    od.run_upload(second.id).await.unwrap();
    c.refresh().await.unwrap();
    assert!(text(&c, "#uploads").await.contains("v2"));
    assert!(text(&c, "#rows").await.contains("Ga Hà Nội"));
    let _ = std::fs::remove_file(&file);

    // Tags and groups, without script: a text field and checkboxes.
    let tags = c.find(Locator::Css("#tags-input")).await.unwrap();
    tags.clear().await.unwrap();
    tags.send_keys("wifi, hạ tầng số").await.unwrap();
    c.find(Locator::Css("input[name=groups][value=y-te]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    click(&c, "#labels-submit").await;
    assert_eq!(text(&c, ".flash").await, "Đã lưu từ khóa và nhóm.");
    assert_eq!(text(&c, "#tags").await, "hạ tầng số, wifi");
    assert_eq!(text(&c, "#dataset-groups").await, "Hạ tầng số, Y tế");
    // A tag of one letter is refused with the reason; the saved ones stay.
    let tags = c.find(Locator::Css("#tags-input")).await.unwrap();
    tags.clear().await.unwrap();
    tags.send_keys("x").await.unwrap();
    click(&c, "#labels-submit").await;
    assert!(text(&c, "#form-error").await.contains("\"x\""));
    assert_eq!(
        od.labels(d.id).await.unwrap().tags,
        vec!["hạ tầng số", "wifi"]
    );
    // A new group from the datasets page.
    c.goto(&format!("{base}/opendata")).await.unwrap();
    fill(&c, "#group-name", "moi-truong").await;
    fill(&c, "#group-title", "Môi trường").await;
    click(&c, "#create-group").await;
    assert_eq!(text(&c, ".flash").await, "Đã tạo nhóm.");
    assert!(text(&c, "#group-list").await.contains("Môi trường"));
    c.close().await.unwrap();
}

#[tokio::test]
#[ignore = "needs Chromium and chromedriver: run by `cargo xtask test`"]
async fn a_visitor_without_an_account_finds_a_dataset_and_its_downloads() {
    let app = TestApp::spawn().await;
    app.load_open_data_demo().await;
    let base = app.serve().await;
    let c = browser().await;
    c.goto(&format!("{base}/login")).await.unwrap();
    click(&c, "#portal-link").await;
    assert_eq!(path(&c).await, "/data");
    fill(&c, "#q", "sot xuat huyet").await;
    click(&c, "#search").await;
    assert_eq!(text(&c, "#found").await, "1 bộ dữ liệu.");
    c.find(Locator::LinkText(
        "Số ca sốt xuất huyết theo phường, xã và tuần",
    ))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    assert_eq!(path(&c).await, "/data/ca-sot-xuat-huyet-theo-tuan");
    assert_eq!(text(&c, "#owner").await, "Sở Y tế Hà Nội");
    assert_eq!(text(&c, "#tags").await, "dịch tễ, sốt xuất huyết");
    assert_eq!(text(&c, "#groups").await, "Y tế");
    // The current file's 80 clean rows and the demo year's 24.
    assert_eq!(text(&c, "#published").await, "104");
    assert_eq!(
        href(&c, "#download-csv").await,
        "/opendata/ca-sot-xuat-huyet-theo-tuan/rows.csv"
    );
    assert_eq!(
        text(&c, "#download-excel").await,
        "CSV cho Excel (UTF-8 có BOM)"
    );
    c.close().await.unwrap();
}

#[tokio::test]
#[ignore = "needs Chromium and chromedriver: run by `cargo xtask test`"]
async fn a_communicator_drafts_a_campaign_and_another_person_approves_it_in_english() {
    let app = TestApp::spawn().await;
    app.user("lan", vec![lantoa_core::Role::Communicator]).await;
    app.user("hung", vec![lantoa_core::Role::Approver]).await;
    let base = app.serve().await;
    let c = browser().await;
    let sign_in = |who: &'static str| {
        let c = c.clone();
        let base = base.clone();
        async move {
            c.goto(&format!("{base}/login")).await.unwrap();
            fill(&c, "#username", who).await;
            fill(&c, "#password", common::PASSWORD).await;
            click(&c, "#login-submit").await;
        }
    };
    sign_in("lan").await;
    c.goto(&format!("{base}/notify")).await.unwrap();
    assert_eq!(text(&c, "h1").await, "Thông tin đến người dân");
    // A list through the form: one row refused, shown with its reason.
    let file = std::env::temp_dir().join(format!("lantoa-list-{}.csv", std::process::id()));
    std::fs::write(
        &file,
        "Họ tên,SĐT,Phường/xã\nNguyễn Thị Lan,0912345678,Phường Hoàn Kiếm\nLê Hòa,0983 456 789,Phường Ba Đình\nAi đó,12345,Phường Ba Đình\n",
    )
    .unwrap();
    fill(&c, "#list-name", "Hoàn Kiếm và Ba Đình").await;
    c.find(Locator::Css("#list-file"))
        .await
        .unwrap()
        .send_keys(&file.display().to_string())
        .await
        .unwrap();
    click(&c, "#import-button").await;
    assert_eq!(text(&c, "#recipients").await, "2");
    assert!(text(&c, "#refused").await.contains("12345"));
    let _ = std::fs::remove_file(&file);
    // A draft, submitted.
    c.goto(&format!("{base}/notify")).await.unwrap();
    fill(&c, "#c-name", "Phòng cháy mùa khô").await;
    fill(&c, "#c-topic", "fire-safety").await;
    fill(&c, "#c-brandname", "PCCC-HN").await;
    fill(
        &c,
        "#c-body",
        "Kính gửi {ten}: tắt bếp, ngắt điện trước khi ra khỏi nhà. Gọi 114 khi có cháy.",
    )
    .await;
    // As the text is typed, the form's script shows what it costs (bounded wait).
    let live = c
        .wait()
        .at_most(std::time::Duration::from_secs(10))
        .for_element(Locator::Css("#cost-line"))
        .await
        .expect("the cost line appears as the text is typed")
        .text()
        .await
        .unwrap();
    assert!(live.contains("2 người nhận"), "{live}");
    click(&c, "#draft-button").await;
    assert!(text(&c, "#plan-summary").await.starts_with("2 người nhận"));
    assert!(text(&c, "#sample").await.starts_with("Kính gửi "));
    // A test send to a small list, before approval: queued for the test list only.
    click(&c, "#test-button").await;
    assert_eq!(
        text(&c, ".flash").await,
        "Tin thử đã vào hàng đợi gửi tới danh sách thử."
    );
    assert_eq!(
        text(&c, "#test-result").await,
        "Gửi thử: 2 người nhận, 0 đã đến máy, 0 lỗi."
    );
    // One click: the text without diacritics, in fewer segments.
    assert!(text(&c, "#unaccented-diff").await.contains("Kinh"));
    click(&c, "#unaccented-button").await;
    assert_eq!(
        text(&c, ".flash").await,
        "Nội dung đã chuyển sang không dấu."
    );
    assert!(
        text(&c, "#sample")
            .await
            .starts_with("Kinh gui Nguyen Thi Lan: tat bep"),
        "the names lose their diacritics with the text"
    );
    click(&c, "#submit-button").await;
    assert_eq!(text(&c, "#status").await, "Chờ phê duyệt");
    assert!(
        c.find(Locator::Css("#approve-form")).await.is_err(),
        "not for the author"
    );
    let campaign = path(&c).await;
    click(&c, "#logout").await;
    // The approver, in English: a wrong name is refused, the right one approves.
    sign_in("hung").await;
    click(&c, "#lang-switch").await;
    c.goto(&format!("{base}{campaign}")).await.unwrap();
    assert_eq!(text(&c, "#approve-h").await, "Approval");
    fill(&c, "#confirm", "Phong chay").await;
    click(&c, "#approve-button").await;
    assert!(text(&c, "#form-error").await.contains("Phòng cháy mùa khô"));
    fill(&c, "#confirm", "Phòng cháy mùa khô").await;
    click(&c, "#approve-button").await;
    assert_eq!(
        text(&c, ".flash").await,
        "Approved: the messages are queued and going out."
    );
    assert_eq!(text(&c, "#status").await, "Sending");
    assert_eq!(text(&c, "#progress-h").await, "Progress");
    assert!(
        text(&c, "#no-binds")
            .await
            .contains("lantoa worker --role dispatch")
    );
    c.close().await.unwrap();
}

#[tokio::test]
#[ignore = "needs chromedriver: cargo xtask test starts it"]
async fn an_officer_opens_a_case_and_records_its_steps_in_both_languages() {
    let app = TestApp::spawn().await;
    app.user("lan", vec![lantoa_core::Role::WatchOfficer]).await;
    app.subject("https://tintuc-phoco.example/", "Tin tức Phố Cổ")
        .await;
    let (c, base) = signed_in(&app, "lan").await;
    c.goto(&format!("{base}/watch/cases")).await.unwrap();
    assert_eq!(text(&c, "h1").await, "Vụ việc");
    fill(&c, "#case-note", "Có chuyên mục, tòa soạn như một tờ báo").await;
    click(&c, "#open-button").await;
    assert_eq!(text(&c, ".flash").await, "Đã mở vụ việc.");
    assert_eq!(text(&c, "#case-state").await, "Phát hiện");
    assert!(text(&c, "h1").await.starts_with("Tin tức Phố Cổ"));
    // The next step, with its reason: the timeline keeps both.
    fill(&c, "#move-note", "Bắt đầu xem xét hồ sơ").await;
    click(&c, "#move-button").await;
    assert_eq!(text(&c, ".flash").await, "Đã ghi nhận bước xử lý.");
    assert_eq!(text(&c, "#case-state").await, "Đang xem xét");
    let case_page = c.current_url().await.unwrap();
    let timeline = text(&c, "#timeline").await;
    assert!(
        timeline.contains("Phát hiện → Đang xem xét") && timeline.contains("Bắt đầu xem xét hồ sơ"),
        "{timeline}"
    );
    // A step without a reason is refused by the browser's own check (required) and, sent
    // anyway, by the server: the state stays.
    c.execute(
        "document.getElementById('move-note').removeAttribute('required'); return true",
        vec![],
    )
    .await
    .unwrap();
    click(&c, "#move-button").await;
    assert!(
        text(&c, "#form-error")
            .await
            .contains("Mỗi bước của hồ sơ phải ghi lý do")
    );
    assert_eq!(text(&c, "#case-state").await, "Đang xem xét");
    c.goto(case_page.as_str()).await.unwrap();
    click(&c, "#lang-switch").await;
    assert_eq!(text(&c, "#case-state").await, "Under review");
    c.goto(&format!("{base}/watch/cases")).await.unwrap();
    assert_eq!(text(&c, "h1").await, "Cases");
    assert!(text(&c, "#state-xem_xet").await.contains("Under review"));
    c.close().await.unwrap();
}

#[tokio::test]
#[ignore = "needs chromedriver: cargo xtask test starts it"]
async fn an_officer_sees_her_work_and_opens_cases_on_ticked_subjects_without_script() {
    let app = TestApp::spawn().await;
    app.user("lan", vec![lantoa_core::Role::WatchOfficer]).await;
    let subjects = app.websites(3).await;
    let (c, base) = signed_in(&app, "lan").await;
    // Nothing waits for her yet.
    c.goto(&format!("{base}/")).await.unwrap();
    assert_eq!(
        text(&c, "#work-none").await,
        "Không có việc nào đang chờ bạn."
    );
    c.goto(&format!("{base}/watch")).await.unwrap();
    tick(&c, &format!("#pick-{}", subjects[0].id)).await;
    tick(&c, &format!("#pick-{}", subjects[2].id)).await;
    fill(&c, "#bulk-note", "Rà soát đợt 1").await;
    click(&c, "#bulk-open-submit").await;
    assert!(
        text(&c, "#bulk-summary").await.starts_with("Đã mở 2 hồ sơ"),
        "{}",
        text(&c, "#bulk-summary").await
    );
    // The dashboard now leads with the two cases at their first step.
    c.goto(&format!("{base}/")).await.unwrap();
    let work = text(&c, "#work").await;
    assert!(
        work.contains("2 hồ sơ ở bước “Phát hiện” chờ bạn xử lý"),
        "{work}"
    );
    click(&c, "#lang-switch").await;
    let work = text(&c, "#work").await;
    assert!(
        work.contains("2 cases at step “Found” waiting for you"),
        "{work}"
    );
    c.close().await.unwrap();
}

#[tokio::test]
#[ignore = "needs chromedriver: cargo xtask test starts it"]
async fn the_inspectorate_records_a_sanction_in_the_console() {
    let app = TestApp::spawn().await;
    app.user("tra", vec![lantoa_core::Role::Inspector]).await;
    let subject = app
        .subject("https://songhongxanh24h.example/", "Sông Hồng Xanh 24h")
        .await;
    let w = &app.state.watch;
    let c = w
        .open_case(
            "lan",
            &[lantoa_core::Role::WatchOfficer],
            &lantoa_watch::NewCase {
                subject_id: subject.id,
                category: "advertising".into(),
                note: "quảng cáo thực phẩm chữa bệnh".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    for (role, to) in [
        (lantoa_core::Role::WatchOfficer, "xem_xet"),
        (lantoa_core::Role::Approver, "chuyen_thanh_tra"),
        (lantoa_core::Role::Inspector, "cho_phan_hoi"),
    ] {
        w.move_case("x", &[role], c.id, to, "bước").await.unwrap();
    }
    let base = app.serve().await;
    let c2 = browser().await;
    sign_in(&c2, &base, "tra").await;
    c2.goto(&format!("{base}/watch/cases/{}", c.id))
        .await
        .unwrap();
    fill(&c2, "#s-no", "12/QĐ-XPHC").await;
    // The date input takes the browser's own format; set it as the form posts it: today, after
    // the transfer.
    let today = lantoa_core::time::local_date(chrono::Utc::now()).format("%Y-%m-%d");
    c2.execute(
        &format!("document.getElementById('s-date').value = '{today}'; return true"),
        vec![],
    )
    .await
    .unwrap();
    fill(&c2, "#s-decree", "15/2020/NĐ-CP").await;
    fill(&c2, "#s-article", "101").await;
    fill(&c2, "#s-clause", "1").await;
    fill(&c2, "#s-fine", "15000000").await;
    fill(&c2, "#s-note", "Đã ra quyết định").await;
    click(&c2, "#sanction-button").await;
    assert_eq!(text(&c2, ".flash").await, "Đã ghi nhận quyết định xử phạt.");
    assert_eq!(text(&c2, "#case-state").await, "Xử phạt");
    assert_eq!(text(&c2, "#sanction-fine").await, "15.000.000");
    c2.close().await.unwrap();
}

#[tokio::test]
#[ignore = "needs chromedriver: cargo xtask test starts it"]
async fn an_officer_issues_an_invitation_and_records_a_commitment_to_fix_in_both_languages() {
    let app = TestApp::spawn().await;
    app.user("lan", vec![lantoa_core::Role::WatchOfficer]).await;
    let subject = app
        .subject("https://tintuc-phoco.example/", "Tin tức Phố Cổ")
        .await;
    let w = &app.state.watch;
    let case = w
        .open_case(
            "lan",
            &[lantoa_core::Role::WatchOfficer],
            &lantoa_watch::NewCase {
                subject_id: subject.id,
                category: "bao_hoa".into(),
                note: "tòa soạn".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    for to in ["xem_xet", "moi_lam_viec"] {
        w.move_case(
            "lan",
            &[lantoa_core::Role::WatchOfficer],
            case.id,
            to,
            "tiến hành",
        )
        .await
        .unwrap();
    }
    let (c, base) = signed_in(&app, "lan").await;
    c.goto(&format!("{base}/watch/cases/{}", case.id))
        .await
        .unwrap();
    assert_eq!(text(&c, "#documents-h").await, "Văn bản");
    // The date-time field is set as a browser's picker would; the signer is typed.
    c.execute(
        "document.getElementById('invitation-meeting').value = '2026-12-03T09:00'; return true",
        vec![],
    )
    .await
    .unwrap();
    fill(&c, "#invitation-signer", "Nguyễn Văn Thử").await;
    click(&c, "#issue-invitation").await;
    assert_eq!(
        text(&c, ".flash").await,
        "Đã ban hành văn bản; tải về từ danh sách."
    );
    let documents = text(&c, "#documents").await;
    assert!(
        documents.contains("01/GM-SVHTT") && documents.contains("Giấy mời"),
        "{documents}"
    );
    // The dossier link is there for every viewer.
    assert!(href(&c, "#dossier-link").await.ends_with("/dossier"));
    // After the session, the unit commits to fix by a date: the re-check is scheduled.
    w.move_case(
        "lan",
        &[lantoa_core::Role::WatchOfficer],
        case.id,
        "cho_phan_hoi",
        "đã làm việc",
    )
    .await
    .unwrap();
    c.refresh().await.unwrap();
    c.execute(
        "document.getElementById('fix-due').value = '2099-01-15'; return true",
        vec![],
    )
    .await
    .unwrap();
    fill(&c, "#fix-note", "Đơn vị cam kết gỡ danh xưng tòa soạn").await;
    click(&c, "#fix-button").await;
    assert_eq!(
        text(&c, ".flash").await,
        "Đã ghi nhận cam kết và lên lịch kiểm tra lại."
    );
    assert_eq!(text(&c, "#case-state").await, "Đã khắc phục");
    assert!(
        text(&c, "#rechecks-h").await.contains("Kiểm tra lại"),
        "the re-check is listed"
    );
    click(&c, "#lang-switch").await;
    assert_eq!(text(&c, "#documents-h").await, "Documents");
    assert!(
        text(&c, ".recheck")
            .await
            .contains("Re-check on 2099-01-15: scheduled")
    );
    c.close().await.unwrap();
}

#[tokio::test]
#[ignore = "needs chromedriver: cargo xtask test starts it"]
async fn a_planner_registers_a_plan_and_imports_its_appendix_in_both_languages() {
    let app = TestApp::with_demo_city().await;
    app.user("kehoach", vec![lantoa_core::Role::Planner]).await;
    let (c, base) = signed_in(&app, "kehoach").await;
    c.goto(&format!("{base}/plans")).await.unwrap();
    assert_eq!(text(&c, "h1").await, "Kế hoạch chuyển đổi số");
    fill(&c, "#p-number", "239/KH-UBND").await;
    fill(&c, "#p-date", "27/09/2023").await;
    fill(&c, "#p-title", "Chuyển đổi số thành phố").await;
    fill(&c, "#p-from", "2023").await;
    fill(&c, "#p-to", "2025").await;
    click(&c, "#plan-create").await;
    assert_eq!(
        text(&c, "h1").await,
        "Kế hoạch số 239/KH-UBND ngày 27/09/2023"
    );
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("phu-luc.csv");
    std::fs::write(
        &csv,
        "STT,Nhiệm vụ,Đơn vị chủ trì,Thời gian hoàn thành\nI,Chính quyền số,,\n1,Kho dữ liệu mở,Sở Y tế Hà Nội,Quý II/2024\n2,Cổng dịch vụ,Sở Lạ,2024\n",
    )
    .unwrap();
    // A row with an unknown unit: the report names it and nothing is stored.
    fill(&c, "#file", csv.to_str().unwrap()).await;
    tick(&c, "#store").await;
    click(&c, "#import-submit").await;
    assert_eq!(
        text(&c, "#import-summary").await,
        "Tệp phu-luc.csv: thêm 2, cập nhật 0, không đổi 0, bị từ chối 1."
    );
    assert!(text(&c, "tr.row-refused").await.contains("Sở Lạ"));
    // Corrected, stored; the plan lists its tasks with their due days.
    std::fs::write(
        &csv,
        "STT,Nhiệm vụ,Đơn vị chủ trì,Thời gian hoàn thành\nI,Chính quyền số,,\n1,Kho dữ liệu mở,Sở Y tế Hà Nội,Quý II/2024\n",
    )
    .unwrap();
    click(&c, "main p a").await;
    fill(&c, "#file", csv.to_str().unwrap()).await;
    tick(&c, "#store").await;
    click(&c, "#import-submit").await;
    assert_eq!(text(&c, "#import-outcome").await, "Đã lưu.");
    click(&c, "main p a").await;
    let row = text(&c, "#task-I\\.1").await;
    assert!(
        row.contains("Sở Y tế Hà Nội") && row.contains("30/06/2024"),
        "{row}"
    );
    // A planner reports progress on the task: the form opens from its summary, no script.
    let plan_id = app.state.plans.plans().await.unwrap()[0].id;
    let task = app
        .state
        .plans
        .task(plan_id, "I.1")
        .await
        .unwrap()
        .unwrap()
        .id;
    c.find(Locator::Css(&format!("#task-report-{task} summary")))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    fill(&c, &format!("#pc-{task}"), "100").await;
    fill(&c, &format!("#bd-{task}"), "Kho dữ liệu mở đã vận hành").await;
    c.execute(
        &format!("document.getElementById('st-{task}').value = 'done'; return true"),
        vec![],
    )
    .await
    .unwrap();
    click(&c, &format!("#send-{task}")).await;
    let progress = text(&c, "#progress-I\\.1").await;
    assert!(progress.starts_with("hoàn thành · 100%"), "{progress}");
    click(&c, "#lang-switch").await;
    assert_eq!(text(&c, "#import-h").await, "Import the appendix");
    // The reminders page, reached from the plans list; the date is a form field (no script).
    c.goto(&format!("{base}/plans")).await.unwrap();
    click(&c, "#reminders-link").await;
    assert_eq!(text(&c, "h1").await, "Reminders to lead units");
    c.execute(
        "document.getElementById('r-date').value = '2024-06-27'; return true",
        vec![],
    )
    .await
    .unwrap();
    click(&c, "#r-show").await;
    assert!(
        text(&c, "#reminders-day")
            .await
            .starts_with("Digests for 27/06/2024")
    );
    // On that day I.1 was due within five days and not yet reported (its report above is
    // today's): its unit's digest names it.
    let due_soon = text(&c, ".due-soon").await;
    assert!(due_soon.contains("I.1"), "{due_soon}");
    // Today it is reported done: nobody is reminded of it.
    let today = lantoa_core::time::now().format("%Y-%m-%d").to_string();
    c.execute(
        &format!("document.getElementById('r-date').value = '{today}'; return true"),
        vec![],
    )
    .await
    .unwrap();
    click(&c, "#r-show").await;
    assert!(
        text(&c, "#no-reminders")
            .await
            .contains("Nobody needs a reminder")
    );
    c.close().await.unwrap();
}

#[tokio::test]
#[ignore = "needs Chromium and chromedriver: run by `cargo xtask test`"]
async fn a_planner_keeps_the_committee_and_enters_the_dti_without_script() {
    let app = TestApp::spawn().await;
    app.user("kehoach", vec![lantoa_core::Role::Planner]).await;
    let (c, base) = signed_in(&app, "kehoach").await;
    c.goto(&format!("{base}/plans")).await.unwrap();
    click(&c, "#committee-link").await;
    assert_eq!(text(&c, "h1").await, "Ban Chỉ đạo");
    fill(&c, "#m-name", "Trần Văn A").await;
    fill(&c, "#m-position", "Phó Chủ tịch UBND thành phố").await;
    fill(&c, "#m-fields", "Chính quyền số; Kinh tế số").await;
    fill(&c, "#m-phone", "0912 34").await;
    click(&c, "#m-submit").await;
    // A short number is named and the form keeps what was typed.
    assert!(
        text(&c, "#form-error")
            .await
            .contains("Số điện thoại có 6 chữ số")
    );
    let kept = c
        .find(Locator::Css("#m-name"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap();
    assert_eq!(kept.as_deref(), Some("Trần Văn A"));
    c.find(Locator::Css("#m-phone"))
        .await
        .unwrap()
        .clear()
        .await
        .unwrap();
    fill(&c, "#m-phone", "0912345678").await;
    click(&c, "#m-submit").await;
    assert!(
        text(&c, "#members")
            .await
            .contains("Chính quyền số; Kinh tế số")
    );

    // The DTI: a score over the component's points is named; a good one is kept and totalled.
    c.goto(&format!("{base}/plans/dti?year=2024"))
        .await
        .unwrap();
    assert_eq!(text(&c, "h1").await, "Chỉ số chuyển đổi số (DTI)");
    c.find(Locator::Css("#main-1 summary"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    fill(&c, "#score-1\\.1", "12").await;
    fill(&c, "#evidence-1\\.1", "Kế hoạch 239").await;
    click(&c, "#save-1").await;
    assert!(
        text(&c, "#form-error")
            .await
            .contains("1.1: 12 không phải điểm từ 0 đến 10")
    );
    c.find(Locator::Css("#main-1 summary"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let score = c.find(Locator::Css("#score-1\\.1")).await.unwrap();
    score.clear().await.unwrap();
    score.send_keys("9").await.unwrap();
    fill(&c, "#evidence-1\\.1", "Kế hoạch 239").await;
    click(&c, "#save-1").await;
    assert_eq!(text(&c, "#dti-total").await, "0.0090");
    fill(&c, "#r-rank", "1").await;
    fill(&c, "#r-source", "dti.gov.vn").await;
    click(&c, "#r-submit").await;
    assert!(text(&c, "#dti-2024").await.contains("1/34"));
    assert!(c.find(Locator::Css("#chart-dti")).await.is_ok());
    click(&c, "#lang-switch").await;
    assert_eq!(text(&c, "h1").await, "Digital Transformation Index (DTI)");
    c.close().await.unwrap();
}

#[tokio::test]
#[ignore = "needs Chromium and chromedriver: run by `cargo xtask test`"]
async fn a_communicator_issues_a_test_alert_that_the_public_never_sees() {
    let app = TestApp::with_communes().await;
    app.user("truyenthong", vec![lantoa_core::Role::Communicator])
        .await;
    let (c, base) = signed_in(&app, "truyenthong").await;
    c.goto(&format!("{base}/notify")).await.unwrap();
    click(&c, "#alerts-link").await;
    assert_eq!(text(&c, "h1").await, "Cảnh báo công cộng (CAP)");
    fill(&c, "#a-event", "Diễn tập bão").await;
    fill(&c, "#a-headline", "Diễn tập ứng phó bão").await;
    let later = (lantoa_core::time::now() + chrono::Duration::days(1))
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    c.execute(
        &format!("document.getElementById('a-expires').value = '{later}'; return true"),
        vec![],
    )
    .await
    .unwrap();
    c.find(Locator::Css("#a-communes option[value='00004']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    click(&c, "#a-submit").await;
    // The alert's own page: a drill's banner and wording, no channel reaching the public.
    let banner = text(&c, "#banner.banner-drill").await;
    assert!(banner.contains("KHÔNG PHẢI CẢNH BÁO THẬT"), "{banner}");
    assert!(
        text(&c, "#ch-feed").await.contains("không bao giờ"),
        "a test never reaches the feed"
    );
    c.goto(&format!("{base}/notify/alerts")).await.unwrap();
    let table = text(&c, "#alerts").await;
    assert!(
        table.contains("Thử nghiệm: KHÔNG CÔNG KHAI") && table.contains("Diễn tập ứng phó bão"),
        "{table}"
    );
    // The public list, with no sign-in, has nothing.
    click(&c, "#public-alerts-link").await;
    assert!(
        text(&c, "#no-public-alerts")
            .await
            .contains("Chưa có cảnh báo")
    );
    c.goto(&format!("{base}/notify/alerts")).await.unwrap();
    click(&c, "#lang-switch").await;
    assert_eq!(text(&c, "h1").await, "Public alerts (CAP)");
    c.close().await.unwrap();
}

/// Another agency's alert, imported by one officer, waits off the public feed for a second
/// person, who approves it in the console without script; the public page says whose it is.
/// The administrator's audit page shows the head to anchor.
#[tokio::test]
#[ignore = "needs Chromium and chromedriver: run by `cargo xtask test`"]
async fn an_imported_alert_reaches_the_public_only_through_a_second_person() {
    let app = TestApp::with_communes().await;
    app.user("truyenthong", vec![lantoa_core::Role::Communicator])
        .await;
    app.user("pheduyet", vec![lantoa_core::Role::Approver])
        .await;
    app.user("quantri", vec![lantoa_core::Role::Admin]).await;
    let n = &app.state.notify;
    let later = (lantoa_core::time::now() + chrono::Duration::days(1))
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    let ours = n
        .issue_alert(
            "truyenthong",
            "canhbao@nchmf.example",
            &lantoa_notify::NewAlert {
                status: "Actual".into(),
                msg_type: "Alert".into(),
                category: "Met".into(),
                event: "Mưa lớn".into(),
                urgency: "Expected".into(),
                severity: "Severe".into(),
                certainty: "Likely".into(),
                headline: "Mưa lớn diện rộng".into(),
                expires: later,
                communes: vec!["00004".into()],
                ..Default::default()
            },
        )
        .await
        .unwrap();
    // The same CAP as another agency's system would send it.
    let theirs = ours.xml.replace(&ours.identifier, "NCHMF-2026-1");
    let kept = n.import_alert("truyenthong", &theirs).await.unwrap();
    assert!(!kept.public);
    let base = app.serve().await;
    let c = browser().await;
    c.goto(&format!("{base}/alerts")).await.unwrap();
    assert!(
        text(&c, "#no-public-alerts")
            .await
            .contains("Chưa có cảnh báo")
    );
    sign_in(&c, &base, "pheduyet").await;
    c.goto(&format!("{base}/notify/alerts/{}", kept.id))
        .await
        .unwrap();
    assert_eq!(
        text(&c, "#alert-received").await,
        "nhận từ canhbao@nchmf.example"
    );
    click(&c, "#approve").await;
    c.goto(&format!("{base}/alerts")).await.unwrap();
    let list = text(&c, "#public-alerts").await;
    assert!(
        list.contains("Mưa lớn diện rộng") && list.contains("nhận từ canhbao@nchmf.example"),
        "{list}"
    );
    click(&c, "#logout").await;
    sign_in(&c, &base, "quantri").await;
    c.goto(&format!("{base}/audit")).await.unwrap();
    assert!(text(&c, "#audit-head code").await.contains(":k1:"));
    c.close().await.unwrap();
}

#[tokio::test]
#[ignore = "needs Chromium and chromedriver: run by `cargo xtask test`"]
async fn a_communicator_adds_a_loudspeaker_cluster_and_schedules_a_bulletin_in_english() {
    let app = TestApp::spawn().await;
    app.user("truyenthong", vec![lantoa_core::Role::Communicator])
        .await;
    let (c, base) = signed_in(&app, "truyenthong").await;
    c.goto(&format!("{base}/notify")).await.unwrap();
    click(&c, "#speakers-link").await;
    click(&c, "#lang-switch").await;
    assert_eq!(text(&c, "h1").await, "Commune loudspeakers");
    fill(&c, "#c-name", "Cluster, residential group 5").await;
    c.find(Locator::Css("#c-commune option[value='00004']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    click(&c, "#c-submit").await;
    let token = text(&c, "#cluster-token").await;
    assert!(token.starts_with("lt_spk_"), "{token}");
    assert!(text(&c, "#cluster-table").await.contains("Phường Ba Đình"));
    // A slot with a typo: named, and what was typed is still there.
    fill(&c, "#b-title", "Measles vaccination").await;
    fill(&c, "#b-body", "UBND phường thông báo lịch tiêm ngày 5/12.").await;
    c.find(Locator::Css("#b-communes option[value='00004']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let tomorrow = (lantoa_core::time::now() + chrono::Duration::days(1))
        .format("%Y-%m-%d")
        .to_string();
    c.execute(
        &format!("document.getElementById('b-from').value = '{tomorrow}'; return true"),
        vec![],
    )
    .await
    .unwrap();
    fill(&c, "#b-times", "6h30").await;
    click(&c, "#b-submit").await;
    assert!(
        text(&c, "#form-error")
            .await
            .contains("\"6h30\" is not a time")
    );
    assert_eq!(
        c.find(Locator::Css("#b-title"))
            .await
            .unwrap()
            .prop("value")
            .await
            .unwrap()
            .as_deref(),
        Some("Measles vaccination")
    );
    c.execute(
        &format!("document.getElementById('b-from').value = '{tomorrow}'; document.getElementById('b-times').value = '06:30, 17:00'; return true"),
        vec![],
    )
    .await
    .unwrap();
    click(&c, "#b-submit").await;
    let row = text(&c, "#bulletin-table").await;
    assert!(
        row.contains("Measles vaccination")
            && row.contains("Ủy ban nhân dân")
            && row.contains("waiting 2"),
        "{row}"
    );
    assert!(text(&c, "#covered").await.starts_with("1 / "));
    c.close().await.unwrap();
}

#[tokio::test]
#[ignore = "needs Chromium and chromedriver: run by `cargo xtask test`"]
async fn a_notice_is_issued_and_its_recipient_confirms_reading_without_script() {
    let app = TestApp::spawn().await;
    let n = &app.state.notify;
    n.add_outlet(
        "setup",
        "Báo Hà Nội Mới",
        "press",
        "",
        "toasoan@hnm.example",
    )
    .await
    .unwrap();
    app.user("truyenthong", vec![lantoa_core::Role::Communicator])
        .await;
    let (c, base) = signed_in(&app, "truyenthong").await;
    c.goto(&format!("{base}/notify")).await.unwrap();
    click(&c, "#notices-link").await;
    assert_eq!(text(&c, "h1").await, "Định hướng tuyên truyền");
    fill(&c, "#n-number", "21/HD-STTTT").await;
    fill(&c, "#n-title", "Định hướng đưa tin mưa lũ").await;
    fill(&c, "#n-body", "Chỉ dẫn nguồn từ cơ quan khí tượng.").await;
    c.find(Locator::Css("#n-press"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    click(&c, "#n-submit").await;
    let link = text(&c, "code.notice-link").await;
    assert!(link.starts_with("/notices/lt_dh_"), "{link}");
    click(&c, "#logout").await;
    // The recipient, not signed in.
    c.goto(&format!("{base}{link}")).await.unwrap();
    assert!(text(&c, "#notice-body").await.contains("cơ quan khí tượng"));
    fill(&c, "#read-by", "Lê Văn C, Trưởng ban Thời sự").await;
    click(&c, "#confirm").await;
    assert!(text(&c, "#confirmed").await.contains("Lê Văn C"));
    c.close().await.unwrap();
}

#[tokio::test]
#[ignore = "needs Chromium, chromedriver and LibreOffice: run by `cargo xtask test`"]
async fn a_planner_opens_a_report_and_downloads_it_as_docx_and_pdf() {
    let soffice = std::env::var("LANTOA_SOFFICE").expect("LANTOA_SOFFICE names soffice");
    let app = TestApp::spawn_with(lantoa_web::WebConfig {
        soffice: soffice.into(),
        ..Default::default()
    })
    .await;
    app.user("kehoach", vec![lantoa_core::Role::Planner]).await;
    let (c, base) = signed_in(&app, "kehoach").await;
    c.goto(&format!("{base}/reports")).await.unwrap();
    // The form comes with this year's annual report chosen.
    click(&c, "#r-submit").await;
    let year = chrono::Datelike::year(&lantoa_core::time::now());
    assert_eq!(text(&c, "h1").await, format!("Báo cáo Năm {year}"));
    fill(&c, "#body-shortcomings", "Còn chậm cập nhật số liệu.").await;
    click(&c, "#save-shortcomings").await;
    assert!(text(&c, "#text-shortcomings").await.contains("v1"));
    // Both downloads, through the browser with its session.
    for (link, magic, kind) in [
        ("#download-docx", "PK", "officedocument"),
        ("#download-pdf", "%PDF", "application/pdf"),
    ] {
        let got = download(&c, link).await;
        assert_eq!(got[0], 200, "{link}: {got}");
        assert!(got[1].as_str().unwrap().contains(kind), "{link}: {got}");
        assert!(got[2].as_u64().unwrap() > 5_000, "{link}: {got}");
        assert!(got[3].as_str().unwrap().starts_with(magic), "{link}: {got}");
    }
    c.close().await.unwrap();
}

/// What the link `css` downloads, fetched by the browser with its session: its status, media
/// type, length and first four bytes.
async fn download(c: &fantoccini::Client, css: &str) -> serde_json::Value {
    let address = href(c, css).await;
    c.execute_async(
        "const [href, done] = arguments;
         fetch(href).then(async r => {
           const b = new Uint8Array(await r.arrayBuffer());
           done([r.status, r.headers.get('content-type'), b.length, String.fromCharCode(...b.slice(0, 4))]);
         });",
        vec![serde_json::json!(address)],
    )
    .await
    .unwrap()
}

/// The texts of the cells of column `n` (1-based) of the table `css`.
async fn column(c: &fantoccini::Client, css: &str, n: usize) -> Vec<String> {
    let mut out = Vec::new();
    for cell in c
        .find_all(Locator::Css(&format!("{css} tbody tr td:nth-child({n})")))
        .await
        .unwrap()
    {
        out.push(cell.text().await.unwrap());
    }
    out
}

#[tokio::test]
#[ignore = "needs Chromium and chromedriver: run by `cargo xtask test`"]
async fn an_officer_pages_through_a_step_s_cases_sorts_them_and_downloads_them_without_script() {
    let app = TestApp::spawn().await;
    app.user("lan", vec![lantoa_core::Role::WatchOfficer]).await;
    for s in app.websites(64).await {
        app.state
            .watch
            .open_case(
                "lan",
                &[lantoa_core::Role::WatchOfficer],
                &lantoa_watch::NewCase {
                    subject_id: s.id,
                    category: "bao_hoa".into(),
                    title: format!("Hồ sơ {}", s.name),
                    findings: Vec::new(),
                    note: "mở để thử".into(),
                },
            )
            .await
            .unwrap();
    }
    let (c, base) = signed_in(&app, "lan").await;
    c.goto(&format!("{base}/watch/cases")).await.unwrap();
    click(&c, "#all-phat_hien").await;
    assert!(text(&c, "#listed-h").await.contains("1–50 trong 64"));
    assert_eq!(column(&c, "#listed", 2).await.len(), 50);
    click(&c, "#pager-next").await;
    assert!(text(&c, "#listed-h").await.contains("51–64 trong 64"));
    // Oldest first, by the form's own select: the first case leads.
    tick(&c, "#case-sort option[value=oldest]").await;
    click(&c, "#case-sort-submit").await;
    assert_eq!(column(&c, "#listed", 2).await[0], "Hồ sơ Trang tin 000");
    let got = download(&c, "#listed-xlsx").await;
    assert_eq!(got[0], 200, "{got}");
    assert!(got[1].as_str().unwrap().contains("spreadsheetml"), "{got}");
    assert_eq!(got[3].as_str().unwrap().get(..2), Some("PK"), "{got}");
    c.close().await.unwrap();
}

#[tokio::test]
#[ignore = "needs Chromium and chromedriver: run by `cargo xtask test`"]
async fn an_officer_pages_through_subjects_and_filters_them_and_the_audit_log_without_script() {
    let app = TestApp::spawn().await;
    app.websites(130).await;
    app.user("lan", vec![lantoa_core::Role::WatchOfficer]).await;
    app.user("quantri", vec![lantoa_core::Role::Admin]).await;
    let (c, base) = signed_in(&app, "lan").await;

    // A hundred subjects a page, by plain links (the names are the third column: the first
    // holds the officer's tick boxes).
    c.goto(&format!("{base}/watch")).await.unwrap();
    assert_eq!(text(&c, "#showing").await, "dòng 1–100 trong 130");
    let first = column(&c, "table", 3).await;
    assert_eq!(first.len(), 100);
    click(&c, "#pager-next").await;
    assert_eq!(text(&c, "#showing").await, "dòng 101–130 trong 130");
    let second = column(&c, "table", 3).await;
    assert_eq!(second.len(), 30);
    let mut all: Vec<String> = first.iter().chain(&second).cloned().collect();
    all.sort();
    all.dedup();
    assert_eq!(all.len(), 130, "the two pages hold every subject once");
    assert!(c.find(Locator::Css("#pager-next")).await.is_err());
    click(&c, "#pager-prev").await;
    assert_eq!(column(&c, "table", 3).await, first);

    // The search box narrows the list, and the export link keeps the filter.
    fill(&c, "#q", "Trang tin 12").await;
    click(&c, "form.filters button[type=submit]").await;
    let found = column(&c, "table", 3).await;
    assert_eq!(found.len(), 10, "{found:?}");
    assert!(
        found.iter().all(|n| n.starts_with("Trang tin 12")),
        "{found:?}"
    );
    assert!(c.find(Locator::Css("#pager-next")).await.is_err());
    let csv = href(&c, "#subjects-csv").await;
    assert!(csv.contains("q=Trang"), "{csv}");

    // The audit log: a hundred rows a page, older by link, filtered by a plain GET form.
    let admin = browser().await;
    sign_in(&admin, &base, "quantri").await;
    admin.goto(&format!("{base}/audit")).await.unwrap();
    assert_eq!(column(&admin, "#audit-entries", 1).await.len(), 100);
    click(&admin, "#audit-older").await;
    assert!(admin.find(Locator::Css("#audit-newest")).await.is_ok());
    let older = column(&admin, "#audit-entries", 1).await;
    assert!(!older.is_empty() && older.len() < 100, "{}", older.len());
    click(&admin, "#audit-newest").await;
    let newest = column(&admin, "#audit-entries", 3).await;
    assert!(
        newest.iter().any(|a| a != "lan"),
        "the accounts' own rows are newest"
    );
    fill(&admin, "#a-actor", "lan").await;
    click(&admin, "form.filters button[type=submit]").await;
    let actors = column(&admin, "#audit-entries", 3).await;
    assert_eq!(actors.len(), 100);
    assert!(actors.iter().all(|a| a == "lan"), "{actors:?}");
    // The chain is walked on request, by a plain GET form.
    click(&admin, "#audit-verify-button").await;
    assert!(text(&admin, "#audit-status").await.contains("nguyên vẹn"));
    // The accounts by role, by the form's own select; the export keeps the filter.
    admin.goto(&format!("{base}/users")).await.unwrap();
    tick(&admin, "#role option[value=watch_officer]").await;
    click(&admin, "#users-filter").await;
    assert_eq!(column(&admin, "#users", 1).await, ["lan"]);
    assert!(
        href(&admin, "#users-csv")
            .await
            .contains("role=watch_officer")
    );
    c.close().await.unwrap();
    admin.close().await.unwrap();
}

#[tokio::test]
#[ignore = "needs Chromium and chromedriver: run by `cargo xtask test`"]
async fn a_communicator_finds_campaigns_by_state_and_name_and_downloads_them_without_script() {
    let app = TestApp::spawn().await;
    app.user("lan", vec![lantoa_core::Role::Communicator]).await;
    let n = app.state.notify.clone();
    let (list, _) = n
        .import_list(
            "lan",
            "Phường Hoàn Kiếm",
            "hk.csv",
            "Số điện thoại\n0912345678\n".as_bytes(),
        )
        .await
        .unwrap();
    for i in 0..53 {
        let c = n
            .create_campaign(
                "lan",
                &lantoa_notify::NewCampaign {
                    name: format!("Tuyên truyền tuần {i:02}"),
                    topic: "dengue".into(),
                    brandname: "SoTTTT-HN".into(),
                    body: "Hay ngu man.".into(),
                    list_id: list.id,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        if i % 20 == 0 {
            n.submit("lan", c.id).await.unwrap();
        }
    }
    let (c, base) = signed_in(&app, "lan").await;
    c.goto(&format!("{base}/notify")).await.unwrap();
    assert_eq!(text(&c, "#campaigns-showing").await, "dòng 1–50 trong 53");
    click(&c, "#pager-next").await;
    assert_eq!(text(&c, "#campaigns-showing").await, "dòng 51–53 trong 53");
    // The state and the order by the form's own selects; the pager and the exports keep them.
    tick(&c, "#status option[value=pending]").await;
    tick(&c, "#sort option[value=oldest]").await;
    click(&c, "#campaigns-filter").await;
    assert_eq!(text(&c, "#campaigns-showing").await, "dòng 1–3 trong 3");
    assert_eq!(
        column(&c, "#campaigns", 1).await,
        [
            "Tuyên truyền tuần 00",
            "Tuyên truyền tuần 20",
            "Tuyên truyền tuần 40"
        ]
    );
    assert!(href(&c, "#campaigns-csv").await.contains("status=pending"));
    let got = download(&c, "#campaigns-xlsx").await;
    assert_eq!(got[0], 200, "{got}");
    assert_eq!(got[3].as_str().unwrap().get(..2), Some("PK"), "{got}");
    // A search on tone keys, then the lists' own page.
    c.goto(&format!("{base}/notify")).await.unwrap();
    fill(&c, "#q", "TUẦN 1").await;
    click(&c, "#campaigns-filter").await;
    assert_eq!(text(&c, "#campaigns-showing").await, "dòng 1–10 trong 10");
    click(&c, "#all-lists").await;
    assert_eq!(column(&c, "#lists", 1).await, ["Phường Hoàn Kiếm"]);
    c.close().await.unwrap();
}
