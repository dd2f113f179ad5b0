//! The notify service on a real database (SQLite, or PostgreSQL when
//! LANTOA_TEST_DATABASE_URL is set): lists, ported numbers, opt-outs, campaigns and approval.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers: a panic is the failure report

use lantoa_notify::{Error, NewCampaign, Notify};
use lantoa_store::testing::TestDb;

/// The audit log's actions on a campaign, in order.
async fn audit_actions(t: &TestDb, campaign: i64) -> Vec<String> {
    sqlx::query_scalar("SELECT action FROM audit_log WHERE entity = $1 ORDER BY seq")
        .bind(format!("campaign:{campaign}"))
        .fetch_all(t.db.pool())
        .await
        .unwrap()
}

/// The service with a blob store and a stand-in speech engine (a second of silence), in a
/// folder that lives as long as the returned guard.
fn with_speech(t: &TestDb, n: Notify) -> (Notify, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let wav = dir.path().join("silence.wav");
    std::fs::write(&wav, lantoa_notify::tts::silence_wav(1000)).unwrap();
    let n = n
        .with_blobs(lantoa_store::blob::BlobStore::new(
            t.db.clone(),
            dir.path().join("blobs"),
        ))
        .with_speech(lantoa_notify::tts::SpeechConfig::fixed(&wav));
    (n, dir)
}

async fn setup() -> (TestDb, Notify) {
    let t = TestDb::new(&[&lantoa_notify::MIGRATIONS]).await.unwrap();
    let n = Notify::new(t.db.clone()).unwrap();
    (t, n)
}

/// Row 2 good; 3 international form; 4 an 11-digit number from before 2018; 5 foreign; 6 a
/// landline-like prefix; 7 an unknown ward; 8 repeats row 2; 9 blank; 10 good, a ward by its code.
const LIST: &str = "Họ tên,Số điện thoại,Phường/xã
Nguyễn Thị Lan,0912 345 678,Phường Hoàn Kiếm
Trần Văn Bình,+84 983 456 789,Phường Ba Đình
Lê Hòa,01662345678,Phường Hoàn Kiếm
John Smith,+1 415 555 0100,Phường Ba Đình
Phạm Minh,0241234567,Phường Ba Đình
Vũ Thu,0904 111 222,Phường Không Có
Nguyễn Thị Lan,84912345678,Phường Hoàn Kiếm
,,
Đỗ An,0868 000 111,00004
";

#[tokio::test]
async fn a_list_keeps_good_numbers_once_and_says_why_each_other_row_was_refused() {
    let (_t, n) = setup().await;
    let (list, report) = n
        .import_list(
            "lan",
            "Phường Hoàn Kiếm & Ba Đình",
            "ds.csv",
            LIST.as_bytes(),
        )
        .await
        .unwrap();
    assert!(report.conserved(), "{report:?}");
    assert_eq!(report.rows, 8, "the blank row is skipped");
    assert_eq!(list.recipients, 4);
    assert_eq!(list.duplicates, 1);
    let refused: Vec<(u64, &str)> = list
        .refused
        .iter()
        .map(|r| (r.row, r.field.as_str()))
        .collect();
    assert_eq!(refused, vec![(5, "phone"), (6, "phone"), (7, "commune")]);
    assert!(
        list.refused[2]
            .reason
            .to_string()
            .contains("No current commune"),
        "{:?}",
        list.refused
    );
    assert_eq!(
        list.by_operator.get("viettel"),
        Some(&3),
        "{:?}",
        list.by_operator
    );
    assert_eq!(list.by_operator.get("vinaphone"), Some(&1));
    // 01662345678 became 0362345678 (Viettel) in 2018.
    let kept = n.recipients(list.id, None, 100).await.unwrap();
    assert_eq!(kept.len(), 4);
    assert!(kept.iter().any(|r| r.phone == "0362345678"), "{kept:?}");
    let after = n
        .recipients(list.id, Some(&kept[1].phone), 1)
        .await
        .unwrap();
    assert_eq!(
        after,
        vec![kept[2].clone()],
        "a page starts after the number given"
    );
    // A list name is used once; a file with no phone column keeps nothing and says what it has.
    let again = n
        .import_list(
            "lan",
            "Phường Hoàn Kiếm & Ba Đình",
            "x.csv",
            LIST.as_bytes(),
        )
        .await;
    assert!(matches!(again, Err(Error::Duplicate { .. })), "{again:?}");
    let e = n
        .import_list("lan", "khác", "x.csv", "Tên,Địa chỉ\nA,B\n".as_bytes())
        .await
        .unwrap_err();
    assert!(e.to_string().contains("\"Địa chỉ\""), "{e}");
    assert_eq!(n.lists().await.unwrap().len(), 1);
}

#[tokio::test]
async fn ported_numbers_are_routed_to_their_new_operator() {
    let (_t, n) = setup().await;
    let (count, refused) = n
        .import_ported(
            "lan",
            "Số điện thoại,Nhà mạng\n0912345678,MobiFone\n0983456789,khong-co\n".as_bytes(),
        )
        .await
        .unwrap();
    assert_eq!(count, 1);
    assert_eq!(refused.len(), 1);
    assert!(
        refused[0].reason.to_string().contains("Viettel"),
        "{refused:?}"
    );
    let (list, _) = n
        .import_list(
            "lan",
            "l",
            "l.csv",
            "phone\n0912345678\n0983456789\n".as_bytes(),
        )
        .await
        .unwrap();
    let kept = n.recipients(list.id, None, 10).await.unwrap();
    let by: Vec<(&str, &str, bool)> = kept
        .iter()
        .map(|r| (r.phone.as_str(), r.operator.as_str(), r.ported))
        .collect();
    assert_eq!(
        by,
        vec![
            ("0912345678", "mobifone", true),
            ("0983456789", "viettel", false)
        ]
    );
}

fn dengue(list_id: i64) -> NewCampaign {
    NewCampaign {
        name: "Sốt xuất huyết tuần 40".into(),
        topic: "dengue".into(),
        brandname: "SoYTe-HN".into(),
        body: "Kính gửi {ten}: mùa sốt xuất huyết, hãy diệt lăng quăng và ngủ màn.".into(),
        list_id,
        communes: vec![],
        emergency: false,
        resend_uncertain: false,
    }
}

/// [`LIST`] imported as list "l" by "lan".
async fn imported(n: &Notify) -> lantoa_notify::List {
    n.import_list("lan", "l", "l.csv", LIST.as_bytes())
        .await
        .unwrap()
        .0
}

/// [`LIST`] imported and the [`dengue`] campaign drafted on it by "lan".
async fn drafted(n: &Notify) -> (lantoa_notify::List, lantoa_notify::Campaign) {
    let list = imported(n).await;
    let c = n.create_campaign("lan", &dengue(list.id)).await.unwrap();
    (list, c)
}

#[tokio::test]
async fn a_bad_campaign_is_refused_with_the_field_at_fault() {
    let (_t, n) = setup().await;
    let list = imported(&n).await;
    let field = |e: Error| match e {
        Error::Invalid { field, message } => format!("{field}: {message}"),
        other => panic!("{other:?}"),
    };
    let mut c = dengue(list.id);
    c.brandname = "Sở Y tế".into();
    let e = field(n.create_campaign("lan", &c).await.unwrap_err());
    assert!(e.starts_with("brandname:"), "{e}");
    let mut c = dengue(list.id);
    c.body = "Kính gửi {ho_ten}".into();
    let e = field(n.create_campaign("lan", &c).await.unwrap_err());
    assert!(e.starts_with("body:") && e.contains("{ho_ten}"), "{e}");
    let mut c = dengue(list.id);
    c.body = "   ".into();
    assert!(field(n.create_campaign("lan", &c).await.unwrap_err()).contains("empty"));
    let mut c = dengue(list.id);
    c.body = "ư".repeat(500);
    let e = field(n.create_campaign("lan", &c).await.unwrap_err());
    assert!(e.contains("8 segments") && e.contains("at most 6"), "{e}");
    let mut c = dengue(list.id);
    c.communes = vec!["99999".into()];
    assert!(field(n.create_campaign("lan", &c).await.unwrap_err()).starts_with("communes:"));
    let c = dengue(9999);
    assert!(matches!(
        n.create_campaign("lan", &c).await,
        Err(Error::NotFound { .. })
    ));
    assert!(n.campaigns().await.unwrap().is_empty(), "nothing was kept");
}

#[tokio::test]
async fn the_plan_counts_recipients_per_operator_and_leaves_out_opt_outs() {
    let (_t, n) = setup().await;
    let (list, c) = drafted(&n).await;
    let p = n.plan(c.id).await.unwrap();
    assert_eq!(p.recipients, 4);
    assert_eq!(p.opted_out, 0);
    assert_eq!(
        p.sample_cost.encoding,
        lantoa_notify::message::Encoding::Ucs2
    );
    assert!(p.unaccented_cost.segments < p.sample_cost.segments || p.sample_cost.segments == 1);
    assert_eq!(
        p.segments,
        p.by_operator.iter().map(|o| o.segments).sum::<i64>()
    );
    assert_eq!(p.cost_vnd, p.segments * 800);
    assert!(p.sample.starts_with("Kính gửi "), "{}", p.sample);
    // An opt-out leaves a non-emergency campaign; the number in any written form.
    assert_eq!(
        n.opt_out("api", "+84 912 345 678", "api").await.unwrap(),
        "0912345678"
    );
    assert!(matches!(
        n.opt_out("api", "12", "api").await,
        Err(Error::Invalid { field: "phone", .. })
    ));
    let p = n.plan(c.id).await.unwrap();
    assert_eq!((p.recipients, p.opted_out), (3, 1));
    // Narrowed to Hoàn Kiếm by its code.
    let hk = lantoa_registry::commune_reference()
        .unwrap()
        .current
        .into_iter()
        .find(|(_, name)| name == "Phường Hoàn Kiếm")
        .unwrap()
        .0;
    let mut narrowed = dengue(list.id);
    narrowed.name = "Hoàn Kiếm".into();
    narrowed.communes = vec![hk];
    narrowed.emergency = true;
    let e = n.create_campaign("lan", &narrowed).await.unwrap();
    let p = n.plan(e.id).await.unwrap();
    // Rows 2 and 4 are in Hoàn Kiếm; the emergency reaches the opted-out number too.
    assert_eq!((p.recipients, p.opted_out), (2, 0));
    // A text without fields is counted by the database rather than rendered per recipient:
    // the same recipients, per operator, with and without communes and opt-outs.
    let fielded = n.plan(c.id).await.unwrap();
    let fixed_body = "Sở Y tế: diệt lăng quăng, ngủ màn, đến cơ sở y tế khi sốt.";
    for (name, communes, emergency, want) in [
        ("cố định", vec![], false, (3, 1)),
        ("cố định HK", narrowed.communes.clone(), true, (2, 0)),
        (
            "cố định HK thường",
            narrowed.communes.clone(),
            false,
            (1, 1),
        ),
    ] {
        let mut fixed = dengue(list.id);
        fixed.name = name.into();
        fixed.body = fixed_body.into();
        fixed.communes = communes;
        fixed.emergency = emergency;
        let f = n.create_campaign("lan", &fixed).await.unwrap();
        let p = n.plan(f.id).await.unwrap();
        assert_eq!((p.recipients, p.opted_out), want, "{name}");
        assert_eq!(p.sample, fixed_body);
        assert_eq!(p.segments, p.recipients * p.sample_cost.segments as i64);
        assert_eq!(p.max_segments, p.sample_cost.segments);
        if name == "cố định" {
            let per = |p: &lantoa_notify::Plan| -> Vec<(String, i64)> {
                p.by_operator
                    .iter()
                    .map(|o| (o.operator.clone(), o.recipients))
                    .collect()
            };
            assert_eq!(per(&p), per(&fielded));
        }
    }
}

#[tokio::test]
async fn only_another_approver_approves_and_only_by_typing_the_name() {
    let (t, n) = setup().await;
    let (_, c) = drafted(&n).await;
    assert_eq!(c.status, "draft");
    // Not yet submitted.
    assert!(matches!(
        n.approve("hung", c.id, &c.name).await,
        Err(Error::Refused(_))
    ));
    let c = n.submit("lan", c.id).await.unwrap();
    assert_eq!(c.status, "pending");
    assert!(matches!(
        n.submit("lan", c.id).await,
        Err(Error::Refused(_))
    ));
    // The author cannot approve their own campaign.
    let e = n.approve("lan", c.id, &c.name).await.unwrap_err();
    assert!(e.to_string().contains("another approver"), "{e}");
    // Nor with an API token of their own: the same person.
    let e = n.approve("lan (token 4)", c.id, &c.name).await.unwrap_err();
    assert!(e.to_string().contains("another approver"), "{e}");
    // The name must be typed exactly.
    let e = n.approve("hung", c.id, "Sốt xuất huyết").await.unwrap_err();
    assert!(
        matches!(
            e,
            Error::Invalid {
                field: "confirm",
                ..
            }
        ),
        "{e:?}"
    );
    // Sent back with a note, changed, submitted again, approved.
    assert!(matches!(
        n.send_back("hung", c.id, " ").await,
        Err(Error::Invalid { field: "note", .. })
    ));
    let back = n
        .send_back("hung", c.id, "Thêm số đường dây nóng")
        .await
        .unwrap();
    assert_eq!(back.status, "draft");
    assert_eq!(
        back.decision_note.as_deref(),
        Some("Thêm số đường dây nóng")
    );
    n.submit("lan", c.id).await.unwrap();
    let ok = n
        .approve("hung", c.id, "Sốt xuất huyết tuần 40")
        .await
        .unwrap();
    assert_eq!(
        (ok.status.as_str(), ok.decided_by.as_deref()),
        ("sending", Some("hung"))
    );
    let gone = n.cancel("hung", c.id, "đổi kế hoạch").await.unwrap();
    assert_eq!(gone.status, "cancelled");
    assert!(matches!(
        n.cancel("hung", c.id, "").await,
        Err(Error::Refused(_))
    ));
    // Every step is in the audit log.
    let actions = audit_actions(&t, c.id).await;
    assert_eq!(
        actions,
        [
            "notify.campaign_drafted",
            "notify.campaign_submitted",
            "notify.campaign_sent_back",
            "notify.campaign_submitted",
            "notify.campaign_approved",
            "notify.campaign_cancelled"
        ]
    );
}

#[tokio::test]
async fn the_demo_loads_once_with_its_faulty_rows_reported() {
    let (t, n) = setup().await;
    let (n, _dir) = with_speech(&t, n);
    let first = n.load_demo("demo").await.unwrap();
    // Two of the city's (one live, one drill) and one received from another agency.
    assert_eq!((first.lists, first.campaigns, first.alerts), (1, 3, 3));
    let received: Vec<_> = n
        .alerts(false, 10)
        .await
        .unwrap()
        .into_iter()
        .filter(|a| a.origin == "imported")
        .collect();
    assert_eq!(received.len(), 1);
    assert_eq!(
        (received[0].state.as_str(), received[0].public),
        ("pending", false),
        "waits for a second person"
    );
    assert_eq!(
        (first.clusters, first.bulletins, first.notices),
        (4, 2, 1),
        "{first:?}"
    );
    let notice = n.notices(1).await.unwrap().remove(0);
    assert_eq!((notice.recipients, notice.read), (4, 1));
    assert!(first.speech_missing.is_none());
    // The token printed for the newcomer is a live cluster's.
    let token = first.speaker_token.unwrap();
    assert!(
        !n.playlist(&n.device(&token).await.unwrap())
            .await
            .unwrap()
            .is_empty()
    );
    let again = n.load_demo("demo").await.unwrap();
    assert_eq!(
        (
            again.lists,
            again.campaigns,
            again.alerts,
            again.clusters,
            again.bulletins
        ),
        (0, 0, 0, 0, 0)
    );
    // The live alert was read out at once in its three wards: two played, one failed.
    let c = n.coverage(0, i64::MAX).await.unwrap();
    assert_eq!((c.covered, c.due(), c.played()), (4, 3, 2));
    // One public alert (approved by a second person), one drill never public, one received
    // and waiting.
    let public = n.alerts(true, 10).await.unwrap();
    assert_eq!(public.len(), 1);
    assert_eq!(public[0].approved_by.as_deref(), Some("demo-approver"));
    assert_eq!(n.alerts(false, 10).await.unwrap().len(), 3);
    let list = n.lists().await.unwrap().remove(0);
    // 65 rows: 60 generated, then a landline, a short number, an unknown ward, a repeat and an
    // 11-digit number (converted, taken).
    assert_eq!(list.rows, 65);
    assert_eq!(list.refused.len(), 3, "{:?}", list.refused);
    assert_eq!(list.duplicates, 1);
    assert_eq!(list.recipients, 61);
    let statuses: Vec<String> = n
        .campaigns()
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.status.to_string())
        .collect();
    // The live alert's SMS (queued on its approval), then the three campaigns.
    assert_eq!(statuses, ["sending", "pending", "sending", "sending"]);
    let alert_sms = n.campaigns().await.unwrap().remove(0);
    assert!(alert_sms.name.starts_with("Cảnh báo LANTOA-") && alert_sms.emergency);
    // The approved two are queued, one message per recipient.
    let dengue = n.campaigns().await.unwrap().pop().unwrap();
    assert_eq!(n.progress(dengue.id, false).await.unwrap().total.queued, 61);
}

/// 00:00 on a day in Hà Nội, in stored form.
fn day(y: i32, m: u32, d: u32) -> i64 {
    lantoa_core::time::day_start(chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap())
}

#[tokio::test]
async fn the_demo_year_sends_its_campaigns_on_2023_days_and_today_s_demo_still_loads() {
    let (t, n) = setup().await;
    let (n, _dir) = with_speech(&t, n);
    let year = n.load_demo_year("demo").await.unwrap();
    // The demo list keeps 61 recipients (see the demo test); the demo SMSC reports numbers
    // ending in 7 undeliverable, and 6 of them do (counted by hand in data/notify/demo-list.csv):
    // three campaigns, 3 × 61 messages, 3 × 55 delivered.
    assert_eq!(n.lists().await.unwrap().remove(0).recipients, 61);
    assert_eq!(
        (year.campaigns, year.messages, year.delivered),
        (3, 183, 165),
        "{year:?}"
    );
    assert_eq!(
        (year.lists, year.alerts, year.clusters, year.plays),
        (1, 1, 4, 3),
        "{year:?}"
    );
    assert!(year.speaker_token.is_some() && year.speech_missing.is_none());
    // Everything is dated in 2023, as the annual report will count it.
    let (from, to) = (day(2023, 1, 1), day(2024, 1, 1));
    let f = n.figures(from, to).await.unwrap();
    assert_eq!(
        (f.campaigns, f.recipients, f.delivered),
        (3, 183, year.delivered)
    );
    let topics: Vec<(&str, i64)> = f
        .by_topic
        .iter()
        .map(|r| (r.key.as_str(), r.campaigns))
        .collect();
    assert_eq!(topics, [("dengue", 1), ("digital", 1), ("food-safety", 1)]);
    let c = n.channel_figures(from, to).await.unwrap();
    assert_eq!(
        (c.public_alerts, c.bulletins, c.plays_due, c.plays_played),
        (1, 1, 3, 2),
        "{c:?}"
    );
    assert_eq!(n.figures(to, i64::MAX).await.unwrap().recipients, 0);
    // Once only.
    assert_eq!(n.load_demo_year("demo").await.unwrap(), Default::default());
    // Today's demo keeps the year's list and clusters and adds its own campaigns, bulletin and
    // alerts.
    let today = n.load_demo("demo").await.unwrap();
    assert_eq!(
        (
            today.lists,
            today.clusters,
            today.campaigns,
            today.bulletins,
            today.alerts
        ),
        (0, 0, 3, 2, 3),
        "{today:?}"
    );
    assert_eq!(
        n.channel_figures(from, to).await.unwrap(),
        c,
        "2023 unchanged"
    );
}

#[tokio::test]
async fn a_do_not_call_file_is_imported_once_and_its_bad_rows_reported() {
    let (_t, n) = setup().await;
    let file = "STT;Số thuê bao\n1;0912345678\n2;84983456789\n3;abc\n4;0912 345 678\n";
    let (added, refused) = n
        .import_optouts("lan", file.as_bytes(), "dnc")
        .await
        .unwrap();
    assert_eq!(added, 2);
    assert_eq!(refused.len(), 1);
    assert_eq!((refused[0].row, refused[0].value.as_str()), (4, "abc"));
    let (again, _) = n
        .import_optouts("lan", file.as_bytes(), "dnc")
        .await
        .unwrap();
    assert_eq!(again, 0, "numbers already opted out are not added twice");
    let e = n
        .import_optouts("lan", file.as_bytes(), "tin-don")
        .await
        .unwrap_err();
    assert!(
        e.to_string()
            .contains("is not one of reply, api, dnc, hotline"),
        "{e}"
    );
    // They leave a non-emergency campaign's plan.
    let (_, c) = drafted(&n).await;
    let p = n.plan(c.id).await.unwrap();
    assert_eq!((p.recipients, p.opted_out), (2, 2));
}

#[tokio::test]
async fn recipients_stored_before_the_clustered_table_survive_its_migration() {
    // The notify tables as they were before migration 4, with a list in them.
    let before = lantoa_store::migrate::MigrationSet {
        component: "notify",
        migrations: lantoa_notify::MIGRATIONS.migrations.split_at(3).0,
    };
    let t = TestDb::new(&[&before]).await.unwrap();
    let n = Notify::new(t.db.clone()).unwrap();
    // The list as today's code reads it, written into the old tables as they held it (today's
    // import writes columns the old tables do not have).
    let (_now, today) = setup().await;
    let (read, _) = today
        .import_list("lan", "trước", "ds.csv", LIST.as_bytes())
        .await
        .unwrap();
    let kept = today.recipients(read.id, None, 100).await.unwrap();
    assert_eq!(kept.len(), 4);
    let list_id: i64 = sqlx::query_scalar(
        "INSERT INTO notify_lists (name, file_name, rows, recipients, duplicates, refused_json, by_operator_json, created_by, created_at)
         VALUES ('trước', 'ds.csv', 8, 4, 1, '[]', '{}', 'lan', 0) RETURNING id",
    )
    .fetch_one(t.db.pool())
    .await
    .unwrap();
    for r in &kept {
        sqlx::query(
            "INSERT INTO notify_recipients (list_id, phone, operator, ported, commune_code, name) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(list_id)
        .bind(&r.phone)
        .bind(&r.operator)
        .bind(i64::from(r.ported))
        .bind(r.commune_code.as_deref())
        .bind(r.name.as_deref())
        .execute(t.db.pool())
        .await
        .unwrap();
    }
    let list = n.list(list_id).await.unwrap();
    assert_eq!(n.recipients(list.id, None, 100).await.unwrap(), kept);
    let applied = lantoa_store::migrate::run(&t.db, &[&lantoa_notify::MIGRATIONS])
        .await
        .unwrap();
    assert_eq!(
        applied.applied.len(),
        lantoa_notify::MIGRATIONS.migrations.len() - 3,
        "migration 4 and those after it: {applied:?}"
    );
    assert_eq!(n.recipients(list.id, None, 100).await.unwrap(), kept);
    // And a campaign narrowed to a commune still finds its recipients without the index.
    let hk = kept[0].commune_code.clone().unwrap();
    let mut c = dengue(list.id);
    c.communes = vec![hk.clone()];
    let c = n.create_campaign("lan", &c).await.unwrap();
    let want = kept
        .iter()
        .filter(|r| r.commune_code.as_deref() == Some(hk.as_str()))
        .count() as i64;
    assert_eq!(n.plan(c.id).await.unwrap().recipients, want);
}

#[tokio::test]
async fn a_text_is_costed_as_it_is_typed_and_its_author_may_drop_its_diacritics() {
    let (t, n) = setup().await;
    let (list, c) = drafted(&n).await;
    // The figures the draft form shows while the text is typed, before any campaign.
    let e = n.estimate(&c.body, Some(list.id)).await.unwrap();
    assert_eq!(e.recipients, 4);
    assert!(e.sample.starts_with("Kính gửi "), "{}", e.sample);
    assert_eq!(e.cost.encoding, lantoa_notify::message::Encoding::Ucs2);
    assert_eq!(e.segments, 4 * e.cost.segments as i64);
    assert_eq!(e.cost_vnd, e.segments * 800);
    assert_eq!(
        e.unaccented_cost.encoding,
        lantoa_notify::message::Encoding::Gsm7
    );
    assert!(e.unaccented_segments <= e.segments, "{e:?}");
    assert!(!e.over_cap);
    // Longer than 70 characters with diacritics: two segments each, one without them.
    let long = n
        .estimate(&format!("{} Gọi 115 khi sốt cao.", c.body), Some(list.id))
        .await
        .unwrap();
    assert_eq!((long.cost.segments, long.unaccented_cost.segments), (2, 1));
    assert_eq!((long.segments, long.unaccented_segments), (8, 4));
    let alone = n.estimate("Xin chào", None).await.unwrap();
    assert_eq!((alone.recipients, alone.segments), (1, 1));
    assert!(matches!(
        n.estimate("Chào {khong_co}", Some(list.id)).await,
        Err(Error::Invalid { field: "body", .. })
    ));
    assert!(n.estimate("Xin chào", Some(999)).await.is_err());
    // One click: the draft's text without diacritics; only its author, only a draft.
    assert!(matches!(
        n.use_unaccented("hung", c.id).await,
        Err(Error::Refused(_))
    ));
    let before = n.plan(c.id).await.unwrap().segments;
    let c2 = n.use_unaccented("lan", c.id).await.unwrap();
    assert_eq!(
        c2.body,
        "Kinh gui {ten}: mua sot xuat huyet, hay diet lang quang va ngu man."
    );
    // A text without diacritics gets its names without them too: GSM-7 for everyone.
    let after = n.plan(c.id).await.unwrap();
    assert!(after.segments < before, "{before} -> {}", after.segments);
    assert!(
        after.sample.starts_with("Kinh gui Le Hoa:"),
        "{}",
        after.sample
    );
    // A text without fields drops to GSM-7: fewer segments for everyone.
    let mut fixed = dengue(list.id);
    fixed.name = "không trường".into();
    fixed.body = "Sở Y tế Hà Nội: mùa sốt xuất huyết, hãy diệt lăng quăng, ngủ màn và đến cơ sở y tế khi sốt.".into();
    let f = n.create_campaign("lan", &fixed).await.unwrap();
    let before = n.plan(f.id).await.unwrap().segments;
    n.use_unaccented("lan", f.id).await.unwrap();
    let after = n.plan(f.id).await.unwrap().segments;
    assert_eq!((before, after), (8, 4));
    let words = lantoa_notify::message::unaccented_diff(&c.body);
    assert_eq!(words.len(), c.body.split_whitespace().count());
    assert!(
        words
            .iter()
            .any(|w| w.changed && w.before == "mùa" && w.after == "mua")
    );
    assert!(words.iter().any(|w| !w.changed && w.before == "{ten}:"));
    n.submit("lan", c.id).await.unwrap();
    assert!(matches!(
        n.use_unaccented("lan", c.id).await,
        Err(Error::Refused(_))
    ));
    let actions = audit_actions(&t, c.id).await;
    assert!(
        actions.contains(&"notify.campaign_unaccented".to_owned()),
        "{actions:?}"
    );
}

/// A campaign that reaches no one is not sent for approval; one whose last recipient opted out
/// while it waited is not approved, and stays pending with nothing queued.
#[tokio::test]
async fn a_campaign_to_no_one_is_neither_submitted_nor_approved() {
    let (_t, n) = setup().await;
    let list = imported(&n).await;
    let mut nowhere = dengue(list.id);
    // A commune where no one on the list lives.
    nowhere.communes = vec!["00097".into()];
    let c = n.create_campaign("lan", &nowhere).await.unwrap();
    assert_eq!(n.plan(c.id).await.unwrap().recipients, 0);
    let e = n.submit("lan", c.id).await.unwrap_err();
    assert!(
        matches!(&e, Error::Refused(m) if m.to_string().contains("reaches no one")),
        "{e:?}"
    );
    assert_eq!(n.campaign(c.id).await.unwrap().status, "draft");

    let (one, _) = n
        .import_list(
            "lan",
            "một người",
            "mot.csv",
            "Họ tên,Số điện thoại,Phường/xã\nNguyễn Thị Lan,0912 345 678,Phường Hoàn Kiếm\n"
                .as_bytes(),
        )
        .await
        .unwrap();
    let mut to_one = dengue(one.id);
    to_one.name = "Một người".into();
    let c = n.create_campaign("lan", &to_one).await.unwrap();
    n.submit("lan", c.id).await.unwrap();
    n.opt_out("api", "0912345678", "api").await.unwrap();
    let e = n.approve("hung", c.id, &c.name).await.unwrap_err();
    assert!(
        matches!(&e, Error::Refused(m) if m.to_string().contains("reaches no one")),
        "{e:?}"
    );
    let after = n.campaign(c.id).await.unwrap();
    assert_eq!(after.status, "pending");
    assert_eq!(n.plan(c.id).await.unwrap().recipients, 0);
}

/// VinaPhone's messages for a bind named `test` on SMSC `sim`, at most `parts` parts.
fn for_test(parts: i64) -> lantoa_notify::ClaimFor<'static> {
    lantoa_notify::ClaimFor {
        operator: "vinaphone",
        smsc: "sim",
        owner: "test",
        lease_until: i64::MAX,
        parts_budget: parts,
    }
}

/// Three one-part messages claimed by a bind named `test` on SMSC `sim`, in phone order.
async fn claimed_three(n: &Notify) -> Vec<lantoa_notify::Claimed> {
    let csv = "Số điện thoại\n0912000001\n0912000002\n0912000003\n";
    let (list, _) = n
        .import_list("lan", "ba số", "l.csv", csv.as_bytes())
        .await
        .unwrap();
    let c = n
        .create_campaign(
            "lan",
            &NewCampaign {
                name: "ba số".into(),
                topic: "dengue".into(),
                brandname: "SoTTTT-HN".into(),
                body: "Hay ngu man.".into(),
                list_id: list.id,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    n.submit("lan", c.id).await.unwrap();
    n.approve("hung", c.id, "ba số").await.unwrap();
    let s = n
        .sendable(true)
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.id == c.id)
        .unwrap();
    let mut claimed = n.claim(&s, &for_test(10)).await.unwrap();
    claimed.sort_by(|a, b| a.phone.cmp(&b.phone));
    assert_eq!(claimed.len(), 3);
    claimed
}

fn accepted(m: &lantoa_notify::Claimed, id: &str) -> lantoa_notify::Event {
    lantoa_notify::Event::Accepted {
        message: m.id,
        part: 1,
        smsc: "sim".into(),
        smsc_id: id.into(),
        only: true,
    }
}

fn receipt(m: &lantoa_notify::Claimed, id: &str) -> lantoa_notify::Event {
    lantoa_notify::Event::Receipt {
        smsc: "sim".into(),
        smsc_id: id.into(),
        outcome: lantoa_notify::smpp::Outcome::Delivered,
        recipient: m.phone.clone(),
    }
}

#[tokio::test]
async fn an_answer_and_its_receipt_in_one_batch_settle_the_message_and_no_receipt_is_lost() {
    let (t, n) = setup().await;
    let m = claimed_three(&n).await;
    // The second's answer was lost with its bind before this batch.
    n.record(&[lantoa_notify::Event::Uncertain {
        message: m[1].id,
        part: 1,
        error: "no answer before the bind ended".into(),
    }])
    .await
    .unwrap();
    // One batch: the first's answer and receipt together; the second's late answer (its part
    // is no longer in the window, so the answer does not apply) and receipt; the third's
    // receipt before its answer.
    n.record(&[
        accepted(&m[0], "id-1"),
        receipt(&m[0], "id-1"),
        accepted(&m[1], "id-2"),
        receipt(&m[1], "id-2"),
        receipt(&m[2], "id-3"),
    ])
    .await
    .unwrap();
    let states = |d: &[lantoa_notify::Delivery]| -> Vec<(String, String)> {
        d.iter()
            .map(|d| (d.state.clone(), d.part_states[0].state.clone()))
            .collect()
    };
    let campaign = m[0].campaign_id;
    let (d, _) = n.deliveries(campaign, None, 0, 10).await.unwrap();
    assert_eq!(
        states(&d),
        [
            ("delivered".to_owned(), "delivered".to_owned()),
            ("uncertain".to_owned(), "uncertain".to_owned()),
            ("sending".to_owned(), "window".to_owned()),
        ]
    );
    assert_eq!(d[0].part_states[0].smsc_id.as_deref(), Some("id-1"));
    assert!(d[0].sent_at.is_some());
    // The receipts that found no part to take them are kept, not dropped.
    let kept: Vec<String> =
        sqlx::query_scalar("SELECT smsc_id FROM notify_receipts_unmatched ORDER BY smsc_id")
            .fetch_all(t.db.pool())
            .await
            .unwrap();
    assert_eq!(kept, ["id-2", "id-3"]);
    // The third's answer comes; the kept receipt then settles it, as before.
    n.record(&[accepted(&m[2], "id-3")]).await.unwrap();
    n.match_receipts().await.unwrap();
    let (d, _) = n.deliveries(campaign, None, 0, 10).await.unwrap();
    assert_eq!(
        states(&d)[2],
        ("delivered".to_owned(), "delivered".to_owned())
    );
}

/// The campaign and list pages: a search on tone keys (an older spelling of a tone finds the
/// newer), the state filter, the orders, the total beyond the page, and a filter or order the
/// list does not have refused by name.
#[tokio::test]
async fn campaigns_and_lists_are_paged_searched_filtered_and_sorted() {
    use lantoa_notify::browse::{CampaignFilter, CampaignSort, ListSort, PageQuery};
    let (_t, n) = setup().await;
    let a = n
        .import_list("lan", "Phường Hoàn Kiếm", "hk.csv", LIST.as_bytes())
        .await
        .unwrap()
        .0;
    let b = n
        .import_list("lan", "Xã Hòa Xá", "hx.csv", LIST.as_bytes())
        .await
        .unwrap()
        .0;
    for (i, name) in [
        "Sốt xuất huyết tuần 40",
        "Hòa nhập cộng đồng",
        "Ngày hội số",
    ]
    .iter()
    .enumerate()
    {
        let c = n
            .create_campaign(
                "lan",
                &NewCampaign {
                    name: (*name).into(),
                    list_id: if i == 1 { b.id } else { a.id },
                    ..dengue(a.id)
                },
            )
            .await
            .unwrap();
        if i == 0 {
            n.submit("lan", c.id).await.unwrap();
        }
    }
    let q = |text: &str, sort: CampaignSort, limit: i64| PageQuery {
        q: Some(text.to_owned()),
        sort,
        limit,
        offset: 0,
    };
    let names = |page: &[lantoa_notify::Campaign]| -> Vec<String> {
        page.iter().map(|c| c.name.clone()).collect()
    };
    let all = CampaignFilter::default();
    // The newest first, two to a page, with the total of three.
    let (page, total) = n
        .campaign_page(&q("", CampaignSort::Newest, 2), &all)
        .await
        .unwrap();
    assert_eq!(total, 3);
    assert_eq!(names(&page), ["Ngày hội số", "Hòa nhập cộng đồng"]);
    let (page, _) = n
        .campaign_page(
            &PageQuery {
                offset: 2,
                ..q("", CampaignSort::Newest, 2)
            },
            &all,
        )
        .await
        .unwrap();
    assert_eq!(names(&page), ["Sốt xuất huyết tuần 40"]);
    // "Hoà" (the older place of the tone mark) finds "Hòa"; case does not matter.
    let (page, total) = n
        .campaign_page(&q("HOÀ NHẬP", CampaignSort::Newest, 50), &all)
        .await
        .unwrap();
    assert_eq!(
        (names(&page), total),
        (vec!["Hòa nhập cộng đồng".into()], 1)
    );
    // The state filter.
    let pending = CampaignFilter {
        status: Some("pending".into()),
        ..Default::default()
    };
    let (page, total) = n
        .campaign_page(&q("", CampaignSort::Newest, 50), &pending)
        .await
        .unwrap();
    assert_eq!(
        (names(&page), total),
        (vec!["Sốt xuất huyết tuần 40".into()], 1)
    );
    let (page, _) = n
        .campaign_page(&q("", CampaignSort::Status, 50), &all)
        .await
        .unwrap();
    assert_eq!(page[2].status, "pending", "drafts come before the pending");
    // A state the list does not have, and an order it does not know, are named.
    let e = n
        .campaign_page(
            &q("", CampaignSort::Newest, 50),
            &CampaignFilter {
                status: Some("gửi rồi".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            &e,
            Error::Invalid {
                field: "status",
                ..
            }
        ) && e.to_string().contains("gửi rồi"),
        "{e}"
    );
    let e = CampaignSort::parse("oldest-first").unwrap_err();
    assert!(e.to_string().contains("oldest-first"), "{e}");
    // Lists: by name, and searched.
    let (page, total) = n
        .list_page(&PageQuery {
            q: Some("hoà xá".into()),
            sort: ListSort::Newest,
            limit: 10,
            offset: 0,
        })
        .await
        .unwrap();
    assert_eq!(total, 1);
    assert_eq!(page[0].id, b.id);
    let (page, total) = n
        .list_page(&PageQuery {
            q: None,
            sort: ListSort::Name,
            limit: 10,
            offset: 0,
        })
        .await
        .unwrap();
    assert_eq!(total, 2);
    assert_eq!(page[0].id, a.id, "Phường … before Xã …");
    // Rows written before keys were kept have none: the next process keys them before its
    // first search, and finds them.
    sqlx::query("UPDATE notify_campaigns SET search_key = NULL")
        .execute(_t.db.pool())
        .await
        .unwrap();
    let later = Notify::new(_t.db.clone()).unwrap();
    let (page, total) = later
        .campaign_page(&q("hoà nhập", CampaignSort::Newest, 50), &all)
        .await
        .unwrap();
    assert_eq!(
        (names(&page), total),
        (vec!["Hòa nhập cộng đồng".into()], 1)
    );
}

/// The phones queued for campaign `id` (not its test send), in order.
async fn queued_phones(t: &TestDb, id: i64) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT phone FROM notify_messages WHERE campaign_id = $1 AND test = 0 ORDER BY phone",
    )
    .bind(id)
    .fetch_all(t.db.pool())
    .await
    .unwrap()
}

#[tokio::test]
async fn an_approved_campaign_is_queued_a_step_at_a_time_and_sent_only_once_all_are() {
    let t = TestDb::new(&[&lantoa_notify::MIGRATIONS]).await.unwrap();
    let n = Notify::new(t.db.clone())
        .unwrap()
        .with_queue_step(3)
        .queueing_by_hand();
    let mut csv = String::from("Họ tên,Số điện thoại\n");
    for k in 1..=10 {
        csv.push_str(&format!("Người {k},09120000{k:02}\n"));
    }
    let (list, _) = n
        .import_list("lan", "mười số", "l.csv", csv.as_bytes())
        .await
        .unwrap();
    // The fifth number opted out: it is never queued, in the first step or after.
    n.opt_out("lan", "0912000005", "hotline").await.unwrap();
    let mut ids = Vec::new();
    // One text for all (the database copies the recipients) and a text per recipient.
    for body in ["Hay ngu man.", "Kính gửi {ten}: hãy ngủ màn."] {
        let c = n
            .create_campaign(
                "lan",
                &NewCampaign {
                    name: format!("từng bước {}", ids.len()),
                    topic: "dengue".into(),
                    brandname: "SoTTTT-HN".into(),
                    body: body.into(),
                    list_id: list.id,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        n.submit("lan", c.id).await.unwrap();
        let approved = n.approve("hung", c.id, &c.name).await.unwrap();
        assert_eq!(approved.status, "sending");
        assert!(approved.queueing, "the rest is still to be queued");
        let first = queued_phones(&t, c.id).await;
        assert_eq!(first, ["0912000001", "0912000002", "0912000003"]);
        ids.push(c.id);
    }
    // Everything queued so far is sent and delivered; the campaign is not finished while the
    // rest of its recipients are still to be queued.
    let s = n.sendable(true).await.unwrap();
    let first = s.iter().find(|s| s.id == ids[0]).unwrap();
    let claimed = n.claim(first, &for_test(100)).await.unwrap();
    assert_eq!(claimed.len(), 3);
    let mut events = Vec::new();
    for (k, m) in claimed.iter().enumerate() {
        events.push(accepted(m, &format!("q-{k}")));
        events.push(receipt(m, &format!("q-{k}")));
    }
    n.record(&events).await.unwrap();
    assert!(!n.finish_campaigns().await.unwrap().contains(&ids[0]));
    // The second campaign is cancelled half queued: nothing more of it is queued.
    let cancelled = n.cancel("hung", ids[1], "nhầm danh sách").await.unwrap();
    assert!(!cancelled.queueing);
    // The rest: 10 numbers, 3 queued, 1 opted out.
    assert_eq!(n.queue_rest().await.unwrap(), 6);
    assert_eq!(
        n.queue_rest().await.unwrap(),
        0,
        "a second pass queues nothing"
    );
    let all = queued_phones(&t, ids[0]).await;
    let expected: Vec<String> = (1..=10)
        .filter(|k| *k != 5)
        .map(|k| format!("09120000{k:02}"))
        .collect();
    assert_eq!(
        all, expected,
        "each recipient once, the opted-out number never"
    );
    assert_eq!(queued_phones(&t, ids[1]).await.len(), 3);
    let c = n.campaign(ids[0]).await.unwrap();
    assert!(!c.queueing);
    let actions = audit_actions(&t, ids[0]).await;
    assert_eq!(
        actions
            .iter()
            .filter(|a| *a == "notify.campaign_queued")
            .count(),
        1,
        "{actions:?}"
    );
    let queued: String = sqlx::query_scalar(
        "SELECT after_json FROM audit_log WHERE entity = $1 AND action = 'notify.campaign_queued'",
    )
    .bind(format!("campaign:{}", ids[0]))
    .fetch_one(t.db.pool())
    .await
    .unwrap();
    assert_eq!(queued, r#"{"queued":9}"#);
    // A step taken twice (a process that stopped after its insert and before its commit is
    // the same as one that never took it; one that took it queues nothing more).
    sqlx::query("UPDATE notify_campaigns SET queue_after = '0912000003' WHERE id = $1")
        .bind(ids[0])
        .execute(t.db.pool())
        .await
        .unwrap();
    assert_eq!(n.queue_rest().await.unwrap(), 0);
    assert_eq!(queued_phones(&t, ids[0]).await, expected);
}
