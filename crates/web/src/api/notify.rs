//! `/api/v1/notify` for recipient lists and SMS campaigns: what another agency's system uses to
//! send through Lantoa (import a list, draft, cost, submit, approve by a second person, cancel,
//! follow the progress, read each delivery back). Every rule is the notify service's; these
//! handlers only read JSON and write it.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::Deserialize;
use serde_json::json;

use lantoa_notify::browse::PageQuery;

use super::ApiJson;
use crate::AppState;
use crate::ctx::Ctx;
use crate::error::WebError;

/// What a page of one of the module's lists asks for: `q` (a search on tone keys), the list's
/// filters (`status`, `state`, `emergency`), `sort`, `limit` (≤ 500, 100 if not given) and
/// `offset`.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct PageParams {
    q: Option<String>,
    status: Option<String>,
    state: Option<String>,
    #[serde(default)]
    emergency: bool,
    sort: Option<String>,
    limit: Option<i64>,
    offset: Option<i64>,
}

impl PageParams {
    pub(crate) fn query<S>(&self, sort: S) -> PageQuery<S> {
        PageQuery {
            q: self.q.clone(),
            sort,
            limit: self
                .limit
                .unwrap_or(100)
                .clamp(1, lantoa_notify::browse::PAGE_MAX),
            offset: self.offset.unwrap_or(0).max(0),
        }
    }

    fn sort(&self) -> &str {
        self.sort.as_deref().unwrap_or("")
    }

    pub(crate) fn alert_filter(&self) -> lantoa_notify::browse::AlertFilter {
        lantoa_notify::browse::AlertFilter {
            status: self.status.clone(),
            state: self.state.clone(),
        }
    }

    pub(crate) fn alert_sort(&self) -> Result<lantoa_notify::browse::AlertSort, WebError> {
        Ok(lantoa_notify::browse::AlertSort::parse(self.sort())?)
    }
}

/// `GET /api/v1/notify/lists`: a page of recipient lists (`q`, `sort`: newest, name, largest).
pub async fn lists(
    State(state): State<AppState>,
    Query(p): Query<PageParams>,
) -> Result<Json<serde_json::Value>, WebError> {
    let q = p.query(lantoa_notify::browse::ListSort::parse(p.sort())?);
    let (rows, total) = state.notify.list_page(&q).await?;
    Ok(super::paged("lists", rows, total, &q))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListImport {
    name: Option<String>,
    file_name: Option<String>,
}

/// `POST /api/v1/notify/lists?name=…&file_name=…`: the body is the list (CSV or XLSX, as the
/// console takes it); 201 with the list and its report (rows read, taken, repeated, each
/// refused row with its reason), or the reason nothing was kept.
pub async fn import_list(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Query(q): Query<ListImport>,
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<Response, WebError> {
    let body = body?;
    let file_name = q.file_name.unwrap_or_else(|| "api.csv".to_owned());
    let (list, report) = state
        .notify
        .import_list(
            &ctx.actor(),
            q.name.as_deref().unwrap_or_default(),
            &file_name,
            &body[..],
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "list": list, "report": report })),
    )
        .into_response())
}

/// `GET /api/v1/notify/lists/{id}`: a list with its counts per operator and refused rows.
pub async fn list(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Json<serde_json::Value>, WebError> {
    Ok(Json(json!({ "list": state.notify.list(id).await? })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CostBody {
    body: String,
    list_id: Option<i64>,
}

/// `POST /api/v1/notify/cost`: what `body` costs, on list `list_id` when given: encoding,
/// characters, segments, cost per recipient and in all, the unaccented variant and its cost.
pub async fn cost(
    State(state): State<AppState>,
    ApiJson(b): ApiJson<CostBody>,
) -> Result<Json<serde_json::Value>, WebError> {
    let n = &state.notify;
    let estimate = n.estimate(&b.body, b.list_id).await?;
    Ok(Json(
        json!({ "estimate": estimate, "max_segments": n.rules().max_segments }),
    ))
}

/// `GET /api/v1/notify/campaigns`: a page of campaigns (`q`, `status`, `emergency`, `sort`:
/// newest, oldest, name, status).
pub async fn campaigns(
    State(state): State<AppState>,
    Query(p): Query<PageParams>,
) -> Result<Json<serde_json::Value>, WebError> {
    let q = p.query(lantoa_notify::browse::CampaignSort::parse(p.sort())?);
    let filter = lantoa_notify::browse::CampaignFilter {
        status: p.status.clone(),
        emergency: p.emergency,
    };
    let (rows, total) = state.notify.campaign_page(&q, &filter).await?;
    Ok(super::paged("campaigns", rows, total, &q))
}

/// `POST /api/v1/notify/campaigns`: drafts a campaign from JSON (`name`, `topic`, `brandname`,
/// `body`, `list_id`, `communes`, `emergency`, `resend_uncertain`); 201 with it, its plan and
/// the steps the caller may take,
/// or the field at fault and nothing kept.
pub async fn create_campaign(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    ApiJson(new): ApiJson<lantoa_notify::NewCampaign>,
) -> Result<Response, WebError> {
    let n = &state.notify;
    let actor = ctx.actor();
    let c = n.create_campaign(&actor, &new).await?;
    let plan = n.plan(c.id).await?;
    let steps = n.steps_for(ctx.taker(&actor), &c);
    Ok((
        StatusCode::CREATED,
        Json(json!({ "campaign": c, "plan": plan, "steps": steps })),
    )
        .into_response())
}

/// `GET /api/v1/notify/campaigns/{id}`: a campaign, its plan (recipients per operator after
/// opt-outs, segments, cost, the message as sent) and the steps the caller may take.
pub async fn campaign(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<i64>,
) -> Result<Json<serde_json::Value>, WebError> {
    let n = &state.notify;
    let c = n.campaign(id).await?;
    let plan = n.plan(id).await?;
    let actor = ctx.actor();
    let steps = n.steps_for(ctx.taker(&actor), &c);
    Ok(Json(json!({ "campaign": c, "plan": plan, "steps": steps })))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct StepBody {
    /// The campaign's name, typed to approve it.
    #[serde(default)]
    confirm: String,
    /// What must change (send-back), or why (cancel).
    #[serde(default)]
    note: String,
}

/// `POST /api/v1/notify/campaigns/{id}/{step}`: `submit` (the author), `approve` (an approver
/// other than the author, `{"confirm": "the campaign's name"}`), `send-back` (`{"note"}`),
/// `cancel` (`{"note"}` optional); the campaign as it is after the step.
pub async fn step(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path((id, step)): Path<(i64, String)>,
    body: axum::body::Bytes,
) -> Result<Json<serde_json::Value>, WebError> {
    let b: StepBody = if body.iter().all(u8::is_ascii_whitespace) {
        StepBody::default()
    } else {
        serde_json::from_slice(&body).map_err(|e| WebError::malformed(e.to_string()))?
    };
    let text = if step == "approve" { b.confirm } else { b.note };
    let step = lantoa_notify::Step::parse(&step, &text)?;
    let actor = ctx.actor();
    let c = state.notify.take_step(ctx.taker(&actor), id, step).await?;
    Ok(Json(json!({ "campaign": c })))
}

/// `GET /api/v1/notify/campaigns/{id}/progress`: its state, messages per state and operator,
/// the commonest failure reasons, when a quiet-hours hold ends, and the binds sending.
pub async fn progress(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Json<serde_json::Value>, WebError> {
    let n = &state.notify;
    let c = n.campaign(id).await?;
    let progress = n.progress(id, false).await?;
    let held_until = n.held_until(&c);
    Ok(Json(json!({
        "status": c.status, "started_at": c.started_at, "finished_at": c.finished_at,
        "held_until": held_until, "progress": progress, "binds": n.binds().await?,
    })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeliveryQuery {
    state: Option<String>,
    after: Option<i64>,
    limit: Option<i64>,
}

/// `GET /api/v1/notify/campaigns/{id}/deliveries?state=&after=&limit=`: a page of its messages
/// in id order with each part's answer, the count of all that match, and `next` (the `after`
/// of the next page; absent on the last).
pub async fn deliveries(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Query(q): Query<DeliveryQuery>,
) -> Result<Json<serde_json::Value>, WebError> {
    let limit = q.limit.unwrap_or(100);
    let (page, total) = state
        .notify
        .deliveries(
            id,
            q.state.as_deref().filter(|s| !s.is_empty()),
            q.after.unwrap_or(0),
            limit,
        )
        .await?;
    let next = (page.len() as i64 == limit)
        .then(|| page.last().map(|d| d.id))
        .flatten();
    Ok(Json(
        json!({ "total": total, "deliveries": page, "next": next }),
    ))
}
