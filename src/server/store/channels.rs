//! Channels: the ways customers reach the desk.

use super::{Store, StoreError};
use crate::api::{ChannelWithSecret, EventKind, NewChannel};
use crate::domain::{Channel, Id, Timestamp};
use rusqlite::{Connection, OptionalExtension, Row};

const CHANNEL_SELECT: &str =
    "SELECT id, kind, name, enabled, webhook_url, settings, created_at, secret FROM channels";

fn channel_from_row(row: &Row<'_>) -> rusqlite::Result<ChannelWithSecret> {
    let kind: String = row.get(1)?;
    let settings: String = row.get(5)?;
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
        },
        secret: row.get(7)?,
    })
}

fn channel(conn: &Connection, id: Id) -> Result<ChannelWithSecret, StoreError> {
    let sql = format!("{CHANNEL_SELECT} WHERE id = ?1");
    conn.prepare_cached(&sql)?
        .query_row([id], channel_from_row)
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("channel {id}")))
}

impl Store {
    /// Creates a channel with its signing `secret`.
    pub async fn create_channel(
        &self,
        new: NewChannel,
        secret: String,
    ) -> Result<ChannelWithSecret, StoreError> {
        let name = new.name.trim().to_string();
        if name.is_empty() || name.len() > 200 {
            return Err(StoreError::Invalid("name must be 1 to 200 bytes".into()));
        }
        if let Some(url) = &new.webhook_url
            && !(url.starts_with("http://") || url.starts_with("https://"))
        {
            return Err(StoreError::Invalid(
                "webhook_url must be an http:// or https:// URL".into(),
            ));
        }
        let settings = new.settings.unwrap_or_else(|| serde_json::json!({}));
        if !settings.is_object() {
            return Err(StoreError::Invalid("settings must be a JSON object".into()));
        }
        self.write(move |ctx| {
            ctx.tx
                .prepare_cached(
                    "INSERT INTO channels (kind, name, secret, webhook_url, settings, created_at) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )?
                .execute((
                    new.kind.as_str(),
                    name,
                    secret,
                    new.webhook_url,
                    settings.to_string(),
                    ctx.now().millis(),
                ))?;
            let created = channel(ctx.tx, ctx.tx.last_insert_rowid())?;
            ctx.emit(EventKind::ChannelCreated {
                channel: created.channel.clone().redacted(),
            })?;
            Ok(created)
        })
        .await
    }

    /// One channel with its secret.
    pub async fn channel(&self, id: Id) -> Result<ChannelWithSecret, StoreError> {
        self.read(move |c| channel(c, id)).await
    }

    /// Every channel, with secrets.
    pub async fn channels(&self) -> Result<Vec<ChannelWithSecret>, StoreError> {
        self.read(|c| {
            let sql = format!("{CHANNEL_SELECT} ORDER BY id");
            Ok(c.prepare_cached(&sql)?
                .query_map([], channel_from_row)?
                .collect::<Result<_, _>>()?)
        })
        .await
    }
}
