use super::*;

const SCHEMA: &str = r#"{"fields": [
        {"name": "ma", "constraints": {"required": true}},
        {"name": "phuong_xa", "lantoa:kind": "commune"},
        {"name": "so", "type": "integer", "constraints": {"minimum": 0}}
    ], "primaryKey": "ma"}"#;

#[tokio::test]
async fn a_steward_creates_a_dataset_uploads_a_file_and_fixes_a_quarantined_row() {
    let app = TestApp::with_demo_city().await;
    let agency = app.agency("SKHCN-HN").await.to_string();
    let u = app.user("hoa", vec![Role::DataSteward]).await;
    let me = app.browser(&u).await;
    let viewer_user = app.user("xem", vec![Role::Viewer]).await;
    let viewer = app.browser(&viewer_user).await;
    let fields = |schema: &'static str, name: &'static str| {
        vec![
            ("name", name),
            ("title", "Số liệu thử"),
            ("notes", ""),
            ("license_id", "cc-by-4.0"),
            ("cadence", "monthly"),
            ("sensitivity", "open"),
            ("schema", schema),
        ]
    };
    // A schema that is not Table Schema: the form comes back with the reason and the text.
    let mut bad = fields(
        r#"{"fields": [{"name": "ma", "type": "text"}]}"#,
        "so-lieu-thu",
    );
    bad.push(("owner_unit_id", agency.as_str()));
    let r = app.post_form("/opendata/datasets", Some(&me), &bad).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("fields[0].type"), "{}", r.body);
    assert!(r.body.contains("Số liệu thử"), "what was typed is kept");
    // A viewer may not create one.
    let mut good = fields(SCHEMA, "so-lieu-thu");
    good.push(("owner_unit_id", agency.as_str()));
    let r = app
        .post_form("/opendata/datasets", Some(&viewer), &good)
        .await;
    assert_eq!(r.status, 403);
    let r = app.post_form("/opendata/datasets", Some(&me), &good).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let csv =
        "ma,phuong_xa,so\nA1,Phường Hoàn Kiếm,5\nA2,Phường Không Có,7\nA3,Phường Phúc Xá,-1\n";
    let (ct, body) = multipart("so-lieu.csv", csv);
    let r = app
        .post_multipart("/opendata/so-lieu-thu/uploads", &me, &ct, body)
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = app.get("/opendata/so-lieu-thu", Some(&me)).await;
    assert!(
        page.body.contains("http-equiv=\"refresh\""),
        "live while queued"
    );
    // The worker's part, through the same service.
    let od = app.state.opendata.clone();
    let d = od.dataset_by_name("so-lieu-thu").await.unwrap();
    let up = od.uploads(d.id).await.unwrap().remove(0);
    od.run_upload(up.id).await.unwrap();
    let page = app.get("/opendata/so-lieu-thu", Some(&me)).await;
    assert_eq!(page.status, 200);
    assert!(!page.body.contains("http-equiv=\"refresh\""));
    assert!(page.body.contains("Phường Không Có"), "{}", page.body);
    // Why each row waits, in Vietnamese (the Frictionless kind kept as the tooltip).
    assert!(
        page.body
            .contains("title=\"constraint-error\">Vi phạm ràng buộc")
    );
    assert!(
        page.body
            .contains("không phải xã, phường của Thành phố Hà Nội")
            && page.body.contains("Nhỏ hơn mức tối thiểu 0"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("is no commune"), "{}", page.body);
    // And in English by the switch.
    let en = common::Browser {
        cookie: format!("{}; lantoa_lang=en", me.cookie),
        csrf: me.csrf.clone(),
    };
    let page_en = app.get("/opendata/so-lieu-thu", Some(&en)).await;
    assert!(
        page_en.body.contains("Less than the minimum 0"),
        "{}",
        page_en.body
    );
    assert!(
        page.body.contains("<svg") && page.body.contains("<polyline"),
        "the quality chart"
    );
    assert!(
        page.body.contains("Sống: cập nhật 0 ngày trước"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("id=\"find-suggestions\""),
        "duplicates are looked for on request"
    );
    let suggest = app.get("/opendata/so-lieu-thu?suggest=1", Some(&me)).await;
    assert!(
        suggest.body.contains("id=\"no-suggestions\""),
        "{}",
        suggest.body
    );
    let list = app.get("/opendata", Some(&viewer)).await;
    assert!(
        list.body.contains("Số liệu thử") && list.body.contains("33,3%"),
        "{}",
        list.body
    );
    // Fix row 4 (the negative count): published.
    let q = od.quarantine(d.id, "open", 10).await.unwrap();
    let neg = q.iter().find(|r| r.row_number == 4).unwrap();
    let r = app
        .post_form(
            &format!("/opendata/quarantine/{}/fix", neg.id),
            Some(&me),
            &[
                ("dataset", "so-lieu-thu"),
                ("cell_0", "A3"),
                ("cell_1", "Phường Phúc Xá"),
                ("cell_2", "1"),
            ],
        )
        .await;
    assert_eq!(r.status, 303);
    assert!(
        r.headers["location"]
            .to_str()
            .unwrap()
            .contains("flash-row-published")
    );
    let page = app
        .get("/opendata/so-lieu-thu?flash=flash-row-published", Some(&me))
        .await;
    assert!(page.body.contains("Dòng đã đạt và được công bố."));
    assert!(
        page.body.contains("Phường Hồng Hà"),
        "the old ward's current name is published"
    );
    assert_eq!(od.rows(d.id, 0, 10).await.unwrap().1, 2);
    // A fix that still fails stays, with its errors; a viewer cannot fix.
    let other = q.iter().find(|r| r.row_number == 3).unwrap();
    let r = app
        .post_form(
            &format!("/opendata/quarantine/{}/fix", other.id),
            Some(&viewer),
            &[
                ("dataset", "so-lieu-thu"),
                ("cell_0", "A2"),
                ("cell_1", "Phường Tây Hồ"),
                ("cell_2", "7"),
            ],
        )
        .await;
    assert_eq!(r.status, 403);
    let r = app
        .post_form(
            &format!("/opendata/quarantine/{}/fix", other.id),
            Some(&me),
            &[
                ("dataset", "so-lieu-thu"),
                ("cell_0", "A2"),
                ("cell_1", "Phường Vẫn Sai"),
                ("cell_2", "7"),
            ],
        )
        .await;
    assert!(
        r.headers["location"]
            .to_str()
            .unwrap()
            .contains("flash-row-still-dirty")
    );
    let page = app.get("/opendata/so-lieu-thu", Some(&me)).await;
    assert!(page.body.contains("Phường Vẫn Sai"), "the attempt is kept");
    // An empty upload is refused with the reason.
    let empty = app
        .post_form(
            &format!("/opendata/so-lieu-thu/uploads?csrf={}", me.csrf),
            Some(&me),
            &[],
        )
        .await;
    assert_eq!(empty.status, 400, "{}", empty.body);
    let missing = app.get("/opendata/khong-co", Some(&me)).await;
    assert_eq!(missing.status, 404);
}
