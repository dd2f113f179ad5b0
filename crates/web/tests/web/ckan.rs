use super::*;

async fn with_demo_data() -> TestApp {
    let app = TestApp::spawn().await;
    app.load_open_data_demo().await;
    app
}

fn json(r: &common::Resp) -> serde_json::Value {
    serde_json::from_str(&r.body).unwrap_or_else(|e| panic!("{e}: {}", r.body))
}

/// A row's `_id` stays when a later upload replaces its values; a new key gets a new one.
/// Groups and tags are the datasets' own, created and set through the API; an agency's
/// uploader does not create groups.
#[tokio::test]
async fn row_ids_stay_and_groups_and_tags_are_real() {
    let app = with_demo_data().await;
    let od = app.state.opendata.clone();
    let wifi = od.dataset_by_name("diem-wifi-cong-cong").await.unwrap();
    let record = |key: &'static str| {
        let app = &app;
        async move {
            let r = app
                    .get(
                        &format!(
                            "/api/3/action/datastore_search?resource_id=diem-wifi-cong-cong-csv&filters=%7B%22ma_diem%22%3A%22{key}%22%7D"
                        ),
                        None,
                    )
                    .await;
            json(&r)["result"]["records"][0].clone()
        }
    };
    let before = record("WF-0001").await;
    let id = before["_id"].as_i64().unwrap();
    let (all, _) = od.records(wifi.id, 0, 1000).await.unwrap();
    let top = all.iter().map(|(i, _)| *i).max().unwrap();
    let u = od
            .upload(
                "test",
                wifi.id,
                "lan-2.csv",
                "ma_diem,ten_diem,dia_chi,phuong_xa,toc_do_mbps,ngay_hoat_dong,trang_thai\n\
                 WF-0001,Vườn hoa Lý Thái Tổ,Đinh Tiên Hoàng,Phường Hoàn Kiếm,300,01/07/2025,Hoạt động\n\
                 WF-0999,Ga Hà Nội,120 Lê Duẩn,Phường Văn Miếu - Quốc Tử Giám,100,01/12/2025,Hoạt động\n"
                    .as_bytes(),
            )
            .await
            .unwrap();
    od.run_upload(u.id).await.unwrap();
    let after = record("WF-0001").await;
    assert_eq!(
        (after["_id"].as_i64(), &after["toc_do_mbps"]),
        (Some(id), &serde_json::json!(300))
    );
    assert!(record("WF-0999").await["_id"].as_i64().unwrap() > top);
    // Filtered and sorted by _id.
    let r = app
            .get(
                &format!("/api/3/action/datastore_search?resource_id=diem-wifi-cong-cong-csv&filters=%7B%22_id%22%3A{id}%7D&sort=_id%20desc"),
                None,
            )
            .await;
    assert_eq!(
        json(&r)["result"]["records"][0]["ma_diem"],
        "WF-0001",
        "{}",
        r.body
    );

    // Groups and tags as loaded by the demo.
    let r = app.get("/api/3/action/tag_list", None).await;
    assert!(
        json(&r)["result"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!("wifi"))
    );
    let r = app
        .get("/api/3/action/package_show?id=diem-wifi-cong-cong", None)
        .await;
    assert_eq!(json(&r)["result"]["groups"][0]["name"], "ha-tang-so");
    assert_eq!(json(&r)["result"]["num_tags"], 3);
    // A steward creates a group and files a dataset in it; an agency's uploader may not.
    app.user("hoa", vec![Role::DataSteward]).await;
    let steward = app.token("hoa", &[]).await;
    let call = |action: &str, key: &str, body: &'static str| {
        axum::http::Request::post(format!("/api/3/action/{action}"))
            .header("content-type", "application/json")
            .header("authorization", key)
            .body(axum::body::Body::from(body))
            .unwrap()
    };
    let r = app
        .send(call(
            "group_create",
            &steward,
            r#"{"name": "moi-truong", "title": "Môi trường"}"#,
        ))
        .await;
    assert_eq!(json(&r)["result"]["name"], "moi-truong", "{}", r.body);
    let r = app
        .send(call(
            "group_create",
            &steward,
            r#"{"name": "moi-truong", "title": "Lần nữa"}"#,
        ))
        .await;
    assert_eq!(r.status, 409);
    assert!(
        json(&r)["error"]["name"][0]
            .as_str()
            .unwrap()
            .contains("already in use")
    );
    let r = app
        .send(call(
            "package_patch",
            &steward,
            r#"{"id": "diem-wifi-cong-cong", "groups": [{"name": "khong-co"}]}"#,
        ))
        .await;
    assert_eq!(r.status, 409);
    assert!(
        json(&r)["error"]["groups"][0]
            .as_str()
            .unwrap()
            .contains("khong-co")
    );
    assert_eq!(
        od.labels(wifi.id).await.unwrap().groups.len(),
        1,
        "nothing changed"
    );
    let r = app
            .send(call(
                "package_patch",
                &steward,
                r#"{"id": "diem-wifi-cong-cong", "groups": [{"name": "moi-truong"}, {"name": "ha-tang-so"}], "tag_string": "wifi, công cộng"}"#,
            ))
            .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = app
        .get("/api/3/action/group_list?all_fields=true", None)
        .await;
    let counts: std::collections::BTreeMap<String, i64> = json(&r)["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["name"].as_str().unwrap().to_owned(),
                g["package_count"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(counts["moi-truong"], 1);
    assert_eq!(counts["y-te"], 1);
    let r = app
        .get(
            "/api/3/action/package_search?fq=tags:%22c%C3%B4ng%20c%E1%BB%99ng%22",
            None,
        )
        .await;
    assert_eq!(json(&r)["result"]["count"], 1, "{}", r.body);
    app.user("thu", vec![Role::AgencyUploader]).await;
    let token = app.token("thu", &[]).await;
    let r = app
        .send(call(
            "group_create",
            &token,
            r#"{"name": "cua-toi", "title": "Của tôi"}"#,
        ))
        .await;
    assert_eq!(r.status, 403, "{}", r.body);
}

#[tokio::test]
async fn the_action_api_answers_in_ckans_envelope_on_both_paths_without_an_account() {
    let app = with_demo_data().await;
    for path in ["/api/3/action/package_list", "/api/action/package_list"] {
        let r = app.get(path, None).await;
        assert_eq!(r.status, 200, "{}", r.body);
        let v = json(&r);
        assert_eq!(v["success"], true);
        assert_eq!(v["result"].as_array().unwrap().len(), 3);
        assert!(v["help"].as_str().unwrap().contains("help_show"));
    }
    // POST with a JSON body, as ckanapi sends, needs no CSRF token.
    let r = app
        .send(
            axum::http::Request::post("/api/action/package_show")
                .header("content-type", "application/json")
                .body(axum::body::Body::from(
                    r#"{"id": "ca-sot-xuat-huyet-theo-tuan"}"#,
                ))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let v = json(&r);
    assert_eq!(v["result"]["organization"]["name"], "syt-hn");
    // organization_list with all_fields and organization_show give each agency's count of
    // public datasets, as CKAN's package_count.
    let r = app
        .get("/api/3/action/organization_list?all_fields=true", None)
        .await;
    let orgs = json(&r);
    let syt = orgs["result"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["name"] == "syt-hn")
        .cloned()
        .unwrap_or_else(|| panic!("{orgs}"));
    let public_of_syt = app
        .state
        .opendata
        .public_datasets()
        .await
        .unwrap()
        .iter()
        .filter(|d| d.owner_unit_id.to_string() == syt["id"].as_str().unwrap())
        .count();
    assert!(public_of_syt >= 1);
    assert_eq!(syt["package_count"], public_of_syt, "{syt}");
    let r = app
        .get("/api/3/action/organization_show?id=syt-hn", None)
        .await;
    assert_eq!(json(&r)["result"]["package_count"], public_of_syt);
    // help_show says what an action takes; an unknown one is CKAN's Not Found Error.
    let r = app
        .get("/api/3/action/help_show?name=package_search", None)
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(
        json(&r)["result"].as_str().unwrap().contains("facet.field"),
        "{}",
        r.body
    );
    let r = app
        .get("/api/3/action/help_show?name=no_such_action", None)
        .await;
    assert_eq!(r.status, 404, "{}", r.body);
    assert_eq!(json(&r)["error"]["__type"], "Not Found Error", "{}", r.body);
    let url = v["result"]["resources"][0]["url"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        url.ends_with("/opendata/ca-sot-xuat-huyet-theo-tuan/rows.csv"),
        "{url}"
    );
    // Errors in CKAN's words.
    let r = app
        .get("/api/3/action/package_show?id=khong-co", None)
        .await;
    assert_eq!(r.status, 404);
    assert_eq!(json(&r)["error"]["__type"], "Not Found Error");
    assert_eq!(json(&r)["success"], false);
    let r = app
        .send(
            axum::http::Request::post("/api/3/action/package_show")
                .header("content-type", "application/json")
                .body(axum::body::Body::from("{not json"))
                .unwrap(),
        )
        .await;
    // A body that cannot be read, and an unknown action: CKAN's bare "Bad request" string.
    assert_eq!(r.status, 400, "{}", r.body);
    let said = json(&r);
    assert!(
        said.as_str()
            .is_some_and(|m| m.starts_with("Bad request - JSON Error") && m.contains("not JSON")),
        "{said}"
    );
    let r = app.get("/api/3/action/package_delete", None).await;
    assert_eq!(r.status, 400);
    assert_eq!(
        json(&r),
        "Bad request - Action name not known: package_delete"
    );
    // A validation error lists its messages per field, with HTTP 409 as CKAN answers it.
    let r = app.get("/api/3/action/package_search?rows=ten", None).await;
    assert_eq!(r.status, 409, "{}", r.body);
    assert_eq!(json(&r)["error"]["__type"], "Validation Error");
    assert!(
        json(&r)["error"]["rows"][0]
            .as_str()
            .is_some_and(|m| m.contains("\"ten\" is not a natural number")),
        "{}",
        r.body
    );
    // A query that cannot be read says where.
    for (fq, at) in [
        ("organization:(syt-hn", "not closed"),
        ("khong_co:1", "no field"),
    ] {
        let r = app
            .get(&format!("/api/3/action/package_search?fq={fq}"), None)
            .await;
        assert_eq!(r.status, 400, "{}", r.body);
        assert_eq!(json(&r)["error"]["__type"], "Search Query Error");
        assert!(
            json(&r)["error"]["message"]
                .as_str()
                .is_some_and(|m| m.starts_with("fq: ") && m.contains(at)),
            "{}",
            r.body
        );
    }
}

#[tokio::test]
async fn the_portal_and_the_dcat_catalogue_are_public() {
    let app = with_demo_data().await;
    let r = app.get("/data", None).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("3 bộ dữ liệu."), "{}", r.body);
    let r = app.get("/data?q=wi-fi", None).await;
    assert!(r.body.contains("1 bộ dữ liệu.") && r.body.contains("Điểm truy cập Wi-Fi"));
    let r = app.get("/data/diem-wifi-cong-cong", None).await;
    assert_eq!(r.status, 200);
    assert!(r.body.contains("Sở Khoa học và Công nghệ Hà Nội"));
    assert!(r.body.contains("/opendata/diem-wifi-cong-cong/rows.csv"));
    assert!(r.body.contains("Vườn Hoa Lý Thái Tổ"), "{}", r.body);
    assert_eq!(app.get("/data/khong-co", None).await.status, 404);
    let r = app.get("/catalog.jsonld", None).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.headers["content-type"], "application/ld+json");
    let v = json(&r);
    assert_eq!(v["@type"], "dcat:Catalog");
    let datasets = v["dcat:dataset"].as_array().unwrap();
    assert_eq!(datasets.len(), 3);
    for d in datasets {
        assert_eq!(d["@type"], "dcat:Dataset");
        assert!(!d["dct:title"].as_str().unwrap().is_empty());
        for dist in d["dcat:distribution"].as_array().unwrap() {
            let url = dist["dcat:downloadURL"]["@id"].as_str().unwrap();
            let path = url.split_once("localhost").map_or(url, |(_, p)| p);
            assert_eq!(app.get(path, None).await.status, 200, "{url}");
        }
    }
}

/// A restricted dataset switched to open by package_patch is held to the sharing rules, as
/// on create: its identity numbers are not published.
#[tokio::test]
async fn package_patch_cannot_open_a_dataset_that_would_publish_personal_data() {
    let app = with_demo_data().await;
    app.user("hoa", vec![Role::DataSteward]).await;
    let steward = app.token("hoa", &[]).await;
    let call = |action: &str, body: &str| {
        axum::http::Request::post(format!("/api/3/action/{action}"))
            .header("content-type", "application/json")
            .header("authorization", &steward)
            .body(axum::body::Body::from(body.to_owned()))
            .unwrap()
    };
    let r = app
            .send(call(
                "package_create",
                r#"{"name": "ho-tro-xa-hoi", "title": "Hỗ trợ", "owner_org": "skhcn-hn", "sensitivity": "restricted", "schema": {"fields": [{"name": "ma"}, {"name": "cccd", "lantoa:kind": "cccd"}], "primaryKey": "ma"}}"#,
            ))
            .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = app
        .send(resource_create(
            "ho-tro-xa-hoi",
            "ma,cccd\r\nA1,001185012345\r\n",
            Some(&steward),
        ))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = app
        .send(call(
            "package_patch",
            r#"{"id": "ho-tro-xa-hoi", "extras": [{"key": "sensitivity", "value": "open"}]}"#,
        ))
        .await;
    assert!(r.status.is_client_error(), "{} {}", r.status, r.body);
    assert!(r.body.contains("Field cccd"), "{}", r.body);
    assert_eq!(
        app.get("/api/3/action/package_show?id=ho-tro-xa-hoi", None)
            .await
            .status,
        404
    );
    assert_eq!(
        app.get("/opendata/ho-tro-xa-hoi/rows.csv", None)
            .await
            .status,
        404
    );
}

/// A published cell that a spreadsheet would run (`=HYPERLINK(…)`, `+cmd|…`, `@SUM…`) is
/// neutralised in both CSV downloads; the Excel one starts with a byte-order mark; the JSON
/// keeps the value as published.
#[tokio::test]
async fn csv_downloads_neutralise_formulas_and_excel_gets_a_bom() {
    let app = with_demo_data().await;
    let od = app.state.opendata.clone();
    let agency = app.agency("SYT-HN").await;
    let d = od
            .create_dataset(
                "test",
                &lantoa_opendata::NewDataset {
                    name: "gop-y".into(),
                    title: "Góp ý".into(),
                    notes: String::new(),
                    owner_unit_id: agency,
                    license_id: "cc-by-4.0".into(),
                    cadence: "irregular".into(),
                    sensitivity: "open".into(),
                    schema_json: r#"{"fields": [{"name": "ma"}, {"name": "noi_dung"}, {"name": "so", "type": "integer"}], "primaryKey": "ma"}"#.into(),
                },
            )
            .await
            .unwrap();
    let u = od
            .upload(
                "test",
                d.id,
                "g.csv",
                "ma,noi_dung,so\nA,\"=HYPERLINK(\"\"http://evil.example\"\",\"\"bấm\"\")\",-5\nB,+cmd|' /C calc'!A0,3\nC,@SUM(1+1),4\nD,Đường Láng,5\n".as_bytes(),
            )
            .await
            .unwrap();
    let u = od.run_upload(u.id).await.unwrap();
    assert_eq!(u.clean, 4, "{u:?}");
    let csv = app.get("/opendata/gop-y/rows.csv", None).await;
    assert_eq!(
        csv.body,
        "ma,noi_dung,so\nA,\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"bấm\"\")\",-5\nB,'+cmd|' /C calc'!A0,3\nC,'@SUM(1+1),4\nD,Đường Láng,5\n"
    );
    let excel = app.get("/opendata/gop-y/rows-excel.csv", None).await;
    assert_eq!(excel.status, 200);
    assert!(excel.bytes.starts_with(b"\xEF\xBB\xBFma,noi_dung,so\n"));
    assert_eq!(&excel.bytes[3..], csv.bytes.as_slice());
    let json = app.get("/opendata/gop-y/rows.json", None).await;
    assert!(
        json.body.contains(r#""noi_dung":"=HYPERLINK("#),
        "{}",
        json.body
    );
    let page = app.get("/data/gop-y", None).await;
    assert!(page.body.contains("/opendata/gop-y/rows-excel.csv"));
}

#[tokio::test]
async fn a_dropped_column_is_in_no_public_output() {
    let app = with_demo_data().await;
    let od = app.state.opendata.clone();
    let agency = app.agency("SYT-HN").await;
    let d = od
            .create_dataset(
                "test",
                &lantoa_opendata::NewDataset {
                    name: "ca-benh".into(),
                    title: "Ca bệnh".into(),
                    notes: String::new(),
                    owner_unit_id: agency,
                    license_id: "cc-by-4.0".into(),
                    cadence: "weekly".into(),
                    sensitivity: "deidentified".into(),
                    schema_json: r#"{"fields": [{"name": "ma"}, {"name": "dien_thoai", "lantoa:kind": "phone", "lantoa:share": "drop"}, {"name": "so_ca", "type": "integer"}], "primaryKey": "ma"}"#.into(),
                },
            )
            .await
            .unwrap();
    let u = od
        .upload(
            "test",
            d.id,
            "c.csv",
            b"ma,dien_thoai,so_ca\nC1,0912345678,4\n",
        )
        .await
        .unwrap();
    od.run_upload(u.id).await.unwrap();
    let csv = app.get("/opendata/ca-benh/rows.csv", None).await;
    assert_eq!(csv.body, "ma,so_ca\nC1,4\n");
    let v = json(
        &app.get(
            "/api/3/action/datastore_search?resource_id=ca-benh-csv",
            None,
        )
        .await,
    );
    let fields: Vec<&str> = v["result"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["_id", "ma", "so_ca"]);
    let r = app
            .get("/api/3/action/datastore_search?resource_id=ca-benh-csv&filters=%7B%22dien_thoai%22%3A%220912345678%22%7D", None)
            .await;
    assert!(r.body.contains("no field dien_thoai"), "{}", r.body);
    let page = app.get("/data/ca-benh", None).await;
    assert!(!page.body.contains("dien_thoai") && !page.body.contains("0912345678"));
    assert!(!csv.body.contains("0912345678"));
}

#[tokio::test]
async fn write_actions_need_an_editors_token_and_say_what_is_wrong() {
    let app = with_demo_data().await;
    app.user("xem", vec![Role::Viewer]).await;
    app.user("hoa", vec![Role::DataSteward]).await;
    let viewer = app.token("xem", &[]).await;
    let steward = app.token("hoa", &[]).await;
    let call = |action: &'static str, key: Option<String>, body: &'static str| {
        let mut b = axum::http::Request::post(format!("/api/3/action/{action}"))
            .header("content-type", "application/json");
        if let Some(k) = key {
            b = b.header("x-ckan-api-key", k);
        }
        b.body(axum::body::Body::from(body)).unwrap()
    };
    let body = r#"{"name": "thu-nghiem", "title": "Thử nghiệm", "owner_org": "skhcn-hn", "extras": [{"key": "schema", "value": "{\"fields\": [{\"name\": \"a\", \"type\": \"interger\"}]}"}]}"#;
    let r = app.send(call("package_create", None, body)).await;
    assert_eq!(
        (r.status.as_u16(), json(&r)["error"]["__type"].clone()),
        (403, "Authorization Error".into())
    );
    let r = app.send(call("package_create", Some(viewer), body)).await;
    assert_eq!(r.status, 403, "{}", r.body);
    let r = app
        .send(call("package_create", Some(steward.clone()), body))
        .await;
    assert_eq!(json(&r)["error"]["__type"], "Validation Error");
    assert!(r.body.contains("fields[0].type"), "{}", r.body);
    let r = app
            .send(call(
                "package_create",
                Some(steward.clone()),
                r#"{"name": "thu-nghiem", "title": "Thử nghiệm", "owner_org": "khong-co", "schema": {"fields": [{"name": "a"}]}}"#,
            ))
            .await;
    assert!(r.body.contains("owner_org"), "{}", r.body);
    let r = app
        .send(call(
            "resource_create",
            Some(steward.clone()),
            r#"{"package_id": "diem-wifi-cong-cong", "url": "https://example.com/x.csv"}"#,
        ))
        .await;
    assert_eq!(json(&r)["error"]["__type"], "Validation Error");
    assert!(r.body.contains("multipart"), "{}", r.body);
    // A restricted dataset is not found by readers but is written by its editors.
    let r = app
            .send(call(
                "package_create",
                Some(steward.clone()),
                r#"{"name": "han-che", "title": "Hạn chế", "owner_org": "skhcn-hn", "sensitivity": "restricted", "schema": {"fields": [{"name": "a"}]}}"#,
            ))
            .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = app.get("/api/3/action/package_show?id=han-che", None).await;
    assert_eq!(r.status, 404, "{}", r.body);
    let r = app
        .send(resource_create("han-che", "a\r\nx", Some(&steward)))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("upload_id"), "{}", r.body);
}

/// Writes go over POST only, and a token whose user must still change a one-time
/// password changes nothing (as on /api/v1).
#[tokio::test]
async fn write_actions_are_post_only_and_need_a_changed_password() {
    let app = with_demo_data().await;
    app.user("hoa", vec![Role::DataSteward]).await;
    let steward = app.token("hoa", &[]).await;
    let before = app.state.opendata.datasets(None).await.unwrap().len();
    let r = app
            .send(
                axum::http::Request::get(
                    "/api/3/action/package_create?name=qua-get&title=X&owner_org=skhcn-hn&schema=%7B%22fields%22%3A%5B%7B%22name%22%3A%22a%22%7D%5D%7D",
                )
                .header("x-ckan-api-key", &steward)
                .body(axum::body::Body::empty())
                .unwrap(),
            )
            .await;
    assert_eq!(r.status, 405, "{}", r.body);
    assert_eq!(json(&r)["success"], false);
    let r = app
        .send(
            axum::http::Request::get(
                "/api/3/action/package_patch?id=diem-wifi-cong-cong&sensitivity=open",
            )
            .header("authorization", &steward)
            .body(axum::body::Body::empty())
            .unwrap(),
        )
        .await;
    assert_eq!(r.status, 405, "{}", r.body);
    // A new steward with a one-time password still to change.
    let created = app
        .state
        .accounts
        .create_user(
            "test",
            &lantoa_accounts::NewUser::new("moi", "Người Mới", vec![Role::DataSteward]),
        )
        .await
        .unwrap();
    assert!(created.user.must_change_password);
    let fresh = app.token("moi", &[]).await;
    let r = app
            .send(
                axum::http::Request::post("/api/3/action/package_create")
                    .header("content-type", "application/json")
                    .header("x-ckan-api-key", &fresh)
                    .body(axum::body::Body::from(
                        r#"{"name": "mat-khau-moi", "title": "X", "owner_org": "skhcn-hn", "schema": {"fields": [{"name": "a"}]}}"#,
                    ))
                    .unwrap(),
            )
            .await;
    assert_eq!(r.status, 403, "{}", r.body);
    assert!(r.body.contains("one-time password"), "{}", r.body);
    let r = app
        .send(resource_create(
            "diem-wifi-cong-cong",
            "a\r\nx",
            Some(&fresh),
        ))
        .await;
    assert_eq!(r.status, 403, "{}", r.body);
    let after = app.state.opendata.datasets(None).await.unwrap().len();
    assert_eq!(before, after, "nothing was created");
}

#[tokio::test]
async fn search_facets_paging_and_the_datastore_agree_with_the_published_rows() {
    let app = with_demo_data().await;
    let v = json(
            &app.get(
                "/api/3/action/package_search?q=s%E1%BB%91t%20xu%E1%BA%A5t%20huy%E1%BA%BFt&facet.field=%5B%22organization%22%5D",
                None,
            )
            .await,
        );
    assert_eq!(v["result"]["count"], 1, "{v}");
    assert_eq!(v["result"]["facets"]["organization"]["syt-hn"], 1);
    // Tone marks are optional in q.
    let v = json(
        &app.get("/api/3/action/package_search?q=sot+xuat+huyet", None)
            .await,
    );
    assert_eq!(v["result"]["count"], 1);
    let v = json(
            &app.get(
                "/api/3/action/datastore_search?resource_id=ca-sot-xuat-huyet-theo-tuan-csv&filters=%7B%22tuan%22%3A%2240%22%7D&sort=so_ca%20desc",
                None,
            )
            .await,
        );
    let records = v["result"]["records"].as_array().unwrap();
    assert_eq!(v["result"]["total"], 8, "{v}");
    let counts: Vec<i64> = records
        .iter()
        .map(|r| r["so_ca"].as_i64().unwrap())
        .collect();
    let mut sorted = counts.clone();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    assert_eq!(counts, sorted, "sorted by so_ca desc, typed as numbers");
    let r = app
            .get(
                "/api/3/action/datastore_search?resource_id=ca-sot-xuat-huyet-theo-tuan-csv&filters=%7B%22khong%22%3A1%7D",
                None,
            )
            .await;
    assert_eq!(r.status, 409);
    assert!(r.body.contains("no field khong"));
    // Downloads stream every published row at a stable address.
    let csv = app
        .get("/opendata/ca-sot-xuat-huyet-theo-tuan/rows.csv", None)
        .await;
    assert_eq!(csv.status, 200);
    assert!(csv.body.starts_with("nam,tuan,phuong_xa,so_ca\n"));
    // The current file's 80 clean rows and the demo year's 24 (23 clean, one corrected).
    assert_eq!(csv.body.lines().count(), 1 + 80 + 24);
    let js = app
        .get("/opendata/ca-sot-xuat-huyet-theo-tuan/rows.json", None)
        .await;
    let rows: serde_json::Value = serde_json::from_str(&js.body).unwrap();
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 104);
    let years = |y: &str| rows.iter().filter(|r| r["nam"] == y).count();
    assert_eq!((years("2025"), years("2023")), (80, 24));
    let none = app
        .get("/opendata/ca-sot-xuat-huyet-theo-tuan/rows.xml", None)
        .await;
    assert_eq!(none.status, 404);
}
