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
    // Every signal that the fixtures are written to show is shown, found at least half the
    // time, and right at least nine times in ten when it fires.
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
        assert!(c.precision().unwrap_or(0.0) >= 0.9, "{id}: {c:?}");
    }
    // No signal fires where no page was written to show it.
    for (id, c) in &r.signals {
        if !labelled.contains(id) {
            assert_eq!(c.fp, 0, "{id} fired on pages not written to show it: {c:?}");
        }
    }
}

#[path = "layouts/mod.rs"]
mod layouts;

/// 320 pages of the layouts Vietnamese sites run on (news CMS, WordPress, Blogger, forum, shop,
/// ASP.NET portal, page builder, a short article under many comments), a third of them
/// 100–300 kB: no page comes out empty, and every layout is read well. The comparison with
/// trafilatura on the same pages is `cargo xtask bench watch`'s.
#[test]
fn real_world_layouts_are_read() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/pages");
    let sentences = layouts::sentences(&fixtures);
    assert!(sentences.len() >= 80, "{} sentences", sentences.len());
    let mut rng = layouts::Rng(0x5eed_1a70);
    let mut by: std::collections::BTreeMap<&str, (usize, f64)> = Default::default();
    let mut sizes = Vec::new();
    for k in 0..320 {
        let page = layouts::page(k, &sentences, &mut rng);
        sizes.push(page.html.len());
        let got = lantoa_watch::extract::extract(&page.html, None).main_text;
        assert!(
            !got.trim().is_empty(),
            "page {k} ({}) came out empty",
            page.layout
        );
        let f1 = quality::token_f1(&got, &page.expected).2;
        let e = by.entry(page.layout).or_default();
        e.0 += 1;
        e.1 += f1;
    }
    assert!(
        sizes.iter().filter(|&&s| s >= 100_000).count() >= 100,
        "real-size pages"
    );
    for (layout, (n, sum)) in &by {
        let mean = sum / *n as f64;
        println!("{layout:15} {n:3} pages  F1 {mean:.3}");
        assert!(mean >= 0.9, "{layout}: mean F1 {mean:.3}");
    }
}
