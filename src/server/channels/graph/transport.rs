//! Replies leaving through the Graph API: Messenger's Send API and WhatsApp's Cloud API,
//! `POST {base_url}/{page or phone number id}/messages` with the channel's access token.

use super::Platform;
use super::events::{CONSENT_LABEL, CONSENT_PAYLOAD};
use super::settings::{self, ConsentMode};
use super::window::{self, WindowState};
use crate::domain::{Attachment, AttachmentKind, Id, Timestamp};
use crate::server::delivery::{Delivered, DeliveryError, Outgoing, TransportContext};
use crate::server::store::StoreError;
use rusqlite::{Connection, OptionalExtension};
use serde::Deserialize;
use serde_json::{Value, json};
use std::time::Duration;

/// How long Graph may take to answer.
const TIMEOUT: Duration = Duration::from_secs(30);

/// Graph error codes that mean "too many requests, try later" rather than "no".
const THROTTLED: &[i64] = &[4, 17, 32, 613, 80007, 130429, 131048, 131056];

#[derive(Deserialize)]
struct GraphErrorBody {
    error: GraphError,
}

#[derive(Deserialize)]
struct GraphError {
    #[serde(default)]
    message: String,
    code: Option<i64>,
    error_subcode: Option<i64>,
}

/// Why the desk wrote a message itself, if it did (`greeting`, `instant_reply`, `consent`).
fn purpose(conn: &Connection, message_id: Id) -> Result<Option<String>, StoreError> {
    Ok(conn
        .prepare_cached("SELECT purpose FROM graph_auto_messages WHERE message_id = ?1")?
        .query_row([message_id], |r| r.get(0))
        .optional()?)
}

/// Sends one reply through Messenger or WhatsApp. Answers the platform's message id, which
/// its receipts name later. Unreachable, busy or 5xx: retry; refused: permanent, with
/// Graph's own explanation.
pub async fn deliver(ctx: &TransportContext, out: &Outgoing) -> Result<Delivered, DeliveryError> {
    let channel = &out.channel.channel;
    let (channel_id, contact_id, message_id) = (channel.id, out.contact.id, out.message.id);
    let platform = Platform::of(channel.kind).ok_or_else(|| {
        DeliveryError::Permanent(format!(
            "channel {channel_id} is not a Messenger or WhatsApp channel"
        ))
    })?;
    let name = platform.name();
    let (settings, last_inbound, purpose) = ctx
        .store
        .read(move |c| {
            Ok((
                settings::load(c, channel_id)?,
                window::last_inbound(c, channel_id, contact_id)?,
                purpose(c, message_id)?,
            ))
        })
        .await
        .map_err(|e| DeliveryError::Retry(e.to_string()))?;
    let settings = settings.ok_or_else(|| {
        DeliveryError::Permanent(format!(
            "channel {channel_id} has no {name} settings yet: PUT /api/v1/channels/{channel_id}/graph"
        ))
    })?;
    let recipient = out
        .contact
        .identities
        .iter()
        .find(|i| i.channel_id == channel_id)
        .map(|i| i.external_id.clone())
        .ok_or_else(|| {
            DeliveryError::Permanent(format!(
                "{name}: this contact has never written on channel {channel_id}, so there is nobody to send to"
            ))
        })?;
    let now = Timestamp::now();
    if let Some(why) = window::refusal(platform, last_inbound, now) {
        return Err(DeliveryError::Permanent(why));
    }
    let state = window::state(platform, last_inbound, now);
    if purpose.is_some() && state != WindowState::Open {
        return Err(DeliveryError::Permanent(format!(
            "{name}: automatic messages may only go out within 24 hours of the customer's message"
        )));
    }
    let ask_consent =
        purpose.as_deref() == Some("consent") && settings.consent_mode == ConsentMode::Explicit;
    let url = format!("{}/{}/messages", settings.base_url, settings.account_id);
    if !ctx.allow_private
        && let Some(why) = reqwest::Url::parse(&url)
            .ok()
            .and_then(|u| crate::server::targets::refusal(&u))
    {
        return Err(DeliveryError::Permanent(format!(
            "{name}: base_url refused: {why}"
        )));
    }
    let graph = Graph {
        ctx,
        settings: &settings,
        platform,
    };
    let text = out.message.body.as_str();
    let files = crate::server::delivery::file_bytes(ctx, out).await?;
    let mut first = None;
    if !text.trim().is_empty() || files.is_empty() {
        let body = match platform {
            Platform::Messenger => messenger_body(&recipient, text, state, ask_consent),
            Platform::Whatsapp => whatsapp_body(&recipient, text, ask_consent),
        };
        first = graph
            .call(&url, graph.ctx.http.post(&url).json(&body))
            .await?;
    }
    for (file, bytes) in files {
        let media = graph.upload(&file, bytes).await?;
        let body = match platform {
            Platform::Messenger => messenger_file(&recipient, &file, &media, state),
            Platform::Whatsapp => whatsapp_file(&recipient, &file, &media),
        };
        let id = graph
            .call(&url, graph.ctx.http.post(&url).json(&body))
            .await?;
        first = first.or(id);
    }
    Ok(Delivered { external_id: first })
}

/// One channel's Graph API, for the calls of one reply.
struct Graph<'a> {
    ctx: &'a TransportContext,
    settings: &'a settings::GraphSettings,
    platform: Platform,
}

impl Graph<'_> {
    /// Sends `request` with the access token; answers the message or media id Graph gave.
    async fn call(
        &self,
        url: &str,
        request: reqwest::RequestBuilder,
    ) -> Result<Option<String>, DeliveryError> {
        let name = self.platform.name();
        let resp = request
            .bearer_auth(&self.settings.access_token)
            .timeout(TIMEOUT)
            .send()
            .await
            .map_err(|e| {
                DeliveryError::Retry(format!(
                    "{name}: the Graph API at {url} did not answer: {e}"
                ))
            })?;
        let status = resp.status();
        let answer: Value = resp.json().await.unwrap_or(Value::Null);
        if status.is_success() {
            let id = answer["message_id"]
                .as_str()
                .or(answer["messages"][0]["id"].as_str())
                .or(answer["attachment_id"].as_str())
                .or(answer["id"].as_str());
            return Ok(id.map(str::to_string));
        }
        Err(refusal(name, status, answer))
    }

    /// Uploads a reply's file as Graph media; answers its media (WhatsApp) or attachment
    /// (Messenger) id.
    async fn upload(&self, file: &Attachment, bytes: Vec<u8>) -> Result<String, DeliveryError> {
        let name = self.platform.name();
        let mime = file
            .mime_type
            .clone()
            .unwrap_or_else(|| "application/octet-stream".into());
        let part = reqwest::multipart::Part::bytes(bytes)
            .file_name(file.name.clone())
            .mime_str(&mime)
            .map_err(|e| DeliveryError::Permanent(format!("{name}: {e}")))?;
        let (url, form) = match self.platform {
            Platform::Messenger => (
                format!(
                    "{}/{}/message_attachments",
                    self.settings.base_url, self.settings.account_id
                ),
                reqwest::multipart::Form::new()
                    .text(
                        "message",
                        json!({"attachment": {"type": messenger_type(file), "payload": {"is_reusable": true}}})
                            .to_string(),
                    )
                    .part("filedata", part),
            ),
            Platform::Whatsapp => (
                format!("{}/{}/media", self.settings.base_url, self.settings.account_id),
                reqwest::multipart::Form::new()
                    .text("messaging_product", "whatsapp")
                    .text("type", mime.clone())
                    .part("file", part),
            ),
        };
        self.call(&url, self.ctx.http.post(&url).multipart(form))
            .await?
            .ok_or_else(|| DeliveryError::Retry(format!("{name}: the media upload answered no id")))
    }
}

/// Graph's refusal, explained; throttling, 429 and 5xx are worth retrying.
fn refusal(name: &str, status: reqwest::StatusCode, answer: Value) -> DeliveryError {
    let error = serde_json::from_value::<GraphErrorBody>(answer)
        .ok()
        .map(|b| b.error);
    let explained = match &error {
        Some(e) => format!(
            "{name} refused the message: {} (code {}{})",
            e.message,
            e.code.map_or("?".to_string(), |c| c.to_string()),
            e.error_subcode
                .map_or(String::new(), |s| format!(", subcode {s}"))
        ),
        None => format!("{name}: the Graph API answered {status}"),
    };
    let throttled = error
        .as_ref()
        .and_then(|e| e.code)
        .is_some_and(|c| THROTTLED.contains(&c));
    if status.is_server_error() || status.as_u16() == 429 || throttled {
        DeliveryError::Retry(explained)
    } else {
        DeliveryError::Permanent(explained)
    }
}

/// Messenger's attachment type of a file.
fn messenger_type(file: &Attachment) -> &'static str {
    match file.kind {
        AttachmentKind::Image | AttachmentKind::Sticker => "image",
        AttachmentKind::Video => "video",
        AttachmentKind::Audio | AttachmentKind::VoiceNote => "audio",
        AttachmentKind::File => "file",
    }
}

/// A Send API request carrying an uploaded file.
fn messenger_file(psid: &str, file: &Attachment, attachment_id: &str, state: WindowState) -> Value {
    let mut body = messenger_body(psid, "", state, false);
    body["message"] = json!({"attachment": {
        "type": messenger_type(file),
        "payload": {"attachment_id": attachment_id}
    }});
    body
}

/// A Cloud API request carrying an uploaded file (a `document`, with its name, unless it
/// is a picture, a film or a sound).
fn whatsapp_file(wa_id: &str, file: &Attachment, media_id: &str) -> Value {
    let kind = match file.kind {
        AttachmentKind::Image => "image",
        AttachmentKind::Video => "video",
        AttachmentKind::Audio | AttachmentKind::VoiceNote => "audio",
        AttachmentKind::Sticker => "sticker",
        AttachmentKind::File => "document",
    };
    let mut media = json!({"id": media_id});
    if kind == "document" {
        media["filename"] = json!(file.name);
    }
    let mut body =
        json!({"messaging_product": "whatsapp", "recipient_type": "individual", "to": wa_id});
    body["type"] = json!(kind);
    body[kind] = media;
    body
}

/// A Send API request: a response inside 24 hours, a `HUMAN_AGENT` tagged message after.
fn messenger_body(psid: &str, text: &str, state: WindowState, ask_consent: bool) -> Value {
    let mut message = json!({"text": text});
    if ask_consent {
        message["quick_replies"] = json!([
            {"content_type": "text", "title": CONSENT_LABEL, "payload": CONSENT_PAYLOAD}
        ]);
    }
    let mut body =
        json!({"recipient": {"id": psid}, "messaging_type": "RESPONSE", "message": message});
    if state == WindowState::HumanAgent {
        body["messaging_type"] = json!("MESSAGE_TAG");
        body["tag"] = json!("HUMAN_AGENT");
    }
    body
}

/// A Cloud API request: a text message, or a message with an "I agree" reply button.
fn whatsapp_body(wa_id: &str, text: &str, ask_consent: bool) -> Value {
    let base =
        json!({"messaging_product": "whatsapp", "recipient_type": "individual", "to": wa_id});
    let mut body = base;
    if ask_consent {
        body["type"] = json!("interactive");
        body["interactive"] = json!({
            "type": "button",
            "body": {"text": text},
            "action": {"buttons": [{"type": "reply", "reply": {"id": CONSENT_PAYLOAD, "title": CONSENT_LABEL}}]}
        });
    } else {
        body["type"] = json!("text");
        body["text"] = json!({"preview_url": false, "body": text});
    }
    body
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messenger_tags_replies_after_24_hours_and_whatsapp_asks_with_a_button() {
        let r = messenger_body("u1", "hi", WindowState::Open, false);
        assert_eq!(r["messaging_type"], "RESPONSE");
        assert!(r.get("tag").is_none());
        let t = messenger_body("u1", "hi", WindowState::HumanAgent, true);
        assert_eq!(
            (t["messaging_type"].as_str(), t["tag"].as_str()),
            (Some("MESSAGE_TAG"), Some("HUMAN_AGENT"))
        );
        assert_eq!(t["message"]["quick_replies"][0]["payload"], CONSENT_PAYLOAD);
        let w = whatsapp_body("39333", "ok?", true);
        assert_eq!(w["type"], "interactive");
        assert_eq!(
            w["interactive"]["action"]["buttons"][0]["reply"]["id"],
            CONSENT_PAYLOAD
        );
        assert_eq!(whatsapp_body("39333", "hi", false)["text"]["body"], "hi");
    }
}
