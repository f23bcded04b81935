//! `GET /api/v1/files/{hash}`: attachment bytes the desk keeps, for agents.
//!
//! The bytes go out with the media type and name they were stored with, always as a download
//! (`attachment`, `nosniff`, a sandboxing CSP): a stored HTML or SVG file never renders on the
//! server's origin.

use crate::server::AppState;
use crate::server::auth::Authed;
use crate::server::error::ApiError;
use crate::server::files::Files;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// The media type of a file stored without a usable one.
const UNKNOWN_TYPE: &str = "application/octet-stream";

pub async fn get(
    State(state): State<AppState>,
    _: Authed,
    Path(hash): Path<String>,
) -> Result<Response, ApiError> {
    let bytes = state.files.get(&hash).await.map_err(|e| {
        tracing::error!(error = %e, "cannot read a stored file");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the file could not be read",
        )
    })?;
    let bytes =
        bytes.ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such file"))?;
    let (name, mime) = state
        .store
        .attachment_by_url(Files::url(&hash))
        .await?
        .unwrap_or_default();
    let content_type = mime
        .as_deref()
        .and_then(media_type)
        .unwrap_or(HeaderValue::from_static(UNKNOWN_TYPE));
    let disposition = HeaderValue::from_str(&disposition(&name))
        .unwrap_or(HeaderValue::from_static("attachment"));
    Ok((
        [
            (header::CONTENT_TYPE, content_type),
            (header::CONTENT_DISPOSITION, disposition),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
            (
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static("sandbox; default-src 'none'"),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// `type/subtype[; params]` as a header value, when it is one.
fn media_type(mime: &str) -> Option<HeaderValue> {
    let essence = mime.split(';').next()?.trim();
    let (kind, sub) = essence.split_once('/')?;
    let token = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$&-^_.+".contains(&b))
    };
    (token(kind) && token(sub))
        .then(|| HeaderValue::from_str(mime.trim()).ok())
        .flatten()
}

/// `attachment` with the name twice (RFC 6266): an ASCII `filename` for old clients and the
/// exact UTF-8 `filename*`; no name, no parameters.
fn disposition(name: &str) -> String {
    let name = name.trim();
    if name.is_empty() {
        return "attachment".into();
    }
    let ascii: String = name
        .chars()
        .map(|c| match c {
            ' '..='~' if !matches!(c, '"' | '\\' | '/' | '%') => c,
            _ => '_',
        })
        .collect();
    let mut encoded = String::with_capacity(name.len() * 3);
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            encoded.push(b as char);
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disposition_carries_an_ascii_fallback_and_the_exact_utf8_name() {
        assert_eq!(disposition(""), "attachment");
        assert_eq!(
            disposition("fire.png"),
            "attachment; filename=\"fire.png\"; filename*=UTF-8''fire.png"
        );
        assert_eq!(
            disposition("Résumé \"v2\".pdf"),
            "attachment; filename=\"R_sum_ _v2_.pdf\"; \
             filename*=UTF-8''R%C3%A9sum%C3%A9%20%22v2%22.pdf"
        );
        assert_eq!(
            disposition("../a\r\nb"),
            "attachment; filename=\".._a__b\"; filename*=UTF-8''..%2Fa%0D%0Ab"
        );
    }

    #[test]
    fn only_well_formed_media_types_are_sent() {
        assert_eq!(media_type("image/png").unwrap(), "image/png");
        assert_eq!(
            media_type("text/plain; charset=utf-8").unwrap(),
            "text/plain; charset=utf-8"
        );
        assert!(media_type("png").is_none());
        assert!(media_type("text/html\r\nSet-Cookie: x").is_none());
        assert!(media_type("a b/c").is_none());
    }
}
