//! `cargo xtask test | bench` — Lantoa's own automation.
//!
//! `cargo xtask test` is what CI runs (`.ci/run`). It installs what the tests need when it is
//! missing (PostgreSQL, Chromium and chromedriver, from apt, as root), starts it, runs every
//! suite, stops it, and ends with one line `N passed, N failed`. A component that cannot be
//! had fails the run; nothing is skipped.

mod bench;
mod services;

use std::io::{BufRead, BufReader};
use std::process::{Command, ExitCode, Stdio};

use anyhow::{Context, bail};

/// Passed and failed counts over all suites.
#[derive(Debug, Default)]
struct Tally {
    passed: u64,
    failed: u64,
    problems: Vec<String>,
}

impl Tally {
    fn step_failed(&mut self, what: &str, why: impl std::fmt::Display) {
        eprintln!("xtask: FAILED: {what}: {why}");
        self.failed += 1;
        self.problems.push(format!("{what}: {why}"));
    }
}

fn cargo() -> Command {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
}

/// `cargo test` that runs every test binary even when one fails, so that a suite's count is
/// over all of them.
fn cargo_test() -> Command {
    let mut c = cargo();
    c.args(["test", "--no-fail-fast"]);
    c
}

/// Runs a check that has no test count (fmt, clippy): one pass or one failure.
fn check(tally: &mut Tally, what: &str, mut cmd: Command) {
    eprintln!("xtask: {what}");
    match cmd.status() {
        Ok(s) if s.success() => tally.passed += 1,
        Ok(s) => tally.step_failed(what, format!("exit status {s}")),
        Err(e) => tally.step_failed(what, e),
    }
}

/// Runs `cargo test …`, echoing its output and adding up its `test result:` lines.
fn tests(tally: &mut Tally, what: &str, mut cmd: Command) {
    eprintln!("xtask: {what}");
    cmd.stdout(Stdio::piped());
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => return tally.step_failed(what, e),
    };
    let (mut passed, mut failed, mut results) = (0u64, 0u64, 0u32);
    if let Some(out) = child.stdout.take() {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            println!("{line}");
            if let Some(rest) = line.trim().strip_prefix("test result: ") {
                results += 1;
                for part in rest.split([';', '.']) {
                    let mut words = part.split_whitespace();
                    if let (Some(n), Some(label)) = (words.next(), words.next()) {
                        match (n.parse::<u64>(), label) {
                            (Ok(n), "passed") => passed += n,
                            (Ok(n), "failed") => failed += n,
                            _ => {}
                        }
                    }
                }
            }
        }
    }
    let status = child.wait();
    tally.passed += passed;
    tally.failed += failed;
    match status {
        Ok(s) if s.success() && results > 0 && passed > 0 => {}
        Ok(s) if s.success() => tally.step_failed(what, "ran no test"),
        Ok(s) if failed == 0 => {
            tally.step_failed(what, format!("did not build or run (exit status {s})"))
        }
        Ok(_) => tally.problems.push(format!("{what}: {failed} failed")),
        Err(e) => tally.step_failed(what, e),
    }
}

fn test_all() -> anyhow::Result<Tally> {
    let mut t = Tally::default();
    let mut fmt = cargo();
    fmt.args(["fmt", "--all", "--check"]);
    check(&mut t, "cargo fmt --check", fmt);
    let mut clippy = cargo();
    clippy.args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]);
    check(&mut t, "cargo clippy --all-targets -D warnings", clippy);

    let mut sqlite = cargo_test();
    sqlite
        .args(["--workspace"])
        .env_remove("LANTOA_TEST_DATABASE_URL");
    tests(&mut t, "all tests on SQLite", sqlite);

    // Sending against the SMSC simulator, on both databases; the crash test kills a real
    // `lantoa worker --role dispatch` again and again.
    let sim = match services::SmscSim::start() {
        Ok(sim) => Some(sim),
        Err(e) => {
            t.step_failed("SMSC simulator (node-smpp)", format!("{e:#}"));
            None
        }
    };
    let sim_suites = |c: &mut Command, sim: &services::SmscSim| {
        c.args(["-p", "lantoa-notify", "--test", "dispatch"])
            .args(["-p", "lantoa", "--test", "crash", "--", "--ignored"])
            .envs(sim.envs());
    };
    if let Some(sim) = &sim {
        let mut c = cargo_test();
        sim_suites(&mut c, sim);
        c.env_remove("LANTOA_TEST_DATABASE_URL");
        tests(&mut t, "sending to the SMSC simulator on SQLite", c);
    }

    match services::Postgres::start() {
        Ok(pg) => {
            // Every suite of the workspace again on PostgreSQL (not a hand-kept list: a new
            // suite that stores data cannot be left out).
            let mut c = cargo_test();
            c.args(["--workspace"])
                .env("LANTOA_TEST_DATABASE_URL", pg.url());
            tests(&mut t, "all tests on PostgreSQL", c);
            if let Some(sim) = &sim {
                let mut c = cargo_test();
                sim_suites(&mut c, sim);
                c.env("LANTOA_TEST_DATABASE_URL", pg.url());
                tests(&mut t, "sending to the SMSC simulator on PostgreSQL", c);
            }
            // Every module's SQLite and PostgreSQL migrations build the same schema.
            let mut c = cargo_test();
            c.args([
                "--workspace",
                "--test",
                "web",
                "schema_parity",
                "--",
                "--ignored",
            ])
            .env("LANTOA_TEST_DATABASE_URL", pg.url());
            tests(&mut t, "the two databases' schemas compared", c);
            drop(pg);
        }
        Err(e) => t.step_failed("PostgreSQL", format!("{e:#}")),
    }
    drop(sim);

    // The console and the crawler's screenshots in headless Chromium; documents rendered to
    // PDF by LibreOffice.
    let soffice = services::libreoffice();
    if let Err(e) = &soffice {
        t.step_failed("LibreOffice (apt)", format!("{e:#}"));
    }
    match services::ChromeDriver::start() {
        Ok(driver) => {
            let mut c = cargo_test();
            c.args(["--workspace", "--test", "browser"]);
            if let Ok(soffice) = &soffice {
                c.args(["--test", "form", "--test", "casework"])
                    .env("LANTOA_SOFFICE", soffice);
                match services::poppler() {
                    Ok(poppler) => {
                        c.args(["--test", "render"]).env("LANTOA_POPPLER", poppler);
                    }
                    Err(e) => t.step_failed("poppler-utils (apt)", format!("{e:#}")),
                }
            }
            c.args(["--", "--ignored"])
                .env("LANTOA_WEBDRIVER", driver.url())
                .env("LANTOA_CHROMIUM", services::CHROMIUM);
            if let Ok(dir) = std::env::var("LANTOA_SCREENSHOT_DIR") {
                c.env("LANTOA_SCREENSHOT_DIR", dir);
            }
            tests(
                &mut t,
                "console and screenshots in headless Chromium, documents and reports in LibreOffice, PDF pages drawn by pdftoppm",
                c,
            );
            drop(driver);
        }
        Err(e) => t.step_failed("Chromium and chromedriver", format!("{e:#}")),
    }

    match services::xmllint() {
        Ok(xmllint) => {
            let mut c = cargo_test();
            c.args([
                "-p",
                "lantoa-notify",
                "--test",
                "cap_schema",
                "--",
                "--ignored",
            ])
            .env("LANTOA_XMLLINT", xmllint);
            tests(
                &mut t,
                "CAP written by Lantoa against the CAP 1.2 schema (xmllint)",
                c,
            );
        }
        Err(e) => t.step_failed("xmllint (apt)", format!("{e:#}")),
    }

    match services::espeak_ng() {
        Ok(()) => {
            let mut c = cargo_test();
            c.args([
                "-p",
                "lantoa-notify",
                "--test",
                "speakers",
                "--",
                "--ignored",
            ]);
            tests(
                &mut t,
                "loudspeaker bulletins spoken by espeak-ng's Vietnamese voice",
                c,
            );
        }
        Err(e) => t.step_failed("espeak-ng (apt)", format!("{e:#}")),
    }

    match bench::pip_peer("frictionless", &["frictionless"]) {
        Ok(()) => {
            let mut c = cargo_test();
            c.args([
                "-p",
                "lantoa-opendata",
                "--test",
                "agreement",
                "--",
                "--ignored",
            ]);
            tests(
                &mut t,
                "open data: Lantoa and frictionless find the same errors",
                c,
            );
        }
        Err(e) => t.step_failed("frictionless (pip)", format!("{e:#}")),
    }

    match bench::pip_peer("ckanapi", &["ckanapi"]) {
        Ok(()) => {
            let mut c = cargo_test();
            c.args(["-p", "lantoa-web", "--test", "ckanapi", "--", "--ignored"]);
            tests(
                &mut t,
                "open data: the ckanapi client against the CKAN API",
                c,
            );
        }
        Err(e) => t.step_failed("ckanapi (pip)", format!("{e:#}")),
    }
    Ok(t)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("test") => test_all().map(|t| {
            if !t.problems.is_empty() {
                eprintln!("xtask: problems:");
                for p in &t.problems {
                    eprintln!("  - {p}");
                }
            }
            println!("{} passed, {} failed", t.passed, t.failed);
            if t.failed == 0 && t.problems.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }),
        Some("bench") => bench::run_named(&args[1..]).map(|()| ExitCode::SUCCESS),
        Some("fuzz") => fuzz(&args[1..]).map(|()| ExitCode::SUCCESS),
        _ => Err(anyhow::anyhow!(
            "usage: cargo xtask test | cargo xtask bench web | cargo xtask fuzz [SECONDS]"
        )),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("xtask: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// The cargo-fuzz targets in `fuzz/`.
const FUZZ_TARGETS: [&str; 22] = [
    "wav",
    "cap",
    "speech",
    "dossier",
    "plan_period",
    "notify_text",
    "notify_list",
    "notify_receipt",
    "opendata_cell",
    "opendata_file",
    "opendata_query",
    "opendata_survey",
    "phone",
    "tax_code",
    "citizen_id",
    "text_keys",
    "charset",
    "warc",
    "extract",
    "signals",
    "workbook",
    "personal",
];

/// `cargo xtask fuzz [SECONDS]`: every fuzz target for SECONDS each (default 60), with
/// libFuzzer through cargo-fuzz (installed from crates.io when missing). cargo-fuzz needs
/// nightly flags; on the stable toolchain `RUSTC_BOOTSTRAP=1` allows them for this build only.
fn fuzz(args: &[String]) -> anyhow::Result<()> {
    let seconds: u32 = match args.first() {
        Some(s) => s.parse().context("SECONDS must be a whole number")?,
        None => 60,
    };
    if cargo()
        .args(["fuzz", "--version"])
        .output()
        .map(|o| !o.status.success())
        .unwrap_or(true)
    {
        eprintln!("xtask: installing cargo-fuzz");
        run(cargo().args(["install", "cargo-fuzz", "--locked"]))?;
    }
    for target in FUZZ_TARGETS {
        // Seeds kept in the repository (fuzz/seeds/TARGET) start the corpus where random
        // input would take long to reach (a whole CAP document).
        let seeds = std::path::Path::new("fuzz/seeds").join(target);
        if seeds.is_dir() {
            let corpus = std::path::Path::new("fuzz/corpus").join(target);
            std::fs::create_dir_all(&corpus)?;
            for seed in std::fs::read_dir(&seeds)? {
                let seed = seed?;
                std::fs::copy(seed.path(), corpus.join(seed.file_name()))?;
            }
        }
        eprintln!("xtask: fuzzing {target} for {seconds} s");
        let status = cargo()
            .current_dir("fuzz")
            .args([
                "fuzz",
                "run",
                target,
                "--",
                &format!("-max_total_time={seconds}"),
            ])
            .env("RUSTC_BOOTSTRAP", "1")
            .status()?;
        if !status.success() {
            bail!("fuzz target {target} found a failure (see fuzz/artifacts/{target}/)");
        }
    }
    println!(
        "{} fuzz targets ran {seconds} s each without a failure",
        FUZZ_TARGETS.len()
    );
    Ok(())
}

/// Runs a command to completion, failing with its output when it fails.
fn run(cmd: &mut Command) -> anyhow::Result<String> {
    let out = cmd
        .output()
        .with_context(|| format!("cannot run {cmd:?}"))?;
    if !out.status.success() {
        bail!(
            "{cmd:?} failed ({}): {}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}
