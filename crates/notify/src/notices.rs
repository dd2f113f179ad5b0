//! Propaganda orientation notices (định hướng tuyên truyền): the department tells press agencies
//! and commune information points what to say, stress or avoid on a subject. Each recipient
//! gets a link of its own (shown once when the notice is issued, renewable; kept as its
//! SHA-256): opening it shows the notice with no sign-in, and the recipient confirms reading it
//! by typing who read it. The console shows, per notice, who opened it and who confirmed, when.

use serde::{Deserialize, Serialize};
use sqlx::Row;

use crate::error::{invalid, required};
use crate::{Error, Notify, Result};
use lantoa_core::msg::Msg;

/// The kinds of recipient.
pub const KINDS: [&str; 2] = ["press", "point"];

/// A recipient: a press agency or a commune information point.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Outlet {
    /// Id.
    pub id: i64,
    /// Its name.
    pub name: String,
    /// `press` or `point`.
    pub kind: String,
    /// For an information point, its commune or ward.
    pub commune_code: Option<String>,
    /// Who to reach there (an e-mail address or a telephone number).
    pub contact: String,
}

/// A notice to issue.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewNotice {
    /// The document's number (`15/HD-STTTT`), unique.
    pub number: String,
    /// Its title.
    pub title: String,
    /// What to say, stress or avoid.
    pub body: String,
    /// The day by which recipients are asked to confirm, `YYYY-MM-DD`, if any.
    #[serde(default)]
    pub due: String,
    /// Every recipient of these kinds (`press`, `point`).
    #[serde(default)]
    pub kinds: Vec<String>,
    /// And these recipients, by id.
    #[serde(default)]
    pub outlets: Vec<i64>,
}

/// A notice with its reading counted.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Notice {
    /// Id.
    pub id: i64,
    /// Number.
    pub number: String,
    /// Title.
    pub title: String,
    /// Body.
    pub body: String,
    /// Confirm by.
    pub due: Option<String>,
    /// Who issued it.
    pub issued_by: String,
    /// When, µs.
    pub issued_at: i64,
    /// Recipients.
    pub recipients: i64,
    /// Of them, who opened it.
    pub opened: i64,
    /// Of them, who confirmed reading it.
    pub read: i64,
}

/// One recipient of a notice.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Receipt {
    /// The recipient.
    pub outlet: Outlet,
    /// When it first opened its link, µs.
    pub opened_at: Option<i64>,
    /// When it confirmed reading, µs.
    pub read_at: Option<i64>,
    /// Who it said read it.
    pub read_by: Option<String>,
}

/// A recipient's link, shown once.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Link {
    /// The recipient.
    pub outlet: Outlet,
    /// The secret in its link (`/notices/{token}`).
    pub token: String,
}

pub(crate) const NOTICE_COLUMNS: &str = "n.id, n.number, n.title, n.body, n.due, n.issued_by, n.issued_at,
    (SELECT COUNT(*) FROM notify_notice_recipients r WHERE r.notice_id = n.id),
    (SELECT COUNT(*) FROM notify_notice_recipients r WHERE r.notice_id = n.id AND r.opened_at IS NOT NULL),
    (SELECT COUNT(*) FROM notify_notice_recipients r WHERE r.notice_id = n.id AND r.read_at IS NOT NULL)";

pub(crate) fn notice_from(r: &sqlx::any::AnyRow) -> Result<Notice> {
    Ok(Notice {
        id: r.try_get(0)?,
        number: r.try_get(1)?,
        title: r.try_get(2)?,
        body: r.try_get(3)?,
        due: r.try_get(4)?,
        issued_by: r.try_get(5)?,
        issued_at: r.try_get(6)?,
        recipients: r.try_get(7)?,
        opened: r.try_get(8)?,
        read: r.try_get(9)?,
    })
}

/// Reads an outlet from columns `at..at + 5`.
fn outlet_at(r: &sqlx::any::AnyRow, at: usize) -> Result<Outlet> {
    Ok(Outlet {
        id: r.try_get(at)?,
        name: r.try_get(at + 1)?,
        kind: r.try_get(at + 2)?,
        commune_code: r.try_get(at + 3)?,
        contact: r.try_get(at + 4)?,
    })
}

const OUTLET_COLUMNS: &str = "o.id, o.name, o.kind, o.commune_code, o.contact";

impl Notify {
    /// Adds a recipient. Refused, naming the field: an empty name or contact, a kind not
    /// `press` or `point`, an information point without a current commune, a name in use.
    pub async fn add_outlet(
        &self,
        actor: &str,
        name: &str,
        kind: &str,
        commune: &str,
        contact: &str,
    ) -> Result<Outlet> {
        let (name, kind, commune, contact) =
            (name.trim(), kind.trim(), commune.trim(), contact.trim());
        if name.is_empty() {
            return Err(required("name"));
        }
        if !KINDS.contains(&kind) {
            return Err(invalid(
                "kind",
                Msg::new("notice-bad-kind").arg("value", kind),
            ));
        }
        if kind == "point" && self.communes.name_of(commune).is_none() {
            return Err(invalid(
                "commune",
                Msg::new("notice-point-commune").arg("value", commune),
            ));
        }
        if contact.is_empty() {
            return Err(invalid("contact", Msg::new("notice-contact-needed")));
        }
        let mut tx = self.db.begin().await?;
        let id: i64 = sqlx::query(
            "INSERT INTO notify_outlets (name, kind, commune_code, contact, created_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(name)
        .bind(kind)
        .bind((kind == "point").then_some(commune))
        .bind(contact)
        .bind(actor)
        .bind(self.clock.now_micros())
        .fetch_one(&mut *tx)
        .await
        .map_err(crate::error::duplicate("recipient", name))?
        .try_get(0)?;
        lantoa_store::audit::append_at(
            &mut tx,
            &lantoa_store::audit::Entry::new(actor, "notify.outlet_added", format!("outlet:{id}"))
                .after(serde_json::json!({ "name": name, "kind": kind, "commune": commune })),
            &self.clock,
        )
        .await?;
        tx.commit().await?;
        Ok(Outlet {
            id,
            name: name.to_owned(),
            kind: kind.to_owned(),
            commune_code: (kind == "point").then(|| commune.to_owned()),
            contact: contact.to_owned(),
        })
    }

    /// Every recipient, press first, by name.
    pub async fn outlets(&self) -> Result<Vec<Outlet>> {
        let rows = sqlx::query(&format!(
            "SELECT {OUTLET_COLUMNS} FROM notify_outlets o ORDER BY o.kind DESC, o.name"
        ))
        .fetch_all(self.db.pool())
        .await?;
        rows.iter().map(|r| outlet_at(r, 0)).collect()
    }

    /// Issues a notice to its recipients; returns it with each recipient's link, shown once.
    /// Refused, naming the field, and nothing kept: an empty number, title or text, a due day
    /// malformed or past, no recipient, a kind or recipient unknown, a number in use.
    pub async fn issue_notice(&self, actor: &str, n: &NewNotice) -> Result<(Notice, Vec<Link>)> {
        for (field, v) in [
            ("number", &n.number),
            ("title", &n.title),
            ("body", &n.body),
        ] {
            if v.trim().is_empty() {
                return Err(required(field));
            }
        }
        let due = match n.due.trim() {
            "" => None,
            d => {
                let day = lantoa_core::time::parse_day(d)
                    .ok_or_else(|| invalid("due", Msg::new("notify-not-a-date").arg("value", d)))?;
                let today = self
                    .clock
                    .now()
                    .with_timezone(&lantoa_core::time::zone())
                    .date_naive();
                if day < today {
                    return Err(invalid(
                        "due",
                        Msg::new("notify-day-passed").arg("date", day.format("%d/%m/%Y")),
                    ));
                }
                Some(day.format("%Y-%m-%d").to_string())
            }
        };
        if let Some(k) = n.kinds.iter().find(|k| !KINDS.contains(&k.as_str())) {
            return Err(invalid(
                "kinds",
                Msg::new("notice-bad-kind").arg("value", k),
            ));
        }
        let all = self.outlets().await?;
        if let Some(missing) = n
            .outlets
            .iter()
            .find(|id| !all.iter().any(|o| o.id == **id))
        {
            return Err(invalid(
                "outlets",
                Msg::new("notice-no-recipient").arg("id", missing),
            ));
        }
        let chosen: Vec<&Outlet> = all
            .iter()
            .filter(|o| n.kinds.contains(&o.kind) || n.outlets.contains(&o.id))
            .collect();
        if chosen.is_empty() {
            return Err(invalid("kinds", Msg::new("notice-choose-recipients")));
        }
        let now = self.clock.now_micros();
        let mut tx = self.db.begin().await?;
        let id: i64 = sqlx::query(
            "INSERT INTO notify_notices (number, title, body, due, issued_by, issued_at)
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(n.number.trim())
        .bind(n.title.trim())
        .bind(n.body.trim())
        .bind(due.as_deref())
        .bind(actor)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(crate::error::duplicate("notice", n.number.trim()))?
        .try_get(0)?;
        crate::browse::set_key(
            &mut tx,
            "notify_notices",
            id,
            &[n.number.trim(), n.title.trim()],
        )
        .await?;
        let mut links = Vec::new();
        for o in chosen {
            let token = lantoa_core::secret::token("lt_dh_");
            sqlx::query(
                "INSERT INTO notify_notice_recipients (notice_id, outlet_id, token_hash) VALUES ($1, $2, $3)",
            )
            .bind(id)
            .bind(o.id)
            .bind(lantoa_core::secret::digest(&token))
            .execute(&mut *tx)
            .await?;
            links.push(Link {
                outlet: o.clone(),
                token,
            });
        }
        lantoa_store::audit::append_at(
            &mut tx,
            &lantoa_store::audit::Entry::new(actor, "notify.notice_issued", format!("notice:{id}"))
                .after(serde_json::json!({
                    "number": n.number.trim(), "title": n.title.trim(), "due": due,
                    "recipients": links.iter().map(|l| l.outlet.id).collect::<Vec<_>>(),
                })),
            &self.clock,
        )
        .await?;
        tx.commit().await?;
        Ok((self.notice(id).await?, links))
    }

    /// A new link for one recipient of a notice (the old one stops working), shown once.
    pub async fn renew_link(&self, actor: &str, notice: i64, outlet: i64) -> Result<Link> {
        let token = lantoa_core::secret::token("lt_dh_");
        let mut tx = self.db.begin().await?;
        let n = sqlx::query(
            "UPDATE notify_notice_recipients SET token_hash = $1 WHERE notice_id = $2 AND outlet_id = $3",
        )
        .bind(lantoa_core::secret::digest(&token))
        .bind(notice)
        .bind(outlet)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n != 1 {
            return Err(Error::NotFound {
                what: "recipient of this notice",
                id: outlet.to_string(),
            });
        }
        lantoa_store::audit::append_at(
            &mut tx,
            &lantoa_store::audit::Entry::new(
                actor,
                "notify.notice_link_renewed",
                format!("notice:{notice}"),
            )
            .after(serde_json::json!({ "outlet": outlet })),
            &self.clock,
        )
        .await?;
        tx.commit().await?;
        let outlet = self
            .outlets()
            .await?
            .into_iter()
            .find(|o| o.id == outlet)
            .ok_or(Error::NotFound {
                what: "recipient",
                id: outlet.to_string(),
            })?;
        Ok(Link { outlet, token })
    }

    /// A notice.
    pub async fn notice(&self, id: i64) -> Result<Notice> {
        let row = sqlx::query(&format!(
            "SELECT {NOTICE_COLUMNS} FROM notify_notices n WHERE n.id = $1"
        ))
        .bind(id)
        .fetch_optional(self.db.pool())
        .await?
        .ok_or(Error::NotFound {
            what: "notice",
            id: id.to_string(),
        })?;
        notice_from(&row)
    }

    /// The notices issued from `from` to `to` (µs, `to` excluded), in order.
    pub async fn notices_between(&self, from: i64, to: i64) -> Result<Vec<Notice>> {
        let rows = sqlx::query(&format!(
            "SELECT {NOTICE_COLUMNS} FROM notify_notices n WHERE n.issued_at >= $1 AND n.issued_at < $2
             ORDER BY n.issued_at, n.id LIMIT 5000"
        ))
        .bind(from)
        .bind(to)
        .fetch_all(self.db.pool())
        .await?;
        rows.iter().map(notice_from).collect()
    }

    /// The newest notices.
    pub async fn notices(&self, limit: i64) -> Result<Vec<Notice>> {
        let rows = sqlx::query(&format!(
            "SELECT {NOTICE_COLUMNS} FROM notify_notices n ORDER BY n.issued_at DESC, n.id DESC LIMIT {}",
            limit.clamp(1, 1000)
        ))
        .fetch_all(self.db.pool())
        .await?;
        rows.iter().map(notice_from).collect()
    }

    /// Who a notice went to and what each did, the unread first.
    pub async fn receipts(&self, notice: i64) -> Result<Vec<Receipt>> {
        let rows = sqlx::query(&format!(
            "SELECT {OUTLET_COLUMNS}, r.opened_at, r.read_at, r.read_by
             FROM notify_notice_recipients r JOIN notify_outlets o ON o.id = r.outlet_id
             WHERE r.notice_id = $1
             ORDER BY CASE WHEN r.read_at IS NULL THEN 0 ELSE 1 END, o.kind DESC, o.name"
        ))
        .bind(notice)
        .fetch_all(self.db.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Receipt {
                    outlet: outlet_at(r, 0)?,
                    opened_at: r.try_get(5)?,
                    read_at: r.try_get(6)?,
                    read_by: r.try_get(7)?,
                })
            })
            .collect()
    }

    /// The notice and receipt behind a recipient's link; notes the first opening. An unknown
    /// (or renewed) link is not found.
    pub async fn open_notice(&self, token: &str) -> Result<(Notice, Receipt)> {
        let (notice, receipt) = self.by_link(token).await?;
        if receipt.opened_at.is_none() {
            sqlx::query(
                "UPDATE notify_notice_recipients SET opened_at = $1 WHERE token_hash = $2 AND opened_at IS NULL",
            )
            .bind(self.clock.now_micros())
            .bind(lantoa_core::secret::digest(token.trim()))
            .execute(self.db.pool())
            .await?;
            return self.by_link(token).await;
        }
        Ok((notice, receipt))
    }

    /// The recipient confirms reading, saying who read it. Confirming again changes nothing
    /// (the first confirmation stands).
    pub async fn confirm_notice(&self, token: &str, read_by: &str) -> Result<(Notice, Receipt)> {
        let read_by = read_by.trim();
        if read_by.is_empty() {
            return Err(invalid("read_by", Msg::new("notice-read-by-needed")));
        }
        let (_, receipt) = self.open_notice(token).await?;
        if receipt.read_at.is_none() {
            let now = self.clock.now_micros();
            sqlx::query(
                "UPDATE notify_notice_recipients SET read_at = $1, read_by = $2 WHERE token_hash = $3 AND read_at IS NULL",
            )
            .bind(now)
            .bind(read_by.chars().take(200).collect::<String>())
            .bind(lantoa_core::secret::digest(token.trim()))
            .execute(self.db.pool())
            .await?;
        }
        self.by_link(token).await
    }

    async fn by_link(&self, token: &str) -> Result<(Notice, Receipt)> {
        let row = sqlx::query(&format!(
            "SELECT {OUTLET_COLUMNS}, r.opened_at, r.read_at, r.read_by, r.notice_id
             FROM notify_notice_recipients r JOIN notify_outlets o ON o.id = r.outlet_id
             WHERE r.token_hash = $1"
        ))
        .bind(lantoa_core::secret::digest(token.trim()))
        .fetch_optional(self.db.pool())
        .await?
        .ok_or_else(|| Error::NotFound {
            what: "notice for this link (it may have been renewed)",
            id: String::new(),
        })?;
        let receipt = Receipt {
            outlet: outlet_at(&row, 0)?,
            opened_at: row.try_get(5)?,
            read_at: row.try_get(6)?,
            read_by: row.try_get(7)?,
        };
        Ok((self.notice(row.try_get(8)?).await?, receipt))
    }
}

/// Alerts, loudspeakers and notices in a period, for reports.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct ChannelFigures {
    /// Public alerts sent in the period (actual, approved, on the feed).
    pub public_alerts: i64,
    /// Test and Exercise alerts in the period.
    pub drills: i64,
    /// Bulletins made in the period.
    pub bulletins: i64,
    /// Loudspeaker plays due in the period (played, failed, or past and not reported).
    pub plays_due: i64,
    /// Of them, reported played.
    pub plays_played: i64,
    /// Orientation notices issued in the period.
    pub notices: i64,
    /// Their recipients.
    pub notice_recipients: i64,
    /// Of them, those that confirmed reading.
    pub notice_read: i64,
}

impl Notify {
    /// Alerts, bulletins, plays and notices from `from` to `to` (µs, `to` excluded).
    pub async fn channel_figures(&self, from: i64, to: i64) -> Result<ChannelFigures> {
        let pool = self.db.pool();
        let count = |sql: &'static str| async move {
            Ok::<i64, Error>(
                sqlx::query_scalar::<_, i64>(sql)
                    .bind(from)
                    .bind(to)
                    .fetch_one(pool)
                    .await?,
            )
        };
        let coverage = self.coverage(from, to).await?;
        Ok(ChannelFigures {
            // The department's own alerts: another agency's, received and approved for the
            // feed, is theirs.
            public_alerts: count(
                "SELECT COUNT(*) FROM notify_alerts WHERE public = 1 AND origin = 'local' AND sent_at >= $1 AND sent_at < $2",
            )
            .await?,
            drills: count(
                "SELECT COUNT(*) FROM notify_alerts WHERE status IN ('Test', 'Exercise') AND origin = 'local' AND sent_at >= $1 AND sent_at < $2",
            )
            .await?,
            bulletins: count(
                "SELECT COUNT(*) FROM notify_bulletins WHERE created_at >= $1 AND created_at < $2",
            )
            .await?,
            plays_due: coverage.due(),
            plays_played: coverage.played(),
            notices: count(
                "SELECT COUNT(*) FROM notify_notices WHERE issued_at >= $1 AND issued_at < $2",
            )
            .await?,
            notice_recipients: count(
                "SELECT COUNT(*) FROM notify_notice_recipients r JOIN notify_notices n ON n.id = r.notice_id
                 WHERE n.issued_at >= $1 AND n.issued_at < $2",
            )
            .await?,
            notice_read: count(
                "SELECT COUNT(*) FROM notify_notice_recipients r JOIN notify_notices n ON n.id = r.notice_id
                 WHERE n.issued_at >= $1 AND n.issued_at < $2 AND r.read_at IS NOT NULL",
            )
            .await?,
        })
    }
}
