//! Agent administration from the command line, straight on the data directory; safe while a
//! server runs on the same desk (it re-reads tokens on every request and notices revocations
//! within about a second on open streams).

use super::auth::new_token;
use super::channel_admin::on_desk;
use super::store::{Store, StoreError};
use crate::api::AgentPatch;
use crate::domain::{Agent, Role};
use std::path::Path;

/// Creates an agent in the desk at `data_dir` (creating the desk if needed); returns it with
/// its first API token.
pub async fn add_agent(
    data_dir: &Path,
    email: &str,
    name: &str,
    role: Role,
) -> Result<(Agent, String), StoreError> {
    let (email, name) = (email.to_string(), name.to_string());
    on_desk(data_dir, true, |s| async move {
        let (token, hash) = new_token();
        let agent = s.add_agent(email, name, role, hash).await?;
        Ok((agent, token))
    })
    .await
}

/// Every agent of the desk, by name.
pub async fn list_agents(data_dir: &Path) -> Result<Vec<Agent>, StoreError> {
    on_desk(data_dir, false, |s| async move { s.agents().await }).await
}

/// Mints another API token for the (active) agent with `email`.
pub async fn new_agent_token(data_dir: &Path, email: &str) -> Result<(Agent, String), StoreError> {
    let email = email.to_string();
    on_desk(data_dir, false, |s| async move {
        let agent = by_email(&s, &email).await?;
        let (token, hash) = new_token();
        Ok((s.issue_token(agent.id, hash).await?, token))
    })
    .await
}

/// Revokes every token of the agent with `email`; answers the agent and how many there were.
pub async fn revoke_agent_tokens(
    data_dir: &Path,
    email: &str,
) -> Result<(Agent, usize), StoreError> {
    let email = email.to_string();
    on_desk(data_dir, false, |s| async move {
        let agent = by_email(&s, &email).await?;
        let revoked = s.revoke_tokens(agent.id).await?;
        Ok((agent, revoked))
    })
    .await
}

/// Changes the agent with `email` (role, activity); the last active admin stays one.
pub async fn patch_agent(
    data_dir: &Path,
    email: &str,
    patch: AgentPatch,
) -> Result<Agent, StoreError> {
    let email = email.to_string();
    on_desk(data_dir, false, |s| async move {
        let agent = by_email(&s, &email).await?;
        s.update_agent(agent.id, patch).await
    })
    .await
}

async fn by_email(store: &Store, email: &str) -> Result<Agent, StoreError> {
    let email = email.to_string();
    store
        .read(move |c| super::store::agent_by_email(c, &email))
        .await
}
