//! Wire types of channel management, channel accounts, and delivery status reports.

use super::double_option;
use super::{InboundAttachment, InboundMessage, InboundSender};
use crate::domain::{Capabilities, Delivery, DeliveryStatus, Id, Timestamp};
use serde::{Deserialize, Serialize};

/// `PATCH /api/v1/channels/{id}` (admin): absent fields stay; `null` clears the nullable ones.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChannelPatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "double_option"
    )]
    pub description: Option<Option<String>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "double_option"
    )]
    pub webhook_url: Option<Option<String>>,
    /// Replaces the settings object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settings: Option<serde_json::Value>,
    /// `false` turns the channel off: it refuses inbound messages until turned back on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// Replaces the declared capabilities.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capabilities: Option<Capabilities>,
}

/// `POST /api/v1/channels/{id}/accounts` (admin).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewChannelAccount {
    /// The integration's own id of the account (a bot id, a phone number...).
    pub external_id: String,
    pub name: String,
}

/// An account an integration connected on its channel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChannelAccount {
    pub id: Id,
    pub channel_id: Id,
    pub external_id: String,
    pub name: String,
    pub created_at: Timestamp,
}

/// `POST /api/v1/channels/{id}/inbound` on a custom channel: the message, with the fields
/// only an integration gives. A field not listed here is refused.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomInbound {
    pub thread_id: String,
    pub sender: InboundSender,
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub subject: Option<String>,
    #[serde(default)]
    pub attachments: Vec<InboundAttachment>,
    /// The channel account the message came through; it stays with the conversation.
    #[serde(default)]
    pub account_id: Option<Id>,
    /// The integration's own id of the message, unique on the channel: a message posted
    /// again with the same id is answered with the one stored first and stores nothing.
    #[serde(default)]
    pub message_id: Option<String>,
}

impl CustomInbound {
    /// The message as every channel's inbound path takes it, its account and its id.
    pub fn into_parts(self) -> (InboundMessage, Option<Id>, Option<String>) {
        let message = InboundMessage {
            thread_id: self.thread_id,
            sender: self.sender,
            text: self.text,
            subject: self.subject,
            attachments: self.attachments,
        };
        (message, self.account_id, self.message_id)
    }
}

/// The answer to a custom channel's inbound message: `202` when stored, `200` with
/// `duplicate` when its `message_id` was already stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CustomInboundAccepted {
    pub conversation_id: Id,
    pub message_id: Id,
    pub duplicate: bool,
}

/// `POST /api/v1/channels/{id}/messages/{message_id}/status`: how far a reply got.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusReport {
    /// `sent`, `delivered`, `read` or `failed`.
    pub status: DeliveryStatus,
    /// Why it failed, shown to the agent.
    #[serde(default)]
    pub error: Option<String>,
}

/// The answer to a status report: the delivery as it now stands.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StatusAccepted {
    pub message_id: Id,
    pub delivery: Option<Delivery>,
}
