//! Wire types of channel management, channel accounts, and delivery status reports.

use super::double_option;
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

/// The fields an integration may add to an inbound message, beside [`super::InboundMessage`].
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct InboundExtras {
    /// The channel account the message came through; it stays with the conversation.
    #[serde(default)]
    pub account_id: Option<Id>,
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
