use super::*;

const LIST: &str = "Họ tên,Số điện thoại,Phường/xã\nNguyễn Thị Lan,0912 345 678,Phường Hoàn Kiếm\nTrần Văn Bình,+84 983 456 789,Phường Ba Đình\nJohn Smith,+1 415 555 0100,Phường Ba Đình\n";

/// A recipient list form: its content type and body.
fn list_form(name: &str, csv: &str) -> (String, String) {
    let boundary = "lantoa-list";
    (
        format!("multipart/form-data; boundary={boundary}"),
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\n{name}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"ds.csv\"\r\nContent-Type: text/csv\r\n\r\n{csv}\r\n--{boundary}--\r\n"
        ),
    )
}

#[tokio::test]
async fn a_list_is_imported_a_campaign_drafted_and_approved_by_another_person() {
    let app = TestApp::spawn().await;
    let lan = app.user("lan", vec![Role::Communicator]).await;
    let me = app.browser(&lan).await;
    let hung_user = app.user("hung", vec![Role::Approver]).await;
    let hung = app.browser(&hung_user).await;
    let viewer_user = app.user("xem", vec![Role::Viewer]).await;
    let viewer = app.browser(&viewer_user).await;
    // A viewer may not import; a communicator may, and sees each refused row.
    let r = {
        let (ct, body) = list_form("Ba Đình", LIST);
        app.post_multipart("/notify/lists", &viewer, &ct, body)
            .await
    };
    assert_eq!(r.status, 403);
    let r = {
        let (ct, body) = list_form("Ba Đình", LIST);
        app.post_multipart("/notify/lists", &me, &ct, body).await
    };
    assert_eq!(r.status, 303, "{}", r.body);
    let at = r.headers["location"].to_str().unwrap().to_owned();
    let page = app.get(&at, Some(&me)).await;
    assert!(page.body.contains("Đã nhập danh sách"), "{}", page.body);
    assert!(
        page.body.contains("+1 415 555 0100"),
        "the refused row is shown"
    );
    assert!(page.body.contains("id=\"recipients\">2<"), "{}", page.body);
    // Operators by their names from the numbering plan, not their ids.
    assert!(
        page.body.contains("<td>VinaPhone</td>") && page.body.contains("<td>Viettel</td>"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("<td>viettel</td>"), "{}", page.body);
    // A file with no phone column: the reason names what the header has.
    let r = {
        let (ct, body) = list_form("Sai", "Tên,Địa chỉ\nA,B\n");
        app.post_multipart("/notify/lists", &me, &ct, body).await
    };
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("Địa chỉ"), "{}", r.body);
    let n = app.state.notify.clone();
    let list_id = n.lists().await.unwrap()[0].id.to_string();
    // A bad brandname: the form comes back with the reason and what was typed.
    let mut form = vec![
        ("name", "Sốt xuất huyết tuần 40"),
        ("topic", "dengue"),
        ("brandname", "Sở Y tế"),
        ("body", "Kính gửi {ten}: hãy diệt lăng quăng, ngủ màn."),
        ("list_id", list_id.as_str()),
    ];
    let r = app.post_form("/notify/campaigns", Some(&me), &form).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(
        r.body.contains("brandname") && r.body.contains("hãy diệt lăng quăng"),
        "{}",
        r.body
    );
    form[2] = ("brandname", "SoYTe-HN");
    let r = app.post_form("/notify/campaigns", Some(&me), &form).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let at = r.headers["location"]
        .to_str()
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    let page = app.get(&at, Some(&me)).await;
    assert!(page.body.contains("2 người nhận"), "{}", page.body);
    assert!(
        page.body
            .contains("title=\"dengue\">Phòng chống sốt xuất huyết</dd>"),
        "the topic by its name: {}",
        page.body
    );
    assert!(
        page.body.contains("Kính gửi Nguyễn Thị Lan"),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains("<del>Kính</del> <ins>Kinh</ins> <del>gửi</del> <ins>gui</ins> {ten}:"),
        "the words without diacritics beside the words as written: {}",
        page.body
    );
    assert!(page.body.contains("id=\"submit-form\""));
    // The author submits; the author cannot approve; the approver must type the name.
    let r = app.post_form(&format!("{at}/submit"), Some(&me), &[]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let r = app
        .post_form(
            &format!("{at}/approve"),
            Some(&me),
            &[("confirm", "Sốt xuất huyết tuần 40")],
        )
        .await;
    assert_eq!(r.status, 403);
    let page = app.get(&at, Some(&hung)).await;
    assert!(page.body.contains("id=\"approve-form\""), "{}", page.body);
    let r = app
        .post_form(
            &format!("{at}/approve"),
            Some(&hung),
            &[("confirm", "sốt xuất huyết")],
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("Sốt xuất huyết tuần 40"), "{}", r.body);
    let r = app
        .post_form(
            &format!("{at}/approve"),
            Some(&hung),
            &[("confirm", "Sốt xuất huyết tuần 40")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = app.get(&at, Some(&viewer)).await;
    // Approved: queued, with progress per operator, and no dispatcher bound yet says so.
    assert!(page.body.contains("Đang gửi"), "{}", page.body);
    assert!(page.body.contains("id=\"progress-total\""), "{}", page.body);
    assert!(page.body.contains("id=\"no-binds\""), "{}", page.body);
    assert!(page.body.contains("http-equiv=\"refresh\""));
    // Progress per operator by name, the chart's title and a bind's state in Vietnamese.
    assert!(page.body.contains("<td>Viettel</td>"), "{}", page.body);
    assert!(
        page.body.contains(">Viettel</text>") && !page.body.contains(">viettel</text>"),
        "{}",
        page.body
    );
    assert!(page.body.contains("đã đến máy / đã nhận"), "{}", page.body);
    n.set_bind(&lantoa_notify::BindStatus {
        name: "sim#1@d1".into(),
        smsc: "sim".into(),
        owner: "d1".into(),
        state: "throttled".into(),
        detail: String::new(),
        tps: 100,
        window: 10,
        updated_at: 0,
    })
    .await
    .unwrap();
    let page = app.get(&at, Some(&viewer)).await;
    assert!(
        page.body.contains("sim#1@d1: SMSC đang hạn chế tốc độ"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("id=\"approve-form\""));
    let home = app.get("/notify", Some(&viewer)).await;
    assert!(
        home.body.contains("Sốt xuất huyết tuần 40")
            && !home.body.contains("id=\"draft-campaign\"")
    );
}

/// A list file as an API request body (`POST /api/v1/notify/lists?…`).
async fn api_list(app: &TestApp, query: &str, token: &str, body: &str) -> common::Resp {
    app.send(
        axum::http::Request::post(format!("/api/v1/notify/lists?{query}"))
            .header("authorization", format!("Bearer {token}"))
            .header("content-type", "text/csv")
            .body(axum::body::Body::from(body.to_owned()))
            .unwrap(),
    )
    .await
}

#[tokio::test]
async fn another_system_sends_through_the_api_from_list_to_deliveries() {
    let app = TestApp::spawn().await;
    app.user("lan", vec![Role::Communicator]).await;
    app.user("hung", vec![Role::Approver]).await;
    app.user("xem", vec![Role::Viewer]).await;
    let lan = app.token("lan", &[]).await;
    let hung = app.token("hung", &[]).await;
    let viewer = app.token("xem", &[]).await;
    // The list: a viewer may not import; a file without a phone column keeps nothing and
    // says what the header has; the good file is taken with its refused row named.
    let r = api_list(&app, "name=Ba%20%C4%90%C3%ACnh", &viewer, LIST).await;
    assert_eq!(r.status, 403, "{}", r.body);
    let r = api_list(&app, "name=Sai", &lan, "Tên,Địa chỉ\nA,B\n").await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.error_message().contains("Địa chỉ"), "{}", r.body);
    let r = api_list(&app, "name=Ba%20%C4%90%C3%ACnh&so=1", &lan, LIST).await;
    assert_eq!(r.status, 400, "an unknown parameter is named: {}", r.body);
    let r = app
        .api("GET", "/api/v1/notify/lists", Some(&viewer), None)
        .await;
    assert_eq!(
        r.json()["lists"].as_array().unwrap().len(),
        0,
        "nothing kept: {}",
        r.body
    );
    let r = api_list(
        &app,
        "name=Ba%20%C4%90%C3%ACnh&file_name=ba-dinh.csv",
        &lan,
        LIST,
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let list = r.json()["list"].clone();
    assert_eq!(list["name"], "Ba Đình");
    assert_eq!(list["recipients"], 2);
    assert_eq!(list["refused"][0]["row"], 4, "{}", r.body);
    let list_id = list["id"].as_i64().unwrap();
    let r = app
        .api(
            "GET",
            &format!("/api/v1/notify/lists/{list_id}"),
            Some(&viewer),
            None,
        )
        .await;
    assert_eq!(r.json()["list"]["by_operator"]["viettel"], 1, "{}", r.body);
    // The cost of a text, before drafting.
    let r = app
        .api(
            "POST",
            "/api/v1/notify/cost",
            Some(&lan),
            Some(&format!(
                r#"{{"body": "Kính gửi {{ten}}: hãy ngủ màn.", "list_id": {list_id}}}"#
            )),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["estimate"]["recipients"], 2);
    assert_eq!(
        r.json()["estimate"]["sample"],
        "Kính gửi Nguyễn Thị Lan: hãy ngủ màn."
    );
    let r = app
        .api(
            "POST",
            "/api/v1/notify/cost",
            Some(&lan),
            Some(r#"{"text": "x"}"#),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.body);
    // A draft with a bad brandname names the field and keeps nothing; the good one comes
    // back with its plan.
    let draft = |brandname: &str| {
        format!(
            r#"{{"name": "Sốt xuất huyết tuần 41", "topic": "dengue", "brandname": "{brandname}", "body": "Kính gửi {{ten}}: hãy diệt lăng quăng.", "list_id": {list_id}}}"#
        )
    };
    let r = app
        .api(
            "POST",
            "/api/v1/notify/campaigns",
            Some(&lan),
            Some(&draft("Sở Y tế")),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.error_message().starts_with("brandname:"), "{}", r.body);
    let r = app
        .api("GET", "/api/v1/notify/campaigns", Some(&lan), None)
        .await;
    assert_eq!(r.json()["campaigns"].as_array().unwrap().len(), 0);
    let r = app
        .api(
            "POST",
            "/api/v1/notify/campaigns",
            Some(&viewer),
            Some(&draft("SoYTe-HN")),
        )
        .await;
    assert_eq!(r.status, 403);
    let r = app
        .api(
            "POST",
            "/api/v1/notify/campaigns",
            Some(&lan),
            Some(&draft("SoYTe-HN")),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.json()["plan"]["recipients"], 2);
    let id = r.json()["campaign"]["id"].as_i64().unwrap();
    let at = format!("/api/v1/notify/campaigns/{id}");
    let r = app.api("GET", &at, Some(&lan), None).await;
    assert_eq!(
        r.json()["steps"],
        serde_json::json!(["submit", "cancel"]),
        "{}",
        r.body
    );
    let r = app.api("GET", &at, Some(&hung), None).await;
    assert_eq!(
        r.json()["steps"],
        serde_json::json!(["cancel"]),
        "{}",
        r.body
    );
    // Only the author submits; the author cannot approve; the approver types the name.
    let r = app
        .api("POST", &format!("{at}/submit"), Some(&hung), None)
        .await;
    assert_eq!(r.status, 403, "{}", r.body);
    let r = app
        .api("POST", &format!("{at}/submit"), Some(&lan), None)
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["campaign"]["status"], "pending");
    let confirm = r#"{"confirm": "Sốt xuất huyết tuần 41"}"#;
    let r = app
        .api("POST", &format!("{at}/approve"), Some(&lan), Some(confirm))
        .await;
    assert_eq!(r.status, 403, "{}", r.body);
    let r = app
        .api(
            "POST",
            &format!("{at}/approve"),
            Some(&hung),
            Some(r#"{"confirm": "sốt"}"#),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.error_message().starts_with("confirm:"), "{}", r.body);
    let r = app
        .api(
            "POST",
            &format!("{at}/approve"),
            Some(&hung),
            Some("{confirm"),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.body);
    let r = app
        .api("POST", &format!("{at}/publish"), Some(&hung), None)
        .await;
    assert_eq!(r.status, 404, "{}", r.body);
    let r = app
        .api("POST", &format!("{at}/approve"), Some(&hung), Some(confirm))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["campaign"]["status"], "sending");
    // Progress and deliveries (no dispatcher here: both messages wait in the queue).
    let r = app
        .api("GET", &format!("{at}/progress"), Some(&viewer), None)
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["progress"]["total"]["queued"], 2, "{}", r.body);
    let r = app
        .api(
            "GET",
            &format!("{at}/deliveries?limit=1"),
            Some(&viewer),
            None,
        )
        .await;
    assert_eq!(r.json()["total"], 2, "{}", r.body);
    let first = &r.json()["deliveries"][0];
    assert_eq!(first["state"], "queued");
    let next = r.json()["next"].as_i64().unwrap();
    let r = app
        .api(
            "GET",
            &format!("{at}/deliveries?limit=1&after={next}"),
            Some(&viewer),
            None,
        )
        .await;
    assert_ne!(
        r.json()["deliveries"][0]["phone"],
        first["phone"],
        "{}",
        r.body
    );
    let r = app
        .api(
            "GET",
            &format!("{at}/deliveries?state=gone"),
            Some(&viewer),
            None,
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.error_message().starts_with("state:"), "{}", r.body);
    let r = app
        .api(
            "GET",
            &format!("{at}/deliveries?limit=5000"),
            Some(&viewer),
            None,
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    let r = app
        .api(
            "GET",
            "/api/v1/notify/campaigns/999/deliveries",
            Some(&viewer),
            None,
        )
        .await;
    assert_eq!(r.status, 404, "{}", r.body);
    // Cancel: the queue is emptied.
    let r = app
        .api(
            "POST",
            &format!("{at}/cancel"),
            Some(&lan),
            Some(r#"{"note": "sai danh sách"}"#),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = app
        .api(
            "GET",
            &format!("{at}/deliveries?state=cancelled"),
            Some(&viewer),
            None,
        )
        .await;
    assert_eq!(r.json()["total"], 2, "{}", r.body);
    let r = app
        .api("POST", &format!("{at}/cancel"), Some(&lan), None)
        .await;
    assert_eq!(
        r.status, 409,
        "a cancelled campaign is not cancelled twice: {}",
        r.body
    );
}

#[tokio::test]
async fn a_text_is_costed_while_drafting_and_its_author_drops_its_diacritics_in_one_click() {
    let app = TestApp::spawn().await;
    let lan = app.user("lan", vec![Role::Communicator]).await;
    let me = app.browser(&lan).await;
    let viewer_user = app.user("xem", vec![Role::Viewer]).await;
    let viewer = app.browser(&viewer_user).await;
    let r = {
        let (ct, body) = list_form("Ba Đình", LIST);
        app.post_multipart("/notify/lists", &me, &ct, body).await
    };
    assert_eq!(r.status, 303, "{}", r.body);
    let n = app.state.notify.clone();
    let list_id = n.lists().await.unwrap()[0].id.to_string();
    // The fragment the form's script fetches as the text is typed.
    let body = "Kính gửi {ten}: mùa sốt xuất huyết, hãy diệt lăng quăng và ngủ màn.";
    let q = |text: &str| {
        let query =
            serde_urlencoded::to_string([("list_id", list_id.as_str()), ("body", text)]).unwrap();
        format!("/notify/cost?{query}")
    };
    let r = app.get(&q(body), Some(&me)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("id=\"cost-line\""), "{}", r.body);
    assert!(r.body.contains("2 người nhận"), "{}", r.body);
    assert!(r.body.contains("id=\"cost-unaccented\""), "{}", r.body);
    assert!(!r.body.contains("<html"), "a fragment, not a page");
    // A text that cannot be sent says why, where the cost would be.
    let r = app.get(&q("Chào {khong_co}"), Some(&me)).await;
    assert_eq!(r.status, 200);
    assert!(
        r.body.contains("id=\"cost-error\"") && r.body.contains("khong_co"),
        "{}",
        r.body
    );
    assert_eq!(app.get(&q(body), Some(&viewer)).await.status, 403);
    // Without JavaScript: "Preview cost" shows the form again with the figures, and
    // drafts nothing.
    let form = [
        ("name", "Sốt xuất huyết"),
        ("topic", "dengue"),
        ("brandname", "SoYTe-HN"),
        ("body", body),
        ("list_id", list_id.as_str()),
        ("preview", "1"),
    ];
    let r = app.post_form("/notify/campaigns", Some(&me), &form).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("id=\"cost-line\""), "{}", r.body);
    assert!(
        r.body.contains("hãy diệt lăng quăng"),
        "what was typed stays"
    );
    assert!(n.campaigns().await.unwrap().is_empty());
    // Drafted; the author swaps in the text without diacritics, fewer segments.
    let r = app
        .post_form("/notify/campaigns", Some(&me), &form[..5])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let c = n.campaigns().await.unwrap()[0].clone();
    let at = format!("/notify/campaigns/{}", c.id);
    let page = app.get(&at, Some(&viewer)).await;
    assert!(
        !page.body.contains("id=\"unaccented-form\""),
        "not for others"
    );
    assert_eq!(
        app.post_form(&format!("{at}/unaccented"), Some(&viewer), &[])
            .await
            .status,
        403
    );
    let page = app.get(&at, Some(&me)).await;
    assert!(
        page.body.contains("id=\"unaccented-form\""),
        "{}",
        page.body
    );
    let r = app
        .post_form(&format!("{at}/unaccented"), Some(&me), &[])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = app
        .get(r.headers["location"].to_str().unwrap(), Some(&me))
        .await;
    assert!(
        page.body.contains("Nội dung đã chuyển sang không dấu"),
        "{}",
        page.body
    );
    assert_eq!(
        n.campaign(c.id).await.unwrap().body,
        "Kinh gui {ten}: mua sot xuat huyet, hay diet lang quang va ngu man."
    );
    assert!(
        !page.body.contains("id=\"unaccented-form\""),
        "nothing left to drop"
    );
}

#[tokio::test]
async fn figures_come_for_a_period_and_a_bad_period_says_which_end_is_wrong() {
    let app = TestApp::spawn().await;
    app.user("xem", vec![Role::Viewer]).await;
    let tok = app.token("xem", &[]).await;
    let r = app
        .api(
            "GET",
            "/api/v1/notify/figures?from=2026-11-01&to=2026-11-30",
            Some(&tok),
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let f = r.json();
    assert_eq!(f["campaigns"], 0);
    assert_eq!(f["delivered_pct"], 0.0);
    // Midnight in Hà Nội, in microseconds since the epoch: 2026-10-31T17:00:00Z.
    assert_eq!(f["from"], 1_793_466_000_000_000i64);
    for (query, field) in [
        ("from=2026-13-01&to=2026-11-30", "from:"),
        ("from=2026-11-01&to=30/11/2026", "to:"),
        ("from=2026-11-30&to=2026-11-01", "to:"),
    ] {
        let r = app
            .api(
                "GET",
                &format!("/api/v1/notify/figures?{query}"),
                Some(&tok),
                None,
            )
            .await;
        assert_eq!(r.status, 422, "{query}: {}", r.body);
        assert!(r.error_message().starts_with(field), "{query}: {}", r.body);
    }
    let r = app
        .api(
            "GET",
            "/api/v1/notify/figures?from=2026-11-01&to=2026-11-30",
            None,
            None,
        )
        .await;
    assert_eq!(r.status, 401);
}

#[tokio::test]
async fn opt_outs_come_through_the_api_and_the_console_and_bad_ones_say_why() {
    let app = TestApp::spawn().await;
    let lan = app.user("lan", vec![Role::Communicator]).await;
    app.user("xem", vec![Role::Viewer]).await;
    let tok = app.token("lan", &[]).await;
    let viewer = app.token("xem", &[]).await;
    let r = app
        .api(
            "POST",
            "/api/v1/notify/optouts",
            Some(&tok),
            Some(r#"{"phone": "+84 912 345 678"}"#),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.json()["phone"], "0912345678");
    let r = app
        .api(
            "POST",
            "/api/v1/notify/optouts",
            Some(&tok),
            Some(r#"{"phone": "12"}"#),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.error_message().starts_with("phone:"), "{}", r.body);
    let r = app
        .api(
            "POST",
            "/api/v1/notify/optouts",
            Some(&tok),
            Some(r#"{"phone": "0912345678", "source": "sms"}"#),
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(
        r.error_message().contains("is not one of reply"),
        "{}",
        r.body
    );
    let r = app
        .api(
            "POST",
            "/api/v1/notify/optouts",
            Some(&viewer),
            Some(r#"{"phone": "0912345678"}"#),
        )
        .await;
    assert_eq!(r.status, 403);
    let r = app
        .api(
            "POST",
            "/api/v1/notify/optouts",
            Some(&tok),
            Some(r#"{"phone": "0912345678", "so": 1}"#),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.body);
    // The Do-Not-Call file as a request body: a report of what was taken and refused.
    let r = app
        .send(
            axum::http::Request::post("/api/v1/notify/optouts/import?source=dnc")
                .header("authorization", format!("Bearer {tok}"))
                .header("content-type", "text/csv")
                .body(axum::body::Body::from(
                    "so_dien_thoai\n0983456789\nkhong-phai-so\n0912345678\n",
                ))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        r.json()["added"],
        1,
        "0912345678 was there already: {}",
        r.body
    );
    assert_eq!(r.json()["refused"][0]["row"], 3);
    // The console's form: ported numbers, with the refused rows shown.
    let me = app.browser(&lan).await;
    let boundary = "lantoa-numbers";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\nported\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"p.csv\"\r\n\r\nSĐT,Nhà mạng\n0912345678,MobiFone\n0983456789,Không rõ\n\r\n--{boundary}--\r\n"
    );
    let ct = format!("multipart/form-data; boundary={boundary}");
    let r = app.post_multipart("/notify/numbers", &me, &ct, body).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(
        r.body
            .contains("Đã ghi nhận 1 số chuyển mạng; 1 dòng bị loại."),
        "{}",
        r.body
    );
    assert!(r.body.contains("Không rõ"), "the refused row is shown");
}
