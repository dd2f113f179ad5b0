//! Message catalogues (Fluent): `locales/vi.ftl` (the default) and `locales/en.ftl`.
//!
//! Every text the console shows comes from here; handlers and templates name messages by id.
//! A test checks that both catalogues define the same ids and that every id used in a
//! template or in code exists.

use std::collections::HashMap;
use std::sync::OnceLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

/// The Vietnamese catalogue.
pub const VI: &str = include_str!("../locales/vi.ftl");
/// The English catalogue.
pub const EN: &str = include_str!("../locales/en.ftl");

/// A console language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// Tiếng Việt (the default).
    #[default]
    Vi,
    /// English.
    En,
}

impl Lang {
    /// `vi` or `en`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }

    /// `en` gives English; anything else Vietnamese.
    pub fn from_code(code: &str) -> Self {
        if code.trim() == "en" {
            Lang::En
        } else {
            Lang::Vi
        }
    }
}

struct Catalogues {
    vi: FluentBundle<FluentResource>,
    en: FluentBundle<FluentResource>,
}

fn bundle(source: &str, lang: &str) -> FluentBundle<FluentResource> {
    let id = lang.parse().unwrap_or_default();
    let mut b = FluentBundle::new_concurrent(vec![id]);
    b.set_use_isolating(false);
    let res = match FluentResource::try_new(source.to_owned()) {
        Ok(r) => r,
        Err((r, errors)) => {
            tracing::error!(lang, ?errors, "message catalogue has syntax errors");
            r
        }
    };
    if let Err(errors) = b.add_resource(res) {
        tracing::error!(lang, ?errors, "message catalogue has duplicate ids");
    }
    b
}

fn catalogues() -> &'static Catalogues {
    static C: OnceLock<Catalogues> = OnceLock::new();
    C.get_or_init(|| Catalogues {
        vi: bundle(VI, "vi"),
        en: bundle(EN, "en"),
    })
}

/// The text of message `id` in `lang`, with `args` filled in. An unknown id returns the id
/// itself (and the catalogue test fails), so a page never breaks for a missing text.
pub fn tr(lang: Lang, id: &str, args: &[(&str, String)]) -> String {
    let c = catalogues();
    let b = match lang {
        Lang::Vi => &c.vi,
        Lang::En => &c.en,
    };
    let Some(pattern) = b.get_message(id).and_then(|m| m.value()) else {
        tracing::warn!(id, lang = lang.code(), "missing message");
        return id.to_owned();
    };
    let mut fargs = FluentArgs::new();
    for (k, v) in args {
        match v.parse::<i64>() {
            Ok(n) => fargs.set(*k, FluentValue::from(n)),
            Err(_) => fargs.set(*k, FluentValue::from(v.clone())),
        }
    }
    let mut errors = vec![];
    b.format_pattern(pattern, Some(&fargs), &mut errors)
        .into_owned()
}

/// Whether message `id` exists (in Vietnamese, which has every id the English has).
pub fn has(id: &str) -> bool {
    catalogues().vi.has_message(id)
}

/// The ids a catalogue source defines.
pub fn ids(source: &str) -> Vec<String> {
    let res = match FluentResource::try_new(source.to_owned()) {
        Ok(r) | Err((r, _)) => r,
    };
    res.entries()
        .filter_map(|e| match e {
            fluent_syntax::ast::Entry::Message(m) => Some(m.id.name.to_owned()),
            _ => None,
        })
        .collect()
}

/// Maps a language to its ids, for the catalogue test.
pub fn all_ids() -> HashMap<&'static str, Vec<String>> {
    HashMap::from([("vi", ids(VI)), ("en", ids(EN))])
}
