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
use std::io::{BufRead, Read};

use lantoa_core::msg::{Describe as _, Msg};
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
    /// Why it was refused (stored and sent in English and by id: [`lantoa_core::msg::noted`]).
    #[serde(flatten, with = "lantoa_core::msg::noted")]
    pub reason: Msg,
}

impl Refused {
    fn new(row: u64, field: &str, value: impl Into<String>, reason: Msg) -> Self {
        Self {
            row,
            field: field.to_owned(),
            value: value.into(),
            reason,
        }
    }
}

/// Refused rows kept with their reasons; beyond this a list's report counts them only.
pub const REFUSED_KEPT: usize = 10_000;

/// What became of a list file.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct ImportReport {
    /// Data rows read (blank rows are skipped and not counted).
    pub rows: u64,
    /// Recipients taken.
    pub recipients: u64,
    /// Rows that repeated a number already taken (kept once).
    pub duplicates: u64,
    /// Rows refused.
    pub refused_rows: u64,
    /// The first [`REFUSED_KEPT`] rows refused, with their reasons.
    pub refused: Vec<Refused>,
    /// Recipients per operator.
    pub by_operator: BTreeMap<String, u64>,
}

impl ImportReport {
    /// Whether every row is accounted for: rows = taken + repeats + refused, and every refused
    /// row up to the limit is kept with its reason.
    pub fn conserved(&self) -> bool {
        self.rows == self.recipients + self.duplicates + self.refused_rows
            && self.refused.len() as u64 == self.refused_rows.min(REFUSED_KEPT as u64)
    }

    fn refuse(&mut self, r: Refused) {
        self.refused_rows += 1;
        if self.refused.len() < REFUSED_KEPT {
            self.refused.push(r);
        }
    }
}

/// Why a list file cannot be read at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ListError {
    /// No column names the phone numbers.
    #[error("{}", lantoa_core::Describe::message(self))]
    NoPhoneColumn(String),
    /// The file is empty.
    #[error("{}", lantoa_core::Describe::message(self))]
    Empty,
    /// The file is not readable as CSV or XLSX.
    #[error("{}", lantoa_core::Describe::message(self))]
    Unreadable(String),
    /// The CSV reader stopped: where, and why, in the catalogues' words.
    #[error("{0}")]
    Csv(Msg),
}

impl lantoa_core::Describe for ListError {
    fn message(&self) -> Msg {
        match self {
            Self::NoPhoneColumn(header) => Msg::new("list-no-phone-column").arg("header", header),
            Self::Empty => Msg::new("file-empty"),
            Self::Unreadable(detail) => Msg::new("file-unreadable").arg("detail", detail),
            Self::Csv(msg) => msg.clone(),
        }
    }
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

    /// The codes of the communes a person typed: names or codes, separated by commas,
    /// semicolons or new lines, with or without "Phường"/"Xã" and with or without tone marks
    /// ("Hoàn Kiếm; ba dinh, 00004"). A piece that names no current commune, or more than one,
    /// is refused as `field`, naming it and the communes it may mean.
    pub fn codes_typed(&self, field: &'static str, typed: &str) -> crate::Result<Vec<String>> {
        let mut out: Vec<String> = Vec::new();
        for piece in typed
            .split([',', ';', '\n'])
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            let code = match self.code_of(piece) {
                Some(code) => code,
                None => {
                    // With the tone marks as typed first; then without any (a name typed on a
                    // keyboard without Vietnamese), taken only when it names one commune.
                    let named = |key_of: fn(&str) -> String| {
                        let key = key_of(piece);
                        let suffix = format!(" {key}");
                        self.list
                            .iter()
                            .filter(|(_, name)| {
                                let k = key_of(name);
                                k == key || k.ends_with(&suffix)
                            })
                            .collect::<Vec<&(String, String)>>()
                    };
                    let mut matches = named(tone_key);
                    if matches.is_empty() {
                        matches = named(fold_key);
                    }
                    match matches.as_slice() {
                        [(code, _)] => code.clone(),
                        [] => {
                            let folded = fold_key(piece);
                            let near: Vec<String> = self
                                .list
                                .iter()
                                .filter(|(_, name)| fold_key(name).contains(&folded))
                                .take(5)
                                .map(|(code, name)| format!("{name} ({code})"))
                                .collect();
                            let msg = if near.is_empty() {
                                Msg::new("communes-typed-unknown").arg("value", piece)
                            } else {
                                Msg::new("communes-typed-near")
                                    .arg("value", piece)
                                    .arg("near", near.join(", "))
                            };
                            return Err(crate::error::invalid(field, msg));
                        }
                        many => {
                            return Err(crate::error::invalid(
                                field,
                                Msg::new("communes-typed-ambiguous")
                                    .arg("value", piece)
                                    .arg(
                                        "near",
                                        many.iter()
                                            .map(|(code, name)| format!("{name} ({code})"))
                                            .collect::<Vec<_>>()
                                            .join(", "),
                                    ),
                            ));
                        }
                    }
                }
            };
            if !out.contains(&code) {
                out.push(code);
            }
        }
        Ok(out)
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

/// A list file being read, a batch of recipients at a time, so that a list of ten million
/// numbers never has to be held whole: only the numbers already taken are remembered (as
/// integers, to drop repeats).
pub struct ListReader<'a> {
    table: Table<'a>,
    rules: Rules<'a>,
    phone_col: usize,
    commune_col: Option<usize>,
    name_col: Option<usize>,
    seen: HashSet<u64>,
    /// Commune cells already looked up (a list names the same few hundred again and again).
    communes_met: HashMap<String, Option<String>>,
    report: ImportReport,
}

/// Distinct commune cells remembered; beyond this they are looked up each time.
const COMMUNES_MET_MAX: usize = 100_000;

impl std::fmt::Debug for ListReader<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ListReader")
            .field("report", &self.report)
            .finish_non_exhaustive()
    }
}

impl<'a> ListReader<'a> {
    /// Opens a list (`.xlsx` by its ZIP signature, else CSV) and reads its header.
    pub fn open(source: impl Read + Send + 'a, rules: Rules<'a>) -> Result<Self, ListError> {
        let table = Table::open(source)?;
        let find = |labels: &[&str]| table.keys.iter().position(|k| labels.contains(&k.as_str()));
        let phone_col = table.phone_column()?;
        let commune_col = find(&COMMUNE_LABELS);
        let name_col = find(&NAME_LABELS);
        Ok(Self {
            table,
            rules,
            phone_col,
            commune_col,
            name_col,
            seen: HashSet::new(),
            communes_met: HashMap::new(),
            report: ImportReport::default(),
        })
    }

    /// The next recipients, at most `max`; none once the file is read to its end.
    pub fn next_batch(&mut self, max: usize) -> Result<Vec<Recipient>, ListError> {
        let mut out = Vec::with_capacity(max.min(1 << 16));
        while out.len() < max {
            let Some((number, row)) = self.table.next_row()? else {
                break;
            };
            if row.is_blank() {
                continue;
            }
            self.report.rows += 1;
            match take(
                self.rules,
                &mut self.seen,
                &mut self.communes_met,
                number,
                row,
                (self.phone_col, self.commune_col, self.name_col),
            ) {
                Ok(Some(r)) => {
                    self.report.recipients += 1;
                    match self.report.by_operator.get_mut(&r.operator) {
                        Some(n) => *n += 1,
                        None => {
                            self.report.by_operator.insert(r.operator.clone(), 1);
                        }
                    }
                    out.push(r);
                }
                Ok(None) => self.report.duplicates += 1,
                Err(refused) => self.report.refuse(refused),
            }
        }
        Ok(out)
    }

    /// What became of the rows read so far.
    pub fn report(&self) -> &ImportReport {
        &self.report
    }

    /// The report, once the rows are read.
    pub fn into_report(self) -> ImportReport {
        self.report
    }
}

/// One row: a recipient, `None` for a number already taken, or the refusal.
fn take(
    rules: Rules<'_>,
    seen: &mut HashSet<u64>,
    communes_met: &mut HashMap<String, Option<String>>,
    number: u64,
    row: Row<'_>,
    (phone_col, commune_col, name_col): (usize, Option<usize>, Option<usize>),
) -> Result<Option<Recipient>, Refused> {
    let cell = |c: Option<usize>| c.and_then(|c| row.get(c)).map(str::trim);
    let phone_cell = cell(Some(phone_col)).unwrap_or_default();
    let phone = rules
        .plan
        .parse(phone_cell)
        .map_err(|e| Refused::new(number, "phone", phone_cell, e.message()))?;
    let commune_code = match cell(commune_col).filter(|c| !c.is_empty()) {
        None => None,
        Some(c) => Some(
            commune_code(rules.communes, communes_met, c).ok_or_else(|| {
                Refused::new(number, "commune", c, Msg::new("list-no-such-commune"))
            })?,
        ),
    };
    let national = phone.national();
    if !seen.insert(digits_key(national)) {
        return Ok(None);
    }
    let (operator, ported) = match rules.ported.get(national) {
        Some(op) => (op.clone(), true),
        None => match rules.plan.operator_of(&phone) {
            Some(op) => (op.id.clone(), false),
            None => {
                return Err(Refused::new(
                    number,
                    "phone",
                    phone_cell,
                    lantoa_core::phone::PhoneError::UnknownPrefix(
                        phone.national().chars().take(3).collect(),
                    )
                    .message(),
                ));
            }
        },
    };
    Ok(Some(Recipient {
        phone: phone.national().to_owned(),
        operator,
        ported,
        commune_code,
        name: cell(name_col).filter(|n| !n.is_empty()).map(str::to_owned),
    }))
}

/// The code of the commune a cell names, remembered by the cell's text.
fn commune_code(
    communes: &Communes,
    met: &mut HashMap<String, Option<String>>,
    cell: &str,
) -> Option<String> {
    if let Some(code) = met.get(cell) {
        return code.clone();
    }
    let code = communes.code_of(cell);
    if met.len() < COMMUNES_MET_MAX {
        met.insert(cell.to_owned(), code.clone());
    }
    code
}

/// A string of ASCII digits as one integer, a leading 1 keeping its leading zeros apart
/// (`"0912"` and `"912"` differ). National numbers have at most 11 digits, well within `u64`.
fn digits_key(digits: &str) -> u64 {
    digits.bytes().fold(1u64, |k, b| {
        k.wrapping_mul(10)
            .wrapping_add(u64::from(b.wrapping_sub(b'0')))
    })
}

/// Reads a whole list held in memory: its recipients and the report.
pub fn read(bytes: &[u8], rules: Rules<'_>) -> Result<(Vec<Recipient>, ImportReport), ListError> {
    let mut reader = ListReader::open(bytes, rules)?;
    let mut all = Vec::new();
    loop {
        let batch = reader.next_batch(usize::MAX)?;
        if batch.is_empty() {
            break;
        }
        all.extend(batch);
    }
    Ok((all, reader.into_report()))
}

/// Reads a ported-numbers file: a header naming a phone column and an operator column (`nha
/// mang`, `operator`: an operator id or name of the plan). Returns the table and the refused rows.
pub fn read_ported(
    bytes: &[u8],
    plan: &NumberingPlan,
) -> Result<(HashMap<String, String>, Vec<Refused>), ListError> {
    let mut table = Table::open(bytes)?;
    let phone_col = table.phone_column()?;
    let op_col = table
        .keys
        .iter()
        .position(|k| ["nha mang", "nha_mang", "operator", "nha mang moi"].contains(&k.as_str()))
        .ok_or_else(|| ListError::Unreadable("no operator column (Nhà mạng or operator)".into()))?;
    let mut out = HashMap::new();
    let mut refused = Vec::new();
    while let Some((number, row)) = table.next_row()? {
        let get = |c: usize| row.get(c).map(|s| s.trim().to_owned()).unwrap_or_default();
        let (phone_cell, op_cell) = (get(phone_col), get(op_col));
        if phone_cell.is_empty() && op_cell.is_empty() {
            continue;
        }
        let phone = match plan.parse(&phone_cell) {
            Ok(p) => p,
            Err(e) => {
                refused.push(Refused::new(number, "phone", phone_cell, e.message()));
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
                Msg::new("list-no-such-operator").arg(
                    "known",
                    plan.operators()
                        .iter()
                        .map(|o| o.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                ),
            )),
        }
    }
    Ok((out, refused))
}

/// Reads a file of numbers (a phone column; other columns ignored), as the national
/// Do-Not-Call list or a list of opt-outs comes: the numbers in national form, each once, and
/// the rows refused.
pub fn read_numbers(
    bytes: &[u8],
    plan: &NumberingPlan,
) -> Result<(Vec<String>, Vec<Refused>), ListError> {
    let mut table = Table::open(bytes)?;
    let phone_col = table.phone_column()?;
    let mut seen = HashSet::new();
    let mut numbers = Vec::new();
    let mut refused = Vec::new();
    while let Some((number, row)) = table.next_row()? {
        let cell = row.get(phone_col).map(str::trim).unwrap_or_default();
        if cell.is_empty() {
            continue;
        }
        match plan.parse(cell) {
            Ok(p) => {
                if seen.insert(p.national().to_owned()) {
                    numbers.push(p.national().to_owned());
                }
            }
            Err(e) => refused.push(Refused::new(number, "phone", cell, e.message())),
        }
    }
    Ok((numbers, refused))
}

/// A list file's header and its rows, read one at a time: a CSV streamed, or the first sheet
/// of an `.xlsx` workbook (read whole; a sheet holds at most 1,048,576 rows).
struct Table<'a> {
    header: Vec<String>,
    /// The header's labels, folded for matching.
    keys: Vec<String>,
    rows: Rows<'a>,
    /// The file row of the row last read (the header is row 1).
    number: u64,
}

enum Rows<'a> {
    Csv(
        Box<csv::Reader<Box<dyn Read + Send + 'a>>>,
        csv::StringRecord,
    ),
    Cells(std::vec::IntoIter<Vec<String>>, Vec<String>),
}

/// One row's cells.
#[derive(Clone, Copy)]
enum Row<'r> {
    Csv(&'r csv::StringRecord),
    Cells(&'r [String]),
}

impl<'r> Row<'r> {
    fn get(self, i: usize) -> Option<&'r str> {
        match self {
            Row::Csv(r) => r.get(i),
            Row::Cells(c) => c.get(i).map(String::as_str),
        }
    }

    fn is_blank(self) -> bool {
        match self {
            Row::Csv(r) => r.iter().all(|c| c.trim().is_empty()),
            Row::Cells(c) => c.iter().all(|c| c.trim().is_empty()),
        }
    }
}

/// Bytes looked at to choose the CSV delimiter.
const PEEK: usize = 64 * 1024;

impl<'a> Table<'a> {
    fn open(source: impl Read + Send + 'a) -> Result<Self, ListError> {
        let mut source = std::io::BufReader::with_capacity(PEEK, source);
        let head = source.fill_buf().map_err(unreadable)?;
        let mut rows = if head.starts_with(b"PK\x03\x04") {
            let mut bytes = Vec::new();
            source.read_to_end(&mut bytes).map_err(unreadable)?;
            Rows::Cells(xlsx_rows(&bytes)?.into_iter(), Vec::new())
        } else {
            let bom = head.starts_with(b"\xef\xbb\xbf");
            let body = if bom { &head[3..] } else { head };
            let first = body.split(|&b| b == b'\n').next().unwrap_or_default();
            let count = |d: u8| first.iter().filter(|&&b| b == d).count();
            let delimiter = if count(b';') > count(b',') {
                b';'
            } else {
                b','
            };
            if bom {
                source.consume(3);
            }
            let reader = csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .delimiter(delimiter)
                .from_reader(Box::new(source) as Box<dyn Read + Send + 'a>);
            Rows::Csv(Box::new(reader), csv::StringRecord::new())
        };
        let header: Vec<String> = match &mut rows {
            Rows::Csv(reader, record) => {
                if !reader.read_record(record).map_err(csv_error)? {
                    return Err(ListError::Empty);
                }
                record.iter().map(str::to_owned).collect()
            }
            Rows::Cells(it, _) => it.next().ok_or(ListError::Empty)?,
        };
        let keys = header.iter().map(|h| fold_key(h.trim())).collect();
        Ok(Self {
            header,
            keys,
            rows,
            number: 1,
        })
    }

    /// The next row and its number in the file, or `None` at the end.
    fn next_row(&mut self) -> Result<Option<(u64, Row<'_>)>, ListError> {
        self.number += 1;
        let row = match &mut self.rows {
            Rows::Csv(reader, record) => {
                if !reader.read_record(record).map_err(csv_error)? {
                    return Ok(None);
                }
                Row::Csv(record)
            }
            Rows::Cells(it, cells) => match it.next() {
                Some(next) => {
                    *cells = next;
                    Row::Cells(cells)
                }
                None => return Ok(None),
            },
        };
        Ok(Some((self.number, row)))
    }

    /// The column holding phone numbers, or the refusal that lists the header's labels.
    fn phone_column(&self) -> Result<usize, ListError> {
        self.keys
            .iter()
            .position(|k| PHONE_LABELS.contains(&k.as_str()))
            .ok_or_else(|| {
                ListError::NoPhoneColumn(
                    self.header
                        .iter()
                        .map(|h| format!("\"{h}\""))
                        .collect::<Vec<_>>()
                        .join(", "),
                )
            })
    }
}

fn unreadable(e: std::io::Error) -> ListError {
    ListError::Unreadable(e.to_string())
}

/// A CSV error, saying where: invalid UTF-8 names its line and asks for CSV UTF-8.
fn csv_error(e: csv::Error) -> ListError {
    ListError::Csv(lantoa_core::msg::csv_problem(&e))
}

fn xlsx_rows(bytes: &[u8]) -> Result<Vec<Vec<String>>, ListError> {
    let (_, rows) = lantoa_store::sheet::first_sheet(
        bytes,
        lantoa_store::sheet::Limits::default(),
        |c| match c {
            // A number typed into a cell loses its leading 0 and may read as 912345678.0.
            calamine::Data::Float(f) if f.fract() == 0.0 => format!("{f:.0}"),
            other => other.to_string(),
        },
    )
    .map_err(ListError::Unreadable)?;
    Ok(rows)
}

#[cfg(test)]
mod tests {
    #[test]
    fn communes_are_read_as_typed_with_or_without_tones_and_prefixes() {
        let c = Communes::hanoi().unwrap();
        let code = |name: &str| {
            c.all()
                .iter()
                .find(|(_, n)| n == name)
                .map(|(code, _)| code.clone())
                .unwrap()
        };
        let hk = code("Phường Hoàn Kiếm");
        let bd = code("Phường Ba Đình");
        let typed = format!("Hoàn Kiếm; phuong ba dinh,\n{hk}");
        assert_eq!(
            c.codes_typed("communes", &typed).unwrap(),
            vec![hk.clone(), bd]
        );
        assert_eq!(
            c.codes_typed("communes", " , ").unwrap(),
            Vec::<String>::new()
        );
        let e = c
            .codes_typed("communes", "Hoàn Kiếm, Không Có")
            .unwrap_err();
        let text = e.to_string();
        assert!(
            text.starts_with("communes:") && text.contains("Không Có"),
            "{text}"
        );
        let e = c.codes_typed("communes", "Hoàn").unwrap_err().to_string();
        assert!(
            e.contains("did you mean") && e.contains("Phường Hoàn Kiếm"),
            "{e}"
        );
    }

    use super::*;

    /// Runs `f` with the shipped plan, no ported numbers and one commune.
    fn with_rules<T>(f: impl FnOnce(Rules<'_>) -> T) -> T {
        let plan = NumberingPlan::builtin();
        let ported = HashMap::new();
        let communes = Communes::new([("00070".to_owned(), "Phường Hoàn Kiếm".to_owned())]);
        f(Rules {
            plan: &plan,
            ported: &ported,
            communes: &communes,
        })
    }

    #[test]
    fn batches_give_what_one_read_gives() {
        with_rules(|rules| {
            let mut csv = String::from("\u{feff}SĐT;Phường/xã\n");
            for i in 0..250 {
                // every fifth row repeats an earlier number; every seventh is not a number
                let n = if i % 5 == 4 { i - 1 } else { i };
                if i % 7 == 6 {
                    csv.push_str("khong-co;\n");
                } else {
                    csv.push_str(&format!("098{n:07};Phường Hoàn Kiếm\n"));
                }
            }
            let (all, whole) = read(csv.as_bytes(), rules).unwrap();
            let mut reader = ListReader::open(csv.as_bytes(), rules).unwrap();
            let mut batched = Vec::new();
            loop {
                let b = reader.next_batch(17).unwrap();
                assert!(b.len() <= 17);
                if b.is_empty() {
                    break;
                }
                batched.extend(b);
            }
            assert_eq!(batched, all);
            let report = reader.into_report();
            assert!(report.conserved(), "{report:?}");
            assert_eq!(report.rows, 250);
            assert_eq!(report.refused_rows, whole.refused_rows);
            assert_eq!(report.duplicates, whole.duplicates);
            assert!(report.duplicates > 0 && report.refused_rows > 0);
            assert_eq!(all[0].commune_code.as_deref(), Some("00070"), "; delimits");
        })
    }

    #[test]
    fn refusals_beyond_the_limit_are_counted_not_kept() {
        with_rules(|rules| {
            let bad = REFUSED_KEPT + 5;
            let csv = format!("phone\n{}0912345678\n", "x\n".repeat(bad));
            let (taken, report) = read(csv.as_bytes(), rules).unwrap();
            assert_eq!(taken.len(), 1);
            assert_eq!(report.refused_rows, bad as u64);
            assert_eq!(report.refused.len(), REFUSED_KEPT);
            assert_eq!(report.refused[0].row, 2);
            assert!(report.conserved());
        })
    }

    #[test]
    fn a_line_that_is_not_utf8_is_named() {
        with_rules(|rules| {
            let mut csv = b"phone,name\n0912345678,An\n0912345679,".to_vec();
            csv.extend_from_slice(b"L\xea\n");
            let e = read(&csv, rules).unwrap_err();
            assert!(e.to_string().contains("Line 3"), "{e}");
            assert!(e.to_string().contains("CSV UTF-8"), "{e}");
        })
    }

    #[test]
    fn keys_keep_numbers_apart() {
        assert_ne!(digits_key("0912345678"), digits_key("912345678"));
        assert_eq!(digits_key("0912345678"), digits_key("0912345678"));
        assert_ne!(digits_key("0912345678"), digits_key("0912345679"));
    }
}
