//! Agent replies leaving the desk through their channel: what a transport receives and what
//! it answers. Each channel kind that sends (custom webhooks, email, Messenger, WhatsApp) has
//! a transport; a durable queue hands it every reply until it is delivered or refused.

mod retry;
mod worker;

pub use retry::RetryPolicy;
pub use worker::Worker;

use crate::api::ChannelWithSecret;
use crate::domain::{Agent, Attachment, ChannelKind, Contact, Conversation, Message};
use crate::server::store::Store;

/// A reply on its way out, with everything a transport needs to address it.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub message: Message,
    pub conversation: Conversation,
    pub channel: ChannelWithSecret,
    pub contact: Contact,
    /// The agent who wrote it.
    pub agent: Option<Agent>,
    /// 1 on the first try.
    pub attempt: u32,
}

/// What transports share: the desk and one HTTP client.
#[derive(Clone)]
pub struct TransportContext {
    pub store: Store,
    pub http: reqwest::Client,
    /// Whether targets may be loopback, link-local or private addresses.
    pub allow_private: bool,
    /// The bytes of replies' files.
    pub files: crate::server::files::Files,
    /// Where far sides reach this server, for signed file links.
    pub public_url: String,
}

/// A reply the channel accepted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Delivered {
    /// The channel's own id for the message (an email Message-ID, a Graph message id...),
    /// used to match later delivery and read receipts.
    pub external_id: Option<String>,
}

/// Why a reply did not go out.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeliveryError {
    /// Worth another try later: the peer was unreachable, busy, or answered 5xx.
    #[error("will retry: {0}")]
    Retry(String),
    /// Retrying cannot help: the peer refused the message or the channel is misconfigured.
    #[error("failed: {0}")]
    Permanent(String),
}

/// Sends one reply through the transport of its channel's kind. The queue calls this for
/// every attempt; each channel kind that sends answers here.
pub async fn dispatch(ctx: &TransportContext, out: &Outgoing) -> Result<Delivered, DeliveryError> {
    match out.channel.channel.kind {
        ChannelKind::Custom => crate::server::channels::custom::webhook::deliver(ctx, out).await,
        ChannelKind::Chat => crate::server::channels::chat::transport::deliver(ctx, out).await,
        ChannelKind::Email => crate::server::channels::email::deliver(ctx, out).await,
        ChannelKind::Messenger | ChannelKind::Whatsapp => {
            crate::server::channels::graph::deliver(ctx, out).await
        }
        kind => Err(DeliveryError::Permanent(format!(
            "no transport for {kind} channels in this server"
        ))),
    }
}

/// The bytes of every file `out` carries, read from the desk's store. A file gone from the
/// store fails the reply: it cannot go out as written.
pub async fn file_bytes(
    ctx: &TransportContext,
    out: &Outgoing,
) -> Result<Vec<(Attachment, Vec<u8>)>, DeliveryError> {
    let mut files = Vec::with_capacity(out.message.attachments.len());
    for a in &out.message.attachments {
        let hash = a.url.rsplit('/').next().unwrap_or_default();
        let bytes = ctx
            .files
            .get(hash)
            .await
            .map_err(|e| DeliveryError::Retry(format!("cannot read {:?}: {e}", a.name)))?
            .ok_or_else(|| {
                DeliveryError::Permanent(format!("the file {:?} is no longer kept", a.name))
            })?;
        files.push((a.clone(), bytes));
    }
    Ok(files)
}
