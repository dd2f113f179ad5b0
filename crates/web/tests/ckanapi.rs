//! The CKAN Action API driven by the real `ckanapi` client (pip): list, show, search with facets
//! and paging, DataStore search, and its error types.
//!
//! Needs `python3` with `ckanapi`, which `cargo xtask test` installs before it runs this test
//! with `--ignored`; under a plain `cargo test` it is listed as ignored, never passed.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers: a panic is the failure report

mod common;

use common::TestApp;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs ckanapi (pip); cargo xtask test installs it and runs this"]
async fn the_ckanapi_client_lists_shows_searches_and_reads_the_datastore() {
    let app = TestApp::spawn().await;
    let od = app.load_open_data_demo().await;
    let wifi = od.dataset_by_name("diem-wifi-cong-cong").await.unwrap();
    let mut in_hoan_kiem = 0;
    od.scan(wifi.id, |row| {
        in_hoan_kiem += usize::from(row[3] == "Phường Hoàn Kiếm");
        true
    })
    .await
    .unwrap();
    app.user("hoa", vec![lantoa_core::Role::DataSteward]).await;
    let token = app.token("hoa", &[]).await;
    let csv = std::env::temp_dir().join(format!("lantoa-ckanapi-{}.csv", std::process::id()));
    std::fs::write(&csv, "ma,so\nA1,1\nA2,hai\nA3,3\n").unwrap();
    let mut all: Vec<String> = od
        .datasets(None)
        .await
        .unwrap()
        .into_iter()
        .map(|d| d.name)
        .collect();
    all.sort();
    let base = app.serve().await;
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/ckan/client.py");
    let out = tokio::process::Command::new("python3")
        .arg(script)
        .arg(&base)
        .arg(&token)
        .arg(&csv)
        .output()
        .await
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "ckanapi failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let seen: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let names = |v: &serde_json::Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(names(&seen["list"]), all);
    assert_eq!(names(&seen["list_page"]), vec![all[1].clone()]);
    assert_eq!(seen["show_title"], wifi.title.as_str());
    assert_eq!(seen["show_org"], "skhcn-hn");
    assert_eq!(seen["show_resources"], serde_json::json!(["CSV", "JSON"]));
    assert_eq!(seen["search_count"], 1);
    assert_eq!(names(&seen["search_names"]), vec!["diem-wifi-cong-cong"]);
    assert_eq!(seen["search_facets"][0]["name"], "skhcn-hn");
    assert_eq!(
        names(&seen["paged"]),
        all,
        "paging one at a time walks every dataset"
    );
    assert_eq!(seen["fq"], 1, "one dataset of the health department");
    assert_eq!(names(&seen["q_fielded"]), vec!["diem-wifi-cong-cong"]);
    assert_eq!(
        names(&seen["q_or"]),
        vec!["ca-sot-xuat-huyet-theo-tuan", "diem-wifi-cong-cong"]
    );
    assert_eq!(seen["q_not"], 2);
    assert_eq!(seen["fq_plus"], 1);
    assert_eq!(seen["fq_and"], 1);
    assert_eq!(names(&seen["fq_group"]), vec!["diem-wifi-cong-cong"]);
    assert_eq!(seen["facet_limited"], serde_json::json!([1, 1]));
    assert_eq!(
        names(&seen["groups"]),
        vec!["ha-tang-so", "thong-tin-truyen-thong", "y-te"]
    );
    assert_eq!(
        seen["groups_all"],
        serde_json::json!({"ha-tang-so": 1, "thong-tin-truyen-thong": 1, "y-te": 1})
    );
    assert_eq!(seen["group_show"], "Y tế");
    let mut tags = names(&seen["tags"]);
    assert_eq!(tags.len(), 7, "{tags:?}");
    tags.sort();
    assert_eq!(names(&seen["tags"]), tags, "tag_list is sorted");
    assert_eq!(names(&seen["tags_query"]), vec!["sốt xuất huyết"]);
    assert_eq!(seen["bad_query"], "refused");
    assert_eq!(seen["unknown_action"], "CKANAPIError");
    assert_eq!(seen["ds_q_object"], in_hoan_kiem);
    assert_eq!(seen["ds_by_id"], true);
    assert_eq!(seen["ds_total"], in_hoan_kiem);
    assert_eq!(seen["ds_records"], 2.min(in_hoan_kiem));
    assert_eq!(seen["ds_fields"][0], "_id");
    assert_eq!(
        seen["ds_first_page"], 100,
        "a first page of 100 of the 104 published rows (80 of the current file, 24 of 2023's)"
    );
    assert_eq!(seen["not_found"], true);
    assert_eq!(seen["validation"], true);
    assert_eq!(seen["orgs"].as_array().unwrap().len(), 3);
    assert_eq!(seen["anonymous_write"], "refused");
    assert_eq!(seen["created"], "so-lieu-ckanapi");
    assert_eq!(seen["duplicate"], "refused");
    let fields = seen["duplicate_fields"].as_object().unwrap();
    assert_eq!(
        fields.keys().collect::<Vec<_>>(),
        vec!["name"],
        "{fields:?}"
    );
    assert!(
        fields["name"][0]
            .as_str()
            .unwrap()
            .contains("already in use")
    );
    assert_eq!(seen["group_created"], "so-lieu-thu");
    assert_eq!(
        seen["tagged"],
        serde_json::json!([["thử nghiệm"], ["so-lieu-thu"]])
    );
    assert_eq!(seen["bad_tag"], serde_json::json!(["tags"]));
    assert_eq!(seen["patched"], "Số liệu đã sửa tên");
    assert_eq!(seen["resource_format"], "CSV");
    // The uploaded file goes through the same pipeline: queued, then read by a worker.
    let upload_id = seen["upload_id"].as_i64().unwrap();
    let u = od.run_upload(upload_id).await.unwrap();
    assert_eq!((u.rows, u.clean, u.quarantined), (3, 2, 1));
    let d = od.dataset_by_name("so-lieu-ckanapi").await.unwrap();
    assert_eq!(d.cadence, "monthly");
    let _ = std::fs::remove_file(&csv);
}
