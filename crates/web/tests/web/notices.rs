use super::*;

#[tokio::test]
async fn a_notice_reaches_each_recipient_by_its_own_link_and_is_confirmed_without_sign_in() {
    let app = TestApp::spawn().await;
    let tt = app.user("truyenthong", vec![Role::Communicator]).await;
    let tt = app.browser(&tt).await;
    for (name, kind, commune) in [
        ("Báo Kinh tế & Đô thị", "press", ""),
        ("Điểm thông tin phường Ba Đình", "point", "00004"),
    ] {
        let r = app
            .post_form(
                "/notify/notices/outlets",
                Some(&tt),
                &[
                    ("name", name),
                    ("kind", kind),
                    ("commune", commune),
                    ("contact", "0912000000"),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
    }
    // A point without its commune: named, what was typed kept.
    let r = app
        .post_form(
            "/notify/notices/outlets",
            Some(&tt),
            &[
                ("name", "Điểm X"),
                ("kind", "point"),
                ("commune", ""),
                ("contact", "x"),
            ],
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(
        r.body.contains("commune") && r.body.contains("value=\"Điểm X\""),
        "{}",
        r.body
    );
    // A notice with no recipient: named, the text kept.
    let issue = |kinds: &'static [&'static str]| {
        let tt = tt.clone();
        let app = &app;
        async move {
            let mut f = vec![
                ("number", "20/HD-STTTT"),
                ("title", "Định hướng tuyên truyền bão số 9"),
                ("body", "Dẫn nguồn tin chính thức; không đăng ảnh cũ."),
            ];
            f.extend(kinds.iter().map(|k| ("kinds", *k)));
            app.post_form("/notify/notices", Some(&tt), &f).await
        }
    };
    let r = issue(&[]).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("không đăng ảnh cũ"), "{}", r.body);
    let r = issue(&["press", "point"]).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let links: Vec<String> = r
        .body
        .split("<code class=\"notice-link\">")
        .skip(1)
        .map(|s| s[..s.find('<').unwrap()].replace("&#x2f;", "/"))
        .collect();
    assert_eq!(links.len(), 2, "{}", r.body);
    // The recipient, with no account.
    let page = app.get(&links[0], None).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("không đăng ảnh cũ"));
    let anon = common::Browser {
        cookie: "lantoa_csrf=0123456789abcdef0123456789abcdef".into(),
        csrf: "0123456789abcdef0123456789abcdef".into(),
    };
    let r = app
        .post_form(&links[0], Some(&anon), &[("read_by", " ")])
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("read_by"), "{}", r.body);
    let r = app
        .post_form(
            &links[0],
            Some(&anon),
            &[("read_by", "Trần Thị B, Thư ký tòa soạn")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = app.get(&links[0], None).await;
    assert!(
        page.body.contains("id=\"confirmed\"") && page.body.contains("Trần Thị B"),
        "{}",
        page.body
    );
    assert_eq!(app.get("/notices/lt_dh_made-up", None).await.status, 404);
    // The console: one of the two opened it and confirmed.
    let list = app.get("/notify/notices", Some(&tt)).await;
    assert!(
        list.body.contains("1&#x2f;2 nơi đã xác nhận đọc (1 đã mở)"),
        "{}",
        list.body
    );
}
