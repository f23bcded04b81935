//! The custom channel transport: every agent reply is POSTed as JSON to the channel's
//! `webhook_url`, signed with the channel secret over `"<timestamp>.<raw body>"`.
//!
//! A 2xx answer means sent (a JSON body may name the integration's `external_id` for it);
//! 408, 429, 5xx, a timeout or no connection are retried; any other answer fails the reply
//! with the answer's status line (never its body: the target may not be the integration).

use crate::api::ChannelAccount;
use crate::domain::{Attachment, Id, Timestamp};
use crate::server::delivery::{Delivered, DeliveryError, Outgoing, TransportContext};
use crate::server::reply_files;
use crate::server::signature::sign;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// The header with the Unix time (seconds) the webhook was signed at.
pub const TIMESTAMP_HEADER: &str = "x-frontdesk-timestamp";
/// The same key for every attempt at one reply: the message id.
pub const IDEMPOTENCY_HEADER: &str = "idempotency-key";
/// How long the integration has to answer.
const TIMEOUT: Duration = Duration::from_secs(10);

/// The JSON body of a reply webhook.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReplyWebhook {
    /// Always `"message.created"`.
    #[serde(rename = "type")]
    pub kind: String,
    pub channel_id: Id,
    pub conversation_id: Id,
    /// The integration's thread id of the conversation (the latest it used), if it has one.
    pub thread_id: Option<String>,
    /// Who the reply is for: the customer's identity on this channel.
    pub recipient: Recipient,
    /// The channel account the conversation runs through, if the integration named one.
    pub account: Option<ChannelAccount>,
    pub message: ReplyMessage,
    /// 1 on the first try; the same `message.id` on every try.
    pub attempt: u32,
}

/// The customer a reply is for.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Recipient {
    /// The sender id the integration gave for this customer.
    pub id: String,
    pub name: String,
    pub email: Option<String>,
}

/// The reply itself.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReplyMessage {
    /// Also the idempotency key: a retry of the same reply carries the same id.
    pub id: Id,
    pub body: String,
    pub attachments: Vec<Attachment>,
    pub sender: ReplySender,
    pub created_at: Timestamp,
}

/// The agent who wrote the reply.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReplySender {
    pub agent_id: Option<Id>,
    pub name: String,
}

/// What an integration may answer to a webhook.
#[derive(Debug, Default, Deserialize)]
struct WebhookAnswer {
    #[serde(default)]
    external_id: Option<serde_json::Value>,
}

/// The `X-Frontdesk-Signature` value for a webhook body signed at `timestamp`.
pub fn signature(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let mut signed = format!("{timestamp}.").into_bytes();
    signed.extend_from_slice(body);
    sign(secret, &signed)
}

/// Builds the webhook body of a reply.
async fn body(ctx: &TransportContext, out: &Outgoing) -> Result<ReplyWebhook, DeliveryError> {
    let channel_id = out.channel.channel.id;
    let thread = ctx
        .store
        .custom_thread(out.conversation.id)
        .await
        .map_err(|e| DeliveryError::Retry(format!("cannot read the thread: {e}")))?
        // A thread the integration opened on another channel is not addressable here.
        .filter(|_| out.conversation.channel_id == channel_id);
    let recipient_id = thread
        .as_ref()
        .map(|t| t.sender_id.clone())
        .or_else(|| {
            out.contact
                .identities
                .iter()
                .find(|i| i.channel_id == channel_id)
                .map(|i| i.external_id.clone())
        })
        .ok_or_else(|| {
            DeliveryError::Permanent(format!(
                "{} has no identity on channel {channel_id}, so it cannot be reached there",
                out.contact.name
            ))
        })?;
    Ok(ReplyWebhook {
        kind: "message.created".into(),
        channel_id,
        conversation_id: out.conversation.id,
        thread_id: thread.as_ref().map(|t| t.thread_id.clone()),
        recipient: Recipient {
            id: recipient_id,
            name: out.contact.name.clone(),
            email: out.contact.email.clone(),
        },
        account: thread.and_then(|t| t.account),
        message: ReplyMessage {
            id: out.message.id,
            body: out.message.body.clone(),
            attachments: out
                .message
                .attachments
                .iter()
                .map(|f| reply_files::public(&ctx.public_url, channel_id, &out.channel.secret, f))
                .collect(),
            sender: ReplySender {
                agent_id: out.agent.as_ref().map(|a| a.id),
                name: out.message.sender.name.clone(),
            },
            created_at: out.message.created_at,
        },
        attempt: out.attempt,
    })
}

/// Posts the reply to the channel's webhook.
pub async fn deliver(ctx: &TransportContext, out: &Outgoing) -> Result<Delivered, DeliveryError> {
    let Some(url) = out.channel.channel.webhook_url.as_deref() else {
        return Err(DeliveryError::Permanent(format!(
            "channel {} has no webhook_url to send replies to",
            out.channel.channel.id
        )));
    };
    if !ctx.allow_private
        && let Some(why) = reqwest::Url::parse(url)
            .ok()
            .and_then(|u| crate::server::targets::refusal(&u))
    {
        return Err(DeliveryError::Permanent(format!(
            "webhook_url refused: {why}"
        )));
    }
    let raw = serde_json::to_vec(&body(ctx, out).await?)
        .map_err(|e| DeliveryError::Permanent(e.to_string()))?;
    let timestamp = Timestamp::now().millis() / 1000;
    let answer = ctx
        .http
        .post(url)
        .timeout(TIMEOUT)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header(TIMESTAMP_HEADER, timestamp.to_string())
        .header(
            crate::server::signature::SIGNATURE_HEADER,
            signature(&out.channel.secret, timestamp, &raw),
        )
        .header(IDEMPOTENCY_HEADER, out.message.id.to_string())
        .body(raw)
        .send()
        .await
        .map_err(|e| DeliveryError::Retry(format!("webhook unreachable: {}", error_chain(&e))))?;
    let status = answer.status();
    if status.is_success() {
        let text = answer.text().await.unwrap_or_default();
        let external_id = serde_json::from_str::<WebhookAnswer>(&text)
            .unwrap_or_default()
            .external_id
            .and_then(|v| match v {
                serde_json::Value::String(s) if !s.is_empty() && s.len() <= 512 => Some(s),
                serde_json::Value::Number(n) => Some(n.to_string()),
                _ => None,
            });
        return Ok(Delivered { external_id });
    }
    let error = format!("webhook answered {status}");
    if status.is_server_error() || status.as_u16() == 408 || status.as_u16() == 429 {
        Err(DeliveryError::Retry(error))
    } else {
        Err(DeliveryError::Permanent(error))
    }
}

/// An error with its causes, which say what actually went wrong (refused, timed out...).
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_covers_the_timestamp_and_the_body() {
        let a = signature("s3cret", 1_700_000_000, b"{}");
        assert_eq!(a, sign("s3cret", b"1700000000.{}"));
        assert_ne!(a, signature("s3cret", 1_700_000_001, b"{}"));
        assert_ne!(a, signature("s3cret", 1_700_000_000, b"{ }"));
    }
}
