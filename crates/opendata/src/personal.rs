//! Personal data found by content, not only by label.
//!
//! A schema author labels the columns they know to be personal (`lantoa:vn: cccd`, `phone`),
//! but an agency's file often carries more: a notes column of phone numbers, a column of full
//! names, e-mail addresses, birth dates under a label no rule knew. Before a dataset that is
//! shared beyond the department publishes a row, its columns are looked at: one whose values
//! are mostly citizen identity numbers, mobile numbers, e-mail addresses, Vietnamese full names
//! or (under a birth-date label) dates holds personal data, and must be dropped or generalised.
//! The kinds, thresholds and family names live in `data/opendata/personal.toml` with their legal
//! basis (Law 91/2025/QH15; Decree 13/2023/NĐ-CP, Art. 2).

use std::collections::HashSet;
use std::sync::OnceLock;

use lantoa_core::msg::Msg;
use lantoa_core::phone::NumberingPlan;
use unicode_normalization::UnicodeNormalization;

use crate::schema::{Field, Schema};
use crate::share::Share;

/// A kind of personal data a value can be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PersonalKind {
    /// A citizen identity number (CCCD).
    CitizenId,
    /// A mobile telephone number.
    Phone,
    /// An e-mail address.
    Email,
    /// A Vietnamese person's full name.
    FullName,
    /// A date of birth.
    BirthDate,
}

impl PersonalKind {
    const ALL: [Self; 5] = [
        Self::CitizenId,
        Self::Phone,
        Self::Email,
        Self::FullName,
        Self::BirthDate,
    ];

    /// What it is, in words: its label's message id.
    pub fn label(self) -> &'static str {
        match self {
            Self::CitizenId => "personal-kind-cccd",
            Self::Phone => "personal-kind-phone",
            Self::Email => "personal-kind-email",
            Self::FullName => "personal-kind-name",
            Self::BirthDate => "personal-kind-birth",
        }
    }

    /// Whether field `f` would show this kind of data when shared: not dropped or generalised
    /// by its policy, and not declared by its steward not to be personal.
    fn shown_by(self, f: &Field) -> bool {
        let hidden = match f.share {
            Share::Drop => true,
            Share::Year | Share::AgeBand => self == Self::BirthDate,
            Share::Keep | Share::SuppressBelow(_) => false,
        };
        !hidden && !f.not_personal
    }

    /// The refusal's message id: `stem`, or its variant that also offers generalising the
    /// column (dates of birth), as a shared dataset may do with it.
    fn remedy(self, stem: &str) -> String {
        if self == Self::BirthDate {
            format!("{stem}-or-generalise")
        } else {
            stem.to_owned()
        }
    }
}

#[derive(Debug, serde::Deserialize)]
struct File {
    detect: Detect,
}

#[derive(Debug, serde::Deserialize)]
struct Detect {
    sample: u32,
    min_values: u32,
    share: f64,
    birth_date_labels: Vec<String>,
    address_labels: Vec<String>,
    family_names: Vec<String>,
}

/// The rules of `data/opendata/personal.toml`, read once.
struct Rules {
    sample: u32,
    min_values: u32,
    share: f64,
    birth_date_labels: Vec<String>,
    address_labels: Vec<String>,
    family_names: HashSet<String>,
    phones: NumberingPlan,
}

fn rules() -> &'static Rules {
    static RULES: OnceLock<Rules> = OnceLock::new();
    RULES.get_or_init(|| {
        // The file is compiled in and read by a test, so a parse failure is a build defect.
        #[allow(clippy::expect_used)]
        let f: File = toml::from_str(include_str!("../../../data/opendata/personal.toml"))
            .expect("data/opendata/personal.toml is valid (tested)");
        Rules {
            sample: f.detect.sample.max(1),
            min_values: f.detect.min_values.max(1),
            share: f.detect.share.clamp(0.0, 1.0),
            birth_date_labels: f.detect.birth_date_labels,
            address_labels: f.detect.address_labels,
            family_names: f
                .detect
                .family_names
                .iter()
                .map(|n| n.nfc().collect())
                .collect(),
            phones: NumberingPlan::builtin(),
        }
    })
}

/// A column's label folded for comparison: lower case, tone marks and diacritics gone, words
/// joined by `_`.
fn fold_label(label: &str) -> String {
    lantoa_core::text::fold_key(label)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join("_")
}

/// Whether a folded label is one of `labels` or holds one as a whole word group.
fn label_among(label: &str, labels: &[String]) -> bool {
    let folded = fold_label(label);
    let padded = format!("_{folded}_");
    labels
        .iter()
        .any(|l| folded == *l || padded.contains(&format!("_{l}_")))
}

/// Whether a column's label says it holds birth dates.
pub fn is_birth_date_label(label: &str) -> bool {
    label_among(label, &rules().birth_date_labels)
}

/// Whether a column's label says it holds addresses or streets (named after people, often).
pub fn is_address_label(label: &str) -> bool {
    label_among(label, &rules().address_labels)
}

fn is_email(v: &str) -> bool {
    let Some((local, domain)) = v.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && v.len() <= 254
        && !v.chars().any(char::is_whitespace)
        && !domain.contains('@')
        && domain.split('.').filter(|p| !p.is_empty()).count() >= 2
        && !domain.starts_with('.')
        && !domain.ends_with('.')
}

fn is_full_name(v: &str) -> bool {
    // Two words are as often a place ("Hồ Gươm") as a person; full names in a register have
    // three or more, and a column is judged by most of its values, not one.
    let words: Vec<&str> = v.split_whitespace().collect();
    if !(3..=5).contains(&words.len()) {
        return false;
    }
    let capitalised = |w: &str| {
        let mut cs = w.chars();
        cs.next().is_some_and(char::is_uppercase)
            && cs.all(|c| c.is_alphabetic() && !c.is_uppercase())
    };
    if !words.iter().all(|w| capitalised(w)) {
        return false;
    }
    let first: String = words[0].nfc().collect();
    rules().family_names.contains(&first)
}

fn is_date(v: &str) -> bool {
    let digits = v.bytes().filter(u8::is_ascii_digit).count();
    (6..=8).contains(&digits)
        && v.len() <= 10
        && v.bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'-' | b'/' | b'.'))
}

/// The kind of personal data `value` is, if any, in a column `birth_labelled` or not.
pub fn kind_of(value: &str, birth_labelled: bool) -> Option<PersonalKind> {
    let v = value.trim();
    if v.is_empty() {
        return None;
    }
    if birth_labelled && is_date(v) {
        return Some(PersonalKind::BirthDate);
    }
    let digits = v.bytes().filter(u8::is_ascii_digit).count();
    if digits == 12 && lantoa_core::citizen_id::CitizenId::parse(v).is_ok() {
        return Some(PersonalKind::CitizenId);
    }
    if (9..=12).contains(&digits) && rules().phones.parse(v).is_ok() {
        return Some(PersonalKind::Phone);
    }
    if v.contains('@') {
        return is_email(v).then_some(PersonalKind::Email);
    }
    is_full_name(v).then_some(PersonalKind::FullName)
}

/// A column found to hold personal data.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    /// The column's name.
    pub field: String,
    /// What it holds.
    pub kind: PersonalKind,
    /// How many of the values looked at were of that kind…
    pub matched: u32,
    /// …of how many.
    pub looked_at: u32,
}

impl Finding {
    /// The refusal, naming the column and what it holds.
    pub fn message(&self) -> Msg {
        Msg::new(self.kind.remedy("personal-found"))
            .arg("field", &self.field)
            .arg("matched", self.matched)
            .arg("looked", self.looked_at)
            .label("kind", self.kind.label())
    }
}

/// Looks at the first values of each column of rows offered to it.
#[derive(Debug)]
pub struct Detector<'s> {
    schema: &'s Schema,
    birth: Vec<bool>,
    address: Vec<bool>,
    looked_at: Vec<u32>,
    counts: Vec<[u32; 5]>,
}

impl<'s> Detector<'s> {
    /// A detector for rows of `schema`.
    pub fn new(schema: &'s Schema) -> Self {
        let n = schema.fields.len();
        Self {
            schema,
            birth: schema
                .fields
                .iter()
                .map(|f| is_birth_date_label(&f.name))
                .collect(),
            address: schema
                .fields
                .iter()
                .map(|f| is_address_label(&f.name))
                .collect(),
            looked_at: vec![0; n],
            counts: vec![[0; 5]; n],
        }
    }

    /// Whether every column has been looked at enough (more rows change nothing).
    pub fn satisfied(&self) -> bool {
        let sample = rules().sample;
        self.looked_at.iter().all(|&n| n >= sample)
    }

    /// Looks at one row's values, in schema order.
    pub fn offer<'v>(&mut self, values: impl IntoIterator<Item = &'v str>) {
        let sample = rules().sample;
        for (i, v) in values.into_iter().enumerate().take(self.looked_at.len()) {
            if self.looked_at[i] >= sample || v.trim().is_empty() {
                continue;
            }
            self.looked_at[i] += 1;
            match kind_of(v, self.birth[i]) {
                Some(PersonalKind::FullName) if self.address[i] => {}
                Some(k) => self.counts[i][k as usize] += 1,
                None => {}
            }
        }
    }

    /// Every column that holds personal data and would be shared as it is: not dropped or
    /// generalised, not declared not personal.
    pub fn exposed(&self) -> Vec<Finding> {
        let r = rules();
        let mut out = Vec::new();
        for (i, f) in self.schema.fields.iter().enumerate() {
            let seen = self.looked_at[i];
            for kind in PersonalKind::ALL {
                let matched = self.counts[i][kind as usize];
                if matched >= r.min_values
                    && f64::from(matched) >= r.share * f64::from(seen)
                    && kind.shown_by(f)
                {
                    out.push(Finding {
                        field: f.name.clone(),
                        kind,
                        matched,
                        looked_at: seen,
                    });
                }
            }
        }
        out
    }
}

/// The kinds a field is labelled as holding: by its Vietnamese kind, its format, its name.
fn labelled(f: &Field) -> Option<PersonalKind> {
    use crate::schema::{FieldType, Kind, StringFormat};
    match (&f.vn, &f.kind) {
        (Some(Kind::Cccd), _) => Some(PersonalKind::CitizenId),
        (Some(Kind::Phone), _) => Some(PersonalKind::Phone),
        (_, FieldType::String(StringFormat::Email)) => Some(PersonalKind::Email),
        (_, FieldType::Date(_) | FieldType::Datetime) if is_birth_date_label(&f.name) => {
            Some(PersonalKind::BirthDate)
        }
        _ => None,
    }
}

/// The rule that holds on every change of a dataset's schema, sharing or sensitivity: a dataset
/// shared beyond the department (any sensitivity but `restricted`) shows no column labelled as
/// personal data. `Err` names the first such column.
pub fn check_labels(schema: &Schema, sensitivity: &str) -> Result<(), Msg> {
    if sensitivity == "restricted" {
        return Ok(());
    }
    for f in &schema.fields {
        if let Some(kind) = labelled(f)
            && kind.shown_by(f)
        {
            return Err(Msg::new(kind.remedy("personal-labelled"))
                .arg("field", &f.name)
                .label("kind", kind.label()));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rules_file_reads() {
        assert!(rules().family_names.contains("Nguyễn"));
        assert!(rules().sample >= rules().min_values);
    }

    #[test]
    fn values_are_told_by_their_content() {
        assert_eq!(kind_of("0912345678", false), Some(PersonalKind::Phone));
        assert_eq!(kind_of("+84 912 345 678", false), Some(PersonalKind::Phone));
        assert_eq!(
            kind_of("an.nv@example.vn", false),
            Some(PersonalKind::Email)
        );
        assert_eq!(
            kind_of("Nguyễn Văn An", false),
            Some(PersonalKind::FullName)
        );
        assert_eq!(
            kind_of("Trần Thị Bích Ngọc", false),
            Some(PersonalKind::FullName)
        );
        assert_eq!(kind_of("1990-05-02", true), Some(PersonalKind::BirthDate));
        assert_eq!(kind_of("1990-05-02", false), None);
        // Not personal: places, counts, codes, sentences.
        for v in [
            "Phường Hoàn Kiếm",
            "Hồ Gươm",
            "12",
            "WF-0012",
            "nguyễn văn an",
            "Nguyễn Văn An đã đến",
            "http://a.vn/x@y",
            "",
        ] {
            assert_eq!(kind_of(v, false), None, "{v:?}");
        }
    }

    #[test]
    fn birth_date_labels_are_read_without_tone_marks() {
        assert!(is_birth_date_label("Ngày sinh"));
        assert!(is_birth_date_label("ngay_sinh_cha"));
        assert!(is_birth_date_label("date_of_birth"));
        assert!(!is_birth_date_label("ngay_cap"));
        assert!(is_address_label("Địa chỉ"));
        assert!(is_address_label("dia_chi_lien_he"));
        assert!(!is_address_label("ho_ten"));
        assert!(!is_address_label("xac_nhan"), "whole words only");
    }
}
