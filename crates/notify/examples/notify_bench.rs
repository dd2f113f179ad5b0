//! What `cargo xtask bench notify` runs on Lantoa's side.
//!
//!   notify_bench gen FILE N
//!       writes a list of N distinct numbers (three operators, communes, names) as CSV
//!   notify_bench plan FILE [N]
//!       imports FILE (written by `gen FILE N`) as a list, with one number in a hundred of it
//!       opted out beforehand, drafts, plans, submits and approves a campaign on it (queueing
//!       one message per recipient) in a fresh SQLite database; each phase timed, one JSON line
//!   notify_bench read FILE
//!       reads FILE as a list without a database (normalise, validate, dedupe, route); one JSON line
//!   notify_bench dispatch N HOST:PORT ACCOUNT PASSWORD BINDS CONTROL
//!       queues a campaign to N numbers and sends it to the simulator at HOST:PORT with BINDS
//!       binds; timed until the simulator's control interface (CONTROL, host:port) counts N
//!       accepted for ACCOUNT; one JSON line
//!   notify_bench kannel N SENDSMS_URL CONTROL ACCOUNT CONNECTIONS
//!       the peer: sends N messages through Kannel's HTTP sendsms interface (SENDSMS_URL, its
//!       query up to `to=`) over CONNECTIONS concurrent connections, timed the same way
#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark: a panic is the report

use lantoa_store::testing::measure::{cpu_seconds, peak_rss_kb};
use std::io::Write;
use std::time::Instant;

use lantoa_notify::smpp::Smsc;
use lantoa_notify::{DispatchConfig, Dispatcher, NewCampaign, Notify};
use lantoa_store::Db;

fn numbers_csv(n: usize, mut out: impl Write) {
    let communes = [
        "Phường Hoàn Kiếm",
        "Phường Ba Đình",
        "Xã Sóc Sơn",
        "Phường Hà Đông",
    ];
    writeln!(out, "Họ tên,Số điện thoại,Phường/xã").unwrap();
    for i in 0..n {
        let prefix = ["098", "091", "090"][i % 3];
        writeln!(
            out,
            "Người {i},{prefix}{:07},{}",
            i / 3,
            communes[i % communes.len()]
        )
        .unwrap();
    }
}

/// The shipped rules without quiet hours, so the bench runs at any hour.
fn notify(db: &Db) -> Notify {
    let text = lantoa_notify::rules::BUILTIN_TEXT
        .replace("allowed_from = \"07:00\"", "allowed_from = \"00:00\"")
        .replace("allowed_until = \"22:00\"", "allowed_until = \"00:00\"");
    Notify::with(
        db.clone(),
        lantoa_core::phone::NumberingPlan::builtin(),
        lantoa_notify::audience::Communes::hanoi().unwrap(),
        lantoa_notify::rules::Rules::from_toml(&text).unwrap(),
    )
}

async fn fresh_db(dir: &std::path::Path) -> Db {
    let url = format!("sqlite://{}", dir.join("bench.db").display());
    // The bench's audit rows are keyed as the server keys them (a key for this run only).
    lantoa_store::audit::use_key([0x5a; 32]).unwrap();
    let db = Db::connect(&url).await.unwrap();
    lantoa_store::migrate::run(
        &db,
        &[&lantoa_store::MIGRATIONS, &lantoa_notify::MIGRATIONS],
    )
    .await
    .unwrap();
    db
}

fn campaign(list_id: i64) -> NewCampaign {
    NewCampaign {
        name: "bench".into(),
        topic: "bench".into(),
        brandname: "SoTTTT-HN".into(),
        body: "So TTTT Ha Noi: phong chong sot xuat huyet, hay diet lang quang va ngu man.".into(),
        list_id,
        ..Default::default()
    }
}

async fn approved(n: &Notify, csv: &[u8]) -> i64 {
    let (list, _) = n
        .import_list("bench", "bench", "bench.csv", csv)
        .await
        .unwrap();
    let c = n
        .create_campaign("bench", &campaign(list.id))
        .await
        .unwrap();
    n.submit("bench", c.id).await.unwrap();
    n.approve("approver", c.id, "bench").await.unwrap();
    c.id
}

type Client = hyper_util::client::legacy::Client<
    hyper_util::client::legacy::connect::HttpConnector,
    http_body_util::Empty<bytes::Bytes>,
>;

fn client() -> Client {
    hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .pool_max_idle_per_host(1024)
        .build_http()
}

/// GET or POST `url`: the status and the body.
async fn http(client: &Client, method: http::Method, url: &str) -> (u16, String) {
    use http_body_util::BodyExt;
    let req = http::Request::builder()
        .method(method)
        .uri(url)
        .body(http_body_util::Empty::new())
        .unwrap();
    let res = client.request(req).await.unwrap();
    let status = res.status().as_u16();
    let body = res.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8_lossy(&body).into_owned())
}

async fn http_get(client: &Client, url: &str) -> (u16, String) {
    http(client, http::Method::GET, url).await
}

/// Messages the simulator accepted for `account`.
async fn accepted(client: &Client, control: &str, account: &str) -> u64 {
    let (_, body) = http(
        client,
        http::Method::GET,
        &format!("http://{control}/count/{account}"),
    )
    .await;
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    v["accepted"].as_u64().unwrap()
}

/// Waits until the simulator has accepted `n` messages for `account`; polls every 20 ms.
async fn until_accepted(client: &Client, control: &str, account: &str, n: u64) {
    while accepted(client, control, account).await < n {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

async fn reset(client: &Client, control: &str, account: &str) {
    let (status, body) = http(
        client,
        http::Method::POST,
        &format!("http://{control}/reset/{account}"),
    )
    .await;
    assert_eq!(status, 200, "reset: {body}");
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dir = std::env::temp_dir().join(format!("notify-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    match args.first().map(String::as_str) {
        Some("gen") => {
            let file = std::fs::File::create(&args[1]).unwrap();
            numbers_csv(args[2].parse().unwrap(), std::io::BufWriter::new(file));
        }
        Some("read") => {
            // Reading alone: normalise, validate, dedupe and route, no database.
            let plan = lantoa_core::phone::NumberingPlan::builtin();
            let communes = lantoa_notify::audience::Communes::hanoi().unwrap();
            let ported = std::collections::HashMap::new();
            let started = Instant::now();
            let mut reader = lantoa_notify::audience::ListReader::open(
                std::fs::File::open(&args[1]).unwrap(),
                lantoa_notify::audience::Rules {
                    plan: &plan,
                    ported: &ported,
                    communes: &communes,
                },
            )
            .unwrap();
            while !reader.next_batch(10_000).unwrap().is_empty() {}
            let secs = started.elapsed().as_secs_f64();
            let r = reader.into_report();
            println!(
                "{{\"rows\": {}, \"recipients\": {}, \"seconds\": {secs:.3}, \"per_s\": {:.0}, \"peak_rss_kb\": {}}}",
                r.rows,
                r.recipients,
                r.rows as f64 / secs,
                peak_rss_kb()
            );
        }
        Some("plan") => {
            // Each phase of planning, timed on its own: reading the list into the database,
            // the approver's plan (recipients, segments and cost per operator), and approval
            // (one queued message per recipient).
            let db = fresh_db(&dir).await;
            let n = notify(&db);
            // The national Do-Not-Call list, imported before: one number in a hundred of the
            // list's, which the plan leaves out.
            let mut dnc = String::from("phone\n");
            for i in (0..args.get(2).map_or(0, |c| c.parse::<usize>().unwrap())).step_by(100) {
                dnc.push_str(&format!("{}{:07}\n", ["098", "091", "090"][i % 3], i / 3));
            }
            n.import_optouts("bench", dnc.as_bytes(), "dnc")
                .await
                .unwrap();
            let started = Instant::now();
            let cpu = cpu_seconds();
            let file = std::fs::File::open(&args[1]).unwrap();
            let (list, _) = n
                .import_list("bench", "bench", "bench.csv", file)
                .await
                .unwrap();
            let import_s = started.elapsed().as_secs_f64();
            let c = n
                .create_campaign("bench", &campaign(list.id))
                .await
                .unwrap();
            n.submit("bench", c.id).await.unwrap();
            let t = Instant::now();
            let plan = n.plan(c.id).await.unwrap();
            let plan_s = t.elapsed().as_secs_f64();
            let t = Instant::now();
            n.approve("approver", c.id, "bench").await.unwrap();
            let approve_s = t.elapsed().as_secs_f64();
            let secs = started.elapsed().as_secs_f64();
            let queued = n.progress(c.id, false).await.unwrap().total.queued;
            println!(
                "{{\"rows\": {}, \"recipients\": {}, \"opted_out\": {}, \"segments\": {}, \"queued\": {queued}, \"import_s\": {import_s:.3}, \"plan_s\": {plan_s:.3}, \"approve_s\": {approve_s:.3}, \"seconds\": {secs:.3}, \"per_s\": {:.0}, \"cpu_seconds\": {:.2}, \"peak_rss_kb\": {}}}",
                list.rows,
                list.recipients,
                plan.opted_out,
                plan.segments,
                list.recipients as f64 / secs,
                cpu_seconds() - cpu,
                peak_rss_kb()
            );
        }
        Some("dispatch") => {
            let count: usize = args[1].parse().unwrap();
            let (host, port) = args[2].rsplit_once(':').unwrap();
            let db = fresh_db(&dir).await;
            let n = notify(&db);
            let mut csv = Vec::new();
            numbers_csv(count, &mut csv);
            let id = approved(&n, &csv).await;
            let smsc = Smsc {
                name: "sim".into(),
                operators: ["viettel", "vinaphone", "mobifone"]
                    .map(String::from)
                    .to_vec(),
                host: host.into(),
                port: port.parse().unwrap(),
                system_id: args[3].clone(),
                password: args[4].clone(),
                system_type: String::new(),
                binds: args[5].parse().unwrap(),
                // The contract's rate, when given (the throttled run sets one near the SMSC's).
                tps: args.get(7).map_or(1_000_000, |t| t.parse().unwrap()),
                max_window: 1000,
                enquire_link_secs: 30,
                response_timeout_secs: 30,
            };
            let d = Dispatcher::new(
                n.clone(),
                DispatchConfig {
                    smsc: vec![smsc],
                    ..Default::default()
                },
                "bench",
            )
            .unwrap();
            let control = &args[6];
            let http = client();
            // "keep-mode": the caller set the account's mode (a rate limit) after resetting it.
            if args.get(8).map(String::as_str) != Some("keep-mode") {
                reset(&http, control, &args[3]).await;
            }
            let (stop, rx) = tokio::sync::watch::channel(false);
            let started = Instant::now();
            let cpu = cpu_seconds();
            let task = tokio::spawn(d.run(rx));
            until_accepted(&http, control, &args[3], count as u64).await;
            let secs = started.elapsed().as_secs_f64();
            let cpu = cpu_seconds() - cpu;
            stop.send(true).unwrap();
            task.await.unwrap();
            let p = n.progress(id, false).await.unwrap().total;
            println!(
                "{{\"messages\": {count}, \"accepted\": {}, \"failed\": {}, \"uncertain\": {}, \"seconds\": {secs:.3}, \"per_s\": {:.0}, \"cpu_seconds\": {cpu:.2}, \"peak_rss_kb\": {}}}",
                p.submitted + p.delivered,
                p.failed,
                p.uncertain,
                count as f64 / secs,
                peak_rss_kb()
            );
        }
        Some("kannel") => {
            let count: usize = args[1].parse().unwrap();
            let (url, control, account) = (args[2].clone(), args[3].clone(), args[4].clone());
            let connections: usize = args[5].parse().unwrap();
            let http = client();
            reset(&http, &control, &account).await;
            let text = "So%20TTTT%20Ha%20Noi%3A%20phong%20chong%20sot%20xuat%20huyet%2C%20hay%20diet%20lang%20quang%20va%20ngu%20man.";
            let next = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
            let started = Instant::now();
            let mut tasks = Vec::new();
            for _ in 0..connections {
                let (http, url, next) = (http.clone(), url.clone(), next.clone());
                tasks.push(tokio::spawn(async move {
                    let mut refused = 0u64;
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        if i >= count {
                            return refused;
                        }
                        let prefix = ["098", "091", "090"][i % 3];
                        let to = format!("{prefix}{:07}", i / 3);
                        let (status, _) = http_get(&http, &format!("{url}{to}&text={text}")).await;
                        if status != 202 {
                            refused += 1;
                        }
                    }
                }));
            }
            let mut refused = 0;
            for t in tasks {
                refused += t.await.unwrap();
            }
            let posted = started.elapsed().as_secs_f64();
            until_accepted(
                &http,
                &control,
                &account,
                (count as u64).saturating_sub(refused),
            )
            .await;
            let secs = started.elapsed().as_secs_f64();
            println!(
                "{{\"messages\": {count}, \"refused\": {refused}, \"posted_seconds\": {posted:.3}, \"seconds\": {secs:.3}, \"per_s\": {:.0}}}",
                count as f64 / secs
            );
        }
        _ => {
            eprintln!(
                "usage: notify_bench gen FILE N | read FILE | plan FILE | dispatch N HOST:PORT ACCOUNT PASSWORD BINDS CONTROL | kannel N SENDSMS_URL CONTROL ACCOUNT CONNECTIONS"
            );
            std::process::exit(2);
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
