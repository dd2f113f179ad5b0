//! The dashboard and the module pages.

use axum::Extension;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use lantoa_core::Role;
use serde::Deserialize;

use super::flash;
use crate::ctx::Ctx;
use crate::error::WebError;
use crate::{AppState, view};

#[derive(Deserialize)]
pub struct FlashQuery {
    flash: Option<String>,
}

/// `GET /`.
pub async fn dashboard(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Query(q): Query<FlashQuery>,
) -> Result<Response, WebError> {
    let counts: Vec<_> = state
        .registry
        .count_active()
        .await?
        .into_iter()
        .map(|(kind, count)| minijinja::context! { kind => kind.as_str(), count => count })
        .collect();
    let is_admin = ctx.has_any(&[Role::Admin]);
    let (jobs, users) = if is_admin {
        (
            Some(state.queue.counts().await?),
            state.accounts.count_users().await?,
        )
    } else {
        (None, 0i64)
    };
    let work = super::work::items(&state, &ctx).await?;
    Ok(view::page(
        "home.html",
        &ctx,
        "home",
        minijinja::context! {
            unit_counts => counts,
            work => work,
            jobs => jobs,
            user_count => users,
            flash => flash(q.flash.as_deref()),
        },
    )?
    .into_response())
}
