//! Commune loudspeakers: the console page (clusters with the form to add one and its token
//! shown once, bulletins with the form to speak and schedule one, coverage with a chart), and
//! the devices' own API under `/speakers/v1`, where each cluster authenticates with its token
//! and sees only its own playlist.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Json};
use serde::Deserialize;

use super::{FormPairs, form_error};
use crate::ctx::Ctx;
use crate::error::WebError;
use crate::{AppState, view};

/// Days of plays the coverage counts, back from now.
const COVERAGE_DAYS: i64 = 30;

async fn context(state: &AppState, ctx: &Ctx) -> Result<minijinja::Value, WebError> {
    context_in(state, ctx, &super::Span::default()).await
}

async fn context_in(
    state: &AppState,
    ctx: &Ctx,
    span: &super::Span,
) -> Result<minijinja::Value, WebError> {
    let n = &state.notify;
    let now = chrono::Utc::now().timestamp_micros();
    let (from, to) = span
        .micros()?
        .unwrap_or((now - COVERAGE_DAYS * 86_400_000_000, now));
    let coverage = n.coverage(from, to).await?;
    let chart = lantoa_notify::speakers::coverage_svg(
        &coverage,
        &ctx.t("speakers-chart-title"),
        [
            &ctx.t("speakers-played"),
            &ctx.t("speakers-failed"),
            &ctx.t("speakers-unreported"),
        ],
    );
    let communes = super::notify::commune_choices(n);
    let pct = if coverage.communes > 0 {
        format!(
            "{:.1}",
            coverage.covered as f64 * 100.0 / coverage.communes as f64
        )
    } else {
        "0".into()
    };
    Ok(minijinja::context! {
        clusters => n.clusters().await?, bulletins => n.bulletins(50).await?,
        coverage => coverage, covered_pct => pct, due => coverage.due(),
        played => coverage.played(), chart => chart, days => COVERAGE_DAYS,
        communes => communes, can_edit => ctx.has_any(crate::routes::NOTIFY_AUTHORS),
        can_decide => ctx.has_any(crate::routes::NOTIFY_STEPS),
        voice => n.speech_voice(), span => span,
    })
}

/// `GET /notify/speakers`; with `?campaign=ID` the bulletin form is filled from that SMS
/// campaign (its name, text and communes), to read it out as well.
pub async fn home(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    axum::extract::Query(q): axum::extract::Query<std::collections::HashMap<String, String>>,
) -> Result<Response, WebError> {
    let span = super::Span {
        from: q.get("from").cloned(),
        to: q.get("to").cloned(),
        kind: None,
    };
    let extra = context_in(&state, &ctx, &span).await?;
    let echo = match q.get("campaign").and_then(|v| v.parse::<i64>().ok()) {
        Some(id) => {
            let c = state.notify.campaign(id).await?;
            Some(minijinja::context! {
                title => c.name, body => c.body, communes => c.communes, campaign => c.id,
                repeats => "1",
            })
        }
        None => None,
    };
    Ok(view::page(
        "speakers.html",
        &ctx,
        "notify",
        minijinja::context! { echo => echo, ..extra },
    )?
    .into_response())
}

/// `POST /notify/speakers/clusters` (name, commune): adds a cluster and shows its token once.
pub async fn add_cluster(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    form: FormPairs,
) -> Result<Response, WebError> {
    let n = &state.notify;
    let added = n
        .add_cluster(&ctx.actor(), &form.get("name"), &form.get("commune"))
        .await;
    let extra = context(&state, &ctx).await?;
    match added {
        Ok((cluster, token)) => Ok(view::page(
            "speakers.html",
            &ctx,
            "notify",
            minijinja::context! { added => cluster, token => token, ..extra },
        )?
        .into_response()),
        Err(e) => {
            let echo =
                minijinja::context! { name => form.get("name"), commune => form.get("commune") };
            Ok(form_error(
                "speakers.html",
                &ctx,
                "notify",
                minijinja::context! { cluster_echo => echo, ..extra },
                e.into(),
            ))
        }
    }
}

/// `POST /notify/speakers/clusters/{id}/revoke`.
pub async fn revoke(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    state.notify.revoke_cluster(&ctx.actor(), id).await?;
    Ok(Redirect::to("/notify/speakers#clusters").into_response())
}

/// `POST /notify/speakers/bulletins` (title, body, communes…, from, to, times, repeats): speaks
/// the bulletin and schedules it, or the page again naming the field at fault.
pub async fn schedule(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    form: FormPairs,
) -> Result<Response, WebError> {
    let n = &state.notify;
    let repeats = form.get("repeats");
    let (communes, typed) = super::notify::chosen_communes(n, &form);
    let new = lantoa_notify::speakers::NewBulletin {
        title: form.get("title"),
        body: form.get("body"),
        communes,
        from: form.get("from"),
        to: form.get("to"),
        times: form
            .get("times")
            .split([',', ' ', ';'])
            .map(str::to_owned)
            .collect(),
        repeats: if repeats.is_empty() {
            1
        } else {
            repeats.parse().map_err(|_| {
                WebError::from(lantoa_notify::Error::Invalid {
                    field: "repeats",
                    message: lantoa_core::Msg::new("notify-not-a-number").arg("value", &repeats),
                })
            })?
        },
        at_once: false,
        campaign: form.get("campaign").parse().ok(),
    };
    let scheduled = match typed {
        Ok(()) => n.schedule_bulletin(&ctx.actor(), &new).await,
        Err(e) => Err(e),
    };
    match scheduled {
        Ok(b) => Ok(Redirect::to(&format!("/notify/speakers#bulletin-{}", b.id)).into_response()),
        Err(e) => {
            let extra = context(&state, &ctx).await?;
            let echo = minijinja::context! {
                title => new.title, body => new.body, communes => new.communes,
                communes_typed => form.get("communes_typed"), from => new.from, to => new.to, times => form.get("times"), repeats => repeats,
                campaign => new.campaign,
            };
            Ok(form_error(
                "speakers.html",
                &ctx,
                "notify",
                minijinja::context! { echo => echo, ..extra },
                e.into(),
            ))
        }
    }
}

/// `POST /notify/speakers/bulletins/{id}/withdraw`.
pub async fn withdraw(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    state.notify.withdraw_bulletin(&ctx.actor(), id).await?;
    Ok(Redirect::to(&format!("/notify/speakers#bulletin-{id}")).into_response())
}

fn wav(bytes: Vec<u8>) -> Response {
    ([(header::CONTENT_TYPE, "audio/wav")], bytes).into_response()
}

/// `GET /notify/speakers/bulletins/{id}/audio.wav`: to listen in the console.
pub async fn audio(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    Ok(wav(state.notify.bulletin_audio(id).await?))
}

/// The cluster whose token the request carries.
async fn device(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<lantoa_notify::speakers::Cluster, WebError> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or_else(|| {
            WebError::from(lantoa_notify::Error::Unauthenticated(
                lantoa_core::Msg::new("cluster-token-missing"),
            ))
        })?;
    Ok(state.notify.device(token).await?)
}

/// `GET /speakers/v1/playlist`: `{"cluster": {…}, "plays": [{play, bulletin, title, play_at,
/// repeats, duration_ms, audio_sha256, audio_size}…]}`.
pub async fn playlist(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<serde_json::Value>, WebError> {
    let cluster = device(&state, &headers).await?;
    let plays = state.notify.playlist(&cluster).await?;
    Ok(Json(serde_json::json!({
        "cluster": { "id": cluster.id, "name": cluster.name, "commune": cluster.commune_code },
        "plays": plays,
    })))
}

/// `GET /speakers/v1/audio/{id}`: a bulletin's WAV, if it is on this cluster's playlist.
pub async fn device_audio(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let cluster = device(&state, &headers).await?;
    Ok(wav(state.notify.device_audio(&cluster, id).await?))
}

/// A device's report of one play.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Report {
    /// `played` or `failed`.
    outcome: String,
    /// What went wrong, if it failed.
    #[serde(default)]
    detail: String,
}

/// `POST /speakers/v1/plays/{id}` (`{"outcome": "played"|"failed", "detail": "…"}`).
pub async fn report(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    body: axum::body::Bytes,
) -> Result<Response, WebError> {
    // The token first: a stranger learns nothing, not even what a report looks like.
    let cluster = device(&state, &headers).await?;
    let r: Report =
        serde_json::from_slice(&body).map_err(|e| WebError::malformed(e.to_string()))?;
    state
        .notify
        .report_play(&cluster, id, &r.outcome, &r.detail)
        .await?;
    Ok((
        StatusCode::OK,
        Json(serde_json::json!({ "play": id, "outcome": r.outcome })),
    )
        .into_response())
}
