//! The records of a help desk, as they travel over the wire.

use super::{
    AttachmentKind, CallDirection, Capabilities, ChannelKind, DeliveryStatus, Id, MessageKind,
    Priority, Role, Status, Timestamp,
};
use serde::{Deserialize, Serialize};

/// A conversation with a contact; every conversation is a ticket.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Conversation {
    pub id: Id,
    pub subject: String,
    pub status: Status,
    pub priority: Priority,
    pub owner_id: Option<Id>,
    pub team_id: Option<Id>,
    pub channel_id: Id,
    /// The kind of `channel_id`, so a client needs no lookup to show it.
    pub channel_kind: ChannelKind,
    pub contact_id: Id,
    /// The contact's display name, so a list row needs no lookup.
    pub contact_name: String,
    pub labels: Vec<String>,
    pub snoozed_until: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub last_message_at: Timestamp,
    /// The start of the latest message, for list rows.
    pub preview: String,
    pub message_count: i64,
    /// Whether there is activity the asking agent has not read; false in events.
    #[serde(default)]
    pub unread: bool,
}

/// Who wrote a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SenderKind {
    Contact,
    Agent,
    System,
}

/// The author of a message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sender {
    pub kind: SenderKind,
    pub id: Option<Id>,
    pub name: String,
}

/// A file attached to a message; the bytes live at `url`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attachment {
    pub kind: AttachmentKind,
    pub name: String,
    pub mime_type: Option<String>,
    pub size: i64,
    pub url: String,
}

/// One message of a conversation: inbound, outbound, or an internal note.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    pub id: Id,
    pub conversation_id: Id,
    pub kind: MessageKind,
    /// True for internal notes, which the customer never sees.
    pub internal: bool,
    pub sender: Sender,
    pub channel_id: Id,
    pub body: String,
    pub client_id: Option<String>,
    pub attachments: Vec<Attachment>,
    pub created_at: Timestamp,
    /// For replies that leave through a channel (webhook, email, Messenger, WhatsApp): how
    /// far they got. `None` for inbound messages, notes, and channels that need no delivery.
    #[serde(default)]
    pub delivery: Option<Delivery>,
    /// The details of a logged phone call; absent on every other message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call: Option<Box<Call>>,
    /// The e-mail header fields of a reply by e-mail; absent on every other message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<Box<ReplyEmail>>,
}

/// The e-mail header fields of a reply; the thread gives the defaults.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplyEmail {
    #[serde(default)]
    pub to: Vec<String>,
    #[serde(default)]
    pub cc: Vec<String>,
    #[serde(default)]
    pub bcc: Vec<String>,
    /// Empty: `Re: ` and the conversation's subject.
    #[serde(default)]
    pub subject: String,
}

impl ReplyEmail {
    /// Most addresses of one list.
    pub const MAX_PER_LIST: usize = 20;
    /// Most addresses of a reply, lists together.
    pub const MAX_TOTAL: usize = 50;
    /// Longest subject, in characters.
    pub const MAX_SUBJECT: usize = 255;
    /// Longest address, in bytes.
    pub const MAX_ADDRESS: usize = 254;

    /// The subject of a reply to a thread about `subject`: `Re: ` once.
    pub fn reply_subject(subject: &str) -> String {
        let s = subject.trim();
        if s.len() >= 3 && s.is_char_boundary(3) && s[..3].eq_ignore_ascii_case("re:") {
            s.to_string()
        } else if s.is_empty() {
            "Re: your message".into()
        } else {
            format!("Re: {s}")
        }
    }

    /// Why the fields cannot go on a mail, if they cannot: malformed or too many addresses,
    /// a subject too long or with control characters.
    pub fn problem(&self, is_address: impl Fn(&str) -> bool) -> Option<String> {
        let lists = [("to", &self.to), ("cc", &self.cc), ("bcc", &self.bcc)];
        for (name, list) in lists {
            if list.len() > Self::MAX_PER_LIST {
                return Some(format!(
                    "email.{name} holds at most {} addresses",
                    Self::MAX_PER_LIST
                ));
            }
            if let Some(bad) = list
                .iter()
                .find(|a| a.len() > Self::MAX_ADDRESS || !is_address(a))
            {
                return Some(format!("email.{name}: {bad:?} is not an e-mail address"));
            }
        }
        if self.to.len() + self.cc.len() + self.bcc.len() > Self::MAX_TOTAL {
            return Some(format!(
                "a reply goes to at most {} addresses",
                Self::MAX_TOTAL
            ));
        }
        if self.subject.chars().count() > Self::MAX_SUBJECT {
            return Some(format!(
                "email.subject has at most {} characters",
                Self::MAX_SUBJECT
            ));
        }
        self.subject
            .chars()
            .any(char::is_control)
            .then(|| "email.subject may not hold control characters or line breaks".into())
    }
}

/// The delivery state of an outbound message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Delivery {
    pub status: DeliveryStatus,
    /// Why the last attempt failed, when it did.
    pub error: Option<String>,
    /// Attempts made so far.
    pub attempts: i64,
    pub updated_at: Timestamp,
    /// When the queue tries next, while it waits to (not while an attempt is in flight).
    #[serde(default)]
    pub next_attempt_at: Option<Timestamp>,
    /// When an agent discarded the reply: it stays in the thread and never leaves.
    #[serde(default)]
    pub discarded_at: Option<Timestamp>,
}

/// A phone call logged into a conversation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Call {
    pub direction: CallDirection,
    /// The calling number (or caller id), as the telephony system gave it.
    pub from: String,
    /// The called number.
    pub to: String,
    pub duration_seconds: i64,
    pub recording_url: Option<String>,
    pub notes: Option<String>,
    /// When the call started.
    pub started_at: Timestamp,
}

/// How a contact is known on one channel (a phone number, a page-scoped id, ...).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContactIdentity {
    pub channel_id: Id,
    pub external_id: String,
}

/// A customer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contact {
    pub id: Id,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub owner_id: Option<Id>,
    pub company_id: Option<Id>,
    pub identities: Vec<ContactIdentity>,
    pub created_at: Timestamp,
}

/// An organisation contacts belong to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Company {
    pub id: Id,
    pub name: String,
    pub domain: Option<String>,
}

/// A member of the support team.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Agent {
    pub id: Id,
    pub name: String,
    pub email: String,
    pub role: Role,
    /// Only agents with a seat can be routed to.
    pub has_seat: bool,
    /// Available or away.
    pub available: bool,
    /// A deactivated agent cannot sign in and is never routed to; their history stays.
    #[serde(default = "active_by_default")]
    pub active: bool,
}

fn active_by_default() -> bool {
    true
}

/// A group of agents conversations can be assigned to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Team {
    pub id: Id,
    pub name: String,
    pub member_ids: Vec<Id>,
}

/// A way in for customers: an email address, a chat widget, an integration...
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Channel {
    pub id: Id,
    pub kind: ChannelKind,
    pub name: String,
    pub enabled: bool,
    pub webhook_url: Option<String>,
    /// Kind-specific settings.
    pub settings: serde_json::Value,
    pub created_at: Timestamp,
    /// What the channel is for, in the words of whoever set it up.
    #[serde(default)]
    pub description: Option<String>,
    /// What the channel carries and how it threads; inbound messages are held to it.
    #[serde(default)]
    pub capabilities: Capabilities,
    /// When the channel was deleted: it is hidden from lists and refuses all traffic, and
    /// every conversation and message it brought stays.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted_at: Option<Timestamp>,
}

impl Channel {
    /// The channel as every agent may see it: no webhook URL, no settings (either may hold
    /// credentials). Admins get the full record.
    pub fn redacted(self) -> Channel {
        Channel {
            webhook_url: None,
            settings: serde_json::json!({}),
            ..self
        }
    }
}
