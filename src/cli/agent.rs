//! `frontdesk agent add|list|token|revoke-token|deactivate|activate|set-role`: manage agents
//! and their API tokens on a desk's data directory, with `--json` output for scripts.

use crate::api::AgentPatch;
use crate::domain::{Agent, Role};
use crate::server::admin;
use clap::Subcommand;
use std::path::PathBuf;

/// What `frontdesk agent` does.
#[derive(Debug, Subcommand)]
pub enum AgentCommand {
    /// Create an agent; prints its API token as the last line.
    Add {
        #[arg(long, env = "FRONTDESK_DATA")]
        data: PathBuf,
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        #[arg(long, default_value = "agent")]
        role: Role,
    },
    /// List the agents with their role, seat and whether they are active.
    List {
        #[arg(long, env = "FRONTDESK_DATA")]
        data: PathBuf,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Mint another API token for an active agent; prints it as the last line.
    Token {
        #[arg(long, env = "FRONTDESK_DATA")]
        data: PathBuf,
        #[arg(long)]
        email: String,
    },
    /// Revoke every API token of an agent at once (no new one is issued).
    RevokeToken {
        #[arg(long, env = "FRONTDESK_DATA")]
        data: PathBuf,
        #[arg(long)]
        email: String,
    },
    /// Deactivate an agent: their tokens stop working, routing skips them.
    Deactivate {
        #[arg(long, env = "FRONTDESK_DATA")]
        data: PathBuf,
        #[arg(long)]
        email: String,
    },
    /// Activate a deactivated agent again (their tokens that were not revoked work again).
    Activate {
        #[arg(long, env = "FRONTDESK_DATA")]
        data: PathBuf,
        #[arg(long)]
        email: String,
    },
    /// Make an agent an admin, or an admin an agent.
    SetRole {
        #[arg(long, env = "FRONTDESK_DATA")]
        data: PathBuf,
        #[arg(long)]
        email: String,
        /// admin or agent.
        #[arg(long)]
        role: Role,
    },
}

/// Runs one `frontdesk agent` command.
pub async fn run(command: AgentCommand) -> anyhow::Result<()> {
    use AgentCommand::*;
    match command {
        Add {
            data,
            email,
            name,
            role,
        } => {
            let (agent, token) = admin::add_agent(&data, &email, &name, role).await?;
            crate::outln!(
                "created {} agent {} <{}> (id {})",
                agent.role,
                agent.name,
                agent.email,
                agent.id
            )?;
            crate::outln!("{token}")?;
        }
        List { data, json } => {
            let agents = admin::list_agents(&data).await?;
            if json {
                crate::outln!("{}", serde_json::to_string_pretty(&agents)?)?;
            } else {
                for agent in &agents {
                    crate::outln!("{}", summary(agent))?;
                }
            }
        }
        Token { data, email } => {
            let (agent, token) = admin::new_agent_token(&data, &email).await?;
            crate::outln!("new token for {} <{}>", agent.name, agent.email)?;
            crate::outln!("{token}")?;
        }
        RevokeToken { data, email } => {
            let (agent, revoked) = admin::revoke_agent_tokens(&data, &email).await?;
            crate::outln!(
                "revoked {revoked} token(s) of {} <{}>",
                agent.name,
                agent.email
            )?;
        }
        Deactivate { data, email } => {
            let patch = AgentPatch {
                active: Some(false),
                ..Default::default()
            };
            crate::outln!(
                "{}",
                summary(&admin::patch_agent(&data, &email, patch).await?)
            )?;
        }
        Activate { data, email } => {
            let patch = AgentPatch {
                active: Some(true),
                ..Default::default()
            };
            crate::outln!(
                "{}",
                summary(&admin::patch_agent(&data, &email, patch).await?)
            )?;
        }
        SetRole { data, email, role } => {
            let patch = AgentPatch {
                role: Some(role),
                ..Default::default()
            };
            crate::outln!(
                "{}",
                summary(&admin::patch_agent(&data, &email, patch).await?)
            )?;
        }
    }
    Ok(())
}

/// One line about an agent: `5  admin  active  seat  Ada <ada@example.com>`.
fn summary(agent: &Agent) -> String {
    format!(
        "{:<4} {:<5}  {:<11}  {:<7}  {} <{}>",
        agent.id,
        agent.role,
        if agent.active {
            "active"
        } else {
            "deactivated"
        },
        if agent.has_seat { "seat" } else { "no seat" },
        agent.name,
        agent.email
    )
}
