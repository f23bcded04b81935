//! The wire contract between a help desk server and its clients: request and response
//! bodies, the error body and the live event envelope.

mod calls;
pub mod canned;
mod channels;
mod event;
mod outbox;
pub mod portal;
mod presence;
mod replies;
mod routing;

pub use calls::{CallContact, CallLogged, NewCall};
pub use canned::{CannedPatch, CannedReply, NewCanned};
pub use channels::*;
pub use event::{Event, EventKind};
pub use outbox::{OutboxItem, OutboxPage, OutboxState};
pub use presence::{ClientFrame, Composing, Presence, ServerFrame};
pub use replies::{
    FileLimits, MAX_REPLY_BYTES, MAX_REPLY_FILES, ReplyAttachment, ReplyChannel, ReplyChannels,
    ReplyEmail, UploadedFile,
};
pub use routing::{AgentPatch, ChannelPresets, ContactPatch, NewTeam, RoutingRules, TeamPatch};

use crate::domain::{
    Agent, AttachmentKind, Channel, ChannelKind, Company, Contact, Conversation, Id, Message,
    Priority, Role, Status,
};
use serde::{Deserialize, Serialize};

/// Every error answer: `{"error": {"code": "...", "message": "..."}}`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

/// The machine-readable code and the human-readable message of an error.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ErrorDetail {
    pub code: String,
    pub message: String,
}

/// `GET /api/v1/me`.
pub type Me = Agent;

/// `GET /api/v1/conversations`: one page, most recently active first.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ConversationPage {
    pub items: Vec<Conversation>,
    pub next_cursor: Option<String>,
    /// The event sequence number this page is consistent with: subscribe with `since=seq`.
    pub seq: i64,
}

/// `GET /api/v1/desk`: which desk this is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeskInfo {
    /// 32 lowercase hex digits, made when the desk was created; the same under any URL.
    pub id: String,
    /// The server's frontdesk version.
    pub version: String,
}

/// `GET /api/v1/conversations/count`: how many conversations pass the list's filters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConversationCount {
    pub count: i64,
    /// The event sequence number this count is consistent with.
    pub seq: i64,
}

/// `GET /api/v1/labels`: one label in use and on how many conversations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabelCount {
    pub label: String,
    pub count: i64,
}

/// `GET /api/v1/conversations/{id}`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ConversationDetail {
    #[serde(flatten)]
    pub conversation: Conversation,
    pub contact: Contact,
    /// The latest messages, oldest first.
    pub messages: Vec<Message>,
    /// Whether older messages exist before the first one here.
    pub has_older: bool,
}

/// `GET /api/v1/conversations/{id}/messages`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MessagePage {
    /// Oldest first.
    pub items: Vec<Message>,
    pub has_older: bool,
}

/// `POST /api/v1/conversations/{id}/messages`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewMessage {
    pub body: String,
    #[serde(default)]
    pub internal: bool,
    /// Idempotency key: the same key again returns the first message.
    pub client_id: String,
    /// Reply on another channel than the conversation's own.
    #[serde(default)]
    pub channel_id: Option<Id>,
    /// Agents to notify with `mention.created`; internal notes only, at most
    /// [`MAX_MENTIONS`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mentions: Vec<Id>,
    /// Uploaded files the reply or note carries.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<ReplyAttachment>,
    /// The e-mail header fields of a reply by e-mail; the thread gives the defaults.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<ReplyEmail>,
}

/// Most agents one note may mention.
pub const MAX_MENTIONS: usize = 20;

/// `GET /api/v1/mentions`: one conversation where the asking agent was mentioned.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MentionSummary {
    pub conversation: Conversation,
    /// Mentions of the agent there since they last read it.
    pub unseen: i64,
    /// The latest note that mentioned the agent there.
    pub latest: Message,
}

/// `PATCH /api/v1/conversations/{id}`: absent fields stay; `null` clears owner or team.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConversationPatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "double_option"
    )]
    pub owner_id: Option<Option<Id>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "double_option"
    )]
    pub team_id: Option<Option<Id>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<Priority>,
    /// Replaces the labels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<Vec<String>>,
    /// Snooze until this instant; `null` wakes the conversation.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "double_option"
    )]
    pub snoozed_until: Option<Option<crate::domain::Timestamp>>,
}

/// `GET /api/v1/contacts/{id}`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ContactDetail {
    #[serde(flatten)]
    pub contact: Contact,
    pub company: Option<Company>,
    /// The contact's conversations, most recently active first.
    pub conversations: Vec<Conversation>,
    /// The contact's latest messages across all conversations and channels, newest first.
    pub messages: Vec<Message>,
}

/// `PATCH /api/v1/me`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MePatch {
    pub available: bool,
}

/// `POST /api/v1/agents` (admin).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewAgent {
    pub email: String,
    pub name: String,
    #[serde(default = "default_role")]
    pub role: Role,
}

fn default_role() -> Role {
    Role::Agent
}

/// An agent together with a freshly minted API token (shown once).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AgentWithToken {
    #[serde(flatten)]
    pub agent: Agent,
    pub token: String,
}

/// `POST /api/v1/agents/{id}/revoke-token` (admin): how many tokens stopped working.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TokensRevoked {
    pub agent_id: Id,
    pub revoked: usize,
}

/// `POST /api/v1/channels` (admin).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewChannel {
    pub kind: ChannelKind,
    pub name: String,
    #[serde(default)]
    pub webhook_url: Option<String>,
    #[serde(default)]
    pub settings: Option<serde_json::Value>,
    /// What the channel is for.
    #[serde(default)]
    pub description: Option<String>,
    /// What the channel carries and how it threads; absent: any attachment, by thread id.
    #[serde(default)]
    pub capabilities: Option<crate::domain::Capabilities>,
}

/// A channel as an admin sees it, with its signing secret.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ChannelWithSecret {
    #[serde(flatten)]
    pub channel: Channel,
    pub secret: String,
}

/// `POST /api/v1/channels/{id}/inbound`: a message from a customer via an integration.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct InboundMessage {
    /// The integration's thread id: the same id continues the same conversation.
    pub thread_id: String,
    pub sender: InboundSender,
    #[serde(default)]
    pub text: String,
    /// Subject for a new conversation; the start of `text` otherwise.
    #[serde(default)]
    pub subject: Option<String>,
    #[serde(default)]
    pub attachments: Vec<InboundAttachment>,
}

/// The customer behind an inbound message, as the integration knows them.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InboundSender {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
}

/// An attachment of an inbound message.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InboundAttachment {
    pub kind: AttachmentKind,
    pub name: String,
    pub url: String,
    pub size: i64,
    #[serde(default)]
    pub mime_type: Option<String>,
}

/// The answer to an accepted inbound message.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct InboundAccepted {
    pub conversation_id: Id,
    pub message_id: Id,
}

/// Distinguishes an absent field (`None`) from an explicit `null` (`Some(None)`).
mod double_option {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<T: Serialize, S: Serializer>(
        v: &Option<Option<T>>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match v {
            Some(inner) => inner.serialize(s),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Option<T>>, D::Error> {
        Option::<T>::deserialize(d).map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patch_tells_absent_from_null() {
        let p: ConversationPatch = serde_json::from_str(r#"{"owner_id": null}"#).unwrap();
        assert_eq!(p.owner_id, Some(None));
        assert_eq!(p.team_id, None);
        let p: ConversationPatch = serde_json::from_str(r#"{"owner_id": 7}"#).unwrap();
        assert_eq!(p.owner_id, Some(Some(7)));
    }

    #[test]
    fn patch_rejects_unknown_priority() {
        let err = serde_json::from_str::<ConversationPatch>(r#"{"priority": "meh"}"#).unwrap_err();
        assert!(err.is_data());
    }
}
