use super::*;

const APPENDIX: &str = "STT,Nhiệm vụ,Đơn vị chủ trì,Thời gian hoàn thành\nI,Chính quyền số,,\n1,Kho dữ liệu mở,Sở Y tế Hà Nội,Quý II/2024\n2,Cổng dịch vụ công,Sở Y tế Hà Nội,Quý IV/2024\n";

#[tokio::test]
async fn plans_tasks_reports_by_the_lead_unit_and_indicators() {
    let app = TestApp::with_demo_city().await;
    let plans = &app.state.plans;
    let plan = app.plan_with("239/KH-UBND", (2023, 2025), APPENDIX).await;
    let other = app
        .plan_with(
            "1/KH-UBND",
            (2024, 2024),
            "STT,Nhiệm vụ,Đơn vị chủ trì,Thời gian hoàn thành\nI,Khác,,\n",
        )
        .await;
    let yte = app.agency_named("Sở Y tế Hà Nội").await;
    let cv = app.user("ytecv", vec![Role::AgencyUploader]).await;
    app.state
        .accounts
        .set_unit("admin", cv.id, Some(yte))
        .await
        .unwrap();
    let cv = app.token("ytecv", &[]).await;
    app.user("xem", vec![Role::Viewer]).await;
    let xem = app.token("xem", &[]).await;
    app.user("kehoach", vec![Role::Planner]).await;
    let kh = app.token("kehoach", &[]).await;

    let r = app
        .api("GET", "/api/v1/plans?on=01/07/2025", Some(&xem), None)
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let listed = r.json()["plans"].as_array().unwrap().clone();
    assert_eq!(listed.len(), 2);
    let ours = listed.iter().find(|p| p["plan"]["id"] == plan.id).unwrap();
    // On 1/7/2025 both tasks are past their deadlines with no report.
    assert_eq!(ours["tasks"]["tasks"], 2, "{}", r.body);
    assert_eq!(ours["tasks"]["overdue"], 2, "{}", r.body);
    let r = app
        .api("GET", "/api/v1/plans?on=31/02/2025", Some(&xem), None)
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.error_message().starts_with("on:"), "{}", r.body);

    // Tasks a page at a time: three rows (the section and two tasks), two per page.
    let at = format!("/api/v1/plans/{}", plan.id);
    let r = app
        .api("GET", &format!("{at}/tasks?limit=2"), Some(&xem), None)
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["total"], 3);
    assert_eq!(r.json()["next"], 2);
    let codes: Vec<String> = r.json()["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["task"]["code"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(codes, ["I", "I.1"]);
    let r = app
        .api(
            "GET",
            &format!("{at}/tasks?limit=2&offset=2"),
            Some(&xem),
            None,
        )
        .await;
    assert_eq!(r.json()["next"], serde_json::Value::Null);
    let task = r.json()["tasks"][0]["task"]["id"].as_i64().unwrap();
    assert_eq!(
        app.api("GET", "/api/v1/plans/999", Some(&xem), None)
            .await
            .status,
        404
    );

    // The lead unit's account reports; a bad percent is named and nothing is kept; a
    // viewer of no unit is refused; the task through another plan's path is not found.
    let url = format!("{at}/tasks/{task}/report");
    let body = |percent: i64| {
        format!(r#"{{"status": "in_progress", "percent": {percent}, "body": "Đã dựng cổng"}}"#)
    };
    let r = app.api("POST", &url, Some(&cv), Some(&body(120))).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.error_message().starts_with("percent:"), "{}", r.body);
    assert_eq!(plans.task_reports(task).await.unwrap().len(), 0);
    let r = app.api("POST", &url, Some(&xem), Some(&body(40))).await;
    assert_eq!(r.status, 403, "{}", r.body);
    let r = app
        .api(
            "POST",
            &format!("/api/v1/plans/{}/tasks/{task}/report", other.id),
            Some(&cv),
            Some(&body(40)),
        )
        .await;
    assert_eq!(r.status, 404, "{}", r.body);
    assert_eq!(r.error_code(), "not_found", "{}", r.body);
    let r = app
        .api("POST", &url, Some(&cv), Some(r#"{"status": "in_progress"#))
        .await;
    assert_eq!(r.status, 400, "{}", r.body);
    let r = app.api("POST", &url, Some(&cv), Some(&body(40))).await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.json()["report"]["percent"], 40);
    assert_eq!(plans.task_reports(task).await.unwrap().len(), 1);
    // The plan's tasks, all of them, as a workbook: units by name, the report as given.
    let xem_user = app.state.accounts.user_by_name("xem").await.unwrap();
    let page = app.browser(&xem_user).await;
    let x = app
        .get(&format!("/plans/{}/tasks.xlsx", plan.id), Some(&page))
        .await;
    assert_eq!(x.status, 200, "{}", x.body);
    let rows = workbook_rows(&x.bytes);
    assert_eq!(rows.len(), 4, "{rows:?}");
    assert_eq!(rows[0][0], "Mã");
    let reported = rows.iter().find(|r| r[0] == "I.2").unwrap();
    assert_eq!(
        (
            reported[2].as_str(),
            reported[6].as_str(),
            reported[7].as_str()
        ),
        ("Sở Y tế Hà Nội", "đang triển khai", "40"),
        "{rows:?}"
    );
    let r = app
        .get(
            &format!("/plans/{}/tasks.csv?on=31/02/2025", plan.id),
            Some(&page),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);

    // Indicators: a planner defines one in the service, records an actual by the API; a
    // period that is not one is named.
    let ind = plans
        .define_indicator(
            "setup",
            &[Role::Planner],
            plan.id,
            &lantoa_plans::NewIndicator {
                code: "CQS1".into(),
                name: "Hồ sơ trực tuyến".into(),
                measure: "%".into(),
                pillar: "government".into(),
                baseline: None,
                direction: lantoa_plans::Direction::Higher,
                targets: vec![(2024, 80.0)],
                computed_from: None,
            },
        )
        .await
        .unwrap();
    let actual = format!("{at}/indicators/{}/actual", ind.id);
    let r = app
        .api(
            "POST",
            &actual,
            Some(&kh),
            Some(r#"{"period": "Quý V/2024", "value": 85, "source": "Cổng DVC"}"#),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.error_message().starts_with("period:"), "{}", r.body);
    let r = app
        .api(
            "POST",
            &actual,
            Some(&cv),
            Some(r#"{"period": "2024", "value": 85, "source": "Cổng DVC"}"#),
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.body);
    let r = app
        .api(
            "POST",
            &actual,
            Some(&kh),
            Some(r#"{"period": "2024", "value": 85, "source": "Cổng DVC"}"#),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.json()["period_end"], "2024-12-31");
    let r = app
        .api(
            "GET",
            &format!("{at}/indicators?year=2024"),
            Some(&xem),
            None,
        )
        .await;
    let s = &r.json()["indicators"][0];
    assert_eq!(s["target"], 80.0, "{}", r.body);
    assert_eq!(s["met"], true, "{}", r.body);
    let r = app
        .api(
            "POST",
            &format!("/api/v1/plans/{}/indicators/{}/actual", other.id, ind.id),
            Some(&kh),
            Some(r#"{"period": "2024", "value": 85, "source": "x"}"#),
        )
        .await;
    assert_eq!(r.status, 404, "{}", r.body);
}

#[tokio::test]
async fn a_report_is_started_written_approved_by_another_and_downloaded() {
    let app = TestApp::spawn().await;
    app.user("kehoach", vec![Role::Planner]).await;
    let kh = app.token("kehoach", &[]).await;
    app.user("duyet", vec![Role::Approver]).await;
    let duyet = app.token("duyet", &[]).await;
    app.user("xem", vec![Role::Viewer]).await;
    let xem = app.token("xem", &[]).await;
    let start = r#"{"frequency": "quarterly", "year": 2026, "n": 1}"#;
    assert_eq!(
        app.api("POST", "/api/v1/reports", Some(&xem), Some(start))
            .await
            .status,
        403
    );
    let r = app
        .api(
            "POST",
            "/api/v1/reports",
            Some(&kh),
            Some(r#"{"frequency": "quarterly", "year": 2026, "n": 5}"#),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.error_message().starts_with("n:"), "{}", r.body);
    let r = app.api("GET", "/api/v1/reports", Some(&xem), None).await;
    assert_eq!(r.json()["reports"].as_array().unwrap().len(), 0);
    let r = app
        .api("POST", "/api/v1/reports", Some(&kh), Some(start))
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.json()["report"]["label"], "Quý I/2026");
    let at = format!("/api/v1/reports/{}", r.json()["report"]["id"]);
    let r = app.api("GET", &at, Some(&kh), None).await;
    assert_eq!(
        r.json()["steps"],
        serde_json::json!(["submit"]),
        "{}",
        r.body
    );
    assert!(
        r.json()["contents"]["sections"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["field"] == "watch"),
        "{}",
        r.body
    );
    // A text; a target on a figure that is not one keeps no target at all.
    let r = app
        .api(
            "POST",
            &format!("{at}/texts"),
            Some(&kh),
            Some(r#"{"section": "shortcomings", "body": "Bản một."}"#),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.json()["text"]["version"], 1);
    let key = lantoa_reports::figures::Labels::builtin().unwrap().figure[0]
        .key
        .clone();
    let r = app
        .api(
            "POST",
            &format!("{at}/targets"),
            Some(&kh),
            Some(&format!(r#"{{"{key}": 12, "no.such": 3}}"#)),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.error_message().contains("no.such"), "{}", r.body);
    let r = app.api("GET", &at, Some(&kh), None).await;
    assert_eq!(r.json()["contents"]["targets"], serde_json::json!([]));
    let r = app
        .api(
            "POST",
            &format!("{at}/targets"),
            Some(&kh),
            Some(&format!(r#"{{"{key}": 12}}"#)),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["targets"][0][1], 12.0, "{}", r.body);
    // Steps: an unknown one is named; the author cannot approve; another person does.
    let r = app
        .api("POST", &format!("{at}/publish"), Some(&kh), None)
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.error_message().contains("send-back"), "{}", r.body);
    let r = app
        .api("POST", &format!("{at}/submit"), Some(&kh), None)
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["steps"], serde_json::json!(["send-back"]));
    let r = app
        .api("POST", &format!("{at}/approve"), Some(&kh), None)
        .await;
    assert_eq!(r.status, 409, "{}", r.body);
    assert_eq!(r.error_code(), "second_person_required", "{}", r.body);
    let r = app.api("GET", &at, Some(&duyet), None).await;
    assert_eq!(
        r.json()["steps"],
        serde_json::json!(["send-back", "approve"])
    );
    let r = app
        .api("POST", &format!("{at}/approve"), Some(&duyet), None)
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["report"]["state"], "approved");
    assert!(r.json()["report"]["number"].is_i64(), "{}", r.body);
    let r = app
        .api(
            "GET",
            &format!("{at}/report.docx?final=1"),
            Some(&xem),
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        r.headers["content-type"],
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    );
    assert!(r.bytes.starts_with(b"PK"));
}

#[tokio::test]
async fn an_agency_uploads_follows_and_fixes_its_quarantined_rows() {
    let app = TestApp::spawn().await;
    let od = app.load_open_data_demo().await;
    let mut dirty = None;
    for d in od.datasets(None).await.unwrap() {
        if !od.quarantine(d.id, "open", 1).await.unwrap().is_empty() {
            dirty = Some(d);
            break;
        }
    }
    let d = dirty.expect("the demo has a dataset with quarantined rows");
    let owner = d.owner_unit_id;
    let cv = app.user("canbo", vec![Role::AgencyUploader]).await;
    app.state
        .accounts
        .set_unit("admin", cv.id, Some(owner))
        .await
        .unwrap();
    let cv = app.token("canbo", &[]).await;
    let elsewhere = app
        .state
        .registry
        .create(
            "test",
            &lantoa_registry::NewUnit::new(lantoa_core::unit::UnitKind::Agency, None, "Sở Thử"),
        )
        .await
        .unwrap();
    let stranger = app.user("khac", vec![Role::AgencyUploader]).await;
    app.state
        .accounts
        .set_unit("admin", stranger.id, Some(elsewhere.id))
        .await
        .unwrap();
    let stranger = app.token("khac", &[]).await;

    let r = app
        .api("GET", "/api/v1/opendata/datasets", Some(&cv), None)
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let mine = r.json()["datasets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["dataset"]["name"] == d.name.as_str())
        .unwrap()["may_change"]
        .clone();
    assert_eq!(mine, true);

    // The quarantine a page at a time.
    let q = format!("/api/v1/opendata/datasets/{}/quarantine", d.name);
    let r = app
        .api("GET", &format!("{q}?limit=1"), Some(&cv), None)
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let total = r.json()["total"].as_i64().unwrap();
    assert!(total >= 1);
    assert_eq!(r.json()["rows"].as_array().unwrap().len(), 1);
    let row = r.json()["rows"][0].clone();
    let id = row["id"].as_i64().unwrap();
    let r = app
        .api("GET", &format!("{q}?status=lost"), Some(&cv), None)
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.error_message().starts_with("status:"), "{}", r.body);

    // A fix naming a field the schema lacks changes nothing; another agency may not fix.
    let fix = format!("/api/v1/opendata/quarantine/{id}/fix");
    let r = app
        .api(
            "POST",
            &fix,
            Some(&cv),
            Some(r#"{"cells": {"no_such_field": "1"}}"#),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.error_message().contains("no_such_field"), "{}", r.body);
    let r = app
        .api("POST", &fix, Some(&stranger), Some(r#"{"cells": {}}"#))
        .await;
    assert_eq!(r.status, 403, "{}", r.body);
    // The row unchanged stays dirty with its reasons, still in the quarantine.
    let r = app
        .api("POST", &fix, Some(&cv), Some(r#"{"cells": {}}"#))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["outcome"], "still_dirty", "{}", r.body);
    assert!(!r.json()["errors"].as_array().unwrap().is_empty());
    let r = app.api("GET", &q, Some(&cv), None).await;
    assert_eq!(r.json()["total"].as_i64().unwrap(), total);

    // An upload: the body is the file; a bad date is named before anything is kept; the
    // upload is queued and a worker reads it.
    let before = od.uploads(d.id).await.unwrap().len();
    let up = format!("/api/v1/opendata/datasets/{}/uploads", d.name);
    let header: Vec<String> = d.schema["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap().to_owned())
        .collect();
    let csv = format!("{}\n", header.join(","));
    let send = |path: String, token: String, body: String| {
        let app = &app;
        async move {
            app.send(
                axum::http::Request::builder()
                    .method("POST")
                    .uri(path)
                    .header("authorization", format!("Bearer {token}"))
                    .header("content-type", "text/csv")
                    .body(axum::body::Body::from(body))
                    .unwrap(),
            )
            .await
        }
    };
    let r = send(format!("{up}?as_of=31/13/2024"), cv.clone(), csv.clone()).await;
    assert_eq!(r.status, 422, "{}", r.body);
    let r = send(up.clone(), stranger.clone(), csv.clone()).await;
    assert_eq!(r.status, 403, "{}", r.body);
    let r = send(up.clone(), cv.clone(), String::new()).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.error_message().starts_with("file:"), "{}", r.body);
    assert_eq!(od.uploads(d.id).await.unwrap().len(), before);
    let r = send(format!("{up}?file_name=moi.csv"), cv.clone(), csv).await;
    assert_eq!(r.status, 202, "{}", r.body);
    assert_eq!(r.json()["upload"]["status"], "queued");
    let uid = r.json()["upload"]["id"].as_i64().unwrap();
    od.run_upload(uid).await.unwrap();
    let r = app
        .api(
            "GET",
            &format!("/api/v1/opendata/uploads/{uid}"),
            Some(&cv),
            None,
        )
        .await;
    assert_eq!(r.json()["upload"]["file_name"], "moi.csv", "{}", r.body);
    assert_ne!(r.json()["upload"]["status"], "queued", "{}", r.body);
    let r = app
        .api(
            "GET",
            &format!("/api/v1/opendata/datasets/{}/uploads", d.name),
            Some(&cv),
            None,
        )
        .await;
    assert_eq!(r.json()["uploads"].as_array().unwrap().len(), before + 1);
}
