//! Telling customers by e-mail that an agent answered a ticket they opened on a portal.
//!
//! Tickets opened on a portal live on its `form` channel, which has no way of its own to reach
//! the customer; so when an agent replies there and the ticket's contact has an account on
//! that portal, the customer gets a short mail in the portal's language with the reply and a
//! link to the ticket. Replies on channels that deliver (e-mail, chat, ...) reach the customer
//! through their channel and send no notice. Internal notes never do.

use super::i18n::fill;
use crate::api::{Event, EventKind};
use crate::domain::MessageKind;
use crate::server::AppState;
use crate::server::store::StoreError;
use tokio::sync::broadcast::error::RecvError;

/// Watches committed events for agent replies to notify, until the server stops.
pub fn spawn(state: AppState) {
    if !state.portal.mailer.configured() {
        return;
    }
    tokio::spawn(async move {
        let mut live = state.store.subscribe();
        let mut stopping = state.stopping.clone();
        loop {
            let event = tokio::select! {
                e = live.recv() => e,
                _ = stopping.wait_for(|s| *s) => return,
            };
            match event {
                Ok(e) => {
                    if let Err(error) = notice(&state, e.frame.as_str()).await {
                        tracing::warn!(%error, "reply notice not sent");
                    }
                }
                Err(RecvError::Lagged(missed)) => {
                    tracing::warn!(
                        missed,
                        "events went by too fast: some reply notices skipped"
                    );
                }
                Err(RecvError::Closed) => return,
            }
        }
    });
}

async fn notice(state: &AppState, frame: &str) -> Result<(), StoreError> {
    let Ok(event) = serde_json::from_str::<Event>(frame) else {
        return Ok(());
    };
    let EventKind::MessageCreated {
        message,
        conversation,
        ..
    } = event.kind
    else {
        return Ok(());
    };
    if message.kind != MessageKind::Outbound {
        return Ok(());
    }
    let Some((portal, email)) = state
        .store
        .reply_notice_target(message.channel_id, conversation.contact_id)
        .await?
    else {
        return Ok(());
    };
    let link = format!(
        "{}/portal/{}/tickets/{}",
        state.portal.public_url, portal.slug, conversation.id
    );
    let lang = portal.language;
    let subject = fill(
        lang,
        "mail_reply_subject",
        &[("subject", &conversation.subject)],
    );
    let body = fill(
        lang,
        "mail_reply_body",
        &[
            ("agent", &message.sender.name),
            ("subject", &conversation.subject),
            ("portal", &portal.name),
            ("text", &message.body),
            ("link", &link),
        ],
    );
    state.portal.mailer.send(&email, &subject, body).await;
    Ok(())
}
