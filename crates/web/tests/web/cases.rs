use super::*;

/// Officers tick subjects on the list and open a case on each at once; a subject that
/// already has an open case of the category is refused by name and the others open.
#[tokio::test]
async fn cases_open_on_many_chosen_subjects_each_refusal_named() {
    let app = TestApp::spawn().await;
    let subjects = app.websites(3).await;
    app.state
        .watch
        .open_case(
            "lan",
            &[Role::WatchOfficer],
            &lantoa_watch::NewCase {
                subject_id: subjects[0].id,
                category: "bao_hoa".into(),
                title: String::new(),
                findings: Vec::new(),
                note: "đã mở trước".into(),
            },
        )
        .await
        .unwrap();
    let u = app.user("lan", vec![Role::WatchOfficer]).await;
    let lan = app.browser(&u).await;
    let xem = app.user("xem", vec![Role::Viewer]).await;
    let xem = app.browser(&xem).await;
    let list = app.get("/watch", Some(&lan)).await;
    assert!(
        list.body
            .contains(&format!("id=\"pick-{}\"", subjects[1].id))
            && list.body.contains("form=\"bulk-open\""),
        "{}",
        list.body
    );
    assert!(
        !app.get("/watch", Some(&xem))
            .await
            .body
            .contains("bulk-open")
    );
    let ids: Vec<String> = subjects.iter().map(|s| s.id.to_string()).collect();
    let form = |note: &'static str| {
        let mut f: Vec<(&str, &str)> = ids.iter().map(|i| ("subject_ids", i.as_str())).collect();
        f.push(("category", "bao_hoa"));
        f.push(("note", note));
        f
    };
    let before = app.state.watch.cases(None).await.unwrap().len();
    let r = app
        .post_form("/watch/cases/bulk", Some(&xem), &form("x"))
        .await;
    assert_eq!(r.status, 403);
    let r = app
        .post_form("/watch/cases/bulk", Some(&lan), &form(" "))
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(app.state.watch.cases(None).await.unwrap().len(), before);
    let r = app
        .post_form("/watch/cases/bulk", Some(&lan), &form("Rà soát đợt 1"))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(
        r.body
            .contains("Đã mở 2 hồ sơ (Dấu hiệu &quot;báo hóa&quot;); 1 đối tượng không mở được"),
        "{}",
        r.body
    );
    assert!(
        r.body
            .contains(&format!("id=\"bulk-{}\" class=\"refused\"", subjects[0].id)),
        "{}",
        r.body
    );
    assert_eq!(app.state.watch.cases(None).await.unwrap().len(), before + 2);
    // The step's cases as a workbook; an unknown step is named.
    let x = app
        .get("/watch/cases.xlsx?state=phat_hien", Some(&lan))
        .await;
    assert_eq!(x.status, 200, "{}", x.body);
    let rows = workbook_rows(&x.bytes);
    assert_eq!(rows.len(), 1 + before + 2, "{rows:?}");
    assert_eq!(rows[0][4], "Bước");
    assert!(rows[1..].iter().all(|r| r[4] == "Phát hiện"), "{rows:?}");
    let r = app.get("/watch/cases.csv?state=lost", Some(&lan)).await;
    assert_eq!(r.status, 422, "{}", r.body);
    // The same through the API: each refusal with its code.
    let token = app.token("lan", &[]).await;
    let body = serde_json::json!({
        "subject_ids": [subjects[0].id, subjects[1].id],
        "category": "advertising", "note": "Quảng cáo",
    })
    .to_string();
    let r = app
        .api(
            "POST",
            "/api/v1/watch/cases/bulk",
            Some(&token),
            Some(&body),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        r.json()["opened"].as_array().unwrap().len(),
        2,
        "{}",
        r.body
    );
    let r = app
        .api(
            "POST",
            "/api/v1/watch/cases/bulk",
            Some(&token),
            Some(&body),
        )
        .await;
    assert_eq!(
        r.json()["opened"].as_array().unwrap().len(),
        0,
        "{}",
        r.body
    );
    assert_eq!(r.json()["refused"][0]["code"], "case_open", "{}", r.body);
    let bad = body.replace("advertising", "gossip");
    let r = app
        .api("POST", "/api/v1/watch/cases/bulk", Some(&token), Some(&bad))
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.error_message().starts_with("category:"), "{}", r.body);
}

/// A city's board: each state shows its count and newest cases with a link to all of
/// them, a page at a time; the subject of a new case is found by a search, not picked
/// from a list of every subject.
#[tokio::test]
async fn the_board_pages_a_states_cases_and_finds_the_subject_by_search() {
    let app = TestApp::spawn().await;
    let subjects = app.websites(64).await;
    let officer = [Role::WatchOfficer];
    for s in &subjects {
        let new = lantoa_watch::NewCase {
            subject_id: s.id,
            category: "bao_hoa".into(),
            title: format!("Hồ sơ {}", s.name),
            findings: Vec::new(),
            note: "mở để thử".into(),
        };
        app.state
            .watch
            .open_case("lan", &officer, &new)
            .await
            .unwrap();
    }
    let u = app.user("lan", vec![Role::WatchOfficer]).await;
    let lan = app.browser(&u).await;
    let r = app.get("/watch/cases?state=lost", Some(&lan)).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(
        r.body
            .contains("&quot;lost&quot; không phải bước của quy trình"),
        "{}",
        r.body
    );
    let board = app.get("/watch/cases", Some(&lan)).await;
    assert_eq!(board.status, 200);
    // The first state holds all 64: ten shown, and the link to all of them.
    assert!(board.body.contains("xem cả 64 hồ sơ"), "{}", board.body);
    assert_eq!(board.body.matches("Hồ sơ Trang tin").count(), 10);
    let first = app.state.watch.case_rules().states()[0].id.clone();
    let page = app
        .get(&format!("/watch/cases?state={first}"), Some(&lan))
        .await;
    assert!(page.body.contains("hồ sơ 1–50 trong 64"), "{}", page.body);
    assert!(page.body.contains("id=\"pager-next\""));
    let second = app
        .get(&format!("/watch/cases?state={first}&page=1"), Some(&lan))
        .await;
    assert!(
        second.body.contains("hồ sơ 51–64 trong 64"),
        "{}",
        second.body
    );
    assert!(
        second.body.contains("Hồ sơ Trang tin 000"),
        "the oldest case is on the last page"
    );
    // Oldest first: the first case opens the first page, and the pager keeps the order.
    let oldest = app
        .get(
            &format!("/watch/cases?state={first}&sort=oldest"),
            Some(&lan),
        )
        .await;
    let listed = &oldest.body[oldest.body.find("id=\"listed\"").unwrap()..];
    assert!(
        listed.find("Hồ sơ Trang tin 000") < listed.find("Hồ sơ Trang tin 001"),
        "{}",
        oldest.body
    );
    assert!(oldest.body.contains("&amp;sort=oldest"), "{}", oldest.body);
    let r = app
        .get(&format!("/watch/cases?state={first}&sort=size"), Some(&lan))
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    // The subject picker offers at most 50, and a search narrows it to the one wanted.
    assert!(
        board.body.contains("50 trong 64 đối tượng phù hợp"),
        "{}",
        board.body
    );
    let found = app
        .get("/watch/cases?subject_q=trang-007", Some(&lan))
        .await;
    assert!(
        found.body.contains("1 trong 1 đối tượng phù hợp"),
        "{}",
        found.body
    );
    assert!(
        found
            .body
            .contains(&format!("<option value=\"{}\"", subjects[7].id))
    );
}

#[tokio::test]
async fn an_officer_opens_a_case_each_role_moves_it_as_the_workflow_allows() {
    let app = TestApp::spawn().await;
    let subject = app
        .subject("https://tintuc-phoco.example/", "Tin tức Phố Cổ")
        .await;
    let sid = subject.id.to_string();
    let who = |name: &'static str, role: Role| {
        let app = &app;
        async move {
            let u = app.user(name, vec![role]).await;
            app.browser(&u).await
        }
    };
    let lan = who("lan", Role::WatchOfficer).await;
    let tra = who("tra", Role::Inspector).await;
    let xem = who("xem", Role::Viewer).await;
    let open = [
        ("subject_id", sid.as_str()),
        ("category", "bao_hoa"),
        ("title", ""),
        ("note", "Trang có chuyên mục, tòa soạn như báo"),
    ];
    // A viewer sees the board but neither the form nor the right to open.
    let board = app.get("/watch/cases", Some(&xem)).await;
    assert_eq!(board.status, 200);
    assert!(!board.body.contains("id=\"open-case\""));
    assert_eq!(
        app.post_form("/watch/cases", Some(&xem), &open)
            .await
            .status,
        403
    );
    // Without a reason the form comes back, as typed, with the field named.
    let mut no_reason = open;
    no_reason[3] = ("note", "");
    let r = app.post_form("/watch/cases", Some(&lan), &no_reason).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("note"), "{}", r.body);
    // Findings that are not numbers, or not the subject's, are named.
    for (listed, says) in [
        ("7, x", "không phải số hiệu của dấu hiệu"),
        ("424242", "Dấu hiệu số 424242 không thuộc đối tượng"),
    ] {
        let mut with = open.to_vec();
        with.push(("findings", listed));
        let r = app.post_form("/watch/cases", Some(&lan), &with).await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(r.body.contains(says), "{says}: {}", r.body);
    }
    let r = app.post_form("/watch/cases", Some(&lan), &open).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let at = r.headers["location"].to_str().unwrap().to_owned();
    let page = app.get(&at, Some(&lan)).await;
    assert!(page.body.contains("Đã mở vụ việc."), "{}", page.body);
    assert!(
        page.body.contains("id=\"case-state\">Phát hiện<"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("Trang có chuyên mục"),
        "the reason is on the timeline"
    );
    let case = at.split('?').next().unwrap().to_owned();
    // A second open case on the same subject and category names the first.
    let r = app.post_form("/watch/cases", Some(&lan), &open).await;
    assert_eq!(r.status, 409, "{}", r.body);
    assert!(r.body.contains("đang có hồ sơ mở về"), "{}", r.body);
    // The inspector may not move it from phat_hien; the officer may.
    let step = |to: &'static str| [("to", to), ("note", "theo quy trình")];
    let r = app
        .post_form(&format!("{case}/move"), Some(&tra), &step("xem_xet"))
        .await;
    assert_eq!(r.status, 403, "{}", r.body);
    assert!(
        r.body
            .contains("cần một trong các vai trò: Chuyên viên thông tin điện tử"),
        "{}",
        r.body
    );
    assert_eq!(
        app.post_form(&format!("{case}/move"), Some(&xem), &step("xem_xet"))
            .await
            .status,
        403
    );
    for to in ["xem_xet", "moi_lam_viec"] {
        let r = app
            .post_form(&format!("{case}/move"), Some(&lan), &step(to))
            .await;
        assert_eq!(r.status, 303, "{to}: {}", r.body);
    }
    // A move the workflow has no path for is refused with where it can go.
    let r = app
        .post_form(&format!("{case}/move"), Some(&lan), &step("xu_phat"))
        .await;
    assert_eq!(r.status, 409, "{}", r.body);
    // Where it can go, by the steps' names, not their codes.
    assert!(
        r.body.contains("chỉ chuyển sang: Chờ phản hồi"),
        "{}",
        r.body
    );
    let page = app.get(&case, Some(&xem)).await;
    assert!(page.body.contains("Mời làm việc"), "{}", page.body);
    assert!(
        !page.body.contains("id=\"move-case\""),
        "a viewer has no moves"
    );
    let board = app.get("/watch/cases", Some(&xem)).await;
    assert!(
        board
            .body
            .contains("id=\"state-moi_lam_viec\"><th scope=\"row\">Mời làm việc"),
        "{}",
        board.body
    );
}

#[tokio::test]
async fn the_inspectorate_records_a_sanction_with_its_decision_or_is_told_what_is_missing() {
    let app = TestApp::spawn().await;
    let subject = app
        .subject("https://quangcao.example/", "Quảng cáo X")
        .await;
    let w = &app.state.watch;
    let c = w
        .open_case(
            "lan",
            &[Role::WatchOfficer],
            &lantoa_watch::NewCase {
                subject_id: subject.id,
                category: "advertising".into(),
                note: "quảng cáo sai".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    for (role, to) in [
        (Role::WatchOfficer, "xem_xet"),
        (Role::Approver, "chuyen_thanh_tra"),
        (Role::Inspector, "cho_phan_hoi"),
    ] {
        w.move_case("x", &[role], c.id, to, "bước").await.unwrap();
    }
    let tra_user = app.user("tra", vec![Role::Inspector]).await;
    let tra = app.browser(&tra_user).await;
    let at = format!("/watch/cases/{}", c.id);
    let page = app.get(&at, Some(&tra)).await;
    assert!(page.body.contains("id=\"sanction-form\""), "{}", page.body);
    assert!(
        !page.body.contains("<option value=\"xu_phat\">"),
        "a sanction is not a bare step"
    );
    // Decided today, after the transfer, under a clause of the sanctions file.
    let today = lantoa_core::time::local_date(chrono::Utc::now())
        .format("%Y-%m-%d")
        .to_string();
    let mut form = vec![
        ("decision_no", ""),
        ("decision_date", today.as_str()),
        ("decree", "15/2020/NĐ-CP"),
        ("article", "101"),
        ("clause", "1"),
        ("fine_vnd", "15.000.000"),
        ("remedies", "Gỡ bỏ"),
        ("note", "Đã ra quyết định"),
    ];
    let r = app
        .post_form(&format!("{at}/sanction"), Some(&tra), &form)
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("decision_no"), "{}", r.body);
    assert!(
        r.body
            .contains("id=\"s-article\" name=\"article\" value=\"101\""),
        "what was typed stays: {}",
        r.body
    );
    assert_eq!(w.case(c.id).await.unwrap().state, "cho_phan_hoi");
    form[0] = ("decision_no", "12/QĐ-XPHC");
    let r = app
        .post_form(&format!("{at}/sanction"), Some(&tra), &form)
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = app.get(&at, Some(&tra)).await;
    assert!(
        page.body.contains("id=\"sanction-fine\">15.000.000<"),
        "{}",
        page.body
    );
    assert!(page.body.contains("Xử phạt"), "{}", page.body);
}

#[tokio::test]
async fn documents_the_commitment_to_fix_and_the_dossier_from_the_case_page_and_the_api() {
    let app = TestApp::spawn().await;
    let subject = app
        .subject("https://tintuc-phoco.example/", "Tin tức Phố Cổ")
        .await;
    let lan = app.user("lan", vec![Role::WatchOfficer]).await;
    let lan = app.browser(&lan).await;
    let xem = app.user("xem", vec![Role::Viewer]).await;
    let xem = app.browser(&xem).await;
    let officer = app.token("lan", &[Role::WatchOfficer]).await;
    let w = &app.state.watch;
    let c = w
        .open_case(
            "lan",
            &[Role::WatchOfficer],
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
        w.move_case("lan", &[Role::WatchOfficer], c.id, to, "tiến hành")
            .await
            .unwrap();
    }
    let at = format!("/watch/cases/{}", c.id);
    let page = app.get(&at, Some(&lan)).await;
    assert!(
        page.body.contains("id=\"document-invitation\""),
        "{}",
        page.body
    );
    assert!(page.body.contains("id=\"document-minutes\""));
    assert!(!page.body.contains("id=\"document-transfer\""));
    // A viewer sees the documents but no form to issue one.
    let seen = app.get(&at, Some(&xem)).await;
    assert!(!seen.body.contains("id=\"document-invitation\""));
    let post = format!("{at}/documents");
    // Without the session's time the form comes back naming it, as typed.
    let r = app
        .post_form(
            &post,
            Some(&lan),
            &[
                ("kind", "invitation"),
                ("signer", "Nguyễn Văn Thử"),
                ("meeting_at", ""),
            ],
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("meeting_at"), "{}", r.body);
    assert!(r.body.contains("value=\"Nguyễn Văn Thử\""), "{}", r.body);
    assert!(w.case_documents(c.id).await.unwrap().is_empty());
    let r = app
        .post_form(
            &post,
            Some(&lan),
            &[
                ("kind", "invitation"),
                ("meeting_at", "2026-12-03T09:00"),
                ("signer", ""),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let d = w.case_documents(c.id).await.unwrap().remove(0);
    let page = app.get(&at, Some(&lan)).await;
    // The console escapes "/" in text.
    assert!(
        page.body.contains(&d.reference().replace('/', "&#x2f;")),
        "{}",
        page.body
    );
    let docx = app
        .get(&format!("{at}/documents/{}", d.id), Some(&xem))
        .await;
    assert_eq!(docx.status, 200);
    assert!(
        docx.headers["content-disposition"]
            .to_str()
            .unwrap()
            .contains(".docx")
    );
    let text = lantoa_docs::docx_text(&docx.bytes).unwrap();
    assert!(
        text.contains("GIẤY MỜI") && text.contains("09 giờ 00, ngày 03/12/2026"),
        "{text}"
    );
    // A document of another case is not served under this one.
    let r = app
        .get(&format!("/watch/cases/999/documents/{}", d.id), Some(&lan))
        .await;
    assert_eq!(r.status, 422, "{}", r.body);

    // Through the API: an unknown kind is named; a takedown letter is not for this state.
    let api = format!("/api/v1/watch/cases/{}/documents", c.id);
    let r = app
        .api("POST", &api, Some(&officer), Some(r#"{"kind": "fax"}"#))
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("fax"), "{}", r.body);
    let r = app
        .api(
            "POST",
            &api,
            Some(&officer),
            Some(r#"{"kind": "takedown"}"#),
        )
        .await;
    assert_eq!(r.status, 409, "{}", r.body);
    let r = app
        .api(
            "POST",
            &api,
            Some(&officer),
            Some(r#"{"kind": "invitation", "meeting_at": "2026-12-04 14:00", "colour": "red"}"#),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("colour"), "{}", r.body);
    let r = app
            .api(
                "POST",
                &api,
                Some(&officer),
                Some(
                    r#"{"kind": "invitation", "meeting_at": "2026-12-04T14:00:00+07:00", "signer_title": "Giám đốc", "note": "chỉ để nội bộ"}"#,
                ),
            )
            .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["document"]["number"], 2);
    // The document downloads through the API with the token; the meeting time was read
    // from ISO 8601, the internal note is not printed.
    let href = r.json()["href"].as_str().unwrap().to_owned();
    assert!(href.starts_with("/api/v1/watch/cases/"), "{href}");
    let docx = app.api("GET", &href, Some(&officer), None).await;
    assert_eq!(docx.status, 200, "{}", docx.body);
    let text = lantoa_docs::docx_text(&docx.bytes).unwrap();
    assert!(text.contains("14 giờ 00, ngày 04/12/2026"), "{text}");
    assert!(
        !text.contains("chỉ để nội bộ") && !text.contains("KT."),
        "{text}"
    );
    let anonymous = app.api("GET", &href, None, None).await;
    assert_eq!(anonymous.status, 401, "{}", anonymous.body);

    // The commitment to fix: a date in the past is named and nothing moves.
    w.move_case(
        "lan",
        &[Role::WatchOfficer],
        c.id,
        "cho_phan_hoi",
        "đã làm việc",
    )
    .await
    .unwrap();
    let page = app.get(&at, Some(&lan)).await;
    assert!(page.body.contains("id=\"fix-form\""), "{}", page.body);
    let r = app
        .post_form(
            &format!("{at}/fix"),
            Some(&lan),
            &[("due", "2020-01-01"), ("note", "cam kết")],
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("đã qua; ngày kiểm tra lại"), "{}", r.body);
    assert_eq!(w.case(c.id).await.unwrap().state, "cho_phan_hoi");
    let r = app
        .post_form(
            &format!("{at}/fix"),
            Some(&lan),
            &[("due", "2099-01-01"), ("note", "cam kết")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = app.get(&at, Some(&lan)).await;
    assert!(
        page.body
            .contains("Kiểm tra lại ngày 2099-01-01: đã lên lịch"),
        "{}",
        page.body
    );
    let r = app
        .api(
            "GET",
            &format!("/api/v1/watch/cases/{}", c.id),
            Some(&officer),
            None,
        )
        .await;
    assert_eq!(r.json()["rechecks"][0]["status"], "scheduled");
    assert_eq!(r.json()["documents"].as_array().unwrap().len(), 2);

    // The dossier verifies, and holds both documents.
    let zip = app.get(&format!("{at}/dossier"), Some(&xem)).await;
    assert_eq!(zip.status, 200);
    let check = lantoa_watch::dossier::verify(&zip.bytes).unwrap();
    assert!(check.ok(), "{check:?}");
    assert_eq!(
        check
            .intact
            .iter()
            .filter(|n| n.starts_with("documents/"))
            .count(),
        2,
        "{check:?}"
    );
}

#[tokio::test]
async fn cases_through_the_api_with_the_steps_each_caller_may_take() {
    let app = TestApp::spawn().await;
    let subject = app
        .subject("https://quangcao.example/", "Quảng cáo X")
        .await;
    app.user("lan", vec![Role::WatchOfficer]).await;
    app.user("tra", vec![Role::Inspector]).await;
    let officer = app.token("lan", &[Role::WatchOfficer]).await;
    let inspector = app.token("tra", &[Role::Inspector]).await;
    let body = format!(
        r#"{{"subject_id": {}, "category": "advertising", "note": "quảng cáo thực phẩm chức năng"}}"#,
        subject.id
    );
    let r = app
        .api("POST", "/api/v1/watch/cases", Some(&inspector), Some(&body))
        .await;
    assert_eq!(r.status, 403, "{}", r.body);
    let r = app
        .api("POST", "/api/v1/watch/cases", Some(&officer), Some(&body))
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let id = r.json()["case"]["id"].as_i64().unwrap();
    // A body without its reason names the field.
    let r = app
        .api(
            "POST",
            "/api/v1/watch/cases",
            Some(&officer),
            Some(r#"{"subject_id": 1, "category": "advertising"}"#),
        )
        .await;
    assert!(r.status == 400 || r.status == 422, "{}", r.body);
    assert!(r.body.contains("note"), "{}", r.body);
    let r = app
        .api(
            "GET",
            &format!("/api/v1/watch/cases/{id}"),
            Some(&officer),
            None,
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["next"][0], "xem_xet");
    assert_eq!(r.json()["timeline"].as_array().unwrap().len(), 1);
    let r = app
        .api(
            "GET",
            &format!("/api/v1/watch/cases/{id}"),
            Some(&inspector),
            None,
        )
        .await;
    assert_eq!(r.json()["next"], serde_json::json!([]));
    let step = r#"{"to": "xem_xet", "note": "xem xét"}"#;
    let path = format!("/api/v1/watch/cases/{id}/move");
    let r = app.api("POST", &path, Some(&inspector), Some(step)).await;
    assert_eq!(r.status, 403, "{}", r.body);
    let r = app.api("POST", &path, Some(&officer), Some(step)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["case"]["state"], "xem_xet");
    let r = app
        .api(
            "GET",
            "/api/v1/watch/cases?state=xem_xet",
            Some(&inspector),
            None,
        )
        .await;
    assert_eq!(r.json()["cases"].as_array().unwrap().len(), 1);
    let r = app
        .api(
            "GET",
            "/api/v1/watch/cases?overdue=true",
            Some(&inspector),
            None,
        )
        .await;
    assert_eq!(r.json()["cases"], serde_json::json!([]));
    let r = app
        .api("GET", "/api/v1/watch/cases/999", Some(&officer), None)
        .await;
    assert_eq!(r.status, 404);
    // A sanction is recorded only from where the workflow allows it, with its decision.
    let sanction = r#"{"decision_no": "12/QĐ-XPHC", "decision_date": "2026-03-20",
            "decree": "38/2021/NĐ-CP", "article": "51", "fine_vnd": 30000000, "note": "quyết định"}"#;
    let path = format!("/api/v1/watch/cases/{id}/sanction");
    let r = app
        .api("POST", &path, Some(&inspector), Some(sanction))
        .await;
    assert_eq!(r.status, 409, "{}", r.body);
    assert!(
        r.body.contains(r#"cannot go to \"Sanctioned\""#),
        "{}",
        r.body
    );
    assert_eq!(r.error_code(), "case_move_refused", "{}", r.body);
    // The period's figures; a reversed period names its end.
    let today = lantoa_core::time::local_date(chrono::Utc::now()).to_string();
    let r = app
        .api(
            "GET",
            &format!("/api/v1/watch/figures?from={today}&to={today}"),
            Some(&inspector),
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["invited"], 0);
    assert_eq!(r.json()["removal_rate_pct"], serde_json::Value::Null);
    let r = app
        .api(
            "GET",
            "/api/v1/watch/figures?from=2026-03-31&to=2026-03-01",
            Some(&inspector),
            None,
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(
        r.body.contains("to: the period ends before it starts"),
        "{}",
        r.body
    );
}
