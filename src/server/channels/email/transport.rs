//! Agents' replies by mail: built with the channel's sender name, address and signature,
//! threaded with In-Reply-To and References, and handed to the channel's SMTP relay.

use super::settings::{EmailSettings, Relay, RelayTls, SignatureFormat};
use crate::domain::{Attachment, ReplyEmail};
use crate::server::delivery::{Delivered, DeliveryError, Outgoing, TransportContext};
use crate::server::store::StoreError;
use lettre::message::header::ContentType;
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use sha2::{Digest, Sha256};
use std::time::Duration;

/// How long one conversation with the relay may take.
const RELAY_TIMEOUT: Duration = Duration::from_secs(30);

fn store_error(e: StoreError) -> DeliveryError {
    match e {
        StoreError::NotFound(m) | StoreError::Invalid(m) => DeliveryError::Permanent(m),
        e => DeliveryError::Retry(e.to_string()),
    }
}

/// Sends `out` through its email channel's relay. Answers the reply's Message-ID as the
/// external id; it is recorded first, so the customer's answer threads into the conversation.
/// SMTP 5xx answers are permanent failures; 4xx answers and connection trouble are retried.
pub async fn deliver(ctx: &TransportContext, out: &Outgoing) -> Result<Delivered, DeliveryError> {
    let channel_id = out.channel.channel.id;
    let stored = ctx
        .store
        .email_settings(channel_id)
        .await
        .map_err(store_error)?
        .ok_or_else(|| {
            DeliveryError::Permanent(format!(
                "email channel {channel_id} is not set up: an admin sets its addresses and relay \
                 with PUT /api/v1/channels/{channel_id}/email"
            ))
        })?;
    let settings = stored.settings;
    let relay = settings.relay.clone().ok_or_else(|| {
        DeliveryError::Permanent(format!("email channel {channel_id} has no SMTP relay"))
    })?;
    let fields = match out.message.email.as_deref() {
        Some(fields) => fields.clone(),
        None => ReplyEmail {
            to: vec![out.contact.email.clone().ok_or_else(|| {
                DeliveryError::Permanent(format!(
                    "contact {} has no email address to reply to",
                    out.contact.id
                ))
            })?],
            subject: ReplyEmail::reply_subject(&out.conversation.subject),
            ..ReplyEmail::default()
        },
    };
    let (references, in_reply_to) = ctx
        .store
        .email_thread(out.conversation.id)
        .await
        .map_err(store_error)?;
    let domain = settings
        .sender_address
        .rsplit_once('@')
        .map(|(_, d)| d.to_string())
        .unwrap_or_else(|| "frontdesk.invalid".into());
    let header_id = format!(
        "fd.{}.{}@{domain}",
        out.message.id,
        &hex::encode(Sha256::digest(
            format!("{}:{}", out.channel.secret, out.message.id).as_bytes()
        ))[..16]
    );
    let files = crate::server::delivery::file_bytes(ctx, out).await?;
    let mail = build(
        out,
        &settings,
        &fields,
        &header_id,
        in_reply_to,
        &references,
        &files,
    )?;
    ctx.store
        .record_outbound_email(
            channel_id,
            header_id.clone(),
            out.conversation.id,
            out.message.id,
        )
        .await
        .map_err(store_error)?;
    let transport = relay_transport(&relay, stored.relay_password)?;
    match transport.send(mail).await {
        Ok(_) => Ok(Delivered {
            external_id: Some(header_id),
        }),
        Err(e) if e.is_permanent() => Err(DeliveryError::Permanent(format!(
            "the relay refused the mail: {e}"
        ))),
        Err(e) => Err(DeliveryError::Retry(format!(
            "the relay {}:{} did not take the mail: {e}",
            relay.host, relay.port
        ))),
    }
}

fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The text of a mail: plain, or plain and HTML alternatives.
enum Body {
    Single(SinglePart),
    Multi(MultiPart),
}

fn build(
    out: &Outgoing,
    settings: &EmailSettings,
    fields: &ReplyEmail,
    header_id: &str,
    in_reply_to: Option<String>,
    references: &[String],
    files: &[(Attachment, Vec<u8>)],
) -> Result<Message, DeliveryError> {
    let invalid = |what: &str, e: &dyn std::fmt::Display| {
        DeliveryError::Permanent(format!("cannot address the mail ({what}): {e}"))
    };
    let agent = out.agent.as_ref();
    let from = Mailbox::new(
        Some(settings.sender_name(agent)),
        settings
            .sender_address
            .parse()
            .map_err(|e| invalid("sender address", &e))?,
    );
    // The contact's own address goes out with their name.
    let mailbox = |address: &String| -> Result<Mailbox, DeliveryError> {
        let name = Some(out.contact.name.clone())
            .filter(|n| !n.trim().is_empty())
            .filter(|_| {
                out.contact
                    .email
                    .as_deref()
                    .is_some_and(|e| e.eq_ignore_ascii_case(address))
            });
        Ok(Mailbox::new(
            name,
            address
                .parse()
                .map_err(|e| invalid("recipient address", &e))?,
        ))
    };
    let mut builder = Message::builder()
        .from(from)
        .subject(fields.subject.clone())
        .message_id(Some(format!("<{header_id}>")))
        .date_now();
    for address in &fields.to {
        builder = builder.to(mailbox(address)?);
    }
    for address in &fields.cc {
        builder = builder.cc(mailbox(address)?);
    }
    for address in &fields.bcc {
        builder = builder.bcc(mailbox(address)?);
    }
    if let Some(parent) = in_reply_to {
        builder = builder.in_reply_to(format!("<{parent}>"));
    }
    if !references.is_empty() {
        let refs: Vec<String> = references.iter().map(|r| format!("<{r}>")).collect();
        builder = builder.references(refs.join(" "));
    }
    let signature = settings.render_signature(agent);
    let body = out.message.body.trim_end();
    let text_part = match settings.signature_format {
        SignatureFormat::Text => {
            let text = if signature.trim().is_empty() {
                body.to_string()
            } else {
                format!("{body}\n\n{signature}")
            };
            Body::Single(SinglePart::plain(text))
        }
        SignatureFormat::Html => {
            let text = format!("{body}\n\n{}", super::html::html_to_text(&signature));
            let html = format!(
                "<div style=\"white-space: pre-wrap\">{}</div>\n<br>\n{signature}",
                escape_html(body)
            );
            Body::Multi(
                MultiPart::alternative()
                    .singlepart(SinglePart::plain(text))
                    .singlepart(
                        SinglePart::builder()
                            .header(ContentType::TEXT_HTML)
                            .body(html),
                    ),
            )
        }
    };
    let result = if files.is_empty() {
        match text_part {
            Body::Single(p) => builder.singlepart(p),
            Body::Multi(p) => builder.multipart(p),
        }
    } else {
        let mut mixed = match text_part {
            Body::Single(p) => MultiPart::mixed().singlepart(p),
            Body::Multi(p) => MultiPart::mixed().multipart(p),
        };
        for (file, bytes) in files {
            let content_type = file
                .mime_type
                .as_deref()
                .and_then(|m| ContentType::parse(m).ok())
                .unwrap_or_else(|| ContentType::parse("application/octet-stream").expect("valid"));
            mixed = mixed.singlepart(
                lettre::message::Attachment::new(file.name.clone())
                    .body(bytes.clone(), content_type),
            );
        }
        builder.multipart(mixed)
    };
    result.map_err(|e| invalid("message", &e))
}

fn relay_transport(
    relay: &Relay,
    password: Option<String>,
) -> Result<AsyncSmtpTransport<Tokio1Executor>, DeliveryError> {
    let tls = match relay.tls {
        RelayTls::None => Tls::None,
        RelayTls::Starttls | RelayTls::Tls => {
            let params = TlsParameters::new(relay.host.clone()).map_err(|e| {
                DeliveryError::Permanent(format!("TLS set-up for {}: {e}", relay.host))
            })?;
            if relay.tls == RelayTls::Tls {
                Tls::Wrapper(params)
            } else {
                Tls::Required(params)
            }
        }
    };
    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(relay.host.clone())
        .port(relay.port)
        .tls(tls)
        .timeout(Some(RELAY_TIMEOUT));
    if let (Some(user), Some(password)) = (&relay.username, password) {
        builder = builder.credentials(Credentials::new(user.clone(), password));
    }
    Ok(builder.build())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_say_re_once() {
        assert_eq!(ReplyEmail::reply_subject("Broken"), "Re: Broken");
        assert_eq!(ReplyEmail::reply_subject("RE: Broken"), "RE: Broken");
        assert_eq!(ReplyEmail::reply_subject(""), "Re: your message");
    }
}
