//! Channels: the ways customers reach the desk. Created, edited, turned off and on, and
//! deleted; a deleted channel keeps its rows (marked `deleted_at`) so no history is lost.

use super::{Store, StoreError, WriteCtx, deliveries};
use crate::api::{ChannelAccount, ChannelPatch, ChannelWithSecret, EventKind, NewChannel};
use crate::domain::{Capabilities, Channel, DeliveryStatus, Id, Timestamp, limits};
use rusqlite::{Connection, OptionalExtension, Row};

pub(super) const CHANNEL_SELECT: &str = "SELECT id, kind, name, enabled, webhook_url, settings, created_at, \
     secret, description, capabilities, deleted_at FROM channels";

/// Longest channel description.
const MAX_DESCRIPTION: usize = 2000;

pub(super) fn channel_from_row(row: &Row<'_>) -> rusqlite::Result<ChannelWithSecret> {
    let kind: String = row.get(1)?;
    let settings: String = row.get(5)?;
    let capabilities: Option<String> = row.get(9)?;
    Ok(ChannelWithSecret {
        channel: Channel {
            id: row.get(0)?,
            kind: kind.parse().map_err(|e| {
                rusqlite::Error::FromSqlConversionFailure(
                    1,
                    rusqlite::types::Type::Text,
                    Box::new(e),
                )
            })?,
            name: row.get(2)?,
            enabled: row.get(3)?,
            webhook_url: row.get(4)?,
            settings: serde_json::from_str(&settings).unwrap_or_default(),
            created_at: Timestamp(row.get(6)?),
            description: row.get(8)?,
            capabilities: capabilities
                .and_then(|c| serde_json::from_str(&c).ok())
                .unwrap_or_default(),
            deleted_at: row.get::<_, Option<i64>>(10)?.map(Timestamp),
        },
        secret: row.get(7)?,
    })
}

/// One channel with its secret, deleted or not.
pub fn channel(conn: &Connection, id: Id) -> Result<ChannelWithSecret, StoreError> {
    let sql = format!("{CHANNEL_SELECT} WHERE id = ?1");
    conn.prepare_cached(&sql)?
        .query_row([id], channel_from_row)
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("channel {id}")))
}

/// One channel that was not deleted.
fn live_channel(conn: &Connection, id: Id) -> Result<ChannelWithSecret, StoreError> {
    let c = channel(conn, id)?;
    if c.channel.deleted_at.is_some() {
        return Err(gone(id));
    }
    Ok(c)
}

/// The error for anything asked of a deleted channel.
pub fn gone(id: Id) -> StoreError {
    StoreError::Gone(format!(
        "channel {id} was deleted; its conversations are kept but it takes no more traffic"
    ))
}

fn check_name(name: &str) -> Result<String, StoreError> {
    let name = name.trim();
    limits::text("name", name, limits::MAX_NAME_CHARS).map_err(StoreError::Invalid)?;
    Ok(name.to_string())
}

fn check_description(description: Option<String>) -> Result<Option<String>, StoreError> {
    let description = description
        .map(|d| d.trim().to_string())
        .filter(|d| !d.is_empty());
    if description
        .as_ref()
        .is_some_and(|d| d.len() > MAX_DESCRIPTION)
    {
        return Err(StoreError::Invalid(format!(
            "description must be at most {MAX_DESCRIPTION} bytes"
        )));
    }
    Ok(description)
}

fn check_webhook_url(url: Option<String>) -> Result<Option<String>, StoreError> {
    let Some(url) = url.map(|u| u.trim().to_string()) else {
        return Ok(None);
    };
    let parsed = reqwest::Url::parse(&url).ok();
    let valid = url.len() <= limits::MAX_URL_BYTES
        && parsed.is_some_and(|u| matches!(u.scheme(), "http" | "https") && u.has_host());
    if !valid {
        return Err(StoreError::Invalid(format!(
            "webhook_url must be an http:// or https:// URL of at most {} bytes",
            limits::MAX_URL_BYTES
        )));
    }
    Ok(Some(url))
}

fn check_settings(settings: &serde_json::Value) -> Result<(), StoreError> {
    if !settings.is_object() {
        return Err(StoreError::Invalid("settings must be a JSON object".into()));
    }
    Ok(())
}

fn check_capabilities(capabilities: &Capabilities) -> Result<String, StoreError> {
    capabilities.validate().map_err(StoreError::Invalid)?;
    serde_json::to_string(capabilities).map_err(|e| StoreError::Internal(e.to_string()))
}

/// Emits `channel.updated` for `id` as it now stands; answers it.
fn updated(ctx: &mut WriteCtx<'_>, id: Id) -> Result<ChannelWithSecret, StoreError> {
    let now = channel(ctx.tx, id)?;
    ctx.emit(EventKind::ChannelUpdated {
        channel: now.channel.clone().redacted(),
    })?;
    Ok(now)
}

impl Store {
    /// Creates a channel with its signing `secret`.
    pub async fn create_channel(
        &self,
        new: NewChannel,
        secret: String,
    ) -> Result<ChannelWithSecret, StoreError> {
        let name = check_name(&new.name)?;
        let description = check_description(new.description)?;
        let webhook_url = check_webhook_url(new.webhook_url)?;
        let settings = new.settings.unwrap_or_else(|| serde_json::json!({}));
        check_settings(&settings)?;
        let capabilities = new
            .capabilities
            .as_ref()
            .map(check_capabilities)
            .transpose()?;
        self.write(move |ctx| {
            ctx.tx
                .prepare_cached(
                    "INSERT INTO channels (kind, name, secret, webhook_url, settings, created_at, \
                     description, capabilities) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                )?
                .execute((
                    new.kind.as_str(),
                    name,
                    secret,
                    webhook_url,
                    settings.to_string(),
                    ctx.now().millis(),
                    description,
                    capabilities,
                ))?;
            let created = channel(ctx.tx, ctx.tx.last_insert_rowid())?;
            ctx.emit(EventKind::ChannelCreated {
                channel: created.channel.clone().redacted(),
            })?;
            Ok(created)
        })
        .await
    }

    /// One channel with its secret, deleted or not.
    pub async fn channel(&self, id: Id) -> Result<ChannelWithSecret, StoreError> {
        self.read(move |c| channel(c, id)).await
    }

    /// Every channel that was not deleted, with secrets.
    pub async fn channels(&self) -> Result<Vec<ChannelWithSecret>, StoreError> {
        self.read(|c| {
            let sql = format!("{CHANNEL_SELECT} WHERE deleted_at IS NULL ORDER BY id");
            Ok(c.prepare_cached(&sql)?
                .query_map([], channel_from_row)?
                .collect::<Result<_, _>>()?)
        })
        .await
    }

    /// Edits a channel: name, description, webhook, settings, capabilities, on or off.
    /// Emits `channel.updated` when anything changed.
    pub async fn update_channel(
        &self,
        id: Id,
        patch: ChannelPatch,
    ) -> Result<ChannelWithSecret, StoreError> {
        let name = patch.name.as_deref().map(check_name).transpose()?;
        let description = patch.description.map(check_description).transpose()?;
        let webhook_url = patch.webhook_url.map(check_webhook_url).transpose()?;
        if let Some(settings) = &patch.settings {
            check_settings(settings)?;
        }
        let capabilities = patch
            .capabilities
            .as_ref()
            .map(check_capabilities)
            .transpose()?;
        self.write(move |ctx| {
            let before = live_channel(ctx.tx, id)?;
            let tx = ctx.tx;
            let set = |column: &str, value: &dyn rusqlite::ToSql| -> Result<(), StoreError> {
                tx.execute(
                    &format!("UPDATE channels SET {column} = ?1 WHERE id = ?2"),
                    rusqlite::params![value, id],
                )?;
                Ok(())
            };
            if let Some(name) = &name {
                set("name", name)?;
            }
            if let Some(description) = &description {
                set("description", description)?;
            }
            if let Some(url) = &webhook_url {
                set("webhook_url", url)?;
            }
            if let Some(settings) = &patch.settings {
                set("settings", &settings.to_string())?;
            }
            if let Some(capabilities) = &capabilities {
                set("capabilities", capabilities)?;
            }
            if let Some(enabled) = patch.enabled {
                set("enabled", &enabled)?;
            }
            if channel(ctx.tx, id)?.channel == before.channel {
                return Ok(before);
            }
            updated(ctx, id)
        })
        .await
    }

    /// Deletes a channel without losing anything: it is marked deleted and turned off,
    /// hidden from lists, and refuses traffic; its conversations and messages stay. Replies
    /// still waiting to go out through it fail with the reason. Emits `channel.deleted`.
    pub async fn delete_channel(&self, id: Id) -> Result<ChannelWithSecret, StoreError> {
        self.write(move |ctx| {
            live_channel(ctx.tx, id)?;
            ctx.tx
                .prepare_cached("UPDATE channels SET deleted_at = ?1, enabled = 0 WHERE id = ?2")?
                .execute((ctx.now().millis(), id))?;
            let waiting: Vec<Id> = ctx
                .tx
                .prepare_cached(
                    "SELECT message_id FROM deliveries WHERE channel_id = ?1 AND status = 'queued'",
                )?
                .query_map([id], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            for message_id in waiting {
                deliveries::apply_status(
                    ctx,
                    message_id,
                    DeliveryStatus::Failed,
                    Some(format!(
                        "channel {id} was deleted before this reply went out"
                    )),
                )?;
            }
            let deleted = channel(ctx.tx, id)?;
            ctx.emit(EventKind::ChannelDeleted {
                channel: deleted.channel.clone().redacted(),
            })?;
            Ok(deleted)
        })
        .await
    }

    /// Connects an account on a channel; its `external_id` is unique on the channel.
    pub async fn add_channel_account(
        &self,
        channel_id: Id,
        external_id: String,
        name: String,
    ) -> Result<ChannelAccount, StoreError> {
        let external_id = external_id.trim().to_string();
        if external_id.is_empty() || external_id.len() > limits::MAX_EXTERNAL_ID_BYTES {
            return Err(StoreError::Invalid(
                "external_id must be 1 to 512 bytes".into(),
            ));
        }
        let name = check_name(&name)?;
        self.write(move |ctx| {
            live_channel(ctx.tx, channel_id)?;
            let taken: Option<Id> = ctx
                .tx
                .prepare_cached(
                    "SELECT id FROM channel_accounts WHERE channel_id = ?1 AND external_id = ?2",
                )?
                .query_row((channel_id, &external_id), |r| r.get(0))
                .optional()?;
            if let Some(existing) = taken {
                return Err(StoreError::Conflict(format!(
                    "channel {channel_id} already has an account {external_id:?} (id {existing})"
                )));
            }
            ctx.tx
                .prepare_cached(
                    "INSERT INTO channel_accounts (channel_id, external_id, name, created_at) \
                     VALUES (?1, ?2, ?3, ?4)",
                )?
                .execute((channel_id, &external_id, &name, ctx.now().millis()))?;
            account(ctx.tx, ctx.tx.last_insert_rowid())
        })
        .await
    }

    /// The accounts of a channel, oldest first.
    pub async fn channel_accounts(
        &self,
        channel_id: Id,
    ) -> Result<Vec<ChannelAccount>, StoreError> {
        self.read(move |c| {
            live_channel(c, channel_id)?;
            Ok(c.prepare_cached(&format!(
                "{ACCOUNT_SELECT} WHERE channel_id = ?1 ORDER BY id"
            ))?
            .query_map([channel_id], account_from_row)?
            .collect::<Result<_, _>>()?)
        })
        .await
    }
}

const ACCOUNT_SELECT: &str =
    "SELECT id, channel_id, external_id, name, created_at FROM channel_accounts";

fn account_from_row(row: &Row<'_>) -> rusqlite::Result<ChannelAccount> {
    Ok(ChannelAccount {
        id: row.get(0)?,
        channel_id: row.get(1)?,
        external_id: row.get(2)?,
        name: row.get(3)?,
        created_at: Timestamp(row.get(4)?),
    })
}

/// One channel account.
pub fn account(conn: &Connection, id: Id) -> Result<ChannelAccount, StoreError> {
    conn.prepare_cached(&format!("{ACCOUNT_SELECT} WHERE id = ?1"))?
        .query_row([id], account_from_row)
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("channel account {id}")))
}
