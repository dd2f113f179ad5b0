//! `cargo xtask bench NAME`: load tests on loopback, bounded in time, with a peer measured in
//! the same run so the result is a ratio rather than a number that depends on the machine.
//!
//! `web`: the release binary serves the demo city on SQLite; `wrk` (Debian's package) drives
//! 200 concurrent connections for 15 s at each of three targets: `/healthz` (the floor: no
//! database, no session, no template — the peer), the dashboard `/` (session lookup, five
//! counts, template render) and `/api/v1/units` (token lookup, a page of 50 communes as JSON).

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
        Some(other) => bail!("unknown benchmark {other:?}; benchmarks: web"),
        None => bail!("usage: cargo xtask bench web"),
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

fn wrk(target: &'static str, url: &str, header: Option<&str>) -> anyhow::Result<Result> {
    let mut cmd = Command::new("wrk");
    cmd.args(["-t2", "-c200", "-d15s", "--latency", "--timeout", "10s"]);
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
    let bin = std::path::Path::new(&target).join("release/lantoa");
    let dir = std::env::temp_dir().join(format!("lantoa-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let mut child = Command::new(&bin)
        .args(["serve", "--demo", "--listen", &format!("127.0.0.1:{port}")])
        .arg("--data-dir")
        .arg(&dir)
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
    std::thread::sleep(Duration::from_millis(300));

    let results = vec![
        wrk(
            "`/healthz` (peer: no database)",
            &format!("{base}/healthz"),
            None,
        )?,
        wrk(
            "dashboard `/`",
            &format!("{base}/"),
            Some(&format!("Cookie: lantoa_session={session}")),
        )?,
        wrk(
            "API `/api/v1/units?kind=commune&limit=50`",
            &format!("{base}/api/v1/units?kind=commune&limit=50"),
            Some(&format!("Authorization: Bearer {token}")),
        )?,
    ];
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
    println!(
        "(200 connections, 2 wrk threads, 15 s each, SQLite, demo city, release build, one machine)"
    );
    Ok(())
}
