//! Open-data storage contract: datasets, uploads through the job's code path, published rows,
//! the quarantine and fixes. Runs on SQLite in `cargo test` and on PostgreSQL in
//! `cargo xtask test`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers: a panic is the failure report

use lantoa_core::unit::UnitKind;
use lantoa_opendata::{Error, FixOutcome, NewDataset, OpenData};
use lantoa_registry::{NewUnit, Registry};
use lantoa_store::blob::BlobStore;
use lantoa_store::testing::TestDb;
use sqlx::Row as _;

const SCHEMA: &str = r#"{
  "fields": [
    {"name": "ma_diem", "constraints": {"required": true}},
    {"name": "ten", "constraints": {"required": true}},
    {"name": "phuong_xa", "lantoa:kind": "commune", "constraints": {"required": true}},
    {"name": "toc_do_mbps", "type": "integer", "constraints": {"minimum": 1}},
    {"name": "ngay_lap", "type": "date", "format": "%d/%m/%Y"}
  ],
  "primaryKey": "ma_diem"
}"#;

struct Setup {
    t: TestDb,
    od: OpenData,
    agency: i64,
}

async fn setup() -> Setup {
    let t = TestDb::new(&[&lantoa_registry::MIGRATIONS, &lantoa_opendata::MIGRATIONS])
        .await
        .unwrap();
    let registry = Registry::new(t.db.clone());
    let agency = registry
        .create(
            "test",
            &NewUnit::new(UnitKind::Agency, None, "Sở Khoa học và Công nghệ Hà Nội"),
        )
        .await
        .unwrap()
        .id;
    let od = OpenData::new(
        t.db.clone(),
        registry,
        BlobStore::new(t.db.clone(), t.dir.path().join("blobs")),
    )
    .unwrap();
    Setup { t, od, agency }
}

fn new_dataset(agency: i64) -> NewDataset {
    NewDataset {
        name: "diem-wifi-cong-cong".into(),
        title: "Điểm Wi-Fi công cộng".into(),
        notes: "Các điểm truy cập Wi-Fi miễn phí do thành phố lắp đặt.".into(),
        owner_unit_id: agency,
        license_id: "cc-by-4.0".into(),
        cadence: "monthly".into(),
        sensitivity: "open".into(),
        schema_json: SCHEMA.into(),
    }
}

#[tokio::test]
async fn a_dataset_is_refused_with_the_field_at_fault() {
    let s = setup().await;
    let mut bad = new_dataset(s.agency);
    bad.name = "Điểm Wi-Fi".into();
    assert!(matches!(
        s.od.create_dataset("an.nv", &bad).await,
        Err(Error::Invalid { field: "name", .. })
    ));
    let mut bad = new_dataset(s.agency);
    bad.schema_json = r#"{"fields": [{"name": "a", "type": "interger"}]}"#.into();
    let err = s.od.create_dataset("an.nv", &bad).await.unwrap_err();
    assert!(err.to_string().contains("fields[0].type"), "{err}");
    let mut bad = new_dataset(s.agency);
    bad.cadence = "sometimes".into();
    assert!(matches!(
        s.od.create_dataset("an.nv", &bad).await,
        Err(Error::Invalid {
            field: "cadence",
            ..
        })
    ));
    let mut bad = new_dataset(s.agency);
    bad.owner_unit_id = 999_999;
    assert!(matches!(
        s.od.create_dataset("an.nv", &bad).await,
        Err(Error::Registry(_))
    ));
    let d =
        s.od.create_dataset("an.nv", &new_dataset(s.agency))
            .await
            .unwrap();
    assert_eq!(d.name, "diem-wifi-cong-cong");
    assert!(matches!(
        s.od.create_dataset("an.nv", &new_dataset(s.agency)).await,
        Err(Error::Duplicate(_))
    ));
    assert_eq!(
        s.od.dataset_by_name("diem-wifi-cong-cong")
            .await
            .unwrap()
            .id,
        d.id
    );
    assert_eq!(s.od.datasets(Some(s.agency)).await.unwrap().len(), 1);
}

/// Uploads a file to a dataset and reads it, as a worker would.
async fn read(s: &Setup, dataset_id: i64, name: &str, bytes: &[u8]) -> lantoa_opendata::Upload {
    let u = s.od.upload("an.nv", dataset_id, name, bytes).await.unwrap();
    s.od.run_upload(u.id).await.unwrap()
}

/// The dataset, created, with [`FIRST`] uploaded and ingested.
async fn with_first_upload(s: &Setup) -> lantoa_opendata::Dataset {
    let d =
        s.od.create_dataset("an.nv", &new_dataset(s.agency))
            .await
            .unwrap();
    read(s, d.id, "wifi.csv", FIRST.as_bytes()).await;
    d
}

const FIRST: &str = "ma_diem;ten;phuong_xa;toc_do_mbps;ngay_lap
W001;Hồ Gươm;Phường Hoàn Kiếm;100;01/07/2025
W002;Văn Miếu;Phường Văn Miếu - Quốc Tử Giám;50;15/08/2025
W003;Chợ Đồng Xuân;Phường Không Có;50;15/08/2025
W004;Công viên Thống Nhất;Phường Hai Bà Trưng;0;32/08/2025
W002;Văn Miếu;Phường Văn Miếu - Quốc Tử Giám;50;15/08/2025
W005;Hồ Tây;Phường Tây Hồ;200;01/09/2025
";

#[tokio::test]
async fn an_upload_publishes_clean_rows_quarantines_dirty_ones_and_loses_none() {
    let s = setup().await;
    let d =
        s.od.create_dataset("an.nv", &new_dataset(s.agency))
            .await
            .unwrap();
    let queued =
        s.od.upload("an.nv", d.id, "wifi.csv", FIRST.as_bytes())
            .await
            .unwrap();
    assert_eq!((queued.status.as_str(), queued.version), ("queued", 1));
    let u = s.od.run_upload(queued.id).await.unwrap();
    assert_eq!(u.status, "done");
    assert_eq!(u.delimiter.as_deref(), Some(";"));
    assert_eq!(
        (u.rows, u.clean, u.quarantined, u.duplicates),
        (6, 3, 2, 1),
        "{u:?}"
    );
    assert_eq!(u.rows, u.clean + u.quarantined + u.duplicates);
    assert_eq!(u.duplicate_rows, vec![6]);
    let (rows, total) = s.od.rows(d.id, 0, 100).await.unwrap();
    assert_eq!(total, 3);
    assert_eq!(
        rows[0],
        ["W001", "Hồ Gươm", "Phường Hoàn Kiếm", "100", "2025-07-01"]
    );
    let q = s.od.quarantine(d.id, "open", 100).await.unwrap();
    assert_eq!(q.len(), 2);
    assert_eq!(q[0].row_number, 4);
    assert_eq!(q[0].cells[2], "Phường Không Có");
    assert_eq!(q[0].errors[0].field.as_deref(), Some("phuong_xa"));
    let kinds: Vec<&str> = q[1].errors.iter().map(|e| e.error_type.as_str()).collect();
    assert_eq!(
        kinds,
        ["constraint-error", "type-error"],
        "{:?}",
        q[1].errors
    );
    // The raw file is kept and reads back unchanged.
    let blobs = BlobStore::new(s.t.db.clone(), s.t.dir.path().join("blobs"));
    assert_eq!(blobs.get(&u.blob_sha256).await.unwrap(), FIRST.as_bytes());
    // Running the job again changes nothing.
    let again = s.od.run_upload(queued.id).await.unwrap();
    assert_eq!((again.rows, again.clean), (6, 3));
    assert_eq!(s.od.rows(d.id, 0, 100).await.unwrap().1, 3);
}

#[tokio::test]
async fn a_fix_is_checked_again_and_published_only_when_clean() {
    let s = setup().await;
    let d = with_first_upload(&s).await;
    let q = s.od.quarantine(d.id, "open", 100).await.unwrap();
    let w004 = &q[1];
    // Still wrong: the date is fixed, the speed is not.
    let attempt: Vec<String> = [
        "W004",
        "Công viên Thống Nhất",
        "Phường Hai Bà Trưng",
        "0",
        "31/08/2025",
    ]
    .map(String::from)
    .to_vec();
    match s.od.fix("an.nv", w004.id, &attempt).await.unwrap() {
        FixOutcome::StillDirty(e) => {
            assert_eq!(e.len(), 1);
            assert_eq!(e[0].field.as_deref(), Some("toc_do_mbps"));
        }
        other => panic!("{other:?}"),
    }
    let kept = s.od.quarantine(d.id, "open", 100).await.unwrap();
    assert_eq!(kept[1].cells[4], "31/08/2025", "the attempt is kept");
    let mut fixed = attempt.clone();
    fixed[3] = "30".into();
    assert_eq!(
        s.od.fix("an.nv", w004.id, &fixed).await.unwrap(),
        FixOutcome::Published
    );
    assert_eq!(s.od.rows(d.id, 0, 100).await.unwrap().1, 4);
    assert_eq!(s.od.quarantine(d.id, "open", 100).await.unwrap().len(), 1);
    assert_eq!(s.od.quarantine(d.id, "fixed", 100).await.unwrap().len(), 1);
    // The reports' figures count the same: one file of six rows, three published clean, two
    // kept back (one duplicate), one fixed since; nothing before any of it.
    let f = s.od.figures(0, i64::MAX).await.unwrap();
    assert_eq!(
        (
            f.datasets,
            f.public_datasets,
            f.uploads,
            f.rows_read,
            f.rows_published,
            f.rows_quarantined,
            f.rows_fixed
        ),
        (1, 1, 1, 6, 3, 2, 1),
        "{f:?}"
    );
    assert!(
        f.completeness_pct.is_some_and(|p| p > 0.0 && p <= 100.0),
        "{f:?}"
    );
    // The file the figures counted, listed for the reports' link.
    let read = s.od.uploads_between(0, i64::MAX).await.unwrap();
    assert_eq!(read.iter().map(|u| u.rows).collect::<Vec<_>>(), vec![6]);
    assert!(s.od.uploads_between(0, 1).await.unwrap().is_empty());
    let before = s.od.figures(0, 1).await.unwrap();
    assert_eq!(
        (before.datasets, before.uploads, before.completeness_pct),
        (0, 0, None)
    );
    assert!(matches!(
        s.od.fix("an.nv", w004.id, &fixed).await,
        Err(Error::Invalid {
            field: "quarantine",
            ..
        })
    ));
    // A fix that takes a published row's key is refused.
    let w003 = &q[0];
    let stolen: Vec<String> = [
        "W001",
        "Chợ Đồng Xuân",
        "Phường Hoàn Kiếm",
        "50",
        "15/08/2025",
    ]
    .map(String::from)
    .to_vec();
    match s.od.fix("an.nv", w003.id, &stolen).await.unwrap() {
        FixOutcome::StillDirty(e) => assert_eq!(e[0].error_type.as_str(), "primary-key"),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        s.od.fix("an.nv", w003.id, &["W003".to_string()]).await,
        Err(Error::Invalid { field: "cells", .. })
    ));
}

#[tokio::test]
async fn a_later_upload_replaces_rows_by_key_and_a_bad_file_is_refused_with_reasons() {
    let s = setup().await;
    let d = with_first_upload(&s).await;
    let second = "ma_diem,ten,phuong_xa,toc_do_mbps,ngay_lap\nW001,Hồ Gươm (mở rộng),Phường Hoàn Kiếm,300,01/10/2025\nW006,Long Biên,Phường Long Biên,100,01/10/2025\n";
    let u2 =
        s.od.upload("an.nv", d.id, "wifi-10.csv", second.as_bytes())
            .await
            .unwrap();
    assert_eq!(u2.version, 2);
    let u2 = s.od.run_upload(u2.id).await.unwrap();
    assert_eq!((u2.rows, u2.clean), (2, 2));
    let (rows, total) = s.od.rows(d.id, 0, 100).await.unwrap();
    assert_eq!(total, 4);
    assert_eq!(rows[0][1], "Hồ Gươm (mở rộng)");
    // A corrected file that sends a quarantined row again resolves it.
    let open_before = s.od.quarantine(d.id, "open", 100).await.unwrap().len();
    let corrected = "ma_diem,ten,phuong_xa,toc_do_mbps,ngay_lap\nW003,Chợ Đồng Xuân,Phường Hoàn Kiếm,50,15/08/2025\n";
    read(&s, d.id, "sua.csv", corrected.as_bytes()).await;
    assert_eq!(
        s.od.quarantine(d.id, "open", 100).await.unwrap().len(),
        open_before - 1
    );
    let resolved = s.od.quarantine(d.id, "fixed", 100).await.unwrap();
    assert_eq!(resolved[0].cells[0], "W003");
    assert_eq!(s.od.uploads(d.id).await.unwrap().len(), 3);

    let wrong = "id,name\n1,x\n";
    let u3 =
        s.od.upload("an.nv", d.id, "sai.csv", wrong.as_bytes())
            .await
            .unwrap();
    let u3 = s.od.run_upload(u3.id).await.unwrap();
    assert_eq!(u3.status, "refused");
    let fatal: Vec<&str> = u3
        .problems
        .iter()
        .filter(|p| p.fatal)
        .map(|p| p.error_type.as_str())
        .collect();
    assert_eq!(fatal, ["missing-label"; 5], "{:?}", u3.problems);
    assert!(
        u3.problems
            .iter()
            .any(|p| p.error_type == "extra-label" && p.note.to_string().contains("\"name\""))
    );
    assert_eq!(
        s.od.rows(d.id, 0, 100).await.unwrap().1,
        5,
        "nothing published lost"
    );
}

#[tokio::test]
async fn the_demo_datasets_load_once_and_their_dirty_rows_are_quarantined() {
    let s = setup().await;
    let registry = Registry::new(s.t.db.clone());
    registry
        .load_demo("test", lantoa_registry::DEMO_CITY)
        .await
        .unwrap();
    let report = s.od.load_demo("demo").await.unwrap();
    assert_eq!((report.created, report.queued, report.earlier), (3, 3, 1));
    let again = s.od.load_demo("demo").await.unwrap();
    assert_eq!((again.created, again.already, again.earlier), (0, 3, 0));
    // The dengue dataset's 2023 weeks were registered, read and corrected on 2023's days; by
    // hand from data/opendata/dengue-2023.csv: 26 rows, 23 clean, 3 kept back (Kim Mã divided
    // in 2025, #N/A, week 54), then the #N/A row corrected.
    let micros =
        |y, m, d| lantoa_core::time::day_start(chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap());
    let year =
        s.od.figures(micros(2023, 1, 1), micros(2024, 1, 1))
            .await
            .unwrap();
    assert_eq!(
        (
            year.datasets,
            year.uploads,
            year.rows_read,
            year.rows_published,
            year.rows_quarantined,
            year.rows_fixed
        ),
        (1, 1, 26, 23, 3, 1),
        "{year:?}"
    );
    let dengue =
        s.od.dataset_by_name("ca-sot-xuat-huyet-theo-tuan")
            .await
            .unwrap();
    let first = s.od.uploads(dengue.id).await.unwrap().pop().unwrap();
    assert_eq!(first.file_name, "dengue-2023.csv");
    assert!(first.finished_at.unwrap() < micros(2023, 10, 3));
    let (rows, _) = s.od.rows(dengue.id, 0, 100).await.unwrap();
    assert!(
        rows.iter()
            .any(|r| r[..4] == ["2023", "38", "Phường Hoàn Kiếm", "21"]),
        "the corrected row is published under the ward's current name: {rows:?}"
    );
    let open_2023: Vec<Vec<String>> =
        s.od.quarantine(dengue.id, "open", 100)
            .await
            .unwrap()
            .into_iter()
            .filter(|q| q.upload_id == first.id)
            .map(|q| q.cells)
            .collect();
    assert_eq!(open_2023.len(), 2, "{open_2023:?}");
    let mut seen = Vec::new();
    for d in s.od.datasets(None).await.unwrap() {
        let u = s.od.uploads(d.id).await.unwrap().remove(0);
        let u = s.od.run_upload(u.id).await.unwrap();
        assert_eq!(u.status, "done", "{u:?}");
        assert_eq!(u.rows, u.clean + u.quarantined + u.duplicates);
        assert!(u.quarantined > 0 && u.clean > 0, "{} {u:?}", d.name);
        let q = s.od.quarantine(d.id, "open", 100).await.unwrap();
        for r in &q {
            for e in &r.errors {
                seen.push(e.error_type.as_str());
            }
        }
        if d.name == "diem-wifi-cong-cong" {
            let (rows, _) = s.od.rows(d.id, 0, 100).await.unwrap();
            let by = |k: &str| rows.iter().find(|r| r[0] == k).unwrap().clone();
            assert_eq!(by("WF-0009")[3], "Phường Hồng Hà", "old ward converted");
            assert_eq!(by("WF-0012")[5], "2025-07-01", "Excel serial read");
            assert_eq!(by("WF-0016")[1], "Vườn Hoa Lê Nin", "name tidied");
            assert_eq!(by("WF-0018")[1], "Vườn Hoa Ngô Quyền", "TCVN3 converted");
            assert_eq!(u.duplicates, 1);
        }
    }
    for kind in [
        "ambiguous-admin-mapping",
        "encoding-error",
        "type-error",
        "constraint-error",
        "primary-key",
    ] {
        assert!(seen.contains(&kind), "{kind} in {seen:?}");
    }
}

#[tokio::test]
async fn workbooks_and_json_files_go_through_the_same_pipeline() {
    let s = setup().await;
    let d =
        s.od.create_dataset("an.nv", &new_dataset(s.agency))
            .await
            .unwrap();
    let json = r#"[{"ma_diem": "J1", "ten": "Hồ Tây", "phuong_xa": "Phường Tây Hồ", "toc_do_mbps": 80, "ngay_lap": "01/07/2025"},
                   {"ma_diem": "J2", "ten": "Lỗi", "phuong_xa": "Phường Tây Hồ", "toc_do_mbps": 0}]"#;
    let u =
        s.od.upload("an.nv", d.id, "wifi.json", json.as_bytes())
            .await
            .unwrap();
    let u = s.od.run_upload(u.id).await.unwrap();
    assert_eq!(
        (u.format.as_deref(), u.clean, u.quarantined),
        (Some("json"), 1, 1)
    );
    assert_eq!(u.encoding, None, "an encoding is a CSV matter");
    let xlsx = include_bytes!("fixtures/wifi.xlsx");
    let u = read(&s, d.id, "wifi.xlsx", xlsx).await;
    assert_eq!(u.format.as_deref(), Some("xlsx"));
    assert_eq!(u.status, "refused", "its labels are not this schema's");
    assert!(
        u.problems
            .iter()
            .any(|p| p.note.to_string().contains("ma_diem")),
        "{:?}",
        u.problems
    );
}

#[tokio::test]
async fn personal_data_is_dropped_or_generalised_and_small_groups_wait_for_k() {
    let s = setup().await;
    let schema = |cccd_share: &str| {
        format!(
            r#"{{"fields": [
                {{"name": "ma", "constraints": {{"required": true}}}},
                {{"name": "cccd", "lantoa:kind": "cccd", "lantoa:share": "{cccd_share}"}},
                {{"name": "ngay_sinh", "type": "date", "format": "%d/%m/%Y", "lantoa:share": "age_band", "lantoa:quasi": true}},
                {{"name": "phuong_xa", "lantoa:kind": "commune", "lantoa:quasi": true}},
                {{"name": "so_lan", "type": "integer", "lantoa:share": "suppress_below:3"}}
            ], "primaryKey": "ma", "lantoa:k": 3}}"#
        )
    };
    let mut new = new_dataset(s.agency);
    new.name = "tiem-chung".into();
    new.sensitivity = "deidentified".into();
    new.schema_json = schema("keep");
    let err = s.od.create_dataset("an.nv", &new).await.unwrap_err();
    assert!(err.to_string().contains("Field cccd"), "{err}");
    new.schema_json = schema("drop");
    let d = s.od.create_dataset("an.nv", &new).await.unwrap();
    let first = "ma,cccd,ngay_sinh,phuong_xa,so_lan\n\
        A1,001185012345,05/03/1985,Phường Hoàn Kiếm,1\n\
        A2,001185012346,06/04/1985,Phường Hoàn Kiếm,7\n\
        A3,001185012347,07/05/1985,Phường Hoàn Kiếm,2\n\
        B1,001195012348,08/06/1995,Phường Tây Hồ,4\n\
        B2,001195012349,09/07/1995,Phường Tây Hồ,5\n";
    let u =
        s.od.upload("an.nv", d.id, "a.csv", first.as_bytes())
            .await
            .unwrap();
    let u = s.od.run_upload(u.id).await.unwrap();
    assert_eq!((u.rows, u.clean, u.quarantined), (5, 3, 2), "{u:?}");
    let (rows, _) = s.od.rows(d.id, 0, 10).await.unwrap();
    assert_eq!(rows.len(), 3);
    let year = chrono::Datelike::year(&chrono::Utc::now());
    let band = |born: i32| {
        let low = (year - born) / 10 * 10;
        format!("{low}–{}", low + 9)
    };
    assert_eq!(rows[0], ["A1", "", &band(1985), "Phường Hoàn Kiếm", "<3"]);
    assert_eq!(rows[1][4], "7");
    for r in &rows {
        assert!(r[1].is_empty(), "no identity number is published");
        assert!(!r.iter().any(|c| c.contains("0011")), "{r:?}");
    }
    let held = s.od.quarantine(d.id, "open", 10).await.unwrap();
    assert_eq!(held.len(), 2);
    assert_eq!(held[0].errors[0].error_type.as_str(), "k-anonymity");
    // A later file brings a third row to the Tây Hồ group of the same age band: all three go out.
    let second = "ma,cccd,ngay_sinh,phuong_xa,so_lan\nB3,001195012350,10/08/1995,Phường Tây Hồ,9\n";
    let u2 =
        s.od.upload("an.nv", d.id, "b.csv", second.as_bytes())
            .await
            .unwrap();
    let u2 = s.od.run_upload(u2.id).await.unwrap();
    assert_eq!((u2.clean, u2.quarantined), (1, 0));
    assert_eq!(s.od.rows(d.id, 0, 10).await.unwrap().1, 6);
    assert!(s.od.quarantine(d.id, "open", 10).await.unwrap().is_empty());
    // A restricted dataset is not shared.
    let mut closed = new_dataset(s.agency);
    closed.name = "noi-bo".into();
    closed.sensitivity = "restricted".into();
    closed.schema_json = schema("keep");
    s.od.create_dataset("an.nv", &closed).await.unwrap();
    let public: Vec<String> =
        s.od.public_datasets()
            .await
            .unwrap()
            .into_iter()
            .map(|d| d.name)
            .collect();
    assert_eq!(public, vec!["tiem-chung"]);
    assert!(s.od.public_dataset("noi-bo").await.is_err());
    assert_eq!(
        d.shared_fields()
            .iter()
            .map(|(i, _)| *i)
            .collect::<Vec<_>>(),
        vec![0, 2, 3, 4],
        "the dropped column is not shared"
    );
}

/// A birth date shared as an age band is reckoned in the year the row is published, on the
/// service's clock (the demo's 2023 rows are 2023's ages).
#[tokio::test]
async fn ages_are_reckoned_in_the_year_of_publishing() {
    let s = setup().await;
    let mut new = new_dataset(s.agency);
    new.name = "tuoi".into();
    new.sensitivity = "deidentified".into();
    new.schema_json = r#"{"fields": [
        {"name": "ma", "constraints": {"required": true}},
        {"name": "ngay_sinh", "type": "date", "format": "%d/%m/%Y", "lantoa:share": "age_band"}
    ], "primaryKey": "ma"}"#
        .into();
    let at = |y| {
        lantoa_store::Clock::manual(
            chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, y, 6, 1, 3, 0, 0).unwrap(),
        )
    };
    let then = s.od.clone().with_clock(at(2023));
    let d = then.create_dataset("an.nv", &new).await.unwrap();
    let u = then
        .upload("an.nv", d.id, "a.csv", b"ma,ngay_sinh\nA1,05/03/1985\n")
        .await
        .unwrap();
    then.run_upload(u.id).await.unwrap();
    let later = s.od.clone().with_clock(at(2026));
    let u = later
        .upload("an.nv", d.id, "b.csv", b"ma,ngay_sinh\nA2,05/03/1985\n")
        .await
        .unwrap();
    later.run_upload(u.id).await.unwrap();
    let (rows, _) = s.od.rows(d.id, 0, 10).await.unwrap();
    let band = |k: &str| rows.iter().find(|r| r[0] == k).unwrap()[1].clone();
    assert_eq!(
        (band("A1"), band("A2")),
        ("30–39".to_owned(), "40–49".to_owned())
    );
}

#[tokio::test]
async fn quality_and_timeliness_come_from_the_uploads() {
    let s = setup().await;
    let d = with_first_upload(&s).await;
    let uploads = s.od.uploads(d.id).await.unwrap();
    let q = uploads[0].quality();
    // 6 rows read, 1 repeat: 3 clean of 5 distinct; every cell of the clean rows filled.
    assert_eq!(
        (q.valid, q.complete, q.unique),
        (Some(60.0), Some(100.0), Some(83.3))
    );
    let done = uploads[0].finished_at.unwrap();
    let day = 86_400_000_000i64;
    let t = lantoa_opendata::quality::timeliness(&d, &uploads, done + 3 * day);
    assert!(t.alive && t.age_days == Some(3) && t.allowed_days == Some(31));
    let late = lantoa_opendata::quality::timeliness(&d, &uploads, done + 40 * day);
    assert!(!late.alive);
    let never = lantoa_opendata::quality::timeliness(&d, &[], done);
    assert!(!never.alive && never.last_update.is_none());
    let svg =
        lantoa_opendata::quality::chart_svg(&uploads, "Chất lượng <v1>", ["đúng", "đủ", "sạch"]);
    assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
    assert_eq!(svg.matches("<polyline").count(), 3);
    assert!(svg.contains("Chất lượng &lt;v1&gt;"), "titles are escaped");
    assert!(svg.contains(">v1<"));
}

#[tokio::test]
async fn possible_duplicates_keep_hoa_and_hoa_apart_but_hint_at_them() {
    let s = setup().await;
    let mut new = new_dataset(s.agency);
    new.schema_json = r#"{"fields": [{"name": "ma"}, {"name": "ho_ten", "lantoa:kind": "name"}], "primaryKey": "ma"}"#.into();
    // People's names: kept in the department, not shared.
    new.sensitivity = "restricted".into();
    let d = s.od.create_dataset("an.nv", &new).await.unwrap();
    let csv = "ma,ho_ten\nP1,Nguyễn Văn Hòa\nP2,nguyễn văn hoà\nP3,Trần Thị Hóa\nP4,Trần Thị Hòa\nP5,Lê Văn Bình\n";
    read(&s, d.id, "p.csv", csv.as_bytes()).await;
    let found = s.od.duplicate_suggestions(d.id, 10).await.unwrap();
    let strict: Vec<_> = found.iter().filter(|g| g.level == "strict").collect();
    let hints: Vec<_> = found.iter().filter(|g| g.level == "hint").collect();
    assert_eq!(strict.len(), 1, "{found:?}");
    let ids: Vec<&str> = strict[0].rows.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(
        ids,
        ["P1", "P2"],
        "Hòa and Hoà are one name written two ways"
    );
    // Hòa and Hóa are different names: never strict, only a hint.
    assert!(
        hints
            .iter()
            .any(|g| g.rows.iter().any(|r| r[1] == "Trần Thị Hóa")
                && g.rows.iter().any(|r| r[1] == "Trần Thị Hòa")),
        "{found:?}"
    );
    assert!(
        found
            .iter()
            .all(|g| !g.rows.iter().any(|r| r[1] == "Lê Văn Bình"))
    );
}

/// The sharing rules hold on every change, not only on create: a restricted dataset switched to
/// open (the console's form or CKAN's package_patch alike) is refused while a column labelled
/// personal is kept, or while its stored rows hold personal data by content.
#[tokio::test]
async fn opening_a_restricted_dataset_checks_the_rules_again() {
    let s = setup().await;
    let mut closed = new_dataset(s.agency);
    closed.name = "ho-tro".into();
    closed.sensitivity = "restricted".into();
    closed.schema_json = r#"{"fields": [
        {"name": "ma", "constraints": {"required": true}},
        {"name": "cccd", "lantoa:kind": "cccd"},
        {"name": "so_tien", "type": "integer"}
    ], "primaryKey": "ma"}"#
        .into();
    let d = s.od.create_dataset("an.nv", &closed).await.unwrap();
    let open = lantoa_opendata::DatasetPatch {
        sensitivity: Some("open".into()),
        ..Default::default()
    };
    let e = s.od.patch_dataset("an.nv", d.id, &open).await.unwrap_err();
    assert!(
        matches!(
            &e,
            Error::Invalid {
                field: "sensitivity",
                ..
            }
        ) && e.to_string().contains("Field cccd"),
        "{e}"
    );
    assert_eq!(s.od.dataset(d.id).await.unwrap().sensitivity, "restricted");
    // Unlabelled, but its rows hold telephone numbers.
    let mut quiet = new_dataset(s.agency);
    quiet.name = "lien-he".into();
    quiet.sensitivity = "restricted".into();
    quiet.schema_json = r#"{"fields": [
        {"name": "ma", "constraints": {"required": true}},
        {"name": "ghi_chu"}
    ], "primaryKey": "ma"}"#
        .into();
    let q = s.od.create_dataset("an.nv", &quiet).await.unwrap();
    let file = "ma,ghi_chu\nA1,0912345678\nA2,0987654321\nA3,0903123456\nA4,0868123456\nA5,0372123456\nA6,chưa có\n";
    let u = read(&s, q.id, "lh.csv", file.as_bytes()).await;
    assert_eq!(u.clean, 6, "a restricted dataset keeps them: {u:?}");
    let e = s.od.patch_dataset("an.nv", q.id, &open).await.unwrap_err();
    assert!(
        e.to_string().contains("Column ghi_chu") && e.to_string().contains("telephone numbers"),
        "{e}"
    );
    assert_eq!(s.od.dataset(q.id).await.unwrap().sensitivity, "restricted");
    assert!(s.od.public_dataset("lien-he").await.is_err());
}

/// A shared dataset looks at a file's content before it publishes a row of it: a column of
/// telephone numbers, e-mail addresses or full names no label warned of refuses the file, and
/// nothing of it is published; dropped, or declared not personal, it goes through.
#[tokio::test]
async fn personal_data_found_by_content_refuses_the_file_of_a_shared_dataset() {
    let s = setup().await;
    let schema = |extra: &str| {
        format!(
            r#"{{"fields": [
                {{"name": "ma", "constraints": {{"required": true}}}},
                {{"name": "nguoi_lien_he"{extra}}},
                {{"name": "so_luong", "type": "integer"}}
            ], "primaryKey": "ma"}}"#
        )
    };
    let mut new = new_dataset(s.agency);
    new.name = "diem-tiem".into();
    new.schema_json = schema("");
    let d = s.od.create_dataset("an.nv", &new).await.unwrap();
    let names = "ma,nguoi_lien_he,so_luong\nT1,Nguyễn Văn An,3\nT2,Trần Thị Bích Ngọc,5\nT3,Lê Minh Tuấn,4\nT4,Phạm Thu Hà,2\nT5,Hoàng Văn Nam,6\n";
    let u = read(&s, d.id, "tiem.csv", names.as_bytes()).await;
    assert_eq!(u.status, "refused", "{u:?}");
    assert!(
        u.problems.iter().any(|p| p.error_type == "personal-data"
            && p.note.to_string().contains("Column nguoi_lien_he")
            && p.note.to_string().contains("full names")),
        "{:?}",
        u.problems
    );
    assert_eq!(
        s.od.rows(d.id, 0, 10).await.unwrap().1,
        0,
        "nothing published"
    );
    let emails = "ma,nguoi_lien_he,so_luong\nT1,an@x.vn,3\nT2,ngoc@x.vn,5\nT3,tuan@x.vn,4\nT4,ha@y.vn,2\nT5,nam@z.vn,6\n";
    let u = read(&s, d.id, "tiem2.csv", emails.as_bytes()).await;
    assert_eq!(u.status, "refused", "{u:?}");
    assert_eq!(s.od.rows(d.id, 0, 10).await.unwrap().1, 0);
    // Streets named after historical figures, declared so: published.
    let mut streets = new_dataset(s.agency);
    streets.name = "duong-pho".into();
    streets.schema_json = schema(r#", "lantoa:personal": false"#);
    let st = s.od.create_dataset("an.nv", &streets).await.unwrap();
    let u = read(&s, st.id, "pho.csv", names.as_bytes()).await;
    assert_eq!((u.status.as_str(), u.clean), ("done", 5), "{u:?}");
    // Dropped: published without it.
    let mut dropped = new_dataset(s.agency);
    dropped.name = "diem-tiem-2".into();
    dropped.schema_json = schema(r#", "lantoa:share": "drop""#);
    let dr = s.od.create_dataset("an.nv", &dropped).await.unwrap();
    let u = read(&s, dr.id, "tiem.csv", names.as_bytes()).await;
    assert_eq!((u.status.as_str(), u.clean), ("done", 5), "{u:?}");
}

/// The per-batch statement that closes quarantined rows a later upload replaced looks its keys
/// up in the (dataset, key, status) index, on both databases: scanning the dataset's open
/// quarantined rows instead made ingest grow with rows × dirty rows (1M rows with 15% dirty took
/// 243–271 s; `cargo xtask bench opendata` now shows it linear).
#[tokio::test]
async fn replacing_quarantined_rows_looks_up_keys_not_every_open_row() {
    use lantoa_store::Backend;
    let s = setup().await;
    let sql = lantoa_opendata::service::close_replaced_sql(3);
    let db = &s.t.db;
    // The statement's parameters: who, when, dataset, replacing upload, three keys.
    fn bound<'q>(
        q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    ) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
        q.bind("upload:2")
            .bind(1_i64)
            .bind(1_i64)
            .bind(2_i64)
            .bind("a")
            .bind("b")
            .bind("c")
    }
    let sqlite_plan = format!("EXPLAIN QUERY PLAN {sql}");
    let pg_plan = format!("EXPLAIN {sql}");
    let plan: Vec<String> = match db.backend() {
        Backend::Sqlite => {
            let rows = bound(sqlx::query(&sqlite_plan))
                .fetch_all(db.pool())
                .await
                .unwrap();
            rows.iter()
                .map(|r| sqlx::Row::try_get::<String, _>(r, 3).unwrap())
                .collect()
        }
        Backend::Postgres => {
            // PostgreSQL plans by statistics: give it a dataset with 5,000 open quarantined
            // rows (foreign keys off, in a transaction rolled back), as an ingest of a dirty
            // file leaves, and let it count them.
            let mut tx = db.pool().begin().await.unwrap();
            for stmt in [
                "SET LOCAL session_replication_role = replica",
                "INSERT INTO opendata_quarantine (dataset_id, upload_id, row_number, row_key, cells_json, errors_json, status)
                 SELECT 1, 1, n, 'HS' || n, '[]', '[]', 'open' FROM generate_series(1, 5000) AS n",
                "ANALYZE opendata_quarantine",
            ] {
                sqlx::query(stmt).execute(&mut *tx).await.unwrap();
            }
            let rows = bound(sqlx::query(&pg_plan))
                .fetch_all(&mut *tx)
                .await
                .unwrap();
            let plan = rows
                .iter()
                .map(|r| sqlx::Row::try_get::<String, _>(r, 0).unwrap())
                .collect();
            tx.rollback().await.unwrap();
            plan
        }
    };
    let plan = plan.join("\n");
    assert!(plan.contains("opendata_quarantine_key"), "{plan}");
    assert!(!plan.contains("opendata_quarantine_dataset"), "{plan}");
}

/// A schema with its district in a column of its own, named as agencies name it.
const PLACES: &str = r#"{
  "fields": [
    {"name": "ma_diem", "constraints": {"required": true}},
    {"name": "phuong_xa", "lantoa:kind": "commune", "constraints": {"required": true}},
    {"name": "quan_huyen"},
    {"name": "ngay_lap", "type": "date", "format": "%d/%m/%Y"}
  ],
  "primaryKey": "ma_diem"
}"#;

/// The rows of a file whose names are old units, dated `day`.
fn old_rows(day: &str) -> String {
    format!(
        "ma_diem,phuong_xa,quan_huyen,ngay_lap
P1,Xã Hòa Phú,Huyện Ứng Hòa,{day}
P2,Xã Tân Dân,Huyện Sóc Sơn,{day}
P3,Xã Tân Dân,,{day}
P4,Phường Ô Chợ Dừa,,{day}
P5,Phường Phúc Xá,,{day}
P6,Xã Hòa Phú,,{day}
P7,Phường Phúc Xá,Quận Không Có,{day}
"
    )
}

/// Each key's published commune, and each quarantined key's errors' notes.
async fn placed(
    s: &Setup,
    dataset_id: i64,
) -> (
    std::collections::BTreeMap<String, String>,
    std::collections::BTreeMap<String, String>,
) {
    let (rows, _) = s.od.rows(dataset_id, 0, 100).await.unwrap();
    let published = rows
        .into_iter()
        .map(|r| (r[0].clone(), r[1].clone()))
        .collect();
    let held =
        s.od.quarantine(dataset_id, "open", 100)
            .await
            .unwrap()
            .into_iter()
            .map(|q| {
                let notes: Vec<String> = q.errors.iter().map(|e| e.note.to_string()).collect();
                (q.cells[0].clone(), notes.join(" | "))
            })
            .collect();
    (published, held)
}

/// A row is read as it was written: a file dated before 1/7/2025 names old units (a divided
/// one is never guessed, even where a current ward has its name), a district column narrows a
/// name shared across districts, and a file of today names today's units. The upload records
/// which it read and why.
#[tokio::test]
async fn a_file_is_read_in_the_units_of_its_time() {
    let s = setup().await;
    let mut new = new_dataset(s.agency);
    new.schema_json = PLACES.into();
    let d = s.od.create_dataset("an.nv", &new).await.unwrap();
    let u = read(&s, d.id, "2024.csv", old_rows("30/11/2024").as_bytes()).await;
    assert_eq!(
        (u.names.as_deref(), u.latest_date.as_deref()),
        (Some("old"), Some("2024-11-30"))
    );
    assert_eq!((u.rows, u.clean, u.quarantined), (7, 3, 4));
    let (published, held) = placed(&s, d.id).await;
    let want: std::collections::BTreeMap<String, String> = [
        ("P1", "Xã Hòa Xá"),
        ("P2", "Xã Kim Anh"),
        ("P5", "Phường Hồng Hà"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    assert_eq!(published, want);
    // Two old Xã Tân Dân and two old Xã Hòa Phú: named with their districts as written.
    assert!(
        held["P3"].contains("Xã Tân Dân (Huyện Sóc Sơn)")
            && held["P3"].contains("Xã Tân Dân (Huyện Phú Xuyên)"),
        "{}",
        held["P3"]
    );
    assert!(
        held["P4"].contains("Phường Ô Chợ Dừa (Quận Đống Đa)")
            && held["P4"].contains("divided between"),
        "{}",
        held["P4"]
    );
    assert!(held["P6"].contains("Huyện Ứng Hòa"), "{}", held["P6"]);
    assert!(
        held["P7"].contains("\"Quận Không Có\" was no district"),
        "{}",
        held["P7"]
    );
    for note in held.values() {
        assert!(
            !note.contains("huyêṇ") && !note.contains("phươǹg"),
            "{note}"
        );
    }

    // The same names in a file of 2026 are today's units where today has them.
    let u = read(&s, d.id, "2026.csv", old_rows("02/03/2026").as_bytes()).await;
    assert_eq!(
        (u.names.as_deref(), u.latest_date.as_deref()),
        (Some("current"), Some("2026-03-02"))
    );
    let (published, _) = placed(&s, d.id).await;
    assert_eq!(published["P4"], "Phường Ô Chợ Dừa");
    assert_eq!(published["P6"], "Xã Hòa Phú");
    // A district column still says the row is old.
    assert_eq!(published["P1"], "Xã Hòa Xá");

    // The uploader's "as of" date outweighs the file's dates.
    let mut staged = s.od.stage().await.unwrap();
    staged
        .write(old_rows("02/03/2026").replace("P", "Q").as_bytes())
        .await
        .unwrap();
    let as_of = chrono::NaiveDate::from_ymd_opt(2024, 12, 31);
    let u =
        s.od.upload_staged("an.nv", d.id, "asof.csv", staged, as_of)
            .await
            .unwrap();
    let u = s.od.run_upload(u.id).await.unwrap();
    assert_eq!(
        (u.names.as_deref(), u.as_of.as_deref(), u.latest_date),
        (Some("old"), Some("2024-12-31"), None)
    );
    let (published, held) = placed(&s, d.id).await;
    assert!(!published.contains_key("Q4") && held.contains_key("Q4"));
    // A row fixed later is read as its file was: the old ward is still divided.
    let q4 =
        s.od.quarantine(d.id, "open", 100)
            .await
            .unwrap()
            .into_iter()
            .find(|q| q.cells[0] == "Q4")
            .unwrap();
    let mut cells = q4.cells.clone();
    cells[3] = "01/12/2024".into();
    assert!(matches!(
        s.od.fix("an.nv", q4.id, &cells).await.unwrap(),
        FixOutcome::StillDirty(_)
    ));
    cells[1] = "Phường Đống Đa".into();
    assert_eq!(
        s.od.fix("an.nv", q4.id, &cells).await.unwrap(),
        FixOutcome::Published
    );
}

/// A file exported in TCVN3 is published as Unicode, and the upload says it was TCVN3.
#[tokio::test]
async fn an_upload_in_tcvn3_says_so_and_publishes_unicode() {
    let s = setup().await;
    let mut new = new_dataset(s.agency);
    new.schema_json = PLACES.into();
    let d = s.od.create_dataset("an.nv", &new).await.unwrap();
    // "Phường Phúc Xá, Quận Ba Đình", "Xã Tân Dân, Huyện Sóc Sơn" in TCVN3 bytes.
    let file: &[u8] = b"ma_diem,phuong_xa,quan_huyen,ngay_lap\n\
        T1,Ph\xad\xeang Ph\xf3c X\xb8,Qu\xcbn Ba \xa7\xd7nh,01/03/2024\n\
        T2,X\xb7 T\xa9n D\xa9n,Huy\xd6n S\xe3c S\xacn,01/03/2024\n";
    let u = read(&s, d.id, "tcvn3.csv", file).await;
    let (_, held) = placed(&s, d.id).await;
    assert_eq!(
        (u.encoding.as_deref(), u.clean, u.quarantined),
        (Some("tcvn3"), 2, 0),
        "{held:?}"
    );
    let (published, _) = placed(&s, d.id).await;
    assert_eq!(published["T1"], "Phường Hồng Hà");
    assert_eq!(published["T2"], "Xã Kim Anh");
}

/// Groups and tags, as stored: a group's name is unique, a bad tag or an unknown group changes
/// nothing, counts are of public datasets only; and a published row keeps its number when a
/// later upload replaces its values.
#[tokio::test]
async fn groups_tags_and_row_numbers_are_kept() {
    let s = setup().await;
    let d = with_first_upload(&s).await;
    let g =
        s.od.create_group("an.nv", "ha-tang-so", "Hạ tầng số", "")
            .await
            .unwrap();
    assert!(matches!(
        s.od.create_group("an.nv", "ha-tang-so", "Lần nữa", "")
            .await,
        Err(Error::Duplicate(_))
    ));
    assert!(matches!(
        s.od.create_group("an.nv", "Hạ Tầng", "x", "").await,
        Err(Error::Invalid { field: "name", .. })
    ));
    let tags = vec![
        "wifi".to_owned(),
        " Hạ  tầng ".to_owned(),
        "WIFI".to_owned(),
    ];
    let l =
        s.od.set_labels("an.nv", d.id, Some(&tags), Some(&["ha-tang-so".to_owned()]))
            .await
            .unwrap();
    // Trimmed, spaces made one; "WIFI" and "wifi" are one tag (the first kept, by its key).
    assert_eq!(l.tags.len(), 2, "{:?}", l.tags);
    assert!(l.tags.contains(&"Hạ tầng".to_owned()));
    assert_eq!(l.groups, vec![g.clone()]);
    for (tags, groups, field) in [
        (Some(vec!["x".to_owned()]), None, "tags"),
        (Some(vec!["a/b".to_owned()]), None, "tags"),
        (None, Some(vec!["khong-co".to_owned()]), "groups"),
    ] {
        let e =
            s.od.set_labels("an.nv", d.id, tags.as_deref(), groups.as_deref())
                .await
                .unwrap_err();
        assert!(
            matches!(e, Error::Invalid { field: f, .. } if f == field),
            "{e}"
        );
    }
    assert_eq!(s.od.labels(d.id).await.unwrap(), l, "nothing changed");
    assert_eq!(s.od.groups().await.unwrap(), vec![(g.clone(), 1)]);
    assert_eq!(s.od.tags().await.unwrap().len(), 2);
    // A restricted dataset is counted nowhere public.
    s.od.patch_dataset(
        "an.nv",
        d.id,
        &lantoa_opendata::DatasetPatch {
            sensitivity: Some("restricted".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(s.od.groups().await.unwrap(), vec![(g, 0)]);
    assert!(s.od.tags().await.unwrap().is_empty());

    // Row numbers: W001's stays when its values change; a new key gets a new one.
    let (before, _) = s.od.records(d.id, 0, 100).await.unwrap();
    let w001 = before
        .iter()
        .find(|(_, r)| r[0] == "W001")
        .map(|(id, _)| *id)
        .unwrap();
    let top = before.iter().map(|(id, _)| *id).max().unwrap();
    read(
        &s,
        d.id,
        "lan-2.csv",
        "ma_diem;ten;phuong_xa;toc_do_mbps;ngay_lap\nW001;Hồ Gươm;Phường Hoàn Kiếm;300;01/07/2025\nW009;Mới;Phường Hoàn Kiếm;10;01/07/2025\n".as_bytes(),
    )
    .await;
    let (after, _) = s.od.records(d.id, 0, 100).await.unwrap();
    let find = |key: &str| after.iter().find(|(_, r)| r[0] == key).cloned().unwrap();
    assert_eq!(find("W001").0, w001);
    assert_eq!(find("W001").1[3], "300");
    assert!(find("W009").0 > top);
    let mut ids: Vec<i64> = after.iter().map(|(id, _)| *id).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), after.len(), "numbers are unique");
}

/// Rows published before the row numbers existed are numbered per dataset in key order by the
/// migration, and the next new row comes after them.
#[tokio::test]
async fn rows_published_before_row_numbers_are_numbered_by_the_migration() {
    let before = lantoa_store::migrate::MigrationSet {
        component: "opendata",
        migrations: lantoa_opendata::MIGRATIONS.migrations.split_at(3).0,
    };
    let t = TestDb::new(&[&lantoa_registry::MIGRATIONS, &before])
        .await
        .unwrap();
    for (id, name) in [(1, "mot"), (2, "hai")] {
        sqlx::query(
            "INSERT INTO opendata_datasets (id, name, title, notes, owner_unit_id, license_id, cadence, sensitivity, schema_json, created_by, created_at, updated_at)
             VALUES ($1, $2, 'T', '', 1, 'cc-by-4.0', 'monthly', 'open', $3, 'test', 0, 0)",
        )
        .bind(id as i64)
        .bind(name)
        .bind(r#"{"fields": [{"name": "ma"}], "primaryKey": "ma"}"#)
        .execute(t.db.pool())
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO opendata_uploads (id, dataset_id, version, file_name, blob_sha256, status, uploaded_by, uploaded_at)
             VALUES ($1, $1, 1, 'a.csv', 'x', 'done', 'test', 0)",
        )
        .bind(id as i64)
        .execute(t.db.pool())
        .await
        .unwrap();
    }
    for (dataset, key) in [(1, "B"), (1, "A"), (2, "Z"), (1, "C")] {
        sqlx::query(
            "INSERT INTO opendata_rows (dataset_id, row_key, upload_id, row_number, values_json, published_at)
             VALUES ($1, $2, $1, 2, $3, 0)",
        )
        .bind(dataset as i64)
        .bind(key)
        .bind(format!("[\"{key}\"]"))
        .execute(t.db.pool())
        .await
        .unwrap();
    }
    lantoa_store::migrate::run(&t.db, &[&lantoa_opendata::MIGRATIONS])
        .await
        .unwrap();
    let registry = Registry::new(t.db.clone());
    let od = OpenData::new(
        t.db.clone(),
        registry,
        BlobStore::new(t.db.clone(), t.dir.path().join("blobs")),
    )
    .unwrap();
    let (rows, _) = od.records(1, 0, 10).await.unwrap();
    let numbered: Vec<(i64, String)> = rows.into_iter().map(|(id, r)| (id, r[0].clone())).collect();
    assert_eq!(
        numbered,
        vec![
            (1, "A".to_owned()),
            (2, "B".to_owned()),
            (3, "C".to_owned())
        ]
    );
    assert_eq!(od.records(2, 0, 10).await.unwrap().0[0].0, 1);
    let next: i64 = sqlx::query("SELECT next_row_id FROM opendata_datasets WHERE id = 1")
        .fetch_one(t.db.pool())
        .await
        .unwrap()
        .try_get(0)
        .unwrap();
    assert_eq!(next, 4);
}
