//! WhatsApp Cloud API webhook payloads (`object: "whatsapp_business_account"`,
//! `entry[].changes[].value`) turned into events.

use super::events::{CONSENT_PAYLOAD, IncomingMedia, IncomingMessage, MediaSource, WebhookEvent};
use crate::domain::{AttachmentKind, DeliveryStatus, Timestamp};
use serde::Deserialize;
use std::collections::HashMap;

#[derive(Deserialize)]
struct Body {
    object: String,
    #[serde(default)]
    entry: Vec<Entry>,
}

#[derive(Deserialize)]
struct Entry {
    #[serde(default)]
    changes: Vec<Change>,
}

#[derive(Deserialize)]
struct Change {
    field: String,
    value: Value,
}

#[derive(Deserialize)]
struct Value {
    metadata: Option<Metadata>,
    #[serde(default)]
    contacts: Vec<Contact>,
    #[serde(default)]
    messages: Vec<Message>,
    #[serde(default)]
    statuses: Vec<Status>,
}

#[derive(Deserialize)]
struct Metadata {
    phone_number_id: String,
}

#[derive(Deserialize)]
struct Contact {
    wa_id: String,
    profile: Option<Profile>,
}

#[derive(Deserialize)]
struct Profile {
    name: Option<String>,
}

#[derive(Deserialize)]
struct Message {
    from: String,
    id: String,
    timestamp: String,
    #[serde(rename = "type")]
    kind: String,
    text: Option<Text>,
    image: Option<Media>,
    audio: Option<Media>,
    video: Option<Media>,
    document: Option<Media>,
    sticker: Option<Media>,
    interactive: Option<Interactive>,
    button: Option<Button>,
    location: Option<Location>,
}

#[derive(Deserialize)]
struct Text {
    body: String,
}

#[derive(Deserialize)]
struct Media {
    id: String,
    mime_type: Option<String>,
    caption: Option<String>,
    filename: Option<String>,
    #[serde(default)]
    voice: bool,
}

#[derive(Deserialize)]
struct Interactive {
    button_reply: Option<Reply>,
    list_reply: Option<Reply>,
}

#[derive(Deserialize)]
struct Reply {
    id: String,
    title: String,
}

#[derive(Deserialize)]
struct Button {
    payload: Option<String>,
    text: String,
}

#[derive(Deserialize)]
struct Location {
    latitude: f64,
    longitude: f64,
    name: Option<String>,
    address: Option<String>,
}

#[derive(Deserialize)]
struct Status {
    id: String,
    status: String,
    #[serde(default)]
    errors: Vec<StatusError>,
}

#[derive(Deserialize)]
struct StatusError {
    code: Option<i64>,
    title: Option<String>,
    message: Option<String>,
    error_data: Option<ErrorData>,
}

#[derive(Deserialize)]
struct ErrorData {
    details: Option<String>,
}

/// The events of a WhatsApp webhook body for the phone number `phone_number_id`; changes of
/// other numbers are skipped. An error names what is wrong with the body.
pub fn parse(value: serde_json::Value, phone_number_id: &str) -> Result<Vec<WebhookEvent>, String> {
    let body: Body = serde_json::from_value(value).map_err(|e| e.to_string())?;
    if body.object != "whatsapp_business_account" {
        return Err(format!(
            "object is {:?}; a WhatsApp webhook sends \"whatsapp_business_account\"",
            body.object
        ));
    }
    let mut events = Vec::new();
    for change in body.entry.into_iter().flat_map(|e| e.changes) {
        let ours = change
            .value
            .metadata
            .as_ref()
            .is_some_and(|m| m.phone_number_id == phone_number_id);
        if change.field != "messages" || !ours {
            continue;
        }
        let names: HashMap<String, String> = change
            .value
            .contacts
            .into_iter()
            .filter_map(|c| Some((c.wa_id, c.profile?.name?)))
            .collect();
        for m in change.value.messages {
            if let Some(msg) = message(m, &names)? {
                events.push(WebhookEvent::Message(msg));
            }
        }
        for s in change.value.statuses {
            let status = match s.status.as_str() {
                "sent" => DeliveryStatus::Sent,
                "delivered" => DeliveryStatus::Delivered,
                "read" => DeliveryStatus::Read,
                "failed" => DeliveryStatus::Failed,
                _ => continue,
            };
            events.push(WebhookEvent::Receipt {
                external_id: s.id,
                status,
                error: s.errors.first().map(describe_error),
            });
        }
    }
    Ok(events)
}

fn describe_error(e: &StatusError) -> String {
    let mut parts: Vec<String> = Vec::new();
    if let Some(code) = e.code {
        parts.push(format!("WhatsApp error {code}"));
    }
    for text in [&e.title, &e.message]
        .into_iter()
        .flatten()
        .chain(e.error_data.as_ref().and_then(|d| d.details.as_ref()))
    {
        if !parts.iter().any(|p| p == text) {
            parts.push(text.clone());
        }
    }
    if parts.is_empty() {
        "WhatsApp could not deliver the message".to_string()
    } else {
        parts.join(": ")
    }
}

fn message(m: Message, names: &HashMap<String, String>) -> Result<Option<IncomingMessage>, String> {
    let seconds: i64 = m.timestamp.trim().parse().map_err(|_| {
        format!(
            "messages[].timestamp {:?} is not a number of seconds",
            m.timestamp
        )
    })?;
    let mut text = String::new();
    let mut media = Vec::new();
    let mut consent = false;
    let mut file = |kind: AttachmentKind, f: Media, text: &mut String| {
        if let Some(caption) = f.caption.filter(|c| !c.trim().is_empty()) {
            text.push_str(&caption);
        }
        media.push(IncomingMedia {
            kind,
            name: f
                .filename
                .filter(|n| !n.trim().is_empty())
                .unwrap_or_else(|| kind.as_str().to_string()),
            source: MediaSource::GraphId(f.id),
            mime_type: f.mime_type,
        });
    };
    match m.kind.as_str() {
        "text" => text = m.text.map(|t| t.body).unwrap_or_default(),
        "image" if m.image.is_some() => file(AttachmentKind::Image, m.image.unwrap(), &mut text),
        "video" if m.video.is_some() => file(AttachmentKind::Video, m.video.unwrap(), &mut text),
        "document" if m.document.is_some() => {
            file(AttachmentKind::File, m.document.unwrap(), &mut text)
        }
        "sticker" if m.sticker.is_some() => {
            file(AttachmentKind::Sticker, m.sticker.unwrap(), &mut text)
        }
        "audio" | "voice" if m.audio.is_some() => {
            let audio = m.audio.unwrap();
            let kind = if audio.voice || m.kind == "voice" {
                AttachmentKind::VoiceNote
            } else {
                AttachmentKind::Audio
            };
            file(kind, audio, &mut text)
        }
        "interactive" => {
            let reply = m.interactive.and_then(|i| i.button_reply.or(i.list_reply));
            if let Some(r) = reply {
                consent = r.id == CONSENT_PAYLOAD;
                text = r.title;
            }
        }
        "button" => {
            if let Some(b) = m.button {
                consent = b.payload.as_deref() == Some(CONSENT_PAYLOAD);
                text = b.text;
            }
        }
        "location" => {
            if let Some(l) = m.location {
                let place = [l.name, l.address]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>();
                text = format!(
                    "[location] {} {}{}",
                    l.latitude,
                    l.longitude,
                    if place.is_empty() {
                        String::new()
                    } else {
                        format!(" ({})", place.join(", "))
                    }
                );
            }
        }
        // A reaction changes no conversation; it is not a message.
        "reaction" => return Ok(None),
        _ => {}
    }
    if text.trim().is_empty() && media.is_empty() {
        text = format!(
            "[a WhatsApp message of type {:?} the desk cannot show]",
            m.kind
        );
    }
    let phone = Some(format!("+{}", m.from.trim_start_matches('+')));
    Ok(Some(IncomingMessage {
        platform_id: m.id,
        name: names.get(&m.from).cloned(),
        phone,
        customer: m.from,
        sent_at: Timestamp(seconds.saturating_mul(1000)),
        text,
        media,
        consent,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn body(value: serde_json::Value) -> serde_json::Value {
        json!({"object": "whatsapp_business_account", "entry": [{"id": "WABA", "changes": [
            {"field": "messages", "value": value}]}]})
    }

    #[test]
    fn messages_with_names_media_and_statuses_become_events() {
        let events = parse(
            body(json!({
                "messaging_product": "whatsapp",
                "metadata": {"display_phone_number": "15550001111", "phone_number_id": "777"},
                "contacts": [{"profile": {"name": "Lucia"}, "wa_id": "393331234567"}],
                "messages": [
                    {"from": "393331234567", "id": "wamid.1", "timestamp": "1700000000", "type": "text", "text": {"body": "ciao"}},
                    {"from": "393331234567", "id": "wamid.2", "timestamp": "1700000001", "type": "audio", "audio": {"id": "M1", "mime_type": "audio/ogg; codecs=opus", "voice": true}},
                    {"from": "393331234567", "id": "wamid.3", "timestamp": "1700000002", "type": "document", "document": {"id": "M2", "filename": "invoice.pdf", "caption": "my invoice"}},
                    {"from": "393331234567", "id": "wamid.4", "timestamp": "1700000003", "type": "interactive", "interactive": {"type": "button_reply", "button_reply": {"id": CONSENT_PAYLOAD, "title": "I agree"}}},
                    {"from": "393331234567", "id": "wamid.5", "timestamp": "1700000004", "type": "reaction", "reaction": {"message_id": "x", "emoji": "👍"}}
                ],
                "statuses": [{"id": "wamid.out", "status": "failed", "timestamp": "1700000005", "recipient_id": "393331234567",
                    "errors": [{"code": 131047, "title": "Re-engagement message", "error_data": {"details": "More than 24 hours have passed"}}]}]
            })),
            "777",
        )
        .unwrap();
        assert_eq!(events.len(), 5, "{events:#?}");
        let WebhookEvent::Message(m) = &events[0] else {
            panic!()
        };
        assert_eq!(
            (m.name.as_deref(), m.phone.as_deref()),
            (Some("Lucia"), Some("+393331234567"))
        );
        assert_eq!(m.sent_at, Timestamp(1_700_000_000_000));
        assert!(
            matches!(&events[1], WebhookEvent::Message(m) if m.media[0].kind == AttachmentKind::VoiceNote)
        );
        assert!(
            matches!(&events[2], WebhookEvent::Message(m) if m.text == "my invoice" && m.media[0].name == "invoice.pdf")
        );
        assert!(matches!(&events[3], WebhookEvent::Message(m) if m.consent));
        let WebhookEvent::Receipt { status, error, .. } = &events[4] else {
            panic!()
        };
        assert_eq!(*status, DeliveryStatus::Failed);
        assert_eq!(
            error.as_deref(),
            Some("WhatsApp error 131047: Re-engagement message: More than 24 hours have passed")
        );
    }

    #[test]
    fn other_numbers_are_skipped_and_bad_shapes_refused() {
        let other = body(json!({"metadata": {"phone_number_id": "1"}, "messages": [
            {"from": "1", "id": "w", "timestamp": "1", "type": "text", "text": {"body": "x"}}]}));
        assert_eq!(parse(other, "777").unwrap(), vec![]);
        let bad_time = body(json!({"metadata": {"phone_number_id": "777"}, "messages": [
            {"from": "1", "id": "w", "timestamp": "soon", "type": "text", "text": {"body": "x"}}]}));
        assert!(parse(bad_time, "777").unwrap_err().contains("timestamp"));
        assert!(parse(json!({"object": "page"}), "777").is_err());
    }
}
