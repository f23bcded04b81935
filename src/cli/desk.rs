//! The desk a scripting command talks to: a team server (`--server` or `FRONTDESK_SERVER`
//! or the config's `server`, with the token from `--token`/`FRONTDESK_TOKEN`, the config's
//! `token_command` or `token`), else the local desk served in-process, as the TUI does.

use crate::cli::exit::{Unreachable, usage};
use crate::client::api::{Api, ClientError};
use crate::client::tls::Trust;
use crate::domain::{Agent, Id, Team};
use crate::embedded::Embedded;
use crate::tui::config;
use std::path::PathBuf;

/// Where to find the desk, as the command line and environment say.
#[derive(Debug, Default, Clone)]
pub struct Target {
    pub server: Option<String>,
    pub token: Option<String>,
    pub ca_cert: Option<PathBuf>,
    pub config: Option<PathBuf>,
    /// The local desk's directory, when no server is named.
    pub data: Option<PathBuf>,
}

/// `--data` of a scripting command: the local desk, used when no server is named.
#[derive(Debug, Clone, clap::Args)]
pub struct LocalArgs {
    /// The local desk's directory (default: the config's `data`, else the XDG data dir);
    /// used when no --server is given.
    #[arg(long, env = "FRONTDESK_DATA", value_hint = clap::ValueHint::DirPath)]
    pub data: Option<PathBuf>,
}

/// A connected desk.
pub struct Desk {
    pub api: Api,
    pub base_url: String,
    pub token: String,
    pub trust: Trust,
    embedded: Option<Embedded>,
}

impl Desk {
    /// Connects to the server `target` names, or serves the local desk.
    pub async fn open(target: Target) -> anyhow::Result<Desk> {
        let config = config::load(target.config.as_deref()).map_err(|e| usage(e.to_string()))?;
        let trust = match target.ca_cert.or(config.ca_cert) {
            Some(path) => Trust::with_ca_file(&path).map_err(|e| usage(e.to_string()))?,
            None => Trust::system(),
        };
        let (embedded, base_url, token) = match target.server.or(config.server) {
            Some(server) => {
                let token = match (target.token, config.token_command, config.token) {
                    (Some(t), _, _) => t,
                    (None, Some(command), _) => config::run_token_command(&command)
                        .map_err(|e| Unreachable(e.to_string()))?,
                    (None, None, Some(t)) => t,
                    (None, None, None) => {
                        return Err(Unreachable(
                            "--server needs a token: FRONTDESK_TOKEN, token_command in the config, or --token".into(),
                        )
                        .into());
                    }
                };
                (None, server.trim_end_matches('/').to_string(), token)
            }
            None => {
                let dir = target
                    .data
                    .or(config.data)
                    .unwrap_or_else(crate::embedded::default_data_dir);
                let local = crate::embedded::local(&dir).await.map_err(|e| {
                    Unreachable(format!("the local desk in {}: {e:#}", dir.display()))
                })?;
                let (url, token) = (local.base_url.clone(), local.token.clone());
                (Some(local), url, token)
            }
        };
        let api = Api::with_trust(&base_url, &token, &trust)?;
        Ok(Desk {
            api,
            base_url,
            token,
            trust,
            embedded,
        })
    }

    /// Stops the local desk, when this command served it.
    pub async fn close(self) -> anyhow::Result<()> {
        match self.embedded {
            Some(e) => e.stop().await,
            None => Ok(()),
        }
    }

    /// The agent an argument names: an id, an email or a name (case ignored).
    pub async fn agent(&self, name: &str) -> anyhow::Result<Agent> {
        let agents = self.api.agents().await?;
        let wanted = name.trim();
        agents
            .into_iter()
            .find(|a| {
                a.id.to_string() == wanted
                    || a.email.eq_ignore_ascii_case(wanted)
                    || a.name.to_lowercase() == wanted.to_lowercase()
            })
            .ok_or_else(|| usage(format!("no agent {wanted:?} (give an id, email or name)")))
    }

    /// The team an argument names: an id or a name (case ignored).
    pub async fn team(&self, name: &str) -> anyhow::Result<Team> {
        let teams = self.api.teams().await?;
        let wanted = name.trim();
        teams
            .into_iter()
            .find(|t| t.id.to_string() == wanted || t.name.to_lowercase() == wanted.to_lowercase())
            .ok_or_else(|| usage(format!("no team {wanted:?} (give an id or name)")))
    }

    /// An `assignee` filter: `me`, `unassigned`, `any`, an agent id, email or name.
    pub async fn assignee(&self, value: &str) -> anyhow::Result<String> {
        match value {
            "me" | "unassigned" | "any" => Ok(value.to_string()),
            other if other.parse::<Id>().is_ok() => Ok(other.to_string()),
            other => Ok(self.agent(other).await?.id.to_string()),
        }
    }
}

/// Runs `work` on the desk `target` names, then stops a local desk whatever happened.
pub async fn with_desk<F, T>(target: Target, work: F) -> anyhow::Result<T>
where
    F: AsyncFnOnce(&Desk) -> anyhow::Result<T>,
{
    let desk = Desk::open(target).await?;
    let result = work(&desk).await;
    let closed = desk.close().await;
    let value = result?;
    closed?;
    Ok(value)
}

/// Whether an error means the desk cannot be used at all (stop instead of going on).
pub fn is_fatal(error: &ClientError) -> bool {
    matches!(
        error,
        ClientError::Unauthorized(_)
            | ClientError::Network(_)
            | ClientError::Tls(_)
            | ClientError::Config(_)
    )
}
