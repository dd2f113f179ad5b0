//! Messages the domain says to people, by stable id and arguments, in Vietnamese or English.
//!
//! A domain error or a row's quarantine reason is a [`Msg`]: a message id from the domain
//! catalogues (`locales/vi.ftl`, `locales/en.ftl` in this crate, Fluent syntax) and its
//! arguments. Adapters render it in the reader's language: the console and documents in
//! Vietnamese (English by the switch), the API and logs in English (`Display`). An argument may
//! itself be a message id ([`Arg::Label`]: a case state, a category), rendered in the same
//! language, so that no raw code reaches a page.
//!
//! ```
//! use lantoa_core::msg::{Lang, Msg};
//! let m = Msg::new("phone-unknown-prefix").arg("prefix", "0241");
//! assert!(m.text(Lang::Vi).contains("0241"));
//! assert_eq!(m.to_string(), m.text(Lang::En));
//! ```

use std::fmt;
use std::sync::OnceLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

/// The domain's Vietnamese catalogue.
pub const VI: &str = include_str!("../locales/vi.ftl");
/// The domain's English catalogue.
pub const EN: &str = include_str!("../locales/en.ftl");

/// A language people read Lantoa in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
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

/// One argument of a message.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "lowercase")]
pub enum Arg {
    /// Shown as given (a name, a number, a quoted cell).
    Text(String),
    /// A message id, rendered in the reader's language (a state, a category).
    Label(String),
    /// Message ids, each rendered in the reader's language, joined by commas (the states a case
    /// may go to, the roles that may act).
    Labels(Vec<String>),
    /// Messages, each rendered in the reader's language, joined by semicolons (every fault of
    /// a form at once).
    Msgs(Vec<Msg>),
}

/// A message: its id in the catalogues and its arguments.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Msg {
    /// The message id.
    pub key: String,
    /// Named arguments.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<(String, Arg)>,
}

impl Msg {
    /// Message `key` without arguments.
    pub fn new(key: impl Into<String>) -> Self {
        Self {
            key: key.into(),
            args: Vec::new(),
        }
    }

    /// Adds an argument shown as given.
    #[must_use]
    pub fn arg(mut self, name: &str, value: impl ToString) -> Self {
        self.args
            .push((name.to_owned(), Arg::Text(value.to_string())));
        self
    }

    /// Adds an argument that is itself a message id, shown in the reader's language.
    #[must_use]
    pub fn label(mut self, name: &str, key: impl Into<String>) -> Self {
        self.args.push((name.to_owned(), Arg::Label(key.into())));
        self
    }

    /// Adds an argument that is a list of message ids, shown in the reader's language.
    #[must_use]
    pub fn labels(mut self, name: &str, keys: impl IntoIterator<Item = String>) -> Self {
        self.args
            .push((name.to_owned(), Arg::Labels(keys.into_iter().collect())));
        self
    }

    /// Adds an argument that is a list of messages, shown in the reader's language.
    #[must_use]
    pub fn msgs(mut self, name: &str, all: Vec<Msg>) -> Self {
        self.args.push((name.to_owned(), Arg::Msgs(all)));
        self
    }

    /// The message in `lang`, from the domain catalogues.
    pub fn text(&self, lang: Lang) -> String {
        domain().render(lang, self)
    }
}

impl fmt::Display for Msg {
    /// English, for the API and the logs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text(Lang::En))
    }
}

/// Serde for a [`Msg`] kept as two fields (use with `#[serde(flatten, with = "noted")]`):
/// `note`, its English text, for readers of the stored JSON and API clients, and `msg`, the id
/// and arguments the console renders in the reader's language. A record stored before it had
/// `msg` reads back with its English `note` as the message's text (`note-as-written`).
pub mod noted {
    use super::Msg;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    #[derive(Serialize)]
    struct Out<'a> {
        note: String,
        msg: &'a Msg,
    }

    #[derive(Deserialize)]
    struct In {
        note: String,
        #[serde(default)]
        msg: Option<Msg>,
    }

    /// Writes `note` and `msg`.
    pub fn serialize<S: Serializer>(m: &Msg, s: S) -> Result<S::Ok, S::Error> {
        Out {
            note: m.to_string(),
            msg: m,
        }
        .serialize(s)
    }

    /// Writes a message as `{note, msg}`, or nothing as `null` (for `Option<Msg>` fields,
    /// `#[serde(serialize_with = "noted::serialize_some")]`).
    pub fn serialize_some<S: Serializer>(m: &Option<Msg>, s: S) -> Result<S::Ok, S::Error> {
        match m {
            Some(m) => Out {
                note: m.to_string(),
                msg: m,
            }
            .serialize(s),
            None => s.serialize_none(),
        }
    }

    /// Reads a message stored as its JSON (`{"key", "args"}`), or a text stored before
    /// messages had ids as written.
    pub fn from_stored(text: &str) -> Msg {
        serde_json::from_str(text).unwrap_or_else(|_| Msg::new("note-as-written").arg("note", text))
    }

    /// Writes each message as `{note, msg}`.
    pub fn serialize_all<S: Serializer>(all: &[Msg], s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let mut seq = s.serialize_seq(Some(all.len()))?;
        for m in all {
            seq.serialize_element(&Out {
                note: m.to_string(),
                msg: m,
            })?;
        }
        seq.end()
    }

    /// Reads `msg`, or a bare `note` as written.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Msg, D::Error> {
        let i = In::deserialize(d)?;
        Ok(i.msg
            .unwrap_or_else(|| Msg::new("note-as-written").arg("note", i.note)))
    }
}

/// Implemented by what says something to people: every crate's error, a row's reason.
pub trait Describe {
    /// What to say.
    fn message(&self) -> Msg;
}

/// A pair of Fluent bundles, Vietnamese and English, built from catalogue sources.
pub struct Catalogues {
    vi: FluentBundle<FluentResource>,
    en: FluentBundle<FluentResource>,
}

impl fmt::Debug for Catalogues {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Catalogues")
    }
}

fn bundle(sources: &[&str], lang: &str) -> FluentBundle<FluentResource> {
    let id = lang.parse().unwrap_or_default();
    let mut b = FluentBundle::new_concurrent(vec![id]);
    b.set_use_isolating(false);
    for source in sources {
        // A syntax error or a repeated id leaves the message out; it then shows as its id, and
        // the catalogue tests (here and in each adapter) fail on it.
        let res = match FluentResource::try_new((*source).to_owned()) {
            Ok(r) | Err((r, _)) => r,
        };
        let _ = b.add_resource(res);
    }
    b
}

impl Catalogues {
    /// Bundles of the given sources, Vietnamese ones and English ones.
    pub fn new(vi: &[&str], en: &[&str]) -> Self {
        Self {
            vi: bundle(vi, "vi"),
            en: bundle(en, "en"),
        }
    }

    fn bundle(&self, lang: Lang) -> &FluentBundle<FluentResource> {
        match lang {
            Lang::Vi => &self.vi,
            Lang::En => &self.en,
        }
    }

    /// Whether message `id` exists in `lang`.
    pub fn has(&self, lang: Lang, id: &str) -> bool {
        self.bundle(lang).has_message(id)
    }

    /// Message `id` in `lang` with plain arguments. An unknown id gives the id itself, so a page
    /// never breaks for a missing text (the catalogue tests catch it).
    pub fn tr(&self, lang: Lang, id: &str, args: &[(&str, String)]) -> String {
        self.lookup(lang, id, args).unwrap_or_else(|| id.to_owned())
    }

    /// Message `id` in `lang` with plain arguments, or `None` when no such message exists.
    pub fn lookup(&self, lang: Lang, id: &str, args: &[(&str, String)]) -> Option<String> {
        let b = self.bundle(lang);
        let pattern = b.get_message(id).and_then(|m| m.value())?;
        let mut fargs = FluentArgs::new();
        for (k, v) in args {
            // Whole numbers go in as numbers, so that plural selectors work; a code with a
            // leading zero ("0241") stays text.
            match v.parse::<i64>() {
                Ok(n) if n.to_string() == *v => fargs.set(*k, FluentValue::from(n)),
                _ => fargs.set(*k, FluentValue::from(v.clone())),
            }
        }
        let mut errors = vec![];
        Some(
            b.format_pattern(pattern, Some(&fargs), &mut errors)
                .into_owned(),
        )
    }

    /// A message in `lang`, its label arguments rendered first.
    pub fn render(&self, lang: Lang, msg: &Msg) -> String {
        let args: Vec<(&str, String)> = msg
            .args
            .iter()
            .map(|(k, a)| {
                let v = match a {
                    Arg::Text(t) => t.clone(),
                    Arg::Label(id) => self.tr(lang, id, &[]),
                    Arg::Labels(ids) => ids
                        .iter()
                        .map(|id| self.tr(lang, id, &[]))
                        .collect::<Vec<_>>()
                        .join(", "),
                    Arg::Msgs(all) => all
                        .iter()
                        .map(|m| self.render(lang, m))
                        .collect::<Vec<_>>()
                        .join("; "),
                };
                (k.as_str(), v)
            })
            .collect();
        self.tr(lang, &msg.key, &args)
    }
}

/// The domain catalogues alone.
pub fn domain() -> &'static Catalogues {
    static C: OnceLock<Catalogues> = OnceLock::new();
    C.get_or_init(|| Catalogues::new(&[VI], &[EN]))
}

/// The message ids a catalogue source defines, in order.
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

/// Whether a catalogue source parses without error.
pub fn parses(source: &str) -> Result<(), String> {
    FluentResource::try_new(source.to_owned())
        .map(|_| ())
        .map_err(|(_, errors)| format!("{errors:?}"))
}

/// English words that have no place in a Vietnamese message. A Vietnamese text names code
/// identifiers (`web.max_upload_bytes`) and quotes what people typed, but not these.
const ENGLISH_WORDS: &[&str] = &[
    "the", "is", "are", "was", "not", "must", "cannot", "with", "of", "and", "be", "has", "have",
    "which", "this", "that", "no", "from", "into", "there", "only", "than", "for", "before",
    "after", "already", "should", "neither", "nor", "your",
];

/// The English words in `text`, if any (for the catalogue tests: a Vietnamese message must
/// give none). Words inside `{ … }` placeables or quoted arguments are the caller's to strip.
pub fn english_words(text: &str) -> Vec<&'static str> {
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphabetic())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    ENGLISH_WORDS
        .iter()
        .copied()
        .filter(|e| words.iter().any(|w| w == e))
        .collect()
}

/// Whether `m` speaks both languages: its id and every label it names are in both domain
/// catalogues, its two renderings differ, and the Vietnamese one has no English words. For the
/// tests of every crate whose errors are messages.
pub fn check_both_languages(m: &Msg) -> Result<(), String> {
    let c = domain();
    let mut ids = vec![m.key.as_str()];
    for (_, a) in &m.args {
        match a {
            Arg::Text(_) => {}
            Arg::Label(id) => ids.push(id),
            Arg::Labels(list) => ids.extend(list.iter().map(String::as_str)),
            Arg::Msgs(all) => {
                for inner in all {
                    check_both_languages(inner)?;
                }
            }
        }
    }
    for id in ids {
        for lang in [Lang::Vi, Lang::En] {
            if !c.has(lang, id) {
                return Err(format!("{m:?}: no {id} in {lang:?}"));
            }
        }
    }
    let vi = m.text(Lang::Vi);
    if vi == m.text(Lang::En) {
        return Err(format!("{m:?}: the same in both languages: {vi}"));
    }
    let english = english_words(&vi);
    if !english.is_empty() {
        return Err(format!("{m:?}: {vi:?} has the English {english:?}"));
    }
    Ok(())
}

/// The variables message `id` of a catalogue source names (`{ $name }`, and selectors'), for
/// the catalogue tests, which fill them with neutral placeholders.
pub fn variables(source: &str, id: &str) -> Vec<String> {
    use fluent_syntax::ast::{Entry, Expression, InlineExpression, Pattern, PatternElement};
    fn walk(e: &Expression<&str>, out: &mut Vec<String>) {
        match e {
            Expression::Inline(InlineExpression::VariableReference { id }) => {
                out.push(id.name.to_owned());
            }
            Expression::Select { selector, variants } => {
                if let InlineExpression::VariableReference { id } = selector {
                    out.push(id.name.to_owned());
                }
                for v in variants {
                    pattern(&v.value, out);
                }
            }
            _ => {}
        }
    }
    fn pattern(p: &Pattern<&str>, out: &mut Vec<String>) {
        for el in &p.elements {
            if let PatternElement::Placeable { expression } = el {
                walk(expression, out);
            }
        }
    }
    let Ok(res) = fluent_syntax::parser::parse(source) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for entry in &res.body {
        if let Entry::Message(m) = entry
            && m.id.name == id
            && let Some(v) = &m.value
        {
            pattern(v, &mut out);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn both_catalogues_parse_and_define_the_same_ids() {
        parses(VI).unwrap();
        parses(EN).unwrap();
        let vi: BTreeSet<String> = ids(VI).into_iter().collect();
        let en: BTreeSet<String> = ids(EN).into_iter().collect();
        assert_eq!(ids(VI).len(), vi.len(), "an id repeats in vi.ftl");
        assert_eq!(ids(EN).len(), en.len(), "an id repeats in en.ftl");
        let only_vi: Vec<_> = vi.difference(&en).collect();
        let only_en: Vec<_> = en.difference(&vi).collect();
        assert!(
            only_vi.is_empty() && only_en.is_empty(),
            "{only_vi:?} {only_en:?}"
        );
    }

    #[test]
    fn no_vietnamese_message_says_english_words() {
        for id in ids(VI) {
            // Arguments as neutral placeholders: what people typed is not the catalogue's text.
            let placeholders: Vec<(String, String)> = variables(VI, &id)
                .into_iter()
                .map(|a| (a, "X1".to_owned()))
                .collect();
            let args: Vec<(&str, String)> = placeholders
                .iter()
                .map(|(k, v)| (k.as_str(), v.clone()))
                .collect();
            let text = domain().tr(Lang::Vi, &id, &args);
            assert_ne!(text, id, "{id} does not render");
            let english = english_words(&text);
            assert!(english.is_empty(), "{id}: {text:?} has {english:?}");
        }
    }

    #[test]
    fn a_label_argument_is_rendered_in_the_same_language() {
        let c = Catalogues::new(
            &["state-a = đang xem xét\nmoved = Hồ sơ { $to }."],
            &["state-a = under review\nmoved = The case is { $to }."],
        );
        let m = Msg::new("moved").label("to", "state-a");
        assert_eq!(c.render(Lang::Vi, &m), "Hồ sơ đang xem xét.");
        assert_eq!(c.render(Lang::En, &m), "The case is under review.");
    }

    #[test]
    fn a_stored_message_reads_back_and_a_stored_text_reads_as_written() {
        let m = Msg::new("recheck-cleared");
        let json = serde_json::to_string(&m).unwrap();
        assert_eq!(noted::from_stored(&json), m);
        let old = noted::from_stored("no sign remains");
        assert_eq!(old.text(Lang::Vi), "no sign remains");
        let out = serde_json::to_value(NotedRow { note: m.clone() }).unwrap();
        assert_eq!(out["note"], "No sign remains.");
        assert_eq!(out["msg"]["key"], "recheck-cleared");
        let back: NotedRow =
            serde_json::from_value(serde_json::json!({"note": "as written"})).unwrap();
        assert_eq!(back.note.text(Lang::En), "as written");
    }

    #[derive(serde::Serialize, serde::Deserialize)]
    struct NotedRow {
        #[serde(flatten, with = "noted")]
        note: Msg,
    }

    #[test]
    fn an_unknown_id_shows_as_itself() {
        assert_eq!(
            Msg::new("no-such-message").text(Lang::Vi),
            "no-such-message"
        );
    }

    #[test]
    fn english_words_are_found_as_words_not_inside_others() {
        assert_eq!(english_words("the prefix is unknown"), vec!["the", "is"]);
        assert!(english_words("Tiền tố 0241 không thuộc nhà mạng nào; nothingness").is_empty());
    }
}

/// What a CSV reader's error says, for the person whose file it is: the line it stopped at
/// and what is wrong there, in words of the catalogues rather than the reader's English.
pub fn csv_problem(e: &csv::Error) -> Msg {
    let line = e.position().map(|p| p.line());
    match e.kind() {
        csv::ErrorKind::Utf8 { .. } => Msg::new("csv-not-utf8").arg("line", line.unwrap_or(0)),
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => Msg::new("csv-unequal-lengths")
            .arg("line", line.unwrap_or(0))
            .arg("len", len)
            .arg("expected", expected_len),
        csv::ErrorKind::Io(io) => Msg::new("csv-io").arg("detail", io),
        _ => match line {
            Some(line) => Msg::new("csv-unreadable-at").arg("line", line),
            None => Msg::new("csv-unreadable"),
        },
    }
}

#[cfg(test)]
mod csv_tests {
    use super::*;

    #[test]
    fn a_csv_reader_s_errors_are_said_in_both_languages() {
        let unequal = csv::ReaderBuilder::new()
            .from_reader("a,b\n1,2\n3\n".as_bytes())
            .records()
            .find_map(Result::err)
            .unwrap();
        let m = csv_problem(&unequal);
        assert_eq!(m.key, "csv-unequal-lengths");
        check_both_languages(&m).unwrap();
        let not_utf8 = csv::ReaderBuilder::new()
            .from_reader(&b"a,b\n1,\xff\n"[..])
            .records()
            .find_map(Result::err)
            .unwrap();
        let m = csv_problem(&not_utf8);
        assert_eq!(m.key, "csv-not-utf8");
        check_both_languages(&m).unwrap();
        for m in [
            Msg::new("csv-io").arg("detail", "x"),
            Msg::new("csv-unreadable-at").arg("line", 3),
            Msg::new("csv-unreadable"),
        ] {
            check_both_languages(&m).unwrap();
        }
    }
}
