//! Subjects: what the department watches.

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use lantoa_core::msg::Msg;
use lantoa_core::text;
use lantoa_registry::Registry;
use lantoa_store::audit::{self, Entry};
use lantoa_store::{Db, is_unique_violation};
use serde::{Deserialize, Serialize};
use sqlx::Row;

use crate::{Error, Result};

/// The longest subject name accepted: a site's or an account's name, or a page's title.
pub const MAX_NAME_CHARS: usize = 300;

/// What kind of thing a subject is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubjectKind {
    /// Trang thông tin điện tử (tổng hợp): a website.
    Website,
    /// Mạng xã hội: a social network run by a licensed enterprise.
    SocialNetwork,
    /// A page, group or account on a social platform.
    SocialAccount,
    /// A video channel (YouTube, TikTok…).
    VideoChannel,
    /// One video clip.
    Clip,
    /// One post.
    Post,
}

impl SubjectKind {
    /// Every kind, in the order the console lists them.
    pub const ALL: [SubjectKind; 6] = [
        SubjectKind::Website,
        SubjectKind::SocialNetwork,
        SubjectKind::SocialAccount,
        SubjectKind::VideoChannel,
        SubjectKind::Clip,
        SubjectKind::Post,
    ];

    /// The stable name stored and used in the API and CSV files.
    pub fn as_str(self) -> &'static str {
        match self {
            SubjectKind::Website => "website",
            SubjectKind::SocialNetwork => "social_network",
            SubjectKind::SocialAccount => "social_account",
            SubjectKind::VideoChannel => "video_channel",
            SubjectKind::Clip => "clip",
            SubjectKind::Post => "post",
        }
    }
}

impl fmt::Display for SubjectKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SubjectKind {
    type Err = Error;
    /// Accepts the stable names and the Vietnamese words officers write in spreadsheets
    /// ("trang thông tin điện tử", "mạng xã hội", "trang mạng xã hội", "kênh", "clip", "bài viết").
    fn from_str(s: &str) -> Result<Self> {
        let key = text::fold_key(s).replace(['_', '-'], " ");
        let kind = match key.as_str() {
            "website"
            | "trang thong tin dien tu"
            | "trang thong tin dien tu tong hop"
            | "trang web"
            | "bao dien tu"
            | "tap chi dien tu" => SubjectKind::Website,
            "social network" | "mang xa hoi" => SubjectKind::SocialNetwork,
            "social account"
            | "trang, tai khoan mang xa hoi"
            | "trang mang xa hoi"
            | "tai khoan mang xa hoi"
            | "fanpage"
            | "nhom" => SubjectKind::SocialAccount,
            "video channel" | "kenh" | "kenh video" => SubjectKind::VideoChannel,
            "clip" | "video" => SubjectKind::Clip,
            "post" | "bai viet" => SubjectKind::Post,
            _ => {
                return Err(Error::invalid(
                    "kind",
                    Msg::new("subject-bad-kind").arg("value", s),
                ));
            }
        };
        Ok(kind)
    }
}

/// Checks a URL and returns it cleaned and its identity key: `http`/`https` only, with a host;
/// the key is the host in lower case without `www.`, then the path without a trailing slash
/// and the query, without the scheme and fragment — so `https://www.A.example/` and
/// `http://a.example` are one subject.
pub fn normalise_url(input: &str) -> Result<(String, String, String)> {
    let raw = input.trim();
    let with_scheme = if raw.contains("://") {
        raw.to_owned()
    } else {
        format!("https://{raw}")
    };
    let bad = |key: &str| Error::invalid("url", Msg::new(key).arg("url", raw));
    if raw.is_empty() {
        return Err(bad("url-empty"));
    }
    let mut url = url::Url::parse(&with_scheme).map_err(|e| {
        Error::invalid(
            "url",
            Msg::new("url-unreadable").arg("url", raw).arg("detail", e),
        )
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(bad("url-not-http"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(bad("url-credentials"));
    }
    let host = url
        .host_str()
        .filter(|h| h.contains('.') || *h == "localhost")
        .ok_or_else(|| bad("url-no-host"))?
        .to_lowercase();
    url.set_fragment(None);
    let bare = host.strip_prefix("www.").unwrap_or(&host).to_owned();
    let mut key = format!("{bare}{}", url.path().trim_end_matches('/'));
    if let Some(q) = url.query() {
        key.push('?');
        key.push_str(q);
    }
    Ok((url.to_string(), key, bare))
}

/// A subject to register.
#[derive(Debug, Clone)]
pub struct NewSubject {
    /// Kind.
    pub kind: SubjectKind,
    /// Address.
    pub url: String,
    /// Name as the site calls itself.
    pub name: String,
    /// The managing unit (a registry unit id).
    pub managing_unit_id: Option<i64>,
    /// Licence number (giấy phép), if licensed.
    pub licence_no: Option<String>,
    /// Licence date.
    pub licence_date: Option<NaiveDate>,
    /// A licensed press agency's own site (the reference for republishing checks).
    pub is_press: bool,
    /// A clip's or post's description, as supplied (platforms are never called).
    pub description: Option<String>,
    /// A clip's transcript, as supplied.
    pub transcript: Option<String>,
}

impl NewSubject {
    /// A subject with no unit or licence.
    pub fn new(kind: SubjectKind, url: &str, name: &str) -> Self {
        Self {
            kind,
            url: url.to_owned(),
            name: name.to_owned(),
            managing_unit_id: None,
            description: None,
            transcript: None,
            licence_no: None,
            licence_date: None,
            is_press: false,
        }
    }
}

/// A registered subject.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Subject {
    /// Its id.
    pub id: i64,
    /// Kind.
    pub kind: SubjectKind,
    /// Address, cleaned.
    pub url: String,
    /// Host without `www.`.
    pub host: String,
    /// Name.
    pub name: String,
    /// The managing unit (registry id).
    pub managing_unit_id: Option<i64>,
    /// Licence number.
    pub licence_no: Option<String>,
    /// Licence date.
    pub licence_date: Option<NaiveDate>,
    /// A licensed press agency's own site.
    pub is_press: bool,
}

lantoa_core::sort_order!(
    Error,
    Error::invalid,
    /// How the subject list is ordered.
    SubjectSort, "list-bad-sort", {
        /// By kind, then name (the default).
        Kind = "kind" => "kind, name, id",
        /// By name.
        Name = "name" => "name_key, id",
        /// The newest registered first.
        Newest = "newest" => "id DESC",
    }
);

/// Adds to `filter` the search of subjects whose name (compared on tone keys) or host contains
/// `term`, when one is given; `alias` is the subjects table's (`s.`) or empty. Its two values go
/// at the end of `binds`.
pub(crate) fn name_or_host(
    filter: &mut String,
    binds: &mut Vec<String>,
    alias: &str,
    term: Option<&str>,
) {
    let Some(term) = term.map(str::trim).filter(|t| !t.is_empty()) else {
        return;
    };
    binds.push(lantoa_store::like_pattern("%", &text::tone_key(term), "%"));
    binds.push(lantoa_store::like_pattern("%", &term.to_lowercase(), "%"));
    let n = binds.len();
    let esc = lantoa_store::LIKE_ESCAPE;
    filter.push_str(&format!(
        " AND ({alias}name_key LIKE ${}{esc} OR {alias}host LIKE ${n}{esc})",
        n - 1
    ));
}

/// A page of the subject list.
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    /// Only this kind.
    pub kind: Option<SubjectKind>,
    /// Name (compared on tone keys) or host contains this.
    pub q: Option<String>,
    /// Page size (at most 500).
    pub limit: i64,
    /// Rows to skip.
    pub offset: i64,
    /// The order.
    pub sort: SubjectSort,
}

/// The watch service.
#[derive(Debug, Clone)]
pub struct Watch {
    pub(crate) db: Db,
    pub(crate) registry: Registry,
    /// The case workflow (`data/watch/cases.toml` unless replaced).
    pub(crate) cases: std::sync::Arc<crate::cases::CaseRules>,
    pub(crate) clock: lantoa_store::Clock,
    /// Where documents, captures and screenshots are kept (none: documents cannot be issued).
    pub(crate) blobs: Option<lantoa_store::blob::BlobStore>,
    /// The agencies that issue and receive documents (`data/agencies.toml` unless replaced).
    pub(crate) agencies: std::sync::Arc<lantoa_docs::Agencies>,
    /// The sanctioning decrees (`data/watch/sanctions.toml` unless replaced).
    pub(crate) sanctions: std::sync::Arc<crate::sanctions::SanctionRules>,
    /// The signal rules (`data/watch/signals.toml` unless replaced), for their names.
    pub(crate) signals: std::sync::Arc<crate::signals::Rules>,
}

const COLUMNS: &str =
    "id, kind, url, host, name, managing_unit_id, licence_no, licence_date, is_press";

fn subject_from_row(r: &sqlx::any::AnyRow) -> Result<Subject> {
    let kind: String = r.try_get(1)?;
    Ok(Subject {
        id: r.try_get(0)?,
        kind: kind.parse()?,
        url: r.try_get(2)?,
        host: r.try_get(3)?,
        name: r.try_get(4)?,
        managing_unit_id: r.try_get(5)?,
        licence_no: r.try_get(6)?,
        licence_date: r
            .try_get::<Option<String>, _>(7)?
            .and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok()),
        is_press: r.try_get::<i64, _>(8)? != 0,
    })
}

impl Watch {
    /// The service over `db`, resolving managing units through `registry`.
    pub fn new(db: Db, registry: Registry) -> Self {
        Self {
            db,
            registry,
            // The shipped file is read by a unit test; it cannot fail here.
            #[allow(clippy::expect_used)]
            cases: std::sync::Arc::new(
                crate::cases::CaseRules::builtin().expect("data/watch/cases.toml is valid"),
            ),
            clock: lantoa_store::Clock::default(),
            blobs: None,
            // The shipped file is read by a unit test of lantoa-docs; it cannot fail here.
            #[allow(clippy::expect_used)]
            agencies: std::sync::Arc::new(
                lantoa_docs::Agencies::builtin().expect("data/agencies.toml is valid"),
            ),
            // The shipped file is read by a unit test; it cannot fail here.
            #[allow(clippy::expect_used)]
            sanctions: std::sync::Arc::new(
                crate::sanctions::SanctionRules::builtin()
                    .expect("data/watch/sanctions.toml is valid"),
            ),
            signals: crate::signals::Rules::builtin_shared(),
        }
    }

    /// The same service with other signal rules (config `watch.signals`); the crawler is given
    /// the same ones.
    pub fn with_signal_rules(mut self, rules: std::sync::Arc<crate::signals::Rules>) -> Self {
        self.signals = rules;
        self
    }

    /// The signal rules in force here.
    pub fn signal_rules(&self) -> std::sync::Arc<crate::signals::Rules> {
        self.signals.clone()
    }

    /// The same service with other sanctioning decrees (config `watch.sanctions`).
    pub fn with_sanction_rules(mut self, rules: crate::sanctions::SanctionRules) -> Self {
        self.sanctions = std::sync::Arc::new(rules);
        self
    }

    /// The sanctioning decrees in force here.
    pub fn sanction_rules(&self) -> &crate::sanctions::SanctionRules {
        &self.sanctions
    }

    /// The same service keeping documents in `blobs` and reading captures from it.
    pub fn with_blobs(mut self, blobs: lantoa_store::blob::BlobStore) -> Self {
        self.blobs = Some(blobs);
        self
    }

    /// The same service with other issuing agencies (config `agencies`).
    pub fn with_agencies(mut self, agencies: lantoa_docs::Agencies) -> Self {
        self.agencies = std::sync::Arc::new(agencies);
        self
    }

    /// The same service with another case workflow (config `watch.cases`).
    pub fn with_case_rules(mut self, rules: crate::cases::CaseRules) -> Self {
        self.cases = std::sync::Arc::new(rules);
        self
    }

    /// The same service reading time from `clock` (tests move it).
    pub fn with_clock(mut self, clock: lantoa_store::Clock) -> Self {
        self.clock = clock;
        self
    }

    /// Registers a subject (its name at most [`MAX_NAME_CHARS`] characters).
    pub async fn create(&self, actor: &str, new: &NewSubject) -> Result<Subject> {
        let (url, key, host) = normalise_url(&new.url)?;
        let name = text::clean(&new.name);
        if name.is_empty() {
            return Err(Error::invalid("name", Msg::new("subject-name-empty")));
        }
        let chars = name.chars().count();
        if chars > MAX_NAME_CHARS {
            return Err(Error::invalid(
                "name",
                Msg::new("subject-name-too-long")
                    .arg("chars", chars)
                    .arg("max", MAX_NAME_CHARS),
            ));
        }
        if let Some(unit) = new.managing_unit_id {
            // Through the registry's API: an unknown id is refused.
            self.registry.get(unit).await?;
        }
        let licence_no = new
            .licence_no
            .as_deref()
            .map(text::clean)
            .filter(|l| !l.is_empty());
        let mut tx = self.db.begin().await?;
        let id: i64 = sqlx::query(
            "INSERT INTO watch_subjects (kind, url, url_key, host, name, name_key, managing_unit_id, licence_no, licence_date, is_press, created_at, created_by)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
        )
        .bind(new.kind.as_str())
        .bind(&url)
        .bind(&key)
        .bind(&host)
        .bind(&name)
        .bind(text::tone_key(&name))
        .bind(new.managing_unit_id)
        .bind(&licence_no)
        .bind(new.licence_date.map(|d| d.format("%Y-%m-%d").to_string()))
        .bind(i64::from(new.is_press))
        .bind(chrono::Utc::now().timestamp_micros())
        .bind(actor)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| if is_unique_violation(&e) { Error::Duplicate(url.clone()) } else { e.into() })?
        .try_get(0)?;
        let subject = Subject {
            id,
            kind: new.kind,
            url,
            host,
            name,
            managing_unit_id: new.managing_unit_id,
            licence_no,
            licence_date: new.licence_date,
            is_press: new.is_press,
        };
        audit::append(
            &mut tx,
            &Entry::new(actor, "watch.subject_created", format!("subject:{id}")).after(&subject),
        )
        .await?;
        put_text(
            &mut tx,
            actor,
            id,
            new.description.as_deref(),
            new.transcript.as_deref(),
        )
        .await?;
        tx.commit().await?;
        Ok(subject)
    }

    /// Replaces the supplied description and transcript of a subject (a clip or post).
    pub async fn set_text(
        &self,
        actor: &str,
        id: i64,
        description: Option<&str>,
        transcript: Option<&str>,
    ) -> Result<()> {
        self.get(id).await?;
        let mut tx = self.db.begin().await?;
        put_text(&mut tx, actor, id, description, transcript).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The supplied description and transcript of a subject, if any.
    pub async fn text(&self, id: i64) -> Result<Option<(Option<String>, Option<String>)>> {
        let row = sqlx::query(
            "SELECT description, transcript FROM watch_subject_texts WHERE subject_id = $1",
        )
        .bind(id)
        .fetch_optional(self.db.pool())
        .await?;
        row.map(|r| Ok((r.try_get(0)?, r.try_get(1)?))).transpose()
    }

    /// The subject with this id.
    pub async fn get(&self, id: i64) -> Result<Subject> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM watch_subjects WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(self.db.pool())
        .await?
        .ok_or(Error::NotFound {
            entity: "subject",
            id,
        })?;
        subject_from_row(&row)
    }

    /// Whether a subject with this URL is registered.
    pub async fn find_by_url(&self, url: &str) -> Result<Option<Subject>> {
        let (_, key, _) = normalise_url(url)?;
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM watch_subjects WHERE url_key = $1"
        ))
        .bind(key)
        .fetch_optional(self.db.pool())
        .await?;
        row.as_ref().map(subject_from_row).transpose()
    }

    /// A page of subjects by kind and name, with the total.
    pub async fn list(&self, q: &ListQuery) -> Result<(Vec<Subject>, i64)> {
        let mut filter = String::from(" WHERE 1 = 1");
        let mut binds: Vec<String> = Vec::new();
        if let Some(k) = q.kind {
            binds.push(k.as_str().to_owned());
            filter.push_str(&format!(" AND kind = ${}", binds.len()));
        }
        name_or_host(&mut filter, &mut binds, "", q.q.as_deref());
        let limit = q.limit.clamp(1, 500);
        let sql = format!(
            "SELECT {COLUMNS} FROM watch_subjects{filter} ORDER BY {} LIMIT {limit} OFFSET {}",
            q.sort.order_by(),
            q.offset.max(0)
        );
        let count_sql = format!("SELECT COUNT(*) FROM watch_subjects{filter}");
        let (rows, total) = self.db.page(&sql, &count_sql, &binds).await?;
        Ok((
            rows.iter().map(subject_from_row).collect::<Result<_>>()?,
            total,
        ))
    }

    /// [`Watch::list`] and [`Watch::count_by_kind`] for the list page: without a search the
    /// page's total is one of the counts (or their sum), so no count of its own is run.
    pub async fn list_with_counts(
        &self,
        q: &ListQuery,
    ) -> Result<(Vec<Subject>, i64, Vec<(SubjectKind, i64)>)> {
        let counts = self.count_by_kind().await?;
        if q.q.as_deref().is_some_and(|t| !t.trim().is_empty()) {
            let (page, total) = self.list(q).await?;
            return Ok((page, total, counts));
        }
        let total = counts
            .iter()
            .filter(|(k, _)| q.kind.is_none_or(|want| want == *k))
            .map(|(_, n)| n)
            .sum();
        let (filter, binds) = match q.kind {
            Some(k) => (" WHERE kind = $1", vec![k.as_str().to_owned()]),
            None => ("", Vec::new()),
        };
        let sql = format!(
            "SELECT {COLUMNS} FROM watch_subjects{filter} ORDER BY {} LIMIT {} OFFSET {}",
            q.sort.order_by(),
            q.limit.clamp(1, 500),
            q.offset.max(0)
        );
        let mut page = sqlx::query(&sql);
        for b in binds {
            page = page.bind(b);
        }
        let rows = page.fetch_all(self.db.pool()).await?;
        Ok((
            rows.iter().map(subject_from_row).collect::<Result<_>>()?,
            total,
            counts,
        ))
    }

    /// Subjects per kind.
    pub async fn count_by_kind(&self) -> Result<Vec<(SubjectKind, i64)>> {
        let rows = sqlx::query("SELECT kind, COUNT(*) FROM watch_subjects GROUP BY kind")
            .fetch_all(self.db.pool())
            .await?;
        let mut out: Vec<(SubjectKind, i64)> = SubjectKind::ALL.iter().map(|k| (*k, 0)).collect();
        for r in rows {
            let k: String = r.try_get(0)?;
            if let Some(e) = out.iter_mut().find(|(kind, _)| kind.as_str() == k) {
                e.1 = r.try_get(1)?;
            }
        }
        Ok(out)
    }
}

async fn put_text(
    tx: &mut lantoa_store::Tx,
    actor: &str,
    id: i64,
    description: Option<&str>,
    transcript: Option<&str>,
) -> Result<()> {
    let clean = |s: Option<&str>| {
        s.map(text::nfc)
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
    };
    let (description, transcript) = (clean(description), clean(transcript));
    if description.is_none() && transcript.is_none() {
        return Ok(());
    }
    sqlx::query("DELETE FROM watch_subject_texts WHERE subject_id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "INSERT INTO watch_subject_texts (subject_id, description, transcript, supplied_at, supplied_by) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(id)
    .bind(&description)
    .bind(&transcript)
    .bind(chrono::Utc::now().timestamp_micros())
    .bind(actor)
    .execute(&mut **tx)
    .await?;
    audit::append(
        tx,
        &Entry::new(actor, "watch.subject_text_supplied", format!("subject:{id}")).after(
            serde_json::json!({ "description_chars": description.as_ref().map(|d| d.chars().count()), "transcript_chars": transcript.as_ref().map(|t| t.chars().count()) }),
        ),
    )
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_site_one_key_whatever_the_spelling() {
        let a = normalise_url("https://www.TinTuc-PhoCo.example/").unwrap();
        let b = normalise_url("tintuc-phoco.example").unwrap();
        let c = normalise_url("http://tintuc-phoco.example/#top").unwrap();
        assert_eq!(a.1, "tintuc-phoco.example");
        assert_eq!((a.1.as_str(), a.2.as_str()), (b.1.as_str(), b.2.as_str()));
        assert_eq!(a.1, c.1);
        let page = normalise_url("https://facebook.com/trang.tin.pho.co/").unwrap();
        assert_eq!(page.1, "facebook.com/trang.tin.pho.co");
    }

    #[test]
    fn rejects_what_is_not_a_web_address() {
        for bad in [
            "",
            "   ",
            "ftp://x.example/",
            "https://",
            "not a url at all",
            "mailto:a@b.example",
            "https://nohost/",
        ] {
            assert!(
                matches!(normalise_url(bad), Err(Error::Invalid { field: "url", .. })),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn kinds_accept_vietnamese_words() {
        assert_eq!(
            "Trang thông tin điện tử tổng hợp"
                .parse::<SubjectKind>()
                .unwrap(),
            SubjectKind::Website
        );
        assert_eq!(
            "mạng xã hội".parse::<SubjectKind>().unwrap(),
            SubjectKind::SocialNetwork
        );
        assert_eq!(
            "Bài viết".parse::<SubjectKind>().unwrap(),
            SubjectKind::Post
        );
        assert_eq!(
            "video_channel".parse::<SubjectKind>().unwrap(),
            SubjectKind::VideoChannel
        );
        assert!("báo in".parse::<SubjectKind>().is_err());
    }
}
