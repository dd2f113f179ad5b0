//! Watch pages: the subjects and their import.

use axum::Extension;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Query, State};
use axum::response::{IntoResponse, Response};
use lantoa_watch::{ListQuery, SubjectKind};
use serde::Deserialize;

use crate::ctx::Ctx;
use crate::error::{WebError, parse_filter};
use crate::routes::WATCH_EDITORS;
use crate::{AppState, view};

const PAGE: i64 = 100;

fn kinds() -> Vec<&'static str> {
    SubjectKind::ALL.iter().map(|k| k.as_str()).collect()
}

#[derive(Deserialize, Default)]
pub struct Params {
    kind: Option<String>,
    q: Option<String>,
}

/// `GET /watch`: counts by kind, the subject list, and the import form.
pub async fn subjects(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Query(p): Query<Params>,
) -> Result<Response, WebError> {
    let kind = parse_filter(p.kind.as_deref(), str::parse::<SubjectKind>)?;
    let (subjects, total) = state
        .watch
        .list(&ListQuery {
            kind,
            q: p.q.clone(),
            limit: PAGE,
            offset: 0,
        })
        .await?;
    let counts: Vec<_> = state
        .watch
        .count_by_kind()
        .await?
        .into_iter()
        .map(|(k, n)| minijinja::context! { kind => k.as_str(), count => n })
        .collect();
    let can_import = ctx
        .principal
        .as_ref()
        .is_some_and(|pr| pr.has_any(WATCH_EDITORS));
    Ok(view::page(
        "watch.html",
        &ctx,
        "watch",
        minijinja::context! {
            subjects => subjects, total => total, counts => counts, kinds => kinds(),
            kind => kind.map(|k| k.as_str()).unwrap_or(""), q => p.q.unwrap_or_default(),
            can_import => can_import,
        },
    )?
    .into_response())
}

/// `POST /watch/subjects/import` (multipart, field `file`): shows the report per row.
pub async fn import(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, WebError> {
    let mut multipart = multipart.map_err(|e| WebError::malformed(e.body_text()))?;
    let mut file = None;
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| WebError::malformed(e.body_text()))?
    {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or("").to_owned();
            let bytes = field
                .bytes()
                .await
                .map_err(|e| WebError::malformed(e.body_text()))?;
            file = Some((name, bytes));
        }
    }
    let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        return Err(WebError::invalid(
            "err-no-file",
            "choose a CSV file to import (field 'file')",
        ));
    };
    let actor = ctx
        .principal
        .as_ref()
        .map(|p| p.actor())
        .unwrap_or_default();
    let report = state.watch.import(&actor, &bytes).await?;
    Ok(view::page(
        "watch_import.html",
        &ctx,
        "watch",
        minijinja::context! { file => name, report => report },
    )?
    .into_response())
}
