//! The real `lantoa` binary, run in a temporary folder.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers: a panic is the failure report

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn lantoa(dir: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_lantoa"));
    c.current_dir(dir).env("LANTOA_LOG", "warn");
    for (k, _) in std::env::vars().filter(|(k, _)| k.starts_with("LANTOA_") && k != "LANTOA_LOG") {
        c.env_remove(k);
    }
    c
}

fn run(dir: &Path, args: &[&str]) -> Output {
    lantoa(dir).args(args).output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn every_verb_has_help() {
    let dir = tempfile::tempdir().unwrap();
    for verb in [
        vec!["--help"],
        vec!["serve", "--help"],
        vec!["worker", "--help"],
        vec!["migrate", "--help"],
        vec!["user", "--help"],
        vec!["user", "add", "--help"],
        vec!["user", "passwd", "--help"],
        vec!["watch", "dossier", "verify", "--help"],
        vec!["plans", "import", "--help"],
        vec!["watch", "dossier", "export", "--help"],
        vec!["user", "list", "--help"],
        vec!["token", "create", "--help"],
        vec!["audit", "verify", "--help"],
        vec!["demo", "--help"],
        vec!["watch", "subjects", "import", "--help"],
        vec!["watch", "subjects", "list", "--help"],
        vec!["watch", "crawl", "--help"],
        vec!["watch", "findings", "--help"],
        vec!["watch", "extract", "--help"],
        vec!["user", "agency", "--help"],
        vec!["opendata", "datasets", "--help"],
        vec!["opendata", "upload", "--help"],
        vec!["opendata", "uploads", "--help"],
        vec!["notify", "lists", "import", "--help"],
        vec!["notify", "campaigns", "draft", "--help"],
        vec!["notify", "cost", "--help"],
        vec!["notify", "approve", "--help"],
        vec!["notify", "status", "--help"],
        vec!["notify", "deliveries", "--help"],
        vec!["reports", "create", "--help"],
        vec!["reports", "show", "--help"],
        vec!["reports", "step", "--help"],
        vec!["reports", "download", "--help"],
        vec!["plans", "show", "--help"],
        vec!["plans", "tasks", "--help"],
        vec!["plans", "report", "--help"],
        vec!["plans", "indicators", "--help"],
        vec!["plans", "actual", "--help"],
        vec!["opendata", "quarantine", "--help"],
        vec!["opendata", "fix", "--help"],
    ] {
        let o = run(dir.path(), &verb);
        assert!(o.status.success(), "{verb:?}: {}", stderr(&o));
        assert!(stdout(&o).contains("Usage: lantoa"), "{verb:?}");
    }
}

#[test]
fn a_database_that_cannot_be_opened_stops_with_one_clear_line() {
    let dir = tempfile::tempdir().unwrap();
    for (url, expect) in [
        (
            "postgres://nobody@127.0.0.1:1/lantoa",
            "cannot open the database at postgres://nobody@127.0.0.1:1/lantoa",
        ),
        (
            "mysql://x/y",
            "database URL must start with sqlite:// or postgres://",
        ),
        (
            "sqlite:///proc/no/such/dir/x.db",
            "cannot open the database at sqlite:///proc/no/such/dir/x.db",
        ),
    ] {
        let o = run(dir.path(), &["serve", "--database", url]);
        assert_eq!(o.status.code(), Some(1), "{url}");
        let err = stderr(&o);
        assert_eq!(err.lines().count(), 1, "{url}: {err}");
        assert!(err.starts_with("lantoa: "), "{err}");
        assert!(err.contains(expect), "{url}: {err}");
        assert!(!err.contains("panicked"));
    }
}

#[test]
fn a_database_with_an_edited_migration_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    assert!(run(dir.path(), &["migrate"]).status.success());
    let url = format!(
        "sqlite://{}",
        dir.path().join("lantoa-data/lantoa.db").display()
    );
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let db = lantoa_store::Db::connect(&url).await.unwrap();
        sqlx::query(
            "UPDATE schema_migrations SET checksum = 'edited' WHERE component = 'accounts'",
        )
        .execute(db.pool())
        .await
        .unwrap();
    });
    let o = run(dir.path(), &["migrate"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("migration accounts #1 was edited after it was applied"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn users_tokens_and_the_audit_log_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let o = run(
        d,
        &[
            "user",
            "add",
            "lan.nt",
            "--name",
            "Nguyễn Thị Lan",
            "--role",
            "watch_officer",
            "--role",
            "viewer",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("One-time password: "));
    let o = run(d, &["user", "add", "x", "--name", "X", "--role", "wizard"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("unknown role \"wizard\""),
        "{}",
        stderr(&o)
    );

    let mut child = lantoa(d)
        .args(["user", "passwd", "lan.nt"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"a long new secret\n")
        .unwrap();
    assert!(child.wait().unwrap().success());

    let list = stdout(&run(d, &["user", "list"]));
    assert!(
        list.contains("lan.nt") && list.contains("watch_officer,viewer") && list.contains("active"),
        "{list}"
    );

    let o = run(
        d,
        &[
            "token", "create", "--user", "lan.nt", "--name", "crawler", "--role", "viewer",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o)
            .lines()
            .any(|l| l.starts_with("lt_") && l.len() == 67)
    );
    let o = run(
        d,
        &[
            "token", "create", "--user", "lan.nt", "--name", "x", "--role", "admin",
        ],
    );
    assert_eq!(o.status.code(), Some(1));

    let o = run(d, &["audit", "verify"]);
    assert!(o.status.success());
    assert!(
        stdout(&o).contains("The audit log is intact: 3 rows verified."),
        "{}",
        stdout(&o)
    );

    // The head to keep elsewhere; the key stays in the data folder, outside the database.
    let head = stdout(&o)
        .lines()
        .find_map(|l| l.strip_prefix("Head (keep it elsewhere as the next anchor): "))
        .map(str::to_owned)
        .expect("the head is printed");
    assert!(head.starts_with("3:k1:"), "{head}");
    let key = std::fs::read_to_string(d.join("lantoa-data/audit.key")).unwrap();
    assert_eq!(key.trim().len(), 64);
    #[cfg(unix)]
    assert_eq!(
        std::os::unix::fs::PermissionsExt::mode(
            &std::fs::metadata(d.join("lantoa-data/audit.key"))
                .unwrap()
                .permissions()
        ) & 0o777,
        0o600
    );
    let o = run(d, &["audit", "verify", "--expect", &head]);
    assert!(o.status.success(), "{}", stdout(&o));
    assert!(stdout(&o).contains("It still holds the anchored row 3."));
    let o = run(d, &["audit", "verify", "--expect", "three"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("is not an anchor SEQ:HASH"),
        "{}",
        stderr(&o)
    );

    let url = format!("sqlite://{}", d.join("lantoa-data/lantoa.db").display());
    // The newest row deleted and the head rewound: whole, but not what was anchored.
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let db = lantoa_store::Db::connect(&url).await.unwrap();
        sqlx::query("DELETE FROM audit_log WHERE seq = 3")
            .execute(db.pool())
            .await
            .unwrap();
        sqlx::query(
            "UPDATE audit_head SET seq = 2, hash = (SELECT hash FROM audit_log WHERE seq = 2) WHERE id = 1",
        )
        .execute(db.pool())
        .await
        .unwrap();
    });
    assert!(run(d, &["audit", "verify"]).status.success());
    let o = run(d, &["audit", "verify", "--expect", &head]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stdout(&o).contains("ends before row 3"), "{}", stdout(&o));
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let db = lantoa_store::Db::connect(&url).await.unwrap();
        sqlx::query("UPDATE audit_log SET actor = 'someone else' WHERE seq = 2")
            .execute(db.pool())
            .await
            .unwrap();
    });
    let o = run(d, &["audit", "verify"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stdout(&o).contains("audit row 2 was altered"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn configuration_file_then_environment_then_flags() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("lantoa.toml"), "database = \"mysql://from-file\"\n").unwrap();
    let o = run(d, &["migrate"]);
    assert!(stderr(&o).contains("mysql://from-file"), "{}", stderr(&o));
    let o = lantoa(d)
        .args(["migrate"])
        .env("LANTOA_DATABASE", "mysql://from-env")
        .output()
        .unwrap();
    assert!(stderr(&o).contains("mysql://from-env"), "{}", stderr(&o));
    let o = lantoa(d)
        .args(["migrate", "--database", "sqlite://flag.db"])
        .env("LANTOA_DATABASE", "mysql://from-env")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(d.join("flag.db").exists());
    std::fs::write(d.join("lantoa.toml"), "colour = \"blue\"\n").unwrap();
    let o = run(d, &["migrate"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("configuration file lantoa.toml") && stderr(&o).contains("colour"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn serve_demo_prints_the_one_time_password_and_answers() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = lantoa(dir.path())
        .args(["serve", "--demo", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut seen = Vec::new();
    let mut addr = None;
    for line in lines.by_ref() {
        let line = line.unwrap();
        if let Some(a) = line.strip_prefix("Lantoa console: http://") {
            addr = Some(a.trim_end_matches('/').to_owned());
            break;
        }
        seen.push(line);
    }
    let text = seen.join("\n");
    assert!(text.contains("one-time password:"), "{text}");
    assert!(text.contains("126 communes and wards registered"), "{text}");
    assert!(text.contains("Demo watch subjects: 9 added"), "{text}");
    assert!(
        text.contains("Demo open data: 3 datasets created (0 already there), 3 files queued"),
        "{text}"
    );
    assert!(
        text.contains("Demo alerts: 3 CAP alerts (one public on /alerts"),
        "{text}"
    );
    assert!(
        text.contains("Demo year 2023, notify: 3 campaigns sent to a demo SMSC of their own (183 messages, 165 delivered)"),
        "{text}"
    );
    assert!(
        text.contains("1 file of the demo year 2023 read and corrected"),
        "{text}"
    );
    assert!(
        text.contains("(demo) with 55 sections and tasks imported"),
        "{text}"
    );
    let addr = addr.expect("the console address");
    let mut s = std::net::TcpStream::connect(&addr).unwrap();
    s.write_all(b"GET /readyz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    // A failure here must not leave the server running: stopped below, then reported.
    let sms = std::panic::catch_unwind(|| {
        sms_through_the_cli(dir.path(), &addr);
        reports_through_the_cli(dir.path(), &addr);
    });
    // Stopped as a service manager stops it (SIGTERM): it shuts down and takes its demo
    // chromedriver with it (a SIGKILL would leave that orphaned).
    let term = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(term.success());
    child.wait().unwrap();
    if let Err(e) = sms {
        std::panic::resume_unwind(e);
    }
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains("\"ready\""));
    assert!(dir.path().join("lantoa-data/lantoa.db").exists());

    // A second start keeps the data and prints no new password.
    let o = run(dir.path(), &["demo"]);
    assert!(
        stdout(&o).contains("0 communes and wards registered (126 already there)"),
        "{}",
        stdout(&o)
    );
    assert!(
        stdout(&o).contains("Demo open data: 0 datasets created (3 already there), 0 files queued"),
        "{}",
        stdout(&o)
    );
}

/// A user with a password of their own and an API token; the token.
fn user_with_token(dir: &Path, username: &str, role: &str) -> String {
    let o = run(
        dir,
        &[
            "user",
            "add",
            username,
            "--name",
            "Người Thử",
            "--role",
            role,
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let mut passwd = lantoa(dir)
        .args(["user", "passwd", username])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    passwd
        .stdin
        .take()
        .unwrap()
        .write_all(b"mat-khau-rieng-cua-toi-2026\n")
        .unwrap();
    assert!(passwd.wait().unwrap().success());
    let o = run(
        dir,
        &["token", "create", "--user", username, "--name", "cli"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    stdout(&o).lines().nth(1).unwrap().trim().to_owned()
}

/// `lantoa notify` against the demo server at `addr`: a communicator imports a list and drafts,
/// an approver approves and follows the sending to its end on the demo SMSC.
fn sms_through_the_cli(dir: &Path, addr: &str) {
    let lan = user_with_token(dir, "lan", "communicator");
    let hung = user_with_token(dir, "hung", "approver");
    let server = format!("http://{addr}");
    let as_ = |token: &str, args: &[&str]| {
        lantoa(dir)
            .args(["notify", "--server", &server, "--token", token])
            .args(args)
            .output()
            .unwrap()
    };
    std::fs::write(
        dir.join("ds.csv"),
        "Họ tên,Số điện thoại\nLan,0912 345 678\nBình,(+84) 98-345-6789\nMinh,0903456787\nSai,12345\n",
    )
    .unwrap();
    let o = as_(
        &lan,
        &["lists", "import", "ds.csv", "--name", "Thử qua dòng lệnh"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("4 rows read, 3 recipients, 0 repeated, 1 refused"),
        "{out}"
    );
    assert!(out.contains("row 5:") && out.contains("(12345)"), "{out}");
    let list = out.split_whitespace().nth(1).unwrap().to_owned();
    let o = as_(
        &lan,
        &[
            "cost",
            "--body",
            "Kính gửi {ten}: hãy ngủ màn.",
            "--list",
            &list,
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("On the list: 3 recipients"),
        "{}",
        stdout(&o)
    );
    // A bad brandname: the field is named and nothing is drafted.
    let draft = |brand: &str| {
        as_(
            &lan,
            &[
                "campaigns",
                "draft",
                "--name",
                "Thử CLI",
                "--topic",
                "dengue",
                "--brandname",
                brand,
                "--body",
                "Kính gửi {ten}: hãy ngủ màn.",
                "--list",
                &list,
            ],
        )
    };
    let o = draft("Sở Y tế");
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("brandname:"), "{}", stderr(&o));
    let o = draft("SoTTTT-HN");
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("Plan: 3 recipients"), "{out}");
    assert!(out.contains("Steps you may take: submit, cancel"), "{out}");
    let id = out.split_whitespace().nth(1).unwrap().to_owned();
    let o = as_(&lan, &["campaigns", "submit", &id]);
    assert!(o.status.success(), "{}", stderr(&o));
    // The author cannot approve; the approver can, typing the name.
    let o = as_(&lan, &["approve", &id, "--confirm", "Thử CLI"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("403"), "{}", stderr(&o));
    let o = as_(&hung, &["approve", &id, "--confirm", "Thử CLI"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = as_(&hung, &["status", &id, "--follow"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o)
            .contains("sent: 3 recipients, 2 delivered, 0 awaiting a receipt, 0 queued, 1 failed"),
        "{}",
        stdout(&o)
    );
    let o = as_(&hung, &["deliveries", &id]);
    let csv = stdout(&o);
    assert_eq!(csv.lines().count(), 4, "{csv}");
    assert!(csv.contains(",0903456787,mobifone,,failed,"), "{csv}");
    // The campaign list a page at a time: searched, by state, with the rows shown.
    let o = as_(
        &hung,
        &["campaigns", "--search", "thử cli", "--status", "sent"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("Thử CLI") && stdout(&o).contains("rows 1-1 of 1"),
        "{}",
        stdout(&o)
    );
    let o = as_(&hung, &["campaigns", "--status", "gửi rồi"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("gửi rồi"), "{}", stderr(&o));
    let o = as_("not-a-token", &["lists"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("401"), "{}", stderr(&o));
    let o = lantoa(dir)
        .args(["notify", "--server", &server, "lists"])
        .output()
        .unwrap();
    assert!(stderr(&o).contains("no API token"), "{}", stderr(&o));
}

/// `lantoa reports` against the demo server at `addr`: a planner starts a quarter's report,
/// writes a text and a target, submits it; another person approves it; the final DOCX is
/// written.
fn reports_through_the_cli(dir: &Path, addr: &str) {
    let kh = user_with_token(dir, "kehoach", "planner");
    let duyet = user_with_token(dir, "duyet", "approver");
    let server = format!("http://{addr}");
    let as_ = |token: &str, args: &[&str]| {
        lantoa(dir)
            .args(["reports", "--server", &server, "--token", token])
            .args(args)
            .output()
            .unwrap()
    };
    let create = |n: &str| {
        as_(
            &kh,
            &[
                "create",
                "--frequency",
                "quarterly",
                "--year",
                "2026",
                "--n",
                n,
            ],
        )
    };
    let o = create("5");
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("n:"), "{}", stderr(&o));
    let o = create("1");
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("Quý I/2026 · draft"), "{out}");
    let id = out
        .split_whitespace()
        .find_map(|w| w.strip_prefix('#'))
        .unwrap()
        .to_owned();
    let o = as_(&kh, &["show", &id]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("Steps you may take: submit"),
        "{}",
        stdout(&o)
    );
    let o = as_(
        &kh,
        &[
            "text",
            &id,
            "--section",
            "shortcomings",
            "--body",
            "Bản một.",
        ],
    );
    assert!(stdout(&o).contains("version 1 saved"), "{}", stderr(&o));
    let o = as_(&kh, &["targets", &id, "khong.co=3"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("khong.co"), "{}", stderr(&o));
    let o = as_(&kh, &["targets", &id, "mot-so"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let o = as_(&kh, &["step", &id, "submit"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = as_(&kh, &["step", &id, "approve"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("409"), "{}", stderr(&o));
    let o = as_(&duyet, &["step", &id, "approve"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("approved"), "{}", stdout(&o));
    let docx = dir.join("bao-cao.docx");
    let o = as_(
        &duyet,
        &[
            "download",
            &id,
            "--final",
            "--output",
            docx.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(std::fs::read(&docx).unwrap().starts_with(b"PK"));
}

#[test]
fn workers_refuse_unknown_roles() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(dir.path(), &["worker", "--role", "crawl-everything"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("unknown worker role \"crawl-everything\"; roles are: housekeeping"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn the_dispatcher_refuses_a_bad_smsc_entry_before_it_binds() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let smsc = |extra: &str| {
        format!(
            "[[notify.smsc]]\nname = \"vt-1\"\nhost = \"127.0.0.1\"\nport = 9\nsystem_id = \"lantoa\"\n{extra}\n"
        )
    };
    for (config, says) in [
        (String::new(), "at least one [[notify.smsc]]"),
        (
            smsc("password = \"secret\"\noperators = [\"vietel\"]"),
            "SMSC vt-1: operator \"vietel\" is not in the numbering plan; operators are viettel",
        ),
        (
            smsc("password = \"much-too-long\"\noperators = [\"viettel\"]"),
            "SMSC vt-1: password must be at most 8 characters",
        ),
        (
            smsc("password = \"secret\"\noperators = [\"viettel\"]\ntps = 0"),
            "binds, tps and max_window must be above 0",
        ),
        (smsc("password = \"secret\""), "missing field `operators`"),
    ] {
        std::fs::write(d.join("lantoa.toml"), &config).unwrap();
        let o = run(d, &["worker", "--role", "dispatch"]);
        assert_eq!(o.status.code(), Some(1), "{config}");
        assert!(stderr(&o).contains(says), "{config}\n{}", stderr(&o));
    }
}

#[test]
fn the_case_workflow_comes_from_the_configuration_and_a_bad_one_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // The shipped workflow: no cases yet; a state it does not have is refused by name.
    let o = run(d, &["watch", "cases"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o).trim(), "0 cases.");
    let o = run(d, &["watch", "cases", "--state", "dong"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("states are phat_hien, xem_xet"),
        "{}",
        stderr(&o)
    );
    // A workflow of one's own is read from watch.cases; a broken one names the file and why.
    std::fs::write(
        d.join("cases.toml"),
        "[[state]]\nid = \"mo\"\ndays = 2\n[[state]]\nid = \"xong\"\nclosed = true\n[[transition]]\nfrom = \"mo\"\nto = [\"xong\"]\nroles = [\"watch_officer\"]\n",
    )
    .unwrap();
    std::fs::write(d.join("lantoa.toml"), "[watch]\ncases = \"cases.toml\"\n").unwrap();
    let o = run(d, &["watch", "cases", "--state", "xong", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o).trim(), "[]");
    std::fs::write(
        d.join("cases.toml"),
        "[[state]]\nid = \"mo\"\n[[transition]]\nfrom = \"mo\"\nto = [\"dong\"]\nroles = []\n",
    )
    .unwrap();
    let o = run(d, &["watch", "cases"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("cases.toml") && stderr(&o).contains("no closed state"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn watch_subjects_import_reports_bad_rows_with_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("ds.csv"),
        "Loại,Tên,URL\nwebsite,Tin tức Phố Cổ,https://tintuc-phoco.example\nwebsite,Lỗi,ftp://x.example\n",
    )
    .unwrap();
    let o = run(d, &["watch", "subjects", "import", "ds.csv"]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("ds.csv:3: url: "), "{out}");
    assert!(
        out.contains("ds.csv: 1 added, 0 already registered, 1 refused."),
        "{out}"
    );
    let list = stdout(&run(d, &["watch", "subjects", "list", "--kind", "website"]));
    assert!(
        list.contains("https://tintuc-phoco.example/") && list.contains("Tin tức Phố Cổ"),
        "{list}"
    );
    let o = run(d, &["watch", "subjects", "import", "missing.csv"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("cannot read missing.csv"),
        "{}",
        stderr(&o)
    );
}

/// A one-page site on loopback: every request gets the same page.
fn tiny_site(page: &'static str) -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut buf = [0u8; 4096];
            let n = stream.read(&mut buf).unwrap_or(0);
            let req = String::from_utf8_lossy(&buf[..n]);
            let (status, body) = if req.starts_with("GET / ") {
                ("200 OK", page)
            } else {
                ("404 Not Found", "")
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    port
}

const GAMBLING_PAGE: &str = "<html><head><title>Giải trí</title></head><body><div class=\"content\"><p>Soi kèo cuối tuần: nhà cái uy tín tặng thưởng nạp đầu, tỷ lệ cược hấp dẫn cho mọi trận đấu.</p></div></body></html>";

#[test]
fn watch_crawl_once_then_findings_and_extract() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("page.html"), GAMBLING_PAGE).unwrap();
    let o = run(d, &["watch", "extract", "page.html"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).starts_with("Soi kèo cuối tuần"),
        "{}",
        stdout(&o)
    );
    let o = run(
        d,
        &[
            "watch",
            "extract",
            "page.html",
            "--json",
            "--url",
            "http://a.example/x",
        ],
    );
    let x: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(x["title"], "Giải trí");
    // A reader that stops early (`| head -c 10`) ends the output quietly: no panic.
    let long = format!(
        "<html><body><article>{}</article></body></html>",
        "<p>Người dân phản ánh, chính quyền tiếp nhận và trả lời trong thời hạn quy định.</p>"
            .repeat(20_000)
    );
    std::fs::write(d.join("long.html"), long).unwrap();
    let o = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "'{}' watch extract long.html | head -c 10 >/dev/null",
            env!("CARGO_BIN_EXE_lantoa")
        ))
        .current_dir(d)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
    assert!(!stderr(&o).contains("Broken pipe"), "{}", stderr(&o));
    let o = run(d, &["watch", "extract", "page.html", "--url", "not a url"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("--url is not an absolute address"),
        "{}",
        stderr(&o)
    );

    let port = tiny_site(GAMBLING_PAGE);
    std::fs::write(
        d.join("ds.csv"),
        format!("Loại,Tên,URL\nwebsite,Trang cá cược,http://127.0.0.1:{port}/\n"),
    )
    .unwrap();
    std::fs::write(d.join("lantoa.toml"), "[watch]\ndelay_ms = 0\n").unwrap();
    assert!(
        run(d, &["watch", "subjects", "import", "ds.csv"])
            .status
            .success()
    );
    // Loopback is refused unless allowed: the page is recorded as not fetched, the command
    // says why and fails.
    let o = run(d, &["watch", "crawl", "--once"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stdout(&o).contains("0 pages fetched"), "{}", stdout(&o));
    assert!(
        stderr(&o).contains(&format!("nothing fetched from http://127.0.0.1:{port}/")),
        "{}",
        stderr(&o)
    );
    let o = lantoa(d)
        .args(["watch", "crawl", "--once"])
        .env("LANTOA_WATCH_ALLOW_PRIVATE", "true")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("crawl 2: Trang cá cược"), "{out}");
    assert!(
        out.contains("2 pages fetched"),
        "robots.txt and the page: {out}"
    );
    let o = run(d, &["watch", "findings"]);
    let out = stdout(&o);
    assert!(out.contains("ads.gambling"), "{out}");
    assert!(out.contains("nhà cái"), "{out}");
    let o = run(d, &["watch", "findings", "--json", "--status", "open"]);
    let f: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert!(
        f.as_array()
            .unwrap()
            .iter()
            .all(|x| x["warc_sha256"].as_str().is_some_and(|s| s.len() == 64))
    );
    let o = run(d, &["watch", "findings", "--status", "later"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("\"later\" is not a finding's status"),
        "{}",
        stderr(&o)
    );
    // Without --once the crawl is queued for workers.
    let o = run(d, &["watch", "crawl", "--subject", "1"]);
    assert!(
        stdout(&o).contains("crawl 3 queued for Trang cá cược"),
        "{}",
        stdout(&o)
    );
    let o = run(d, &["watch", "crawl", "--subject", "99"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("No subject 99"), "{}", stderr(&o));
}

/// Stops a child process when dropped.
struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn opendata_upload_is_followed_to_its_end_and_agencies_are_set_by_code() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let o = run(d, &["demo"]);
    assert!(o.status.success(), "{}", stderr(&o));
    // `lantoa demo` loads the year 2023 of enforcement too, crawled from the demo web.
    assert!(
        stdout(&o).contains("Demo year 2023:") && stdout(&o).contains(" cases, "),
        "{}",
        stdout(&o)
    );
    let list = stdout(&run(d, &["opendata", "datasets"]));
    assert!(
        list.contains("ca-sot-xuat-huyet-theo-tuan") && list.contains("diem-wifi-cong-cong"),
        "{list}"
    );
    // A worker reads the demo's queued files and then ours.
    let _worker = Child(
        lantoa(d)
            .args(["worker", "--role", "opendata"])
            .stdout(Stdio::null())
            .spawn()
            .unwrap(),
    );
    std::fs::write(
        d.join("tuan-40.csv"),
        "nam;tuan;phuong_xa;so_ca\n2026;40;Phường Hoàn Kiếm;3\n2026;40;Phường Ba Đình;-2\n2026;40;Phường Phúc Xá;1\n",
    )
    .unwrap();
    let o = run(
        d,
        &[
            "opendata",
            "upload",
            "ca-sot-xuat-huyet-theo-tuan",
            "tuan-40.csv",
        ],
    );
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{out}{}", stderr(&o));
    assert!(out.contains("queued"), "{out}");
    assert!(
        out.contains("done — 3 rows read, 2 published, 1 quarantined, 0 repeats dropped"),
        "{out}"
    );
    let history = stdout(&run(
        d,
        &["opendata", "uploads", "ca-sot-xuat-huyet-theo-tuan"],
    ));
    assert!(
        // Version 1 is the demo's 2023 file, 2 its current one.
        history.contains("tuan-40.csv") && history.contains("version 3"),
        "{history}"
    );
    // With --json standard output is the JSON report alone (the "queued" line goes to
    // standard error), waited for or not.
    for extra in [None, Some("--no-wait")] {
        let mut args = vec![
            "opendata",
            "upload",
            "ca-sot-xuat-huyet-theo-tuan",
            "tuan-40.csv",
            "--json",
        ];
        args.extend(extra);
        let o = run(d, &args);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let report: serde_json::Value =
            serde_json::from_str(&stdout(&o)).unwrap_or_else(|e| panic!("{e}: {:?}", stdout(&o)));
        assert_eq!(report["file_name"], "tuan-40.csv", "{report}");
        assert!(stderr(&o).contains("queued"), "{}", stderr(&o));
    }
    // The quarantined row (a count of -2) is fixed by its field's name; a field the schema
    // lacks is named and changes nothing.
    let o = run(
        d,
        &[
            "opendata",
            "quarantine",
            "ca-sot-xuat-huyet-theo-tuan",
            "--limit",
            "1000",
            "--json",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let q: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let row = q["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["cells"][2] == "Phường Ba Đình" && r["cells"][3] == "-2")
        .unwrap_or_else(|| panic!("{q}"))["id"]
        .to_string();
    let listed = stdout(&run(
        d,
        &["opendata", "quarantine", "ca-sot-xuat-huyet-theo-tuan"],
    ));
    assert!(
        listed.contains(&format!("#{row} ")) && listed.contains("so_ca:"),
        "{listed}"
    );
    let o = run(d, &["opendata", "fix", &row, "khong_co=1"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("khong_co"), "{}", stderr(&o));
    let o = run(d, &["opendata", "fix", &row, "so_ca=-3"]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(stdout(&o).contains("still fails"), "{}", stdout(&o));
    let o = run(d, &["opendata", "fix", &row, "so_ca=2"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("published"), "{}", stdout(&o));
    plans_verbs_on_the_demo_plan(d);
    // Bad input: each says what is wrong.
    let o = run(d, &["opendata", "upload", "khong-co", "tuan-40.csv"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("khong-co"), "{}", stderr(&o));
    let o = run(
        d,
        &[
            "opendata",
            "upload",
            "ca-sot-xuat-huyet-theo-tuan",
            "missing.csv",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("cannot open missing.csv"),
        "{}",
        stderr(&o)
    );
    std::fs::write(d.join("empty.csv"), "").unwrap();
    let o = run(
        d,
        &[
            "opendata",
            "upload",
            "ca-sot-xuat-huyet-theo-tuan",
            "empty.csv",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("The file is empty"), "{}", stderr(&o));
    // Agency uploaders are tied to their agency by its code.
    let o = run(
        d,
        &[
            "user",
            "add",
            "thu",
            "--name",
            "Lê Thu",
            "--role",
            "agency_uploader",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(d, &["user", "agency", "thu", "syt-hn"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("thu now uploads for"), "{}", stdout(&o));
    let o = run(d, &["user", "agency", "thu", "KHONG-CO"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("no agency with code KHONG-CO"),
        "{}",
        stderr(&o)
    );
    let o = run(d, &["user", "agency", "thu", "--none"]);
    assert!(
        stdout(&o).contains("thu is tied to no agency"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn dossier_verify_passes_a_good_dossier_and_names_each_altered_file() {
    let dir = tempfile::tempdir().unwrap();
    let files = vec![
        ("findings.json".to_owned(), b"[]".to_vec()),
        ("warc/page-1.warc".to_owned(), b"WARC/1.1\r\n".to_vec()),
    ];
    let good = lantoa_watch::dossier::pack(&files).unwrap();
    std::fs::write(dir.path().join("good.zip"), &good).unwrap();
    let o = run(dir.path(), &["watch", "dossier", "verify", "good.zip"]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("OK: 2 files match"), "{}", stdout(&o));
    assert!(
        stdout(&o).contains("Signature not checked"),
        "{}",
        stdout(&o)
    );
    // With the department's records at hand, a dossier it did not sign, of no case, fails.
    let o = run(
        dir.path(),
        &[
            "--data-dir",
            "data",
            "watch",
            "dossier",
            "verify",
            "good.zip",
        ],
    );
    assert!(!o.status.success(), "{}", stdout(&o));
    assert!(
        stderr(&o).contains("case.json does not name the case"),
        "{}",
        stderr(&o)
    );

    // The same archive with one byte of a stored file flipped (the entry is stored, not
    // compressed, so the byte is found as written).
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let mut a = zip::ZipArchive::new(std::io::Cursor::new(&good)).unwrap();
    for i in 0..a.len() {
        let mut e = a.by_index(i).unwrap();
        let name = e.name().unwrap().into_owned();
        let mut b = Vec::new();
        e.read_to_end(&mut b).unwrap();
        if name == "warc/page-1.warc" {
            b[0] = b'X';
        }
        out.start_file(name, stored).unwrap();
        out.write_all(&b).unwrap();
    }
    std::fs::write(
        dir.path().join("bad.zip"),
        out.finish().unwrap().into_inner(),
    )
    .unwrap();
    let o = run(dir.path(), &["watch", "dossier", "verify", "bad.zip"]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(
        stdout(&o).contains("ALTERED: warc/page-1.warc"),
        "{}",
        stdout(&o)
    );
    assert!(
        !stdout(&o).contains("ALTERED: findings.json"),
        "{}",
        stdout(&o)
    );
    assert!(stdout(&o).contains("FAILED: 1 altered"), "{}", stdout(&o));

    // Not a dossier at all: the file is named.
    std::fs::write(dir.path().join("note.txt"), "hello").unwrap();
    let o = run(dir.path(), &["watch", "dossier", "verify", "note.txt"]);
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("note.txt is not a dossier"),
        "{}",
        stderr(&o)
    );
}

/// `lantoa plans` on the demo's plan: its counts, a page of tasks, a progress report (a
/// percent over 100 named, nothing kept), its indicators.
fn plans_verbs_on_the_demo_plan(d: &Path) {
    let list = stdout(&run(d, &["plans", "list"]));
    let plan = list
        .split_whitespace()
        .find_map(|w| w.strip_prefix('#'))
        .unwrap_or_else(|| panic!("{list}"))
        .to_owned();
    let o = run(d, &["plans", "show", &plan, "--on", "31/12/2024"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("On 31/12/2024: "), "{}", stdout(&o));
    let o = run(d, &["plans", "show", &plan, "--on", "mai"]);
    assert!(
        stderr(&o).contains("--on mai: not a date"),
        "{}",
        stderr(&o)
    );
    let o = run(d, &["plans", "tasks", &plan, "--json"]);
    let tasks: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let task = tasks
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["task"]["section"] == false)
        .unwrap()["task"]["id"]
        .to_string();
    let report = |percent: &str| {
        run(
            d,
            &[
                "plans",
                "report",
                &task,
                "--status",
                "in_progress",
                "--percent",
                percent,
                "--body",
                "Đang triển khai",
            ],
        )
    };
    let o = report("120");
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("percent"), "{}", stderr(&o));
    let o = report("60");
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("in_progress 60%"), "{}", stdout(&o));
    let page = stdout(&run(d, &["plans", "tasks", &plan, "--limit", "100"]));
    assert!(page.contains("in_progress 60%"), "{page}");
    let o = run(d, &["plans", "indicators", &plan, "--year", "2024"]);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn plans_are_registered_and_their_appendix_imported_or_refused_by_row() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(
        dir.path(),
        &[
            "plans",
            "create",
            "--number",
            "239/KH-UBND",
            "--date",
            "27/09/2023",
            "--title",
            "Chuyển đổi số",
            "--from",
            "2023",
            "--to",
            "2025",
        ],
    );
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("Plan 1 registered: 239/KH-UBND (2023–2025)."));
    let again = run(
        dir.path(),
        &[
            "plans",
            "create",
            "--number",
            "239/KH-UBND",
            "--date",
            "27/09/2023",
            "--title",
            "x",
            "--from",
            "2023",
            "--to",
            "2025",
        ],
    );
    assert!(!again.status.success());
    assert!(
        stderr(&again).contains("already registered"),
        "{}",
        stderr(&again)
    );

    std::fs::write(
        dir.path().join("bad.csv"),
        "STT,Nhiệm vụ,Đơn vị chủ trì,Thời gian hoàn thành\nI,Chính quyền số,,\n1,Kho dữ liệu,Sở Không Có,Quý II/2024\n",
    )
    .unwrap();
    let o = run(dir.path(), &["plans", "import", "1", "bad.csv", "--store"]);
    assert_eq!(o.status.code(), Some(3), "{}{}", stdout(&o), stderr(&o));
    assert!(
        stdout(&o)
            .contains("line 3 (I.1): Đơn vị chủ trì: \"Sở Không Có\" is not a registered unit"),
        "{}",
        stdout(&o)
    );
    assert!(stdout(&o).contains("nothing stored"), "{}", stdout(&o));

    std::fs::write(
        dir.path().join("sections.csv"),
        "STT,Nhiệm vụ,Đơn vị chủ trì,Thời gian hoàn thành\nI,Chính quyền số,,\nII,Kinh tế số,,\n",
    )
    .unwrap();
    let o = run(dir.path(), &["plans", "import", "1", "sections.csv"]);
    assert!(o.status.success(), "{}", stdout(&o));
    assert!(
        stdout(&o).contains("2 new, 0 updated, 0 unchanged, 0 refused; a preview"),
        "{}",
        stdout(&o)
    );
    let o = run(
        dir.path(),
        &["plans", "import", "1", "sections.csv", "--store"],
    );
    assert!(stdout(&o).contains("stored."), "{}", stdout(&o));
    let o = run(dir.path(), &["plans", "list"]);
    assert!(
        stdout(&o).contains("#1 239/KH-UBND ngày 27/09/2023 · Chuyển đổi số · 2023–2025 · 2 tasks"),
        "{}",
        stdout(&o)
    );
    // Sections only: nobody to remind; a date that is no date is named.
    let o = run(dir.path(), &["plans", "reminders", "--date", "25/06/2024"]);
    assert!(
        stdout(&o).contains("0 units to remind on 25/06/2024."),
        "{}{}",
        stdout(&o),
        stderr(&o)
    );
    let o = run(dir.path(), &["plans", "reminders", "--date", "mai"]);
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("--date mai: not a date"),
        "{}",
        stderr(&o)
    );
}
