//! What `cargo xtask bench notify` runs on Lantoa's side.
//!
//!   notify_bench gen FILE N
//!       writes a list of N distinct numbers (three operators, communes, names) as CSV
//!   notify_bench plan FILE
//!       imports FILE as a list, drafts, submits and approves a campaign on it (queueing one
//!       message per recipient) in a fresh SQLite database; one JSON line
//!   notify_bench dispatch N HOST:PORT ACCOUNT PASSWORD BINDS
//!       queues a campaign to N numbers and sends it to the SMSC at HOST:PORT with BINDS binds;
//!       one JSON line with the messages accepted per second
#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark: a panic is the report

use std::io::Write;
use std::time::Instant;

use lantoa_notify::smpp::Smsc;
use lantoa_notify::{DispatchConfig, Dispatcher, NewCampaign, Notify};
use lantoa_store::Db;

fn peak_rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

/// CPU seconds of every thread of the process (user + system, from /proc/self/stat).
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or_default();
    let f: Vec<f64> = after
        .split_whitespace()
        .filter_map(|x| x.parse().ok())
        .collect();
    // Fields 14 and 15 (utime, stime) are the 12th and 13th after the command name.
    (f.get(11).copied().unwrap_or(f64::NAN) + f.get(12).copied().unwrap_or(f64::NAN)) / 100.0
}

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
    let db = Db::connect(&url).await.unwrap();
    lantoa_store::migrate::run(
        &db,
        &[&lantoa_store::MIGRATIONS, &lantoa_notify::MIGRATIONS],
    )
    .await
    .unwrap();
    db
}

async fn approved(n: &Notify, csv: &[u8]) -> (i64, i64) {
    let (list, _) = n
        .import_list("bench", "bench", "bench.csv", csv)
        .await
        .unwrap();
    let c = n
        .create_campaign(
            "bench",
            &NewCampaign {
                name: "bench".into(),
                topic: "bench".into(),
                brandname: "SoTTTT-HN".into(),
                body: "So TTTT Ha Noi: phong chong sot xuat huyet, hay diet lang quang va ngu man."
                    .into(),
                list_id: list.id,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    n.submit("bench", c.id).await.unwrap();
    n.approve("approver", c.id, "bench").await.unwrap();
    (c.id, list.recipients)
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
        Some("plan") => {
            let db = fresh_db(&dir).await;
            let n = notify(&db);
            let started = Instant::now();
            let cpu = cpu_seconds();
            let bytes = std::fs::read(&args[1]).unwrap();
            let (id, recipients) = approved(&n, &bytes).await;
            let secs = started.elapsed().as_secs_f64();
            let queued = n.progress(id, false).await.unwrap().total.queued;
            println!(
                "{{\"recipients\": {recipients}, \"queued\": {queued}, \"seconds\": {secs:.3}, \"per_s\": {:.0}, \"cpu_seconds\": {:.2}, \"peak_rss_kb\": {}}}",
                recipients as f64 / secs,
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
            let (id, _) = approved(&n, &csv).await;
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
                tps: 1_000_000,
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
            let (stop, rx) = tokio::sync::watch::channel(false);
            let started = Instant::now();
            let cpu = cpu_seconds();
            let task = tokio::spawn(d.run(rx));
            loop {
                let p = n.progress(id, false).await.unwrap();
                if p.total.queued + p.total.sending == 0 {
                    break;
                }
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
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
        _ => {
            eprintln!(
                "usage: notify_bench gen FILE N | plan FILE | dispatch N HOST:PORT ACCOUNT PASSWORD BINDS"
            );
            std::process::exit(2);
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
