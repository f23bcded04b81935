//! The portal's e-mails (sign-up, invitation, password reset), sent through the SMTP relay
//! given to `frontdesk serve --smtp-relay`.

use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

/// Sends plain-text mail through one relay, or logs that it cannot.
pub struct Mailer {
    relay: Option<AsyncSmtpTransport<Tokio1Executor>>,
    from: Mailbox,
}

impl Mailer {
    /// A mailer for `relay` (an `smtp://` or `smtps://` URL); `None` sends nothing.
    pub fn new(relay: Option<&str>, from: &str) -> anyhow::Result<Mailer> {
        let from: Mailbox = from
            .parse()
            .map_err(|e| anyhow::anyhow!("--mail-from {from:?} is not a mail address: {e}"))?;
        let relay = match relay {
            Some(url) => Some(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| anyhow::anyhow!("--smtp-relay {url:?} is not usable: {e}"))?
                    .build(),
            ),
            None => None,
        };
        Ok(Mailer { relay, from })
    }

    /// Whether a relay is configured.
    pub fn configured(&self) -> bool {
        self.relay.is_some()
    }

    /// Sends one message; errors are logged and answered as `false`.
    pub async fn send(&self, to: &str, subject: &str, body: String) -> bool {
        let Some(relay) = &self.relay else {
            tracing::warn!(
                to,
                subject,
                "portal mail not sent: no SMTP relay is configured (frontdesk serve --smtp-relay)"
            );
            return false;
        };
        let to: Mailbox = match to.parse() {
            Ok(to) => to,
            Err(error) => {
                tracing::warn!(to, %error, "portal mail not sent: bad recipient");
                return false;
            }
        };
        let message = Message::builder()
            .from(self.from.clone())
            .to(to.clone())
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(body);
        let message = match message {
            Ok(m) => m,
            Err(error) => {
                tracing::error!(%error, "portal mail could not be built");
                return false;
            }
        };
        match relay.send(message).await {
            Ok(_) => {
                tracing::info!(to = %to.email, subject, "portal mail sent");
                true
            }
            Err(error) => {
                tracing::error!(to = %to.email, %error, "portal mail could not be sent");
                false
            }
        }
    }
}
