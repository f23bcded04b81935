//! `frontdesk conversations`: the conversation list with the API's filters, as a table or
//! as NDJSON (one conversation per line, the API's field names).

use crate::cli::desk::{Desk, Target, with_desk};
use crate::cli::exit::usage;
use crate::client::api::ListQuery;
use crate::domain::{Agent, Conversation, Id};
use crate::tui::sanitize::sanitize_line;
use std::collections::HashMap;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// The largest page the API serves.
const PAGE: usize = 500;

/// The list filters of `GET /conversations`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct Filters {
    /// new, waiting_on_contact, waiting_on_us, closed, open (not closed) or snoozed.
    #[arg(long)]
    pub status: Option<String>,
    /// me, unassigned, any, or an agent's id, email or name.
    #[arg(long)]
    pub assignee: Option<String>,
    /// A channel id or kind (email, chat, form, messenger, whatsapp, call, custom).
    #[arg(long)]
    pub channel: Option<String>,
    /// A team's id or name.
    #[arg(long)]
    pub team: Option<String>,
    /// low, medium, high or urgent.
    #[arg(long)]
    pub priority: Option<String>,
    /// One label.
    #[arg(long)]
    pub label: Option<String>,
    /// Text search over subject, contact and message bodies.
    #[arg(long)]
    pub q: Option<String>,
}

impl Filters {
    /// The list query these filters ask for, names resolved to ids.
    pub async fn query(&self, desk: &Desk) -> anyhow::Result<ListQuery> {
        let assignee = match &self.assignee {
            Some(a) => Some(desk.assignee(a).await?),
            None => None,
        };
        let team = match &self.team {
            Some(t) if t.parse::<Id>().is_ok() => Some(t.clone()),
            Some(t) => Some(desk.team(t).await?.id.to_string()),
            None => None,
        };
        Ok(ListQuery {
            status: self.status.clone(),
            assignee,
            channel: self.channel.clone(),
            team,
            priority: self.priority.clone(),
            label: self.label.clone(),
            q: self.q.clone(),
            ..ListQuery::default()
        })
    }
}

/// `frontdesk conversations`.
#[derive(Debug, Clone, clap::Args)]
pub struct ConversationsArgs {
    #[command(flatten)]
    pub filters: Filters,
    /// At most this many conversations, most recently active first.
    #[arg(long, default_value_t = 50, conflicts_with = "all")]
    pub limit: usize,
    /// Every conversation that passes the filters.
    #[arg(long)]
    pub all: bool,
    /// One JSON object per line.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub local: crate::cli::desk::LocalArgs,
}

/// Runs `frontdesk conversations`.
pub async fn run(args: ConversationsArgs, target: Target) -> anyhow::Result<()> {
    if args.limit == 0 && !args.all {
        return Err(usage("--limit must be at least 1"));
    }
    with_desk(target, async |desk: &Desk| {
        let mut query = args.filters.query(desk).await?;
        let names = if args.json {
            HashMap::new()
        } else {
            agent_names(&desk.api.agents().await?)
        };
        let mut left = if args.all { usize::MAX } else { args.limit };
        let mut first = true;
        while left > 0 {
            query.limit = Some(left.min(PAGE));
            let page = desk.api.conversations(&query).await?;
            left = left.saturating_sub(page.items.len());
            let mut out = String::new();
            if !args.json && first {
                out.push_str(&header());
            }
            first = false;
            for c in &page.items {
                if args.json {
                    out.push_str(&serde_json::to_string(c)?);
                    out.push('\n');
                } else {
                    out.push_str(&row(c, &names));
                }
            }
            crate::cli::stdout::write(&out)?;
            match page.next_cursor {
                Some(cursor) if !page.items.is_empty() => query.cursor = Some(cursor),
                _ => break,
            }
        }
        Ok(())
    })
    .await
}

/// Agent names by id, for the owner column.
pub fn agent_names(agents: &[Agent]) -> HashMap<Id, String> {
    agents.iter().map(|a| (a.id, a.name.clone())).collect()
}

/// The table's column titles.
fn header() -> String {
    format!(
        "{:>6}  {:<18}  {:<6}  {:<14}  {:<9}  {:<20}  {:<16}  {}\n",
        "ID", "STATUS", "PRI", "OWNER", "CHANNEL", "CONTACT", "LAST ACTIVE", "SUBJECT"
    )
}

/// One conversation as a table row; customer text sanitised and cut to its column.
fn row(c: &Conversation, names: &HashMap<Id, String>) -> String {
    let owner = c
        .owner_id
        .map(|id| names.get(&id).cloned().unwrap_or_else(|| format!("#{id}")))
        .unwrap_or_else(|| "-".into());
    let at = c.last_message_at.to_string();
    format!(
        "{:>6}  {:<18}  {:<6}  {}  {:<9}  {}  {:<16}  {}\n",
        c.id,
        c.status.as_str(),
        c.priority.as_str(),
        fit(&owner, 14),
        c.channel_kind.as_str(),
        fit(&c.contact_name, 20),
        at.get(..16).unwrap_or(&at).replace('T', " "),
        fit(&c.subject, 60).trim_end(),
    )
}

/// `text` on one line, sanitised, cut and padded to `width` terminal columns.
pub fn fit(text: &str, width: usize) -> String {
    let clean = sanitize_line(text);
    let mut out = String::new();
    let mut used = 0;
    if clean.width() <= width {
        out.push_str(&clean);
        used = clean.width();
    } else {
        for ch in clean.chars() {
            let w = ch.width().unwrap_or(0);
            if used + w + 1 > width {
                break;
            }
            out.push(ch);
            used += w;
        }
        out.push('…');
        used += 1;
    }
    out.extend(std::iter::repeat_n(' ', width.saturating_sub(used)));
    out
}

#[cfg(test)]
mod tests {
    use super::fit;

    #[test]
    fn cells_are_cut_to_their_width_and_never_carry_escapes() {
        assert_eq!(fit("Refund", 8), "Refund  ");
        assert_eq!(fit("A very long subject", 8), "A very …");
        assert_eq!(fit("\u{1b}]52;c;evil\u{7}ok", 4), "ok  ");
        assert_eq!(fit("日本語のテキスト", 7), "日本語…");
    }
}
