//! The `lantoa reports` verbs: the department's reports through a running server's JSON API,
//! as the person whose token is given — start a period's report, read its figures, write its
//! texts and targets, take its steps (the approval is another person's), download it.

use std::path::PathBuf;

use anyhow::Context;
use clap::Subcommand;
use serde_json::{Value, json};

use crate::remote::{Api, Remote, print_json};

/// What to do.
#[derive(Subcommand)]
pub enum ReportsCommand {
    /// Every report, newest period first, with its state.
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Start the report of a period.
    Create {
        /// monthly, quarterly, half_yearly or yearly.
        #[arg(long)]
        frequency: String,
        /// The year.
        #[arg(long)]
        year: i32,
        /// Which period of the year (1-based: the quarter, the month…).
        #[arg(long)]
        n: u32,
        /// decree09 (the 15th-to-14th reporting period of Decree 09/2019) or calendar.
        #[arg(long, default_value = "decree09")]
        cutoff: String,
    },
    /// A report: each field's figures this period and a year before, and the steps the token's
    /// owner may take.
    Show {
        /// The report's id.
        id: i64,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Save a section's text as its next version (while a draft).
    Text {
        /// The report's id.
        id: i64,
        /// The section: watch, notify, opendata, plans, shortcomings or next_tasks.
        #[arg(long)]
        section: String,
        /// The text.
        #[arg(
            long,
            conflicts_with = "body_file",
            required_unless_present = "body_file"
        )]
        body: Option<String>,
        /// Read the text from this file (UTF-8).
        #[arg(long, value_name = "FILE")]
        body_file: Option<PathBuf>,
    },
    /// Set the plan's targets: KEY=VALUE (a figure's key and a number; KEY= clears it).
    Targets {
        /// The report's id.
        id: i64,
        /// KEY=VALUE pairs.
        #[arg(required = true, value_parser = parse_target)]
        targets: Vec<(String, Option<f64>)>,
    },
    /// Take a step: submit, send-back, approve (someone other than who submitted it), reopen.
    Step {
        /// The report's id.
        id: i64,
        /// The step.
        step: String,
    },
    /// Write the report as DOCX (or PDF) to a file.
    Download {
        /// The report's id.
        id: i64,
        /// PDF, rendered from the DOCX by the server's LibreOffice.
        #[arg(long)]
        pdf: bool,
        /// The final copy (only once approved); otherwise a draft marked as such.
        #[arg(long = "final")]
        final_copy: bool,
        /// Where to write it (default: the name the server gives, here).
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
}

/// `KEY=VALUE` with a number (a decimal comma is read), or `KEY=` to clear.
fn parse_target(s: &str) -> Result<(String, Option<f64>), String> {
    let (key, value) = s
        .split_once('=')
        .ok_or_else(|| format!("{s:?}: write KEY=VALUE (a figure's key and a number)"))?;
    let value = value.trim().replace(',', ".");
    let value = if value.is_empty() {
        None
    } else {
        Some(
            value
                .parse::<f64>()
                .map_err(|_| format!("{s:?}: {value:?} is not a number"))?,
        )
    };
    Ok((key.trim().to_owned(), value))
}

fn summary(r: &Value) -> String {
    format!(
        "#{} {} · {} · v{}{}",
        r["id"],
        r["label"].as_str().unwrap_or_default(),
        r["state"].as_str().unwrap_or_default(),
        r["version"],
        r["number"]
            .as_i64()
            .map(|n| format!(" · số {n}"))
            .unwrap_or_default()
    )
}

fn steps(v: &Value) -> String {
    let s: Vec<&str> = v["steps"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    if s.is_empty() {
        "none".to_owned()
    } else {
        s.join(", ")
    }
}

/// Runs one verb against the server; `listen` is the configured address, the default server.
pub async fn run(remote: &Remote, listen: &str, command: ReportsCommand) -> anyhow::Result<()> {
    let api = Api::new(remote, listen)?;
    match command {
        ReportsCommand::List { json } => {
            let v = api.get("/api/v1/reports").await?;
            if json {
                return print_json(&v);
            }
            for r in v["reports"].as_array().into_iter().flatten() {
                println!("{}", summary(r));
            }
        }
        ReportsCommand::Create {
            frequency,
            year,
            n,
            cutoff,
        } => {
            let v = api
                .post(
                    "/api/v1/reports",
                    json!({ "frequency": frequency, "year": year, "n": n, "cutoff": cutoff }),
                )
                .await?;
            println!(
                "Report started: {} ({} to {}).",
                summary(&v["report"]),
                v["report"]["from"].as_str().unwrap_or_default(),
                v["report"]["to"].as_str().unwrap_or_default()
            );
        }
        ReportsCommand::Show { id, json } => {
            let v = api.get(&format!("/api/v1/reports/{id}")).await?;
            if json {
                return print_json(&v);
            }
            show(&v)?;
        }
        ReportsCommand::Text {
            id,
            section,
            body,
            body_file,
        } => {
            let body = match (body, body_file) {
                (Some(b), _) => b,
                (None, Some(f)) => std::fs::read_to_string(&f)
                    .with_context(|| format!("cannot read the text from {}", f.display()))?,
                (None, None) => anyhow::bail!("give the text with --body or --body-file"),
            };
            let v = api
                .post(
                    &format!("/api/v1/reports/{id}/texts"),
                    json!({ "section": section, "body": body }),
                )
                .await?;
            println!("Section {section}: version {} saved.", v["text"]["version"]);
        }
        ReportsCommand::Targets { id, targets } => {
            let body: serde_json::Map<String, Value> = targets
                .into_iter()
                .map(|(k, v)| (k, v.map_or(Value::Null, Value::from)))
                .collect();
            let v = api
                .post(
                    &format!("/api/v1/reports/{id}/targets"),
                    Value::Object(body),
                )
                .await?;
            for t in v["targets"].as_array().into_iter().flatten() {
                println!("{}: {}", t[0].as_str().unwrap_or_default(), t[1]);
            }
        }
        ReportsCommand::Step { id, step } => {
            let v = api
                .post(&format!("/api/v1/reports/{id}/{step}"), json!({}))
                .await?;
            println!("{} (next: {}).", summary(&v["report"]), steps(&v));
        }
        ReportsCommand::Download {
            id,
            pdf,
            final_copy,
            output,
        } => {
            let ext = if pdf { "pdf" } else { "docx" };
            let mut path = format!("/api/v1/reports/{id}/report.{ext}");
            if final_copy {
                path.push_str("?final=1");
            }
            let bytes = api.download(&path).await?;
            let out = output.unwrap_or_else(|| PathBuf::from(format!("bao-cao-{id}.{ext}")));
            std::fs::write(&out, &bytes)
                .with_context(|| format!("cannot write {}", out.display()))?;
            println!("{} written ({} bytes).", out.display(), bytes.len());
        }
    }
    Ok(())
}

/// A report's figures as text: each field, each figure with this period's value and last
/// year's, named in English from the shipped labels.
fn show(v: &Value) -> anyhow::Result<()> {
    let labels = lantoa_reports::figures::Labels::builtin()?;
    let name = |key: &str| {
        labels
            .figure(key)
            .or_else(|| labels.field.iter().find(|l| l.key == key))
            .map(|l| l.en.clone())
            .unwrap_or_else(|| key.to_owned())
    };
    println!("{}", summary(&v["report"]));
    println!(
        "Period: {} to {}",
        v["report"]["from"].as_str().unwrap_or_default(),
        v["report"]["to"].as_str().unwrap_or_default()
    );
    let contents = &v["contents"];
    let last_year = |field: &str, key: &str| -> Option<f64> {
        contents["last_year"]
            .as_array()?
            .iter()
            .find(|s| s["field"] == field)?["figures"]
            .as_array()?
            .iter()
            .find(|f| f["key"] == key)?["value"]
            .as_f64()
    };
    let number = |v: Option<f64>| v.map_or_else(|| "—".to_owned(), |v| format!("{v}"));
    for s in contents["sections"].as_array().into_iter().flatten() {
        let field = s["field"].as_str().unwrap_or_default();
        println!("\n{}", name(field));
        if let Some(e) = s["error"].as_str() {
            println!("  (no figures: {e})");
            continue;
        }
        for f in s["figures"].as_array().into_iter().flatten() {
            let key = f["key"].as_str().unwrap_or_default();
            println!(
                "  {:<50} {:>12}   last year {:>12}",
                name(key),
                number(f["value"].as_f64()),
                number(last_year(field, key))
            );
        }
    }
    println!("\nSteps you may take: {}", steps(v));
    Ok(())
}
