//! `lantoa serve` and the demo city: the services built once and shared by the console, the
//! workers and the dispatcher; the demo's SMSC, web, screenshots and data.

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use lantoa_accounts::Accounts;
use lantoa_registry::Registry;
use lantoa_store::Db;

use crate::config::Config;
use crate::{open, opendata_service, watch, workers};

/// The module services of one process, built once: the console, the workers, the dispatcher
/// and the demo's loaders share them (and what each keeps in memory, such as the notify
/// service's signal that wakes its dispatcher on an approval).
#[derive(Clone)]
pub struct Services {
    pub watch: lantoa_watch::Watch,
    pub notify: lantoa_notify::Notify,
    pub opendata: lantoa_opendata::OpenData,
    pub blobs: lantoa_store::blob::BlobStore,
}

impl Services {
    /// The services as `cfg` configures them, over `db`.
    pub fn new(cfg: &Config, db: &Db) -> anyhow::Result<Self> {
        let blobs = watch::blobs(cfg, db);
        Ok(Self {
            watch: watch::service(cfg, db)?,
            notify: workers::notify(&cfg.notify, db)?.with_blobs(blobs.clone()),
            opendata: opendata_service(cfg, db)?,
            blobs,
        })
    }
}

/// Starts the demo SMSC and points the dispatcher at it; quiet hours are off in the demo (a
/// rules file in the data folder says so) so that a newcomer can send at any hour.
async fn demo_smsc(
    cfg: &mut Config,
    stop: tokio::sync::watch::Receiver<bool>,
) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .context("cannot open a port for the demo SMSC")?;
    let port = listener.local_addr()?.port();
    tokio::spawn(lantoa_notify::demo_smsc::serve(listener, stop));
    if cfg.notify.rules.is_none() {
        let rules = cfg.data_dir.join("demo-notify-rules.toml");
        std::fs::create_dir_all(&cfg.data_dir)?;
        std::fs::write(
            &rules,
            lantoa_notify::rules::BUILTIN_TEXT
                .replace("allowed_from = \"07:00\"", "allowed_from = \"00:00\"")
                .replace("allowed_until = \"22:00\"", "allowed_until = \"00:00\""),
        )?;
        cfg.notify.rules = Some(rules);
    }
    cfg.notify.smsc = vec![lantoa_notify::demo_smsc::smsc(port)];
    println!(
        "Demo SMSC: 127.0.0.1:{port}, with delivery receipts (numbers ending in 7 come back undeliverable); quiet hours are off in the demo."
    );
    Ok(())
}

/// The demo city's year 2023 of enforcement, crawled from the demo web and worked through
/// the case services on a clock moved through the year (once; see lantoa_watch::demo_year).
pub async fn demo_year(
    cfg: &Config,
    db: &Db,
    overrides: Vec<(String, std::net::SocketAddr)>,
    fixed: &lantoa_watch::demo_year::FixedHosts,
) -> anyhow::Result<()> {
    let clock = lantoa_store::Clock::manual(chrono::Utc::now());
    let year_watch = watch::service(cfg, db)?.with_clock(clock);
    // The demo web is ours and on loopback: no politeness delay for the year's sites.
    let mut year_cfg = cfg.clone();
    year_cfg.watch.delay_ms = Some(0);
    let crawler = watch::crawler_over(&year_cfg, db, overrides, year_watch)?;
    let bar = ProgressBar::new(12);
    bar.set_style(
        ProgressStyle::with_template("{msg:32} {bar:40} {pos}/{len}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.set_message("Demo year 2023, month by month");
    let report = crawler
        .load_demo_year(fixed, &|m| bar.set_position(u64::from(m)))
        .await?;
    bar.finish_and_clear();
    if report.loaded {
        println!(
            "Demo year 2023: {} crawls, {} cases, {} documents, {} re-checks (see Giám sát thông tin → Vụ việc; the year's figures: GET /api/v1/watch/figures?from=2023-01-01&to=2023-12-31).",
            report.crawls, report.cases, report.documents, report.rechecks
        );
    }
    Ok(())
}

/// Serves the demo's fictional web on a free loopback port until the task is aborted or the
/// process ends.
pub async fn demo_web(
    fixed: &lantoa_watch::demo_year::FixedHosts,
) -> anyhow::Result<(std::net::SocketAddr, tokio::task::JoinHandle<()>)> {
    let web = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .context("cannot open a port for the demo web")?;
    let addr = web.local_addr()?;
    let router = lantoa_watch::demo_web::router_with(fixed.clone());
    let task = tokio::spawn(async move {
        if let Err(e) = axum::serve(web, router).await {
            tracing::warn!(error = %e, "the demo web stopped");
        }
    });
    Ok((addr, task))
}

/// Starts `chromedriver` on a free loopback port for the demo's screenshots, if it is on the
/// path; the child stops with the process. Without it the demo runs without screenshots and
/// says so.
async fn demo_chromedriver(cfg: &mut Config) -> Option<tokio::process::Child> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .ok()?;
    let child = tokio::process::Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn();
    let Ok(child) = child else {
        println!(
            "Demo screenshots: off (no chromedriver on the path; pages with findings get none)."
        );
        return None;
    };
    for _ in 0..50 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            cfg.watch.webdriver = Some(format!("http://127.0.0.1:{port}"));
            println!(
                "Demo screenshots: chromedriver on 127.0.0.1:{port} renders each page with findings from its capture."
            );
            return Some(child);
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    println!("Demo screenshots: off (chromedriver did not start).");
    None
}

pub async fn load_demo(cfg: &Config, db: &Db, services: &Services) -> anyhow::Result<()> {
    let registry = Registry::new(db.clone());
    let bar = ProgressBar::new(127);
    bar.set_style(
        ProgressStyle::with_template("{msg:32} {bar:40} {pos}/{len}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.set_message("Hà Nội communes and wards");
    let report = registry
        .load_hanoi_communes("demo", |done, total| {
            bar.set_length(total as u64);
            bar.set_position(done as u64);
        })
        .await?;
    bar.finish_and_clear();
    let units = registry
        .load_demo("demo", lantoa_registry::DEMO_CITY)
        .await?;
    println!(
        "Demo city: {} communes and wards registered ({} already there), {} agencies, enterprises, press agencies and people added.",
        report.created, report.already, units
    );
    let watch = &services.watch;
    let subjects = watch
        .import_csv("demo", lantoa_watch::DEMO_SUBJECTS.as_bytes())
        .await?;
    println!(
        "Demo watch subjects: {} added ({} already there).",
        subjects.created, subjects.already
    );
    if let Some(r) = lantoa_plans::Plans::new(db.clone(), registry.clone())
        .load_demo("demo")
        .await?
    {
        println!(
            "Demo plan: {} with {} sections and tasks imported from its appendix, its committee, a year of progress reports and the DTI years (see Kế hoạch chuyển đổi số).",
            lantoa_plans::DEMO_NUMBER,
            r.new
        );
    }
    let cases = watch.load_demo_cases().await?;
    println!("Demo enforcement cases: {cases} opened (see Giám sát thông tin → Vụ việc).");
    let notify = &services.notify;
    let spinner = ProgressBar::new_spinner();
    spinner.set_message("Demo year 2023: SMS, alerts and loudspeakers");
    spinner.enable_steady_tick(std::time::Duration::from_millis(120));
    let year = notify.load_demo_year("demo").await?;
    spinner.finish_and_clear();
    if year.campaigns > 0 {
        println!(
            "Demo year 2023, notify: {} campaigns sent to a demo SMSC of their own ({} messages, {} delivered), {} alert read out on the loudspeakers ({} plays reported).",
            year.campaigns, year.messages, year.delivered, year.alerts, year.plays
        );
    }
    let sms = notify.load_demo("demo").await?;
    println!(
        "Demo SMS: {} recipient lists and {} campaigns added (two being sent to the demo SMSC, one awaiting approval; see Thông tin đến người dân).",
        sms.lists + year.lists,
        sms.campaigns
    );
    if sms.clusters + year.clusters > 0 {
        println!(
            "Demo loudspeakers: {} clusters and {} bulletins (see Thông tin đến người dân → Loa truyền thanh cơ sở).",
            sms.clusters + year.clusters,
            sms.bulletins
        );
    }
    if let Some(token) = sms.speaker_token.as_ref().or(year.speaker_token.as_ref()) {
        println!(
            "  A cluster's device API: curl -H 'Authorization: Bearer {token}' http://{}/speakers/v1/playlist",
            cfg.listen
        );
    }
    if sms.notices > 0 {
        println!(
            "Demo orientation notices: {} issued to the press and commune information points, one confirmed read (see Định hướng tuyên truyền).",
            sms.notices
        );
    }
    if let Some(why) = sms.speech_missing.as_ref().or(year.speech_missing.as_ref()) {
        println!(
            "  No bulletin was spoken: {why}. Install espeak-ng (apt install espeak-ng) or set [notify.speech]."
        );
    }
    if sms.alerts > 0 {
        println!(
            "Demo alerts: {} CAP alerts (one public on /alerts and /alerts/feed.atom, one drill the public never sees, one received from another agency that waits for a second person's approval).",
            sms.alerts
        );
    }
    let reports = lantoa_reports::Reports::new(db.clone(), lantoa_reports::Sources::default())?;
    let made = reports.load_demo("demo").await?;
    if !made.is_empty() {
        println!(
            "Demo reports: {} annual reports, drafts — 2023's from the demo year's records, and this year's (see Báo cáo).",
            made.len()
        );
    }
    let datasets = services.opendata.load_demo("demo").await?;
    println!(
        "Demo open data: {} datasets created ({} already there), {} files queued, {} file of the demo year 2023 read and corrected on that year's days (see Dữ liệu mở in the console).",
        datasets.created, datasets.already, datasets.queued, datasets.earlier
    );
    Ok(())
}

pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}

pub async fn serve(mut cfg: Config, demo: bool, no_workers: bool) -> anyhow::Result<()> {
    let db = open(&cfg).await?;
    // The demo's SMSC: on loopback, with receipts, unless real SMSCs are configured.
    let (_demo_smsc_stop, demo_smsc_stop) = tokio::sync::watch::channel(false);
    if demo && cfg.notify.smsc.is_empty() {
        demo_smsc(&mut cfg, demo_smsc_stop).await?;
    }
    let accounts = Accounts::new(db.clone());
    if let Some(password) = accounts.ensure_admin().await? {
        println!("Administrator account created.");
        println!("  user name:          admin");
        println!("  one-time password:  {password}");
        println!("  (shown once; you must change it at first sign-in)");
    }
    // After the demo SMSC is in the configuration: the dispatcher's notify service is this one.
    let services = Services::new(&cfg, &db)?;
    if demo {
        load_demo(&cfg, &db, &services).await?;
    }
    // The demo's fictional web: served on loopback, and the crawler resolves its hosts there.
    let demo_fixed = lantoa_watch::demo_year::FixedHosts::default();
    let overrides = if demo {
        let (web_addr, _) = demo_web(&demo_fixed).await?;
        println!(
            "Demo web: {} fictional sites on http://{web_addr}/ (the crawler resolves them there).",
            lantoa_watch::demo_web::hosts().len()
        );
        lantoa_watch::demo_web::overrides(web_addr)
    } else {
        Vec::new()
    };
    // The demo's screenshots: a chromedriver of its own when one is installed.
    let _demo_chromedriver = if demo && cfg.watch.webdriver.is_none() {
        demo_chromedriver(&mut cfg).await
    } else {
        None
    };
    let crawler = watch::crawler_over(&cfg, &db, overrides.clone(), services.watch.clone())?;
    if demo {
        demo_year(&cfg, &db, overrides, &demo_fixed).await?;
        let w = &services.watch;
        let hosts = lantoa_watch::demo_web::hosts();
        let (subjects, _) = w
            .list(&lantoa_watch::ListQuery {
                kind: None,
                q: None,
                limit: 500,
                offset: 0,
                sort: Default::default(),
            })
            .await?;
        let mut demo_subjects: Vec<_> = subjects
            .into_iter()
            .filter(|s| {
                // The year 2023's subjects were crawled on their days already.
                !s.url.contains("nam2023")
                    && (hosts.contains(&s.host.as_str())
                        || matches!(
                            s.kind,
                            lantoa_watch::SubjectKind::Clip | lantoa_watch::SubjectKind::Post
                        ))
            })
            .collect();
        demo_subjects.sort_by_key(|s| (!s.is_press, s.id));
        for s in &demo_subjects {
            crawler.enqueue("demo", s.id).await?;
        }
        println!(
            "Demo crawls: {} subjects queued (see Giám sát thông tin → Lượt thu thập in the console).",
            demo_subjects.len()
        );
    }
    let listener = tokio::net::TcpListener::bind(&cfg.listen)
        .await
        .with_context(|| format!("cannot listen on {}", cfg.listen))?;
    let addr = listener.local_addr()?;
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let mut tasks = Vec::new();
    // One notify service for the console, the dispatcher and the broadcasts: an approval in
    // the console wakes this process's dispatcher at once.
    let notify = services.notify.clone();
    if !no_workers {
        // One worker per role, so a steward's upload never waits behind the polite crawls of
        // the watch module (a crawl can take minutes by design).
        let od = services.opendata.clone();
        for role in workers::ALL_ROLES {
            tasks.push(tokio::spawn(
                workers::build(&db, &[role.to_owned()], &crawler, &od)?.run(stop_rx.clone()),
            ));
        }
        tasks.push(tokio::spawn(workers::schedule(db.clone(), stop_rx.clone())));
        tasks.push(tokio::spawn(workers::rechecks(
            crawler.clone(),
            stop_rx.clone(),
        )));
        if !cfg.notify.smsc.is_empty() {
            let d = workers::dispatcher(&cfg.notify, notify.clone())?;
            tasks.push(tokio::spawn(d.run(stop_rx.clone())));
        }
        if !cfg.notify.broadcast.is_empty() {
            tasks.push(tokio::spawn(workers::broadcasts(
                notify.clone(),
                stop_rx.clone(),
            )));
        }
    }
    let state = lantoa_web::AppState::new(
        db.clone(),
        cfg.web.clone(),
        lantoa_web::Modules {
            watch: services.watch.clone(),
            crawler,
            opendata: services.opendata.clone(),
            notify,
            plans: lantoa_plans::Plans::new(db.clone(), Registry::new(db.clone()))
                .with_blobs(services.blobs.clone()),
        },
    );
    if demo {
        // The demo plan's computed indicators, read once from the modules that own them.
        let plan = state
            .plans
            .plans()
            .await?
            .into_iter()
            .find(|p| p.number == lantoa_plans::DEMO_NUMBER);
        if let Some(plan) = plan {
            let today = lantoa_core::time::now().date_naive();
            let read = lantoa_web::measures::refresh(
                &state,
                "demo",
                &[lantoa_core::Role::Planner],
                plan.id,
                today,
            )
            .await
            .map_err(|e| anyhow::anyhow!(e.message))?;
            println!(
                "Demo plan: {} computed indicator(s) read from their modules.",
                read.iter().filter(|r| r.value.is_some()).count()
            );
        }
    }
    if !no_workers {
        // The day's reminders to lead units, as an SMS campaign for approval, each morning.
        tasks.push(tokio::spawn(lantoa_web::reminders::every_morning(
            state.clone(),
            stop_rx.clone(),
        )));
    }
    let app = lantoa_web::router(state);
    println!("Lantoa console: http://{addr}/");
    tracing::info!(%addr, database = %lantoa_store::redact(&cfg.database), "serving");
    lantoa_web::serve(
        listener,
        app,
        std::time::Duration::from_secs(cfg.web.header_timeout_secs.max(1)),
        shutdown_signal(),
    )
    .await?;
    let _ = stop_tx.send(true);
    for t in tasks {
        let _ = t.await;
    }
    db.close().await;
    Ok(())
}
