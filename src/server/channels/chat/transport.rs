//! How an agent's reply on a chat channel reaches the visitor.
//!
//! No hand-off is needed for a live chat: the visitor's socket follows the store's live
//! stream, and a visitor who is away sees the reply in the history when they come back. A
//! ticket left through the offline email form has no chat to return to, so a reply on the
//! chat channel is refused with the advice to answer by email.

use crate::server::delivery::{Delivered, DeliveryError, Outgoing, TransportContext};
use rusqlite::OptionalExtension;

/// Accepts a reply for a visitor's chat; refuses one for an offline-form ticket.
pub async fn deliver(ctx: &TransportContext, out: &Outgoing) -> Result<Delivered, DeliveryError> {
    if !out.channel.channel.enabled {
        return Err(DeliveryError::Permanent(format!(
            "chat channel {} is turned off",
            out.channel.channel.id
        )));
    }
    let conversation_id = out.conversation.id;
    let thread_key: Option<String> = ctx
        .store
        .read(move |c| {
            Ok(
                c.prepare_cached("SELECT thread_key FROM conversations WHERE id = ?1")?
                    .query_row([conversation_id], |r| r.get(0))
                    .optional()?
                    .flatten(),
            )
        })
        .await
        .map_err(|e| DeliveryError::Retry(e.to_string()))?;
    match thread_key.as_deref() {
        Some(key) if key.starts_with("visitor:") => Ok(Delivered::default()),
        _ => Err(DeliveryError::Permanent(format!(
            "this ticket came from the offline form and has no live chat; reply on an email \
             channel to reach {}",
            out.contact.email.as_deref().unwrap_or("the contact")
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{InboundMessage, InboundSender, NewChannel};
    use crate::domain::{ChannelKind, Id};
    use crate::server::store::{Store, inbound};

    async fn ticket(store: &Store, channel: Id, thread: &str) -> Outgoing {
        let msg = InboundMessage {
            thread_id: thread.into(),
            sender: InboundSender {
                id: thread.into(),
                name: None,
                email: Some("ana@example.com".into()),
                phone: None,
            },
            text: "hello".into(),
            subject: None,
            attachments: Vec::new(),
        };
        let outcome = store
            .write(move |ctx| inbound::ingest(ctx, channel, msg))
            .await
            .unwrap();
        let detail = store
            .conversation_detail(outcome.conversation_id, 0)
            .await
            .unwrap();
        Outgoing {
            message: detail.messages[0].clone(),
            conversation: detail.conversation,
            channel: store.channel(channel).await.unwrap(),
            contact: detail.contact,
            agent: None,
            attempt: 1,
        }
    }

    #[tokio::test]
    async fn live_chats_take_replies_and_offline_tickets_point_to_email() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), 16).unwrap();
        let channel = store
            .create_channel(
                NewChannel {
                    kind: ChannelKind::Chat,
                    name: "Web".into(),
                    webhook_url: None,
                    settings: None,
                    description: None,
                    capabilities: None,
                },
                "secret".into(),
            )
            .await
            .unwrap()
            .channel
            .id;
        let ctx = TransportContext {
            store: store.clone(),
            http: reqwest::Client::new(),
            allow_private: false,
            files: crate::server::files::Files::new(dir.path()),
            public_url: "http://127.0.0.1:1".into(),
        };
        let live = ticket(&store, channel, "visitor:0123").await;
        assert_eq!(deliver(&ctx, &live).await, Ok(Delivered::default()));
        let offline = ticket(&store, channel, "offline:abcd").await;
        match deliver(&ctx, &offline).await {
            Err(DeliveryError::Permanent(m)) => assert!(m.contains("ana@example.com"), "{m}"),
            other => panic!("expected a permanent refusal, got {other:?}"),
        }
        let mut off = live.clone();
        off.channel.channel.enabled = false;
        assert!(matches!(
            deliver(&ctx, &off).await,
            Err(DeliveryError::Permanent(_))
        ));
    }
}
