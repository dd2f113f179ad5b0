//! Reading an upload row by row.
//!
//! [`Ingest::open`] picks the reader by content: an `.xlsx` workbook (a ZIP archive: its first
//! sheet, the first row as header), a JSON array of objects (keys are labels), or CSV.
//! [`Ingest::csv`] tells the file's encoding and delimiter from its first 64 KiB, reads the
//! header, matches its labels to the schema's fields by name (in any order; *Tên* and *tên*
//! match), and then gives one [`Row`] at a time, so a file of any size is read in bounded memory.
//! Label problems use the Frictionless names: `blank-label`, `duplicate-label`, `extra-label`
//! (the column is not published) and `missing-label` (a schema field with no column: the file
//! is refused before any row is read). Row numbers count the header as row 1, as Frictionless
//! does.

use std::io::{BufRead, BufReader, Read};

use chrono::NaiveDate;
use lantoa_core::msg::Msg;

use crate::check::{CellIn, Checker, RowError, Verdict};
use crate::decode::{self, FileEncoding, Reading, Vote};
use crate::schema::Schema;

/// A problem with the file as a whole.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FileProblem {
    /// Frictionless type: `missing-label`, `blank-label`, `duplicate-label`, `extra-label`,
    /// `encoding-error`, `source-error`.
    #[serde(rename = "type")]
    pub error_type: &'static str,
    /// What is wrong.
    pub note: Msg,
    /// Whether the file was refused for it (no row read).
    pub fatal: bool,
}

/// How the file was read.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Dialect {
    /// `csv`, `xlsx` or `json`.
    pub format: &'static str,
    /// The file's encoding.
    pub encoding: FileEncoding,
    /// How its text that is not plain Unicode was read, when its words told ([`survey`]).
    pub reading: Option<Reading>,
    /// The delimiter.
    pub delimiter: char,
    /// The header's labels.
    pub header: Vec<String>,
}

impl Dialect {
    /// The encoding as an upload's report names it: the legacy encoding the text was read in
    /// (`tcvn3`, `vni`, `windows-1258`) when the file's words told one, else the file's own
    /// (`utf8`, `utf8-bom`, `utf16-le`, `utf16-be`).
    pub fn encoding_name(&self) -> &'static str {
        match (self.reading, self.encoding) {
            (Some(r), _) => r.as_str(),
            (None, FileEncoding::Utf8) => "utf8",
            (None, FileEncoding::Utf8Bom) => "utf8-bom",
            (None, FileEncoding::Utf16Le) => "utf16-le",
            (None, FileEncoding::Utf16Be) => "utf16-be",
        }
    }
}

/// Whether a record is plain Unicode: UTF-8 with no sign of a legacy encoding.
fn unicode(record: &[u8]) -> bool {
    decode::plainly_unicode(record) && simdutf8::basic::from_utf8(record).is_ok()
}

/// How a file's text that is not plain Unicode is to be read.
pub enum Survey<'r> {
    /// Already decided (or not to be: `None`, each cell judged alone).
    Done(Option<Reading>),
    /// Decided by this survey of the whole file ([`survey`]), run the first time a record that
    /// is not plain Unicode is read: a file in plain Unicode (most files) is never read twice.
    Pending(Box<dyn FnOnce() -> Option<Reading> + 'r>),
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

/// Where rows come from.
enum Source<'r> {
    /// CSV bytes, decoded cell by cell.
    Csv {
        reader: csv::Reader<Box<dyn Read + 'r>>,
        record: csv::ByteRecord,
        /// Whether the record as a whole shows no sign of legacy encodings, so neither does
        /// any of its cells (checked once per record instead of once per cell); with UTF-8
        /// checked once too, its cells are then read as slices of its text.
        plain: bool,
        /// The file's reading of other text.
        reading: Option<Reading>,
        /// The survey that decides it, until a record first needs it.
        pending: Option<Box<dyn FnOnce() -> Option<Reading> + 'r>>,
    },
    /// A table already read as text (a workbook's sheet, a JSON array).
    Table {
        rows: std::vec::IntoIter<Vec<String>>,
        current: Vec<String>,
    },
}

impl Source<'_> {
    fn len(&self) -> usize {
        match self {
            Source::Csv { record, .. } => record.len(),
            Source::Table { current, .. } => current.len(),
        }
    }

    /// The current record as text, when it is UTF-8 and plainly Unicode as a whole (as almost
    /// every record is).
    fn plain_text(&self) -> Option<&str> {
        match self {
            Source::Csv {
                record,
                plain: true,
                ..
            } => simdutf8::basic::from_utf8(record.as_slice()).ok(),
            _ => None,
        }
    }

    /// Cell `c`; `whole` is [`Source::plain_text`], looked up once per record.
    #[inline]
    fn cell<'a>(&'a self, c: usize, whole: Option<&'a str>) -> CellIn<'a> {
        match self {
            Source::Csv {
                record, reading, ..
            } => {
                // A plain record's cells are slices of its text, when they fall on character
                // boundaries (cells that are not UTF-8 on their own never do).
                if let Some(s) = whole.and_then(|w| record.range(c).and_then(|r| w.get(r))) {
                    return CellIn::Text(s.into());
                }
                match record.get(c) {
                    None => CellIn::Missing,
                    Some(bytes) => match decode::cell_in(bytes, *reading) {
                        Ok(d) => CellIn::Text(d.text),
                        Err(e) => CellIn::Unreadable(e),
                    },
                }
            }
            Source::Table { current, .. } => current
                .get(c)
                .map_or(CellIn::Missing, |s| CellIn::Text(s.as_str().into())),
        }
    }

    /// The cell as given, for quarantine (bytes that could not be decoded one character each,
    /// [`decode::as_given`]).
    fn raw(&self, c: usize, whole: Option<&str>) -> String {
        match self.cell(c, whole) {
            CellIn::Text(t) => t.into_owned(),
            CellIn::Missing => String::new(),
            CellIn::Unreadable(_) => match self {
                Source::Csv { record, .. } => decode::as_given(record.get(c).unwrap_or_default()),
                Source::Table { .. } => String::new(),
            },
        }
    }
}

/// A file being read.
pub struct Ingest<'r> {
    source: Source<'r>,
    /// Schema field → column.
    columns: Vec<usize>,
    /// Columns not in the schema.
    extra_columns: Vec<usize>,
    number: u64,
    /// How the file was read.
    pub dialect: Dialect,
    /// Rows per byte of the file as sampled from its start (CSV), to size tables.
    rows_per_byte: Option<f64>,
    /// Problems with the header (none fatal once open).
    pub problems: Vec<FileProblem>,
}

const SNIFF: usize = 64 * 1024;

/// The largest workbook or JSON document read (they are read whole; CSV streams).
pub const WHOLE_FILE_LIMIT: u64 = 256 << 20;

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
        Self::csv_in(input, schema, Survey::Done(None))
    }

    /// [`Ingest::csv`] for a file whose text that is not plain Unicode is read as its
    /// [`Survey`] of all its words decides.
    pub fn csv_in(
        input: impl Read + 'r,
        schema: &Schema,
        survey: Survey<'r>,
    ) -> Result<Self, Vec<FileProblem>> {
        let mut raw = BufReader::with_capacity(SNIFF, input);
        let head = raw.fill_buf().map_err(source_error)?.to_vec();
        // Line ends per byte of the start of the file (a UTF-16 line end is "\n\0": one '\n').
        let lines = head.iter().filter(|&&b| b == b'\n').count();
        let rows_per_byte = (lines >= 2).then(|| lines as f64 / head.len() as f64);
        let encoding = FileEncoding::sniff(&head);
        let mut text = BufReader::with_capacity(SNIFF, encoding.reader(raw));
        let sample = text.fill_buf().map_err(source_error)?;
        if sample.is_empty() {
            return Err(vec![FileProblem {
                error_type: "source-error",
                note: Msg::new("file-empty"),
                fatal: true,
            }]);
        }
        if sample.contains(&0) {
            return Err(vec![FileProblem {
                error_type: "source-error",
                note: Msg::new("file-not-text"),
                fatal: true,
            }]);
        }
        let delimiter = sniff_delimiter(sample);
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(false)
            .flexible(true)
            // As large as the readers below it: once the sniffed start is read, the file's bytes
            // go straight into the CSV reader's buffer instead of being copied through theirs.
            .buffer_capacity(SNIFF)
            .from_reader(Box::new(text) as Box<dyn Read + 'r>);
        let mut record = csv::ByteRecord::new();
        if !reader.read_byte_record(&mut record).map_err(csv_error)? {
            return Err(vec![FileProblem {
                error_type: "source-error",
                note: Msg::new("file-no-header"),
                fatal: true,
            }]);
        }
        let (mut reading, mut pending) = match survey {
            Survey::Done(r) => (r, None),
            Survey::Pending(f) => (None, Some(f)),
        };
        if pending.is_some()
            && !unicode(record.as_slice())
            && let Some(f) = pending.take()
        {
            reading = f();
        }
        let mut problems = Vec::new();
        let mut header = Vec::with_capacity(record.len());
        for (i, cell) in record.iter().enumerate() {
            match decode::cell_in(cell, reading) {
                Ok(d) => header.push(lantoa_core::text::clean(&d.text)),
                Err(e) => {
                    problems.push(FileProblem {
                        error_type: "encoding-error",
                        note: Msg::new("file-label-encoding")
                            .arg("column", i + 1)
                            .label("detail", lantoa_core::Describe::message(&e).key),
                        fatal: true,
                    });
                    header.push(String::new());
                }
            }
        }
        let (columns, extra_columns) = map_header(&header, schema, &mut problems)?;
        Ok(Self {
            source: Source::Csv {
                reader,
                record,
                plain: false,
                reading,
                pending,
            },
            columns,
            extra_columns,
            number: 1,
            dialect: Dialect {
                format: "csv",
                encoding,
                reading,
                delimiter: char::from(delimiter),
                header,
            },
            rows_per_byte,
            problems,
        })
    }

    /// Opens an upload, choosing the reader by [`format_of`].
    pub fn open(
        file_name: &str,
        bytes: &'r [u8],
        schema: &Schema,
    ) -> Result<Self, Vec<FileProblem>> {
        match format_of(file_name, bytes) {
            "xlsx" => Self::xlsx(bytes, schema),
            "json" => Self::json(bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes), schema),
            _ => Self::csv(bytes, schema),
        }
    }

    /// Opens a file given as a stream (a stored upload of any size): tells its format from its
    /// first 64 KiB as [`Ingest::open`] does. CSV is read as it streams; a workbook or a JSON
    /// document must be read whole, so one larger than [`WHOLE_FILE_LIMIT`] is refused with a
    /// reason that says to send it as CSV.
    pub fn read(
        file_name: &str,
        input: impl Read + 'r,
        schema: &Schema,
    ) -> Result<Self, Vec<FileProblem>> {
        Self::read_within(
            file_name,
            input,
            schema,
            WHOLE_FILE_LIMIT,
            Survey::Done(None),
        )
    }

    /// [`Ingest::read`] of a CSV file whose legacy text is read as its [`Survey`] decides.
    pub fn read_surveyed(
        file_name: &str,
        input: impl Read + 'r,
        schema: &Schema,
        survey: Survey<'r>,
    ) -> Result<Self, Vec<FileProblem>> {
        Self::read_within(file_name, input, schema, WHOLE_FILE_LIMIT, survey)
    }

    /// [`Ingest::read`] with another limit for the formats read whole.
    pub fn read_within(
        file_name: &str,
        mut input: impl Read + 'r,
        schema: &Schema,
        whole_file_limit: u64,
        survey: Survey<'r>,
    ) -> Result<Self, Vec<FileProblem>> {
        let mut head = Vec::with_capacity(SNIFF);
        (&mut input)
            .take(SNIFF as u64)
            .read_to_end(&mut head)
            .map_err(source_error)?;
        let format = format_of(file_name, &head);
        if format == "csv" {
            return Self::csv_in(std::io::Cursor::new(head).chain(input), schema, survey);
        }
        let mut whole = head;
        (&mut input)
            .take((whole_file_limit + 1).saturating_sub(whole.len() as u64))
            .read_to_end(&mut whole)
            .map_err(source_error)?;
        if whole.len() as u64 > whole_file_limit {
            return Err(vec![FileProblem {
                error_type: "source-error",
                note: Msg::new("file-too-large-whole")
                    .arg(
                        "format",
                        if format == "xlsx" {
                            "Excel (.xlsx)"
                        } else {
                            "JSON"
                        },
                    )
                    .arg("mib", whole_file_limit.div_ceil(1 << 20)),
                fatal: true,
            }]);
        }
        match format {
            "xlsx" => Self::xlsx(&whole, schema),
            _ => Self::json(
                whole.strip_prefix(b"\xef\xbb\xbf").unwrap_or(&whole),
                schema,
            ),
        }
    }

    /// Opens the first sheet of an `.xlsx` workbook: its first row is the header. Whole numbers
    /// lose Excel's `.0`, date cells become ISO dates, error cells keep their text (`#N/A`).
    pub fn xlsx(bytes: &[u8], schema: &Schema) -> Result<Self, Vec<FileProblem>> {
        let (first_line, mut rows) = lantoa_store::sheet::first_sheet(
            bytes,
            lantoa_store::sheet::Limits::default(),
            sheet_text,
        )
        .map_err(|e| fatal(Msg::new("file-sheet-unreadable").arg("detail", e)))?;
        let first_row = first_line - 1;
        let header: Vec<String> = rows
            .remove(0)
            .iter()
            .map(|c| lantoa_core::text::clean(c))
            .collect();
        Self::table("xlsx", header, rows, first_row + 1, schema)
    }

    /// Opens a JSON array of objects (or an object holding one under `data`, `records` or
    /// `rows`): the schema's fields are the labels, then any other key of the first object.
    /// Strings are taken as they are, numbers and booleans as written, `null` as empty; an
    /// element that is not an object comes out as a row with its JSON in the first column.
    pub fn json(bytes: &[u8], schema: &Schema) -> Result<Self, Vec<FileProblem>> {
        let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| {
            fatal(
                Msg::new("file-not-json")
                    .arg("line", e.line())
                    .arg("column", e.column())
                    .arg("detail", e),
            )
        })?;
        let items = match value {
            serde_json::Value::Array(a) => a,
            serde_json::Value::Object(mut o) => match ["data", "records", "rows"]
                .iter()
                .find_map(|k| o.remove(*k))
            {
                Some(serde_json::Value::Array(a)) => a,
                _ => {
                    return Err(fatal(Msg::new("file-json-shape")));
                }
            },
            _ => return Err(fatal(Msg::new("file-json-shape"))),
        };
        let mut header: Vec<String> = schema.fields.iter().map(|f| f.name.clone()).collect();
        if let Some(serde_json::Value::Object(first)) = items.first() {
            for k in first.keys() {
                if !header.contains(k) {
                    header.push(k.clone());
                }
            }
        }
        let text = |v: &serde_json::Value| match v {
            serde_json::Value::Null => String::new(),
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let rows: Vec<Vec<String>> = items
            .iter()
            .map(|item| match item {
                serde_json::Value::Object(o) => header
                    .iter()
                    .map(|h| o.get(h).map(text).unwrap_or_default())
                    .collect(),
                other => vec![other.to_string()],
            })
            .collect();
        Self::table("json", header, rows, 1, schema)
    }

    fn table(
        format: &'static str,
        header: Vec<String>,
        rows: Vec<Vec<String>>,
        header_row: u64,
        schema: &Schema,
    ) -> Result<Self, Vec<FileProblem>> {
        let mut problems = Vec::new();
        let (columns, extra_columns) = map_header(&header, schema, &mut problems)?;
        Ok(Self {
            source: Source::Table {
                rows: rows.into_iter(),
                current: Vec::new(),
            },
            columns,
            extra_columns,
            number: header_row,
            dialect: Dialect {
                format,
                encoding: FileEncoding::Utf8,
                reading: None,
                delimiter: ',',
                header,
            },
            rows_per_byte: None,
            problems,
        })
    }

    /// Reads the next record: `None` at the end of the file, an error (with its row number)
    /// when the file cannot be read on.
    fn advance(&mut self) -> Option<Result<(), FileProblem>> {
        let more = match &mut self.source {
            Source::Csv {
                reader,
                record,
                plain,
                ..
            } => {
                let more = reader.read_byte_record(record);
                // Each cell's checks are a subset of the whole record's.
                *plain = matches!(more, Ok(true)) && decode::plainly_unicode(record.as_slice());
                more
            }
            Source::Table { rows, current } => Ok(rows.next().map(|r| *current = r).is_some()),
        };
        match more {
            Ok(false) => None,
            Ok(true) => {
                self.number += 1;
                Some(Ok(()))
            }
            Err(e) => Some(Err(FileProblem {
                error_type: "source-error",
                note: lantoa_core::msg::csv_problem(&e),
                fatal: true,
            })),
        }
    }

    /// The latest date in the schema's date, datetime and year columns (a year counts as its
    /// last day), read without checking the rows; it stops at the first date on or after
    /// `enough`. Cells that are not dates are passed over. `None` when no cell is a date.
    pub fn latest_date(mut self, schema: &Schema, enough: NaiveDate) -> Option<NaiveDate> {
        use crate::schema::FieldType;
        let dated: Vec<(usize, &FieldType)> = schema
            .fields
            .iter()
            .enumerate()
            .filter(|(_, f)| {
                matches!(
                    f.kind,
                    FieldType::Date(_) | FieldType::Datetime | FieldType::Year
                )
            })
            .map(|(i, f)| (self.columns[i], &f.kind))
            .collect();
        if dated.is_empty() {
            return None;
        }
        let mut latest: Option<NaiveDate> = None;
        while let Some(Ok(())) = self.advance() {
            let whole = self.source.plain_text();
            for &(c, kind) in &dated {
                let CellIn::Text(t) = self.source.cell(c, whole) else {
                    continue;
                };
                let t = t.trim();
                let day = match kind {
                    FieldType::Date(f) => crate::clean::date(t, f).ok(),
                    FieldType::Datetime => crate::clean::datetime(t)
                        .ok()
                        .and_then(|d| NaiveDate::parse_from_str(d.get(..10)?, "%Y-%m-%d").ok()),
                    _ => crate::clean::year(t)
                        .ok()
                        .and_then(|y| NaiveDate::from_ymd_opt(y, 12, 31)),
                };
                if day > latest {
                    latest = day;
                }
            }
            if latest.is_some_and(|d| d >= enough) {
                break;
            }
        }
        latest
    }

    /// Reads and checks the next row; `None` at the end of the file. An error reading the file
    /// ends the ingest with its row number; rows given before it stand.
    pub fn next(&mut self, checker: &mut Checker<'_>) -> Option<Result<Row, FileProblem>> {
        if let Err(e) = self.advance()? {
            return Some(Err(e));
        }
        let width = self.dialect.header.len();
        let mut whole = self.source.plain_text();
        // The first record that is not plain Unicode settles how the file's legacy text is
        // read, from a survey of all of it.
        if whole.is_none() {
            if let Source::Csv {
                reading,
                pending: pending @ Some(_),
                ..
            } = &mut self.source
                && let Some(survey) = pending.take()
            {
                *reading = survey();
                self.dialect.reading = *reading;
            }
            whole = self.source.plain_text();
        }
        let source = &self.source;
        let cells: smallvec::SmallVec<[CellIn<'_>; 16]> = self
            .columns
            .iter()
            .map(|&c| source.cell(c, whole))
            .collect();
        let extra: Vec<String> = (width..source.len())
            .map(|c| source.raw(c, whole))
            .collect();
        let verdict = checker.row(&cells, &extra);
        let raw = match &verdict {
            Verdict::Dirty(_) => Some(
                self.columns
                    .iter()
                    .copied()
                    .chain(width..source.len())
                    .map(|c| source.raw(c, whole))
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

    /// About how many rows a CSV file of `file_bytes` holds, judged from its first 64 KiB (for
    /// sizing tables; `None` when the start holds too few lines to judge).
    pub fn expected_rows(&self, file_bytes: u64) -> Option<u64> {
        self.rows_per_byte.map(|r| (r * file_bytes as f64) as u64)
    }

    /// Columns read but not in the schema.
    pub fn extra_columns(&self) -> &[usize] {
        &self.extra_columns
    }
}

/// Reads all of a CSV file's bytes (as UTF-8, when the file is UTF-16) and counts the words
/// that tell its legacy encoding ([`Vote`]); its [`Vote::decide`] is the reading for
/// [`Ingest::read_surveyed`]. A file that is not CSV gives an empty vote.
pub fn survey(file_name: &str, mut input: impl Read) -> std::io::Result<Vote> {
    let mut head = Vec::with_capacity(SNIFF);
    (&mut input).take(SNIFF as u64).read_to_end(&mut head)?;
    let mut vote = Vote::default();
    if format_of(file_name, &head) != "csv" {
        return Ok(vote);
    }
    let encoding = FileEncoding::sniff(&head);
    let mut text = encoding.reader(std::io::Cursor::new(head).chain(input));
    let mut block = vec![0u8; SNIFF];
    loop {
        let n = match text.read(&mut block) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        vote.feed(&block[..n]);
    }
    vote.finish();
    Ok(vote)
}

/// What an upload is: `xlsx` (a ZIP archive), `json` (named `.json`, or starting with `[` or
/// `{`), else `csv`.
pub fn format_of(file_name: &str, bytes: &[u8]) -> &'static str {
    if bytes.starts_with(b"PK\x03\x04") {
        return "xlsx";
    }
    let start = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let first = start.iter().find(|b| !b.is_ascii_whitespace());
    if file_name.to_ascii_lowercase().ends_with(".json") || matches!(first, Some(b'[' | b'{')) {
        "json"
    } else {
        "csv"
    }
}

/// Matches the header's labels to the schema's fields by tone key; reports blank, repeated,
/// extra and missing labels. Fails when a field has no column or a label could not be read.
fn map_header(
    header: &[String],
    schema: &Schema,
    problems: &mut Vec<FileProblem>,
) -> Result<(Vec<usize>, Vec<usize>), Vec<FileProblem>> {
    let key = |s: &str| lantoa_core::text::tone_key(s);
    let keys: Vec<String> = header.iter().map(|h| key(h)).collect();
    for (i, h) in header.iter().enumerate() {
        if h.is_empty() {
            problems.push(FileProblem {
                error_type: "blank-label",
                note: Msg::new("file-blank-label").arg("column", i + 1),
                fatal: false,
            });
        } else if keys[..i].contains(&keys[i]) {
            problems.push(FileProblem {
                error_type: "duplicate-label",
                note: Msg::new("file-duplicate-label")
                    .arg("column", i + 1)
                    .arg("label", h),
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
                note: Msg::new("file-missing-label")
                    .arg("label", &f.name)
                    .arg("header", header.join(", ")),
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
            note: Msg::new("file-extra-label")
                .arg("column", c + 1)
                .arg("label", &header[c]),
            fatal: false,
        });
    }
    if problems.iter().any(|p| p.fatal) {
        return Err(std::mem::take(problems));
    }
    Ok((columns, extra_columns))
}

/// A workbook cell as text: whole numbers without Excel's `.0`, dates as ISO dates, booleans
/// `true`/`false`, error cells as Excel writes them (`#N/A`), so the checks see what a person
/// sees.
fn sheet_text(cell: &calamine::Data) -> String {
    use calamine::{Data, DataType};
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(n) => n.to_string(),
        // Truncation is exact here: the value is whole and well within i64.
        #[allow(clippy::cast_possible_truncation)]
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => (*f as i64).to_string(),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(_) | Data::DateTimeIso(_) => cell
            .as_date()
            .map(crate::clean::iso_date)
            .unwrap_or_else(|| cell.to_string()),
        Data::Error(e) => match e {
            calamine::CellErrorType::NA => "#N/A".into(),
            calamine::CellErrorType::Value => "#VALUE!".into(),
            calamine::CellErrorType::Ref => "#REF!".into(),
            calamine::CellErrorType::Div0 => "#DIV/0!".into(),
            calamine::CellErrorType::Num => "#NUM!".into(),
            calamine::CellErrorType::Name => "#NAME?".into(),
            calamine::CellErrorType::Null => "#NULL!".into(),
            other => format!("#{other:?}"),
        },
        other => other.to_string(),
    }
}

/// A fatal problem with the file's source (it cannot be read at all).
fn fatal(note: Msg) -> Vec<FileProblem> {
    vec![FileProblem {
        error_type: "source-error",
        note,
        fatal: true,
    }]
}

fn source_error(e: std::io::Error) -> Vec<FileProblem> {
    vec![FileProblem {
        error_type: "source-error",
        note: Msg::new("file-unreadable").arg("detail", e),
        fatal: true,
    }]
}

fn csv_error(e: csv::Error) -> Vec<FileProblem> {
    vec![FileProblem {
        error_type: "source-error",
        note: lantoa_core::msg::csv_problem(&e),
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
