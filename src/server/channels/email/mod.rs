//! Team email: mail arrives over SMTP (`serve --smtp-listen`) or as a raw RFC 822 upload,
//! becomes a ticket on the email channel that owns the recipient address, and agents'
//! replies leave through the channel's SMTP relay, threaded by Message-ID.

mod html;
pub mod http;
pub mod parse;
mod sessions;
pub mod settings;
pub mod smtp;
pub mod transport;

pub use transport::deliver;

use crate::api::{InboundAttachment, InboundMessage, InboundSender};
use crate::domain::{Id, limits};
use crate::server::ServerConfig;
use crate::server::files::Files;
use crate::server::store::email::{EmailOutcome, IncomingEmail};
use crate::server::store::{Store, StoreError};
use axum::body::Bytes;
use parse::{Limits, MailError};

/// Why an inbound mail was not stored.
#[derive(Debug, thiserror::Error)]
pub enum ReceiveError {
    /// The mail itself is unacceptable; sending it again cannot help.
    #[error(transparent)]
    Mail(#[from] MailError),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Attachment bytes could not be written.
    #[error("cannot keep the attachments: {0}")]
    Files(#[from] std::io::Error),
}

/// The mail size limits of a server.
pub fn limits(config: &ServerConfig) -> Limits {
    Limits {
        message: config.mail_max_bytes,
        attachment: config.mail_max_attachment_bytes,
        attachments: config.mail_max_attachments,
    }
}

/// Stores one raw mail on the email channel `channel_id`: parsed and checked first, then its
/// attachments kept in `files`, then the message written with its Message-ID in one
/// transaction. A bad mail stores nothing.
pub async fn receive(
    store: &Store,
    files: &Files,
    channel_id: Id,
    raw: Bytes,
    limits: Limits,
) -> Result<EmailOutcome, ReceiveError> {
    let mail = parse::parse(&raw, limits)?;
    let settings = store.email_settings(channel_id).await?.map(|s| s.settings);
    let original_sender = settings
        .as_ref()
        .is_none_or(|s| s.forwarded_to_original_sender);
    let own = |address: &str| {
        settings.as_ref().is_some_and(|s| {
            s.addresses.iter().any(|a| a == address)
                || s.sender_address.eq_ignore_ascii_case(address)
        })
    };
    if mail.forwarded_from.is_none() && own(&mail.from.address) {
        return Err(MailError::OwnAddress(mail.from.address).into());
    }
    let (sender, subject) = match (&mail.forwarded_from, original_sender) {
        (Some(original), true) => (original.clone(), strip_forward_prefix(&mail.subject)),
        _ => (mail.from.clone(), mail.subject.clone()),
    };
    let mut attachments = Vec::with_capacity(mail.attachments.len());
    for a in mail.attachments {
        let size = a.bytes.len() as i64;
        let hash = files.put(a.bytes).await?;
        // What a mail says is made to fit the desk's limits: refusing would lose the mail.
        attachments.push(InboundAttachment {
            kind: a.kind,
            name: limits::fit(&a.name, limits::MAX_FILE_NAME_CHARS),
            url: Files::url(&hash),
            size,
            mime_type: Some(limits::fit(&a.mime_type, limits::MAX_MIME_CHARS)),
        });
    }
    let raw_hash = files.put(raw).await?;
    let text = if mail.text.is_empty() && attachments.is_empty() {
        "(no text)".to_string()
    } else {
        mail.text
    };
    let incoming = IncomingEmail {
        header_id: mail.message_id.clone(),
        ancestors: mail.ancestors,
        reply_text: parse::strip_quoted(&text),
        message: InboundMessage {
            thread_id: mail.message_id,
            sender: InboundSender {
                id: sender.address.clone(),
                name: sender.name.map(|n| limits::fit(&n, limits::MAX_NAME_CHARS)),
                email: Some(sender.address),
                phone: None,
            },
            text,
            subject: Some(limits::clip(&subject, limits::MAX_SUBJECT_CHARS).to_string())
                .filter(|s| !s.is_empty()),
            attachments,
        },
        raw_hash,
    };
    Ok(store.ingest_email(channel_id, incoming).await?)
}

/// "Fwd: Broken" → "Broken".
fn strip_forward_prefix(subject: &str) -> String {
    let trimmed = subject.trim_start();
    match trimmed.split_once(':') {
        Some((prefix, rest))
            if ["fwd", "fw", "wg", "tr", "rv", "enc"]
                .contains(&prefix.trim().to_ascii_lowercase().as_str()) =>
        {
            rest.trim().to_string()
        }
        _ => subject.to_string(),
    }
}
