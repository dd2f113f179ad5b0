//! The `lantoa opendata` verbs: datasets, uploading a file of any size, and an upload's counts.

use std::path::Path;
use std::time::Duration;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use lantoa_opendata::{OpenData, Upload};
use tokio::io::AsyncReadExt;

/// Prints the datasets, one line each.
pub async fn datasets(od: &OpenData, json: bool) -> anyhow::Result<()> {
    let list = od.datasets(None).await?;
    if json {
        println!("{}", serde_json::to_string_pretty(&list)?);
        return Ok(());
    }
    for d in list {
        let (_, published) = od.rows(d.id, 0, 1).await?;
        println!(
            "{:<40} {:>10} rows published  {:<12} {}",
            d.name, published, d.sensitivity, d.title
        );
    }
    Ok(())
}

fn style(template: &str) -> ProgressStyle {
    ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar())
}

/// Streams `file` into the blob store (a bar over its bytes), queues it for dataset `name`,
/// and unless `no_wait`, follows the ingest a worker runs (a counter of rows) to its end. With
/// `json` the line saying it is queued goes to standard error, so that standard output holds
/// only the JSON report.
pub async fn upload(
    od: &OpenData,
    name: &str,
    file: &Path,
    no_wait: bool,
    json: bool,
    as_of: Option<chrono::NaiveDate>,
) -> anyhow::Result<Upload> {
    let dataset = od.dataset_by_name(name).await?;
    let mut input = tokio::fs::File::open(file)
        .await
        .with_context(|| format!("cannot open {}", file.display()))?;
    let size = input.metadata().await?.len();
    let bar = ProgressBar::new(size);
    bar.set_style(style(
        "{msg:12} {bar:40} {bytes}/{total_bytes} ({bytes_per_sec})",
    ));
    bar.set_message("copying");
    let mut staged = od.stage().await?;
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = input
            .read(&mut buf)
            .await
            .with_context(|| format!("cannot read {}", file.display()))?;
        if n == 0 {
            break;
        }
        staged.write(&buf[..n]).await?;
        bar.inc(n as u64);
    }
    bar.finish_and_clear();
    let file_name = file
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_else(|| "upload.csv".to_owned());
    let upload = od
        .upload_staged("cli", dataset.id, &file_name, staged, as_of)
        .await?;
    let queued = format!(
        "upload {} (version {} of {}) queued: {} bytes",
        upload.id, upload.version, dataset.name, size
    );
    if json {
        eprintln!("{queued}");
    } else {
        println!("{queued}");
    }
    if no_wait {
        return Ok(upload);
    }
    let rows = ProgressBar::new_spinner();
    rows.set_style(style("{spinner} {msg}"));
    rows.enable_steady_tick(Duration::from_millis(120));
    rows.set_message(
        "waiting for a worker with the opendata role (lantoa serve, or lantoa worker --role opendata)",
    );
    loop {
        let u = od.upload_info(upload.id).await?;
        match u.status.as_str() {
            "done" | "refused" | "failed" => {
                rows.finish_and_clear();
                return Ok(u);
            }
            "running" => rows.set_message(format!(
                "{} rows read: {} published, {} quarantined, {} repeats dropped",
                u.rows, u.clean, u.quarantined, u.duplicates
            )),
            _ => {}
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// Prints what became of an upload.
pub fn report(u: &Upload, json: bool) -> anyhow::Result<()> {
    if json {
        println!("{}", serde_json::to_string_pretty(u)?);
        return Ok(());
    }
    println!(
        "upload {} version {} ({}): {} — {} rows read, {} published, {} quarantined, {} repeats dropped",
        u.id, u.version, u.file_name, u.status, u.rows, u.clean, u.quarantined, u.duplicates
    );
    for p in &u.problems {
        println!("  {}: {}", p.error_type, p.note);
    }
    if let Some(m) = &u.message {
        println!("  {m}");
    }
    Ok(())
}

/// Prints a dataset's uploads, newest first.
pub async fn uploads(od: &OpenData, name: &str, json: bool) -> anyhow::Result<()> {
    let dataset = od.dataset_by_name(name).await?;
    let list = od.uploads(dataset.id).await?;
    if json {
        println!("{}", serde_json::to_string_pretty(&list)?);
        return Ok(());
    }
    for u in &list {
        report(u, false)?;
    }
    Ok(())
}

/// `FIELD=VALUE` (the value may be empty, to clear a cell).
pub fn parse_cell(s: &str) -> Result<(String, String), String> {
    s.split_once('=')
        .map(|(k, v)| (k.trim().to_owned(), v.to_owned()))
        .ok_or_else(|| format!("{s:?}: write FIELD=VALUE (a field of the dataset's schema)"))
}

/// A page of a dataset's quarantined rows with their reasons, in English.
pub async fn quarantine(
    od: &OpenData,
    name: &str,
    status: &str,
    offset: i64,
    limit: i64,
    json: bool,
) -> anyhow::Result<()> {
    let d = od.dataset_by_name(name).await?;
    let (rows, total) = od
        .quarantine_page(d.id, status, offset, limit.clamp(1, 10_000))
        .await?;
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({ "total": total, "rows": rows }))?
        );
        return Ok(());
    }
    println!(
        "{name}: {total} {status} row(s); {} to {}.",
        offset + 1,
        offset + rows.len() as i64
    );
    for q in &rows {
        println!("#{} (upload {}, line {}):", q.id, q.upload_id, q.row_number);
        for e in &q.errors {
            println!("  {}: {}", e.field.as_deref().unwrap_or("row"), e.note);
        }
    }
    Ok(())
}

/// Fixes a quarantined row by field name; whether it was published.
pub async fn fix(od: &OpenData, id: i64, cells: Vec<(String, String)>) -> anyhow::Result<bool> {
    let changes = cells.into_iter().collect();
    match od.fix_fields("cli", id, &changes).await? {
        lantoa_opendata::FixOutcome::Published => {
            println!("Row {id} passed and is published.");
            Ok(true)
        }
        lantoa_opendata::FixOutcome::StillDirty(errors) => {
            println!("Row {id} still fails; kept in the quarantine:");
            for e in &errors {
                println!("  {}: {}", e.field.as_deref().unwrap_or("row"), e.note);
            }
            Ok(false)
        }
    }
}
