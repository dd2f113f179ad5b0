//! Propaganda orientation notices: issued to press agencies and commune information points,
//! each with a link of its own; opened and confirmed by the recipient with no sign-in; every
//! refusal named and nothing kept. SQLite in `cargo test`, PostgreSQL in `cargo xtask test`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers: a panic is the failure report

use chrono::TimeZone;
use lantoa_notify::notices::NewNotice;
use lantoa_notify::{Error, Notify};
use lantoa_store::testing::TestDb;

async fn setup() -> (TestDb, Notify, lantoa_store::Clock) {
    let t = TestDb::new(&[&lantoa_notify::MIGRATIONS]).await.unwrap();
    let clock =
        lantoa_store::Clock::manual(chrono::Utc.with_ymd_and_hms(2026, 9, 22, 2, 0, 0).unwrap());
    let n = Notify::new(t.db.clone()).unwrap().with_clock(clock.clone());
    n.add_outlet("tt", "Báo Hà Nội Mới", "press", "", "toasoan@hnm.example")
        .await
        .unwrap();
    n.add_outlet("tt", "Đài PT-TH Hà Nội", "press", "", "0243000000")
        .await
        .unwrap();
    n.add_outlet(
        "tt",
        "Điểm thông tin phường Ba Đình",
        "point",
        "00004",
        "0912000001",
    )
    .await
    .unwrap();
    (t, n, clock)
}

fn notice(kinds: &[&str]) -> NewNotice {
    NewNotice {
        number: "15/HD-STTTT".into(),
        title: "Định hướng tuyên truyền Tháng chuyển đổi số".into(),
        body: "Tập trung tuyên truyền lợi ích của dịch vụ công trực tuyến; không đưa tin chưa kiểm chứng.".into(),
        due: "2026-09-25".into(),
        kinds: kinds.iter().map(|k| (*k).to_owned()).collect(),
        outlets: vec![],
    }
}

#[tokio::test]
async fn each_recipient_opens_its_own_link_and_confirms_reading() {
    let (_t, n, clock) = setup().await;
    let (issued, links) = n.issue_notice("tt", &notice(&["press"])).await.unwrap();
    assert_eq!((issued.recipients, issued.opened, issued.read), (2, 0, 0));
    assert_eq!(links.len(), 2);
    assert!(
        links
            .iter()
            .all(|l| l.outlet.kind == "press" && l.token.starts_with("lt_dh_"))
    );
    // The information point was not chosen; it can be, by id.
    let point = n
        .outlets()
        .await
        .unwrap()
        .into_iter()
        .find(|o| o.kind == "point")
        .unwrap();
    let (second, links2) = n
        .issue_notice(
            "tt",
            &NewNotice {
                number: "16/HD-STTTT".into(),
                kinds: vec![],
                outlets: vec![point.id],
                ..notice(&[])
            },
        )
        .await
        .unwrap();
    assert_eq!(
        (second.recipients, links2[0].outlet.name.as_str()),
        (1, "Điểm thông tin phường Ba Đình")
    );

    let (opened, receipt) = n.open_notice(&links[0].token).await.unwrap();
    assert_eq!(opened.id, issued.id);
    assert_eq!(receipt.outlet, links[0].outlet);
    assert!(receipt.opened_at.is_some() && receipt.read_at.is_none());
    let e = n.confirm_notice(&links[0].token, "  ").await.unwrap_err();
    assert!(
        matches!(
            e,
            Error::Invalid {
                field: "read_by",
                ..
            }
        ),
        "{e}"
    );
    clock.advance(chrono::Duration::hours(1));
    let (_, r) = n
        .confirm_notice(&links[0].token, "Nguyễn Văn A, Phó Tổng biên tập")
        .await
        .unwrap();
    let first_read = r.read_at.unwrap();
    // Confirming again changes nothing.
    clock.advance(chrono::Duration::hours(1));
    let (after, r) = n
        .confirm_notice(&links[0].token, "Someone else")
        .await
        .unwrap();
    assert_eq!(
        (r.read_at, r.read_by.as_deref()),
        (Some(first_read), Some("Nguyễn Văn A, Phó Tổng biên tập"))
    );
    assert_eq!((after.opened, after.read), (1, 1));
    // The console's list: the unread first.
    let receipts = n.receipts(issued.id).await.unwrap();
    assert_eq!(receipts.len(), 2);
    assert!(receipts[0].read_at.is_none() && receipts[1].read_at.is_some());
    // A renewed link: the old one is not found, the new one works.
    let renewed = n
        .renew_link("tt", issued.id, links[1].outlet.id)
        .await
        .unwrap();
    assert!(matches!(
        n.open_notice(&links[1].token).await.unwrap_err(),
        Error::NotFound { .. }
    ));
    assert_eq!(
        n.open_notice(&renewed.token).await.unwrap().1.outlet,
        links[1].outlet
    );
    assert!(matches!(
        n.open_notice("lt_dh_made-up").await.unwrap_err(),
        Error::NotFound { .. }
    ));
}

#[tokio::test]
async fn bad_notices_and_recipients_are_named_and_nothing_is_kept() {
    let (_t, n, _) = setup().await;
    let cases: Vec<(NewNotice, &str, &str)> = vec![
        (
            NewNotice {
                number: " ".into(),
                ..notice(&["press"])
            },
            "number",
            "required",
        ),
        (
            NewNotice {
                body: "".into(),
                ..notice(&["press"])
            },
            "body",
            "required",
        ),
        (
            NewNotice {
                due: "25/13/2026".into(),
                ..notice(&["press"])
            },
            "due",
            "not a date",
        ),
        (
            NewNotice {
                due: "2026-09-01".into(),
                ..notice(&["press"])
            },
            "due",
            "01/09/2026 has passed",
        ),
        (notice(&[]), "kinds", "choose the recipients"),
        (
            notice(&["radio"]),
            "kinds",
            "\"radio\" is not press or point",
        ),
        (
            NewNotice {
                outlets: vec![999],
                ..notice(&[])
            },
            "outlets",
            "no recipient 999",
        ),
    ];
    for (bad, field, says) in cases {
        match n.issue_notice("tt", &bad).await {
            Err(Error::Invalid { field: f, message }) => {
                assert_eq!(f, field, "{message}");
                assert!(
                    message
                        .to_string()
                        .to_lowercase()
                        .contains(&says.to_lowercase()),
                    "{field}: {message}"
                );
            }
            other => panic!("{field}: {other:?}"),
        }
    }
    assert!(n.notices(10).await.unwrap().is_empty());
    n.issue_notice("tt", &notice(&["press"])).await.unwrap();
    let e = n.issue_notice("tt", &notice(&["press"])).await.unwrap_err();
    assert!(matches!(e, Error::Duplicate { .. }), "{e}");
    assert_eq!(n.notices(10).await.unwrap().len(), 1);

    for (name, kind, commune, contact, field) in [
        ("", "press", "", "a@b", "name"),
        ("X", "tv", "", "a@b", "kind"),
        ("X", "point", "99999", "a@b", "commune"),
        ("X", "press", "", " ", "contact"),
    ] {
        match n.add_outlet("tt", name, kind, commune, contact).await {
            Err(Error::Invalid { field: f, .. }) => assert_eq!(f, field),
            other => panic!("{field}: {other:?}"),
        }
    }
    let e = n
        .add_outlet("tt", "Báo Hà Nội Mới", "press", "", "x@y")
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Duplicate { .. }), "{e}");
    assert_eq!(n.outlets().await.unwrap().len(), 3);
}

/// The notice list: searched by number and title on tone keys, in the order asked.
#[tokio::test]
async fn notices_are_paged_searched_and_sorted() {
    use lantoa_notify::browse::{NoticeSort, PageQuery};
    let (_t, n, _clock) = setup().await;
    let (first, _) = n.issue_notice("tt", &notice(&["press"])).await.unwrap();
    let (second, _) = n
        .issue_notice(
            "tt",
            &NewNotice {
                number: "16/HD-STTTT".into(),
                title: "Tuyên truyền phòng chống bão".into(),
                ..notice(&["press"])
            },
        )
        .await
        .unwrap();
    let q = |text: &str, sort| PageQuery {
        q: Some(text.to_owned()),
        sort,
        limit: 1,
        offset: 0,
    };
    let (page, total) = n.notice_page(&q("", NoticeSort::Newest)).await.unwrap();
    assert_eq!(
        (page[0].id, total),
        (second.id, 2),
        "one to a page, two in all"
    );
    let (page, _) = n.notice_page(&q("", NoticeSort::Number)).await.unwrap();
    assert_eq!(page[0].id, first.id);
    let (page, total) = n
        .notice_page(&q("CHUYỂN ĐỔI SỐ", NoticeSort::Newest))
        .await
        .unwrap();
    assert_eq!((page[0].id, total), (first.id, 1));
    let (page, total) = n
        .notice_page(&q("16/hd", NoticeSort::Newest))
        .await
        .unwrap();
    assert_eq!((page[0].id, total), (second.id, 1));
}
