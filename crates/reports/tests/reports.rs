//! The department's report: figures read from the modules for a period (by the calendar or by
//! Decree 09's cut-off days), compared with last year and the plan; texts in versions; draft,
//! review, approval by a second person, the figures kept once approved; a section that has no
//! data or whose module fails says so; the DOCX made from it, final only once approved.
//! SQLite in `cargo test`, PostgreSQL in `cargo xtask test`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers: a panic is the failure report

mod common;

use chrono::{NaiveDate, TimeZone, Utc};
use common::{hanoi, notice_at, setup};
use lantoa_reports::{Error, Reports, Sources, export};
use lantoa_store::Clock;
use lantoa_store::testing::TestDb;

fn value(c: &lantoa_reports::Contents, key: &str) -> Option<f64> {
    c.sections.iter().find_map(|s| s.value(key))
}

#[tokio::test]
async fn each_cut_off_rule_counts_its_own_days() {
    let s = setup(hanoi(2024, 1, 1, 8, 0)).await;
    s.notify
        .add_outlet("tt", "Báo A", "press", "", "a@b")
        .await
        .unwrap();
    // The last minute of 14/3 and the first of 15/3, Hà Nội time.
    notice_at(&s, hanoi(2024, 3, 14, 23, 59), "1/HD").await;
    notice_at(&s, hanoi(2024, 3, 15, 0, 0), "2/HD").await;
    notice_at(&s, hanoi(2024, 3, 31, 23, 59), "3/HD").await;
    let q1_decree = s
        .reports
        .create("tt", "quarterly", 2024, 1, "decree09")
        .await
        .unwrap();
    assert_eq!(
        (q1_decree.from, q1_decree.to, q1_decree.label.as_str()),
        (
            NaiveDate::from_ymd_opt(2023, 12, 15).unwrap(),
            NaiveDate::from_ymd_opt(2024, 3, 14).unwrap(),
            "Quý I/2024"
        )
    );
    let q2_decree = s
        .reports
        .create("tt", "quarterly", 2024, 2, "decree09")
        .await
        .unwrap();
    let q1_calendar = s
        .reports
        .create("tt", "quarterly", 2024, 1, "calendar")
        .await
        .unwrap();
    let m3 = s
        .reports
        .create("tt", "monthly", 2024, 3, "decree09")
        .await
        .unwrap();
    let half = s
        .reports
        .create("tt", "half_yearly", 2024, 1, "decree09")
        .await
        .unwrap();
    let year = s
        .reports
        .create("tt", "yearly", 2024, 1, "calendar")
        .await
        .unwrap();
    for (r, want) in [
        (&q1_decree, 1.0),
        (&q2_decree, 2.0),
        (&q1_calendar, 3.0),
        (&m3, 1.0),
        (&half, 3.0),
        (&year, 3.0),
    ] {
        let c = s.reports.contents(r).await.unwrap();
        assert_eq!(value(&c, "notify.notices"), Some(want), "{}", r.label);
    }
    // The same period twice, and periods that do not exist, are refused by name.
    let e = s
        .reports
        .create("tt", "quarterly", 2024, 1, "decree09")
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Duplicate(_)), "{e}");
    for (f, n, cut, field) in [
        ("quarterly", 5, "decree09", "n"),
        ("weekly", 1, "decree09", "frequency"),
        ("yearly", 1, "lunar", "cutoff"),
    ] {
        match s.reports.create("tt", f, 2024, n, cut).await {
            Err(Error::Invalid { field: got, .. }) => assert_eq!(got, field),
            other => panic!("{field}: {other:?}"),
        }
    }
}

#[tokio::test]
async fn a_period_without_data_or_a_module_says_so_and_the_rest_renders() {
    let s = setup(hanoi(2024, 6, 1, 8, 0)).await;
    let r = s
        .reports
        .create("tt", "yearly", 2023, 1, "calendar")
        .await
        .unwrap();
    let c = s.reports.contents(&r).await.unwrap();
    let by = |f: &str| c.sections.iter().find(|x| x.field == f).unwrap();
    // Watch and Open data are not in this process: their sections say which, no figures.
    let watch = by("watch");
    assert!(watch.figures.is_empty());
    assert!(
        watch
            .error
            .as_deref()
            .unwrap()
            .contains("watch module is not configured")
    );
    // Notify and Plans answered with nothing for the year: empty, not errors.
    assert!(by("notify").is_empty() && by("notify").error.is_none());
    assert!(by("plans").is_empty());
    let views = export::fields(&c, s.reports.labels(), export::Lang::Vi);
    let notify = views.iter().find(|v| v.field == "notify").unwrap();
    assert!(notify.empty && notify.rows.is_empty() && notify.chart.is_none());
    // The document says it too, section by section.
    let docx = export::docx(
        &r,
        &c,
        s.reports.labels(),
        &lantoa_docs::Agencies::builtin().unwrap(),
        NaiveDate::from_ymd_opt(2024, 6, 1).unwrap(),
        false,
    )
    .unwrap();
    let text = lantoa_docs::docx_text(&docx).unwrap();
    assert!(
        text.contains("Không có số liệu trong kỳ báo cáo."),
        "{text}"
    );
    assert!(
        text.contains("Không lấy được số liệu của lĩnh vực này: the watch module"),
        "{text}"
    );
    assert!(text.contains("BÁO CÁO (DỰ THẢO)"), "{text}");
    // A report missing a module is not approved.
    s.reports.submit("tt", r.id).await.unwrap();
    let e = s.reports.approve("giamdoc", r.id).await.unwrap_err();
    assert!(
        e.to_string().contains("watch section has no figures"),
        "{e}"
    );
}

#[tokio::test]
async fn texts_keep_versions_and_an_approved_report_keeps_its_figures() {
    let s = setup(hanoi(2024, 1, 1, 8, 0)).await;
    s.notify
        .add_outlet("tt", "Báo A", "press", "", "a@b")
        .await
        .unwrap();
    notice_at(&s, hanoi(2024, 2, 1, 9, 0), "1/HD").await;
    // Last year's same quarter had two.
    let reports = s.reports.clone();
    let r = reports
        .create("tt", "quarterly", 2024, 1, "calendar")
        .await
        .unwrap();
    reports
        .write("tt", r.id, "notify", "Bản thứ nhất.")
        .await
        .unwrap();
    let t2 = reports
        .write("tt", r.id, "notify", "Bản thứ hai.")
        .await
        .unwrap();
    assert_eq!(t2.version, 2);
    assert_eq!(reports.history(r.id, "notify").await.unwrap().len(), 2);
    let e = reports.write("tt", r.id, "gossip", "x").await.unwrap_err();
    assert!(
        matches!(
            e,
            Error::Invalid {
                field: "section",
                ..
            }
        ),
        "{e}"
    );
    reports
        .set_target("tt", r.id, "notify.notices", Some(4.0))
        .await
        .unwrap();
    let e = reports
        .set_target("tt", r.id, "notify.nothing", Some(1.0))
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            Error::Invalid {
                field: "figure",
                ..
            }
        ),
        "{e}"
    );
    let e = reports
        .set_target("tt", r.id, "notify.notices", Some(-1.0))
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            Error::Invalid {
                field: "target",
                ..
            }
        ),
        "{e}"
    );
    let c = reports.contents(&r).await.unwrap();
    let row = export::fields(&c, reports.labels(), export::Lang::Vi)
        .into_iter()
        .find(|f| f.field == "notify")
        .unwrap()
        .rows
        .into_iter()
        .find(|r| r.key == "notify.notices")
        .unwrap();
    assert_eq!(
        (
            row.target.as_str(),
            row.actual.as_str(),
            row.of_plan.as_str(),
            row.last_year.as_str()
        ),
        // The year before had no records of the field: "—", not 0.
        ("4", "1", "25%", "—")
    );
    assert_eq!(row.link, "/notify/notices");

    // Review and approval: not by who submitted it; figures kept as approved.
    let r = reports.submit("tt", r.id).await.unwrap();
    let e = reports
        .write("tt", r.id, "notify", "late")
        .await
        .unwrap_err();
    assert!(e.to_string().contains("only a draft"), "{e}");
    let e = reports.approve("tt", r.id).await.unwrap_err();
    assert!(e.to_string().contains("someone other"), "{e}");
    let e = reports.approve("tt (token 9)", r.id).await.unwrap_err();
    assert!(e.to_string().contains("someone other"), "{e}");
    // Watch and Open data are absent here, so approval is refused; give the report a full set.
    assert!(reports.approve("giamdoc", r.id).await.is_err());
}

#[tokio::test]
async fn final_export_needs_approval() {
    let s = setup(hanoi(2024, 6, 1, 8, 0)).await;
    let r = s
        .reports
        .create("tt", "yearly", 2023, 1, "calendar")
        .await
        .unwrap();
    let c = s.reports.contents(&r).await.unwrap();
    let e = export::docx(
        &r,
        &c,
        s.reports.labels(),
        &lantoa_docs::Agencies::builtin().unwrap(),
        NaiveDate::from_ymd_opt(2024, 6, 1).unwrap(),
        true,
    )
    .unwrap_err();
    assert!(
        e.to_string()
            .contains("only an approved report is exported as final"),
        "{e}"
    );
}

#[test]
fn values_are_written_as_vietnamese_documents_write_them() {
    assert_eq!(export::written(1234567.0, "VND"), "1.234.567 VND");
    assert_eq!(export::written(97.5, "%"), "97,5%");
    assert_eq!(export::written(155.0, ""), "155");
    assert_eq!(export::written(-12.25, "%"), "-12,3%");
}

#[test]
fn a_chart_becomes_a_png() {
    let svg = lantoa_core::chart::hbars(
        "c",
        "Clip",
        &[lantoa_core::chart::BarRow {
            label: "Clip đã rà soát".into(),
            values: vec![234.0],
        }],
        &[("Kỳ báo cáo", "#1f5fa8")],
    );
    let (png, (w, h)) = export::png(&svg).unwrap();
    assert_eq!(&png[1..4], b"PNG");
    assert!(w > 400 && h > 50, "{w}×{h}");
}

/// The media a DOCX holds.
fn media(docx: &[u8]) -> usize {
    let z = zip::ZipArchive::new(std::io::Cursor::new(docx)).unwrap();
    z.file_names()
        .filter(|n| n.as_deref().is_ok_and(|n| n.starts_with("word/media/")))
        .count()
}

/// The demo city's 2023, made through the watch services, in the annual report: the figures of
/// the department's own 2023 report, from records; approved by a second person and kept; the
/// final DOCX with them and its charts.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_years_annual_report_has_the_seeds_figures() {
    use lantoa_watch::crawl::fetch::FetchConfig;
    use lantoa_watch::crawl::guard::AddressPolicy;
    use lantoa_watch::demo_year::FixedHosts;
    let t = TestDb::new(&[
        &lantoa_registry::MIGRATIONS,
        &lantoa_watch::MIGRATIONS,
        &lantoa_notify::MIGRATIONS,
        &lantoa_opendata::MIGRATIONS,
        &lantoa_plans::MIGRATIONS,
        &lantoa_reports::MIGRATIONS,
    ])
    .await
    .unwrap();
    let fixed = FixedHosts::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = lantoa_watch::demo_web::router_with(fixed.clone());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    let blobs = lantoa_store::blob::BlobStore::new(t.db.clone(), t.dir.path().join("blobs"));
    let clock = Clock::manual(Utc.with_ymd_and_hms(2023, 1, 1, 0, 0, 0).unwrap());
    let registry = lantoa_registry::Registry::new(t.db.clone());
    let watch = lantoa_watch::Watch::new(t.db.clone(), registry.clone())
        .with_blobs(blobs.clone())
        .with_clock(clock.clone());
    let crawler = lantoa_watch::Crawler::new(
        t.db.clone(),
        watch.clone(),
        blobs.clone(),
        FetchConfig {
            policy: AddressPolicy {
                allow_private: true,
            },
            timeout: std::time::Duration::from_secs(5),
            overrides: lantoa_watch::demo_web::overrides(addr),
            ..FetchConfig::default()
        },
        lantoa_watch::CrawlLimits {
            delay: std::time::Duration::ZERO,
            ..Default::default()
        },
        std::sync::Arc::new(lantoa_watch::signals::Rules::builtin().unwrap()),
    )
    .unwrap();
    crawler.load_demo_year(&fixed, &|_| {}).await.unwrap();
    // The demo's notify and open-data year, as `serve --demo` loads them.
    let wav = t.dir.path().join("silence.wav");
    std::fs::write(&wav, lantoa_notify::tts::silence_wav(1000)).unwrap();
    let year = lantoa_notify::Notify::new(t.db.clone())
        .unwrap()
        .with_blobs(blobs.clone())
        .with_speech(lantoa_notify::tts::SpeechConfig::fixed(&wav))
        .load_demo_year("demo")
        .await
        .unwrap();
    assert_eq!((year.campaigns, year.alerts), (3, 1));
    registry
        .load_demo("demo", lantoa_registry::DEMO_CITY)
        .await
        .unwrap();
    let od = lantoa_opendata::OpenData::new(t.db.clone(), registry.clone(), blobs.clone()).unwrap();
    assert_eq!(od.load_demo("demo").await.unwrap().earlier, 1);
    let reports = Reports::new(
        t.db.clone(),
        Sources {
            watch: Some(watch.clone()),
            notify: Some(lantoa_notify::Notify::new(t.db.clone()).unwrap()),
            opendata: Some(
                lantoa_opendata::OpenData::new(t.db.clone(), registry.clone(), blobs).unwrap(),
            ),
            plans: Some(lantoa_plans::Plans::new(t.db.clone(), registry.clone())),
            registry: Some(registry),
        },
    )
    .unwrap()
    .with_clock(Clock::manual(hanoi(2024, 1, 10, 8, 0)));
    let r = reports
        .create("vanphong", "yearly", 2023, 1, "calendar")
        .await
        .unwrap();
    let c = reports.contents(&r).await.unwrap();
    for (key, want) in [
        ("watch.clips_reviewed", 234.0),
        ("watch.takedowns_proposed_posts", 1.0),
        ("watch.websites_reviewed", 155.0),
        ("watch.website_units", 92.0),
        ("watch.transferred_advertising", 17.0),
        ("watch.invited", 30.0),
        ("watch.units_sanctioned", 7.0),
        // The demo year's notify (see lantoa_notify's demo-year test for the hand count): three
        // campaigns to the 61 recipients, 165 of 183 delivered, one alert read out on three
        // clusters, two of which played it.
        ("notify.campaigns", 3.0),
        ("notify.recipients", 183.0),
        ("notify.delivered_pct", 90.2),
        ("notify.public_alerts", 1.0),
        ("notify.plays_due", 3.0),
        ("notify.plays_played", 2.0),
        // Open data: the dengue dataset registered in 2023 and its 2023 file (by hand from
        // data/opendata/dengue-2023.csv: 23 clean, 3 kept back, one corrected).
        ("opendata.datasets", 1.0),
        ("opendata.rows_published", 23.0),
        ("opendata.rows_quarantined", 3.0),
        ("opendata.rows_fixed", 1.0),
    ] {
        assert_eq!(value(&c, key), Some(want), "{key}");
    }
    // 2022 had none of it: the comparison says so rather than inventing a change.
    let watch_rows = export::fields(&c, reports.labels(), export::Lang::Vi)
        .into_iter()
        .find(|f| f.field == "watch")
        .unwrap();
    let clips = watch_rows
        .rows
        .iter()
        .find(|r| r.key == "watch.clips_reviewed")
        .unwrap();
    assert_eq!(
        (
            clips.actual.as_str(),
            clips.last_year.as_str(),
            clips.change.as_str()
        ),
        ("234", "—", "—")
    );
    assert!(
        watch_rows
            .chart
            .as_deref()
            .unwrap()
            .contains("Clip đã rà soát")
    );
    // Each figure links to the records it counts: the websites' crawls of the year, 155
    // websites among them, and the cases each case figure counts.
    // SMS by topic: each topic by its name, in either language.
    for (lang, names) in [
        (
            export::Lang::Vi,
            [
                "An toàn thực phẩm",
                "Phòng chống sốt xuất huyết",
                "Chuyển đổi số",
            ],
        ),
        (
            export::Lang::En,
            ["Food safety", "Dengue prevention", "Digital transformation"],
        ),
    ] {
        let views = export::fields(&c, reports.labels(), lang);
        let by_topic: Vec<String> = views
            .iter()
            .flat_map(|f| &f.tables)
            .find(|t| t.key == "notify.by_topic")
            .unwrap()
            .rows
            .iter()
            .map(|r| r[0].clone())
            .collect();
        for name in names {
            assert!(by_topic.iter().any(|n| n == name), "{name} in {by_topic:?}");
        }
    }
    let linked = export::fields_of(&c, reports.labels(), export::Lang::Vi, Some((r.from, r.to)));
    let row = |key: &str| {
        linked[0]
            .rows
            .iter()
            .find(|r| r.key == key)
            .unwrap()
            .link
            .clone()
    };
    assert_eq!(
        row("watch.websites_reviewed"),
        "/watch/crawls?kind=website&from=2023-01-01&to=2023-12-31"
    );
    assert_eq!(
        row("watch.invited"),
        "/watch/cases?kind=invited&from=2023-01-01&to=2023-12-31"
    );
    let (from, to) = lantoa_reports::figures::span(r.from, r.to);
    let crawls = crawler
        .finished_between(from, to, Some("website"), 5000)
        .await
        .unwrap();
    let sites: std::collections::HashSet<i64> = crawls.iter().map(|c| c.subject_id).collect();
    assert_eq!(sites.len(), 155);
    let clips = crawler
        .finished_between(from, to, Some("clip"), 5000)
        .await
        .unwrap();
    assert_eq!(
        clips
            .iter()
            .map(|c| c.subject_id)
            .collect::<std::collections::HashSet<_>>()
            .len(),
        234
    );
    for (kind, want) in [
        ("invited", 30),
        ("transferred_advertising", 17),
        ("takedowns_proposed_posts", 1),
    ] {
        assert_eq!(
            watch.cases_counted(kind, from, to).await.unwrap().len(),
            want,
            "{kind}"
        );
    }
    assert!(watch.cases_counted("gossip", from, to).await.is_err());

    reports
        .write(
            "vanphong",
            r.id,
            "watch",
            "Năm 2023, Sở đã rà soát toàn bộ trang tin điện tử tổng hợp được cấp phép.",
        )
        .await
        .unwrap();
    reports.submit("vanphong", r.id).await.unwrap();
    let r = reports.approve("giamdoc", r.id).await.unwrap();
    assert_eq!(
        (r.state.as_str(), r.approved_by.as_deref()),
        ("approved", Some("giamdoc"))
    );
    // Kept as approved: a record added to 2023 afterwards does not change the approved report.
    let late = lantoa_notify::Notify::new(t.db.clone())
        .unwrap()
        .with_clock(Clock::manual(hanoi(2023, 6, 1, 9, 0)));
    late.add_outlet("tt", "Báo A", "press", "", "a@b")
        .await
        .unwrap();
    late.issue_notice(
        "tt",
        &lantoa_notify::notices::NewNotice {
            number: "9/HD".into(),
            title: "Muộn".into(),
            body: "Nội dung.".into(),
            kinds: vec!["press".into()],
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let kept = reports.contents(&r).await.unwrap();
    assert_eq!(value(&kept, "notify.notices"), Some(0.0));
    assert_eq!(kept, {
        let mut c = c.clone();
        c.texts = kept.texts.clone();
        c
    });
    let docx = export::docx(
        &r,
        &kept,
        reports.labels(),
        &lantoa_docs::Agencies::builtin().unwrap(),
        NaiveDate::from_ymd_opt(2024, 1, 10).unwrap(),
        true,
    )
    .unwrap();
    let text = lantoa_docs::docx_text(&docx).unwrap();
    for want in [
        "BÁO CÁO",
        "Kết quả công tác năm 2023",
        "Clip đã rà soát",
        "234",
        "155",
        "92",
        "Năm 2023, Sở đã rà soát",
    ] {
        assert!(text.contains(want), "{want} in {text}");
    }
    assert!(!text.contains("DỰ THẢO"));
    // Printed long after the 2025 reorganisation, the 2023 report is still the 2023
    // department's, dated the day it was approved.
    let later = export::docx(
        &r,
        &kept,
        reports.labels(),
        &lantoa_docs::Agencies::builtin().unwrap(),
        NaiveDate::from_ymd_opt(2026, 12, 7).unwrap(),
        true,
    )
    .unwrap();
    let later = lantoa_docs::docx_text(&later).unwrap();
    assert!(
        later.contains("SỞ THÔNG TIN VÀ TRUYỀN THÔNG") && !later.contains("VĂN HÓA"),
        "{later}"
    );
    assert!(
        !later.contains("năm 2026"),
        "dated the day it was approved: {later}"
    );
    // The first report approved in 2024 takes number 1 of that year's register.
    assert_eq!(r.number, Some(1));
    assert!(text.contains("Số: 01/BC-"), "{text}");
    // One chart for each field with counts: watch, notify and open data.
    assert!(media(&docx) >= 3, "the charts are in the DOCX");
    // Reopened: the next version, a draft again; approved again, it keeps its number, and the
    // next report approved takes the next one.
    let r = reports.reopen("vanphong", r.id).await.unwrap();
    assert_eq!((r.state.as_str(), r.version), ("draft", 2));
    let draft = export::docx(
        &r,
        &reports.contents(&r).await.unwrap(),
        reports.labels(),
        &lantoa_docs::Agencies::builtin().unwrap(),
        NaiveDate::from_ymd_opt(2024, 1, 11).unwrap(),
        false,
    )
    .unwrap();
    assert!(
        lantoa_docs::docx_text(&draft)
            .unwrap()
            .contains("Số:      /BC-"),
        "a draft's number is left to the register"
    );
    reports.submit("vanphong", r.id).await.unwrap();
    let r = reports.approve("giamdoc", r.id).await.unwrap();
    assert_eq!((r.version, r.number), (2, Some(1)));
    let q1 = reports
        .create("vanphong", "quarterly", 2023, 4, "calendar")
        .await
        .unwrap();
    reports.submit("vanphong", q1.id).await.unwrap();
    assert_eq!(
        reports.approve("giamdoc", q1.id).await.unwrap().number,
        Some(2)
    );
}

#[tokio::test]
async fn the_demo_report_is_made_once() {
    let s = setup(hanoi(2024, 1, 10, 8, 0)).await;
    let made = s.reports.load_demo("demo").await.unwrap();
    assert_eq!(made.len(), 2, "2024's and 2023's");
    assert!(s.reports.load_demo("demo").await.unwrap().is_empty());
    let id = made[1];
    assert_eq!(s.reports.report(made[0]).await.unwrap().label, "Năm 2024");
    let r = s.reports.report(id).await.unwrap();
    assert_eq!((r.label.as_str(), r.state.as_str()), ("Năm 2023", "draft"));
    assert!(s.reports.text(id, "next_tasks").await.unwrap().is_some());
}

/// The plans' figures, counted by hand from a small appendix: four tasks (two headings not
/// counted), one reported done before its deadline, on 31/12/2024 one past its deadline (Quý
/// II/2024) and a yearly one with no report since 2023 began.
#[tokio::test]
async fn the_plans_figures_are_the_tasks_done_and_overdue_at_the_periods_end() {
    let t = TestDb::new(&[
        &lantoa_registry::MIGRATIONS,
        &lantoa_plans::MIGRATIONS,
        &lantoa_reports::MIGRATIONS,
    ])
    .await
    .unwrap();
    let registry = lantoa_registry::Registry::new(t.db.clone());
    registry
        .load_demo("test", lantoa_registry::DEMO_CITY)
        .await
        .unwrap();
    // The task is reported done on 1/6/2024, before its deadline (2024).
    let plans_clock = Clock::manual(hanoi(2024, 6, 1, 9, 0));
    let plans =
        lantoa_plans::Plans::new(t.db.clone(), registry.clone()).with_clock(plans_clock.clone());
    let plan = plans
        .create(
            "kh",
            &lantoa_plans::NewPlan {
                number: "1/KH".into(),
                issued_on: "01/01/2023".into(),
                issuer: "UBND thành phố Hà Nội".into(),
                title: "Kế hoạch thử".into(),
                from_year: 2023,
                to_year: 2025,
                implements: String::new(),
            },
        )
        .await
        .unwrap();
    let appendix = "\
STT,Nhiệm vụ,Đơn vị chủ trì,Đơn vị phối hợp,Thời gian hoàn thành,Sản phẩm
I,Chính quyền số,,,,
1,Kho dữ liệu mở,Sở Khoa học và Công nghệ Hà Nội,,Quý II/2024,Cổng
1.1,Danh mục dữ liệu,Sở Khoa học và Công nghệ Hà Nội,,2024,Danh mục
2,Báo cáo chuyển đổi số,Sở Y tế Hà Nội,,Hằng năm,Báo cáo
II,Xã hội số,,,,
1,Tuyên truyền kỹ năng số,Sở Văn hóa và Thể thao Hà Nội,,Thường xuyên,Chương trình
";
    plans
        .import_appendix("kh", plan.id, appendix.as_bytes(), true)
        .await
        .unwrap();
    let task = plans
        .tasks(plan.id)
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.code == "I.1.1")
        .unwrap();
    let report_done = |task: i64| {
        let plans = plans.clone();
        async move {
            plans
                .submit_report(
                    &lantoa_plans::Reporter {
                        actor: "kh".into(),
                        roles: vec![lantoa_core::Role::Planner],
                        unit_id: None,
                    },
                    task,
                    &lantoa_plans::NewReport {
                        status: "done".into(),
                        percent: 100,
                        body: "Đã ban hành.".into(),
                        ..Default::default()
                    },
                )
                .await
                .unwrap()
        }
    };
    report_done(task.id).await;
    // An indicator with its 2024 target and an actual short of it; the 2024 DTI as published.
    let planner = [lantoa_core::Role::Planner];
    let ind = plans
        .define_indicator(
            "kh",
            &planner,
            plan.id,
            &lantoa_plans::NewIndicator {
                code: "CQS-01".into(),
                name: "Hồ sơ trực tuyến toàn trình".into(),
                measure: "%".into(),
                pillar: "Chính quyền số".into(),
                targets: vec![(2024, 80.0)],
                ..Default::default()
            },
        )
        .await
        .unwrap();
    plans
        .record_actual(
            "kh",
            &planner,
            ind.id,
            &lantoa_plans::NewActual {
                period: "Quý IV/2024".into(),
                value: 72.5,
                source: "Cổng dịch vụ công".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    plans
        .record_dti_result(
            "kh",
            &planner,
            2024,
            &lantoa_plans::DtiResult {
                rank: 4,
                of_count: 63,
                index_value: Some(0.7123),
                source: "Bộ KH&CN".into(),
            },
        )
        .await
        .unwrap();
    let reports = Reports::new(
        t.db.clone(),
        Sources {
            plans: Some(plans.clone()),
            registry: Some(registry),
            ..Default::default()
        },
    )
    .unwrap();
    let r = reports
        .create("kh", "yearly", 2024, 1, "calendar")
        .await
        .unwrap();
    let c = reports.contents(&r).await.unwrap();
    assert_eq!(
        (
            value(&c, "plans.tasks"),
            value(&c, "plans.done"),
            value(&c, "plans.on_time"),
            value(&c, "plans.overdue")
        ),
        (Some(4.0), Some(1.0), Some(1.0), Some(2.0))
    );
    // A task reported done in 2025 does not change 2024's figures: the plans are read as they
    // stood on 31/12/2024, and the figures link to them as of that day.
    plans_clock.advance(chrono::Duration::days(250));
    let late = plans
        .tasks(plan.id)
        .await
        .unwrap()
        .into_iter()
        .find(|t| !t.section && t.code != "I.1.1")
        .unwrap();
    report_done(late.id).await;
    let again = reports.contents(&r).await.unwrap();
    assert_eq!(again, c, "2024 as it stood");
    let linked = export::fields_of(&c, reports.labels(), export::Lang::Vi, Some((r.from, r.to)));
    let done = linked
        .iter()
        .find(|f| f.field == "plans")
        .unwrap()
        .rows
        .iter()
        .find(|row| row.key == "plans.done")
        .unwrap();
    assert_eq!(done.link, "/plans?on=2024-12-31");
    // By lead unit, the most overdue first, named.
    let views = export::fields(&c, reports.labels(), export::Lang::Vi);
    let by_unit = views
        .iter()
        .find(|f| f.field == "plans")
        .unwrap()
        .tables
        .iter()
        .find(|t| t.key == "plans.by_unit")
        .unwrap();
    assert_eq!(
        by_unit.rows,
        [
            ["Sở Khoa học và Công nghệ Hà Nội", "2", "1", "1"],
            ["Sở Y tế Hà Nội", "1", "0", "1"],
            ["Sở Văn hóa và Thể thao Hà Nội", "1", "0", "0"],
        ]
    );
    let plan_view = views.iter().find(|f| f.field == "plans").unwrap();
    let indicators = plan_view
        .tables
        .iter()
        .find(|t| t.key == "plans.indicators")
        .unwrap();
    assert_eq!(
        indicators.rows,
        [[
            "CQS-01 Hồ sơ trực tuyến toàn trình",
            "80",
            "72,5",
            "chưa đạt"
        ]]
    );
    assert_eq!(
        (value(&c, "plans.dti_rank"), value(&c, "plans.dti_index")),
        (Some(4.0), Some(0.7123))
    );
    // A year outside the plan's counts nothing of it.
    let r = reports
        .create("kh", "yearly", 2022, 1, "calendar")
        .await
        .unwrap();
    let c = reports.contents(&r).await.unwrap();
    assert_eq!(value(&c, "plans.tasks"), Some(0.0));
}

/// A module that fails to answer (here its tables are missing): its section names the failure,
/// the others render.
#[tokio::test]
async fn a_module_that_fails_is_named_and_the_rest_renders() {
    let t = TestDb::new(&[&lantoa_notify::MIGRATIONS, &lantoa_reports::MIGRATIONS])
        .await
        .unwrap();
    let bare = TestDb::new(&[]).await.unwrap();
    let reports = Reports::new(
        t.db.clone(),
        Sources {
            notify: Some(lantoa_notify::Notify::new(t.db.clone()).unwrap()),
            // Open data over a database without its tables.
            opendata: Some(
                lantoa_opendata::OpenData::new(
                    bare.db.clone(),
                    lantoa_registry::Registry::new(bare.db.clone()),
                    lantoa_store::blob::BlobStore::new(bare.db.clone(), bare.dir.path().join("b")),
                )
                .unwrap(),
            ),
            ..Default::default()
        },
    )
    .unwrap();
    let r = reports
        .create("tt", "yearly", 2025, 1, "calendar")
        .await
        .unwrap();
    let c = reports.contents(&r).await.unwrap();
    let od = c.sections.iter().find(|s| s.field == "opendata").unwrap();
    assert!(
        od.error
            .as_deref()
            .unwrap()
            .starts_with("the open-data module did not answer"),
        "{od:?}"
    );
    let notify = c.sections.iter().find(|s| s.field == "notify").unwrap();
    assert!(notify.error.is_none() && notify.is_empty());
    let html = export::fields(&c, reports.labels(), export::Lang::En);
    assert_eq!(html.len(), 4);
}
