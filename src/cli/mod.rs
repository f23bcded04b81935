//! Subcommands of the `frontdesk` command that manage a desk from scripts and shells.

pub mod actions;
pub mod agent;
pub mod canned;
pub mod channel;
pub mod completions;
pub mod compose;
pub mod conversations;
pub mod desk;
pub mod exit;
pub mod man;
pub mod show;
pub mod stdout;
pub mod watch;

use clap::Subcommand;
use desk::Target;

/// Work on conversations from a shell, against `--server` or the local desk.
#[derive(Debug, Clone, Subcommand)]
pub enum ScriptCommand {
    /// List conversations: a table, or NDJSON with --json.
    Conversations(conversations::ConversationsArgs),
    /// Print a conversation and its thread, or its JSON.
    Show(show::ShowArgs),
    /// Reply to the customer (text from --body, --body-file or standard input).
    Reply(compose::ComposeArgs),
    /// Add an internal note (text from --body, --body-file or standard input).
    Note(compose::ComposeArgs),
    /// Give conversations to an agent, a team, yourself (--me) or nobody.
    Assign(actions::AssignArgs),
    /// Set the status: new, waiting_on_contact, waiting_on_us or closed.
    Status(actions::ValueArgs),
    /// Close conversations.
    Close(actions::PlainArgs),
    /// Reopen conversations (waiting on us).
    Reopen(actions::PlainArgs),
    /// Add (+vip) and remove (-spam) labels.
    Label(actions::LabelArgs),
    /// Snooze for 30m, 4h, 2d, 1w or until an RFC 3339 time; `off` wakes them.
    Snooze(actions::ValueArgs),
    /// Print the live event stream; resumes after disconnects, never skips an event.
    Watch(watch::WatchArgs),
}

impl ScriptCommand {
    /// The `--data` of the command, for the local desk.
    fn data(&self) -> Option<std::path::PathBuf> {
        use ScriptCommand::*;
        let local = match self {
            Conversations(a) => &a.local,
            Show(a) => &a.local,
            Reply(a) | Note(a) => &a.local,
            Assign(a) => &a.from.local,
            Status(a) | Snooze(a) => &a.from.local,
            Label(a) => &a.from.local,
            Close(a) | Reopen(a) => &a.from.local,
            Watch(a) => &a.local,
        };
        local.data.clone()
    }
}

/// Runs one scripting command against the desk `target` names.
pub async fn run(command: ScriptCommand, mut target: Target) -> anyhow::Result<()> {
    target.data = command.data().or(target.data);
    use ScriptCommand::*;
    match command {
        Conversations(args) => conversations::run(args, target).await,
        Show(args) => show::run(args, target).await,
        Reply(args) => compose::run(args, false, target).await,
        Note(args) => compose::run(args, true, target).await,
        Assign(args) => actions::assign(args, target).await,
        Status(args) => actions::status(args, target).await,
        Close(args) => actions::set_status(args, crate::domain::Status::Closed, target).await,
        Reopen(args) => actions::set_status(args, crate::domain::Status::WaitingOnUs, target).await,
        Label(args) => actions::label(args, target).await,
        Snooze(args) => actions::snooze(args, target).await,
        Watch(args) => watch::run(args, target).await,
    }
}
