//! What a Messenger or WhatsApp webhook says, once parsed: customer messages and receipts
//! for the replies the desk sent.

use crate::domain::{AttachmentKind, DeliveryStatus, Timestamp};

/// The payload of the "I agree" button the explicit consent request carries.
pub const CONSENT_PAYLOAD: &str = "FRONTDESK_CONSENT_ACCEPT";

/// The title of that button.
pub const CONSENT_LABEL: &str = "I agree";

/// One thing a webhook reported.
#[derive(Debug, Clone, PartialEq)]
pub enum WebhookEvent {
    /// A customer wrote.
    Message(IncomingMessage),
    /// The platform's news about one reply, by the id it gave that reply.
    Receipt {
        external_id: String,
        status: DeliveryStatus,
        error: Option<String>,
    },
    /// Every reply to `customer` sent up to `watermark` reached `status` (Messenger).
    Watermark {
        customer: String,
        watermark: Timestamp,
        status: DeliveryStatus,
    },
}

/// A customer's message.
#[derive(Debug, Clone, PartialEq)]
pub struct IncomingMessage {
    /// The platform's message id: a redelivery carries the same one.
    pub platform_id: String,
    /// The page-scoped id (Messenger) or WhatsApp id of the customer.
    pub customer: String,
    pub name: Option<String>,
    pub phone: Option<String>,
    /// When the customer sent it, by the platform's clock.
    pub sent_at: Timestamp,
    pub text: String,
    pub media: Vec<IncomingMedia>,
    /// Whether this is the answer "I agree" to the consent request.
    pub consent: bool,
}

/// A file a customer sent.
#[derive(Debug, Clone, PartialEq)]
pub struct IncomingMedia {
    pub kind: AttachmentKind,
    pub source: MediaSource,
    pub name: String,
    pub mime_type: Option<String>,
}

/// Where a customer's file can be fetched.
#[derive(Debug, Clone, PartialEq)]
pub enum MediaSource {
    /// A plain URL (Messenger's CDN links).
    Url(String),
    /// A Graph media id, resolved with the access token (WhatsApp).
    GraphId(String),
}
