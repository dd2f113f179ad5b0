//! The `lantoa plans` verbs that read a plan's standing and record progress on the server's
//! own database, as the administrator at its console: a plan's counts, its tasks page by page,
//! a progress report on a task, the indicators against their targets and an actual.

use anyhow::Context;
use lantoa_core::Role;
use lantoa_plans::Plans;
use lantoa_registry::Registry;

/// Who the CLI acts as: the administrator at the server (recorded as `cli` in the audit log).
const ACTOR: &str = "cli";
const ROLES: [Role; 1] = [Role::Admin];

/// A day given as dd/mm/yyyy or YYYY-MM-DD, or today in Hà Nội.
pub fn day(on: Option<&str>) -> anyhow::Result<chrono::NaiveDate> {
    match on {
        Some(d) => lantoa_core::time::parse_day(d)
            .with_context(|| format!("--on {d}: not a date (dd/mm/yyyy or YYYY-MM-DD)")),
        None => Ok(lantoa_core::time::now().date_naive()),
    }
}

/// A plan's counts on a day, in all and by lead unit.
pub async fn show(
    plans: &Plans,
    registry: &Registry,
    id: i64,
    on: Option<&str>,
    json: bool,
) -> anyhow::Result<()> {
    let day = day(on)?;
    let plan = plans.plan(id).await?;
    let d = plans.dashboard(id, day).await?;
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(
                &serde_json::json!({ "plan": plan, "on": day, "dashboard": d })
            )?
        );
        return Ok(());
    }
    println!(
        "#{} {} ngày {} · {} · {}–{}",
        plan.id,
        plan.number,
        plan.issued_on.format("%d/%m/%Y"),
        plan.title,
        plan.from_year,
        plan.to_year
    );
    println!(
        "On {}: {} tasks, {} done, {} overdue.",
        day.format("%d/%m/%Y"),
        d.total.tasks,
        d.total.done,
        d.total.overdue
    );
    for (unit, c) in &d.by_unit {
        println!(
            "  {:<50} {:>4} tasks {:>4} done {:>4} overdue",
            registry.get(*unit).await?.name,
            c.tasks,
            c.done,
            c.overdue
        );
    }
    Ok(())
}

/// A page of a plan's tasks with their latest report and deadline.
pub async fn tasks(
    plans: &Plans,
    id: i64,
    on: Option<&str>,
    offset: i64,
    limit: i64,
    overdue_only: bool,
    json: bool,
) -> anyhow::Result<()> {
    let day = day(on)?;
    plans.plan(id).await?;
    let page = plans
        .progress_page(id, day, offset.max(0), limit.clamp(1, 10_000))
        .await?;
    let page: Vec<_> = page
        .into_iter()
        .filter(|p| !overdue_only || p.overdue)
        .collect();
    if json {
        println!("{}", serde_json::to_string_pretty(&page)?);
        return Ok(());
    }
    for p in &page {
        let t = &p.task;
        let latest = p
            .latest
            .as_ref()
            .map(|l| {
                format!(
                    "{} {}% on {}",
                    l.status.as_str(),
                    l.percent,
                    l.on.format("%d/%m/%Y")
                )
            })
            .unwrap_or_else(|| {
                if t.section {
                    String::new()
                } else {
                    "no report".to_owned()
                }
            });
        println!(
            "#{:<6} {:<8} {:<60} {:>10} {}{}",
            t.id,
            t.code,
            t.title.chars().take(60).collect::<String>(),
            t.due_on
                .map(|d| d.format("%d/%m/%Y").to_string())
                .unwrap_or_default(),
            latest,
            if p.overdue { "  OVERDUE" } else { "" }
        );
    }
    Ok(())
}

/// A progress report on a task (its id, see `lantoa plans tasks`).
pub async fn report(plans: &Plans, task: i64, new: &lantoa_plans::NewReport) -> anyhow::Result<()> {
    let who = lantoa_plans::Reporter {
        actor: ACTOR.to_owned(),
        roles: ROLES.to_vec(),
        unit_id: None,
    };
    let r = plans.submit_report(&who, task, new).await?;
    println!(
        "Report {} on task {task}: {} {}%.",
        r.id,
        r.status.as_str(),
        r.percent
    );
    Ok(())
}

/// A plan's indicators against a year's targets.
pub async fn indicators(
    plans: &Plans,
    id: i64,
    year: Option<i32>,
    json: bool,
) -> anyhow::Result<()> {
    let plan = plans.plan(id).await?;
    let year = year
        .unwrap_or_else(|| chrono::Datelike::year(&lantoa_core::time::now()))
        .clamp(plan.from_year, plan.to_year);
    let standings = plans.standings(id, year).await?;
    if json {
        println!("{}", serde_json::to_string_pretty(&standings)?);
        return Ok(());
    }
    println!("{year}:");
    for s in &standings {
        let i = &s.indicator;
        println!(
            "  #{:<5} {:<10} {:<50} target {:>10} actual {:>10} {}",
            i.id,
            i.code,
            i.name.chars().take(50).collect::<String>(),
            s.target
                .map(|t| t.to_string())
                .unwrap_or_else(|| "—".into()),
            s.actual
                .map(|(on, v)| format!("{v} ({})", on.format("%d/%m/%Y")))
                .unwrap_or_else(|| "—".into()),
            match s.met {
                Some(true) => "met",
                Some(false) => "not met",
                None => "",
            }
        );
    }
    Ok(())
}

/// An indicator's actual for a period.
pub async fn actual(
    plans: &Plans,
    indicator: i64,
    new: &lantoa_plans::NewActual,
) -> anyhow::Result<()> {
    let end = plans.record_actual(ACTOR, &ROLES, indicator, new).await?;
    println!(
        "Indicator {indicator}: {} recorded for the period ending {}.",
        new.value,
        end.format("%d/%m/%Y")
    );
    Ok(())
}
