//! Evidence files sent with a progress report: kept in the blob store in the report's own
//! transaction (a report is never kept without its file, nor a file without its report),
//! listed by task, read back by their SHA-256.

use std::collections::HashMap;

use serde::Serialize;
use sqlx::Row;

use crate::{Error, NewReport, Plans, Report, Reporter, Result};

/// The largest evidence file accepted.
pub const MAX_EVIDENCE_BYTES: usize = 20 * 1024 * 1024;

/// The kinds of file accepted as evidence, by extension, with their media types.
const KINDS: [(&str, &str); 9] = [
    ("pdf", "application/pdf"),
    (
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    (
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    ("doc", "application/msword"),
    ("xls", "application/vnd.ms-excel"),
    ("png", "image/png"),
    ("jpg", "image/jpeg"),
    ("jpeg", "image/jpeg"),
    ("zip", "application/zip"),
];

/// A file to attach.
#[derive(Debug, Clone)]
pub struct EvidenceFile {
    /// Its name as sent.
    pub name: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

/// A stored evidence file.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Evidence {
    /// The report it came with.
    pub report_id: i64,
    /// The task.
    pub task_id: i64,
    /// File name.
    pub name: String,
    /// Its address in the blob store.
    pub sha256: String,
    /// Media type.
    pub media_type: String,
    /// Bytes.
    pub size: i64,
}

/// The file's media type, or why it is refused.
fn kind(f: &EvidenceFile) -> Result<&'static str> {
    let bad = |m: lantoa_core::Msg| crate::error::invalid("file", m.arg("name", &f.name));
    if f.bytes.is_empty() {
        return Err(bad(lantoa_core::Msg::new("evidence-empty")));
    }
    if f.bytes.len() > MAX_EVIDENCE_BYTES {
        return Err(bad(
            lantoa_core::Msg::new("evidence-too-large").arg("mb", MAX_EVIDENCE_BYTES / 1024 / 1024)
        ));
    }
    let ext = f
        .name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    KINDS
        .iter()
        .find(|(e, _)| *e == ext)
        .map(|(_, m)| *m)
        .ok_or_else(|| bad(lantoa_core::Msg::new("evidence-bad-kind")))
}

/// A file name kept as a plain name: no folders, no control characters, at most 120 characters.
fn clean_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let cleaned: String = base.chars().filter(|c| !c.is_control()).take(120).collect();
    if cleaned.trim().is_empty() {
        "evidence".into()
    } else {
        cleaned
    }
}

/// A checked file whose bytes are written, not yet indexed.
pub(crate) struct Stored {
    blobs: lantoa_store::blob::BlobStore,
    written: lantoa_store::blob::Written,
    name: String,
}

/// Checks `f` and writes its bytes to the blob store.
pub(crate) async fn write(plans: &Plans, f: &EvidenceFile) -> Result<Stored> {
    let media = kind(f)?;
    let blobs = plans.blobs.clone().ok_or_else(|| {
        Error::Internal("this server keeps no files (no blob store configured)".into())
    })?;
    let written = blobs.write(&f.bytes, media).await?;
    Ok(Stored {
        blobs,
        written,
        name: clean_name(&f.name),
    })
}

/// Indexes a written file in the report's transaction and records it against the report.
pub(crate) async fn index(
    tx: &mut lantoa_store::Tx,
    s: &Stored,
    report_id: i64,
    task_id: i64,
) -> Result<()> {
    let blob = s.blobs.index(tx, &s.written).await?;
    sqlx::query(
        "INSERT INTO plans_evidence (report_id, task_id, name, sha256, media_type, size)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(report_id)
    .bind(task_id)
    .bind(&s.name)
    .bind(&blob.sha256)
    .bind(&blob.media_type)
    .bind(blob.size)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

impl Plans {
    /// [`Plans::submit_report`] with an evidence file, kept in the blob store in the report's
    /// transaction. The file must be a PDF, Word, Excel, PNG, JPEG or ZIP file of at most 20 MB.
    pub async fn submit_report_with_file(
        &self,
        who: &Reporter,
        task_id: i64,
        new: &NewReport,
        file: &EvidenceFile,
    ) -> Result<Report> {
        self.submit(who, task_id, new, Some(file)).await
    }

    /// The evidence files of these tasks, by task, oldest first.
    pub async fn evidence(&self, task_ids: &[i64]) -> Result<HashMap<i64, Vec<Evidence>>> {
        let mut out: HashMap<i64, Vec<Evidence>> = HashMap::new();
        for chunk in task_ids.chunks(500) {
            let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "SELECT report_id, task_id, name, sha256, media_type, size FROM plans_evidence
                 WHERE task_id IN ({}) ORDER BY id",
                marks.join(", ")
            );
            let mut q = sqlx::query(&sql);
            for id in chunk {
                q = q.bind(*id);
            }
            for r in q.fetch_all(self.db.pool()).await? {
                let e = Evidence {
                    report_id: r.try_get(0)?,
                    task_id: r.try_get(1)?,
                    name: r.try_get(2)?,
                    sha256: r.try_get(3)?,
                    media_type: r.try_get(4)?,
                    size: r.try_get(5)?,
                };
                out.entry(e.task_id).or_default().push(e);
            }
        }
        Ok(out)
    }

    /// An evidence file of a task of plan `plan_id`, with its bytes.
    pub async fn evidence_file(&self, plan_id: i64, sha256: &str) -> Result<(Evidence, Vec<u8>)> {
        let row = sqlx::query(
            "SELECT e.report_id, e.task_id, e.name, e.sha256, e.media_type, e.size
             FROM plans_evidence e JOIN plans_tasks t ON t.id = e.task_id
             WHERE t.plan_id = $1 AND e.sha256 = $2 ORDER BY e.id LIMIT 1",
        )
        .bind(plan_id)
        .bind(sha256)
        .fetch_optional(self.db.pool())
        .await?
        .ok_or(Error::NotFound(plan_id))?;
        let e = Evidence {
            report_id: row.try_get(0)?,
            task_id: row.try_get(1)?,
            name: row.try_get(2)?,
            sha256: row.try_get(3)?,
            media_type: row.try_get(4)?,
            size: row.try_get(5)?,
        };
        let blobs = self.blobs.as_ref().ok_or(Error::NotFound(plan_id))?;
        let bytes = blobs.get(&e.sha256).await?;
        Ok((e, bytes))
    }
}
