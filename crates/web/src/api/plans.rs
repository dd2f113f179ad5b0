//! `/api/v1/plans`: the digital-transformation plans for another system or the CLI — the plans
//! with their standing, one plan's tasks a page at a time, a lead unit's progress report, the
//! indicators against their targets, an actual, and the refresh of computed indicators. Every
//! rule is the plans service's (who may report on a task, what a period is); these handlers
//! read JSON and write it.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::Deserialize;
use serde_json::json;

use super::ApiJson;
use crate::AppState;
use crate::ctx::Ctx;
use crate::error::{WebError, parse_date};

/// The most tasks one page answers.
const MAX_TASKS: i64 = 1000;

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct OnQuery {
    /// The day the standing is read at (dd/mm/yyyy or YYYY-MM-DD; today without it).
    on: Option<String>,
}

fn day_of(on: Option<&str>) -> Result<chrono::NaiveDate, WebError> {
    match on.map(str::trim).filter(|v| !v.is_empty()) {
        Some(v) => parse_date("on", v),
        None => Ok(lantoa_core::time::now().date_naive()),
    }
}

/// `GET /api/v1/plans?on=`: every plan, newest first, each with its tasks' counts on the day
/// (tasks, done, overdue…).
pub async fn plans(
    State(state): State<AppState>,
    Query(q): Query<OnQuery>,
) -> Result<Json<serde_json::Value>, WebError> {
    let day = day_of(q.on.as_deref())?;
    let mut out = Vec::new();
    for p in state.plans.plans().await? {
        let d = state.plans.dashboard(p.id, day).await?;
        out.push(json!({ "plan": p, "tasks": d.total }));
    }
    Ok(Json(json!({ "on": day, "plans": out })))
}

/// `GET /api/v1/plans/{id}?on=`: a plan, its counts in all, by lead unit and by committee
/// member on the day.
pub async fn plan(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Query(q): Query<OnQuery>,
) -> Result<Json<serde_json::Value>, WebError> {
    let day = day_of(q.on.as_deref())?;
    let plan = state.plans.plan(id).await?;
    let d = state.plans.dashboard(id, day).await?;
    let by_unit: Vec<_> = d
        .by_unit
        .iter()
        .map(|(unit_id, c)| json!({ "unit_id": unit_id, "tasks": c }))
        .collect();
    let by_member: Vec<_> = d
        .by_member
        .iter()
        .map(|(member_id, c)| json!({ "member_id": member_id, "tasks": c }))
        .collect();
    Ok(Json(json!({
        "on": day, "plan": plan, "rows": d.rows, "tasks": d.total,
        "by_unit": by_unit, "by_member": by_member,
    })))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct TasksQuery {
    on: Option<String>,
    limit: Option<i64>,
    offset: Option<i64>,
}

/// `GET /api/v1/plans/{id}/tasks?on=&limit=&offset=`: a page of the plan's tasks and sections
/// in the appendix's order, each with its latest report, the deadline it is judged by and
/// whether it is overdue; `total` counts them all and `next` is the following page's offset.
pub async fn tasks(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Query(q): Query<TasksQuery>,
) -> Result<Json<serde_json::Value>, WebError> {
    let day = day_of(q.on.as_deref())?;
    let limit = q.limit.unwrap_or(100).clamp(1, MAX_TASKS);
    let offset = q.offset.unwrap_or(0).max(0);
    state.plans.plan(id).await?;
    let total = state.plans.dashboard(id, day).await?.rows;
    let tasks = state.plans.progress_page(id, day, offset, limit).await?;
    let next = (offset + limit < total).then_some(offset + limit);
    Ok(Json(json!({
        "on": day, "total": total, "offset": offset, "limit": limit, "next": next,
        "tasks": tasks,
    })))
}

/// `POST /api/v1/plans/{id}/tasks/{task}/report` (`{status, percent, body, evidence?}`): a
/// progress report by the task's lead unit's account, or a planner's; 201 with it, or the
/// field at fault and nothing kept.
pub async fn report(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path((id, task)): Path<(i64, i64)>,
    ApiJson(new): ApiJson<lantoa_plans::NewReport>,
) -> Result<Response, WebError> {
    // The task must be the plan's: a path naming another plan's task is not found.
    state.plans.plan_task(id, task).await?;
    let who = lantoa_plans::Reporter {
        actor: ctx.actor(),
        roles: ctx.roles(),
        unit_id: ctx.principal.as_ref().and_then(|p| p.unit_id),
    };
    let r = state.plans.submit_report(&who, task, &new).await?;
    Ok((StatusCode::CREATED, Json(json!({ "report": r }))).into_response())
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct YearQuery {
    year: Option<i32>,
}

/// `GET /api/v1/plans/{id}/indicators?year=`: each indicator with the year's target, its
/// latest actual in the year and whether the target is met (this year, within the plan's
/// years, without one).
pub async fn indicators(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Query(q): Query<YearQuery>,
) -> Result<Json<serde_json::Value>, WebError> {
    let plan = state.plans.plan(id).await?;
    let year = q
        .year
        .unwrap_or_else(|| chrono::Datelike::year(&lantoa_core::time::now()))
        .clamp(plan.from_year, plan.to_year);
    let standings = state.plans.standings(id, year).await?;
    Ok(Json(json!({ "year": year, "indicators": standings })))
}

/// `POST /api/v1/plans/{id}/indicators/{indicator}/actual` (`{period, value, source,
/// evidence?}`): an indicator's actual for a period (a planner); 201 with the period's last
/// day, or the field at fault.
pub async fn record_actual(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path((id, indicator)): Path<(i64, i64)>,
    ApiJson(new): ApiJson<lantoa_plans::NewActual>,
) -> Result<Response, WebError> {
    state.plans.plan_indicator(id, indicator).await?;
    let period_end = state
        .plans
        .record_actual(&ctx.actor(), &ctx.roles(), indicator, &new)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "indicator_id": indicator, "period_end": period_end })),
    )
        .into_response())
}

/// `POST /api/v1/plans/{id}/indicators/refresh`: reads every computed indicator from the module
/// that owns its figure and records today's value; what was recorded, or why not, per
/// indicator.
pub async fn refresh(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<i64>,
) -> Result<Json<serde_json::Value>, WebError> {
    let today = lantoa_core::time::now().date_naive();
    let refreshed = crate::measures::refresh(&state, &ctx.actor(), &ctx.roles(), id, today).await?;
    Ok(Json(json!({ "on": today, "refreshed": refreshed })))
}
