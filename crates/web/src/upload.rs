//! Multipart bodies carrying a file, read as they arrive.
//!
//! The file part is written to a staged blob piece by piece (see
//! `lantoa_store::blob::BlobStore::stage`), so an upload of any size costs disk, not memory; it is
//! bounded by `web.max_upload_bytes`. The text parts are small and each is bounded by
//! `web.max_body_bytes`. The console's upload form and the CKAN API's `resource_create` both read
//! their bodies here.

use axum::body::Body;
use lantoa_opendata::OpenData;
use lantoa_store::blob::Staged;

/// A multipart body read: its text fields in order, and the file part if there was one.
#[derive(Debug, Default)]
pub struct Form {
    /// Text fields, `(name, value)`.
    pub fields: Vec<(String, String)>,
    /// The file: its name as sent and its staged content (not yet committed).
    pub file: Option<(String, Staged)>,
}

/// Why a multipart body could not be read.
#[derive(Debug, thiserror::Error)]
pub enum FormError {
    /// The body is not a readable multipart body; says where.
    #[error("the multipart body cannot be read: {0}")]
    Malformed(String),
    /// The file is larger than `web.max_upload_bytes`.
    #[error("the file is over the upload limit of {limit} bytes (web.max_upload_bytes)")]
    TooLarge {
        /// The limit.
        limit: u64,
    },
    /// The file could not be kept.
    #[error("the file cannot be kept: {0}")]
    Store(#[from] lantoa_opendata::Error),
}

/// Limits for [`read`].
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest file part.
    pub file: u64,
    /// Largest text part.
    pub field: usize,
}

impl Limits {
    /// The limits configured for `state`.
    pub fn of(state: &crate::AppState) -> Self {
        Self {
            file: state.config.max_upload_bytes,
            field: state.config.max_body_bytes,
        }
    }
}

/// Reads a `multipart/form-data` body with content type `content_type`; the part named
/// `file_field` is staged through `od`, every other part is read as text.
pub async fn read(
    content_type: &str,
    body: Body,
    file_field: &str,
    od: &OpenData,
    limits: Limits,
) -> Result<Form, FormError> {
    let boundary =
        multer::parse_boundary(content_type).map_err(|e| FormError::Malformed(e.to_string()))?;
    let constraints = multer::Constraints::new().size_limit(
        multer::SizeLimit::new()
            // Room for the text parts and the part headers around the file.
            .whole_stream(limits.file.saturating_add(limits.field as u64 * 4))
            .per_field(limits.file),
    );
    let mut multipart =
        multer::Multipart::with_constraints(body.into_data_stream(), boundary, constraints);
    let mut form = Form::default();
    let too_large = |e: &multer::Error| {
        matches!(
            e,
            multer::Error::StreamSizeExceeded { .. } | multer::Error::FieldSizeExceeded { .. }
        )
    };
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) if too_large(&e) => return Err(FormError::TooLarge { limit: limits.file }),
            Err(e) => return Err(FormError::Malformed(e.to_string())),
        };
        let name = field.name().unwrap_or_default().to_owned();
        if name == file_field {
            let file_name = field.file_name().unwrap_or_default().to_owned();
            let mut staged = od.stage().await?;
            let mut field = field;
            loop {
                match field.chunk().await {
                    Ok(Some(chunk)) => {
                        if staged.size() + chunk.len() as u64 > limits.file {
                            return Err(FormError::TooLarge { limit: limits.file });
                        }
                        staged
                            .write(&chunk)
                            .await
                            .map_err(lantoa_opendata::Error::from)?;
                    }
                    Ok(None) => break,
                    Err(e) if too_large(&e) => {
                        return Err(FormError::TooLarge { limit: limits.file });
                    }
                    Err(e) => {
                        return Err(FormError::Malformed(format!("part \"{name}\": {e}")));
                    }
                }
            }
            form.file = Some((file_name, staged));
        } else {
            let mut text = Vec::new();
            let mut field = field;
            loop {
                match field.chunk().await {
                    Ok(Some(chunk)) => {
                        if text.len() + chunk.len() > limits.field {
                            return Err(FormError::Malformed(format!(
                                "part \"{name}\" is over {} bytes",
                                limits.field
                            )));
                        }
                        text.extend_from_slice(&chunk);
                    }
                    Ok(None) => break,
                    Err(e) => {
                        return Err(FormError::Malformed(format!("part \"{name}\": {e}")));
                    }
                }
            }
            let text = String::from_utf8(text)
                .map_err(|_| FormError::Malformed(format!("part \"{name}\" is not UTF-8 text")))?;
            form.fields.push((name, text));
        }
    }
    Ok(form)
}

/// A small multipart form held in memory (a recipient list, an opt-out file, watch subjects): its text fields
/// and its `file` part (name and bytes), the whole body bounded by `web.max_body_bytes`.
pub async fn read_small(
    state: &crate::AppState,
    headers: &axum::http::HeaderMap,
    body: Body,
) -> Result<(Vec<(String, String)>, Option<(String, Vec<u8>)>), crate::error::WebError> {
    use crate::error::WebError;
    let content_type = content_type(headers);
    if !content_type.starts_with("multipart/form-data") {
        return Err(WebError::malformed(
            "send the form as multipart/form-data with the file in 'file'",
        ));
    }
    let limit = state.config.max_body_bytes as u64;
    let mut multipart = multer::Multipart::with_constraints(
        body.into_data_stream(),
        multer::parse_boundary(content_type).map_err(|e| WebError::malformed(e.to_string()))?,
        multer::Constraints::new().size_limit(multer::SizeLimit::new().whole_stream(limit)),
    );
    let malformed = |e: multer::Error| match e {
        multer::Error::StreamSizeExceeded { .. } => WebError::too_large(limit as usize),
        other => WebError::malformed(other.to_string()),
    };
    let (mut fields, mut file) = (Vec::new(), None);
    while let Some(field) = multipart.next_field().await.map_err(malformed)? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            let file_name = field.file_name().unwrap_or("upload.csv").to_owned();
            let bytes = field.bytes().await.map_err(malformed)?.to_vec();
            file = Some((file_name, bytes));
        } else {
            fields.push((name, field.text().await.map_err(malformed)?));
        }
    }
    Ok((fields, file.filter(|(_, b)| !b.is_empty())))
}

/// The `Content-Type` of a request, or "".
pub fn content_type(headers: &axum::http::HeaderMap) -> &str {
    headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

/// A whole request body that is the file itself (the JSON API's uploads), staged through `od`
/// as it arrives and bounded by `limit` (`web.max_upload_bytes`).
pub async fn stage_body(body: Body, od: &OpenData, limit: u64) -> Result<Staged, FormError> {
    use futures::StreamExt;
    let mut staged = od.stage().await?;
    let mut stream = body.into_data_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| FormError::Malformed(e.to_string()))?;
        if staged.size() + chunk.len() as u64 > limit {
            return Err(FormError::TooLarge { limit });
        }
        staged
            .write(&chunk)
            .await
            .map_err(lantoa_opendata::Error::from)?;
    }
    Ok(staged)
}

impl From<FormError> for crate::error::WebError {
    fn from(e: FormError) -> Self {
        match e {
            FormError::TooLarge { limit } => Self::upload_too_large(limit),
            FormError::Store(e) => e.into(),
            e @ FormError::Malformed(_) => Self::malformed(e.to_string()),
        }
    }
}
