//! Importing subjects from CSV or XLSX, with a report per row.
//!
//! Officers keep their lists in spreadsheets with Vietnamese headers. The header row is matched
//! loosely (case, tone marks and spacing ignored): `Loại`, `URL`/`Địa chỉ`/`Tên miền`, `Tên`,
//! `Đơn vị chủ quản`, `Mã số thuế`, `Số giấy phép`, `Ngày cấp`, `Cơ quan báo chí`. The
//! delimiter (comma, semicolon, tab) is detected and a UTF-8 byte-order mark is skipped. Each
//! row is registered on its own: a bad row is reported with its line, field and reason and the
//! rest go on; a URL already registered is reported, not duplicated, so importing the same
//! file twice is harmless.

use chrono::NaiveDate;
use lantoa_core::TaxCode;
use lantoa_core::msg::{Describe as _, Msg};
use lantoa_core::text;
use lantoa_core::unit::UnitKind;
use lantoa_registry::NewUnit;
use serde::Serialize;

use crate::subject::{NewSubject, SubjectKind, Watch};
use crate::{Error, Result};

/// Rows accepted in one file.
pub const MAX_ROWS: usize = 100_000;

/// What happened to one row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum RowStatus {
    /// Registered as subject `id`.
    Created {
        /// The new subject.
        id: i64,
    },
    /// The URL was already registered as subject `id`; nothing changed.
    AlreadyRegistered {
        /// The existing subject.
        id: i64,
    },
    /// Not registered, because of `reason` in `field`.
    Rejected {
        /// The column at fault.
        field: String,
        /// Why (sent in English and by id: [`lantoa_core::msg::noted`]).
        #[serde(flatten, with = "lantoa_core::msg::noted")]
        reason: Msg,
    },
}

/// One row's outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowOutcome {
    /// Line in the file (the header is line 1).
    pub line: u64,
    /// The URL as written.
    pub url: String,
    /// What happened.
    pub status: RowStatus,
}

/// The report of an import.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    /// Rows registered.
    pub created: usize,
    /// Rows whose URL was already registered.
    pub already: usize,
    /// Rows refused.
    pub rejected: usize,
    /// Every row, in file order.
    pub rows: Vec<RowOutcome>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Column {
    Kind,
    Url,
    Name,
    Unit,
    TaxCode,
    LicenceNo,
    LicenceDate,
    IsPress,
    Description,
    Transcript,
}

fn column_of(header: &str) -> Option<Column> {
    let key = text::fold_key(header).replace(['_', '-', '.'], " ");
    let key = key.split_whitespace().collect::<Vec<_>>().join(" ");
    Some(match key.as_str() {
        "loai" | "kind" | "loai hinh" | "phan loai" => Column::Kind,
        "url" | "dia chi" | "ten mien" | "duong dan" | "link" => Column::Url,
        "ten" | "name" | "ten trang" | "ten goi" => Column::Name,
        "don vi chu quan" | "co quan chu quan" | "don vi" | "managing unit" => Column::Unit,
        "ma so thue" | "mst" | "tax code" => Column::TaxCode,
        "so giay phep" | "giay phep" | "licence no" | "license no" | "licence" => Column::LicenceNo,
        "ngay cap" | "ngay cap phep" | "ngay cap giay phep" | "licence date" | "license date" => {
            Column::LicenceDate
        }
        "co quan bao chi" | "la co quan bao chi" | "bao chi" | "is press" => Column::IsPress,
        "mo ta" | "description" | "noi dung" | "noi dung bai viet" => Column::Description,
        "loi thoai" | "transcript" | "phu de" | "loi noi" => Column::Transcript,
        _ => return None,
    })
}

fn column_name(c: Column) -> &'static str {
    match c {
        Column::Kind => "loại",
        Column::Url => "url",
        Column::Name => "tên",
        Column::Unit => "đơn vị chủ quản",
        Column::TaxCode => "mã số thuế",
        Column::LicenceNo => "số giấy phép",
        Column::LicenceDate => "ngày cấp",
        Column::IsPress => "cơ quan báo chí",
        Column::Description => "mô tả",
        Column::Transcript => "lời thoại",
    }
}

/// Parses a date in any form officers write ([`lantoa_core::time::parse_day`]).
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    lantoa_core::time::parse_day(s)
}

fn parse_bool(s: &str) -> Option<bool> {
    match text::fold_key(s).as_str() {
        "" | "khong" | "0" | "no" | "false" | "k" => Some(false),
        "co" | "x" | "1" | "yes" | "true" | "c" => Some(true),
        _ => None,
    }
}

fn detect_delimiter(first_line: &str) -> u8 {
    [b',', b';', b'\t']
        .into_iter()
        .max_by_key(|d| first_line.bytes().filter(|b| b == d).count())
        .unwrap_or(b',')
}

struct Rejected(Column, Msg);

/// A sheet read from a file: its header row and its rows, each with its line (row) number.
struct Table {
    headers: Vec<String>,
    /// Each row's cells, or why it cannot be read.
    rows: Vec<(u64, std::result::Result<Vec<String>, Msg>)>,
}

fn read_csv(bytes: &[u8]) -> Result<Table> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        Error::File(format!(
            "not UTF-8 text (byte {}); save the sheet as \"CSV UTF-8\" or as .xlsx",
            e.valid_up_to() + 1
        ))
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let first = text.lines().next().unwrap_or("");
    let delimiter = detect_delimiter(first);
    let builder = |headers: bool| {
        let mut b = csv::ReaderBuilder::new();
        b.delimiter(delimiter)
            .flexible(true)
            .has_headers(headers)
            .trim(csv::Trim::All);
        b
    };
    let mut reader = builder(true).from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| Error::File(e.to_string()))?
        .iter()
        .map(str::to_owned)
        .collect();
    let columns = headers.len();
    let mut rows = Vec::new();
    // Where the reader started in `text`, and that place's line number.
    let (mut base, mut base_line) = (0usize, 1u64);
    loop {
        let mut restart = None;
        let mut records = reader.records().peekable();
        while let Some(record) = records.next() {
            if rows.len() >= MAX_ROWS {
                return Err(Error::File(format!(
                    "more than {MAX_ROWS} rows; split the file"
                )));
            }
            let start = record
                .as_ref()
                .ok()
                .and_then(|r| r.position())
                .map_or(0, |p| p.byte() as usize);
            let line = base_line
                + record
                    .as_ref()
                    .ok()
                    .and_then(|r| r.position())
                    .map_or(0, |p| p.line() - 1);
            let end = match records.peek() {
                Some(Ok(next)) => next
                    .position()
                    .map_or(text.len() - base, |p| p.byte() as usize),
                _ => text.len() - base,
            };
            // A quote that opens a field and never closes makes the reader take the following
            // lines into that field, up to the next quote in the file. A row spanning lines
            // with an odd number of quotes, or with a line inside it that has a whole row's
            // delimiters, is refused, and reading goes on at the line after its first.
            let raw = text.get(base + start..base + end).unwrap_or("");
            let mut lines = raw
                .trim_end_matches(['\r', '\n'])
                .lines()
                .skip(1)
                .peekable();
            let spans_lines = lines.peek().is_some();
            let swallowed_a_row =
                lines.any(|l| l.bytes().filter(|&b| b == delimiter).count() + 1 >= columns.max(2));
            if spans_lines && (raw.matches('"').count() % 2 == 1 || swallowed_a_row) {
                rows.push((line, Err(Msg::new("import-unclosed-quote"))));
                let first_line_end = raw.find('\n').map_or(raw.len(), |i| i + 1);
                restart = Some((base + start + first_line_end, line + 1));
                break;
            }
            rows.push((
                line,
                record
                    .map(|r| r.iter().map(str::to_owned).collect())
                    .map_err(|e| lantoa_core::msg::csv_problem(&e)),
            ));
        }
        let Some((at, at_line)) = restart else { break };
        if at >= text.len() {
            break;
        }
        base = at;
        base_line = at_line;
        reader = builder(false).from_reader(&text.as_bytes()[at..]);
    }
    Ok(Table { headers, rows })
}

fn read_xlsx(bytes: &[u8]) -> Result<Table> {
    let sheet = lantoa_store::sheet::read_xlsx(bytes, MAX_ROWS).map_err(Error::File)?;
    Ok(Table {
        headers: sheet.headers,
        rows: sheet.rows.into_iter().map(|(l, r)| (l, Ok(r))).collect(),
    })
}

impl Watch {
    /// Imports subjects from a CSV or XLSX file (told apart by content: an XLSX file is a ZIP
    /// archive); `actor` is recorded on every row and on units the import registers (an
    /// enterprise given by name and a valid tax code not yet known).
    pub async fn import(&self, actor: &str, bytes: &[u8]) -> Result<ImportReport> {
        let table = if bytes.starts_with(b"PK\x03\x04") {
            read_xlsx(bytes)?
        } else {
            read_csv(bytes)?
        };
        self.import_table(actor, table).await
    }

    /// Imports subjects from CSV bytes (see [`Watch::import`]).
    pub async fn import_csv(&self, actor: &str, bytes: &[u8]) -> Result<ImportReport> {
        self.import_table(actor, read_csv(bytes)?).await
    }

    async fn import_table(&self, actor: &str, table: Table) -> Result<ImportReport> {
        let columns: Vec<Option<Column>> = table.headers.iter().map(|h| column_of(h)).collect();
        for needed in [Column::Url, Column::Name] {
            if !columns.contains(&Some(needed)) {
                return Err(Error::File(format!(
                    "the header row has no column \"{}\" (found: {})",
                    column_name(needed),
                    table.headers.join(", ")
                )));
            }
        }
        let mut report = ImportReport::default();
        for (line, record) in table.rows {
            let record = match record {
                Ok(r) => r,
                Err(e) => {
                    report.rejected += 1;
                    report.rows.push(RowOutcome {
                        line,
                        url: String::new(),
                        status: RowStatus::Rejected {
                            field: "row".into(),
                            reason: e,
                        },
                    });
                    continue;
                }
            };
            if record.iter().all(|f| f.trim().is_empty()) {
                continue;
            }
            let get = |c: Column| -> String {
                columns
                    .iter()
                    .position(|x| *x == Some(c))
                    .and_then(|i| record.get(i))
                    .map(|v| v.trim().to_owned())
                    .unwrap_or_default()
            };
            let url = get(Column::Url);
            let status = match self.import_row(actor, &get).await {
                Ok(status) => status,
                Err(Rejected(col, reason)) => RowStatus::Rejected {
                    field: column_name(col).into(),
                    reason,
                },
            };
            match status {
                RowStatus::Created { .. } => report.created += 1,
                RowStatus::AlreadyRegistered { .. } => report.already += 1,
                RowStatus::Rejected { .. } => report.rejected += 1,
            }
            report.rows.push(RowOutcome { line, url, status });
        }
        Ok(report)
    }

    async fn import_row(
        &self,
        actor: &str,
        get: &impl Fn(Column) -> String,
    ) -> std::result::Result<RowStatus, Rejected> {
        let reject = |c: Column| move |e: Error| Rejected(c, e.message());
        let url = get(Column::Url);
        let description = Some(get(Column::Description)).filter(|d| !d.is_empty());
        let transcript = Some(get(Column::Transcript)).filter(|t| !t.is_empty());
        if let Some(existing) = self.find_by_url(&url).await.map_err(reject(Column::Url))? {
            // Text supplied later for a known clip or post replaces the earlier text.
            if description.is_some() || transcript.is_some() {
                self.set_text(
                    actor,
                    existing.id,
                    description.as_deref(),
                    transcript.as_deref(),
                )
                .await
                .map_err(reject(Column::Description))?;
            }
            return Ok(RowStatus::AlreadyRegistered { id: existing.id });
        }
        let kind_text = get(Column::Kind);
        let kind = if kind_text.is_empty() {
            SubjectKind::Website
        } else {
            kind_text.parse().map_err(reject(Column::Kind))?
        };
        let mut new = NewSubject::new(kind, &url, &get(Column::Name));
        new.description = description;
        new.transcript = transcript;
        new.licence_no = Some(get(Column::LicenceNo)).filter(|l| !l.is_empty());
        let date = get(Column::LicenceDate);
        if !date.is_empty() {
            new.licence_date = Some(parse_date(&date).ok_or_else(|| {
                Rejected(
                    Column::LicenceDate,
                    Msg::new("watch-not-a-date").arg("value", &date),
                )
            })?);
        }
        let press = get(Column::IsPress);
        new.is_press = parse_bool(&press).ok_or_else(|| {
            Rejected(
                Column::IsPress,
                Msg::new("import-not-yes-no").arg("value", &press),
            )
        })?;
        new.managing_unit_id = self
            .resolve_unit(actor, &get(Column::Unit), &get(Column::TaxCode))
            .await?;
        let s = self.create(actor, &new).await.map_err(|e| match &e {
            Error::Invalid { field: "name", .. } => Rejected(Column::Name, e.message()),
            _ => Rejected(Column::Url, e.message()),
        })?;
        Ok(RowStatus::Created { id: s.id })
    }

    /// The managing unit named by a tax code and/or a name, registering an enterprise given by
    /// both when it is not yet known.
    async fn resolve_unit(
        &self,
        actor: &str,
        name: &str,
        tax_code: &str,
    ) -> std::result::Result<Option<i64>, Rejected> {
        let reg = |c: Column| move |e: lantoa_registry::Error| Rejected(c, e.message());
        if !tax_code.is_empty() {
            // Spreadsheets keep tax codes typed as numbers without their leading zero.
            let tax_code = if tax_code.len() == 9 && tax_code.bytes().all(|b| b.is_ascii_digit()) {
                format!("0{tax_code}")
            } else {
                tax_code.to_owned()
            };
            let code =
                TaxCode::parse(&tax_code).map_err(|e| Rejected(Column::TaxCode, e.message()))?;
            if let Some(u) = self
                .registry
                .by_code(UnitKind::Enterprise, &code.to_string())
                .await
                .map_err(reg(Column::TaxCode))?
            {
                return Ok(Some(u.id));
            }
            if name.is_empty() {
                return Err(Rejected(
                    Column::TaxCode,
                    Msg::new("import-no-enterprise").arg("code", &code),
                ));
            }
            let unit = self
                .registry
                .create(
                    actor,
                    &NewUnit::new(UnitKind::Enterprise, Some(&code.to_string()), name),
                )
                .await
                .map_err(reg(Column::Unit))?;
            return Ok(Some(unit.id));
        }
        if name.is_empty() {
            return Ok(None);
        }
        let mut found = Vec::new();
        for kind in [
            UnitKind::Agency,
            UnitKind::Enterprise,
            UnitKind::PressAgency,
        ] {
            found.extend(
                self.registry
                    .find_by_name(kind, name)
                    .await
                    .map_err(reg(Column::Unit))?,
            );
        }
        match found.len() {
            1 => Ok(Some(found[0].id)),
            0 => Err(Rejected(
                Column::Unit,
                Msg::new("import-no-unit-named").arg("name", name),
            )),
            n => Err(Rejected(
                Column::Unit,
                Msg::new("import-units-share-name")
                    .arg("count", n)
                    .arg("name", name),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_match_loosely() {
        assert!(column_of("Đơn vị chủ quản") == Some(Column::Unit));
        assert!(column_of(" MÃ SỐ THUẾ ") == Some(Column::TaxCode));
        assert!(column_of("Số giấy phép") == Some(Column::LicenceNo));
        assert!(column_of("ghi chú").is_none());
    }

    #[test]
    fn dates_and_yes_no() {
        assert_eq!(
            parse_date("05/03/2021"),
            NaiveDate::from_ymd_opt(2021, 3, 5)
        );
        assert_eq!(
            parse_date("2021-03-05"),
            NaiveDate::from_ymd_opt(2021, 3, 5)
        );
        assert_eq!(parse_date("31/02/2021"), None);
        assert_eq!(parse_bool("Có"), Some(true));
        assert_eq!(parse_bool("không"), Some(false));
        assert_eq!(parse_bool("maybe"), None);
        assert_eq!(detect_delimiter("a;b;c"), b';');
    }
}
