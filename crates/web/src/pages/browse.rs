//! What the list pages share: the request (a search, the list's filters, an order, a page),
//! the controls a template shows (the pager, the rows shown, the exports of what is filtered),
//! and the loop that reads every filtered row for an export.

use lantoa_core::page::PageQuery;

use crate::ctx::Ctx;
use crate::error::WebError;
use crate::export::{Cell, Sheet};

/// Rows per page of a list in the console.
pub const PAGE: i64 = 50;

/// Rows read per query while an export is written.
const EXPORT_BATCH: i64 = 500;

/// A list page's request. Every field is optional; a value a list does not know is refused
/// by the list, naming the field.
#[derive(serde::Deserialize, Default, Clone, Debug)]
pub struct Browse {
    /// Text to look for.
    pub q: Option<String>,
    /// A campaign's state, or an alert's CAP status.
    pub status: Option<String>,
    /// An alert's approval.
    pub state: Option<String>,
    /// `on`: emergency campaigns only.
    pub emergency: Option<String>,
    /// The order.
    pub sort: Option<String>,
    /// The page, from 0.
    pub page: Option<i64>,
    /// A message to show once (after a redirect).
    pub flash: Option<String>,
    /// With `to`: the records of a period, as a report links to them.
    pub from: Option<String>,
    /// The period's last day.
    pub to: Option<String>,
    /// With the period: a kind of record (crawls: of `website`, `clip` or `post` subjects).
    pub kind: Option<String>,
}

impl Browse {
    /// The page asked for (from 0).
    pub fn page(&self) -> i64 {
        self.page.unwrap_or(0).max(0)
    }

    /// The order's name as asked (empty: the default).
    pub fn sort_name(&self) -> &str {
        self.sort.as_deref().unwrap_or("")
    }

    /// Whether only emergencies are asked for.
    pub fn emergency_only(&self) -> bool {
        self.emergency.as_deref() == Some("on")
    }

    /// The period a report links to (`from`, `to`), if any.
    pub fn span(&self) -> super::Span {
        super::Span {
            from: self.from.clone(),
            to: self.to.clone(),
            kind: self.kind.clone(),
        }
    }

    /// The page's query in `sort`.
    pub fn query<S>(&self, sort: S) -> PageQuery<S> {
        PageQuery {
            q: self.q.clone(),
            sort,
            limit: PAGE,
            offset: self.page() * PAGE,
        }
    }

    /// The filters to keep from page to page and in the exports' addresses.
    fn filters(&self) -> Vec<(&'static str, String)> {
        [
            ("q", &self.q),
            ("status", &self.status),
            ("state", &self.state),
            ("emergency", &self.emergency),
            ("sort", &self.sort),
        ]
        .into_iter()
        .map(|(k, v)| (k, v.clone().unwrap_or_default()))
        .collect()
    }

    /// What the template's controls show for a list at `path` (exports at `{export}.csv` and
    /// `.xlsx`) of `total` rows, ordered by `sort` of `sorts`: the form's values, the pager
    /// (`prev_url`, `next_url` as `pager.html` reads them), the rows shown and the exports.
    pub fn controls(
        &self,
        path: &str,
        export: &str,
        total: i64,
        sort: &str,
        sorts: Vec<&'static str>,
    ) -> minijinja::Value {
        let page = self.page();
        let filters = self.filters();
        let (prev_url, next_url) = super::pager(path, &filters, page, PAGE, total);
        minijinja::context! {
            q => self.q.clone().unwrap_or_default(),
            status => self.status.clone().unwrap_or_default(),
            state => self.state.clone().unwrap_or_default(),
            emergency => self.emergency_only(),
            sort => sort, sorts => sorts, total => total,
            first => page * PAGE + 1, last => (page * PAGE + PAGE).min(total),
            prev_url => prev_url, next_url => next_url,
            csv_url => super::list_url(&format!("{export}.csv"), &filters),
            xlsx_url => super::list_url(&format!("{export}.xlsx"), &filters),
        }
    }
}

/// A sheet of every row `read` gives, page by page from the first, each written by `row`:
/// up to the export's limit, where it says it was cut.
pub async fn sheet<T, S, F, Fut, E>(
    ctx: &Ctx,
    file: &str,
    headers: &[&str],
    p: &Browse,
    sort: S,
    read: F,
    row: impl Fn(&T) -> Vec<Cell>,
) -> Result<Sheet, WebError>
where
    S: Copy,
    F: Fn(PageQuery<S>) -> Fut,
    Fut: std::future::Future<Output = Result<(Vec<T>, i64), E>>,
    WebError: From<E>,
{
    let mut sheet = Sheet {
        file: file.to_owned(),
        headers: headers.iter().map(|h| (*h).to_owned()).collect(),
        rows: Vec::new(),
    };
    let mut offset = 0;
    loop {
        let (rows, total) = read(PageQuery {
            q: p.q.clone(),
            sort,
            limit: EXPORT_BATCH,
            offset,
        })
        .await?;
        sheet.rows.extend(rows.iter().map(&row));
        offset += EXPORT_BATCH;
        if rows.is_empty() || offset >= total || sheet.cut(ctx.t("export-cut")) {
            break;
        }
    }
    Ok(sheet)
}

/// A day from a time kept in µs, as a sheet's day.
pub fn day(micros: i64) -> Cell {
    Cell::from(Some(lantoa_core::time::local_date(
        lantoa_core::time::from_micros(micros),
    )))
}
