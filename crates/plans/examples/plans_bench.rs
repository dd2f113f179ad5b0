//! The plans benchmark (`cargo xtask bench plans`): a plan of 50,000 tasks led by 1,000 units
//! over ten years, half of them reported on, with 55 indicators holding ten years of monthly
//! actuals, all stored through the service calls an officer's actions make; then each
//! dashboard — tasks by unit with its chart, a page of the timeline, the indicators against
//! target — timed many times, with the naive way (every task read and judged in Rust) beside
//! the grouped query as the peer. One JSON line on stdout.
//!
//! `plans_bench URL [TASKS] [UNITS] [REPEAT]`, URL `sqlite:///path/file.db` or a PostgreSQL
//! server's `postgres://…/postgres` (a fresh database is made on it).

#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark: a panic is the report

use std::time::Instant;

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use lantoa_core::role::Role;
use lantoa_core::unit::UnitKind;
use lantoa_plans::{Direction, NewActual, NewIndicator, NewPlan, NewReport, Plans, Reporter};
use lantoa_registry::{NewUnit, Registry};
use lantoa_store::{Clock, Db};

const FROM: i32 = 2016;
const TO: i32 = 2025;

fn deadline(i: usize) -> String {
    let y = FROM + (i % 10) as i32;
    match i % 8 {
        0 => format!("Quý {}/{y}", ["I", "II", "III", "IV"][i % 4]),
        1 => format!("{y}"),
        2 => "Hằng năm".into(),
        3 => "Thường xuyên".into(),
        4 => format!("{}/{}/{y}", 1 + i % 28, 1 + i % 12),
        5 => format!("{}–{}", y.min(TO - 2), y.min(TO - 2) + 2),
        6 => format!("6 tháng đầu năm {y}"),
        _ => format!("Tháng {}/{y}", 1 + i % 12),
    }
}

fn unit_name(u: usize) -> String {
    format!("Đơn vị thử nghiệm số {u:04}")
}

/// p50 and p99 in ms of `n` runs of `f`.
async fn time<F, Fut>(n: usize, mut f: F) -> (f64, f64)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = usize>,
{
    let mut ms = Vec::with_capacity(n);
    let mut sink = 0;
    for _ in 0..n {
        let t = Instant::now();
        sink += f().await;
        ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    assert!(sink > 0, "each dashboard draws something");
    ms.sort_by(f64::total_cmp);
    let at = |q: f64| ms[((ms.len() as f64 * q).ceil() as usize).clamp(1, ms.len()) - 1];
    (at(0.50), at(0.99))
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let url = args
        .get(1)
        .expect("usage: plans_bench URL [TASKS] [UNITS] [REPEAT]")
        .clone();
    let tasks: usize = args.get(2).map_or(50_000, |s| s.parse().unwrap());
    let units: usize = args.get(3).map_or(1_000, |s| s.parse().unwrap());
    let repeat: usize = args.get(4).map_or(200, |s| s.parse().unwrap());
    let url = if url.starts_with("postgres") {
        let admin = Db::connect(&url).await.unwrap();
        let name = format!("plans_bench_{}", std::process::id());
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(admin.pool())
            .await
            .unwrap();
        admin.close().await;
        format!("{}/{name}", url.rsplit_once('/').unwrap().0)
    } else {
        url
    };
    // The bench's audit rows are keyed as the server keys them (a key for this run only).
    lantoa_store::audit::use_key([0x5a; 32]).unwrap();
    let db = Db::connect(&url).await.unwrap();
    lantoa_store::migrate::run(
        &db,
        &[
            &lantoa_store::MIGRATIONS,
            &lantoa_registry::MIGRATIONS,
            &lantoa_plans::MIGRATIONS,
        ],
    )
    .await
    .unwrap();
    let backend = format!("{:?}", db.backend());
    let registry = Registry::new(db.clone());
    let clock = Clock::manual(Utc.with_ymd_and_hms(2016, 1, 1, 3, 0, 0).unwrap());
    let plans = Plans::new(db.clone(), registry.clone()).with_clock(clock.clone());

    let t0 = Instant::now();
    let since = NaiveDate::from_ymd_opt(2015, 1, 1).unwrap();
    for u in 0..units {
        let mut new = NewUnit::new(UnitKind::Agency, None, &unit_name(u));
        new.valid_from = since;
        registry.create("bench", &new).await.unwrap();
    }
    let units_s = t0.elapsed().as_secs_f64();

    let plan = plans
        .create(
            "bench",
            &NewPlan {
                number: "1/KH-BENCH".into(),
                issued_on: "01/01/2016".into(),
                issuer: "UBND thành phố (thử nghiệm)".into(),
                title: "Kế hoạch thử tải".into(),
                from_year: FROM,
                to_year: TO,
                implements: String::new(),
            },
        )
        .await
        .unwrap();
    let sections = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"];
    let per_section = tasks.div_ceil(sections.len());
    let mut csv =
        String::from("STT,Nhiệm vụ,Đơn vị chủ trì,Đơn vị phối hợp,Thời gian hoàn thành,Sản phẩm\n");
    let mut i = 0;
    for s in sections {
        csv.push_str(&format!("{s},Nhóm nhiệm vụ {s},,,,\n"));
        for n in 1..=per_section {
            if i == tasks {
                break;
            }
            csv.push_str(&format!(
                "{n},Nhiệm vụ thử nghiệm {i},{},{},{},Báo cáo\n",
                unit_name(i % units),
                unit_name((i + 7) % units),
                deadline(i)
            ));
            i += 1;
        }
    }
    let t0 = Instant::now();
    let report = plans
        .import_appendix("bench", plan.id, csv.as_bytes(), true)
        .await
        .unwrap();
    assert!(
        report.stored && report.refused == 0,
        "{:?}",
        report.rows.iter().find(|r| !r.problems.is_empty())
    );
    let import_s = t0.elapsed().as_secs_f64();

    // Half the tasks reported on, on days spread over the ten years.
    let planner = Reporter {
        actor: "bench".into(),
        roles: vec![Role::Planner],
        unit_id: None,
    };
    let all = plans.tasks(plan.id).await.unwrap();
    let t0 = Instant::now();
    let mut reports = 0;
    for (i, t) in all.iter().filter(|t| !t.section).enumerate() {
        if i % 2 == 1 {
            continue;
        }
        let (status, percent) = if i % 4 == 0 {
            ("done", 100)
        } else {
            ("in_progress", 50)
        };
        plans
            .submit_report(
                &planner,
                t.id,
                &NewReport {
                    status: status.into(),
                    percent,
                    body: "Báo cáo tiến độ".into(),
                    evidence: String::new(),
                },
            )
            .await
            .unwrap();
        reports += 1;
        clock.advance(Duration::minutes(200));
    }
    let reports_s = t0.elapsed().as_secs_f64();

    // 55 indicators, each with a target a year and an actual a month for ten years.
    let t0 = Instant::now();
    let mut actuals = 0;
    for k in 0..55 {
        let ind = plans
            .define_indicator(
                "bench",
                &[Role::Planner],
                plan.id,
                &NewIndicator {
                    code: format!("CT-{k:02}"),
                    name: format!("Chỉ tiêu thử nghiệm {k}"),
                    measure: "%".into(),
                    pillar: ["Chính quyền số", "Kinh tế số", "Xã hội số"][k % 3].into(),
                    baseline: Some(10.0),
                    direction: if k % 5 == 0 {
                        Direction::Lower
                    } else {
                        Direction::Higher
                    },
                    targets: (FROM..=TO)
                        .map(|y| (y, f64::from(10 + 5 * (y - FROM))))
                        .collect(),
                    computed_from: None,
                },
            )
            .await
            .unwrap();
        for y in FROM..=TO {
            for m in 1..=12 {
                plans
                    .record_actual(
                        "bench",
                        &[Role::Planner],
                        ind.id,
                        &NewActual {
                            period: format!("Tháng {m}/{y}"),
                            value: f64::from(8 + 5 * (y - FROM)) + f64::from(m) / 6.0,
                            source: "thử nghiệm".into(),
                            evidence: String::new(),
                        },
                    )
                    .await
                    .unwrap();
                actuals += 1;
            }
        }
    }
    let indicators_s = t0.elapsed().as_secs_f64();

    // The dashboards, as the plan page draws them on 15/6/2025.
    let today = NaiveDate::from_ymd_opt(2025, 6, 15).unwrap();
    let labels = ["Hoàn thành", "Quá hạn", "Đang thực hiện"];
    let by_unit = time(repeat, || async {
        let d = plans.dashboard(plan.id, today).await.unwrap();
        let ids: Vec<i64> = d.by_unit.iter().map(|(u, _)| *u).collect();
        let names = registry.names(&ids).await.unwrap();
        let rows: Vec<(String, lantoa_plans::Counts)> = d
            .by_unit
            .iter()
            .take(25)
            .map(|(u, c)| (names.get(u).cloned().unwrap_or_default(), *c))
            .collect();
        lantoa_plans::charts::by_unit_svg(&rows, "by unit", labels).len()
    })
    .await;
    let page = (tasks as i64 / 2 / 100) * 100;
    let timeline = time(repeat, || async {
        let progress = plans
            .progress_page(plan.id, today, page, 100)
            .await
            .unwrap();
        let bars = lantoa_plans::charts::timeline_bars(&plan, &progress);
        lantoa_plans::charts::gantt_svg(&bars, FROM, TO, today, "timeline").len()
    })
    .await;
    let indicators = time(repeat, || async {
        let s = plans.standings(plan.id, 2025).await.unwrap();
        lantoa_plans::charts::indicators_svg(&s, "indicators").len()
    })
    .await;
    // The DTI page: four years self-assessed, compared and charted.
    let frameworks = lantoa_plans::Frameworks::builtin().unwrap();
    for year in 2022..=2025 {
        let fw = frameworks.for_year(year).unwrap();
        let scores: Vec<lantoa_plans::NewScore> = fw
            .mains
            .iter()
            .flat_map(|m| &m.components)
            .map(|c| lantoa_plans::NewScore {
                component: c.code.clone(),
                score: c.points * 0.7,
                evidence: "thử nghiệm".into(),
            })
            .collect();
        plans
            .record_dti_scores("bench", &[Role::Planner], &frameworks, year, &scores)
            .await
            .unwrap();
    }
    let dti = time(repeat, || async {
        let years = plans.dti_years(&frameworks).await.unwrap();
        let a = plans.dti_assessment(&frameworks, 2024).await.unwrap();
        lantoa_plans::charts::dti_svg(&years, "DTI", "Tổng").len() + a.mains.len()
    })
    .await;
    // The peer: every task read and judged in Rust, then summed by unit.
    let naive = time(repeat.div_ceil(10), || async {
        let p = plans.progress(plan.id, today).await.unwrap();
        lantoa_plans::progress::summarise(&p).len()
    })
    .await;
    let d = plans.dashboard(plan.id, today).await.unwrap();
    let check = lantoa_plans::progress::summarise(&plans.progress(plan.id, today).await.unwrap());
    assert_eq!(
        d.by_unit.len(),
        check.len(),
        "the grouped query and the naive way agree"
    );
    println!(
        "{}",
        serde_json::json!({
            "backend": backend, "tasks": tasks, "units": units, "reports": reports,
            "actuals": actuals, "overdue": d.total.overdue, "done": d.total.done,
            "units_s": units_s, "import_s": import_s, "reports_s": reports_s,
            "indicators_s": indicators_s, "repeat": repeat,
            "by_unit_p50_ms": by_unit.0, "by_unit_p99_ms": by_unit.1,
            "timeline_p50_ms": timeline.0, "timeline_p99_ms": timeline.1,
            "indicators_p50_ms": indicators.0, "indicators_p99_ms": indicators.1,
            "dti_p50_ms": dti.0, "dti_p99_ms": dti.1,
            "naive_p50_ms": naive.0, "naive_p99_ms": naive.1,
        })
    );
    db.close().await;
}
