//! `frontdesk canned list|add|edit|rm`: the desk's shared canned replies, on its data
//! directory, with `--json` output for scripts.

use crate::api::{CannedPatch, CannedReply, NewCanned};
use crate::domain::Id;
use crate::server::channel_admin::on_desk;
use clap::{Args, Subcommand};
use std::path::{Path, PathBuf};

/// What `frontdesk canned` does.
#[derive(Debug, Subcommand)]
pub enum CannedCommand {
    /// List the shared canned replies by name.
    List {
        #[arg(long, env = "FRONTDESK_DATA")]
        data: PathBuf,
        /// Print JSON, texts included.
        #[arg(long)]
        json: bool,
    },
    /// Add a shared canned reply; prints its id.
    Add {
        #[arg(long, env = "FRONTDESK_DATA")]
        data: PathBuf,
        /// Unique on the desk, at most 100 characters.
        #[arg(long)]
        name: String,
        #[command(flatten)]
        body: BodyArgs,
    },
    /// Rename or rewrite a shared canned reply.
    Edit {
        #[arg(long, env = "FRONTDESK_DATA")]
        data: PathBuf,
        /// The canned reply's id.
        id: Id,
        #[arg(long)]
        name: Option<String>,
        #[command(flatten)]
        body: BodyArgs,
    },
    /// Delete a shared canned reply.
    Rm {
        #[arg(long, env = "FRONTDESK_DATA")]
        data: PathBuf,
        /// The canned reply's id.
        id: Id,
    },
}

/// The text of a canned reply, given inline or from a file (`-` for standard input).
#[derive(Debug, Args)]
#[group(multiple = false)]
pub struct BodyArgs {
    #[arg(long)]
    body: Option<String>,
    #[arg(long)]
    body_file: Option<PathBuf>,
}

impl BodyArgs {
    fn read(self) -> anyhow::Result<Option<String>> {
        Ok(match (self.body, self.body_file) {
            (Some(body), _) => Some(body),
            (None, Some(path)) if path == Path::new("-") => {
                Some(std::io::read_to_string(std::io::stdin())?)
            }
            (None, Some(path)) => Some(
                std::fs::read_to_string(&path)
                    .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?,
            ),
            (None, None) => None,
        })
    }
}

/// Runs one `frontdesk canned` command.
pub async fn run(command: CannedCommand) -> anyhow::Result<()> {
    match command {
        CannedCommand::List { data, json } => {
            let all = on_desk(&data, false, |s| async move { s.canned_replies().await }).await?;
            if json {
                crate::outln!("{}", serde_json::to_string_pretty(&all)?)?;
            } else {
                for canned in &all {
                    crate::outln!("{}", summary(canned))?;
                }
            }
        }
        CannedCommand::Add { data, name, body } => {
            let body = body
                .read()?
                .ok_or_else(|| anyhow::anyhow!("give the text with --body or --body-file"))?;
            let new = NewCanned { name, body };
            let canned = on_desk(
                &data,
                false,
                |s| async move { s.create_canned(new, None).await },
            )
            .await?;
            crate::outln!("created canned reply {:?} (id {})", canned.name, canned.id)?;
            crate::outln!("{}", canned.id)?;
        }
        CannedCommand::Edit {
            data,
            id,
            name,
            body,
        } => {
            let patch = CannedPatch {
                name,
                body: body.read()?,
            };
            let canned = on_desk(
                &data,
                false,
                |s| async move { s.update_canned(id, patch).await },
            )
            .await?;
            crate::outln!("{}", summary(&canned))?;
        }
        CannedCommand::Rm { data, id } => {
            let canned =
                on_desk(&data, false, |s| async move { s.delete_canned(id).await }).await?;
            crate::outln!("deleted canned reply {:?} (id {})", canned.name, canned.id)?;
        }
    }
    Ok(())
}

/// One line about a canned reply: its id, name and the start of its text, on one line.
fn summary(canned: &CannedReply) -> String {
    let first = canned.body.lines().next().unwrap_or_default();
    format!(
        "{:<4} {}  {}",
        canned.id,
        crate::domain::limits::fit(&canned.name, 40),
        crate::domain::limits::fit(first, 60)
    )
}
