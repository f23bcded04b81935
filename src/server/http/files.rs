//! `GET /api/v1/files/{hash}`: attachment bytes the desk keeps, for agents; `POST
//! /api/v1/files`: an agent's upload for a reply; `GET /files/{channel}/{hash}?sig=`: a
//! reply's file for a channel's far side, by a signed link.
//!
//! The bytes go out with the media type and name they were stored with, always as a download
//! (`attachment`, `nosniff`, a sandboxing CSP): a stored HTML or SVG file never renders on the
//! server's origin.

use crate::api::UploadedFile;
use crate::domain::Id;
use crate::server::AppState;
use crate::server::auth::Authed;
use crate::server::error::{ApiError, ApiQuery};
use crate::server::files::Files;
use crate::server::reply_files;
use axum::Json;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

/// The media type of a file stored without a usable one.
const UNKNOWN_TYPE: &str = "application/octet-stream";

pub async fn get(
    State(state): State<AppState>,
    _: Authed,
    Path(hash): Path<String>,
) -> Result<Response, ApiError> {
    serve(&state, &hash).await
}

#[derive(Debug, Deserialize)]
pub struct UploadQuery {
    name: Option<String>,
}

/// `POST /api/v1/files?name=NAME`: the raw body stored as a file a reply may carry, up to the
/// desk's largest mail attachment.
pub async fn upload(
    State(state): State<AppState>,
    _: Authed,
    ApiQuery(q): ApiQuery<UploadQuery>,
    request: Request,
) -> Result<(StatusCode, Json<UploadedFile>), ApiError> {
    let name = q.name.unwrap_or_default();
    if let Some(why) = reply_files::bad_name(&name) {
        return Err(ApiError::new(StatusCode::BAD_REQUEST, "invalid_name", why));
    }
    let limit = state.config.mail_max_attachment_bytes;
    let bytes = axum::body::to_bytes(request.into_body(), limit)
        .await
        .map_err(|_| {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "too_large",
                format!("a file may have at most {limit} bytes"),
            )
        })?;
    if bytes.is_empty() {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "empty_file",
            "the request body holds the file's bytes; it was empty",
        ));
    }
    let size = bytes.len() as i64;
    let hash = state.files.put(bytes).await.map_err(|e| {
        tracing::error!(error = %e, "cannot store an upload");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the file could not be stored",
        )
    })?;
    let mime_type = reply_files::mime_of(&name);
    Ok((
        StatusCode::CREATED,
        Json(UploadedFile {
            kind: crate::server::portal::attachment_kind(Some(&mime_type)),
            name: name.trim().to_string(),
            mime_type,
            size,
            url: Files::url(&hash),
        }),
    ))
}

#[derive(Debug, Deserialize)]
pub struct LinkQuery {
    sig: Option<String>,
}

/// `GET /files/{channel}/{hash}?sig=`: a reply's file for the channel's far side, by a link
/// signed with the channel secret; any other link answers 404.
pub async fn public(
    State(state): State<AppState>,
    Path((channel_id, hash)): Path<(String, String)>,
    ApiQuery(q): ApiQuery<LinkQuery>,
) -> Result<Response, ApiError> {
    let missing = || ApiError::not_found("file");
    let channel_id: Id = channel_id.parse().map_err(|_| missing())?;
    let channel = match state.store.channel(channel_id).await {
        Ok(c) if c.channel.deleted_at.is_none() => c,
        _ => return Err(missing()),
    };
    let sig = q.sig.unwrap_or_default();
    if !reply_files::link_ok(&channel.secret, channel_id, &hash, &sig) {
        return Err(missing());
    }
    serve(&state, &hash).await
}

/// The stored file named `hash`, as a download.
async fn serve(state: &AppState, hash: &str) -> Result<Response, ApiError> {
    let bytes = state.files.get(hash).await.map_err(|e| {
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
        .attachment_by_url(Files::url(hash))
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
