//! Public alerts in CAP 1.2: written from a form and kept as CAP, received from another agency,
//! updated and cancelled by reference; Test and Exercise alerts never public; every refusal
//! named and nothing kept. SQLite in `cargo test`, PostgreSQL in `cargo xtask test`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers: a panic is the failure report

use chrono::TimeZone;
use lantoa_notify::cap::{Alert, MsgType, Status};
use lantoa_notify::{Error, NewAlert, Notify};
use lantoa_store::testing::TestDb;

const SENDER: &str = "canhbao@hanoi.gov.vn";

async fn setup() -> (TestDb, Notify) {
    let t = TestDb::new(&[&lantoa_notify::MIGRATIONS]).await.unwrap();
    let clock =
        lantoa_store::Clock::manual(chrono::Utc.with_ymd_and_hms(2026, 9, 22, 0, 30, 0).unwrap());
    let n = Notify::new(t.db.clone()).unwrap().with_clock(clock);
    (t, n)
}

fn storm() -> NewAlert {
    NewAlert {
        status: "Actual".into(),
        msg_type: "Alert".into(),
        refers_to: None,
        category: "Met".into(),
        event: "Bão số 9".into(),
        urgency: "Expected".into(),
        severity: "Severe".into(),
        certainty: "Likely".into(),
        headline: "Bão số 9 gây mưa rất to từ chiều nay".into(),
        description: "Gió mạnh cấp 8–9, giật cấp 11.".into(),
        instruction: "Hạn chế ra đường; chằng chống nhà cửa.".into(),
        expires: "2026-09-23T12:00".into(),
        communes: vec!["00004".into(), "00008".into()],
        ..Default::default()
    }
}

#[tokio::test]
async fn an_alert_is_written_as_cap_and_public_only_when_actual() {
    let (_t, n) = setup().await;
    let a = n.issue_alert("canhbao", SENDER, &storm()).await.unwrap();
    // A live alert waits for a second person: its author may not approve it.
    assert_eq!((a.state.as_str(), a.public), ("pending", false), "{a:?}");
    assert!(n.alerts(true, 50).await.unwrap().is_empty());
    let e = n.approve_alert("canhbao", a.id).await.unwrap_err();
    assert!(e.to_string().contains("second person"), "{e}");
    // The author's own API token is the same person.
    let e = n
        .approve_alert("canhbao (token 2)", a.id)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("second person"), "{e}");
    let a = n.approve_alert("pheduyet", a.id).await.unwrap();
    assert!(
        a.public && a.origin == "local" && a.approved_by.as_deref() == Some("pheduyet"),
        "{a:?}"
    );
    let e = n.approve_alert("pheduyet", a.id).await.unwrap_err();
    assert!(e.to_string().contains("not waiting"), "{e}");
    let cap = a.cap().unwrap();
    assert_eq!(cap.sent.to_rfc3339(), "2026-09-22T07:30:00+07:00");
    let area = &cap.info[0].areas[0];
    assert_eq!(area.area_desc, "Phường Ba Đình, Phường Ngọc Hà");
    assert_eq!(
        area.geocodes,
        [
            ("MA_XA".to_owned(), "00004".to_owned()),
            ("MA_XA".to_owned(), "00008".to_owned())
        ]
    );
    // A drill: kept, marked, never public.
    let drill = n
        .issue_alert(
            "canhbao",
            SENDER,
            &NewAlert {
                status: "Exercise".into(),
                ..storm()
            },
        )
        .await
        .unwrap();
    assert!(
        !drill.public && drill.state == "approved",
        "a drill needs no approval: {drill:?}"
    );
    assert!(
        drill
            .cap()
            .unwrap()
            .note
            .unwrap()
            .contains("không phải cảnh báo thật")
    );
    let public: Vec<i64> = n
        .alerts(true, 50)
        .await
        .unwrap()
        .iter()
        .map(|x| x.id)
        .collect();
    assert_eq!(public, [a.id]);
    assert_eq!(n.alerts(false, 50).await.unwrap().len(), 2);

    // A Cancel names the alert and withdraws it.
    let cancel = n
        .issue_alert(
            "canhbao",
            SENDER,
            &NewAlert {
                msg_type: "Cancel".into(),
                refers_to: Some(a.id),
                ..storm()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        cancel.cap().unwrap().references,
        [a.cap().unwrap().reference()]
    );
    assert_eq!(n.alert(a.id).await.unwrap().cancelled_by, Some(cancel.id));
    // Refused by the second person: never public.
    let other = n.issue_alert("canhbao", SENDER, &storm()).await.unwrap();
    let other = n.refuse_alert("pheduyet", other.id).await.unwrap();
    assert_eq!((other.state.as_str(), other.public), ("refused", false));
}

#[tokio::test]
async fn a_bad_alert_is_named_and_not_kept() {
    let (_t, n) = setup().await;
    for (new, field) in [
        (
            NewAlert {
                expires: "2026-09-21T12:00".into(),
                ..storm()
            },
            "expires",
        ),
        (
            NewAlert {
                expires: "mai".into(),
                ..storm()
            },
            "expires",
        ),
        (
            NewAlert {
                communes: vec!["99999".into()],
                ..storm()
            },
            "communes",
        ),
        (
            NewAlert {
                communes: vec![],
                ..storm()
            },
            "communes",
        ),
        (
            NewAlert {
                status: "Real".into(),
                ..storm()
            },
            "status",
        ),
        (
            NewAlert {
                severity: "Bad".into(),
                ..storm()
            },
            "severity",
        ),
        (
            NewAlert {
                msg_type: "Cancel".into(),
                ..storm()
            },
            "refers_to",
        ),
        (
            NewAlert {
                headline: " ".into(),
                ..storm()
            },
            "headline",
        ),
    ] {
        let e = n.issue_alert("canhbao", SENDER, &new).await.unwrap_err();
        assert!(
            matches!(&e, Error::Invalid { field: f, .. } if *f == field),
            "{field}: {e}"
        );
    }
    assert!(n.alerts(false, 50).await.unwrap().is_empty());
}

#[tokio::test]
async fn cap_from_another_agency_is_read_kept_once_and_linked() {
    let (_t, n) = setup().await;
    let mine = n.issue_alert("canhbao", SENDER, &storm()).await.unwrap();
    // A weather service's alert, then its update of it.
    let theirs = Alert {
        identifier: "NCHMF-2026-0922-01".into(),
        sender: "canhbao@nchmf.gov.vn".into(),
        ..mine.cap().unwrap()
    };
    let xml = theirs.to_xml().unwrap();
    let kept = n.import_alert("canhbao", &xml).await.unwrap();
    // Kept as theirs, off the public feed until a second person approves it.
    assert_eq!(
        (kept.origin.as_str(), kept.public, kept.state.as_str()),
        ("imported", false, "pending")
    );
    assert!(n.alerts(true, 50).await.unwrap().is_empty());
    let e = n.approve_alert("canhbao", kept.id).await.unwrap_err();
    assert!(e.to_string().contains("second person"), "{e}");
    let kept = n.approve_alert("pheduyet", kept.id).await.unwrap();
    assert_eq!((kept.public, kept.state.as_str()), (true, "approved"));
    assert_eq!(kept.cap().unwrap(), theirs, "read back as received");
    // One that claims the city's own sender is refused, and nothing is kept.
    let own = n.rules().cap_sender.clone().unwrap();
    let forged = Alert {
        identifier: "GIA-MAO-1".into(),
        sender: own.to_uppercase(),
        ..theirs.clone()
    };
    let e = n
        .import_alert("canhbao", &forged.to_xml().unwrap())
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            Error::Invalid {
                field: "sender",
                ..
            }
        ),
        "{e}"
    );
    let again = n.import_alert("canhbao", &xml).await.unwrap_err();
    assert!(matches!(again, Error::Duplicate { .. }), "{again}");
    let update = Alert {
        identifier: "NCHMF-2026-0922-02".into(),
        msg_type: MsgType::Update,
        references: vec![theirs.reference()],
        ..theirs.clone()
    };
    let u = n
        .import_alert("canhbao", &update.to_xml().unwrap())
        .await
        .unwrap();
    assert_eq!(u.refers_to, Some(kept.id));
    // A Cancel from them takes their alert off the feed only once a second person agrees; a
    // reference to an alert of another sender (the city's own) links nothing.
    let cancel = Alert {
        identifier: "NCHMF-2026-0922-03".into(),
        msg_type: MsgType::Cancel,
        references: vec![
            theirs.reference(),
            update.reference(),
            mine.cap().unwrap().reference(),
        ],
        ..theirs.clone()
    };
    let c = n
        .import_alert("canhbao", &cancel.to_xml().unwrap())
        .await
        .unwrap();
    assert_eq!((c.refers_to, c.state.as_str()), (Some(kept.id), "pending"));
    assert_eq!(n.alert(kept.id).await.unwrap().cancelled_by, None);
    assert_eq!(n.alert(mine.id).await.unwrap().cancelled_by, None);
    n.approve_alert("pheduyet", c.id).await.unwrap();
    assert_eq!(n.alert(kept.id).await.unwrap().cancelled_by, Some(c.id));
    // The Cancel names their alert and its Update: both are withdrawn.
    assert_eq!(n.alert(u.id).await.unwrap().cancelled_by, Some(c.id));
    assert_eq!(n.alert(mine.id).await.unwrap().cancelled_by, None);
    // Forwarded on the city's channels: a new alert of the city's that names theirs; an Alert
    // naming one of the city's own is refused (that is an Update).
    let fwd = n
        .issue_alert(
            "canhbao",
            SENDER,
            &NewAlert {
                refers_to: Some(kept.id),
                ..storm()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        (fwd.msg_type.as_str(), fwd.refers_to),
        ("Alert", Some(kept.id))
    );
    assert_eq!(fwd.cap().unwrap().references, vec![theirs.reference()]);
    let e = n
        .issue_alert(
            "canhbao",
            SENDER,
            &NewAlert {
                refers_to: Some(mine.id),
                ..storm()
            },
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            Error::Invalid {
                field: "refers_to",
                ..
            }
        ),
        "{e}"
    );
    // A test message from them is kept but never public.
    let test = Alert {
        identifier: "NCHMF-TEST-1".into(),
        status: Status::Test,
        ..theirs.clone()
    };
    assert!(
        !n.import_alert("canhbao", &test.to_xml().unwrap())
            .await
            .unwrap()
            .public
    );
    // Refused documents keep nothing.
    let before = n.alerts(false, 50).await.unwrap().len();
    for bad in [
        "<alert".to_owned(),
        xml.replace("<severity>Severe</severity>", ""),
        format!("<!DOCTYPE alert [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>{xml}"),
    ] {
        let e = n.import_alert("canhbao", &bad).await.unwrap_err();
        assert!(matches!(e, Error::Cap(_)), "{e}");
    }
    assert_eq!(n.alerts(false, 50).await.unwrap().len(), before);
}

/// A loopback stand-in for the operators' broadcast endpoints: `/ok` acknowledges, `/flaky`
/// refuses its first request, `/auth` wants the token `bi-mat`. Each body received is kept.
async fn operators() -> (
    String,
    std::sync::Arc<std::sync::Mutex<Vec<(String, String)>>>,
) {
    use axum::routing::post;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::<(String, String)>::new()));
    let flaky = std::sync::Arc::new(AtomicUsize::new(0));
    let (s1, s2, s3) = (seen.clone(), seen.clone(), seen.clone());
    let app = axum::Router::new()
        .route(
            "/ok",
            post(move |body: String| async move {
                s1.lock().unwrap().push(("ok".into(), body));
                (axum::http::StatusCode::OK, "VT-ACK-1")
            }),
        )
        .route(
            "/flaky",
            post(move |body: String| async move {
                s2.lock().unwrap().push(("flaky".into(), body));
                if flaky.fetch_add(1, Ordering::SeqCst) == 0 {
                    (axum::http::StatusCode::SERVICE_UNAVAILABLE, "busy")
                } else {
                    (axum::http::StatusCode::ACCEPTED, "MB-ACK-7")
                }
            }),
        )
        .route(
            "/auth",
            post(
                move |headers: axum::http::HeaderMap, body: String| async move {
                    s3.lock().unwrap().push(("auth".into(), body));
                    if headers.get("authorization").and_then(|v| v.to_str().ok())
                        == Some("Bearer bi-mat")
                    {
                        (axum::http::StatusCode::OK, "VN-ACK")
                    } else {
                        (axum::http::StatusCode::UNAUTHORIZED, "who?")
                    }
                },
            ),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}"), seen)
}

#[tokio::test]
async fn an_approved_alert_is_sent_to_each_operator_until_it_acknowledges() {
    use lantoa_notify::broadcast::{Endpoint, MAX_ATTEMPTS};
    let (base, seen) = operators().await;
    let t = TestDb::new(&[&lantoa_notify::MIGRATIONS]).await.unwrap();
    let clock =
        lantoa_store::Clock::manual(chrono::Utc.with_ymd_and_hms(2026, 9, 22, 0, 30, 0).unwrap());
    let endpoint = |operator: &str, path: &str, token: Option<&str>| Endpoint {
        operator: operator.into(),
        url: format!("{base}{path}"),
        token: token.map(str::to_owned),
    };
    let n = Notify::new(t.db.clone())
        .unwrap()
        .with_clock(clock.clone())
        .with_broadcast(vec![
            endpoint("viettel", "/ok", None),
            endpoint("mobifone", "/flaky", None),
            endpoint("vinaphone", "/auth", Some("sai-ma")),
        ]);
    // A drill may not ask the operators.
    let e = n
        .issue_alert(
            "canhbao",
            SENDER,
            &NewAlert {
                status: "Exercise".into(),
                broadcast: true,
                ..storm()
            },
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            &e,
            Error::Invalid {
                field: "broadcast",
                ..
            }
        ),
        "{e}"
    );
    // Nothing goes before the second person approves.
    let a = n
        .issue_alert(
            "canhbao",
            SENDER,
            &NewAlert {
                broadcast: true,
                ..storm()
            },
        )
        .await
        .unwrap();
    assert!(n.broadcasts(a.id).await.unwrap().is_empty());
    n.approve_alert("pheduyet", a.id).await.unwrap();
    let client = lantoa_notify::broadcast::client().unwrap();
    assert_eq!(n.deliver_broadcasts(&client).await.unwrap(), 3);
    let state = |rs: &[lantoa_notify::broadcast::Request], op: &str| {
        let r = rs.iter().find(|r| r.operator == op).unwrap().clone();
        (r.state, r.attempts, r.ack)
    };
    let rs = n.broadcasts(a.id).await.unwrap();
    assert_eq!(
        state(&rs, "viettel"),
        ("acknowledged".into(), 1, Some("VT-ACK-1".into()))
    );
    assert_eq!(state(&rs, "mobifone"), ("pending".into(), 1, None));
    assert_eq!(
        rs.iter()
            .find(|r| r.operator == "mobifone")
            .unwrap()
            .last_error
            .as_deref(),
        Some("HTTP 503 Service Unavailable")
    );
    // Not yet due: nothing is tried; once due, the flaky one acknowledges.
    assert_eq!(n.deliver_broadcasts(&client).await.unwrap(), 0);
    for _ in 0..MAX_ATTEMPTS {
        clock.advance(chrono::Duration::minutes(31));
        n.deliver_broadcasts(&client).await.unwrap();
    }
    let rs = n.broadcasts(a.id).await.unwrap();
    assert_eq!(
        state(&rs, "mobifone"),
        ("acknowledged".into(), 2, Some("MB-ACK-7".into()))
    );
    // The wrong token: given up after the attempts, the reason kept.
    let (s, attempts, _) = state(&rs, "vinaphone");
    assert_eq!((s.as_str(), attempts), ("failed", MAX_ATTEMPTS));
    // What they received is the alert's CAP.
    let body = seen.lock().unwrap()[0].1.clone();
    assert_eq!(
        Alert::from_xml(&body).unwrap(),
        n.alert(a.id).await.unwrap().cap().unwrap()
    );

    // Its Cancel goes to the operators too, at once.
    let cancel = n
        .issue_alert(
            "canhbao",
            SENDER,
            &NewAlert {
                msg_type: "Cancel".into(),
                refers_to: Some(a.id),
                ..storm()
            },
        )
        .await
        .unwrap();
    assert!(cancel.broadcast);
    n.deliver_broadcasts(&client).await.unwrap();
    let rs = n.broadcasts(cancel.id).await.unwrap();
    assert_eq!(state(&rs, "viettel").0, "acknowledged");
}

/// On the expiry stored with the alert, and, for an alert kept before that was stored, on its
/// CAP document.
#[tokio::test]
async fn expired_alerts_leave_the_public_list() {
    for stored in [true, false] {
        let t = TestDb::new(&[&lantoa_notify::MIGRATIONS]).await.unwrap();
        let clock = lantoa_store::Clock::manual(
            chrono::Utc.with_ymd_and_hms(2026, 9, 22, 0, 30, 0).unwrap(),
        );
        let n = Notify::new(t.db.clone()).unwrap().with_clock(clock.clone());
        let a = n.issue_alert("canhbao", SENDER, &storm()).await.unwrap();
        n.approve_alert("pheduyet", a.id).await.unwrap();
        if !stored {
            sqlx::query("UPDATE notify_alerts SET expires_at = NULL")
                .execute(t.db.pool())
                .await
                .unwrap();
        }
        assert_eq!(n.alerts(true, 50).await.unwrap().len(), 1);
        // It expires at 12:00 on the 23rd, Hà Nội time (05:00 UTC).
        clock.advance(chrono::Duration::hours(28));
        assert_eq!(n.alerts(true, 50).await.unwrap().len(), 1, "not yet");
        clock.advance(chrono::Duration::hours(1));
        assert!(
            n.alerts(true, 50).await.unwrap().is_empty(),
            "stored: {stored}"
        );
        // Still kept, and listed in the console.
        assert!(n.alert(a.id).await.unwrap().public);
        assert_eq!(n.alerts(false, 50).await.unwrap().len(), 1);
    }
}

/// A CAP document is read as the schema reads it: in the encoding it declares (ISO-8859-1
/// here), with an area that only describes itself, and with its elements in the schema's
/// order (one out of order is named).
#[tokio::test]
async fn cap_is_read_as_the_schema_reads_it() {
    let (_t, n) = setup().await;
    let doc = |identifier: &str, declaration: &str, body: &str| {
        format!(
            "<?xml version=\"1.0\" encoding=\"{declaration}\"?>\n<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\">\
             <identifier>{identifier}</identifier><sender>meteo@example.org</sender>\
             <sent>2026-09-22T08:00:00+07:00</sent><status>Actual</status><msgType>Alert</msgType>\
             <scope>Public</scope>{body}</alert>"
        )
    };
    let info = "<info><language>fr</language><category>Met</category><event>Tempête</event>\
                <urgency>Expected</urgency><severity>Severe</severity><certainty>Likely</certainty>\
                <headline>Avis de tempête, Météo</headline>\
                <area><areaDesc>Côte nord, décrite seulement</areaDesc></area></info>";
    // ISO-8859-1 bytes: one byte per character.
    let latin1: Vec<u8> = doc("M-1", "ISO-8859-1", info)
        .chars()
        .map(|c| u8::try_from(u32::from(c)).unwrap())
        .collect();
    assert!(std::str::from_utf8(&latin1).is_err(), "not UTF-8");
    let kept = n.import_alert("canhbao", &latin1).await.unwrap();
    let cap = kept.cap().unwrap();
    assert_eq!(
        cap.info[0].headline.as_deref(),
        Some("Avis de tempête, Météo")
    );
    assert_eq!(
        cap.info[0].areas[0].area_desc,
        "Côte nord, décrite seulement"
    );
    assert!(cap.info[0].areas[0].polygons.is_empty());
    // Out of the schema's order: the element is named, nothing is kept.
    for (body, element) in [
        (
            info.replace(
                "<event>Tempête</event><urgency>Expected</urgency>",
                "<urgency>Expected</urgency><event>Tempête</event>",
            ),
            "info/event",
        ),
        (
            info.replace(
                "<areaDesc>Côte nord, décrite seulement</areaDesc>",
                "<circle>21.0,105.8 5</circle><areaDesc>Côte nord</areaDesc>",
            ),
            "area/areaDesc",
        ),
        (format!("{info}<note>après</note>"), "alert/note"),
        (
            info.replace("<event>", "<evenement>x</evenement><event>"),
            "info/evenement",
        ),
    ] {
        let e = n
            .import_alert("canhbao", doc("M-2", "UTF-8", &body))
            .await
            .unwrap_err();
        assert!(
            matches!(&e, Error::Cap(c) if c.element == element),
            "{element}: {e}"
        );
    }
    // A declared encoding no reader knows is named.
    let e = n
        .import_alert("canhbao", doc("M-3", "KOI-99", info))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("KOI-99"), "{e}");
    assert_eq!(n.alerts(false, 50).await.unwrap().len(), 1);
}

/// The alert list: a search of headline and event on tone keys, CAP status and approval
/// filters, the oldest first on request; an unknown status is refused by name.
#[tokio::test]
async fn alerts_are_paged_searched_and_filtered() {
    use lantoa_notify::browse::{AlertFilter, AlertSort, PageQuery};
    let (_t, n) = setup().await;
    let storm_alert = n.issue_alert("canhbao", SENDER, &storm()).await.unwrap();
    let drill = n
        .issue_alert(
            "canhbao",
            SENDER,
            &NewAlert {
                status: "Exercise".into(),
                event: "Diễn tập lũ quét".into(),
                headline: "Diễn tập ứng phó lũ quét tại xã Hòa Lạc".into(),
                ..storm()
            },
        )
        .await
        .unwrap();
    let page = |q: &str, sort: AlertSort, f: AlertFilter| {
        let n = n.clone();
        let q = q.to_owned();
        async move {
            n.alert_page(
                &PageQuery {
                    q: Some(q),
                    sort,
                    limit: 10,
                    offset: 0,
                },
                &f,
            )
            .await
        }
    };
    let ids = |v: &[lantoa_notify::alerts::StoredAlert]| v.iter().map(|a| a.id).collect::<Vec<_>>();
    let (all, total) = page("", AlertSort::Oldest, AlertFilter::default())
        .await
        .unwrap();
    assert_eq!((ids(&all), total), (vec![storm_alert.id, drill.id], 2));
    let (found, _) = page("hoà lạc", AlertSort::Newest, AlertFilter::default())
        .await
        .unwrap();
    assert_eq!(ids(&found), [drill.id]);
    let (found, _) = page(
        "",
        AlertSort::Newest,
        AlertFilter {
            status: Some("Actual".into()),
            state: Some("pending".into()),
        },
    )
    .await
    .unwrap();
    assert_eq!(ids(&found), [storm_alert.id]);
    let e = page(
        "",
        AlertSort::Newest,
        AlertFilter {
            status: Some("actual".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap_err();
    assert!(
        e.to_string().contains("Exercise"),
        "the values are named: {e}"
    );
}
