//! Commune loudspeakers: bulletins spoken, kept with their audio and scheduled per cluster; each
//! device sees and reports only its own plays, a revoked token nothing; an alert read out on
//! the loudspeakers and sent by SMS, and its Cancel stopping both. The speech engine is a stand-in
//! program here (the engine is pluggable), except in the espeak-ng test, which `cargo xtask
//! test` runs with the real engine installed. SQLite in `cargo test`, PostgreSQL in `cargo
//! xtask test`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers: a panic is the failure report

use chrono::TimeZone;
use lantoa_notify::speakers::NewBulletin;
use lantoa_notify::tts::SpeechConfig;
use lantoa_notify::{Error, NewAlert, Notify};
use lantoa_store::blob::BlobStore;
use lantoa_store::testing::TestDb;

const SENDER: &str = "canhbao@hanoi.gov.vn";
const BA_DINH: &str = "00004";
const HOAN_KIEM: &str = "00070";

struct Setup {
    _t: TestDb,
    _dir: tempfile::TempDir,
    n: Notify,
    clock: lantoa_store::Clock,
}

/// A stand-in engine: reads the text, answers with one second of silence.
fn stand_in(dir: &std::path::Path) -> SpeechConfig {
    let wav = dir.join("silence.wav");
    std::fs::write(&wav, lantoa_notify::tts::silence_wav(1000)).unwrap();
    SpeechConfig::fixed(&wav)
}

async fn setup_with(speech: impl FnOnce(&std::path::Path) -> SpeechConfig) -> Setup {
    let t = TestDb::new(&[&lantoa_store::MIGRATIONS, &lantoa_notify::MIGRATIONS])
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    // 07:30 on 22/9/2026 in Hà Nội.
    let clock =
        lantoa_store::Clock::manual(chrono::Utc.with_ymd_and_hms(2026, 9, 22, 0, 30, 0).unwrap());
    let n = Notify::new(t.db.clone())
        .unwrap()
        .with_clock(clock.clone())
        .with_blobs(BlobStore::new(t.db.clone(), dir.path().join("blobs")))
        .with_speech(speech(dir.path()));
    Setup {
        _t: t,
        _dir: dir,
        n,
        clock,
    }
}

async fn setup() -> Setup {
    setup_with(stand_in).await
}

fn weekly(communes: &[&str]) -> NewBulletin {
    NewBulletin {
        title: "Phòng chống sốt xuất huyết".into(),
        body: "UBND phường đề nghị các hộ gia đình diệt lăng quăng trước ngày 25/9.".into(),
        communes: communes.iter().map(|c| (*c).to_owned()).collect(),
        from: "2026-09-23".into(),
        to: "2026-09-24".into(),
        times: vec!["06:30".into(), "17:00".into()],
        repeats: 2,
        at_once: false,
        campaign: None,
    }
}

#[tokio::test]
async fn a_bulletin_is_spoken_kept_and_scheduled_for_each_cluster_of_its_communes() {
    let s = setup().await;
    let (a1, _) =
        s.n.add_cluster("vanthu", "Cụm loa TDP 1", BA_DINH)
            .await
            .unwrap();
    let (a2, _) =
        s.n.add_cluster("vanthu", "Cụm loa TDP 2", BA_DINH)
            .await
            .unwrap();
    s.n.add_cluster("vanthu", "Cụm loa Hoàn Kiếm", HOAN_KIEM)
        .await
        .unwrap();
    assert_eq!(a1.commune, "Phường Ba Đình");
    let b =
        s.n.schedule_bulletin("vanthu", &weekly(&[BA_DINH]))
            .await
            .unwrap();
    // Two clusters × two days × two slots.
    assert_eq!((b.waiting, b.played, b.state.as_str()), (8, 0, "scheduled"));
    assert_eq!(b.duration_ms, 1000, "the WAV's own length");
    assert!(
        b.spoken.contains("Ủy ban nhân dân") && b.spoken.contains("ngày hai mươi lăm tháng chín"),
        "normalised for speech: {}",
        b.spoken
    );
    let wav = s.n.bulletin_audio(b.id).await.unwrap();
    assert_eq!(&wav[..4], b"RIFF");
    assert_eq!(
        u32::from_le_bytes(wav[4..8].try_into().unwrap()) as usize,
        wav.len() - 8,
        "the header's sizes are sealed"
    );
    for id in [a1.id, a2.id] {
        assert_eq!(s.n.cluster(id).await.unwrap().last_seen_at, None);
    }
    // The same name twice is refused.
    let e =
        s.n.add_cluster("vanthu", "Cụm loa TDP 1", BA_DINH)
            .await
            .unwrap_err();
    assert!(matches!(e, Error::Duplicate { .. }), "{e}");
}

#[tokio::test]
async fn a_device_sees_downloads_and_reports_only_its_own_plays() {
    let s = setup().await;
    let (_, mine) =
        s.n.add_cluster("vanthu", "Cụm loa Ba Đình", BA_DINH)
            .await
            .unwrap();
    let (_, theirs) =
        s.n.add_cluster("vanthu", "Cụm loa Hoàn Kiếm", HOAN_KIEM)
            .await
            .unwrap();
    let b =
        s.n.schedule_bulletin("vanthu", &weekly(&[BA_DINH]))
            .await
            .unwrap();
    let me = s.n.device(&mine).await.unwrap();
    let other = s.n.device(&theirs).await.unwrap();
    let list = s.n.playlist(&me).await.unwrap();
    assert_eq!(list.len(), 4);
    assert_eq!(list[0].play_at, "2026-09-23T06:30:00+07:00");
    assert_eq!((list[0].repeats, list[0].bulletin), (2, b.id));
    assert!(s.n.cluster(me.id).await.unwrap().last_seen_at.is_some());
    // The other cluster: nothing on its playlist, and this bulletin and play are not found.
    assert!(s.n.playlist(&other).await.unwrap().is_empty());
    let e = s.n.device_audio(&other, b.id).await.unwrap_err();
    assert!(matches!(e, Error::NotFound { .. }), "{e}");
    let e =
        s.n.report_play(&other, list[0].play, "played", "")
            .await
            .unwrap_err();
    assert!(matches!(e, Error::NotFound { .. }), "{e}");
    // Its own: the audio, then the report; the same report again is a retry, a different one
    // is refused, and so is a word that is not an outcome.
    let wav = s.n.device_audio(&me, b.id).await.unwrap();
    assert_eq!(wav.len() as i64, list[0].audio_size);
    s.n.report_play(&me, list[0].play, "played", "")
        .await
        .unwrap();
    s.n.report_play(&me, list[0].play, "played", "")
        .await
        .unwrap();
    let e =
        s.n.report_play(&me, list[0].play, "failed", "amp")
            .await
            .unwrap_err();
    assert!(e.to_string().contains("played already"), "{e}");
    let e =
        s.n.report_play(&me, list[1].play, "maybe", "")
            .await
            .unwrap_err();
    assert!(
        matches!(
            e,
            Error::Invalid {
                field: "outcome",
                ..
            }
        ),
        "{e}"
    );
    s.n.report_play(&me, list[1].play, "failed", "mất điện")
        .await
        .unwrap();
    assert_eq!(s.n.playlist(&me).await.unwrap().len(), 2);
    let b = s.n.bulletin(b.id).await.unwrap();
    assert_eq!((b.played, b.failed, b.waiting), (1, 1, 2));
    // Coverage once both slots of the first day are past.
    s.clock.advance(chrono::Duration::days(2));
    let day = |d: u32| {
        chrono::Utc
            .with_ymd_and_hms(2026, 9, d, 0, 0, 0)
            .unwrap()
            .timestamp_micros()
    };
    let c = s.n.coverage(day(20), day(30)).await.unwrap();
    assert_eq!((c.covered, c.clusters, c.revoked), (2, 2, 0));
    assert!(
        c.communes > 100,
        "Hà Nội's communes and wards: {}",
        c.communes
    );
    let ba_dinh = c.rows.iter().find(|r| r.commune_code == BA_DINH).unwrap();
    // 06:30 and 17:00 on the 23rd are past at 07:30 on the 24th; 06:30 on the 24th too.
    assert_eq!((ba_dinh.played, ba_dinh.failed, ba_dinh.waiting), (1, 1, 1));
    assert_eq!((c.due(), c.played()), (3, 1));
}

#[tokio::test]
async fn an_unknown_or_revoked_token_is_refused_saying_which() {
    let s = setup().await;
    let (cluster, token) =
        s.n.add_cluster("vanthu", "Cụm loa 1", BA_DINH)
            .await
            .unwrap();
    let e = s.n.device("lt_spk_not-a-token").await.unwrap_err();
    assert!(
        matches!(&e, Error::Unauthenticated(m) if m.to_string().contains("Unknown")),
        "{e}"
    );
    s.n.revoke_cluster("truongphong", cluster.id).await.unwrap();
    let e = s.n.device(&token).await.unwrap_err();
    assert!(
        matches!(&e, Error::Unauthenticated(m) if m.to_string().contains("revoked") && m.to_string().contains("Cụm loa 1")),
        "{e}"
    );
    let e =
        s.n.revoke_cluster("truongphong", cluster.id)
            .await
            .unwrap_err();
    assert!(e.to_string().contains("already"), "{e}");
    // A commune whose only cluster is revoked has none to schedule on.
    let e =
        s.n.schedule_bulletin("vanthu", &weekly(&[BA_DINH]))
            .await
            .unwrap_err();
    assert!(e.to_string().contains("has no loudspeaker cluster"), "{e}");
    let c = s.n.coverage(0, i64::MAX).await.unwrap();
    assert_eq!((c.covered, c.clusters, c.revoked), (0, 0, 1));
}

#[tokio::test]
async fn bad_schedules_name_the_field_and_keep_nothing() {
    let s = setup().await;
    s.n.add_cluster("vanthu", "Cụm loa 1", BA_DINH)
        .await
        .unwrap();
    let cases: Vec<(NewBulletin, &str, &str)> = vec![
        (
            NewBulletin {
                title: " ".into(),
                ..weekly(&[BA_DINH])
            },
            "title",
            "required",
        ),
        (
            NewBulletin {
                communes: vec!["99999".into()],
                ..weekly(&[])
            },
            "communes",
            "not the code",
        ),
        (
            weekly(&[HOAN_KIEM]),
            "communes",
            "Phường Hoàn Kiếm (00070) has no",
        ),
        (weekly(&[]), "communes", "at least one"),
        (
            NewBulletin {
                from: "2026-09-22".into(),
                to: "".into(),
                times: vec!["07:00".into()],
                ..weekly(&[BA_DINH])
            },
            "times",
            "07:00 on 22/09/2026 has passed",
        ),
        (
            NewBulletin {
                times: vec!["25:00".into()],
                ..weekly(&[BA_DINH])
            },
            "times",
            "not a time",
        ),
        (
            NewBulletin {
                times: vec![],
                ..weekly(&[BA_DINH])
            },
            "times",
            "at least one",
        ),
        (
            NewBulletin {
                to: "2026-12-31".into(),
                ..weekly(&[BA_DINH])
            },
            "to",
            "at most 31 days",
        ),
        (
            NewBulletin {
                to: "2026-09-20".into(),
                ..weekly(&[BA_DINH])
            },
            "to",
            "before the first",
        ),
        (
            NewBulletin {
                from: "23/13/2026".into(),
                ..weekly(&[BA_DINH])
            },
            "from",
            "not a date",
        ),
        (
            NewBulletin {
                repeats: 9,
                ..weekly(&[BA_DINH])
            },
            "repeats",
            "from 1 to 5",
        ),
        (
            NewBulletin {
                body: "a".repeat(5001),
                ..weekly(&[BA_DINH])
            },
            "body",
            "at most 5000",
        ),
    ];
    for (b, field, says) in cases {
        match s.n.schedule_bulletin("vanthu", &b).await {
            Err(Error::Invalid { field: f, message }) => {
                assert_eq!(f, field, "{message}");
                assert!(message.to_string().contains(says), "{field}: {message}");
            }
            other => panic!("{field}: {other:?}"),
        }
    }
    assert!(s.n.bulletins(10).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_failing_speech_engine_is_named_and_nothing_is_kept() {
    let s = setup_with(|_| SpeechConfig {
        program: "sh".into(),
        args: vec![
            "-c".into(),
            "cat > /dev/null; echo no voice >&2; exit 3".into(),
        ],
        voice: "broken".into(),
        timeout_secs: 30,
    })
    .await;
    s.n.add_cluster("vanthu", "Cụm loa 1", BA_DINH)
        .await
        .unwrap();
    let e =
        s.n.schedule_bulletin("vanthu", &weekly(&[BA_DINH]))
            .await
            .unwrap_err();
    assert!(
        matches!(&e, Error::Unavailable(m) if m.to_string().contains("speech engine sh") && m.to_string().contains("no voice")),
        "{e}"
    );
    assert!(s.n.bulletins(10).await.unwrap().is_empty());
}

#[tokio::test]
async fn withdrawing_a_bulletin_takes_its_unplayed_plays_off_every_playlist() {
    let s = setup().await;
    let (_, token) =
        s.n.add_cluster("vanthu", "Cụm loa 1", BA_DINH)
            .await
            .unwrap();
    let b =
        s.n.schedule_bulletin("vanthu", &weekly(&[BA_DINH]))
            .await
            .unwrap();
    let me = s.n.device(&token).await.unwrap();
    let first = s.n.playlist(&me).await.unwrap()[0].play;
    s.n.report_play(&me, first, "played", "").await.unwrap();
    let b = s.n.withdraw_bulletin("truongphong", b.id).await.unwrap();
    assert_eq!(
        (b.state.as_str(), b.played, b.withdrawn, b.waiting),
        ("withdrawn", 1, 3, 0)
    );
    assert!(s.n.playlist(&me).await.unwrap().is_empty());
    let e =
        s.n.report_play(&me, first + 1, "played", "")
            .await
            .unwrap_err();
    assert!(e.to_string().contains("withdrawn"), "{e}");
}

fn alarm(list: i64) -> NewAlert {
    NewAlert {
        status: "Actual".into(),
        msg_type: "Alert".into(),
        category: "Met".into(),
        event: "Ngập úng".into(),
        urgency: "Immediate".into(),
        severity: "Severe".into(),
        certainty: "Observed".into(),
        headline: "Ngập sâu tại các tuyến phố trung tâm".into(),
        description: "Mưa lớn 120 mm trong 2 giờ.".into(),
        instruction: "Không đi vào vùng ngập.".into(),
        expires: "2026-09-22T20:00".into(),
        communes: vec![HOAN_KIEM.into()],
        sms_list: Some(list),
        speakers: true,
        ..Default::default()
    }
}

async fn list_in_hoan_kiem(n: &Notify) -> i64 {
    let csv = "Họ tên,Số điện thoại,Phường/xã\nA,0981000001,Phường Hoàn Kiếm\nB,0911000002,Phường Hoàn Kiếm\nC,0901000003,Phường Ba Đình\n";
    n.import_list("vanthu", "Dân cư", "l.csv", csv.as_bytes())
        .await
        .unwrap()
        .0
        .id
}

#[tokio::test]
async fn an_approved_alert_goes_by_sms_and_loudspeaker_and_its_cancel_stops_both() {
    let s = setup().await;
    let (_, token) =
        s.n.add_cluster("vanthu", "Cụm loa Hoàn Kiếm", HOAN_KIEM)
            .await
            .unwrap();
    let list = list_in_hoan_kiem(&s.n).await;
    let a =
        s.n.issue_alert("canhbao", SENDER, &alarm(list))
            .await
            .unwrap();
    // Nothing goes before the second person approves.
    let ch = s.n.channels(a.id).await.unwrap();
    assert!(ch.sms.is_none() && ch.speakers.is_none() && !ch.feed);
    let a = s.n.approve_alert("pheduyet", a.id).await.unwrap();
    let ch = s.n.channels(a.id).await.unwrap();
    assert!(ch.feed);
    let (campaign, progress) = ch.sms.unwrap();
    assert_eq!(campaign.status, "sending");
    assert!(campaign.emergency && campaign.body.starts_with("Ngập sâu"));
    assert_eq!(campaign.decided_by.as_deref(), Some("pheduyet"));
    // The two numbers in Hoàn Kiếm, not the one in Ba Đình.
    assert_eq!(progress.total.queued, 2, "{progress:?}");
    let bulletin = ch.speakers.unwrap();
    assert_eq!((bulletin.alert_id, bulletin.waiting), (Some(a.id), 1));
    let device = s.n.device(&token).await.unwrap();
    let list_now = s.n.playlist(&device).await.unwrap();
    assert_eq!(list_now.len(), 1);
    assert_eq!(list_now[0].play_at, "2026-09-22T07:30:00+07:00", "at once");
    // The reports' figures: one public alert, one bulletin, its play due now and not reported.
    let f = s.n.channel_figures(0, i64::MAX).await.unwrap();
    assert_eq!(
        (
            f.public_alerts,
            f.drills,
            f.bulletins,
            f.plays_due,
            f.plays_played
        ),
        (1, 0, 1, 1, 0),
        "{f:?}"
    );
    // The prepared Cancel: one step, at once.
    let cancel =
        s.n.cancel_alert("canhbao", SENDER, a.id, "nước đã rút")
            .await
            .unwrap();
    assert_eq!(
        (
            cancel.msg_type.as_str(),
            cancel.state.as_str(),
            cancel.refers_to
        ),
        ("Cancel", "approved", Some(a.id))
    );
    assert!(cancel.headline.starts_with("HỦY: "), "{}", cancel.headline);
    let cap = cancel.cap().unwrap();
    assert_eq!(cap.references.len(), 1);
    assert_eq!(cap.info[0].areas[0].geocodes[0].1, HOAN_KIEM);
    let ch = s.n.channels(a.id).await.unwrap();
    let (campaign, progress) = ch.sms.unwrap();
    assert_eq!(campaign.status, "cancelled");
    assert_eq!((progress.total.queued, progress.total.cancelled), (0, 2));
    let bulletin = ch.speakers.unwrap();
    assert_eq!(
        (bulletin.state.as_str(), bulletin.withdrawn),
        ("withdrawn", 1)
    );
    assert!(s.n.playlist(&device).await.unwrap().is_empty());
    assert_eq!(s.n.alert(a.id).await.unwrap().cancelled_by, Some(cancel.id));
    let e =
        s.n.cancel_alert("canhbao", SENDER, a.id, "")
            .await
            .unwrap_err();
    assert!(e.to_string().contains("cancelled already"), "{e}");
}

#[tokio::test]
async fn channels_a_drill_or_an_unready_city_cannot_use_are_refused_by_name() {
    let s = setup().await;
    let list = list_in_hoan_kiem(&s.n).await;
    let cases: Vec<(NewAlert, &str, &str)> = vec![
        (
            NewAlert {
                status: "Exercise".into(),
                ..alarm(list)
            },
            "speakers",
            "actual alert",
        ),
        (
            NewAlert {
                status: "Test".into(),
                speakers: false,
                ..alarm(list)
            },
            "sms_list",
            "tests and drills",
        ),
        (alarm(list), "speakers", "has no loudspeaker cluster"),
        (
            NewAlert {
                speakers: false,
                sms_list: Some(9999),
                ..alarm(list)
            },
            "",
            "No list 9999",
        ),
        (
            NewAlert {
                speakers: false,
                sms_body: "x".repeat(2000),
                ..alarm(list)
            },
            "sms_body",
            "segments",
        ),
        (
            NewAlert {
                speakers: false,
                communes: vec![],
                polygons: "21.03,105.85 21.04,105.85 21.04,105.86".into(),
                ..alarm(list)
            },
            "communes",
            "SMS and loudspeakers reach communes",
        ),
        (
            NewAlert {
                sms_list: None,
                speakers: false,
                polygons: "21.03,105.85 91.0,105.85 21.04,105.86".into(),
                ..alarm(list)
            },
            "area/polygon",
            "outside WGS 84",
        ),
        (
            NewAlert {
                sms_list: None,
                speakers: false,
                polygons: "21.03;105.85".into(),
                ..alarm(list)
            },
            "polygons",
            "is not lat,lon",
        ),
    ];
    for (alert, field, says) in cases {
        let e =
            s.n.issue_alert("canhbao", SENDER, &alert)
                .await
                .unwrap_err();
        let text = e.to_string();
        assert!(text.contains(says), "{field}: {text}");
        if !field.is_empty() {
            assert!(
                text.starts_with(field) || text.starts_with(&format!("CAP <{field}>")),
                "{field}: {text}"
            );
        }
    }
    assert!(s.n.alerts(false, 10).await.unwrap().is_empty());
    assert!(s.n.campaigns().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_polygon_drawn_on_the_form_is_exported_closed() {
    let s = setup().await;
    let a =
        s.n.issue_alert(
            "canhbao",
            SENDER,
            &NewAlert {
                sms_list: None,
                speakers: false,
                communes: vec![],
                polygons: "21.03,105.85 21.04,105.85 21.04,105.86\n".into(),
                ..alarm(0)
            },
        )
        .await
        .unwrap();
    let cap = a.cap().unwrap();
    let area = &cap.info[0].areas[0];
    assert_eq!(area.polygons[0].len(), 4);
    assert_eq!(area.polygons[0].first(), area.polygons[0].last());
    assert!(
        a.xml
            .contains("<polygon>21.03,105.85 21.04,105.85 21.04,105.86 21.03,105.85</polygon>"),
        "{}",
        a.xml
    );
    assert_eq!(lantoa_notify::cap::Alert::from_xml(&a.xml).unwrap(), cap);
}

/// The real engine: espeak-ng's Vietnamese voice speaks a bulletin whose length fits its text.
#[tokio::test]
#[ignore = "needs espeak-ng: cargo xtask test installs it and runs this"]
async fn espeak_ng_speaks_vietnamese_of_a_length_that_fits_the_text() {
    let s = setup_with(|_| SpeechConfig::default()).await;
    s.n.add_cluster("vanthu", "Cụm loa 1", BA_DINH)
        .await
        .unwrap();
    let short =
        s.n.schedule_bulletin(
            "vanthu",
            &NewBulletin {
                title: "Thông báo".into(),
                body: "Mất điện.".into(),
                ..weekly(&[BA_DINH])
            },
        )
        .await
        .unwrap();
    let long =
        s.n.schedule_bulletin("vanthu", &weekly(&[BA_DINH]))
            .await
            .unwrap();
    for b in [&short, &long] {
        let words = b.spoken.split_whitespace().count() as i64;
        // Speech runs at roughly two to five words a second; allow a wide margin either side.
        assert!(
            b.duration_ms >= words * 120 && b.duration_ms <= words * 1200,
            "{words} words in {} ms: {}",
            b.duration_ms,
            b.spoken
        );
        let wav = s.n.bulletin_audio(b.id).await.unwrap();
        assert_eq!(&wav[8..12], b"WAVE");
    }
    assert!(
        long.duration_ms > short.duration_ms * 3,
        "{} vs {}",
        long.duration_ms,
        short.duration_ms
    );
    assert_eq!(long.voice, "espeak-ng vi");
}

#[tokio::test]
async fn a_campaign_read_on_the_loudspeakers_is_withdrawn_with_it() {
    let s = setup().await;
    let (_, token) =
        s.n.add_cluster("vanthu", "Cụm loa 1", BA_DINH)
            .await
            .unwrap();
    let list = list_in_hoan_kiem(&s.n).await;
    let c =
        s.n.create_campaign(
            "vanthu",
            &lantoa_notify::NewCampaign {
                name: "Tiêm chủng".into(),
                topic: "health".into(),
                brandname: "SoYTe-HN".into(),
                body: "Kính gửi {ten}: tiêm chủng ngày 5/12.".into(),
                list_id: list,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    // Its text has a field a loudspeaker cannot fill: named.
    let with_it = NewBulletin {
        campaign: Some(c.id),
        body: c.body.clone(),
        ..weekly(&[BA_DINH])
    };
    let e = s.n.schedule_bulletin("vanthu", &with_it).await.unwrap_err();
    assert!(
        matches!(&e, Error::Invalid { field: "body", message } if message.to_string().contains("{ten}")),
        "{e}"
    );
    let b =
        s.n.schedule_bulletin(
            "vanthu",
            &NewBulletin {
                body: "Trạm y tế tiêm chủng ngày 5/12.".into(),
                ..with_it
            },
        )
        .await
        .unwrap();
    assert_eq!(b.campaign_id, Some(c.id));
    assert_eq!(s.n.campaign_bulletins(c.id).await.unwrap(), vec![b.clone()]);
    s.n.cancel("vanthu", c.id, "đổi lịch").await.unwrap();
    let b = s.n.bulletin(b.id).await.unwrap();
    assert_eq!(
        (b.state.as_str(), b.withdrawn, b.waiting),
        ("withdrawn", 4, 0)
    );
    assert!(
        s.n.playlist(&s.n.device(&token).await.unwrap())
            .await
            .unwrap()
            .is_empty()
    );
    // A cancelled campaign takes no more bulletins.
    let e =
        s.n.schedule_bulletin(
            "vanthu",
            &NewBulletin {
                campaign: Some(c.id),
                ..weekly(&[BA_DINH])
            },
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            Error::Invalid {
                field: "campaign",
                ..
            }
        ),
        "{e}"
    );
}

/// A cluster added after a bulletin was scheduled in its commune gets the bulletin's plays
/// still to come there; a cluster elsewhere, or added after the bulletin was withdrawn, gets
/// none.
#[tokio::test]
async fn a_cluster_added_later_gets_the_plays_still_to_come_in_its_commune() {
    let s = setup().await;
    s.n.add_cluster("vanthu", "Cụm loa 1", BA_DINH)
        .await
        .unwrap();
    let b =
        s.n.schedule_bulletin("vanthu", &weekly(&[BA_DINH]))
            .await
            .unwrap();
    // Past the first slot (06:30 on 23/9): three of its four slots are still to come.
    s.clock.advance(chrono::Duration::hours(24));
    let (_, late) =
        s.n.add_cluster("vanthu", "Cụm loa 2", BA_DINH)
            .await
            .unwrap();
    let late = s.n.device(&late).await.unwrap();
    let plays = s.n.playlist(&late).await.unwrap();
    assert_eq!(plays.len(), 3, "{plays:?}");
    assert!(plays.iter().all(|p| p.bulletin == b.id));
    let (_, elsewhere) =
        s.n.add_cluster("vanthu", "Cụm loa Hoàn Kiếm", HOAN_KIEM)
            .await
            .unwrap();
    let elsewhere = s.n.device(&elsewhere).await.unwrap();
    assert!(s.n.playlist(&elsewhere).await.unwrap().is_empty());
    s.n.withdraw_bulletin("truongphong", b.id).await.unwrap();
    let (_, after) =
        s.n.add_cluster("vanthu", "Cụm loa 3", BA_DINH)
            .await
            .unwrap();
    let after = s.n.device(&after).await.unwrap();
    assert!(s.n.playlist(&after).await.unwrap().is_empty());
}
