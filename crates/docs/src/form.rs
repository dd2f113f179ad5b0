//! The layout of Decree 30/2020/NĐ-CP, Appendix I, for a document given as data.
//!
//! Sizes follow the appendix: A4; margins top and bottom 20 mm, left 30 mm, right 15 mm;
//! Times New Roman; the letterhead and national title 13 pt, the motto 13 pt bold, the type name
//! 14 pt bold, the body 14 pt justified with a 1 cm first-line indent, "Nơi nhận" 12 pt bold
//! italic and its list 11 pt.

use std::io::Cursor;

use chrono::{Datelike, NaiveDate};
use docx_rs::{
    AlignmentType, Docx, LineSpacing, PageMargin, Paragraph, Run, RunFonts, SpecialIndentType,
    Table, TableCell, TableRow, WidthType,
};

use crate::{Error, Letterhead, Result};

/// One block of a document's body.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// A justified paragraph with a first-line indent.
    Para(String),
    /// A bold line (a section heading: "I. …").
    Heading(String),
    /// A labelled line: the label bold, then the text ("Thời gian: …").
    Field(String, String),
    /// A bordered table: header cells, then rows.
    Table(Vec<String>, Vec<Vec<String>>),
    /// A picture (PNG) centred at its width in millimetres, with its caption under it.
    Image {
        /// The PNG file.
        png: Vec<u8>,
        /// Its width and height in pixels (its aspect is kept).
        pixels: (u32, u32),
        /// Its width on the page, mm.
        width_mm: u32,
        /// The caption, in italics.
        caption: String,
    },
}

/// Who signs: the authority line ("KT. GIÁM ĐỐC"), the title ("PHÓ GIÁM ĐỐC") and the name
/// (empty for a hand-written one).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Signature {
    /// "KT. GIÁM ĐỐC", or empty when the head signs.
    pub authority: String,
    /// The signer's title.
    pub title: String,
    /// The signer's name.
    pub name: String,
}

/// A document in the decree's form.
#[derive(Debug, Clone, PartialEq)]
pub struct AdminDoc {
    /// The issuing agency's letterhead.
    pub letterhead: Letterhead,
    /// The number in the agency's register for the year (0: not yet registered, a draft).
    pub number: i64,
    /// The symbol after the number ("GM-STTTT").
    pub symbol: String,
    /// The place name before the date.
    pub place: String,
    /// The date of issue.
    pub date: NaiveDate,
    /// The type name ("GIẤY MỜI"); none for an official letter (công văn), whose summary then
    /// goes under the number as "V/v …".
    pub kind_name: Option<String>,
    /// The summary (trích yếu).
    pub summary: String,
    /// Whom it is addressed to ("Kính gửi: …"); none for minutes.
    pub to: Option<String>,
    /// The body.
    pub body: Vec<Block>,
    /// The signature block(s): one, or two side by side for minutes (the other party left).
    pub signatures: Vec<Signature>,
    /// The recipients (nơi nhận), each without its leading dash.
    pub recipients: Vec<String>,
}

/// "Số: 05/GM-STTTT" — numbers under 10 take a leading zero (Appendix I, II.3). A draft not yet
/// in the register (number 0 or below) leaves the number blank for the clerk: "Số:      /BC-…".
pub fn number_line(number: i64, symbol: &str) -> String {
    if number <= 0 {
        return format!("Số:      /{symbol}");
    }
    format!("Số: {number:02}/{symbol}")
}

/// "Hà Nội, ngày 05 tháng 3 năm 2023" — days under 10 and the months January and February take
/// a leading zero (Appendix I, II.4).
pub fn date_line(place: &str, d: NaiveDate) -> String {
    let month = if d.month() < 3 {
        format!("{:02}", d.month())
    } else {
        d.month().to_string()
    };
    format!(
        "{place}, ngày {:02} tháng {month} năm {}",
        d.day(),
        d.year()
    )
}

const FONT: &str = "Times New Roman";
/// A4 in twentieths of a point.
const A4: (u32, u32) = (11906, 16838);
/// 1 mm in twentieths of a point.
const MM: i32 = 57;
/// The text width: A4 less 30 mm and 15 mm.
const TEXT_WIDTH: usize = 11906 - 45 * 57;

fn run(text: &str, half_points: usize) -> Run {
    Run::new().add_text(text).size(half_points)
}

fn centred(runs: Vec<Run>) -> Paragraph {
    runs.into_iter().fold(
        Paragraph::new()
            .align(AlignmentType::Center)
            .line_spacing(LineSpacing::new().before(0).after(0)),
        Paragraph::add_run,
    )
}

fn cell(width: usize, paragraphs: Vec<Paragraph>) -> TableCell {
    paragraphs
        .into_iter()
        .fold(TableCell::new().width(width, WidthType::Dxa), |c, p| {
            c.add_paragraph(p)
        })
}

fn two_columns(left: usize, a: Vec<Paragraph>, b: Vec<Paragraph>) -> Table {
    let right = TEXT_WIDTH - left;
    Table::without_borders(vec![TableRow::new(vec![cell(left, a), cell(right, b)])])
        .set_grid(vec![left, right])
        .width(TEXT_WIDTH, WidthType::Dxa)
}

impl AdminDoc {
    /// The document as DOCX bytes.
    pub fn to_docx(&self) -> Result<Vec<u8>> {
        let h = &self.letterhead;
        let mut left = vec![
            centred(vec![run(&h.governing, 24)]),
            centred(vec![run(&h.issuer, 24).bold()]),
            centred(vec![run("________", 20)]),
            centred(vec![run(&number_line(self.number, &self.symbol), 26)]),
        ];
        if self.kind_name.is_none() {
            left.push(centred(vec![run(&format!("V/v {}", self.summary), 24)]));
        }
        let right = vec![
            centred(vec![run("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 24).bold()]),
            centred(vec![
                run("Độc lập - Tự do - Hạnh phúc", 26)
                    .bold()
                    .underline("single"),
            ]),
            centred(vec![run("", 20)]),
            centred(vec![run(&date_line(&self.place, self.date), 26).italic()]),
        ];
        let mut doc = Docx::new()
            .page_size(A4.0, A4.1)
            .page_margin(
                PageMargin::new()
                    .top(20 * MM)
                    .bottom(20 * MM)
                    .left(30 * MM)
                    .right(15 * MM),
            )
            .default_fonts(
                RunFonts::new()
                    .ascii(FONT)
                    .hi_ansi(FONT)
                    .cs(FONT)
                    .east_asia(FONT),
            )
            .default_size(28)
            .created_at(&format!("{}T00:00:00Z", self.date))
            .updated_at(&format!("{}T00:00:00Z", self.date))
            .add_table(two_columns(3700, left, right))
            .add_paragraph(Paragraph::new());
        if let Some(kind) = &self.kind_name {
            doc = doc
                .add_paragraph(centred(vec![run(kind, 28).bold()]))
                .add_paragraph(centred(vec![run(&self.summary, 28).bold()]))
                .add_paragraph(centred(vec![run("________", 20)]));
        }
        if let Some(to) = &self.to {
            doc = doc.add_paragraph(
                centred(vec![run("Kính gửi: ", 28), run(to, 28)])
                    .line_spacing(LineSpacing::new().before(240).after(120)),
            );
        }
        for block in &self.body {
            doc = match block {
                Block::Para(text) => doc.add_paragraph(body_para(vec![run(text, 28)])),
                Block::Heading(text) => doc.add_paragraph(body_para(vec![run(text, 28).bold()])),
                Block::Field(label, text) => doc.add_paragraph(body_para(vec![
                    run(&format!("{label}: "), 28).bold(),
                    run(text, 28),
                ])),
                Block::Table(head, rows) => doc.add_table(grid(head, rows)),
                Block::Image {
                    png,
                    pixels,
                    width_mm,
                    caption,
                } => {
                    // EMU: 36,000 a millimetre.
                    let w = width_mm * 36_000;
                    let h =
                        (u64::from(w) * u64::from(pixels.1) / u64::from(pixels.0.max(1))) as u32;
                    let pic = docx_rs::Pic::new_with_dimensions(png.clone(), pixels.0, pixels.1)
                        .size(w, h);
                    doc.add_paragraph(
                        Paragraph::new()
                            .align(AlignmentType::Center)
                            .add_run(Run::new().add_image(pic)),
                    )
                    .add_paragraph(centred(vec![run(caption, 24).italic()]))
                }
            };
        }
        doc = doc.add_paragraph(Paragraph::new());
        let recipients: Vec<Paragraph> = if self.recipients.is_empty() {
            Vec::new()
        } else {
            let n = self.recipients.len();
            std::iter::once(Paragraph::new().add_run(run("Nơi nhận:", 24).bold().italic()))
                .chain(self.recipients.iter().enumerate().map(|(i, r)| {
                    let end = if i + 1 == n { "." } else { ";" };
                    Paragraph::new().add_run(run(&format!("- {r}{end}"), 22))
                }))
                .collect()
        };
        let sign = |s: &Signature| {
            let mut ps = Vec::new();
            if !s.authority.is_empty() {
                ps.push(centred(vec![run(&s.authority, 26).bold()]));
            }
            ps.push(centred(vec![run(&s.title, 26).bold()]));
            if s.name.is_empty() {
                ps.push(centred(vec![run("(Ký, ghi rõ họ tên)", 24).italic()]));
            }
            for _ in 0..3 {
                ps.push(centred(vec![run("", 26)]));
            }
            ps.push(centred(vec![run(&s.name, 28).bold()]));
            ps
        };
        doc = match self.signatures.as_slice() {
            [other, ours] => doc.add_table(two_columns(TEXT_WIDTH / 2, sign(other), sign(ours))),
            [ours] => doc.add_table(two_columns(4400, recipients.clone(), sign(ours))),
            _ => doc,
        };
        if self.signatures.len() == 2 && !recipients.is_empty() {
            doc = recipients.into_iter().fold(doc, Docx::add_paragraph);
        }
        let mut out = Cursor::new(Vec::new());
        doc.build()
            .pack(&mut out)
            .map_err(|e| Error::Write(e.to_string()))?;
        Ok(out.into_inner())
    }
}

fn body_para(runs: Vec<Run>) -> Paragraph {
    runs.into_iter().fold(
        Paragraph::new()
            .align(AlignmentType::Both)
            .indent(
                None,
                Some(SpecialIndentType::FirstLine(10 * MM)),
                None,
                None,
            )
            .line_spacing(LineSpacing::new().before(120).after(0)),
        Paragraph::add_run,
    )
}

/// Twentieths of a point per character of 12-point Times New Roman, a little over its widest
/// lower-case letters' mean, bold included.
const DXA_PER_CHAR: usize = 120;
/// A cell's left and right margins, twentieths of a point.
const CELL_MARGINS: usize = 230;

/// The columns' widths (twentieths of a point, summing to about the text width): each at least
/// its longest word (header or cell), so no word breaks inside; the rest shared by the length
/// of each column's longest cell (at least 4 and at most 60 characters' worth; a header wraps
/// between words), so a "STT" column stays narrow and a label column takes the room.
pub(crate) fn column_widths(head: &[String], rows: &[Vec<String>]) -> Vec<usize> {
    let column =
        |i: usize| std::iter::once(&head[i]).chain(rows.iter().filter_map(move |r| r.get(i)));
    let least: Vec<usize> = (0..head.len())
        .map(|i| {
            let word = column(i)
                .flat_map(|c| c.split_whitespace())
                .map(|w| w.chars().count())
                .max()
                .unwrap_or(1);
            word * DXA_PER_CHAR + CELL_MARGINS
        })
        .collect();
    // A header wraps between its words; the cells' lengths set the shares.
    let weights: Vec<usize> = (0..head.len())
        .map(|i| {
            rows.iter()
                .filter_map(|r| r.get(i))
                .map(|c| c.chars().count())
                .max()
                .unwrap_or(0)
                .max(least[i] / DXA_PER_CHAR)
                .clamp(4, 60)
        })
        .collect();
    let floor: usize = least.iter().sum();
    if floor >= TEXT_WIDTH {
        // Too many columns for the page: the longest words set the shares.
        return least
            .iter()
            .map(|l| TEXT_WIDTH * l / floor.max(1))
            .collect();
    }
    let rest = TEXT_WIDTH - floor;
    let total: usize = weights.iter().sum::<usize>().max(1);
    least
        .iter()
        .zip(&weights)
        .map(|(l, w)| l + rest * w / total)
        .collect()
}

/// A table with [`column_widths`], its header row bold.
fn grid(head: &[String], rows: &[Vec<String>]) -> Table {
    let widths = column_widths(head, rows);
    let row = |cells: &[String], bold: bool| {
        TableRow::new(
            cells
                .iter()
                .zip(&widths)
                .map(|(c, w)| {
                    let r = run(c, 24);
                    cell(
                        *w,
                        vec![Paragraph::new().add_run(if bold { r.bold() } else { r })],
                    )
                })
                .collect(),
        )
    };
    let mut t = Table::new(vec![row(head, true)])
        .set_grid(widths.clone())
        .width(TEXT_WIDTH, WidthType::Dxa);
    for r in rows {
        t = t.add_row(row(r, false));
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn no_column_is_narrower_than_its_longest_word_and_the_label_takes_the_room() {
        let head = strings(&[
            "Chỉ tiêu",
            "Kế hoạch",
            "Thực hiện",
            "% kế hoạch",
            "Cùng kỳ",
            "Tăng, giảm",
        ]);
        let rows = vec![strings(&[
            "Trang thông tin điện tử tổng hợp đã rà soát trong kỳ báo cáo",
            "160",
            "155",
            "96,9%",
            "—",
            "—",
        ])];
        let w = column_widths(&head, &rows);
        let sum: usize = w.iter().sum();
        assert!(sum <= TEXT_WIDTH && sum + head.len() >= TEXT_WIDTH, "{w:?}");
        for (i, h) in head.iter().enumerate() {
            let word = h
                .split_whitespace()
                .map(|x| x.chars().count())
                .max()
                .unwrap();
            assert!(w[i] >= word * DXA_PER_CHAR + CELL_MARGINS, "{h}: {w:?}");
        }
        assert!(w[0] > 3 * w[1], "{w:?}");
        // "STT" stays narrow beside a long title.
        let w = column_widths(
            &strings(&["STT", "Nhiệm vụ"]),
            &[strings(&["1", &"x ".repeat(40)])],
        );
        assert!(w[0] * 5 < w[1], "{w:?}");
    }
}
