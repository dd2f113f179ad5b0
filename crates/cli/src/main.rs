//! `lantoa` — the binary. A thin layer over the library crates: it reads the configuration,
//! opens the database, and runs one verb.

mod config;
mod notify;
mod opendata;
mod plans;
mod remote;
mod reports;
mod serve;
mod watch;
mod workers;

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use lantoa_accounts::{Accounts, NewUser};
use lantoa_core::Role;
use lantoa_registry::Registry;
use lantoa_store::{Db, migrate};

use config::{Config, Flags};

/// mimalloc instead of the system allocator: under many concurrent requests glibc's malloc spent
/// about 40% of the server's CPU in allocation and its arena locks (measured with `perf` during
/// `cargo xtask bench web`).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Lantoa: the working platform of a city Department of Information and Communications.
#[derive(Parser)]
#[command(name = "lantoa", version, about, long_about = None)]
struct Cli {
    /// Configuration file (default: ./lantoa.toml if present).
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Database URL: sqlite://path/to/file.db or postgres://user:pass@host:port/db.
    #[arg(long, global = true, value_name = "URL")]
    database: Option<String>,
    /// Folder for the SQLite database and stored files.
    #[arg(long, global = true, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the console and API, and run every worker in this process.
    Serve {
        /// Address to listen on (host:port).
        #[arg(long)]
        listen: Option<String>,
        /// Load the demo city before serving.
        #[arg(long)]
        demo: bool,
        /// Serve only; leave jobs to `lantoa worker` processes.
        #[arg(long)]
        no_workers: bool,
    },
    /// Run background workers for one or more roles (e.g. on more machines, sharing PostgreSQL).
    Worker {
        /// Roles to serve: housekeeping, crawl, opendata (more arrive with the modules).
        #[arg(long = "role", required = true)]
        roles: Vec<String>,
    },
    /// Apply database migrations and exit.
    Migrate,
    /// Manage users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Manage API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Inspect the audit log.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Load the demo city into the database.
    Demo,
    /// Digital-transformation plans and their tasks.
    Plans {
        #[command(subcommand)]
        command: PlansCommand,
    },
    /// The watch module: subjects, crawls, findings, extraction.
    Watch {
        #[command(subcommand)]
        command: WatchCommand,
    },
    /// Open data: datasets, uploads of agencies' files.
    Opendata {
        #[command(subcommand)]
        command: OpendataCommand,
    },
    /// The department's reports through a running server's API, as the token's owner.
    Reports {
        #[command(flatten)]
        remote: remote::Remote,
        #[command(subcommand)]
        command: reports::ReportsCommand,
    },
    /// SMS: recipient lists and campaigns through a running server's API, as the token's owner.
    Notify {
        #[command(flatten)]
        remote: remote::Remote,
        #[command(subcommand)]
        command: notify::NotifyCommand,
    },
}

#[derive(Subcommand)]
enum OpendataCommand {
    /// List datasets with the rows they publish.
    Datasets {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Upload a file (CSV of any size, XLSX or JSON) to a dataset: copied as it is read, queued,
    /// then followed to its end while a worker cleans and publishes it.
    Upload {
        /// The dataset's name (see `lantoa opendata datasets`).
        dataset: String,
        /// The file.
        file: PathBuf,
        /// Queue it and return without waiting for a worker.
        #[arg(long)]
        no_wait: bool,
        /// Print the result as JSON.
        #[arg(long)]
        json: bool,
        /// The day the data is as of (dd/mm/yyyy or yyyy-mm-dd): before 1/7/2025 its commune
        /// names are read as the old units. Without it the file's own dates tell.
        #[arg(long, value_parser = parse_as_of)]
        as_of: Option<chrono::NaiveDate>,
    },
    /// A dataset's uploads, newest first, with their counts and file problems.
    Uploads {
        /// The dataset's name.
        dataset: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// A page of a dataset's quarantined rows, each with its reasons.
    Quarantine {
        /// The dataset's name.
        dataset: String,
        /// open, fixed or discarded.
        #[arg(long, default_value = "open")]
        status: String,
        /// Skip this many rows.
        #[arg(long, default_value_t = 0)]
        offset: i64,
        /// At most this many rows.
        #[arg(long, default_value_t = 100)]
        limit: i64,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Fix a quarantined row: FIELD=VALUE for each cell that changes; published if it passes,
    /// else kept with its new reasons (exit 3).
    Fix {
        /// The quarantined row's id (see `lantoa opendata quarantine`).
        id: i64,
        /// FIELD=VALUE pairs, by the schema's field names.
        #[arg(required = true, value_parser = opendata::parse_cell)]
        cells: Vec<(String, String)>,
    },
}

#[derive(Subcommand)]
enum WatchCommand {
    /// Watched websites, social pages, channels, clips and posts.
    Subjects {
        #[command(subcommand)]
        command: SubjectsCommand,
    },
    /// Queue crawls of one subject or of every one (press sites first; clips and posts are reviewed from their supplied text).
    Crawl {
        /// Only this subject (its id, see `lantoa watch subjects list`).
        #[arg(long)]
        subject: Option<i64>,
        /// Run the crawls here, now, with progress, instead of leaving them to workers.
        #[arg(long)]
        once: bool,
    },
    /// List findings with their evidence (open ones first).
    Findings {
        /// Only this subject.
        #[arg(long)]
        subject: Option<i64>,
        /// Only this status: open, confirmed, dismissed.
        #[arg(long)]
        status: Option<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Enforcement cases, newest first (their state, subject, category and deadline).
    Cases {
        /// Only cases in this state (a state of the case workflow, e.g. xem_xet).
        #[arg(long)]
        state: Option<String>,
        /// Only open cases past their state's limit.
        #[arg(long)]
        overdue: bool,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// A case's evidence dossier: write it, or check one.
    Dossier {
        #[command(subcommand)]
        command: DossierCommand,
    },
    /// Retrain the harmful-content classifier on the shipped examples and reviewers' decisions; prints held-out precision and recall.
    Train,
    /// Extract an HTML file as the crawler would and print its main text (for inspection).
    Extract {
        /// The HTML file.
        file: PathBuf,
        /// The page's address, to resolve its links.
        #[arg(long)]
        url: Option<String>,
        /// Print everything extracted (title, owner block, links…) as JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum PlansCommand {
    /// Register a plan (its number must be new).
    Create {
        /// Number and symbol, e.g. 239/KH-UBND.
        #[arg(long)]
        number: String,
        /// Date, dd/mm/yyyy or YYYY-MM-DD.
        #[arg(long)]
        date: String,
        /// Who issued it.
        #[arg(long, default_value = "UBND thành phố Hà Nội")]
        issuer: String,
        /// Title.
        #[arg(long)]
        title: String,
        /// First year it covers.
        #[arg(long)]
        from: i32,
        /// Last year it covers.
        #[arg(long)]
        to: i32,
        /// The resolution it implements.
        #[arg(long, default_value = "")]
        implements: String,
    },
    /// List plans.
    List,
    /// A plan's tasks counted on a day: in all and by lead unit.
    Show {
        /// The plan's id.
        id: i64,
        /// The day (dd/mm/yyyy or YYYY-MM-DD); today when not given.
        #[arg(long)]
        on: Option<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// A page of a plan's tasks in the appendix's order: deadline, latest report, overdue.
    Tasks {
        /// The plan's id.
        id: i64,
        /// The day they are judged on; today when not given.
        #[arg(long)]
        on: Option<String>,
        /// Skip this many rows.
        #[arg(long, default_value_t = 0)]
        offset: i64,
        /// At most this many rows.
        #[arg(long, default_value_t = 200)]
        limit: i64,
        /// Only the overdue ones (of the page).
        #[arg(long)]
        overdue: bool,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Record a progress report on a task (its id, see `lantoa plans tasks`).
    Report {
        /// The task's id.
        task: i64,
        /// not_started, in_progress, done, blocked…
        #[arg(long)]
        status: String,
        /// Percent done (0–100).
        #[arg(long)]
        percent: i64,
        /// What was done.
        #[arg(long)]
        body: String,
        /// Where the evidence is (a document's number, a link).
        #[arg(long, default_value = "")]
        evidence: String,
    },
    /// A plan's indicators against a year's targets.
    Indicators {
        /// The plan's id.
        id: i64,
        /// The year (within the plan's); this year when not given.
        #[arg(long)]
        year: Option<i32>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Record an indicator's actual for a period.
    Actual {
        /// The indicator's id (see `lantoa plans indicators`).
        indicator: i64,
        /// The period: 2024, Quý II/2024, 6 tháng đầu năm 2024, 05/2024…
        #[arg(long)]
        period: String,
        /// The value (a decimal point).
        #[arg(long)]
        value: f64,
        /// Where the figure comes from.
        #[arg(long)]
        source: String,
        /// The evidence.
        #[arg(long, default_value = "")]
        evidence: String,
    },
    /// Each lead unit's digest for a day: tasks due within the reminder window not yet reported on, and overdue ones (rules: data/plans/reporting.toml).
    Reminders {
        /// The day (dd/mm/yyyy or YYYY-MM-DD); today in Hà Nội when not given.
        #[arg(long)]
        date: Option<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Import a plan's appendix (CSV or XLSX: STT, Nhiệm vụ, Đơn vị chủ trì, Đơn vị phối hợp, Thời gian hoàn thành, Sản phẩm); a preview unless --store. Exit 3 if any row is refused (then nothing is stored).
    Import {
        /// The plan's id (see `lantoa plans list`).
        plan: i64,
        /// The file.
        file: PathBuf,
        /// Store the tasks (all or none); without it, only the report.
        #[arg(long)]
        store: bool,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum DossierCommand {
    /// Write a case's dossier (captures, screenshots, findings, documents, SHA-256 manifest).
    Export {
        /// The case's id.
        case: i64,
        /// Where to write the ZIP.
        #[arg(long, short)]
        out: PathBuf,
    },
    /// Check a dossier against its manifest and name any file altered, missing or added (exit 1 if any).
    /// With the department's records at hand (`--data-dir` or `--database`), also check the
    /// manifest's signature and each capture, screenshot and document against the SHA-256 the
    /// database recorded.
    Verify {
        /// The ZIP.
        file: PathBuf,
        /// Check against the records even without --data-dir or --database (the configured
        /// database).
        #[arg(long)]
        records: bool,
    },
}

#[derive(Subcommand)]
enum SubjectsCommand {
    /// Import subjects from a CSV or XLSX file; prints a line per refused row (exit 3 if any).
    Import {
        /// The file: CSV (UTF-8) or XLSX (first sheet), headers such as Loại, Tên, URL, Đơn vị chủ quản, Mã số thuế.
        file: PathBuf,
        /// Print the whole report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// List subjects.
    List {
        /// Only this kind: website, social_network, social_account, video_channel, clip, post.
        #[arg(long)]
        kind: Option<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create a user; prints a one-time password to hand over.
    Add {
        /// Sign-in name (a-z, 0-9, '.', '-', '_').
        username: String,
        /// Full name.
        #[arg(long)]
        name: String,
        /// Roles (repeat): admin, watch_officer, inspector, communicator, approver,
        /// data_steward, agency_uploader, planner, viewer.
        #[arg(long = "role", required = true)]
        roles: Vec<String>,
    },
    /// Set a user's password: read from standard input, or --one-time to issue one.
    Passwd {
        /// The user.
        username: String,
        /// Issue a one-time password (printed) that must be changed at next sign-in.
        #[arg(long)]
        one_time: bool,
    },
    /// List users.
    List,
    /// Tie a user to an agency (an agency uploader then sees and changes only its datasets).
    Agency {
        /// The user.
        username: String,
        /// The agency's code in the units registry (e.g. SKHCN-HN); omit with --none.
        code: Option<String>,
        /// Untie the user from any agency.
        #[arg(long, conflicts_with = "code")]
        none: bool,
    },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create an API token for a user; prints the secret once.
    Create {
        /// Owner.
        #[arg(long)]
        user: String,
        /// What the token is for.
        #[arg(long)]
        name: String,
        /// Roles it carries (repeat; default: all the owner's roles).
        #[arg(long = "role")]
        roles: Vec<String>,
        /// Days until it expires (default: never).
        #[arg(long)]
        expires_days: Option<i64>,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Walk the keyed hash chain; name the first row altered or removed, and print the head
    /// to keep as the next anchor.
    Verify {
        /// An anchor kept from an earlier run (`SEQ:HASH`): the chain must still hold that row
        /// with that hash (so deleting the newest rows and rewinding the head is found).
        #[arg(long, value_name = "SEQ:HASH")]
        expect: Option<String>,
    },
}

fn parse_roles(names: &[String]) -> anyhow::Result<Vec<Role>> {
    names
        .iter()
        .map(|r| r.parse::<Role>().map_err(anyhow::Error::from))
        .collect()
}

/// Opens the database (creating the data folder for SQLite) and applies migrations.
async fn open_migrated(cfg: &Config) -> anyhow::Result<(Db, migrate::Report)> {
    if cfg.database.starts_with("sqlite:") {
        std::fs::create_dir_all(&cfg.data_dir)
            .with_context(|| format!("cannot create the data folder {}", cfg.data_dir.display()))?;
    }
    load_audit_key(cfg)?;
    let db = Db::connect_with(&cfg.database, cfg.max_connections).await?;
    let report = migrate::run(&db, &lantoa_web::MIGRATIONS).await?;
    Ok((db, report))
}

/// Loads the audit log's key: `LANTOA_AUDIT_KEY` (64 hexadecimal digits), else the file
/// `audit.key` in the data folder, made on first start. The key stays outside the database, so
/// whoever can write the database cannot rewrite the chain (docs/OPERATIONS.md).
fn load_audit_key(cfg: &Config) -> anyhow::Result<()> {
    let key = match std::env::var("LANTOA_AUDIT_KEY") {
        Ok(hex) if !hex.trim().is_empty() => {
            lantoa_store::audit::parse_key(&hex).context("LANTOA_AUDIT_KEY")?
        }
        _ => {
            std::fs::create_dir_all(&cfg.data_dir).with_context(|| {
                format!("cannot create the data folder {}", cfg.data_dir.display())
            })?;
            lantoa_store::audit::key_file(&cfg.data_dir.join("audit.key"))?
        }
    };
    lantoa_store::audit::use_key(key)?;
    Ok(())
}

async fn open(cfg: &Config) -> anyhow::Result<Db> {
    Ok(open_migrated(cfg).await?.0)
}

/// The open-data service, keeping uploaded files in the blob store.
fn opendata_service(cfg: &Config, db: &Db) -> anyhow::Result<lantoa_opendata::OpenData> {
    Ok(lantoa_opendata::OpenData::new(
        db.clone(),
        Registry::new(db.clone()),
        watch::blobs(cfg, db),
    )?)
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let file = Config::read_file(cli.config.as_deref())?;
    let env: HashMap<String, String> = std::env::vars()
        .filter(|(k, _)| k.starts_with("LANTOA_"))
        .collect();
    let listen = match &cli.command {
        Command::Serve { listen, .. } => listen.clone(),
        _ => None,
    };
    let cfg = Config::resolve(
        file,
        &env,
        &Flags {
            database: cli.database.clone(),
            data_dir: cli.data_dir.clone(),
            listen,
        },
    )?;
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_new(&cfg.log).unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();

    match cli.command {
        Command::Serve {
            demo, no_workers, ..
        } => serve::serve(cfg, demo, no_workers).await?,
        Command::Worker { roles } => {
            let db = open(&cfg).await?;
            let (dispatch, roles): (Vec<String>, Vec<String>) =
                roles.into_iter().partition(|r| r == workers::DISPATCH);
            let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
            let mut handles = Vec::new();
            if !dispatch.is_empty() {
                let d = workers::dispatcher(&cfg.notify, workers::notify(&cfg.notify, &db)?)?;
                println!(
                    "Dispatcher {} sending over {} SMSC(s).",
                    d.owner(),
                    cfg.notify.smsc.len()
                );
                handles.push(tokio::spawn(d.run(stop_rx.clone())));
            }
            if !roles.is_empty() {
                let crawler = watch::crawler(&cfg, &db, Vec::new())?;
                let worker = workers::build(&db, &roles, &crawler, &opendata_service(&cfg, &db)?)?;
                handles.push(tokio::spawn(worker.run(stop_rx)));
            }
            serve::shutdown_signal().await;
            let _ = stop_tx.send(true);
            for h in handles {
                let _ = h.await;
            }
        }
        Command::Migrate => {
            let (_, report) = open_migrated(&cfg).await?;
            if report.applied.is_empty() {
                println!("The database is up to date.");
            }
            for m in report.applied {
                println!("applied {m}");
            }
        }
        Command::User { command } => {
            let accounts = Accounts::new(open(&cfg).await?);
            match command {
                UserCommand::Add {
                    username,
                    name,
                    roles,
                } => {
                    let created = accounts
                        .create_user("cli", &NewUser::new(&username, &name, parse_roles(&roles)?))
                        .await?;
                    println!("User {} created.", created.user.username);
                    if let Some(p) = created.one_time_password {
                        println!("One-time password: {p}");
                    }
                }
                UserCommand::Passwd { username, one_time } => {
                    if one_time {
                        let user = accounts.user_by_name(&username).await?;
                        let p = accounts.issue_one_time_password("cli", user.id).await?;
                        println!("One-time password for {}: {p}", user.username);
                    } else {
                        let mut line = String::new();
                        std::io::stdin()
                            .read_line(&mut line)
                            .context("cannot read the new password from standard input")?;
                        let password = line.trim_end_matches(['\r', '\n']);
                        if password.is_empty() {
                            bail!("no password on standard input (or use --one-time)");
                        }
                        accounts
                            .set_password("cli", &username, password, false)
                            .await?;
                        println!("Password of {username} set.");
                    }
                }
                UserCommand::Agency {
                    username,
                    code,
                    none,
                } => {
                    let user = accounts.user_by_name(&username).await?;
                    let unit = match (code, none) {
                        (_, true) => None,
                        (Some(code), false) => Some(
                            Registry::new(open(&cfg).await?)
                                .by_code(lantoa_core::unit::UnitKind::Agency, &code.to_uppercase())
                                .await?
                                .with_context(|| {
                                    format!("no agency with code {code} in the units registry")
                                })?,
                        ),
                        (None, false) => bail!("give the agency's code, or --none"),
                    };
                    accounts
                        .set_unit("cli", user.id, unit.as_ref().map(|u| u.id))
                        .await?;
                    match unit {
                        Some(u) => println!(
                            "{} now uploads for {} ({}).",
                            user.username,
                            u.name,
                            u.code.unwrap_or_default()
                        ),
                        None => println!("{} is tied to no agency.", user.username),
                    }
                }
                UserCommand::List => {
                    for u in accounts.list_users().await? {
                        let roles: Vec<&str> = u.roles.iter().map(|r| r.as_str()).collect();
                        let state = if u.disabled {
                            "disabled"
                        } else if u.must_change_password {
                            "must change password"
                        } else {
                            "active"
                        };
                        println!(
                            "{:<20} {:<32} {:<40} {state}",
                            u.username,
                            u.display_name,
                            roles.join(",")
                        );
                    }
                }
            }
        }
        Command::Token {
            command:
                TokenCommand::Create {
                    user,
                    name,
                    roles,
                    expires_days,
                },
        } => {
            let accounts = Accounts::new(open(&cfg).await?);
            let expires = expires_days.map(|d| chrono::Utc::now() + chrono::Duration::days(d));
            let (token, secret) = accounts
                .create_token("cli", &user, &name, &parse_roles(&roles)?, expires)
                .await?;
            let roles: Vec<&str> = token.roles.iter().map(|r| r.as_str()).collect();
            println!(
                "Token {} ({}) for {} with roles {}:",
                token.id,
                token.name,
                token.username,
                roles.join(",")
            );
            println!("{secret}");
            println!("(shown once; send it as 'Authorization: Bearer <token>')");
        }
        Command::Audit {
            command: AuditCommand::Verify { expect },
        } => {
            let anchor = expect
                .as_deref()
                .map(str::parse::<lantoa_store::audit::Anchor>)
                .transpose()?;
            let db = open(&cfg).await?;
            let v = lantoa_store::audit::verify_with(&db, anchor.as_ref()).await?;
            match v.first_break {
                None => {
                    println!("The audit log is intact: {} rows verified.", v.rows);
                    if let Some(a) = &anchor {
                        println!("It still holds the anchored row {}.", a.seq);
                    }
                    if v.legacy_rows > 0 {
                        println!(
                            "{} early rows were written before the chain was keyed.",
                            v.legacy_rows
                        );
                    }
                    println!("Head (keep it elsewhere as the next anchor): {}", v.head);
                }
                Some(b) => {
                    println!("The audit log is broken: {b}.");
                    return Ok(ExitCode::from(2));
                }
            }
        }
        Command::Demo => {
            let db = open(&cfg).await?;
            serve::load_demo(&cfg, &db, &serve::Services::new(&cfg, &db)?).await?;
            // The demo year 2023 of enforcement, as `serve --demo` makes it: crawled from the
            // demo web, served here for the while.
            let fixed = lantoa_watch::demo_year::FixedHosts::default();
            let (addr, web) = serve::demo_web(&fixed).await?;
            let year =
                serve::demo_year(&cfg, &db, lantoa_watch::demo_web::overrides(addr), &fixed).await;
            web.abort();
            year?;
        }
        Command::Notify { remote, command } => notify::run(&remote, &cfg.listen, command).await?,
        Command::Reports { remote, command } => reports::run(&remote, &cfg.listen, command).await?,
        Command::Opendata { command } => {
            let db = open(&cfg).await?;
            let od = opendata_service(&cfg, &db)?;
            match command {
                OpendataCommand::Datasets { json } => opendata::datasets(&od, json).await?,
                OpendataCommand::Upload {
                    dataset,
                    file,
                    no_wait,
                    json,
                    as_of,
                } => {
                    let u = opendata::upload(&od, &dataset, &file, no_wait, json, as_of).await?;
                    if !no_wait || json {
                        opendata::report(&u, json)?;
                    }
                    if !no_wait && u.status != "done" {
                        return Ok(ExitCode::from(3));
                    }
                }
                OpendataCommand::Quarantine {
                    dataset,
                    status,
                    offset,
                    limit,
                    json,
                } => opendata::quarantine(&od, &dataset, &status, offset, limit, json).await?,
                OpendataCommand::Fix { id, cells } => {
                    if !opendata::fix(&od, id, cells).await? {
                        return Ok(ExitCode::from(3));
                    }
                }
                OpendataCommand::Uploads { dataset, json } => {
                    opendata::uploads(&od, &dataset, json).await?;
                }
            }
        }
        Command::Watch {
            command: WatchCommand::Crawl { subject, once },
        } => {
            let db = open(&cfg).await?;
            let crawler = watch::crawler(&cfg, &db, Vec::new())?;
            let w = watch::service(&cfg, &db)?;
            if !watch::crawl(&crawler, &w, subject, once).await? {
                return Ok(ExitCode::from(1));
            }
        }
        Command::Watch {
            command:
                WatchCommand::Findings {
                    subject,
                    status,
                    json,
                },
        } => {
            let db = open(&cfg).await?;
            let w = watch::service(&cfg, &db)?;
            let findings = w
                .findings(&lantoa_watch::FindingQuery {
                    subject_id: subject,
                    status,
                    category: None,
                    limit: 500,
                    offset: 0,
                    sort: Default::default(),
                })
                .await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&findings)?);
            } else {
                for f in &findings {
                    println!(
                        "#{} [{}] {} · {} · {} (weight {})\n    {}\n    {}\n    capture {}",
                        f.id,
                        f.status,
                        f.subject_name,
                        f.category.as_str(),
                        f.rule_id,
                        f.weight,
                        f.url,
                        f.evidence,
                        f.warc_sha256.as_deref().unwrap_or("-")
                    );
                }
                println!("{} findings.", findings.len());
            }
        }
        Command::Watch {
            command:
                WatchCommand::Cases {
                    state,
                    overdue,
                    json,
                },
        } => {
            let db = open(&cfg).await?;
            let w = watch::service(&cfg, &db)?;
            if let Some(s) = &state
                && w.case_rules().state(s).is_none()
            {
                bail!(
                    "--state {s}: not a state of the case workflow; states are {}",
                    w.case_rules()
                        .states()
                        .iter()
                        .map(|s| s.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                );
            }
            let cases = if overdue {
                w.overdue_cases().await?
            } else {
                w.cases(state.as_deref()).await?
            };
            if json {
                println!("{}", serde_json::to_string_pretty(&cases)?);
            } else {
                for c in &cases {
                    let due = c
                        .due_at
                        .map(|d| {
                            lantoa_core::time::from_micros(d)
                                .format("%Y-%m-%d %H:%M UTC")
                                .to_string()
                        })
                        .unwrap_or_else(|| "-".into());
                    println!(
                        "#{} [{}] {} · subject {} · {} · due {due}",
                        c.id, c.state, c.title, c.subject_id, c.category
                    );
                }
                println!("{} cases.", cases.len());
            }
        }
        Command::Plans { command } => {
            let db = open(&cfg).await?;
            let plans = lantoa_plans::Plans::new(db.clone(), Registry::new(db.clone()));
            match command {
                PlansCommand::Create {
                    number,
                    date,
                    issuer,
                    title,
                    from,
                    to,
                    implements,
                } => {
                    let p = plans
                        .create(
                            "cli",
                            &lantoa_plans::NewPlan {
                                number,
                                issued_on: date,
                                issuer,
                                title,
                                from_year: from,
                                to_year: to,
                                implements,
                            },
                        )
                        .await?;
                    println!(
                        "Plan {} registered: {} ({}–{}).",
                        p.id, p.number, p.from_year, p.to_year
                    );
                }
                PlansCommand::Reminders { date, json } => {
                    let day = match date {
                        Some(d) => lantoa_core::time::parse_day(&d).with_context(|| {
                            format!("--date {d}: not a date (dd/mm/yyyy or YYYY-MM-DD)")
                        })?,
                        None => lantoa_core::time::now().date_naive(),
                    };
                    let rules = lantoa_plans::ReminderRules::builtin()?;
                    let digests = plans.digests(&rules, day).await?;
                    if json {
                        println!("{}", serde_json::to_string_pretty(&digests)?);
                    } else {
                        let registry = Registry::new(db.clone());
                        for d in &digests {
                            println!("{}:", registry.get(d.unit_id).await?.name);
                            for (what, items) in [
                                ("due", &d.due_soon),
                                ("progress report due", &d.reports_due),
                                ("OVERDUE since", &d.overdue),
                            ] {
                                for i in items {
                                    println!(
                                        "  {what} {} · {} {} · {}",
                                        i.due.format("%d/%m/%Y"),
                                        i.plan,
                                        i.code,
                                        i.title
                                    );
                                }
                            }
                        }
                        println!(
                            "{} units to remind on {}.",
                            digests.len(),
                            day.format("%d/%m/%Y")
                        );
                    }
                }
                PlansCommand::List => {
                    for p in plans.plans().await? {
                        let tasks = plans.tasks(p.id).await?.len();
                        println!(
                            "#{} {} ngày {} · {} · {}–{} · {tasks} tasks",
                            p.id,
                            p.number,
                            p.issued_on.format("%d/%m/%Y"),
                            p.title,
                            p.from_year,
                            p.to_year
                        );
                    }
                }
                PlansCommand::Show { id, on, json } => {
                    plans::show(&plans, &Registry::new(db.clone()), id, on.as_deref(), json).await?
                }
                PlansCommand::Tasks {
                    id,
                    on,
                    offset,
                    limit,
                    overdue,
                    json,
                } => plans::tasks(&plans, id, on.as_deref(), offset, limit, overdue, json).await?,
                PlansCommand::Report {
                    task,
                    status,
                    percent,
                    body,
                    evidence,
                } => {
                    plans::report(
                        &plans,
                        task,
                        &lantoa_plans::NewReport {
                            status,
                            percent,
                            body,
                            evidence,
                        },
                    )
                    .await?
                }
                PlansCommand::Indicators { id, year, json } => {
                    plans::indicators(&plans, id, year, json).await?
                }
                PlansCommand::Actual {
                    indicator,
                    period,
                    value,
                    source,
                    evidence,
                } => {
                    plans::actual(
                        &plans,
                        indicator,
                        &lantoa_plans::NewActual {
                            period,
                            value,
                            source,
                            evidence,
                        },
                    )
                    .await?
                }
                PlansCommand::Import {
                    plan,
                    file,
                    store,
                    json,
                } => {
                    let bytes = std::fs::read(&file)
                        .with_context(|| format!("cannot read {}", file.display()))?;
                    let r = plans
                        .import_appendix("cli", plan, &bytes, store)
                        .await
                        .with_context(|| format!("{}", file.display()))?;
                    if json {
                        println!("{}", serde_json::to_string_pretty(&r)?);
                    } else {
                        for row in &r.rows {
                            for p in &row.problems {
                                println!(
                                    "line {} ({}): {}: {}",
                                    row.line, row.code, p.field, p.message
                                );
                            }
                            for n in &row.notes {
                                println!("line {} ({}): note: {n}", row.line, row.code);
                            }
                        }
                        println!(
                            "{} new, {} updated, {} unchanged, {} refused; {}",
                            r.new,
                            r.updated,
                            r.unchanged,
                            r.refused,
                            if r.stored {
                                "stored."
                            } else if r.refused > 0 {
                                "nothing stored (fix the refused rows and import again)."
                            } else {
                                "a preview: nothing stored (add --store)."
                            }
                        );
                    }
                    if r.refused > 0 {
                        return Ok(ExitCode::from(3));
                    }
                }
            }
        }
        Command::Watch {
            command:
                WatchCommand::Dossier {
                    command: DossierCommand::Verify { file, records },
                },
        } => {
            let with_records = records || cli.data_dir.is_some() || cli.database.is_some();
            let service = if with_records {
                let db = open(&cfg).await?;
                Some(watch::service(&cfg, &db)?)
            } else {
                None
            };
            if !watch::verify_dossier(&file, service.as_ref()).await? {
                return Ok(ExitCode::from(1));
            }
        }
        Command::Watch {
            command:
                WatchCommand::Dossier {
                    command: DossierCommand::Export { case, out },
                },
        } => {
            let db = open(&cfg).await?;
            let bytes = watch::service(&cfg, &db)?.dossier(case).await?;
            std::fs::write(&out, &bytes)
                .with_context(|| format!("cannot write {}", out.display()))?;
            println!(
                "Dossier of case {case}: {} ({} bytes).",
                out.display(),
                bytes.len()
            );
        }
        Command::Watch {
            command: WatchCommand::Train,
        } => {
            let db = open(&cfg).await?;
            let w = watch::service(&cfg, &db)?;
            let (info, _) = w.train("cli", &watch::blobs(&cfg, &db)).await?;
            println!(
                "model {}: {} examples ({} reviewers' decisions), {} held out: precision {:.2}, recall {:.2}",
                info.id, info.examples, info.decisions, info.held_out, info.precision, info.recall
            );
        }
        Command::Watch {
            command: WatchCommand::Extract { file, url, json },
        } => {
            let bytes =
                std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let base = url
                .as_deref()
                .map(url::Url::parse)
                .transpose()
                .context("--url is not an absolute address")?;
            let decoded = lantoa_watch::crawl::charset::decode(&bytes, None);
            let x = lantoa_watch::extract::extract(&decoded.text, base.as_ref());
            if json {
                print_out(&serde_json::to_string_pretty(&x)?)?;
            } else {
                print_out(&x.main_text)?;
            }
        }
        Command::Watch {
            command: WatchCommand::Subjects { command },
        } => {
            let db = open(&cfg).await?;
            let watch = watch::service(&cfg, &db)?;
            match command {
                SubjectsCommand::Import { file, json } => {
                    let bytes = std::fs::read(&file)
                        .with_context(|| format!("cannot read {}", file.display()))?;
                    let report = watch
                        .import("cli", &bytes)
                        .await
                        .with_context(|| format!("{}", file.display()))?;
                    if json {
                        println!("{}", serde_json::to_string_pretty(&report)?);
                    } else {
                        for row in &report.rows {
                            if let lantoa_watch::RowStatus::Rejected { field, reason } = &row.status
                            {
                                println!("{}:{}: {field}: {reason}", file.display(), row.line);
                            }
                        }
                        println!(
                            "{}: {} added, {} already registered, {} refused.",
                            file.display(),
                            report.created,
                            report.already,
                            report.rejected
                        );
                    }
                    if report.rejected > 0 {
                        return Ok(ExitCode::from(3));
                    }
                }
                SubjectsCommand::List { kind, json } => {
                    let kind = kind
                        .map(|k| k.parse::<lantoa_watch::SubjectKind>())
                        .transpose()?;
                    let (subjects, _) = watch
                        .list(&lantoa_watch::ListQuery {
                            kind,
                            q: None,
                            limit: 500,
                            offset: 0,
                            sort: Default::default(),
                        })
                        .await?;
                    if json {
                        println!("{}", serde_json::to_string_pretty(&subjects)?);
                    } else {
                        for s in subjects {
                            println!(
                                "{:<6} {:<15} {:<40} {}",
                                s.id,
                                s.kind.as_str(),
                                s.url,
                                s.name
                            );
                        }
                    }
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes `text` and a newline to standard output. A reader that stops early (`| head`)
/// closes the pipe: that ends the output quietly instead of panicking as `println!` does.
fn print_out(text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out
        .write_all(text.as_bytes())
        .and_then(|()| out.write_all(b"\n"))
        .and_then(|()| out.flush())
    {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("lantoa: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            let chain: Vec<String> = e.chain().map(ToString::to_string).collect();
            eprintln!("lantoa: {}", chain.join(": "));
            ExitCode::FAILURE
        }
    }
}

/// `--as-of`: a day as every form reads one.
fn parse_as_of(s: &str) -> Result<chrono::NaiveDate, String> {
    lantoa_core::time::parse_day(s)
        .ok_or_else(|| format!("\"{s}\" is not a date (dd/mm/yyyy or yyyy-mm-dd)"))
}
