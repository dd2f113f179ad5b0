//! Plans pages: the plans with the form to register one, a plan with its tasks by section, and
//! the import of its appendix with a preview and a report per row. Plain forms; no script.

use std::collections::HashMap;

use axum::Extension;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use lantoa_core::Msg;

use super::{FormPairs, form_error};
use crate::ctx::Ctx;
use crate::error::WebError;
use crate::routes::PLANNERS;
use crate::{AppState, view};

/// A day the plans are shown as they stood on (`?on=YYYY-MM-DD`, as a report on a past period
/// links to them); today when none.
#[derive(serde::Deserialize, Default)]
pub struct OnQuery {
    on: Option<String>,
}

impl OnQuery {
    fn day(&self) -> Result<Option<chrono::NaiveDate>, WebError> {
        self.on
            .as_deref()
            .filter(|v| !v.trim().is_empty())
            .map(|v| super::day("on", v))
            .transpose()
    }
}

/// The day shown, and what the page says of it when it is not today.
fn standing_day(on: Option<chrono::NaiveDate>) -> (chrono::NaiveDate, Option<String>) {
    match on {
        Some(d) => (d, Some(d.format("%d/%m/%Y").to_string())),
        None => (lantoa_core::time::now().date_naive(), None),
    }
}

async fn list_context(
    state: &AppState,
    ctx: &Ctx,
    on: Option<chrono::NaiveDate>,
) -> Result<minijinja::Value, WebError> {
    let (day, on_text) = standing_day(on);
    let plans = state.plans.plans().await?;
    let mut rows = Vec::with_capacity(plans.len());
    for p in &plans {
        let d = state.plans.dashboard(p.id, day).await?;
        rows.push(minijinja::context! { plan => p, total => d.total });
    }
    Ok(minijinja::context! {
        plans => rows, can_edit => ctx.has_any(PLANNERS),
        on => on.map(|d| d.format("%Y-%m-%d").to_string()), on_text => on_text,
    })
}

/// `GET /plans`: the plans, and for planners the form to register one.
pub async fn list(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    axum::extract::Query(q): axum::extract::Query<OnQuery>,
) -> Result<Response, WebError> {
    let extra = list_context(&state, &ctx, q.day()?).await?;
    Ok(view::page("plans.html", &ctx, "plans", extra)?.into_response())
}

/// `POST /plans` (form: `number`, `issued_on`, `issuer`, `title`, `from_year`, `to_year`,
/// `implements`): registers a plan, or the page again with the field at fault.
pub async fn create(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    form: FormPairs,
) -> Result<Response, WebError> {
    let year = |k: &str| form.get(k).trim().parse::<i32>().unwrap_or(0);
    let new = lantoa_plans::NewPlan {
        number: form.get("number"),
        issued_on: form.get("issued_on"),
        issuer: form.get("issuer"),
        title: form.get("title"),
        from_year: year("from_year"),
        to_year: year("to_year"),
        implements: form.get("implements"),
    };
    match state.plans.create(&ctx.actor(), &new).await {
        Ok(p) => Ok(Redirect::to(&format!("/plans/{}", p.id)).into_response()),
        Err(e) => {
            let extra = list_context(&state, &ctx, None).await?;
            let echo = minijinja::context! {
                number => new.number, issued_on => new.issued_on, issuer => new.issuer,
                title => new.title, from_year => form.get("from_year"),
                to_year => form.get("to_year"), implements => new.implements,
            };
            Ok(form_error(
                "plans.html",
                &ctx,
                "plans",
                minijinja::context! { echo => echo, ..extra },
                e.into(),
            ))
        }
    }
}

/// A field of a plans form at fault, as the plans module words its own refusals.
pub(crate) fn invalid(field: &'static str, message: Msg) -> WebError {
    lantoa_plans::Error::Invalid { field, message }.into()
}

/// Unit names by id, for the tasks shown (one query per 500 units).
async fn unit_names(
    state: &AppState,
    ids: impl Iterator<Item = i64>,
) -> Result<HashMap<String, String>, WebError> {
    let ids: Vec<i64> = ids.collect();
    Ok(state
        .registry
        .names(&ids)
        .await?
        .into_iter()
        .map(|(id, name)| (id.to_string(), name))
        .collect())
}

/// Tasks shown on one page of a plan.
const TASKS_PER_PAGE: i64 = 100;

/// The units shown in the by-unit chart (the most overdue first); the table lists them all.
const UNITS_IN_CHART: usize = 25;

async fn plan_context(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    page: i64,
    on: Option<chrono::NaiveDate>,
) -> Result<minijinja::Value, WebError> {
    let plan = state.plans.plan(id).await?;
    let (today, on_text) = standing_day(on);
    let dashboard = state.plans.dashboard(id, today).await?;
    let pages = ((dashboard.rows.max(1) + TASKS_PER_PAGE - 1) / TASKS_PER_PAGE).max(1);
    let page = page.clamp(1, pages);
    // A page counts tasks and their sections alike, in the appendix's order.
    let progress = state
        .plans
        .progress_page(id, today, (page - 1) * TASKS_PER_PAGE, TASKS_PER_PAGE)
        .await?;
    let my_unit = ctx.principal.as_ref().and_then(|p| p.unit_id);
    let for_any = ctx.has_any(PLANNERS);
    let names = unit_names(
        state,
        progress
            .iter()
            .flat_map(|p| {
                p.task
                    .lead_unit_id
                    .into_iter()
                    .chain(p.task.cooperating_ids.iter().copied())
            })
            .chain(dashboard.by_unit.iter().map(|(u, _)| *u)),
    )
    .await?;
    let name_of = |u: i64| names.get(&u.to_string()).cloned().unwrap_or_default();
    let evidence = state
        .plans
        .evidence(&progress.iter().map(|p| p.task.id).collect::<Vec<_>>())
        .await?;
    let rows: Vec<minijinja::Value> = progress
        .iter()
        .map(|p| {
            let t = &p.task;
            minijinja::context! {
                task => t, depth => t.code.matches('.').count().min(6),
                latest => p.latest, overdue => p.overdue,
                may_report => !t.section && (for_any || (my_unit.is_some() && my_unit == t.lead_unit_id)),
                lead => t.lead_unit_id.and_then(|u| names.get(&u.to_string()).cloned()),
                cooperating => t.cooperating_ids.iter()
                    .filter_map(|u| names.get(&u.to_string()).cloned())
                    .chain(t.cooperating_text.iter().cloned())
                    .collect::<Vec<_>>(),
                due => t.due_on.map(|d| d.format("%d/%m/%Y").to_string()),
                evidence => evidence.get(&t.id),
            }
        })
        .collect();
    let summary: Vec<minijinja::Value> = dashboard
        .by_unit
        .iter()
        .map(|(u, c)| {
            minijinja::context! {
                unit => name_of(*u), tasks => c.tasks, done => c.done, overdue => c.overdue,
            }
        })
        .collect();
    let by_unit_chart = lantoa_plans::charts::by_unit_svg(
        &dashboard
            .by_unit
            .iter()
            .take(UNITS_IN_CHART)
            .map(|(u, c)| (name_of(*u), *c))
            .collect::<Vec<_>>(),
        &ctx.t("plan-chart-by-unit"),
        [
            &ctx.t("plan-done"),
            &ctx.t("plan-overdue"),
            &ctx.t("plan-open"),
        ],
    );
    let bars = lantoa_plans::charts::timeline_bars(&plan, &progress);
    let gantt = lantoa_plans::charts::gantt_svg(
        &bars,
        plan.from_year,
        plan.to_year,
        today,
        &ctx.t("plan-chart-gantt"),
    );
    let members = state.plans.members().await?;
    let by_member: Vec<minijinja::Value> = dashboard
        .by_member
        .iter()
        .map(|(m, c)| {
            minijinja::context! {
                member => m.and_then(|m| members.iter().find(|x| x.id == m))
                    .map(|x| format!("{} ({})", x.name, x.position)),
                tasks => c.tasks, done => c.done, overdue => c.overdue,
            }
        })
        .collect();
    let year = chrono::Datelike::year(&today).clamp(plan.from_year, plan.to_year);
    let standings = state.plans.standings(id, year).await?;
    let indicators_chart =
        lantoa_plans::charts::indicators_svg(&standings, &ctx.t("plan-chart-indicators"));
    Ok(minijinja::context! {
        year => year, standings => standings,
        plan => plan, tasks => rows, can_edit => ctx.has_any(PLANNERS),
        issued => plan.issued_on.format("%d/%m/%Y").to_string(), summary => summary,
        total => dashboard.total, overdue => dashboard.total.overdue,
        page => page, pages => pages, by_member => by_member,
        members => members.iter().filter(|m| m.active).collect::<Vec<_>>(),
        by_unit_chart => minijinja::Value::from_safe_string(by_unit_chart),
        gantt => minijinja::Value::from_safe_string(gantt),
        indicators_chart => minijinja::Value::from_safe_string(indicators_chart),
        statuses => lantoa_plans::TaskStatus::ALL.map(|s| s.as_str()),
        measures => crate::measures::MEASURES.iter().map(|(k, m)| (k.to_string(), ctx.t(m))).collect::<Vec<_>>(),
        computed => standings.iter().any(|s| s.indicator.computed_from.is_some()),
        on => on.map(|d| d.format("%Y-%m-%d").to_string()), on_text => on_text,
    })
}

#[derive(serde::Deserialize, Default)]
pub struct PlanQuery {
    page: Option<i64>,
    on: Option<String>,
}

/// `GET /plans/{id}`: a plan, its tasks by section, and for planners the import form.
pub async fn plan(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<i64>,
    axum::extract::Query(q): axum::extract::Query<PlanQuery>,
) -> Result<Response, WebError> {
    let on = OnQuery { on: q.on }.day()?;
    let extra = plan_context(&state, &ctx, id, q.page.unwrap_or(1), on).await?;
    Ok(view::page("plan.html", &ctx, "plans", extra)?.into_response())
}

/// Every task and section of plan `id` in the appendix's order, as it stands on a day (today
/// without `on`), as a table: lead and cooperating units by name, deadline as written and as a
/// day, the latest report, overdue.
async fn tasks_sheet(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    q: &OnQuery,
) -> Result<crate::export::Sheet, WebError> {
    use crate::export::Cell;
    let (day, _) = standing_day(q.day()?);
    let plan = state.plans.plan(id).await?;
    let mut sheet = crate::export::Sheet {
        file: format!("nhiem-vu-ke-hoach-{}", plan.id),
        headers: [
            "Mã",
            "Nhiệm vụ",
            "Đơn vị chủ trì",
            "Đơn vị phối hợp",
            "Thời hạn",
            "Hạn",
            "Tình trạng",
            "Tiến độ (%)",
            "Ngày báo cáo",
            "Quá hạn",
        ]
        .map(str::to_owned)
        .to_vec(),
        rows: Vec::new(),
    };
    let mut offset = 0;
    loop {
        let page = state.plans.progress_page(id, day, offset, 500).await?;
        let names = unit_names(
            state,
            page.iter().flat_map(|p| {
                p.task
                    .lead_unit_id
                    .into_iter()
                    .chain(p.task.cooperating_ids.iter().copied())
            }),
        )
        .await?;
        let name = |u: i64| names.get(&u.to_string()).cloned().unwrap_or_default();
        for p in &page {
            let t = &p.task;
            sheet.rows.push(vec![
                Cell::from(t.code.as_str()),
                Cell::from(t.title.as_str()),
                Cell::from(t.lead_unit_id.map(name).unwrap_or_default()),
                Cell::from(
                    t.cooperating_ids
                        .iter()
                        .map(|u| name(*u))
                        .chain(t.cooperating_text.iter().cloned())
                        .collect::<Vec<_>>()
                        .join("; "),
                ),
                Cell::from(t.deadline.as_str()),
                Cell::from(t.due_on),
                Cell::from(
                    p.latest
                        .as_ref()
                        .map(|l| ctx.t(&format!("task-status-{}", l.status.as_str())))
                        .unwrap_or_default(),
                ),
                p.latest
                    .as_ref()
                    .map_or(Cell::Empty, |l| Cell::from(l.percent)),
                Cell::from(p.latest.as_ref().map(|l| l.on)),
                Cell::from(if p.overdue {
                    ctx.t("yes")
                } else {
                    String::new()
                }),
            ]);
        }
        offset += 500;
        if page.len() < 500 || sheet.cut(ctx.t("export-cut")) {
            break;
        }
    }
    Ok(sheet)
}

crate::export::downloads!(path i64, OnQuery, tasks_sheet, tasks_csv, tasks_xlsx);

/// `POST /plans/{id}/import` (multipart: `file`, and `store` to store): the report per row;
/// stored only when `store` is given and no row is refused.
pub async fn import(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<i64>,
    headers: axum::http::HeaderMap,
    body: axum::body::Body,
) -> Result<Response, WebError> {
    let (fields, file) = crate::upload::read_small(&state, &headers, body).await?;
    let (name, bytes) = file.ok_or_else(|| {
        WebError::invalid(
            "err-no-file",
            "choose the appendix file (CSV or XLSX, field 'file')",
        )
    })?;
    let store = fields.iter().any(|(k, v)| k == "store" && !v.is_empty());
    let plan = state.plans.plan(id).await?;
    let report = state
        .plans
        .import_appendix(&ctx.actor(), id, &bytes, store)
        .await?;
    Ok(view::page(
        "plan_import.html",
        &ctx,
        "plans",
        minijinja::context! { plan => plan, file => name, report => report, asked_to_store => store },
    )?
    .into_response())
}

/// `POST /plans/{id}/tasks/{task}/report` (multipart: `status`, `percent`, `body`, `evidence`,
/// and optionally an evidence `file`): a progress report by the task's lead unit (or a
/// planner); otherwise the plan again naming the field at fault, nothing kept.
pub async fn report(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path((id, task)): Path<(i64, i64)>,
    headers: axum::http::HeaderMap,
    body: axum::body::Body,
) -> Result<Response, WebError> {
    let (fields, file) = crate::upload::read_small(&state, &headers, body).await?;
    let form = FormPairs(fields);
    let who = lantoa_plans::Reporter {
        actor: ctx.actor(),
        roles: ctx.roles(),
        unit_id: ctx.principal.as_ref().and_then(|p| p.unit_id),
    };
    let new = lantoa_plans::NewReport {
        status: form.get("status"),
        percent: form.get("percent").trim().parse().unwrap_or(-1),
        body: form.get("body"),
        evidence: form.get("evidence"),
    };
    // A file input left empty sends a part with no name and no bytes.
    let file = file
        .filter(|(name, bytes)| !(name.is_empty() && bytes.is_empty()))
        .map(|(name, bytes)| lantoa_plans::EvidenceFile { name, bytes });
    let result = match &file {
        Some(f) => {
            state
                .plans
                .submit_report_with_file(&who, task, &new, f)
                .await
        }
        None => state.plans.submit_report(&who, task, &new).await,
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/plans/{id}#task-report-{task}")).into_response()),
        Err(e) => {
            let extra = plan_context(&state, &ctx, id, 1, None).await?;
            Ok(form_error(
                "plan.html",
                &ctx,
                "plans",
                minijinja::context! { report_task => task, ..extra },
                e.into(),
            ))
        }
    }
}

/// `GET /plans/{id}/evidence/{sha256}`: an evidence file of the plan's tasks, as an attachment.
pub async fn evidence(
    State(state): State<AppState>,
    Path((id, sha)): Path<(i64, String)>,
) -> Result<Response, WebError> {
    let (e, bytes) = state.plans.evidence_file(id, &sha).await?;
    let name: String = e
        .name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, e.media_type),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (
                axum::http::header::X_CONTENT_TYPE_OPTIONS,
                "nosniff".to_owned(),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// `POST /plans/{id}/indicators` (form: `code`, `name`, `measure`, `pillar`, `baseline`,
/// `direction`, `targets` as `2024: 50; 2025: 60`): defines an indicator.
pub async fn define_indicator(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<i64>,
    form: FormPairs,
) -> Result<Response, WebError> {
    let number = |s: &str| s.trim().replace(',', ".").parse::<f64>();
    let mut problem = None;
    let mut targets = Vec::new();
    for part in form
        .get("targets")
        .split(';')
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        match part
            .split_once(':')
            .map(|(y, v)| (y.trim().parse::<i32>(), number(v)))
        {
            Some((Ok(y), Ok(v))) => targets.push((y, v)),
            _ => {
                problem = Some((
                    "targets",
                    Msg::new("indicator-bad-target").arg("value", part),
                ))
            }
        }
    }
    let baseline = form.get("baseline");
    let new = lantoa_plans::NewIndicator {
        code: form.get("code"),
        name: form.get("name"),
        measure: form.get("measure"),
        pillar: form.get("pillar"),
        baseline: if baseline.trim().is_empty() {
            None
        } else {
            number(&baseline).ok().or(Some(f64::NAN))
        },
        direction: if form.get("direction") == "lower" {
            lantoa_plans::Direction::Lower
        } else {
            lantoa_plans::Direction::Higher
        },
        targets,
        computed_from: Some(form.get("computed_from")).filter(|k| !k.is_empty()),
    };
    if let Some(k) = new.computed_from.as_deref()
        && !crate::measures::known(k)
    {
        problem = Some((
            "computed_from",
            Msg::new("indicator-unknown-measure").arg("value", k),
        ));
    }
    let result = match problem {
        Some((field, message)) => Err(lantoa_plans::Error::Invalid { field, message }),
        None => state
            .plans
            .define_indicator(&ctx.actor(), &ctx.roles(), id, &new)
            .await
            .map(|_| ()),
    };
    after(&state, &ctx, id, result, "indicators").await
}

/// `POST /plans/{id}/indicators/{indicator}/actual` (form: `period`, `value`, `source`,
/// `evidence`): records an actual.
pub async fn record_actual(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path((id, indicator)): Path<(i64, i64)>,
    form: FormPairs,
) -> Result<Response, WebError> {
    let new = lantoa_plans::NewActual {
        period: form.get("period"),
        value: form
            .get("value")
            .trim()
            .replace(',', ".")
            .parse()
            .unwrap_or(f64::NAN),
        source: form.get("source"),
        evidence: form.get("evidence"),
    };
    let result = state
        .plans
        .record_actual(&ctx.actor(), &ctx.roles(), indicator, &new)
        .await
        .map(|_| ());
    after(&state, &ctx, id, result, "indicators").await
}

/// Back to the plan at `anchor`, or the plan again with the error.
async fn after(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    result: Result<(), lantoa_plans::Error>,
    anchor: &str,
) -> Result<Response, WebError> {
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/plans/{id}#{anchor}")).into_response()),
        Err(e) => {
            let extra = plan_context(state, ctx, id, 1, None).await?;
            Ok(form_error("plan.html", ctx, "plans", extra, e.into()))
        }
    }
}

#[derive(serde::Deserialize, Default)]
pub struct RemindersQuery {
    date: Option<String>,
}

/// `GET /plans/reminders?date=YYYY-MM-DD`: each lead unit's digest for the day (today when no
/// date): what falls due soon without a report, and what is overdue.
pub async fn reminders(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    axum::extract::Query(q): axum::extract::Query<RemindersQuery>,
) -> Result<Response, WebError> {
    let day = match q.date.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
        Some(d) => lantoa_core::time::parse_day(d)
            .ok_or_else(|| invalid("date", Msg::new("watch-not-a-date").arg("value", d)))?,
        None => lantoa_core::time::now().date_naive(),
    };
    let rules = lantoa_plans::ReminderRules::builtin()?;
    let digests = state.plans.digests(&rules, day).await?;
    let names = unit_names(&state, digests.iter().map(|d| d.unit_id)).await?;
    let contacts = state.plans.contacts().await?;
    let rows: Vec<minijinja::Value> = digests
        .iter()
        .map(|d| {
            minijinja::context! {
                unit => names.get(&d.unit_id.to_string()).cloned().unwrap_or_default(),
                unit_id => d.unit_id, contact => contacts.get(&d.unit_id),
                due_soon => d.due_soon.iter().map(|i| minijinja::context! {
                    item => i, due => i.due.format("%d/%m/%Y").to_string(),
                }).collect::<Vec<_>>(),
                overdue => d.overdue.iter().map(|i| minijinja::context! {
                    item => i, due => i.due.format("%d/%m/%Y").to_string(),
                }).collect::<Vec<_>>(),
                reports_due => d.reports_due.iter().map(|i| minijinja::context! {
                    item => i, due => i.due.format("%d/%m/%Y").to_string(), late => i.due < day,
                }).collect::<Vec<_>>(),
            }
        })
        .collect();
    Ok(view::page(
        "plan_reminders.html",
        &ctx,
        "plans",
        minijinja::context! {
            digests => rows, day => day.format("%d/%m/%Y").to_string(),
            date => day.format("%Y-%m-%d").to_string(), days => rules.remind_days_before,
            can_edit => ctx.has_any(PLANNERS),
            reachable => digests.iter().filter(|d| contacts.contains_key(&d.unit_id)).count(),
            period => {
                let p = rules.regime.current(day);
                minijinja::context! {
                    label => p.label, from => p.from.format("%d/%m/%Y").to_string(),
                    to => p.to.format("%d/%m/%Y").to_string(),
                    due => p.due.format("%d/%m/%Y").to_string(),
                }
            },
        },
    )?
    .into_response())
}

async fn committee_context(state: &AppState, ctx: &Ctx) -> Result<minijinja::Value, WebError> {
    let members = state.plans.members().await?;
    let names = unit_names(state, members.iter().filter_map(|m| m.unit_id)).await?;
    let rows: Vec<minijinja::Value> = members
        .iter()
        .map(|m| {
            minijinja::context! {
                member => m,
                unit => m.unit_id.and_then(|u| names.get(&u.to_string()).cloned()),
            }
        })
        .collect();
    Ok(minijinja::context! {
        members => rows, can_edit => ctx.has_any(PLANNERS),
        roles => lantoa_plans::MemberRole::ALL.map(|r| r.as_str()),
    })
}

/// `GET /plans/committee`: the steering committee, its members' positions and fields, and for
/// planners the form to add one.
pub async fn committee(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
) -> Result<Response, WebError> {
    let extra = committee_context(&state, &ctx).await?;
    Ok(view::page("plan_committee.html", &ctx, "plans", extra)?.into_response())
}

/// `POST /plans/committee` (form: `name`, `position`, `role`, `fields` separated by `;`,
/// `phone`): adds a member, or the page again naming the field at fault.
pub async fn add_member(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    form: FormPairs,
) -> Result<Response, WebError> {
    let new = lantoa_plans::NewMember {
        name: form.get("name"),
        position: form.get("position"),
        role: form.get("role"),
        unit_id: None,
        fields: form.get("fields").split(';').map(str::to_owned).collect(),
        phone: form.get("phone"),
    };
    match state
        .plans
        .add_member(&ctx.actor(), &ctx.roles(), &new)
        .await
    {
        Ok(m) => Ok(Redirect::to(&format!("/plans/committee#member-{}", m.id)).into_response()),
        Err(e) => {
            let extra = committee_context(&state, &ctx).await?;
            let echo = minijinja::context! {
                name => new.name, position => new.position, role => new.role,
                fields => form.get("fields"), phone => new.phone,
            };
            Ok(form_error(
                "plan_committee.html",
                &ctx,
                "plans",
                minijinja::context! { echo => echo, ..extra },
                e.into(),
            ))
        }
    }
}

/// `POST /plans/committee/{id}/active` (form: `active` = 1 or 0): a member leaves or returns.
pub async fn member_active(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<i64>,
    form: FormPairs,
) -> Result<Response, WebError> {
    state
        .plans
        .set_member_active(&ctx.actor(), &ctx.roles(), id, form.get("active") == "1")
        .await?;
    Ok(Redirect::to(&format!("/plans/committee#member-{id}")).into_response())
}

/// `POST /plans/{id}/assign` (form: `code`, `member` — an id, or empty for none): puts a task or
/// section, and everything below it, under a committee member.
pub async fn assign(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<i64>,
    form: FormPairs,
) -> Result<Response, WebError> {
    let member = form.get("member");
    let result = match member.parse::<i64>() {
        Ok(m) => Ok(Some(m)),
        Err(_) if member.is_empty() => Ok(None),
        Err(_) => Err(lantoa_plans::Error::Invalid {
            field: "member",
            message: Msg::new("committee-bad-member").arg("value", &member),
        }),
    };
    let result = match result {
        Ok(m) => state
            .plans
            .assign_member(&ctx.actor(), &ctx.roles(), id, &form.get("code"), m)
            .await
            .map(|_| ()),
        Err(e) => Err(e),
    };
    after(&state, &ctx, id, result, "by-member-h").await
}

#[derive(serde::Deserialize, Default)]
pub struct DtiQuery {
    year: Option<i32>,
}

async fn dti_context(
    state: &AppState,
    ctx: &Ctx,
    year: Option<i32>,
) -> Result<minijinja::Value, WebError> {
    let frameworks = lantoa_plans::Frameworks::builtin()?;
    let years = frameworks.years();
    let history = state.plans.dti_years(&frameworks).await?;
    // The year asked for, else the latest with an assessment, else the latest covered.
    let year = year
        .filter(|y| years.contains(y))
        .or_else(|| history.last().map(|a| a.year))
        .or_else(|| years.last().copied())
        .ok_or_else(|| invalid("year", Msg::new("dti-none-loaded")))?;
    let assessment = state.plans.dti_assessment(&frameworks, year).await?;
    let pillars: Vec<String> = {
        let mut p: Vec<String> = Vec::new();
        for a in &history {
            for (n, _) in &a.pillars {
                if !p.contains(n) {
                    p.push(n.clone());
                }
            }
        }
        p
    };
    let rows: Vec<minijinja::Value> = history
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let before = i.checked_sub(1).and_then(|j| history[j].result.as_ref());
            minijinja::context! {
                year => a.year, total => a.total.map(|v| format!("{v:.4}")),
                pillars => pillars.iter().map(|p| a.pillars.iter().find(|(n, _)| n == p)
                    .and_then(|(_, v)| v.map(|v| format!("{v:.4}")))).collect::<Vec<_>>(),
                result => a.result,
                // Places gained since the year before (positive: up), when both are known.
                gained => a.result.as_ref().zip(before).map(|(r, b)| b.rank - r.rank),
            }
        })
        .collect();
    let chart =
        lantoa_plans::charts::dti_svg(&history, &ctx.t("plan-dti-chart"), &ctx.t("plan-dti-total"));
    let mains: Vec<minijinja::Value> = assessment
        .mains
        .iter()
        .map(|m| {
            minijinja::context! {
                main => m.main, score => lantoa_core::chart::number(m.score),
                normalised => m.normalised.map(|v| format!("{v:.4}")), entered => m.entered,
                components => m.main.components.iter().map(|c| {
                    let s = m.scores.get(&c.code);
                    minijinja::context! {
                        code => c.code, name => c.name,
                        points => lantoa_core::chart::number(c.points),
                        score => s.map(|(v, _)| lantoa_core::chart::number(*v)),
                        evidence => s.map(|(_, e)| e.clone()),
                    }
                }).collect::<Vec<_>>(),
            }
        })
        .collect();
    Ok(minijinja::context! {
        year => year, years => years, assessment => assessment, mains => mains,
        total => assessment.total.map(|v| format!("{v:.4}")),
        history => rows, pillars => pillars,
        chart => minijinja::Value::from_safe_string(chart),
        can_edit => ctx.has_any(PLANNERS),
    })
}

/// `GET /plans/dti?year=`: the DTI — the years compared (normalised by pillar, rank), the
/// chosen year's self-assessment by main indicator and component, and for planners the forms.
pub async fn dti(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    axum::extract::Query(q): axum::extract::Query<DtiQuery>,
) -> Result<Response, WebError> {
    let extra = dti_context(&state, &ctx, q.year).await?;
    Ok(view::page("plan_dti.html", &ctx, "plans", extra)?.into_response())
}

/// `POST /plans/dti/{year}/scores` (form: `score-CODE` and `evidence-CODE` per component; empty
/// scores are left as they are): records them all or none, naming each fault.
pub async fn dti_scores(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(year): Path<i32>,
    form: FormPairs,
) -> Result<Response, WebError> {
    let frameworks = lantoa_plans::Frameworks::builtin()?;
    let mut scores = Vec::new();
    for (k, v) in &form.0 {
        let (Some(code), false) = (k.strip_prefix("score-"), v.trim().is_empty()) else {
            continue;
        };
        scores.push(lantoa_plans::NewScore {
            component: code.to_owned(),
            score: v.trim().replace(',', ".").parse().unwrap_or(f64::NAN),
            evidence: form.get(&format!("evidence-{code}")),
        });
    }
    match state
        .plans
        .record_dti_scores(&ctx.actor(), &ctx.roles(), &frameworks, year, &scores)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/plans/dti?year={year}#assessment")).into_response()),
        Err(e) => {
            let extra = dti_context(&state, &ctx, Some(year)).await?;
            Ok(form_error("plan_dti.html", &ctx, "plans", extra, e.into()))
        }
    }
}

/// `POST /plans/dti/{year}/result` (form: `rank`, `of_count`, `index_value`, `source`): the
/// ministry's published result for the year.
pub async fn dti_result(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(year): Path<i32>,
    form: FormPairs,
) -> Result<Response, WebError> {
    let int = |k: &str| form.get(k).parse::<i64>().unwrap_or(0);
    let index = form.get("index_value");
    let r = lantoa_plans::DtiResult {
        rank: int("rank"),
        of_count: int("of_count"),
        index_value: if index.is_empty() {
            None
        } else {
            Some(index.replace(',', ".").parse().unwrap_or(f64::NAN))
        },
        source: form.get("source"),
    };
    match state
        .plans
        .record_dti_result(&ctx.actor(), &ctx.roles(), year, &r)
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/plans/dti?year={year}#history")).into_response()),
        Err(e) => {
            let extra = dti_context(&state, &ctx, Some(year)).await?;
            Ok(form_error("plan_dti.html", &ctx, "plans", extra, e.into()))
        }
    }
}

/// `POST /plans/{id}/indicators/refresh`: reads every computed indicator from the module that
/// owns its figure and records today's value; the plan again with what was recorded.
pub async fn refresh_indicators(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let today = lantoa_core::time::now().date_naive();
    let refreshed = crate::measures::refresh(&state, &ctx.actor(), &ctx.roles(), id, today).await?;
    let extra = plan_context(&state, &ctx, id, 1, None).await?;
    Ok(view::page(
        "plan.html",
        &ctx,
        "plans",
        minijinja::context! { refreshed => refreshed, ..extra },
    )?
    .into_response())
}

/// `POST /plans/{id}/indicators/green`: adopts the green digital-transformation indicator set
/// (codes the plan has are left alone).
pub async fn adopt_green(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let result = state
        .plans
        .add_indicator_set(
            &ctx.actor(),
            &ctx.roles(),
            id,
            lantoa_plans::indicators::GREEN_SET,
        )
        .await
        .map(|_| ());
    after(&state, &ctx, id, result, "indicators").await
}

/// `POST /plans/reminders/contact` (form: `unit_id`, `name`, `phone`, `date`): sets a lead
/// unit's focal point, then back to the reminders of that day.
pub async fn set_contact(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    form: FormPairs,
) -> Result<Response, WebError> {
    let c = lantoa_plans::Contact {
        unit_id: form.get("unit_id").parse().unwrap_or(0),
        name: form.get("name"),
        phone: form.get("phone"),
    };
    state
        .plans
        .set_contact(&ctx.actor(), &ctx.roles(), &c)
        .await?;
    // Back to the day shown (a date only: nothing else goes into the address).
    let day = chrono::NaiveDate::parse_from_str(&form.get("date"), "%Y-%m-%d")
        .map(|d| format!("?date={}", d.format("%Y-%m-%d")))
        .unwrap_or_default();
    Ok(Redirect::to(&format!("/plans/reminders{day}#unit-{}", c.unit_id)).into_response())
}

/// `POST /plans/reminders/sms` (form: `date`): turns the day's digests into a Notify campaign to
/// each unit's focal point and submits it for approval; the campaign's page is next. Units with
/// no focal point are left out and named there.
pub async fn send_reminders(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    form: FormPairs,
) -> Result<Response, WebError> {
    let date = form.get("date");
    let day = lantoa_core::time::parse_day(&date)
        .ok_or_else(|| invalid("date", Msg::new("watch-not-a-date").arg("value", &date)))?;
    let id = crate::reminders::send_sms(&state, &ctx.actor(), day)
        .await?
        .ok_or_else(|| {
            invalid(
                "date",
                Msg::new("reminders-nobody").arg("date", day.format("%d/%m/%Y")),
            )
        })?;
    Ok(Redirect::to(&format!("/notify/campaigns/{id}")).into_response())
}

/// `GET /plans/{id}/escalation`: the summary for the leadership — by committee member, the
/// tasks overdue or blocked; the lead units with the most overdue. Printable.
pub async fn escalation(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let plan = state.plans.plan(id).await?;
    let today = lantoa_core::time::now().date_naive();
    let e = state.plans.escalation(id, today).await?;
    let members = state.plans.members().await?;
    let mut ids: Vec<i64> = e.units.iter().map(|(u, _)| *u).collect();
    for m in &e.members {
        ids.extend(m.tasks.iter().filter_map(|p| p.task.lead_unit_id));
    }
    let names = unit_names(&state, ids.into_iter()).await?;
    let name_of = |u: Option<i64>| {
        u.and_then(|u| names.get(&u.to_string()).cloned())
            .unwrap_or_default()
    };
    let rows: Vec<minijinja::Value> = e
        .members
        .iter()
        .map(|m| {
            minijinja::context! {
                member => m.member_id.and_then(|id| members.iter().find(|x| x.id == id)),
                counts => m.counts,
                tasks => m.tasks.iter().map(|p| minijinja::context! {
                    code => p.task.code, title => p.task.title, lead => name_of(p.task.lead_unit_id),
                    due => p.judged_due.or(p.task.due_on).map(|d| d.format("%d/%m/%Y").to_string()),
                    overdue => p.overdue, latest => p.latest,
                }).collect::<Vec<_>>(),
            }
        })
        .collect();
    let units: Vec<minijinja::Value> = e
        .units
        .iter()
        .take(20)
        .map(|(u, c)| minijinja::context! { unit => name_of(Some(*u)), counts => c })
        .collect();
    Ok(view::page(
        "plan_escalation.html",
        &ctx,
        "plans",
        minijinja::context! {
            plan => plan, members => rows, units => units,
            day => today.format("%d/%m/%Y").to_string(),
        },
    )?
    .into_response())
}
