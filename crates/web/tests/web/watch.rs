use super::*;

const CSV: &str = "Loại;Tên;URL;Số giấy phép;Ngày cấp\nwebsite;Tin tức Phố Cổ;https://tintuc-phoco.example;12/GP;05/03/2021\nwebsite;Trang Lỗi;ftp://loi.example;;\n";

#[tokio::test]
async fn officers_import_a_csv_in_the_console_and_see_each_row() {
    let app = TestApp::spawn().await;
    let u = app.user("lan", vec![Role::WatchOfficer]).await;
    let me = app.browser(&u).await;
    let page = app.get("/watch", Some(&me)).await;
    assert!(page.body.contains(&format!(
        "action=\"/watch/subjects/import?csrf={}\"",
        me.csrf
    )));
    let (ct, body) = multipart("ds.csv", CSV);
    let no_token = app
        .send(
            axum::http::Request::post("/watch/subjects/import")
                .header("content-type", &ct)
                .header("cookie", &me.cookie)
                .body(axum::body::Body::from(body.clone()))
                .unwrap(),
        )
        .await;
    assert_eq!(no_token.status, 403);
    let r = app
        .post_multipart("/watch/subjects/import", &me, &ct, body)
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(
        r.body
            .contains("Tệp ds.csv: thêm 1, đã có 0, bị từ chối 1."),
        "{}",
        r.body
    );
    assert!(
        r.body.contains("phải là địa chỉ http hoặc https"),
        "{}",
        r.body
    );
    let list = app.get("/watch?kind=website", Some(&me)).await;
    assert!(
        list.body.contains("Tin tức Phố Cổ")
            && list.body.contains("12&#x2f;GP (05&#x2f;03&#x2f;2021)"),
        "{}",
        list.body
    );
    let empty = app
        .post_form(
            &format!("/watch/subjects/import?csrf={}", me.csrf),
            Some(&me),
            &[],
        )
        .await;
    assert_eq!(empty.status, 400, "{}", empty.body);
}

/// More crawls than a page: the list goes on fifty at a time, by state, subject and order;
/// a state or order the list does not have is named.
#[tokio::test]
async fn the_crawl_list_pages_filters_and_sorts() {
    let app = TestApp::spawn().await;
    let u = app.user("lan", vec![Role::WatchOfficer]).await;
    let me = app.browser(&u).await;
    for subject in app.websites(105).await {
        let r = app
            .post_form(
                &format!("/watch/subjects/{}/crawl", subject.id),
                Some(&me),
                &[],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
    }
    let first = app.get("/watch/crawls", Some(&me)).await;
    assert_eq!(first.status, 200, "{}", first.body);
    assert!(first.body.contains("Trang tin 104"), "newest first");
    assert!(!first.body.contains("Trang tin 004<"), "{}", first.body);
    assert!(first.body.contains("dòng 1–50 trong 105"), "{}", first.body);
    assert!(!first.body.contains("id=\"pager-prev\""));
    let third = link_to(
        &app.get(&link_to(&first.body, "pager-next"), Some(&me))
            .await
            .body,
        "pager-next",
    );
    assert_eq!(third, "/watch/crawls?page=2");
    let third = app.get(&third, Some(&me)).await;
    assert_eq!(third.status, 200, "{}", third.body);
    for k in 0..5 {
        assert!(
            third.body.contains(&format!("Trang tin {k:03}")),
            "{}",
            third.body
        );
    }
    assert!(!third.body.contains("Trang tin 005"), "{}", third.body);
    assert!(third.body.contains("id=\"pager-prev\""));
    assert!(!third.body.contains("id=\"pager-next\""));
    assert!(
        !third.body.contains("http-equiv=\"refresh\""),
        "a later page does not reload"
    );
    // By subject and state, the oldest first; the exports keep the filters.
    let found = app
        .get(
            "/watch/crawls?q=trang+tin+10&status=queued&sort=oldest",
            Some(&me),
        )
        .await;
    assert!(found.body.contains("dòng 1–5 trong 5"), "{}", found.body);
    assert!(
        found.body.find("Trang tin 100") < found.body.find("Trang tin 104"),
        "{}",
        found.body
    );
    assert!(
        found
            .body
            .contains("crawls.csv?q=trang+tin+10&amp;status=queued&amp;sort=oldest"),
        "{}",
        found.body
    );
    let c = app
        .get(
            "/watch/crawls.csv?q=trang+tin+10&status=queued&sort=oldest",
            Some(&me),
        )
        .await;
    assert_eq!(c.body.lines().count(), 6, "{}", c.body);
    let none = app.get("/watch/crawls?status=done", Some(&me)).await;
    assert!(
        !none.body.contains("Trang tin"),
        "no crawl is done yet: {}",
        none.body
    );
    let bad = app.get("/watch/crawls?status=xong", Some(&me)).await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    assert!(
        bad.body.contains("xong") && bad.body.contains("queued, running, done, failed"),
        "{}",
        bad.body
    );
    // A failed crawl says why in the reader's language; the engineers' words stay in the API.
    lantoa_store::sqlx::query(
            "UPDATE watch_crawls SET status = 'failed', message = $1 WHERE id = (SELECT MIN(id) FROM watch_crawls)",
        )
        .bind(r#"{"reason":{"key":"internal-error","args":[]},"detail":"disk full"}"#)
        .execute(app.state.db.pool())
        .await
        .unwrap();
    let failed = app.get("/watch/crawls/1", Some(&me)).await;
    assert!(
        failed.body.contains("Đã có lỗi trong hệ thống") && !failed.body.contains("disk full"),
        "{}",
        failed.body
    );
    // The API pages the same list, with the total and the next offset.
    let token = app.token("lan", &[Role::WatchOfficer]).await;
    let r = app
        .api(
            "GET",
            "/api/v1/watch/crawls?status=queued&limit=100",
            Some(&token),
            None,
        )
        .await;
    let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(
        (v["total"].as_i64(), v["next"].as_i64()),
        (Some(104), Some(100)),
        "{v}"
    );
    let r = app
        .api(
            "GET",
            "/api/v1/watch/crawls?sort=sideways",
            Some(&token),
            None,
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    // The whole list, not one page, as a workbook: newest first, states by name.
    let x = app.get("/watch/crawls.xlsx", Some(&me)).await;
    assert_eq!(x.status, 200, "{}", x.body);
    let rows = workbook_rows(&x.bytes);
    assert_eq!(rows.len(), 106, "{:?}", &rows[..2]);
    assert_eq!(rows[1][1], "Trang tin 104");
    assert!(
        rows[1..105].iter().all(|r| r[2] == "đang chờ"),
        "{:?}",
        &rows[..2]
    );
    // The failed one, last, with its reason in words.
    assert_eq!(rows[105][2], "lỗi", "{:?}", rows[105]);
    assert!(
        rows[105][11].starts_with("Đã có lỗi trong hệ thống"),
        "{:?}",
        rows[105]
    );
    let r = app
        .get("/watch/crawls.csv?from=2026-13-01&to=2026-12-31", Some(&me))
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
}

/// A city's hundreds of subjects: the list goes page by page, keeping its filter.
#[tokio::test]
async fn the_subject_list_goes_page_by_page_with_its_filter() {
    let app = TestApp::spawn().await;
    let u = app.user("lan", vec![Role::WatchOfficer]).await;
    let me = app.browser(&u).await;
    app.websites(130).await;
    let first = app.get("/watch?kind=website", Some(&me)).await;
    assert_eq!(first.status, 200, "{}", first.body);
    assert!(
        first.body.contains("dòng 1–100 trong 130"),
        "{}",
        first.body
    );
    assert!(!first.body.contains("id=\"pager-prev\""), "{}", first.body);
    assert!(
        first
            .body
            .contains("href=\"&#x2f;watch?page=1&amp;kind=website\""),
        "{}",
        first.body
    );
    // Newest first: the last one registered leads, and the pager keeps the order.
    let newest = app.get("/watch?kind=website&sort=newest", Some(&me)).await;
    let at = |body: &str, name: &str| body.find(name).unwrap_or(usize::MAX);
    assert!(
        at(&newest.body, "Trang tin 129") < at(&newest.body, "Trang tin 128"),
        "{}",
        newest.body
    );
    assert!(
        newest
            .body
            .contains("href=\"&#x2f;watch?page=1&amp;kind=website&amp;sort=newest\""),
        "{}",
        newest.body
    );
    let r = app.get("/watch?sort=size", Some(&me)).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(
        r.body.contains("&quot;size&quot; không phải cách sắp xếp"),
        "{}",
        r.body
    );
    let token = app.token("lan", &[]).await;
    let r = app
        .api(
            "GET",
            "/api/v1/watch/subjects?sort=newest&limit=1",
            Some(&token),
            None,
        )
        .await;
    assert_eq!(
        r.json()["subjects"][0]["name"],
        "Trang tin 129",
        "{}",
        r.body
    );
    let second = app.get("/watch?page=1&kind=website", Some(&me)).await;
    assert!(
        second.body.contains("dòng 101–130 trong 130"),
        "{}",
        second.body
    );
    assert!(
        !second.body.contains("id=\"pager-next\""),
        "{}",
        second.body
    );
    assert!(second.body.contains("id=\"pager-prev\""), "{}", second.body);
    let rows = second.body.matches("<tr><td>").count();
    assert_eq!(rows, 30, "{}", second.body);
    // A search narrows before paging: one page, no pager links.
    let found = app.get("/watch?q=Trang+tin+12", Some(&me)).await;
    assert!(!found.body.contains("id=\"pager-next\""), "{}", found.body);
    assert!(found.body.contains("Trang tin 125"), "{}", found.body);
    let bad = app.get("/watch?page=x", Some(&me)).await;
    assert_eq!(bad.status, 400, "{}", bad.body);
    // The whole filtered list as a spreadsheet, which imports back as what is there.
    assert!(
        first
            .body
            .contains("href=\"&#x2f;watch&#x2f;subjects.csv?kind=website\""),
        "{}",
        first.body
    );
    let csv = app.get("/watch/subjects.csv?kind=website", Some(&me)).await;
    assert_eq!(csv.status, 200, "{}", csv.body);
    assert!(csv.body.starts_with('\u{feff}'), "a BOM for Excel");
    let lines: Vec<&str> = csv.body.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(lines.len(), 131);
    assert_eq!(
        lines[0],
        "Loại;Tên;URL;Số giấy phép;Ngày cấp;Cơ quan báo chí"
    );
    assert!(
        lines.contains(&"Trang thông tin điện tử;Trang tin 007;https://trang-007.example/;;;"),
        "{}",
        lines[1]
    );
    let (ct, body) = multipart("doi-tuong.csv", csv.body.trim_start_matches('\u{feff}'));
    let back = app
        .post_multipart("/watch/subjects/import", &me, &ct, body)
        .await;
    assert_eq!(back.status, 200, "{}", back.body);
    assert!(
        back.body.contains("thêm 0, đã có 130, bị từ chối 0"),
        "{}",
        back.body
    );
    // The same list as an Excel workbook, which imports back too.
    let xlsx = app
        .get("/watch/subjects.xlsx?kind=website", Some(&me))
        .await;
    assert_eq!(xlsx.status, 200, "{}", xlsx.body);
    let rows = workbook_rows(&xlsx.bytes);
    assert_eq!(rows.len(), 131);
    assert_eq!(rows[0][1], "Tên");
    assert!(rows.iter().any(|r| r[1] == "Trang tin 007"), "{rows:?}");
    let back = app
        .send(
            axum::http::Request::post("/api/v1/watch/subjects/import")
                .header(
                    "authorization",
                    format!("Bearer {}", app.token("lan", &[]).await),
                )
                .header(
                    "content-type",
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                )
                .body(axum::body::Body::from(xlsx.bytes.clone()))
                .unwrap(),
        )
        .await;
    assert_eq!(back.status, 200, "{}", back.body);
    assert_eq!(back.json()["report"]["already"], 130, "{}", back.body);
}

#[tokio::test]
async fn the_api_takes_an_xlsx_workbook_too() {
    let app = TestApp::with_demo_city().await;
    app.user("lan", vec![Role::WatchOfficer]).await;
    let officer = app.token("lan", &[]).await;
    let xlsx = include_bytes!("../../../watch/tests/fixtures/subjects.xlsx");
    let r = app
        .send(
            axum::http::Request::post("/api/v1/watch/subjects/import")
                .header("authorization", format!("Bearer {officer}"))
                .header(
                    "content-type",
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                )
                .body(axum::body::Body::from(xlsx.to_vec()))
                .unwrap(),
        )
        .await
        .json();
    assert_eq!(
        (
            r["report"]["created"].as_i64(),
            r["report"]["rejected"].as_i64()
        ),
        (Some(2), Some(1)),
        "{r}"
    );
}

#[tokio::test]
async fn the_api_imports_lists_and_refuses_viewers() {
    let app = TestApp::spawn().await;
    app.user("lan", vec![Role::WatchOfficer]).await;
    app.user("xem", vec![Role::Viewer]).await;
    let officer = app.token("lan", &[]).await;
    let viewer = app.token("xem", &[]).await;
    let r = app
        .api(
            "POST",
            "/api/v1/watch/subjects/import",
            Some(&viewer),
            Some(CSV),
        )
        .await;
    assert_eq!(r.status, 403);
    let r = app
        .api(
            "POST",
            "/api/v1/watch/subjects/import",
            Some(&officer),
            Some(CSV),
        )
        .await
        .json();
    assert_eq!(
        (
            r["report"]["created"].as_i64(),
            r["report"]["rejected"].as_i64()
        ),
        (Some(1), Some(1))
    );
    assert_eq!(r["report"]["rows"][1]["status"]["field"], "url");
    let r = app
        .api(
            "POST",
            "/api/v1/watch/subjects",
            Some(&officer),
            Some(r#"{"kind":"clip","url":"https://video.example/watch?v=9","name":"Clip 9"}"#),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let r = app
        .api(
            "POST",
            "/api/v1/watch/subjects",
            Some(&officer),
            Some(r#"{"kind":"clip","url":"https://video.example/watch?v=9","name":"Again"}"#),
        )
        .await;
    assert_eq!(r.status, 409);
    let r = app
        .api(
            "POST",
            "/api/v1/watch/subjects",
            Some(&officer),
            Some(r#"{"kind":"hologram","url":"https://x.example","name":"X"}"#),
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.error_message().contains("hologram"));
    let list = app
        .api(
            "GET",
            "/api/v1/watch/subjects?kind=clip",
            Some(&viewer),
            None,
        )
        .await
        .json();
    assert_eq!(list["total"], 1);
}

async fn demo_subject(app: &TestApp, url: &str) -> i64 {
    app.state
        .registry
        .load_demo("test", lantoa_registry::DEMO_CITY)
        .await
        .unwrap();
    app.state
        .watch
        .import_csv("test", lantoa_watch::DEMO_SUBJECTS.as_bytes())
        .await
        .unwrap();
    app.state.watch.find_by_url(url).await.unwrap().unwrap().id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn officers_crawl_a_site_read_the_evidence_and_review_it() {
    let app = TestApp::spawn().await;
    let id = demo_subject(&app, "http://thanglong-giaitri.example/").await;
    let viewer = app.user("xem", vec![Role::Viewer]).await;
    let viewer = app.browser(&viewer).await;
    let r = app
        .post_form(&format!("/watch/subjects/{id}/crawl"), Some(&viewer), &[])
        .await;
    assert_eq!(r.status, 403, "a viewer cannot start crawls");
    let u = app.user("lan", vec![Role::WatchOfficer]).await;
    let me = app.browser(&u).await;
    let subjects = app.get("/watch", Some(&me)).await;
    assert!(
        subjects.body.contains(&format!(
            "action=\"&#x2f;watch&#x2f;subjects&#x2f;{id}&#x2f;crawl\""
        )) || subjects
            .body
            .contains(&format!("action=\"/watch/subjects/{id}/crawl\"")),
        "a crawl button per subject"
    );
    let r = app
        .post_form(&format!("/watch/subjects/{id}/crawl"), Some(&me), &[])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let crawl_id: i64 = r.location().rsplit('/').next().unwrap().parse().unwrap();
    let queued = app.get(r.location(), Some(&me)).await;
    assert!(
        queued.body.contains("http-equiv=\"refresh\""),
        "a queued crawl's page refreshes itself"
    );
    // A worker runs the job.
    let done = app.state.crawler.run(crawl_id, &|_| {}).await.unwrap();
    assert_eq!(done.status, "done");
    let page = app
        .get(&format!("/watch/crawls/{crawl_id}"), Some(&me))
        .await;
    assert_eq!(page.status, 200);
    assert!(
        !page.body.contains("http-equiv=\"refresh\""),
        "a finished crawl stops refreshing"
    );
    assert!(page.body.contains("nhan-dinh"), "{}", page.body);
    let list = app.get("/watch/crawls", Some(&me)).await;
    assert!(list.body.contains("Thăng Long Giải Trí"));

    let findings = app
        .get(&format!("/watch/findings?subject={id}"), Some(&me))
        .await;
    assert_eq!(findings.status, 200);
    assert!(findings.body.contains("ads.gambling"), "{}", findings.body);
    assert!(
        findings.body.contains("Luật Quảng cáo 2012"),
        "the clause is shown"
    );
    assert!(findings.body.contains("nhà cái"), "the evidence is quoted");
    let all = app
        .state
        .watch
        .findings(&lantoa_watch::FindingQuery {
            subject_id: Some(id),
            limit: 100,
            offset: 0,
            ..Default::default()
        })
        .await
        .unwrap();
    let gambling = all.iter().find(|f| f.rule_id == "ads.gambling").unwrap();
    let sha = gambling.warc_sha256.clone().unwrap();
    let capture = app.get(&format!("/watch/captures/{sha}"), Some(&me)).await;
    assert_eq!(capture.status, 200);
    assert!(capture.body.contains("WARC-Target-URI"));
    assert!(capture.body.contains("Soi kèo trận này"));
    let raw = app
        .get(&format!("/watch/captures/{sha}?raw=1"), Some(&me))
        .await;
    assert_eq!(
        raw.headers[axum::http::header::CONTENT_TYPE],
        "application/warc"
    );
    assert!(raw.body.starts_with("WARC/1.1\r\n"));
    let missing = app
        .get(&format!("/watch/captures/{}", "0".repeat(64)), Some(&me))
        .await;
    assert_eq!(missing.status, 404);

    // Review: a bad decision is refused and names the value; a good one is kept.
    let bad = app
        .post_form(
            &format!("/watch/findings/{}/review", gambling.id),
            Some(&me),
            &[("decision", "maybe")],
        )
        .await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    assert!(bad.body.contains("maybe"));
    let ok = app
        .post_form(
            &format!("/watch/findings/{}/review", gambling.id),
            Some(&me),
            &[
                ("decision", "confirmed"),
                ("note", "Đủ căn cứ chuyển Thanh tra"),
            ],
        )
        .await;
    assert_eq!(ok.status, 303);
    let after = app.get(ok.location(), Some(&me)).await;
    assert!(
        after.body.contains("Đã ghi nhận quyết định")
            || after.body.contains("The decision was recorded")
    );
    let f = app.state.watch.finding(gambling.id).await.unwrap();
    assert_eq!(f.status, "confirmed");
    assert_eq!(f.reviewed_by.as_deref(), Some("lan"));
    assert_eq!(f.review_note.as_deref(), Some("Đủ căn cứ chuyển Thanh tra"));
    // The queue's chosen rows at once: all or none.
    let open: Vec<String> = all
        .iter()
        .filter(|f| f.id != gambling.id)
        .map(|f| f.id.to_string())
        .collect();
    assert!(!open.is_empty(), "the page gives more than one finding");
    let queue = app.get("/watch/findings?status=open", Some(&me)).await;
    assert!(
        queue.body.contains(&format!("id=\"pick-{}\"", open[0]))
            && queue.body.contains("form=\"bulk\""),
        "{}",
        queue.body
    );
    let mut form: Vec<(&str, &str)> = open.iter().map(|id| ("ids", id.as_str())).collect();
    form.push(("ids", "999999"));
    form.push(("decision", "dismissed"));
    let r = app
        .post_form("/watch/findings/review", Some(&me), &form)
        .await;
    assert_eq!(r.status, 404, "{}", r.body);
    let still = app
        .state
        .watch
        .finding(open[0].parse().unwrap())
        .await
        .unwrap();
    assert_eq!(
        still.status, "open",
        "nothing is decided when one id is wrong"
    );
    let r = app
        .post_form(
            "/watch/findings/review",
            Some(&me),
            &[("ids", "mot"), ("decision", "dismissed")],
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("mot"), "{}", r.body);
    let mut form: Vec<(&str, &str)> = open.iter().map(|id| ("ids", id.as_str())).collect();
    form.push(("decision", "dismissed"));
    form.push(("note", "Không vi phạm"));
    let r = app
        .post_form("/watch/findings/review", Some(&me), &form)
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    for id in &open {
        let f = app.state.watch.finding(id.parse().unwrap()).await.unwrap();
        assert_eq!(
            (f.status.as_str(), f.review_note.as_deref()),
            ("dismissed", Some("Không vi phạm"))
        );
    }
    let csv = app
        .get("/watch/findings.csv?status=dismissed", Some(&me))
        .await;
    assert_eq!(csv.status, 200, "{}", csv.body);
    let rows: Vec<csv::StringRecord> = csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_reader(csv.body.trim_start_matches('\u{feff}').as_bytes())
        .records()
        .map(Result::unwrap)
        .collect();
    assert_eq!(rows.len(), open.len(), "{}", csv.body);
    assert!(
        rows.iter()
            .all(|r| (&r[9], &r[10], &r[11]) == ("đã bác bỏ", "lan", "Không vi phạm")),
        "{}",
        csv.body
    );
    let trained = app
        .post_form("/watch/classifier/train", Some(&me), &[])
        .await;
    assert_eq!(trained.status, 303);
    let page = app.get(trained.location(), Some(&me)).await;
    assert!(page.body.contains("id=\"classifier-figures\""));
    assert!(
        !page.body.contains("Mới học từ các mẫu kèm theo"),
        "figures of the stored model are shown"
    );
    let bad_filter = app.get("/watch/findings?category=spam", Some(&me)).await;
    assert_eq!(bad_filter.status, 422);
    assert!(bad_filter.body.contains("spam"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_queues_crawls_lists_findings_and_takes_reviews() {
    let app = TestApp::spawn().await;
    let id = demo_subject(&app, "http://suckhoe-hotay.example/").await;
    app.user("lan", vec![Role::WatchOfficer]).await;
    app.user("xem", vec![Role::Viewer]).await;
    let officer = app.token("lan", &[]).await;
    let viewer = app.token("xem", &[]).await;
    let r = app
        .api(
            "POST",
            &format!("/api/v1/watch/subjects/{id}/crawl"),
            Some(&viewer),
            None,
        )
        .await;
    assert_eq!(r.status, 403);
    let r = app
        .api(
            "POST",
            "/api/v1/watch/subjects/999999/crawl",
            Some(&officer),
            None,
        )
        .await;
    assert_eq!(r.status, 404, "{}", r.body);
    let r = app
        .api(
            "POST",
            &format!("/api/v1/watch/subjects/{id}/crawl"),
            Some(&officer),
            None,
        )
        .await;
    assert_eq!(r.status, 202, "{}", r.body);
    let crawl_id = r.json()["crawl"]["id"].as_i64().unwrap();
    app.state.crawler.run(crawl_id, &|_| {}).await.unwrap();
    let c = app
        .api(
            "GET",
            &format!("/api/v1/watch/crawls/{crawl_id}"),
            Some(&viewer),
            None,
        )
        .await
        .json();
    assert_eq!(c["crawl"]["status"], "done");
    assert!(c["pages"].as_array().unwrap().len() >= 2);
    let f = app
        .api(
            "GET",
            &format!("/api/v1/watch/findings?subject={id}&status=open"),
            Some(&viewer),
            None,
        )
        .await
        .json();
    let list = f["findings"].as_array().unwrap();
    assert_eq!(f["total"].as_u64(), Some(list.len() as u64), "{f}");
    assert!(list.len() >= 2, "{f}");
    // A page of one, the second: the same total, the queue's second finding.
    let second = app
        .api(
            "GET",
            &format!("/api/v1/watch/findings?subject={id}&status=open&limit=1&offset=1"),
            Some(&viewer),
            None,
        )
        .await
        .json();
    assert_eq!(second["total"], f["total"]);
    // Oldest and newest first are each other's reverse; an unknown order is named.
    let order = |sort: &'static str| {
        let (app, viewer) = (&app, viewer.clone());
        async move {
            app.api(
                "GET",
                &format!("/api/v1/watch/findings?subject={id}&sort={sort}"),
                Some(&viewer),
                None,
            )
            .await
        }
    };
    let ids = |r: &common::Resp| -> Vec<i64> {
        r.json()["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["id"].as_i64().unwrap())
            .collect()
    };
    let oldest = ids(&order("oldest").await);
    let mut newest = ids(&order("newest").await);
    newest.reverse();
    assert_eq!(oldest, newest);
    assert!(oldest.windows(2).all(|w| w[0] < w[1]), "{oldest:?}");
    let r = order("size").await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.error_message().starts_with("sort:"), "{}", r.body);
    assert_eq!(second["findings"].as_array().unwrap().len(), 1);
    assert_eq!(second["findings"][0]["id"], list[1]["id"]);
    let health = list
        .iter()
        .find(|f| f["rule_id"] == "ads.health_food_as_medicine")
        .unwrap();
    assert!(
        health["evidence"]
            .as_str()
            .unwrap()
            .contains("không phải là thuốc"),
        "{health}"
    );
    assert!(health["warc_sha256"].as_str().unwrap().len() == 64);
    let fid = health["id"].as_i64().unwrap();
    let r = app
        .api(
            "GET",
            "/api/v1/watch/findings?status=later",
            Some(&viewer),
            None,
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.error_message().contains("later"), "{}", r.body);
    let r = app
        .api(
            "POST",
            &format!("/api/v1/watch/findings/{fid}/review"),
            Some(&officer),
            Some(r#"{"decision":"perhaps"}"#),
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.error_message().contains("perhaps"), "{}", r.body);
    let r = app
        .api(
            "POST",
            &format!("/api/v1/watch/findings/{fid}/review"),
            Some(&viewer),
            Some(r#"{"decision":"dismissed"}"#),
        )
        .await;
    assert_eq!(r.status, 403);
    let r = app
        .api(
            "POST",
            &format!("/api/v1/watch/findings/{fid}/review"),
            Some(&officer),
            Some(r#"{"decision":"dismissed","note":"quảng cáo đã gỡ"}"#),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["finding"]["status"], "dismissed");
    // Several at once: none chosen is named; then every open one is confirmed.
    let r = app
        .api(
            "POST",
            "/api/v1/watch/findings/review",
            Some(&officer),
            Some(r#"{"ids": [], "decision": "confirmed"}"#),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.error_message().starts_with("ids:"), "{}", r.body);
    let rest: Vec<i64> = list
        .iter()
        .map(|f| f["id"].as_i64().unwrap())
        .filter(|f| *f != fid)
        .collect();
    let r = app
        .api(
            "POST",
            "/api/v1/watch/findings/review",
            Some(&officer),
            Some(&serde_json::json!({ "ids": rest, "decision": "confirmed" }).to_string()),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["reviewed"], rest.len(), "{}", r.body);
    let s = app
        .api(
            "GET",
            &format!("/api/v1/watch/scores?subject={id}"),
            Some(&viewer),
            None,
        )
        .await
        .json();
    assert!(
        s["scores"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["category"] == "advertising")
    );
    let r = app
        .api(
            "POST",
            "/api/v1/watch/classifier/train",
            Some(&viewer),
            None,
        )
        .await;
    assert_eq!(r.status, 403);
    let r = app
        .api(
            "POST",
            "/api/v1/watch/classifier/train",
            Some(&officer),
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let m = &r.json()["model"];
    assert!(
        m["precision"].as_f64().unwrap() > 0.0 && m["held_out"].as_i64().unwrap() > 0,
        "{m}"
    );
}
