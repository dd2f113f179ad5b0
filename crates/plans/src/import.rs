//! Importing a plan's appendix (STT, nhiệm vụ, đơn vị chủ trì, đơn vị phối hợp, thời gian hoàn
//! thành, sản phẩm) from CSV or XLSX, with a preview and a report per row.
//!
//! Roman numerals in STT open sections (`I`, `II`); numbers are tasks inside the current
//! section (`1` → `I.1`, `1.2` → `I.1.2`), so the task code is stable across imports and a
//! second import of a corrected file updates the tasks it names instead of adding them again.
//! Lead units must be registered units (the registry's names, tone marks compared exactly);
//! an unknown one is refused with the closest registered names. Cooperating units that are not
//! registered ("các quận, huyện") are kept as written. Deadlines are read as typed periods. If
//! any row is refused, nothing is stored.

use std::collections::{BTreeSet, HashMap};

use lantoa_core::msg::{Describe as _, Msg};
use lantoa_core::text;
use lantoa_core::unit::UnitKind;
use lantoa_store::audit::{self, Entry};
use serde::Serialize;

use crate::plan::{Cooperating, Plans, TASK_COLUMNS, task_from};
use crate::{Error, Period, Result};

/// An import of this many rows or more refreshes the table's statistics.
const ANALYZE_AFTER_ROWS: usize = 1_000;

/// Rows accepted in one file: a city plan's appendix has hundreds; the bound keeps a wrong file
/// from holding the server, with room for the 50,000-task plans the benchmark stores.
pub const MAX_ROWS: usize = 100_000;

/// What a row would do, or did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RowStatus {
    /// A task not in the plan yet.
    New,
    /// A task of the plan, changed.
    Updated,
    /// A task of the plan, as it is.
    Unchanged,
    /// Not taken, for the reasons given.
    Refused,
}

/// A problem with one field of a row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldProblem {
    /// The column (as the file names it).
    pub field: String,
    /// What is wrong, and for a unit the registered names closest to it (stored and sent in
    /// English and by id: [`lantoa_core::msg::noted`]).
    #[serde(flatten, with = "lantoa_core::msg::noted")]
    pub message: Msg,
}

/// One row's outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowReport {
    /// Line in the file (the header is line 1 of a CSV).
    pub line: u64,
    /// The task code it gives (`I.1.2`), when its STT could be read.
    pub code: String,
    /// What it does.
    pub status: RowStatus,
    /// Why it is refused.
    pub problems: Vec<FieldProblem>,
    /// What was kept as written (cooperating units not in the registry); each sent as
    /// `{note, msg}` ([`lantoa_core::msg::noted`]).
    #[serde(serialize_with = "lantoa_core::msg::noted::serialize_all")]
    pub notes: Vec<Msg>,
}

/// The report of an import or its preview.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    /// Every row.
    pub rows: Vec<RowReport>,
    /// Tasks new, updated, unchanged, refused.
    pub new: usize,
    /// Updated.
    pub updated: usize,
    /// Unchanged.
    pub unchanged: usize,
    /// Refused.
    pub refused: usize,
    /// Whether the tasks were stored (an import with no refused row that was not a preview).
    pub stored: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Stt,
    Title,
    Lead,
    Cooperating,
    Deadline,
    Product,
}

fn column_of(header: &str) -> Option<Column> {
    let k = text::fold_key(header);
    let k = k.trim();
    Some(if k == "stt" || k == "tt" || k == "so tt" {
        Column::Stt
    } else if k.contains("chu tri") {
        Column::Lead
    } else if k.contains("phoi hop") {
        Column::Cooperating
    } else if k.contains("thoi gian") || k.contains("thoi han") || k.contains("tien do") {
        Column::Deadline
    } else if k.contains("san pham") || k.contains("ket qua") {
        Column::Product
    } else if k.contains("nhiem vu") || k.contains("noi dung") || k.contains("ten de an") {
        Column::Title
    } else {
        return None;
    })
}

fn column_name(c: Column) -> &'static str {
    match c {
        Column::Stt => "STT",
        Column::Title => "Nhiệm vụ",
        Column::Lead => "Đơn vị chủ trì",
        Column::Cooperating => "Đơn vị phối hợp",
        Column::Deadline => "Thời gian hoàn thành",
        Column::Product => "Sản phẩm",
    }
}

/// A Roman numeral from I to XXXIX, or none.
fn roman(s: &str) -> Option<u32> {
    let mut n = 0u32;
    let mut rest = s;
    for (sym, v) in [
        ("XXX", 30),
        ("XX", 20),
        ("X", 10),
        ("IX", 9),
        ("VIII", 8),
        ("VII", 7),
        ("VI", 6),
        ("V", 5),
        ("IV", 4),
        ("III", 3),
        ("II", 2),
        ("I", 1),
    ] {
        if let Some(r) = rest.strip_prefix(sym) {
            n += v;
            rest = r;
            if v < 10 {
                break;
            }
        }
    }
    (rest.is_empty() && n > 0).then_some(n)
}

/// The file as rows of text with their lines.
fn read_table(bytes: &[u8]) -> Result<lantoa_store::sheet::Sheet> {
    if bytes.starts_with(b"PK\x03\x04") {
        return lantoa_store::sheet::read_xlsx(bytes, MAX_ROWS)
            .map_err(|e| Error::File(Msg::new("file-sheet-unreadable").arg("detail", e)));
    }
    let body = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let first = body.split(|&b| b == b'\n').next().unwrap_or_default();
    let delimiter = [b',', b';', b'\t']
        .into_iter()
        .max_by_key(|d| first.iter().filter(|b| *b == d).count())
        .unwrap_or(b',');
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .has_headers(false)
        .from_reader(body);
    let mut sheet = lantoa_store::sheet::Sheet::default();
    for (i, record) in reader.records().enumerate() {
        let line = i as u64 + 1;
        let record = record.map_err(|e| match e.kind() {
            csv::ErrorKind::Utf8 { .. } => {
                Error::File(Msg::new("plans-line-not-utf8").arg("line", line))
            }
            _ => Error::File(lantoa_core::msg::csv_problem(&e)),
        })?;
        let cells: Vec<String> = record.iter().map(|c| c.trim().to_owned()).collect();
        if i == 0 {
            sheet.headers = cells;
        } else if sheet.rows.len() >= MAX_ROWS {
            return Err(Error::File(
                Msg::new("plans-too-many-rows").arg("max", MAX_ROWS),
            ));
        } else {
            sheet.rows.push((line, cells));
        }
    }
    if sheet.headers.is_empty() {
        return Err(Error::File(Msg::new("file-empty")));
    }
    Ok(sheet)
}

/// The registry's units (ended ones too) by tone key, for naming leads and cooperating units.
struct Units {
    by_key: HashMap<String, Vec<(i64, String)>>,
}

impl Units {
    async fn load(registry: &lantoa_registry::Registry) -> Result<Self> {
        let mut by_key: HashMap<String, Vec<(i64, String)>> = HashMap::new();
        let mut offset = 0;
        loop {
            let (page, _) = registry
                .list(&lantoa_registry::ListQuery {
                    kind: None,
                    q: None,
                    // A plan of 2023 names units that have since merged: they are kept.
                    include_ended: true,
                    limit: 500,
                    offset,
                    sort: lantoa_registry::UnitSort::default(),
                })
                .await?;
            let n = page.len();
            for u in page.into_iter().filter(|u| u.kind != UnitKind::Person) {
                by_key
                    .entry(text::tone_key(&u.name))
                    .or_default()
                    .push((u.id, u.name));
            }
            if n < 500 {
                break;
            }
            offset += 500;
        }
        Ok(Self { by_key })
    }

    /// The unit named `name`, or why not (with the closest registered names).
    fn find(&self, name: &str) -> std::result::Result<i64, Msg> {
        match self.by_key.get(&text::tone_key(name)).map(Vec::as_slice) {
            Some([(id, _)]) => Ok(*id),
            Some(many) => Err(Msg::new("plans-unit-ambiguous")
                .arg("name", name)
                .arg("count", many.len())),
            None => {
                let words: BTreeSet<String> = text::fold_key(name)
                    .split_whitespace()
                    .map(str::to_owned)
                    .collect();
                let mut scored: Vec<(usize, &str)> = self
                    .by_key
                    .values()
                    .flatten()
                    .map(|(_, n)| {
                        let theirs: BTreeSet<String> = text::fold_key(n)
                            .split_whitespace()
                            .map(str::to_owned)
                            .collect();
                        (words.intersection(&theirs).count(), n.as_str())
                    })
                    .filter(|(shared, _)| *shared * 2 >= words.len().max(1))
                    .collect();
                scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
                let close: Vec<&str> = scored.iter().take(3).map(|(_, n)| *n).collect();
                Err(if close.is_empty() {
                    Msg::new("plans-unknown-unit").arg("name", name)
                } else {
                    Msg::new("plans-unknown-unit-close")
                        .arg("name", name)
                        .arg("close", close.join("; "))
                })
            }
        }
    }

    /// Cooperating units: each part (split on `;` and lines, then on commas if every piece is
    /// a unit) found, or kept as written.
    fn cooperating(&self, cell: &str) -> Cooperating {
        let mut out = Cooperating::default();
        for part in cell
            .split([';', '\n'])
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            if let Ok(id) = self.find(part) {
                out.ids.push(id);
                continue;
            }
            let pieces: Vec<std::result::Result<i64, Msg>> = part
                .split(',')
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(|p| self.find(p))
                .collect();
            if pieces.len() > 1 && pieces.iter().all(|p| p.is_ok()) {
                out.ids.extend(pieces.into_iter().flatten());
            } else {
                out.text.push(part.to_owned());
            }
        }
        out
    }
}

/// One row ready to store.
struct Ready {
    code: String,
    parent: Option<String>,
    section: bool,
    title: String,
    lead: Option<i64>,
    cooperating: Cooperating,
    deadline: String,
    period: Option<Period>,
    product: String,
}

impl Plans {
    /// Reads a plan's appendix and reports what each row would do; with `store`, and only when
    /// no row is refused, stores it all in one transaction (new tasks added, changed ones
    /// updated by their code). A file that cannot be read at all is an error naming why.
    pub async fn import_appendix(
        &self,
        actor: &str,
        plan_id: i64,
        bytes: &[u8],
        store: bool,
    ) -> Result<ImportReport> {
        let plan = self.plan(plan_id).await?;
        let sheet = read_table(bytes)?;
        let columns: Vec<Option<Column>> = sheet.headers.iter().map(|h| column_of(h)).collect();
        let missing: Vec<&str> = [Column::Stt, Column::Title, Column::Lead, Column::Deadline]
            .into_iter()
            .filter(|c| !columns.contains(&Some(*c)))
            .map(column_name)
            .collect();
        if !missing.is_empty() {
            return Err(Error::File(
                Msg::new("plans-missing-columns")
                    .arg("missing", missing.join(", "))
                    .arg("header", sheet.headers.join(" | ")),
            ));
        }
        let units = Units::load(&self.registry).await?;
        let existing: HashMap<String, crate::plan::Task> = self
            .tasks(plan.id)
            .await?
            .into_iter()
            .map(|t| (t.code.clone(), t))
            .collect();
        let mut report = ImportReport::default();
        let mut ready: Vec<Ready> = Vec::new();
        let mut seen: HashMap<String, u64> = HashMap::new();
        let mut section: Option<String> = None;
        for (line, cells) in &sheet.rows {
            let get = |c: Column| {
                columns
                    .iter()
                    .position(|x| *x == Some(c))
                    .and_then(|i| cells.get(i))
                    .map(|s| s.trim().to_owned())
                    .unwrap_or_default()
            };
            if cells.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            let mut problems = Vec::new();
            let mut notes = Vec::new();
            let mut problem = |c: Column, message: Msg| {
                problems.push(FieldProblem {
                    field: column_name(c).to_owned(),
                    message,
                })
            };
            let stt = get(Column::Stt).trim_end_matches('.').to_owned();
            let title = get(Column::Title);
            let (code, parent, is_section) = if roman(&stt.to_uppercase()).is_some() {
                let code = stt.to_uppercase();
                section = Some(code.clone());
                (code, None, true)
            } else if !stt.is_empty()
                && stt
                    .split('.')
                    .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
            {
                let code = match &section {
                    Some(s) => format!("{s}.{stt}"),
                    None => stt.clone(),
                };
                let parent = match stt.rsplit_once('.') {
                    Some((up, _)) => Some(match &section {
                        Some(s) => format!("{s}.{up}"),
                        None => up.to_owned(),
                    }),
                    None => section.clone(),
                };
                (code, parent, false)
            } else {
                problem(Column::Stt, Msg::new("plans-bad-stt").arg("value", &stt));
                (String::new(), None, false)
            };
            if !code.is_empty() {
                if let Some(first) = seen.get(&code) {
                    problem(
                        Column::Stt,
                        Msg::new("plans-task-repeated")
                            .arg("code", &code)
                            .arg("line", first),
                    );
                } else {
                    seen.insert(code.clone(), *line);
                }
                if let Some(p) = &parent
                    && !seen.contains_key(p)
                    && !existing.contains_key(p)
                {
                    problem(
                        Column::Stt,
                        Msg::new("plans-task-orphan")
                            .arg("code", &code)
                            .arg("parent", p),
                    );
                }
            }
            if title.is_empty() {
                problem(Column::Title, Msg::new("plans-task-no-text"));
            }
            let (mut lead, mut period, mut cooperating) = (None, None, Cooperating::default());
            let deadline = get(Column::Deadline);
            if !is_section {
                let lead_text = get(Column::Lead);
                if lead_text.is_empty() {
                    problem(Column::Lead, Msg::new("plans-no-lead"));
                } else {
                    match units.find(&lead_text) {
                        Ok(id) => lead = Some(id),
                        Err(m) => problem(Column::Lead, m),
                    }
                }
                match Period::parse(&deadline) {
                    Ok(p) => period = Some(p),
                    Err(e) => problem(Column::Deadline, e.message()),
                }
                cooperating = units.cooperating(&get(Column::Cooperating));
                notes.extend(
                    cooperating
                        .text
                        .iter()
                        .map(|t| Msg::new("plans-cooperating-as-written").arg("name", t)),
                );
            }
            let status = if !problems.is_empty() {
                RowStatus::Refused
            } else {
                let row = Ready {
                    code: code.clone(),
                    parent,
                    section: is_section,
                    title,
                    lead,
                    cooperating,
                    deadline,
                    period,
                    product: get(Column::Product),
                };
                let status = match existing.get(&code) {
                    None => RowStatus::New,
                    Some(t)
                        if t.title == row.title
                            && t.lead_unit_id == row.lead
                            && t.deadline == row.deadline
                            && t.product == row.product
                            && t.cooperating_ids == row.cooperating.ids
                            && t.cooperating_text == row.cooperating.text
                            && t.parent_code == row.parent =>
                    {
                        RowStatus::Unchanged
                    }
                    Some(_) => RowStatus::Updated,
                };
                ready.push(row);
                status
            };
            match status {
                RowStatus::New => report.new += 1,
                RowStatus::Updated => report.updated += 1,
                RowStatus::Unchanged => report.unchanged += 1,
                RowStatus::Refused => report.refused += 1,
            }
            report.rows.push(RowReport {
                line: *line,
                code,
                status,
                problems,
                notes,
            });
        }
        if !store || report.refused > 0 {
            return Ok(report);
        }
        let now = self.clock.now_micros();
        let mut tx = self.db.begin().await?;
        for (position, r) in ready.iter().enumerate() {
            let coop = serde_json::to_string(&r.cooperating).unwrap_or_else(|_| "{}".into());
            let period = r.period.map(|p| serde_json::json!(p).to_string());
            let due = r
                .period
                .and_then(|p| p.due())
                .map(|d| d.format("%Y-%m-%d").to_string());
            // One statement either way: the task code is the plan's key for a task.
            sqlx::query(
                "INSERT INTO plans_tasks (plan_id, code, parent_code, section, position, title, lead_unit_id, cooperating, deadline, period, due_on, product, updated_by, updated_at, yearly)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
                 ON CONFLICT (plan_id, code) DO UPDATE SET parent_code = excluded.parent_code,
                    section = excluded.section, position = excluded.position, title = excluded.title,
                    lead_unit_id = excluded.lead_unit_id, cooperating = excluded.cooperating,
                    deadline = excluded.deadline, period = excluded.period, due_on = excluded.due_on,
                    product = excluded.product, updated_by = excluded.updated_by,
                    updated_at = excluded.updated_at, yearly = excluded.yearly",
            )
            .bind(plan.id)
            .bind(&r.code)
            .bind(&r.parent)
            .bind(i64::from(r.section))
            .bind(position as i64)
            .bind(&r.title)
            .bind(r.lead)
            .bind(&coop)
            .bind(&r.deadline)
            .bind(&period)
            .bind(&due)
            .bind(&r.product)
            .bind(actor)
            .bind(now)
            .bind(i64::from(matches!(r.period, Some(Period::Yearly))))
            .execute(&mut *tx)
            .await?;
        }
        audit::append(
            &mut tx,
            &Entry::new(
                actor,
                "plans.appendix_imported",
                format!("plan:{}", plan.id),
            )
            .after(serde_json::json!({
                "new": report.new, "updated": report.updated, "unchanged": report.unchanged,
            })),
        )
        .await?;
        tx.commit().await?;
        // A large appendix changes the table's shape: refresh the planner's statistics so the
        // task pages walk their index rather than sort the plan (PostgreSQL would otherwise
        // wait for autovacuum).
        if ready.len() >= ANALYZE_AFTER_ROWS {
            sqlx::query("ANALYZE plans_tasks")
                .execute(self.db.pool())
                .await?;
        }
        report.stored = true;
        Ok(report)
    }

    /// A task by plan and code.
    pub async fn task(&self, plan_id: i64, code: &str) -> Result<Option<crate::plan::Task>> {
        let row = sqlx::query(&format!(
            "SELECT {TASK_COLUMNS} FROM plans_tasks WHERE plan_id = $1 AND code = $2"
        ))
        .bind(plan_id)
        .bind(code)
        .fetch_optional(self.db.pool())
        .await?;
        row.as_ref().map(task_from).transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roman_numerals_open_sections() {
        assert_eq!(roman("I"), Some(1));
        assert_eq!(roman("IV"), Some(4));
        assert_eq!(roman("IX"), Some(9));
        assert_eq!(roman("XIV"), Some(14));
        assert_eq!(roman("XXIII"), Some(23));
        assert_eq!(roman("IIII"), None);
        assert_eq!(roman("1"), None);
        assert_eq!(roman(""), None);
    }

    #[test]
    fn headers_are_matched_loosely() {
        assert_eq!(column_of("STT"), Some(Column::Stt));
        assert_eq!(column_of("Nhiệm vụ, giải pháp"), Some(Column::Title));
        assert_eq!(column_of("Cơ quan chủ trì"), Some(Column::Lead));
        assert_eq!(column_of("ĐƠN VỊ PHỐI HỢP"), Some(Column::Cooperating));
        assert_eq!(column_of("Thời gian hoàn thành"), Some(Column::Deadline));
        assert_eq!(column_of("Sản phẩm"), Some(Column::Product));
        assert_eq!(column_of("Ghi chú"), None);
    }
}
