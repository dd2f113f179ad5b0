use super::*;
use std::collections::BTreeSet;

fn ids(lang: &str) -> BTreeSet<String> {
    lantoa_web::i18n::all_ids()[lang].iter().cloned().collect()
}

#[test]
fn both_languages_define_the_same_messages() {
    let vi = ids("vi");
    let en = ids("en");
    assert!(vi.len() > 100);
    // The console's and the domain's catalogues share one namespace: no id twice.
    let all = lantoa_web::i18n::all_ids();
    assert_eq!(all["vi"].len(), vi.len(), "an id repeats in vi");
    assert_eq!(all["en"].len(), en.len(), "an id repeats in en");
    assert_eq!(
        vi.difference(&en).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "missing in en.ftl"
    );
    assert_eq!(
        en.difference(&vi).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "missing in vi.ftl"
    );
}

/// Every action the modules write to the audit log has a name in both languages (the audit
/// page shows it, with the code as the tooltip): the actions are read from the code, each
/// `Entry::new(actor, "module.action", …)`, and those passed by a variable are listed.
#[test]
fn every_audited_action_has_a_name() {
    fn sources(dir: &std::path::Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                sources(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.extend(std::fs::read_to_string(&path));
            }
        }
    }
    let crates = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap();
    let mut texts = Vec::new();
    for krate in std::fs::read_dir(crates).unwrap() {
        let src = krate.unwrap().path().join("src");
        if src.is_dir() {
            sources(&src, &mut texts);
        }
    }
    let mut actions: BTreeSet<String> = [
        "accounts.user_disabled",
        "accounts.user_enabled",
        "accounts.password_changed",
        "accounts.password_set",
        "accounts.one_time_password_issued",
        "notify.alert_approved",
        "notify.alert_refused",
        "notify.campaign_submitted",
        "notify.campaign_approved",
        "notify.campaign_sent_back",
        "notify.campaign_cancelled",
        "opendata.dataset_created",
        "opendata.group_created",
        "reports.submitted",
        "reports.sent_back",
        "reports.approved",
        "reports.reopened",
    ]
    .into_iter()
    .map(str::to_owned)
    .collect();
    for text in &texts {
        for part in text.split("Entry::new(").skip(1) {
            // The second argument, when it is a literal.
            let after_actor = part.split_once(',').map(|(_, rest)| rest.trim_start());
            if let Some(rest) = after_actor.and_then(|r| r.strip_prefix('"'))
                && let Some((action, _)) = rest.split_once('"')
                && action.contains('.')
            {
                actions.insert(action.to_owned());
            }
        }
    }
    assert!(actions.len() > 50, "only {} actions found", actions.len());
    let vi = ids("vi");
    let en = ids("en");
    let missing: Vec<&String> = actions
        .iter()
        .filter(|a| {
            let id = format!("audit-act-{}", a.replace('.', "-"));
            !vi.contains(&id) || !en.contains(&id)
        })
        .collect();
    assert!(missing.is_empty(), "actions without a name: {missing:?}");
}

#[test]
fn no_vietnamese_console_message_says_english_words() {
    let vi = lantoa_web::i18n::all_ids()["vi"].clone();
    let mut found = Vec::new();
    for id in &vi {
        // Arguments as neutral placeholders: what people typed is not the catalogue's text.
        let names: Vec<String> = [lantoa_web::i18n::VI, lantoa_core::msg::VI]
            .iter()
            .flat_map(|source| lantoa_core::msg::variables(source, id))
            .collect();
        let args: Vec<(&str, String)> = names
            .iter()
            .map(|a| (a.as_str(), "X1".to_owned()))
            .collect();
        let text = lantoa_web::i18n::tr(lantoa_web::i18n::Lang::Vi, id, &args);
        let english = lantoa_core::msg::english_words(&text);
        if !english.is_empty() {
            found.push(format!("{id}: {text} {english:?}"));
        }
    }
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn every_message_the_console_uses_exists() {
    let vi = ids("vi");
    let mut used: BTreeSet<String> = BTreeSet::new();
    for (_, src) in lantoa_web::TEMPLATES {
        for quote in ['"', '\''] {
            let pat = format!("t({quote}");
            for part in src.split(&pat).skip(1) {
                let key = part.split(quote).next().unwrap();
                if !key.ends_with('-') {
                    used.insert(key.to_owned());
                }
            }
        }
    }
    for m in lantoa_web::MODULES {
        used.insert(format!("module-{m}"));
        used.insert(format!("module-{m}-what"));
    }
    for k in lantoa_core::unit::UnitKind::ALL {
        used.insert(format!("kind-{}", k.as_str()));
    }
    for r in Role::ALL {
        used.insert(format!("role-{}", r.as_str()));
    }
    for k in lantoa_watch::SubjectKind::ALL {
        used.insert(format!("subject-{}", k.as_str()));
    }
    for s in ["created", "already_registered", "rejected"] {
        used.insert(format!("import-{s}"));
    }
    for c in lantoa_watch::signals::Category::ALL {
        used.insert(format!("category-{}", c.as_str()));
    }
    // CAP's words, shown in the reader's language wherever an alert is.
    {
        use lantoa_notify::cap::{Category, Certainty, MsgType, Severity, Status, Urgency};
        let families: [(&str, Vec<&str>); 6] = [
            ("status", Status::ALL.iter().map(|v| v.as_str()).collect()),
            ("msgtype", MsgType::ALL.iter().map(|v| v.as_str()).collect()),
            (
                "category",
                Category::ALL.iter().map(|v| v.as_str()).collect(),
            ),
            ("urgency", Urgency::ALL.iter().map(|v| v.as_str()).collect()),
            (
                "severity",
                Severity::ALL.iter().map(|v| v.as_str()).collect(),
            ),
            (
                "certainty",
                Certainty::ALL.iter().map(|v| v.as_str()).collect(),
            ),
        ];
        for (family, words) in families {
            for w in words {
                used.insert(format!("cap-{family}-{w}"));
            }
        }
    }
    for s in ["queued", "running", "done", "failed"] {
        used.insert(format!("crawl-{s}"));
    }
    for s in ["open", "confirmed", "dismissed"] {
        used.insert(format!("finding-{s}"));
    }
    for f in [
        "invalid_url",
        "forbidden",
        "unreachable",
        "timeout",
        "too_many_redirects",
        "redirect_loop",
        "robots_disallow",
        "body",
        "truncated",
        "not_html",
        "no_text",
    ] {
        used.insert(format!("failure-{f}"));
    }
    for c in [
        "daily",
        "weekly",
        "monthly",
        "quarterly",
        "yearly",
        "irregular",
    ] {
        used.insert(format!("cadence-{c}"));
    }
    for c in ["open", "deidentified", "restricted"] {
        used.insert(format!("sensitivity-{c}"));
    }
    // The kinds of problem in a row (every ErrorType) and in a file.
    for p in [
        "type-error",
        "constraint-error",
        "unique-error",
        "missing-cell",
        "extra-cell",
        "blank-row",
        "primary-key",
        "row-constraint",
        "encoding-error",
        "ambiguous-admin-mapping",
        "k-anonymity",
        "missing-label",
        "blank-label",
        "duplicate-label",
        "extra-label",
        "source-error",
        "personal-data",
    ] {
        used.insert(format!("problem-{p}"));
    }
    for c in ["queued", "running", "done", "refused", "failed"] {
        used.insert(format!("upload-{c}"));
    }
    for l in ["strict", "hint"] {
        used.insert(format!("od-suggest-{l}"));
    }
    for f in [
        "dataset-created",
        "uploaded",
        "row-published",
        "row-still-dirty",
    ] {
        used.insert(format!("flash-{f}"));
    }
    used.insert("flash-reviewed".to_owned());
    used.insert("flash-trained".to_owned());
    for s in ["active", "merged", "abolished"] {
        used.insert(format!("status-{s}"));
    }
    // Facts the registry stores for the shipped units (communes' data file, demo city).
    for a in [
        "type",
        "province_code",
        "lat",
        "lon",
        "area_km2",
        "address",
        "phone",
        "email",
        "position",
    ] {
        used.insert(format!("attr-{a}"));
    }
    for c in ["created", "renamed", "updated", "merged", "abolished"] {
        used.insert(format!("change-{c}"));
    }
    for row in lantoa_core::error_code::ALL {
        used.insert(format!("err-title-{}", row.status));
    }
    // Message ids named in the web crate's code.
    let code = [
        include_str!("../../src/error.rs"),
        include_str!("../../src/pages/auth.rs"),
        include_str!("../../src/pages/units.rs"),
        include_str!("../../src/pages/home.rs"),
        include_str!("../../src/api/v1.rs"),
        include_str!("../../src/pages/watch.rs"),
    ];
    for src in code {
        for prefix in ["\"err-", "\"flash-"] {
            for part in src.split(prefix).skip(1) {
                let rest: String = part
                    .chars()
                    .take_while(|c| c.is_ascii_lowercase() || *c == '-')
                    .collect();
                if !rest.is_empty() && !rest.ends_with('-') {
                    used.insert(format!("{}{rest}", &prefix[1..]));
                }
            }
        }
    }
    let missing: Vec<_> = used.difference(&vi).collect();
    assert!(
        missing.is_empty(),
        "messages used but not defined: {missing:?}"
    );
}
