//! Quality of the analysis on the labelled fixture pages (tests/fixtures/pages, written by
//! make_pages.py): extraction F1 and each signal's precision and recall. The floors are
//! deterministic (same pages, same rules); the figures are reported by `cargo xtask bench watch`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers: a panic is the failure report

use std::path::Path;

use lantoa_watch::quality;
use lantoa_watch::signals::Rules;

#[test]
fn extraction_and_signals_meet_their_floors_on_the_labelled_pages() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/pages");
    let rules = Rules::builtin().unwrap();
    let r = quality::evaluate(&dir, &rules).unwrap();
    assert!(r.pages >= 50, "{} pages", r.pages);
    for (id, c) in &r.signals {
        println!(
            "{id:45} tp {:3} fp {:3} fn {:3}  P {:?}  R {:?}",
            c.tp,
            c.fp,
            c.fne,
            c.precision(),
            c.recall()
        );
    }
    for m in &r.mismatches {
        println!("{m:?}");
    }
    println!("mean extraction F1 {:.3}", r.mean_f1);
    for (f, f1) in r.f1.iter().filter(|(_, f1)| *f1 < 0.8) {
        println!("low F1 {f}: {f1:.3}");
    }
    assert!(r.mean_f1 >= 0.9, "mean extraction F1 {}", r.mean_f1);
    // Every signal that the fixtures are written to show is shown, and found at least half the time.
    let labelled: std::collections::BTreeSet<String> = quality::labels(&dir)
        .unwrap()
        .into_iter()
        .flat_map(|p| p.rules)
        .collect();
    assert!(labelled.len() >= 12, "{labelled:?}");
    for id in &labelled {
        let c = r
            .signals
            .get(id)
            .unwrap_or_else(|| panic!("label {id} is not a rule"));
        assert!(c.recall().unwrap() >= 0.5, "{id}: {c:?}");
        assert!(c.precision().unwrap_or(0.0) >= 0.5, "{id}: {c:?}");
    }
}
