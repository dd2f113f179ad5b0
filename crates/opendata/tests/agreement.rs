//! Lantoa and frictionless-py find the same errors in the same file against the same schema.
//!
//! Needs `python3` with `frictionless` (pip), which `cargo xtask test` installs before it runs
//! this test with `--ignored`; under a plain `cargo test` it is listed as ignored, never passed.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers: a panic is the failure report

use std::collections::BTreeSet;
use std::path::Path;

use lantoa_core::phone::NumberingPlan;
use lantoa_opendata::admin::AdminMap;
use lantoa_opendata::check::{Checker, Verdict};
use lantoa_opendata::ingest::Ingest;
use lantoa_opendata::schema::Schema;

type Found = BTreeSet<(u64, Option<String>, String)>;

fn ours(csv: &Path, schema: &Path) -> Found {
    let schema = Schema::from_json(&std::fs::read_to_string(schema).unwrap()).unwrap();
    let admin = AdminMap::hanoi().unwrap();
    let plan = NumberingPlan::builtin();
    let mut checker = Checker::new(&schema, &admin, &plan);
    let mut ingest = Ingest::csv(std::fs::File::open(csv).unwrap(), &schema).unwrap();
    let mut found = Found::new();
    while let Some(row) = ingest.next(&mut checker) {
        let row = row.unwrap();
        if let Verdict::Dirty(errors) = row.verdict {
            for e in errors {
                found.insert((row.number, e.field, e.error_type.as_str().to_owned()));
            }
        }
    }
    found
}

fn frictionless(csv: &Path, schema: &Path) -> Found {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let out = std::process::Command::new("python3")
        .arg(root.join("xtask/bench/opendata_peer.py"))
        .arg("errors")
        .arg(csv)
        .arg(schema)
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "frictionless failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            let field = v["field"]
                .as_str()
                .filter(|f| !f.is_empty())
                .map(str::to_owned);
            (
                v["row"].as_u64().unwrap(),
                field,
                v["type"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
#[ignore = "needs frictionless (pip); cargo xtask test installs it and runs this"]
fn lantoa_and_frictionless_find_the_same_errors() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let csv = dir.join("agreement.csv");
    let schema = dir.join("agreement-schema.json");
    let ours = ours(&csv, &schema);
    let mut theirs = frictionless(&csv, &schema);
    // frictionless also reports a blank row's empty key as a primary-key error; Lantoa reports
    // the blank row once. That is the only difference allowed.
    let blank: Vec<u64> = theirs
        .iter()
        .filter(|(_, _, t)| t == "blank-row")
        .map(|(n, _, _)| *n)
        .collect();
    for n in blank {
        theirs.remove(&(n, None, "primary-key".to_owned()));
    }
    assert!(
        ours.len() >= 15,
        "the fixture has an error of every kind: {ours:#?}"
    );
    assert_eq!(
        ours,
        theirs,
        "only Lantoa: {:#?}\nonly frictionless: {:#?}",
        ours.difference(&theirs).collect::<Vec<_>>(),
        theirs.difference(&ours).collect::<Vec<_>>()
    );
}
