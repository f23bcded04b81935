//! `POST /chat/{id}/offline`: outside hours the widget takes an email and a message, and the
//! desk opens a ticket for them with the email as the contact.

use super::limits::MAX_MESSAGE_CHARS;
use super::{ChatState, usable_channel};
use crate::api::{InboundAccepted, InboundMessage, InboundSender};
use crate::domain::Id;
use crate::server::channels::public::{
    FieldErrors, allow_any_origin, invalid_submission, is_email,
};
use crate::server::error::{ApiError, ApiPath, parse_json};
use crate::server::limits::rate_limited;
use crate::server::store::inbound;
use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use rand::Rng;
use serde::Deserialize;
use std::net::{IpAddr, SocketAddr};

/// Longest name, in characters.
const MAX_NAME_CHARS: usize = 200;

/// What the offline form sends.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct OfflineMessage {
    email: String,
    #[serde(default)]
    name: Option<String>,
    message: String,
}

pub async fn submit(
    State(chat): State<ChatState>,
    ApiPath(id): ApiPath<Id>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let client = chat.client(&headers, peer);
    allow_any_origin(match accept(&chat, id, client, &headers, body).await {
        Ok(r) => r,
        Err(e) => e.into_response(),
    })
}

async fn accept(
    chat: &ChatState,
    id: Id,
    client: IpAddr,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let body = body?;
    usable_channel(&chat.app, id, headers).await?;
    let form: OfflineMessage = parse_json(&body)?;
    let email = form.email.trim().to_string();
    let name = form
        .name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_string);
    let mut fields = FieldErrors::new();
    if email.is_empty() {
        fields.insert("email".into(), "Enter your email address.".into());
    } else if !is_email(&email) {
        fields.insert(
            "email".into(),
            "Enter an email address like name@example.com.".into(),
        );
    }
    if name
        .as_ref()
        .is_some_and(|n| n.chars().count() > MAX_NAME_CHARS)
    {
        fields.insert(
            "name".into(),
            format!("Use at most {MAX_NAME_CHARS} characters."),
        );
    }
    let message = form.message.trim().to_string();
    if message.is_empty() {
        fields.insert("message".into(), "Write a message.".into());
    } else if message.chars().count() > MAX_MESSAGE_CHARS {
        fields.insert(
            "message".into(),
            format!("Use at most {MAX_MESSAGE_CHARS} characters."),
        );
    }
    if !fields.is_empty() {
        return Ok(invalid_submission(&fields));
    }
    if let Err(wait) = chat.offline.take(&client) {
        return Ok(rate_limited(
            wait,
            "too many offline messages from this network; wait a while and try again",
        ));
    }
    let key = format!("offline:{}", email.to_lowercase());
    if !chat.limiter.allow(&key) {
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            "too many messages from this address; wait a moment and try again",
        ));
    }
    let mut nonce = [0u8; 16];
    rand::rng().fill_bytes(&mut nonce);
    let msg = InboundMessage {
        // Every offline message is its own ticket.
        thread_id: format!("offline:{}", hex::encode(nonce)),
        sender: InboundSender {
            id: format!("email:{}", email.to_lowercase()),
            name,
            email: Some(email),
            phone: None,
        },
        text: message,
        subject: None,
        attachments: Vec::new(),
    };
    inbound::validate(&msg)?;
    let outcome = chat
        .app
        .store
        .write(move |ctx| inbound::ingest(ctx, id, msg))
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(InboundAccepted {
            conversation_id: outcome.conversation_id,
            message_id: outcome.message_id,
        }),
    )
        .into_response())
}
