//! `/api/v1/reports` and the reports' downloads: the department's reports for another system
//! or the CLI — the list, a new report for a period, one report with its figures, its texts
//! and targets, its steps (submit, send back, approve by another person, reopen), and the DOCX
//! and PDF (the console's download links are these same handlers). Every rule is the reports
//! service's.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::Deserialize;
use serde_json::json;

use super::ApiJson;
use crate::AppState;
use crate::ctx::Ctx;
use crate::error::WebError;

/// `GET /api/v1/reports`: every report, newest period first.
pub async fn reports(State(state): State<AppState>) -> Result<Json<serde_json::Value>, WebError> {
    Ok(Json(
        json!({ "reports": state.reports()?.reports().await? }),
    ))
}

/// A report to start.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewReport {
    /// `monthly`, `quarterly`, `half_yearly` or `yearly`.
    frequency: String,
    year: i32,
    /// Which period of the year (1-based).
    n: u32,
    /// `decree09` (the 15th-to-14th reporting period) or `calendar`.
    #[serde(default = "decree09")]
    cutoff: String,
}

fn decree09() -> String {
    "decree09".to_owned()
}

/// `POST /api/v1/reports` (`{frequency, year, n, cutoff?}`): starts the report of a period;
/// 201 with it, or the field at fault.
pub async fn create(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    ApiJson(new): ApiJson<NewReport>,
) -> Result<Response, WebError> {
    let r = state
        .reports()?
        .create(&ctx.actor(), &new.frequency, new.year, new.n, &new.cutoff)
        .await?;
    Ok((StatusCode::CREATED, Json(json!({ "report": r }))).into_response())
}

/// The steps the caller may take on `r`: what the console offers them.
fn steps_for(ctx: &Ctx, r: &lantoa_reports::Report) -> Vec<&'static str> {
    use crate::routes::{REPORT_STEPS, REPORT_WRITERS};
    let mut out = Vec::new();
    let me = ctx.actor();
    match r.state.as_str() {
        "draft" if ctx.has_any(REPORT_WRITERS) => out.push("submit"),
        "review" if ctx.has_any(REPORT_STEPS) => {
            out.push("send-back");
            if r.submitted_by.as_deref() != Some(me.as_str()) {
                out.push("approve");
            }
        }
        "approved" if ctx.has_any(REPORT_STEPS) => out.push("reopen"),
        _ => {}
    }
    out
}

/// `GET /api/v1/reports/{id}`: a report, what it shows (each field's figures this period and a
/// year before, the targets, the latest text of each section) and the steps the caller may take.
pub async fn report(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<i64>,
) -> Result<Json<serde_json::Value>, WebError> {
    let service = state.reports()?;
    let r = service.report(id).await?;
    let contents = service.contents(&r).await?;
    let steps = steps_for(&ctx, &r);
    Ok(Json(
        json!({ "report": r, "contents": contents, "steps": steps }),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewText {
    section: String,
    body: String,
}

/// `POST /api/v1/reports/{id}/texts` (`{section, body}`): a section's next version, while the
/// report is a draft; 201 with it.
pub async fn write(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<i64>,
    ApiJson(t): ApiJson<NewText>,
) -> Result<Response, WebError> {
    let text = state
        .reports()?
        .write(&ctx.actor(), id, &t.section, &t.body)
        .await?;
    Ok((StatusCode::CREATED, Json(json!({ "text": text }))).into_response())
}

/// `POST /api/v1/reports/{id}/targets` (`{"KEY": number or null, …}`): the plan's targets of
/// the figures named (null clears one). Every key is checked before any is kept.
pub async fn targets(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<i64>,
    ApiJson(targets): ApiJson<std::collections::BTreeMap<String, Option<f64>>>,
) -> Result<Json<serde_json::Value>, WebError> {
    let service = state.reports()?;
    let r = service.report(id).await?;
    if let Some(key) = targets
        .keys()
        .find(|k| service.labels().figure(k).is_none())
    {
        return Err(WebError::said(&lantoa_reports::Error::Invalid {
            field: "figure",
            message: lantoa_core::Msg::new("report-not-a-figure").arg("value", key),
        }));
    }
    for (key, target) in &targets {
        service.set_target(&ctx.actor(), r.id, key, *target).await?;
    }
    let contents = service.contents(&r).await?;
    Ok(Json(json!({ "targets": contents.targets })))
}

/// `POST /api/v1/reports/{id}/{step}`: `submit`, `send-back`, `approve` (by someone other than
/// who submitted it) or `reopen`; the report as it is after.
pub async fn step(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path((id, step)): Path<(i64, String)>,
) -> Result<Json<serde_json::Value>, WebError> {
    let r = state.reports()?.take_step(&ctx.actor(), id, &step).await?;
    let steps = steps_for(&ctx, &r);
    Ok(Json(json!({ "report": r, "steps": steps })))
}

/// `?final=1` asks for the final copy (refused unless approved).
#[derive(Debug, Deserialize)]
pub struct Copy {
    #[serde(default, rename = "final")]
    final_copy: Option<String>,
}

async fn docx_of(state: &AppState, id: i64, q: &Copy) -> Result<(String, Vec<u8>), WebError> {
    let service = state.reports()?;
    let r = service.report(id).await?;
    let contents = service.contents(&r).await?;
    let agencies =
        lantoa_docs::Agencies::builtin().map_err(|e| WebError::internal(e.to_string()))?;
    let today = lantoa_core::time::now().date_naive();
    let bytes = lantoa_reports::export::docx(
        &r,
        &contents,
        service.labels(),
        &agencies,
        today,
        q.final_copy.as_deref() == Some("1"),
    )?;
    let name = format!(
        "bao-cao-{}-{}-{}{}",
        r.frequency,
        r.year,
        r.n,
        if r.state == "approved" {
            ""
        } else {
            "-du-thao"
        }
    );
    Ok((name, bytes))
}

/// `GET /reports/{id}/report.docx`.
pub async fn docx(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Query(q): Query<Copy>,
) -> Result<Response, WebError> {
    let (name, bytes) = docx_of(&state, id, &q).await?;
    Ok(crate::files::attachment(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        &format!("{name}.docx"),
        bytes,
    ))
}

/// `GET /reports/{id}/report.pdf`: the DOCX rendered by LibreOffice.
pub async fn pdf(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Query(q): Query<Copy>,
) -> Result<Response, WebError> {
    let (name, docx) = docx_of(&state, id, &q).await?;
    let soffice = state.config.soffice.clone();
    let pdf = tokio::task::spawn_blocking(move || lantoa_reports::export::pdf(&soffice, &docx))
        .await
        .map_err(|e| WebError::internal(e.to_string()))??;
    Ok(crate::files::attachment(
        "application/pdf",
        &format!("{name}.pdf"),
        pdf,
    ))
}
