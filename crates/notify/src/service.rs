//! The notify service: lists, ported numbers, opt-outs, and campaigns from draft to approval.
//!
//! A communicator drafts a campaign (a list, optionally narrowed to communes; a brandname; a
//! text with fields) and submits it; the approver sees its plan — recipients per operator after
//! opt-outs, segments, cost, the rendered message and its unaccented variant — and approves it by
//! typing the campaign's name, or sends it back with a note. The author can never approve their
//! own campaign. Every step is one transaction with its audit row.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use futures::TryStreamExt;
use lantoa_core::msg::{Describe as _, Msg};
use lantoa_core::phone::NumberingPlan;
use lantoa_store::{Clock, Db, audit};
use serde::Serialize;
use sqlx::Row as _;

use crate::audience::{self, Communes, ImportReport, Refused};
use crate::error::{invalid, refused, required};
use crate::message::{self, Cost, Encoding, Template};
use crate::rules::{Rules, brandname_problem};
use crate::{Error, Result};
use lantoa_store::JsonCol;

/// A recipient list as stored.
#[derive(Debug, Clone, Serialize)]
pub struct List {
    /// Id.
    pub id: i64,
    /// Its name.
    pub name: String,
    /// The file it came from.
    pub file_name: String,
    /// Data rows read.
    pub rows: i64,
    /// Recipients taken.
    pub recipients: i64,
    /// Rows repeating a number.
    pub duplicates: i64,
    /// Rows refused.
    pub refused_rows: i64,
    /// The first of them (up to [`audience::REFUSED_KEPT`]), with reasons.
    pub refused: Vec<Refused>,
    /// Recipients per operator.
    pub by_operator: BTreeMap<String, i64>,
    /// Who imported it.
    pub created_by: String,
    /// When, µs.
    pub created_at: i64,
}

/// A campaign to be drafted (as the console's form or the API's JSON gives it; absent fields
/// are empty, and the draft says which it needs).
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NewCampaign {
    /// A name unique among campaigns (typed again to approve it).
    pub name: String,
    /// What it is about (`dengue`, `fire-safety`…), for the figures.
    pub topic: String,
    /// The sender name shown on phones.
    pub brandname: String,
    /// The text, with fields such as `{ten}`.
    pub body: String,
    /// The list it goes to.
    pub list_id: i64,
    /// Current commune codes to narrow the list to; empty for the whole list.
    pub communes: Vec<String>,
    /// An emergency passes quiet hours, caps and opt-outs (still sent once per number).
    pub emergency: bool,
    /// Whether parts left uncertain (a crash, a lost connection, an ambiguous answer) are sent
    /// again, at the risk of a duplicate; emergencies always are.
    pub resend_uncertain: bool,
}

/// Where a campaign stands: `draft → pending → sending → sent`, `pending → draft` (sent
/// back), `draft | pending | sending → cancelled`. Stored and serialised as its lowercase name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CampaignStatus {
    /// Being written by its author.
    Draft,
    /// Awaiting a second person's approval.
    Pending,
    /// Approved: its queue is going out.
    Sending,
    /// Nothing left to send.
    Sent,
    /// Cancelled before or while sending.
    Cancelled,
}

/// A change of a campaign's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Move {
    /// The author sends the draft for approval.
    Submit,
    /// An approver sends it back to its author.
    SendBack,
    /// An approver approves it: it starts sending.
    Approve,
    /// Its author, an approver or an administrator cancels it.
    Cancel,
    /// The dispatcher finds nothing left of it to send.
    Finish,
}

impl CampaignStatus {
    /// Every status, in the order of a campaign's life.
    pub const ALL: [CampaignStatus; 5] = [
        CampaignStatus::Draft,
        CampaignStatus::Pending,
        CampaignStatus::Sending,
        CampaignStatus::Sent,
        CampaignStatus::Cancelled,
    ];

    /// The stored name.
    pub const fn as_str(self) -> &'static str {
        match self {
            CampaignStatus::Draft => "draft",
            CampaignStatus::Pending => "pending",
            CampaignStatus::Sending => "sending",
            CampaignStatus::Sent => "sent",
            CampaignStatus::Cancelled => "cancelled",
        }
    }

    /// The status a stored name stands for.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == name)
    }

    /// The one transition function: where `m` takes a campaign in this status, or `None` when
    /// it cannot be taken from here.
    pub fn after(self, m: Move) -> Option<Self> {
        use CampaignStatus::*;
        match (self, m) {
            (Draft, Move::Submit) => Some(Pending),
            (Pending, Move::SendBack) => Some(Draft),
            (Pending, Move::Approve) => Some(Sending),
            (Draft | Pending | Sending, Move::Cancel) => Some(Cancelled),
            (Sending, Move::Finish) => Some(Sent),
            _ => None,
        }
    }

    /// The statuses `m` can be taken from.
    pub fn from_which(m: Move) -> Vec<Self> {
        Self::ALL
            .into_iter()
            .filter(|s| s.after(m).is_some())
            .collect()
    }
}

impl std::fmt::Display for CampaignStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<&str> for CampaignStatus {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// A campaign as stored.
#[derive(Debug, Clone, Serialize)]
pub struct Campaign {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Topic.
    pub topic: String,
    /// Brandname.
    pub brandname: String,
    /// Text.
    pub body: String,
    /// List.
    pub list_id: i64,
    /// Communes it is narrowed to (empty: the whole list).
    pub communes: Vec<String>,
    /// Emergency priority.
    pub emergency: bool,
    /// Whether uncertain parts are sent again.
    pub resend_uncertain: bool,
    /// Where it stands.
    pub status: CampaignStatus,
    /// Author.
    pub created_by: String,
    /// When drafted, µs.
    pub created_at: i64,
    /// When last submitted for approval, µs.
    pub submitted_at: Option<i64>,
    /// Who approved, sent back or cancelled it.
    pub decided_by: Option<String>,
    /// When, µs.
    pub decided_at: Option<i64>,
    /// The note given when it was sent back or cancelled.
    pub decision_note: Option<String>,
    /// When its messages were queued (on approval), µs.
    pub started_at: Option<i64>,
    /// When the last of them left the queue, µs.
    pub finished_at: Option<i64>,
    /// Approved and its messages still being queued, a step at a time (sending has begun).
    pub queueing: bool,
}

/// One operator's share of a campaign.
#[derive(Debug, Clone, Serialize)]
pub struct OperatorPlan {
    /// Operator id.
    pub operator: String,
    /// Recipients routed to it.
    pub recipients: i64,
    /// Segments sent over it.
    pub segments: i64,
    /// What they cost, VND.
    pub cost_vnd: i64,
}

/// What a text would cost on a list, while it is being written (before there is a campaign).
#[derive(Debug, Clone, Serialize)]
pub struct Estimate {
    /// The text as the list's first recipient would get it.
    pub sample: String,
    /// Its encoding, characters and segments.
    pub cost: Cost,
    /// The list's recipients (before opt-outs and communes, which the campaign's plan applies).
    pub recipients: i64,
    /// Segments for all of them, at the sample's count each.
    pub segments: i64,
    /// What they cost, VND, at each operator's price.
    pub cost_vnd: i64,
    /// The sample without diacritics.
    pub unaccented: String,
    /// Its cost.
    pub unaccented_cost: Cost,
    /// Segments for all recipients without diacritics.
    pub unaccented_segments: i64,
    /// Whether the text is over the segment cap.
    pub over_cap: bool,
}

/// What a campaign would send, for the approver.
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    /// Recipients who would get it.
    pub recipients: i64,
    /// Left out because they opted out (non-emergency campaigns only).
    pub opted_out: i64,
    /// Per operator, by operator id.
    pub by_operator: Vec<OperatorPlan>,
    /// All segments.
    pub segments: i64,
    /// Most segments one recipient gets.
    pub max_segments: usize,
    /// All cost, VND.
    pub cost_vnd: i64,
    /// The message as the first recipient gets it.
    pub sample: String,
    /// Its cost.
    pub sample_cost: Cost,
    /// The sample without diacritics, and its cost: the cheaper variant to weigh.
    pub unaccented: String,
    /// Its cost.
    pub unaccented_cost: Cost,
}

pub(crate) const CAMPAIGN_COLUMNS: &str = "id, name, topic, brandname, body, list_id, communes_json, emergency, status, created_by, created_at, submitted_at, decided_by, decided_at, decision_note, resend_uncertain, started_at, finished_at, CASE WHEN queue_after IS NULL THEN 0 ELSE 1 END";
pub(crate) const LIST_COLUMNS: &str = "id, name, file_name, rows, recipients, duplicates, refused_json, by_operator_json, created_by, created_at";

/// Rows per multi-row insert of recipients (6 parameters each).
const RECIPIENTS_PER_STATEMENT: usize = 100;

/// Recipients read from a list file between writes, each batch one statement.
const RECIPIENTS_PER_BATCH: usize = 20_000;

/// A recipient as a row of [`lantoa_store::json_rows`]: phone, operator, ported, commune, name.
const RECIPIENT_COLUMNS: [JsonCol; 5] = [
    JsonCol::Text,
    JsonCol::Text,
    JsonCol::Int,
    JsonCol::Text,
    JsonCol::Text,
];

/// The notify module's service.
#[derive(Debug, Clone)]
pub struct Notify {
    pub(crate) db: Db,
    plan: Arc<NumberingPlan>,
    pub(crate) communes: Arc<Communes>,
    pub(crate) rules: Arc<Rules>,
    pub(crate) clock: Clock,
    pub(crate) broadcast: Arc<Vec<crate::broadcast::Endpoint>>,
    pub(crate) blobs: Option<lantoa_store::blob::BlobStore>,
    pub(crate) speech: Arc<crate::tts::SpeechConfig>,
    pub(crate) lexicon: Arc<crate::speech::Lexicon>,
    /// Set once the rows written before search keys were kept have theirs
    /// ([`crate::browse`]): once per process, as rows written since are keyed when written.
    pub(crate) keyed: Arc<tokio::sync::OnceCell<()>>,
    /// Counts the transactions that queued messages, so this process's dispatcher claims them
    /// at once instead of at its next poll (an emergency alert's SMS go the moment it is
    /// approved; a dispatcher in another process finds them at its poll).
    pub(crate) queued: Arc<tokio::sync::watch::Sender<u64>>,
    /// Recipients queued in one step (one transaction) of an approved campaign.
    pub(crate) step_size: i64,
    /// Set while this process queues the rest of approved campaigns ([`Notify::queue_rest`]).
    queueing: Arc<std::sync::atomic::AtomicBool>,
    /// Whether the rest is queued in a task of its own after an approval (off: only by calls
    /// to [`Notify::queue_rest`]).
    queue_in_background: bool,
}

/// Recipients queued in one step of an approved campaign: about 15 ms of SQLite's writer, so
/// the binds' answers are written between steps and sending starts with the first.
pub const QUEUE_STEP: i64 = 5000;

/// Where opt-outs come from.
pub const OPTOUT_SOURCES: [&str; 4] = ["reply", "api", "dnc", "hotline"];

fn check_source(source: &str) -> Result<()> {
    if OPTOUT_SOURCES.contains(&source) {
        Ok(())
    } else {
        Err(invalid(
            "source",
            Msg::new("notify-not-one-of")
                .arg("value", source)
                .arg("allowed", OPTOUT_SOURCES.join(", ")),
        ))
    }
}

pub(crate) fn campaign_from(r: &sqlx::any::AnyRow) -> Result<Campaign> {
    Ok(Campaign {
        id: r.try_get(0)?,
        name: r.try_get(1)?,
        topic: r.try_get(2)?,
        brandname: r.try_get(3)?,
        body: r.try_get(4)?,
        list_id: r.try_get(5)?,
        communes: serde_json::from_str(&r.try_get::<String, _>(6)?)?,
        emergency: r.try_get::<i64, _>(7)? != 0,
        status: {
            let name: String = r.try_get(8)?;
            CampaignStatus::parse(&name).ok_or_else(|| {
                Error::Unavailable(format!(
                    "a campaign stored with an unknown status \"{name}\""
                ))
            })?
        },
        created_by: r.try_get(9)?,
        created_at: r.try_get(10)?,
        submitted_at: r.try_get(11)?,
        decided_by: r.try_get(12)?,
        decided_at: r.try_get(13)?,
        decision_note: r.try_get(14)?,
        resend_uncertain: r.try_get::<i64, _>(15)? != 0,
        started_at: r.try_get(16)?,
        finished_at: r.try_get(17)?,
        queueing: r.try_get::<i64, _>(18)? != 0,
    })
}

/// A batch of recipients as the JSON rows of [`RECIPIENT_COLUMNS`]; `None` for no recipients.
fn recipient_rows(batch: &[audience::Recipient]) -> Result<Option<String>> {
    if batch.is_empty() {
        return Ok(None);
    }
    // In number order, the primary key's pages are met one after another.
    let mut order: Vec<&audience::Recipient> = batch.iter().collect();
    order.sort_unstable_by(|a, b| a.phone.cmp(&b.phone));
    let rows: Vec<_> = order
        .into_iter()
        .map(|r| {
            (
                &r.phone,
                &r.operator,
                i64::from(r.ported),
                &r.commune_code,
                &r.name,
            )
        })
        .collect();
    Ok(Some(serde_json::to_string(&rows)?))
}

/// A conditional update of a campaign (on what was read) touched one row, or someone changed
/// it meanwhile.
fn unchanged_since_read(c: &Campaign, rows_affected: u64) -> Result<()> {
    if rows_affected == 1 {
        Ok(())
    } else {
        Err(refused(
            Msg::new("campaign-changed-meanwhile").arg("name", &c.name),
        ))
    }
}

pub(crate) fn list_from(r: &sqlx::any::AnyRow) -> Result<List> {
    Ok(List {
        id: r.try_get(0)?,
        name: r.try_get(1)?,
        file_name: r.try_get(2)?,
        rows: r.try_get(3)?,
        recipients: r.try_get(4)?,
        duplicates: r.try_get(5)?,
        refused_rows: r.try_get::<i64, _>(3)? - r.try_get::<i64, _>(4)? - r.try_get::<i64, _>(5)?,
        refused: serde_json::from_str(&r.try_get::<String, _>(6)?)?,
        by_operator: serde_json::from_str(&r.try_get::<String, _>(7)?)?,
        created_by: r.try_get(8)?,
        created_at: r.try_get(9)?,
    })
}

impl Notify {
    /// The service with the shipped numbering plan, Hà Nội's communes and the shipped rules.
    pub fn new(db: Db) -> Result<Self> {
        let rules = Rules::builtin().map_err(|e| Error::Unavailable(format!("rules: {e}")))?;
        let communes =
            Communes::hanoi().map_err(|e| Error::Unavailable(format!("communes: {e}")))?;
        Ok(Self::with(db, NumberingPlan::builtin(), communes, rules))
    }

    /// The service with the given plan, communes and rules.
    pub fn with(db: Db, plan: NumberingPlan, communes: Communes, rules: Rules) -> Self {
        Self {
            db,
            plan: Arc::new(plan),
            communes: Arc::new(communes),
            rules: Arc::new(rules),
            clock: Clock::System,
            broadcast: Arc::new(Vec::new()),
            blobs: None,
            speech: Arc::default(),
            lexicon: Arc::new(crate::speech::Lexicon::shipped()),
            keyed: Arc::default(),
            queued: Arc::new(tokio::sync::watch::Sender::new(0)),
            step_size: QUEUE_STEP,
            queueing: Arc::default(),
            queue_in_background: true,
        }
    }

    /// The same service queueing approved campaigns `n` recipients a step (tests use a few).
    pub fn with_queue_step(mut self, n: i64) -> Self {
        self.step_size = n.max(1);
        self
    }

    /// Recipients queued in one step of an approved campaign.
    pub fn queue_step_size(&self) -> i64 {
        self.step_size
    }

    /// The same service queueing the rest of approved campaigns only when
    /// [`Notify::queue_rest`] is called (tests that look at a campaign half queued).
    pub fn queueing_by_hand(mut self) -> Self {
        self.queue_in_background = false;
        self
    }

    /// Tells this process's dispatcher that messages were queued (after the commit), and
    /// queues the rest of approved campaigns.
    pub(crate) fn queued_now(&self) {
        self.wake_binds();
        self.continue_queueing();
    }

    /// Wakes this process's binds to read the queue again.
    pub(crate) fn wake_binds(&self) {
        self.queued.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// Queues the rest of approved campaigns ([`Notify::queue_rest`]) in a task of its own,
    /// unless this process is doing so already; the dispatcher calls it each tick, so a
    /// campaign whose queueing a stopped process left half done is taken up again.
    pub fn continue_queueing(&self) {
        use std::sync::atomic::Ordering;
        if !self.queue_in_background || self.queueing.swap(true, Ordering::AcqRel) {
            return;
        }
        let this = self.clone();
        tokio::spawn(async move {
            loop {
                let seen = *this.queued.borrow();
                if let Err(e) = this.queue_rest().await {
                    tracing::warn!(error = %e, "cannot queue the rest of approved campaigns");
                }
                this.queueing.store(false, Ordering::Release);
                // An approval that came while the last step was read is taken up here.
                if *this.queued.borrow() == seen || this.queueing.swap(true, Ordering::AcqRel) {
                    break;
                }
            }
        });
    }

    /// The same service keeping bulletins' audio in `blobs`.
    pub fn with_blobs(mut self, blobs: lantoa_store::blob::BlobStore) -> Self {
        self.blobs = Some(blobs);
        self
    }

    /// The same service speaking bulletins with `speech`.
    pub fn with_speech(mut self, speech: crate::tts::SpeechConfig) -> Self {
        self.speech = Arc::new(speech);
        self
    }

    /// The same service on another clock (tests).
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// The rules in force.
    pub fn rules(&self) -> &Rules {
        &self.rules
    }

    /// The department's CAP sender (`cap_sender` in the rules), or a refusal naming it when the
    /// rules have none: an alert cannot be written without it.
    pub fn cap_sender(&self) -> Result<String> {
        self.rules.cap_sender.clone().ok_or_else(|| Error::Invalid {
            field: "sender",
            message: Msg::new("alert-no-sender"),
        })
    }

    /// The current communes campaigns are narrowed to.
    pub fn communes(&self) -> &Communes {
        &self.communes
    }

    /// The numbering plan in force.
    pub fn numbering_plan(&self) -> &NumberingPlan {
        &self.plan
    }

    async fn ported(&self) -> Result<HashMap<String, String>> {
        let rows = sqlx::query("SELECT phone, operator FROM notify_ported")
            .fetch_all(self.db.pool())
            .await?;
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect()
    }

    /// Reads a list file and keeps the recipients it gives under `name`; the report says what
    /// became of every row. The file is read a batch at a time and each batch written as it
    /// is read, in one transaction: a file that cannot be read to its end keeps nothing.
    pub async fn import_list(
        &self,
        actor: &str,
        name: &str,
        file_name: &str,
        source: impl std::io::Read + Send,
    ) -> Result<(List, ImportReport)> {
        let name = name.trim();
        if name.is_empty() {
            return Err(required("name"));
        }
        let ported = self.ported().await?;
        let mut reader = audience::ListReader::open(
            source,
            audience::Rules {
                plan: &self.plan,
                ported: &ported,
                communes: &self.communes,
            },
        )?;
        let now = self.clock.now_micros();
        let mut tx = self.db.begin().await?;
        // The list's row first, so its recipients can name it; its counts when all are read.
        let id: i64 = sqlx::query(
            "INSERT INTO notify_lists (name, file_name, rows, recipients, duplicates, refused_json, by_operator_json, created_by, created_at)
             VALUES ($1, $2, 0, 0, 0, '[]', '{}', $3, $4) RETURNING id",
        )
        .bind(name)
        .bind(file_name)
        .bind(actor)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(crate::error::duplicate("list", name))?
        .try_get(0)?;
        crate::browse::set_key(&mut tx, "notify_lists", id, &[name, file_name]).await?;
        let insert_recipients = format!(
            "INSERT INTO notify_recipients (list_id, phone, operator, ported, commune_code, name)
             SELECT $1, c0, c1, c2, c3, c4 FROM ({}) AS r",
            lantoa_store::json_rows(self.db.backend(), 2, &RECIPIENT_COLUMNS)
        );
        // While the database writes one batch, the next is read: `join!` hands the insert to
        // the driver first, then reads on this task.
        let mut rows = recipient_rows(&reader.next_batch(RECIPIENTS_PER_BATCH)?)?;
        while let Some(json) = rows {
            let insert = sqlx::query(&insert_recipients)
                .bind(id)
                .bind(json)
                .execute(&mut *tx);
            let read = async {
                reader
                    .next_batch(RECIPIENTS_PER_BATCH)
                    .map_err(Error::from)
                    .and_then(|b| recipient_rows(&b))
            };
            let (inserted, next) = tokio::join!(insert, read);
            inserted?;
            rows = next?;
        }
        let report = reader.into_report();
        sqlx::query(
            "UPDATE notify_lists SET rows = $1, recipients = $2, duplicates = $3, refused_json = $4, by_operator_json = $5 WHERE id = $6",
        )
        .bind(report.rows as i64)
        .bind(report.recipients as i64)
        .bind(report.duplicates as i64)
        .bind(serde_json::to_string(&report.refused)?)
        .bind(serde_json::to_string(&report.by_operator)?)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        audit::append_at(
            &mut tx,
            &audit::Entry::new(actor, "notify.list_imported", format!("list:{id}")).after(
                serde_json::json!({
                    "name": name, "file": file_name, "rows": report.rows,
                    "recipients": report.recipients, "duplicates": report.duplicates,
                    "refused": report.refused_rows,
                }),
            ),
            &self.clock,
        )
        .await?;
        tx.commit().await?;
        Ok((self.list(id).await?, report))
    }

    /// A list.
    pub async fn list(&self, id: i64) -> Result<List> {
        self.one("notify_lists", LIST_COLUMNS, "list", id, list_from)
            .await
    }

    /// A page of a list's recipients in number order: at most `limit`, after the number
    /// `after` when given.
    pub async fn recipients(
        &self,
        list_id: i64,
        after: Option<&str>,
        limit: i64,
    ) -> Result<Vec<audience::Recipient>> {
        let rows = sqlx::query(
            "SELECT phone, operator, ported, commune_code, name FROM notify_recipients
             WHERE list_id = $1 AND phone > $2 ORDER BY phone LIMIT $3",
        )
        .bind(list_id)
        .bind(after.unwrap_or(""))
        .bind(limit)
        .fetch_all(self.db.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(audience::Recipient {
                    phone: r.try_get(0)?,
                    operator: r.try_get(1)?,
                    ported: r.try_get::<i64, _>(2)? != 0,
                    commune_code: r.try_get(3)?,
                    name: r.try_get(4)?,
                })
            })
            .collect()
    }

    /// Every list, newest first.
    pub async fn lists(&self) -> Result<Vec<List>> {
        self.all("notify_lists", LIST_COLUMNS, list_from).await
    }

    async fn one<T>(
        &self,
        table: &str,
        columns: &str,
        what: &'static str,
        id: i64,
        from: fn(&sqlx::any::AnyRow) -> Result<T>,
    ) -> Result<T> {
        let row = sqlx::query(&format!("SELECT {columns} FROM {table} WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.db.pool())
            .await?
            .ok_or_else(|| Error::NotFound {
                what,
                id: id.to_string(),
            })?;
        from(&row)
    }

    async fn all<T>(
        &self,
        table: &str,
        columns: &str,
        from: fn(&sqlx::any::AnyRow) -> Result<T>,
    ) -> Result<Vec<T>> {
        let rows = sqlx::query(&format!("SELECT {columns} FROM {table} ORDER BY id DESC"))
            .fetch_all(self.db.pool())
            .await?;
        rows.iter().map(from).collect()
    }

    /// Imports a ported-numbers file (phone, operator): later lists route these numbers to
    /// their new operator. Returns how many numbers it holds and the rows refused.
    pub async fn import_ported(&self, actor: &str, bytes: &[u8]) -> Result<(usize, Vec<Refused>)> {
        let (table, refused) = audience::read_ported(bytes, &self.plan)?;
        let now = self.clock.now_micros();
        let mut tx = self.db.begin().await?;
        for (phone, operator) in &table {
            sqlx::query(
                "INSERT INTO notify_ported (phone, operator, imported_at) VALUES ($1, $2, $3)
                 ON CONFLICT (phone) DO UPDATE SET operator = excluded.operator, imported_at = excluded.imported_at",
            )
            .bind(phone)
            .bind(operator)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        audit::append_at(
            &mut tx,
            &audit::Entry::new(actor, "notify.ported_imported", "ported")
                .after(serde_json::json!({ "numbers": table.len(), "refused": refused.len() })),
            &self.clock,
        )
        .await?;
        tx.commit().await?;
        Ok((table.len(), refused))
    }

    /// Records that `phone` wants no non-emergency messages (`source`: `reply`, `api`, `dnc`).
    pub async fn opt_out(&self, actor: &str, phone: &str, source: &str) -> Result<String> {
        check_source(source)?;
        let number = self
            .plan
            .parse(phone)
            .map_err(|e| invalid("phone", e.message()))?;
        let mut tx = self.db.begin().await?;
        sqlx::query(
            "INSERT INTO notify_optouts (phone, source, created_by, created_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (phone) DO NOTHING",
        )
        .bind(number.national())
        .bind(source)
        .bind(actor)
        .bind(self.clock.now_micros())
        .execute(&mut *tx)
        .await?;
        audit::append_at(
            &mut tx,
            &audit::Entry::new(
                actor,
                "notify.opted_out",
                format!("phone:{}", number.national()),
            )
            .after(serde_json::json!({ "source": source })),
            &self.clock,
        )
        .await?;
        tx.commit().await?;
        Ok(number.national().to_owned())
    }

    /// Imports a file of numbers that want no non-emergency messages (`source`: `dnc` for the
    /// national Do-Not-Call list, `reply`, `api`, `hotline`): returns how many were new and the
    /// rows refused.
    pub async fn import_optouts(
        &self,
        actor: &str,
        bytes: &[u8],
        source: &str,
    ) -> Result<(u64, Vec<Refused>)> {
        check_source(source)?;
        let (numbers, refused) = audience::read_numbers(bytes, &self.plan)?;
        let now = self.clock.now_micros();
        let mut tx = self.db.begin().await?;
        let mut added = 0u64;
        for chunk in numbers.chunks(RECIPIENTS_PER_STATEMENT) {
            let sql = format!(
                "INSERT INTO notify_optouts (phone, source, created_by, created_at) VALUES {} ON CONFLICT (phone) DO NOTHING",
                lantoa_store::values_placeholders(chunk.len(), 4)
            );
            let mut q = sqlx::query(&sql);
            for n in chunk {
                q = q.bind(n.as_str()).bind(source).bind(actor).bind(now);
            }
            added += q.execute(&mut *tx).await?.rows_affected();
        }
        audit::append_at(
            &mut tx,
            &audit::Entry::new(actor, "notify.optouts_imported", "optouts").after(
                serde_json::json!({ "source": source, "numbers": numbers.len(), "added": added, "refused": refused.len() }),
            ),
            &self.clock,
        )
        .await?;
        tx.commit().await?;
        Ok((added, refused))
    }

    pub(crate) fn check(&self, c: &NewCampaign) -> Result<Template> {
        if c.name.trim().is_empty() {
            return Err(required("name"));
        }
        if c.topic.trim().is_empty() {
            return Err(required("topic"));
        }
        if let Some(p) = brandname_problem(&c.brandname) {
            return Err(invalid("brandname", p));
        }
        let template = Template::parse(&c.body).map_err(|e| invalid("body", e.message()))?;
        if let Some(bad) = c
            .communes
            .iter()
            .find(|code| !self.communes.contains_code(code))
        {
            return Err(invalid(
                "communes",
                Msg::new("notify-not-a-commune").arg("value", bad),
            ));
        }
        // The text without its fields already over the cap will only grow.
        let bare = template.render(|_| String::new());
        let cost = message::cost(&bare);
        if cost.segments > self.rules.max_segments {
            return Err(invalid(
                "body",
                Msg::new(match cost.encoding {
                    Encoding::Gsm7 => "campaign-too-many-segments",
                    Encoding::Ucs2 => "campaign-too-many-segments-ucs2",
                })
                .arg("segments", cost.segments)
                .arg("chars", cost.chars)
                .arg("max", self.rules.max_segments),
            ));
        }
        Ok(template)
    }

    /// What `body` would cost sent to list `list_id` (`None`: one recipient): the figures the
    /// draft form shows as the text is typed. A text that cannot be a message (empty, an
    /// unknown field) is refused with the reason.
    pub async fn estimate(&self, body: &str, list_id: Option<i64>) -> Result<Estimate> {
        let template = Template::parse(body).map_err(|e| invalid("body", e.message()))?;
        let (list, first) = match list_id {
            Some(id) => (
                Some(self.list(id).await?),
                self.recipients(id, None, 1).await?.into_iter().next(),
            ),
            None => (None, None),
        };
        let sample = match &first {
            Some(r) => self.render(
                &template,
                &r.phone,
                r.commune_code.as_deref(),
                r.name.as_deref(),
            ),
            None => template.render(|_| String::new()),
        };
        let cost = message::cost(&sample);
        let unaccented = message::unaccented(&sample);
        let unaccented_cost = message::cost(&unaccented);
        let by_operator = list
            .as_ref()
            .map(|l| l.by_operator.clone())
            .unwrap_or_default();
        let recipients = list.as_ref().map_or(1, |l| l.recipients);
        let price: i64 = by_operator
            .iter()
            .map(|(op, n)| n * self.rules.price(op) as i64)
            .sum();
        Ok(Estimate {
            segments: recipients * cost.segments as i64,
            cost_vnd: price * cost.segments as i64,
            unaccented_segments: recipients * unaccented_cost.segments as i64,
            over_cap: cost.segments > self.rules.max_segments,
            recipients,
            sample,
            cost,
            unaccented,
            unaccented_cost,
        })
    }

    /// Replaces a draft's text with the same text without diacritics (fewer segments when it
    /// leaves UCS-2 for GSM-7). Only its author, only while it is a draft.
    pub async fn use_unaccented(&self, actor: &str, id: i64) -> Result<Campaign> {
        let c = self.campaign(id).await?;
        if !lantoa_core::actor::same_person(&c.created_by, actor) {
            return Err(refused(
                Msg::new("campaign-author-only-edits").arg("name", &c.name),
            ));
        }
        if c.status != CampaignStatus::Draft {
            return Err(refused(
                Msg::new("campaign-not-draft")
                    .arg("name", &c.name)
                    .label("status", format!("nt-status-{}", c.status)),
            ));
        }
        let body = message::unaccented(&c.body);
        let now = self.clock.now_micros();
        let mut tx = self.db.begin().await?;
        let changed = sqlx::query(
            "UPDATE notify_campaigns SET body = $1, updated_at = $2 WHERE id = $3 AND status = 'draft' AND body = $4",
        )
        .bind(&body)
        .bind(now)
        .bind(id)
        .bind(&c.body)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        unchanged_since_read(&c, changed)?;
        audit::append_at(
            &mut tx,
            &audit::Entry::new(
                actor,
                "notify.campaign_unaccented",
                format!("campaign:{id}"),
            )
            .before(serde_json::json!({ "body": c.body }))
            .after(serde_json::json!({ "body": body })),
            &self.clock,
        )
        .await?;
        tx.commit().await?;
        self.campaign(id).await
    }

    /// Cancels campaign `id`'s queued messages in `tx`: nothing queued goes out any more; what
    /// is in a dispatcher's window now finishes. Returns how many were cancelled.
    pub(crate) async fn unqueue_in(&self, tx: &mut lantoa_store::Tx, id: i64) -> Result<u64> {
        Ok(sqlx::query(
            "UPDATE notify_messages SET state = 'cancelled', reason = 'the campaign was cancelled', updated_at = $1
             WHERE campaign_id = $2 AND state = 'queued'",
        )
        .bind(self.clock.now_micros())
        .bind(id)
        .execute(&mut **tx)
        .await?
        .rows_affected())
    }

    /// Keeps campaign `c` in `tx` in `status` (`draft`, or `sending` for an alert's SMS that
    /// its approval already allowed); returns its id.
    pub(crate) async fn insert_campaign(
        &self,
        tx: &mut lantoa_store::Tx,
        actor: &str,
        c: &NewCampaign,
        status: &str,
    ) -> Result<i64> {
        let now = self.clock.now_micros();
        let id: i64 = sqlx::query(
            "INSERT INTO notify_campaigns (name, topic, brandname, body, list_id, communes_json, emergency, resend_uncertain, status, created_by, created_at, updated_at, started_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, CASE WHEN $9 = 'sending' THEN $11 ELSE NULL END) RETURNING id",
        )
        .bind(c.name.trim())
        .bind(c.topic.trim())
        .bind(c.brandname.trim())
        .bind(&c.body)
        .bind(c.list_id)
        .bind(serde_json::to_string(&c.communes)?)
        .bind(i64::from(c.emergency))
        .bind(i64::from(c.emergency || c.resend_uncertain))
        .bind(status)
        .bind(actor)
        .bind(now)
        .fetch_one(&mut **tx)
        .await
        .map_err(crate::error::duplicate("campaign", c.name.trim()))?
        .try_get(0)?;
        crate::browse::set_key(
            tx,
            "notify_campaigns",
            id,
            &[c.name.trim(), c.topic.trim(), c.brandname.trim()],
        )
        .await?;
        Ok(id)
    }

    /// Drafts a campaign.
    pub async fn create_campaign(&self, actor: &str, c: &NewCampaign) -> Result<Campaign> {
        self.check(c)?;
        self.list(c.list_id).await?;
        let mut tx = self.db.begin().await?;
        let id = self.insert_campaign(&mut tx, actor, c, "draft").await?;
        audit::append_at(
            &mut tx,
            &audit::Entry::new(actor, "notify.campaign_drafted", format!("campaign:{id}")).after(
                serde_json::json!({
                    "name": c.name.trim(), "topic": c.topic, "brandname": c.brandname,
                    "body": c.body, "list_id": c.list_id, "communes": c.communes,
                    "emergency": c.emergency, "resend_uncertain": c.emergency || c.resend_uncertain,
                }),
            ),
            &self.clock,
        )
        .await?;
        tx.commit().await?;
        self.campaign(id).await
    }

    /// A campaign.
    pub async fn campaign(&self, id: i64) -> Result<Campaign> {
        self.one(
            "notify_campaigns",
            CAMPAIGN_COLUMNS,
            "campaign",
            id,
            campaign_from,
        )
        .await
    }

    /// Every campaign, newest first.
    pub async fn campaigns(&self) -> Result<Vec<Campaign>> {
        self.all("notify_campaigns", CAMPAIGN_COLUMNS, campaign_from)
            .await
    }

    /// What a campaign would send now: its recipients (the list, narrowed to its communes,
    /// without opted-out numbers unless it is an emergency), per operator with segments and
    /// cost, and the message as its first recipient gets it.
    pub async fn plan(&self, id: i64) -> Result<Plan> {
        let c = self.campaign(id).await?;
        let template = Template::parse(&c.body).map_err(|e| invalid("body", e.message()))?;
        let communes: HashSet<&str> = c.communes.iter().map(String::as_str).collect();
        let fixed =
            (!template.has_fields()).then(|| message::cost(&template.render(|_| String::new())));
        let mut per: BTreeMap<String, OperatorPlan> = BTreeMap::new();
        let (mut recipients, mut opted_out, mut max_segments) = (0i64, 0i64, 0usize);
        let mut sample: Option<String> = None;
        if let Some(cost) = &fixed {
            // Every recipient gets the same text: only their number per operator matters. A
            // list's counts were kept when it was read, and its rows never change; opt-outs
            // are counted from their side, so a plan of ten million costs what the opt-outs
            // and the named communes do.
            let (all, out) = self.count_by_operator(&c).await?;
            for (operator, all) in all {
                let out = if c.emergency {
                    0
                } else {
                    out.get(&operator).copied().unwrap_or(0)
                };
                opted_out += out;
                let n = all - out;
                if n == 0 {
                    continue;
                }
                recipients += n;
                max_segments = cost.segments;
                let segments = n * cost.segments as i64;
                per.insert(
                    operator.clone(),
                    OperatorPlan {
                        cost_vnd: segments * self.rules.price(&operator) as i64,
                        operator,
                        recipients: n,
                        segments,
                    },
                );
            }
            sample = Some(template.render(|_| String::new()));
        }
        if fixed.is_none() {
            let mut rows = sqlx::query(
                "SELECT r.phone, r.operator, r.commune_code, r.name, o.phone
                 FROM notify_recipients r LEFT JOIN notify_optouts o ON o.phone = r.phone
                 WHERE r.list_id = $1 ORDER BY r.phone",
            )
            .bind(c.list_id)
            .fetch(self.db.pool());
            while let Some(row) = rows.try_next().await? {
                let phone: String = row.try_get(0)?;
                let operator: String = row.try_get(1)?;
                let commune: Option<String> = row.try_get(2)?;
                let name: Option<String> = row.try_get(3)?;
                let optout: Option<String> = row.try_get(4)?;
                if !communes.is_empty() && !commune.as_deref().is_some_and(|k| communes.contains(k))
                {
                    continue;
                }
                if optout.is_some() && !c.emergency {
                    opted_out += 1;
                    continue;
                }
                let text = self.render(&template, &phone, commune.as_deref(), name.as_deref());
                let segments = message::cost(&text).segments;
                if sample.is_none() {
                    sample = Some(text);
                }
                recipients += 1;
                max_segments = max_segments.max(segments);
                let price = self.rules.price(&operator) as i64;
                let e = per.entry(operator.clone()).or_insert_with(|| OperatorPlan {
                    operator,
                    recipients: 0,
                    segments: 0,
                    cost_vnd: 0,
                });
                e.recipients += 1;
                e.segments += segments as i64;
                e.cost_vnd += segments as i64 * price;
            }
        }
        let sample = sample.unwrap_or_else(|| template.render(|_| String::new()));
        let unaccented = message::unaccented(&sample);
        Ok(Plan {
            recipients,
            opted_out,
            segments: per.values().map(|p| p.segments).sum(),
            cost_vnd: per.values().map(|p| p.cost_vnd).sum(),
            by_operator: per.into_values().collect(),
            max_segments,
            sample_cost: message::cost(&sample),
            unaccented_cost: message::cost(&unaccented),
            sample,
            unaccented,
        })
    }

    /// A campaign's recipients per operator (the list's, or those in its communes), and how
    /// many of them opted out.
    async fn count_by_operator(
        &self,
        c: &Campaign,
    ) -> Result<(BTreeMap<String, i64>, BTreeMap<String, i64>)> {
        let communes = lantoa_store::json_column(&c.communes)?;
        let in_communes = format!(
            "r.commune_code IN (SELECT c0 FROM ({}) AS k)",
            lantoa_store::json_rows(self.db.backend(), 2, &[JsonCol::Text])
        );
        let communes = (!c.communes.is_empty()).then_some(communes.as_str());
        let count = |sql: String| async move {
            let mut q = sqlx::query_as::<_, (String, i64)>(&sql).bind(c.list_id);
            if let Some(k) = communes {
                q = q.bind(k);
            }
            Ok::<BTreeMap<String, i64>, Error>(
                q.fetch_all(self.db.pool()).await?.into_iter().collect(),
            )
        };
        let all = if communes.is_none() {
            self.list(c.list_id).await?.by_operator
        } else {
            count(format!(
                "SELECT r.operator, COUNT(*) FROM notify_recipients r
                 WHERE r.list_id = $1 AND {in_communes} GROUP BY r.operator"
            ))
            .await?
        };
        let filter = if communes.is_none() {
            String::new()
        } else {
            format!(" AND {in_communes}")
        };
        let out = count(format!(
            // CROSS JOIN: SQLite then walks the opt-outs and looks each up in the list.
            "SELECT r.operator, COUNT(*) FROM notify_optouts o
             CROSS JOIN notify_recipients r
             WHERE r.list_id = $1 AND r.phone = o.phone{filter}
             GROUP BY r.operator"
        ))
        .await?;
        Ok((all, out))
    }

    /// Moves a campaign from one of `from` to `to`, recording who, when and why.
    async fn decide(
        &self,
        actor: &str,
        id: i64,
        m: Move,
        action: &str,
        note: Option<&str>,
    ) -> Result<Campaign> {
        let c = self.campaign(id).await?;
        let Some(to) = c.status.after(m) else {
            return Err(refused(
                Msg::new("campaign-wrong-status")
                    .arg("name", &c.name)
                    .label("status", format!("nt-status-{}", c.status))
                    .labels(
                        "needed",
                        CampaignStatus::from_which(m)
                            .iter()
                            .map(|s| format!("nt-status-{s}")),
                    ),
            ));
        };
        let now = self.clock.now_micros();
        let mut tx = self.db.begin().await?;
        let submitted = to == CampaignStatus::Pending;
        let changed = sqlx::query(
            "UPDATE notify_campaigns SET status = $1, updated_at = $2,
                 submitted_at = CASE WHEN $3 = 1 THEN $2 ELSE submitted_at END,
                 decided_by = CASE WHEN $3 = 1 THEN NULL ELSE $4 END,
                 decided_at = CASE WHEN $3 = 1 THEN NULL ELSE $2 END,
                 decision_note = CASE WHEN $3 = 1 THEN NULL ELSE $5 END,
                 started_at = CASE WHEN $1 = 'sending' THEN $2 ELSE started_at END,
                 queue_after = CASE WHEN $1 = 'sending' THEN queue_after ELSE NULL END
             WHERE id = $6 AND status = $7",
        )
        .bind(to.as_str())
        .bind(now)
        .bind(i64::from(submitted))
        .bind(actor)
        .bind(note)
        .bind(id)
        .bind(c.status.as_str())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        unchanged_since_read(&c, changed)?;
        let mut after = serde_json::json!({ "status": to.as_str(), "note": note });
        if to == CampaignStatus::Sending {
            let (queued, more) = self.enqueue_first_in(&mut tx, &c).await?;
            if more {
                // The rest is queued after the commit; its total is audited then.
                after["queueing"] = true.into();
            }
            if queued == 0 {
                // Nothing is approved that would send nothing (the list emptied, or everyone on
                // it opted out, since the campaign was submitted).
                return Err(nobody(&c));
            }
            after["queued"] = queued.into();
        }
        if to == CampaignStatus::Cancelled {
            after["unsent"] = self.unqueue_in(&mut tx, id).await?.into();
            after["plays_withdrawn"] = self
                .withdraw_campaign_bulletins(&mut tx, actor, id)
                .await?
                .into();
        }
        audit::append_at(
            &mut tx,
            &audit::Entry::new(actor, action, format!("campaign:{id}"))
                .before(serde_json::json!({ "status": c.status }))
                .after(after),
            &self.clock,
        )
        .await?;
        tx.commit().await?;
        if to == CampaignStatus::Sending {
            self.queued_now();
        }
        self.campaign(id).await
    }

    /// The author sends a draft for approval; a draft that reaches no one is refused.
    pub async fn submit(&self, actor: &str, id: i64) -> Result<Campaign> {
        let plan = self.plan(id).await?;
        if plan.recipients == 0 {
            return Err(nobody(&self.campaign(id).await?));
        }
        self.decide(actor, id, Move::Submit, "notify.campaign_submitted", None)
            .await
    }

    /// An approver other than the author approves a pending campaign, typing its name to
    /// confirm that this campaign, to these people, is the one meant. Its messages are queued in
    /// the same transaction and dispatchers start sending them.
    pub async fn approve(&self, actor: &str, id: i64, typed_name: &str) -> Result<Campaign> {
        let c = self.campaign(id).await?;
        if lantoa_core::actor::same_person(&c.created_by, actor) {
            return Err(refused(
                Msg::new("campaign-second-person")
                    .arg("actor", actor)
                    .arg("name", &c.name),
            ));
        }
        if typed_name.trim() != c.name {
            return Err(invalid(
                "confirm",
                Msg::new("campaign-confirm-name").arg("name", &c.name),
            ));
        }
        self.decide(actor, id, Move::Approve, "notify.campaign_approved", None)
            .await
    }

    /// An approver sends a pending campaign back to its author with a note.
    pub async fn send_back(&self, actor: &str, id: i64, note: &str) -> Result<Campaign> {
        if note.trim().is_empty() {
            return Err(invalid("note", Msg::new("campaign-send-back-note")));
        }
        self.decide(
            actor,
            id,
            Move::SendBack,
            "notify.campaign_sent_back",
            Some(note.trim()),
        )
        .await
    }

    /// Cancels a campaign not yet sent, or stops the rest of one being sent: its queued messages
    /// are cancelled at once; the parts already in a window (at most the binds' windows) finish.
    pub async fn cancel(&self, actor: &str, id: i64, note: &str) -> Result<Campaign> {
        self.decide(
            actor,
            id,
            Move::Cancel,
            "notify.campaign_cancelled",
            Some(note.trim()).filter(|n| !n.is_empty()),
        )
        .await
    }
}

/// A step in a campaign's approval, as a person asks for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step<'a> {
    /// The author sends the draft for approval.
    Submit,
    /// An approver other than the author approves, typing the campaign's name.
    Approve {
        /// The name as typed.
        confirm: &'a str,
    },
    /// An approver sends it back to its author, saying what must change.
    SendBack {
        /// What must change.
        note: &'a str,
    },
    /// The author, an approver or an administrator cancels it (or the rest of its sending).
    Cancel {
        /// Why, optional.
        note: &'a str,
    },
}

impl<'a> Step<'a> {
    /// The step a path names (`submit`, `approve`, `send-back`, `cancel`), with the text it
    /// carries (the typed name for `approve`, the note for the others).
    pub fn parse(name: &str, text: &'a str) -> Result<Self> {
        Ok(match name {
            "submit" => Step::Submit,
            "approve" => Step::Approve { confirm: text },
            "send-back" => Step::SendBack { note: text },
            "cancel" => Step::Cancel { note: text },
            other => {
                return Err(Error::NotFound {
                    what: "step (submit, approve, send-back, cancel)",
                    id: other.to_owned(),
                });
            }
        })
    }
}

/// Who asks for a step: the actor, and the roles that decide what they may do.
#[derive(Debug, Clone, Copy)]
pub struct Taker<'a> {
    /// The actor as audited.
    pub actor: &'a str,
    /// Holds the approver's role.
    pub approver: bool,
    /// Holds the administrator's role.
    pub admin: bool,
}

impl Notify {
    /// The steps `who` may take on `c` now: only the author submits a draft; only an approver
    /// other than the author approves or sends back a pending one; the author, an approver or
    /// an administrator cancels one not yet finished. The console and the API both ask here.
    pub fn steps_for(&self, who: Taker<'_>, c: &Campaign) -> Vec<&'static str> {
        let author = lantoa_core::actor::same_person(&c.created_by, who.actor);
        let mut steps = Vec::new();
        if author && c.status.after(Move::Submit).is_some() {
            steps.push("submit");
        }
        if who.approver && !author && c.status.after(Move::Approve).is_some() {
            steps.extend(["approve", "send-back"]);
        }
        if c.status.after(Move::Cancel).is_some() && (author || who.approver || who.admin) {
            steps.push("cancel");
        }
        steps
    }

    /// Takes `step` on campaign `id` if it is `who`'s to take (see [`Notify::steps_for`]).
    pub async fn take_step(&self, who: Taker<'_>, id: i64, step: Step<'_>) -> Result<Campaign> {
        let c = self.campaign(id).await?;
        let author = lantoa_core::actor::same_person(&c.created_by, who.actor);
        let forbidden = |key: &str| {
            Err(Error::Forbidden(
                Msg::new(key)
                    .arg("name", &c.name)
                    .arg("author", &c.created_by),
            ))
        };
        match step {
            Step::Submit if !author => forbidden("campaign-author-submits"),
            Step::Submit => self.submit(who.actor, id).await,
            Step::Approve { .. } | Step::SendBack { .. } if !who.approver => {
                forbidden("campaign-approver-decides")
            }
            Step::Approve { confirm } => self.approve(who.actor, id, confirm).await,
            Step::SendBack { note } => self.send_back(who.actor, id, note).await,
            Step::Cancel { .. } if !(author || who.approver || who.admin) => {
                forbidden("campaign-who-cancels")
            }
            Step::Cancel { note } => self.cancel(who.actor, id, note).await,
        }
    }
}

/// Why a campaign that reaches no one is not sent for approval, nor approved.
fn nobody(c: &Campaign) -> Error {
    refused(Msg::new("campaign-reaches-no-one").arg("name", &c.name))
}

#[cfg(test)]
mod status_tests {
    use super::{CampaignStatus, Move};

    #[test]
    fn a_campaign_moves_only_along_its_life() {
        use CampaignStatus::*;
        let moves = [
            Move::Submit,
            Move::SendBack,
            Move::Approve,
            Move::Cancel,
            Move::Finish,
        ];
        let mut allowed = Vec::new();
        for s in CampaignStatus::ALL {
            for m in moves {
                if let Some(to) = s.after(m) {
                    allowed.push((s, m, to));
                }
            }
        }
        assert_eq!(
            allowed,
            [
                (Draft, Move::Submit, Pending),
                (Draft, Move::Cancel, Cancelled),
                (Pending, Move::SendBack, Draft),
                (Pending, Move::Approve, Sending),
                (Pending, Move::Cancel, Cancelled),
                (Sending, Move::Cancel, Cancelled),
                (Sending, Move::Finish, Sent),
            ]
        );
        for s in CampaignStatus::ALL {
            assert_eq!(CampaignStatus::parse(s.as_str()), Some(s));
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
        assert_eq!(CampaignStatus::parse("gone"), None);
        assert_eq!(
            crate::browse::CAMPAIGN_STATUSES.to_vec(),
            CampaignStatus::ALL.map(CampaignStatus::as_str).to_vec()
        );
    }
}
