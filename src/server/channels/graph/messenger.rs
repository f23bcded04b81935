//! Messenger webhook payloads (`object: "page"`, `entry[].messaging[]`) turned into events.

use super::events::{CONSENT_PAYLOAD, IncomingMedia, IncomingMessage, MediaSource, WebhookEvent};
use crate::domain::{AttachmentKind, DeliveryStatus, Timestamp};
use serde::Deserialize;

#[derive(Deserialize)]
struct Body {
    object: String,
    #[serde(default)]
    entry: Vec<Entry>,
}

#[derive(Deserialize)]
struct Entry {
    id: String,
    #[serde(default)]
    messaging: Vec<Messaging>,
}

#[derive(Deserialize)]
struct Messaging {
    sender: Party,
    #[serde(default)]
    timestamp: i64,
    message: Option<Message>,
    delivery: Option<Delivery>,
    read: Option<Read>,
    postback: Option<Postback>,
}

#[derive(Deserialize)]
struct Party {
    id: String,
}

#[derive(Deserialize)]
struct Message {
    mid: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    is_echo: bool,
    #[serde(default)]
    attachments: Vec<Attachment>,
    quick_reply: Option<QuickReply>,
}

#[derive(Deserialize)]
struct QuickReply {
    payload: String,
}

#[derive(Deserialize)]
struct Attachment {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    payload: Option<AttachmentPayload>,
}

#[derive(Deserialize)]
struct AttachmentPayload {
    url: Option<String>,
    sticker_id: Option<i64>,
    title: Option<String>,
}

#[derive(Deserialize)]
struct Delivery {
    #[serde(default)]
    mids: Vec<String>,
    watermark: i64,
}

#[derive(Deserialize)]
struct Read {
    watermark: i64,
}

#[derive(Deserialize)]
struct Postback {
    mid: Option<String>,
    #[serde(default)]
    title: String,
    #[serde(default)]
    payload: String,
}

/// The events of a Messenger webhook body for the page `page_id`; entries of other pages are
/// skipped. An error names what is wrong with the body.
pub fn parse(value: serde_json::Value, page_id: &str) -> Result<Vec<WebhookEvent>, String> {
    let body: Body = serde_json::from_value(value).map_err(|e| e.to_string())?;
    if body.object != "page" {
        return Err(format!(
            "object is {:?}; a Messenger webhook sends \"page\"",
            body.object
        ));
    }
    let mut events = Vec::new();
    for entry in body.entry.into_iter().filter(|e| e.id == page_id) {
        for m in entry.messaging {
            // The page's own messages come back as echoes; they are not the customer's.
            if m.sender.id == page_id {
                continue;
            }
            let customer = m.sender.id;
            if let Some(d) = m.delivery {
                for mid in d.mids {
                    events.push(WebhookEvent::Receipt {
                        external_id: mid,
                        status: DeliveryStatus::Delivered,
                        error: None,
                    });
                }
                events.push(WebhookEvent::Watermark {
                    customer: customer.clone(),
                    watermark: Timestamp(d.watermark),
                    status: DeliveryStatus::Delivered,
                });
            }
            if let Some(r) = m.read {
                events.push(WebhookEvent::Watermark {
                    customer: customer.clone(),
                    watermark: Timestamp(r.watermark),
                    status: DeliveryStatus::Read,
                });
            }
            if let Some(msg) = m.message.filter(|msg| !msg.is_echo) {
                events.push(WebhookEvent::Message(message(
                    customer.clone(),
                    m.timestamp,
                    msg,
                )));
            }
            if let Some(p) = m.postback {
                let platform_id = p
                    .mid
                    .unwrap_or_else(|| format!("postback:{customer}:{}", m.timestamp));
                events.push(WebhookEvent::Message(IncomingMessage {
                    platform_id,
                    customer: customer.clone(),
                    name: None,
                    phone: None,
                    sent_at: Timestamp(m.timestamp),
                    text: if p.title.trim().is_empty() {
                        p.payload.clone()
                    } else {
                        p.title
                    },
                    media: Vec::new(),
                    consent: p.payload == CONSENT_PAYLOAD,
                }));
            }
        }
    }
    Ok(events)
}

fn message(customer: String, timestamp: i64, msg: Message) -> IncomingMessage {
    let mut text = msg.text;
    let mut media = Vec::new();
    for a in msg.attachments {
        let payload = a.payload.unwrap_or(AttachmentPayload {
            url: None,
            sticker_id: None,
            title: None,
        });
        let kind = match a.kind.as_str() {
            "image" if payload.sticker_id.is_some() => AttachmentKind::Sticker,
            "image" => AttachmentKind::Image,
            "audio" => AttachmentKind::Audio,
            "video" => AttachmentKind::Video,
            "file" => AttachmentKind::File,
            other => {
                // Locations, shared links and templates: keep what the customer shared as text.
                let described = [payload.title.as_deref(), payload.url.as_deref()]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(" ");
                push_line(&mut text, &format!("[{other}] {described}"));
                continue;
            }
        };
        match payload.url {
            Some(url) => media.push(IncomingMedia {
                kind,
                name: file_name(&url, kind),
                source: MediaSource::Url(url),
                mime_type: None,
            }),
            None => push_line(&mut text, &format!("[{kind} without a link]")),
        }
    }
    IncomingMessage {
        platform_id: msg.mid,
        customer,
        name: None,
        phone: None,
        sent_at: Timestamp(timestamp),
        text,
        media,
        consent: msg
            .quick_reply
            .is_some_and(|q| q.payload == CONSENT_PAYLOAD),
    }
}

fn push_line(text: &mut String, line: &str) {
    if !text.is_empty() {
        text.push('\n');
    }
    text.push_str(line.trim());
}

/// The last path segment of a CDN link, else the kind.
fn file_name(url: &str, kind: AttachmentKind) -> String {
    url.split(['?', '#'])
        .next()
        .and_then(|path| path.rsplit('/').next())
        .filter(|name| !name.is_empty() && name.len() <= 200 && !name.contains(':'))
        .map(str::to_string)
        .unwrap_or_else(|| kind.as_str().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn messages_receipts_and_postbacks_of_this_page_become_events() {
        let body = json!({"object": "page", "entry": [
            {"id": "42", "time": 1, "messaging": [
                {"sender": {"id": "u1"}, "recipient": {"id": "42"}, "timestamp": 1000,
                 "message": {"mid": "m1", "text": "hi", "attachments": [
                    {"type": "image", "payload": {"url": "https://cdn.example/a/pic.jpg?x=1"}},
                    {"type": "image", "payload": {"url": "https://cdn.example/s", "sticker_id": 369239263222822i64}},
                    {"type": "location", "payload": {"title": "Home"}}]}},
                {"sender": {"id": "u1"}, "recipient": {"id": "42"}, "timestamp": 1001,
                 "delivery": {"mids": ["r1"], "watermark": 999}},
                {"sender": {"id": "u1"}, "recipient": {"id": "42"}, "timestamp": 1002,
                 "read": {"watermark": 998}},
                {"sender": {"id": "u1"}, "recipient": {"id": "42"}, "timestamp": 1003,
                 "postback": {"title": "I agree", "payload": CONSENT_PAYLOAD}},
                {"sender": {"id": "42"}, "recipient": {"id": "u1"}, "timestamp": 1004,
                 "message": {"mid": "echo", "text": "ours", "is_echo": true}}]},
            {"id": "other-page", "messaging": [
                {"sender": {"id": "u2"}, "recipient": {"id": "other-page"}, "timestamp": 5,
                 "message": {"mid": "m9", "text": "not ours"}}]}]});
        let events = parse(body, "42").unwrap();
        assert_eq!(events.len(), 5, "{events:#?}");
        let WebhookEvent::Message(m) = &events[0] else {
            panic!("{events:?}")
        };
        assert_eq!(m.text, "hi\n[location] Home");
        assert_eq!(m.media.len(), 2);
        assert_eq!(m.media[0].name, "pic.jpg");
        assert_eq!(m.media[1].kind, AttachmentKind::Sticker);
        assert_eq!(m.sent_at, Timestamp(1000));
        assert!(
            matches!(&events[1], WebhookEvent::Receipt { external_id, .. } if external_id == "r1")
        );
        assert!(matches!(
            &events[3],
            WebhookEvent::Watermark {
                status: DeliveryStatus::Read,
                watermark: Timestamp(998),
                ..
            }
        ));
        assert!(
            matches!(&events[4], WebhookEvent::Message(m) if m.consent && m.platform_id == "postback:u1:1003")
        );
    }

    #[test]
    fn another_object_or_shape_is_refused() {
        assert!(parse(json!({"object": "instagram", "entry": []}), "1").is_err());
        assert!(parse(json!({"object": "page", "entry": [{"messaging": []}]}), "1").is_err());
    }
}
