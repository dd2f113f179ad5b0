//! The labels the watch module's messages name at run time (a workflow's step, what a step
//! records, a category, a document kind, a sanction's or a document's field) are in both domain
//! catalogues for every value they can take, so that an official never reads a raw code.

use lantoa_core::msg::{EN, Lang, VI, domain, english_words, ids};
use lantoa_watch::cases::CATEGORIES;
use lantoa_watch::{CaseRules, DocumentKind};

fn assert_label(id: &str) {
    for (lang, source) in [(Lang::Vi, VI), (Lang::En, EN)] {
        assert!(
            ids(source).iter().any(|i| i == id),
            "{id} is missing in {lang:?}"
        );
    }
    let vi = domain().tr(Lang::Vi, id, &[]);
    assert!(english_words(&vi).is_empty(), "{id}: {vi}");
}

#[test]
fn every_value_a_watch_message_names_has_its_label() {
    let rules = CaseRules::builtin().unwrap();
    let mut n = 0;
    for s in rules.states() {
        assert_label(&format!("case-state-{}", s.id));
        if let Some(r) = &s.requires {
            assert_label(&format!("case-requires-{r}"));
        }
        for d in &s.documents {
            assert_label(&format!("case-document-{d}"));
        }
        n += 1;
    }
    assert!(n >= 10, "the shipped workflow has {n} states");
    for c in CATEGORIES {
        assert_label(&format!("category-{c}"));
    }
    for k in DocumentKind::ALL {
        assert_label(&format!("case-document-{}", k.as_str()));
    }
    for f in ["decision_no", "decree", "article"] {
        assert_label(&format!("sanction-field-{f}"));
    }
    for f in ["meeting_at", "attendees", "unit_attendees", "conclusion"] {
        assert_label(&format!("document-field-{f}"));
    }
    for r in lantoa_core::Role::ALL {
        assert_label(&format!("role-{}", r.as_str()));
    }
}
