//! The first sheet of an XLSX workbook as text rows, for the modules' imports: each cell as an
//! officer sees it (whole numbers without ".0", dates as `yyyy-mm-dd`), each row with its line
//! number in the sheet.

/// A sheet: its header row and the rows under it, each with its line number (the header is
/// the sheet's first used line).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sheet {
    /// The header row.
    pub headers: Vec<String>,
    /// (line, cells) of each following row.
    pub rows: Vec<(u64, Vec<String>)>,
}

/// Text of a spreadsheet cell as an officer sees it.
pub fn cell_text(cell: &calamine::Data) -> String {
    use calamine::{Data, DataType};
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.trim().to_owned(),
        Data::Int(n) => n.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => if *b { "có" } else { "không" }.to_owned(),
        Data::DateTime(_) | Data::DateTimeIso(_) => cell
            .as_datetime()
            .map(|d| d.date().format("%Y-%m-%d").to_string())
            .unwrap_or_else(|| cell.to_string()),
        other => other.to_string(),
    }
}

/// Reads the first sheet of an XLSX workbook; at most `max_rows` rows under the header. The
/// error says what is wrong with the file, in words for the person who sent it.
pub fn read_xlsx(bytes: &[u8], max_rows: usize) -> Result<Sheet, String> {
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes))
        .map_err(|e| format!("not a readable .xlsx workbook: {e}"))?;
    let range = book
        .worksheet_range_at(0)
        .ok_or_else(|| "the workbook has no sheet".to_owned())?
        .map_err(|e| format!("the first sheet cannot be read: {e}"))?;
    let first_row = range.start().map_or(0, |(r, _)| u64::from(r));
    let mut iter = range.rows();
    let headers = iter
        .next()
        .ok_or_else(|| "the first sheet is empty".to_owned())?
        .iter()
        .map(cell_text)
        .collect();
    let mut rows = Vec::new();
    for (i, row) in iter.enumerate() {
        if i >= max_rows {
            return Err(format!("more than {max_rows} rows; split the file"));
        }
        rows.push((
            first_row + i as u64 + 2,
            row.iter().map(cell_text).collect(),
        ));
    }
    Ok(Sheet { headers, rows })
}
