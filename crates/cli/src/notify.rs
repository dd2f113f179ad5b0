//! The `lantoa notify` verbs: recipient lists and SMS campaigns through a running server's JSON
//! API, as the person whose token is given. Going through the API rather than the database is
//! what makes approval a second person's act: the server knows who a token belongs to and
//! which roles it carries, and refuses the author's own approval as the console does.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, bail};

use crate::remote::{Api, Remote, print_json, with_query};
use clap::Subcommand;
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::{Value, json};

/// Which page of a list: a search, an order, a size and where to start.
#[derive(clap::Args)]
pub struct PageArgs {
    /// Only rows whose name contains this (compared on tone keys).
    #[arg(long)]
    search: Option<String>,
    /// The order (campaigns: newest, oldest, name, status; lists: newest, name, largest).
    #[arg(long)]
    sort: Option<String>,
    /// Rows to show (at most 500).
    #[arg(long, default_value_t = 100)]
    limit: i64,
    /// Rows to skip.
    #[arg(long, default_value_t = 0)]
    offset: i64,
}

impl PageArgs {
    /// `path` with this page's query, and `extra` pairs.
    fn path(&self, path: &str, extra: &[(&str, Option<&str>)]) -> String {
        let (limit, offset) = (self.limit.to_string(), self.offset.to_string());
        let mut pairs = vec![("limit", limit.as_str()), ("offset", offset.as_str())];
        for (k, v) in [
            ("q", self.search.as_deref()),
            ("sort", self.sort.as_deref()),
        ]
        .into_iter()
        .chain(extra.iter().copied())
        {
            if let Some(v) = v {
                pairs.push((k, v));
            }
        }
        with_query(path, &pairs)
    }
}

/// The line under a page: which rows of how many, and how to ask for the next.
fn page_line(v: &Value, shown: usize, offset: i64) {
    let total = v["total"].as_i64().unwrap_or(0);
    if shown > 0 {
        print!("rows {}-{} of {total}", offset + 1, offset + shown as i64);
    } else {
        print!("no rows (of {total})");
    }
    match v["next"].as_i64() {
        Some(next) => println!("; the next page: --offset {next}"),
        None => println!(),
    }
}

/// What to do.
#[derive(Subcommand)]
pub enum NotifyCommand {
    /// Recipient lists: without an action, a page of lists with their counts.
    Lists {
        #[command(subcommand)]
        action: Option<ListAction>,
        #[command(flatten)]
        page: PageArgs,
        /// Print JSON.
        #[arg(long, global = true)]
        json: bool,
    },
    /// SMS campaigns: without an action, a page of campaigns with their state.
    Campaigns {
        #[command(subcommand)]
        action: Option<CampaignAction>,
        #[command(flatten)]
        page: PageArgs,
        /// Only campaigns in this state (draft, pending, sending, sent, cancelled).
        #[arg(long)]
        status: Option<String>,
        /// Print JSON.
        #[arg(long, global = true)]
        json: bool,
    },
    /// What a text costs: encoding, segments, and on a list the cost per operator.
    Cost {
        #[command(flatten)]
        body: Body,
        /// The list it would go to.
        #[arg(long)]
        list: Option<i64>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Approve a pending campaign (an approver other than its author), typing its name.
    Approve {
        /// The campaign's id.
        id: i64,
        /// Its name, exactly as drafted.
        #[arg(long)]
        confirm: String,
    },
    /// A campaign's progress; with --follow, a bar until its last message is settled.
    Status {
        /// The campaign's id.
        id: i64,
        /// Follow it to its end.
        #[arg(long)]
        follow: bool,
        /// Print JSON (once; not with --follow).
        #[arg(long, conflicts_with = "follow")]
        json: bool,
    },
    /// Every message of a campaign as CSV (id, phone, operator, state, reason, parts, sent_at,
    /// SMSC ids), page after page.
    Deliveries {
        /// The campaign's id.
        id: i64,
        /// Only messages in this state (queued, submitted, delivered, failed, uncertain…).
        #[arg(long)]
        state: Option<String>,
    },
}

/// A list's action.
#[derive(Subcommand)]
pub enum ListAction {
    /// Import a CSV or XLSX file; prints what was taken and every refused row with its reason.
    Import {
        /// The file.
        file: PathBuf,
        /// The list's name.
        #[arg(long)]
        name: String,
    },
    /// One list with its refused rows.
    Show {
        /// The list's id.
        id: i64,
    },
}

/// A campaign's action.
#[derive(Subcommand)]
pub enum CampaignAction {
    /// Draft a campaign; prints its plan (recipients, segments, cost per operator).
    Draft {
        /// A name unique among campaigns (the approver types it).
        #[arg(long)]
        name: String,
        /// What it is about (dengue, fire-safety…).
        #[arg(long)]
        topic: String,
        /// The sender name shown on phones.
        #[arg(long)]
        brandname: String,
        #[command(flatten)]
        body: Body,
        /// The list it goes to.
        #[arg(long)]
        list: i64,
        /// Narrow the list to these communes (current codes; repeat).
        #[arg(long = "commune")]
        communes: Vec<String>,
        /// An emergency passes quiet hours, caps and opt-outs.
        #[arg(long)]
        emergency: bool,
        /// Send parts left uncertain again once no receipt settles them.
        #[arg(long)]
        resend_uncertain: bool,
    },
    /// One campaign, its plan and the steps the token's owner may take.
    Show {
        /// The campaign's id.
        id: i64,
    },
    /// Send a draft for approval (its author).
    Submit {
        /// The campaign's id.
        id: i64,
    },
    /// Send a pending campaign back to its author (an approver), saying what must change.
    SendBack {
        /// The campaign's id.
        id: i64,
        /// What must change.
        #[arg(long)]
        note: String,
    },
    /// Cancel a campaign, or the rest of its sending.
    Cancel {
        /// The campaign's id.
        id: i64,
        /// Why.
        #[arg(long, default_value = "")]
        note: String,
    },
}

/// A message's text: typed, or read from a file.
#[derive(clap::Args)]
#[group(required = true, multiple = false)]
pub struct Body {
    /// The text (fields such as {ten} are filled per recipient).
    #[arg(long)]
    body: Option<String>,
    /// Read the text from this file (UTF-8).
    #[arg(long, value_name = "FILE")]
    body_file: Option<PathBuf>,
}

impl Body {
    fn text(&self) -> anyhow::Result<String> {
        match (&self.body, &self.body_file) {
            (Some(b), _) => Ok(b.clone()),
            (None, Some(f)) => std::fs::read_to_string(f)
                .with_context(|| format!("cannot read the text from {}", f.display())),
            (None, None) => bail!("give the text with --body or --body-file"),
        }
    }
}

/// Runs one verb against the server; `listen` is the configured address, the default server.
pub async fn run(remote: &Remote, listen: &str, command: NotifyCommand) -> anyhow::Result<()> {
    let api = Api::new(remote, listen)?;
    match command {
        NotifyCommand::Lists { action, page, json } => lists(&api, action, &page, json).await,
        NotifyCommand::Campaigns {
            action,
            page,
            status,
            json,
        } => campaigns(&api, action, &page, status.as_deref(), json).await,
        NotifyCommand::Cost { body, list, json } => {
            let v = api
                .post(
                    "/api/v1/notify/cost",
                    json!({ "body": body.text()?, "list_id": list }),
                )
                .await?;
            if json {
                return print_json(&v);
            }
            let e = &v["estimate"];
            let c = &e["cost"];
            println!(
                "{} characters, {}, {} segment(s) per message (at most {}).",
                c["chars"], c["encoding"], c["segments"], v["max_segments"]
            );
            if list.is_some() {
                println!(
                    "On the list: {} recipients, {} segments, {} VND.",
                    e["recipients"], e["segments"], e["cost_vnd"]
                );
            }
            println!(
                "Without diacritics: {} segment(s) per message, {} in all.",
                e["unaccented_cost"]["segments"], e["unaccented_segments"]
            );
            Ok(())
        }
        NotifyCommand::Approve { id, confirm } => {
            let v = api
                .post(
                    &format!("/api/v1/notify/campaigns/{id}/approve"),
                    json!({ "confirm": confirm }),
                )
                .await?;
            println!(
                "Campaign {id} approved: {} (follow it with `lantoa notify status {id} --follow`).",
                v["campaign"]["status"].as_str().unwrap_or_default()
            );
            Ok(())
        }
        NotifyCommand::Status { id, follow, json } => status(&api, id, follow, json).await,
        NotifyCommand::Deliveries { id, state } => deliveries(&api, id, state.as_deref()).await,
    }
}

async fn lists(
    api: &Api,
    action: Option<ListAction>,
    page: &PageArgs,
    json: bool,
) -> anyhow::Result<()> {
    let v = match action {
        None => {
            let v = api.get(&page.path("/api/v1/notify/lists", &[])).await?;
            if json {
                return print_json(&v);
            }
            let rows = v["lists"].as_array().cloned().unwrap_or_default();
            for l in &rows {
                println!(
                    "{:>6}  {:<40} {:>10} recipients {:>8} refused  {}",
                    l["id"],
                    l["name"].as_str().unwrap_or_default(),
                    l["recipients"],
                    l["refused_rows"],
                    l["file_name"].as_str().unwrap_or_default()
                );
            }
            page_line(&v, rows.len(), page.offset);
            return Ok(());
        }
        Some(ListAction::Import { file, name }) => import(api, &file, &name).await?,
        Some(ListAction::Show { id }) => api.get(&format!("/api/v1/notify/lists/{id}")).await?,
    };
    if json {
        return print_json(&v);
    }
    let l = &v["list"];
    println!(
        "List {} \"{}\": {} rows read, {} recipients, {} repeated, {} refused.",
        l["id"],
        l["name"].as_str().unwrap_or_default(),
        l["rows"],
        l["recipients"],
        l["duplicates"],
        l["refused_rows"]
    );
    if let Some(by) = l["by_operator"].as_object() {
        for (operator, n) in by {
            println!("  {operator:<12} {n}");
        }
    }
    for r in l["refused"].as_array().into_iter().flatten() {
        println!(
            "  row {}: {} ({})",
            r["row"],
            r["reason"].as_str().unwrap_or_default(),
            r["value"].as_str().unwrap_or_default()
        );
    }
    Ok(())
}

async fn import(api: &Api, file: &Path, name: &str) -> anyhow::Result<Value> {
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let file_name = file
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_else(|| "list.csv".to_owned());
    api.call(
        reqwest::Method::POST,
        &with_query(
            "/api/v1/notify/lists",
            &[("name", name), ("file_name", &file_name)],
        ),
        Some((bytes, "application/octet-stream")),
    )
    .await
}

async fn campaigns(
    api: &Api,
    action: Option<CampaignAction>,
    page: &PageArgs,
    status: Option<&str>,
    json: bool,
) -> anyhow::Result<()> {
    let at = |id: i64, step: &str| format!("/api/v1/notify/campaigns/{id}/{step}");
    let v = match action {
        None => {
            let v = api
                .get(&page.path("/api/v1/notify/campaigns", &[("status", status)]))
                .await?;
            if json {
                return print_json(&v);
            }
            let rows = v["campaigns"].as_array().cloned().unwrap_or_default();
            for c in &rows {
                println!(
                    "{:>6}  {:<10} {:<40} list {}  by {}",
                    c["id"],
                    c["status"].as_str().unwrap_or_default(),
                    c["name"].as_str().unwrap_or_default(),
                    c["list_id"],
                    c["created_by"].as_str().unwrap_or_default()
                );
            }
            page_line(&v, rows.len(), page.offset);
            return Ok(());
        }
        Some(CampaignAction::Draft {
            name,
            topic,
            brandname,
            body,
            list,
            communes,
            emergency,
            resend_uncertain,
        }) => {
            api.post(
                "/api/v1/notify/campaigns",
                json!({
                    "name": name, "topic": topic, "brandname": brandname, "body": body.text()?,
                    "list_id": list, "communes": communes, "emergency": emergency,
                    "resend_uncertain": resend_uncertain,
                }),
            )
            .await?
        }
        Some(CampaignAction::Show { id }) => {
            api.get(&format!("/api/v1/notify/campaigns/{id}")).await?
        }
        Some(CampaignAction::Submit { id }) => api.post(&at(id, "submit"), json!({})).await?,
        Some(CampaignAction::SendBack { id, note }) => {
            api.post(&at(id, "send-back"), json!({ "note": note }))
                .await?
        }
        Some(CampaignAction::Cancel { id, note }) => {
            api.post(&at(id, "cancel"), json!({ "note": note })).await?
        }
    };
    if json {
        return print_json(&v);
    }
    let c = &v["campaign"];
    println!(
        "Campaign {} \"{}\": {}.",
        c["id"],
        c["name"].as_str().unwrap_or_default(),
        c["status"].as_str().unwrap_or_default()
    );
    let p = &v["plan"];
    if p.is_object() {
        println!(
            "Plan: {} recipients ({} opted out left aside), {} segments, {} VND.",
            p["recipients"], p["opted_out"], p["segments"], p["cost_vnd"]
        );
        for o in p["by_operator"].as_array().into_iter().flatten() {
            println!(
                "  {:<12} {:>10} recipients {:>10} segments {:>14} VND",
                o["operator"].as_str().unwrap_or_default(),
                o["recipients"],
                o["segments"],
                o["cost_vnd"]
            );
        }
        println!("As sent: {}", p["sample"].as_str().unwrap_or_default());
    }
    if let Some(steps) = v["steps"].as_array() {
        let steps: Vec<&str> = steps.iter().filter_map(Value::as_str).collect();
        println!(
            "Steps you may take: {}",
            if steps.is_empty() {
                "none".to_owned()
            } else {
                steps.join(", ")
            }
        );
    }
    Ok(())
}

/// Messages settled one way or the other (nothing more will happen to them).
fn settled(total: &Value) -> u64 {
    ["delivered", "failed", "uncertain", "cancelled", "skipped"]
        .iter()
        .map(|k| total[k].as_u64().unwrap_or(0))
        .sum()
}

fn summary(v: &Value) -> String {
    let t = &v["progress"]["total"];
    format!(
        "{}: {} recipients, {} delivered, {} awaiting a receipt, {} queued, {} failed, {} uncertain, {} cancelled, {} skipped",
        v["status"].as_str().unwrap_or_default(),
        t["recipients"],
        t["delivered"],
        t["submitted"],
        t["queued"].as_u64().unwrap_or(0) + t["sending"].as_u64().unwrap_or(0),
        t["failed"],
        t["uncertain"],
        t["cancelled"],
        t["skipped"]
    )
}

async fn status(api: &Api, id: i64, follow: bool, json: bool) -> anyhow::Result<()> {
    let path = format!("/api/v1/notify/campaigns/{id}/progress");
    let v = api.get(&path).await?;
    if json {
        return print_json(&v);
    }
    let open = |v: &Value| v["status"] == "sending";
    if !follow || !open(&v) {
        println!("Campaign {id} {}", summary(&v));
        for r in v["progress"]["reasons"].as_array().into_iter().flatten() {
            println!("  {} × {}", r[1], r[0].as_str().unwrap_or_default());
        }
        return Ok(());
    }
    let bar = ProgressBar::new(v["progress"]["total"]["recipients"].as_u64().unwrap_or(0));
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} settled ({per_sec}) {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let mut v = v;
    loop {
        let t = &v["progress"]["total"];
        bar.set_position(settled(t));
        bar.set_message(format!(
            "{} delivered, {} awaiting receipts{}",
            t["delivered"],
            t["submitted"],
            v["held_until"]
                .as_str()
                .map(|h| format!(", held by quiet hours until {h}"))
                .unwrap_or_default()
        ));
        if !open(&v) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
        v = api.get(&path).await?;
    }
    bar.finish_and_clear();
    println!("Campaign {id} {}", summary(&v));
    Ok(())
}

/// A CSV field, quoted when it must be.
fn field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

async fn deliveries(api: &Api, id: i64, state: Option<&str>) -> anyhow::Result<()> {
    println!("id,phone,operator,commune_code,state,reason,parts,sent_at,smsc_ids");
    let mut after = 0;
    loop {
        let cursor = after.to_string();
        let mut pairs = vec![("limit", "1000"), ("after", cursor.as_str())];
        pairs.extend(state.map(|s| ("state", s)));
        let v = api
            .get(&with_query(
                &format!("/api/v1/notify/campaigns/{id}/deliveries"),
                &pairs,
            ))
            .await?;
        for d in v["deliveries"].as_array().into_iter().flatten() {
            let text = |k: &str| d[k].as_str().map(field).unwrap_or_default();
            let ids: Vec<&str> = d["part_states"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|p| p["smsc_id"].as_str())
                .collect();
            println!(
                "{},{},{},{},{},{},{},{},{}",
                d["id"],
                text("phone"),
                text("operator"),
                text("commune_code"),
                text("state"),
                text("reason"),
                d["parts"],
                d["sent_at"]
                    .as_i64()
                    .map(|t| t.to_string())
                    .unwrap_or_default(),
                field(&ids.join(" "))
            );
        }
        match v["next"].as_i64() {
            Some(n) => after = n,
            None => return Ok(()),
        }
    }
}
