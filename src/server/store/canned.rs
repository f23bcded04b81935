//! Shared canned replies: a name unique on the desk (ignoring ASCII case) and a text.

use super::{Store, StoreError, WriteCtx};
use crate::api::canned::{MAX_CANNED_REPLIES, check_body, check_name};
use crate::api::{CannedPatch, CannedReply, EventKind, NewCanned};
use crate::domain::{Id, Timestamp};
use rusqlite::{Connection, OptionalExtension, Row};

const SELECT: &str =
    "SELECT id, name, body, created_by, created_at, updated_at FROM canned_replies";

fn from_row(r: &Row<'_>) -> rusqlite::Result<CannedReply> {
    Ok(CannedReply {
        id: r.get(0)?,
        name: r.get(1)?,
        body: r.get(2)?,
        created_by: r.get(3)?,
        created_at: Timestamp(r.get(4)?),
        updated_at: Timestamp(r.get(5)?),
    })
}

fn one(c: &Connection, id: Id) -> Result<CannedReply, StoreError> {
    c.prepare_cached(&format!("{SELECT} WHERE id = ?1"))?
        .query_row([id], from_row)
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("canned reply {id}")))
}

/// 409 when another canned reply than `except` is called `name`.
fn name_free(ctx: &WriteCtx<'_>, name: &str, except: Id) -> Result<(), StoreError> {
    let taken: Option<Id> = ctx
        .tx
        .prepare_cached("SELECT id FROM canned_replies WHERE name = ?1 AND id != ?2")?
        .query_row((name, except), |r| r.get(0))
        .optional()?;
    match taken {
        Some(other) => Err(StoreError::Conflict(format!(
            "canned reply {other} is already called {name:?}"
        ))),
        None => Ok(()),
    }
}

impl Store {
    /// Every shared canned reply, by name.
    pub async fn canned_replies(&self) -> Result<Vec<CannedReply>, StoreError> {
        self.read(|c| {
            Ok(c.prepare_cached(&format!("{SELECT} ORDER BY name, id"))?
                .query_map([], from_row)?
                .collect::<Result<_, _>>()?)
        })
        .await
    }

    /// Adds a canned reply written by `by` (none from the command line).
    pub async fn create_canned(
        &self,
        new: NewCanned,
        by: Option<Id>,
    ) -> Result<CannedReply, StoreError> {
        let name = new.name.trim().to_string();
        check_name(&name).map_err(StoreError::Invalid)?;
        check_body(&new.body).map_err(StoreError::Invalid)?;
        self.write(move |ctx| {
            name_free(ctx, &name, 0)?;
            let count: i64 = ctx
                .tx
                .query_row("SELECT count(*) FROM canned_replies", [], |r| r.get(0))?;
            if count as usize >= MAX_CANNED_REPLIES {
                return Err(StoreError::Invalid(format!(
                    "this desk already has {MAX_CANNED_REPLIES} canned replies; delete some first"
                )));
            }
            ctx.tx
                .prepare_cached(
                    "INSERT INTO canned_replies (name, body, created_by, created_at, updated_at) \
                     VALUES (?1, ?2, ?3, ?4, ?4)",
                )?
                .execute((&name, &new.body, by, ctx.now().millis()))?;
            let canned = one(ctx.tx, ctx.tx.last_insert_rowid())?;
            ctx.emit(EventKind::CannedCreated {
                canned: canned.clone(),
            })?;
            Ok(canned)
        })
        .await
    }

    /// Renames or rewrites a canned reply.
    pub async fn update_canned(
        &self,
        id: Id,
        patch: CannedPatch,
    ) -> Result<CannedReply, StoreError> {
        let name = patch.name.map(|n| n.trim().to_string());
        if let Some(name) = &name {
            check_name(name).map_err(StoreError::Invalid)?;
        }
        if let Some(body) = &patch.body {
            check_body(body).map_err(StoreError::Invalid)?;
        }
        let body = patch.body;
        self.write(move |ctx| {
            let mut canned = one(ctx.tx, id)?;
            if let Some(name) = name {
                name_free(ctx, &name, id)?;
                canned.name = name;
            }
            if let Some(body) = body {
                canned.body = body;
            }
            ctx.tx
                .prepare_cached(
                    "UPDATE canned_replies SET name = ?1, body = ?2, updated_at = ?3 WHERE id = ?4",
                )?
                .execute((&canned.name, &canned.body, ctx.now().millis(), id))?;
            let canned = one(ctx.tx, id)?;
            ctx.emit(EventKind::CannedUpdated {
                canned: canned.clone(),
            })?;
            Ok(canned)
        })
        .await
    }

    /// Deletes a canned reply; answers it as it was.
    pub async fn delete_canned(&self, id: Id) -> Result<CannedReply, StoreError> {
        self.write(move |ctx| {
            let canned = one(ctx.tx, id)?;
            ctx.tx
                .prepare_cached("DELETE FROM canned_replies WHERE id = ?1")?
                .execute([id])?;
            ctx.emit(EventKind::CannedDeleted {
                canned: canned.clone(),
            })?;
            Ok(canned)
        })
        .await
    }
}
