//! `/api/v1/opendata`: the agencies' side of open data for another system or the CLI — the
//! datasets, an upload (the body is the file, kept as it arrives and read by a worker), its
//! progress, a dataset's uploads, its quarantined rows a page at a time, and a row's fix. The
//! public side is the CKAN Action API (`/api/3/action`). An agency's uploader acts on its own
//! agency's datasets only ([`lantoa_opendata::may_change`]).

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

/// The most quarantined rows one page answers.
const MAX_QUARANTINE: i64 = 1000;

/// `GET /api/v1/opendata/datasets`: a page of datasets (`q`, `sort`, `limit`, `offset`), each
/// with its owner, schema, licence and whether the caller may upload to it; `total` and `next`.
pub async fn datasets(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Query(p): Query<DatasetParams>,
) -> Result<Json<serde_json::Value>, WebError> {
    let q = lantoa_core::page::PageQuery {
        q: p.q,
        sort: lantoa_opendata::DatasetSort::parse(p.sort.as_deref().unwrap_or(""))?,
        limit: p.limit.unwrap_or(100).clamp(1, lantoa_core::page::PAGE_MAX),
        offset: p.offset.unwrap_or(0).max(0),
    };
    let (page, total) = state.opendata.dataset_page(&q, None).await?;
    let out: Vec<_> = page
        .into_iter()
        .map(|d| json!({ "may_change": ctx.may_change_dataset(&d), "dataset": d }))
        .collect();
    Ok(super::paged("datasets", out, total, &q))
}

/// A page of datasets: `q` (name or title), `sort` (name, title, updated, newest), `limit`
/// (≤ 500, 100 if not given), `offset`.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct DatasetParams {
    q: Option<String>,
    sort: Option<String>,
    limit: Option<i64>,
    offset: Option<i64>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct UploadQuery {
    /// The file's name (its extension tells CSV, XLSX or JSON when its bytes do not).
    file_name: Option<String>,
    /// The day the data is as of (dd/mm/yyyy or YYYY-MM-DD).
    as_of: Option<String>,
}

/// `POST /api/v1/opendata/datasets/{name}/uploads?file_name=&as_of=`: the body is the file (CSV
/// of any size, XLSX or JSON), kept as it arrives up to `web.max_upload_bytes`, then queued; 202
/// with the upload, whose progress `GET /api/v1/opendata/uploads/{id}` follows.
pub async fn upload(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(name): Path<String>,
    Query(q): Query<UploadQuery>,
    body: axum::body::Body,
) -> Result<Response, WebError> {
    let od = &state.opendata;
    let d = ctx.changeable(od.dataset_by_name(&name).await?)?;
    // The date first: a bad one is named before a large body is read.
    let as_of = q
        .as_of
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(|v| parse_date("as_of", v))
        .transpose()?;
    let staged = crate::upload::stage_body(body, od, state.config.max_upload_bytes).await?;
    let file_name = q
        .file_name
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| "upload.csv".to_owned());
    let u = od
        .upload_staged(&ctx.actor(), d.id, &file_name, staged, as_of)
        .await?;
    Ok((StatusCode::ACCEPTED, Json(json!({ "upload": u }))).into_response())
}

/// `GET /api/v1/opendata/datasets/{name}/uploads`: a dataset's uploads, newest first, with
/// their counts and file problems.
pub async fn uploads(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Result<Json<serde_json::Value>, WebError> {
    let od = &state.opendata;
    let d = od.dataset_by_name(&name).await?;
    Ok(Json(json!({ "uploads": od.uploads(d.id).await? })))
}

/// `GET /api/v1/opendata/uploads/{id}`: one upload as it stands (queued, reading, done or
/// refused; rows read, published, quarantined).
pub async fn upload_info(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Json<serde_json::Value>, WebError> {
    Ok(Json(
        json!({ "upload": state.opendata.upload_info(id).await? }),
    ))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct QuarantineQuery {
    /// `open` (default), `fixed` or `discarded`.
    status: Option<String>,
    limit: Option<i64>,
    offset: Option<i64>,
}

/// `GET /api/v1/opendata/datasets/{name}/quarantine?status=&limit=&offset=`: a page of the
/// dataset's quarantined rows (cells by the schema's field names, each reason with its code and
/// message), how many there are and the next page's offset.
pub async fn quarantine(
    State(state): State<AppState>,
    Path(name): Path<String>,
    Query(q): Query<QuarantineQuery>,
) -> Result<Json<serde_json::Value>, WebError> {
    let od = &state.opendata;
    let d = od.dataset_by_name(&name).await?;
    let limit = q.limit.unwrap_or(100).clamp(1, MAX_QUARANTINE);
    let offset = q.offset.unwrap_or(0).max(0);
    let (rows, total) = od
        .quarantine_page(d.id, q.status.as_deref().unwrap_or("open"), offset, limit)
        .await?;
    let fields: Vec<String> = d.schema["fields"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f["name"].as_str().map(str::to_owned))
        .collect();
    let next = (offset + limit < total).then_some(offset + limit);
    Ok(Json(json!({
        "fields": fields, "total": total, "offset": offset, "limit": limit, "next": next,
        "rows": rows,
    })))
}

/// A fix: the cells that change, by field name.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fix {
    cells: std::collections::BTreeMap<String, String>,
}

/// `POST /api/v1/opendata/quarantine/{id}/fix` (`{"cells": {"FIELD": "value", …}}`): the row
/// with those cells changed is checked again; `published`, or `still_dirty` with its new
/// reasons (kept in the quarantine).
pub async fn fix(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<i64>,
    ApiJson(f): ApiJson<Fix>,
) -> Result<Json<serde_json::Value>, WebError> {
    let od = &state.opendata;
    // The row's own dataset is the one whose rights are checked.
    ctx.changeable(od.quarantined_dataset(id).await?)?;
    Ok(Json(
        match od.fix_fields(&ctx.actor(), id, &f.cells).await? {
            lantoa_opendata::FixOutcome::Published => json!({ "outcome": "published" }),
            lantoa_opendata::FixOutcome::StillDirty(errors) => {
                json!({ "outcome": "still_dirty", "errors": errors })
            }
        },
    ))
}
