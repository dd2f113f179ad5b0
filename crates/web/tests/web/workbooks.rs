use super::*;

/// The datasets list as a workbook: each dataset once, its owner by name, the rows it
/// publishes as a number; an agency's uploader gets its own agency's only.
#[tokio::test]
async fn the_datasets_list_exports_what_the_person_sees() {
    let app = TestApp::spawn().await;
    let od = app.load_open_data_demo().await;
    let all = od.datasets(None).await.unwrap();
    let u = app.user("xem", vec![Role::Viewer]).await;
    let me = app.browser(&u).await;
    let page = app.get("/opendata", Some(&me)).await;
    assert!(page.body.contains("id=\"datasets-xlsx\""), "{}", page.body);
    let rows = workbook_rows(&app.get("/opendata.xlsx", Some(&me)).await.bytes);
    assert_eq!(rows.len(), all.len() + 1, "{rows:?}");
    let first = &all[0];
    let row = rows.iter().find(|r| r[0] == first.name).unwrap();
    assert_eq!(
        row[4],
        od.rows(first.id, 0, 0).await.unwrap().1.to_string(),
        "{row:?}"
    );
    let cv = app.user("canbo", vec![Role::AgencyUploader]).await;
    app.state
        .accounts
        .set_unit("admin", cv.id, Some(first.owner_unit_id))
        .await
        .unwrap();
    let cv = app.browser(&cv).await;
    let own = workbook_rows(&app.get("/opendata.xlsx", Some(&cv)).await.bytes);
    let owned = all
        .iter()
        .filter(|d| d.owner_unit_id == first.owner_unit_id)
        .count();
    assert_eq!(own.len(), owned + 1, "{own:?}");
    // Searched by title on tone keys, ordered by title, a page at a time in the API.
    let word = first
        .title
        .split_whitespace()
        .last()
        .unwrap()
        .to_uppercase();
    let found = app
        .get(
            &format!("/opendata?q={}&sort=title", urlencode(&word)),
            Some(&me),
        )
        .await;
    assert_eq!(found.status, 200, "{}", found.body);
    assert!(found.body.contains(&first.title), "{word}: {}", found.body);
    let token = app.token("xem", &[Role::Viewer]).await;
    let r = app
        .api(
            "GET",
            "/api/v1/opendata/datasets?limit=1&sort=newest",
            Some(&token),
            None,
        )
        .await;
    let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(v["total"].as_i64(), Some(all.len() as i64), "{v}");
    assert_eq!(v["datasets"].as_array().unwrap().len(), 1, "{v}");
    assert_eq!(v["next"].as_i64(), (all.len() > 1).then_some(1), "{v}");
    let r = app
        .api(
            "GET",
            "/api/v1/opendata/datasets?sort=size",
            Some(&token),
            None,
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
}

/// The 126 communes as the units list filters them, whole (past its page of 50), in both
/// files: kind and state by name, the day in force as a day.
#[tokio::test]
async fn the_units_list_exports_what_it_filters() {
    let app = TestApp::with_communes().await;
    let u = app.user("xem", vec![Role::Viewer]).await;
    let me = app.browser(&u).await;
    let page = app.get("/units?kind=commune", Some(&me)).await;
    assert!(
        page.body.contains("href=\"&#x2f;units.xlsx?kind=commune\""),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("01&#x2f;07&#x2f;2025"),
        "days as dd/mm/yyyy: {}",
        page.body
    );
    let x = app.get("/units.xlsx?kind=commune", Some(&me)).await;
    let rows = workbook_rows(&x.bytes);
    assert_eq!(rows.len(), 127, "{:?}", &rows[..3]);
    assert!(
        rows[1..].iter().all(|r| r[4] == "Đang hoạt động"),
        "{:?}",
        &rows[..3]
    );
    let c = app
        .get("/units.csv?kind=commune&q=Ba%20%C4%90%C3%ACnh", Some(&me))
        .await;
    let lines: Vec<&str> = c.body.trim_start_matches('\u{feff}').lines().collect();
    assert!(
        lines.len() >= 2 && lines[1..].iter().all(|l| l.contains("Ba Đình")),
        "{}",
        c.body
    );
    assert!(lines[1].contains(";01/07/2025;"), "{}", c.body);
    let bad = app.get("/units.csv?kind=tinh", Some(&me)).await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    // By code: the file's first communes are the lowest codes; the pager keeps the order.
    let by_code = workbook_rows(
        &app.get("/units.xlsx?kind=commune&sort=code", Some(&me))
            .await
            .bytes,
    );
    let codes: Vec<&str> = by_code[1..].iter().map(|r| r[1].as_str()).collect();
    let mut sorted = codes.clone();
    sorted.sort();
    assert_eq!(codes, sorted);
    let page = app.get("/units?kind=commune&sort=code", Some(&me)).await;
    assert!(page.body.contains("sort=code"), "{}", page.body);
    assert!(
        page.body.contains("<option value=\"code\" selected>"),
        "{}",
        page.body
    );
    let bad = app.get("/units?sort=size", Some(&me)).await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    assert!(
        bad.body.contains("kind, name, code, newest"),
        "{}",
        bad.body
    );
}

/// The notify module's lists at a size past one page: campaigns (55, searched on tone
/// keys, by state, the pager keeping the filters), recipient lists, alerts and notices,
/// each exported whole as the filters select; a state or order a list does not have is
/// refused by name in both languages, in the console and the API.
#[tokio::test]
async fn the_notify_lists_page_search_filter_and_export() {
    let app = TestApp::spawn().await;
    let n = app.state.notify.clone();
    let csv = "Số điện thoại\n0912345678\n0983456789\n";
    let (hk, _) = n
        .import_list("lan", "Phường Hoàn Kiếm", "hk.csv", csv.as_bytes())
        .await
        .unwrap();
    for i in 0..55 {
        let c = n
            .create_campaign(
                "lan",
                &lantoa_notify::NewCampaign {
                    name: if i == 7 {
                        "Phòng chống bão số 9 ở xã Hòa Lạc".to_owned()
                    } else {
                        format!("Tuyên truyền {i:02}")
                    },
                    topic: "dengue".into(),
                    brandname: "SoTTTT-HN".into(),
                    body: "Hay ngu man.".into(),
                    list_id: hk.id,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        if i % 10 == 0 {
            n.submit("lan", c.id).await.unwrap();
        }
    }
    let u = app.user("xem", vec![Role::Viewer]).await;
    let me = app.browser(&u).await;
    let page = app.get("/notify", Some(&me)).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("dòng 1–50 trong 55"), "{}", page.body);
    assert!(page.body.contains("id=\"pager-next\""), "{}", page.body);
    let next = app.get("/notify?page=1", Some(&me)).await;
    assert!(next.body.contains("dòng 51–55 trong 55"), "{}", next.body);
    assert!(next.body.contains("Tuyên truyền 00"), "the oldest is last");
    // "Hoà" (the older place of the tone mark) finds "Hòa".
    let found = app.get("/notify?q=ho%C3%A0+l%E1%BA%A1c", Some(&me)).await;
    assert!(
        found.body.contains("Phòng chống bão số 9") && found.body.contains("trong 1<"),
        "{}",
        found.body
    );
    let pending = app
        .get("/notify?status=pending&sort=oldest", Some(&me))
        .await;
    assert!(
        pending.body.contains("dòng 1–6 trong 6"),
        "{}",
        pending.body
    );
    // The exports hold every row the filters select, past the page.
    let rows = workbook_rows(&app.get("/notify/campaigns.xlsx", Some(&me)).await.bytes);
    assert_eq!(rows.len(), 56, "{:?}", &rows[..2]);
    assert_eq!(rows[0][5], "Trạng thái");
    assert!(
        rows[1..].iter().any(|r| r[5] == "Chờ phê duyệt"),
        "{:?}",
        &rows[..3]
    );
    let c = app
        .get("/notify/campaigns.csv?status=pending", Some(&me))
        .await;
    let lines: Vec<&str> = c.body.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(lines.len(), 7, "{}", c.body);
    assert!(
        lines[1].contains(";Phòng chống sốt xuất huyết;"),
        "the topic by name: {}",
        c.body
    );
    // A state the list does not have: named, in Vietnamese and in English.
    let bad = app.get("/notify?status=gui-roi", Some(&me)).await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    assert!(
        bad.body.contains("gui-roi") && bad.body.contains("không phải giá trị lọc"),
        "{}",
        bad.body
    );
    let en = common::Browser {
        cookie: format!("{}; lantoa_lang=en", me.cookie),
        csrf: me.csrf.clone(),
    };
    let bad = app.get("/notify?sort=sideways", Some(&en)).await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    assert!(bad.body.contains("is not a sort order"), "{}", bad.body);
    // Recipient lists: their own page, searched, exported.
    n.import_list("lan", "Xã Sóc Sơn", "ss.csv", csv.as_bytes())
        .await
        .unwrap();
    let lists = app.get("/notify/lists?q=s%C3%B3c", Some(&me)).await;
    assert!(
        lists.body.contains("Xã Sóc Sơn") && !lists.body.contains("Phường Hoàn Kiếm"),
        "{}",
        lists.body
    );
    let rows = workbook_rows(
        &app.get("/notify/lists.xlsx?sort=name", Some(&me))
            .await
            .bytes,
    );
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert_eq!(
        (rows[1][1].as_str(), rows[1][4].as_str()),
        ("Phường Hoàn Kiếm", "2")
    );
    // Alerts: by status and approval; notices: searched; both exported.
    let storm = lantoa_notify::NewAlert {
        status: "Exercise".into(),
        msg_type: "Alert".into(),
        category: "Met".into(),
        event: "Diễn tập bão".into(),
        urgency: "Expected".into(),
        severity: "Severe".into(),
        certainty: "Likely".into(),
        headline: "Diễn tập ứng phó bão".into(),
        expires: "2099-12-31T12:00".into(),
        communes: vec!["00004".into()],
        ..Default::default()
    };
    n.issue_alert("lan", "canhbao@hanoi.gov.vn", &storm)
        .await
        .unwrap();
    let alerts = app.get("/notify/alerts?status=Exercise", Some(&me)).await;
    assert!(
        alerts.body.contains("Diễn tập ứng phó bão"),
        "{}",
        alerts.body
    );
    let none = app.get("/notify/alerts?status=Actual", Some(&me)).await;
    assert!(none.body.contains("id=\"no-alerts\""), "{}", none.body);
    let rows = workbook_rows(&app.get("/notify/alerts/list.xlsx", Some(&me)).await.bytes);
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(
        rows[1][5], "Diễn tập",
        "CAP's status in Vietnamese: {rows:?}"
    );
    n.add_outlet("lan", "Báo A", "press", "", "a@b.example")
        .await
        .unwrap();
    n.issue_notice(
        "lan",
        &lantoa_notify::notices::NewNotice {
            number: "15/HD-STTTT".into(),
            title: "Định hướng tuyên truyền Tháng chuyển đổi số".into(),
            body: "Tập trung tuyên truyền.".into(),
            due: "2099-09-25".into(),
            kinds: vec!["press".into()],
            outlets: vec![],
        },
    )
    .await
    .unwrap();
    let notices = app
        .get(
            "/notify/notices?q=chuy%E1%BB%83n+%C4%91%E1%BB%95i",
            Some(&me),
        )
        .await;
    assert!(
        notices.body.contains("15&#x2f;HD-STTTT")
            && notices.body.contains("<td>25&#x2f;09&#x2f;2099</td>"),
        "{}",
        notices.body
    );
    let c = app.get("/notify/notices/list.csv", Some(&me)).await;
    assert!(
        c.body.contains("15/HD-STTTT;") && c.body.contains(";25/09/2099;"),
        "{}",
        c.body
    );
    // The API pages the same lists, with the total and the next offset.
    let token = app.token("xem", &[Role::Viewer]).await;
    let r = app
        .api(
            "GET",
            "/api/v1/notify/campaigns?limit=20&offset=40",
            Some(&token),
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(
        (v["total"].as_i64(), v["next"].as_i64()),
        (Some(55), None),
        "{v}"
    );
    assert_eq!(v["campaigns"].as_array().unwrap().len(), 15);
    let r = app
        .api(
            "GET",
            "/api/v1/notify/campaigns?limit=20&status=pending",
            Some(&token),
            None,
        )
        .await;
    let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(v["total"].as_i64(), Some(6), "{v}");
    let r = app
        .api(
            "GET",
            "/api/v1/notify/alerts?state=waiting",
            Some(&token),
            None,
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(
        r.body.contains("\"state\"") || r.body.contains("state"),
        "{}",
        r.body
    );
    let r = app
        .api("GET", "/api/v1/notify/lists?q=s%C3%B3c", Some(&token), None)
        .await;
    let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(v["total"].as_i64(), Some(1), "{v}");
}

/// The accounts list past one page: searched by name on tone keys, by role, ordered by
/// name, exported whole; a role the list does not know is named, in both languages.
#[tokio::test]
async fn the_accounts_list_pages_searches_and_exports() {
    let app = TestApp::spawn().await;
    let admin = app.user("quantri", vec![Role::Admin]).await;
    for i in 0..51 {
        app.user(&format!("canbo{i:02}"), vec![Role::Viewer]).await;
    }
    app.state
        .accounts
        .create_user(
            "test",
            &lantoa_accounts::NewUser::new("hoa.nt", "Nguyễn Thị Hòa", vec![Role::Planner]),
        )
        .await
        .unwrap();
    let me = app.browser(&admin).await;
    let page = app.get("/users", Some(&me)).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("dòng 1–50 trong 53"), "{}", page.body);
    let next = app.get(&link_to(&page.body, "pager-next"), Some(&me)).await;
    assert!(next.body.contains("dòng 51–53 trong 53"), "{}", next.body);
    let found = app.get("/users?q=ho%C3%A0&role=planner", Some(&me)).await;
    assert!(
        found.body.contains("hoa.nt") && found.body.contains("trong 1<"),
        "{}",
        found.body
    );
    let rows = workbook_rows(&app.get("/users.xlsx?role=viewer", Some(&me)).await.bytes);
    assert_eq!(rows.len(), 52, "{:?}", &rows[..2]);
    assert_eq!(rows[1][2], "Người xem", "{:?}", rows[1]);
    let bad = app.get("/users?role=boss", Some(&me)).await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    assert!(bad.body.contains("không phải giá trị lọc"), "{}", bad.body);
    let en = common::Browser {
        cookie: format!("{}; lantoa_lang=en", me.cookie),
        csrf: me.csrf.clone(),
    };
    let bad = app.get("/users?sort=age", Some(&en)).await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    assert!(
        bad.body.contains("is not one of the values"),
        "{}",
        bad.body
    );
}

/// Every workbook reader refuses a file that unpacks to gigabytes before inflating it, with
/// a short message that quotes nothing of the file, and keeps nothing of it.
#[tokio::test]
async fn every_workbook_reader_refuses_a_zip_bomb() {
    let app = TestApp::with_demo_city().await;
    let bomb = |xlsx: &[u8]| lantoa_store::testing::claiming_unpacked(xlsx, 0x7fff_ffff);
    let refused = |what: &str, message: &str| {
        assert!(
            message.contains("unpacks to more than"),
            "{what}: {message}"
        );
        assert!(message.len() < 400, "{what}: {message}");
    };
    // Watch subjects, over the API.
    app.user(
        "lan",
        vec![Role::WatchOfficer, Role::Communicator, Role::Planner],
    )
    .await;
    let tok = app.token("lan", &[]).await;
    let subjects = bomb(include_bytes!(
        "../../../watch/tests/fixtures/subjects.xlsx"
    ));
    let r = app
        .send(
            axum::http::Request::post("/api/v1/watch/subjects/import")
                .header("authorization", format!("Bearer {tok}"))
                .header(
                    "content-type",
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                )
                .body(axum::body::Body::from(subjects))
                .unwrap(),
        )
        .await;
    assert!(r.status.is_client_error(), "{} {}", r.status, r.body);
    refused("watch subjects", &r.error_message());
    let (_, total) = app
        .state
        .watch
        .list(&lantoa_watch::ListQuery {
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(total, 0);
    // Opt-outs, over the API; a recipient list, through the service.
    let workbook = bomb(include_bytes!("../../../opendata/tests/fixtures/wifi.xlsx"));
    let r = app
        .send(
            axum::http::Request::post("/api/v1/notify/optouts/import?source=dnc")
                .header("authorization", format!("Bearer {tok}"))
                .body(axum::body::Body::from(workbook.clone()))
                .unwrap(),
        )
        .await;
    assert!(r.status.is_client_error(), "{} {}", r.status, r.body);
    refused("opt-outs", &r.error_message());
    let n = &app.state.notify;
    let e = n
        .import_list(
            "lan",
            "Danh sách",
            "ds.xlsx",
            std::io::Cursor::new(workbook.clone()),
        )
        .await
        .unwrap_err();
    refused("recipient list", &e.to_string());
    assert!(n.lists().await.unwrap().is_empty());
    // A plan's appendix.
    let plan = app
        .state
        .plans
        .create(
            "lan",
            &lantoa_plans::NewPlan {
                number: "1/KH-UBND".into(),
                issued_on: "2026-01-05".into(),
                issuer: "UBND thành phố Hà Nội".into(),
                title: "Kế hoạch thử".into(),
                from_year: 2026,
                to_year: 2026,
                implements: String::new(),
            },
        )
        .await
        .unwrap();
    let appendix = bomb(include_bytes!(
        "../../../plans/tests/fixtures/appendix.xlsx"
    ));
    let e = app
        .state
        .plans
        .import_appendix("lan", plan.id, &appendix, true)
        .await
        .unwrap_err();
    refused("plan appendix", &e.to_string());
    // An open-data upload: refused, no row read.
    let od = app.load_open_data_demo().await;
    let d = od.dataset_by_name("diem-wifi-cong-cong").await.unwrap();
    let before = od.rows(d.id, 0, 1).await.unwrap().1;
    let u = od
        .upload("lan", d.id, "wifi.xlsx", &workbook)
        .await
        .unwrap();
    let u = od.run_upload(u.id).await.unwrap();
    assert_eq!((u.status.as_str(), u.rows), ("refused", 0), "{u:?}");
    refused("open data", &u.problems[0].note.to_string());
    assert_eq!(od.rows(d.id, 0, 1).await.unwrap().1, before);
}
