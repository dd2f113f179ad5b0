//! Registry contract: runs on SQLite in `cargo test` and on PostgreSQL in `cargo xtask test`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers: a panic is the failure report

use chrono::NaiveDate;
use lantoa_core::unit::UnitKind;
use lantoa_registry::{Conversion, Error, ListQuery, NewUnit, Registry, Status};
use lantoa_store::audit;
use lantoa_store::testing::TestDb;
use serde_json::json;

async fn setup() -> (TestDb, Registry) {
    let t = TestDb::new(&[&lantoa_registry::MIGRATIONS]).await.unwrap();
    let r = Registry::new(t.db.clone());
    (t, r)
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn unit(kind: UnitKind, code: Option<&str>, name: &str, from: NaiveDate) -> NewUnit {
    NewUnit {
        valid_from: from,
        ..NewUnit::new(kind, code, name)
    }
}

#[tokio::test]
async fn loads_hanoi_126_communes_and_wards_once() {
    let (t, r) = setup().await;
    let calls = std::sync::atomic::AtomicUsize::new(0);
    let report = r
        .load_hanoi_communes("admin", |_, _| {
            calls.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        })
        .await
        .unwrap();
    assert_eq!(
        (
            report.created,
            report.already,
            report.legacy,
            report.conversions
        ),
        (126, 0, 526, 794)
    );
    assert!(calls.into_inner() >= 126);
    let (all, total) = r
        .list(&ListQuery {
            kind: Some(UnitKind::Commune),
            limit: 500,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!((all.len(), total), (126, 126));
    let wards = all.iter().filter(|u| u.attrs["type"] == "Phường").count();
    assert_eq!((wards, 126 - wards), (51, 75));
    let ba_dinh = r.by_code(UnitKind::Commune, "4").await.unwrap().unwrap();
    assert_eq!(ba_dinh.name, "Phường Ba Đình");
    assert_eq!(ba_dinh.since, d(2025, 7, 1));

    let again = r.load_hanoi_communes("admin", |_, _| {}).await.unwrap();
    assert_eq!((again.created, again.already, again.legacy), (0, 126, 0));
    assert_eq!(audit::verify(&t.db).await.unwrap().first_break, None);
}

#[tokio::test]
async fn maps_old_communes_whole_or_split_never_guessing() {
    let (_t, r) = setup().await;
    r.load_hanoi_communes("admin", |_, _| {}).await.unwrap();
    match r.convert_legacy_commune("00001").await.unwrap() {
        Conversion::Whole { old, into } => {
            assert_eq!(old.name, "Phường Phúc Xá");
            assert_eq!(
                (into.code.as_str(), into.name.as_str()),
                ("00097", "Phường Hồng Hà")
            );
        }
        other => panic!("expected whole, got {other:?}"),
    }
    match r.convert_legacy_commune("00007").await.unwrap() {
        Conversion::Split { old, into } => {
            assert_eq!(old.name, "Phường Cống Vị");
            let codes: Vec<_> = into
                .iter()
                .map(|t| (t.code.as_str(), t.is_default))
                .collect();
            assert_eq!(codes, vec![("00008", true), ("00025", false)]);
        }
        other => panic!("expected split, got {other:?}"),
    }
    assert!(matches!(
        r.convert_legacy_commune("99999").await,
        Err(Error::UnknownLegacyCommune(_))
    ));
    assert_eq!(
        r.find_legacy_commune("phường cống vị").await.unwrap()[0].code,
        "00007"
    );
}

#[tokio::test]
async fn finds_names_whatever_the_tone_mark_placement() {
    let (_t, r) = setup().await;
    r.load_hanoi_communes("admin", |_, _| {}).await.unwrap();
    let found = r
        .find_by_name(UnitKind::Commune, "phường yên hoà")
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].name, "Phường Yên Hòa");
    let (page, total) = r
        .list(&ListQuery {
            q: Some("HOÀN KIẾM".into()),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!((page.len(), total), (1, 1));
}

#[tokio::test]
async fn enterprises_need_a_valid_tax_code_and_bad_input_writes_nothing() {
    let (t, r) = setup().await;
    let err = r
        .create(
            "admin",
            &NewUnit::new(UnitKind::Enterprise, Some("0100109107"), "Công ty A"),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Invalid { field: "code", .. }), "{err}");
    assert!(err.to_string().contains("check digit"));
    assert!(matches!(
        r.create(
            "admin",
            &NewUnit::new(UnitKind::Enterprise, None, "Công ty A")
        )
        .await,
        Err(Error::Invalid { field: "code", .. })
    ));
    assert!(matches!(
        r.create("admin", &NewUnit::new(UnitKind::Agency, None, "   "))
            .await,
        Err(Error::Invalid { field: "name", .. })
    ));
    let mut bad_attrs = NewUnit::new(UnitKind::Agency, None, "Sở X");
    bad_attrs.attrs = json!([1, 2]);
    assert!(matches!(
        r.create("admin", &bad_attrs).await,
        Err(Error::Invalid { field: "attrs", .. })
    ));

    let e = r
        .create(
            "admin",
            &NewUnit::new(
                UnitKind::Enterprise,
                Some(" 0100109106 "),
                "  Công ty  TNHH  Tin Nhanh ",
            ),
        )
        .await
        .unwrap();
    assert_eq!(e.code.as_deref(), Some("0100109106"));
    assert_eq!(e.name, "Công ty TNHH Tin Nhanh");
    assert!(matches!(
        r.create(
            "admin",
            &NewUnit::new(UnitKind::Enterprise, Some("0100109106"), "Công ty B")
        )
        .await,
        Err(Error::Duplicate {
            kind: UnitKind::Enterprise,
            ..
        })
    ));
    let (_, total) = r
        .list(&ListQuery {
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(total, 1);
    assert_eq!(audit::verify(&t.db).await.unwrap().rows, 1);
}

#[tokio::test]
async fn people_phones_are_normalised_or_rejected() {
    let (_t, r) = setup().await;
    let mut p = NewUnit::new(UnitKind::Person, None, "Trần Thị Bích");
    p.attrs = json!({"phone": "+84 912 345 678", "position": " Chánh  Văn phòng "});
    let u = r.create("admin", &p).await.unwrap();
    assert_eq!(u.attrs["phone"], "0912345678");
    assert_eq!(u.attrs["position"], "Chánh Văn phòng");
    p.attrs = json!({"phone": "call me"});
    assert!(matches!(
        r.create("admin", &p).await,
        Err(Error::Invalid {
            field: "attrs.phone",
            ..
        })
    ));
}

#[tokio::test]
async fn renames_keep_history_and_answer_as_of_a_date() {
    let (t, r) = setup().await;
    let dept = r
        .create(
            "admin",
            &unit(
                UnitKind::Agency,
                Some("STTTT"),
                "Sở Thông tin và Truyền thông",
                d(2008, 8, 1),
            ),
        )
        .await
        .unwrap();
    let renamed = r
        .rename("admin", dept.id, "Sở Khoa học và Công nghệ", d(2025, 3, 1))
        .await
        .unwrap();
    assert_eq!(renamed.name, "Sở Khoa học và Công nghệ");
    let history = r.history(dept.id).await.unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[0].valid_to, Some(d(2025, 3, 1)));
    assert_eq!(history[0].ended.as_deref(), Some("renamed"));
    assert_eq!(
        r.as_of(dept.id, d(2023, 12, 31))
            .await
            .unwrap()
            .unwrap()
            .name,
        "Sở Thông tin và Truyền thông"
    );
    assert_eq!(
        r.as_of(dept.id, d(2025, 3, 1)).await.unwrap().unwrap().name,
        "Sở Khoa học và Công nghệ"
    );
    assert!(r.as_of(dept.id, d(2000, 1, 1)).await.unwrap().is_none());
    assert!(matches!(
        r.rename("admin", dept.id, "X", d(2024, 1, 1)).await,
        Err(Error::DateOrder { .. })
    ));
    let updated = r
        .update(
            "admin",
            dept.id,
            &json!({"address": "185 Giảng Võ"}),
            d(2025, 4, 1),
        )
        .await
        .unwrap();
    assert_eq!(updated.attrs["address"], "185 Giảng Võ");
    assert_eq!(r.history(dept.id).await.unwrap().len(), 3);
    assert_eq!(audit::verify(&t.db).await.unwrap().first_break, None);
}

#[tokio::test]
async fn mergers_and_abolitions_end_units_for_good() {
    let (_t, r) = setup().await;
    let a = r
        .create(
            "admin",
            &unit(UnitKind::PressAgency, Some("GP-1"), "Báo A", d(2010, 1, 1)),
        )
        .await
        .unwrap();
    let b = r
        .create(
            "admin",
            &unit(UnitKind::PressAgency, Some("GP-2"), "Báo B", d(2010, 1, 1)),
        )
        .await
        .unwrap();
    let c = r
        .create(
            "admin",
            &unit(UnitKind::Agency, None, "Cơ quan C", d(2010, 1, 1)),
        )
        .await
        .unwrap();
    assert!(matches!(
        r.merge("admin", &[c.id], a.id, d(2025, 1, 1)).await,
        Err(Error::KindMismatch { .. })
    ));
    r.merge("admin", &[b.id], a.id, d(2025, 1, 1))
        .await
        .unwrap();
    assert_eq!(
        r.get(b.id).await.unwrap().status,
        Status::Merged {
            into: a.id,
            on: d(2025, 1, 1)
        }
    );
    assert!(matches!(
        r.rename("admin", b.id, "Báo B mới", d(2025, 6, 1)).await,
        Err(Error::Ended(_))
    ));
    r.abolish("admin", c.id, d(2025, 7, 1)).await.unwrap();
    assert_eq!(
        r.get(c.id).await.unwrap().status,
        Status::Abolished { on: d(2025, 7, 1) }
    );
    let (active, _) = r
        .list(&ListQuery {
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(active.iter().map(|u| u.id).collect::<Vec<_>>(), vec![a.id]);
    let (all, _) = r
        .list(&ListQuery {
            limit: 10,
            include_ended: true,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(all.len(), 3);
    let counts = r.count_active().await.unwrap();
    assert!(counts.contains(&(UnitKind::PressAgency, 1)));
    assert!(counts.contains(&(UnitKind::Agency, 0)));
}

#[tokio::test]
async fn demo_city_loads_once_with_its_history() {
    let (t, r) = setup().await;
    let created = r
        .load_demo("demo", lantoa_registry::DEMO_CITY)
        .await
        .unwrap();
    assert!(created >= 10, "{created}");
    assert_eq!(
        r.load_demo("demo", lantoa_registry::DEMO_CITY)
            .await
            .unwrap(),
        0
    );
    let old = r
        .by_code(UnitKind::Agency, "STTTT-HN")
        .await
        .unwrap()
        .unwrap();
    let new = r
        .by_code(UnitKind::Agency, "SKHCN-HN")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        old.status,
        Status::Merged {
            into: new.id,
            on: d(2025, 3, 1)
        }
    );
    let renamed = r
        .by_code(UnitKind::Enterprise, "0109139095")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(r.history(renamed.id).await.unwrap().len(), 2);
    assert!(matches!(
        r.load_demo("demo", "agency = 3").await,
        Err(Error::Invalid { .. })
    ));
    assert_eq!(audit::verify(&t.db).await.unwrap().first_break, None);
}
