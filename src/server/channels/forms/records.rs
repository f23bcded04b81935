//! Form definitions in the `forms` table.

use super::definition::{Form, FormDefinition};
use crate::domain::{Id, Timestamp};
use crate::server::store::{Store, StoreError};
use rusqlite::{Connection, OptionalExtension, Row};

const FORM_SELECT: &str = "SELECT id, definition, created_at, updated_at FROM forms";

fn form_from_row(row: &Row<'_>) -> rusqlite::Result<Form> {
    let id: Id = row.get(0)?;
    let definition: String = row.get(1)?;
    let definition: FormDefinition = serde_json::from_str(&definition).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(1, rusqlite::types::Type::Text, Box::new(e))
    })?;
    Ok(Form {
        id,
        definition,
        public_path: format!("/forms/{id}"),
        created_at: Timestamp(row.get(2)?),
        updated_at: Timestamp(row.get(3)?),
    })
}

fn form(conn: &Connection, id: Id) -> Result<Form, StoreError> {
    conn.prepare_cached(&format!("{FORM_SELECT} WHERE id = ?1"))?
        .query_row([id], form_from_row)
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("form {id}")))
}

/// Refuses a definition whose channel is missing or not a form channel.
fn require_form_channel(conn: &Connection, channel_id: Id) -> Result<(), StoreError> {
    let kind: Option<String> = conn
        .prepare_cached("SELECT kind FROM channels WHERE id = ?1")?
        .query_row([channel_id], |r| r.get(0))
        .optional()?;
    match kind.as_deref() {
        Some("form") => Ok(()),
        Some(other) => Err(StoreError::Invalid(format!(
            "channel_id {channel_id} is a {other} channel; forms belong to a channel of kind form"
        ))),
        None => Err(StoreError::Invalid(format!(
            "channel_id {channel_id} is not a channel of this desk"
        ))),
    }
}

fn encode(definition: &FormDefinition) -> Result<String, StoreError> {
    serde_json::to_string(definition).map_err(|e| StoreError::Internal(e.to_string()))
}

/// Stores a new, already validated definition.
pub async fn create(store: &Store, definition: FormDefinition) -> Result<Form, StoreError> {
    let json = encode(&definition)?;
    store
        .write(move |ctx| {
            require_form_channel(ctx.tx, definition.channel_id)?;
            let now = ctx.now().millis();
            ctx.tx
                .prepare_cached(
                    "INSERT INTO forms (channel_id, name, definition, created_at, updated_at) \
                     VALUES (?1, ?2, ?3, ?4, ?4)",
                )?
                .execute((definition.channel_id, &definition.name, json, now))?;
            form(ctx.tx, ctx.tx.last_insert_rowid())
        })
        .await
}

/// Replaces a form's definition; submissions already made keep their tickets.
pub async fn replace(
    store: &Store,
    id: Id,
    definition: FormDefinition,
) -> Result<Form, StoreError> {
    let json = encode(&definition)?;
    store
        .write(move |ctx| {
            form(ctx.tx, id)?;
            require_form_channel(ctx.tx, definition.channel_id)?;
            ctx.tx
                .prepare_cached(
                    "UPDATE forms SET channel_id = ?1, name = ?2, definition = ?3, updated_at = ?4 \
                     WHERE id = ?5",
                )?
                .execute((
                    definition.channel_id,
                    &definition.name,
                    json,
                    ctx.now().millis(),
                    id,
                ))?;
            form(ctx.tx, id)
        })
        .await
}

/// Deletes a form; the tickets it created stay.
pub async fn delete(store: &Store, id: Id) -> Result<(), StoreError> {
    store
        .write(move |ctx| {
            let gone = ctx
                .tx
                .prepare_cached("DELETE FROM forms WHERE id = ?1")?
                .execute([id])?;
            if gone == 0 {
                return Err(StoreError::NotFound(format!("form {id}")));
            }
            Ok(())
        })
        .await
}

/// One form.
pub async fn get(store: &Store, id: Id) -> Result<Form, StoreError> {
    store.read(move |c| form(c, id)).await
}

/// Every form, or those of one channel, oldest first.
pub async fn list(store: &Store, channel_id: Option<Id>) -> Result<Vec<Form>, StoreError> {
    store
        .read(move |c| {
            let sql = format!("{FORM_SELECT} WHERE ?1 IS NULL OR channel_id = ?1 ORDER BY id");
            Ok(c.prepare_cached(&sql)?
                .query_map([channel_id], form_from_row)?
                .collect::<Result<_, _>>()?)
        })
        .await
}

/// A form with whether its channel takes submissions now.
pub async fn get_with_channel_state(store: &Store, id: Id) -> Result<(Form, bool), StoreError> {
    store
        .read(move |c| {
            let form = form(c, id)?;
            let enabled: bool = c
                .prepare_cached("SELECT enabled FROM channels WHERE id = ?1")?
                .query_row([form.definition.channel_id], |r| r.get(0))?;
            Ok((form, enabled))
        })
        .await
}
