//! Team email in the store: channel settings and addresses, and the Message-IDs that thread
//! mail into conversations and make a redelivered mail a no-op.

use super::inbound::{ingest_into, validate};
use super::rows;
use super::{Store, StoreError, WriteCtx};
use crate::api::{EventKind, InboundMessage};
use crate::domain::{ChannelKind, Id};
use crate::server::channels::email::settings::{EmailSettings, PasswordChange, ValidSettings};
use rusqlite::{Connection, OptionalExtension};

/// An inbound mail, parsed, with its attachments already in the file store.
#[derive(Debug, Clone)]
pub struct IncomingEmail {
    /// Its Message-ID, without angle brackets.
    pub header_id: String,
    /// In-Reply-To and References, newest first.
    pub ancestors: Vec<String>,
    /// The message as a new conversation takes it; `thread_id` is replaced when it continues
    /// a known thread.
    pub message: InboundMessage,
    /// The text without quoted history, used when the mail continues a known thread.
    pub reply_text: String,
    /// The raw mail in the file store.
    pub raw_hash: String,
}

/// What storing an inbound mail did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EmailOutcome {
    pub conversation_id: Id,
    pub message_id: Id,
    /// The Message-ID was already stored: nothing was added.
    pub duplicate: bool,
}

/// One mail of a conversation, by Message-ID.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct EmailRecord {
    /// The desk's message.
    pub message_id: Id,
    /// The mail's Message-ID, without angle brackets.
    pub header_id: String,
    /// `inbound` or `outbound`.
    pub direction: String,
    /// Where the original RFC 822 bytes of an inbound mail are served.
    pub raw_url: Option<String>,
}

/// A channel's settings and relay password.
#[derive(Debug, Clone)]
pub struct StoredEmailSettings {
    pub settings: EmailSettings,
    pub relay_password: Option<String>,
}

fn email_kind(conn: &Connection, channel_id: Id) -> Result<bool, StoreError> {
    let (kind, enabled): (String, bool) = conn
        .prepare_cached("SELECT kind, enabled FROM channels WHERE id = ?1")?
        .query_row([channel_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("channel {channel_id}")))?;
    if kind != ChannelKind::Email.as_str() {
        return Err(StoreError::Invalid(format!(
            "channel {channel_id} is a {kind} channel, not an email channel"
        )));
    }
    Ok(enabled)
}

fn settings(conn: &Connection, channel_id: Id) -> Result<Option<StoredEmailSettings>, StoreError> {
    let row: Option<(String, Option<String>)> = conn
        .prepare_cached(
            "SELECT settings, relay_password FROM email_settings WHERE channel_id = ?1",
        )?
        .query_row([channel_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    row.map(|(json, relay_password)| {
        let mut settings: EmailSettings = serde_json::from_str(&json)
            .map_err(|e| StoreError::Internal(format!("email settings of {channel_id}: {e}")))?;
        if let Some(relay) = &mut settings.relay {
            relay.password_set = relay_password.is_some();
        }
        Ok(StoredEmailSettings {
            settings,
            relay_password,
        })
    })
    .transpose()
}

/// The conversation of the first mail among `ancestors` that went through `channel_id`: a
/// customer's earlier mail, or an agent's reply (which may belong to a conversation that
/// started on another channel).
fn known_conversation(
    ctx: &WriteCtx<'_>,
    channel_id: Id,
    ancestors: &[String],
) -> Result<Option<Id>, StoreError> {
    let mut stmt = ctx.tx.prepare_cached(
        "SELECT conversation_id FROM email_messages WHERE channel_id = ?1 AND header_id = ?2",
    )?;
    for id in ancestors {
        if let Some(conversation) = stmt
            .query_row((channel_id, id), |r| r.get::<_, Id>(0))
            .optional()?
        {
            return Ok(Some(conversation));
        }
    }
    Ok(None)
}

fn store_incoming(
    ctx: &mut WriteCtx<'_>,
    channel_id: Id,
    mail: IncomingEmail,
) -> Result<EmailOutcome, StoreError> {
    email_kind(ctx.tx, channel_id)?;
    let seen: Option<(Id, Id)> = ctx
        .tx
        .prepare_cached(
            "SELECT conversation_id, message_id FROM email_messages \
             WHERE channel_id = ?1 AND header_id = ?2",
        )?
        .query_row((channel_id, &mail.header_id), |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?;
    if let Some((conversation_id, message_id)) = seen {
        return Ok(EmailOutcome {
            conversation_id,
            message_id,
            duplicate: true,
        });
    }
    let mut message = mail.message;
    let known = known_conversation(ctx, channel_id, &mail.ancestors)?;
    if known.is_some() && !mail.reply_text.trim().is_empty() {
        message.text = mail.reply_text;
    }
    let outcome = ingest_into(ctx, channel_id, message, known)?;
    ctx.tx
        .prepare_cached(
            "INSERT INTO email_messages (channel_id, header_id, conversation_id, message_id, \
             direction, raw_hash, created_at) VALUES (?1, ?2, ?3, ?4, 'inbound', ?5, ?6)",
        )?
        .execute((
            channel_id,
            &mail.header_id,
            outcome.conversation_id,
            outcome.message_id,
            &mail.raw_hash,
            ctx.now().millis(),
        ))?;
    Ok(EmailOutcome {
        conversation_id: outcome.conversation_id,
        message_id: outcome.message_id,
        duplicate: false,
    })
}

impl Store {
    /// An email channel's settings; `None` until an admin has set them.
    pub async fn email_settings(
        &self,
        channel_id: Id,
    ) -> Result<Option<StoredEmailSettings>, StoreError> {
        self.read(move |c| {
            email_kind(c, channel_id)?;
            settings(c, channel_id)
        })
        .await
    }

    /// Replaces an email channel's settings. An address already used by another channel is
    /// a conflict; nothing changes then.
    pub async fn put_email_settings(
        &self,
        channel_id: Id,
        valid: ValidSettings,
    ) -> Result<EmailSettings, StoreError> {
        self.write(move |ctx| {
            email_kind(ctx.tx, channel_id)?;
            let old = settings(ctx.tx, channel_id)?;
            let mut stmt = ctx.tx.prepare_cached(
                "SELECT channel_id FROM email_addresses WHERE address = ?1 AND channel_id <> ?2",
            )?;
            for address in &valid.settings.addresses {
                if let Some(other) = stmt
                    .query_row((address, channel_id), |r| r.get::<_, Id>(0))
                    .optional()?
                {
                    return Err(StoreError::Conflict(format!(
                        "{address} already receives mail for channel {other}"
                    )));
                }
            }
            let same_user = old
                .as_ref()
                .and_then(|o| o.settings.relay.as_ref())
                .map(|r| &r.username)
                == valid.settings.relay.as_ref().map(|r| &r.username);
            let password = match valid.password {
                PasswordChange::Set(p) => Some(p),
                PasswordChange::Clear => None,
                PasswordChange::Keep if same_user => old.and_then(|o| o.relay_password),
                PasswordChange::Keep => {
                    return Err(StoreError::Invalid(
                        "relay.password is required when the relay username changes".into(),
                    ));
                }
            };
            let json = serde_json::to_string(&valid.settings)
                .map_err(|e| StoreError::Internal(e.to_string()))?;
            ctx.tx
                .prepare_cached(
                    "INSERT INTO email_settings (channel_id, settings, relay_password, updated_at) \
                     VALUES (?1, ?2, ?3, ?4) ON CONFLICT (channel_id) DO UPDATE SET \
                     settings = excluded.settings, relay_password = excluded.relay_password, \
                     updated_at = excluded.updated_at",
                )?
                .execute((channel_id, json, &password, ctx.now().millis()))?;
            ctx.tx
                .prepare_cached("DELETE FROM email_addresses WHERE channel_id = ?1")?
                .execute([channel_id])?;
            let mut insert = ctx.tx.prepare_cached(
                "INSERT INTO email_addresses (address, channel_id) VALUES (?1, ?2)",
            )?;
            for address in &valid.settings.addresses {
                insert.execute((address, channel_id))?;
            }
            drop(insert);
            let channel = super::channels::channel(ctx.tx, channel_id)?
                .channel
                .redacted();
            ctx.emit(EventKind::ChannelUpdated { channel })?;
            let mut shown = valid.settings;
            if let Some(relay) = &mut shown.relay {
                relay.password_set = password.is_some();
            }
            Ok(shown)
        })
        .await
    }

    /// The enabled email channel that receives mail for `address`.
    pub async fn email_channel_for(&self, address: String) -> Result<Option<Id>, StoreError> {
        self.read(move |c| {
            Ok(c.prepare_cached(
                "SELECT a.channel_id FROM email_addresses a JOIN channels ch ON ch.id = a.channel_id \
                 WHERE a.address = ?1 AND ch.enabled = 1 AND ch.kind = 'email'",
            )?
            .query_row([address.trim()], |r| r.get(0))
            .optional()?)
        })
        .await
    }

    /// Stores an inbound mail on `channel_id`: continues the conversation of a mail it
    /// answers, opens one otherwise; a Message-ID already stored adds nothing.
    pub async fn ingest_email(
        &self,
        channel_id: Id,
        mail: IncomingEmail,
    ) -> Result<EmailOutcome, StoreError> {
        validate(&mail.message)?;
        self.write(move |ctx| store_incoming(ctx, channel_id, mail))
            .await
    }

    /// The Message-IDs of a conversation's mail, oldest first, and the latest inbound one:
    /// the References and In-Reply-To of a reply.
    pub async fn email_thread(
        &self,
        conversation_id: Id,
    ) -> Result<(Vec<String>, Option<String>), StoreError> {
        self.read(move |c| {
            let mut all = Vec::new();
            let mut last_inbound = None;
            let mut stmt = c.prepare_cached(
                "SELECT header_id, direction FROM email_messages WHERE conversation_id = ?1 \
                 ORDER BY created_at, message_id",
            )?;
            let mut rows = stmt.query([conversation_id])?;
            while let Some(r) = rows.next()? {
                let id: String = r.get(0)?;
                if r.get::<_, String>(1)? == "inbound" {
                    last_inbound = Some(id.clone());
                }
                all.push(id);
            }
            let in_reply_to = last_inbound.or_else(|| all.last().cloned());
            Ok((all, in_reply_to))
        })
        .await
    }

    /// Every mail of a conversation, oldest first.
    pub async fn email_records(&self, conversation_id: Id) -> Result<Vec<EmailRecord>, StoreError> {
        self.read(move |c| {
            rows::conversation(c, conversation_id, 0)?;
            let mut stmt = c.prepare_cached(
                "SELECT message_id, header_id, direction, raw_hash FROM email_messages \
                 WHERE conversation_id = ?1 ORDER BY created_at, message_id",
            )?;
            let records = stmt
                .query_map([conversation_id], |r| {
                    Ok(EmailRecord {
                        message_id: r.get(0)?,
                        header_id: r.get(1)?,
                        direction: r.get(2)?,
                        raw_url: r
                            .get::<_, Option<String>>(3)?
                            .map(|h| crate::server::files::Files::url(&h)),
                    })
                })?
                .collect::<Result<_, _>>()?;
            Ok(records)
        })
        .await
    }

    /// Records the Message-ID of a reply sent by mail, so the customer's answer threads.
    pub async fn record_outbound_email(
        &self,
        channel_id: Id,
        header_id: String,
        conversation_id: Id,
        message_id: Id,
    ) -> Result<(), StoreError> {
        self.write(move |ctx| {
            rows::message(ctx.tx, message_id)?;
            ctx.tx
                .prepare_cached(
                    "INSERT OR IGNORE INTO email_messages (channel_id, header_id, conversation_id, \
                     message_id, direction, created_at) VALUES (?1, ?2, ?3, ?4, 'outbound', ?5)",
                )?
                .execute((
                    channel_id,
                    header_id,
                    conversation_id,
                    message_id,
                    ctx.now().millis(),
                ))?;
            Ok(())
        })
        .await
    }
}
