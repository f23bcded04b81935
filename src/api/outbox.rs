//! `GET /api/v1/outbox`: the desk's replies that have not left yet, or could not.

use crate::domain::Message;
use serde::{Deserialize, Serialize};

/// Where a reply waiting in the outbox stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutboxState {
    /// Waiting for its first attempt.
    Queued,
    /// An attempt is in flight.
    Sending,
    /// An attempt failed; the queue tries again at `delivery.next_attempt_at`.
    Retrying,
    /// Given up; an agent may retry or discard it.
    Failed,
}

/// One reply in the outbox.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutboxItem {
    pub state: OutboxState,
    pub message: Message,
    pub conversation_subject: String,
    pub contact_name: String,
}

/// One page of the outbox, newest reply first; page on with `before=` the last message id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutboxPage {
    pub items: Vec<OutboxItem>,
    pub has_more: bool,
}
