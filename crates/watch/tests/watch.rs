//! Watch subjects contract: runs on SQLite in `cargo test` and on PostgreSQL in
//! `cargo xtask test`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers: a panic is the failure report

use lantoa_core::unit::UnitKind;
use lantoa_registry::Registry;
use lantoa_store::audit;
use lantoa_store::testing::TestDb;
use lantoa_watch::{Error, ListQuery, NewSubject, RowStatus, SubjectKind, Watch};

async fn setup() -> (TestDb, Watch, Registry) {
    let t = TestDb::new(&[&lantoa_registry::MIGRATIONS, &lantoa_watch::MIGRATIONS])
        .await
        .unwrap();
    let registry = Registry::new(t.db.clone());
    registry
        .load_demo("test", lantoa_registry::DEMO_CITY)
        .await
        .unwrap();
    let watch = Watch::new(t.db.clone(), registry.clone());
    (t, watch, registry)
}

const MIXED: &[u8] = include_bytes!("fixtures/subjects_mixed.csv");

#[tokio::test]
async fn imports_good_rows_and_reports_each_bad_one_with_its_reason() {
    let (t, watch, registry) = setup().await;
    let report = watch.import_csv("lan.nt", MIXED).await.unwrap();
    let by_line = |line: u64| {
        report
            .rows
            .iter()
            .find(|r| r.line == line)
            .unwrap()
            .status
            .clone()
    };
    assert!(
        matches!(by_line(2), RowStatus::Created { .. }),
        "{:?}",
        by_line(2)
    );
    // A known enterprise is linked by tax code (the name in the file differs: the code wins).
    assert!(
        matches!(by_line(3), RowStatus::Created { .. }),
        "{:?}",
        by_line(3)
    );
    assert!(
        matches!(by_line(4), RowStatus::Created { .. }),
        "{:?}",
        by_line(4)
    );
    let reason = |line: u64| match by_line(line) {
        RowStatus::Rejected { field, reason } => format!("{field}: {reason}"),
        other => panic!("line {line} should be rejected, was {other:?}"),
    };
    assert!(
        reason(5).starts_with("url: ") && reason(5).contains("http or https"),
        "{}",
        reason(5)
    );
    assert!(
        reason(6).starts_with("đơn vị chủ quản: ") && reason(6).contains("No unit named"),
        "{}",
        reason(6)
    );
    assert!(
        reason(7).starts_with("mã số thuế: ") && reason(7).contains("check digit"),
        "{}",
        reason(7)
    );
    assert!(
        reason(8).starts_with("ngày cấp: ") && reason(8).contains("31/02/2022"),
        "{}",
        reason(8)
    );
    assert!(reason(9).starts_with("tên: "), "{}", reason(9));
    assert!(
        matches!(by_line(10), RowStatus::AlreadyRegistered { .. }),
        "same site as line 2"
    );
    assert!(matches!(by_line(11), RowStatus::Created { .. }));
    assert_eq!((report.created, report.already, report.rejected), (4, 1, 5));

    let site = watch
        .find_by_url("tintuc-phoco.example")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(site.licence_no.as_deref(), Some("123/GP-TTĐT"));
    assert_eq!(site.licence_date.unwrap().to_string(), "2021-03-05");
    let owner = registry.get(site.managing_unit_id.unwrap()).await.unwrap();
    assert_eq!(owner.code.as_deref(), Some("0159083017"));
    let press = watch
        .find_by_url("https://tinthudo.example")
        .await
        .unwrap()
        .unwrap();
    assert!(press.is_press);
    assert_eq!(
        registry
            .get(press.managing_unit_id.unwrap())
            .await
            .unwrap()
            .kind,
        UnitKind::Agency
    );

    // Importing the same file again changes nothing.
    let again = watch.import_csv("lan.nt", MIXED).await.unwrap();
    assert_eq!((again.created, again.already, again.rejected), (0, 5, 5));
    let (_, total) = watch
        .list(&ListQuery {
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(total, 4);
    assert_eq!(audit::verify(&t.db).await.unwrap().first_break, None);
}

/// A quote that opens and never closes refuses its own row only: the rows after it are read,
/// and a quoted field that spans lines properly is one field. A name of a page's length is
/// refused with its length.
#[tokio::test]
async fn an_unclosed_quote_and_an_overlong_name_are_refused_row_by_row() {
    let (_t, watch, _) = setup().await;
    let long = "Trang tin ".repeat(40);
    let csv = format!(
        "url,tên,mô tả\nhttps://mot.example,Trang Một,bình thường\nhttps://hai.example,\"Trang Hai,chưa đóng ngoặc\nhttps://ba.example,Trang Ba,\"mô tả\nhai dòng\"\nhttps://bon.example,{long},dài\nhttps://nam.example,Trang Năm,cuối\n"
    );
    let report = watch.import_csv("lan.nt", csv.as_bytes()).await.unwrap();
    let status = |line: u64| {
        report
            .rows
            .iter()
            .find(|r| r.line == line)
            .map(|r| r.status.clone())
            .unwrap_or_else(|| panic!("no row at line {line}: {:?}", report.rows))
    };
    assert!(
        matches!(status(2), RowStatus::Created { .. }),
        "{:?}",
        status(2)
    );
    // The field and reason of a refused row.
    let rejected = |line: u64| match status(line) {
        RowStatus::Rejected { field, reason } => (field, reason),
        other => panic!("line {line} should be refused, was {other:?}"),
    };
    let (field, why) = rejected(3);
    assert_eq!(field, "row");
    assert!(why.to_string().contains("never closed"), "{why}");
    assert!(
        matches!(status(4), RowStatus::Created { .. }),
        "{:?}",
        status(4)
    );
    let (field, why) = rejected(6);
    assert_eq!(field, "tên");
    assert!(
        why.to_string().contains("399 characters") && why.to_string().contains("at most 300"),
        "{why}"
    );
    assert!(
        matches!(status(7), RowStatus::Created { .. }),
        "{:?}",
        status(7)
    );
    assert_eq!(
        (report.created, report.rejected),
        (3, 2),
        "{:?}",
        report.rows
    );
    let ba = watch
        .find_by_url("https://ba.example")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(ba.name, "Trang Ba");
}

#[tokio::test]
async fn an_enterprise_given_by_name_and_new_tax_code_is_registered() {
    let (_t, watch, registry) = setup().await;
    let csv = "url,tên,đơn vị chủ quản,mã số thuế\nhttps://moi.example,Trang Mới,Công ty TNHH Trang Mới,0166131864\nhttps://moi2.example,Trang Mới 2,Công ty TNHH Khác,0146281942\n";
    // 0166131864 is a demo enterprise already; 0146281942 is new.
    let report = watch.import_csv("lan.nt", csv.as_bytes()).await.unwrap();
    assert_eq!(report.created, 2, "{:?}", report.rows);
    let new = registry
        .by_code(UnitKind::Enterprise, "0146281942")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(new.name, "Công ty TNHH Khác");
}

#[tokio::test]
async fn a_file_that_is_not_a_subject_list_is_refused_whole() {
    let (_t, watch, _) = setup().await;
    let err = watch.import_csv("x", b"a,b,c\n1,2,3\n").await.unwrap_err();
    assert!(
        matches!(&err, Error::File(m) if m.to_string().contains("no column \"url\"")),
        "{err}"
    );
    let err = watch
        .import_csv("x", b"url,t\xean\nhttps://a.example,\xc0\n")
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::File(m) if m.to_string().contains("not UTF-8")),
        "{err}"
    );
    let (_, total) = watch
        .list(&ListQuery {
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(total, 0);
}

#[tokio::test]
async fn subjects_are_unique_by_address_and_listed_by_kind() {
    let (_t, watch, registry) = setup().await;
    let owner = registry
        .by_code(UnitKind::Enterprise, "0152601816")
        .await
        .unwrap()
        .unwrap();
    let mut s = NewSubject::new(
        SubjectKind::Website,
        "https://www.songhongxanh.example/",
        "Sông Hồng Xanh",
    );
    s.managing_unit_id = Some(owner.id);
    let created = watch.create("lan.nt", &s).await.unwrap();
    assert_eq!(created.host, "songhongxanh.example");
    assert!(matches!(
        watch
            .create(
                "lan.nt",
                &NewSubject::new(SubjectKind::Website, "songhongxanh.example", "X")
            )
            .await,
        Err(Error::Duplicate(_))
    ));
    let mut ghost = NewSubject::new(SubjectKind::Post, "https://facebook.com/p/1", "Bài viết");
    ghost.managing_unit_id = Some(999_999);
    assert!(matches!(
        watch.create("lan.nt", &ghost).await,
        Err(Error::Registry(_))
    ));
    watch
        .create(
            "lan.nt",
            &NewSubject::new(
                SubjectKind::Clip,
                "https://video.example/watch?v=1",
                "Clip 1",
            ),
        )
        .await
        .unwrap();
    let (clips, n) = watch
        .list(&ListQuery {
            kind: Some(SubjectKind::Clip),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!((clips.len(), n), (1, 1));
    let (found, _) = watch
        .list(&ListQuery {
            q: Some("SÔNG HỒNG".into()),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        found.len(),
        1,
        "names match on tone keys, whatever the case"
    );
    let (found, _) = watch
        .list(&ListQuery {
            q: Some("songhong".into()),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    let counts = watch.count_by_kind().await.unwrap();
    assert!(
        counts.contains(&(SubjectKind::Website, 1)) && counts.contains(&(SubjectKind::Clip, 1))
    );
    assert!(matches!(
        watch.get(123_456).await,
        Err(Error::NotFound {
            entity: "subject",
            ..
        })
    ));
}

#[tokio::test]
async fn the_demo_subjects_import_cleanly() {
    let (_t, watch, _) = setup().await;
    let report = watch
        .import_csv("demo", lantoa_watch::DEMO_SUBJECTS.as_bytes())
        .await
        .unwrap();
    assert_eq!(
        (report.created, report.rejected),
        (9, 0),
        "{:?}",
        report.rows
    );
    let press = watch
        .find_by_url("tinthudo.example")
        .await
        .unwrap()
        .unwrap();
    assert!(press.is_press);
}

#[tokio::test]
async fn imports_an_xlsx_sheet_with_number_and_date_cells() {
    let (_t, watch, registry) = setup().await;
    let report = watch
        .import("lan.nt", include_bytes!("fixtures/subjects.xlsx"))
        .await
        .unwrap();
    assert_eq!(
        (report.created, report.rejected),
        (2, 1),
        "{:?}",
        report.rows
    );
    assert!(matches!(&report.rows[2].status, RowStatus::Rejected { field, .. } if field == "url"));
    assert_eq!(report.rows[2].line, 4);
    let site = watch
        .find_by_url("tintuc-phoco.example")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(site.licence_date.unwrap().to_string(), "2021-03-05");
    let owner = registry.get(site.managing_unit_id.unwrap()).await.unwrap();
    assert_eq!(
        owner.code.as_deref(),
        Some("0159083017"),
        "the dropped leading zero is restored"
    );
    let err = watch
        .import("x", b"PK\x03\x04 not really a zip")
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::File(m) if m.to_string().contains(".xlsx")),
        "{err}"
    );
}

/// The list page's one call gives what the page and the counts give apart: the total from the
/// counts without a search, from its own count with one.
#[tokio::test]
async fn the_list_with_its_counts_agrees_with_the_list_and_the_counts() {
    let (_t, watch, _) = setup().await;
    for (kind, url, name) in [
        (SubjectKind::Website, "https://a.example/", "Tin Hòa Bình"),
        (SubjectKind::Website, "https://b.example/", "Tin Sông Hồng"),
        (
            SubjectKind::Clip,
            "https://youtube.com/watch?v=x1",
            "Clip Hòa Lạc",
        ),
    ] {
        watch
            .create("lan", &NewSubject::new(kind, url, name))
            .await
            .unwrap();
    }
    for q in [
        ListQuery::default(),
        ListQuery {
            kind: Some(SubjectKind::Website),
            ..Default::default()
        },
        ListQuery {
            q: Some("hoà".into()),
            ..Default::default()
        },
        ListQuery {
            kind: Some(SubjectKind::Clip),
            q: Some("hoà".into()),
            limit: 1,
            ..Default::default()
        },
    ] {
        let q = ListQuery {
            limit: if q.limit == 0 { 50 } else { q.limit },
            ..q
        };
        let (page, total, counts) = watch.list_with_counts(&q).await.unwrap();
        let (want_page, want_total) = watch.list(&q).await.unwrap();
        assert_eq!((page, total), (want_page, want_total), "{q:?}");
        assert_eq!(counts, watch.count_by_kind().await.unwrap());
    }
}
