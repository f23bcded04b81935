//! The HTTP side of team email: admins read and set a channel's email settings; mail
//! servers or scripts upload raw RFC 822 mail.

use super::parse::MailError;
use super::settings::{EmailSettings, EmailSettingsInput};
use super::{ReceiveError, limits, receive};
use crate::domain::Id;
use crate::server::AppState;
use crate::server::auth::{Admin, Authed};
use crate::server::error::{ApiError, ApiJson, ApiPath};
use crate::server::signature::{SIGNATURE_HEADER, verify};
use crate::server::store::StoreError;
use crate::server::store::email::EmailRecord;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Serialize;

/// The email routes, under `/api/v1`. Uploads may be as large as the mail size limit.
pub fn routes(state: &AppState) -> Router<AppState> {
    // Room for the upload's own framing beyond the mail limit: the parser gives the
    // precise "too large" error.
    let upload_limit = state.config.mail_max_bytes.saturating_add(64 * 1024);
    Router::new()
        .route("/channels/{id}/email", get(get_settings).put(put_settings))
        .route("/conversations/{id}/email", get(records))
        .route(
            "/channels/{id}/email/messages",
            post(upload).layer(DefaultBodyLimit::max(upload_limit)),
        )
}

async fn get_settings(
    State(state): State<AppState>,
    _: Admin,
    ApiPath(id): ApiPath<Id>,
) -> Result<Json<EmailSettings>, ApiError> {
    let stored = state.store.email_settings(id).await?.ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not_configured",
            format!("email channel {id} has no settings yet; set them with PUT"),
        )
    })?;
    Ok(Json(stored.settings))
}

async fn put_settings(
    State(state): State<AppState>,
    _: Admin,
    ApiPath(id): ApiPath<Id>,
    ApiJson(input): ApiJson<EmailSettingsInput>,
) -> Result<Json<EmailSettings>, ApiError> {
    let valid = input
        .validate()
        .map_err(|m| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", m))?;
    Ok(Json(state.store.put_email_settings(id, valid).await?))
}

/// `GET /conversations/{id}/email`.
#[derive(Debug, Serialize)]
struct Records {
    items: Vec<EmailRecord>,
}

async fn records(
    State(state): State<AppState>,
    _: Authed,
    ApiPath(id): ApiPath<Id>,
) -> Result<Json<Records>, ApiError> {
    Ok(Json(Records {
        items: state.store.email_records(id).await?,
    }))
}

/// The answer to an uploaded mail.
#[derive(Debug, Serialize)]
struct Uploaded {
    conversation_id: Id,
    message_id: Id,
    /// The Message-ID was already stored; nothing was added.
    duplicate: bool,
}

async fn upload(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<Id>,
    authed: Result<Authed, ApiError>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<Uploaded>), ApiError> {
    let body = body?;
    if let Some(signature) = headers.get(SIGNATURE_HEADER) {
        let secret = match state.store.channel(id).await {
            Ok(c) => Some(c.secret),
            Err(StoreError::NotFound(_)) => None,
            Err(e) => return Err(e.into()),
        };
        let valid = secret.is_some_and(|secret| {
            signature
                .to_str()
                .is_ok_and(|sig| verify(&secret, &body, sig))
        });
        if !valid {
            return Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "bad_signature",
                format!(
                    "wrong {SIGNATURE_HEADER}: expected sha256=<hex HMAC-SHA256 of the raw body with the channel secret>"
                ),
            ));
        }
    } else {
        let Authed(agent) = authed?;
        if agent.role != crate::domain::Role::Admin {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                format!("uploading mail needs an admin token or a {SIGNATURE_HEADER} header"),
            ));
        }
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if !content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .eq_ignore_ascii_case("message/rfc822")
    {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "send the raw mail with Content-Type: message/rfc822",
        ));
    }
    let outcome = receive(&state.store, &state.files, id, body, limits(&state.config))
        .await
        .map_err(|e| match e {
            ReceiveError::Mail(
                e @ (MailError::TooLarge { .. }
                | MailError::AttachmentTooLarge { .. }
                | MailError::TooManyAttachments { .. }),
            ) => ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large", e.to_string()),
            ReceiveError::Mail(e) => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_mail",
                e.to_string(),
            ),
            ReceiveError::Store(e) => e.into(),
            ReceiveError::Files(e) => {
                tracing::error!(error = %e, "cannot store mail attachments");
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "the attachments could not be stored",
                )
            }
        })?;
    let status = if outcome.duplicate {
        StatusCode::OK
    } else {
        StatusCode::ACCEPTED
    };
    Ok((
        status,
        Json(Uploaded {
            conversation_id: outcome.conversation_id,
            message_id: outcome.message_id,
            duplicate: outcome.duplicate,
        }),
    ))
}
