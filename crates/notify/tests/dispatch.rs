//! Sending against a real SMSC: the simulator in `tools/smsc-sim` (node-smpp, independent of
//! Lantoa's codec) that `cargo xtask test` starts and names in LANTOA_SMSC_SIM (SMPP address),
//! LANTOA_SMSC_SIM_CONTROL (its control address) and LANTOA_SMSC_SIM_PASSWORD. Each test binds
//! as an account of its own, so the simulator's record and modes are its own. The database is
//! SQLite, or PostgreSQL when LANTOA_TEST_DATABASE_URL is set.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers: a panic is the failure report

use std::collections::HashMap;
use std::time::Duration;

use lantoa_notify::smpp::Smsc;
use lantoa_notify::{DispatchConfig, Dispatcher, NewCampaign, Notify, Progress};
use lantoa_store::Clock;
use lantoa_store::testing::TestDb;
use serde_json::Value;
#[path = "support/sim.rs"]
mod sim;
use sim::{env, mode, record};

fn smsc(account: &str, password: &str, port: Option<u16>) -> Smsc {
    let addr = env("LANTOA_SMSC_SIM");
    let (host, sim_port) = addr.rsplit_once(':').unwrap();
    Smsc {
        name: format!("sim-{account}"),
        operators: ["viettel", "vinaphone", "mobifone"]
            .map(String::from)
            .to_vec(),
        host: host.into(),
        port: port.unwrap_or_else(|| sim_port.parse().unwrap()),
        system_id: account.into(),
        password: password.into(),
        system_type: String::new(),
        binds: 1,
        tps: 500,
        max_window: 10,
        enquire_link_secs: 1,
        response_timeout_secs: 5,
    }
}

struct Run {
    _t: TestDb,
    n: Notify,
    account: String,
    stop: tokio::sync::watch::Sender<bool>,
    task: Option<tokio::task::JoinHandle<()>>,
}

/// A database, the notify service and a dispatcher bound as `account` (fresh in the simulator).
/// 10:00 in Hà Nội (03:00 UTC), inside the hours non-emergency messages may go.
fn daytime() -> Clock {
    Clock::manual(chrono::DateTime::from_timestamp(1_795_748_400, 0).unwrap())
}

async fn start(account: &str, tweak: impl FnOnce(&mut Smsc)) -> Run {
    start_at(account, daytime(), tweak).await
}

async fn start_at(account: &str, clock: Clock, tweak: impl FnOnce(&mut Smsc)) -> Run {
    let account = format!("{account}-{}", std::process::id() % 100_000);
    sim::reset(&account).await;
    let t = TestDb::new(&[&lantoa_notify::MIGRATIONS]).await.unwrap();
    let n = Notify::new(t.db.clone()).unwrap().with_clock(clock);
    let mut s = smsc(&account, &env("LANTOA_SMSC_SIM_PASSWORD"), None);
    tweak(&mut s);
    let config = DispatchConfig {
        smsc: vec![s],
        lease_secs: 2,
        ..Default::default()
    };
    let d = Dispatcher::new(n.clone(), config, format!("test-{account}")).unwrap();
    let (stop, rx) = tokio::sync::watch::channel(false);
    let task = Some(tokio::spawn(d.run(rx)));
    Run {
        _t: t,
        n,
        account,
        stop,
        task,
    }
}

impl Run {
    /// Stops the dispatcher, then checks the progress counts the triggers kept through
    /// everything the test did against a count of the messages themselves.
    async fn finish(&mut self) {
        let _ = self.stop.send(true);
        if let Some(t) = self.task.take() {
            t.await.unwrap();
        }
        let count = |sql: &'static str| {
            let pool = self._t.db.pool().clone();
            async move {
                let mut rows: Vec<(i64, i64, String, String, i64)> =
                    sqlx::query_as(sql).fetch_all(&pool).await.unwrap();
                rows.sort();
                rows
            }
        };
        let kept =
            count("SELECT campaign_id, test, operator, state, n FROM notify_counts WHERE n <> 0")
                .await;
        let counted = count(
            "SELECT campaign_id, test, operator, state, COUNT(*) FROM notify_messages
             GROUP BY campaign_id, test, operator, state",
        )
        .await;
        assert!(!counted.is_empty(), "the test queued no message");
        assert_eq!(
            kept, counted,
            "the progress counts drifted from the messages"
        );
    }
}

/// A list of `count` numbers: 098… (Viettel), 091… (VinaPhone), 090… (MobiFone) in turn.
fn numbers(count: usize) -> String {
    let mut csv = String::from("Họ tên,Số điện thoại,Phường/xã\n");
    for i in 0..count {
        let prefix = ["098", "091", "090"][i % 3];
        csv.push_str(&format!(
            "Người {i},{prefix}{:07},Phường Hoàn Kiếm\n",
            1_000_000 + i
        ));
    }
    csv
}

/// Imports a list of `count` numbers and approves a campaign with `body` on it; returns its id.
async fn approved(n: &Notify, name: &str, count: usize, body: &str, emergency: bool) -> i64 {
    let (list, _) = n
        .import_list("lan", name, "l.csv", numbers(count).as_bytes())
        .await
        .unwrap();
    let c = n
        .create_campaign(
            "lan",
            &NewCampaign {
                name: name.into(),
                topic: "dengue".into(),
                brandname: "SoTTTT-HN".into(),
                body: body.into(),
                list_id: list.id,
                communes: vec![],
                emergency,
                resend_uncertain: false,
            },
        )
        .await
        .unwrap();
    n.submit("lan", c.id).await.unwrap();
    n.approve("hung", c.id, name).await.unwrap();
    c.id
}

/// Waits (a guard against hanging, not a timing assertion) until `done` holds of the progress.
async fn until(n: &Notify, id: i64, done: impl Fn(&Progress) -> bool) -> Progress {
    for _ in 0..1200 {
        let p = n.progress(id, false).await.unwrap();
        if done(&p) {
            return p;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!(
        "campaign {id} did not get there: {:?}",
        n.progress(id, false).await.unwrap()
    );
}

fn settled(p: &Progress) -> bool {
    p.total.queued + p.total.sending + p.total.submitted == 0
}

/// Accepted submits per destination in the simulator's record.
fn accepted_per_destination(rec: &[Value]) -> HashMap<String, usize> {
    let mut per = HashMap::new();
    for e in rec {
        if e["answer"].as_str().unwrap().starts_with("SIM") {
            *per.entry(e["destination_addr"].as_str().unwrap().to_owned())
                .or_default() += 1;
        }
    }
    per
}

#[tokio::test]
#[ignore = "needs the SMSC simulator: cargo xtask test starts it"]
async fn each_recipient_gets_the_message_once_and_every_receipt_is_matched() {
    let mut r = start("once", |_| {}).await;
    // Long and accented: UCS-2 in 3 parts with a UDH each.
    let body = "Sở Thông tin và Truyền thông: {ten} ơi, mùa sốt xuất huyết đã đến. Hãy diệt lăng quăng, bọ gậy, đậy kín dụng cụ chứa nước và ngủ màn. Khi sốt cao hãy đến cơ sở y tế gần nhất.";
    let id = approved(&r.n, "ucs2", 30, body, false).await;
    let p = until(&r.n, id, |p| settled(p) && p.total.delivered == 30).await;
    assert_eq!(p.total.recipients, 30);
    assert_eq!(p.by_operator.len(), 3);
    let rec = record(&r.account).await;
    assert_eq!(rec.len(), 30 * 3, "three parts per recipient, each once");
    let per = accepted_per_destination(&rec);
    assert_eq!(per.len(), 30);
    assert!(per.values().all(|&k| k == 3));
    // The simulator's own decoding of what arrived gives back the text, part by part.
    let mut by_dest: HashMap<&str, Vec<(String, String)>> = HashMap::new();
    for e in &rec {
        assert_eq!(e["data_coding"], 8);
        assert_eq!(e["esm_class"].as_u64().unwrap() & 0x40, 0x40);
        assert_eq!(e["source_addr"], "SoTTTT-HN");
        by_dest
            .entry(e["destination_addr"].as_str().unwrap())
            .or_default()
            .push((
                e["udh"][0].as_str().unwrap().to_owned(),
                e["text"].as_str().unwrap().to_owned(),
            ));
    }
    let parts = &by_dest["84981000000"];
    let mut parts = parts.clone();
    parts.sort_by(|a, b| a.0[8..].cmp(&b.0[8..]));
    let text: String = parts.iter().map(|(_, t)| t.as_str()).collect();
    assert_eq!(text, body.replace("{ten}", "Người 0"));
    assert!(
        parts
            .iter()
            .all(|(udh, _)| udh.starts_with("0003") && &udh[6..8] == "03")
    );
    // Each delivery reads back with its three parts as the SMSC answered them, a page at a
    // time; a filter or page size out of range is named.
    let (page, total) = r.n.deliveries(id, Some("delivered"), 0, 20).await.unwrap();
    assert_eq!((page.len(), total), (20, 30));
    assert!(page.iter().all(|d| d.state == "delivered" && d.parts == 3));
    assert!(page.iter().all(|d| {
        d.part_states.len() == 3
            && d.part_states
                .iter()
                .all(|p| p.state == "delivered" && p.smsc_id.is_some())
    }));
    let (rest, _) = r.n.deliveries(id, None, page[19].id, 20).await.unwrap();
    assert_eq!(rest.len(), 10);
    assert!(rest.iter().all(|d| d.id > page[19].id));
    let (none, total) = r.n.deliveries(id, Some("failed"), 0, 20).await.unwrap();
    assert_eq!((none.len(), total), (0, 0));
    assert!(matches!(
        r.n.deliveries(id, Some("arrived"), 0, 20).await,
        Err(lantoa_notify::Error::Invalid { field: "state", .. })
    ));
    assert!(matches!(
        r.n.deliveries(id, None, 0, 0).await,
        Err(lantoa_notify::Error::Invalid { field: "limit", .. })
    ));
    // The figures count it.
    let f = r.n.figures(0, i64::MAX).await.unwrap();
    assert_eq!(
        (f.campaigns, f.recipients, f.segments, f.delivered),
        (1, 30, 90, 30)
    );
    assert_eq!(f.delivered_pct, 100.0);
    // And the reports' link lists the campaign it counted; a period before it lists none.
    let sent = r.n.campaigns_sent_between(0, i64::MAX).await.unwrap();
    assert_eq!(sent.iter().map(|c| c.id).collect::<Vec<_>>(), vec![id]);
    assert!(r.n.campaigns_sent_between(0, 1).await.unwrap().is_empty());
    r.finish().await;
    let c = r.n.campaign(id).await.unwrap();
    assert_eq!(c.status, "sent");
}

#[tokio::test]
#[ignore = "needs the SMSC simulator: cargo xtask test starts it"]
async fn throttling_slows_the_bind_and_the_throttled_messages_go_once_later() {
    let mut r = start("throttle", |_| {}).await;
    mode(&r.account, r#"{"throttle": 6}"#).await;
    let id = approved(
        &r.n,
        "plain",
        20,
        "Phong chong sot xuat huyet: diet lang quang.",
        false,
    )
    .await;
    let p = until(&r.n, id, |p| settled(p) && p.total.delivered == 20).await;
    assert_eq!(p.total.failed + p.total.uncertain, 0);
    let rec = record(&r.account).await;
    assert_eq!(rec.iter().filter(|e| e["answer"] == "throttled").count(), 6);
    let per = accepted_per_destination(&rec);
    assert_eq!(per.len(), 20);
    assert!(per.values().all(|&k| k == 1), "{per:?}");
    assert!(rec.iter().all(|e| e["data_coding"] == 0));
    r.finish().await;
}

/// An SMSC that takes only so many a second: the bind learns its rate (shown below the TPS),
/// and every throttled message still goes once.
#[tokio::test]
#[ignore = "needs the SMSC simulator: cargo xtask test starts it"]
async fn an_smsc_slower_than_the_contract_gets_every_message_once() {
    let mut r = start("ratelimit", |s| s.tps = 1000).await;
    mode(&r.account, r#"{"rate_limit": 150}"#).await;
    let id = approved(
        &r.n,
        "plain",
        600,
        "Phong chong sot xuat huyet: diet lang quang.",
        false,
    )
    .await;
    let p = until(&r.n, id, |p| settled(p) && p.total.delivered == 600).await;
    assert_eq!(p.total.failed + p.total.uncertain, 0);
    let rec = record(&r.account).await;
    assert!(
        rec.iter().any(|e| e["answer"] == "throttled"),
        "the SMSC throttled a bind that started at 1000/s"
    );
    let per = accepted_per_destination(&rec);
    assert_eq!(per.len(), 600);
    assert!(per.values().all(|&k| k == 1), "{per:?}");
    // The bind's status (written every two seconds) shows the rate it learned.
    let binds = r.n.binds().await.unwrap();
    assert!(
        binds.iter().any(|b| b.tps < 1000),
        "the bind's rate came down from the contract's: {binds:?}"
    );
    r.finish().await;
}

/// The SMSC took some parts but their answers were lost (the bind breaks waiting for them):
/// those parts are uncertain until their receipts, which come to the new bind, settle them as
/// delivered; none is sent again and none stays uncertain.
#[tokio::test]
#[ignore = "needs the SMSC simulator: cargo xtask test starts it"]
async fn parts_whose_answer_was_lost_are_settled_by_their_receipts() {
    lost_answers("noanswer", false).await;
}

/// The same for an emergency campaign, which sends uncertain parts again: it first waits for
/// their receipts (the resend wait), so nothing the SMSC took goes twice.
#[tokio::test]
#[ignore = "needs the SMSC simulator: cargo xtask test starts it"]
async fn an_emergency_waits_for_the_receipts_before_sending_again() {
    lost_answers("urgent", true).await;
}

async fn lost_answers(account: &str, emergency: bool) {
    let clock = daytime();
    let mut r = start_at(account, clock.clone(), |s| {
        s.response_timeout_secs = 1;
        s.max_window = 4;
    })
    .await;
    // The queue's clock is the test's: it moves a second every 100 ms, so a receipt no answer
    // claimed grows old enough to settle a part, and the resend wait passes.
    let ticking = tokio::spawn(async move {
        for _ in 0..600 {
            tokio::time::sleep(Duration::from_millis(100)).await;
            clock.advance(chrono::Duration::seconds(1));
        }
    });
    mode(&r.account, r#"{"answerless": 3, "receipt_delay_ms": 2500}"#).await;
    let id = approved(
        &r.n,
        "plain",
        30,
        "Phong chong sot xuat huyet: diet lang quang.",
        emergency,
    )
    .await;
    let p = until(&r.n, id, |p| settled(p) && p.total.delivered == 30).await;
    assert_eq!(p.total.failed + p.total.uncertain, 0, "{p:?}");
    let rec = record(&r.account).await;
    assert_eq!(rec.iter().filter(|e| e["answerless"] == true).count(), 3);
    let per = accepted_per_destination(&rec);
    assert_eq!(per.len(), 30);
    assert!(per.values().all(|&k| k == 1), "none sent again: {per:?}");
    ticking.abort();
    r.finish().await;
}

#[tokio::test]
#[ignore = "needs the SMSC simulator: cargo xtask test starts it"]
async fn refusals_fail_with_their_reason_and_ambiguous_answers_follow_the_policy() {
    let mut r = start("reject", |s| s.max_window = 1).await;
    mode(&r.account, r#"{"reject": {"code": 11, "n": 2}}"#).await;
    let id = approved(&r.n, "refused", 6, "Thong bao thu.", false).await;
    let p = until(&r.n, id, |p| settled(p) && p.total.delivered == 4).await;
    assert_eq!(p.total.failed, 2);
    assert!(
        p.reasons[0].0.contains("ESME_RINVDSTADR (0x0B)"),
        "{:?}",
        p.reasons
    );
    // 0x45 is ambiguous: a normal campaign leaves the part uncertain…
    mode(&r.account, r#"{"reject": {"code": 69, "n": 1}}"#).await;
    let normal = approved(&r.n, "ambiguous", 3, "Thong bao hai.", false).await;
    let p = until(&r.n, normal, |p| settled(p) && p.total.delivered == 2).await;
    assert_eq!(p.total.uncertain, 1);
    assert!(p.reasons[0].0.contains("ESME_RSUBMITFAIL (0x45)"));
    // …an emergency sends it again.
    mode(&r.account, r#"{"reject": {"code": 69, "n": 1}}"#).await;
    let urgent = approved(&r.n, "urgent", 3, "Canh bao chay.", true).await;
    let p = until(&r.n, urgent, |p| settled(p) && p.total.delivered == 3).await;
    assert_eq!(p.total.uncertain, 0);
    r.finish().await;
}

#[tokio::test]
#[ignore = "needs the SMSC simulator: cargo xtask test starts it"]
async fn late_receipts_in_text_form_are_matched_to_their_messages() {
    let mut r = start("receipts", |_| {}).await;
    mode(
        &r.account,
        r#"{"receipt_delay_ms": 400, "receipt_tlv": false, "receipt_stat": "UNDELIV"}"#,
    )
    .await;
    let id = approved(&r.n, "undeliv", 5, "Thong bao.", false).await;
    let p = until(&r.n, id, |p| settled(p) && p.total.failed == 5).await;
    assert_eq!(
        p.reasons,
        [("undeliverable (delivery receipt)".to_owned(), 5)]
    );
    mode(&r.account, r#"{"receipt_stat": "EXPIRED"}"#).await;
    let id = approved(&r.n, "expired", 2, "Thong bao.", false).await;
    let p = until(&r.n, id, |p| settled(p) && p.total.failed == 2).await;
    assert_eq!(p.reasons[0].0, "expired before delivery (receipt)");
    r.finish().await;
}

#[tokio::test]
#[ignore = "needs the SMSC simulator: cargo xtask test starts it"]
async fn a_dropped_connection_leaves_only_its_window_uncertain_and_the_rest_goes_after_reconnect() {
    let mut r = start("drop", |s| s.max_window = 4).await;
    mode(&r.account, r#"{"drop_after": 10, "answer_delay_ms": 20}"#).await;
    let id = approved(&r.n, "dropped", 40, "Thong bao.", false).await;
    // A receipt due on the dropped connection never comes: its message stays submitted.
    let p = until(&r.n, id, |p| p.total.queued + p.total.sending == 0).await;
    assert_eq!(p.total.recipients, 40);
    assert!(p.total.uncertain <= 4, "at most a window: {p:?}");
    assert_eq!(
        p.total.delivered + p.total.submitted + p.total.uncertain,
        40,
        "{p:?}"
    );
    let per = accepted_per_destination(&record(&r.account).await);
    assert!(per.values().all(|&k| k == 1), "nothing twice: {per:?}");
    assert!(per.len() >= 36);
    r.finish().await;
}

#[tokio::test]
#[ignore = "needs the SMSC simulator: cargo xtask test starts it"]
async fn a_refused_bind_or_an_smsc_down_keeps_the_campaign_waiting_and_says_why() {
    let mut r = start("badpass", |s| s.password = "wrong".into()).await;
    let id = approved(&r.n, "waiting", 3, "Thong bao.", false).await;
    let bind = loop {
        let b = r.n.binds().await.unwrap();
        if let Some(b) = b.into_iter().find(|b| b.state == "down") {
            break b;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(bind.detail.contains("refused the bind"), "{}", bind.detail);
    assert!(
        bind.detail.contains("ESME_RBINDFAIL (0x0D)"),
        "{}",
        bind.detail
    );
    let p = r.n.progress(id, false).await.unwrap();
    assert_eq!(p.total.queued, 3, "nothing lost, nothing sent");
    r.finish().await;

    // Nothing listens on the port: the bind says it cannot reach the SMSC.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut r = start("down", |s| s.port = port).await;
    let id = approved(&r.n, "down", 2, "Thong bao.", false).await;
    let bind = loop {
        let b = r.n.binds().await.unwrap();
        if let Some(b) = b.into_iter().find(|b| b.state == "down") {
            break b;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(bind.detail.contains("cannot reach"), "{}", bind.detail);
    assert_eq!(r.n.progress(id, false).await.unwrap().total.queued, 2);
    r.finish().await;
}

#[tokio::test]
#[ignore = "needs the SMSC simulator: cargo xtask test starts it"]
async fn cancel_stops_the_queue_and_only_the_window_still_goes() {
    let mut r = start("cancel", |s| {
        s.tps = 20;
        s.max_window = 3;
    })
    .await;
    mode(&r.account, r#"{"answer_delay_ms": 30}"#).await;
    let id = approved(&r.n, "cancelled", 200, "Thong bao.", false).await;
    until(&r.n, id, |p| p.total.delivered >= 5).await;
    r.n.cancel("hung", id, "wrong ward").await.unwrap();
    only_the_window_goes_after_cancel(&r, id).await;
    r.finish().await;
}

/// After a cancel of campaign `id` (a window of 3): nothing queued is left, most of it is
/// cancelled, and at most the window reaches the simulator afterwards.
async fn only_the_window_goes_after_cancel(r: &Run, id: i64) {
    let at_cancel = record(&r.account).await.len();
    let p = until(&r.n, id, |p| p.total.sending == 0 && p.total.submitted == 0).await;
    // Parts claimed but not yet written when the cancel came are put back and cancelled.
    assert_eq!(p.total.queued, 0);
    assert!(p.total.cancelled > 150, "{p:?}");
    tokio::time::sleep(Duration::from_millis(600)).await;
    let after = record(&r.account).await.len();
    assert!(
        after - at_cancel <= 3 + 1,
        "at most a window after the cancel: {at_cancel} → {after}"
    );
    assert_eq!(
        after as i64,
        p.total.delivered + p.total.failed + p.total.uncertain
    );
}

#[tokio::test]
#[ignore = "needs the SMSC simulator: cargo xtask test starts it"]
async fn an_alerts_cancel_stops_its_sms_in_flight() {
    let mut r = start("alertcnl", |s| {
        s.tps = 20;
        s.max_window = 3;
    })
    .await;
    mode(&r.account, r#"{"answer_delay_ms": 30}"#).await;
    let (list, _) =
        r.n.import_list("lan", "dan-cu", "l.csv", numbers(200).as_bytes())
            .await
            .unwrap();
    let sender = "canhbao@hanoi.gov.vn";
    let alert = lantoa_notify::NewAlert {
        status: "Actual".into(),
        msg_type: "Alert".into(),
        category: "Met".into(),
        event: "Ngập úng".into(),
        urgency: "Immediate".into(),
        severity: "Severe".into(),
        certainty: "Observed".into(),
        headline: "Ngap sau tai cac tuyen pho trung tam".into(),
        instruction: "Khong di vao vung ngap.".into(),
        expires: "2026-12-31T20:00".into(),
        communes: vec!["00070".into()],
        sms_list: Some(list.id),
        ..Default::default()
    };
    let a = r.n.issue_alert("lan", sender, &alert).await.unwrap();
    let a = r.n.approve_alert("hung", a.id).await.unwrap();
    let id = r.n.alert(a.id).await.unwrap().campaign_id.unwrap();
    assert!(r.n.campaign(id).await.unwrap().emergency);
    until(&r.n, id, |p| p.total.delivered >= 5).await;
    r.n.cancel_alert("lan", sender, a.id, "nhầm khu vực")
        .await
        .unwrap();
    assert_eq!(r.n.campaign(id).await.unwrap().status, "cancelled");
    only_the_window_goes_after_cancel(&r, id).await;
    r.finish().await;
}

#[tokio::test]
#[ignore = "needs the SMSC simulator: cargo xtask test starts it"]
async fn a_reply_saying_tu_choi_opts_the_citizen_out() {
    let mut r = start("reply", |_| {}).await;
    let id = approved(&r.n, "before", 3, "Thong bao.", false).await;
    until(&r.n, id, |p| settled(p) && p.total.delivered == 3).await;
    mode(
        &r.account,
        r#"{"mo": {"from": "84981000000", "text": "Từ chối"}}"#,
    )
    .await;
    mode(
        &r.account,
        r#"{"mo": {"from": "84911000001", "text": "cam on"}}"#,
    )
    .await;
    // The next campaign to the same list leaves the number out.
    let plan = loop {
        let c =
            r.n.create_campaign(
                "lan",
                &NewCampaign {
                    name: format!("after-{}", rand_suffix()),
                    topic: "dengue".into(),
                    brandname: "SoTTTT-HN".into(),
                    body: "Lan hai.".into(),
                    list_id: r.n.lists().await.unwrap()[0].id,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let plan = r.n.plan(c.id).await.unwrap();
        if plan.opted_out == 1 {
            break plan;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(plan.recipients, 2);
    r.finish().await;
}

fn rand_suffix() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
}

#[tokio::test]
#[ignore = "needs the SMSC simulator: cargo xtask test starts it"]
async fn a_test_send_goes_before_approval_only_to_the_test_list() {
    let mut r = start("testsend", |_| {}).await;
    let (list, _) =
        r.n.import_list("lan", "big", "l.csv", numbers(25).as_bytes())
            .await
            .unwrap();
    let (tests, _) =
        r.n.import_list("lan", "staff", "t.csv", numbers(2).as_bytes())
            .await
            .unwrap();
    let c =
        r.n.create_campaign(
            "lan",
            &NewCampaign {
                name: "draft".into(),
                topic: "dengue".into(),
                brandname: "SoTTTT-HN".into(),
                body: "Thu {ten}.".into(),
                list_id: list.id,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    // A list too big to be a test list is refused, with its size.
    let err = r.n.test_send("lan", c.id, list.id).await.unwrap_err();
    assert!(err.to_string().contains("25 recipients"), "{err}");
    assert_eq!(r.n.test_send("lan", c.id, tests.id).await.unwrap(), 2);
    for _ in 0..400 {
        let p = r.n.progress(c.id, true).await.unwrap();
        if p.total.delivered == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let rec = record(&r.account).await;
    assert_eq!(rec.len(), 2);
    // A text written without diacritics gets its names without them (GSM-7).
    assert_eq!(rec[0]["text"], "Thu Nguoi 0.");
    assert_eq!(r.n.campaign(c.id).await.unwrap().status, "draft");
    assert_eq!(r.n.progress(c.id, false).await.unwrap().total.recipients, 0);
    r.finish().await;
}

#[tokio::test]
#[ignore = "needs the SMSC simulator: cargo xtask test starts it"]
async fn the_frequency_cap_skips_a_fourth_message_in_a_day_but_not_an_emergency() {
    let mut r = start("cap", |_| {}).await;
    let list = numbers(2);
    let (l, _) =
        r.n.import_list("lan", "two", "l.csv", list.as_bytes())
            .await
            .unwrap();
    let mut last = None;
    for (i, emergency) in [false, false, false, false, true].into_iter().enumerate() {
        let c =
            r.n.create_campaign(
                "lan",
                &NewCampaign {
                    name: format!("c{i}"),
                    topic: "dengue".into(),
                    brandname: "SoTTTT-HN".into(),
                    body: format!("Tin {i}."),
                    list_id: l.id,
                    emergency,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        r.n.submit("lan", c.id).await.unwrap();
        r.n.approve("hung", c.id, &format!("c{i}")).await.unwrap();
        last = Some(
            until(&r.n, c.id, |p| {
                settled(p) && p.total.delivered + p.total.skipped == 2
            })
            .await,
        );
        if i == 3 {
            let p = last.clone().unwrap();
            assert_eq!(p.total.skipped, 2, "{p:?}");
            assert!(p.reasons[0].0.starts_with("frequency cap"));
        }
    }
    assert_eq!(
        last.unwrap().total.delivered,
        2,
        "an emergency passes the cap"
    );
    r.finish().await;
}

#[tokio::test]
#[ignore = "needs the SMSC simulator: cargo xtask test starts it"]
async fn quiet_hours_hold_a_normal_campaign_but_not_an_emergency() {
    // 23:00 in Hà Nội (16:00 UTC).
    let night = Clock::manual(chrono::DateTime::from_timestamp(1_795_708_800, 0).unwrap());
    let mut r = start_at("quiet", night.clone(), |_| {}).await;
    let normal = approved(&r.n, "normal", 3, "Thong bao.", false).await;
    let urgent = approved(&r.n, "urgent", 3, "Canh bao.", true).await;
    until(&r.n, urgent, |p| settled(p) && p.total.delivered == 3).await;
    assert_eq!(r.n.progress(normal, false).await.unwrap().total.queued, 3);
    // Morning: 07:00 local.
    night.advance(chrono::Duration::hours(8));
    until(&r.n, normal, |p| settled(p) && p.total.delivered == 3).await;
    r.finish().await;
}
