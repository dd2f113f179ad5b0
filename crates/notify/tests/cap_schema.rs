//! The CAP Lantoa writes is valid against the OASIS CAP 1.2 XML schema
//! (`data/notify/cap-1.2.xsd`), checked by libxml2's `xmllint` — run by `cargo xtask test`,
//! which installs it and sets `LANTOA_XMLLINT`. A document the schema refuses is refused by
//! the same check, so the check can fail.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers: a panic is the failure report

use chrono::DateTime;
use lantoa_notify::cap::{
    Alert, Area, Category, Certainty, Info, MsgType, Scope, Severity, Status, Urgency,
};

fn schema() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/notify/cap-1.2.xsd")
}

/// Whether xmllint finds `xml` valid, with what it said.
fn valid(xml: &str) -> (bool, String) {
    let xmllint = std::env::var("LANTOA_XMLLINT").expect("LANTOA_XMLLINT names xmllint");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("alert.xml");
    std::fs::write(&file, xml).unwrap();
    let out = std::process::Command::new(xmllint)
        .arg("--noout")
        .arg("--schema")
        .arg(schema())
        .arg(&file)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn alert() -> Alert {
    let t = |s: &str| DateTime::parse_from_rfc3339(s).unwrap();
    Alert {
        identifier: "LANTOA-20260922-00001".into(),
        sender: "canhbao@example.gov.vn".into(),
        sent: t("2026-09-22T07:30:00+07:00"),
        status: Status::Actual,
        msg_type: MsgType::Alert,
        scope: Scope::Public,
        addresses: None,
        references: Vec::new(),
        note: None,
        info: vec![Info {
            language: "vi-VN".into(),
            categories: vec![Category::Met],
            event: "Bão số 9".into(),
            urgency: Urgency::Expected,
            severity: Severity::Severe,
            certainty: Certainty::Likely,
            sender_name: Some("UBND thành phố".into()),
            headline: Some("Bão số 9 & mưa lớn <khẩn>".into()),
            description: Some("Gió mạnh cấp 8–9.".into()),
            instruction: Some("Hạn chế ra đường.".into()),
            effective: Some(t("2026-09-22T12:00:00+07:00")),
            expires: Some(t("2026-09-23T12:00:00+07:00")),
            areas: vec![Area {
                area_desc: "Phường Ba Đình".into(),
                polygons: vec![vec![
                    (21.03, 105.83),
                    (21.04, 105.84),
                    (21.05, 105.83),
                    (21.03, 105.83),
                ]],
                circles: vec![(21.03, 105.83, 2.5)],
                geocodes: vec![("MA_XA".into(), "00004".into())],
            }],
        }],
    }
}

#[test]
#[ignore = "needs xmllint: run by `cargo xtask test`"]
fn the_cap_lantoa_writes_is_valid_cap_1_2() {
    let a = alert();
    let cancel = Alert {
        identifier: "LANTOA-20260922-00002".into(),
        msg_type: MsgType::Cancel,
        references: vec![a.reference()],
        ..a.clone()
    };
    let private = Alert {
        identifier: "LANTOA-20260922-00003".into(),
        scope: Scope::Private,
        addresses: Some("ubnd.phuongbadinh@example.gov.vn".into()),
        status: Status::Exercise,
        note: Some("Diễn tập".into()),
        ..a.clone()
    };
    for doc in [a, cancel, private] {
        let xml = doc.to_xml().unwrap();
        let (ok, said) = valid(&xml);
        assert!(ok, "{said}\n{xml}");
    }
    // The check can fail: a status CAP does not know, and a missing scope.
    let good = alert().to_xml().unwrap();
    for bad in [
        good.replace("<status>Actual</status>", "<status>Real</status>"),
        good.replace("<scope>Public</scope>", ""),
    ] {
        let (ok, said) = valid(&bad);
        assert!(!ok, "the schema should refuse:\n{bad}");
        assert!(said.contains("fails to validate"), "{said}");
    }
}
