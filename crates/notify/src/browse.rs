//! One page of each of the module's lists — campaigns, recipient lists, alerts, notices — as an
//! officer reads them at a city's scale: a search compared on tone keys, the filters that
//! matter for the list, an order, and the total the filters select.

use lantoa_core::text;
use sqlx::Row;

use crate::alerts::StoredAlert;
use crate::cap;
use crate::error::{Error, Result, invalid};
use crate::notices::Notice;
use crate::service::{Campaign, CampaignStatus, List, Notify};

pub use lantoa_core::page::{PAGE_MAX, PageQuery};

/// The states a campaign may be in, in the order it passes through them.
pub const CAMPAIGN_STATUSES: [&str; 5] = [
    CampaignStatus::Draft.as_str(),
    CampaignStatus::Pending.as_str(),
    CampaignStatus::Sending.as_str(),
    CampaignStatus::Sent.as_str(),
    CampaignStatus::Cancelled.as_str(),
];

/// The states of an alert's approval.
pub const ALERT_STATES: [&str; 3] = ["pending", "approved", "refused"];

lantoa_core::sort_order!(
    Error,
    invalid,
    /// How campaigns are ordered.
    CampaignSort, "list-bad-sort", {
        /// The newest drafted first (the default).
        Newest = "newest" => "id DESC",
        /// The oldest first.
        Oldest = "oldest" => "id",
        /// By name.
        Name = "name" => "search_key, id",
        /// By state, in the order a campaign passes through them.
        Status = "status" => "CASE status WHEN 'draft' THEN 0 WHEN 'pending' THEN 1 WHEN 'sending' THEN 2 WHEN 'sent' THEN 3 ELSE 4 END, id DESC",
    }
);

lantoa_core::sort_order!(
    Error,
    invalid,
    /// How recipient lists are ordered.
    ListSort, "list-bad-sort", {
        /// The newest imported first (the default).
        Newest = "newest" => "id DESC",
        /// By name.
        Name = "name" => "search_key, id",
        /// The most recipients first.
        Largest = "largest" => "recipients DESC, id DESC",
    }
);

lantoa_core::sort_order!(
    Error,
    invalid,
    /// How alerts are ordered.
    AlertSort, "list-bad-sort", {
        /// The newest sent first (the default).
        Newest = "newest" => "sent_at DESC, id DESC",
        /// The oldest sent first.
        Oldest = "oldest" => "sent_at, id",
        /// By headline.
        Headline = "headline" => "search_key, id",
    }
);

lantoa_core::sort_order!(
    Error,
    invalid,
    /// How notices are ordered.
    NoticeSort, "list-bad-sort", {
        /// The newest issued first (the default).
        Newest = "newest" => "n.issued_at DESC, n.id DESC",
        /// The oldest issued first.
        Oldest = "oldest" => "n.issued_at, n.id",
        /// By number.
        Number = "number" => "n.number, n.id",
    }
);

/// Filters of the campaign list.
#[derive(Debug, Clone, Default)]
pub struct CampaignFilter {
    /// Only campaigns in this state (one of [`CAMPAIGN_STATUSES`]).
    pub status: Option<String>,
    /// Only emergency campaigns.
    pub emergency: bool,
}

/// Filters of the alert list.
#[derive(Debug, Clone, Default)]
pub struct AlertFilter {
    /// Only this CAP status (`Actual`, `Exercise`, …).
    pub status: Option<String>,
    /// Only alerts in this state of approval (one of [`ALERT_STATES`]).
    pub state: Option<String>,
}

/// One table's part in a page: where it is, what it shows, how a row's search key is made.
struct Table<T> {
    /// `FROM` (with its alias, if the columns use one).
    from: &'static str,
    /// The key column, as the columns' alias writes it.
    key: &'static str,
    columns: &'static str,
    row: fn(&sqlx::any::AnyRow) -> Result<T>,
}

/// One condition of a page's `WHERE`.
#[derive(Debug, Clone, Copy)]
enum Filter {
    /// The column equals the value given with it (bound, never written into the SQL).
    Eq(&'static str),
    /// A fixed condition (no value from the request).
    Fixed(&'static str),
}

/// A filter's value checked against the values there are, or a refusal naming `field`.
fn one_of(field: &'static str, value: Option<&str>, known: &[&str]) -> Result<Option<String>> {
    lantoa_core::page::filter_value(value, known).map_err(|m| invalid(field, m))
}

/// The search key of a row whose texts are `parts` (as [`Notify::fill_keys`] makes it).
fn key_of<S: AsRef<str>>(parts: &[S]) -> String {
    text::tone_key(
        &parts
            .iter()
            .map(AsRef::as_ref)
            .collect::<Vec<_>>()
            .join(" "),
    )
}

/// Keeps the search key of row `id` of `table` as it is written.
pub(crate) async fn set_key(
    tx: &mut lantoa_store::Tx,
    table: &str,
    id: i64,
    parts: &[&str],
) -> Result<()> {
    sqlx::query(&format!("UPDATE {table} SET search_key = $1 WHERE id = $2"))
        .bind(key_of(parts))
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The tables searched, with the texts each row is found by.
const KEYED: [(&str, &str); 4] = [
    ("notify_campaigns", "name, topic, brandname"),
    ("notify_lists", "name, file_name"),
    ("notify_alerts", "headline, event, identifier, sender"),
    ("notify_notices", "number, title"),
];

impl Notify {
    /// Gives every row of every searched table without a search key its key, once per
    /// process: rows written before keys were kept (rows written since are keyed as they are
    /// written, [`set_key`]).
    async fn fill_all_keys(&self) -> Result<()> {
        self.keyed
            .get_or_try_init(|| async {
                for (table, texts) in KEYED {
                    self.fill_keys(table, texts).await?;
                }
                Ok::<(), Error>(())
            })
            .await?;
        Ok(())
    }

    /// Gives every row of `table` without a search key its key, from `texts` (columns joined
    /// by a space); the partial index finds them at once.
    async fn fill_keys(&self, table: &str, texts: &str) -> Result<()> {
        loop {
            let rows = sqlx::query(&format!(
                "SELECT id, {texts} FROM {table} WHERE search_key IS NULL ORDER BY id LIMIT 500"
            ))
            .fetch_all(self.db.pool())
            .await?;
            if rows.is_empty() {
                return Ok(());
            }
            let mut tx = self.db.begin().await?;
            for r in &rows {
                let id: i64 = r.try_get(0)?;
                let mut words = Vec::new();
                for i in 1..r.len() {
                    if let Some(w) = r.try_get::<Option<String>, _>(i)? {
                        words.push(w);
                    }
                }
                sqlx::query(&format!("UPDATE {table} SET search_key = $1 WHERE id = $2"))
                    .bind(text::tone_key(&words.join(" ")))
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
        }
    }

    async fn page<T, S>(
        &self,
        t: &Table<T>,
        q: &PageQuery<S>,
        order_by: &str,
        filters: &[(Filter, String)],
    ) -> Result<(Vec<T>, i64)> {
        self.fill_all_keys().await?;
        let mut filter = String::from(" WHERE 1 = 1");
        let mut binds: Vec<String> = Vec::new();
        for (f, value) in filters {
            match f {
                Filter::Eq(column) => {
                    binds.push(value.clone());
                    filter.push_str(&format!(" AND {column} = ${}", binds.len()));
                }
                Filter::Fixed(condition) => filter.push_str(&format!(" AND {condition}")),
            }
        }
        if let Some(term) = q.q.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            binds.push(lantoa_store::like_pattern("%", &text::tone_key(term), "%"));
            filter.push_str(&format!(
                " AND {} LIKE ${}{}",
                t.key,
                binds.len(),
                lantoa_store::LIKE_ESCAPE
            ));
        }
        let sql = format!(
            "SELECT {} FROM {}{filter} ORDER BY {order_by} LIMIT {} OFFSET {}",
            t.columns,
            t.from,
            q.limit.clamp(1, PAGE_MAX),
            q.offset.max(0)
        );
        let count_sql = format!("SELECT COUNT(*) FROM {}{filter}", t.from);
        let (rows, total) = self.db.page(&sql, &count_sql, &binds).await?;
        Ok((rows.iter().map(t.row).collect::<Result<_>>()?, total))
    }

    /// A page of campaigns, with the number the filters select.
    pub async fn campaign_page(
        &self,
        q: &PageQuery<CampaignSort>,
        f: &CampaignFilter,
    ) -> Result<(Vec<Campaign>, i64)> {
        let mut filters = Vec::new();
        if let Some(s) = one_of("status", f.status.as_deref(), &CAMPAIGN_STATUSES)? {
            filters.push((Filter::Eq("status"), s));
        }
        if f.emergency {
            filters.push((Filter::Fixed("emergency = 1"), String::new()));
        }
        let t = Table {
            from: "notify_campaigns",
            key: "search_key",
            columns: crate::service::CAMPAIGN_COLUMNS,
            row: crate::service::campaign_from,
        };
        self.page(&t, q, q.sort.order_by(), &filters).await
    }

    /// A page of recipient lists, with the number the search selects.
    pub async fn list_page(&self, q: &PageQuery<ListSort>) -> Result<(Vec<List>, i64)> {
        let t = Table {
            from: "notify_lists",
            key: "search_key",
            columns: crate::service::LIST_COLUMNS,
            row: crate::service::list_from,
        };
        self.page(&t, q, q.sort.order_by(), &[]).await
    }

    /// A page of alerts (sent here and received), with the number the filters select.
    pub async fn alert_page(
        &self,
        q: &PageQuery<AlertSort>,
        f: &AlertFilter,
    ) -> Result<(Vec<StoredAlert>, i64)> {
        let statuses: Vec<&str> = cap::Status::ALL.iter().map(|s| s.as_str()).collect();
        let mut filters = Vec::new();
        if let Some(s) = one_of("status", f.status.as_deref(), &statuses)? {
            filters.push((Filter::Eq("status"), s));
        }
        if let Some(s) = one_of("state", f.state.as_deref(), &ALERT_STATES)? {
            filters.push((Filter::Eq("state"), s));
        }
        let t = Table {
            from: "notify_alerts",
            key: "search_key",
            columns: crate::alerts::COLUMNS,
            row: crate::alerts::from_row,
        };
        self.page(&t, q, q.sort.order_by(), &filters).await
    }

    /// A page of notices, with the number the search selects.
    pub async fn notice_page(&self, q: &PageQuery<NoticeSort>) -> Result<(Vec<Notice>, i64)> {
        let t = Table {
            from: "notify_notices n",
            key: "n.search_key",
            columns: crate::notices::NOTICE_COLUMNS,
            row: crate::notices::notice_from,
        };
        self.page(&t, q, q.sort.order_by(), &[]).await
    }
}
