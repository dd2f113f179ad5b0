//! Recipient lists: reading an agency's file of phone numbers row by row.
//!
//! A list is a CSV (UTF-8, `,` or `;`) or an `.xlsx` workbook (first sheet) whose header names a
//! phone column and, optionally, a commune column and a name column, in Vietnamese or English,
//! with or without tone marks (`Số điện thoại`, `SĐT`, `so_dien_thoai`, `phone`; `Phường/xã`,
//! `commune`; `Họ tên`, `name`). Each number is normalised (`+84`, `84`, spaces and dots, the
//! 2018 11→10-digit conversion), checked against the numbering plan, and routed to its operator:
//! by the imported ported-numbers table first (a number keeps its number when it changes
//! operator), by its prefix otherwise. A commune is a current unit's code or name. A number met
//! twice is kept once. Every row refused says which row, what was given and why; the rest of
//! the list goes on.

use std::collections::{BTreeMap, HashMap, HashSet};

use lantoa_core::phone::NumberingPlan;
use lantoa_core::text::{fold_key, tone_key};

/// One recipient, ready to be messaged.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Recipient {
    /// 10-digit national form.
    pub phone: String,
    /// The operator id (`viettel`, `vinaphone`, …) the number is routed to.
    pub operator: String,
    /// Whether the operator came from the ported-numbers table rather than the prefix.
    pub ported: bool,
    /// The current commune's code, if the row gave one.
    pub commune_code: Option<String>,
    /// The name given, if any.
    pub name: Option<String>,
}

/// A row not taken, and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Refused {
    /// Its row in the file (the header is row 1).
    pub row: u64,
    /// The column at fault (`phone`, `commune`) or `row`.
    pub field: String,
    /// What it held.
    pub value: String,
    /// Why it was refused.
    pub reason: String,
}

impl Refused {
    fn new(row: u64, field: &str, value: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            row,
            field: field.to_owned(),
            value: value.into(),
            reason: reason.into(),
        }
    }
}

/// What became of a list file.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct ImportReport {
    /// Data rows read (blank rows are skipped and not counted).
    pub rows: u64,
    /// Recipients taken.
    pub recipients: Vec<Recipient>,
    /// Rows that repeated a number already taken (kept once).
    pub duplicates: u64,
    /// Rows refused, with their reasons.
    pub refused: Vec<Refused>,
    /// Recipients per operator.
    pub by_operator: BTreeMap<String, u64>,
}

impl ImportReport {
    /// Whether every row is accounted for: rows = taken + repeats + refused.
    pub fn conserved(&self) -> bool {
        self.rows == self.recipients.len() as u64 + self.duplicates + self.refused.len() as u64
    }
}

/// Why a list file cannot be read at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ListError {
    /// No column names the phone numbers.
    #[error(
        "no phone column: the header must name one (Số điện thoại, SĐT, so_dien_thoai or phone); it has {0}"
    )]
    NoPhoneColumn(String),
    /// The file is empty.
    #[error("the file is empty")]
    Empty,
    /// The file is not readable as CSV or XLSX.
    #[error("the file cannot be read: {0}")]
    Unreadable(String),
}

const PHONE_LABELS: [&str; 8] = [
    "so dien thoai",
    "so thue bao",
    "sdt",
    "so_dien_thoai",
    "dien thoai",
    "dien_thoai",
    "phone",
    "msisdn",
];
const COMMUNE_LABELS: [&str; 6] = [
    "phuong/xa",
    "phuong xa",
    "phuong_xa",
    "ma phuong/xa",
    "commune",
    "xa/phuong",
];
const NAME_LABELS: [&str; 4] = ["ho ten", "ho va ten", "ten", "name"];

/// The current communes, by code and by tone key of their names, read once.
#[derive(Debug, Clone, Default)]
pub struct Communes {
    by_key: HashMap<String, String>,
    names: HashMap<String, String>,
    /// `(code, name)` in the reference's order.
    list: Vec<(String, String)>,
}

impl Communes {
    /// From `(code, name)` pairs.
    pub fn new(current: impl IntoIterator<Item = (String, String)>) -> Self {
        let mut c = Self::default();
        for (code, name) in current {
            c.by_key.insert(tone_key(&name), code.clone());
            c.names.insert(code.clone(), name.clone());
            c.list.push((code, name));
        }
        c
    }

    /// Every current commune, `(code, name)`, in the reference's order.
    pub fn all(&self) -> &[(String, String)] {
        &self.list
    }

    /// The name of the commune with `code`, if it is current.
    pub fn name_of(&self, code: &str) -> Option<&str> {
        self.names.get(code).map(String::as_str)
    }

    /// Hà Nội's current communes and wards as shipped.
    pub fn hanoi() -> Result<Self, lantoa_registry::Error> {
        Ok(Self::new(lantoa_registry::commune_reference()?.current))
    }

    /// The code of the commune a cell names (its code or its name), if it is current.
    pub fn code_of(&self, cell: &str) -> Option<String> {
        let cell = cell.trim();
        if self.names.contains_key(cell) {
            return Some(cell.to_owned());
        }
        self.by_key.get(&tone_key(cell)).cloned()
    }

    /// Whether `code` is a current commune's.
    pub fn contains_code(&self, code: &str) -> bool {
        self.names.contains_key(code)
    }
}

/// What a list is checked against.
#[derive(Debug, Clone, Copy)]
pub struct Rules<'a> {
    /// Prefixes and the 2018 conversion.
    pub plan: &'a NumberingPlan,
    /// Ported numbers: national number → operator id.
    pub ported: &'a HashMap<String, String>,
    /// Current communes.
    pub communes: &'a Communes,
}

/// Reads a list file (`.xlsx` by its ZIP signature, else CSV).
pub fn read(bytes: &[u8], rules: Rules<'_>) -> Result<ImportReport, ListError> {
    let (header, keys, rows) = table(bytes)?;
    let find = |labels: &[&str]| keys.iter().position(|k| labels.contains(&k.as_str()));
    let phone_col = phone_column(&header, &keys)?;
    let commune_col = find(&COMMUNE_LABELS);
    let name_col = find(&NAME_LABELS);
    let mut report = ImportReport::default();
    let mut seen = HashSet::new();
    for (i, row) in rows.enumerate() {
        let number = i as u64 + 2;
        if row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        report.rows += 1;
        let cell = |c: Option<usize>| c.and_then(|c| row.get(c)).map(|s| s.trim().to_owned());
        let phone_cell = cell(Some(phone_col)).unwrap_or_default();
        let refuse =
            |field: &str, value: &str, reason: String| Refused::new(number, field, value, reason);
        let phone = match rules.plan.parse(&phone_cell) {
            Ok(p) => p,
            Err(e) => {
                report
                    .refused
                    .push(refuse("phone", &phone_cell, e.to_string()));
                continue;
            }
        };
        let commune_code = match cell(commune_col).filter(|c| !c.is_empty()) {
            None => None,
            Some(c) => match rules.communes.code_of(&c) {
                Some(code) => Some(code),
                None => {
                    report.refused.push(refuse(
                        "commune",
                        &c,
                        "no current commune or ward has this name or code".into(),
                    ));
                    continue;
                }
            },
        };
        let national = phone.national().to_owned();
        if !seen.insert(national.clone()) {
            report.duplicates += 1;
            continue;
        }
        let (operator, ported) = match rules.ported.get(&national) {
            Some(op) => (op.clone(), true),
            None => match rules.plan.operator_of(&phone) {
                Some(op) => (op.id.clone(), false),
                None => {
                    report.refused.push(refuse(
                        "phone",
                        &phone_cell,
                        "its prefix belongs to no operator".into(),
                    ));
                    continue;
                }
            },
        };
        *report.by_operator.entry(operator.clone()).or_insert(0) += 1;
        report.recipients.push(Recipient {
            phone: national,
            operator,
            ported,
            commune_code,
            name: cell(name_col).filter(|n| !n.is_empty()),
        });
    }
    Ok(report)
}

/// Reads a ported-numbers file: a header naming a phone column and an operator column (`nha
/// mang`, `operator`: an operator id or name of the plan). Returns the table and the refused rows.
pub fn read_ported(
    bytes: &[u8],
    plan: &NumberingPlan,
) -> Result<(HashMap<String, String>, Vec<Refused>), ListError> {
    let (header, keys, rows) = table(bytes)?;
    let phone_col = phone_column(&header, &keys)?;
    let op_col = keys
        .iter()
        .position(|k| ["nha mang", "nha_mang", "operator", "nha mang moi"].contains(&k.as_str()))
        .ok_or_else(|| ListError::Unreadable("no operator column (Nhà mạng or operator)".into()))?;
    let mut out = HashMap::new();
    let mut refused = Vec::new();
    for (i, row) in rows.enumerate() {
        let number = i as u64 + 2;
        let get = |c: usize| row.get(c).map(|s| s.trim().to_owned()).unwrap_or_default();
        let (phone_cell, op_cell) = (get(phone_col), get(op_col));
        if phone_cell.is_empty() && op_cell.is_empty() {
            continue;
        }
        let phone = match plan.parse(&phone_cell) {
            Ok(p) => p,
            Err(e) => {
                refused.push(Refused::new(number, "phone", phone_cell, e.to_string()));
                continue;
            }
        };
        let key = fold_key(&op_cell);
        match plan
            .operators()
            .iter()
            .find(|o| o.id == key || fold_key(&o.name) == key)
        {
            Some(op) => {
                out.insert(phone.national().to_owned(), op.id.clone());
            }
            None => refused.push(Refused::new(
                number,
                "operator",
                op_cell,
                format!(
                    "no such operator; operators are {}",
                    plan.operators()
                        .iter()
                        .map(|o| o.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )),
        }
    }
    Ok((out, refused))
}

/// The column holding phone numbers, or the refusal that lists the header's labels.
fn phone_column(header: &[String], keys: &[String]) -> Result<usize, ListError> {
    keys.iter()
        .position(|k| PHONE_LABELS.contains(&k.as_str()))
        .ok_or_else(|| {
            ListError::NoPhoneColumn(
                header
                    .iter()
                    .map(|h| format!("\"{h}\""))
                    .collect::<Vec<_>>()
                    .join(", "),
            )
        })
}

/// A file's header, its labels' folded keys, and its other rows (`.xlsx` by its ZIP
/// signature, else CSV).
type Table = (Vec<String>, Vec<String>, std::vec::IntoIter<Vec<String>>);

fn table(bytes: &[u8]) -> Result<Table, ListError> {
    let table = if bytes.starts_with(b"PK\x03\x04") {
        xlsx_rows(bytes)?
    } else {
        csv_rows(bytes)?
    };
    let mut rows = table.into_iter();
    let header = rows.next().ok_or(ListError::Empty)?;
    let keys = header.iter().map(|h| fold_key(h.trim())).collect();
    Ok((header, keys, rows))
}

/// Reads a file of numbers (a phone column; other columns ignored), as the national
/// Do-Not-Call list or a list of opt-outs comes: the numbers in national form, each once, and
/// the rows refused.
pub fn read_numbers(
    bytes: &[u8],
    plan: &NumberingPlan,
) -> Result<(Vec<String>, Vec<Refused>), ListError> {
    let (header, keys, rows) = table(bytes)?;
    let phone_col = phone_column(&header, &keys)?;
    let mut seen = HashSet::new();
    let mut numbers = Vec::new();
    let mut refused = Vec::new();
    for (i, row) in rows.enumerate() {
        let cell = row.get(phone_col).map(|s| s.trim()).unwrap_or_default();
        if cell.is_empty() {
            continue;
        }
        match plan.parse(cell) {
            Ok(p) => {
                if seen.insert(p.national().to_owned()) {
                    numbers.push(p.national().to_owned());
                }
            }
            Err(e) => refused.push(Refused::new(i as u64 + 2, "phone", cell, e.to_string())),
        }
    }
    Ok((numbers, refused))
}

fn csv_rows(bytes: &[u8]) -> Result<Vec<Vec<String>>, ListError> {
    let text = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let text = std::str::from_utf8(text).map_err(|e| {
        ListError::Unreadable(format!(
            "not UTF-8 text (byte {}); save the list as CSV UTF-8",
            e.valid_up_to() + 1
        ))
    })?;
    let first = text.lines().next().unwrap_or_default();
    let delimiter = if first.matches(';').count() > first.matches(',').count() {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut out = Vec::new();
    for record in reader.records() {
        let r = record.map_err(|e| ListError::Unreadable(e.to_string()))?;
        out.push(r.iter().map(str::to_owned).collect());
    }
    Ok(out)
}

fn xlsx_rows(bytes: &[u8]) -> Result<Vec<Vec<String>>, ListError> {
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes))
        .map_err(|e| ListError::Unreadable(format!("not a readable .xlsx workbook: {e}")))?;
    let range = book
        .worksheet_range_at(0)
        .ok_or_else(|| ListError::Unreadable("the workbook has no sheet".into()))?
        .map_err(|e| ListError::Unreadable(e.to_string()))?;
    Ok(range
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    // A number typed into a cell loses its leading 0 and may read as 912345678.0.
                    calamine::Data::Float(f) if f.fract() == 0.0 => format!("{f:.0}"),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect())
}
