//! Lists as files for people, in the two forms officers open: CSV as Excel reads it in Viet Nam
//! (a BOM, `;` between cells, numbers written 7.500.000 and 91,8, days dd/mm/yyyy, a cell that
//! would run as a formula neutralised) and XLSX (numbers as numbers, days as days shown
//! dd/mm/yyyy, the header bold and frozen). A list page builds one [`Sheet`] of what its
//! filters select; both files come from it, so they cannot say different things.

use axum::response::Response;
use chrono::NaiveDate;

use crate::error::WebError;

/// One cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Text as it is.
    Text(String),
    /// A number, with the decimals it is written with.
    Number(f64, u32),
    /// A day.
    Day(NaiveDate),
    /// Nothing.
    Empty,
}

impl From<&str> for Cell {
    fn from(s: &str) -> Self {
        if s.is_empty() {
            Cell::Empty
        } else {
            Cell::Text(s.to_owned())
        }
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Self {
        if s.is_empty() {
            Cell::Empty
        } else {
            Cell::Text(s)
        }
    }
}

impl From<i64> for Cell {
    fn from(v: i64) -> Self {
        Cell::Number(v as f64, 0)
    }
}

impl From<Option<NaiveDate>> for Cell {
    fn from(d: Option<NaiveDate>) -> Self {
        d.map_or(Cell::Empty, Cell::Day)
    }
}

/// A list as a table: the file's name (without extension), its header and its rows.
#[derive(Debug, Clone, Default)]
pub struct Sheet {
    /// The file's name, without extension (`doi-tuong`).
    pub file: String,
    /// The header, in the reader's language.
    pub headers: Vec<String>,
    /// The rows, each as long as the header.
    pub rows: Vec<Vec<Cell>>,
}

/// Which file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// CSV for Excel.
    Csv,
    /// An Excel workbook.
    Xlsx,
}

impl Sheet {
    /// The sheet as a download in `format`.
    pub fn respond(&self, format: Format) -> Result<Response, WebError> {
        Ok(match format {
            Format::Csv => crate::files::attachment(
                "text/csv; charset=utf-8",
                &format!("{}.csv", self.file),
                self.csv()?,
            ),
            Format::Xlsx => crate::files::attachment(
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                &format!("{}.xlsx", self.file),
                self.xlsx()?,
            ),
        })
    }

    /// CSV as Excel reads it here: a BOM, `;`, Vietnamese numbers and days.
    pub fn csv(&self) -> Result<Vec<u8>, WebError> {
        let mut out = csv::WriterBuilder::new()
            .delimiter(b';')
            .from_writer(Vec::new());
        out.write_record(&self.headers)
            .map_err(WebError::internal)?;
        for row in &self.rows {
            out.write_record(row.iter().map(|c| match c {
                Cell::Text(t) => lantoa_core::text::spreadsheet_safe(t).into_owned(),
                Cell::Number(v, decimals) => {
                    lantoa_core::text::number(*v, *decimals, lantoa_core::Lang::Vi)
                }
                Cell::Day(d) => d.format("%d/%m/%Y").to_string(),
                Cell::Empty => String::new(),
            }))
            .map_err(WebError::internal)?;
        }
        let mut body = "\u{feff}".as_bytes().to_vec();
        body.extend(out.into_inner().map_err(WebError::internal)?);
        Ok(body)
    }

    /// An Excel workbook of one sheet: typed cells, the header bold and frozen.
    pub fn xlsx(&self) -> Result<Vec<u8>, WebError> {
        use rust_xlsxwriter::{ExcelDateTime, Format as Style, Workbook};
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        let bold = Style::new().set_bold();
        let day = Style::new().set_num_format("dd/mm/yyyy");
        let whole = Style::new().set_num_format("#,##0");
        let decimal = Style::new().set_num_format("#,##0.0");
        let fail = |e: rust_xlsxwriter::XlsxError| WebError::internal(e.to_string());
        for (c, h) in self.headers.iter().enumerate() {
            sheet
                .write_string_with_format(0, col(c)?, h, &bold)
                .map_err(fail)?;
        }
        for (r, row) in self.rows.iter().enumerate() {
            let r = u32::try_from(r + 1)
                .map_err(|_| WebError::internal("a list has more rows than a sheet holds"))?;
            for (c, cell) in row.iter().enumerate() {
                let c = col(c)?;
                match cell {
                    Cell::Text(t) => {
                        sheet.write_string(r, c, t).map_err(fail)?;
                    }
                    Cell::Number(v, 0) => {
                        sheet
                            .write_number_with_format(r, c, *v, &whole)
                            .map_err(fail)?;
                    }
                    Cell::Number(v, _) => {
                        sheet
                            .write_number_with_format(r, c, *v, &decimal)
                            .map_err(fail)?;
                    }
                    Cell::Day(d) => {
                        let when = ExcelDateTime::from_ymd(
                            u16::try_from(chrono::Datelike::year(d)).unwrap_or(1900),
                            chrono::Datelike::month(d) as u8,
                            chrono::Datelike::day(d) as u8,
                        )
                        .map_err(fail)?;
                        sheet
                            .write_datetime_with_format(r, c, &when, &day)
                            .map_err(fail)?;
                    }
                    Cell::Empty => {}
                }
            }
        }
        sheet.set_freeze_panes(1, 0).map_err(fail)?;
        sheet.autofit();
        book.save_to_buffer().map_err(fail)
    }
}

fn col(c: usize) -> Result<u16, WebError> {
    u16::try_from(c).map_err(|_| WebError::internal("a list has more columns than a sheet holds"))
}

/// The most rows one export carries: a list builder stops there and ends the file with a row
/// saying it was cut ([`Sheet::cut`]).
pub const MAX_ROWS: usize = 200_000;

impl Sheet {
    /// Whether the sheet is full; if so, its last row says the list goes on (in `note`).
    pub fn cut(&mut self, note: String) -> bool {
        if self.rows.len() < MAX_ROWS {
            return false;
        }
        self.rows.push(vec![Cell::Text(note)]);
        true
    }
}

/// A list's two downloads: handlers `$csv` and `$xlsx` answer what `$sheet(&state, &ctx,
/// &params)` builds from the query `$params`, as CSV and as XLSX; with `path $id:` first, the
/// list belongs to a record whose id is in the path (`$sheet(&state, &ctx, id, &params)`).
macro_rules! downloads {
    (path $id:ty, $params:ty, $sheet:ident, $csv:ident, $xlsx:ident) => {
        /// The list's rows as CSV for Excel.
        pub async fn $csv(
            axum::extract::State(state): axum::extract::State<crate::AppState>,
            axum::Extension(ctx): axum::Extension<crate::ctx::Ctx>,
            axum::extract::Path(id): axum::extract::Path<$id>,
            axum::extract::Query(p): axum::extract::Query<$params>,
        ) -> Result<axum::response::Response, crate::error::WebError> {
            $sheet(&state, &ctx, id, &p)
                .await?
                .respond(crate::export::Format::Csv)
        }

        /// The list's rows as an Excel workbook.
        pub async fn $xlsx(
            axum::extract::State(state): axum::extract::State<crate::AppState>,
            axum::Extension(ctx): axum::Extension<crate::ctx::Ctx>,
            axum::extract::Path(id): axum::extract::Path<$id>,
            axum::extract::Query(p): axum::extract::Query<$params>,
        ) -> Result<axum::response::Response, crate::error::WebError> {
            $sheet(&state, &ctx, id, &p)
                .await?
                .respond(crate::export::Format::Xlsx)
        }
    };
    ($params:ty, $sheet:ident, $csv:ident, $xlsx:ident) => {
        /// The list's filtered rows as CSV for Excel.
        pub async fn $csv(
            axum::extract::State(state): axum::extract::State<crate::AppState>,
            axum::Extension(ctx): axum::Extension<crate::ctx::Ctx>,
            axum::extract::Query(p): axum::extract::Query<$params>,
        ) -> Result<axum::response::Response, crate::error::WebError> {
            $sheet(&state, &ctx, &p)
                .await?
                .respond(crate::export::Format::Csv)
        }

        /// The list's filtered rows as an Excel workbook.
        pub async fn $xlsx(
            axum::extract::State(state): axum::extract::State<crate::AppState>,
            axum::Extension(ctx): axum::Extension<crate::ctx::Ctx>,
            axum::extract::Query(p): axum::extract::Query<$params>,
        ) -> Result<axum::response::Response, crate::error::WebError> {
            $sheet(&state, &ctx, &p)
                .await?
                .respond(crate::export::Format::Xlsx)
        }
    };
}
pub(crate) use downloads;

#[cfg(test)]
mod tests {
    use super::*;

    fn sheet() -> Sheet {
        Sheet {
            file: "thu".into(),
            headers: vec!["Tên".into(), "Tiền phạt".into(), "Ngày".into()],
            rows: vec![
                vec![
                    Cell::from("=HYPERLINK(\"x\")"),
                    Cell::Number(7_500_000.0, 0),
                    Cell::Day(NaiveDate::from_ymd_opt(2024, 3, 5).unwrap()),
                ],
                vec![Cell::from("Trang tin"), Cell::Number(91.8, 1), Cell::Empty],
            ],
        }
    }

    #[test]
    fn csv_is_written_as_excel_reads_it_in_viet_nam() {
        let text = String::from_utf8(sheet().csv().unwrap()).unwrap();
        assert!(text.starts_with('\u{feff}'));
        let lines: Vec<&str> = text.trim_start_matches('\u{feff}').lines().collect();
        assert_eq!(lines[0], "Tên;Tiền phạt;Ngày");
        assert!(lines[1].starts_with("\"'=HYPERLINK"), "{}", lines[1]);
        assert!(lines[1].ends_with(";7.500.000;05/03/2024"), "{}", lines[1]);
        assert_eq!(lines[2], "Trang tin;91,8;");
    }

    #[test]
    fn xlsx_reads_back_with_typed_cells() {
        use calamine::{Data, Reader, Xlsx};
        let bytes = sheet().xlsx().unwrap();
        let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        let range = book.worksheet_range_at(0).unwrap().unwrap();
        assert_eq!(range.get((0, 0)), Some(&Data::String("Tên".into())));
        assert_eq!(range.get((1, 1)), Some(&Data::Float(7_500_000.0)));
        assert!(matches!(range.get((1, 2)), Some(Data::DateTime(_))));
        assert_eq!(
            range.get((1, 0)),
            Some(&Data::String("=HYPERLINK(\"x\")".into())),
            "a string cell, never a formula"
        );
        assert_eq!(range.get((2, 1)), Some(&Data::Float(91.8)));
    }
}
