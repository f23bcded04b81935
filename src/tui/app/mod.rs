//! The client's state and its one mutation point, `App::update`.
//!
//! Everything that happens (a key, a live event, an answer from the server, a change in the
//! outbox, the clock) arrives as a `Msg`; `update` changes the state and returns the
//! `Effect`s to run (requests, sends, a bell). It does no I/O and reads no clock (the time
//! comes in with each message), so it is tested without a terminal or server.
//!
//! Each pane is a component in its own module that owns its state, the operations on it and
//! the commands it offers: [`ListPane`], [`ThreadPane`], [`ContactPane`], [`EditorPane`]. Their
//! commands ([`Pane::commands`]) feed the hint line and `?`. `App` holds the panes and what
//! they share (the agents, the generations, the layers), routes each key to the pane or layer
//! that has it, and turns the panes' changes into effects.
//! Menus, the palette, help, confirmations and the contact overlay are [`Layer`]s on a stack
//! above the panes; the top one takes the keys, in its own keymap context.

mod actions;
pub mod attach;
mod canned;
mod editor;
mod layers;
mod list;
mod live;
mod mentions;
mod outbox;
mod presence;
mod reach;
mod requests;
mod sidebar;
mod thread;

pub use attach::{Attached, DirEntry, Listing};
pub use editor::{EditorPane, text_area, text_of};
pub use layers::{Layer, Menu, Pending};
pub use list::ListPane;
pub use mentions::Mentioned;
pub use presence::Replying;
pub use requests::{Generations, Slot};
pub use sidebar::ContactPane;
pub use thread::ThreadPane;

use super::keymap::{Action, Context, Keymap};
use crate::api::{
    ContactDetail, ConversationDetail, ConversationPage, ConversationPatch, Event, LabelCount,
};
use crate::client::events::Connection;
use crate::client::outbox::{EntryState, OutboxUpdate};
use crate::domain::{Agent, Channel, Conversation, Id, Message, Team};
use crossterm::event::{KeyEvent, MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::{Position, Rect};
use std::collections::HashMap;

/// Conversations fetched per list page: more than any screen shows; more load on scroll.
pub const PAGE: usize = 60;

/// Which pane has the keyboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    List,
    Thread,
    Sidebar,
    Editor,
}

/// A named list filter, shown as a tab.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct View {
    pub name: &'static str,
    pub status: Option<&'static str>,
    pub assignee: Option<&'static str>,
}

/// The built-in views, in tab order.
pub const VIEWS: &[View] = &[
    View {
        name: "Open",
        status: Some("open"),
        assignee: None,
    },
    View {
        name: "Mine",
        status: Some("open"),
        assignee: Some("me"),
    },
    View {
        name: "Unassigned",
        status: Some("open"),
        assignee: Some("unassigned"),
    },
    View {
        name: "Waiting on us",
        status: Some("waiting_on_us"),
        assignee: None,
    },
    View {
        name: "Snoozed",
        status: Some("snoozed"),
        assignee: None,
    },
    View {
        name: "Closed",
        status: Some("closed"),
        assignee: None,
    },
    View {
        name: "All",
        status: None,
        assignee: None,
    },
];

/// The query behind the list: a view plus free text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListRequest {
    pub status: Option<String>,
    pub assignee: Option<String>,
    pub channel: Option<String>,
    pub priority: Option<String>,
    pub team: Option<String>,
    pub q: Option<String>,
    pub cursor: Option<String>,
}

/// Filters set from the palette on top of the view (`None` keeps the view's).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Narrow {
    pub status: Option<String>,
    pub assignee: Option<String>,
    pub channel: Option<String>,
    pub priority: Option<String>,
    pub team: Option<String>,
}

impl Narrow {
    /// `field=value` pairs of what is set, for the list's title.
    pub fn label(&self) -> String {
        [
            ("status", &self.status),
            ("assignee", &self.assignee),
            ("channel", &self.channel),
            ("priority", &self.priority),
            ("team", &self.team),
        ]
        .iter()
        .filter_map(|(k, v)| v.as_ref().map(|v| format!("{k}={v}")))
        .collect::<Vec<_>>()
        .join(" ")
    }
}

/// How a reply being written will go out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compose {
    Reply,
    Note,
}

/// What picking a menu entry does.
#[derive(Debug, Clone, PartialEq)]
pub enum Choice {
    /// Change the targets of the menu.
    Patch(ConversationPatch),
    /// Save (or open) an attachment.
    Attachment { url: String, name: String },
    /// Remove the file at this index from the draft of the conversation.
    Detach(usize),
    /// Open this conversation.
    Open(Id),
}

/// The open conversation, once its answer arrived.
#[derive(Debug, Clone)]
pub struct Thread {
    pub detail: ConversationDetail,
    /// Lines scrolled up from the bottom; 0 follows new messages.
    pub scroll: usize,
    /// The farthest `scroll` reaches (the top of what is loaded), as last drawn.
    pub max_scroll: Option<usize>,
    pub loading_older: bool,
    /// Quoted history is shown in full instead of folded.
    pub quotes_expanded: bool,
}

/// How a reply in the outbox stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    Sending,
    /// Not acknowledged yet; the outbox keeps trying. The last error, for the agent.
    Retrying(String),
    Sent,
    Failed(String),
}

/// A reply the agent sent, as the thread shows it until the server's message replaces it.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub client_id: String,
    pub conversation_id: Id,
    pub body: String,
    pub internal: bool,
    pub delivery: Delivery,
}

/// A line for the status bar. Information fades after [`NOTICE_MS`]; an error stays until
/// another notice replaces it or the agent dismisses it (Esc).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub text: String,
    pub error: bool,
    /// When it was posted (ms since the epoch).
    pub at: i64,
}

/// How long an informational notice stays in the status bar.
pub const NOTICE_MS: i64 = 5_000;

/// How long `u` can undo the last change.
pub const UNDO_MS: i64 = 10_000;

/// The last status, assignment or priority change, and how to take it back.
#[derive(Debug, Clone, PartialEq)]
pub struct Undo {
    /// What it did, for the notice ("closed 7").
    pub what: String,
    /// Per conversation, the patch that restores what it was.
    pub restore: Vec<(Id, ConversationPatch)>,
    /// When it was made (ms since the epoch).
    pub at: i64,
}

/// Which activity rings the bell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BellPolicy {
    /// A customer message on a conversation I own; a conversation assigned to me by someone
    /// else.
    #[default]
    Mine,
    /// As `mine`, plus new conversations and customer messages nobody owns yet.
    Unassigned,
    /// Every customer message.
    All,
    Off,
}

/// A change sent for several conversations at once, counted until every answer is in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Batch {
    pub id: u64,
    /// The past tense of what it does ("closed").
    pub done_verb: String,
    pub total: usize,
    pub ok: usize,
    pub failed: Vec<String>,
}

/// Something the app asks the outside world to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    FetchList {
        request: ListRequest,
        append: bool,
        generation: u64,
    },
    FetchConversation {
        id: Id,
        generation: u64,
    },
    FetchOlder {
        id: Id,
        before: Id,
        generation: u64,
    },
    FetchContact {
        id: Id,
        generation: u64,
    },
    /// Count each view's conversations; after a short pause when `delay`, so a burst of
    /// activity costs one more round of counts, not one per event.
    FetchCounts {
        requests: Vec<ListRequest>,
        delay: bool,
        generation: u64,
    },
    /// The labels in use on the desk, for completion.
    FetchLabels,
    Send {
        conversation_id: Id,
        body: String,
        internal: bool,
        /// Reply on this channel instead of the conversation's own.
        channel_id: Option<Id>,
        /// Files to upload and attach.
        attachments: Vec<Attached>,
        /// Agents a note mentions.
        mentions: Vec<Id>,
        /// The e-mail header fields of a reply by e-mail.
        email: Option<crate::api::ReplyEmail>,
    },
    /// Which channels reach a conversation's contact, for the reply being started.
    FetchReplyChannels {
        conversation_id: Id,
    },
    /// The conversations where this agent was mentioned and has not looked.
    FetchMentions,
    /// The desk's replies waiting, retrying or failed.
    FetchOutbox,
    /// A new round of attempts for a failed reply.
    RetryMessage {
        conversation_id: Id,
        message_id: Id,
    },
    /// Gives up a failed or waiting reply.
    DiscardMessage {
        conversation_id: Id,
        message_id: Id,
    },
    /// List a directory for the path prompt (`dir` as typed: `""`, `~/`, `../logs/`).
    ListDir {
        dir: String,
    },
    /// Change one conversation; `batch` counts it into a bulk change's result line.
    Patch {
        id: Id,
        patch: ConversationPatch,
        batch: Option<u64>,
    },
    MarkRead(Id),
    SetAvailable(bool),
    /// New activity for me: ring the bell (and, when enabled, a desktop notification).
    Bell {
        title: String,
    },
    /// Save an attachment into the downloads folder, then open it when `open`; the outcome
    /// comes back as a notice. `name` is already sanitised.
    SaveAttachment {
        url: String,
        name: String,
        open: bool,
    },
    /// Tell the other agents this one started or stopped writing in `conversation_id`.
    Composing {
        conversation_id: Id,
        composing: bool,
    },
    /// Keep the draft of `conversation_id` on disk as `text` (an empty text removes it).
    SaveDraft {
        conversation_id: Id,
        text: String,
    },
    /// Hand the draft of `conversation_id` to `$EDITOR`; the edited text comes back as
    /// `Msg::Edited` for the same conversation.
    Edit {
        conversation_id: Id,
        draft: String,
    },
    Quit,
}

impl Effect {
    /// The slot a request is for: a newer request for the same slot cancels this one.
    pub fn slot(&self) -> Option<(Slot, u64)> {
        match self {
            Effect::FetchList { generation, .. } => Some((Slot::List, *generation)),
            Effect::FetchConversation { generation, .. } => Some((Slot::Thread, *generation)),
            Effect::FetchOlder { generation, .. } => Some((Slot::Older, *generation)),
            Effect::FetchContact { generation, .. } => Some((Slot::Contact, *generation)),
            Effect::FetchCounts { generation, .. } => Some((Slot::Counts, *generation)),
            _ => None,
        }
    }
}

/// Everything that can happen to the app.
#[derive(Debug)]
pub enum Msg {
    Key(KeyEvent),
    /// Pasted text (bracketed paste): inserted as typed, no key actions fire.
    Paste(String),
    Mouse(MouseEvent),
    Live(Event),
    Connection(Connection),
    /// The terminal now shows this many list rows.
    Resize {
        list_rows: usize,
    },
    /// The clock moved on: ages, notices and the undo window may look different.
    Tick,
    /// The server's history restarted: reload the list and the open conversation.
    Reset,
    /// The draft as `$EDITOR` left it, for the conversation it was written in.
    Edited {
        conversation_id: Id,
        text: String,
    },
    List {
        page: ConversationPage,
        append: bool,
        generation: u64,
    },
    Conversation {
        detail: ConversationDetail,
        generation: u64,
    },
    Older {
        id: Id,
        messages: Vec<Message>,
        has_older: bool,
        generation: u64,
    },
    Contact {
        detail: ContactDetail,
        generation: u64,
    },
    /// How many conversations each view holds, in `VIEWS` order; `None` if counting failed.
    Counts {
        counts: Option<Vec<i64>>,
        generation: u64,
    },
    Labels(Vec<LabelCount>),
    /// A directory listed for the path prompt.
    Listing(Listing),
    /// The conversations where this agent was mentioned (at start).
    Mentions(Vec<crate::api::MentionSummary>),
    ReplyChannels(crate::api::ReplyChannels),
    /// The desk's outbox, newest first.
    OutboxPage(crate::api::OutboxPage),
    /// A message as the server has it now (after a retry or discard).
    MessageChanged(Message),
    /// Another agent started, goes on or stopped writing in a conversation.
    Presence(crate::api::Presence),
    /// A request of `slot` failed; shown only if it was still the latest.
    FetchFailed {
        slot: Slot,
        generation: u64,
        error: String,
    },
    Outbox(OutboxUpdate),
    Queued(Outgoing),
    /// The server's answer to a change this client asked for.
    Updated {
        conversation: Conversation,
        batch: Option<u64>,
    },
    /// The server refused a change this client asked for.
    PatchFailed {
        id: Id,
        error: String,
        batch: Option<u64>,
    },
    Agent(Agent),
    /// Something finished that the agent should hear about (an attachment saved...).
    Notice(String),
    Failed(String),
    /// A reply with files could not be queued (a file would not upload): its text and files
    /// go back to the conversation's draft.
    Unsent {
        conversation_id: Id,
        body: String,
        files: Vec<Attached>,
        error: String,
    },
}

/// The whole client state.
pub struct App {
    pub me: Agent,
    pub agents: Vec<Agent>,
    /// Teams conversations can be assigned to (the assign menu lists them after agents).
    pub teams: Vec<Team>,
    /// The desk's channels, for choosing where a reply goes.
    pub channels: Vec<Channel>,
    /// Snippets for the reply editor.
    pub canned: Vec<super::canned::Canned>,
    /// Labels in use on the desk, most used first, for completion.
    pub labels: Vec<String>,
    pub keymap: Keymap,
    /// The time as of the latest message (ms since the epoch); views get it passed in.
    pub now: i64,
    /// Which request answers may still change the screen.
    pub gens: Generations,
    pub list: ListPane,
    pub thread: ThreadPane,
    /// The contact sidebar (or, below 120 columns, the overlay).
    pub contact: ContactPane,
    pub editor: EditorPane,
    pub focus: Pane,
    /// Menus, palette, help, confirmations: the top one takes the keys.
    pub layers: Vec<Layer>,
    pub connection: Connection,
    pub notice: Option<Notice>,
    /// Where the last frame put the panes, to find what a mouse click points at.
    layout: super::views::Drawn,
    pub bell: BellPolicy,
    /// The last change `u` can take back.
    pub undo: Option<Undo>,
    /// Bulk changes whose answers are still coming in.
    pub batches: Vec<Batch>,
    next_batch: u64,
    /// Conversations this client changed lately: their events are my own doing.
    own_changes: HashMap<Id, i64>,
    /// Conversations where this agent was mentioned and has not looked, newest first.
    pub mentioned: Vec<Mentioned>,
    /// The desk's outbox as last fetched, for its menu.
    pub outbox: Vec<crate::api::OutboxItem>,
    /// Other agents writing in conversations now.
    pub replying: Vec<Replying>,
    /// The conversation this agent is writing in, as last told to the others.
    composing: Option<Id>,
    pub quit: bool,
}

impl Pane {
    /// The commands the pane offers, in the order the hint line shows them.
    pub fn commands(self) -> &'static [Action] {
        match self {
            Pane::List => ListPane::COMMANDS,
            Pane::Thread => ThreadPane::COMMANDS,
            Pane::Sidebar => ContactPane::COMMANDS,
            Pane::Editor => EditorPane::COMMANDS,
        }
    }

    /// The keymap context of the pane.
    pub fn context(self) -> Context {
        match self {
            Pane::List => Context::List,
            Pane::Thread => Context::Thread,
            Pane::Sidebar => Context::Sidebar,
            Pane::Editor => Context::Editor,
        }
    }
}

impl App {
    /// A fresh app for `me`; call `start` for its first effects.
    pub fn new(me: Agent, agents: Vec<Agent>, keymap: Keymap) -> App {
        App {
            me,
            agents,
            teams: Vec::new(),
            channels: Vec::new(),
            canned: Vec::new(),
            labels: Vec::new(),
            keymap,
            now: 0,
            gens: Generations::default(),
            list: ListPane::default(),
            thread: ThreadPane::default(),
            contact: ContactPane::default(),
            editor: EditorPane::default(),
            focus: Pane::List,
            layers: Vec::new(),
            connection: Connection::Connecting,
            notice: None,
            layout: super::views::Drawn::default(),
            bell: BellPolicy::Mine,
            undo: None,
            batches: Vec::new(),
            next_batch: 0,
            own_changes: HashMap::new(),
            mentioned: Vec::new(),
            outbox: Vec::new(),
            replying: Vec::new(),
            composing: None,
            quit: false,
        }
    }

    /// The first effects: load the list, count the views, learn the labels in use.
    pub fn start(&mut self) -> Vec<Effect> {
        let mut effects = vec![self.reload()];
        effects.extend(self.count_views(false));
        effects.push(Effect::FetchLabels);
        effects.push(Effect::FetchMentions);
        effects
    }

    /// Counts every view again, unless a round is already on its way (then once it lands,
    /// after a pause when `delay`: a steady stream of activity costs a round per pause).
    pub fn count_views(&mut self, delay: bool) -> Option<Effect> {
        if self.list.counts_pending {
            self.list.counts_stale = true;
            return None;
        }
        self.list.counts_pending = true;
        self.list.counts_stale = false;
        let requests = VIEWS
            .iter()
            .map(|v| ListRequest {
                status: v.status.map(str::to_string),
                assignee: v.assignee.map(str::to_string),
                ..ListRequest::default()
            })
            .collect();
        Some(Effect::FetchCounts {
            requests,
            delay,
            generation: self.gens.next(Slot::Counts),
        })
    }

    /// The name of an agent, for display.
    pub fn agent_name(&self, id: Option<Id>) -> &str {
        match id {
            None => "",
            Some(id) => self
                .agents
                .iter()
                .find(|a| a.id == id)
                .map_or("?", |a| a.name.as_str()),
        }
    }

    /// The name of a team, for display.
    pub fn team_name(&self, id: Option<Id>) -> Option<&str> {
        let id = id?;
        Some(
            self.teams
                .iter()
                .find(|t| t.id == id)
                .map_or("?", |t| t.name.as_str()),
        )
    }

    /// The name of a channel, for display.
    pub fn channel_name(&self, id: Id) -> Option<&str> {
        self.channels
            .iter()
            .find(|c| c.id == id)
            .map(|c| c.name.as_str())
    }

    /// The keymap context of whatever takes the keys now.
    pub fn context(&self) -> Context {
        match self.layers.last() {
            Some(layer) => layer.context(),
            None => self.focus.context(),
        }
    }

    /// The text of the open conversation's draft.
    pub fn draft(&self) -> String {
        self.thread
            .open
            .and_then(|id| self.editor.drafts.get(&id))
            .map(text_of)
            .unwrap_or_default()
    }

    /// The editor of the open conversation's draft, if it has one.
    pub fn draft_editor(&self) -> Option<&ratatui_textarea::TextArea<'static>> {
        self.editor.drafts.get(&self.thread.open?)
    }

    /// Shows `text` in the status bar for a few seconds.
    pub fn inform(&mut self, text: impl Into<String>) {
        self.notice = Some(Notice {
            text: text.into(),
            error: false,
            at: self.now,
        });
    }

    /// Shows `text` in the status bar until replaced or dismissed.
    pub fn warn(&mut self, text: impl Into<String>) {
        self.notice = Some(Notice {
            text: text.into(),
            error: true,
            at: self.now,
        });
    }

    /// The notice to show at `now`, if any is still current.
    pub fn notice_at(&self, now: i64) -> Option<&Notice> {
        self.notice
            .as_ref()
            .filter(|n| n.error || now < n.at + NOTICE_MS)
    }

    /// The next moment the screen changes on its own (a notice fading, the undo window
    /// closing), besides ages, which the view reports.
    pub fn next_change(&self) -> Option<i64> {
        let notice = self
            .notice
            .as_ref()
            .filter(|n| !n.error && self.now < n.at + NOTICE_MS)
            .map(|n| n.at + NOTICE_MS);
        let undo = self
            .undo
            .as_ref()
            .filter(|u| self.now < u.at + UNDO_MS)
            .map(|u| u.at + UNDO_MS);
        notice
            .into_iter()
            .chain(undo)
            .chain(self.next_lapse())
            .min()
    }

    /// Applies one message at time `now` (ms since the epoch); returns what to do next.
    pub fn update_at(&mut self, msg: Msg, now: i64) -> Vec<Effect> {
        self.now = self.now.max(now);
        let mut effects = self.update(msg);
        effects.extend(self.composing_effects());
        effects
    }

    /// Applies one message at the time last given; returns what to do next.
    pub fn update(&mut self, msg: Msg) -> Vec<Effect> {
        match msg {
            Msg::Key(key) => self.key(key),
            Msg::Paste(text) => self.paste(&text),
            Msg::Mouse(m) => self.mouse(m),
            Msg::Live(event) => self.live(event),
            Msg::Connection(c) => {
                self.connection = c;
                vec![]
            }
            Msg::Resize { list_rows } => {
                self.list.height = list_rows.max(1);
                self.list.keep_visible();
                vec![]
            }
            Msg::Tick => {
                self.own_changes.retain(|_, until| *until > self.now);
                vec![]
            }
            Msg::Edited {
                conversation_id,
                text,
            } => {
                self.set_draft(conversation_id, &text);
                if self.thread.open == Some(conversation_id) {
                    self.focus = Pane::Editor;
                }
                vec![Effect::SaveDraft {
                    conversation_id,
                    text,
                }]
            }
            Msg::Reset => {
                self.inform("the server's history restarted: reloaded");
                let mut effects = vec![self.reload()];
                effects.extend(self.count_views(false));
                if let Some(id) = self.thread.open {
                    effects.extend(self.fetch_thread(id));
                }
                effects
            }
            Msg::List {
                page,
                append,
                generation,
            } => {
                self.list_page(page, append, generation);
                vec![]
            }
            Msg::Conversation { detail, generation } => self.thread_loaded(detail, generation),
            Msg::Older {
                id,
                messages,
                has_older,
                generation,
            } => {
                self.older_loaded(id, messages, has_older, generation);
                vec![]
            }
            Msg::Contact { detail, generation } => {
                if self.gens.is_current(Slot::Contact, generation) {
                    self.contact.selected = detail
                        .conversations
                        .iter()
                        .position(|x| Some(x.id) == self.thread.open)
                        .unwrap_or(0);
                    self.contact.detail = Some(detail);
                }
                vec![]
            }
            Msg::OutboxPage(page) => {
                self.show_outbox(page);
                vec![]
            }
            Msg::MessageChanged(message) => {
                self.message_changed(message);
                vec![]
            }
            Msg::ReplyChannels(reach) => {
                self.reach_arrived(reach);
                vec![]
            }
            Msg::Mentions(summaries) => {
                self.mentions_loaded(summaries);
                vec![]
            }
            Msg::Presence(p) => {
                self.presence(p);
                vec![]
            }
            Msg::Listing(listing) => {
                self.listed(listing);
                vec![]
            }
            Msg::Labels(labels) => {
                self.labels = labels.into_iter().map(|l| l.label).collect();
                vec![]
            }
            Msg::FetchFailed {
                slot,
                generation,
                error,
            } => {
                if !self.gens.is_current(slot, generation) {
                    return vec![];
                }
                match slot {
                    Slot::List => (self.list.loading, self.list.paging) = (false, false),
                    Slot::Counts => self.list.counts_pending = false,
                    Slot::Older => {
                        if let Some(t) = self.thread.loaded.as_mut() {
                            t.loading_older = false;
                        }
                    }
                    Slot::Thread | Slot::Contact => {}
                }
                self.warn(error);
                vec![]
            }
            Msg::Outbox(u) => {
                let mut failed = None;
                if let Some(o) = self
                    .editor
                    .outgoing
                    .iter_mut()
                    .find(|o| o.client_id == u.client_id)
                {
                    o.delivery = match (u.state, u.error.clone()) {
                        (EntryState::Sent, _) => Delivery::Sent,
                        (EntryState::Failed, e) => {
                            Delivery::Failed(e.unwrap_or_else(|| "refused".into()))
                        }
                        (EntryState::Sending, Some(e)) => Delivery::Retrying(e),
                        (EntryState::Sending, None) => Delivery::Sending,
                    };
                    if let Delivery::Failed(e) = &o.delivery {
                        failed = Some(format!("reply not sent: {e}"));
                    }
                }
                if let Some(f) = failed {
                    self.warn(f);
                }
                if let Some(m) = u.message {
                    self.add_message(m);
                }
                vec![]
            }
            Msg::Queued(o) => {
                self.editor.outgoing.push(o);
                vec![]
            }
            Msg::Updated {
                conversation,
                batch,
            } => {
                self.count_batch(batch, None);
                if let Some(t) = self
                    .thread
                    .loaded
                    .as_mut()
                    .filter(|t| t.detail.conversation.id == conversation.id)
                {
                    t.detail.conversation = conversation.clone();
                }
                self.upsert(conversation, false);
                vec![]
            }
            Msg::PatchFailed { id, error, batch } => {
                if batch.is_some() {
                    self.count_batch(batch, Some(format!("#{id}: {error}")));
                } else {
                    self.warn(format!("#{id} not changed: {error}"));
                }
                vec![]
            }
            Msg::Agent(a) => {
                if a.id == self.me.id {
                    self.me = a.clone();
                }
                match self.agents.iter_mut().find(|x| x.id == a.id) {
                    Some(x) => *x = a,
                    None => self.agents.push(a),
                }
                vec![]
            }
            Msg::Counts { counts, generation } => {
                if !self.gens.is_current(Slot::Counts, generation) {
                    return vec![];
                }
                self.list.counts_pending = false;
                if let Some(counts) = counts {
                    self.list.counts = counts.into_iter().map(Some).collect();
                }
                if self.list.counts_stale {
                    return self.count_views(true).into_iter().collect();
                }
                vec![]
            }
            Msg::Notice(text) => {
                self.inform(text);
                vec![]
            }
            Msg::Failed(e) => {
                self.warn(e);
                vec![]
            }
            Msg::Unsent {
                conversation_id,
                body,
                files,
                error,
            } => {
                self.unsent(conversation_id, &body, files);
                self.warn(format!("not sent: {error}; the reply is back in its draft"));
                vec![]
            }
        }
    }

    /// A click or a wheel turn: the wheel scrolls the pane under the pointer; a click focuses
    /// a pane, picks a list row, and opens the row already picked.
    fn mouse(&mut self, m: MouseEvent) -> Vec<Effect> {
        if !self.layers.is_empty() || self.list.filtering {
            return vec![];
        }
        let at = |r: Rect| r.contains(Position::new(m.column, m.row));
        let under = match (
            self.layout.list_rows,
            self.layout.thread,
            self.layout.sidebar,
        ) {
            (Some((r, _)), _, _) if at(r) => Some(Pane::List),
            (_, Some(r), _) if at(r) => Some(Pane::Thread),
            (_, _, Some(r)) if at(r) => Some(Pane::Sidebar),
            _ => None,
        };
        let Some(pane) = under else { return vec![] };
        match m.kind {
            MouseEventKind::ScrollDown | MouseEventKind::ScrollUp => {
                let step = if m.kind == MouseEventKind::ScrollDown {
                    3
                } else {
                    -3
                };
                let focus = std::mem::replace(&mut self.focus, pane);
                let effects = self.move_by(step);
                self.focus = focus;
                effects
            }
            MouseEventKind::Down(MouseButton::Left) => {
                let row = self
                    .layout
                    .list_rows
                    .filter(|_| pane == Pane::List)
                    .map(|(r, offset)| offset + usize::from(m.row - r.y));
                self.focus = pane;
                match row {
                    Some(row) if row == self.list.selected => self.open_selected(),
                    Some(row) if row < self.list.rows.len() => {
                        let delta = row as isize - self.list.selected as isize;
                        self.move_by(delta)
                    }
                    _ => vec![],
                }
            }
            _ => vec![],
        }
    }

    fn key(&mut self, key: KeyEvent) -> Vec<Effect> {
        if !self.layers.is_empty() {
            return self.layer_key(key);
        }
        if self.list.filtering {
            return self.filter_key(key);
        }
        let action = self.keymap.action(self.context(), key);
        if self.focus == Pane::Editor {
            if let Some(effects) = action.and_then(|a| self.editor_action(a)) {
                return effects;
            }
            if action.is_none()
                && let Some(effects) = self.editor_key(key)
            {
                return effects;
            }
        }
        match action {
            Some(action) => self.action(action),
            None => vec![],
        }
    }

    /// Pasted text goes where typing would, whole: into the filter, the palette or prompt of
    /// the top layer, or the draft. It never runs key actions.
    fn paste(&mut self, text: &str) -> Vec<Effect> {
        if let Some(layer) = self.layers.last_mut() {
            layer.paste(text);
            return vec![];
        }
        if self.list.filtering {
            self.list.paste_filter(text);
            return vec![self.reload()];
        }
        if self.focus == Pane::Editor {
            return self.paste_into_draft(text);
        }
        vec![]
    }

    /// What the last frame showed of the thread: how far it can scroll up.
    pub fn drawn(&mut self, drawn: super::views::Drawn) {
        self.layout = drawn;
        if let Some(t) = self.thread.loaded.as_mut() {
            t.max_scroll = drawn.thread_max_scroll;
            if let Some(max) = t.max_scroll {
                t.scroll = t.scroll.min(max);
            }
        }
    }
}

/// The notification for activity on `c`: who wrote, about what (raw; sanitised on output).
fn bell(c: &Conversation) -> Effect {
    Effect::Bell {
        title: format!("{}: {}", c.contact_name, c.subject),
    }
}

mod palette;

#[cfg(test)]
mod tests;
