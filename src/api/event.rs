//! The live event envelope: `{"seq": n, "type": "...", "at": "...", ...}`.

use crate::domain::{Agent, Channel, Contact, Conversation, Id, Message, Team, Timestamp};
use serde::{Deserialize, Serialize};

/// One change, as a client receives it over the events websocket.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Strictly increasing; resume with `since=seq`.
    pub seq: i64,
    pub at: Timestamp,
    #[serde(flatten)]
    pub kind: EventKind,
}

/// What changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
// A message event carries the message and its conversation whole; events are built once per
// change and moved along, never kept by the thousand, so boxing would buy nothing.
#[allow(clippy::large_enum_variant)]
pub enum EventKind {
    #[serde(rename = "conversation.created")]
    ConversationCreated { conversation: Conversation },
    #[serde(rename = "conversation.updated")]
    ConversationUpdated {
        conversation: Conversation,
        /// The fields that changed.
        changes: Vec<String>,
    },
    /// A message was added; `conversation` is the conversation after it (status, owner,
    /// preview and activity time included), so no `conversation.updated` follows.
    #[serde(rename = "message.created")]
    MessageCreated {
        conversation_id: Id,
        message: Message,
        conversation: Conversation,
    },
    /// A message changed after it was created: its delivery status moved.
    #[serde(rename = "message.updated")]
    MessageUpdated { message: Message },
    #[serde(rename = "contact.created")]
    ContactCreated { contact: Contact },
    #[serde(rename = "contact.updated")]
    ContactUpdated { contact: Contact },
    #[serde(rename = "channel.created")]
    ChannelCreated { channel: Channel },
    #[serde(rename = "channel.updated")]
    ChannelUpdated { channel: Channel },
    /// The channel was deleted: hidden from lists; its conversations stay.
    #[serde(rename = "channel.deleted")]
    ChannelDeleted { channel: Channel },
    #[serde(rename = "agent.updated")]
    AgentUpdated { agent: Agent },
    /// A team was created, renamed or given other members.
    #[serde(rename = "team.updated")]
    TeamUpdated { team: Team },
    /// `agent_id` read the conversation: that agent's clients clear its unread marker.
    #[serde(rename = "conversation.read")]
    ConversationRead { conversation_id: Id, agent_id: Id },
}

impl EventKind {
    /// The `type` spelling of this event.
    pub fn type_name(&self) -> &'static str {
        match self {
            EventKind::ConversationCreated { .. } => "conversation.created",
            EventKind::ConversationUpdated { .. } => "conversation.updated",
            EventKind::MessageCreated { .. } => "message.created",
            EventKind::MessageUpdated { .. } => "message.updated",
            EventKind::ContactCreated { .. } => "contact.created",
            EventKind::ContactUpdated { .. } => "contact.updated",
            EventKind::ChannelCreated { .. } => "channel.created",
            EventKind::ChannelUpdated { .. } => "channel.updated",
            EventKind::ChannelDeleted { .. } => "channel.deleted",
            EventKind::AgentUpdated { .. } => "agent.updated",
            EventKind::TeamUpdated { .. } => "team.updated",
            EventKind::ConversationRead { .. } => "conversation.read",
        }
    }

    /// The conversation this event is about, if any.
    pub fn conversation_id(&self) -> Option<Id> {
        match self {
            EventKind::ConversationCreated { conversation }
            | EventKind::ConversationUpdated { conversation, .. } => Some(conversation.id),
            EventKind::MessageCreated {
                conversation_id, ..
            } => Some(*conversation_id),
            EventKind::MessageUpdated { message } => Some(message.conversation_id),
            EventKind::ConversationRead {
                conversation_id, ..
            } => Some(*conversation_id),
            _ => None,
        }
    }
}
