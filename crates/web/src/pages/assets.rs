//! Static files, embedded at build time.

use axum::http::header;
use axum::response::IntoResponse;

/// The console's style sheet.
pub async fn css() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/app.css"),
    )
}

/// The draft form's live cost (the form works without it: "Preview cost" asks the same).
pub async fn cost_js() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/cost.js"),
    )
}
