//! Files the console and the API hand out: one way to send an attachment, and the downloads
//! both adapters serve (a case's issued documents), so neither imports the other's handlers.

use axum::http::header;
use axum::response::{IntoResponse, Response};

use crate::AppState;
use crate::error::WebError;

/// `bytes` as a download named `name`.
pub(crate) fn attachment(media_type: &str, name: &str, bytes: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, media_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

/// Document `doc` of case `case`, as issued (its DOCX from the blob store); a document of
/// another case is refused.
pub(crate) async fn case_document(
    state: &AppState,
    case: i64,
    doc: i64,
) -> Result<Response, WebError> {
    let d = state.watch.document(doc).await?;
    if d.case_id != case {
        return Err(lantoa_watch::Error::invalid(
            "document",
            lantoa_core::Msg::new("document-not-of-case")
                .arg("document", doc)
                .arg("case", case),
        )
        .into());
    }
    let bytes = state.watch.document_bytes(&d).await?;
    Ok(attachment(
        lantoa_watch::documents::DOCX,
        &d.file_name(),
        bytes,
    ))
}
