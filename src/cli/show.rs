//! `frontdesk show ID`: a conversation and its thread, sanitised, with quoted history and
//! signatures folded as the terminal client folds them; or the API's JSON.

use crate::api::ConversationDetail;
use crate::cli::conversations::agent_names;
use crate::cli::desk::{Desk, LocalArgs, Target, with_desk};
use crate::domain::{Id, Message, MessageKind};
use crate::tui::quotes::{Segment, segments};
use crate::tui::sanitize::{sanitize, sanitize_line};
use std::collections::HashMap;
use std::fmt::Write;

/// Most messages `--all` fetches, so a runaway thread cannot exhaust memory.
const MAX_MESSAGES: usize = 20_000;
/// Messages per request when fetching older history.
const PAGE: usize = 500;

/// `frontdesk show`.
#[derive(Debug, Clone, clap::Args)]
pub struct ShowArgs {
    /// The conversation's id.
    pub id: Id,
    /// The whole thread, not only the latest 50 messages.
    #[arg(long)]
    pub all: bool,
    /// Show quoted history and signatures instead of folding them.
    #[arg(long)]
    pub quotes: bool,
    /// The conversation with its contact and messages as one JSON object.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub local: LocalArgs,
}

/// Runs `frontdesk show`.
pub async fn run(args: ShowArgs, target: Target) -> anyhow::Result<()> {
    with_desk(target, async |desk: &Desk| {
        let mut detail = desk.api.conversation(args.id).await?;
        if args.all {
            older(desk, &mut detail).await?;
        }
        if args.json {
            return crate::outln!("{}", serde_json::to_string(&detail)?);
        }
        let names = agent_names(&desk.api.agents().await?);
        crate::cli::stdout::write(&render(&detail, &names, args.quotes))
    })
    .await
}

/// Fetches the older messages of `detail` until the thread is whole (or at its bound).
async fn older(desk: &Desk, detail: &mut ConversationDetail) -> anyhow::Result<()> {
    while detail.has_older && detail.messages.len() < MAX_MESSAGES {
        let Some(before) = detail.messages.first().map(|m| m.id) else {
            break;
        };
        let page = desk
            .api
            .messages(detail.conversation.id, Some(before), PAGE)
            .await?;
        detail.has_older = page.has_older && !page.items.is_empty();
        let newer = std::mem::take(&mut detail.messages);
        detail.messages = page.items;
        detail.messages.extend(newer);
    }
    Ok(())
}

/// The conversation as text for a terminal.
fn render(detail: &ConversationDetail, names: &HashMap<Id, String>, quotes: bool) -> String {
    let c = &detail.conversation;
    let owner = c
        .owner_id
        .map(|id| names.get(&id).cloned().unwrap_or_else(|| format!("#{id}")))
        .unwrap_or_else(|| "nobody".into());
    let mut out = String::new();
    let _ = writeln!(out, "#{}  {}", c.id, sanitize_line(&c.subject));
    let _ = writeln!(
        out,
        "status {}  priority {}  owner {}  channel {} ({})",
        c.status.as_str(),
        c.priority.as_str(),
        sanitize_line(&owner),
        c.channel_kind.as_str(),
        c.channel_id
    );
    let contact = &detail.contact;
    let email = contact
        .email
        .as_deref()
        .map(|e| format!(" <{}>", sanitize_line(e)))
        .unwrap_or_default();
    let _ = writeln!(out, "contact {}{email}", sanitize_line(&contact.name));
    if !c.labels.is_empty() {
        let labels: Vec<_> = c.labels.iter().map(|l| sanitize_line(l)).collect();
        let _ = writeln!(out, "labels {}", labels.join(", "));
    }
    if let Some(until) = c.snoozed_until {
        let _ = writeln!(out, "snoozed until {until}");
    }
    if detail.has_older {
        let _ = writeln!(out, "\n… older messages not shown (--all shows them)");
    }
    for message in &detail.messages {
        out.push('\n');
        out.push_str(&message_text(message, quotes));
    }
    out
}

/// One message: who, when, and its body with quotes folded unless `quotes`.
fn message_text(m: &Message, quotes: bool) -> String {
    let what = match m.kind {
        MessageKind::Inbound => "wrote",
        MessageKind::Outbound => "replied",
        MessageKind::Note => "noted (internal)",
    };
    let mut out = format!(
        "── {} {what} · {}\n",
        sanitize_line(&m.sender.name),
        m.created_at
    );
    let body = sanitize(&m.body);
    for segment in segments(&body) {
        match segment {
            Segment::Text(lines) => lines.iter().for_each(|l| {
                let _ = writeln!(out, "  {l}");
            }),
            Segment::Quote(lines) | Segment::Signature(lines) if quotes => {
                lines.iter().for_each(|l| {
                    let _ = writeln!(out, "  {l}");
                })
            }
            Segment::Signature(_) => out.push_str("  … signature\n"),
            Segment::Quote(lines) => {
                let _ = writeln!(out, "  … {} quoted lines", lines.len());
            }
        }
    }
    for a in &m.attachments {
        let _ = writeln!(
            out,
            "  [{} {} · {} bytes]",
            a.kind.as_str(),
            sanitize_line(&a.name),
            a.size
        );
    }
    out
}
