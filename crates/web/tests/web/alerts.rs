use super::*;

fn form(status: &'static str, expires: String) -> Vec<(&'static str, String)> {
    vec![
        ("status", status.into()),
        ("msg_type", "Alert".into()),
        ("refers_to", String::new()),
        ("category", "Met".into()),
        ("event", "Bão số 9".into()),
        ("urgency", "Expected".into()),
        ("severity", "Severe".into()),
        ("certainty", "Likely".into()),
        ("headline", "Bão số 9 gây mưa rất to".into()),
        ("description", "Gió mạnh cấp 8–9.".into()),
        ("instruction", "Hạn chế ra đường.".into()),
        ("expires", expires),
        ("communes", "00004".into()),
        ("communes", "00008".into()),
        ("feed", "1".into()),
    ]
}

#[tokio::test]
async fn alerts_are_issued_as_cap_and_only_actual_ones_reach_the_public() {
    let app = TestApp::spawn().await;
    let tt = app.user("truyenthong", vec![Role::Communicator]).await;
    let tt = app.browser(&tt).await;
    let xem = app.user("xem", vec![Role::Viewer]).await;
    let xem = app.browser(&xem).await;
    let later = (lantoa_core::time::now() + chrono::Duration::days(1))
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    let post = |who: &common::Browser, f: Vec<(&'static str, String)>| {
        let who = who.clone();
        let app = &app;
        async move {
            let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
            app.post_form("/notify/alerts", Some(&who), &pairs).await
        }
    };
    assert_eq!(post(&xem, form("Test", later.clone())).await.status, 403);
    // An expiry in the past: named, the form kept, nothing stored.
    let r = post(&tt, form("Actual", "2020-01-01T08:00".into())).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(
        r.body.contains("expires") && r.body.contains("value=\"Bão số 9 gây mưa rất to\""),
        "{}",
        r.body
    );
    let n = &app.state.notify;
    assert!(n.alerts(false, 10).await.unwrap().is_empty());
    // A test alert: marked in the console, absent from every public place.
    assert_eq!(post(&tt, form("Test", later.clone())).await.status, 303);
    let test = n.alerts(false, 10).await.unwrap()[0].clone();
    let page = app.get("/notify/alerts", Some(&xem)).await;
    assert!(
        page.body.contains("Thử nghiệm: KHÔNG CÔNG KHAI"),
        "{}",
        page.body
    );
    // CAP's words in Vietnamese: the list, and the form's choices (whose values stay CAP's).
    assert!(
        page.body
            .contains("<span title=\"Alert\">Cảnh báo mới</span>"),
        "{}",
        page.body
    );
    let form_page = app.get("/notify/alerts", Some(&tt)).await;
    for shown in [
        "<option value=\"Immediate\">Hành động ngay</option>",
        "<option value=\"Extreme\">Đặc biệt nghiêm trọng</option>",
        "<option value=\"Observed\">Đã xảy ra</option>",
        "<option value=\"Met\">Khí tượng, thủy văn</option>",
        ">Mức khẩn cấp</label>",
    ] {
        assert!(
            form_page.body.contains(shown),
            "{shown}: {}",
            form_page.body
        );
    }
    assert!(!form_page.body.contains(">Urgency</label>"));
    assert_eq!(
        app.get(&format!("/alerts/{}", test.id), None).await.status,
        404
    );
    assert_eq!(
        app.get(&format!("/alerts/{}/cap.xml", test.id), None)
            .await
            .status,
        404
    );
    // An actual alert waits for a second person; its author sees no approve button.
    assert_eq!(post(&tt, form("Actual", later)).await.status, 303);
    let pending = n.alerts(false, 10).await.unwrap()[0].clone();
    assert_eq!(pending.state, "pending");
    assert_eq!(
        app.get(&format!("/alerts/{}", pending.id), None)
            .await
            .status,
        404
    );
    let page = app.get("/notify/alerts", Some(&tt)).await;
    assert!(
        page.body
            .contains(&format!("id=\"pending-{}\"", pending.id))
            && !page
                .body
                .contains(&format!("id=\"approve-{}\"", pending.id)),
        "{}",
        page.body
    );
    let r = app
        .post_form(
            &format!("/notify/alerts/{}/approve", pending.id),
            Some(&tt),
            &[],
        )
        .await;
    assert_eq!(r.status, 409, "{}", r.body);
    let pd = app.user("pheduyet", vec![Role::Approver]).await;
    let pd = app.browser(&pd).await;
    assert!(
        app.get("/notify/alerts", Some(&pd))
            .await
            .body
            .contains(&format!("id=\"approve-{}\"", pending.id))
    );
    let r = app
        .post_form(
            &format!("/notify/alerts/{}/approve", pending.id),
            Some(&pd),
            &[],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    // Approved: public, with no sign-in.
    let live = n.alerts(true, 10).await.unwrap()[0].clone();
    assert_eq!(live.id, pending.id);
    let page = app.get(&format!("/alerts/{}", live.id), None).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body.contains("Phường Ba Đình, Phường Ngọc Hà"),
        "{}",
        page.body
    );
    let cap = app.get(&format!("/alerts/{}/cap.xml", live.id), None).await;
    assert_eq!(
        cap.headers["content-type"],
        "application/cap+xml; charset=utf-8"
    );
    let read = lantoa_notify::cap::Alert::from_xml(&cap.body).unwrap();
    assert_eq!(read, live.cap().unwrap());
    let feed = app.get("/alerts/feed.atom", None).await;
    assert_eq!(feed.status, 200);
    assert_eq!(feed.body.matches("<entry>").count(), 1, "{}", feed.body);
    assert!(
        feed.body.contains(&format!("/alerts/{}/cap.xml", live.id)),
        "{}",
        feed.body
    );
    let list = app.get("/alerts", None).await;
    assert!(
        list.body.contains("Bão số 9 gây mưa rất to")
            && !list.body.contains(&format!("/alerts/{}\"", test.id)),
        "{}",
        list.body
    );

    // Another agency's CAP: a bad one names the element and keeps nothing; a good one is kept.
    let bad = live.xml.replace("<urgency>Expected</urgency>", "");
    let (ct, body) = multipart("canh-bao.xml", &bad);
    let r = app
        .post_multipart("/notify/alerts/import", &tt, &ct, body)
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(
        r.body
            .contains("Văn bản CAP, phần &lt;info&#x2f;urgency&gt;: bắt buộc nhưng không có"),
        "{}",
        r.body
    );
    assert_eq!(n.alerts(false, 10).await.unwrap().len(), 2);
    let theirs = live
        .xml
        .replace(&live.identifier, "NCHMF-1")
        .replace(&live.sender, "canhbao@nchmf.example");
    // One claiming the city's own sender is refused; nothing kept.
    let forged = live.xml.replace(&live.identifier, "GIA-MAO-1");
    let (ct, body) = multipart("canh-bao.xml", &forged);
    let r = app
        .post_multipart("/notify/alerts/import", &tt, &ct, body)
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(n.alerts(false, 10).await.unwrap().len(), 2);
    let (ct, body) = multipart("canh-bao.xml", &theirs);
    let r = app
        .post_multipart("/notify/alerts/import", &tt, &ct, body)
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    // Kept as theirs, and off the public feed until a second person approves it.
    assert_eq!(n.alerts(true, 10).await.unwrap().len(), 1);
    let at = r.headers["location"].to_str().unwrap().to_owned();
    let id: i64 = at.rsplit('/').next().unwrap().parse().unwrap();
    let page = app.get(&at, Some(&tt)).await;
    assert!(
        page.body.contains("nhận từ canhbao@nchmf.example")
            && !page.body.contains("id=\"approve\""),
        "{}",
        page.body
    );
    assert!(!app.get("/alerts", None).await.body.contains("NCHMF"));
    assert_eq!(app.get(&format!("/alerts/{id}"), None).await.status, 404);
    let r = app
        .post_form(&format!("/notify/alerts/{id}/approve"), Some(&pd), &[])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(n.alerts(true, 10).await.unwrap().len(), 2);
    let public = app.get(&format!("/alerts/{id}"), None).await;
    assert!(
        public.body.contains("nhận từ canhbao@nchmf.example"),
        "{}",
        public.body
    );
    // Its page offers to forward it; the form comes filled from it, naming it.
    assert!(
        app.get(&at, Some(&tt))
            .await
            .body
            .contains("id=\"forward\"")
    );
    let form = app
        .get(&format!("/notify/alerts?forward={id}"), Some(&tt))
        .await;
    assert!(
        form.body.contains("id=\"forwarding\"")
            && form
                .body
                .contains(&format!("<option value=\"{id}\" selected>"))
            && form.body.contains("value=\"Bão số 9 gây mưa rất to\""),
        "{}",
        form.body
    );

    // An alert the operators are asked to broadcast shows its trail per operator.
    let with_operators = n
        .clone()
        .with_broadcast(vec![lantoa_notify::broadcast::Endpoint {
            operator: "viettel".into(),
            url: "http://127.0.0.1:9/cap".into(),
            token: None,
        }]);
    let mut storm = lantoa_notify::NewAlert {
        status: "Actual".into(),
        msg_type: "Alert".into(),
        category: "Met".into(),
        event: "Bão số 10".into(),
        urgency: "Immediate".into(),
        severity: "Extreme".into(),
        certainty: "Observed".into(),
        headline: "Bão số 10".into(),
        expires: (lantoa_core::time::now() + chrono::Duration::days(1))
            .format("%Y-%m-%dT%H:%M")
            .to_string(),
        communes: vec!["00004".into()],
        ..Default::default()
    };
    storm.broadcast = true;
    let b = with_operators
        .issue_alert("truyenthong", "canhbao@lantoa.invalid", &storm)
        .await
        .unwrap();
    let page = app.get("/notify/alerts", Some(&xem)).await;
    assert!(
        page.body.contains("gửi khi được phê duyệt"),
        "{}",
        page.body
    );
    with_operators
        .approve_alert("pheduyet", b.id)
        .await
        .unwrap();
    let page = app.get("/notify/alerts", Some(&xem)).await;
    assert!(
        page.body.contains(&format!(
            "id=\"broadcasts-{}\"><li>viettel: chờ nhà mạng (0 lần gửi)",
            b.id
        )),
        "{}",
        page.body
    );
}
