//! Any page text through every shipped rule: evaluation never panics, and every hit's
//! evidence is non-empty (quoting cuts on character boundaries).
#![no_main]

use std::sync::OnceLock;

use lantoa_watch::SubjectKind;
use lantoa_watch::extract::extract;
use lantoa_watch::signals::{PageView, Rules, SubjectFacts};
use libfuzzer_sys::fuzz_target;

static RULES: OnceLock<Rules> = OnceLock::new();

fuzz_target!(|input: (&str, bool)| {
    let (html, home) = input;
    let rules = RULES.get_or_init(|| Rules::builtin().expect("shipped rules compile"));
    let x = extract(html, None);
    let view = PageView { url: "https://a.example/", home, extracted: &x, press_match: None, harm_probability: None };
    let facts = SubjectFacts { kind: SubjectKind::Website, host: "tin-a.example", is_press: false };
    for h in rules.evaluate(&facts, &view) {
        assert!(!h.evidence.is_empty(), "{}", h.rule);
    }
});
