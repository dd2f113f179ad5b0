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
        vec!["user", "list", "--help"],
        vec!["token", "create", "--help"],
        vec!["audit", "verify", "--help"],
        vec!["demo", "--help"],
        vec!["watch", "subjects", "import", "--help"],
        vec!["watch", "subjects", "list", "--help"],
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

    let url = format!("sqlite://{}", d.join("lantoa-data/lantoa.db").display());
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
    let addr = addr.expect("the console address");
    let mut s = std::net::TcpStream::connect(&addr).unwrap();
    s.write_all(b"GET /readyz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
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
