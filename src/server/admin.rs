//! Desk administration from the command line, straight on the data directory.

use super::auth::new_token;
use super::store::{Store, StoreError};
use crate::domain::{Agent, Role};
use std::path::Path;

/// Creates an agent in the desk at `data_dir`; returns it with its first API token.
///
/// Safe while a server runs on the same desk: the write goes through the same locking.
pub async fn add_agent(
    data_dir: &Path,
    email: &str,
    name: &str,
    role: Role,
) -> Result<(Agent, String), StoreError> {
    let store = Store::open(data_dir, 16)?;
    let (token, hash) = new_token();
    let agent = store
        .add_agent(email.to_string(), name.to_string(), role, hash)
        .await;
    tokio::task::spawn_blocking(move || store.close())
        .await
        .map_err(|e| StoreError::Internal(e.to_string()))?;
    Ok((agent?, token))
}

/// Mints another API token for the agent with `email`.
pub async fn new_agent_token(data_dir: &Path, email: &str) -> Result<(Agent, String), StoreError> {
    let store = Store::open(data_dir, 16)?;
    let (token, hash) = new_token();
    let email = email.to_string();
    let agent = store
        .write(move |ctx| {
            let agent = super::store::agent_by_email(ctx.tx, &email)?;
            super::store::add_token(ctx.tx, agent.id, &hash)?;
            Ok(agent)
        })
        .await;
    tokio::task::spawn_blocking(move || store.close())
        .await
        .map_err(|e| StoreError::Internal(e.to_string()))?;
    Ok((agent?, token))
}
