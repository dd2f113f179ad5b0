use super::*;

/// The upload form's request for the dengue dataset, carrying a multipart form.
fn dengue_upload(
    me: &common::Browser,
    (content_type, body): (String, String),
) -> axum::http::Request<axum::body::Body> {
    axum::http::Request::post(format!(
        "/opendata/ca-sot-xuat-huyet-theo-tuan/uploads?csrf={}",
        me.csrf
    ))
    .header("content-type", content_type)
    .header("cookie", &me.cookie)
    .body(axum::body::Body::from(body))
    .unwrap()
}

/// The demo's open data, a data steward signed in, the dengue dataset and its uploads so far.
async fn steward_on_dengue(
    app: &TestApp,
) -> (
    lantoa_opendata::OpenData,
    common::Browser,
    lantoa_opendata::Dataset,
    usize,
) {
    let od = app.load_open_data_demo().await;
    let u = app.user("hoa", vec![Role::DataSteward]).await;
    let me = app.browser(&u).await;
    let d = od
        .dataset_by_name("ca-sot-xuat-huyet-theo-tuan")
        .await
        .unwrap();
    let before = od.uploads(d.id).await.unwrap().len();
    (od, me, d, before)
}

/// The upload form and `resource_create` take the date the data is as of: a file of old
/// ward names stated as of 2024 is read in the old units and the page says so; a date that
/// is not one is refused with its field named, and nothing is kept.
#[tokio::test]
async fn an_upload_says_what_day_its_names_are_of() {
    let app = TestApp::spawn().await;
    let (od, me, d, before) = steward_on_dengue(&app).await;
    let csv = "nam,tuan,phuong_xa,so_ca\n2026,1,Phường Ô Chợ Dừa,4\n";
    let send = |as_of: &str| {
        dengue_upload(
            &me,
            multipart_form(&[("as_of", as_of)], Some(("cu.csv", csv))),
        )
    };
    let r = app.send(send("31/13/2024")).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(
        r.body.contains("Ngày &quot;tính đến&quot; không hợp lệ")
            || r.body.contains("Ngày \"tính đến\" không hợp lệ"),
        "{}",
        r.body
    );
    assert_eq!(od.uploads(d.id).await.unwrap().len(), before);
    let r = app.send(send("31/12/2024")).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let up = od.uploads(d.id).await.unwrap().remove(0);
    let done = od.run_upload(up.id).await.unwrap();
    assert_eq!(
        (
            done.as_of.as_deref(),
            done.names.as_deref(),
            done.quarantined
        ),
        (Some("2024-12-31"), Some("old"), 1),
        "the old Phường Ô Chợ Dừa was divided"
    );
    let en = common::Browser {
        cookie: format!("{}; lantoa_lang=en", me.cookie),
        csrf: me.csrf.clone(),
    };
    let page = app
        .get("/opendata/ca-sot-xuat-huyet-theo-tuan", Some(&en))
        .await;
    assert!(
        page.body
            .replace("&#x2f;", "/")
            .contains("Names read as the units before 1/7/2025 (as of 31/12/2024)"),
        "{}",
        page.body
    );
    let token = app.token("hoa", &[]).await;
    let r = app
        .send(resource_create_with(
            "ca-sot-xuat-huyet-theo-tuan",
            &[("as_of", "hôm qua")],
            csv,
            Some(&token),
        ))
        .await;
    assert_eq!(r.status, 409, "{}", r.body);
    let said: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(
        said["error"]["as_of"][0], "\"hôm qua\" is not a date (dd/mm/yyyy or yyyy-mm-dd)",
        "{}",
        r.body
    );
    assert_eq!(od.uploads(d.id).await.unwrap().len(), before + 1);
}

fn staging_files(app: &TestApp) -> usize {
    std::fs::read_dir(app.t.dir.path().join("blobs").join("staging"))
        .map(|d| d.count())
        .unwrap_or(0)
}

/// Uploads stream to disk: a file larger than the request body limit is taken whole and
/// read back row for row; one over the upload limit is refused with the limit named, and
/// leaves no upload, no blob and no partial file behind.
#[tokio::test]
async fn a_file_past_the_body_limit_is_kept_and_one_past_the_upload_limit_is_refused() {
    let app = TestApp::spawn_with(lantoa_web::WebConfig {
        max_body_bytes: 4096,
        max_upload_bytes: 300_000,
        ..Default::default()
    })
    .await;
    let (od, me, d, before) = steward_on_dengue(&app).await;
    let header = "nam,tuan,phuong_xa,so_ca\n";
    let mut csv = header.to_owned();
    let mut n = 0;
    while csv.len() < 200_000 {
        n += 1;
        csv.push_str(&format!("2026,{},Phường Hoàn Kiếm,{n}\n", 1 + n % 52));
    }
    let send = |csv: String| dengue_upload(&me, multipart("lon.csv", &csv));
    let r = app.send(send(csv.clone())).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let ups = od.uploads(d.id).await.unwrap();
    assert_eq!(ups.len(), before + 1);
    let done = od.run_upload(ups[0].id).await.unwrap();
    assert_eq!(done.status, "done", "{:?}", done.message);
    assert_eq!(done.rows, n, "every row of the streamed file was read");
    assert_eq!(done.rows, done.clean + done.quarantined + done.duplicates);
    assert_eq!(staging_files(&app), 0);
    // Past the upload limit: 413 with the limit and the setting, nothing kept.
    let mut huge = header.to_owned();
    while huge.len() < 400_000 {
        huge.push_str("2026,1,Phường Hoàn Kiếm,1\n");
    }
    let r = app.send(send(huge)).await;
    assert_eq!(r.status, 413, "{}", r.body);
    assert!(r.body.contains("300000"), "{}", r.body);
    assert_eq!(od.uploads(d.id).await.unwrap().len(), before + 1);
    assert_eq!(staging_files(&app), 0, "the partial file is removed");
    // Not multipart: a clear reason.
    let r = app
        .post_form(
            &format!(
                "/opendata/ca-sot-xuat-huyet-theo-tuan/uploads?csrf={}",
                me.csrf
            ),
            Some(&me),
            &[("file", "nam,tuan,phuong_xa,so_ca")],
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(r.body.contains("send the file as multipart"), "{}", r.body);
    // Through the CKAN API: the same limits, in CKAN's envelope; no token, no reading.
    let token = app.token("hoa", &[]).await;
    let call = |rows: usize, token: Option<&str>| {
        let csv = format!("{header}{}", "2026,2,Phường Hoàn Kiếm,3\n".repeat(rows));
        resource_create("ca-sot-xuat-huyet-theo-tuan", &csv, token)
    };
    let r = app.send(call(6000, Some(&token))).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = app.send(call(20_000, Some(&token))).await;
    assert_eq!(r.status, 413, "{}", r.body);
    assert!(
        r.body.contains("\"success\":false") && r.body.contains("web.max_upload_bytes"),
        "{}",
        r.body
    );
    let r = app.send(call(10, None)).await;
    assert_eq!(r.status, 403, "{}", r.body);
    assert_eq!(od.uploads(d.id).await.unwrap().len(), before + 2);
    assert_eq!(staging_files(&app), 0);
    // JSON bodies stay bounded by the body limit, with a reason.
    let r = app
        .send(
            axum::http::Request::post("/api/action/package_show")
                .header("content-type", "application/json")
                .body(axum::body::Body::from(format!(
                    "{{\"id\": \"{}\"}}",
                    "x".repeat(5000)
                )))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, 413, "{}", r.body);
    assert!(r.body.contains("web.max_body_bytes"), "{}", r.body);
}
