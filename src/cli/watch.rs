//! `frontdesk watch`: the live event stream as lines (NDJSON with `--json`). It resumes from
//! the last event it read whenever the connection drops, so no event is skipped or repeated,
//! and on exit (Ctrl-C, SIGTERM) it prints on stderr the `--since` that continues it.

use crate::api::{Event, EventKind};
use crate::cli::conversations::fit;
use crate::cli::desk::{Desk, LocalArgs, Target, with_desk};
use crate::cli::exit::Unreachable;
use crate::client::events::{Connection, Live};
use crate::domain::{ChannelKind, Conversation, Id, Priority, Status};

/// `frontdesk watch`.
#[derive(Debug, Clone, clap::Args)]
pub struct WatchArgs {
    /// Start after this event sequence number (default: from now on).
    #[arg(long)]
    pub since: Option<i64>,
    /// One JSON event per line, as the API sends them.
    #[arg(long)]
    pub json: bool,
    /// Only events of this type (`message.created`) or family (`conversation.`); repeatable.
    #[arg(long = "type", value_name = "TYPE")]
    pub types: Vec<String>,
    /// Only events about this conversation; repeatable.
    #[arg(long = "conversation", value_name = "ID")]
    pub conversations: Vec<Id>,
    /// Only conversations with this status (or `open`: not closed).
    #[arg(long)]
    pub status: Option<String>,
    /// Only conversations with this priority.
    #[arg(long)]
    pub priority: Option<Priority>,
    /// Only conversations on this channel (an id or a kind).
    #[arg(long)]
    pub channel: Option<String>,
    /// Only conversations owned by: me, unassigned, or an agent's id, email or name.
    #[arg(long)]
    pub assignee: Option<String>,
    /// Only conversations with this label.
    #[arg(long)]
    pub label: Option<String>,
    #[command(flatten)]
    pub local: LocalArgs,
}

/// Which events are printed; events without a conversation pass only when no conversation
/// filter is set.
struct Filter {
    types: Vec<String>,
    conversations: Vec<Id>,
    status: Option<String>,
    priority: Option<Priority>,
    channel: Option<String>,
    /// `Some(None)`: unassigned.
    owner: Option<Option<Id>>,
    label: Option<String>,
}

impl Filter {
    fn matches(&self, event: &Event) -> bool {
        let name = event.kind.type_name();
        if !self.types.is_empty()
            && !self.types.iter().any(|t| {
                t == name || (t.ends_with(['.', '*']) && name.starts_with(t.trim_end_matches('*')))
            })
        {
            return false;
        }
        if !self.conversations.is_empty()
            && !event
                .kind
                .conversation_id()
                .is_some_and(|id| self.conversations.contains(&id))
        {
            return false;
        }
        let by_fields = self.status.is_some()
            || self.priority.is_some()
            || self.channel.is_some()
            || self.owner.is_some()
            || self.label.is_some();
        if !by_fields {
            return true;
        }
        conversation(&event.kind).is_some_and(|c| self.fields_match(c))
    }

    fn fields_match(&self, c: &Conversation) -> bool {
        let status = self.status.as_deref().is_none_or(|s| match s {
            "open" => c.status != Status::Closed,
            s => c.status.as_str() == s,
        });
        let channel = self.channel.as_deref().is_none_or(|ch| {
            ch == c.channel_id.to_string()
                || ch.parse::<ChannelKind>().is_ok_and(|k| k == c.channel_kind)
        });
        status
            && channel
            && self.priority.is_none_or(|p| p == c.priority)
            && self.owner.is_none_or(|o| o == c.owner_id)
            && self.label.as_ref().is_none_or(|l| c.labels.contains(l))
    }
}

/// The conversation an event carries, as it is after the event.
fn conversation(kind: &EventKind) -> Option<&Conversation> {
    match kind {
        EventKind::ConversationCreated { conversation }
        | EventKind::ConversationUpdated { conversation, .. }
        | EventKind::MessageCreated { conversation, .. } => Some(conversation),
        _ => None,
    }
}

/// Runs `frontdesk watch` until interrupted.
pub async fn run(args: WatchArgs, target: Target) -> anyhow::Result<()> {
    with_desk(target, async |desk: &Desk| {
        let owner = match args.assignee.as_deref() {
            None | Some("any") => None,
            Some("unassigned") => Some(None),
            Some("me") => Some(Some(desk.api.me().await?.id)),
            Some(other) => Some(Some(desk.agent(other).await?.id)),
        };
        let filter = Filter {
            types: args.types.clone(),
            conversations: args.conversations.clone(),
            status: args.status.clone(),
            priority: args.priority,
            channel: args.channel.clone(),
            owner,
            label: args.label.clone(),
        };
        let since = match args.since {
            Some(since) => since,
            // Asks for the newest seq, which also proves the token before streaming.
            None => desk.api.count(&Default::default()).await?.seq,
        };
        stream(desk, since, &filter, args.json).await
    })
    .await
}

/// Prints events from after `since` until a signal; then the position to resume from.
async fn stream(desk: &Desk, since: i64, filter: &Filter, json: bool) -> anyhow::Result<()> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate())?;
    let mut interrupt = signal(SignalKind::interrupt())?;
    let (mut rx, task) =
        crate::client::events::spawn_trusting(&desk.base_url, &desk.token, since, &desk.trust);
    let mut position = since;
    let mut lost = false;
    let result = loop {
        let live = tokio::select! {
            live = rx.recv() => live,
            _ = term.recv() => break Ok(()),
            _ = interrupt.recv() => break Ok(()),
        };
        match live {
            Some(Live::Event(event)) => {
                if filter.matches(&event) {
                    let line = if json {
                        serde_json::to_string(&event)?
                    } else {
                        line(&event)
                    };
                    if let Err(e) = crate::outln!("{line}") {
                        task.abort();
                        return Err(e);
                    }
                }
                position = event.seq;
            }
            Some(Live::Status(Connection::Reconnecting {
                attempt,
                retry_in,
                reason,
            })) => {
                lost = true;
                eprintln!(
                    "frontdesk: event stream lost ({}); retry {attempt} in {:.1}s",
                    crate::tui::sanitize::sanitize_line(&reason),
                    retry_in.as_secs_f64()
                );
            }
            Some(Live::Status(Connection::Connected)) if lost => {
                lost = false;
                eprintln!("frontdesk: reconnected, resuming after {position}");
            }
            Some(Live::Status(Connection::Offline(why))) => break Err(Unreachable(why).into()),
            Some(Live::Status(_)) => {}
            Some(Live::Reset) => {
                break Err(anyhow::anyhow!(
                    "the desk's event log ends before {position} (it was replaced or restored)"
                ));
            }
            None => break Err(Unreachable("the event stream ended".into()).into()),
        }
    };
    task.abort();
    eprintln!("frontdesk: watch stopped; resume with --since {position}");
    result
}

/// One event as a line of text: `1042 2026-11-22T04:00:01.250Z message.created #42 …`.
fn line(event: &Event) -> String {
    let what = match &event.kind {
        EventKind::ConversationCreated { conversation: c } => format!(
            "#{} {} from {}",
            c.id,
            fit(&c.subject, 60).trim_end(),
            fit(&c.contact_name, 40).trim_end()
        ),
        EventKind::ConversationUpdated {
            conversation: c,
            changes,
        } => format!(
            "#{} {} (status {}, priority {}, owner {})",
            c.id,
            changes.join(","),
            c.status.as_str(),
            c.priority.as_str(),
            c.owner_id.map_or("-".into(), |o| o.to_string())
        ),
        EventKind::MessageCreated {
            conversation_id,
            message: m,
            ..
        } => format!(
            "#{conversation_id} {} {}: {}",
            m.kind.as_str(),
            fit(&m.sender.name, 40).trim_end(),
            fit(&m.body, 80).trim_end()
        ),
        EventKind::MessageUpdated { message: m } => format!(
            "#{} message {} {}",
            m.conversation_id,
            m.id,
            m.delivery.as_ref().map_or("-", |d| d.status.as_str())
        ),
        EventKind::ContactCreated { contact } | EventKind::ContactUpdated { contact } => {
            format!(
                "contact {} {}",
                contact.id,
                fit(&contact.name, 40).trim_end()
            )
        }
        EventKind::ChannelCreated { channel }
        | EventKind::ChannelUpdated { channel }
        | EventKind::ChannelDeleted { channel } => {
            format!(
                "channel {} {}",
                channel.id,
                fit(&channel.name, 40).trim_end()
            )
        }
        EventKind::AgentUpdated { agent } => {
            format!("agent {} {}", agent.id, fit(&agent.name, 40).trim_end())
        }
        EventKind::TeamUpdated { team } => {
            format!("team {} {}", team.id, fit(&team.name, 40).trim_end())
        }
        EventKind::ConversationRead {
            conversation_id,
            agent_id,
        } => format!("#{conversation_id} read by agent {agent_id}"),
        EventKind::MentionCreated {
            conversation_id,
            message: m,
            ..
        } => format!(
            "#{conversation_id} {} mentioned you: {}",
            fit(&m.sender.name, 40).trim_end(),
            fit(&m.body, 80).trim_end()
        ),
        EventKind::MentionSeen {
            conversation_id, ..
        } => format!("#{conversation_id} mentions seen"),
        EventKind::CannedCreated { canned }
        | EventKind::CannedUpdated { canned }
        | EventKind::CannedDeleted { canned } => {
            format!("canned {} {}", canned.id, fit(&canned.name, 40).trim_end())
        }
    };
    format!(
        "{} {} {} {what}",
        event.seq,
        event.at,
        event.kind.type_name()
    )
}
