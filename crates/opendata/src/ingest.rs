//! Reading an upload row by row.
//!
//! [`Ingest::csv`] tells the file's encoding and delimiter from its first 64 KiB, reads the
//! header, matches its labels to the schema's fields by name (in any order; *Tên* and *tên*
//! match), and then gives one [`Row`] at a time, so a file of any size is read in bounded memory.
//! Label problems use the Frictionless names: `blank-label`, `duplicate-label`, `extra-label`
//! (the column is not published) and `missing-label` (a schema field with no column: the file
//! is refused before any row is read). Row numbers count the header as row 1, as Frictionless
//! does.

use std::io::{BufRead, BufReader, Read};

use crate::check::{CellIn, Checker, RowError, Verdict};
use crate::decode::{self, FileEncoding};
use crate::schema::Schema;

/// A problem with the file as a whole.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FileProblem {
    /// Frictionless type: `missing-label`, `blank-label`, `duplicate-label`, `extra-label`,
    /// `encoding-error`, `source-error`.
    #[serde(rename = "type")]
    pub error_type: &'static str,
    /// What is wrong.
    pub note: String,
    /// Whether the file was refused for it (no row read).
    pub fatal: bool,
}

/// How the file was read.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Dialect {
    /// The file's encoding.
    pub encoding: FileEncoding,
    /// The delimiter.
    pub delimiter: char,
    /// The header's labels.
    pub header: Vec<String>,
}

/// One row read and checked.
#[derive(Debug, Clone)]
pub struct Row {
    /// Its number in the file (the header is row 1).
    pub number: u64,
    /// What becomes of it.
    pub verdict: Verdict,
    /// Its cells as given (decoded), in schema order and then any cells past the header's
    /// width, kept for quarantine; `None` for clean rows.
    pub raw: Option<Vec<String>>,
}

/// Counts of one upload. Conservation: `rows = clean + quarantined + duplicates`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Tally {
    /// Rows read.
    pub rows: u64,
    /// Clean rows (published).
    pub clean: u64,
    /// Rows quarantined.
    pub quarantined: u64,
    /// Rows dropped as exact repeats.
    pub duplicates: u64,
}

impl Tally {
    /// Adds a row's verdict.
    pub fn add(&mut self, v: &Verdict) {
        self.rows += 1;
        match v {
            Verdict::Clean(_) => self.clean += 1,
            Verdict::Dirty(_) => self.quarantined += 1,
            Verdict::Duplicate => self.duplicates += 1,
        }
    }

    /// Whether every row is accounted for.
    pub fn conserved(&self) -> bool {
        self.rows == self.clean + self.quarantined + self.duplicates
    }
}

/// A file being read.
pub struct Ingest<'r> {
    reader: csv::Reader<Box<dyn Read + 'r>>,
    /// Schema field → column.
    columns: Vec<usize>,
    /// Columns not in the schema.
    extra_columns: Vec<usize>,
    record: csv::ByteRecord,
    number: u64,
    /// How the file was read.
    pub dialect: Dialect,
    /// Problems with the header (none fatal once open).
    pub problems: Vec<FileProblem>,
}

const SNIFF: usize = 64 * 1024;

/// The delimiter that splits the sample's lines into the same number of cells most often.
fn sniff_delimiter(sample: &[u8]) -> u8 {
    let mut best = (b',', 0usize, 0usize);
    for d in [b',', b';', b'\t', b'|'] {
        let mut counts = Vec::new();
        let mut n = 0usize;
        let mut quoted = false;
        for &b in sample {
            match b {
                b'"' => quoted = !quoted,
                b'\n' if !quoted => {
                    counts.push(n);
                    n = 0;
                    if counts.len() == 50 {
                        break;
                    }
                }
                x if x == d && !quoted => n += 1,
                _ => {}
            }
        }
        let Some(&first) = counts.first() else {
            continue;
        };
        let agree = counts.iter().filter(|&&c| c == first).count();
        if first > 0 && (agree, first) > (best.1, best.2) {
            best = (d, agree, first);
        }
    }
    best.0
}

impl<'r> Ingest<'r> {
    /// Opens a CSV file for `schema`. Refuses it (with every reason) when a schema field has no
    /// column or the file is not text.
    pub fn csv(input: impl Read + 'r, schema: &Schema) -> Result<Self, Vec<FileProblem>> {
        let mut raw = BufReader::with_capacity(SNIFF, input);
        let head = raw.fill_buf().map_err(source_error)?.to_vec();
        let encoding = FileEncoding::sniff(&head);
        let mut text = BufReader::with_capacity(SNIFF, encoding.reader(raw));
        let sample = text.fill_buf().map_err(source_error)?;
        if sample.is_empty() {
            return Err(vec![FileProblem {
                error_type: "source-error",
                note: "the file is empty".into(),
                fatal: true,
            }]);
        }
        if sample.contains(&0) {
            return Err(vec![FileProblem {
                error_type: "source-error",
                note: "the file is not text (it holds zero bytes); upload CSV, XLSX or JSON".into(),
                fatal: true,
            }]);
        }
        let delimiter = sniff_delimiter(sample);
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(false)
            .flexible(true)
            .from_reader(Box::new(text) as Box<dyn Read + 'r>);
        let mut record = csv::ByteRecord::new();
        if !reader.read_byte_record(&mut record).map_err(csv_error)? {
            return Err(vec![FileProblem {
                error_type: "source-error",
                note: "the file has no header row".into(),
                fatal: true,
            }]);
        }
        let mut problems = Vec::new();
        let mut header = Vec::with_capacity(record.len());
        for (i, cell) in record.iter().enumerate() {
            match decode::cell(cell) {
                Ok(d) => header.push(lantoa_core::text::clean(&d.text)),
                Err(e) => {
                    problems.push(FileProblem {
                        error_type: "encoding-error",
                        note: format!("label {}: {e}", i + 1),
                        fatal: true,
                    });
                    header.push(String::new());
                }
            }
        }
        let key = |s: &str| lantoa_core::text::tone_key(s);
        let keys: Vec<String> = header.iter().map(|h| key(h)).collect();
        for (i, h) in header.iter().enumerate() {
            if h.is_empty() {
                problems.push(FileProblem {
                    error_type: "blank-label",
                    note: format!("column {} has no label; its cells are not read", i + 1),
                    fatal: false,
                });
            } else if keys[..i].contains(&keys[i]) {
                problems.push(FileProblem {
                    error_type: "duplicate-label",
                    note: format!(
                        "column {} repeats the label \"{h}\"; only the first such column is read",
                        i + 1
                    ),
                    fatal: false,
                });
            }
        }
        let mut columns = Vec::with_capacity(schema.fields.len());
        for f in &schema.fields {
            match keys.iter().position(|k| *k == key(&f.name)) {
                Some(c) => columns.push(c),
                None => problems.push(FileProblem {
                    error_type: "missing-label",
                    note: format!(
                        "no column is labelled \"{}\" (the header has: {})",
                        f.name,
                        header.join(", ")
                    ),
                    fatal: true,
                }),
            }
        }
        let extra_columns: Vec<usize> = (0..header.len())
            .filter(|c| !columns.contains(c) && !header[*c].is_empty())
            .collect();
        for &c in &extra_columns {
            problems.push(FileProblem {
                error_type: "extra-label",
                note: format!(
                    "column {} \"{}\" is not in the schema; it is kept in the upload but not published",
                    c + 1,
                    header[c]
                ),
                fatal: false,
            });
        }
        if problems.iter().any(|p| p.fatal) {
            return Err(problems);
        }
        Ok(Self {
            reader,
            columns,
            extra_columns,
            record,
            number: 1,
            dialect: Dialect {
                encoding,
                delimiter: char::from(delimiter),
                header,
            },
            problems,
        })
    }

    /// Reads and checks the next row; `None` at the end of the file. An error reading the file
    /// ends the ingest with its row number; rows given before it stand.
    pub fn next(&mut self, checker: &mut Checker<'_>) -> Option<Result<Row, FileProblem>> {
        match self.reader.read_byte_record(&mut self.record) {
            Ok(false) => return None,
            Ok(true) => {}
            Err(e) => {
                return Some(Err(FileProblem {
                    error_type: "source-error",
                    note: format!("row {}: {e}", self.number + 1),
                    fatal: true,
                }));
            }
        }
        self.number += 1;
        let width = self.dialect.header.len();
        let cell_at = |c: usize| -> CellIn<'_> {
            match self.record.get(c) {
                None => CellIn::Missing,
                Some(bytes) => match decode::cell(bytes) {
                    Ok(d) => CellIn::Text(d.text),
                    Err(e) => CellIn::Unreadable(e),
                },
            }
        };
        let cells: Vec<CellIn<'_>> = self.columns.iter().map(|&c| cell_at(c)).collect();
        let extra: Vec<String> = (width..self.record.len())
            .map(|c| match cell_at(c) {
                CellIn::Text(t) => t.into_owned(),
                _ => String::new(),
            })
            .collect();
        let verdict = checker.row(&cells, &extra);
        let raw = match &verdict {
            Verdict::Dirty(_) => Some(
                self.columns
                    .iter()
                    .copied()
                    .chain(width..self.record.len())
                    .map(|c| match cell_at(c) {
                        CellIn::Text(t) => t.into_owned(),
                        CellIn::Missing => String::new(),
                        CellIn::Unreadable(_) => {
                            String::from_utf8_lossy(self.record.get(c).unwrap_or_default())
                                .into_owned()
                        }
                    })
                    .collect(),
            ),
            _ => None,
        };
        Some(Ok(Row {
            number: self.number,
            verdict,
            raw,
        }))
    }

    /// Columns read but not in the schema.
    pub fn extra_columns(&self) -> &[usize] {
        &self.extra_columns
    }
}

fn source_error(e: std::io::Error) -> Vec<FileProblem> {
    vec![FileProblem {
        error_type: "source-error",
        note: format!("the file cannot be read: {e}"),
        fatal: true,
    }]
}

fn csv_error(e: csv::Error) -> Vec<FileProblem> {
    vec![FileProblem {
        error_type: "source-error",
        note: format!("the file cannot be read as CSV: {e}"),
        fatal: true,
    }]
}

/// The errors of a dirty row, or none.
pub fn errors_of(v: &Verdict) -> &[RowError] {
    match v {
        Verdict::Dirty(e) => e,
        _ => &[],
    }
}
