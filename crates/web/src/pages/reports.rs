//! The department's reports: the list with the form to start one for a period, and a report's
//! page — each field's comparison table with links to what it counts, its chart and its text
//! (editable while a draft), the plan's targets, the steps (submit, send back, approve, reopen)
//! and the downloads (DOCX, PDF; final only once approved).

use axum::Extension;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};

use super::{FormPairs, form_error};
use crate::ctx::Ctx;
use crate::error::WebError;
use crate::routes::{REPORT_STEPS, REPORT_WRITERS};
use crate::{AppState, view};

async fn list_context(state: &AppState, ctx: &Ctx) -> Result<minijinja::Value, WebError> {
    let r = state.reports()?;
    Ok(minijinja::context! {
        reports => r.reports().await?, can_write => ctx.has_any(REPORT_WRITERS),
        this_year => chrono::Datelike::year(&lantoa_core::time::now()),
    })
}

/// `GET /reports`.
pub async fn list(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
) -> Result<Response, WebError> {
    let extra = list_context(&state, &ctx).await?;
    Ok(view::page("reports.html", &ctx, "reports", extra)?.into_response())
}

/// `POST /reports` (frequency, year, n, cutoff): starts the report of a period.
pub async fn create(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    form: FormPairs,
) -> Result<Response, WebError> {
    let r = state.reports()?;
    let number = |field: &'static str| {
        let v = form.get(field);
        v.parse::<u32>().map_err(|_| {
            WebError::from(lantoa_reports::Error::Invalid {
                field,
                message: lantoa_core::Msg::new("notify-not-a-number").arg("value", &v),
            })
        })
    };
    let made = match (number("year"), number("n")) {
        (Ok(year), Ok(n)) => r
            .create(
                &ctx.actor(),
                &form.get("frequency"),
                i32::try_from(year).unwrap_or(0),
                n,
                &form.get("cutoff"),
            )
            .await
            .map_err(WebError::from),
        (Err(e), _) | (_, Err(e)) => Err(e),
    };
    match made {
        Ok(report) => Ok(Redirect::to(&format!("/reports/{}", report.id)).into_response()),
        Err(e) => {
            let extra = list_context(&state, &ctx).await?;
            let echo = minijinja::context! {
                frequency => form.get("frequency"), year => form.get("year"), n => form.get("n"),
                cutoff => form.get("cutoff"),
            };
            Ok(form_error(
                "reports.html",
                &ctx,
                "reports",
                minijinja::context! { echo => echo, ..extra },
                e,
            ))
        }
    }
}

fn lang(ctx: &Ctx) -> lantoa_reports::export::Lang {
    if ctx.lang.code() == "en" {
        lantoa_reports::export::Lang::En
    } else {
        lantoa_reports::export::Lang::Vi
    }
}

async fn report_context(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
) -> Result<minijinja::Value, WebError> {
    let service = state.reports()?;
    let r = service.report(id).await?;
    let contents = service.contents(&r).await?;
    let fields = lantoa_reports::export::fields_of(
        &contents,
        service.labels(),
        lang(ctx),
        Some((r.from, r.to)),
    );
    let texts: Vec<minijinja::Value> = lantoa_reports::TEXT_SECTIONS
        .iter()
        .map(|s| {
            let t = contents.text(s);
            minijinja::context! {
                section => s, body => t.map(|t| t.body.clone()).unwrap_or_default(),
                version => t.map(|t| t.version), by => t.map(|t| t.written_by.clone()),
            }
        })
        .collect();
    let targets: Vec<minijinja::Value> = service
        .labels()
        .figure
        .iter()
        .map(|l| {
            minijinja::context! {
                key => l.key, label => if ctx.lang.code() == "en" { &l.en } else { &l.vi },
                target => contents.target(&l.key),
            }
        })
        .collect();
    let me = ctx.actor();
    Ok(minijinja::context! {
        report => r.clone(), fields => fields, texts => texts, targets => targets,
        can_write => ctx.has_any(REPORT_WRITERS) && r.state == "draft",
        can_step => ctx.has_any(REPORT_STEPS),
        can_approve => ctx.has_any(REPORT_STEPS) && r.state == "review"
            && r.submitted_by.as_deref() != Some(me.as_str()),
    })
}

/// `GET /reports/{id}`.
pub async fn page(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let extra = report_context(&state, &ctx, id).await?;
    Ok(view::page("report.html", &ctx, "reports", extra)?.into_response())
}

/// `POST /reports/{id}/texts` (section, body): saves the section's next version.
pub async fn write(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<i64>,
    form: FormPairs,
) -> Result<Response, WebError> {
    let section = form.get("section");
    match state
        .reports()?
        .write(&ctx.actor(), id, &section, &form.get("body"))
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/reports/{id}#text-{section}")).into_response()),
        Err(e) => {
            let extra = report_context(&state, &ctx, id).await?;
            Ok(form_error("report.html", &ctx, "reports", extra, e.into()))
        }
    }
}

/// `POST /reports/{id}/targets` (`target.KEY` = a number, or empty to clear): the plan's targets.
pub async fn targets(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<i64>,
    form: FormPairs,
) -> Result<Response, WebError> {
    let service = state.reports()?;
    let mut outcome = Ok(());
    for (k, v) in &form.0 {
        let Some(key) = k.strip_prefix("target.") else {
            continue;
        };
        let v = v.trim().replace(',', ".");
        let target = if v.is_empty() {
            None
        } else {
            match v.parse::<f64>() {
                Ok(t) => Some(t),
                Err(_) => {
                    outcome = Err(lantoa_reports::Error::Invalid {
                        field: "target",
                        message: lantoa_core::Msg::new("report-target-not-number")
                            .arg("figure", key)
                            .arg("value", v),
                    });
                    break;
                }
            }
        };
        if let Err(e) = service.set_target(&ctx.actor(), id, key, target).await {
            outcome = Err(e);
            break;
        }
    }
    match outcome {
        Ok(()) => Ok(Redirect::to(&format!("/reports/{id}#targets")).into_response()),
        Err(e) => {
            let extra = report_context(&state, &ctx, id).await?;
            Ok(form_error("report.html", &ctx, "reports", extra, e.into()))
        }
    }
}

/// `POST /reports/{id}/{step}`: `submit`, `send-back`, `approve`, `reopen`.
pub async fn step(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path((id, step)): Path<(i64, String)>,
) -> Result<Response, WebError> {
    state.reports()?.take_step(&ctx.actor(), id, &step).await?;
    Ok(Redirect::to(&format!("/reports/{id}")).into_response())
}
