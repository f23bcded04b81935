//! `frontdesk channel list|add|edit|disable|enable|delete`: manage channels on a desk's data
//! directory, with `--json` output for scripts.

use crate::api::{ChannelPatch, ChannelWithSecret, NewChannel};
use crate::domain::{Capabilities, ChannelKind, Id};
use crate::server::channel_admin;
use clap::Subcommand;
use std::path::PathBuf;

/// What `frontdesk channel` does.
#[derive(Debug, Subcommand)]
pub enum ChannelCommand {
    /// List the channels (deleted ones are hidden).
    List {
        #[arg(long, env = "FRONTDESK_DATA")]
        data: PathBuf,
        /// Print JSON, secrets included.
        #[arg(long)]
        json: bool,
    },
    /// Create a channel; prints its signing secret as the last line.
    Add {
        #[arg(long, env = "FRONTDESK_DATA")]
        data: PathBuf,
        /// email, chat, form, messenger, whatsapp, call or custom.
        #[arg(long, default_value = "custom")]
        kind: ChannelKind,
        #[arg(long)]
        name: String,
        #[arg(long)]
        description: Option<String>,
        /// Where agent replies are POSTed (custom channels).
        #[arg(long)]
        webhook_url: Option<String>,
        /// Kind-specific settings, a JSON object.
        #[arg(long, value_parser = parse_json_object)]
        settings: Option<serde_json::Value>,
        /// Capabilities as JSON, e.g. '{"threading":"sender","attachments":[{"kind":"image","max_size":5000000}]}'.
        #[arg(long, value_parser = parse_capabilities)]
        capabilities: Option<Capabilities>,
        #[arg(long)]
        json: bool,
    },
    /// Change a channel's name, description, webhook, settings or capabilities.
    Edit {
        #[arg(long, env = "FRONTDESK_DATA")]
        data: PathBuf,
        /// The channel id.
        id: Id,
        #[arg(long)]
        name: Option<String>,
        /// The new description; an empty one clears it.
        #[arg(long)]
        description: Option<String>,
        #[arg(long, conflicts_with = "no_webhook_url")]
        webhook_url: Option<String>,
        /// Remove the webhook URL: replies on the channel are no longer sent anywhere.
        #[arg(long)]
        no_webhook_url: bool,
        #[arg(long, value_parser = parse_json_object)]
        settings: Option<serde_json::Value>,
        #[arg(long, value_parser = parse_capabilities)]
        capabilities: Option<Capabilities>,
        #[arg(long)]
        json: bool,
    },
    /// Turn a channel off: it refuses inbound messages; nothing stored is touched.
    Disable {
        #[arg(long, env = "FRONTDESK_DATA")]
        data: PathBuf,
        id: Id,
        #[arg(long)]
        json: bool,
    },
    /// Turn a channel back on.
    Enable {
        #[arg(long, env = "FRONTDESK_DATA")]
        data: PathBuf,
        id: Id,
        #[arg(long)]
        json: bool,
    },
    /// Delete a channel: hidden and refusing traffic; its conversations are kept.
    Delete {
        #[arg(long, env = "FRONTDESK_DATA")]
        data: PathBuf,
        id: Id,
        #[arg(long)]
        json: bool,
    },
}

fn parse_json_object(text: &str) -> Result<serde_json::Value, String> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    if value.is_object() {
        Ok(value)
    } else {
        Err("expected a JSON object".into())
    }
}

fn parse_capabilities(text: &str) -> Result<Capabilities, String> {
    serde_json::from_str(text).map_err(|e| format!("not valid capabilities: {e}"))
}

/// Runs one `frontdesk channel` command, printing its result.
pub async fn run(command: ChannelCommand) -> anyhow::Result<()> {
    use ChannelCommand::*;
    match command {
        List { data, json } => {
            let channels = channel_admin::list(&data).await?;
            if json {
                crate::outln!("{}", serde_json::to_string_pretty(&channels)?)?;
            } else {
                crate::cli::stdout::write(&table(&channels))?;
            }
        }
        Add {
            data,
            kind,
            name,
            description,
            webhook_url,
            settings,
            capabilities,
            json,
        } => {
            let new = NewChannel {
                kind,
                name,
                webhook_url,
                settings,
                description,
                capabilities,
            };
            let created = channel_admin::add(&data, new).await?;
            if json {
                crate::outln!("{}", serde_json::to_string_pretty(&created)?)?;
            } else {
                crate::outln!("created {}\n{}", summary(&created), created.secret)?;
            }
        }
        Edit {
            data,
            id,
            name,
            description,
            webhook_url,
            no_webhook_url,
            settings,
            capabilities,
            json,
        } => {
            let patch = ChannelPatch {
                name,
                description: description.map(|d| Some(d).filter(|d| !d.trim().is_empty())),
                webhook_url: if no_webhook_url {
                    Some(None)
                } else {
                    webhook_url.map(Some)
                },
                settings,
                enabled: None,
                capabilities,
            };
            let edited = channel_admin::edit(&data, id, patch).await?;
            report(&edited, "edited", json)?;
        }
        Disable { data, id, json } => switch(&data, id, false, json).await?,
        Enable { data, id, json } => switch(&data, id, true, json).await?,
        Delete { data, id, json } => {
            let deleted = channel_admin::delete(&data, id).await?;
            report(&deleted, "deleted", json)?;
        }
    }
    Ok(())
}

/// Turns a channel on or off.
async fn switch(data: &std::path::Path, id: Id, enabled: bool, json: bool) -> anyhow::Result<()> {
    let patch = ChannelPatch {
        enabled: Some(enabled),
        ..ChannelPatch::default()
    };
    let channel = channel_admin::edit(data, id, patch).await?;
    report(
        &channel,
        if enabled { "turned on" } else { "turned off" },
        json,
    )
}

/// Prints a changed channel: JSON for scripts, one line for people.
fn report(channel: &ChannelWithSecret, done: &str, json: bool) -> anyhow::Result<()> {
    if json {
        crate::outln!("{}", serde_json::to_string_pretty(channel)?)?;
    } else {
        crate::outln!("{done} {}", summary(channel))?;
    }
    Ok(())
}

/// `custom channel "Bridge" (id 3)`.
fn summary(c: &ChannelWithSecret) -> String {
    format!(
        "{} channel {:?} (id {})",
        c.channel.kind, c.channel.name, c.channel.id
    )
}

/// The channels as an aligned table.
fn table(channels: &[ChannelWithSecret]) -> String {
    let mut out = format!(
        "{:>4}  {:<9}  {:<3}  {:<30}  {}\n",
        "ID", "KIND", "ON", "NAME", "WEBHOOK"
    );
    for c in channels {
        let c = &c.channel;
        out.push_str(&format!(
            "{:>4}  {:<9}  {:<3}  {:<30}  {}\n",
            c.id,
            c.kind.as_str(),
            if c.enabled { "yes" } else { "no" },
            c.name,
            c.webhook_url.as_deref().unwrap_or("-"),
        ));
    }
    out
}
