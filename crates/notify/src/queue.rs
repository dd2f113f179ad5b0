//! The send queue in the database: messages queued on approval (or for a test send), claimed by
//! a dispatcher's bind, their parts recorded before they go out and as the SMSC answers, receipts
//! matched, leases of dead dispatchers recovered, campaigns finished, progress and figures.
//!
//! The invariant every function here keeps: a part has a row in state `window` before its
//! `submit_sm` is written to the socket, and leaves `window` only on the SMSC's answer, or for
//! `uncertain` when its dispatcher stopped or its connection broke before the answer came. A
//! part without a row, or in `retry`, has never been accepted by an SMSC. So after `kill -9` at
//! any moment nothing outside the window is sent twice and nothing is silently dropped.

use std::collections::{BTreeMap, HashMap, HashSet};

use lantoa_core::msg::{Describe as _, Msg};
use lantoa_store::{Backend, JsonCol, Tx, audit, json_agg, json_rows};
use serde::Serialize;
use sqlx::{AnyConnection, Row as _};

use crate::message::{self, Template};
use crate::service::{CAMPAIGN_COLUMNS, Campaign};
use crate::smpp::Outcome;
use crate::{Error, Notify, Result};

/// An unmatched receipt's SMSC, id and outcome (the first three columns of a row).
fn unmatched(r: &sqlx::any::AnyRow) -> Result<(String, String, Outcome)> {
    Ok((
        r.try_get(0)?,
        r.try_get(1)?,
        Outcome::parse(&r.try_get::<String, _>(2)?).unwrap_or(Outcome::Undeliverable),
    ))
}

/// How long a receipt no part's id matches waits before it may settle an uncertain part, µs.
pub const SETTLE_AFTER: i64 = 2_000_000;

/// Attempts a part gets at most (throttled answers do not count; resent uncertain parts do).
pub const MAX_ATTEMPTS: i64 = 3;

/// Recipients of a test send, at most.
pub const TEST_LIST_MAX: i64 = 20;

/// Messages taken back in one statement.
const MESSAGES_PER_STATEMENT: usize = 100;
/// Receipts applied in one statement (one JSON value).
const RECEIPTS_PER_STATEMENT: usize = 5000;
/// Messages brought up to date in one statement (one JSON value).
const RECOMPUTE_PER_STATEMENT: usize = 5000;

/// A message claimed for sending, with the parts of it to send now.
#[derive(Debug, Clone)]
pub struct Claimed {
    /// Message id.
    pub id: i64,
    /// Its campaign.
    pub campaign_id: i64,
    /// The recipient, national form (`0912345678`).
    pub phone: String,
    /// Its rendered text (`None`: the campaign's body as it is).
    pub text: Option<String>,
    /// Parts it has in all.
    pub parts: i64,
    /// Part numbers (from 1) to send now, with the attempt each is on.
    pub send: Vec<(i64, i64)>,
}

/// Who claims, and how much: messages of `operator` for a bind of SMSC `smsc` named `owner`,
/// held until `lease_until` (µs), whose parts fit `parts_budget` (at least one message).
#[derive(Debug, Clone, Copy)]
pub struct ClaimFor<'a> {
    /// The operator whose messages are claimed.
    pub operator: &'a str,
    /// The SMSC the parts go to.
    pub smsc: &'a str,
    /// The dispatcher holding them.
    pub owner: &'a str,
    /// Until when, µs.
    pub lease_until: i64,
    /// Parts at most (at least one message whatever its parts).
    pub parts_budget: i64,
}

/// A campaign as its dispatcher needs it.
#[derive(Debug, Clone)]
pub struct Sendable {
    /// Id.
    pub id: i64,
    /// Brandname.
    pub brandname: String,
    /// Body (a template).
    pub body: String,
    /// Emergency priority (passes quiet hours and caps).
    pub emergency: bool,
    /// Whether uncertain parts are sent again.
    pub resend_uncertain: bool,
    /// True when only its test messages may go (it is not approved).
    pub test_only: bool,
}

/// Something a bind learnt, to be recorded.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// The SMSC took a part under this id.
    Accepted {
        /// Message.
        message: i64,
        /// Part.
        part: i64,
        /// The SMSC it went to.
        smsc: String,
        /// The SMSC's id.
        smsc_id: String,
        /// Whether it is the message's only part (its state then follows the part's).
        only: bool,
    },
    /// The SMSC refused a part for good.
    Failed {
        /// Message.
        message: i64,
        /// Part.
        part: i64,
        /// Why.
        error: String,
    },
    /// A part may or may not have been taken.
    Uncertain {
        /// Message.
        message: i64,
        /// Part.
        part: i64,
        /// Why it is not known.
        error: String,
    },
    /// A claimed part was never written to the socket: back to the queue.
    Unsent {
        /// Message.
        message: i64,
        /// Part.
        part: i64,
    },
    /// A delivery receipt.
    Receipt {
        /// The SMSC it came from.
        smsc: String,
        /// The SMSC's message id.
        smsc_id: String,
        /// What it says.
        outcome: Outcome,
        /// The number it names (national form).
        recipient: String,
    },
    /// A citizen replied asking for no more messages.
    OptOut {
        /// Their number, national form.
        phone: String,
    },
}

/// One operator's progress in a campaign.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct OperatorProgress {
    /// Operator id.
    pub operator: String,
    /// Recipients in all.
    pub recipients: i64,
    /// Waiting to be sent.
    pub queued: i64,
    /// In a window now.
    pub sending: i64,
    /// Accepted by the SMSC, receipt awaited.
    pub submitted: i64,
    /// Delivered (every part).
    pub delivered: i64,
    /// Failed, each with a reason.
    pub failed: i64,
    /// Possibly sent, not known (in a window when a dispatcher stopped).
    pub uncertain: i64,
    /// Not sent because the campaign was cancelled.
    pub cancelled: i64,
    /// Not sent because of a rule (the frequency cap).
    pub skipped: i64,
}

/// One message of a campaign as it stands: who, its state, and each part's answer.
#[derive(Debug, Clone, Serialize)]
pub struct Delivery {
    /// The message's id (the page's cursor).
    pub id: i64,
    /// The number, national form.
    pub phone: String,
    /// Its operator.
    pub operator: String,
    /// Its commune, when the list said.
    pub commune_code: Option<String>,
    /// `queued`, `sending`, `submitted`, `delivered`, `failed`, `uncertain`, `cancelled`,
    /// `skipped`.
    pub state: String,
    /// Why it failed or was skipped.
    pub reason: Option<String>,
    /// Its parts.
    pub parts: i64,
    /// When its first part was accepted, µs.
    pub sent_at: Option<i64>,
    /// When its state last changed, µs.
    pub updated_at: i64,
    /// Each part written so far, in order.
    pub part_states: Vec<PartState>,
}

/// One part of a message as the SMSC answered it.
#[derive(Debug, Clone, Serialize)]
pub struct PartState {
    /// 1-based.
    pub part: i64,
    /// `window`, `retry`, `accepted`, `delivered`, `undeliverable`, `expired`, `failed`,
    /// `uncertain`.
    pub state: String,
    /// The SMSC it went to.
    pub smsc: String,
    /// The SMSC's message id, once answered.
    pub smsc_id: Option<String>,
    /// The SMSC's error, when refused.
    pub error: Option<String>,
    /// Submits so far.
    pub attempts: i64,
    /// When it last changed, µs.
    pub updated_at: i64,
}

/// The states a message can be in, as a filter names them.
pub const MESSAGE_STATES: &[&str] = &[
    "queued",
    "sending",
    "submitted",
    "delivered",
    "failed",
    "uncertain",
    "cancelled",
    "skipped",
];

/// Messages on one page of [`Notify::deliveries`], at most.
pub const DELIVERIES_PAGE_MAX: i64 = 1000;

/// A campaign's progress, per operator.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Progress {
    /// Per operator, by id.
    pub by_operator: Vec<OperatorProgress>,
    /// All operators.
    pub total: OperatorProgress,
    /// The most frequent failure reasons, with counts.
    pub reasons: Vec<(String, i64)>,
}

/// A bind's last known state.
#[derive(Debug, Clone, Serialize)]
pub struct BindStatus {
    /// `smsc#n@owner`.
    pub name: String,
    /// The SMSC.
    pub smsc: String,
    /// The dispatcher holding it.
    pub owner: String,
    /// `bound`, `connecting`, `down`, `stopped`.
    pub state: String,
    /// Why, when down.
    pub detail: String,
    /// Messages per second it is allowed now.
    pub tps: i64,
    /// Its window now.
    pub window: i64,
    /// When this was written, µs.
    pub updated_at: i64,
}

/// Sending figures for a period, for reports.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Figures {
    /// Start, µs (inclusive).
    pub from: i64,
    /// End, µs (exclusive).
    pub to: i64,
    /// Campaigns that sent in the period.
    pub campaigns: i64,
    /// Recipients messaged.
    pub recipients: i64,
    /// Parts accepted by the SMSCs.
    pub segments: i64,
    /// Recipients whose every part was delivered.
    pub delivered: i64,
    /// Delivered over recipients, in percent (0 when none).
    pub delivered_pct: f64,
    /// By topic.
    pub by_topic: Vec<FigureRow>,
    /// By operator.
    pub by_operator: Vec<FigureRow>,
}

/// One row of [`Figures`].
#[derive(Debug, Clone, Default, Serialize)]
pub struct FigureRow {
    /// Topic or operator.
    pub key: String,
    /// Campaigns.
    pub campaigns: i64,
    /// Recipients.
    pub recipients: i64,
    /// Segments.
    pub segments: i64,
    /// Delivered recipients.
    pub delivered: i64,
}

/// A part's answer to record: message, part, state, SMSC, SMSC id, error.
type PartUpdate<'a> = (
    i64,
    i64,
    &'static str,
    Option<&'a String>,
    Option<&'a String>,
    Option<&'a String>,
);

/// A message's state from its parts.
fn message_state(
    parts: i64,
    rows: &[(i64, String, Option<String>, i64)],
    resend: bool,
    campaign_status: &str,
) -> (&'static str, Option<String>) {
    if rows.iter().any(|(_, s, _, _)| s == "window") {
        return ("sending", None);
    }
    let written: HashSet<i64> = rows
        .iter()
        .filter(|(_, s, _, _)| s != "retry")
        .map(|(p, _, _, _)| *p)
        .collect();
    let unsent = (1..=parts).any(|p| !written.contains(&p));
    let resendable = rows
        .iter()
        .any(|(_, s, _, a)| s == "uncertain" && resend && *a < MAX_ATTEMPTS);
    if unsent || resendable {
        return if campaign_status == "cancelled" {
            ("cancelled", Some("the campaign was cancelled".into()))
        } else {
            ("queued", None)
        };
    }
    let first = |state: &str| {
        rows.iter()
            .find(|(_, s, _, _)| s == state)
            .map(|(p, _, e, _)| (*p, e.clone()))
    };
    if let Some((p, e)) = first("failed") {
        return (
            "failed",
            Some(format!("part {p}: {}", e.unwrap_or_default())),
        );
    }
    if let Some((p, e)) = first("uncertain") {
        return (
            "uncertain",
            Some(format!("part {p}: {}", e.unwrap_or_default())),
        );
    }
    if first("undeliverable").is_some() {
        return ("failed", Some("undeliverable (delivery receipt)".into()));
    }
    if first("expired").is_some() {
        return ("failed", Some("expired before delivery (receipt)".into()));
    }
    if rows.iter().all(|(_, s, _, _)| s == "delivered") {
        return ("delivered", None);
    }
    ("submitted", None)
}

/// `$first, $first+1, …` for `n` values.
fn placeholders(first: usize, n: usize) -> String {
    (0..n)
        .map(|i| format!("${}", first + i))
        .collect::<Vec<_>>()
        .join(", ")
}

/// [`lantoa_store::json_column`], with this crate's error.
fn json_column<T: Serialize>(values: impl IntoIterator<Item = T>) -> Result<String> {
    Ok(lantoa_store::json_column(values)?)
}

impl Notify {
    /// Renders `template` for one recipient.
    pub(crate) fn render(
        &self,
        template: &Template,
        phone: &str,
        commune: Option<&str>,
        name: Option<&str>,
    ) -> String {
        let value = |v: &str| {
            if template.plain() {
                message::unaccented(v)
            } else {
                v.to_owned()
            }
        };
        template.render(|f| match f {
            "ten" => value(name.unwrap_or_default()),
            "phuong_xa" => value(
                commune
                    .and_then(|k| self.communes.name_of(k))
                    .unwrap_or_default(),
            ),
            "so_dien_thoai" => phone.to_owned(),
            _ => String::new(),
        })
    }

    /// Queues one message per recipient of `c` (its list narrowed to its communes, without
    /// opted-out numbers unless it is an emergency), or per recipient of `test_list` for a test
    /// send, all in `tx`. Returns how many were queued.
    pub(crate) async fn enqueue_in(
        &self,
        tx: &mut Tx,
        c: &Campaign,
        test_list: Option<i64>,
    ) -> Result<i64> {
        let mut after = String::new();
        let mut queued = 0;
        loop {
            let (n, last) = self
                .queue_step(tx, c, test_list, &after, self.step_size)
                .await?;
            queued += n;
            match last {
                Some(last) => after = last,
                None => return Ok(queued),
            }
        }
    }

    /// On approval, in its transaction `tx`: queues the first step of `c`'s messages (steps
    /// until one queues a message, or the list ends) and keeps where the rest begin; the rest
    /// are queued by [`Notify::queue_rest`], a step a transaction, after the commit. Returns
    /// how many were queued (0: the campaign reaches no one) and whether more are to come.
    pub(crate) async fn enqueue_first_in(&self, tx: &mut Tx, c: &Campaign) -> Result<(i64, bool)> {
        let mut after = String::new();
        let mut queued = 0;
        let rest = loop {
            let (n, last) = self.queue_step(tx, c, None, &after, self.step_size).await?;
            queued += n;
            match last {
                None => break None,
                Some(last) if queued > 0 => break Some(last),
                Some(last) => after = last,
            }
        };
        let more = rest.is_some();
        sqlx::query("UPDATE notify_campaigns SET queue_after = $1 WHERE id = $2")
            .bind(rest)
            .bind(c.id)
            .execute(&mut **tx)
            .await?;
        Ok((queued, more))
    }

    /// Queues the messages of `c` (or of its test send to `test_list`) for at most `limit`
    /// recipients after the number `after`, in number order. Returns how many were queued and
    /// the last number read (`None`: no recipient is left after `after`). A number queued
    /// before is not queued again, so a step taken twice (after a crash) queues nothing twice.
    async fn queue_step(
        &self,
        conn: &mut AnyConnection,
        c: &Campaign,
        test_list: Option<i64>,
        after: &str,
        limit: i64,
    ) -> Result<(i64, Option<String>)> {
        let template =
            Template::parse(&c.body).map_err(|e| crate::error::invalid("body", e.message()))?;
        let now = self.clock.now_micros();
        let test = test_list.is_some();
        let list_id = test_list.unwrap_or(c.list_id);
        let communes: &[String] = if test { &[] } else { &c.communes };
        let n = communes.len();
        // $1 the list, $2.. the communes, then the number after which to read.
        let mut filter = format!("r.list_id = $1 AND r.phone > ${}", n + 2);
        if !communes.is_empty() {
            filter.push_str(&format!(
                " AND r.commune_code IN ({})",
                placeholders(2, communes.len())
            ));
        }
        if !test && !c.emergency {
            filter.push_str(
                " AND NOT EXISTS (SELECT 1 FROM notify_optouts o WHERE o.phone = r.phone)",
            );
        }
        // The list, its communes and `after`, bound in the filter's order.
        fn recipients<'q>(
            sql: &'q str,
            list_id: i64,
            communes: &'q [String],
            after: &'q str,
        ) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
            let mut q = sqlx::query(sql).bind(list_id);
            for k in communes {
                q = q.bind(k.as_str());
            }
            q.bind(after)
        }
        if !template.has_fields() {
            // One text for all: the database copies the step's recipients itself.
            let sql = format!(
                "SELECT MAX(phone), COUNT(*) FROM (SELECT r.phone FROM notify_recipients r
                 WHERE {filter} ORDER BY r.phone LIMIT ${}) AS s",
                n + 3
            );
            let read = recipients(&sql, list_id, communes, after)
                .bind(limit)
                .fetch_one(&mut *conn)
                .await?;
            let (last, count): (Option<String>, i64) = (read.try_get(0)?, read.try_get(1)?);
            let Some(last) = last else {
                return Ok((0, None));
            };
            let segments = message::cost(&template.render(|_| String::new())).segments as i64;
            let sql = format!(
                "INSERT INTO notify_messages (campaign_id, test, phone, operator, commune_code, text, parts, state, updated_at)
                 SELECT ${}, ${}, r.phone, r.operator, r.commune_code, NULL, ${}, 'queued', ${}
                 FROM notify_recipients r WHERE {filter} AND r.phone <= ${}
                 ON CONFLICT (campaign_id, test, phone) DO NOTHING",
                n + 3,
                n + 4,
                n + 5,
                n + 6,
                n + 7
            );
            let done = recipients(&sql, list_id, communes, after)
                .bind(c.id)
                .bind(i64::from(test))
                .bind(segments)
                .bind(now)
                .bind(&last)
                .execute(&mut *conn)
                .await?;
            // Fewer than asked for: the list ends here.
            return Ok((
                done.rows_affected() as i64,
                (count >= limit).then_some(last),
            ));
        }
        // Each text rendered.
        let sql = format!(
            "SELECT r.phone, r.operator, r.commune_code, r.name FROM notify_recipients r
             WHERE {filter} ORDER BY r.phone LIMIT ${}",
            n + 3
        );
        let rows = recipients(&sql, list_id, communes, after)
            .bind(limit)
            .fetch_all(&mut *conn)
            .await?;
        let Some(end) = rows.last() else {
            return Ok((0, None));
        };
        let last: Option<String> = (rows.len() as i64 >= limit)
            .then(|| end.try_get(0))
            .transpose()?;
        let mut page = Vec::with_capacity(rows.len());
        for r in &rows {
            let phone: String = r.try_get(0)?;
            let operator: String = r.try_get(1)?;
            let commune: Option<String> = r.try_get(2)?;
            let name: Option<String> = r.try_get(3)?;
            let text = self.render(&template, &phone, commune.as_deref(), name.as_deref());
            let parts = message::cost(&text).segments as i64;
            page.push((phone, operator, commune, text, parts));
        }
        // `WHERE true`: SQLite reads an upsert after `SELECT … FROM` only past a WHERE.
        let sql = format!(
            "INSERT INTO notify_messages (campaign_id, test, phone, operator, commune_code, text, parts, state, updated_at)
             SELECT $1, $2, c0, c1, c2, c3, c4, 'queued', $3 FROM ({}) AS j WHERE true
             ON CONFLICT (campaign_id, test, phone) DO NOTHING",
            json_rows(
                self.db.backend(),
                4,
                &[
                    JsonCol::Text,
                    JsonCol::Text,
                    JsonCol::Text,
                    JsonCol::Text,
                    JsonCol::Int
                ]
            )
        );
        let queued = sqlx::query(&sql)
            .bind(c.id)
            .bind(i64::from(test))
            .bind(now)
            .bind(serde_json::to_string(&page)?)
            .execute(&mut *conn)
            .await?
            .rows_affected() as i64;
        Ok((queued, last))
    }

    /// Queues the rest of every approved campaign still being queued, emergencies first, a
    /// step a transaction on the writer's connection (binds' claims and answers go between
    /// steps), waking this process's dispatcher after each. A step re-reads where its campaign
    /// stands, so a cancelled campaign stops and two processes never queue a number twice.
    /// When a campaign's last step is taken, the number queued is audited. Returns how many
    /// messages were queued.
    pub async fn queue_rest(&self) -> Result<i64> {
        let mut total = 0;
        loop {
            let sql = format!(
                "SELECT {CAMPAIGN_COLUMNS} FROM notify_campaigns
                 WHERE status = 'sending' AND queue_after IS NOT NULL
                 ORDER BY emergency DESC, id LIMIT 1"
            );
            let Some(c) = sqlx::query(&sql)
                .fetch_optional(self.db.pool())
                .await?
                .map(|r| crate::service::campaign_from(&r))
                .transpose()?
            else {
                return Ok(total);
            };
            let mut writer = self.db.writer().await?;
            let mut tx = writer.begin().await?;
            // Under the writer's lock on SQLite, the campaign's row lock on PostgreSQL: one
            // process takes a step at a time.
            let lock = match self.db.backend() {
                Backend::Postgres => " FOR UPDATE",
                Backend::Sqlite => "",
            };
            let sql = format!(
                "SELECT queue_after FROM notify_campaigns WHERE id = $1 AND status = 'sending'{lock}"
            );
            let after: Option<String> = sqlx::query_scalar(&sql)
                .bind(c.id)
                .fetch_optional(&mut *tx)
                .await?
                .flatten();
            let Some(after) = after else {
                tx.commit().await?;
                continue;
            };
            let (n, last) = self
                .queue_step(&mut tx, &c, None, &after, self.step_size)
                .await?;
            sqlx::query("UPDATE notify_campaigns SET queue_after = $1 WHERE id = $2")
                .bind(&last)
                .bind(c.id)
                .execute(&mut *tx)
                .await?;
            if last.is_none() {
                let queued: i64 = sqlx::query_scalar(
                    "SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM notify_counts WHERE campaign_id = $1 AND test = 0",
                )
                .bind(c.id)
                .fetch_one(&mut *tx)
                .await?;
                audit::append_at(
                    &mut tx,
                    &audit::Entry::new(
                        "dispatch",
                        "notify.campaign_queued",
                        format!("campaign:{}", c.id),
                    )
                    .after(serde_json::json!({ "queued": queued })),
                    &self.clock,
                )
                .await?;
            }
            tx.commit().await?;
            drop(writer);
            total += n;
            self.wake_binds();
        }
    }

    /// Whether quiet hours hold a sending campaign now: the local time its messages may go
    /// from (`07:00`), or `None` when they may go (or it is an emergency, or not sending).
    pub fn held_until(&self, c: &Campaign) -> Option<String> {
        (c.status == "sending" && !c.emergency && !self.allowed_now())
            .then(|| self.rules.allowed_from.format("%H:%M").to_string())
    }

    /// Whether non-emergency messages may go now (Hà Nội time, UTC+7, against the rules'
    /// allowed hours).
    pub fn allowed_now(&self) -> bool {
        let local = (self.clock.now() + chrono::Duration::hours(7)).time();
        self.rules.allowed_at(local)
    }

    /// Sends a draft or pending campaign's message to a test list (at most
    /// [`TEST_LIST_MAX`] recipients) before it is approved. Returns how many were queued (a
    /// number already test-sent is not sent again).
    pub async fn test_send(&self, actor: &str, id: i64, test_list: i64) -> Result<i64> {
        let c = self.campaign(id).await?;
        if !matches!(c.status.as_str(), "draft" | "pending") {
            return Err(crate::error::refused(
                Msg::new("campaign-test-send-too-late")
                    .arg("name", &c.name)
                    .label("status", format!("nt-status-{}", c.status)),
            ));
        }
        let list = self.list(test_list).await?;
        if list.recipients > TEST_LIST_MAX {
            return Err(crate::error::invalid(
                "test_list",
                Msg::new("campaign-test-list-too-big")
                    .arg("name", &list.name)
                    .arg("count", list.recipients)
                    .arg("max", TEST_LIST_MAX),
            ));
        }
        let mut tx = self.db.begin().await?;
        let n = self.enqueue_in(&mut tx, &c, Some(test_list)).await?;
        audit::append_at(
            &mut tx,
            &audit::Entry::new(actor, "notify.campaign_test_sent", format!("campaign:{id}"))
                .after(serde_json::json!({ "test_list": test_list, "queued": n })),
            &self.clock,
        )
        .await?;
        tx.commit().await?;
        self.queued_now();
        Ok(n)
    }

    /// Campaigns whose messages may go now: sending ones (non-emergency ones only when
    /// `allowed_now`, i.e. outside quiet hours) and not-yet-approved ones with test messages.
    pub async fn sendable(&self, allowed_now: bool) -> Result<Vec<Sendable>> {
        let rows = sqlx::query(
            "SELECT id, brandname, body, emergency, resend_uncertain, status FROM notify_campaigns c
             WHERE (status = 'sending' AND (emergency = 1 OR $1 = 1))
                OR (status IN ('draft', 'pending') AND EXISTS (
                    SELECT 1 FROM notify_messages m WHERE m.campaign_id = c.id AND m.test = 1 AND m.state = 'queued'))
             ORDER BY emergency DESC, id",
        )
        .bind(i64::from(allowed_now))
        .fetch_all(self.db.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Sendable {
                    id: r.try_get(0)?,
                    brandname: r.try_get(1)?,
                    body: r.try_get(2)?,
                    emergency: r.try_get::<i64, _>(3)? != 0,
                    resend_uncertain: r.try_get::<i64, _>(4)? != 0,
                    test_only: r.try_get::<String, _>(5)? != "sending",
                })
            })
            .collect()
    }

    /// Claims queued messages of `campaign` as `to` says (its operator's, whose parts fit its
    /// budget, for its owner until its lease ends), and writes their parts to send in state
    /// `window` on its SMSC — all in one transaction, before any of them goes out. A
    /// non-emergency message to a number that already had the frequency cap's worth of
    /// messages in 24 hours is skipped, with the reason.
    pub async fn claim(&self, campaign: &Sendable, to: &ClaimFor<'_>) -> Result<Vec<Claimed>> {
        let mut writer = self.db.writer().await?;
        let mut tx = writer.begin().await?;
        let claimed = self.claim_in(&mut tx, campaign, to).await?;
        tx.commit().await?;
        Ok(claimed)
    }

    /// [`Notify::claim`] inside the caller's transaction on `tx` (the dispatcher's recorder
    /// claims in the transaction that writes the binds' answers).
    pub(crate) async fn claim_in(
        &self,
        tx: &mut AnyConnection,
        campaign: &Sendable,
        to: &ClaimFor<'_>,
    ) -> Result<Vec<Claimed>> {
        let ClaimFor {
            operator,
            smsc,
            owner,
            lease_until,
            parts_budget,
        } = *to;
        let now = self.clock.now_micros();
        let lock = match self.db.backend() {
            Backend::Postgres => "FOR UPDATE SKIP LOCKED",
            Backend::Sqlite => "",
        };
        // The candidates come back as one JSON value (see `json_agg`), not a row each.
        let sql = format!(
            "SELECT {} FROM (SELECT id, parts, phone, text FROM notify_messages
                 WHERE campaign_id = $1 AND operator = $2 AND state = 'queued' AND test = $3
                 ORDER BY id LIMIT $4 {lock}) AS q",
            json_agg(self.db.backend(), &["id", "parts", "phone", "text"])
        );
        let found: Option<String> = sqlx::query_scalar(&sql)
            .bind(campaign.id)
            .bind(operator)
            .bind(i64::from(campaign.test_only))
            .bind(parts_budget.max(1))
            .fetch_one(&mut *tx)
            .await?;
        let mut rows: Vec<(i64, i64, String, Option<String>)> =
            serde_json::from_str(found.as_deref().unwrap_or("[]"))?;
        rows.sort_unstable_by_key(|r| r.0);
        // As many messages as their parts fit the budget (always at least one), so the parts in
        // a window never exceed the window, or one message's parts.
        let mut claimed = Vec::new();
        let mut parts = 0;
        for (id, n, phone, text) in rows {
            if !claimed.is_empty() && parts + n > parts_budget {
                break;
            }
            parts += n;
            claimed.push(Claimed {
                id,
                campaign_id: campaign.id,
                phone,
                text,
                parts: n,
                send: Vec::new(),
            });
        }
        if claimed.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "UPDATE notify_messages SET state = 'sending', owner = $1, lease_until = $2, updated_at = $3
             WHERE id IN (SELECT c0 FROM ({}) AS j) AND state = 'queued'",
            json_rows(self.db.backend(), 4, &[JsonCol::Int])
        );
        let taken = sqlx::query(&sql)
            .bind(owner)
            .bind(lease_until)
            .bind(now)
            .bind(json_column(claimed.iter().map(|c| c.id))?)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        // The rows were read in this transaction under SQLite's write lock or PostgreSQL's row
        // locks: every one is still queued, or the transaction is abandoned.
        if taken != claimed.len() as u64 {
            return Err(Error::Unavailable(format!(
                "claimed {} messages but {taken} were still queued",
                claimed.len()
            )));
        }
        if !campaign.emergency && !campaign.test_only {
            let capped = self.over_cap(tx, &claimed, now).await?;
            if !capped.is_empty() {
                let reason = format!(
                    "frequency cap: this number had {} non-emergency messages in the last 24 hours",
                    self.rules.max_per_day
                );
                let ids: Vec<i64> = claimed
                    .iter()
                    .filter(|c| capped.contains(&c.phone))
                    .map(|c| c.id)
                    .collect();
                let sql = format!(
                    "UPDATE notify_messages SET state = 'skipped', reason = $1, owner = NULL, updated_at = $2
                     WHERE id IN (SELECT c0 FROM ({}) AS j)",
                    json_rows(self.db.backend(), 3, &[JsonCol::Int])
                );
                sqlx::query(&sql)
                    .bind(&reason)
                    .bind(now)
                    .bind(json_column(&ids)?)
                    .execute(&mut *tx)
                    .await?;
                claimed.retain(|c| !capped.contains(&c.phone));
            }
        }
        // Which parts each still needs: none written yet, put back, or uncertain and to resend.
        let mut written: HashMap<i64, Vec<(i64, String, i64)>> = HashMap::new();
        if !claimed.is_empty() {
            let sql = format!(
                "SELECT message_id, part, state, attempts FROM notify_parts
                 WHERE message_id IN (SELECT c0 FROM ({}) AS j)",
                json_rows(self.db.backend(), 1, &[JsonCol::Int])
            );
            let q = sqlx::query(&sql).bind(json_column(claimed.iter().map(|c| c.id))?);
            for r in q.fetch_all(&mut *tx).await? {
                written.entry(r.try_get(0)?).or_default().push((
                    r.try_get(1)?,
                    r.try_get(2)?,
                    r.try_get(3)?,
                ));
            }
        }
        let mut window = Vec::new();
        for c in &mut claimed {
            let rows = written.remove(&c.id).unwrap_or_default();
            for p in 1..=c.parts {
                let attempt = match rows.iter().find(|(q, _, _)| *q == p) {
                    None => 1,
                    Some((_, s, a)) if s == "retry" => *a + 1,
                    Some((_, s, a))
                        if s == "uncertain" && campaign.resend_uncertain && *a < MAX_ATTEMPTS =>
                    {
                        *a + 1
                    }
                    Some(_) => continue,
                };
                c.send.push((p, attempt));
                window.push((c.id, p, attempt));
            }
        }
        if !window.is_empty() {
            // `WHERE true`: SQLite reads an upsert after `SELECT … FROM` only past a WHERE.
            let sql = format!(
                "INSERT INTO notify_parts (message_id, part, state, smsc, attempts, updated_at)
                 SELECT c0, c1, 'window', $1, c2, $2 FROM ({}) AS j WHERE true
                 ON CONFLICT (message_id, part) DO UPDATE SET state = excluded.state, smsc = excluded.smsc,
                     smsc_id = NULL, error = NULL, attempts = excluded.attempts, updated_at = excluded.updated_at",
                json_rows(self.db.backend(), 3, &[JsonCol::Int; 3])
            );
            sqlx::query(&sql)
                .bind(smsc)
                .bind(now)
                .bind(serde_json::to_string(&window)?)
                .execute(&mut *tx)
                .await?;
        }
        let idle: Vec<i64> = claimed
            .iter()
            .filter(|c| c.send.is_empty())
            .map(|c| c.id)
            .collect();
        if !idle.is_empty() {
            self.recompute(tx, &idle, now).await?;
        }
        claimed.retain(|c| !c.send.is_empty());
        Ok(claimed)
    }

    /// The numbers among `claimed` that reached the frequency cap in the 24 hours before `now`.
    async fn over_cap(
        &self,
        conn: &mut AnyConnection,
        claimed: &[Claimed],
        now: i64,
    ) -> Result<HashSet<String>> {
        if claimed.is_empty() {
            return Ok(HashSet::new());
        }
        let since = now - 24 * 3600 * 1_000_000;
        let sql = format!(
            "SELECT m.phone, COUNT(*) FROM notify_messages m
             JOIN notify_campaigns c ON c.id = m.campaign_id
             WHERE m.phone IN (SELECT c0 FROM ({}) AS j) AND m.test = 0 AND m.sent_at >= $1
               AND c.emergency = 0
             GROUP BY m.phone",
            json_rows(self.db.backend(), 2, &[JsonCol::Text])
        );
        let q = sqlx::query(&sql)
            .bind(since)
            .bind(json_column(claimed.iter().map(|c| c.phone.as_str()))?);
        let cap = i64::from(self.rules.max_per_day);
        let mut out = HashSet::new();
        for r in q.fetch_all(&mut *conn).await? {
            if r.try_get::<i64, _>(1)? >= cap {
                out.insert(r.try_get(0)?);
            }
        }
        Ok(out)
    }

    /// Records what binds learnt, in one transaction, and brings the messages they touch up to
    /// date. A receipt whose id no part carries yet is kept and matched later. Parts' answers
    /// are written first, then receipts (a receipt can only follow its part's answer), each kind
    /// a hundred rows to a statement.
    pub async fn record(&self, events: &[Event]) -> Result<()> {
        if events.is_empty() {
            return Ok(());
        }
        let mut writer = self.db.writer().await?;
        let mut tx = writer.begin().await?;
        self.record_in(&mut tx, events).await?;
        tx.commit().await?;
        Ok(())
    }

    /// [`Notify::record`] inside the caller's transaction on `tx`.
    pub(crate) async fn record_in(&self, tx: &mut AnyConnection, events: &[Event]) -> Result<()> {
        let now = self.clock.now_micros();
        let mut touched = Vec::new();
        let mut answers: Vec<PartUpdate<'_>> = Vec::new();
        let mut receipts = Vec::new();
        let mut recipients: HashMap<(&str, &str), &str> = HashMap::new();
        // One-part messages whose part was taken: the message is `submitted` (and `delivered`
        // on its receipt) without reading it back; every other change goes through
        // `recompute`, after these.
        let mut only: HashSet<i64> = HashSet::new();
        let mut settled: BTreeMap<i64, &'static str> = BTreeMap::new();
        for e in events {
            match e {
                Event::Accepted {
                    message,
                    part,
                    smsc,
                    smsc_id,
                    only: one,
                } => {
                    if *one {
                        only.insert(*message);
                    }
                    answers.push((*message, *part, "accepted", Some(smsc), Some(smsc_id), None))
                }
                Event::Failed {
                    message,
                    part,
                    error,
                } => answers.push((*message, *part, "failed", None, None, Some(error))),
                Event::Uncertain {
                    message,
                    part,
                    error,
                } => answers.push((*message, *part, "uncertain", None, None, Some(error))),
                Event::Unsent { message, part } => {
                    answers.push((*message, *part, "retry", None, None, None))
                }
                Event::Receipt {
                    smsc,
                    smsc_id,
                    outcome,
                    recipient,
                } => {
                    receipts.push((smsc.as_str(), smsc_id.as_str(), *outcome));
                    recipients.insert((smsc.as_str(), smsc_id.as_str()), recipient.as_str());
                }
                Event::OptOut { phone } => {
                    sqlx::query(
                        "INSERT INTO notify_optouts (phone, source, created_by, created_at)
                         VALUES ($1, 'reply', 'sms', $2) ON CONFLICT (phone) DO NOTHING",
                    )
                    .bind(phone)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                }
            }
        }
        // A receipt that comes in the same batch as its part's answer (an SMSC that reports
        // at once) is written with the answer: one write of the part instead of two, and no
        // lookup by the SMSC's id. If the answer finds its part out of the window, the receipt
        // goes the usual way below.
        let mut folded: HashMap<(&str, &str), Outcome> = HashMap::new();
        if !receipts.is_empty() && !answers.is_empty() {
            let accepted: HashSet<(&str, &str)> = answers
                .iter()
                .filter(|a| a.2 == "accepted")
                .filter_map(|a| Some((a.3?.as_str(), a.4?.as_str())))
                .collect();
            receipts.retain(|&(smsc, id, outcome)| {
                let fold = accepted.contains(&(smsc, id));
                if fold {
                    folded.insert((smsc, id), outcome);
                }
                !fold
            });
            for a in &mut answers {
                if let (Some(smsc), Some(id)) = (a.3, a.4)
                    && let Some(o) = folded.get(&(smsc.as_str(), id.as_str()))
                {
                    a.2 = o.as_str();
                }
            }
        }
        if !answers.is_empty() {
            const ANSWER: [JsonCol; 6] = [
                JsonCol::Int,
                JsonCol::Int,
                JsonCol::Text,
                JsonCol::Text,
                JsonCol::Text,
                JsonCol::Text,
            ];
            let answers_json = serde_json::to_string(&answers)?;
            // Which answered parts are still in the window (only those take their answer), read
            // as one JSON value before the update, in the same transaction.
            let sql = format!(
                "SELECT {} FROM notify_parts p JOIN ({}) AS v
                     ON p.message_id = v.c0 AND p.part = v.c1
                 WHERE p.state = 'window'",
                json_agg(self.db.backend(), &["p.message_id", "p.part"]),
                json_rows(self.db.backend(), 1, &ANSWER)
            );
            let open: Option<String> = sqlx::query_scalar(&sql)
                .bind(&answers_json)
                .fetch_one(&mut *tx)
                .await?;
            let mut open: HashSet<(i64, i64)> =
                serde_json::from_str::<Vec<(i64, i64)>>(open.as_deref().unwrap_or("[]"))?
                    .into_iter()
                    .collect();
            let sql = format!(
                "UPDATE notify_parts SET state = v.c2, smsc = COALESCE(v.c3, notify_parts.smsc),
                     smsc_id = COALESCE(v.c4, notify_parts.smsc_id), error = v.c5, updated_at = $1
                 FROM ({}) AS v
                 WHERE notify_parts.message_id = v.c0 AND notify_parts.part = v.c1
                   AND notify_parts.state = 'window'",
                json_rows(self.db.backend(), 2, &ANSWER)
            );
            sqlx::query(&sql)
                .bind(now)
                .bind(&answers_json)
                .execute(&mut *tx)
                .await?;
            // Each part takes one answer (a part is in one window once, so a batch never holds
            // two answers for it); a part in the window leaves it with no SMSC id.
            let changed: Vec<(i64, &str, Option<&String>, Option<&String>)> = answers
                .iter()
                .filter(|a| open.remove(&(a.0, a.1)))
                .map(|a| (a.0, a.2, a.3, a.4))
                .collect();
            let mut uncertain = Vec::new();
            // The SMSC ids each answer written carries: their folded receipts are written too.
            let mut applied: HashSet<(&str, &str)> = HashSet::new();
            for (m, state, smsc, id) in changed {
                if let (Some(smsc), Some(id)) = (smsc, id) {
                    applied.insert((smsc.as_str(), id.as_str()));
                }
                if state == "accepted" && only.contains(&m) {
                    settled.insert(m, "submitted");
                } else if state == "delivered" && only.contains(&m) {
                    settled.insert(m, "delivered");
                } else {
                    if state == "uncertain" {
                        uncertain.push(m);
                    }
                    touched.push(m);
                }
            }
            folded.retain(|key, _| !applied.contains(key));
            // A broken bind's uncertain parts of a campaign that resends them wait for their
            // receipts as a dead dispatcher's do (`recover` releases the message after the wait).
            if !uncertain.is_empty() {
                let held = self.hold_for_receipts(tx, &uncertain, now).await?;
                touched.retain(|m| !held.contains(m));
            }
        }
        // Folded receipts whose answer did not apply are matched as any other.
        receipts.extend(folded.into_iter().map(|((smsc, id), o)| (smsc, id, o)));
        for chunk in receipts.chunks(RECEIPTS_PER_STATEMENT) {
            let hits = self.apply_receipts(tx, chunk, now).await?;
            let delivered: Vec<i64> = hits
                .iter()
                .filter(|h| h.3 == "delivered")
                .map(|h| h.0)
                .collect();
            let one_part: HashSet<i64> = if delivered.is_empty() {
                HashSet::new()
            } else {
                let sql = format!(
                    "SELECT {} FROM notify_messages WHERE id IN (SELECT c0 FROM ({}) AS j) AND parts = 1",
                    json_agg(self.db.backend(), &["id"]),
                    json_rows(self.db.backend(), 1, &[JsonCol::Int])
                );
                let ids: Option<String> = sqlx::query_scalar(&sql)
                    .bind(json_column(&delivered)?)
                    .fetch_one(&mut *tx)
                    .await?;
                serde_json::from_str::<Vec<[i64; 1]>>(ids.as_deref().unwrap_or("[]"))?
                    .into_iter()
                    .map(|[id]| id)
                    .collect()
            };
            for (smsc, smsc_id, outcome) in chunk {
                if hits.iter().any(|(_, s, i, _)| s == smsc && i == smsc_id) {
                    continue;
                }
                sqlx::query(
                    "INSERT INTO notify_receipts_unmatched (smsc, smsc_id, outcome, received_at, recipient)
                     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (smsc, smsc_id) DO NOTHING",
                )
                .bind(*smsc)
                .bind(*smsc_id)
                .bind(outcome.as_str())
                .bind(now)
                .bind(recipients.get(&(*smsc, *smsc_id)).copied())
                .execute(&mut *tx)
                .await?;
            }
            for (m, _, _, state) in hits {
                if state == "delivered" && one_part.contains(&m) {
                    settled.insert(m, "delivered");
                } else {
                    touched.push(m);
                }
            }
        }
        if !settled.is_empty() {
            let sql = format!(
                "UPDATE notify_messages SET state = v.c1, reason = NULL, owner = NULL,
                     lease_until = NULL, sent_at = COALESCE(sent_at, $1), updated_at = $1
                 FROM ({}) AS v WHERE notify_messages.id = v.c0",
                json_rows(self.db.backend(), 2, &[JsonCol::Int, JsonCol::Text])
            );
            let rows: Vec<(i64, &str)> = settled.into_iter().collect();
            sqlx::query(&sql)
                .bind(now)
                .bind(serde_json::to_string(&rows)?)
                .execute(&mut *tx)
                .await?;
        }
        touched.sort_unstable();
        touched.dedup();
        self.recompute(tx, &touched, now).await?;
        Ok(())
    }

    /// Applies receipts (at most a statement's worth) to the parts carrying their ids; returns
    /// each part touched as (message, SMSC, id, its state now).
    async fn apply_receipts(
        &self,
        conn: &mut AnyConnection,
        receipts: &[(&str, &str, Outcome)],
        now: i64,
    ) -> Result<Vec<(i64, String, String, String)>> {
        let rows: Vec<(&str, &str, &str)> = receipts
            .iter()
            .map(|(smsc, id, outcome)| (*smsc, *id, outcome.as_str()))
            .collect();
        let rows = serde_json::to_string(&rows)?;
        // The parts the receipts name, with the state each takes, as one JSON value read
        // before the update in the same transaction.
        let sql = format!(
            "SELECT {} FROM notify_parts p JOIN ({}) AS v ON p.smsc = v.c0 AND p.smsc_id = v.c1
             WHERE p.state IN ('accepted', 'delivered', 'undeliverable', 'expired')",
            json_agg(
                self.db.backend(),
                &["p.message_id", "p.smsc", "p.smsc_id", "v.c2"]
            ),
            json_rows(self.db.backend(), 1, &[JsonCol::Text; 3])
        );
        let hits: Option<String> = sqlx::query_scalar(&sql)
            .bind(&rows)
            .fetch_one(&mut *conn)
            .await?;
        let hits: Vec<(i64, String, String, String)> =
            serde_json::from_str(hits.as_deref().unwrap_or("[]"))?;
        if hits.is_empty() {
            return Ok(hits);
        }
        let sql = format!(
            "UPDATE notify_parts SET state = v.c2, updated_at = $1
             FROM ({}) AS v
             WHERE notify_parts.smsc = v.c0 AND notify_parts.smsc_id = v.c1
               AND notify_parts.state IN ('accepted', 'delivered', 'undeliverable', 'expired')",
            json_rows(self.db.backend(), 2, &[JsonCol::Text; 3])
        );
        sqlx::query(&sql)
            .bind(now)
            .bind(&rows)
            .execute(&mut *conn)
            .await?;
        Ok(hits)
    }

    /// Sets each message's state from its parts.
    async fn recompute(&self, conn: &mut AnyConnection, ids: &[i64], now: i64) -> Result<()> {
        for chunk in ids.chunks(RECOMPUTE_PER_STATEMENT) {
            let sql = format!(
                "SELECT m.id, m.parts, m.state, c.resend_uncertain, c.status, p.part, p.state, p.error, p.attempts
                 FROM notify_messages m JOIN notify_campaigns c ON c.id = m.campaign_id
                 LEFT JOIN notify_parts p ON p.message_id = m.id
                 WHERE m.id IN (SELECT c0 FROM ({}) AS j)",
                json_rows(self.db.backend(), 1, &[JsonCol::Int])
            );
            let q = sqlx::query(&sql).bind(json_column(chunk)?);
            type Parts = Vec<(i64, String, Option<String>, i64)>;
            let mut by: BTreeMap<i64, (i64, String, bool, String, Parts)> = BTreeMap::new();
            for r in q.fetch_all(&mut *conn).await? {
                let e = by.entry(r.try_get(0)?).or_insert((
                    r.try_get(1)?,
                    r.try_get(2)?,
                    r.try_get::<i64, _>(3)? != 0,
                    r.try_get(4)?,
                    Vec::new(),
                ));
                if let Some(part) = r.try_get::<Option<i64>, _>(5)? {
                    e.4.push((part, r.try_get(6)?, r.try_get(7)?, r.try_get(8)?));
                }
            }
            let mut changed = Vec::new();
            for (id, (parts, old, resend, status, rows)) in by {
                let (state, reason) = message_state(parts, &rows, resend, &status);
                let accepted = rows.iter().any(|(_, s, _, _)| {
                    matches!(
                        s.as_str(),
                        "accepted" | "delivered" | "undeliverable" | "expired"
                    )
                });
                if state == old && state != "sending" && !accepted {
                    continue;
                }
                changed.push((id, state, reason, i64::from(accepted)));
            }
            if changed.is_empty() {
                continue;
            }
            let sql = format!(
                "UPDATE notify_messages SET state = v.c1, reason = v.c2,
                     owner = CASE WHEN v.c1 = 'sending' THEN owner ELSE NULL END,
                     lease_until = CASE WHEN v.c1 = 'sending' THEN lease_until ELSE NULL END,
                     sent_at = CASE WHEN sent_at IS NULL AND v.c3 = 1 THEN $1 ELSE sent_at END,
                     updated_at = $1
                 FROM ({}) AS v WHERE notify_messages.id = v.c0",
                json_rows(
                    self.db.backend(),
                    2,
                    &[JsonCol::Int, JsonCol::Text, JsonCol::Text, JsonCol::Int]
                )
            );
            sqlx::query(&sql)
                .bind(now)
                .bind(serde_json::to_string(&changed)?)
                .execute(&mut *conn)
                .await?;
        }
        Ok(())
    }

    /// Extends the leases `owner` holds.
    pub async fn renew(&self, owner: &str, lease_until: i64) -> Result<()> {
        sqlx::query(
            "UPDATE notify_messages SET lease_until = $1 WHERE owner = $2 AND state = 'sending'",
        )
        .bind(lease_until)
        .bind(owner)
        .execute(self.db.pool())
        .await?;
        Ok(())
    }

    /// Takes back messages whose dispatcher stopped (lease expired): their parts still in a
    /// window become `uncertain`; the messages go back to the queue for any part never sent
    /// (or to resend), else to their final state. A message with a part to resend first waits
    /// [`crate::rules::Rules::resend_wait_secs`] for the receipts that settle its parts (held as
    /// `settling`, then taken back again). Returns how many messages it took back.
    pub async fn recover(&self) -> Result<i64> {
        let now = self.clock.now_micros();
        let mut held: HashSet<i64> = HashSet::new();
        let mut tx = self.db.begin().await?;
        let ids: Vec<i64> = sqlx::query(
            "SELECT id FROM notify_messages WHERE state = 'sending' AND lease_until < $1",
        )
        .bind(now)
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(|r| r.try_get(0))
        .collect::<Result<_, _>>()?;
        for chunk in ids.chunks(MESSAGES_PER_STATEMENT) {
            let sql = format!(
                "UPDATE notify_parts SET state = 'uncertain', updated_at = $1,
                     error = 'in the window when its dispatcher stopped: it may or may not have reached the SMSC'
                 WHERE state = 'window' AND message_id IN ({})",
                placeholders(2, chunk.len())
            );
            let mut q = sqlx::query(&sql).bind(now);
            for id in chunk {
                q = q.bind(*id);
            }
            q.execute(&mut *tx).await?;
            // A message of a campaign that resends uncertain parts, taken back the first time
            // with a part now uncertain, is held for the resend wait.
            let now_held = self.hold_for_receipts(&mut tx, chunk, now).await?;
            // The rest go back: parts put back as unsent stay so; the message state follows.
            let back: Vec<i64> = chunk
                .iter()
                .copied()
                .filter(|id| !now_held.contains(id))
                .collect();
            held.extend(now_held);
            if !back.is_empty() {
                let sql = format!(
                    "UPDATE notify_messages SET owner = NULL, lease_until = NULL WHERE id IN ({})",
                    placeholders(1, back.len())
                );
                let mut q = sqlx::query(&sql);
                for id in &back {
                    q = q.bind(*id);
                }
                q.execute(&mut *tx).await?;
            }
        }
        let released: Vec<i64> = ids
            .iter()
            .copied()
            .filter(|id| !held.contains(id))
            .collect();
        self.recompute(&mut tx, &released, now).await?;
        tx.commit().await?;
        if !ids.is_empty() {
            tracing::warn!(
                messages = ids.len(),
                held = held.len(),
                "took back messages of a dispatcher that stopped; parts in its window are uncertain (those to resend wait for their receipts)"
            );
        }
        Ok(ids.len() as i64)
    }

    /// Holds the messages among `ids` (at most a statement's worth) that have an uncertain part
    /// their campaign would send again (owner `settling`, until the resend wait is over), so the
    /// receipts of the parts the SMSC did take settle them before anything goes again; a message
    /// already held once is not held again. Returns the messages held.
    async fn hold_for_receipts(
        &self,
        conn: &mut AnyConnection,
        ids: &[i64],
        now: i64,
    ) -> Result<HashSet<i64>> {
        let hold_until = now + i64::try_from(self.rules.resend_wait_secs).unwrap_or(60) * 1_000_000;
        let sql = format!(
            "UPDATE notify_messages SET owner = 'settling', lease_until = $1
             WHERE id IN ({}) AND state = 'sending' AND (owner IS NULL OR owner <> 'settling')
               AND EXISTS (SELECT 1 FROM notify_campaigns c WHERE c.id = notify_messages.campaign_id AND c.resend_uncertain = 1)
               AND EXISTS (SELECT 1 FROM notify_parts p WHERE p.message_id = notify_messages.id AND p.state = 'uncertain')
             RETURNING id",
            placeholders(2, ids.len())
        );
        let mut q = sqlx::query(&sql).bind(hold_until);
        for id in ids {
            q = q.bind(*id);
        }
        q.fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|r| Ok(r.try_get::<i64, _>(0)?))
            .collect()
    }

    /// Settles parts left `uncertain` by a dispatcher that stopped or a bind that broke (the
    /// SMSC's answer, with its id, was lost) by the receipts that came for them: a receipt whose
    /// id no part carries, older than [`SETTLE_AFTER`] (an answer on its way would have matched
    /// it by then), names its number; the oldest uncertain part of that SMSC to that number takes
    /// its id and outcome, and is not sent again. Returns how many parts were settled.
    pub async fn settle_uncertain(&self) -> Result<i64> {
        let now = self.clock.now_micros();
        let rows = sqlx::query(
            "SELECT u.smsc, u.smsc_id, u.outcome, u.recipient FROM notify_receipts_unmatched u
             WHERE u.recipient IS NOT NULL AND u.received_at < $1
               AND EXISTS (SELECT 1 FROM notify_parts p JOIN notify_messages m ON m.id = p.message_id
                           WHERE m.phone = u.recipient AND p.smsc = u.smsc AND p.state = 'uncertain')
             ORDER BY u.received_at LIMIT 1000",
        )
        .bind(now - SETTLE_AFTER)
        .fetch_all(self.db.pool())
        .await?;
        if rows.is_empty() {
            return Ok(0);
        }
        let mut tx = self.db.begin().await?;
        let mut touched = Vec::new();
        let mut settled = 0i64;
        for r in &rows {
            let (smsc, smsc_id, outcome) = unmatched(r)?;
            let recipient: String = r.try_get(3)?;
            let Some(part) = sqlx::query(
                "SELECT p.message_id, p.part FROM notify_parts p JOIN notify_messages m ON m.id = p.message_id
                 WHERE m.phone = $1 AND p.smsc = $2 AND p.state = 'uncertain'
                 ORDER BY p.updated_at, p.message_id, p.part LIMIT 1",
            )
            .bind(&recipient)
            .bind(&smsc)
            .fetch_optional(&mut *tx)
            .await?
            else {
                continue;
            };
            let (message, part): (i64, i64) = (part.try_get(0)?, part.try_get(1)?);
            sqlx::query(
                "UPDATE notify_parts SET state = 'accepted', smsc_id = $1, updated_at = $2,
                     error = 'its answer was lost; settled by its delivery receipt'
                 WHERE message_id = $3 AND part = $4",
            )
            .bind(&smsc_id)
            .bind(now)
            .bind(message)
            .bind(part)
            .execute(&mut *tx)
            .await?;
            self.apply_receipts(&mut tx, &[(&smsc, &smsc_id, outcome)], now)
                .await?;
            sqlx::query("DELETE FROM notify_receipts_unmatched WHERE smsc = $1 AND smsc_id = $2")
                .bind(&smsc)
                .bind(&smsc_id)
                .execute(&mut *tx)
                .await?;
            touched.push(message);
            settled += 1;
        }
        touched.sort_unstable();
        touched.dedup();
        self.recompute(&mut tx, &touched, now).await?;
        tx.commit().await?;
        if settled > 0 {
            tracing::info!(
                parts = settled,
                "uncertain parts settled by their delivery receipts"
            );
        }
        Ok(settled)
    }

    /// Matches receipts that arrived before the answer they refer to was recorded.
    pub async fn match_receipts(&self) -> Result<i64> {
        let now = self.clock.now_micros();
        let rows = sqlx::query(
            "SELECT u.smsc, u.smsc_id, u.outcome FROM notify_receipts_unmatched u
             WHERE EXISTS (SELECT 1 FROM notify_parts p WHERE p.smsc = u.smsc AND p.smsc_id = u.smsc_id)
             LIMIT 1000",
        )
        .fetch_all(self.db.pool())
        .await?;
        if rows.is_empty() {
            return Ok(0);
        }
        let mut tx = self.db.begin().await?;
        let mut touched = Vec::new();
        for r in &rows {
            let (smsc, smsc_id, outcome) = unmatched(r)?;
            touched.extend(
                self.apply_receipts(&mut tx, &[(&smsc, &smsc_id, outcome)], now)
                    .await?
                    .into_iter()
                    .map(|(m, _, _, _)| m),
            );
            sqlx::query("DELETE FROM notify_receipts_unmatched WHERE smsc = $1 AND smsc_id = $2")
                .bind(&smsc)
                .bind(&smsc_id)
                .execute(&mut *tx)
                .await?;
        }
        touched.sort_unstable();
        touched.dedup();
        self.recompute(&mut tx, &touched, now).await?;
        tx.commit().await?;
        Ok(rows.len() as i64)
    }

    /// Marks sending campaigns with nothing left to send as sent; returns their ids.
    pub async fn finish_campaigns(&self) -> Result<Vec<i64>> {
        let now = self.clock.now_micros();
        let mut tx = self.db.begin().await?;
        let ids: Vec<i64> = sqlx::query(
            "UPDATE notify_campaigns SET status = 'sent', finished_at = $1, updated_at = $1
             WHERE status = 'sending' AND queue_after IS NULL AND NOT EXISTS (
                 SELECT 1 FROM notify_messages m WHERE m.campaign_id = notify_campaigns.id
                     AND m.test = 0 AND m.state IN ('queued', 'sending'))
             RETURNING id",
        )
        .bind(now)
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(|r| r.try_get(0))
        .collect::<Result<_, _>>()?;
        for id in &ids {
            audit::append_at(
                &mut tx,
                &audit::Entry::new("dispatch", "notify.campaign_sent", format!("campaign:{id}"))
                    .before(serde_json::json!({ "status": "sending" }))
                    .after(serde_json::json!({ "status": "sent" })),
                &self.clock,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(ids)
    }

    /// A campaign's progress per operator (its test send when `test`).
    pub async fn progress(&self, id: i64, test: bool) -> Result<Progress> {
        // The counts the triggers of migration 0012 keep (a count that fell to 0 stays, as 0).
        let rows = sqlx::query(
            "SELECT operator, state, n FROM notify_counts
             WHERE campaign_id = $1 AND test = $2 AND n <> 0 ORDER BY operator, state",
        )
        .bind(id)
        .bind(i64::from(test))
        .fetch_all(self.db.pool())
        .await?;
        let mut by: BTreeMap<String, OperatorProgress> = BTreeMap::new();
        let mut total = OperatorProgress {
            operator: "all".into(),
            ..Default::default()
        };
        for r in rows {
            let operator: String = r.try_get(0)?;
            let state: String = r.try_get(1)?;
            let n: i64 = r.try_get(2)?;
            let e = by
                .entry(operator.clone())
                .or_insert_with(|| OperatorProgress {
                    operator,
                    ..Default::default()
                });
            for p in [&mut *e, &mut total] {
                p.recipients += n;
                match state.as_str() {
                    "queued" => p.queued += n,
                    "sending" => p.sending += n,
                    "submitted" => p.submitted += n,
                    "delivered" => p.delivered += n,
                    "failed" => p.failed += n,
                    "uncertain" => p.uncertain += n,
                    "cancelled" => p.cancelled += n,
                    _ => p.skipped += n,
                }
            }
        }
        let reasons = sqlx::query(
            "SELECT reason, COUNT(*) FROM notify_messages
             WHERE campaign_id = $1 AND test = $2 AND reason IS NOT NULL
             GROUP BY reason ORDER BY COUNT(*) DESC, reason LIMIT 10",
        )
        .bind(id)
        .bind(i64::from(test))
        .fetch_all(self.db.pool())
        .await?
        .iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect::<Result<Vec<(String, i64)>>>()?;
        // Messages held for their receipts before an uncertain part goes again: said, counted.
        let settling: i64 = sqlx::query(
            "SELECT COUNT(*) FROM notify_messages WHERE campaign_id = $1 AND test = $2 AND owner = 'settling' AND state = 'sending'",
        )
        .bind(id)
        .bind(i64::from(test))
        .fetch_one(self.db.pool())
        .await?
        .try_get(0)?;
        let mut reasons = reasons;
        if settling > 0 {
            reasons.insert(
                0,
                (
                    format!(
                        "waiting up to {} s for the delivery receipts of parts whose answer was lost, before sending again what no receipt settles",
                        self.rules.resend_wait_secs
                    ),
                    settling,
                ),
            );
        }
        Ok(Progress {
            by_operator: by.into_values().collect(),
            total,
            reasons,
        })
    }

    /// A page of a campaign's messages (not its test send) in id order, after the message
    /// `after` and in `state` when given, with the count of all that match: what an agency's
    /// system reads back to learn which of its citizens got the message.
    pub async fn deliveries(
        &self,
        campaign: i64,
        state: Option<&str>,
        after: i64,
        limit: i64,
    ) -> Result<(Vec<Delivery>, i64)> {
        self.campaign(campaign).await?;
        if let Some(s) = state
            && !MESSAGE_STATES.contains(&s)
        {
            return Err(crate::error::invalid(
                "state",
                Msg::new("notify-not-one-of")
                    .arg("value", s)
                    .arg("allowed", MESSAGE_STATES.join(", ")),
            ));
        }
        if !(1..=DELIVERIES_PAGE_MAX).contains(&limit) {
            return Err(crate::error::invalid(
                "limit",
                Msg::new("notify-out-of-range")
                    .arg("value", limit)
                    .arg("min", 1)
                    .arg("max", DELIVERIES_PAGE_MAX),
            ));
        }
        let filter = "campaign_id = $1 AND test = 0 AND ($2 = '' OR state = $2)";
        let total: i64 = sqlx::query(&format!(
            "SELECT COUNT(*) FROM notify_messages WHERE {filter}"
        ))
        .bind(campaign)
        .bind(state.unwrap_or(""))
        .fetch_one(self.db.pool())
        .await?
        .try_get(0)?;
        let rows = sqlx::query(&format!(
            "SELECT id, phone, operator, commune_code, state, reason, parts, sent_at, updated_at
             FROM notify_messages WHERE {filter} AND id > $3 ORDER BY id LIMIT $4"
        ))
        .bind(campaign)
        .bind(state.unwrap_or(""))
        .bind(after)
        .bind(limit)
        .fetch_all(self.db.pool())
        .await?;
        let mut out = rows
            .iter()
            .map(|r| {
                Ok(Delivery {
                    id: r.try_get(0)?,
                    phone: r.try_get(1)?,
                    operator: r.try_get(2)?,
                    commune_code: r.try_get(3)?,
                    state: r.try_get(4)?,
                    reason: r.try_get(5)?,
                    parts: r.try_get(6)?,
                    sent_at: r.try_get(7)?,
                    updated_at: r.try_get(8)?,
                    part_states: Vec::new(),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        if let (Some(first), Some(last)) = (out.first(), out.last()) {
            let (first, last) = (first.id, last.id);
            let parts = sqlx::query(
                "SELECT p.message_id, p.part, p.state, p.smsc, p.smsc_id, p.error, p.attempts, p.updated_at
                 FROM notify_parts p JOIN notify_messages m ON m.id = p.message_id
                 WHERE m.campaign_id = $1 AND p.message_id BETWEEN $2 AND $3
                 ORDER BY p.message_id, p.part",
            )
            .bind(campaign)
            .bind(first)
            .bind(last)
            .fetch_all(self.db.pool())
            .await?;
            let at: HashMap<i64, usize> = out.iter().enumerate().map(|(i, d)| (d.id, i)).collect();
            for r in &parts {
                let id: i64 = r.try_get(0)?;
                if let Some(&i) = at.get(&id) {
                    out[i].part_states.push(PartState {
                        part: r.try_get(1)?,
                        state: r.try_get(2)?,
                        smsc: r.try_get(3)?,
                        smsc_id: r.try_get(4)?,
                        error: r.try_get(5)?,
                        attempts: r.try_get(6)?,
                        updated_at: r.try_get(7)?,
                    });
                }
            }
        }
        Ok((out, total))
    }

    /// Writes a bind's state for the console.
    pub async fn set_bind(&self, b: &BindStatus) -> Result<()> {
        sqlx::query(
            "INSERT INTO notify_binds (name, smsc, owner, state, detail, tps, win, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             ON CONFLICT (name) DO UPDATE SET smsc = excluded.smsc, owner = excluded.owner,
                 state = excluded.state, detail = excluded.detail, tps = excluded.tps,
                 win = excluded.win, updated_at = excluded.updated_at",
        )
        .bind(&b.name)
        .bind(&b.smsc)
        .bind(&b.owner)
        .bind(&b.state)
        .bind(&b.detail)
        .bind(b.tps)
        .bind(b.window)
        .bind(self.clock.now_micros())
        .execute(self.db.pool())
        .await?;
        Ok(())
    }

    /// Every bind's last known state, by name.
    pub async fn binds(&self) -> Result<Vec<BindStatus>> {
        let rows = sqlx::query(
            "SELECT name, smsc, owner, state, detail, tps, win, updated_at FROM notify_binds ORDER BY name",
        )
        .fetch_all(self.db.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(BindStatus {
                    name: r.try_get(0)?,
                    smsc: r.try_get(1)?,
                    owner: r.try_get(2)?,
                    state: r.try_get(3)?,
                    detail: r.try_get(4)?,
                    tps: r.try_get(5)?,
                    window: r.try_get(6)?,
                    updated_at: r.try_get(7)?,
                })
            })
            .collect()
    }

    /// The campaigns [`Notify::figures`] counts for `[from, to)`: those with a message (not a
    /// test) sent in the period.
    pub async fn campaigns_sent_between(&self, from: i64, to: i64) -> Result<Vec<Campaign>> {
        let ids: Vec<i64> = sqlx::query_scalar(
            "SELECT DISTINCT campaign_id FROM notify_messages
             WHERE test = 0 AND sent_at >= $1 AND sent_at < $2 ORDER BY campaign_id",
        )
        .bind(from)
        .bind(to)
        .fetch_all(self.db.pool())
        .await?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            out.push(self.campaign(id).await?);
        }
        Ok(out)
    }

    /// Sending figures for messages first accepted in `[from, to)` (µs), test sends excluded.
    pub async fn figures(&self, from: i64, to: i64) -> Result<Figures> {
        let rows = sqlx::query(
            "SELECT c.topic, m.operator, m.campaign_id, COUNT(*),
                 CAST(SUM(CASE WHEN m.state = 'delivered' THEN 1 ELSE 0 END) AS BIGINT),
                 CAST(SUM((SELECT COUNT(*) FROM notify_parts p WHERE p.message_id = m.id
                      AND p.state IN ('accepted', 'delivered', 'undeliverable', 'expired'))) AS BIGINT)
             FROM notify_messages m JOIN notify_campaigns c ON c.id = m.campaign_id
             WHERE m.test = 0 AND m.sent_at >= $1 AND m.sent_at < $2
             GROUP BY c.topic, m.operator, m.campaign_id",
        )
        .bind(from)
        .bind(to)
        .fetch_all(self.db.pool())
        .await?;
        let mut f = Figures {
            from,
            to,
            ..Default::default()
        };
        let mut topics: BTreeMap<String, (FigureRow, HashSet<i64>)> = BTreeMap::new();
        let mut operators: BTreeMap<String, (FigureRow, HashSet<i64>)> = BTreeMap::new();
        let mut campaigns = HashSet::new();
        for r in rows {
            let topic: String = r.try_get(0)?;
            let operator: String = r.try_get(1)?;
            let campaign: i64 = r.try_get(2)?;
            let n: i64 = r.try_get(3)?;
            let delivered: i64 = r.try_get(4)?;
            let segments: i64 = r.try_get(5)?;
            campaigns.insert(campaign);
            f.recipients += n;
            f.delivered += delivered;
            f.segments += segments;
            for (map, key) in [(&mut topics, topic), (&mut operators, operator)] {
                let (row, seen) = map.entry(key.clone()).or_insert_with(|| {
                    (
                        FigureRow {
                            key,
                            ..Default::default()
                        },
                        HashSet::new(),
                    )
                });
                seen.insert(campaign);
                row.campaigns = seen.len() as i64;
                row.recipients += n;
                row.delivered += delivered;
                row.segments += segments;
            }
        }
        f.campaigns = campaigns.len() as i64;
        f.delivered_pct = if f.recipients > 0 {
            (f.delivered as f64 * 1000.0 / f.recipients as f64).round() / 10.0
        } else {
            0.0
        };
        f.by_topic = topics.into_values().map(|(r, _)| r).collect();
        f.by_operator = operators.into_values().map(|(r, _)| r).collect();
        Ok(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(p: i64, s: &str, a: i64) -> (i64, String, Option<String>, i64) {
        (p, s.into(), Some(format!("e{p}")), a)
    }

    #[test]
    fn a_message_is_as_final_as_its_least_final_part() {
        assert_eq!(
            message_state(2, &[row(1, "window", 1)], false, "sending").0,
            "sending"
        );
        assert_eq!(
            message_state(2, &[row(1, "accepted", 1)], false, "sending").0,
            "queued"
        );
        assert_eq!(
            message_state(
                2,
                &[row(1, "accepted", 1), row(2, "retry", 1)],
                false,
                "cancelled"
            )
            .0,
            "cancelled"
        );
        assert_eq!(
            message_state(
                2,
                &[row(1, "delivered", 1), row(2, "accepted", 1)],
                false,
                "sending"
            )
            .0,
            "submitted"
        );
        assert_eq!(
            message_state(
                2,
                &[row(1, "delivered", 1), row(2, "delivered", 1)],
                false,
                "sent"
            )
            .0,
            "delivered"
        );
        assert_eq!(
            message_state(1, &[row(1, "uncertain", 1)], false, "sending"),
            ("uncertain", Some("part 1: e1".into()))
        );
        assert_eq!(
            message_state(1, &[row(1, "uncertain", 1)], true, "sending").0,
            "queued"
        );
        assert_eq!(
            message_state(1, &[row(1, "uncertain", MAX_ATTEMPTS)], true, "sending").0,
            "uncertain"
        );
        assert_eq!(
            message_state(
                2,
                &[row(1, "failed", 1), row(2, "uncertain", 1)],
                false,
                "sending"
            )
            .0,
            "failed"
        );
        assert_eq!(
            message_state(1, &[row(1, "expired", 1)], false, "sending")
                .1
                .as_deref(),
            Some("expired before delivery (receipt)")
        );
    }
}
