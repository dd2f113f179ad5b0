//! The JSON API (`/api/v1`), its OpenAPI document, and the system endpoints.

pub mod ckan;
pub mod notify;
pub mod openapi;
pub mod opendata;
pub mod plans;
pub mod reports;
pub mod system;
pub mod v1;

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use serde::de::DeserializeOwned;

use axum::Json;
use serde_json::json;

use crate::error::WebError;

/// A JSON body whose rejections are Lantoa errors (`malformed_body`, `payload_too_large`).
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = WebError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(JsonRejection::BytesRejection(e)) => Err(e.into()),
            Err(e) => Err(WebError::malformed(e.body_text())),
        }
    }
}

/// A page of a list as JSON: its rows under `key`, the `total` the filters select, and the
/// `next` offset while there are more.
pub(crate) fn paged<T: serde::Serialize>(
    key: &str,
    rows: Vec<T>,
    total: i64,
    q: &lantoa_core::page::PageQuery<impl Sized>,
) -> Json<serde_json::Value> {
    let end = q.offset + rows.len() as i64;
    let next = (end < total && !rows.is_empty()).then_some(end);
    let mut out = serde_json::Map::new();
    out.insert(key.to_owned(), json!(rows));
    out.insert("total".into(), json!(total));
    out.insert("next".into(), json!(next));
    Json(serde_json::Value::Object(out))
}
