//! Cleaning and validating rows against a schema.
//!
//! [`Checker::row`] takes one row's cells in schema order and says what becomes of it: clean
//! (with its cleaned values, ready to publish), dirty (with every error, each in the Frictionless
//! vocabulary with its field and cell), or a repeat of an earlier row with the same primary key
//! and the same values (dropped, and counted). Uniqueness is remembered as 64-bit hashes of the
//! cleaned key, salted per run, in [`KeyTable`]s: about 11–14 bytes per distinct key, whatever
//! the keys' length. A repeated key's row is compared by a 16-bit fingerprint of its values, so
//! a row that changes values under the same key is taken for a repeat with a 1 in 65,536
//! chance; each dropped repeat comes out with its row number, for the upload's report.

use std::borrow::Cow;
use std::collections::HashMap;

use lantoa_core::citizen_id::CitizenId;
use lantoa_core::msg::{Describe as _, Msg};
use lantoa_core::phone::NumberingPlan;
use lantoa_core::tax_code::TaxCode;
use unicode_normalization::UnicodeNormalization;

use crate::admin::{AdminMap, Context, Mapped};
use crate::clean::{self, is_nfc};
use crate::decode::EncodingProblem;
use crate::keys::KeyTable;
use crate::schema::{Bound, FieldType, Kind, Schema};

/// The kinds of error, named as Frictionless names them, plus Lantoa's own
/// `ambiguous-admin-mapping`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ErrorType {
    /// A value is not of its column's type.
    TypeError,
    /// A value breaks a constraint (required, pattern, range, length, enum).
    ConstraintError,
    /// A value of a unique column repeats.
    UniqueError,
    /// The row has fewer cells than the header.
    MissingCell,
    /// The row has more cells than the header.
    ExtraCell,
    /// Every cell is empty.
    BlankRow,
    /// The primary key repeats with different values.
    PrimaryKey,
    /// Cells disagree with each other (a CCCD's birth year against the birth date column).
    RowConstraint,
    /// The text cannot be read in any supported encoding.
    EncodingError,
    /// An old commune divided between several current units, or a name several units share.
    AmbiguousAdminMapping,
    /// A clean row held back: fewer than the dataset's k published rows share its
    /// quasi-identifiers yet.
    KAnonymity,
}

impl ErrorType {
    /// The Frictionless name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::TypeError => "type-error",
            Self::ConstraintError => "constraint-error",
            Self::UniqueError => "unique-error",
            Self::MissingCell => "missing-cell",
            Self::ExtraCell => "extra-cell",
            Self::BlankRow => "blank-row",
            Self::PrimaryKey => "primary-key",
            Self::RowConstraint => "row-constraint",
            Self::EncodingError => "encoding-error",
            Self::AmbiguousAdminMapping => "ambiguous-admin-mapping",
            Self::KAnonymity => "k-anonymity",
        }
    }
}

/// One error in one row. Stored and sent with its note in English and by id and arguments
/// ([`lantoa_core::msg::noted`]), which the console renders in the reader's language.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RowError {
    /// Its kind.
    #[serde(rename = "type")]
    pub error_type: ErrorType,
    /// The field, if the error is in one cell.
    pub field: Option<String>,
    /// The field's position, 1-based, as Frictionless counts.
    pub field_number: Option<usize>,
    /// The cell as given.
    pub cell: Option<String>,
    /// What is wrong, for the owner agency.
    #[serde(flatten, with = "lantoa_core::msg::noted")]
    pub note: Msg,
}

/// One cell as read.
#[derive(Debug, Clone)]
pub enum CellIn<'a> {
    /// Text.
    Text(Cow<'a, str>),
    /// The row ended before this cell.
    Missing,
    /// Text in an encoding that cannot be read.
    Unreadable(EncodingProblem),
}

/// What becomes of a row.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// Clean: its cleaned values in schema order (`""` for no value).
    Clean(CleanRow),
    /// Quarantined, with every error.
    Dirty(Vec<RowError>),
    /// The same primary key and values as an earlier row: dropped.
    Duplicate,
}

/// A clean row's values in schema order, held in one buffer (one allocation for the text and
/// one for the bounds, instead of one per cell).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CleanRow {
    text: String,
    ends: Vec<u32>,
}

impl CleanRow {
    fn with_capacity(fields: usize, bytes: usize) -> Self {
        Self {
            text: String::with_capacity(bytes),
            ends: Vec::with_capacity(fields),
        }
    }

    /// Closes the value written since the last one.
    fn end_value(&mut self) {
        // A row's text is bounded by the file's cell limit times its columns, far below 4 GiB.
        self.ends
            .push(u32::try_from(self.text.len()).unwrap_or(u32::MAX));
    }

    fn start(&self) -> usize {
        self.ends.last().map_or(0, |&e| e as usize)
    }

    /// How many values.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether it has no values.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Value `i` (`""` for no value).
    pub fn get(&self, i: usize) -> Option<&str> {
        let end = *self.ends.get(i)? as usize;
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        self.text.get(start..end)
    }

    /// The values in order.
    pub fn iter(&self) -> impl Iterator<Item = &str> + '_ {
        (0..self.ends.len()).map(|i| self.get(i).unwrap_or_default())
    }

    /// The values as owned strings.
    pub fn to_vec(&self) -> Vec<String> {
        self.iter().map(str::to_owned).collect()
    }

    /// A 16-bit fingerprint of the values (their text and where each ends, so ("ab", "c") and
    /// ("a", "bc") differ), salted with `seed`.
    fn fingerprint(&self, seed: u64) -> u16 {
        let bounds = self.ends.iter().fold(seed, |h, &e| {
            (h ^ u64::from(e)).wrapping_mul(0x9E37_79B9_7F4A_7C15)
        });
        // Truncation intended: the tag is the mixed hash's low 16 bits.
        (xxhash_rust::xxh3::xxh3_64_with_seed(self.text.as_bytes(), seed) ^ (bounds >> 29)) as u16
    }

    /// Appends the row as one CSV line (RFC 4180: a value with a comma, quote or line break
    /// is quoted, its quotes doubled; lines end in `\n`).
    pub fn write_csv(&self, out: &mut Vec<u8>) {
        let text = self.text.as_bytes();
        out.reserve(text.len() + self.ends.len() + 1);
        // Almost every row has nothing to quote: one look at its whole text says so.
        if !has_csv_special(text) {
            let mut start = 0;
            for (i, &end) in self.ends.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                out.extend_from_slice(text.get(start..end as usize).unwrap_or_default());
                start = end as usize;
            }
            out.push(b'\n');
            return;
        }
        let mut start = 0;
        for (i, &end) in self.ends.iter().enumerate() {
            let v = text.get(start..end as usize).unwrap_or_default();
            start = end as usize;
            if i > 0 {
                out.push(b',');
            }
            // A plain loop: values are short, and a vectorised search costs more to start.
            if v.iter().any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r')) {
                out.push(b'"');
                for &b in v {
                    if b == b'"' {
                        out.push(b'"');
                    }
                    out.push(b);
                }
                out.push(b'"');
            } else {
                out.extend_from_slice(v);
            }
        }
        out.push(b'\n');
    }
}

/// Whether `b` holds a comma, a quote or a line break, looked for eight bytes at a step.
fn has_csv_special(b: &[u8]) -> bool {
    use crate::swar::{has_zero_byte, splat};
    // Whether any byte of `w` is `c`: a zero byte of `w ^ c…c`.
    let has = |w: u64, c: u8| has_zero_byte(w ^ splat(c));
    let mut words = b.chunks_exact(8);
    for w in words.by_ref() {
        let w = u64::from_le_bytes(<[u8; 8]>::try_from(w).unwrap_or_default());
        if has(w, b',') || has(w, b'"') || has(w, b'\n') || has(w, b'\r') {
            return true;
        }
    }
    words
        .remainder()
        .iter()
        .any(|c| matches!(c, b',' | b'"' | b'\n' | b'\r'))
}

impl std::ops::Index<usize> for CleanRow {
    type Output = str;

    fn index(&self, i: usize) -> &str {
        match self.get(i) {
            Some(v) => v,
            None => panic!("a clean row of {} values has no value {i}", self.len()),
        }
    }
}

/// Checks rows of one upload.
pub struct Checker<'s> {
    schema: &'s Schema,
    admin: &'s AdminMap,
    plan: &'s NumberingPlan,
    max_cell_chars: usize,
    seed: u64,
    /// Primary key hashes, each tagged with a fingerprint of its row's cleaned values.
    keys: KeyTable,
    /// Per unique column, the hashes of the values seen.
    unique: Vec<Option<KeyTable>>,
    /// Scratch space for hashing a row's values.
    scratch: Vec<u8>,
    /// Scratch space for a row's unique columns and their hashes.
    unique_hashes: Vec<(usize, u64)>,
    /// A cell's value before its Vietnamese kind is applied.
    stage: String,
    /// Commune cells already mapped (with their district and province): the same few hundred
    /// names fill millions of rows.
    communes: HashMap<String, Result<String, (ErrorType, Msg)>, foldhash::fast::RandomState>,
    /// Scratch space for a commune cell's key in `communes`.
    place_key: String,
    /// The file's names are those before 1/7/2025.
    old_names: bool,
}

/// The most commune spellings remembered; past it the memory is cleared and refilled.
const COMMUNE_CACHE: usize = 20_000;

/// What a spreadsheet writes in a cell whose formula failed.
const EXCEL_ERRORS: [&str; 8] = [
    "#N/A", "#VALUE!", "#REF!", "#DIV/0!", "#NUM!", "#NAME?", "#NULL!", "#SPILL!",
];

/// The longest cell accepted, in characters, unless the schema sets `maxLength`.
pub const MAX_CELL_CHARS: usize = 100_000;

impl<'s> Checker<'s> {
    /// A checker for one upload of `schema`.
    pub fn new(schema: &'s Schema, admin: &'s AdminMap, plan: &'s NumberingPlan) -> Self {
        Self {
            schema,
            admin,
            plan,
            max_cell_chars: MAX_CELL_CHARS,
            seed: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0x5eed, |d| d.as_nanos() as u64),
            keys: KeyTable::new(),
            unique: schema
                .fields
                .iter()
                .map(|f| f.unique.then(KeyTable::new))
                .collect(),
            communes: HashMap::default(),
            place_key: String::new(),
            old_names: false,
            stage: String::with_capacity(64),
            scratch: Vec::with_capacity(512),
            unique_hashes: Vec::new(),
        }
    }

    /// Sizes the key tables for about `rows` rows (from the file's size), so they are allocated
    /// once instead of grown; a wrong guess costs only growth, as without it.
    pub fn expect_rows(&mut self, rows: u64) {
        // A guess far beyond any real upload is not trusted with memory.
        let rows = usize::try_from(rows.min(200_000_000)).unwrap_or(0);
        if !self.schema.primary_key.is_empty() {
            self.keys.reserve(rows);
        }
        for t in self.unique.iter_mut().flatten() {
            t.reserve(rows);
        }
    }

    /// Reads commune names as those before 1/7/2025 ([`crate::admin::REFORM_DATE`]), for a
    /// file that predates it.
    pub fn names_before_reform(&mut self, old: bool) {
        if self.old_names != old {
            self.communes.clear();
        }
        self.old_names = old;
    }

    /// The context a commune column's cell is read in: the row's district and province cells.
    fn place<'c>(&self, field: &crate::schema::Field, cells: &'c [CellIn<'_>]) -> Context<'c> {
        let text = |j: Option<usize>| -> Option<&'c str> {
            let j = j?;
            match cells.get(j)? {
                CellIn::Text(t) => {
                    let t = t.trim();
                    (!t.is_empty() && !self.schema.fields[j].missing_values.iter().any(|m| m == t))
                        .then_some(t)
                }
                _ => None,
            }
        };
        Context {
            old: self.old_names,
            district: text(field.district_field),
            province: text(field.province_field),
        }
    }

    /// Checks one row; `extra` cells beyond the schema's are errors.
    pub fn row(&mut self, cells: &[CellIn<'_>], extra: &[String]) -> Verdict {
        let mut errors = Vec::new();
        let width: usize = cells
            .iter()
            .map(|c| match c {
                CellIn::Text(t) => t.len(),
                _ => 0,
            })
            .sum();
        let mut out = CleanRow::with_capacity(self.schema.fields.len(), width + 16);
        let blank = extra.iter().all(|e| e.trim().is_empty())
            && cells.iter().all(|c| match c {
                CellIn::Text(t) => t.trim().is_empty(),
                CellIn::Missing => true,
                CellIn::Unreadable(_) => false,
            });
        if blank {
            return Verdict::Dirty(vec![RowError {
                error_type: ErrorType::BlankRow,
                field: None,
                field_number: None,
                cell: None,
                note: Msg::new("row-blank"),
            }]);
        }
        for (i, field) in self.schema.fields.iter().enumerate() {
            let err = |t: ErrorType, cell: Option<&str>, note: Msg| RowError {
                error_type: t,
                field: Some(field.name.clone()),
                field_number: Some(i + 1),
                cell: cell.map(str::to_owned),
                note,
            };
            let raw = match cells.get(i).unwrap_or(&CellIn::Missing) {
                CellIn::Missing => {
                    errors.push(err(
                        ErrorType::MissingCell,
                        None,
                        Msg::new("row-missing-cell"),
                    ));
                    out.end_value();
                    continue;
                }
                CellIn::Unreadable(p) => {
                    errors.push(err(ErrorType::EncodingError, None, p.message()));
                    out.end_value();
                    continue;
                }
                CellIn::Text(t) => t,
            };
            let trimmed = raw.trim();
            if field.missing_values.iter().any(|m| m == trimmed) {
                if field.required {
                    errors.push(err(
                        ErrorType::ConstraintError,
                        Some(raw),
                        Msg::new("cell-required"),
                    ));
                }
                out.end_value();
                continue;
            }
            if field.max_length.is_none()
                && trimmed.len() > self.max_cell_chars
                && trimmed.chars().count() > self.max_cell_chars
            {
                errors.push(err(
                    ErrorType::ConstraintError,
                    Some(&trimmed.chars().take(80).collect::<String>()),
                    Msg::new("cell-too-long")
                        .arg("chars", trimmed.chars().count())
                        .arg("max", self.max_cell_chars),
                ));
                out.end_value();
                continue;
            }
            if trimmed.starts_with('#') && EXCEL_ERRORS.contains(&trimmed) {
                errors.push(err(
                    ErrorType::TypeError,
                    Some(raw),
                    Msg::new("cell-formula-error").arg("value", trimmed),
                ));
                out.end_value();
                continue;
            }
            let text: Cow<'_, str> = if is_nfc(trimmed) {
                Cow::Borrowed(trimmed)
            } else {
                Cow::Owned(trimmed.nfc().collect())
            };
            let start = out.start();
            let place = if field.vn == Some(Kind::Commune) {
                self.place(field, cells)
            } else {
                Context::default()
            };
            match self.value_into(field, &text, place, &mut out.text) {
                Ok(bound) => {
                    if let Some(e) = constraint(field, &out.text[start..], bound) {
                        errors.push(err(ErrorType::ConstraintError, Some(raw), e));
                    }
                }
                Err((t, note)) => {
                    out.text.truncate(start);
                    errors.push(err(t, Some(raw), note));
                }
            }
            out.end_value();
        }
        for (k, e) in extra.iter().enumerate() {
            if !e.trim().is_empty() {
                errors.push(RowError {
                    error_type: ErrorType::ExtraCell,
                    field: None,
                    field_number: Some(self.schema.fields.len() + k + 1),
                    cell: Some(e.clone()),
                    note: Msg::new("row-extra-cell"),
                });
            }
        }
        self.cross_checks(&out, &mut errors);
        if !errors.is_empty() {
            return Verdict::Dirty(errors);
        }
        // Uniqueness is judged on clean rows only: a dirty row does not claim its key.
        let mut hashes = std::mem::take(&mut self.unique_hashes);
        hashes.clear();
        for (i, value) in out.iter().enumerate() {
            if self.unique.get(i).is_some_and(Option::is_some) && !value.is_empty() {
                hashes.push((
                    i,
                    xxhash_rust::xxh3::xxh3_64_with_seed(value.as_bytes(), self.seed),
                ));
            }
        }
        let pk = (!self.schema.primary_key.is_empty()).then(|| {
            (
                match self.schema.primary_key.as_slice() {
                    // One column (most keys): its value hashed where it lies.
                    [only] => {
                        xxhash_rust::xxh3::xxh3_64_with_seed(out[*only].as_bytes(), self.seed)
                    }
                    key => self.hash(key.iter().map(|&i| &out[i])),
                },
                out.fingerprint(self.seed),
            )
        });
        // Every table's first slot is read before any is searched, so that their cache misses
        // (the tables outgrow the caches) overlap rather than follow one another.
        let mut warm = pk.map_or(0, |(key, _)| self.keys.touch(key));
        for &(i, h) in &hashes {
            if let Some(Some(t)) = self.unique.get(i) {
                warm ^= t.touch(h);
            }
        }
        std::hint::black_box(warm);
        if let Some((key, whole)) = pk {
            match self.keys.get(key) {
                Some(tag) if tag == whole => {
                    self.unique_hashes = hashes;
                    return Verdict::Duplicate;
                }
                Some(_) => {
                    self.unique_hashes = hashes;
                    let names: Vec<&str> = self
                        .schema
                        .primary_key
                        .iter()
                        .map(|&i| self.schema.fields[i].name.as_str())
                        .collect();
                    let values: Vec<&str> =
                        self.schema.primary_key.iter().map(|&i| &out[i]).collect();
                    return Verdict::Dirty(vec![RowError {
                        error_type: ErrorType::PrimaryKey,
                        field: None,
                        field_number: None,
                        cell: Some(values.join(", ")),
                        note: Msg::new("row-key-repeated")
                            .arg("fields", names.join(", "))
                            .arg("values", values.join(", ")),
                    }]);
                }
                None => {}
            }
            self.keys.insert(key, whole);
        }
        let unique_errors: Vec<RowError> = hashes
            .iter()
            .filter(|(i, h)| {
                self.unique[*i]
                    .as_ref()
                    .is_some_and(|s| s.get(*h).is_some())
            })
            .map(|&(i, _)| RowError {
                error_type: ErrorType::UniqueError,
                field: Some(self.schema.fields[i].name.clone()),
                field_number: Some(i + 1),
                cell: Some(out[i].to_owned()),
                note: Msg::new("cell-not-unique"),
            })
            .collect();
        if !unique_errors.is_empty() {
            self.unique_hashes = hashes;
            return Verdict::Dirty(unique_errors);
        }
        for &(i, h) in &hashes {
            if let Some(set) = self.unique[i].as_mut() {
                set.insert(h, 0);
            }
        }
        self.unique_hashes = hashes;
        Verdict::Clean(out)
    }

    fn hash<'a>(&mut self, parts: impl Iterator<Item = &'a str>) -> u64 {
        hash_with(self.seed, &mut self.scratch, parts)
    }

    /// Cleans a value by its type and kind into `out` (nothing is appended on an error); also
    /// gives its bound for range checks. A value without a Vietnamese kind is written straight
    /// into `out`; one with a kind is read by type into a reused buffer first.
    fn value_into(
        &mut self,
        field: &crate::schema::Field,
        text: &str,
        place: Context<'_>,
        out: &mut String,
    ) -> Result<Option<Bound>, (ErrorType, Msg)> {
        use std::fmt::Write as _;
        let te = |n: Msg| (ErrorType::TypeError, n);
        let mut stage = std::mem::take(&mut self.stage);
        stage.clear();
        let typed: &mut String = if field.vn.is_some() { &mut stage } else { out };
        let start = typed.len();
        let bound = match &field.kind {
            FieldType::String(f) => {
                clean::string(text, *f).map_err(te)?;
                typed.push_str(text);
                None
            }
            FieldType::Integer => {
                let n = clean::integer(text).map_err(te)?;
                let _ = write!(typed, "{n}");
                Some(Bound::Number(n as f64))
            }
            FieldType::Number {
                decimal_char,
                group_char,
                bare_number,
            } => {
                let (v, s) =
                    clean::number(text, *decimal_char, *group_char, *bare_number).map_err(te)?;
                typed.push_str(&s);
                Some(Bound::Number(v))
            }
            FieldType::Boolean {
                true_values,
                false_values,
            } => {
                if true_values.iter().any(|v| v == text) {
                    typed.push_str("true");
                } else if false_values.iter().any(|v| v == text) {
                    typed.push_str("false");
                } else {
                    return Err(te(Msg::new("cell-not-boolean")
                        .arg("value", text)
                        .arg("true", true_values.join("/"))
                        .arg("false", false_values.join("/"))));
                }
                None
            }
            FieldType::Date(f) => {
                let d = clean::date(text, f).map_err(te)?;
                clean::push_iso_date(d, typed);
                Some(Bound::Date(d))
            }
            FieldType::Datetime => {
                typed.push_str(&clean::datetime(text).map_err(te)?);
                None
            }
            FieldType::Year => {
                let y = clean::year(text).map_err(te)?;
                let _ = write!(typed, "{y}");
                Some(Bound::Number(f64::from(y)))
            }
        };
        let Some(kind) = field.vn else {
            debug_assert!(start <= out.len());
            self.stage = stage;
            return Ok(bound);
        };
        let result = self.kind_into(kind, &stage, place, out);
        self.stage = stage;
        result.map(|()| bound)
    }

    /// Applies a Vietnamese kind to a typed value, appending the result to `out`.
    fn kind_into(
        &mut self,
        kind: Kind,
        typed: &str,
        place: Context<'_>,
        out: &mut String,
    ) -> Result<(), (ErrorType, Msg)> {
        let te = |n: Msg| (ErrorType::TypeError, n);
        match kind {
            Kind::Name => clean::name_into(typed, out),
            Kind::Cccd => out.push_str(
                CitizenId::parse(typed)
                    .map_err(|e| te(e.message()))?
                    .as_str(),
            ),
            Kind::TaxCode => {
                out.push_str(TaxCode::parse(typed).map_err(|e| te(e.message()))?.as_str());
            }
            Kind::Phone => out.push_str(
                self.plan
                    .parse(typed)
                    .map_err(|e| te(e.message()))?
                    .national(),
            ),
            Kind::District => match self.admin.district(typed) {
                Some(name) => out.push_str(name),
                None => {
                    return Err((
                        ErrorType::ConstraintError,
                        Msg::new("admin-no-district")
                            .arg("value", typed)
                            .arg("city", crate::admin::HANOI),
                    ));
                }
            },
            Kind::Province => match self.admin.province(typed) {
                Some(name) => out.push_str(name),
                None => {
                    return Err((
                        ErrorType::ConstraintError,
                        Msg::new("admin-other-province-only")
                            .arg("value", typed)
                            .arg("city", crate::admin::HANOI),
                    ));
                }
            },
            Kind::Commune => {
                // The cell alone is the key when the row says nothing more (most files).
                let mut key = std::mem::take(&mut self.place_key);
                key.clear();
                let key_str: &str = if place.district.is_none() && place.province.is_none() {
                    typed
                } else {
                    key.push_str(typed);
                    for part in [place.district, place.province] {
                        key.push('\u{1f}');
                        key.push_str(part.unwrap_or_default());
                    }
                    &key
                };
                let result = match self.communes.get(key_str) {
                    // Known: no copy of the name but into the row.
                    Some(Ok(name)) => {
                        out.push_str(name);
                        Ok(())
                    }
                    Some(Err(e)) => Err(e.clone()),
                    None => {
                        let mapped = commune_verdict(typed, self.admin.map_in(typed, place));
                        if self.communes.len() >= COMMUNE_CACHE {
                            self.communes.clear();
                        }
                        self.communes.insert(key_str.to_owned(), mapped.clone());
                        mapped.map(|name| out.push_str(&name))
                    }
                };
                self.place_key = key;
                result?;
            }
        }
        Ok(())
    }

    fn cross_checks(&self, out: &CleanRow, errors: &mut Vec<RowError>) {
        for (i, field) in self.schema.fields.iter().enumerate() {
            if field.vn != Some(Kind::Cccd) || out[i].is_empty() {
                continue;
            }
            let Ok(id) = CitizenId::parse(&out[i]) else {
                continue;
            };
            let birth_year = field
                .birth_date_field
                .and_then(|j| clean::iso_year(&out[j]).or_else(|| out[j].parse().ok()));
            let sex = field.sex_field.and_then(|j| clean::sex(&out[j]));
            if let Err(e) = id.check_against(birth_year, sex) {
                errors.push(RowError {
                    error_type: ErrorType::RowConstraint,
                    field: Some(field.name.clone()),
                    field_number: Some(i + 1),
                    cell: Some(out[i].to_owned()),
                    note: e.message(),
                });
            }
        }
    }
}

/// What a commune cell's mapping makes of it: the current unit's name, or the error and why.
fn commune_verdict(typed: &str, mapped: Mapped) -> Result<String, (ErrorType, Msg)> {
    match mapped {
        Mapped::Current { name, .. } | Mapped::Converted { name, .. } => Ok(name),
        Mapped::Divided { old, into } => Err((
            ErrorType::AmbiguousAdminMapping,
            Msg::new("admin-divided")
                .arg("value", typed)
                .arg("old", old)
                .arg("into", into.join(", ")),
        )),
        Mapped::Shared(c) => Err((
            ErrorType::AmbiguousAdminMapping,
            Msg::new("admin-shared")
                .arg("value", typed)
                .arg("candidates", c.join("; ")),
        )),
        Mapped::Unknown(why) => Err((ErrorType::ConstraintError, why)),
    }
}

fn hash_with<'a>(seed: u64, scratch: &mut Vec<u8>, parts: impl Iterator<Item = &'a str>) -> u64 {
    // One-shot hashing of the joined values is faster than the streaming hasher.
    scratch.clear();
    for p in parts {
        scratch.extend_from_slice(p.as_bytes());
        // A byte no UTF-8 text contains, so ("ab","c") and ("a","bc") differ.
        scratch.push(0xFF);
    }
    xxhash_rust::xxh3::xxh3_64_with_seed(scratch, seed)
}

fn constraint(field: &crate::schema::Field, cleaned: &str, bound: Option<Bound>) -> Option<Msg> {
    // A character is one to four bytes: the byte length often answers without counting.
    let chars = || cleaned.chars().count();
    if let Some(n) = field.min_length
        && cleaned.len() / 4 < n
        && chars() < n
    {
        return Some(Msg::new("cell-too-short").arg("min", n));
    }
    if let Some(n) = field.max_length
        && cleaned.len() > n
        && chars() > n
    {
        return Some(Msg::new("cell-longer-than").arg("max", n));
    }
    if let (Some(min), Some(v)) = (field.minimum, bound)
        && v < min
    {
        return Some(Msg::new("cell-below-minimum").arg("min", show(min)));
    }
    if let (Some(max), Some(v)) = (field.maximum, bound)
        && v > max
    {
        return Some(Msg::new("cell-above-maximum").arg("max", show(max)));
    }
    if let Some(p) = &field.pattern
        && !p.is_match(cleaned)
    {
        return Some(Msg::new("cell-pattern").arg("pattern", p.as_str()));
    }
    if let Some(allowed) = &field.allowed
        && !allowed.contains(cleaned)
    {
        let mut list: Vec<&String> = allowed.iter().collect();
        list.sort();
        return Some(
            Msg::new("cell-not-allowed").arg(
                "allowed",
                list.iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
        );
    }
    None
}

fn show(b: Bound) -> String {
    match b {
        Bound::Number(n) => n.to_string(),
        Bound::Date(d) => d.to_string(),
    }
}

#[cfg(test)]
mod clean_row_tests {
    use super::*;

    #[test]
    fn a_clean_row_writes_rfc_4180_and_knows_precomposed_text() {
        let mut row = CleanRow::default();
        for v in ["a", "", "b,c", "say \"hi\"", "line\nbreak", "Hòa"] {
            row.text.push_str(v);
            row.end_value();
        }
        assert_eq!(row.len(), 6);
        assert_eq!(&row[3], "say \"hi\"");
        assert_eq!(row.get(6), None);
        let mut out = Vec::new();
        row.write_csv(&mut out);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "a,,\"b,c\",\"say \"\"hi\"\"\",\"line\nbreak\",Hòa\n"
        );
        assert!(clean::precomposed("Nguyễn Thị Hòa, 12 phố Huế".as_bytes()));
        // The eight-byte look finds each special byte at every place, and nothing else.
        for special in [b',', b'"', b'\n', b'\r'] {
            for at in 0..19 {
                let mut v = "Nguyễn Thị Hòa".as_bytes()[..19].to_vec();
                v[at] = special;
                assert!(has_csv_special(&v), "{special} at {at}");
            }
        }
        assert!(!has_csv_special("Nguyễn Thị Hòa; 12 phố Huế\t".as_bytes()));
        let mut plain = CleanRow::default();
        for v in ["HS1", "Võ Thị Nam", ""] {
            plain.text.push_str(v);
            plain.end_value();
        }
        let mut out = Vec::new();
        plain.write_csv(&mut out);
        assert_eq!(out, "HS1,Võ Thị Nam,\n".as_bytes());
        // "a" followed by a combining acute accent (U+0301) is not precomposed.
        assert!(!clean::precomposed("Hoa\u{301}".as_bytes()));
        assert!(is_nfc("Hoà") && !is_nfc("Hoa\u{300}"));
    }
}
