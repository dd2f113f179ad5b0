//! The public open-data portal: search, a page per dataset with a preview and its downloads,
//! and the DCAT catalogue. No account needed.

use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use crate::ctx::Ctx;
use crate::error::WebError;
use crate::{AppState, view};

#[derive(Deserialize, Default)]
pub struct Search {
    q: Option<String>,
}

/// `GET /data`: every dataset, or those whose name, title or description hold every word of
/// `q` (tone marks optional).
pub async fn search(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Query(s): Query<Search>,
) -> Result<Response, WebError> {
    let od = &state.opendata;
    let q = s.q.unwrap_or_default();
    let mut found = Vec::new();
    for d in od.search(&q).await? {
        let owner = state.registry.get(d.owner_unit_id).await?.name;
        let published = od.rows(d.id, 0, 0).await?.1;
        found.push(minijinja::context! { dataset => d, owner => owner, published => published });
    }
    Ok(view::page(
        "portal.html",
        &ctx,
        "",
        minijinja::context! { datasets => found, q => q },
    )?
    .into_response())
}

/// `GET /data/{name}`: a dataset's description, fields, first rows and downloads.
pub async fn dataset(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(name): Path<String>,
) -> Result<Response, WebError> {
    let od = &state.opendata;
    let d = od.public_dataset(&name).await?;
    let owner = state.registry.get(d.owner_unit_id).await?.name;
    let (rows, published) = od.rows(d.id, 0, 20).await?;
    // Only the shared columns: a dropped field is not shown, not even empty.
    let shared: Vec<usize> = d.shared_fields().into_iter().map(|(i, _)| i).collect();
    let all = super::opendata::fields(&d);
    let fields: Vec<_> = shared.iter().filter_map(|&i| all.get(i).cloned()).collect();
    let rows: Vec<Vec<String>> = rows
        .into_iter()
        .map(|r| {
            shared
                .iter()
                .map(|&i| r.get(i).cloned().unwrap_or_default())
                .collect()
        })
        .collect();
    let updated = chrono::DateTime::from_timestamp_micros(d.updated_at)
        .map(lantoa_core::time::format_vn)
        .unwrap_or_default();
    Ok(view::page(
        "portal_dataset.html",
        &ctx,
        "",
        minijinja::context! {
            labels => od.labels(d.id).await?,
            dataset => d, owner => owner, rows => rows, published => published,
            fields => fields, updated => updated,
        },
    )?
    .into_response())
}

/// `GET /catalog.jsonld`: the catalogue in DCAT (JSON-LD): each dataset a `dcat:Dataset` with
/// its publisher, licence, update frequency and two distributions (CSV, JSON) whose
/// `downloadURL` is the stable download address.
pub async fn catalog(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let od = &state.opendata;
    let host = headers
        .get("host")
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    let base = format!("http://{host}");
    let frequency = |c: &str| match c {
        "daily" => "DAILY",
        "weekly" => "WEEKLY",
        "monthly" => "MONTHLY",
        "quarterly" => "QUARTERLY",
        "yearly" => "ANNUAL",
        _ => "IRREG",
    };
    let mut datasets = Vec::new();
    for d in od.public_datasets().await? {
        let owner = state.registry.get(d.owner_unit_id).await?;
        let modified = chrono::DateTime::from_timestamp_micros(d.updated_at)
            .map(|t| t.to_rfc3339())
            .unwrap_or_default();
        let distributions: Vec<_> = [("csv", "text/csv"), ("json", "application/json")]
            .into_iter()
            .map(|(ext, media)| {
                let url = format!("{base}/opendata/{}/rows.{ext}", d.name);
                json!({
                    "@type": "dcat:Distribution",
                    "dct:title": format!("{} ({})", d.title, ext.to_uppercase()),
                    "dcat:accessURL": { "@id": url },
                    "dcat:downloadURL": { "@id": url },
                    "dcat:mediaType": media,
                    "dct:license": d.license_id,
                })
            })
            .collect();
        datasets.push(json!({
            "@id": format!("{base}/data/{}", d.name),
            "@type": "dcat:Dataset",
            "dct:identifier": d.name,
            "dct:title": d.title,
            "dct:description": d.notes,
            "dct:publisher": { "@type": "foaf:Organization", "foaf:name": owner.name },
            "dct:license": d.license_id,
            "dct:modified": modified,
            "dct:accrualPeriodicity": {
                "@id": format!("http://publications.europa.eu/resource/authority/frequency/{}", frequency(&d.cadence))
            },
            "dcat:landingPage": { "@id": format!("{base}/data/{}", d.name) },
            "dcat:distribution": distributions,
        }));
    }
    let catalog = json!({
        "@context": {
            "dcat": "http://www.w3.org/ns/dcat#",
            "dct": "http://purl.org/dc/terms/",
            "foaf": "http://xmlns.com/foaf/0.1/",
        },
        "@id": format!("{base}/catalog.jsonld"),
        "@type": "dcat:Catalog",
        "dct:title": format!("{} — dữ liệu mở", state.config.org_name),
        "dct:description": "Các bộ dữ liệu mở do các cơ quan công bố, làm sạch đến đâu chia sẻ đến đó.",
        "dct:publisher": { "@type": "foaf:Organization", "foaf:name": state.config.org_name },
        "dcat:dataset": datasets,
    });
    Ok((
        [(axum::http::header::CONTENT_TYPE, "application/ld+json")],
        catalog.to_string(),
    )
        .into_response())
}
