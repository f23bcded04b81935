//! Channel management from the command line, straight on the data directory; safe while a
//! server runs on the same desk (writes go through the same locking, events through the log).

use super::auth::new_secret;
use super::store::{DB_FILE, Store, StoreError};
use crate::api::{ChannelPatch, ChannelWithSecret, NewChannel};
use crate::domain::Id;
use std::path::Path;

/// Runs `f` on the desk in `data_dir`, then closes it cleanly. Unless `create`, the desk
/// must exist already.
pub(crate) async fn on_desk<T, F, Fut>(data_dir: &Path, create: bool, f: F) -> Result<T, StoreError>
where
    F: FnOnce(Store) -> Fut,
    Fut: Future<Output = Result<T, StoreError>>,
{
    if !create && !data_dir.join(DB_FILE).exists() {
        return Err(StoreError::NotFound(format!(
            "a desk in {} (no {DB_FILE} there)",
            data_dir.display()
        )));
    }
    let store = Store::open(data_dir, 16)?;
    let result = f(store.clone()).await;
    tokio::task::spawn_blocking(move || store.close())
        .await
        .map_err(|e| StoreError::Internal(e.to_string()))?;
    result
}

/// Every channel that was not deleted, with secrets.
pub async fn list(data_dir: &Path) -> Result<Vec<ChannelWithSecret>, StoreError> {
    on_desk(data_dir, false, |s| async move { s.channels().await }).await
}

/// Creates a channel (and the desk, if `data_dir` has none yet) with a fresh secret.
pub async fn add(data_dir: &Path, new: NewChannel) -> Result<ChannelWithSecret, StoreError> {
    on_desk(data_dir, true, |s| async move {
        s.create_channel(new, new_secret()).await
    })
    .await
}

/// Edits a channel; turning it off or on is `enabled` in the patch.
pub async fn edit(
    data_dir: &Path,
    id: Id,
    patch: ChannelPatch,
) -> Result<ChannelWithSecret, StoreError> {
    on_desk(data_dir, false, |s| async move {
        s.update_channel(id, patch).await
    })
    .await
}

/// Deletes a channel, keeping every conversation and message it brought.
pub async fn delete(data_dir: &Path, id: Id) -> Result<ChannelWithSecret, StoreError> {
    on_desk(
        data_dir,
        false,
        |s| async move { s.delete_channel(id).await },
    )
    .await
}
