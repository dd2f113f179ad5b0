//! Signals: rules read from a data file (`data/watch/signals.toml`), each with an id, the
//! category it scores, the clause it rests on, a weight and parameters; evaluated over the
//! extracted pages of a subject, each hit quoting its evidence.
//!
//! The rule *kinds* are code (what "a phrase appears" or "the owner block lacks a field"
//! means); the rules themselves — words, phrases, thresholds, weights, legal bases — are data,
//! so officers change them without a rebuild.

use std::collections::HashSet;
use std::path::Path;

use aho_corasick::{AhoCorasick, MatchKind};
use lantoa_core::text;
use regex::Regex;
use serde::{Deserialize, Serialize};

use crate::extract::Extracted;
use crate::subject::SubjectKind;
use crate::{Error, Result};

/// The rules shipped with Lantoa.
pub const DEFAULT_RULES: &str = include_str!("../../../data/watch/signals.toml");
/// The listed violating sites shipped with Lantoa (fictitious demo entries).
pub const DEFAULT_VIOLATING_SITES: &str = include_str!("../../../data/watch/violating-sites.txt");

/// What a rule scores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// Signs of a general website or social network acting as a press outlet.
    BaoHoa,
    /// Illegal advertising.
    Advertising,
    /// Harmful content (Cybersecurity Law art. 16).
    Harmful,
}

impl Category {
    /// Every category, in display order.
    pub const ALL: [Category; 3] = [Category::BaoHoa, Category::Advertising, Category::Harmful];

    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::BaoHoa => "bao_hoa",
            Category::Advertising => "advertising",
            Category::Harmful => "harmful",
        }
    }

    /// Parses the stable name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// Which pages a rule looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Scope {
    /// The subject's home page (its registered URL).
    Home,
    /// Article pages (not the home page, with main text).
    Article,
    /// Every page.
    Any,
}

#[derive(Debug, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum KindSpec {
    DomainWords {
        words: Vec<String>,
    },
    MissingPhrases {
        fields: Vec<String>,
        phrases: Vec<String>,
    },
    Phrases {
        fields: Vec<String>,
        phrases: Vec<String>,
        #[serde(default = "one")]
        min_hits: usize,
        /// When set, at least one of these must also be within `context_chars` bytes of a
        /// found phrase: what tells an advertisement ("nạp tiền", "uy tín") from a report
        /// about the same thing ("triệt phá một đường dây cá độ").
        #[serde(default)]
        requires_any: Vec<String>,
        #[serde(default = "context_chars")]
        context_chars: usize,
    },
    Regex {
        fields: Vec<String>,
        pattern: String,
        /// When set, a match counts only with one of these phrases (whole words) within
        /// `context_chars` bytes before or after it.
        #[serde(default)]
        context: Vec<String>,
        #[serde(default = "context_chars")]
        context_chars: usize,
    },
    Sections {
        phrases: Vec<String>,
        min_sections: usize,
    },
    Reporting {
        phrases: Vec<String>,
        min_chars: usize,
    },
    NoSource {
        min_chars: usize,
    },
    Comments {},
    OwnerBlock {
        required: Vec<String>,
    },
    NearDuplicate {
        similarity: f64,
        min_delay_minutes: i64,
    },
    HiddenLinks {
        /// A hidden outbound link counts when its text has one of these phrases (whole
        /// words) …
        #[serde(default)]
        phrases: Vec<String>,
        /// … or its address one of these words (tone-folded, anywhere in host or path) …
        #[serde(default)]
        address_words: Vec<String>,
        /// … or the first label of its host matches this pattern.
        #[serde(default)]
        host_pattern: Option<String>,
    },
    ListedDomains {
        list: String,
    },
    HealthFood {
        product: Vec<String>,
        claims: Vec<String>,
        disclaimer: String,
        confirmation: String,
        endorsers: Vec<String>,
    },
    Classifier {
        threshold: f64,
    },
}

fn context_chars() -> usize {
    120
}

fn one() -> usize {
    1
}

#[derive(Debug, Deserialize)]
struct RuleSpec {
    id: String,
    /// What officers and documents read; a file's rule without one shows its id.
    #[serde(default)]
    name: Option<String>,
    category: Category,
    clause: String,
    weight: f64,
    scope: Scope,
    #[serde(default)]
    applies_to: Vec<SubjectKind>,
    /// `"vi"`: the rule reads only pages written in Vietnamese (the obligations of Decree
    /// 147/2024 it checks are those of Vietnamese sites, and its words are Vietnamese).
    #[serde(default)]
    language: Option<String>,
    #[serde(flatten)]
    kind: KindSpec,
}

#[derive(Debug, Deserialize)]
struct RuleFile {
    rule: Vec<RuleSpec>,
}

/// A page field a rule reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Text,
    Masthead,
    Footer,
    Sections,
    Byline,
    Responsible,
    Links,
}

impl Field {
    fn parse(rule: &str, s: &str) -> Result<Self> {
        Ok(match s {
            "text" => Field::Text,
            "masthead" => Field::Masthead,
            "footer" => Field::Footer,
            "sections" => Field::Sections,
            "byline" => Field::Byline,
            "responsible" => Field::Responsible,
            "links" => Field::Links,
            other => {
                return Err(invalid(
                    rule,
                    format!(
                        "unknown field {other:?} (text, masthead, footer, sections, byline, responsible, links)"
                    ),
                ));
            }
        })
    }
}

/// A set of lower-case phrases matched as whole words.
#[derive(Debug)]
struct PhraseSet {
    phrases: Vec<String>,
    ac: AhoCorasick,
}

impl PhraseSet {
    fn new(rule: &str, phrases: &[String]) -> Result<Self> {
        let phrases: Vec<String> = phrases
            .iter()
            .map(|p| text::lowercase(&text::nfc(p)))
            .collect();
        let ac = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .build(&phrases)
            .map_err(|e| invalid(rule, e))?;
        Ok(Self { phrases, ac })
    }

    /// Distinct phrases found in `lower` (lower-cased text), with the byte range of the first
    /// occurrence of each.
    fn find(&self, lower: &str) -> Vec<(usize, std::ops::Range<usize>)> {
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        for m in self.ac.find_iter(lower) {
            if !whole_word(lower, m.start(), m.end()) {
                continue;
            }
            if seen.insert(m.pattern().as_usize()) {
                out.push((m.pattern().as_usize(), m.start()..m.end()));
            }
        }
        out
    }
}

fn whole_word(s: &str, start: usize, end: usize) -> bool {
    let before = s[..start].chars().next_back();
    let after = s[end..].chars().next();
    !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
}

#[derive(Debug)]
enum Kind {
    DomainWords(Vec<String>),
    MissingPhrases(Vec<Field>, PhraseSet),
    /// Fields, phrases, the least number of them, and phrases of which one must also be near.
    Phrases(Vec<Field>, PhraseSet, usize, Option<(PhraseSet, usize)>),
    /// Fields, pattern, and the context a match needs (none when the set is empty).
    Regex(Vec<Field>, Regex, Option<(PhraseSet, usize)>),
    Sections(PhraseSet, usize),
    Reporting(PhraseSet, usize),
    NoSource(usize),
    Comments,
    OwnerBlock(Vec<String>),
    NearDuplicate {
        similarity: f64,
        min_delay_minutes: i64,
    },
    /// Phrases of a hidden link's text, words of its address, the pattern of its host.
    HiddenLinks(PhraseSet, Vec<String>, Option<Regex>),
    ListedDomains(Vec<String>),
    HealthFood {
        product: PhraseSet,
        claims: PhraseSet,
        disclaimer: String,
        confirmation: Regex,
        endorsers: PhraseSet,
    },
    Classifier(f64),
}

/// One compiled rule.
#[derive(Debug)]
pub struct Rule {
    /// Stable id.
    pub id: String,
    /// What officers, documents and reports read (Vietnamese, from the rules file; the id when
    /// the file gives none).
    pub name: String,
    /// What it scores.
    pub category: Category,
    /// The legal clause it rests on.
    pub clause: String,
    /// Weight in (0, 1].
    pub weight: f64,
    scope: Scope,
    applies_to: Vec<SubjectKind>,
    vietnamese_only: bool,
    kind: Kind,
}

/// The compiled rules.
#[derive(Debug)]
pub struct Rules {
    rules: Vec<Rule>,
}

/// What a rule found on a page.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hit {
    /// The rule's id.
    pub rule: String,
    /// Its category.
    pub category: Category,
    /// Its clause.
    pub clause: String,
    /// Its weight.
    pub weight: f64,
    /// The quoted evidence (exact text from the page, or what is missing).
    pub evidence: String,
}

/// What the subject is, as the rules need it.
#[derive(Debug, Clone, Copy)]
pub struct SubjectFacts<'a> {
    /// Kind of subject.
    pub kind: SubjectKind,
    /// Host of its URL.
    pub host: &'a str,
    /// Whether it is a licensed press agency (báo hóa rules do not apply).
    pub is_press: bool,
}

/// A near-duplicate of a press article, found by the caller ([`crate::dedup`]).
#[derive(Debug, Clone, PartialEq)]
pub struct PressMatch {
    /// Estimated Jaccard similarity.
    pub similarity: f64,
    /// The press article's address.
    pub url: String,
    /// Minutes between the press article's publication and this page's (negative: before).
    pub delay_minutes: Option<i64>,
}

/// One page as the rules see it.
#[derive(Debug, Clone, Copy)]
pub struct PageView<'a> {
    /// The page's address.
    pub url: &'a str,
    /// It is the subject's home page.
    pub home: bool,
    /// What extraction found.
    pub extracted: &'a Extracted,
    /// The closest press article, when the caller found one.
    pub press_match: Option<&'a PressMatch>,
    /// The harmful-content classifier's probability, when a model is trained.
    pub harm_probability: Option<f64>,
}

fn invalid(rule: &str, message: impl std::fmt::Display) -> Error {
    Error::config("signals", format!("rule {rule}: {message}"))
}

impl Rules {
    /// The shipped rules and violating-site list.
    pub fn builtin() -> Result<Self> {
        Self::parse(DEFAULT_RULES, |_| Ok(DEFAULT_VIOLATING_SITES.to_owned()))
    }

    /// The shipped rules, compiled once per process and shared (every `Watch` starts with
    /// them; their automata are not rebuilt for each service).
    pub fn builtin_shared() -> std::sync::Arc<Self> {
        static SHARED: std::sync::LazyLock<std::sync::Arc<Rules>> =
            std::sync::LazyLock::new(|| {
                // The shipped file is read by a unit test; it cannot fail here.
                #[allow(clippy::expect_used)]
                std::sync::Arc::new(Rules::builtin().expect("data/watch/signals.toml is valid"))
            });
        SHARED.clone()
    }

    /// Rules from a file; lists it names are read from the same folder.
    pub fn load(path: &Path) -> Result<Self> {
        let src = std::fs::read_to_string(path)
            .map_err(|e| invalid(&path.display().to_string(), format!("cannot read: {e}")))?;
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        Self::parse(&src, |name| {
            std::fs::read_to_string(dir.join(name))
                .map_err(|e| invalid(name, format!("cannot read the list: {e}")))
        })
    }

    /// Rules from TOML source; `read_list` supplies the files lists refer to.
    pub fn parse(src: &str, read_list: impl Fn(&str) -> Result<String>) -> Result<Self> {
        let not_valid = |e: &dyn std::fmt::Display| {
            Error::config("signals", format!("the rules file is not valid: {e}"))
        };
        // serde cannot refuse unknown keys through a flattened enum; a misspelt key would be
        // silently ignored, so keys are checked here.
        let table: toml::Table = toml::from_str(src).map_err(|e| not_valid(&e))?;
        if let Some(toml::Value::Array(rules)) = table.get("rule") {
            for r in rules.iter().filter_map(toml::Value::as_table) {
                if let Some(bad) = r.keys().find(|k| !KNOWN_KEYS.contains(&k.as_str())) {
                    let id = r.get("id").and_then(toml::Value::as_str).unwrap_or("?");
                    return Err(invalid(id, format!("unknown key {bad:?}")));
                }
            }
        }
        let file: RuleFile = toml::from_str(src).map_err(|e| not_valid(&e))?;
        let mut ids = HashSet::new();
        let mut rules = Vec::new();
        for spec in file.rule {
            let id = spec.id.clone();
            if !ids.insert(id.clone()) {
                return Err(invalid(&id, "the id is used twice"));
            }
            if !(spec.weight > 0.0 && spec.weight <= 1.0) {
                return Err(invalid(&id, "weight must be in (0, 1]"));
            }
            let fields = |names: &[String]| -> Result<Vec<Field>> {
                names.iter().map(|n| Field::parse(&id, n)).collect()
            };
            let regex = |p: &str| Regex::new(p).map_err(|e| invalid(&id, e));
            let kind = match spec.kind {
                KindSpec::DomainWords { words } => {
                    Kind::DomainWords(words.iter().map(|w| text::fold_key(w)).collect())
                }
                KindSpec::MissingPhrases { fields: f, phrases } => {
                    Kind::MissingPhrases(fields(&f)?, PhraseSet::new(&id, &phrases)?)
                }
                KindSpec::Phrases {
                    fields: f,
                    phrases,
                    min_hits,
                    requires_any,
                    context_chars,
                } => Kind::Phrases(
                    fields(&f)?,
                    PhraseSet::new(&id, &phrases)?,
                    min_hits.max(1),
                    if requires_any.is_empty() {
                        None
                    } else {
                        Some((PhraseSet::new(&id, &requires_any)?, context_chars))
                    },
                ),
                KindSpec::Regex {
                    fields: f,
                    pattern,
                    context,
                    context_chars,
                } => {
                    let context = if context.is_empty() {
                        None
                    } else {
                        Some((PhraseSet::new(&id, &context)?, context_chars))
                    };
                    Kind::Regex(fields(&f)?, regex(&pattern)?, context)
                }
                KindSpec::Sections {
                    phrases,
                    min_sections,
                } => Kind::Sections(PhraseSet::new(&id, &phrases)?, min_sections.max(1)),
                KindSpec::Reporting { phrases, min_chars } => {
                    Kind::Reporting(PhraseSet::new(&id, &phrases)?, min_chars)
                }
                KindSpec::NoSource { min_chars } => Kind::NoSource(min_chars),
                KindSpec::Comments {} => Kind::Comments,
                KindSpec::OwnerBlock { required } => {
                    for r in &required {
                        if !OWNER_FIELDS.contains(&r.as_str()) {
                            return Err(invalid(&id, format!("unknown owner field {r:?}")));
                        }
                    }
                    Kind::OwnerBlock(required)
                }
                KindSpec::NearDuplicate {
                    similarity,
                    min_delay_minutes,
                } => Kind::NearDuplicate {
                    similarity,
                    min_delay_minutes,
                },
                KindSpec::HiddenLinks {
                    phrases,
                    address_words,
                    host_pattern,
                } => Kind::HiddenLinks(
                    PhraseSet::new(&id, &phrases)?,
                    address_words.iter().map(|w| text::fold_key(w)).collect(),
                    host_pattern.as_deref().map(regex).transpose()?,
                ),
                KindSpec::ListedDomains { list } => Kind::ListedDomains(
                    read_list(&list)?
                        .lines()
                        .map(str::trim)
                        .filter(|l| !l.is_empty() && !l.starts_with('#'))
                        .map(str::to_ascii_lowercase)
                        .collect(),
                ),
                KindSpec::HealthFood {
                    product,
                    claims,
                    disclaimer,
                    confirmation,
                    endorsers,
                } => Kind::HealthFood {
                    product: PhraseSet::new(&id, &product)?,
                    claims: PhraseSet::new(&id, &claims)?,
                    disclaimer: text::lowercase(&text::nfc(&disclaimer)),
                    confirmation: regex(&confirmation)?,
                    endorsers: PhraseSet::new(&id, &endorsers)?,
                },
                KindSpec::Classifier { threshold } => Kind::Classifier(threshold),
            };
            let vietnamese_only = match spec.language.as_deref() {
                None => false,
                Some("vi") => true,
                Some(other) => {
                    return Err(invalid(
                        &id,
                        format!("language {other:?} is not known; the one language is \"vi\""),
                    ));
                }
            };
            rules.push(Rule {
                name: spec.name.unwrap_or_else(|| id.clone()),
                id,
                category: spec.category,
                clause: spec.clause,
                weight: spec.weight,
                scope: spec.scope,
                applies_to: spec.applies_to,
                vietnamese_only,
                kind,
            });
        }
        Ok(Self { rules })
    }

    /// The rules, in file order.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// The name of the rule with `id`, or the id when no rule has it (a finding of a rule since
    /// removed from the file).
    pub fn name_of<'a>(&'a self, id: &'a str) -> &'a str {
        self.get(id).map_or(id, |r| r.name.as_str())
    }

    /// The rule with `id`.
    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }

    /// Evaluates every rule on one page of a subject.
    pub fn evaluate(&self, subject: &SubjectFacts<'_>, page: &PageView<'_>) -> Vec<Hit> {
        let fields = Fields::new(page.extracted);
        let article = !page.home && !page.extracted.main_text.is_empty();
        let vietnamese = std::cell::OnceCell::new();
        let mut hits = Vec::new();
        for rule in &self.rules {
            if rule.category == Category::BaoHoa && subject.is_press {
                continue;
            }
            if rule.vietnamese_only && !*vietnamese.get_or_init(|| is_vietnamese(page.extracted)) {
                continue;
            }
            if !rule.applies_to.is_empty() && !rule.applies_to.contains(&subject.kind) {
                continue;
            }
            let in_scope = match rule.scope {
                Scope::Home => page.home,
                Scope::Article => article,
                Scope::Any => true,
            };
            if !in_scope {
                continue;
            }
            if let Some(evidence) = rule.check(subject, page, &fields) {
                hits.push(Hit {
                    rule: rule.id.clone(),
                    category: rule.category,
                    clause: rule.clause.clone(),
                    weight: rule.weight,
                    evidence,
                });
            }
        }
        hits
    }
}

/// Whether a page is written in Vietnamese: of the letters of its title, main text and
/// footer, at least one in twenty is one only Vietnamese uses (đ, ă, â, ê, ô, ơ, ư and the
/// tone-marked vowels). Vietnamese prose runs near one in four; French or German, with their
/// é, ä or ü, stay far below one in twenty since most of their marks are not Vietnamese ones.
pub fn is_vietnamese(x: &Extracted) -> bool {
    let (mut letters, mut marked) = (0usize, 0usize);
    for s in [
        x.title.as_str(),
        x.main_text.as_str(),
        x.owner.text.as_str(),
    ] {
        let (l, m) = letters_and_marked(s);
        letters += l;
        marked += m;
    }
    letters > 0 && marked * 20 >= letters
}

/// The letters of `s` and how many of them are `vietnamese_letter`s, with ASCII counted over
/// its bytes (no ASCII letter is a Vietnamese one) and the rest decoded.
fn letters_and_marked(s: &str) -> (usize, usize) {
    let (mut letters, mut marked) = (0usize, 0usize);
    let mut rest = s;
    while !rest.is_empty() {
        let ascii = rest.bytes().take_while(u8::is_ascii).count();
        letters += rest.as_bytes()[..ascii]
            .iter()
            .filter(|b| b.is_ascii_alphabetic())
            .count();
        // `ascii` bytes are whole characters, so the slice starts at a character.
        rest = &rest[ascii..];
        if let Some(c) = rest.chars().next() {
            letters += usize::from(c.is_alphabetic());
            marked += usize::from(vietnamese_letter(c));
            rest = &rest[c.len_utf8()..];
        }
    }
    (letters, marked)
}

/// A letter that Vietnamese writes and French, German, Spanish or English do not use as
/// often: đ, ă, ơ, ư, and vowels with the tone marks hỏi, ngã, nặng, or with two marks.
fn vietnamese_letter(c: char) -> bool {
    // Đđ Ăă Ĩĩ Ũũ Ơơ Ưư, and Latin Extended Additional's Vietnamese block (Ạ U+1EA0 to ỹ
    // U+1EF9), in either case.
    matches!(
        u32::from(c),
        0x0102
            | 0x0103
            | 0x0110
            | 0x0111
            | 0x0128
            | 0x0129
            | 0x0168
            | 0x0169
            | 0x01A0
            | 0x01A1
            | 0x01AF
            | 0x01B0
            | 0x1EA0..=0x1EF9
    )
}

/// Every key a rule may have.
const KNOWN_KEYS: [&str; 31] = [
    "id",
    "name",
    "host_pattern",
    "address_words",
    "language",
    "requires_any",
    "context",
    "context_chars",
    "category",
    "clause",
    "weight",
    "scope",
    "applies_to",
    "kind",
    "words",
    "fields",
    "phrases",
    "min_hits",
    "pattern",
    "min_sections",
    "min_chars",
    "required",
    "similarity",
    "min_delay_minutes",
    "list",
    "product",
    "claims",
    "disclaimer",
    "confirmation",
    "endorsers",
    "threshold",
];

const OWNER_FIELDS: [&str; 6] = [
    "organisation",
    "address",
    "phone",
    "email",
    "responsible",
    "licence",
];

/// The page's fields, each as written and lower-cased, built when a rule first reads it.
struct Fields<'a> {
    x: &'a Extracted,
    cells: [std::cell::OnceCell<(String, String)>; 7],
}

fn pair(s: String) -> (String, String) {
    let lower = text::lowercase(&s);
    (s, lower)
}

impl<'a> Fields<'a> {
    fn new(x: &'a Extracted) -> Self {
        Self {
            x,
            cells: Default::default(),
        }
    }

    fn get(&self, f: Field) -> &(String, String) {
        let x = self.x;
        let (slot, build): (usize, &dyn Fn() -> String) = match f {
            Field::Text => (0, &|| [x.title.as_str(), &x.main_text].join("\n")),
            Field::Masthead => (1, &|| x.masthead.clone()),
            Field::Footer => (2, &|| x.owner.text.clone()),
            Field::Sections => (3, &|| x.sections.join(" | ")),
            Field::Byline => (4, &|| x.byline.clone().unwrap_or_default()),
            Field::Responsible => (5, &|| x.owner.responsible.clone().unwrap_or_default()),
            // Outbound links only: an advertisement links out; the site's own menu does not.
            Field::Links => (6, &|| {
                let mut s = String::new();
                for l in x.links.iter().filter(|l| l.external) {
                    if !s.is_empty() {
                        s.push('\n');
                    }
                    for part in [&l.text, " ", &l.href] {
                        s.push_str(part);
                    }
                }
                s
            }),
        };
        self.cells[slot].get_or_init(|| pair(build()))
    }
}

/// The sentence around `range` of `lower`, quoted from `orig` when lower-casing kept byte
/// offsets (it does for Vietnamese in NFC), else from `lower`.
fn quote(orig: &str, lower: &str, range: std::ops::Range<usize>) -> String {
    let src = if orig.len() == lower.len() && orig.is_char_boundary(range.start) {
        orig
    } else {
        lower
    };
    let stops = ['.', '!', '?', '\n', '|'];
    let mut start = src[..range.start].rfind(stops).map_or(0, |i| i + 1);
    if range.start - start > 160 {
        start = range.start - 160;
    }
    while !src.is_char_boundary(start) {
        start += 1;
    }
    let mut end = src[range.end..]
        .find(stops)
        .map_or(src.len(), |i| range.end + i + 1);
    if end - range.end > 160 {
        end = range.end + 160;
    }
    while !src.is_char_boundary(end) {
        end -= 1;
    }
    src[start..end].trim().to_owned()
}

/// The text within `chars` bytes before and after `range` (widened to whole characters).
fn around(s: &str, range: std::ops::Range<usize>, chars: usize) -> &str {
    let mut from = range.start.saturating_sub(chars);
    while !s.is_char_boundary(from) {
        from -= 1;
    }
    let mut to = (range.end + chars).min(s.len());
    while !s.is_char_boundary(to) {
        to += 1;
    }
    &s[from..to]
}

fn quotes(field: &(String, String), found: &[(usize, std::ops::Range<usize>)]) -> String {
    let mut out: Vec<String> = Vec::new();
    for (_, r) in found.iter().take(3) {
        let q = quote(&field.0, &field.1, r.clone());
        if !out.contains(&q) {
            out.push(q);
        }
    }
    out.iter()
        .map(|q| format!("“{q}”"))
        .collect::<Vec<_>>()
        .join(" … ")
}

fn host_matches(host: &str, listed: &str) -> bool {
    host == listed || host.ends_with(&format!(".{listed}"))
}

impl Rule {
    fn check(
        &self,
        subject: &SubjectFacts<'_>,
        page: &PageView<'_>,
        f: &Fields<'_>,
    ) -> Option<String> {
        let x = f.x;
        match &self.kind {
            Kind::DomainWords(words) => {
                let host = subject.host.trim_start_matches("www.");
                let name = host.rsplit_once('.').map_or(host, |(n, _)| n);
                let key = text::fold_key(name);
                let parts: Vec<&str> = key.split(|c: char| !c.is_ascii_alphanumeric()).collect();
                let found: Vec<&String> = words
                    .iter()
                    .filter(|w| {
                        parts.iter().any(|p| {
                            *p == w.as_str()
                                || (w.len() >= 4 && p.starts_with(w.as_str()))
                                || (w.len() >= 3 && p.ends_with(w.as_str()))
                        })
                    })
                    .collect();
                (!found.is_empty()).then(|| {
                    format!(
                        "tên miền {} chứa: {}",
                        subject.host,
                        found
                            .iter()
                            .map(|w| w.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                })
            }
            Kind::MissingPhrases(fields, set) => {
                let any = fields.iter().any(|&fl| !set.find(&f.get(fl).1).is_empty());
                (!any).then(|| format!("không thấy cụm nào trong: {}", set.phrases.join("; ")))
            }
            Kind::Phrases(fields, set, min, requires) => {
                let mut total = 0;
                let mut ev = Vec::new();
                let mut required = requires.is_none();
                for &fl in fields {
                    let field = f.get(fl);
                    let found = set.find(&field.1);
                    if !found.is_empty() {
                        total += found.len();
                        ev.push(quotes(field, &found));
                    }
                    if let Some((r, chars)) = requires
                        && !required
                    {
                        required = found.iter().any(|(_, at)| {
                            !r.find(around(&field.1, at.clone(), *chars)).is_empty()
                        });
                    }
                }
                (total >= *min && required).then(|| ev.join(" … "))
            }
            Kind::Regex(fields, re, context) => {
                for &fl in fields {
                    let (orig, lower) = f.get(fl);
                    for m in re.find_iter(lower) {
                        let in_context = context.as_ref().is_none_or(|(set, chars)| {
                            !set.find(around(lower, m.range(), *chars)).is_empty()
                        });
                        if in_context {
                            return Some(format!("“{}”", quote(orig, lower, m.range())));
                        }
                    }
                }
                None
            }
            Kind::Sections(set, min) => {
                let found: Vec<&str> = x
                    .sections
                    .iter()
                    .filter(|s| !set.find(&text::lowercase(s)).is_empty())
                    .map(String::as_str)
                    .collect();
                (found.len() >= *min).then(|| format!("chuyên mục: {}", found.join(" | ")))
            }
            Kind::Reporting(set, min_chars) => {
                if x.main_text.chars().count() < *min_chars || !x.sources.is_empty() {
                    return None;
                }
                let found = set.find(&f.get(Field::Text).1);
                (!found.is_empty())
                    .then(|| format!("{} (không ghi nguồn)", quotes(f.get(Field::Text), &found)))
            }
            Kind::NoSource(min_chars) => {
                (x.sources.is_empty() && x.main_text.chars().count() >= *min_chars).then(|| {
                    let first: String = x.main_text.chars().take(120).collect();
                    format!("bài “{}” ({}…) không ghi nguồn", x.title, first)
                })
            }
            Kind::Comments => (x.comment_forms > 0)
                .then(|| format!("{} khung bình luận dưới bài “{}”", x.comment_forms, x.title)),
            Kind::OwnerBlock(required) => {
                let o = &x.owner;
                let missing: Vec<&str> = required
                    .iter()
                    .map(String::as_str)
                    .filter(|r| {
                        match *r {
                            "organisation" => &o.organisation,
                            "address" => &o.address,
                            "phone" => &o.phone,
                            "email" => &o.email,
                            "responsible" => &o.responsible,
                            _ => &o.licence,
                        }
                        .is_none()
                    })
                    .collect();
                (!missing.is_empty()).then(|| {
                    let shown: String = o.text.chars().take(200).collect();
                    format!("thiếu: {}; chân trang: “{}”", missing.join(", "), shown)
                })
            }
            Kind::NearDuplicate {
                similarity,
                min_delay_minutes,
            } => {
                let m = page.press_match?;
                if m.similarity < *similarity {
                    return None;
                }
                let cited = !x.sources.is_empty();
                let early = m.delay_minutes.is_some_and(|d| d < *min_delay_minutes);
                (!cited || early).then(|| {
                    let mut why = Vec::new();
                    if !cited {
                        why.push("không ghi nguồn".to_owned());
                    }
                    if let Some(d) = m.delay_minutes.filter(|_| early) {
                        why.push(format!("đăng sau bài gốc {d} phút"));
                    }
                    format!(
                        "trùng {:.0}% với {} ({})",
                        m.similarity * 100.0,
                        m.url,
                        why.join(", ")
                    )
                })
            }
            Kind::HiddenLinks(phrases, words, host_pattern) => {
                // Sites hide their own menus and share buttons; an injected link is hidden
                // and says what it sells, in its text or its address.
                let hidden: Vec<String> = x
                    .links
                    .iter()
                    .filter(|l| l.hidden && l.external)
                    .filter(|l| {
                        let text = text::lowercase(&text::nfc(&l.text));
                        let href = text::fold_key(&l.href);
                        let brand_host = host_pattern.as_ref().is_some_and(|re| {
                            let label = l.host.trim_start_matches("www.").split('.').next();
                            label.is_some_and(|label| !label.is_empty() && re.is_match(label))
                        });
                        brand_host
                            || !phrases.find(&text).is_empty()
                            || words.iter().any(|w| href.contains(w.as_str()))
                    })
                    .take(5)
                    .map(|l| format!("“{}” → {}", l.text, l.href))
                    .collect();
                (!hidden.is_empty()).then(|| format!("liên kết ẩn: {}", hidden.join("; ")))
            }
            Kind::ListedDomains(list) => {
                let hits: Vec<String> = x
                    .links
                    .iter()
                    .filter(|l| list.iter().any(|d| host_matches(&l.host, d)))
                    .map(|l| l.href.clone())
                    .take(5)
                    .collect();
                (!hits.is_empty()).then(|| {
                    format!(
                        "liên kết tới trang trong danh sách vi phạm: {}",
                        hits.join(", ")
                    )
                })
            }
            Kind::HealthFood {
                product,
                claims,
                disclaimer,
                confirmation,
                endorsers,
            } => {
                let t = f.get(Field::Text);
                let products = product.find(&t.1);
                let claimed = claims.find(&t.1);
                if products.is_empty() || claimed.is_empty() {
                    return None;
                }
                let mut why = vec![quotes(t, &claimed)];
                if !t.1.contains(disclaimer.as_str()) {
                    why.push(format!("thiếu dòng “{disclaimer}”"));
                }
                if !confirmation.is_match(&t.0) {
                    why.push("không có số xác nhận nội dung quảng cáo".to_owned());
                }
                let endorsed = endorsers.find(&t.1);
                if !endorsed.is_empty() {
                    why.push(format!("người bảo chứng: {}", quotes(t, &endorsed)));
                }
                // A cure claim with the disclaimer and a confirmation number is a lawful ad.
                (why.len() > 1).then(|| why.join(" · "))
            }
            Kind::Classifier(threshold) => {
                let p = page.harm_probability?;
                (p >= *threshold).then(|| {
                    let first: String = x.main_text.chars().take(160).collect();
                    format!("bộ phân loại: {:.0}% — “{}”", p * 100.0, first)
                })
            }
        }
    }
}

/// A subject's score in one category: `1 − Π(1 − weight)` over its distinct rules, with the
/// rules that made it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Score {
    /// The category.
    pub category: Category,
    /// In [0, 1).
    pub score: f64,
    /// `(rule id, weight)` of each rule that contributed.
    pub because: Vec<(String, f64)>,
}

/// Scores a subject from its hits (each rule counts once).
pub fn score(hits: &[Hit]) -> Vec<Score> {
    Category::ALL
        .into_iter()
        .map(|category| {
            let mut because: Vec<(String, f64)> = Vec::new();
            for h in hits.iter().filter(|h| h.category == category) {
                if !because.iter().any(|(id, _)| *id == h.rule) {
                    because.push((h.rule.clone(), h.weight));
                }
            }
            let score = 1.0 - because.iter().map(|(_, w)| 1.0 - w).product::<f64>();
            Score {
                category,
                score,
                because,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// Counting ASCII over bytes counts what decoding every character counts.
        #[test]
        fn letter_counts_agree_with_decoded_characters(
            s in proptest::prop_oneof![proptest::arbitrary::any::<String>(), "[a-zA-Z0-9 .đĐươạỹàé中]{0,40}"]
        ) {
            let letters = s.chars().filter(|c| c.is_alphabetic()).count();
            let marked = s.chars().filter(|&c| vietnamese_letter(c)).count();
            proptest::prop_assert_eq!(letters_and_marked(&s), (letters, marked));
        }
    }

    /// Every shipped rule has a Vietnamese name, distinct from its id, for officers and
    /// documents.
    #[test]
    fn every_shipped_rule_has_a_vietnamese_name() {
        let rules = Rules::builtin().unwrap();
        for r in rules.rules() {
            assert_ne!(r.name, r.id, "{} has no name", r.id);
            assert!(
                lantoa_core::msg::english_words(&r.name).is_empty(),
                "{}: {}",
                r.id,
                r.name
            );
        }
        assert_eq!(rules.name_of("ads.gambling"), "Quảng cáo cờ bạc, cá cược");
        assert_eq!(rules.name_of("gone.rule"), "gone.rule");
    }

    /// The code-point ranges name the same letters as the alphabet written out, in both cases.
    #[test]
    fn vietnamese_letters_are_the_alphabet_written_out() {
        let lower = "đăơưảạằắẳẵặầấẩẫậẻẽẹềếểễệỉĩịỏọồốổỗộờớởỡợủũụừứửữựỳỷỹỵ";
        for c in (0..=0x2FFFFu32).filter_map(char::from_u32) {
            let written = c.to_lowercase().next().is_some_and(|l| lower.contains(l))
                && c.to_lowercase().count() == 1;
            assert_eq!(
                vietnamese_letter(c),
                written,
                "{c:?} U+{:04X}",
                u32::from(c)
            );
        }
    }

    #[test]
    fn the_shipped_rules_compile_and_bad_files_are_refused_with_the_rule_named() {
        let rules = Rules::builtin().unwrap();
        assert!(rules.rules().len() >= 20);
        let err = Rules::parse(
            "[[rule]]\nid='x'\ncategory='harmful'\nclause='c'\nweight=2.0\nscope='any'\nkind='comments'\n",
            |_| Ok(String::new()),
        )
        .unwrap_err();
        assert!(err.to_string().contains("rule x: weight"), "{err}");
        let err = Rules::parse(
            "[[rule]]\nid='y'\ncategory='harmful'\nclause='c'\nweight=0.5\nscope='any'\nkind='phrases'\nfields=['nowhere']\nphrases=['a']\n",
            |_| Ok(String::new()),
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .contains("rule y: unknown field \"nowhere\""),
            "{err}"
        );
        assert!(Rules::parse("[[rule]]\nid=1", |_| Ok(String::new())).is_err());
        let err = Rules::parse(
            "[[rule]]\nid='z'\ncategory='harmful'\nclause='c'\nweight=0.5\nscope='any'\nkind='comments'\nphrase=['a']\n",
            |_| Ok(String::new()),
        )
        .unwrap_err();
        assert!(
            err.to_string().contains("rule z: unknown key \"phrase\""),
            "{err}"
        );
    }

    #[test]
    fn scores_combine_distinct_rules() {
        let hit = |rule: &str, w: f64| Hit {
            rule: rule.into(),
            category: Category::Advertising,
            clause: String::new(),
            weight: w,
            evidence: String::new(),
        };
        let s = score(&[hit("a", 0.5), hit("a", 0.5), hit("b", 0.5)]);
        let ads = s
            .iter()
            .find(|s| s.category == Category::Advertising)
            .unwrap();
        assert!((ads.score - 0.75).abs() < 1e-9);
        assert_eq!(ads.because.len(), 2);
        assert_eq!(
            s.iter()
                .find(|s| s.category == Category::Harmful)
                .unwrap()
                .score,
            0.0
        );
    }

    #[test]
    fn phrases_match_whole_words_only() {
        let set = PhraseSet::new("t", &["bet".into(), "nhà cái".into()]).unwrap();
        assert!(set.find("alphabet soup").is_empty());
        assert_eq!(set.find("vào nhà cái uy tín, bet ngay").len(), 2);
    }

    fn fired(html: &str) -> Vec<String> {
        fired_on(html, false)
    }

    fn fired_on(html: &str, home: bool) -> Vec<String> {
        let rules = Rules::builtin().unwrap();
        let base = url::Url::parse("https://tintuc.example/tin/1").unwrap();
        let x = crate::extract::extract(html, Some(&base));
        let facts = SubjectFacts {
            kind: crate::SubjectKind::Website,
            host: "tintuc.example",
            is_press: false,
        };
        let view = PageView {
            url: "https://tintuc.example/tin/1",
            home,
            extracted: &x,
            press_match: None,
            harm_probability: None,
        };
        rules
            .evaluate(&facts, &view)
            .into_iter()
            .map(|h| h.rule)
            .collect()
    }

    /// A brand-shaped word is a gambling brand only among gambling words.
    #[test]
    fn gambling_brands_need_gambling_context() {
        let page = |p: &str| format!("<html><body><article><p>{p}</p></article></body></html>");
        for clean in [
            "Alphabet công bố kết quả kinh doanh quý ba, doanh thu từ quảng cáo tìm kiếm tăng mạnh so với cùng kỳ năm trước.",
            "Máy tính dùng bộ xử lý x86 đời mới, tiết kiệm điện, phù hợp cho các cơ quan nhà nước triển khai dịch vụ công.",
            "Das Gebet der Gemeinde wurde am Sonntag in der Kirche gesprochen, wie jedes Jahr zu dieser Zeit üblich war.",
        ] {
            let hits = fired(&page(clean));
            assert!(
                !hits.iter().any(|r| r.starts_with("ads.gambling")),
                "{clean}: {hits:?}"
            );
        }
        let hits = fired(&page(
            "Đăng ký tài khoản FB88 hôm nay, nạp đầu nhận thưởng 100%, rút tiền nhanh trong năm phút.",
        ));
        assert!(hits.iter().any(|r| r == "ads.gambling_brand"), "{hits:?}");
    }

    /// Random bytes served as a page give no finding of any kind.
    #[test]
    fn random_bytes_give_no_finding() {
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..20 {
            let bytes: Vec<u8> = (0..20_000)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    (x >> 24) as u8
                })
                .collect();
            let text = String::from_utf8_lossy(&bytes);
            let hits = fired(&text);
            assert!(hits.is_empty(), "{hits:?}");
        }
    }

    /// A licensed site whose home page carries the complete block in the standard wording
    /// gives no owner-block finding; without the licence line it does.
    #[test]
    fn a_complete_owner_block_gives_no_finding() {
        let footer = |licence: &str| {
            format!(
                "<html><body><nav class=\"menu\"><a href=\"/thoi-su\">Thời sự</a></nav><main><ul><li><a href=\"/tin/1\">Tin một</a></li></ul></main><footer><p>Cơ quan chủ quản: Công ty Cổ phần Truyền thông Sông Hồng</p><p>Địa chỉ: 5 phố Thử, Hà Nội</p><p>Điện thoại: 024 3999 1111 - Email: bandoc@songhong.example</p><p>Chịu trách nhiệm nội dung: Nguyễn Thị Hồng</p>{licence}</footer></body></html>"
            )
        };
        let complete = fired_on(
            &footer(
                "<p>Giấy phép thiết lập trang thông tin điện tử tổng hợp số 99/GP-TTĐT do Sở Thông tin và Truyền thông Hà Nội cấp ngày 12/05/2023</p>",
            ),
            true,
        );
        assert!(
            !complete
                .iter()
                .any(|r| r == "baohoa.owner_block_incomplete"),
            "{complete:?}"
        );
        let without = fired_on(&footer(""), true);
        assert!(
            without.iter().any(|r| r == "baohoa.owner_block_incomplete"),
            "{without:?}"
        );
    }

    /// The báo hóa obligations are read on Vietnamese pages only: a French or German page,
    /// with its own accents, is not held to them.
    #[test]
    fn vietnamese_pages_are_told_from_others() {
        let page = |title: &str, text: &str| crate::extract::Extracted {
            title: title.into(),
            main_text: text.into(),
            ..Default::default()
        };
        assert!(is_vietnamese(&page(
            "Giá rau tăng mạnh sau mưa lớn",
            "Sau những ngày mưa lớn, giá nhiều loại rau xanh tại các chợ dân sinh tăng từ 20 đến 30 phần trăm."
        )));
        for (title, text) in [
            (
                "Le journal des idées",
                "Serions-nous entrés dans l’ère de ce que l’on appelle la société de la performance ? Les individus productifs communiquent, évaluent, déçoivent.",
            ),
            (
                "Lithium aus dem Schredder",
                "Die Ökobilanz von Elektroautos hängt stark davon ab, ob die Akkus später wiederverwertet werden können; übrig bleibt nur die Folie.",
            ),
            (
                "Nam Nghi Phu Quoc opens",
                "Grounded in sustainable architecture and refined Vietnamese craftsmanship, the resort on Phu Quoc island opened this month.",
            ),
        ] {
            assert!(!is_vietnamese(&page(title, text)), "{title}");
        }
        let html = "<html><body><article><p>Die Ökobilanz von Elektroautos hängt stark davon ab, ob die Akkus später wiederverwertet werden können, sagen die Forscher in ihrer neuen Studie aus dem Jahr 2019, und das ist nicht alles, was sie herausgefunden haben in vielen Monaten Arbeit.</p></article><footer>Impressum</footer></body></html>";
        assert!(
            fired_on(html, true).is_empty(),
            "{:?}",
            fired_on(html, true)
        );
        assert!(
            fired_on(html, false).is_empty(),
            "{:?}",
            fired_on(html, false)
        );
    }

    /// Sites hide their own menus and share buttons; a hidden link counts when it says what
    /// it sells, in its text, its address or a brand-shaped host.
    #[test]
    fn hidden_links_count_only_when_they_sell_a_banned_trade() {
        let body = "<p>Người dân phản ánh, chính quyền tiếp nhận, xử lý và trả lời trong thời hạn quy định tại địa phương.</p>";
        let page = |links: &str| {
            format!(
                "<html><body><article>{body}</article><div style=\"display:none\">{links}</div></body></html>"
            )
        };
        let fired_with = |links: &str| fired(&page(links)).iter().any(|r| r == "ads.hidden_links");
        assert!(!fired_with(
            "<a href=\"https://www.facebook.com/tintuc\">F</a><a href=\"https://sso.example/logout\">Đăng xuất</a>"
        ));
        assert!(fired_with(
            "<a href=\"https://khuyenmai.example/\">nhà cái uy tín</a>"
        ));
        assert!(fired_with(
            "<a href=\"https://casino-online-vn.example/\">vào đây</a>"
        ));
        assert!(fired_with("<a href=\"https://fb88.example/\">vào đây</a>"));
    }
}
