//! Request and answer bodies of the call log.

use crate::domain::{CallDirection, Id, Message, Timestamp};
use serde::{Deserialize, Serialize};

/// `POST /api/v1/calls`: a phone call to log into the contact's conversation.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewCall {
    /// A channel of kind `call`.
    pub channel_id: Id,
    pub direction: CallDirection,
    pub from: String,
    pub to: String,
    pub duration_seconds: i64,
    #[serde(default)]
    pub recording_url: Option<String>,
    #[serde(default)]
    pub notes: Option<String>,
    /// The customer, when neither `conversation_id` nor `contact_id` names them; by default
    /// the customer is the number on the other end (`from` inbound, `to` outbound).
    #[serde(default)]
    pub contact: Option<CallContact>,
    #[serde(default)]
    pub contact_id: Option<Id>,
    /// Log into this conversation rather than the contact's most recent open one.
    #[serde(default)]
    pub conversation_id: Option<Id>,
    /// When the call started; by default, `duration_seconds` before it was logged.
    #[serde(default)]
    pub started_at: Option<Timestamp>,
    /// Idempotency key per channel: the same key again answers the first call and adds nothing.
    #[serde(default)]
    pub client_id: Option<String>,
}

/// Who the customer of a call is: matched by phone, then email; created when unknown.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CallContact {
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
}

/// The answer to a logged call.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CallLogged {
    pub conversation_id: Id,
    pub contact_id: Id,
    /// The call as a message of the conversation, with its `call` details.
    pub message: Message,
    /// Whether a conversation was opened for it.
    pub new_conversation: bool,
    /// Whether a contact was created for the customer.
    pub new_contact: bool,
}
