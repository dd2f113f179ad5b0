//! `cargo xtask bench NAME`: load tests on loopback, bounded in time, with a peer measured in
//! the same run so the result is a ratio rather than a number that depends on the machine.
//!
//! `web`: the release binary serves the demo city on SQLite; `wrk` (Debian's package) drives
//! 200 concurrent connections for 15 s at each of three targets: `/healthz` (the floor: no
//! database, no session, no template — the peer), the dashboard `/` (session lookup, five
//! counts, template render) and `/api/v1/units` (token lookup, a page of 50 communes as JSON).
//!
//! `watch`: the analysis path (extract + signals + MinHash sketch, one thread) over a generated
//! corpus of 20,000 pages built from the labelled fixtures, side by side with trafilatura +
//! datasketch (pip) on the same pages, at 5,000 and 20,000 pages to show memory stays flat;
//! extraction F1 of both on the labelled fixtures, and each signal's precision and recall; and
//! crawl throughput from a loopback site with politeness off.
//!
//! `opendata`: validate + clean + quarantine a generated 1-million-row, 12-column Vietnamese
//! CSV (about 1% dirty) with one schema (`xtask/bench/opendata_schema.json`), side by side with
//! frictionless-py and a Polars script doing the same checks (one thread each, as Lantoa);
//! then the server ingesting the same file uploaded through CKAN's `resource_create` while
//! `/healthz` and the portal are timed (against the same probes idle); then Lantoa alone on 10
//! million rows for its peak memory.
//!
//! `notify`: planning a campaign to a generated list of 10 million numbers (read, normalise,
//! validate, dedupe, route and store the list, then the approver's plan of segments and cost;
//! approval, which queues a message per recipient, is timed apart), on SQLite; then 200,000
//! messages sent to the SMSC simulator three ways, each timed until the simulator counts them
//! accepted: node-smpp's own client (`tools/smsc-sim/blast.js`, the simulator's ceiling),
//! Lantoa's dispatcher (one bind), and Kannel (Debian's package) fed through its HTTP sendsms
//! interface — the peer; an SMSC that throttles above its rate; and `lantoa serve` end to end
//! at window 100 (approval through `lantoa notify` to the last receipt stored) beside the
//! simulator's load generator at the same window, timed to its last receipt.
//!
//! `plans`: a plan of 50,000 tasks led by 1,000 units over ten years, half reported on, with
//! 55 indicators holding ten years of monthly actuals, stored through the service calls; then
//! each dashboard of the plan page (tasks by unit with its chart, a page of the timeline, the
//! indicators against target) timed 200 times on SQLite and on PostgreSQL, beside the peer:
//! the same by-unit figures the naive way (every task read and judged in Rust).

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use anyhow::{Context, bail};

use crate::run;
use crate::services::apt_install;

/// Runs the named benchmark.
pub fn run_named(args: &[String]) -> anyhow::Result<()> {
    match args.first().map(String::as_str) {
        Some("web") => web(),
        Some("watch") => watch(),
        Some("opendata") => opendata(),
        Some("notify") => notify(),
        Some("plans") => plans(),
        // The end-to-end part of `notify` alone: ROUNDS turns of the load generator and of
        // each given `lantoa` binary (the fresh release build when none is given), for A/B
        // comparisons of two builds on a machine whose speed drifts.
        Some("notify-serve") => {
            let rounds: usize = args
                .get(1)
                .context("usage: cargo xtask bench notify-serve ROUNDS [LANTOA_BIN...]")?
                .parse()
                .context("ROUNDS: not a number")?;
            let bins: Vec<std::path::PathBuf> =
                args.iter().skip(2).map(std::path::PathBuf::from).collect();
            notify_serve(rounds, bins)
        }
        // The server part of `opendata` alone, on files of one's own (written by
        // `opendata_bench gen FILE N [DIRTY_PERCENT]`): the first with latency probes, the
        // rest timed one after another.
        Some("opendata-serve") => {
            let file = args
                .get(1)
                .context("usage: cargo xtask bench opendata-serve FILE [MORE_FILES...]")?;
            let more: Vec<std::path::PathBuf> =
                args.iter().skip(2).map(std::path::PathBuf::from).collect();
            print!(
                "{}",
                serve_ingest(
                    std::path::Path::new(file),
                    &more,
                    "xtask/bench/opendata_schema.json"
                )?
            );
            Ok(())
        }
        Some(other) => {
            bail!("unknown benchmark {other:?}; benchmarks: web, watch, opendata, notify, plans")
        }
        None => bail!("usage: cargo xtask bench web | watch | opendata | notify | plans"),
    }
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

struct Result {
    target: &'static str,
    rps: f64,
    p50_ms: f64,
    p99_ms: f64,
    errors: String,
}

fn to_ms(s: &str) -> f64 {
    let s = s.trim();
    let (num, mul) = if let Some(v) = s.strip_suffix("us") {
        (v, 0.001)
    } else if let Some(v) = s.strip_suffix("ms") {
        (v, 1.0)
    } else if let Some(v) = s.strip_suffix('s') {
        (v, 1000.0)
    } else {
        (s, 1.0)
    };
    num.parse::<f64>().unwrap_or(f64::NAN) * mul
}

/// Seconds each target of `bench web` is loaded.
const WEB_SECONDS: u32 = 10;

fn wrk(target: &'static str, url: &str, header: Option<&str>) -> anyhow::Result<Result> {
    let mut cmd = Command::new("wrk");
    cmd.args([
        "-t2",
        "-c200",
        &format!("-d{WEB_SECONDS}s"),
        "--latency",
        "--timeout",
        "10s",
    ]);
    if let Some(h) = header {
        cmd.args(["-H", h]);
    }
    let out = run(cmd.arg(url))?;
    let mut r = Result {
        target,
        rps: 0.0,
        p50_ms: f64::NAN,
        p99_ms: f64::NAN,
        errors: String::new(),
    };
    for line in out.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["Requests/sec:", v] => r.rps = v.parse().unwrap_or(0.0),
            ["50%", v] => r.p50_ms = to_ms(v),
            ["99%", v] => r.p99_ms = to_ms(v),
            ["Non-2xx", ..] | ["Socket", ..] => r.errors.push_str(line.trim()),
            _ => {}
        }
    }
    Ok(r)
}

fn curl(args: &[&str]) -> anyhow::Result<String> {
    run(Command::new("curl").args(["-s", "-S"]).args(args))
}

fn web() -> anyhow::Result<()> {
    for (tool, package) in [("wrk", "wrk"), ("curl", "curl")] {
        if Command::new(tool).arg("--version").output().is_err() {
            apt_install(&[package])?;
        }
    }
    let bin = build_lantoa()?;
    let dir = std::env::temp_dir().join(format!("lantoa-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    let (server, base, otp) = serve_demo(&bin, &dir)?;

    // Sign in as a browser would and change the one-time password.
    let jar = dir.join("cookies");
    let jar_s = jar.to_string_lossy().to_string();
    curl(&["-c", &jar_s, &format!("{base}/login"), "-o", "/dev/null"])?;
    let cookies = std::fs::read_to_string(&jar)?;
    let csrf = cookies
        .lines()
        .find(|l| l.contains("lantoa_csrf"))
        .and_then(|l| l.split('\t').nth(6))
        .context("no CSRF cookie")?
        .to_owned();
    curl(&[
        "-b",
        &jar_s,
        "-c",
        &jar_s,
        "-o",
        "/dev/null",
        "--data-urlencode",
        &format!("csrf={csrf}"),
        "--data-urlencode",
        "username=admin",
        "--data-urlencode",
        &format!("password={otp}"),
        &format!("{base}/login"),
    ])?;
    let session_csrf = {
        let page = curl(&["-b", &jar_s, &format!("{base}/account/password")])?;
        page.split("name=\"csrf\" value=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .context("no session CSRF")?
            .to_owned()
    };
    let new = "benchmark password 2026";
    curl(&[
        "-b",
        &jar_s,
        "-c",
        &jar_s,
        "-o",
        "/dev/null",
        "--data-urlencode",
        &format!("csrf={session_csrf}"),
        "--data-urlencode",
        &format!("current={otp}"),
        "--data-urlencode",
        &format!("new={new}"),
        "--data-urlencode",
        &format!("confirm={new}"),
        &format!("{base}/account/password"),
    ])?;
    let cookies = std::fs::read_to_string(&jar)?;
    let session = cookies
        .lines()
        .find(|l| l.contains("lantoa_session"))
        .and_then(|l| l.split('\t').nth(6))
        .context("no session cookie after sign-in")?
        .to_owned();
    let home = curl(&[
        "-b",
        &format!("lantoa_session={session}"),
        &format!("{base}/"),
    ])?;
    if !home.contains("126") {
        bail!("the dashboard did not render the demo city");
    }
    let token_out = run(Command::new(&bin)
        .args(["token", "create", "--user", "admin", "--name", "bench"])
        .arg("--data-dir")
        .arg(&dir))?;
    let token = token_out
        .lines()
        .find(|l| l.starts_with("lt_"))
        .context("no token printed")?
        .to_owned();
    // The demo city's 399 subjects, and ten thousand more: a list at a city's scale.
    let mut csv = String::from("STT;Loại;Tên;URL\n");
    for i in 0..10_000 {
        csv.push_str(&format!(
            "{i};Trang thông tin điện tử tổng hợp;Trang tin thử tải {i:05};https://tai-{i:05}.example/\n"
        ));
    }
    let body = dir.join("subjects.csv");
    std::fs::write(&body, csv)?;
    let report = curl(&[
        "-H",
        &format!("Authorization: Bearer {token}"),
        "--data-binary",
        &format!("@{}", body.display()),
        &format!("{base}/api/v1/watch/subjects/import"),
    ])?;
    if !report.contains("\"report\"") {
        bail!("the subjects import answered {report}");
    }
    std::thread::sleep(Duration::from_millis(300));

    let cookie = format!("Cookie: lantoa_session={session}");
    let bearer = format!("Authorization: Bearer {token}");
    // Every list page and list API call, after the peer.
    let targets: [(&'static str, &str, Option<&str>); 20] = [
        ("`/healthz` (peer: no database)", "/healthz", None),
        ("dashboard `/`", "/", Some(&cookie)),
        ("subjects `/watch` (10,399)", "/watch", Some(&cookie)),
        (
            "subjects searched `/watch?q=tin+th%E1%BB%AD+t%E1%BA%A3i+09`",
            "/watch?q=tin+th%E1%BB%AD+t%E1%BA%A3i+09",
            Some(&cookie),
        ),
        (
            "findings `/watch/findings`",
            "/watch/findings",
            Some(&cookie),
        ),
        ("cases `/watch/cases`", "/watch/cases", Some(&cookie)),
        ("crawls `/watch/crawls`", "/watch/crawls", Some(&cookie)),
        (
            "units `/units?kind=commune`",
            "/units?kind=commune",
            Some(&cookie),
        ),
        ("datasets `/opendata`", "/opendata", Some(&cookie)),
        ("campaigns `/notify`", "/notify", Some(&cookie)),
        (
            "recipient lists `/notify/lists`",
            "/notify/lists",
            Some(&cookie),
        ),
        ("alerts `/notify/alerts`", "/notify/alerts", Some(&cookie)),
        (
            "notices `/notify/notices`",
            "/notify/notices",
            Some(&cookie),
        ),
        ("plans `/plans`", "/plans", Some(&cookie)),
        ("reports `/reports`", "/reports", Some(&cookie)),
        ("audit log `/audit`", "/audit", Some(&cookie)),
        (
            "API units `/api/v1/units?kind=commune&limit=50`",
            "/api/v1/units?kind=commune&limit=50",
            Some(&bearer),
        ),
        (
            "API subjects `/api/v1/watch/subjects?limit=50`",
            "/api/v1/watch/subjects?limit=50",
            Some(&bearer),
        ),
        (
            "API findings `/api/v1/watch/findings?limit=50`",
            "/api/v1/watch/findings?limit=50",
            Some(&bearer),
        ),
        (
            "API campaigns `/api/v1/notify/campaigns?limit=50`",
            "/api/v1/notify/campaigns?limit=50",
            Some(&bearer),
        ),
    ];
    let mut results = Vec::new();
    for (label, path, header) in targets {
        // Each target answers once before it is loaded: a page that errs is reported, not timed.
        let mut check = Command::new("curl");
        check.args(["-s", "-o", "/dev/null", "-w", "%{http_code}"]);
        if let Some(h) = header {
            check.args(["-H", h]);
        }
        let code = run(check.arg(format!("{base}{path}")))?;
        if code.trim() != "200" {
            bail!("{label} answered {code}");
        }
        results.push(wrk(label, &format!("{base}{path}"), header)?);
    }
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
    let floor = results[0].rps;
    println!("| target | requests/s | p50 ms | p99 ms | throughput vs /healthz | errors |");
    println!("|---|---|---|---|---|---|");
    for r in &results {
        println!(
            "| {} | {:.0} | {:.2} | {:.2} | {:.3} | {} |",
            r.target,
            r.rps,
            r.p50_ms,
            r.p99_ms,
            r.rps / floor,
            if r.errors.is_empty() {
                "none"
            } else {
                &r.errors
            }
        );
    }
    let met = results[1..].iter().filter(|r| r.p99_ms < 50.0).count();
    println!(
        "p99 under 50 ms: {met} of {} list targets (200 connections, 2 wrk threads, {WEB_SECONDS} s each, SQLite, demo city with 10,399 subjects, release build, one machine)",
        results.len() - 1
    );
    Ok(())
}

/// Builds the release binary and returns its path.
fn build_lantoa() -> anyhow::Result<std::path::PathBuf> {
    eprintln!("xtask: building the release binary");
    run(
        Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())).args([
            "build",
            "--release",
            "-p",
            "lantoa",
        ]),
    )?;
    let target = std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| "target".into());
    Ok(std::path::Path::new(&target).join("release/lantoa"))
}

/// Starts `lantoa serve --demo` on a free loopback port with its data in `dir`; returns the
/// server (stopped when dropped), its base URL and the administrator's one-time password.
fn serve_demo(
    bin: &std::path::Path,
    dir: &std::path::Path,
) -> anyhow::Result<(Server, String, String)> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let mut child = Command::new(bin)
        .args(["serve", "--demo", "--listen", &format!("127.0.0.1:{port}")])
        .arg("--data-dir")
        .arg(dir)
        .env("LANTOA_API_RATE_PER_MINUTE", "0")
        .env("LANTOA_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .context("cannot start lantoa serve")?;
    let stdout = child.stdout.take().context("no stdout")?;
    let server = Server(child);
    let mut password = None;
    for line in BufReader::new(stdout)
        .lines()
        .map_while(std::result::Result::ok)
    {
        if let Some(p) = line.trim().strip_prefix("one-time password:") {
            password = Some(p.trim().to_owned());
        }
        if line.starts_with("Lantoa console:") {
            break;
        }
    }
    let otp = password.context("the server printed no one-time password")?;
    Ok((server, base, otp))
}

fn json_line(out: &str) -> anyhow::Result<serde_json::Value> {
    let line = out
        .lines()
        .rev()
        .find(|l| l.trim_start().starts_with('{'))
        .context("no JSON line in the output")?;
    Ok(serde_json::from_str(line)?)
}

/// Installs a peer's Python packages when `import` fails.
pub(crate) fn pip_peer(import: &str, pkgs: &[&str]) -> anyhow::Result<()> {
    let have = Command::new("python3")
        .args(["-c", &format!("import {import}")])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if have {
        return Ok(());
    }
    eprintln!("xtask: installing {} with pip", pkgs.join(", "));
    if run(Command::new("python3")
        .args(["-m", "pip", "install", "-q"])
        .args(pkgs))
    .is_err()
    {
        run(Command::new("python3")
            .args(["-m", "pip", "install", "-q", "--break-system-packages"])
            .args(pkgs))?;
    }
    Ok(())
}

fn watch() -> anyhow::Result<()> {
    pip_peer(
        "trafilatura, datasketch",
        &["trafilatura", "lxml_html_clean", "datasketch"],
    )?;
    let bin = build_example("lantoa-watch", "watch_bench")?;
    let peer = "xtask/bench/watch_peer.py";
    let work = tempfile_dir()?;
    let corpus = work.join("corpus");
    eprintln!("xtask: writing 20,000 pages");
    run(Command::new(&bin).arg("corpus").arg(&corpus).arg("20000"))?;
    let mut rows = Vec::new();
    for n in ["5000", "20000"] {
        eprintln!("xtask: analysing {n} pages (Lantoa, then trafilatura + datasketch)");
        let ours = json_line(&run(Command::new(&bin).arg("analyse").arg(&corpus).arg(n))?)?;
        let theirs = json_line(&run(Command::new("python3")
            .arg(peer)
            .arg("analyse")
            .arg(&corpus)
            .arg(n))?)?;
        rows.push((n, ours, theirs));
    }
    eprintln!("xtask: extraction quality on the labelled fixtures");
    let fixtures = "crates/watch/tests/fixtures/pages";
    // The peer's main text of every page of a folder, into a folder of its own.
    let peer_extract =
        |pages: &std::path::Path, name: &str| -> anyhow::Result<std::path::PathBuf> {
            let out = work.join(name);
            run(Command::new("python3")
                .arg(peer)
                .arg("extract")
                .arg(pages)
                .arg(&out))?;
            Ok(out)
        };
    let peer_out = peer_extract(std::path::Path::new(fixtures), "peer-extract")?;
    let q = json_line(&run(Command::new(&bin).arg("quality").arg(&peer_out))?)?;

    eprintln!("xtask: 320 labelled pages of real-world layouts (tests/layouts)");
    let layouts = work.join("layouts");
    run(Command::new(&bin).arg("layouts").arg(&layouts).arg("320"))?;
    let layouts_peer = peer_extract(&layouts, "layouts-peer")?;
    let by_layout = json_line(&run(Command::new(&bin)
        .arg("score")
        .arg(&layouts)
        .arg(&layouts_peer))?)?;
    let heavy = work.join("layouts-heavy");
    std::fs::create_dir_all(&heavy)?;
    for e in std::fs::read_dir(&layouts)? {
        let path = e?.path();
        if path.extension().is_some_and(|x| x == "html")
            && std::fs::metadata(&path)?.len() >= 100_000
        {
            std::fs::copy(&path, heavy.join(path.file_name().unwrap_or_default()))?;
        }
    }

    eprintln!("xtask: real pages (trafilatura 0.9.3's test pages, from its PyPI sdist)");
    let real = real_pages(&work)?;
    let real_peer = peer_extract(&real, "real-peer")?;
    let agree = json_line(&run(Command::new(&bin)
        .arg("agree")
        .arg(&real)
        .arg(&real_peer))?)?;
    let clean = json_line(&run(Command::new(&bin).arg("signals").arg(&real))?)?;
    let mut speed = Vec::new();
    for (name, dir) in [("real pages", &real), ("heavy layout pages", &heavy)] {
        // Lantoa reads each corpus five times over (a pass is about a tenth of a second, too
        // short to time alone); the peer's one pass takes seconds.
        let ours = json_line(&run(Command::new(&bin)
            .arg("analyse")
            .arg(dir)
            .arg("100000")
            .arg("5"))?)?;
        let theirs = json_line(&run(Command::new("python3")
            .arg(peer)
            .arg("analyse")
            .arg(dir)
            .arg("100000"))?)?;
        speed.push((name, ours, theirs));
    }

    eprintln!("xtask: crawling 5,000 pages from loopback");
    let crawl = json_line(&run(Command::new(&bin).args(["crawl", "5000"]))?)?;
    let _ = std::fs::remove_dir_all(&work);

    let f = |v: &serde_json::Value, k: &str| v[k].as_f64().unwrap_or(f64::NAN);
    println!();
    println!("Analysis path, one core (extract + signals + MinHash sketch):");
    println!(
        "| pages | Lantoa pages/s | trafilatura + datasketch pages/s | ratio | Lantoa peak RSS | peer peak RSS |"
    );
    println!("|---:|---:|---:|---:|---:|---:|");
    for (n, ours, theirs) in &rows {
        println!(
            "| {n} | {:.0} | {:.1} | {:.1}x | {:.1} MB | {:.1} MB |",
            f(ours, "pages_per_s"),
            f(theirs, "pages_per_s"),
            f(ours, "pages_per_s") / f(theirs, "pages_per_s"),
            f(ours, "peak_rss_kb") / 1024.0,
            f(theirs, "peak_rss_kb") / 1024.0
        );
    }
    println!();
    println!();
    println!("Real-size pages, one core (extract + signals + MinHash sketch):");
    println!(
        "| corpus | pages | mean size | Lantoa pages/s | trafilatura + datasketch pages/s | ratio | Lantoa peak RSS | peer peak RSS |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    for (name, ours, theirs) in &speed {
        println!(
            "| {name} | {} | {:.0} kB | {:.0} | {:.1} | {:.1}x | {:.1} MB | {:.1} MB |",
            theirs["pages"],
            f(ours, "mb") * 1000.0 / f(ours, "pages"),
            f(ours, "pages_per_s"),
            f(theirs, "pages_per_s"),
            f(ours, "pages_per_s") / f(theirs, "pages_per_s"),
            f(ours, "peak_rss_kb") / 1024.0,
            f(theirs, "peak_rss_kb") / 1024.0
        );
    }
    println!();
    println!("Extraction on 320 labelled pages of real-world layouts, mean token F1:");
    println!("| layout | pages | Lantoa | trafilatura | Lantoa empty | trafilatura empty |");
    println!("|---|---:|---:|---:|---:|---:|");
    for r in by_layout["layouts"].as_array().cloned().unwrap_or_default() {
        println!(
            "| {} | {} | {:.3} | {:.3} | {} | {} |",
            r["layout"].as_str().unwrap_or("?"),
            r["pages"],
            f(&r, "ours_f1"),
            f(&r, "peer_f1"),
            r["ours_empty"],
            r["peer_empty"]
        );
    }
    println!();
    println!(
        "Real pages ({} pages, {:.0} kB on average): token F1 of Lantoa's text with trafilatura's as the reference {:.3}; empty: Lantoa {}, trafilatura {}",
        agree["pages"],
        f(&agree, "mean_kb"),
        f(&agree, "f1_vs_peer"),
        agree["empty"],
        agree["peer_empty"]
    );
    let fired = clean["fired"].as_array().cloned().unwrap_or_default();
    println!(
        "Signals on those real pages (none written to show any; each read as a home page and as an article): {} fired{}",
        fired
            .iter()
            .map(|x| x["fired"].as_u64().unwrap_or(0))
            .sum::<u64>(),
        fired
            .iter()
            .map(|x| format!(", {} {}", x["signal"].as_str().unwrap_or("?"), x["fired"]))
            .collect::<String>()
    );
    println!();
    println!(
        "Extraction on {} labelled pages, mean token F1: Lantoa {:.3}, trafilatura {:.3}",
        q["pages"],
        f(&q, "ours_f1"),
        f(&q, "peer_f1")
    );
    println!();
    println!("| signal | tp | fp | fn | precision | recall |");
    println!("|---|---:|---:|---:|---:|---:|");
    for s in q["signals"].as_array().cloned().unwrap_or_default() {
        let (tp, fp, fne) = (f(&s, "tp"), f(&s, "fp"), f(&s, "fn"));
        let ratio = |a: f64, b: f64| {
            if b == 0.0 {
                "—".to_owned()
            } else {
                format!("{:.2}", a / b)
            }
        };
        println!(
            "| {} | {tp} | {fp} | {fne} | {} | {} |",
            s["signal"].as_str().unwrap_or("?"),
            ratio(tp, tp + fp),
            ratio(tp, tp + fne)
        );
    }
    println!();
    println!(
        "Crawl from loopback, politeness off (32 connections), SQLite: {:.0} pages in {:.2} s = {:.0} pages/s ({} not fetched)",
        f(&crawl, "pages"),
        f(&crawl, "seconds"),
        f(&crawl, "pages_per_s"),
        crawl["failed"]
    );
    Ok(())
}

/// Real pages no one here wrote: the test pages that trafilatura 0.9.3's source distribution
/// on PyPI carries (news sites and blogs in several languages, 70–900 kB), downloaded for the
/// bench only and never committed.
fn real_pages(work: &std::path::Path) -> anyhow::Result<std::path::PathBuf> {
    let download = work.join("sdist");
    run(Command::new("python3")
        .args([
            "-m",
            "pip",
            "download",
            "-q",
            "--no-deps",
            "--no-binary",
            ":all:",
            "-d",
        ])
        .arg(&download)
        .arg("trafilatura==0.9.3"))?;
    run(Command::new("tar")
        .arg("xzf")
        .arg(download.join("trafilatura-0.9.3.tar.gz"))
        .arg("-C")
        .arg(&download))?;
    let dir = download.join("trafilatura-0.9.3/tests/cache");
    anyhow::ensure!(
        dir.is_dir(),
        "no test pages in trafilatura 0.9.3's sdist at {}",
        dir.display()
    );
    Ok(dir)
}

fn opendata() -> anyhow::Result<()> {
    pip_peer("frictionless, polars", &["frictionless", "polars"])?;
    let bin = build_example("lantoa-opendata", "opendata_bench")?;
    let schema = "xtask/bench/opendata_schema.json";
    let peer = "xtask/bench/opendata_peer.py";
    let work = tempfile_dir()?;
    let communes = work.join("communes.txt");
    let names: Vec<String> = std::fs::read_to_string("data/hanoi-communes-2025.csv")?
        .lines()
        .skip(1)
        .filter_map(|l| l.split(',').nth(3).map(str::to_owned))
        .collect();
    std::fs::write(&communes, names.join("\n"))?;
    let file = work.join("1m.csv");
    eprintln!("xtask: writing 1,000,000 rows");
    run(Command::new(&bin).arg("gen").arg(&file).arg("1000000"))?;
    eprintln!("xtask: Lantoa on 1,000,000 rows");
    let ours = json_line(&run(Command::new(&bin).arg("run").arg(&file).arg(schema))?)?;
    eprintln!("xtask: Polars (one thread) on 1,000,000 rows");
    let polars = json_line(&run(Command::new("python3")
        .env("POLARS_MAX_THREADS", "1")
        .arg(peer)
        .arg("polars")
        .arg(&file)
        .arg(schema)
        .arg(&communes))?)?;
    eprintln!("xtask: frictionless on 1,000,000 rows (about 2-3 minutes)");
    let fl = json_line(&run(Command::new("python3")
        .arg(peer)
        .arg("frictionless")
        .arg(&file)
        .arg(schema))?)?;
    // Ingest must grow linearly with the rows and with the share of dirty rows: the same
    // server then takes a quarter-million and a million rows with 15% dirty.
    let mut dirty = Vec::new();
    for (rows, name) in [("250000", "250k-15.csv"), ("1000000", "1m-15.csv")] {
        eprintln!("xtask: writing {rows} rows, 15% dirty");
        let path = work.join(name);
        run(Command::new(&bin).arg("gen").arg(&path).arg(rows).arg("15"))?;
        dirty.push(path);
    }
    eprintln!("xtask: the server while it ingests 1,000,000 rows");
    let served = serve_ingest(&file, &dirty, schema)?;
    let _ = std::fs::remove_file(&file);
    for d in &dirty {
        let _ = std::fs::remove_file(d);
    }
    let big = work.join("10m.csv");
    eprintln!("xtask: writing 10,000,000 rows");
    run(Command::new(&bin).arg("gen").arg(&big).arg("10000000"))?;
    eprintln!("xtask: Lantoa on 10,000,000 rows");
    let ten = json_line(&run(Command::new(&bin).arg("run").arg(&big).arg(schema))?)?;
    let _ = std::fs::remove_dir_all(&work);

    let f = |v: &serde_json::Value, k: &str| v[k].as_f64().unwrap_or(f64::NAN);
    println!();
    println!("Validate + clean + quarantine, 1,000,000 rows x 12 columns, one thread each:");
    println!(
        "| tool | rows/s (wall) | rows per CPU-second | Lantoa's ratio (CPU) | rows not clean | peak RSS |"
    );
    println!("|---|---:|---:|---:|---:|---:|");
    println!(
        "| Lantoa | {:.0} | {:.0} | 1.0x | {:.0} quarantined + {:.0} duplicates | {:.1} MB |",
        f(&ours, "rows_per_s"),
        f(&ours, "rows_per_cpu_s"),
        f(&ours, "quarantined"),
        f(&ours, "duplicates"),
        f(&ours, "peak_rss_kb") / 1024.0
    );
    for (name, v) in [("Polars, 1 thread", &polars), ("frictionless", &fl)] {
        println!(
            "| {name} | {:.0} | {:.0} | {:.1}x | {:.0} invalid | {:.1} MB |",
            f(v, "rows_per_s"),
            f(v, "rows_per_cpu_s"),
            f(&ours, "rows_per_cpu_s") / f(v, "rows_per_cpu_s"),
            f(v, "invalid"),
            f(v, "peak_rss_kb") / 1024.0
        );
    }
    println!();
    println!(
        "Lantoa on 10,000,000 rows: {:.0} rows/s ({:.0} per CPU-second), {:.0} quarantined, peak RSS {:.1} MB",
        f(&ten, "rows_per_s"),
        f(&ten, "rows_per_cpu_s"),
        f(&ten, "quarantined"),
        f(&ten, "peak_rss_kb") / 1024.0
    );
    println!();
    print!("{served}");
    Ok(())
}

const NOTIFY_LIST: &str = "10000000";
const NOTIFY_MESSAGES: &str = "200000";

/// The throttled run: messages, the SMSC's rate limit and the contract's TPS.
const THROTTLED_MESSAGES: &str = "20000";
const THROTTLED_LIMIT: &str = "2000";
const THROTTLED_TPS: &str = "10000";

fn notify() -> anyhow::Result<()> {
    use crate::services::{Kannel, SMSC_SIM_PASSWORD, SmscSim};
    let bin = build_example("lantoa-notify", "notify_bench")?;
    let work = tempfile_dir()?;
    let list = work.join("list.csv");
    eprintln!("xtask: writing a list of {NOTIFY_LIST} numbers");
    run(Command::new(&bin).arg("gen").arg(&list).arg(NOTIFY_LIST))?;
    eprintln!("xtask: planning a campaign to {NOTIFY_LIST} numbers (SQLite)");
    let plan = json_line(&run(Command::new(&bin)
        .current_dir(&work)
        .env("TMPDIR", &work)
        .arg("plan")
        .arg(&list)
        .arg(NOTIFY_LIST))?)?;
    let _ = std::fs::remove_file(&list);

    let sim = SmscSim::start()?;
    let kannel = Kannel::start(sim.smpp_port(), "kannel")?;
    let smpp = format!("127.0.0.1:{}", sim.smpp_port());
    // The ceiling and Lantoa take turns, twice, so drift in the machine touches both. The
    // simulator keeps every message it took per account: each account is reset after its run
    // so the next sender does not pay for a larger heap.
    let reset = |account: &str| reset_account(&sim, account);
    let (mut ceilings, mut ours) = (Vec::new(), Vec::new());
    for round in 1..=2 {
        eprintln!(
            "xtask: round {round}: the simulator's ceiling (node-smpp's client, window 1000)"
        );
        ceilings.push(json_line(&run(Command::new("node")
            .env("NODE_PATH", SmscSim::node_path())
            .arg("tools/smsc-sim/blast.js")
            .args(["127.0.0.1", &sim.smpp_port().to_string(), "ceiling"])
            .args([SMSC_SIM_PASSWORD, NOTIFY_MESSAGES, "1000"]))?)?);
        reset("ceiling")?;
        eprintln!(
            "xtask: round {round}: Lantoa sends {NOTIFY_MESSAGES} messages (one bind, SQLite)"
        );
        ours.push(json_line(&run(Command::new(&bin)
            .env("TMPDIR", &work)
            .args([
                "dispatch",
                NOTIFY_MESSAGES,
                &smpp,
                "lantoa",
                SMSC_SIM_PASSWORD,
            ])
            .args(["1", &sim.control()]))?)?);
        reset("lantoa")?;
    }
    // An SMSC that takes fewer a second than the contract allows: the pace the bind learns.
    eprintln!(
        "xtask: Lantoa sends {THROTTLED_MESSAGES} messages to an SMSC that throttles above {THROTTLED_LIMIT}/s (contract {THROTTLED_TPS}/s)"
    );
    reset("throttled")?;
    curl(&[
        "-X",
        "POST",
        "-d",
        &format!("{{\"rate_limit\": {THROTTLED_LIMIT}}}"),
        &format!("http://{}/mode/throttled", sim.control()),
    ])?;
    let throttled = json_line(&run(Command::new(&bin)
        .env("TMPDIR", &work)
        .args([
            "dispatch",
            THROTTLED_MESSAGES,
            &smpp,
            "throttled",
            SMSC_SIM_PASSWORD,
        ])
        .args(["1", &sim.control(), THROTTLED_TPS, "keep-mode"]))?)?;
    reset("throttled")?;
    // The measure: `lantoa serve` end to end at window 100, approval to the last
    // receipt stored, against the simulator's own load generator at the same window.
    let lantoa_bin = build_lantoa()?;
    let (mut generators, mut served) = (Vec::new(), Vec::new());
    for round in 1..=2 {
        eprintln!(
            "xtask: round {round}: the load generator (node-smpp, window {E2E_WINDOW}, until the last receipt)"
        );
        generators.push(load_generator(&sim)?);
        eprintln!(
            "xtask: round {round}: lantoa serve, window {E2E_WINDOW}: approval to the last receipt stored"
        );
        served.push(serve_end_to_end(
            &lantoa_bin,
            &bin,
            &work.join(format!("e2e-{round}")),
            sim.smpp_port(),
        )?);
        reset("e2e")?;
    }
    eprintln!("xtask: Kannel sends {NOTIFY_MESSAGES} messages (HTTP sendsms, one bind)");
    let peer = json_line(&run(Command::new(&bin)
        .args([
            "kannel",
            NOTIFY_MESSAGES,
            &kannel.sendsms_url(),
            &sim.control(),
        ])
        .args(["kannel", "64"]))?)?;
    drop(kannel);
    drop(sim);
    let _ = std::fs::remove_dir_all(&work);

    let f = |v: &serde_json::Value, k: &str| v[k].as_f64().unwrap_or(f64::NAN);
    println!();
    println!(
        "Planning a campaign to {:.0} numbers (SQLite; {:.0} of them on the Do-Not-Call list): read and stored in {:.1} s, planned in {:.1} s: {:.1} s in all (goal: under 60 s); peak RSS {:.0} MB (goal: under 1024 MB). Approval then queued {:.0} messages in {:.1} s.",
        f(&plan, "recipients"),
        f(&plan, "opted_out"),
        f(&plan, "import_s"),
        f(&plan, "plan_s"),
        f(&plan, "import_s") + f(&plan, "plan_s"),
        f(&plan, "peak_rss_kb") / 1024.0,
        f(&plan, "queued"),
        f(&plan, "approve_s"),
    );
    println!();
    println!(
        "Sending {NOTIFY_MESSAGES} one-part messages with receipts to the loopback simulator:"
    );
    println!("| sender | run | seconds | messages/s |");
    println!("|---|---:|---:|---:|");
    let mean = |runs: &[serde_json::Value]| {
        runs.iter().map(|v| f(v, "per_s")).sum::<f64>() / runs.len() as f64
    };
    for (name, runs) in [
        ("node-smpp client — the simulator's ceiling", &ceilings),
        ("Lantoa (1 bind, SQLite)", &ours),
        (
            "Kannel 1.4.5 (HTTP sendsms, 1 bind) — the peer",
            &vec![peer.clone()],
        ),
    ] {
        for (i, v) in runs.iter().enumerate() {
            println!(
                "| {name} | {} | {:.1} | {:.0} |",
                i + 1,
                f(v, "seconds"),
                f(v, "per_s")
            );
        }
    }
    let lantoa = mean(&ours);
    println!();
    println!(
        "Lantoa {lantoa:.0} messages/s (mean of {} runs): {:.2}x Kannel, {:.2}x the simulator's ceiling ({:.0}/s). Lantoa's runs: {} CPU-seconds, peak RSS {} MB, accepted {}, failed {}, uncertain {}.",
        ours.len(),
        lantoa / f(&peer, "per_s"),
        lantoa / mean(&ceilings),
        mean(&ceilings),
        ours.iter()
            .map(|v| format!("{:.1}", f(v, "cpu_seconds")))
            .collect::<Vec<_>>()
            .join(" / "),
        ours.iter()
            .map(|v| format!("{:.0}", f(v, "peak_rss_kb") / 1024.0))
            .collect::<Vec<_>>()
            .join(" / "),
        ours.iter()
            .map(|v| format!("{:.0}", f(v, "accepted")))
            .collect::<Vec<_>>()
            .join(" / "),
        ours.iter()
            .map(|v| format!("{:.0}", f(v, "failed")))
            .collect::<Vec<_>>()
            .join(" / "),
        ours.iter()
            .map(|v| format!("{:.0}", f(v, "uncertain")))
            .collect::<Vec<_>>()
            .join(" / "),
    );
    println!();
    println!(
        "End to end through `lantoa serve` (SQLite, one bind, window {E2E_WINDOW}): {E2E_MESSAGES} one-part messages with receipts, from approval to the last receipt stored:"
    );
    println!("| sender | run | seconds | messages/s | sender's CPU-seconds |");
    println!("|---|---:|---:|---:|---:|");
    for (name, runs) in [
        (
            "node-smpp load generator, window 100 — the simulator's rate",
            &generators,
        ),
        ("lantoa serve (approval → last receipt stored)", &served),
    ] {
        for (i, v) in runs.iter().enumerate() {
            println!(
                "| {name} | {} | {:.1} | {:.0} | {} |",
                i + 1,
                f(v, "seconds"),
                f(v, "per_s"),
                v["cpu_seconds"]
                    .as_f64()
                    .map_or("—".to_owned(), |c| format!("{c:.1}"))
            );
        }
    }
    println!(
        "lantoa serve {:.0} messages/s (mean of {} runs): {:.0}% of the load generator's {:.0}/s (goal: at least 90%); delivered {}.",
        mean(&served),
        served.len(),
        100.0 * mean(&served) / mean(&generators),
        mean(&generators),
        served
            .iter()
            .map(|v| format!("{:.0}", f(v, "delivered")))
            .collect::<Vec<_>>()
            .join(" / "),
    );
    let limit: f64 = THROTTLED_LIMIT.parse().unwrap_or(f64::NAN);
    println!(
        "Against an SMSC that throttles above {limit:.0}/s (contract {THROTTLED_TPS}/s): Lantoa {:.0} messages/s, {:.0}% of the SMSC's rate (goal: at least 85%); accepted {:.0}, failed {:.0}, uncertain {:.0}.",
        f(&throttled, "per_s"),
        100.0 * f(&throttled, "per_s") / limit,
        f(&throttled, "accepted"),
        f(&throttled, "failed"),
        f(&throttled, "uncertain"),
    );
    Ok(())
}

/// Forgets what the simulator kept for `account`: every message it took is kept per account,
/// and the next sender should not pay for a larger heap.
fn reset_account(sim: &crate::services::SmscSim, account: &str) -> anyhow::Result<()> {
    curl(&[
        "-X",
        "POST",
        &format!("http://{}/reset/{account}", sim.control()),
    ])
    .map(|_| ())
}

/// The simulator's own load generator at window [`E2E_WINDOW`], timed to its last receipt.
fn load_generator(sim: &crate::services::SmscSim) -> anyhow::Result<serde_json::Value> {
    use crate::services::{SMSC_SIM_PASSWORD, SmscSim};
    let v = json_line(&run(Command::new("node")
        .env("NODE_PATH", SmscSim::node_path())
        .arg("tools/smsc-sim/blast.js")
        .args(["127.0.0.1", &sim.smpp_port().to_string(), "generator"])
        .args([SMSC_SIM_PASSWORD, E2E_MESSAGES, E2E_WINDOW, "receipts"]))?)?;
    reset_account(sim, "generator")?;
    Ok(v)
}

/// `bench notify-serve`: the load generator and each binary in turn, `rounds` times.
fn notify_serve(rounds: usize, mut bins: Vec<std::path::PathBuf>) -> anyhow::Result<()> {
    use crate::services::SmscSim;
    let bench = build_example("lantoa-notify", "notify_bench")?;
    if bins.is_empty() {
        bins.push(build_lantoa()?);
    }
    let work = tempfile_dir()?;
    let sim = SmscSim::start()?;
    let reset = |account: &str| reset_account(&sim, account);
    let mut rows: Vec<(String, serde_json::Value)> = Vec::new();
    for round in 1..=rounds {
        eprintln!("xtask: round {round}: the load generator");
        rows.push(("generator".into(), load_generator(&sim)?));
        for (i, bin) in bins.iter().enumerate() {
            eprintln!("xtask: round {round}: {}", bin.display());
            rows.push((
                format!("{} {}", i + 1, bin.display()),
                serve_end_to_end(bin, &bench, &work.join("e2e"), sim.smpp_port())?,
            ));
            reset("e2e")?;
        }
    }
    drop(sim);
    let _ = std::fs::remove_dir_all(&work);
    println!("| sender | seconds | messages/s | CPU-seconds |");
    println!("|---|---:|---:|---:|");
    for (name, v) in &rows {
        println!(
            "| {name} | {:.1} | {:.0} | {} |",
            v["seconds"].as_f64().unwrap_or(f64::NAN),
            v["per_s"].as_f64().unwrap_or(f64::NAN),
            v["cpu_seconds"]
                .as_f64()
                .map_or("—".to_owned(), |c| format!("{c:.1}"))
        );
    }
    Ok(())
}

const E2E_MESSAGES: &str = "200000";
const E2E_WINDOW: &str = "100";

/// CPU-seconds (user + system) a process has used, from /proc.
fn cpu_of(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name in parentheses: utime and stime are the 12th and 13th.
    let rest = stat.rsplit_once(')')?.1;
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

/// One run of `lantoa serve` against the simulator at `smpp_port`: a fresh database in `dir`,
/// a communicator and an approver with tokens, the list imported, the campaign drafted and
/// submitted through `lantoa notify`; timed from the approver's `lantoa notify approve` until
/// the server's progress API counts every message delivered (polled each second, then every
/// 20 ms once nine in ten are in). One JSON value.
fn serve_end_to_end(
    lantoa: &std::path::Path,
    notify_bench: &std::path::Path,
    dir: &std::path::Path,
    smpp_port: u16,
) -> anyhow::Result<serde_json::Value> {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir)?;
    let rules = std::fs::read_to_string("data/notify/rules.toml")?
        .replace("allowed_from = \"07:00\"", "allowed_from = \"00:00\"")
        .replace("allowed_until = \"22:00\"", "allowed_until = \"00:00\"");
    std::fs::write(dir.join("rules.toml"), rules)?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    std::fs::write(
        dir.join("lantoa.toml"),
        format!(
            "[web]\nmax_body_bytes = 200000000\n\n[notify]\nrules = \"{}\"\n\n[[notify.smsc]]\nname = \"sim\"\noperators = [\"viettel\", \"vinaphone\", \"mobifone\"]\nhost = \"127.0.0.1\"\nport = {smpp_port}\nsystem_id = \"e2e\"\npassword = \"{}\"\nbinds = 1\ntps = 50000\nmax_window = {E2E_WINDOW}\n",
            dir.join("rules.toml").display(),
            crate::services::SMSC_SIM_PASSWORD
        ),
    )?;
    let lantoa_in = |args: &[&str]| {
        let mut c = Command::new(lantoa);
        c.current_dir(dir)
            .env("LANTOA_LOG", "warn")
            .env("LANTOA_API_RATE_PER_MINUTE", "0")
            .args(args);
        c
    };
    run(&mut lantoa_in(&["migrate"]))?;
    let mut tokens = Vec::new();
    for (user, role) in [("lan", "communicator"), ("hung", "approver")] {
        run(&mut lantoa_in(&[
            "user", "add", user, "--name", user, "--role", role,
        ]))?;
        let mut passwd = lantoa_in(&["user", "passwd", user])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()?;
        if let Some(mut stdin) = passwd.stdin.take() {
            use std::io::Write;
            writeln!(stdin, "mat khau do dai cho {role} 2026")?;
        }
        if !passwd.wait()?.success() {
            bail!("cannot set {user}'s password");
        }
        let out = run(&mut lantoa_in(&[
            "token", "create", "--user", user, "--name", "bench",
        ]))?;
        tokens.push(
            out.lines()
                .find(|l| l.starts_with("lt_"))
                .context("no token printed")?
                .to_owned(),
        );
    }
    let (lan, hung) = (tokens[0].clone(), tokens[1].clone());
    let list = dir.join("list.csv");
    run(Command::new(notify_bench)
        .arg("gen")
        .arg(&list)
        .arg(E2E_MESSAGES))?;
    let child = lantoa_in(&["serve", "--listen", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::piped())
        .spawn()
        .context("cannot start lantoa serve")?;
    let mut server = Server(child);
    let stdout = server.0.stdout.take().context("no stdout")?;
    for line in BufReader::new(stdout)
        .lines()
        .map_while(std::result::Result::ok)
    {
        if line.starts_with("Lantoa console:") {
            break;
        }
    }
    let base = format!("http://127.0.0.1:{port}");
    let as_ = |token: &str, args: &[&str]| {
        let mut c = lantoa_in(&["notify", "--server", &base, "--token", token]);
        c.args(args);
        c
    };
    let out = run(&mut as_(
        &lan,
        &["lists", "import", "list.csv", "--name", "bench"],
    ))?;
    let list_id = out
        .split_whitespace()
        .nth(1)
        .context("no list id printed")?
        .to_owned();
    let out = run(&mut as_(
        &lan,
        &[
            "campaigns",
            "draft",
            "--name",
            "bench",
            "--topic",
            "bench",
            "--brandname",
            "SoTTTT-HN",
            "--body",
            "So TTTT Ha Noi: phong chong sot xuat huyet, hay diet lang quang va ngu man.",
            "--list",
            &list_id,
        ],
    ))?;
    let id = out
        .split_whitespace()
        .nth(1)
        .context("no campaign id printed")?
        .to_owned();
    run(&mut as_(&lan, &["campaigns", "submit", &id]))?;
    let total: f64 = E2E_MESSAGES.parse()?;
    let cpu_before = cpu_of(server.0.id());
    let start = std::time::Instant::now();
    run(&mut as_(&hung, &["approve", &id, "--confirm", "bench"]))?;
    let progress = format!("{base}/api/v1/notify/campaigns/{id}/progress");
    let auth = format!("authorization: Bearer {hung}");
    let deadline = start + Duration::from_secs(600);
    let t = loop {
        let v: serde_json::Value = serde_json::from_str(&curl(&["-H", &auth, &progress])?)?;
        let t = v["progress"]["total"].clone();
        let settled = ["delivered", "failed", "uncertain", "cancelled", "skipped"]
            .iter()
            .map(|k| t[k].as_f64().unwrap_or(0.0))
            .sum::<f64>();
        if settled >= total {
            break t;
        }
        if std::time::Instant::now() > deadline {
            bail!("the campaign did not finish in 10 minutes: {t}");
        }
        std::thread::sleep(if settled < 0.9 * total {
            Duration::from_secs(1)
        } else {
            Duration::from_millis(20)
        });
    };
    let seconds = start.elapsed().as_secs_f64();
    let cpu = cpu_before.zip(cpu_of(server.0.id())).map(|(a, b)| b - a);
    drop(server);
    let _ = std::fs::remove_dir_all(dir);
    Ok(serde_json::json!({
        "seconds": seconds, "per_s": total / seconds, "cpu_seconds": cpu,
        "delivered": t["delivered"], "failed": t["failed"], "uncertain": t["uncertain"],
    }))
}

/// Latencies of one probe target, in milliseconds.
fn summary(mut ms: Vec<f64>) -> (f64, f64, f64, usize) {
    ms.sort_by(f64::total_cmp);
    let at = |q: f64| {
        ms.get(((ms.len() as f64 - 1.0) * q).round() as usize)
            .copied()
            .unwrap_or(f64::NAN)
    };
    (
        at(0.5),
        at(0.99),
        ms.last().copied().unwrap_or(f64::NAN),
        ms.len(),
    )
}

/// One GET on a fresh connection, timed to the last byte; fails unless the answer is 200.
fn probe(addr: &str, path: &str) -> anyhow::Result<f64> {
    use std::io::{Read, Write};
    let started = std::time::Instant::now();
    let mut stream = std::net::TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer)?;
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    if !answer.starts_with(b"HTTP/1.1 200") {
        bail!(
            "GET {path}: {}",
            String::from_utf8_lossy(&answer[..answer.len().min(80)])
        );
    }
    Ok(ms)
}

/// The server while it ingests `file`: the file is uploaded through CKAN's `resource_create`
/// (streamed to disk) into a new dataset of `schema`; while the in-process worker cleans and
/// publishes it, `/healthz` and the public portal's list `/data` (a database read and a
/// template) are fetched every 50 ms and timed, as they were before the upload, idle.
fn serve_ingest(
    file: &std::path::Path,
    dirty: &[std::path::PathBuf],
    schema: &str,
) -> anyhow::Result<String> {
    let bin = build_lantoa()?;
    let dir = std::env::temp_dir().join(format!("lantoa-bench-serve-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    let (server, base, _) = serve_demo(&bin, &dir)?;
    let addr = base.trim_start_matches("http://").to_owned();
    // A user whose one-time password is unchanged may not write (the Trust rule): the bench
    // sets the administrator's own password first, as an operator would.
    {
        use std::io::Write as _;
        let mut child = Command::new(&bin)
            .args(["user", "passwd", "admin"])
            .arg("--data-dir")
            .arg(&dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .context("cannot run lantoa user passwd")?;
        child
            .stdin
            .take()
            .context("no stdin")?
            .write_all(b"bench-Passw0rd-long-enough\n")?;
        if !child.wait()?.success() {
            bail!("lantoa user passwd admin failed");
        }
    }
    let token = run(Command::new(&bin)
        .args(["token", "create", "--user", "admin", "--name", "bench"])
        .arg("--data-dir")
        .arg(&dir))?
    .lines()
    .find(|l| l.starts_with("lt_"))
    .context("no token printed")?
    .to_owned();
    let auth = format!("Authorization: {token}");
    let schema: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(schema)?)?;
    let create = |name: &str| -> anyhow::Result<()> {
        let created = curl(&[
            "-H",
            &auth,
            "-H",
            "Content-Type: application/json",
            "--data-binary",
            &serde_json::json!({
                "name": name, "title": "Benchmark", "owner_org": "SYT-HN",
                "sensitivity": "restricted", "schema": schema,
            })
            .to_string(),
            &format!("{base}/api/action/package_create"),
        ])?;
        if !created.contains("\"success\": true") && !created.contains("\"success\":true") {
            bail!("package_create: {created}");
        }
        Ok(())
    };
    create("bench-1m")?;
    let sample = |n: usize| -> anyhow::Result<(Vec<f64>, Vec<f64>)> {
        let (mut h, mut d) = (Vec::new(), Vec::new());
        for _ in 0..n {
            h.push(probe(&addr, "/healthz")?);
            d.push(probe(&addr, "/data")?);
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok((h, d))
    };
    eprintln!("xtask: the server idle");
    let (idle_h, idle_d) = sample(100)?;
    eprintln!(
        "xtask: uploading {} to the server and timing it while it ingests",
        file.display()
    );
    let started = std::time::Instant::now();
    let sent = curl(&[
        "-H",
        &auth,
        "-F",
        "package_id=bench-1m",
        "-F",
        &format!("upload=@{}", file.display()),
        &format!("{base}/api/action/resource_create"),
    ])?;
    let upload_secs = started.elapsed().as_secs_f64();
    if !sent.contains("upload_id") {
        bail!("resource_create: {sent}");
    }
    let (mut busy_h, mut busy_d) = (Vec::new(), Vec::new());
    let status = |dir: &std::path::Path| -> anyhow::Result<serde_json::Value> {
        let out = run(Command::new(&bin)
            .args(["opendata", "uploads", "bench-1m", "--json"])
            .arg("--data-dir")
            .arg(dir))?;
        let list: serde_json::Value = serde_json::from_str(&out)?;
        Ok(list[0].clone())
    };
    let done = loop {
        let (h, d) = sample(20)?;
        busy_h.extend(h);
        busy_d.extend(d);
        let u = status(&dir)?;
        if matches!(u["status"].as_str(), Some("done" | "refused" | "failed")) {
            break u;
        }
        if started.elapsed() > Duration::from_secs(1800) {
            bail!("the ingest did not end in 30 minutes: {u}");
        }
    };
    // The dirty files, each into a dataset of its own, waited for without probes.
    let mut linear = Vec::new();
    for (i, path) in dirty.iter().enumerate() {
        let name = format!("bench-dirty-{i}");
        create(&name)?;
        eprintln!("xtask: uploading {} to the server", path.display());
        let sent = curl(&[
            "-H",
            &auth,
            "-F",
            &format!("package_id={name}"),
            "-F",
            &format!("upload=@{}", path.display()),
            &format!("{base}/api/action/resource_create"),
        ])?;
        if !sent.contains("upload_id") {
            bail!("resource_create: {sent}");
        }
        let u = loop {
            std::thread::sleep(Duration::from_millis(500));
            let out = run(Command::new(&bin)
                .args(["opendata", "uploads", &name, "--json"])
                .arg("--data-dir")
                .arg(&dir))?;
            let list: serde_json::Value = serde_json::from_str(&out)?;
            let u = list[0].clone();
            if matches!(u["status"].as_str(), Some("done" | "refused" | "failed")) {
                break u;
            }
        };
        if u["status"] != "done" {
            bail!(
                "the upload of {} ended {}: {}",
                path.display(),
                u["status"],
                u["message"]
            );
        }
        linear.push(u);
    }
    // The server's peak resident memory over the whole run (the kernel's high-water mark).
    let peak_mb = std::fs::read_to_string(format!("/proc/{}/status", server.0.id()))
        .ok()
        .and_then(|st| {
            st.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb / 1024.0);
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
    if done["status"] != "done" {
        bail!("the upload ended {}: {}", done["status"], done["message"]);
    }
    let rows = done["rows"].as_f64().unwrap_or(f64::NAN);
    let secs = (done["finished_at"].as_f64().unwrap_or(f64::NAN)
        - done["uploaded_at"].as_f64().unwrap_or(f64::NAN))
        / 1e6;
    let mut out = String::new();
    out.push_str(&format!(
        "Through the server (SQLite, worker in the serve process): the {:.0} MB file uploaded by resource_create in {upload_secs:.1} s; {rows:.0} rows cleaned and stored in {secs:.1} s ({:.0} rows/s), {} published, {} quarantined, {} repeats dropped.\n",
        std::fs::metadata(file).map(|m| m.len() as f64 / 1e6).unwrap_or(f64::NAN),
        rows / secs,
        done["clean"], done["quarantined"], done["duplicates"],
    ));
    out.push_str(&format!(
        "The server's peak resident memory over all the uploads: {peak_mb:.0} MB.\n"
    ));
    out.push_str("\nIngest through the server as the rows and the dirty share grow:\n\n| rows | dirty | quarantined | seconds | rows/s |\n|---:|---:|---:|---:|---:|\n");
    let ingest_secs = |u: &serde_json::Value| {
        (u["finished_at"].as_f64().unwrap_or(f64::NAN)
            - u["uploaded_at"].as_f64().unwrap_or(f64::NAN))
            / 1e6
    };
    for (u, share) in std::iter::once((&done, "1%")).chain(linear.iter().map(|u| (u, "15%"))) {
        let n = u["rows"].as_f64().unwrap_or(f64::NAN);
        let t = ingest_secs(u);
        out.push_str(&format!(
            "| {n:.0} | {share} | {} | {t:.1} | {:.0} |\n",
            u["quarantined"],
            n / t
        ));
    }
    out.push('\n');
    out.push_str("| probe | idle p50 ms | idle p99 ms | idle max ms | ingesting p50 ms | ingesting p99 ms | ingesting max ms | probes while ingesting |\n|---|---:|---:|---:|---:|---:|---:|---:|\n");
    for (name, idle, busy) in [
        ("`/healthz`", idle_h, busy_h),
        ("portal `/data`", idle_d, busy_d),
    ] {
        let (i50, i99, imax, _) = summary(idle);
        let (b50, b99, bmax, n) = summary(busy);
        out.push_str(&format!(
            "| {name} | {i50:.2} | {i99:.2} | {imax:.2} | {b50:.2} | {b99:.2} | {bmax:.2} | {n} |\n"
        ));
    }
    Ok(out)
}

/// Builds a crate's example program in release mode and returns its path.
fn build_example(package: &str, example: &str) -> anyhow::Result<std::path::PathBuf> {
    eprintln!("xtask: building {example} (release)");
    run(
        Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())).args([
            "build",
            "--release",
            "-q",
            "-p",
            package,
            "--example",
            example,
        ]),
    )?;
    let target = std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| "target".into());
    Ok(std::path::Path::new(&target)
        .join("release/examples")
        .join(example))
}

fn tempfile_dir() -> anyhow::Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!("lantoa-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

const PLANS_TASKS: &str = "50000";
const PLANS_UNITS: &str = "1000";
const PLANS_REPEAT: &str = "200";

fn plans() -> anyhow::Result<()> {
    use crate::services::Postgres;
    let bin = build_example("lantoa-plans", "plans_bench")?;
    let work = tempfile_dir()?;
    let sqlite = format!("sqlite://{}", work.join("plans.db").display());
    let mut results = Vec::new();
    eprintln!("xtask: plans on SQLite ({PLANS_TASKS} tasks, {PLANS_UNITS} units)");
    results.push(json_line(&run(Command::new(&bin).args([
        sqlite.as_str(),
        PLANS_TASKS,
        PLANS_UNITS,
        PLANS_REPEAT,
    ]))?)?);
    let pg = Postgres::start()?;
    eprintln!("xtask: plans on PostgreSQL ({PLANS_TASKS} tasks, {PLANS_UNITS} units)");
    results.push(json_line(&run(Command::new(&bin).args([
        pg.url().as_str(),
        PLANS_TASKS,
        PLANS_UNITS,
        PLANS_REPEAT,
    ]))?)?);
    drop(pg);
    let _ = std::fs::remove_dir_all(&work);
    let f = |v: &serde_json::Value, k: &str| v[k].as_f64().unwrap_or(f64::NAN);
    println!();
    println!(
        "| database | stored (units / appendix / {} reports / {} actuals) | tasks by unit p50 / p99 | timeline page p50 / p99 | indicators p50 / p99 | DTI p50 / p99 | naive by unit (peer) p50 | peer ÷ ours (p50) |",
        results[0]["reports"], results[0]["actuals"]
    );
    println!("|---|---|---|---|---|---|---|---|");
    for r in &results {
        println!(
            "| {} | {:.1} s / {:.1} s / {:.1} s / {:.1} s | {:.1} / {:.1} ms | {:.1} / {:.1} ms | {:.1} / {:.1} ms | {:.1} / {:.1} ms | {:.0} ms | {:.0}× |",
            r["backend"].as_str().unwrap_or("?"),
            f(r, "units_s"),
            f(r, "import_s"),
            f(r, "reports_s"),
            f(r, "indicators_s"),
            f(r, "by_unit_p50_ms"),
            f(r, "by_unit_p99_ms"),
            f(r, "timeline_p50_ms"),
            f(r, "timeline_p99_ms"),
            f(r, "indicators_p50_ms"),
            f(r, "indicators_p99_ms"),
            f(r, "dti_p50_ms"),
            f(r, "dti_p99_ms"),
            f(r, "naive_p50_ms"),
            f(r, "naive_p50_ms") / f(r, "by_unit_p50_ms"),
        );
    }
    let worst = results
        .iter()
        .flat_map(|r| {
            [
                "by_unit_p99_ms",
                "timeline_p99_ms",
                "indicators_p99_ms",
                "dti_p99_ms",
            ]
            .map(|k| f(r, k))
        })
        .fold(0.0_f64, f64::max);
    println!(
        "\nGoal: every dashboard under 100 ms p99 on both databases — slowest p99 {worst:.1} ms: {}.",
        if worst < 100.0 { "met" } else { "missed" }
    );
    Ok(())
}
