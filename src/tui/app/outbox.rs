//! Replies that did not leave: `R` sends the newest failed one of the thread again, `D`
//! gives it up, and `O` (`:outbox`) lists what the desk has waiting, retrying or failed.

use super::{App, Choice, Effect, Layer, Menu};
use crate::api::{OutboxItem, OutboxPage, OutboxState};
use crate::domain::{DeliveryStatus, Message};
use crate::tui::sanitize::sanitize_line;

impl App {
    /// The newest reply of the open thread whose delivery matches `pick`.
    fn newest_reply(&self, pick: impl Fn(&Message) -> bool) -> Option<&Message> {
        let t = self.thread.loaded.as_ref()?;
        t.detail.messages.iter().rev().find(|m| pick(m))
    }

    /// `R`: a new round of attempts for the newest failed reply of the thread.
    pub(super) fn retry_reply(&mut self) -> Vec<Effect> {
        match self.newest_reply(|m| failed(m) && !discarded(m)) {
            Some(m) => vec![Effect::RetryMessage {
                conversation_id: m.conversation_id,
                message_id: m.id,
            }],
            None => {
                self.inform("no failed reply here to retry");
                vec![]
            }
        }
    }

    /// `D`: gives up the newest failed or still waiting reply of the thread.
    pub(super) fn discard_reply(&mut self) -> Vec<Effect> {
        let waiting = |m: &Message| {
            m.delivery.as_ref().is_some_and(|d| {
                d.discarded_at.is_none()
                    && matches!(d.status, DeliveryStatus::Failed | DeliveryStatus::Queued)
            })
        };
        match self.newest_reply(waiting) {
            Some(m) => vec![Effect::DiscardMessage {
                conversation_id: m.conversation_id,
                message_id: m.id,
            }],
            None => {
                self.inform("no failed or waiting reply here to discard");
                vec![]
            }
        }
    }

    /// The server's word on a reply after a retry or discard.
    pub(super) fn message_changed(&mut self, message: Message) {
        let what = match &message.delivery {
            Some(d) if d.discarded_at.is_some() => "discarded: it will not be sent",
            _ => "queued again",
        };
        self.inform(format!("reply {} {what}", message.id));
        self.outbox.retain(|i| i.message.id != message.id);
        if let Some(t) = self.thread.loaded.as_mut()
            && let Some(m) = t.detail.messages.iter_mut().find(|m| m.id == message.id)
        {
            *m = message;
        }
    }

    /// Shows the outbox as a menu; Enter opens a reply's conversation.
    pub(super) fn show_outbox(&mut self, page: OutboxPage) {
        if page.items.is_empty() {
            self.inform("the outbox is empty: every reply has left");
            return;
        }
        self.outbox = page.items;
        self.layers.retain(|l| !matches!(l, Layer::Menu { .. }));
        self.layers.push(Layer::Menu {
            menu: Menu::Outbox,
            selected: 0,
            targets: Vec::new(),
        });
    }

    pub(super) fn outbox_options(&self) -> Vec<(String, Choice)> {
        self.outbox
            .iter()
            .map(|i| (outbox_label(i), Choice::Open(i.message.conversation_id)))
            .collect()
    }
}

fn failed(m: &Message) -> bool {
    m.delivery
        .as_ref()
        .is_some_and(|d| d.status == DeliveryStatus::Failed)
}

fn discarded(m: &Message) -> bool {
    m.delivery
        .as_ref()
        .is_some_and(|d| d.discarded_at.is_some())
}

/// `failed    #42 Invoice · Eve: relay refused (550)`.
fn outbox_label(item: &OutboxItem) -> String {
    let state = match item.state {
        OutboxState::Queued => "queued",
        OutboxState::Sending => "sending",
        OutboxState::Retrying => "retrying",
        OutboxState::Failed => "failed",
    };
    let error = item
        .message
        .delivery
        .as_ref()
        .and_then(|d| d.error.as_deref())
        .map(|e| format!(": {}", sanitize_line(e)))
        .unwrap_or_default();
    format!(
        "{state}  #{} {} · {}{error}",
        item.message.conversation_id,
        sanitize_line(&item.conversation_subject),
        sanitize_line(&item.contact_name),
    )
}
