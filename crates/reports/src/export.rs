//! The report as a document: each field's comparison table (plan, actual, % of plan, the same
//! period last year, the change), its chart, and its text; then shortcomings and the tasks
//! ahead. The console page and the DOCX (Decree 30/2020's form, through `lantoa-docs`) are made
//! from the same rows and the same charts; a chart goes into the DOCX as a PNG drawn from its
//! SVG by resvg. Only an approved report is exported as final; any other is marked a draft.

use chrono::NaiveDate;
use serde::Serialize;

use crate::figures::{Labels, Section};
use crate::report::{Contents, Report};
use crate::{Error, Result};

/// The language of the labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// Vietnamese (the document's).
    Vi,
    /// English.
    En,
}

/// One row of a field's comparison table.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Row {
    /// The figure's key.
    pub key: String,
    /// Its name.
    pub label: String,
    /// The console page listing what it counts.
    pub link: String,
    /// The plan's target, written.
    pub target: String,
    /// This period, written.
    pub actual: String,
    /// Actual over target, percent.
    pub of_plan: String,
    /// The same period last year, written.
    pub last_year: String,
    /// The change from last year, percent.
    pub change: String,
}

/// A field as the report shows it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FieldView {
    /// The field (`watch`).
    pub field: String,
    /// Its name.
    pub title: String,
    /// Its rows; empty when it has no data or failed.
    pub rows: Vec<Row>,
    /// Why it has no figures (the module failed or is not here).
    pub error: Option<String>,
    /// Whether the period has no data for it.
    pub empty: bool,
    /// Its chart (SVG), when it has data.
    pub chart: Option<String>,
    /// Its breakdown tables.
    pub tables: Vec<TableView>,
}

/// A breakdown table as the report shows it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TableView {
    /// Its key.
    pub key: String,
    /// Its title.
    pub title: String,
    /// The console page of its records.
    pub link: String,
    /// Its column heads, the row's name first.
    pub columns: Vec<String>,
    /// Its rows, written.
    pub rows: Vec<Vec<String>>,
}

fn tables(s: &Section, labels: &Labels, lang: Lang) -> Vec<TableView> {
    // Without the topics file the codes are shown as they are.
    let topics = lantoa_notify::topics::Topics::shipped().ok();
    s.tables
        .iter()
        .filter_map(|t| {
            let l = labels.table.iter().find(|l| l.key == t.key)?;
            let (title, columns) = match lang {
                Lang::Vi => (&l.vi, &l.columns_vi),
                Lang::En => (&l.en, &l.columns_en),
            };
            let met = |v: f64| match (lang, v > 0.5) {
                (Lang::Vi, true) => "đạt",
                (Lang::Vi, false) => "chưa đạt",
                (Lang::En, true) => "met",
                (Lang::En, false) => "not met",
            };
            Some(TableView {
                key: t.key.clone(),
                title: title.clone(),
                link: l.link.clone(),
                columns: columns.clone(),
                rows: t
                    .rows
                    .iter()
                    .map(|(name, values)| {
                        // SMS topics are kept by code and written by name.
                        let name = match (t.key.as_str(), topics.as_ref()) {
                            ("notify.by_topic", Some(topics)) => topics
                                .name(
                                    name,
                                    match lang {
                                        Lang::Vi => lantoa_core::Lang::Vi,
                                        Lang::En => lantoa_core::Lang::En,
                                    },
                                )
                                .to_owned(),
                            _ => name.clone(),
                        };
                        std::iter::once(name)
                            .chain(values.iter().enumerate().map(|(i, v)| match v {
                                None => "—".to_owned(),
                                // The indicators' last column says whether it was met.
                                Some(v) if t.key == "plans.indicators" && i == 2 => {
                                    met(*v).to_owned()
                                }
                                Some(v) => written(*v, ""),
                            }))
                            .collect()
                    })
                    .collect(),
            })
        })
        .collect()
}

/// A value as Vietnamese documents write it: thousands with ".", decimals with ",".
pub fn written(v: f64, unit: &str) -> String {
    let mut s = lantoa_core::text::number(v, 1, lantoa_core::Lang::Vi);
    match unit {
        "" => {}
        "%" => s.push('%'),
        u => {
            s.push(' ');
            s.push_str(u);
        }
    }
    s
}

/// A rank's move, `gained` places up (negative: down), as the report says it.
fn places(gained: f64, lang: Lang) -> String {
    let n = written(gained.abs(), "");
    match (lang, gained.partial_cmp(&0.0)) {
        (Lang::Vi, Some(std::cmp::Ordering::Greater)) => format!("tăng {n} bậc"),
        (Lang::Vi, Some(std::cmp::Ordering::Less)) => format!("giảm {n} bậc"),
        (Lang::Vi, _) => "giữ nguyên".to_owned(),
        (Lang::En, Some(std::cmp::Ordering::Greater)) => format!("up {n} places"),
        (Lang::En, Some(std::cmp::Ordering::Less)) => format!("down {n} places"),
        (Lang::En, _) => "unchanged".to_owned(),
    }
}

fn label(l: &crate::figures::Label, lang: Lang) -> &str {
    match lang {
        Lang::Vi => &l.vi,
        Lang::En => &l.en,
    }
}

/// The link to what a figure counts, narrowed to `[from, to]` where its page can.
fn link(l: &crate::figures::Label, span: Option<(NaiveDate, NaiveDate)>) -> String {
    match span {
        Some((from, to)) if l.period || l.on_day => {
            let join = if l.link.contains('?') { "&" } else { "?" };
            if l.period {
                format!("{}{join}from={from}&to={to}", l.link)
            } else {
                format!("{}{join}on={to}", l.link)
            }
        }
        _ => l.link.clone(),
    }
}

/// Every field of the report with its rows and chart; each figure's link narrowed to `span`
/// (the report's days) where its page can.
pub fn fields_of(
    contents: &Contents,
    labels: &Labels,
    lang: Lang,
    span: Option<(NaiveDate, NaiveDate)>,
) -> Vec<FieldView> {
    let mut views = fields(contents, labels, lang);
    for v in &mut views {
        for r in &mut v.rows {
            if let Some(l) = labels.figure(&r.key) {
                r.link = link(l, span);
            }
        }
    }
    views
}

/// Every field of the report with its rows and chart.
pub fn fields(contents: &Contents, labels: &Labels, lang: Lang) -> Vec<FieldView> {
    let dash = "—".to_owned();
    contents
        .sections
        .iter()
        .map(|s| {
            let title = labels
                .field
                .iter()
                .find(|f| f.key == s.field)
                .map_or(s.field.clone(), |f| label(f, lang).to_owned());
            let before: Option<&Section> = contents.last_year.iter().find(|l| l.field == s.field);
            let rows: Vec<Row> = if s.is_empty() || s.error.is_some() {
                Vec::new()
            } else {
                s.figures
                    .iter()
                    .filter_map(|f| {
                        let l = labels.figure(&f.key)?;
                        let target = contents.target(&f.key);
                        // A year with no records of the field has no figure to compare
                        // with: its column says "—", not 0.
                        let last = before
                            .filter(|b| b.error.is_none() && !b.is_empty())
                            .and_then(|b| b.value(&f.key));
                        let pct = |a: Option<f64>, b: Option<f64>| match (a, b) {
                            (Some(a), Some(b)) if b != 0.0 => written(a * 100.0 / b, "%"),
                            _ => dash.clone(),
                        };
                        Some(Row {
                            key: f.key.clone(),
                            label: label(l, lang).to_owned(),
                            link: l.link.clone(),
                            target: target.map_or(dash.clone(), |t| written(t, &l.unit)),
                            actual: f.value.map_or(dash.clone(), |v| written(v, &l.unit)),
                            // A rank against its target is no percentage either.
                            of_plan: if l.rank {
                                dash.clone()
                            } else {
                                pct(f.value, target)
                            },
                            last_year: last.map_or(dash.clone(), |v| written(v, &l.unit)),
                            change: match (f.value, last) {
                                (Some(a), Some(b)) if l.rank => places(b - a, lang),
                                (Some(a), Some(b)) if b != 0.0 && l.unit != "%" => {
                                    let c = (a - b) * 100.0 / b;
                                    format!("{}{}", if c > 0.0 { "+" } else { "" }, written(c, "%"))
                                }
                                _ => dash.clone(),
                            },
                        })
                    })
                    .collect()
            };
            let chart = (!rows.is_empty())
                .then(|| chart(s, labels, lang, &title))
                .flatten();
            FieldView {
                field: s.field.clone(),
                title,
                empty: s.is_empty(),
                error: s.error.clone(),
                tables: if s.error.is_some() {
                    Vec::new()
                } else {
                    tables(s, labels, lang)
                },
                rows,
                chart,
            }
        })
        .collect()
}

/// A field's counts (not rates nor money) as bars.
fn chart(s: &Section, labels: &Labels, lang: Lang, title: &str) -> Option<String> {
    let rows: Vec<lantoa_core::chart::BarRow> = s
        .figures
        .iter()
        .filter_map(|f| {
            let l = labels.figure(&f.key)?;
            (l.unit.is_empty())
                .then_some(())
                .and(f.value)
                .map(|v| lantoa_core::chart::BarRow {
                    label: lantoa_core::chart::shorten(label(l, lang), 34),
                    values: vec![v],
                })
        })
        .collect();
    (!rows.is_empty()).then(|| {
        let period = match lang {
            Lang::Vi => "Kỳ báo cáo",
            Lang::En => "This period",
        };
        lantoa_core::chart::hbars(
            &format!("chart-{}", s.field),
            title,
            &rows,
            &[(period, "#1f5fa8")],
        )
    })
}

/// Draws an SVG as PNG at twice its size (fonts from the system: DejaVu or Liberation).
pub fn png(svg: &str) -> Result<(Vec<u8>, (u32, u32))> {
    let mut opt = resvg::usvg::Options::default();
    opt.fontdb_mut().load_system_fonts();
    opt.font_family = "DejaVu Sans".into();
    let tree = resvg::usvg::Tree::from_str(svg, &opt)
        .map_err(|e| Error::Document(format!("a chart does not read as SVG: {e}")))?;
    let size = tree
        .size()
        .to_int_size()
        .scale_by(2.0)
        .ok_or_else(|| Error::Document("a chart has no size".into()))?;
    let mut pixmap = resvg::tiny_skia::Pixmap::new(size.width(), size.height())
        .ok_or_else(|| Error::Document("a chart is too large to draw".into()))?;
    pixmap.fill(resvg::tiny_skia::Color::WHITE);
    resvg::render(
        &tree,
        resvg::tiny_skia::Transform::from_scale(2.0, 2.0),
        &mut pixmap.as_mut(),
    );
    let png = pixmap
        .encode_png()
        .map_err(|e| Error::Document(format!("a chart's PNG: {e}")))?;
    Ok((png, (size.width(), size.height())))
}

/// The Vietnamese section headings, I., II., …
fn roman(i: usize) -> &'static str {
    ["I", "II", "III", "IV", "V", "VI", "VII", "VIII"]
        .get(i)
        .copied()
        .unwrap_or("")
}

/// The report as DOCX in the form of Decree 30/2020. `final_copy` refuses a report not yet
/// approved; otherwise a report not approved is marked "DỰ THẢO" (draft).
///
/// Its date is the day it was approved (`day`, today, while it is not). It goes out under the
/// letterhead of the agency that held the department's work when its period ended (or on its
/// date, if that came first): a 2023 report is the Department of Information and
/// Communications' even when printed after the 2025 reorganisation.
pub fn docx(
    r: &Report,
    contents: &Contents,
    labels: &Labels,
    agencies: &lantoa_docs::Agencies,
    day: NaiveDate,
    final_copy: bool,
) -> Result<Vec<u8>> {
    if final_copy && r.state != "approved" {
        return Err(Error::Refused(
            lantoa_core::Msg::new("report-final-needs-approval")
                .arg("label", &r.label)
                .label("state", format!("reports-state-{}", r.state)),
        ));
    }
    use lantoa_docs::Block;
    let day = r
        .approved_at
        .map(|at| lantoa_core::time::local_date(lantoa_core::time::from_micros(at)))
        .unwrap_or(day);
    let letterhead = agencies
        .at(r.to.min(day))
        .map_err(|e| Error::Document(e.to_string()))?
        .clone();
    let mut body = vec![Block::Para(format!(
        "Số liệu từ ngày {} đến ngày {}, do Lantoa tổng hợp từ hồ sơ của Sở; so sánh với kế hoạch và cùng kỳ năm trước.",
        r.from.format("%d/%m/%Y"),
        r.to.format("%d/%m/%Y")
    ))];
    let head = [
        "Chỉ tiêu",
        "Kế hoạch",
        "Thực hiện",
        "% kế hoạch",
        "Cùng kỳ năm trước",
        "So với cùng kỳ",
    ]
    .map(String::from)
    .to_vec();
    let views = fields(contents, labels, Lang::Vi);
    for (i, f) in views.iter().enumerate() {
        body.push(Block::Heading(format!(
            "{}. {}",
            roman(i),
            f.title.to_uppercase()
        )));
        if let Some(e) = &f.error {
            body.push(Block::Para(format!(
                "Không lấy được số liệu của lĩnh vực này: {e}."
            )));
        } else if f.empty {
            body.push(Block::Para("Không có số liệu trong kỳ báo cáo.".into()));
        } else {
            body.push(Block::Table(
                head.clone(),
                f.rows
                    .iter()
                    .map(|r| {
                        vec![
                            r.label.clone(),
                            r.target.clone(),
                            r.actual.clone(),
                            r.of_plan.clone(),
                            r.last_year.clone(),
                            r.change.clone(),
                        ]
                    })
                    .collect(),
            ));
            for t in &f.tables {
                body.push(Block::Para(format!("{}:", t.title)));
                body.push(Block::Table(t.columns.clone(), t.rows.clone()));
            }
            if let Some(svg) = &f.chart {
                let (png, pixels) = png(svg)?;
                body.push(Block::Image {
                    png,
                    pixels,
                    width_mm: 160,
                    caption: format!("Biểu đồ {}: {}", i + 1, f.title),
                });
            }
        }
        if let Some(t) = contents.text(&f.field) {
            body.extend(
                t.body
                    .split("\n\n")
                    .map(|p| Block::Para(p.trim().to_owned())),
            );
        }
    }
    for (j, (name, title)) in [
        ("shortcomings", "TỒN TẠI, HẠN CHẾ"),
        ("next_tasks", "NHIỆM VỤ KỲ TỚI"),
    ]
    .into_iter()
    .enumerate()
    {
        body.push(Block::Heading(format!(
            "{}. {title}",
            roman(views.len() + j)
        )));
        match contents.text(name) {
            Some(t) => body.extend(
                t.body
                    .split("\n\n")
                    .map(|p| Block::Para(p.trim().to_owned())),
            ),
            None => body.push(Block::Para("(Chưa viết.)".into())),
        }
    }
    let draft = r.state != "approved";
    let doc = lantoa_docs::AdminDoc {
        place: agencies.place().to_owned(),
        // The register's number once approved; a draft's is left blank.
        number: r.number.filter(|_| !draft).unwrap_or(0),
        symbol: format!("BC-{}", letterhead.abbr),
        date: day,
        kind_name: Some(if draft {
            "BÁO CÁO (DỰ THẢO)".into()
        } else {
            "BÁO CÁO".into()
        }),
        summary: format!("Kết quả công tác {}", lower_first(&r.label)),
        to: Some(letterhead.governing.clone()),
        body,
        signatures: vec![lantoa_docs::Signature {
            authority: String::new(),
            title: "GIÁM ĐỐC".into(),
            name: letterhead.head.clone(),
        }],
        recipients: vec![
            letterhead.governing.clone(),
            "Lãnh đạo Sở".into(),
            "Lưu: VT".into(),
        ],
        letterhead,
    };
    doc.to_docx().map_err(|e| Error::Document(e.to_string()))
}

/// The DOCX rendered to PDF by LibreOffice (`soffice`), so both say the same.
pub fn pdf(soffice: &std::path::Path, docx: &[u8]) -> Result<Vec<u8>> {
    lantoa_docs::to_pdf(soffice, docx).map_err(|e| {
        Error::Unavailable(format!(
            "the PDF is made from the DOCX by LibreOffice, which failed: {e}"
        ))
    })
}

/// "Quý I/2026" → "quý I/2026": the label inside a sentence, its numerals kept.
fn lower_first(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map(|c| c.to_lowercase().chain(chars).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::{Lang, places};

    #[test]
    fn a_rank_moves_by_places_not_percent() {
        // From 24th to 6th: 18 places up, not "-75%".
        assert_eq!(places(24.0 - 6.0, Lang::Vi), "tăng 18 bậc");
        assert_eq!(places(24.0 - 6.0, Lang::En), "up 18 places");
        assert_eq!(places(6.0 - 9.0, Lang::Vi), "giảm 3 bậc");
        assert_eq!(places(-3.0, Lang::En), "down 3 places");
        assert_eq!(places(0.0, Lang::Vi), "giữ nguyên");
    }
}
