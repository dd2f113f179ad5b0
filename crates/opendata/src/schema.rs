//! Table Schema: the Frictionless description of a dataset's columns (specs.frictionlessdata.io
//! /table-schema), read from JSON and checked before any row is.
//!
//! A schema that is not valid Table Schema is refused with every problem and where it is
//! (`fields[2].constraints.minimum: …`). Lantoa reads the standard's types, formats and
//! constraints, `missingValues` and `primaryKey`, and a few properties of its own, prefixed
//! `lantoa:` so Frictionless tools ignore them:
//!
//! * `lantoa:kind` — what the column holds in Vietnamese terms, which decides how it is
//!   cleaned and checked: `name` (a person's or place's name: trimmed, NFC, each word
//!   capitalised), `cccd` (12-digit citizen identity number), `tax_code`, `phone`, `commune`
//!   (an administrative unit name or code, mapped to the current units).
//!   `district` (a district of before 1/7/2025) and `province`: they tell the `commune` column
//!   which old unit a name is.
//! * `lantoa:birthDateField`, `lantoa:sexField` — on a `cccd` column, the columns its birth
//!   year and sex digits are checked against.
//! * `lantoa:districtField`, `lantoa:provinceField` — on a `commune` column, the columns that
//!   narrow its names. Without them the schema's one `district` (`province`) column is used,
//!   or else its one untyped string column named as such (`quan_huyen`, `Quận/Huyện`,
//!   `district`; `tinh`, `province`), which then holds that kind.
//!
//! What a column is shared as (dropped, generalised) is the dataset's de-identification
//! policy, not the schema's.

use std::collections::HashSet;

use chrono::NaiveDate;
use lantoa_core::msg::Msg;
use regex::Regex;
use serde::Deserialize;
use serde_json::Value;

/// A compiled `pattern` constraint, anchored at both ends. Matched by a dense DFA when the
/// pattern's is small (no cache to fetch per match: most patterns are short codes checked on
/// every row), else by the `regex` crate's lazy one.
#[derive(Debug, Clone)]
pub struct Pattern {
    re: Regex,
    dfa: Option<regex_automata::dfa::dense::DFA<Vec<u32>>>,
}

impl Pattern {
    /// Compiles `p` (Table Schema: an XML Schema-style pattern that must match the whole value).
    pub fn new(p: &str) -> Result<Self, regex::Error> {
        use regex_automata::dfa::{StartKind, dense};
        let anchored = format!("^(?:{p})$");
        let re = Regex::new(&anchored)?;
        let dfa = dense::Builder::new()
            .configure(
                dense::Config::new()
                    .start_kind(StartKind::Anchored)
                    .dfa_size_limit(Some(1 << 20))
                    .determinize_size_limit(Some(1 << 22)),
            )
            .build(&anchored)
            .ok();
        Ok(Self { re, dfa })
    }

    /// Whether the whole of `s` matches.
    pub fn is_match(&self, s: &str) -> bool {
        use regex_automata::dfa::Automaton;
        use regex_automata::{Anchored, Input};
        let Some(dfa) = &self.dfa else {
            return self.re.is_match(s);
        };
        // The DFA walked byte by byte: the pattern is anchored at both ends, so it matches when
        // the state after the end of the input is a match state (a match is seen one step late).
        let Ok(mut state) = dfa.start_state_forward(&Input::new(s).anchored(Anchored::Yes)) else {
            return self.re.is_match(s);
        };
        for &b in s.as_bytes() {
            state = dfa.next_state(state, b);
            if dfa.is_special_state(state) {
                if dfa.is_dead_state(state) {
                    return false;
                }
                if dfa.is_quit_state(state) {
                    return self.re.is_match(s);
                }
            }
        }
        dfa.is_match_state(dfa.next_eoi_state(state))
    }

    /// The pattern as compiled (`^(?:…)$`).
    pub fn as_str(&self) -> &str {
        self.re.as_str()
    }
}

/// One problem in a schema, with where it is.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SchemaProblem {
    /// JSON path, e.g. `fields[2].type`.
    pub path: String,
    /// What is wrong (rendered in the reader's language; `Display` is English).
    pub message: Msg,
}

impl std::fmt::Display for SchemaProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// A column's type, with what parsing it needs.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldType {
    /// Text; `format` is `default`, `email`, `uri` or `uuid`.
    String(StringFormat),
    /// A whole number.
    Integer,
    /// A decimal number, written with `decimal_char` and optional `group_char`.
    Number {
        /// Decimal separator (`.` by default; `,` in Vietnamese writing).
        decimal_char: char,
        /// Thousands separator, if any (`.` in Vietnamese writing).
        group_char: Option<char>,
        /// When false, leading and trailing non-numeric text (currency) is allowed.
        bare_number: bool,
    },
    /// True or false, from the listed spellings.
    Boolean {
        /// Spellings of true.
        true_values: Vec<String>,
        /// Spellings of false.
        false_values: Vec<String>,
    },
    /// A calendar date.
    Date(DateFormat),
    /// A date and time (ISO 8601).
    Datetime,
    /// A year.
    Year,
}

/// The `format` of a string column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StringFormat {
    /// Any text.
    Default,
    /// An e-mail address.
    Email,
    /// An absolute URI.
    Uri,
    /// A UUID.
    Uuid,
}

/// The `format` of a date column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DateFormat {
    /// ISO `YYYY-MM-DD`.
    Default,
    /// Any recognisable date; Lantoa reads Vietnamese day-first forms and Excel serials.
    Any,
    /// A strptime pattern such as `%d/%m/%Y`.
    Pattern(String),
}

/// What a column holds in Vietnamese terms (`lantoa:kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A person's or place's name.
    Name,
    /// A citizen identity number.
    Cccd,
    /// A tax code (mã số thuế).
    TaxCode,
    /// A mobile number.
    Phone,
    /// An administrative unit (commune/ward), by name or code, old or current.
    Commune,
    /// A district of before 1/7/2025: it tells which old commune a `commune` column names.
    District,
    /// A province: only Hà Nội's units are known.
    Province,
}

impl Kind {
    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "name" => Self::Name,
            "cccd" => Self::Cccd,
            "tax_code" => Self::TaxCode,
            "phone" => Self::Phone,
            "commune" => Self::Commune,
            "district" => Self::District,
            "province" => Self::Province,
            _ => return None,
        })
    }
}

/// Column names (compared on their tone key) that hold a district or a province when the
/// schema has a `commune` column and does not say which columns do.
const DISTRICT_COLUMNS: [&str; 9] = [
    "quan_huyen",
    "quan huyen",
    "quận huyện",
    "quận/huyện",
    "quan/huyen",
    "quận, huyện",
    "district",
    "huyen",
    "huyện",
];
const PROVINCE_COLUMNS: [&str; 7] = [
    "tinh",
    "tỉnh",
    "tinh_thanh",
    "tỉnh/thành phố",
    "tỉnh, thành phố",
    "tinh_tp",
    "province",
];

/// Links each `commune` column to the schema's one district and one province column when the
/// schema does not: a column of that kind, or else one named as [`DISTRICT_COLUMNS`] and
/// [`PROVINCE_COLUMNS`] with no kind of its own (which then takes that kind).
fn link_places(fields: &mut [Field]) {
    if !fields.iter().any(|f| f.vn == Some(Kind::Commune)) {
        return;
    }
    for (kind, names) in [
        (Kind::District, &DISTRICT_COLUMNS[..]),
        (Kind::Province, &PROVINCE_COLUMNS[..]),
    ] {
        let keys: Vec<String> = names
            .iter()
            .map(|n| lantoa_core::text::tone_key(n))
            .collect();
        let named: Vec<usize> = (0..fields.len())
            .filter(|&j| {
                fields[j].vn.is_none()
                    && matches!(fields[j].kind, FieldType::String(_))
                    && keys.contains(&lantoa_core::text::tone_key(&fields[j].name))
            })
            .collect();
        let declared: Vec<usize> = (0..fields.len())
            .filter(|&j| fields[j].vn == Some(kind))
            .collect();
        let one = match (declared.as_slice(), named.as_slice()) {
            ([j], _) => *j,
            ([], [j]) => *j,
            _ => continue,
        };
        fields[one].vn = Some(kind);
        for f in fields.iter_mut().filter(|f| f.vn == Some(Kind::Commune)) {
            let link = match kind {
                Kind::District => &mut f.district_field,
                _ => &mut f.province_field,
            };
            link.get_or_insert(one);
        }
    }
}

/// A bound of `minimum`/`maximum`, in the column's type.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub enum Bound {
    /// For integer, number and year columns.
    Number(f64),
    /// For date columns.
    Date(NaiveDate),
}

/// One column.
#[derive(Debug, Clone)]
pub struct Field {
    /// Its name, as in the header.
    pub name: String,
    /// Its type.
    pub kind: FieldType,
    /// Vietnamese kind, if declared.
    pub vn: Option<Kind>,
    /// Must have a value.
    pub required: bool,
    /// Values must not repeat.
    pub unique: bool,
    /// Shortest allowed value, in characters.
    pub min_length: Option<usize>,
    /// Longest allowed value, in characters.
    pub max_length: Option<usize>,
    /// Smallest allowed value.
    pub minimum: Option<Bound>,
    /// Largest allowed value.
    pub maximum: Option<Bound>,
    /// A pattern the whole value must match.
    pub pattern: Option<Pattern>,
    /// The allowed values (after cleaning).
    pub allowed: Option<HashSet<String>>,
    /// Spellings of "no value".
    pub missing_values: Vec<String>,
    /// For `cccd`: the birth date column's index.
    pub birth_date_field: Option<usize>,
    /// For `cccd`: the sex column's index.
    pub sex_field: Option<usize>,
    /// For `commune`: the district column's index.
    pub district_field: Option<usize>,
    /// For `commune`: the province column's index.
    pub province_field: Option<usize>,
    /// How the field is shared (`lantoa:share`).
    pub share: crate::share::Share,
    /// A quasi-identifier for the k-anonymity check (`lantoa:quasi`).
    pub quasi: bool,
    /// Declared by the schema's author not to be personal data though its values look so
    /// (`lantoa:personal: false`: street names after historical figures, say).
    pub not_personal: bool,
}

/// A checked Table Schema.
#[derive(Debug, Clone)]
pub struct Schema {
    /// The columns, in order.
    pub fields: Vec<Field>,
    /// Indexes of the primary key's columns.
    pub primary_key: Vec<usize>,
    /// Each published row's quasi-identifier values must be shared by at least this many
    /// published rows (`lantoa:k`).
    pub k: Option<usize>,
    /// The JSON it was read from, kept to publish beside the data.
    pub source: Value,
}

#[derive(Deserialize)]
struct Raw {
    fields: Vec<Value>,
}

/// Names of the allowed types, for messages.
const TYPES: &str = "string, integer, number, boolean, date, datetime, year";

impl Schema {
    /// Reads and checks a Table Schema from JSON text.
    pub fn from_json(text: &str) -> Result<Self, Vec<SchemaProblem>> {
        let value: Value = serde_json::from_str(text).map_err(|e| {
            vec![SchemaProblem {
                path: format!("line {}, column {}", e.line(), e.column()),
                // serde_json's own words (English) go in as they are.
                message: Msg::new("schema-not-json").arg("detail", e),
            }]
        })?;
        Self::from_value(value)
    }

    /// Checks a Table Schema given as JSON.
    pub fn from_value(value: Value) -> Result<Self, Vec<SchemaProblem>> {
        let mut problems = Vec::new();
        let mut problem = |path: String, message: Msg| {
            problems.push(SchemaProblem { path, message });
        };
        let Some(obj) = value.as_object() else {
            return Err(vec![SchemaProblem {
                path: "(root)".into(),
                message: Msg::new("schema-not-object"),
            }]);
        };
        let raw: Raw = match serde_json::from_value(value.clone()) {
            Ok(r) => r,
            Err(_) => {
                return Err(vec![SchemaProblem {
                    path: "fields".into(),
                    message: Msg::new("schema-fields-list"),
                }]);
            }
        };
        if raw.fields.is_empty() {
            problem("fields".into(), Msg::new("schema-no-fields"));
        }
        let schema_missing = match obj.get("missingValues") {
            None => vec![String::new()],
            Some(v) => string_list(v).unwrap_or_else(|| {
                problem("missingValues".into(), Msg::new("schema-string-list"));
                vec![String::new()]
            }),
        };
        let mut fields = Vec::with_capacity(raw.fields.len());
        let mut names = HashSet::new();
        let mut links = Vec::new();
        for (i, f) in raw.fields.iter().enumerate() {
            let at = |k: &str| format!("fields[{i}].{k}");
            let Some(f) = f.as_object() else {
                problem(format!("fields[{i}]"), Msg::new("schema-object"));
                continue;
            };
            let name = match f.get("name").and_then(Value::as_str) {
                Some(n) if !n.trim().is_empty() => n.to_owned(),
                _ => {
                    problem(at("name"), Msg::new("schema-name-required"));
                    continue;
                }
            };
            if !names.insert(lantoa_core::text::clean(&name)) {
                problem(at("name"), Msg::new("schema-name-taken").arg("name", &name));
            }
            let ty = f.get("type").and_then(Value::as_str).unwrap_or("string");
            let format = f.get("format").and_then(Value::as_str).unwrap_or("default");
            let kind = match ty {
                "string" => match format {
                    "default" => FieldType::String(StringFormat::Default),
                    "email" => FieldType::String(StringFormat::Email),
                    "uri" => FieldType::String(StringFormat::Uri),
                    "uuid" => FieldType::String(StringFormat::Uuid),
                    other => {
                        problem(
                            at("format"),
                            Msg::new("schema-string-format").arg("value", other),
                        );
                        FieldType::String(StringFormat::Default)
                    }
                },
                "integer" => FieldType::Integer,
                "number" => {
                    let ch = |k: &str, default: Option<char>| match f.get(k) {
                        None => Ok(default),
                        Some(Value::String(s)) if s.chars().count() == 1 => Ok(s.chars().next()),
                        Some(Value::String(s)) if s.is_empty() => Ok(None),
                        Some(_) => Err(Msg::new("schema-single-char").arg("key", k)),
                    };
                    let decimal_char = match ch("decimalChar", Some('.')) {
                        Ok(c) => c.unwrap_or('.'),
                        Err(m) => {
                            problem(at("decimalChar"), m);
                            '.'
                        }
                    };
                    let group_char = match ch("groupChar", None) {
                        Ok(c) => c,
                        Err(m) => {
                            problem(at("groupChar"), m);
                            None
                        }
                    };
                    if group_char == Some(decimal_char) {
                        problem(at("groupChar"), Msg::new("schema-group-decimal"));
                    }
                    let bare_number = match f.get("bareNumber") {
                        None => true,
                        Some(Value::Bool(b)) => *b,
                        Some(_) => {
                            problem(at("bareNumber"), Msg::new("schema-bool"));
                            true
                        }
                    };
                    FieldType::Number {
                        decimal_char,
                        group_char,
                        bare_number,
                    }
                }
                "boolean" => {
                    let list = |k: &str, default: &[&str]| match f.get(k) {
                        None => Some(default.iter().map(|s| (*s).to_owned()).collect()),
                        Some(v) => string_list(v),
                    };
                    let t = list("trueValues", &["true", "True", "TRUE", "1"]);
                    let fl = list("falseValues", &["false", "False", "FALSE", "0"]);
                    if t.is_none() {
                        problem(at("trueValues"), Msg::new("schema-string-list"));
                    }
                    if fl.is_none() {
                        problem(at("falseValues"), Msg::new("schema-string-list"));
                    }
                    FieldType::Boolean {
                        true_values: t.unwrap_or_default(),
                        false_values: fl.unwrap_or_default(),
                    }
                }
                "date" => FieldType::Date(match format {
                    "default" => DateFormat::Default,
                    "any" => DateFormat::Any,
                    p if p.contains('%') => {
                        if let Err(m) = check_strptime(p) {
                            problem(at("format"), m);
                        }
                        DateFormat::Pattern(p.to_owned())
                    }
                    other => {
                        problem(
                            at("format"),
                            Msg::new("schema-date-format").arg("value", other),
                        );
                        DateFormat::Default
                    }
                }),
                "datetime" => FieldType::Datetime,
                "year" => FieldType::Year,
                other => {
                    problem(
                        at("type"),
                        Msg::new("schema-type")
                            .arg("value", other)
                            .arg("types", TYPES),
                    );
                    FieldType::String(StringFormat::Default)
                }
            };
            let vn = match f.get("lantoa:kind") {
                None => None,
                Some(Value::String(s)) => Kind::parse(s).or_else(|| {
                    problem(at("lantoa:kind"), Msg::new("schema-kind").arg("value", s));
                    None
                }),
                Some(_) => {
                    problem(at("lantoa:kind"), Msg::new("schema-string"));
                    None
                }
            };
            let missing_values = match f.get("missingValues") {
                None => schema_missing.clone(),
                Some(v) => string_list(v).unwrap_or_else(|| {
                    problem(at("missingValues"), Msg::new("schema-string-list"));
                    schema_missing.clone()
                }),
            };
            let mut field = Field {
                name,
                kind,
                vn,
                required: false,
                unique: false,
                min_length: None,
                max_length: None,
                minimum: None,
                maximum: None,
                pattern: None,
                allowed: None,
                missing_values,
                birth_date_field: None,
                sex_field: None,
                district_field: None,
                province_field: None,
                share: crate::share::Share::Keep,
                quasi: false,
                not_personal: false,
            };
            match f.get("lantoa:share") {
                None => {}
                Some(serde_json::Value::String(v)) => match crate::share::Share::parse(v) {
                    Some(share) => {
                        let fits = match share {
                            crate::share::Share::Year | crate::share::Share::AgeBand => {
                                matches!(field.kind, FieldType::Date(_) | FieldType::Datetime)
                            }
                            crate::share::Share::SuppressBelow(_) => {
                                matches!(field.kind, FieldType::Integer | FieldType::Number { .. })
                            }
                            _ => true,
                        };
                        if fits {
                            field.share = share;
                        } else {
                            problem(
                                at("lantoa:share"),
                                Msg::new("schema-share-type").arg("value", v),
                            );
                        }
                    }
                    None => problem(
                        at("lantoa:share"),
                        Msg::new("schema-share-policy").arg("value", v),
                    ),
                },
                Some(_) => problem(at("lantoa:share"), Msg::new("schema-string")),
            }
            match f.get("lantoa:personal") {
                None => {}
                Some(serde_json::Value::Bool(b)) => field.not_personal = !*b,
                Some(_) => problem(at("lantoa:personal"), Msg::new("schema-bool")),
            }
            match f.get("lantoa:quasi") {
                None => {}
                Some(serde_json::Value::Bool(b)) => field.quasi = *b,
                Some(_) => problem(at("lantoa:quasi"), Msg::new("schema-bool")),
            }
            if let Some(c) = f.get("constraints") {
                constraints(&mut field, c, i, &mut problem);
            }
            for key in [
                "lantoa:birthDateField",
                "lantoa:sexField",
                "lantoa:districtField",
                "lantoa:provinceField",
            ] {
                if let Some(v) = f.get(key) {
                    match v.as_str() {
                        Some(s) => links.push((i, key, s.to_owned())),
                        None => problem(at(key), Msg::new("schema-field-name")),
                    }
                }
            }
            fields.push(field);
        }
        for (i, key, target) in links {
            let path = format!("fields[{i}].{key}");
            let Some(j) = fields.iter().position(|f| f.name == target) else {
                problem(path, Msg::new("schema-no-field").arg("name", &target));
                continue;
            };
            let (owner, target_kind) = match key {
                "lantoa:districtField" | "lantoa:provinceField" => (Kind::Commune, true),
                _ => (Kind::Cccd, false),
            };
            if fields[i].vn != Some(owner) {
                problem(
                    path,
                    Msg::new("schema-kind-only").arg(
                        "kind",
                        if owner == Kind::Commune {
                            "commune"
                        } else {
                            "cccd"
                        },
                    ),
                );
                continue;
            }
            let want = if key == "lantoa:districtField" {
                Kind::District
            } else {
                Kind::Province
            };
            if target_kind && fields[j].vn.is_some_and(|k| k != want) {
                problem(path, Msg::new("schema-other-kind").arg("name", &target));
                continue;
            }
            match key {
                "lantoa:sexField" => fields[i].sex_field = Some(j),
                "lantoa:birthDateField" => fields[i].birth_date_field = Some(j),
                "lantoa:districtField" => {
                    fields[j].vn = Some(Kind::District);
                    fields[i].district_field = Some(j);
                }
                _ => {
                    fields[j].vn = Some(Kind::Province);
                    fields[i].province_field = Some(j);
                }
            }
        }
        link_places(&mut fields);
        let mut primary_key = Vec::new();
        match obj.get("primaryKey") {
            None => {}
            Some(v) => {
                let names = match v {
                    Value::String(s) => Some(vec![s.clone()]),
                    other => string_list(other),
                };
                match names {
                    None => problem("primaryKey".into(), Msg::new("schema-primary-key")),
                    Some(names) => {
                        for n in names {
                            match fields.iter().position(|f| f.name == n) {
                                Some(j) => primary_key.push(j),
                                None => problem(
                                    "primaryKey".into(),
                                    Msg::new("schema-no-field").arg("name", &n),
                                ),
                            }
                        }
                    }
                }
            }
        }
        let k = match obj.get("lantoa:k") {
            None => None,
            Some(v) => match v.as_u64() {
                Some(k) if k >= 2 => {
                    if !fields.iter().any(|f| f.quasi) {
                        problem("lantoa:k".into(), Msg::new("schema-k-quasi"));
                    }
                    usize::try_from(k).ok()
                }
                _ => {
                    problem("lantoa:k".into(), Msg::new("schema-k-number"));
                    None
                }
            },
        };
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(Self {
            fields,
            primary_key,
            k,
            source: value,
        })
    }

    /// The index of the column named `name`.
    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.fields.iter().position(|f| f.name == name)
    }
}

fn string_list(v: &Value) -> Option<Vec<String>> {
    v.as_array()?
        .iter()
        .map(|x| x.as_str().map(str::to_owned))
        .collect()
}

/// The strptime directives Lantoa's date reader understands.
fn check_strptime(p: &str) -> Result<(), Msg> {
    let mut chars = p.chars();
    let mut has = (false, false, false);
    while let Some(c) = chars.next() {
        if c == '%' {
            match chars.next() {
                Some('d') => has.0 = true,
                Some('m') => has.1 = true,
                Some('Y') | Some('y') => has.2 = true,
                Some(other) => {
                    return Err(Msg::new("schema-strptime-unsupported").arg("directive", other));
                }
                None => return Err(Msg::new("schema-strptime-lone")),
            }
        }
    }
    if has != (true, true, true) {
        return Err(Msg::new("schema-strptime-needs"));
    }
    Ok(())
}

fn constraints(field: &mut Field, c: &Value, i: usize, problem: &mut impl FnMut(String, Msg)) {
    let at = |k: &str| format!("fields[{i}].constraints.{k}");
    let Some(c) = c.as_object() else {
        problem(
            format!("fields[{i}].constraints"),
            Msg::new("schema-object"),
        );
        return;
    };
    for (k, v) in c {
        match k.as_str() {
            "required" | "unique" => match v.as_bool() {
                Some(b) if k == "required" => field.required = b,
                Some(b) => field.unique = b,
                None => problem(at(k), Msg::new("schema-bool")),
            },
            "minLength" | "maxLength" => match v.as_u64().and_then(|n| usize::try_from(n).ok()) {
                Some(n) if k == "minLength" => field.min_length = Some(n),
                Some(n) => field.max_length = Some(n),
                None => problem(at(k), Msg::new("schema-whole-chars")),
            },
            "minimum" | "maximum" => {
                let bound = match &field.kind {
                    FieldType::Integer | FieldType::Number { .. } | FieldType::Year => v
                        .as_f64()
                        .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
                        .map(Bound::Number),
                    // Table Schema writes a bound as a value of the field, in its format.
                    FieldType::Date(format) => v
                        .as_str()
                        .and_then(|s| {
                            crate::clean::date(s, format)
                                .ok()
                                .or_else(|| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
                        })
                        .map(Bound::Date),
                    _ => {
                        problem(at(k), Msg::new("schema-bound-type"));
                        continue;
                    }
                };
                match bound {
                    Some(b) if k == "minimum" => field.minimum = Some(b),
                    Some(b) => field.maximum = Some(b),
                    None => problem(at(k), Msg::new("schema-bound-value")),
                }
            }
            "pattern" => match v.as_str().map(Pattern::new) {
                Some(Ok(r)) => field.pattern = Some(r),
                // The regex crate's own words (English) go in as they are.
                Some(Err(e)) => problem(at(k), Msg::new("schema-pattern").arg("detail", e)),
                None => problem(at(k), Msg::new("schema-string")),
            },
            "enum" => match v.as_array() {
                Some(list) => {
                    field.allowed = Some(
                        list.iter()
                            .map(|x| match x {
                                Value::String(s) => s.clone(),
                                other => other.to_string(),
                            })
                            .collect(),
                    );
                }
                None => problem(at(k), Msg::new("schema-value-list")),
            },
            "exclusiveMinimum" | "exclusiveMaximum" | "jsonSchema" => {
                problem(at(k), Msg::new("schema-unchecked"))
            }
            other => problem(at(other), Msg::new("schema-not-constraint")),
        }
    }
    if let (Some(a), Some(b)) = (field.min_length, field.max_length)
        && a > b
    {
        problem(
            at("minLength"),
            Msg::new("schema-min-max").arg("min", a).arg("max", b),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dfa_walk_matches_whole_values_only() {
        for (p, yes, no) in [
            ("HS[0-9]{8}", "HS12345678", "HS123456789"),
            ("[0-9]{12}", "001196000000", "00119600000"),
            ("[0-9]{10}(-[0-9]{3})?", "0101234567-001", "0101234567-01"),
            ("0(3[2-9]|9[0-46-9])[0-9]{7}", "0912345678", "0952345678"),
        ] {
            let pattern = Pattern::new(p).unwrap();
            assert!(pattern.dfa.is_some(), "{p} is small enough for a dense DFA");
            assert!(pattern.is_match(yes) && !pattern.is_match(no), "{p}");
            assert!(
                !pattern.is_match(&format!("x{yes}")) && !pattern.is_match(""),
                "{p}"
            );
        }
    }

    proptest::proptest! {
        #[test]
        fn the_dfa_walk_decides_as_the_regex_crate(
            which in 0usize..5,
            text in "(HS|0|[0-9]|[a-zA-Zđĩ]|-|@|\\.){0,16}",
        ) {
            let p = [
                "HS[0-9]{8}",
                "[0-9]{12}",
                "0(3[2-9]|5[25689]|7[06-9]|8[1-9]|9[0-46-9])[0-9]{7}",
                "[0-9]{10}(-[0-9]{3})?",
                "[A-Za-zđ]+(\\.[a-z]+)*|",
            ][which];
            let pattern = Pattern::new(p).unwrap();
            let re = Regex::new(&format!("^(?:{p})$")).unwrap();
            proptest::prop_assert_eq!(pattern.is_match(&text), re.is_match(&text), "{} on {:?}", p, text);
        }
    }

    #[test]
    fn reads_types_constraints_and_the_primary_key() {
        let s = Schema::from_json(
            r#"{"fields": [
                {"name": "ma", "type": "string", "constraints": {"required": true, "unique": true, "pattern": "[A-Z]{2}[0-9]+"}},
                {"name": "so_tien", "type": "number", "decimalChar": ",", "groupChar": ".", "constraints": {"minimum": 0}},
                {"name": "ngay", "type": "date", "format": "%d/%m/%Y", "constraints": {"minimum": "01/01/2020"}},
                {"name": "cccd", "lantoa:kind": "cccd", "lantoa:birthDateField": "ngay"}
            ], "primaryKey": "ma"}"#,
        )
        .unwrap();
        assert_eq!(s.primary_key, vec![0]);
        assert!(s.fields[0].required && s.fields[0].unique);
        assert!(s.fields[0].pattern.as_ref().unwrap().is_match("HN12"));
        assert!(!s.fields[0].pattern.as_ref().unwrap().is_match("xHN12"));
        assert!(!s.fields[0].pattern.as_ref().unwrap().is_match("HN12x"));
        assert_eq!(
            s.fields[1].kind,
            FieldType::Number {
                decimal_char: ',',
                group_char: Some('.'),
                bare_number: true
            }
        );
        assert_eq!(
            s.fields[2].minimum,
            Some(Bound::Date(NaiveDate::from_ymd_opt(2020, 1, 1).unwrap()))
        );
        assert_eq!(s.fields[3].birth_date_field, Some(2));
    }

    /// A commune column is linked to its district and province columns: named by
    /// `lantoa:districtField`, the one column of that kind, or the one untyped column named as
    /// agencies name it; a link to the wrong kind of column is refused.
    #[test]
    fn a_commune_column_finds_its_district_and_province() {
        let s = Schema::from_json(
            r#"{"fields": [
                {"name": "xa", "lantoa:kind": "commune"},
                {"name": "Quận/Huyện"},
                {"name": "tinh"},
                {"name": "ghi_chu"}
            ]}"#,
        )
        .unwrap();
        assert_eq!(s.fields[0].district_field, Some(1));
        assert_eq!(s.fields[0].province_field, Some(2));
        assert_eq!(s.fields[1].vn, Some(Kind::District));
        assert_eq!(s.fields[2].vn, Some(Kind::Province));
        assert_eq!(s.fields[3].vn, None);
        let s = Schema::from_json(
            r#"{"fields": [
                {"name": "xa", "lantoa:kind": "commune", "lantoa:districtField": "noi_cu"},
                {"name": "noi_cu"},
                {"name": "huyen"}
            ]}"#,
        )
        .unwrap();
        assert_eq!(s.fields[0].district_field, Some(1));
        assert_eq!(s.fields[1].vn, Some(Kind::District));
        // Without a commune column, a column named "huyen" is only text.
        let s = Schema::from_json(r#"{"fields": [{"name": "huyen"}]}"#).unwrap();
        assert_eq!(s.fields[0].vn, None);
        let err = Schema::from_json(
            r#"{"fields": [
                {"name": "xa", "lantoa:kind": "commune", "lantoa:districtField": "sdt"},
                {"name": "sdt", "lantoa:kind": "phone"},
                {"name": "ten", "lantoa:districtField": "xa"},
                {"name": "x2", "lantoa:kind": "commune", "lantoa:provinceField": "khong"}
            ]}"#,
        )
        .unwrap_err()
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n");
        for want in [
            "fields[0].lantoa:districtField: \"sdt\" holds another kind of value",
            "fields[2].lantoa:districtField: only a field of lantoa:kind \"commune\" has this",
            "fields[3].lantoa:provinceField: no field is named \"khong\"",
        ] {
            assert!(err.contains(want), "{want} in {err}");
        }
    }

    #[test]
    fn an_invalid_schema_names_every_problem_and_where() {
        let err = Schema::from_json(
            r#"{"fields": [
                {"name": "a", "type": "interger"},
                {"name": "a", "constraints": {"minimum": 3, "requird": true}},
                {"type": "string"},
                {"name": "d", "type": "date", "format": "%d/%q/%Y"}
            ], "primaryKey": ["zz"]}"#,
        )
        .unwrap_err();
        let paths: Vec<&str> = err.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(
            paths,
            vec![
                "fields[0].type",
                "fields[1].name",
                "fields[1].constraints.minimum",
                "fields[1].constraints.requird",
                "fields[2].name",
                "fields[3].format",
                "primaryKey"
            ],
            "{err:#?}"
        );
        assert!(err[0].message.to_string().contains("interger"));
        let not_json = Schema::from_json("{\"fields\": [").unwrap_err();
        assert!(not_json[0].path.starts_with("line 1"), "{not_json:?}");
        assert!(Schema::from_json("[]").is_err());
        assert!(Schema::from_json(r#"{"fields": []}"#).is_err());
    }
}
