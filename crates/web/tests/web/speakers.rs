use super::*;

fn between<'a>(body: &'a str, start: &str, end: &str) -> &'a str {
    let from = body
        .find(start)
        .unwrap_or_else(|| panic!("{start} in {body}"))
        + start.len();
    let len = body[from..].find(end).unwrap();
    &body[from..from + len]
}

/// Communes typed by name, with or without tone marks, instead of picked from 126: an
/// unknown one is named with what it may mean, the form kept; known ones reach their
/// clusters.
#[tokio::test]
async fn a_bulletin_reaches_the_communes_typed_by_name() {
    let app = TestApp::spawn().await;
    let tt = app.user("truyenthong", vec![Role::Communicator]).await;
    let tt = app.browser(&tt).await;
    let mut tokens = Vec::new();
    for (name, commune) in [
        ("Cụm loa Ba Đình 1", "00004"),
        ("Cụm loa Hoàn Kiếm 1", "00070"),
    ] {
        let r = app
            .post_form(
                "/notify/speakers/clusters",
                Some(&tt),
                &[("name", name), ("commune", commune)],
            )
            .await;
        tokens.push(between(&r.body, "id=\"cluster-token\">", "<").to_owned());
    }
    let page = app.get("/notify/speakers", Some(&tt)).await;
    assert!(
        page.body.contains("id=\"b-communes-typed\"")
            && page.body.contains("<option value=\"Phường Hoàn Kiếm\">"),
        "{}",
        page.body
    );
    let tomorrow = (lantoa_core::time::now() + chrono::Duration::days(1))
        .format("%Y-%m-%d")
        .to_string();
    let send = |typed: &'static str| {
        let (tt, tomorrow, app) = (tt.clone(), tomorrow.clone(), &app);
        async move {
            app.post_form(
                "/notify/speakers/bulletins",
                Some(&tt),
                &[
                    ("title", "Lịch tiêm chủng"),
                    ("body", "Trạm y tế tiêm chủng lúc 7h30."),
                    ("communes_typed", typed),
                    ("from", &tomorrow),
                    ("times", "06:30"),
                ],
            )
            .await
        }
    };
    let r = send("Hoàn Kiếm, Hoàn").await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(
        r.body.contains("có phải là: Phường Hoàn Kiếm (00070)")
            && r.body.contains("value=\"Hoàn Kiếm, Hoàn\""),
        "{}",
        r.body
    );
    for t in &tokens {
        let r = app.api("GET", "/speakers/v1/playlist", Some(t), None).await;
        assert_eq!(
            r.json()["plays"],
            serde_json::json!([]),
            "nothing scheduled"
        );
    }
    let r = send("hoan kiem; Phường Ba Đình").await;
    assert_eq!(r.status, 303, "{}", r.body);
    for t in &tokens {
        let r = app.api("GET", "/speakers/v1/playlist", Some(t), None).await;
        assert_eq!(r.json()["plays"].as_array().unwrap().len(), 1, "{}", r.body);
    }
}

#[tokio::test]
async fn clusters_pull_only_their_own_playlist_and_a_revoked_token_is_refused() {
    let app = TestApp::spawn().await;
    let tt = app.user("truyenthong", vec![Role::Communicator]).await;
    let tt = app.browser(&tt).await;
    let add = |name: &'static str, commune: &'static str| {
        let tt = tt.clone();
        let app = &app;
        async move {
            let r = app
                .post_form(
                    "/notify/speakers/clusters",
                    Some(&tt),
                    &[("name", name), ("commune", commune)],
                )
                .await;
            assert_eq!(r.status, 200, "{}", r.body);
            between(&r.body, "id=\"cluster-token\">", "<").to_owned()
        }
    };
    let mine = add("Cụm loa Ba Đình 1", "00004").await;
    let theirs = add("Cụm loa Hoàn Kiếm 1", "00070").await;
    // A bad commune: named, the name kept in the form, nothing added.
    let r = app
        .post_form(
            "/notify/speakers/clusters",
            Some(&tt),
            &[("name", "Cụm loa X"), ("commune", "99999")],
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(
        r.body.contains("99999") && r.body.contains("value=\"Cụm loa X\""),
        "{}",
        r.body
    );
    let tomorrow = (lantoa_core::time::now() + chrono::Duration::days(1))
        .format("%Y-%m-%d")
        .to_string();
    let bulletin = |times: &'static str| {
        let tt = tt.clone();
        let tomorrow = tomorrow.clone();
        let app = &app;
        async move {
            app.post_form(
                "/notify/speakers/bulletins",
                Some(&tt),
                &[
                    ("title", "Lịch tiêm chủng"),
                    ("body", "Trạm y tế phường tiêm chủng ngày 5/12 lúc 7h30."),
                    ("communes", "00004"),
                    ("from", &tomorrow),
                    ("times", times),
                    ("repeats", "2"),
                ],
            )
            .await
        }
    };
    let r = bulletin("6:3O").await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(
        r.body.contains("times") && r.body.contains("value=\"Lịch tiêm chủng\""),
        "{}",
        r.body
    );
    assert_eq!(bulletin("06:30, 17:00").await.status, 303);
    let page = app.get("/notify/speakers", Some(&tt)).await;
    assert!(
        page.body.contains("Lịch tiêm chủng") && page.body.contains("ngày năm tháng mười hai"),
        "the text as read: {}",
        page.body
    );
    assert!(page.body.contains("id=\"covered\">2 / "), "{}", page.body);

    // The device API: its own playlist only.
    let r = app
        .api("GET", "/speakers/v1/playlist", Some(&mine), None)
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let list: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    let plays = list["plays"].as_array().unwrap();
    assert_eq!(plays.len(), 2);
    let (play, b) = (
        plays[0]["play"].as_i64().unwrap(),
        plays[0]["bulletin"].as_i64().unwrap(),
    );
    let r = app
        .api("GET", "/speakers/v1/playlist", Some(&theirs), None)
        .await;
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&r.body).unwrap()["plays"],
        serde_json::json!([])
    );
    let audio = |tok: String| {
        let app = &app;
        async move {
            app.api("GET", &format!("/speakers/v1/audio/{b}"), Some(&tok), None)
                .await
        }
    };
    assert_eq!(audio(theirs.clone()).await.status, 404);
    let wav = audio(mine.clone()).await;
    assert_eq!(
        (
            wav.status.as_u16(),
            wav.headers["content-type"].to_str().unwrap()
        ),
        (200, "audio/wav")
    );
    let report = |tok: String, body: &'static str| {
        let app = &app;
        async move {
            app.api(
                "POST",
                &format!("/speakers/v1/plays/{play}"),
                Some(&tok),
                Some(body),
            )
            .await
        }
    };
    assert_eq!(
        report(theirs.clone(), r#"{"outcome":"played"}"#)
            .await
            .status,
        404
    );
    let r = report(mine.clone(), r#"{"outcome":"played","x":1}"#).await;
    assert_eq!(r.status, 400, "{}", r.body);
    let r = report(mine.clone(), r#"{"outcome":"sung"}"#).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("outcome"), "{}", r.body);
    assert_eq!(
        report(mine.clone(), r#"{"outcome":"played"}"#).await.status,
        200
    );
    // No token, a user's API token: refused.
    assert_eq!(
        app.api("GET", "/speakers/v1/playlist", None, None)
            .await
            .status,
        401
    );
    let user_token = app.token("truyenthong", &[]).await;
    assert_eq!(
        app.api("GET", "/speakers/v1/playlist", Some(&user_token), None)
            .await
            .status,
        401
    );
    // Revoked from the console: refused, saying so.
    let n = &app.state.notify;
    let id = n.device(&mine).await.unwrap().id;
    let pd = app.user("pheduyet", vec![Role::Approver]).await;
    let pd = app.browser(&pd).await;
    let r = app
        .post_form(
            &format!("/notify/speakers/clusters/{id}/revoke"),
            Some(&pd),
            &[],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let r = app
        .api("GET", "/speakers/v1/playlist", Some(&mine), None)
        .await;
    assert_eq!(r.status, 401);
    assert!(r.body.contains("revoked"), "{}", r.body);
}

#[tokio::test]
async fn a_campaign_is_also_read_out_from_its_own_page() {
    let app = TestApp::spawn().await;
    let n = app.state.notify.clone();
    n.add_cluster("setup", "Cụm loa Ba Đình", "00004")
        .await
        .unwrap();
    let csv = "Họ tên,Số điện thoại,Phường/xã\nA,0981000001,Phường Ba Đình\n";
    let (list, _) = n
        .import_list("setup", "Dân cư", "l.csv", csv.as_bytes())
        .await
        .unwrap();
    let c = n
        .create_campaign(
            "setup",
            &lantoa_notify::NewCampaign {
                name: "Lịch cắt điện".into(),
                topic: "power".into(),
                brandname: "EVN-HN".into(),
                body: "Cắt điện từ 8h đến 11h ngày 3/12.".into(),
                list_id: list.id,
                communes: vec!["00004".into()],
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let tt = app.user("truyenthong", vec![Role::Communicator]).await;
    let tt = app.browser(&tt).await;
    let page = app
        .get(&format!("/notify/campaigns/{}", c.id), Some(&tt))
        .await;
    assert!(
        page.body.contains("id=\"read-on-speakers\""),
        "{}",
        page.body
    );
    let form = app
        .get(&format!("/notify/speakers?campaign={}", c.id), Some(&tt))
        .await;
    assert!(
        form.body.contains("id=\"for-campaign\"")
            && form
                .body
                .contains(&format!("name=\"campaign\" value=\"{}\"", c.id))
            && form.body.contains("Cắt điện từ 8h"),
        "{}",
        form.body
    );
    let tomorrow = (lantoa_core::time::now() + chrono::Duration::days(1))
        .format("%Y-%m-%d")
        .to_string();
    let id = c.id.to_string();
    let r = app
        .post_form(
            "/notify/speakers/bulletins",
            Some(&tt),
            &[
                ("campaign", id.as_str()),
                ("title", "Lịch cắt điện"),
                ("body", "Cắt điện từ 8h đến 11h ngày 3/12."),
                ("communes", "00004"),
                ("from", &tomorrow),
                ("times", "07:00"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = app
        .get(&format!("/notify/campaigns/{}", c.id), Some(&tt))
        .await;
    assert!(
        page.body.contains("id=\"campaign-bulletins\"") && page.body.contains("chờ phát 1"),
        "{}",
        page.body
    );
}

#[tokio::test]
async fn a_campaign_still_being_queued_says_so_in_both_languages() {
    let app = TestApp::spawn().await;
    let n = app.state.notify.clone();
    let csv = "Họ tên,Số điện thoại\nA,0981000001\nB,0981000002\n";
    let (list, _) = n
        .import_list("setup", "Dân cư", "l.csv", csv.as_bytes())
        .await
        .unwrap();
    let c = n
        .create_campaign(
            "setup",
            &lantoa_notify::NewCampaign {
                name: "Phòng dịch".into(),
                topic: "dengue".into(),
                brandname: "SoTTTT-HN".into(),
                body: "Hãy ngủ màn.".into(),
                list_id: list.id,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let tt = app.user("truyenthong", vec![Role::Communicator]).await;
    let tt = app.browser(&tt).await;
    let at = format!("/notify/campaigns/{}", c.id);
    let page = app.get(&at, Some(&tt)).await;
    assert!(!page.body.contains("id=\"queueing\""), "{}", page.body);
    // Approved, its first step queued and the rest still to come (as a large list stands
    // between its approval and its last step).
    lantoa_store::sqlx::query(
        "UPDATE notify_campaigns SET status = 'sending', queue_after = '0981000001' WHERE id = $1",
    )
    .bind(c.id)
    .execute(app.state.db.pool())
    .await
    .unwrap();
    let page = app.get(&at, Some(&tt)).await;
    assert!(
        page.body.contains("id=\"queueing\"")
            && page
                .body
                .contains("vẫn đang được xếp hàng, mỗi lượt 5.000 số"),
        "{}",
        page.body
    );
    let en = common::Browser {
        cookie: format!("{}; lantoa_lang=en", tt.cookie),
        csrf: tt.csrf.clone(),
    };
    let page = app.get(&at, Some(&en)).await;
    assert!(
        page.body
            .contains("still being queued, 5,000 numbers at a time"),
        "{}",
        page.body
    );
    let api = app
        .api(
            "GET",
            &format!("/api/v1{at}"),
            Some(&app.token("truyenthong", &[Role::Communicator]).await),
            None,
        )
        .await;
    assert_eq!(api.json()["campaign"]["queueing"], true, "{}", api.body);
}

#[tokio::test]
async fn one_alert_page_shows_every_channel_and_the_prepared_cancel_stops_them() {
    let app = TestApp::spawn().await;
    let n = app.state.notify.clone();
    n.add_cluster("setup", "Cụm loa Ba Đình", "00004")
        .await
        .unwrap();
    let csv = "Họ tên,Số điện thoại,Phường/xã\nA,0981000001,Phường Ba Đình\nB,0911000002,Phường Hoàn Kiếm\n";
    let (list, _) = n
        .import_list("setup", "Dân cư", "l.csv", csv.as_bytes())
        .await
        .unwrap();
    let tt = app.user("truyenthong", vec![Role::Communicator]).await;
    let tt = app.browser(&tt).await;
    let later = (lantoa_core::time::now() + chrono::Duration::days(1))
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    let list_id = list.id.to_string();
    let r = app
        .post_form(
            "/notify/alerts",
            Some(&tt),
            &[
                ("status", "Actual"),
                ("msg_type", "Alert"),
                ("category", "Met"),
                ("event", "Ngập úng"),
                ("urgency", "Immediate"),
                ("severity", "Severe"),
                ("certainty", "Observed"),
                ("headline", "Ngập sâu phố Phan Đình Phùng"),
                ("instruction", "Không đi vào vùng ngập."),
                ("expires", &later),
                ("communes", "00004"),
                ("feed", "1"),
                ("sms_list", &list_id),
                ("speakers", "1"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let at = r.headers["location"].to_str().unwrap().to_owned();
    let page = app.get(&at, Some(&tt)).await;
    assert!(
        page.body.contains("class=\"banner-live\"") && page.body.contains("CẢNH BÁO THẬT"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("sẽ phát sau khi được phê duyệt"),
        "{}",
        page.body
    );
    let pd = app.user("pheduyet", vec![Role::Approver]).await;
    let pd = app.browser(&pd).await;
    let r = app
        .post_form(&format!("{at}/approve"), Some(&pd), &[])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = app.get(&at, Some(&pd)).await;
    let sms = between(&page.body, "id=\"ch-sms\">", "</tr>");
    assert!(
        sms.contains("chờ gửi 1"),
        "the one number in Ba Đình: {sms}"
    );
    let spk = between(&page.body, "id=\"ch-speakers\">", "</tr>");
    assert!(spk.contains("chờ phát 1"), "{spk}");
    // The prepared Cancel, one click.
    let r = app
        .post_form(
            &format!("{at}/cancel"),
            Some(&pd),
            &[("note", "nước đã rút")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let cancel = app
        .get(r.headers["location"].to_str().unwrap(), Some(&pd))
        .await;
    assert!(
        cancel.body.contains("HỦY: Ngập sâu phố Phan Đình Phùng"),
        "{}",
        cancel.body
    );
    let page = app.get(&at, Some(&pd)).await;
    let sms = between(&page.body, "id=\"ch-sms\">", "</tr>");
    assert!(sms.contains("Đã hủy") && sms.contains("đã hủy 1"), "{sms}");
    let spk = between(&page.body, "id=\"ch-speakers\">", "</tr>");
    assert!(spk.contains("đã rút") && spk.contains("đã rút 1"), "{spk}");
    assert!(
        !page.body.contains("id=\"cancel-form\""),
        "no second Cancel"
    );
    // A drill's page says so, in its own colours.
    let r = app
        .post_form(
            "/notify/alerts",
            Some(&tt),
            &[
                ("status", "Exercise"),
                ("msg_type", "Alert"),
                ("category", "Fire"),
                ("event", "Diễn tập"),
                ("urgency", "Expected"),
                ("severity", "Minor"),
                ("certainty", "Possible"),
                ("headline", "Diễn tập PCCC"),
                ("expires", &later),
                ("communes", "00004"),
                ("feed", "1"),
            ],
        )
        .await;
    let drill = app
        .get(r.headers["location"].to_str().unwrap(), Some(&tt))
        .await;
    assert!(
        drill.body.contains("class=\"banner-drill\"")
            && drill.body.contains("KHÔNG PHẢI CẢNH BÁO THẬT")
            && !drill.body.contains("banner-live"),
        "{}",
        drill.body
    );
}
