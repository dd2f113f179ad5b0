//! Message catalogues (Fluent): `locales/vi.ftl` (the default) and `locales/en.ftl`.
//!
//! Every text the console shows comes from here; handlers and templates name messages by id.
//! A test checks that both catalogues define the same ids and that every id used in a
//! template or in code exists. The domain's own messages (errors, quarantine reasons:
//! `lantoa_core::msg`) are loaded beside the console's, so a page renders them by the same ids.

use std::collections::HashMap;
use std::sync::OnceLock;

/// The Vietnamese catalogue.
pub const VI: &str = include_str!("../locales/vi.ftl");
/// The English catalogue.
pub const EN: &str = include_str!("../locales/en.ftl");

pub use lantoa_core::msg::Lang;
use lantoa_core::msg::{Catalogues, Msg};

/// The console's catalogues with the domain's (errors, quarantine reasons) beside them.
fn catalogues() -> &'static Catalogues {
    static C: OnceLock<Catalogues> = OnceLock::new();
    C.get_or_init(|| Catalogues::new(&[VI, lantoa_core::msg::VI], &[EN, lantoa_core::msg::EN]))
}

/// The text of message `id` in `lang`, with `args` filled in. An unknown id returns the id
/// itself (and the catalogue test fails), so a page never breaks for a missing text.
pub fn tr(lang: Lang, id: &str, args: &[(&str, String)]) -> String {
    catalogues().lookup(lang, id, args).unwrap_or_else(|| {
        tracing::warn!(id, lang = lang.code(), "missing message");
        id.to_owned()
    })
}

/// A domain message (an error, a quarantine reason) in `lang`.
pub fn msg(lang: Lang, m: &Msg) -> String {
    catalogues().render(lang, m)
}

/// Whether message `id` exists (in Vietnamese, which has every id the English has).
pub fn has(id: &str) -> bool {
    catalogues().has(Lang::Vi, id)
}

/// The ids a catalogue source defines.
pub fn ids(source: &str) -> Vec<String> {
    lantoa_core::msg::ids(source)
}

/// Maps a language to its ids, for the catalogue test.
pub fn all_ids() -> HashMap<&'static str, Vec<String>> {
    // The domain's ids are the console's too; an id in both catalogues would be refused by the
    // bundle and fails the catalogue test as a repeat.
    HashMap::from([
        ("vi", [ids(VI), ids(lantoa_core::msg::VI)].concat()),
        ("en", [ids(EN), ids(lantoa_core::msg::EN)].concat()),
    ])
}
