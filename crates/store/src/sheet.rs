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

/// What a workbook may hold before it is refused unread: a small file can unpack to gigabytes
/// (a "zip bomb"), and a sheet can claim millions of cells. Every XLSX reader of Lantoa (recipient
/// lists, opt-outs, plans, watch subjects, open data) goes through [`first_sheet`] with these.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The parts of the workbook together, unpacked, in bytes.
    pub max_unpacked_bytes: u64,
    /// Cells with a value in the first sheet.
    pub max_cells: u64,
    /// Columns (a cell further right refuses the file).
    pub max_columns: u32,
    /// Rows under the header.
    pub max_rows: usize,
    /// Characters in one cell (Excel's own limit is 32,767).
    pub max_cell_chars: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_unpacked_bytes: 512 << 20,
            max_cells: 20_000_000,
            max_columns: 1_000,
            max_rows: 10_000_000,
            max_cell_chars: 32_767,
        }
    }
}

impl Limits {
    /// The default limits with at most `max_rows` rows.
    pub fn rows(max_rows: usize) -> Self {
        Self {
            max_rows,
            ..Self::default()
        }
    }
}

/// Refuses a ZIP container (an XLSX workbook) that unpacks to more than `max` bytes. The sizes
/// its directory declares are not trusted: each part is inflated (to nowhere, a buffer at a
/// time) and counted, so at most `max` bytes are ever inflated, whatever the file claims.
pub fn check_unpacked_size(bytes: &[u8], max: u64) -> Result<(), String> {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| format!("not a readable .xlsx workbook: {e}"))?;
    let too_big = || {
        format!(
            "the workbook unpacks to more than {} MB; a spreadsheet of this kind is far smaller — split it, or send CSV",
            max >> 20
        )
    };
    let declared: u64 = (0..zip.len())
        .filter_map(|i| zip.by_index_raw(i).ok().map(|f| f.size()))
        .fold(0u64, u64::saturating_add);
    if declared > max {
        return Err(too_big());
    }
    let mut total = 0u64;
    let mut buf = vec![0u8; 64 * 1024];
    for i in 0..zip.len() {
        let mut part = zip
            .by_index(i)
            .map_err(|e| format!("not a readable .xlsx workbook: {e}"))?;
        loop {
            let n = part
                .read(&mut buf)
                .map_err(|e| format!("not a readable .xlsx workbook: {e}"))?;
            if n == 0 {
                break;
            }
            total += n as u64;
            if total > max {
                return Err(too_big());
            }
        }
    }
    Ok(())
}

/// The column letters of a 0-based column index (`0` → `A`, `27` → `AB`).
pub fn column_name(mut col: u32) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'A' + (col % 26) as u8);
        if col < 26 {
            break;
        }
        col = col / 26 - 1;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// The first sheet of an XLSX workbook within `limits`: the sheet's first used line number
/// (1-based) and its rows from that line on, each cell made by `cell`, rows as wide as the
/// widest; lines with no cell in them come out as empty rows. The error says what is wrong with the
/// file, in words for the person who sent it, quoting nothing of its content.
pub fn first_sheet<T: Clone + Default>(
    bytes: &[u8],
    limits: Limits,
    cell: impl Fn(&calamine::Data) -> T,
) -> Result<(u64, Vec<Vec<T>>), String> {
    use calamine::Reader;
    check_unpacked_size(bytes, limits.max_unpacked_bytes)?;
    let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes))
        .map_err(|e| format!("not a readable .xlsx workbook: {e}"))?;
    let name = book
        .sheet_names()
        .first()
        .cloned()
        .ok_or_else(|| "the workbook has no sheet".to_owned())?;
    let mut reader = book
        .worksheet_cells_reader(&name)
        .map_err(|e| format!("the first sheet cannot be read: {e}"))?;
    // (line, column, value), as the sheet lists them.
    let mut cells: Vec<(u32, u32, T)> = Vec::new();
    let (mut first, mut last, mut width) = (u32::MAX, 0u32, 0u32);
    while let Some(c) = reader
        .next_cell()
        .map_err(|e| format!("the first sheet cannot be read: {e}"))?
    {
        let (row, col) = c.get_position();
        let value = calamine::Data::from(c.get_value().clone());
        if matches!(value, calamine::Data::Empty) {
            continue;
        }
        let at = || format!("{}{}", column_name(col), u64::from(row) + 1);
        if col >= limits.max_columns {
            return Err(format!(
                "cell {} is past the last column allowed ({}); the sheet should be a table of at most {} columns",
                at(),
                column_name(limits.max_columns - 1),
                limits.max_columns
            ));
        }
        if let calamine::Data::String(s) = &value
            && s.chars().count() > limits.max_cell_chars
        {
            return Err(format!(
                "cell {} holds more than {} characters",
                at(),
                limits.max_cell_chars
            ));
        }
        if cells.len() as u64 >= limits.max_cells {
            return Err(format!(
                "the sheet has more than {} cells with a value; split the file",
                limits.max_cells
            ));
        }
        first = first.min(row);
        last = last.max(row);
        width = width.max(col + 1);
        if u64::from(last) - u64::from(first) > limits.max_rows as u64 {
            return Err(format!(
                "more than {} rows; split the file",
                limits.max_rows
            ));
        }
        cells.push((row, col, cell(&value)));
    }
    if cells.is_empty() {
        return Err("the first sheet is empty".to_owned());
    }
    let mut rows: Vec<Vec<T>> = (first..=last).map(|_| Vec::new()).collect();
    for (row, col, v) in cells {
        let r = &mut rows[(row - first) as usize];
        if r.len() <= col as usize {
            r.resize(width as usize, T::default());
        }
        r[col as usize] = v;
    }
    // Lines with nothing in them stay empty (no allocation): a sheet with one cell on its first
    // line and one a million lines down costs a million empty rows, not a million full ones.
    Ok((u64::from(first) + 1, rows))
}

/// Reads the first sheet of an XLSX workbook; at most `max_rows` rows under the header. The
/// error says what is wrong with the file, in words for the person who sent it.
pub fn read_xlsx(bytes: &[u8], max_rows: usize) -> Result<Sheet, String> {
    let (first_line, mut rows) = first_sheet(bytes, Limits::rows(max_rows), cell_text)?;
    let headers = rows.remove(0);
    let rows = rows
        .into_iter()
        .enumerate()
        .map(|(i, r)| (first_line + i as u64 + 1, r))
        .collect();
    Ok(Sheet { headers, rows })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// A workbook whose first sheet's XML is `sheet_data` (the `<sheetData>` element's content).
    fn workbook(sheet_data: &str) -> Vec<u8> {
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let o = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        let parts = [
            ("[Content_Types].xml", r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#.to_owned()),
            ("_rels/.rels", r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#.to_owned()),
            ("xl/workbook.xml", r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#.to_owned()),
            ("xl/_rels/workbook.xml.rels", r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#.to_owned()),
            ("xl/worksheets/sheet1.xml", format!(r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{sheet_data}</sheetData></worksheet>"#)),
        ];
        for (name, body) in parts {
            zip.start_file(name, o).unwrap();
            zip.write_all(body.as_bytes()).unwrap();
        }
        zip.finish().unwrap().into_inner()
    }

    fn cell(r: &str, text: &str) -> String {
        format!(r#"<c r="{r}" t="inlineStr"><is><t>{text}</t></is></c>"#)
    }

    #[test]
    fn a_small_workbook_is_read_with_its_line_numbers() {
        let data = format!(
            r#"<row r="2">{}{}</row><row r="3">{}</row><row r="5">{}</row>"#,
            cell("A2", "ma"),
            cell("B2", "ten"),
            cell("A3", "1"),
            cell("B5", "Hà Nội")
        );
        let sheet = read_xlsx(&workbook(&data), 10).unwrap();
        assert_eq!(sheet.headers, ["ma", "ten"]);
        assert_eq!(
            sheet.rows,
            vec![
                (3, vec!["1".to_owned(), String::new()]),
                (4, vec![]),
                (5, vec![String::new(), "Hà Nội".to_owned()]),
            ]
        );
    }

    #[test]
    fn a_workbook_that_unpacks_past_the_limit_is_refused_unread() {
        // Two megabytes of one letter pack into a few kilobytes.
        let big = "A".repeat(2 << 20);
        let data = format!(r#"<row r="1">{}</row>"#, cell("A1", &big));
        let bytes = workbook(&data);
        assert!(bytes.len() < 64 * 1024, "{}", bytes.len());
        let limits = Limits {
            max_unpacked_bytes: 1 << 20,
            ..Limits::default()
        };
        let e = first_sheet(&bytes, limits, cell_text).unwrap_err();
        assert!(e.contains("unpacks to more than 1 MB"), "{e}");
        // A directory that claims gigabytes is refused before anything is inflated.
        let claims = crate::testing::claiming_unpacked(&workbook(&cell("A1", "x")), 0x7fff_ffff);
        let e = read_xlsx(&claims, 10).unwrap_err();
        assert!(e.contains("unpacks to more than"), "{e}");
    }

    #[test]
    fn cells_past_the_limits_are_named_and_never_quoted() {
        let long = "B".repeat(40_000);
        let e = read_xlsx(
            &workbook(&format!(r#"<row r="1">{}</row>"#, cell("C1", &long))),
            10,
        )
        .unwrap_err();
        assert_eq!(e, "cell C1 holds more than 32767 characters");
        let e = read_xlsx(
            &workbook(&format!(r#"<row r="7">{}</row>"#, cell("XFD7", "x"))),
            10,
        )
        .unwrap_err();
        assert!(
            e.starts_with("cell XFD7 is past the last column allowed (ALL)"),
            "{e}"
        );
        let many: String = (1..=20)
            .map(|r| format!(r#"<row r="{r}">{}</row>"#, cell(&format!("A{r}"), "x")))
            .collect();
        let limits = Limits {
            max_cells: 10,
            ..Limits::default()
        };
        let e = first_sheet(&workbook(&many), limits, cell_text).unwrap_err();
        assert!(e.contains("more than 10 cells"), "{e}");
        let e = read_xlsx(&workbook(&many), 5).unwrap_err();
        assert!(e.contains("more than 5 rows"), "{e}");
    }

    #[test]
    fn column_names_are_excels() {
        assert_eq!(column_name(0), "A");
        assert_eq!(column_name(25), "Z");
        assert_eq!(column_name(26), "AA");
        assert_eq!(column_name(999), "ALL");
        assert_eq!(column_name(16_383), "XFD");
    }
}
