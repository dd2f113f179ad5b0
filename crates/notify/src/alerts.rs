//! Public alerts: written here from an officer's form, or received as CAP 1.2 from another
//! agency; each kept as its CAP XML with the fields the console and the public feed list by.
//! Only actual, public alerts are public: Test, Exercise, System and Draft alerts never reach
//! the feed or the public pages. A live alert written here needs two people: it waits, pending,
//! until someone other than its author approves it; a Cancel goes at once (withdrawing is never
//! held back), as do tests and drills. An Update or Cancel names the alert it refers to; a
//! Cancel marks it cancelled.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use sqlx::Row;

use crate::cap::{
    self, Alert, Area, Category, Certainty, Info, MsgType, Scope, Severity, Status, Urgency,
};
use crate::error::{invalid, refused, required};
use crate::{Error, Notify, Result};
use lantoa_core::msg::{Describe as _, Msg};

/// An alert written in the console or sent to the API.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewAlert {
    /// `Actual`, `Exercise`, `System`, `Test` or `Draft`.
    pub status: String,
    /// `Alert`, `Update` or `Cancel`.
    pub msg_type: String,
    /// For an Update or Cancel: the alert it refers to (its id here).
    #[serde(default)]
    pub refers_to: Option<i64>,
    /// CAP category (`Met`, `Health`, `Fire`…).
    pub category: String,
    /// The event (`Bão số 9`).
    pub event: String,
    /// `Immediate`, `Expected`, `Future`, `Past`, `Unknown`.
    pub urgency: String,
    /// `Extreme`, `Severe`, `Moderate`, `Minor`, `Unknown`.
    pub severity: String,
    /// `Observed`, `Likely`, `Possible`, `Unlikely`, `Unknown`.
    pub certainty: String,
    /// Headline.
    pub headline: String,
    /// What is happening.
    #[serde(default)]
    pub description: String,
    /// What to do.
    #[serde(default)]
    pub instruction: String,
    /// Until when, `YYYY-MM-DDTHH:MM` Hà Nội time or with an offset; in the future.
    pub expires: String,
    /// The communes and wards it covers, by official code (`00004`).
    pub communes: Vec<String>,
    /// Also ask the operators to broadcast it to every subscriber in the area (an actual
    /// alert only; sent once approved).
    #[serde(default)]
    pub broadcast: bool,
    /// Areas drawn as polygons, one per line, each `lat,lon lat,lon …` (WGS 84) closed by
    /// repeating its first point (an open ring of three or more points is closed for you).
    #[serde(default)]
    pub polygons: String,
    /// Also send it by SMS to this recipient list, narrowed to its communes (an actual alert
    /// only; queued as an emergency campaign once approved).
    #[serde(default)]
    pub sms_list: Option<i64>,
    /// The SMS text; the headline and instruction when empty.
    #[serde(default)]
    pub sms_body: String,
    /// Also read it out at once on the loudspeakers of its communes (an actual alert only).
    #[serde(default)]
    pub speakers: bool,
    /// Show it on the public feed and pages (an actual alert only ever is).
    #[serde(default = "yes")]
    pub feed: bool,
}

fn yes() -> bool {
    true
}

impl Default for NewAlert {
    fn default() -> Self {
        Self {
            status: String::new(),
            msg_type: String::new(),
            refers_to: None,
            category: String::new(),
            event: String::new(),
            urgency: String::new(),
            severity: String::new(),
            certainty: String::new(),
            headline: String::new(),
            description: String::new(),
            instruction: String::new(),
            expires: String::new(),
            communes: Vec::new(),
            broadcast: false,
            polygons: String::new(),
            sms_list: None,
            sms_body: String::new(),
            speakers: false,
            feed: true,
        }
    }
}

/// What one alert went out by, each channel with its state.
#[derive(Debug, Clone, Serialize)]
pub struct Channels {
    /// On the public feed and pages.
    pub feed: bool,
    /// The operator broadcast requests.
    pub broadcasts: Vec<crate::broadcast::Request>,
    /// The SMS campaign and its progress.
    pub sms: Option<(crate::Campaign, crate::Progress)>,
    /// The loudspeaker bulletin, with its plays.
    pub speakers: Option<crate::speakers::Bulletin>,
}

/// A stored alert.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct StoredAlert {
    /// Id.
    pub id: i64,
    /// CAP identifier.
    pub identifier: String,
    /// CAP sender.
    pub sender: String,
    /// CAP sent, as written.
    pub sent: String,
    /// Status.
    pub status: String,
    /// msgType.
    pub msg_type: String,
    /// Scope.
    pub scope: String,
    /// The first info's headline (or event).
    pub headline: String,
    /// The first info's event.
    pub event: String,
    /// Whether it is public (actual, public scope, approved).
    pub public: bool,
    /// `pending`, `approved` or `refused`.
    pub state: String,
    /// Who approved it (an imported alert: whoever imported it).
    pub approved_by: Option<String>,
    /// `local` or `imported`.
    pub origin: String,
    /// The alert it updates or cancels.
    pub refers_to: Option<i64>,
    /// The Cancel that withdrew it.
    pub cancelled_by: Option<i64>,
    /// The CAP XML.
    pub xml: String,
    /// When stored, µs.
    pub created_at: i64,
    /// Who wrote or imported it.
    pub created_by: String,
    /// Whether the operators are asked to broadcast it.
    pub broadcast: bool,
    /// Whether it is shown on the public feed once approved.
    pub feed: bool,
    /// Whether it is read out on the loudspeakers once approved.
    pub speakers: bool,
    /// The recipient list it goes to by SMS once approved.
    pub sms_list: Option<i64>,
    /// The SMS text.
    pub sms_body: Option<String>,
    /// The SMS campaign queued on approval.
    pub campaign_id: Option<i64>,
    /// The loudspeaker bulletin scheduled on approval.
    pub bulletin_id: Option<i64>,
}

pub(crate) const COLUMNS: &str = "id, identifier, sender, sent, status, msg_type, scope, headline, event, public, origin, refers_to, cancelled_by, xml, created_at, state, approved_by, created_by, broadcast, feed, speakers, sms_list_id, sms_body, campaign_id, bulletin_id";

pub(crate) fn from_row(r: &sqlx::any::AnyRow) -> Result<StoredAlert> {
    Ok(StoredAlert {
        id: r.try_get(0)?,
        identifier: r.try_get(1)?,
        sender: r.try_get(2)?,
        sent: r.try_get(3)?,
        status: r.try_get(4)?,
        msg_type: r.try_get(5)?,
        scope: r.try_get(6)?,
        headline: r.try_get(7)?,
        event: r.try_get(8)?,
        public: r.try_get::<i64, _>(9)? != 0,
        origin: r.try_get(10)?,
        refers_to: r.try_get(11)?,
        cancelled_by: r.try_get(12)?,
        xml: r.try_get(13)?,
        created_at: r.try_get(14)?,
        state: r.try_get(15)?,
        approved_by: r.try_get(16)?,
        created_by: r.try_get(17)?,
        broadcast: r.try_get::<i64, _>(18)? != 0,
        feed: r.try_get::<i64, _>(19)? != 0,
        speakers: r.try_get::<i64, _>(20)? != 0,
        sms_list: r.try_get(21)?,
        sms_body: r.try_get(22)?,
        campaign_id: r.try_get(23)?,
        bulletin_id: r.try_get(24)?,
    })
}

fn word<T>(
    field: &'static str,
    v: &str,
    parse: fn(&str) -> Option<T>,
    choices: String,
) -> Result<T> {
    parse(v.trim()).ok_or_else(|| {
        invalid(
            field,
            Msg::new("notify-not-one-of")
                .arg("value", v.trim())
                .arg("allowed", choices),
        )
    })
}

impl StoredAlert {
    /// The alert as CAP.
    pub fn cap(&self) -> Result<Alert> {
        Ok(Alert::from_xml(&self.xml)?)
    }

    /// Whether every part of the alert has expired by `now` (one without an expiry never
    /// does).
    pub fn expired_at(&self, now: DateTime<chrono::Utc>) -> Result<bool> {
        Ok(expires_micros(&self.cap()?) <= now.timestamp_micros())
    }
}

/// When an alert has expired, in µs: the latest expiry of its parts, or `i64::MAX` when a
/// part never expires or the alert has none.
fn expires_micros(alert: &Alert) -> i64 {
    alert
        .info
        .iter()
        .map(|i| i.expires.map(|e| e.timestamp_micros()))
        .collect::<Option<Vec<i64>>>()
        .and_then(|all| all.into_iter().max())
        .unwrap_or(i64::MAX)
}

impl Notify {
    /// Writes an alert as CAP 1.2 from `sender` (the department's CAP address) and keeps it.
    /// Refused, naming the field: a status, type or CAP word not allowed; an empty event or
    /// headline; an expiry not in the future; no commune, or a code that is not a current
    /// commune or ward; an Update or Cancel that refers to no stored alert.
    pub async fn issue_alert(
        &self,
        actor: &str,
        sender: &str,
        new: &NewAlert,
    ) -> Result<StoredAlert> {
        let status = word("status", &new.status, Status::parse, Status::choices())?;
        let msg_type = match MsgType::parse(new.msg_type.trim()) {
            Some(t @ (MsgType::Alert | MsgType::Update | MsgType::Cancel)) => t,
            _ => {
                return Err(invalid(
                    "msg_type",
                    Msg::new("notify-not-one-of")
                        .arg("value", new.msg_type.trim())
                        .arg("allowed", "Alert, Update, Cancel"),
                ));
            }
        };
        let category = word(
            "category",
            &new.category,
            Category::parse,
            Category::choices(),
        )?;
        let urgency = word("urgency", &new.urgency, Urgency::parse, Urgency::choices())?;
        let severity = word(
            "severity",
            &new.severity,
            Severity::parse,
            Severity::choices(),
        )?;
        let certainty = word(
            "certainty",
            &new.certainty,
            Certainty::parse,
            Certainty::choices(),
        )?;
        for (field, v) in [("event", &new.event), ("headline", &new.headline)] {
            if v.trim().is_empty() {
                return Err(required(field));
            }
        }
        let now = self.clock.now().with_timezone(&lantoa_core::time::zone());
        let expires = parse_local(&new.expires).ok_or_else(|| {
            invalid(
                "expires",
                Msg::new("notify-not-a-moment").arg("value", new.expires.trim()),
            )
        })?;
        if expires <= now {
            return Err(invalid(
                "expires",
                Msg::new("notify-moment-passed").arg("at", expires.format("%d/%m/%Y %H:%M")),
            ));
        }
        let mut area = Area::default();
        for line in new
            .polygons
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
        {
            let mut ring =
                cap::points(line).map_err(|e| invalid("polygons", Error::Cap(e).message()))?;
            if ring.len() >= 3 && ring.first() != ring.last() {
                ring.push(ring[0]);
            }
            area.polygons.push(ring);
        }
        let codes: Vec<&str> = new
            .communes
            .iter()
            .map(|c| c.trim())
            .filter(|c| !c.is_empty())
            .collect();
        if codes.is_empty() && area.polygons.is_empty() {
            return Err(invalid("communes", Msg::new("alert-choose-area")));
        }
        let mut descs = Vec::new();
        for code in &codes {
            descs.push(self.commune_named("communes", code)?.to_owned());
            area.geocodes.push(("MA_XA".into(), (*code).to_owned()));
        }
        area.area_desc = if descs.is_empty() {
            "Vùng được vẽ trên bản đồ".to_owned()
        } else if descs.len() <= 3 {
            descs.join(", ")
        } else {
            format!(
                "{} và {} phường, xã khác",
                descs[..2].join(", "),
                descs.len() - 2
            )
        };
        let referred = match (msg_type, new.refers_to) {
            (MsgType::Alert, None) => None,
            // An alert forwarding another agency's on the city's channels names it.
            (MsgType::Alert, Some(id)) => {
                let r = self.alert(id).await?;
                if r.origin != "imported" {
                    return Err(invalid("refers_to", Msg::new("alert-refers-own")));
                }
                Some(r)
            }
            (_, Some(id)) => Some(self.alert(id).await?),
            (_, None) => {
                return Err(invalid("refers_to", Msg::new("alert-refers-needed")));
            }
        };
        // An Update or Cancel of a broadcast alert is broadcast too, so the operators replace
        // or withdraw it.
        let broadcast = new.broadcast
            || (msg_type != MsgType::Alert && referred.as_ref().is_some_and(|r| r.broadcast));
        if broadcast && status != Status::Actual {
            return Err(invalid(
                "broadcast",
                Msg::new("alert-broadcast-actual-only"),
            ));
        }
        if broadcast && self.broadcast.is_empty() {
            return Err(invalid(
                "broadcast",
                Msg::new("alert-broadcast-unconfigured"),
            ));
        }
        let chosen = self
            .check_channels(new, status, msg_type, &codes, broadcast)
            .await?;
        let sent: DateTime<FixedOffset> = chrono::Timelike::with_nanosecond(&now, 0).unwrap_or(now);
        let opt = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        let mut alert = Alert {
            identifier: String::new(),
            sender: sender.to_owned(),
            sent,
            status,
            msg_type,
            scope: Scope::Public,
            addresses: None,
            references: referred
                .as_ref()
                .map(|r| r.cap().map(|a| vec![a.reference()]))
                .transpose()?
                .unwrap_or_default(),
            note: matches!(status, Status::Test | Status::Exercise)
                .then(|| format!("{}: không phải cảnh báo thật", status.as_str())),
            info: vec![Info {
                language: "vi-VN".into(),
                categories: vec![category],
                event: new.event.trim().to_owned(),
                urgency,
                severity,
                certainty,
                sender_name: None,
                headline: opt(&new.headline),
                description: opt(&new.description),
                instruction: opt(&new.instruction),
                effective: Some(sent),
                expires: Some(expires),
                areas: vec![area],
            }],
        };
        // Numbered in order: LANTOA-20260922-00001; a number taken meanwhile is skipped.
        let local: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM notify_alerts WHERE origin = 'local'")
                .fetch_one(self.db.pool())
                .await?;
        let refers = referred.map(|r| r.id);
        for n in local + 1..local + 6 {
            alert.identifier = format!("LANTOA-{}-{n:05}", sent.format("%Y%m%d"));
            match self
                .keep_alert(actor, &alert, "local", refers, &chosen)
                .await
            {
                Err(Error::Duplicate { .. }) => continue,
                kept => return kept,
            }
        }
        Err(refused(Msg::new("alert-numbering-busy")))
    }

    /// Reads a CAP 1.2 alert from another agency and keeps it (nothing is kept when it is
    /// refused). An Update or Cancel is linked to the alert it names when that is one of the
    /// same agency's, stored here.
    ///
    /// What is imported is another agency's word, never the city's: a document that claims the
    /// city's own sender (`[alerts] cap_sender`) is refused, and an actual public one waits,
    /// off the public feed, until a second person approves it — one officer alone cannot put
    /// "evacuate now" on the city's feed by uploading a file.
    pub async fn import_alert(&self, actor: &str, xml: impl AsRef<[u8]>) -> Result<StoredAlert> {
        let alert = Alert::from_bytes(xml.as_ref())?;
        if let Some(own) = &self.rules.cap_sender
            && alert.sender.trim().eq_ignore_ascii_case(own.trim())
        {
            return Err(invalid(
                "sender",
                Msg::new("alert-claims-city-sender").arg("sender", own),
            ));
        }
        let refers = self.referred(&alert).await?.first().copied();
        self.keep_alert(actor, &alert, "imported", refers, &Chosen::default())
            .await
    }

    /// The stored alerts another agency's alert names in its `references`, in its order: the
    /// same sender's, imported (an Update and the alert it updated, say, both named by a
    /// Cancel).
    async fn referred(&self, alert: &Alert) -> Result<Vec<i64>> {
        let mut found = Vec::new();
        for r in &alert.references {
            let mut parts = r.split(',');
            if let (Some(sender), Some(identifier)) = (parts.next(), parts.next())
                && sender.trim() == alert.sender.trim()
                && let Some(id) = sqlx::query_scalar::<_, i64>(
                    "SELECT id FROM notify_alerts WHERE sender = $1 AND identifier = $2 AND origin = 'imported'",
                )
                .bind(sender.trim())
                .bind(identifier.trim())
                .fetch_optional(self.db.pool())
                .await?
                && !found.contains(&id)
            {
                found.push(id);
            }
        }
        Ok(found)
    }

    /// The alerts a Cancel withdraws: the one it was kept referring to and every other stored
    /// alert its references name.
    async fn to_cancel(
        &self,
        alert: &Alert,
        origin: &str,
        refers_to: Option<i64>,
    ) -> Result<Vec<i64>> {
        let mut all: Vec<i64> = refers_to.into_iter().collect();
        if origin == "imported" {
            for id in self.referred(alert).await? {
                if !all.contains(&id) {
                    all.push(id);
                }
            }
        }
        Ok(all)
    }

    async fn keep_alert(
        &self,
        actor: &str,
        alert: &Alert,
        origin: &str,
        refers_to: Option<i64>,
        chosen: &Chosen,
    ) -> Result<StoredAlert> {
        let xml = alert.to_xml()?;
        let first = alert.info.first();
        let headline = first
            .and_then(|i| i.headline.clone())
            .or_else(|| first.map(|i| i.event.clone()))
            .unwrap_or_default();
        // A live alert written here waits for a second person, and so does every live one
        // another agency sent (its Cancel too: it takes an alert off the city's feed); the
        // city's own Cancel and tests and drills do not.
        let pending =
            alert.is_public() && (origin == "imported" || alert.msg_type != MsgType::Cancel);
        let state = if pending { "pending" } else { "approved" };
        let mut tx = self.db.begin().await?;
        let inserted = sqlx::query(
            "INSERT INTO notify_alerts (identifier, sender, sent, sent_at, status, msg_type, scope, headline, event, public, origin, refers_to, xml, created_by, created_at, state, approved_by, approved_at, broadcast, feed, speakers, sms_list_id, sms_body, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24) RETURNING id",
        )
        .bind(&alert.identifier)
        .bind(&alert.sender)
        .bind(cap::cap_time(&alert.sent))
        .bind(alert.sent.timestamp_micros())
        .bind(alert.status.as_str())
        .bind(alert.msg_type.as_str())
        .bind(alert.scope.as_str())
        .bind(&headline)
        .bind(first.map(|i| i.event.clone()).unwrap_or_default())
        .bind(i64::from(alert.is_public() && !pending && chosen.feed))
        .bind(origin)
        .bind(refers_to)
        .bind(&xml)
        .bind(actor)
        .bind(self.clock.now_micros())
        .bind(state)
        .bind((!pending).then_some(actor))
        .bind(self.clock.now_micros())
        .bind(i64::from(chosen.broadcast))
        .bind(i64::from(chosen.feed))
        .bind(i64::from(chosen.speakers))
        .bind(chosen.sms_list)
        .bind(chosen.sms_body.as_deref())
        .bind(expires_micros(alert))
        .fetch_one(&mut *tx)
        .await;
        let named = format!("{} from {}", alert.identifier, alert.sender);
        let id: i64 = inserted
            .map_err(crate::error::duplicate("alert", &named))?
            .try_get(0)?;
        let event = first.map(|i| i.event.clone()).unwrap_or_default();
        crate::browse::set_key(
            &mut tx,
            "notify_alerts",
            id,
            &[&headline, &event, &alert.identifier, &alert.sender],
        )
        .await?;
        if chosen.broadcast && !pending {
            self.queue_broadcast(&mut tx, id).await?;
        }
        let mut stopped = serde_json::Value::Null;
        if alert.msg_type == MsgType::Cancel && !pending {
            let mut each = Vec::new();
            for r in self.to_cancel(alert, origin, refers_to).await? {
                each.push(self.apply_cancel(&mut tx, actor, id, r).await?);
            }
            if !each.is_empty() {
                stopped = serde_json::Value::Array(each);
            }
        }
        lantoa_store::audit::append_at(
            &mut tx,
            &lantoa_store::audit::Entry::new(actor, "notify.alert_kept", format!("alert:{id}"))
                .after(serde_json::json!({
                    "identifier": alert.identifier, "status": alert.status.as_str(),
                    "msg_type": alert.msg_type.as_str(), "origin": origin, "refers_to": refers_to,
                    "feed": chosen.feed, "broadcast": chosen.broadcast, "sms_list": chosen.sms_list,
                    "speakers": chosen.speakers, "stopped": stopped,
                })),
            &self.clock,
        )
        .await?;
        tx.commit().await?;
        self.alert(id).await
    }

    /// A second person approves a pending live alert: it becomes public. Its author may not.
    pub async fn approve_alert(&self, actor: &str, id: i64) -> Result<StoredAlert> {
        self.decide_alert(actor, id, true).await
    }

    /// A second person refuses a pending live alert: it never becomes public.
    pub async fn refuse_alert(&self, actor: &str, id: i64) -> Result<StoredAlert> {
        self.decide_alert(actor, id, false).await
    }

    async fn decide_alert(&self, actor: &str, id: i64, approve: bool) -> Result<StoredAlert> {
        let a = self.alert(id).await?;
        if a.state != "pending" {
            return Err(refused(
                Msg::new("alert-not-pending")
                    .arg("alert", &a.identifier)
                    .label("state", format!("alert-state-{}", a.state)),
            ));
        }
        if lantoa_core::actor::same_person(&a.created_by, actor) {
            return Err(refused(Msg::new("alert-second-person")));
        }
        if approve && a.cancelled_by.is_some() {
            return Err(refused(
                Msg::new("alert-cancelled-before-approval").arg("alert", &a.identifier),
            ));
        }
        // The loudspeakers' audio is spoken before the transaction (it takes seconds).
        let speech = if approve && a.speakers {
            let cap = a.cap()?;
            let bulletin = alert_bulletin(&cap);
            let (clusters, slots) = self.check_bulletin(&bulletin).await?;
            let spoken = self
                .speak(&format!("{}. {}", bulletin.title, bulletin.body))
                .await?;
            Some((bulletin, clusters, slots, spoken))
        } else {
            None
        };
        let mut tx = self.db.begin().await?;
        let done = sqlx::query(
            "UPDATE notify_alerts SET state = $1, public = $2, approved_by = $3, approved_at = $4
             WHERE id = $5 AND state = 'pending'",
        )
        .bind(if approve { "approved" } else { "refused" })
        .bind(i64::from(approve && a.feed))
        .bind(actor)
        .bind(self.clock.now_micros())
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if done != 1 {
            return Err(refused(
                Msg::new("alert-decided-meanwhile").arg("alert", &a.identifier),
            ));
        }
        if approve && a.broadcast {
            self.queue_broadcast(&mut tx, id).await?;
        }
        if approve {
            self.launch_channels(&mut tx, actor, &a, speech).await?;
            if a.msg_type == "Cancel" {
                let cap = a.cap()?;
                for r in self.to_cancel(&cap, &a.origin, a.refers_to).await? {
                    self.apply_cancel(&mut tx, actor, id, r).await?;
                }
            }
        }
        lantoa_store::audit::append_at(
            &mut tx,
            &lantoa_store::audit::Entry::new(
                actor,
                if approve {
                    "notify.alert_approved"
                } else {
                    "notify.alert_refused"
                },
                format!("alert:{id}"),
            ),
            &self.clock,
        )
        .await?;
        tx.commit().await?;
        if approve {
            self.queued_now();
        }
        self.alert(id).await
    }

    /// Marks alert `cancelled` as withdrawn by the Cancel `cancel` and stops its channels.
    async fn apply_cancel(
        &self,
        tx: &mut lantoa_store::Tx,
        actor: &str,
        cancel: i64,
        cancelled: i64,
    ) -> Result<serde_json::Value> {
        sqlx::query("UPDATE notify_alerts SET cancelled_by = $1 WHERE id = $2")
            .bind(cancel)
            .bind(cancelled)
            .execute(&mut **tx)
            .await?;
        self.stop_channels(tx, actor, cancelled, cancel).await
    }

    /// The alert with this id.
    pub async fn alert(&self, id: i64) -> Result<StoredAlert> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM notify_alerts WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(self.db.pool())
        .await?
        .ok_or(Error::NotFound {
            what: "alert",
            id: id.to_string(),
        })?;
        from_row(&row)
    }

    /// The alerts sent from `from` to `to` (µs, `to` excluded), in the order sent: the records
    /// the reports' alert figures count.
    pub async fn alerts_between(&self, from: i64, to: i64) -> Result<Vec<StoredAlert>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM notify_alerts WHERE sent_at >= $1 AND sent_at < $2 ORDER BY sent_at, id LIMIT 5000"
        ))
        .bind(from)
        .bind(to)
        .fetch_all(self.db.pool())
        .await?;
        rows.iter().map(from_row).collect()
    }

    /// The newest alerts, `public_only` for the public feed and lists: those approved for the
    /// feed and not yet expired (an alert whose every part has expired leaves the list; its
    /// own page stays, saying when it expired). The expiry is filtered in the query; only
    /// alerts kept before it was stored are judged from their CAP.
    pub async fn alerts(&self, public_only: bool, limit: i64) -> Result<Vec<StoredAlert>> {
        let filter = if public_only {
            "WHERE public = 1 AND (expires_at IS NULL OR expires_at > $1)"
        } else {
            ""
        };
        let sql = format!(
            "SELECT {COLUMNS}, expires_at FROM notify_alerts {filter} ORDER BY sent_at DESC, id DESC LIMIT {}",
            limit.clamp(1, 1000)
        );
        let now = self.clock.now();
        let mut query = sqlx::query(&sql);
        if public_only {
            query = query.bind(now.timestamp_micros());
        }
        let rows = query.fetch_all(self.db.pool()).await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let a = from_row(r)?;
            let stored: Option<i64> = r.try_get(25)?;
            if public_only && stored.is_none() && a.expired_at(now)? {
                continue;
            }
            out.push(a);
        }
        Ok(out)
    }
}

/// The channels an alert chose, once checked.
#[derive(Debug, Clone)]
pub(crate) struct Chosen {
    broadcast: bool,
    feed: bool,
    speakers: bool,
    sms_list: Option<i64>,
    sms_body: Option<String>,
}

impl Default for Chosen {
    fn default() -> Self {
        Self {
            broadcast: false,
            feed: true,
            speakers: false,
            sms_list: None,
            sms_body: None,
        }
    }
}

/// What the loudspeakers read out for an alert: at once, twice in a row, in its communes.
fn alert_bulletin(a: &Alert) -> crate::speakers::NewBulletin {
    let info = a.info.first();
    let title = info
        .and_then(|i| i.headline.clone())
        .or_else(|| info.map(|i| i.event.clone()))
        .unwrap_or_default();
    let body = info
        .map(|i| {
            [&i.description, &i.instruction]
                .into_iter()
                .flatten()
                .map(|t| t.trim())
                .filter(|t| !t.is_empty())
                .collect::<Vec<_>>()
                .join(". ")
        })
        .filter(|b| !b.is_empty())
        .unwrap_or_else(|| title.clone());
    crate::speakers::NewBulletin {
        title,
        body,
        communes: communes_of(a),
        repeats: 2,
        at_once: true,
        ..Default::default()
    }
}

/// The commune codes an alert's areas name.
fn communes_of(a: &Alert) -> Vec<String> {
    a.info
        .iter()
        .flat_map(|i| &i.areas)
        .flat_map(|area| &area.geocodes)
        .filter(|(name, _)| name == "MA_XA")
        .map(|(_, code)| code.clone())
        .collect()
}

impl Notify {
    /// Checks the channels an alert chose: SMS and loudspeakers only for an actual alert or
    /// update naming communes, SMS to a stored list with a text that fits, loudspeakers only
    /// where every commune has a cluster.
    async fn check_channels(
        &self,
        new: &NewAlert,
        status: Status,
        msg_type: MsgType,
        communes: &[&str],
        broadcast: bool,
    ) -> Result<Chosen> {
        let wants = new.sms_list.is_some() || new.speakers;
        if wants && (status != Status::Actual || msg_type == MsgType::Cancel) {
            return Err(invalid(
                if new.speakers { "speakers" } else { "sms_list" },
                Msg::new("alert-channels-actual-only"),
            ));
        }
        if wants && communes.is_empty() {
            return Err(invalid(
                "communes",
                Msg::new("alert-channels-need-communes"),
            ));
        }
        let mut sms_body = None;
        if let Some(list) = new.sms_list {
            self.list(list).await?;
            let brandname = self
                .rules
                .alert_brandname
                .clone()
                .ok_or_else(|| invalid("sms_list", Msg::new("alert-no-brandname")))?;
            let body = if new.sms_body.trim().is_empty() {
                [new.headline.trim(), new.instruction.trim()]
                    .into_iter()
                    .filter(|t| !t.is_empty())
                    .collect::<Vec<_>>()
                    .join(". ")
            } else {
                new.sms_body.trim().to_owned()
            };
            self.check(&sms_campaign("check", &brandname, &body, list, communes))
                .map_err(|e| match e {
                    Error::Invalid { message, .. } => invalid("sms_body", message),
                    e => e,
                })?;
            sms_body = Some(body);
        }
        if new.speakers {
            let codes: Vec<String> = communes.iter().map(|c| (*c).to_owned()).collect();
            self.check_bulletin(&crate::speakers::NewBulletin {
                title: new.headline.clone(),
                body: new.headline.clone(),
                communes: codes,
                at_once: true,
                repeats: 1,
                ..Default::default()
            })
            .await
            .map_err(|e| match e {
                Error::Invalid { message, .. } => invalid("speakers", message),
                e => e,
            })?;
        }
        Ok(Chosen {
            broadcast,
            feed: new.feed,
            speakers: new.speakers,
            sms_list: new.sms_list,
            sms_body,
        })
    }

    /// On approval: queues the alert's SMS as an emergency campaign (its approval is the
    /// campaign's) and keeps its loudspeaker bulletin, spoken before the transaction.
    async fn launch_channels(
        &self,
        tx: &mut lantoa_store::Tx,
        actor: &str,
        a: &StoredAlert,
        speech: Option<(
            crate::speakers::NewBulletin,
            Vec<i64>,
            Vec<i64>,
            crate::speakers::Spoken,
        )>,
    ) -> Result<()> {
        if let (Some(list), Some(body)) = (a.sms_list, &a.sms_body) {
            let cap = a.cap()?;
            let communes = communes_of(&cap);
            let codes: Vec<&str> = communes.iter().map(String::as_str).collect();
            let brandname = self.rules.alert_brandname.clone().unwrap_or_default();
            let new = sms_campaign(
                &format!("Cảnh báo {}", a.identifier),
                &brandname,
                body,
                list,
                &codes,
            );
            let id = self
                .insert_campaign(tx, &a.created_by, &new, "sending")
                .await?;
            sqlx::query(
                "UPDATE notify_campaigns SET decided_by = $1, decided_at = $2, decision_note = $3 WHERE id = $4",
            )
            .bind(actor)
            .bind(self.clock.now_micros())
            .bind(format!("approved with alert {}", a.identifier))
            .bind(id)
            .execute(&mut **tx)
            .await?;
            let campaign = crate::Campaign {
                id,
                name: new.name.clone(),
                topic: new.topic.clone(),
                brandname: new.brandname.clone(),
                body: new.body.clone(),
                list_id: list,
                communes: new.communes.clone(),
                emergency: true,
                resend_uncertain: true,
                status: crate::CampaignStatus::Sending,
                created_by: a.created_by.clone(),
                created_at: self.clock.now_micros(),
                submitted_at: None,
                decided_by: Some(actor.to_owned()),
                decided_at: None,
                decision_note: None,
                started_at: None,
                finished_at: None,
                queueing: false,
            };
            self.enqueue_first_in(tx, &campaign).await?;
            sqlx::query("UPDATE notify_alerts SET campaign_id = $1 WHERE id = $2")
                .bind(id)
                .bind(a.id)
                .execute(&mut **tx)
                .await?;
        }
        if let Some((bulletin, clusters, slots, spoken)) = speech {
            let id = self
                .keep_bulletin(tx, actor, &bulletin, Some(a.id), &clusters, &slots, spoken)
                .await?;
            sqlx::query("UPDATE notify_alerts SET bulletin_id = $1 WHERE id = $2")
                .bind(id)
                .bind(a.id)
                .execute(&mut **tx)
                .await?;
        }
        Ok(())
    }

    /// A Cancel (`cancel`) of alert `id`: its SMS still queued are cancelled and its
    /// loudspeaker plays not yet played withdrawn; returns what was stopped.
    async fn stop_channels(
        &self,
        tx: &mut lantoa_store::Tx,
        actor: &str,
        id: i64,
        cancel: i64,
    ) -> Result<serde_json::Value> {
        let row = sqlx::query("SELECT campaign_id, bulletin_id FROM notify_alerts WHERE id = $1")
            .bind(id)
            .fetch_one(&mut **tx)
            .await?;
        let (campaign, bulletin): (Option<i64>, Option<i64>) = (row.try_get(0)?, row.try_get(1)?);
        let mut stopped = serde_json::json!({});
        if let Some(c) = campaign {
            sqlx::query(
                "UPDATE notify_campaigns SET status = 'cancelled', queue_after = NULL, decided_by = $1, decided_at = $2, decision_note = $3, updated_at = $2
                 WHERE id = $4 AND status IN ('draft', 'pending', 'sending')",
            )
            .bind(actor)
            .bind(self.clock.now_micros())
            .bind(format!("the alert was cancelled (alert {cancel})"))
            .bind(c)
            .execute(&mut **tx)
            .await?;
            stopped["sms_unsent"] = self.unqueue_in(tx, c).await?.into();
            stopped["campaign_plays_withdrawn"] =
                self.withdraw_campaign_bulletins(tx, actor, c).await?.into();
        }
        if let Some(b) = bulletin {
            stopped["plays_withdrawn"] = self.withdraw_in(tx, actor, b).await?.into();
        }
        Ok(stopped)
    }

    /// Issues the prepared Cancel of alert `id`: the same status, event, words and area,
    /// headed "HỦY" — one step for the officer, no form to fill in while the wrong alert is
    /// out. It goes at once (a Cancel is never held) and stops every channel.
    pub async fn cancel_alert(
        &self,
        actor: &str,
        sender: &str,
        id: i64,
        note: &str,
    ) -> Result<StoredAlert> {
        let a = self.alert(id).await?;
        if a.cancelled_by.is_some() {
            return Err(refused(
                Msg::new("alert-cancelled-already").arg("alert", &a.identifier),
            ));
        }
        if a.msg_type == "Cancel" {
            return Err(refused(Msg::new("alert-cancel-of-cancel")));
        }
        let cap = a.cap()?;
        let info = cap
            .info
            .first()
            .ok_or_else(|| invalid("alert", Msg::new("alert-no-info")))?;
        let now = self.clock.now().with_timezone(&lantoa_core::time::zone());
        let expires = info
            .expires
            .filter(|e| *e > now + chrono::Duration::minutes(5))
            .unwrap_or(now + chrono::Duration::hours(1));
        let polygons: Vec<String> = info
            .areas
            .iter()
            .flat_map(|area| &area.polygons)
            .map(|ring| {
                ring.iter()
                    .map(|(la, lo)| format!("{la},{lo}"))
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        let note = note.trim();
        let new = NewAlert {
            status: cap.status.as_str().to_owned(),
            msg_type: "Cancel".into(),
            refers_to: Some(id),
            category: info
                .categories
                .first()
                .map(|c| c.as_str().to_owned())
                .unwrap_or_else(|| "Other".into()),
            event: info.event.clone(),
            urgency: info.urgency.as_str().to_owned(),
            severity: info.severity.as_str().to_owned(),
            certainty: info.certainty.as_str().to_owned(),
            headline: format!("HỦY: {}", a.headline),
            description: if note.is_empty() {
                format!("Cảnh báo {} đã được hủy bỏ.", a.identifier)
            } else {
                format!("Cảnh báo {} đã được hủy bỏ: {note}", a.identifier)
            },
            instruction: String::new(),
            expires: expires.to_rfc3339(),
            communes: communes_of(&cap),
            broadcast: false,
            polygons: polygons.join("\n"),
            feed: a.feed,
            ..Default::default()
        };
        self.issue_alert(actor, sender, &new).await
    }

    /// Every channel of alert `id` with its state, for the one page that shows them.
    pub async fn channels(&self, id: i64) -> Result<Channels> {
        let a = self.alert(id).await?;
        let sms = match a.campaign_id {
            Some(c) => Some((self.campaign(c).await?, self.progress(c, false).await?)),
            None => None,
        };
        let speakers = match a.bulletin_id {
            Some(b) => Some(self.bulletin(b).await?),
            None => None,
        };
        Ok(Channels {
            feed: a.public,
            broadcasts: self.broadcasts(id).await?,
            sms,
            speakers,
        })
    }
}

fn sms_campaign(
    name: &str,
    brandname: &str,
    body: &str,
    list: i64,
    communes: &[&str],
) -> crate::NewCampaign {
    crate::NewCampaign {
        name: name.to_owned(),
        topic: "alert".into(),
        brandname: brandname.to_owned(),
        body: body.to_owned(),
        list_id: list,
        communes: communes.iter().map(|c| (*c).to_owned()).collect(),
        emergency: true,
        resend_uncertain: true,
    }
}

/// `2026-11-29T07:30` (Hà Nội) or a date-time with its offset.
fn parse_local(s: &str) -> Option<DateTime<FixedOffset>> {
    let s = s.trim();
    DateTime::parse_from_rfc3339(s).ok().or_else(|| {
        ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"]
            .iter()
            .find_map(|f| chrono::NaiveDateTime::parse_from_str(s, f).ok())
            .and_then(|t| t.and_local_timezone(lantoa_core::time::zone()).single())
    })
}
