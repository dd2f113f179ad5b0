//! Commune loudspeakers (hệ thống thông tin cơ sở, "truyền thanh thông minh"). Each loudspeaker
//! cluster is a device in one commune or ward with a bearer token of its own (kept as its
//! SHA-256): it pulls its playlist, downloads each bulletin's audio, and reports each play as
//! played or failed. A bulletin is a text, normalised for speech ([`crate::speech`]) and
//! spoken by the configured engine ([`crate::tts`]); its audio is kept in the blob store with
//! the bulletin, in one transaction. It is scheduled for the clusters of chosen communes at
//! time slots over a run of days, each slot repeated a number of times, or played at once (an
//! alert). Withdrawing it (an alert's Cancel does) takes its plays not yet played off every
//! playlist. A device sees only its own plays; a revoked token sees nothing.

use chrono::{NaiveDate, NaiveTime, TimeZone};
use serde::{Deserialize, Serialize};
use sqlx::Row;

use crate::error::{invalid, refused, required};
use crate::{Error, Notify, Result};
use lantoa_core::msg::{Describe as _, Msg};

/// Days a schedule may run over.
pub const MAX_DAYS: i64 = 31;
/// Time slots a day.
pub const MAX_TIMES: usize = 12;
/// Times a slot may repeat the bulletin.
pub const MAX_REPEATS: i64 = 5;
/// Characters of a bulletin's text.
pub const MAX_TEXT: usize = 5000;
/// How long a missed play stays on a playlist (a device back online still plays it), µs.
const STALE_AFTER: i64 = 2 * 3600 * 1_000_000;

/// A loudspeaker cluster.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Cluster {
    /// Id.
    pub id: i64,
    /// Its name (`Cụm loa tổ dân phố 3, phường Ba Đình`).
    pub name: String,
    /// The commune or ward it is in.
    pub commune_code: String,
    /// That commune's name.
    pub commune: String,
    /// When its token was revoked, µs.
    pub revoked_at: Option<i64>,
    /// Who revoked it.
    pub revoked_by: Option<String>,
    /// When it last pulled its playlist, µs.
    pub last_seen_at: Option<i64>,
    /// When added, µs.
    pub created_at: i64,
}

/// A bulletin to schedule.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewBulletin {
    /// Its title.
    pub title: String,
    /// What is read out.
    pub body: String,
    /// The communes and wards whose clusters play it, by official code.
    pub communes: Vec<String>,
    /// The first day, `YYYY-MM-DD` or `dd/mm/YYYY`.
    #[serde(default)]
    pub from: String,
    /// The last day (the first when empty).
    #[serde(default)]
    pub to: String,
    /// The time slots of each day, `HH:MM`, Hà Nội time.
    #[serde(default)]
    pub times: Vec<String>,
    /// Times it is played in a row at each slot.
    #[serde(default = "one")]
    pub repeats: i64,
    /// Played at once instead of at slots (an emergency).
    #[serde(default)]
    pub at_once: bool,
    /// The SMS campaign it also carries: cancelling the campaign withdraws it.
    #[serde(default)]
    pub campaign: Option<i64>,
}

fn one() -> i64 {
    1
}

/// A stored bulletin, with its plays counted by state.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Bulletin {
    /// Id.
    pub id: i64,
    /// Title.
    pub title: String,
    /// The text as written.
    pub body: String,
    /// The text as read out.
    pub spoken: String,
    /// The voice.
    pub voice: String,
    /// Its audio in the blob store.
    pub audio_sha256: String,
    /// Bytes of audio.
    pub audio_size: i64,
    /// How long it plays, ms.
    pub duration_ms: i64,
    /// The alert it reads out, if any.
    pub alert_id: Option<i64>,
    /// `scheduled` or `withdrawn`.
    pub state: String,
    /// Who withdrew it.
    pub withdrawn_by: Option<String>,
    /// Who wrote it.
    pub created_by: String,
    /// When, µs.
    pub created_at: i64,
    /// Plays scheduled and not yet reported.
    pub waiting: i64,
    /// Plays reported played.
    pub played: i64,
    /// Plays reported failed.
    pub failed: i64,
    /// Plays withdrawn before they were played.
    pub withdrawn: i64,
    /// The SMS campaign it also carries.
    pub campaign_id: Option<i64>,
}

/// One entry of a device's playlist.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PlaylistItem {
    /// The play: report it by this id.
    pub play: i64,
    /// The bulletin: download its audio by this id.
    pub bulletin: i64,
    /// Title.
    pub title: String,
    /// When to play, RFC 3339 with Hà Nội's offset.
    pub play_at: String,
    /// Times in a row.
    pub repeats: i64,
    /// Length, ms.
    pub duration_ms: i64,
    /// SHA-256 of the audio, to check the download.
    pub audio_sha256: String,
    /// Bytes of audio.
    pub audio_size: i64,
}

/// One commune's loudspeakers over a span.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct CoverageRow {
    /// Commune code.
    pub commune_code: String,
    /// Its name.
    pub commune: String,
    /// Clusters with a live token.
    pub clusters: i64,
    /// Plays due in the span and still waiting for a report.
    pub waiting: i64,
    /// Plays reported played.
    pub played: i64,
    /// Plays reported failed.
    pub failed: i64,
}

/// The loudspeakers' reach: which communes have a cluster, and plays due against played.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Coverage {
    /// Communes and wards of the city.
    pub communes: i64,
    /// Of them, with at least one live cluster.
    pub covered: i64,
    /// Live clusters.
    pub clusters: i64,
    /// Clusters whose token is revoked.
    pub revoked: i64,
    /// Communes with a cluster or a play, by code.
    pub rows: Vec<CoverageRow>,
}

impl Coverage {
    /// Plays due in the span (played, failed or waiting).
    pub fn due(&self) -> i64 {
        self.rows
            .iter()
            .map(|r| r.played + r.failed + r.waiting)
            .sum()
    }

    /// Plays reported played.
    pub fn played(&self) -> i64 {
        self.rows.iter().map(|r| r.played).sum()
    }
}

/// A bulletin spoken and written to the blob store, to be kept in a transaction.
pub(crate) struct Spoken {
    spoken: String,
    duration_ms: i64,
    written: lantoa_store::blob::Written,
    blobs: lantoa_store::blob::BlobStore,
}

const CLUSTER_COLUMNS: &str =
    "id, name, commune_code, revoked_at, revoked_by, last_seen_at, created_at";

const BULLETIN_COLUMNS: &str = "b.id, b.title, b.body, b.spoken, b.voice, b.audio_sha256, b.audio_size, b.duration_ms, b.alert_id, b.state, b.withdrawn_by, b.created_by, b.created_at,
    (SELECT COUNT(*) FROM notify_plays p WHERE p.bulletin_id = b.id AND p.state = 'scheduled'),
    (SELECT COUNT(*) FROM notify_plays p WHERE p.bulletin_id = b.id AND p.state = 'played'),
    (SELECT COUNT(*) FROM notify_plays p WHERE p.bulletin_id = b.id AND p.state = 'failed'),
    (SELECT COUNT(*) FROM notify_plays p WHERE p.bulletin_id = b.id AND p.state = 'withdrawn'),
    b.campaign_id";

fn bulletin_from(r: &sqlx::any::AnyRow) -> Result<Bulletin> {
    Ok(Bulletin {
        id: r.try_get(0)?,
        title: r.try_get(1)?,
        body: r.try_get(2)?,
        spoken: r.try_get(3)?,
        voice: r.try_get(4)?,
        audio_sha256: r.try_get(5)?,
        audio_size: r.try_get(6)?,
        duration_ms: r.try_get(7)?,
        alert_id: r.try_get(8)?,
        state: r.try_get(9)?,
        withdrawn_by: r.try_get(10)?,
        created_by: r.try_get(11)?,
        created_at: r.try_get(12)?,
        waiting: r.try_get(13)?,
        played: r.try_get(14)?,
        failed: r.try_get(15)?,
        withdrawn: r.try_get(16)?,
        campaign_id: r.try_get(17)?,
    })
}

fn parse_day(field: &'static str, s: &str) -> Result<NaiveDate> {
    let s = s.trim();
    lantoa_core::time::parse_day(s)
        .ok_or_else(|| invalid(field, Msg::new("notify-not-a-date").arg("value", s)))
}

impl Notify {
    /// The name of a current commune or ward by its code; refused, naming `field`, for any
    /// other code.
    pub(crate) fn commune_named(&self, field: &'static str, code: &str) -> Result<&str> {
        self.communes
            .name_of(code)
            .ok_or_else(|| invalid(field, Msg::new("notify-not-a-commune").arg("value", code)))
    }

    /// The voice bulletins are spoken in.
    pub fn speech_voice(&self) -> &str {
        &self.speech.voice
    }

    fn cluster_from(&self, r: &sqlx::any::AnyRow) -> Result<Cluster> {
        let commune_code: String = r.try_get(2)?;
        Ok(Cluster {
            id: r.try_get(0)?,
            name: r.try_get(1)?,
            commune: self
                .communes
                .name_of(&commune_code)
                .unwrap_or(&commune_code)
                .to_owned(),
            commune_code,
            revoked_at: r.try_get(3)?,
            revoked_by: r.try_get(4)?,
            last_seen_at: r.try_get(5)?,
            created_at: r.try_get(6)?,
        })
    }

    /// Adds a loudspeaker cluster in a commune; returns it with its token, shown once. The
    /// bulletins already scheduled in the commune play on it too, from their next slot.
    pub async fn add_cluster(
        &self,
        actor: &str,
        name: &str,
        commune_code: &str,
    ) -> Result<(Cluster, String)> {
        let name = name.trim();
        if name.is_empty() {
            return Err(required("name"));
        }
        let code = commune_code.trim();
        self.commune_named("commune", code)?;
        let token = lantoa_core::secret::token("lt_spk_");
        let mut tx = self.db.begin().await?;
        let id: i64 = sqlx::query(
            "INSERT INTO notify_clusters (name, commune_code, token_hash, created_by, created_at)
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(name)
        .bind(code)
        .bind(lantoa_core::secret::digest(&token))
        .bind(actor)
        .bind(self.clock.now_micros())
        .fetch_one(&mut *tx)
        .await
        .map_err(crate::error::duplicate("loudspeaker cluster", name))?
        .try_get(0)?;
        // The bulletins scheduled in its commune play here too, from their next slot on (every
        // commune of a bulletin had a cluster when it was scheduled, so its slots are known).
        let joined = sqlx::query(
            "INSERT INTO notify_plays (bulletin_id, cluster_id, play_at, repeats, state)
             SELECT DISTINCT p.bulletin_id, $1, p.play_at, p.repeats, 'scheduled'
               FROM notify_plays p
               JOIN notify_clusters c ON c.id = p.cluster_id
               JOIN notify_bulletins b ON b.id = p.bulletin_id
              WHERE c.commune_code = $2 AND c.id <> $1 AND b.state = 'scheduled'
                AND p.state <> 'withdrawn' AND p.play_at > $3",
        )
        .bind(id)
        .bind(code)
        .bind(self.clock.now_micros())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        lantoa_store::audit::append_at(
            &mut tx,
            &lantoa_store::audit::Entry::new(
                actor,
                "notify.cluster_added",
                format!("cluster:{id}"),
            )
            .after(serde_json::json!({ "name": name, "commune": code, "plays_joined": joined })),
            &self.clock,
        )
        .await?;
        tx.commit().await?;
        Ok((self.cluster(id).await?, token))
    }

    /// Revokes a cluster's token: the device is refused from now on (its plays stay, for the
    /// record).
    pub async fn revoke_cluster(&self, actor: &str, id: i64) -> Result<Cluster> {
        let c = self.cluster(id).await?;
        if c.revoked_at.is_some() {
            return Err(refused(
                Msg::new("cluster-revoked-already").arg("name", &c.name),
            ));
        }
        let mut tx = self.db.begin().await?;
        sqlx::query(
            "UPDATE notify_clusters SET revoked_at = $1, revoked_by = $2 WHERE id = $3 AND revoked_at IS NULL",
        )
        .bind(self.clock.now_micros())
        .bind(actor)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        lantoa_store::audit::append_at(
            &mut tx,
            &lantoa_store::audit::Entry::new(
                actor,
                "notify.cluster_revoked",
                format!("cluster:{id}"),
            ),
            &self.clock,
        )
        .await?;
        tx.commit().await?;
        self.cluster(id).await
    }

    /// A cluster.
    pub async fn cluster(&self, id: i64) -> Result<Cluster> {
        let row = sqlx::query(&format!(
            "SELECT {CLUSTER_COLUMNS} FROM notify_clusters WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(self.db.pool())
        .await?
        .ok_or(Error::NotFound {
            what: "loudspeaker cluster",
            id: id.to_string(),
        })?;
        self.cluster_from(&row)
    }

    /// Every cluster, by commune then name.
    pub async fn clusters(&self) -> Result<Vec<Cluster>> {
        let rows = sqlx::query(&format!(
            "SELECT {CLUSTER_COLUMNS} FROM notify_clusters ORDER BY commune_code, name"
        ))
        .fetch_all(self.db.pool())
        .await?;
        rows.iter().map(|r| self.cluster_from(r)).collect()
    }

    /// The cluster a device's bearer token belongs to. Refused, saying why: a token that is
    /// unknown, or revoked (with when).
    pub async fn device(&self, token: &str) -> Result<Cluster> {
        let row = sqlx::query(&format!(
            "SELECT {CLUSTER_COLUMNS} FROM notify_clusters WHERE token_hash = $1"
        ))
        .bind(lantoa_core::secret::digest(token.trim()))
        .fetch_optional(self.db.pool())
        .await?
        .ok_or_else(|| Error::Unauthenticated(Msg::new("cluster-token-unknown")))?;
        let c = self.cluster_from(&row)?;
        if let Some(at) = c.revoked_at {
            return Err(Error::Unauthenticated(
                Msg::new("cluster-token-revoked").arg("name", &c.name).arg(
                    "at",
                    lantoa_core::time::format_vn(lantoa_core::time::from_micros(at)),
                ),
            ));
        }
        Ok(c)
    }

    /// Normalises `text` for speech, speaks it and writes the audio to the blob store (not yet
    /// indexed: [`Notify::keep_bulletin`] does that in its transaction).
    pub(crate) async fn speak(&self, text: &str) -> Result<Spoken> {
        let blobs = self.blobs.clone().ok_or_else(|| {
            Error::Unavailable("this server keeps no files (no blob store configured)".into())
        })?;
        let spoken = crate::speech::normalise(text, &self.lexicon);
        let audio = self.speech.synthesise(&spoken).await?;
        let written = blobs.write(&audio.wav, "audio/wav").await?;
        Ok(Spoken {
            spoken,
            duration_ms: audio.duration_ms,
            written,
            blobs,
        })
    }

    /// The live clusters of these communes; refused, naming it, when a commune has none.
    async fn clusters_of(&self, communes: &[String]) -> Result<Vec<i64>> {
        let mut ids = Vec::new();
        for code in communes {
            let name = self.commune_named("communes", code)?;
            let found: Vec<i64> = sqlx::query_scalar(
                "SELECT id FROM notify_clusters WHERE commune_code = $1 AND revoked_at IS NULL ORDER BY id",
            )
            .bind(code)
            .fetch_all(self.db.pool())
            .await?;
            if found.is_empty() {
                return Err(invalid(
                    "communes",
                    Msg::new("bulletin-no-cluster")
                        .arg("name", name)
                        .arg("code", code),
                ));
            }
            ids.extend(found);
        }
        Ok(ids)
    }

    /// When each slot of `b` plays, µs; checked against the limits and the clock.
    fn slots(&self, b: &NewBulletin) -> Result<Vec<i64>> {
        let now = self.clock.now_micros();
        if b.at_once {
            return Ok(vec![now]);
        }
        let from = parse_day("from", &b.from)?;
        let to = if b.to.trim().is_empty() {
            from
        } else {
            parse_day("to", &b.to)?
        };
        let days = (to - from).num_days() + 1;
        if days < 1 {
            return Err(invalid("to", Msg::new("bulletin-days-reversed")));
        }
        if days > MAX_DAYS {
            return Err(invalid(
                "to",
                Msg::new("bulletin-too-many-days")
                    .arg("days", days)
                    .arg("max", MAX_DAYS),
            ));
        }
        let mut times = Vec::new();
        for t in b.times.iter().map(|t| t.trim()).filter(|t| !t.is_empty()) {
            let time = NaiveTime::parse_from_str(t, "%H:%M")
                .map_err(|_| invalid("times", Msg::new("bulletin-not-a-time").arg("value", t)))?;
            if !times.contains(&time) {
                times.push(time);
            }
        }
        if times.is_empty() {
            return Err(invalid("times", Msg::new("bulletin-no-times")));
        }
        if times.len() > MAX_TIMES {
            return Err(invalid(
                "times",
                Msg::new("bulletin-too-many-times")
                    .arg("count", times.len())
                    .arg("max", MAX_TIMES),
            ));
        }
        times.sort();
        let zone = lantoa_core::time::zone();
        let mut slots = Vec::new();
        for day in from.iter_days().take(days as usize) {
            for t in &times {
                let at = zone
                    .from_local_datetime(&day.and_time(*t))
                    .single()
                    .ok_or_else(|| {
                        invalid(
                            "times",
                            Msg::new("bulletin-time-missing")
                                .arg("time", t.format("%H:%M"))
                                .arg("date", day.format("%d/%m/%Y")),
                        )
                    })?
                    .timestamp_micros();
                if at <= now {
                    return Err(invalid(
                        "times",
                        Msg::new("bulletin-time-passed")
                            .arg("time", t.format("%H:%M"))
                            .arg("date", day.format("%d/%m/%Y")),
                    ));
                }
                slots.push(at);
            }
        }
        Ok(slots)
    }

    /// Speaks a bulletin and schedules it on the clusters of its communes. Refused, naming the
    /// field, and nothing kept: an empty title or text, a text over [`MAX_TEXT`] characters, a
    /// commune unknown or without a cluster, a day or time malformed or passed, more than
    /// [`MAX_DAYS`] days or [`MAX_TIMES`] slots, repeats outside 1–[`MAX_REPEATS`].
    pub async fn schedule_bulletin(&self, actor: &str, b: &NewBulletin) -> Result<Bulletin> {
        let (clusters, slots) = self.check_bulletin(b).await?;
        let spoken = self
            .speak(&format!("{}. {}", b.title.trim(), b.body.trim()))
            .await?;
        let mut tx = self.db.begin().await?;
        let id = self
            .keep_bulletin(&mut tx, actor, b, None, &clusters, &slots, spoken)
            .await?;
        tx.commit().await?;
        self.bulletin(id).await
    }

    /// The clusters and slots of a bulletin, once it is checked.
    pub(crate) async fn check_bulletin(&self, b: &NewBulletin) -> Result<(Vec<i64>, Vec<i64>)> {
        for (field, v) in [("title", &b.title), ("body", &b.body)] {
            if v.trim().is_empty() {
                return Err(required(field));
            }
        }
        let template =
            crate::message::Template::parse(&b.body).map_err(|e| invalid("body", e.message()))?;
        if template.has_fields() {
            return Err(invalid("body", Msg::new("bulletin-has-fields")));
        }
        if let Some(id) = b.campaign {
            let c = self.campaign(id).await?;
            if c.status == "cancelled" {
                return Err(invalid(
                    "campaign",
                    Msg::new("bulletin-campaign-cancelled").arg("name", &c.name),
                ));
            }
        }
        let chars = b.body.chars().count();
        if chars > MAX_TEXT {
            return Err(invalid(
                "body",
                Msg::new("bulletin-too-long")
                    .arg("chars", chars)
                    .arg("max", MAX_TEXT),
            ));
        }
        if !(1..=MAX_REPEATS).contains(&b.repeats) {
            return Err(invalid(
                "repeats",
                Msg::new("bulletin-bad-repeats")
                    .arg("value", b.repeats)
                    .arg("max", MAX_REPEATS),
            ));
        }
        let communes: Vec<String> = b
            .communes
            .iter()
            .map(|c| c.trim().to_owned())
            .filter(|c| !c.is_empty())
            .collect();
        if communes.is_empty() {
            return Err(invalid("communes", Msg::new("notify-choose-communes")));
        }
        let slots = self.slots(b)?;
        Ok((self.clusters_of(&communes).await?, slots))
    }

    /// Keeps a spoken bulletin and its plays in `tx`.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn keep_bulletin(
        &self,
        tx: &mut lantoa_store::Tx,
        actor: &str,
        b: &NewBulletin,
        alert_id: Option<i64>,
        clusters: &[i64],
        slots: &[i64],
        spoken: Spoken,
    ) -> Result<i64> {
        let blob = spoken.blobs.index(tx, &spoken.written).await?;
        let now = self.clock.now_micros();
        let id: i64 = sqlx::query(
            "INSERT INTO notify_bulletins (title, body, spoken, voice, audio_sha256, audio_size, duration_ms, alert_id, state, created_by, created_at, campaign_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'scheduled', $9, $10, $11) RETURNING id",
        )
        .bind(b.title.trim())
        .bind(b.body.trim())
        .bind(&spoken.spoken)
        .bind(&self.speech.voice)
        .bind(&blob.sha256)
        .bind(blob.size)
        .bind(spoken.duration_ms)
        .bind(alert_id)
        .bind(actor)
        .bind(now)
        .bind(b.campaign)
        .fetch_one(&mut **tx)
        .await?
        .try_get(0)?;
        for cluster in clusters {
            for at in slots {
                sqlx::query(
                    "INSERT INTO notify_plays (bulletin_id, cluster_id, play_at, repeats, state) VALUES ($1, $2, $3, $4, 'scheduled')",
                )
                .bind(id)
                .bind(cluster)
                .bind(at)
                .bind(b.repeats)
                .execute(&mut **tx)
                .await?;
            }
        }
        lantoa_store::audit::append_at(
            tx,
            &lantoa_store::audit::Entry::new(
                actor,
                "notify.bulletin_scheduled",
                format!("bulletin:{id}"),
            )
            .after(serde_json::json!({
                "title": b.title.trim(), "communes": b.communes, "alert": alert_id,
                "plays": clusters.len() * slots.len(), "repeats": b.repeats,
                "audio": blob.sha256, "duration_ms": spoken.duration_ms,
            })),
            &self.clock,
        )
        .await?;
        Ok(id)
    }

    /// Withdraws a bulletin: its plays not yet played leave every playlist.
    pub async fn withdraw_bulletin(&self, actor: &str, id: i64) -> Result<Bulletin> {
        let b = self.bulletin(id).await?;
        if b.state == "withdrawn" {
            return Err(refused(
                Msg::new("bulletin-withdrawn-already").arg("title", &b.title),
            ));
        }
        let mut tx = self.db.begin().await?;
        self.withdraw_in(&mut tx, actor, id).await?;
        tx.commit().await?;
        self.bulletin(id).await
    }

    /// Withdraws bulletin `id` in `tx`; returns the plays taken off.
    pub(crate) async fn withdraw_in(
        &self,
        tx: &mut lantoa_store::Tx,
        actor: &str,
        id: i64,
    ) -> Result<u64> {
        let now = self.clock.now_micros();
        sqlx::query(
            "UPDATE notify_bulletins SET state = 'withdrawn', withdrawn_by = $1, withdrawn_at = $2 WHERE id = $3",
        )
        .bind(actor)
        .bind(now)
        .bind(id)
        .execute(&mut **tx)
        .await?;
        let n = sqlx::query(
            "UPDATE notify_plays SET state = 'withdrawn', reported_at = $1, detail = 'withdrawn'
             WHERE bulletin_id = $2 AND state = 'scheduled'",
        )
        .bind(now)
        .bind(id)
        .execute(&mut **tx)
        .await?
        .rows_affected();
        lantoa_store::audit::append_at(
            tx,
            &lantoa_store::audit::Entry::new(
                actor,
                "notify.bulletin_withdrawn",
                format!("bulletin:{id}"),
            )
            .after(serde_json::json!({ "plays_withdrawn": n })),
            &self.clock,
        )
        .await?;
        Ok(n)
    }

    /// A bulletin.
    pub async fn bulletin(&self, id: i64) -> Result<Bulletin> {
        let row = sqlx::query(&format!(
            "SELECT {BULLETIN_COLUMNS} FROM notify_bulletins b WHERE b.id = $1"
        ))
        .bind(id)
        .fetch_optional(self.db.pool())
        .await?
        .ok_or(Error::NotFound {
            what: "bulletin",
            id: id.to_string(),
        })?;
        bulletin_from(&row)
    }

    /// The newest bulletins.
    pub async fn bulletins(&self, limit: i64) -> Result<Vec<Bulletin>> {
        let rows = sqlx::query(&format!(
            "SELECT {BULLETIN_COLUMNS} FROM notify_bulletins b ORDER BY b.id DESC LIMIT {}",
            limit.clamp(1, 1000)
        ))
        .fetch_all(self.db.pool())
        .await?;
        rows.iter().map(bulletin_from).collect()
    }

    /// The bulletins that also carry campaign `id`.
    pub async fn campaign_bulletins(&self, id: i64) -> Result<Vec<Bulletin>> {
        let rows = sqlx::query(&format!(
            "SELECT {BULLETIN_COLUMNS} FROM notify_bulletins b WHERE b.campaign_id = $1 ORDER BY b.id"
        ))
        .bind(id)
        .fetch_all(self.db.pool())
        .await?;
        rows.iter().map(bulletin_from).collect()
    }

    /// Withdraws in `tx` the scheduled bulletins carrying campaign `id`; returns the plays
    /// taken off.
    pub(crate) async fn withdraw_campaign_bulletins(
        &self,
        tx: &mut lantoa_store::Tx,
        actor: &str,
        id: i64,
    ) -> Result<u64> {
        let ids: Vec<i64> = sqlx::query_scalar(
            "SELECT id FROM notify_bulletins WHERE campaign_id = $1 AND state = 'scheduled'",
        )
        .bind(id)
        .fetch_all(&mut **tx)
        .await?;
        let mut n = 0;
        for b in ids {
            n += self.withdraw_in(tx, actor, b).await?;
        }
        Ok(n)
    }

    /// A bulletin's audio (WAV), for the console.
    pub async fn bulletin_audio(&self, id: i64) -> Result<Vec<u8>> {
        let b = self.bulletin(id).await?;
        self.audio_of(&b.audio_sha256).await
    }

    async fn audio_of(&self, sha256: &str) -> Result<Vec<u8>> {
        let blobs = self.blobs.as_ref().ok_or_else(|| {
            Error::Unavailable("this server keeps no files (no blob store configured)".into())
        })?;
        Ok(blobs.get(sha256).await?)
    }

    /// A device's playlist: its plays still to play (missed ones for two hours), in time
    /// order. Notes that the device was seen.
    pub async fn playlist(&self, device: &Cluster) -> Result<Vec<PlaylistItem>> {
        let now = self.clock.now_micros();
        sqlx::query("UPDATE notify_clusters SET last_seen_at = $1 WHERE id = $2")
            .bind(now)
            .bind(device.id)
            .execute(self.db.pool())
            .await?;
        let rows = sqlx::query(
            "SELECT p.id, b.id, b.title, p.play_at, p.repeats, b.duration_ms, b.audio_sha256, b.audio_size
             FROM notify_plays p JOIN notify_bulletins b ON b.id = p.bulletin_id
             WHERE p.cluster_id = $1 AND p.state = 'scheduled' AND p.play_at >= $2
             ORDER BY p.play_at, p.id LIMIT 500",
        )
        .bind(device.id)
        .bind(now - STALE_AFTER)
        .fetch_all(self.db.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(PlaylistItem {
                    play: r.try_get(0)?,
                    bulletin: r.try_get(1)?,
                    title: r.try_get(2)?,
                    play_at: lantoa_core::time::local(lantoa_core::time::from_micros(
                        r.try_get(3)?,
                    ))
                    .to_rfc3339(),
                    repeats: r.try_get(4)?,
                    duration_ms: r.try_get(5)?,
                    audio_sha256: r.try_get(6)?,
                    audio_size: r.try_get(7)?,
                })
            })
            .collect()
    }

    /// A bulletin's audio for a device: only one on its own playlist (any play of it, so a
    /// device may fetch ahead); another cluster's bulletin is not found.
    pub async fn device_audio(&self, device: &Cluster, bulletin: i64) -> Result<Vec<u8>> {
        let sha: Option<String> = sqlx::query_scalar(
            "SELECT b.audio_sha256 FROM notify_bulletins b
             WHERE b.id = $1 AND EXISTS (SELECT 1 FROM notify_plays p WHERE p.bulletin_id = b.id AND p.cluster_id = $2)",
        )
        .bind(bulletin)
        .bind(device.id)
        .fetch_optional(self.db.pool())
        .await?;
        let sha = sha.ok_or(Error::NotFound {
            what: "bulletin on this cluster's playlist",
            id: bulletin.to_string(),
        })?;
        self.audio_of(&sha).await
    }

    /// A device reports a play of its own as `played` or `failed`. The same report again is
    /// accepted (a retried request); a different one, or one for a withdrawn play, is refused.
    pub async fn report_play(
        &self,
        device: &Cluster,
        play: i64,
        outcome: &str,
        detail: &str,
    ) -> Result<()> {
        if !matches!(outcome, "played" | "failed") {
            return Err(invalid(
                "outcome",
                Msg::new("play-bad-outcome").arg("value", outcome),
            ));
        }
        let state: Option<String> =
            sqlx::query_scalar("SELECT state FROM notify_plays WHERE id = $1 AND cluster_id = $2")
                .bind(play)
                .bind(device.id)
                .fetch_optional(self.db.pool())
                .await?;
        let state = state.ok_or(Error::NotFound {
            what: "play on this cluster's playlist",
            id: play.to_string(),
        })?;
        if state == outcome {
            return Ok(());
        }
        if state != "scheduled" {
            return Err(refused(
                Msg::new("play-reported-already")
                    .arg("play", play)
                    .label("state", format!("play-state-{state}")),
            ));
        }
        let detail: String = detail.trim().chars().take(500).collect();
        let done = sqlx::query(
            "UPDATE notify_plays SET state = $1, reported_at = $2, detail = $3
             WHERE id = $4 AND cluster_id = $5 AND state = 'scheduled'",
        )
        .bind(outcome)
        .bind(self.clock.now_micros())
        .bind(Some(detail).filter(|d| !d.is_empty()))
        .bind(play)
        .bind(device.id)
        .execute(self.db.pool())
        .await?
        .rows_affected();
        if done != 1 {
            return Err(refused(
                Msg::new("play-changed-meanwhile").arg("play", play),
            ));
        }
        Ok(())
    }

    /// Which communes have a live cluster, and per commune the plays due from `from` to `to`
    /// (µs) by what their clusters reported.
    pub async fn coverage(&self, from: i64, to: i64) -> Result<Coverage> {
        let mut rows: std::collections::BTreeMap<String, CoverageRow> = Default::default();
        fn row_of<'a>(
            rows: &'a mut std::collections::BTreeMap<String, CoverageRow>,
            communes: &crate::audience::Communes,
            code: String,
        ) -> &'a mut CoverageRow {
            rows.entry(code.clone()).or_insert_with(|| CoverageRow {
                commune: communes.name_of(&code).unwrap_or(&code).to_owned(),
                commune_code: code,
                clusters: 0,
                waiting: 0,
                played: 0,
                failed: 0,
            })
        }
        let mut revoked = 0;
        let mut live = 0;
        for r in sqlx::query(
            "SELECT commune_code, SUM(CASE WHEN revoked_at IS NULL THEN 1 ELSE 0 END), COUNT(*)
             FROM notify_clusters GROUP BY commune_code",
        )
        .fetch_all(self.db.pool())
        .await?
        {
            let code: String = r.try_get(0)?;
            let n: i64 = r.try_get(1)?;
            revoked += r.try_get::<i64, _>(2)? - n;
            live += n;
            row_of(&mut rows, &self.communes, code).clusters = n;
        }
        for r in sqlx::query(
            "SELECT c.commune_code, p.state, COUNT(*) FROM notify_plays p
             JOIN notify_clusters c ON c.id = p.cluster_id
             WHERE p.play_at >= $1 AND p.play_at < $2 AND p.state <> 'withdrawn'
               AND (p.state <> 'scheduled' OR p.play_at <= $3)
             GROUP BY c.commune_code, p.state",
        )
        .bind(from)
        .bind(to)
        .bind(self.clock.now_micros())
        .fetch_all(self.db.pool())
        .await?
        {
            let code: String = r.try_get(0)?;
            let state: String = r.try_get(1)?;
            let n: i64 = r.try_get(2)?;
            let row = row_of(&mut rows, &self.communes, code);
            match state.as_str() {
                "played" => row.played += n,
                "failed" => row.failed += n,
                _ => row.waiting += n,
            }
        }
        let rows: Vec<CoverageRow> = rows.into_values().collect();
        Ok(Coverage {
            communes: self.communes.all().len() as i64,
            covered: rows.iter().filter(|r| r.clusters > 0).count() as i64,
            clusters: live,
            revoked,
            rows,
        })
    }
}

/// Plays per commune as stacked bars (played, failed, due and unreported), the communes with
/// most plays first, at most 25; `labels` name the three in the console's language.
pub fn coverage_svg(c: &Coverage, title: &str, labels: [&str; 3]) -> String {
    let mut rows: Vec<&CoverageRow> = c
        .rows
        .iter()
        .filter(|r| r.played + r.failed + r.waiting > 0)
        .collect();
    rows.sort_by_key(|r| std::cmp::Reverse(r.played + r.failed + r.waiting));
    let bars: Vec<lantoa_core::chart::BarRow> = rows
        .iter()
        .take(25)
        .map(|r| lantoa_core::chart::BarRow {
            label: r.commune.clone(),
            values: vec![r.played as f64, r.failed as f64, r.waiting as f64],
        })
        .collect();
    lantoa_core::chart::hbars(
        "chart-coverage",
        title,
        &bars,
        &[
            (labels[0], "#1b6e3a"),
            (labels[1], "#b00020"),
            (labels[2], "#9a9a9a"),
        ],
    )
}
