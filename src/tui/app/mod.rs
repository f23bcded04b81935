//! The client's state and its one mutation point, `App::update`.
//!
//! Everything that happens (a key, a live event, an answer from the server, a change in the
//! outbox) arrives as a `Msg`; `update` changes the state and returns the `Effect`s to run
//! (requests, sends, a bell). It does no I/O, so it is tested without a terminal or server.

use super::keymap::{Action, Context, Keymap};
use crate::api::{
    ContactDetail, ConversationDetail, ConversationPage, ConversationPatch, Event, EventKind,
};
use crate::client::events::Connection;
use crate::client::outbox::{EntryState, OutboxUpdate};
use crate::domain::{Agent, Channel, Conversation, Id, Message, Status, Team, Timestamp};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::{Position, Rect};
use std::collections::{BTreeSet, HashMap};

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

/// A menu that picks one value.
#[derive(Debug, Clone, PartialEq)]
pub enum Menu {
    Status,
    Assign,
    Priority,
    Snooze,
    Canned,
    /// The attachments of the open conversation, newest first.
    Attachments,
}

/// What picking a menu entry does.
#[derive(Debug, Clone, PartialEq)]
pub enum Choice {
    /// Change the conversation (or every marked one).
    Patch(ConversationPatch),
    /// Add text to the draft.
    Insert(String),
    /// Save (or open) an attachment.
    Attachment { url: String, name: String },
}

/// What covers the panes.
#[derive(Debug, Clone, PartialEq)]
pub enum Overlay {
    Help,
    Menu { menu: Menu, selected: usize },
}

/// The open conversation.
#[derive(Debug, Clone)]
pub struct Thread {
    pub detail: ConversationDetail,
    /// Lines scrolled up from the bottom; 0 follows new messages.
    pub scroll: usize,
    /// The farthest `scroll` reaches (the top of what is loaded), as last drawn.
    pub max_scroll: Option<usize>,
    pub loading_older: bool,
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

/// Something the app asks the outside world to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    FetchList {
        request: ListRequest,
        append: bool,
    },
    FetchConversation(Id),
    FetchOlder {
        id: Id,
        before: Id,
    },
    FetchContact(Id),
    Send {
        conversation_id: Id,
        body: String,
        internal: bool,
        /// Reply on this channel instead of the conversation's own.
        channel_id: Option<Id>,
    },
    Patch {
        id: Id,
        patch: ConversationPatch,
    },
    MarkRead(Id),
    /// Count each view's conversations; after a short pause when `delay`, so a burst of
    /// activity costs one more round of counts, not one per event.
    FetchCounts {
        requests: Vec<ListRequest>,
        delay: bool,
    },
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
    /// Hand the draft to `$EDITOR`; the edited text comes back as `Msg::Edited`.
    Edit {
        draft: String,
    },
    Quit,
}

/// Everything that can happen to the app.
#[derive(Debug)]
pub enum Msg {
    Key(KeyEvent),
    Mouse(MouseEvent),
    Live(Event),
    Connection(Connection),
    /// The terminal now shows this many list rows.
    Resize {
        list_rows: usize,
    },
    /// The server's history restarted: reload the list and the open conversation.
    Reset,
    /// The draft as `$EDITOR` left it.
    Edited(String),
    List {
        page: ConversationPage,
        append: bool,
    },
    Conversation(ConversationDetail),
    Older {
        id: Id,
        messages: Vec<Message>,
        has_older: bool,
    },
    Contact(ContactDetail),
    /// How many conversations each view holds, in `VIEWS` order; `None` if counting failed.
    Counts(Option<Vec<i64>>),
    Outbox(OutboxUpdate),
    Queued(Outgoing),
    /// The server's answer to a change this client asked for.
    Updated(Conversation),
    Agent(Agent),
    /// Something finished that the agent should hear about (an attachment saved...).
    Notice(String),
    Failed(String),
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
    /// The channel the reply being written goes out on, when not the conversation's own.
    pub reply_channel: Option<Id>,
    pub keymap: Keymap,
    pub view: usize,
    pub filter: String,
    pub filtering: bool,
    /// Filters set from the palette.
    pub narrow: Narrow,
    /// The palette's line while it is open.
    pub palette: Option<String>,
    pub list: Vec<Conversation>,
    /// How many conversations each view holds, in `VIEWS` order, once counted.
    pub counts: Vec<Option<i64>>,
    /// A round of counts is on its way; activity meanwhile waits for its answer.
    counts_pending: bool,
    /// Activity arrived while counts were on their way: count again when they land.
    counts_stale: bool,
    pub selected: usize,
    /// Conversations marked for a bulk action.
    pub marked: BTreeSet<Id>,
    /// The first list row on screen: it moves only when the selection leaves the window, so
    /// a move redraws two rows, not all of them.
    pub list_top: usize,
    /// How many list rows the screen shows (from the terminal size).
    pub list_rows: usize,
    pub next_cursor: Option<String>,
    pub loading: bool,
    pub thread: Option<Thread>,
    pub contact: Option<ContactDetail>,
    /// The row of the contact's conversations picked in the sidebar.
    pub sidebar_selected: usize,
    pub focus: Pane,
    pub compose: Compose,
    pub draft: String,
    pub drafts: HashMap<Id, String>,
    pub outgoing: Vec<Outgoing>,
    pub overlay: Option<Overlay>,
    pub connection: Connection,
    pub notice: Option<String>,
    pub sidebar: bool,
    /// Where the last frame put the panes, to find what a mouse click points at.
    layout: super::views::Drawn,
    /// Ring the bell on new activity in conversations owned by me (or unassigned).
    pub bell: bool,
    pub quit: bool,
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
            reply_channel: None,
            keymap,
            view: 0,
            filter: String::new(),
            filtering: false,
            narrow: Narrow::default(),
            palette: None,
            list: Vec::new(),
            counts: vec![None; VIEWS.len()],
            counts_pending: false,
            counts_stale: false,
            selected: 0,
            marked: BTreeSet::new(),
            list_top: 0,
            list_rows: 20,
            next_cursor: None,
            loading: false,
            thread: None,
            contact: None,
            sidebar_selected: 0,
            focus: Pane::List,
            compose: Compose::Reply,
            draft: String::new(),
            drafts: HashMap::new(),
            outgoing: Vec::new(),
            overlay: None,
            connection: Connection::Connecting,
            notice: None,
            sidebar: true,
            layout: super::views::Drawn::default(),
            bell: true,
            quit: false,
        }
    }

    /// The first effects: load the list and count the views.
    pub fn start(&mut self) -> Vec<Effect> {
        let mut effects = vec![self.reload()];
        effects.extend(self.count_views(false));
        effects
    }

    /// Counts every view again, unless a round is already on its way (then once it lands,
    /// after a pause when `delay`: a steady stream of activity costs a round per pause).
    pub fn count_views(&mut self, delay: bool) -> Option<Effect> {
        if self.counts_pending {
            self.counts_stale = true;
            return None;
        }
        self.counts_pending = true;
        self.counts_stale = false;
        let requests = VIEWS
            .iter()
            .map(|v| ListRequest {
                status: v.status.map(str::to_string),
                assignee: v.assignee.map(str::to_string),
                ..ListRequest::default()
            })
            .collect();
        Some(Effect::FetchCounts { requests, delay })
    }

    /// The request behind the current view and filter.
    pub fn request(&self) -> ListRequest {
        let view = &VIEWS[self.view];
        let n = &self.narrow;
        ListRequest {
            status: n.status.clone().or(view.status.map(str::to_string)),
            assignee: n.assignee.clone().or(view.assignee.map(str::to_string)),
            channel: n.channel.clone(),
            priority: n.priority.clone(),
            team: n.team.clone(),
            q: (!self.filter.trim().is_empty()).then(|| self.filter.trim().to_string()),
            cursor: None,
        }
    }

    fn reload(&mut self) -> Effect {
        self.loading = true;
        Effect::FetchList {
            request: self.request(),
            append: false,
        }
    }

    /// The selected conversation of the list.
    pub fn current(&self) -> Option<&Conversation> {
        self.list.get(self.selected)
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

    fn context(&self) -> Context {
        match self.focus {
            Pane::List => Context::List,
            Pane::Thread => Context::Thread,
            Pane::Sidebar => Context::Sidebar,
            Pane::Editor => Context::Editor,
        }
    }

    /// Applies one message; returns what to do next.
    pub fn update(&mut self, msg: Msg) -> Vec<Effect> {
        match msg {
            Msg::Key(key) => self.key(key),
            Msg::Mouse(m) => self.mouse(m),
            Msg::Live(event) => self.live(event),
            Msg::Connection(c) => {
                self.connection = c;
                vec![]
            }
            Msg::Resize { list_rows } => {
                self.list_rows = list_rows.max(1);
                self.keep_visible();
                vec![]
            }
            Msg::Edited(text) => {
                self.draft = text.trim_end_matches('\n').to_string();
                self.focus = Pane::Editor;
                vec![]
            }
            Msg::Reset => {
                self.notice = Some("the server's history restarted: reloaded".into());
                let mut effects = vec![self.reload()];
                effects.extend(self.count_views(false));
                if let Some(t) = &self.thread {
                    effects.push(Effect::FetchConversation(t.detail.conversation.id));
                }
                effects
            }
            Msg::List { page, append } => {
                self.loading = false;
                if append {
                    self.list.extend(page.items);
                } else {
                    let keep = self.current().map(|c| c.id);
                    self.list = page.items;
                    self.selected = keep
                        .and_then(|id| self.list.iter().position(|c| c.id == id))
                        .unwrap_or(0);
                    self.list_top = 0;
                    self.keep_visible();
                }
                self.next_cursor = page.next_cursor;
                vec![]
            }
            Msg::Conversation(detail) => {
                let id = detail.conversation.id;
                let contact = detail.conversation.contact_id;
                self.thread = Some(Thread {
                    detail,
                    scroll: 0,
                    max_scroll: None,
                    loading_older: false,
                });
                vec![Effect::FetchContact(contact), Effect::MarkRead(id)]
            }
            Msg::Older {
                id,
                mut messages,
                has_older,
            } => {
                if let Some(t) = self
                    .thread
                    .as_mut()
                    .filter(|t| t.detail.conversation.id == id)
                {
                    messages.append(&mut t.detail.messages);
                    t.detail.messages = messages;
                    t.detail.has_older = has_older;
                    t.loading_older = false;
                }
                vec![]
            }
            Msg::Contact(c) => {
                let open = self.thread.as_ref().map(|t| t.detail.conversation.id);
                self.sidebar_selected = c
                    .conversations
                    .iter()
                    .position(|x| Some(x.id) == open)
                    .unwrap_or(0);
                self.contact = Some(c);
                vec![]
            }
            Msg::Outbox(u) => {
                if let Some(o) = self
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
                        self.notice = Some(format!("reply not sent: {e}"));
                    }
                }
                if let Some(m) = u.message {
                    self.add_message(m);
                }
                vec![]
            }
            Msg::Queued(o) => {
                self.outgoing.push(o);
                vec![]
            }
            Msg::Updated(c) => {
                if let Some(t) = self
                    .thread
                    .as_mut()
                    .filter(|t| t.detail.conversation.id == c.id)
                {
                    t.detail.conversation = c.clone();
                }
                self.upsert(c);
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
            Msg::Counts(counts) => {
                self.counts_pending = false;
                if let Some(counts) = counts {
                    self.counts = counts.into_iter().map(Some).collect();
                }
                if self.counts_stale {
                    return self.count_views(true).into_iter().collect();
                }
                vec![]
            }
            Msg::Notice(text) => {
                self.notice = Some(text);
                vec![]
            }
            Msg::Failed(e) => {
                self.loading = false;
                self.notice = Some(e);
                vec![]
            }
        }
    }

    /// A click or a wheel turn: the wheel scrolls the pane under the pointer; a click focuses
    /// a pane, picks a list row, and opens the row already picked.
    fn mouse(&mut self, m: MouseEvent) -> Vec<Effect> {
        if self.overlay.is_some() || self.palette.is_some() || self.filtering {
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
                    Some(row) if row == self.selected => self.open(),
                    Some(row) if row < self.list.len() => {
                        let delta = row as isize - self.selected as isize;
                        self.move_by(delta)
                    }
                    _ => vec![],
                }
            }
            _ => vec![],
        }
    }

    fn key(&mut self, key: KeyEvent) -> Vec<Effect> {
        if self.palette.is_some() {
            return self.palette_key(key);
        }
        if self.filtering {
            return self.filter_key(key);
        }
        if let Some(overlay) = self.overlay.clone() {
            return self.overlay_key(overlay, key);
        }
        if self.focus == Pane::Editor
            && let Some(effects) = self.editor_key(key)
        {
            return effects;
        }
        match self.keymap.action(self.context(), key) {
            Some(action) => self.action(action),
            None => vec![],
        }
    }

    fn filter_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        match key.code {
            KeyCode::Esc => {
                self.filtering = false;
                self.filter.clear();
            }
            KeyCode::Enter => {
                self.filtering = false;
                return vec![];
            }
            KeyCode::Backspace => {
                self.filter.pop();
            }
            KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
                self.filter.push(c);
            }
            _ => return vec![],
        }
        vec![self.reload()]
    }

    /// Text keys in the editor; `None` lets the keymap handle the key.
    fn editor_key(&mut self, key: KeyEvent) -> Option<Vec<Effect>> {
        if key
            .modifiers
            .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
        {
            return None;
        }
        match key.code {
            KeyCode::Char(c) => self.draft.push(c),
            KeyCode::Enter => self.draft.push('\n'),
            KeyCode::Backspace => {
                self.draft.pop();
            }
            KeyCode::Tab => self.draft.push_str("    "),
            _ => return None,
        }
        Some(vec![])
    }

    fn overlay_key(&mut self, overlay: Overlay, key: KeyEvent) -> Vec<Effect> {
        let Overlay::Menu { menu, selected } = overlay else {
            self.overlay = None;
            return vec![];
        };
        let options = self.menu_options(&menu);
        match key.code {
            KeyCode::Esc | KeyCode::Char('q') => self.overlay = None,
            KeyCode::Char('j') | KeyCode::Down => {
                self.overlay = Some(Overlay::Menu {
                    menu,
                    selected: (selected + 1).min(options.len().saturating_sub(1)),
                })
            }
            KeyCode::Char('k') | KeyCode::Up => {
                self.overlay = Some(Overlay::Menu {
                    menu,
                    selected: selected.saturating_sub(1),
                })
            }
            KeyCode::Char('o') if menu == Menu::Attachments => {
                self.overlay = None;
                if let Some((_, Choice::Attachment { url, name })) =
                    options.into_iter().nth(selected)
                {
                    return vec![Effect::SaveAttachment {
                        url,
                        name,
                        open: true,
                    }];
                }
            }
            KeyCode::Enter => {
                self.overlay = None;
                match options.into_iter().nth(selected) {
                    Some((_, Choice::Patch(patch))) => return self.patch_current(patch),
                    Some((_, Choice::Insert(text))) => {
                        self.draft.push_str(&text);
                        self.focus = Pane::Editor;
                    }
                    Some((_, Choice::Attachment { url, name })) => {
                        return vec![Effect::SaveAttachment {
                            url,
                            name,
                            open: false,
                        }];
                    }
                    None => {}
                }
            }
            _ => {}
        }
        vec![]
    }

    /// The choices of a menu: a label and what picking it does.
    pub fn menu_options(&self, menu: &Menu) -> Vec<(String, Choice)> {
        if *menu == Menu::Attachments {
            let Some(t) = &self.thread else {
                return Vec::new();
            };
            return t
                .detail
                .messages
                .iter()
                .rev()
                .flat_map(|m| m.attachments.iter().map(move |a| (m, a)))
                .map(|(m, a)| {
                    let name = super::sanitize::sanitize_line(&a.name).into_owned();
                    (
                        format!("[{}] {name}  from {}", a.kind, m.sender.name),
                        Choice::Attachment {
                            url: a.url.clone(),
                            name,
                        },
                    )
                })
                .collect();
        }
        if *menu == Menu::Canned {
            return self
                .canned
                .iter()
                .map(|c| (c.name.clone(), Choice::Insert(c.text.clone())))
                .collect();
        }
        let patches: Vec<(String, ConversationPatch)> = match menu {
            Menu::Status => Status::ALL
                .iter()
                .map(|s| {
                    (
                        s.as_str().replace('_', " "),
                        ConversationPatch {
                            status: Some(*s),
                            ..Default::default()
                        },
                    )
                })
                .collect(),
            Menu::Priority => crate::domain::Priority::ALL
                .iter()
                .map(|p| {
                    (
                        p.as_str().to_string(),
                        ConversationPatch {
                            priority: Some(*p),
                            ..Default::default()
                        },
                    )
                })
                .collect(),
            Menu::Snooze => {
                const HOUR: i64 = 3_600_000;
                let now = Timestamp::now().millis();
                [
                    ("for an hour", Some(now + HOUR)),
                    ("for 4 hours", Some(now + 4 * HOUR)),
                    ("for a day", Some(now + 24 * HOUR)),
                    ("for a week", Some(now + 7 * 24 * HOUR)),
                    ("wake it now", None),
                ]
                .into_iter()
                .map(|(label, until)| {
                    (
                        label.to_string(),
                        ConversationPatch {
                            snoozed_until: Some(until.map(Timestamp)),
                            ..Default::default()
                        },
                    )
                })
                .collect()
            }
            Menu::Assign => std::iter::once(("nobody".to_string(), None))
                .chain(self.agents.iter().map(|a| {
                    let away = if a.available { "" } else { " (away)" };
                    (format!("{}{away}", a.name), Some(a.id))
                }))
                .map(|(label, owner)| {
                    (
                        label,
                        ConversationPatch {
                            owner_id: Some(owner),
                            ..Default::default()
                        },
                    )
                })
                .chain(self.teams.iter().map(|t| {
                    (
                        format!("team: {}", t.name),
                        ConversationPatch {
                            team_id: Some(Some(t.id)),
                            ..Default::default()
                        },
                    )
                }))
                .collect(),
            Menu::Canned | Menu::Attachments => Vec::new(),
        };
        patches
            .into_iter()
            .map(|(label, patch)| (label, Choice::Patch(patch)))
            .collect()
    }

    /// The conversation actions apply to: the open one in the thread, else the selected row.
    fn target(&self) -> Option<Id> {
        match (self.focus, &self.thread) {
            (Pane::Thread | Pane::Editor | Pane::Sidebar, Some(t)) => {
                Some(t.detail.conversation.id)
            }
            _ => self.current().map(|c| c.id),
        }
    }

    /// Applies `patch` to every marked conversation when the list has marks, else to the
    /// target; the marks are cleared once used.
    fn patch_current(&mut self, patch: ConversationPatch) -> Vec<Effect> {
        if self.focus == Pane::List && !self.marked.is_empty() {
            return std::mem::take(&mut self.marked)
                .into_iter()
                .map(|id| Effect::Patch {
                    id,
                    patch: patch.clone(),
                })
                .collect();
        }
        match self.target() {
            Some(id) => vec![Effect::Patch { id, patch }],
            None => vec![],
        }
    }

    /// Runs a keymap action.
    pub fn action(&mut self, action: Action) -> Vec<Effect> {
        match action {
            Action::Quit => {
                self.quit = true;
                return vec![Effect::Quit];
            }
            Action::MoveDown => return self.move_by(1),
            Action::MoveUp => return self.move_by(-1),
            Action::PageDown => return self.move_by(10),
            Action::PageUp => return self.move_by(-10),
            Action::Top => return self.move_by(-(self.list.len() as isize)),
            Action::Bottom => return self.move_by(self.list.len() as isize),
            Action::Open => return self.open(),
            Action::NextPane => self.cycle_focus(true),
            Action::PrevPane => self.cycle_focus(false),
            Action::Filter => {
                self.filtering = true;
                self.focus = Pane::List;
            }
            Action::Reply | Action::Note => {
                if self.thread.is_some() {
                    self.compose = if action == Action::Note {
                        Compose::Note
                    } else {
                        Compose::Reply
                    };
                    self.focus = Pane::Editor;
                } else {
                    return self.open();
                }
            }
            Action::LeaveEditor => {
                if self.focus == Pane::Editor {
                    self.focus = Pane::Thread;
                }
                self.overlay = None;
            }
            Action::Send => return self.send(),
            Action::ComposeInEditor => {
                if self.thread.is_none() {
                    return self.open();
                }
                return vec![Effect::Edit {
                    draft: self.draft.clone(),
                }];
            }
            Action::SwitchChannel => self.switch_channel(),
            Action::CannedReply => {
                if self.thread.is_some() && !self.canned.is_empty() {
                    self.overlay = Some(Overlay::Menu {
                        menu: Menu::Canned,
                        selected: 0,
                    });
                }
            }
            Action::ToggleSelect => {
                if let Some(id) = self.current().map(|c| c.id) {
                    if !self.marked.remove(&id) {
                        self.marked.insert(id);
                    }
                    return self.move_by(1);
                }
            }
            Action::ToggleNote => {
                self.compose = match self.compose {
                    Compose::Reply => Compose::Note,
                    Compose::Note => Compose::Reply,
                };
            }
            Action::Assign => self.menu(Menu::Assign),
            Action::Status => self.menu(Menu::Status),
            Action::Priority => self.menu(Menu::Priority),
            Action::Snooze => self.menu(Menu::Snooze),
            Action::AssignToMe => {
                let me = self.me.id;
                return self.patch_current(ConversationPatch {
                    owner_id: Some(Some(me)),
                    ..Default::default()
                });
            }
            Action::Close | Action::Reopen => {
                let status = if action == Action::Close {
                    Status::Closed
                } else {
                    Status::WaitingOnUs
                };
                return self.patch_current(ConversationPatch {
                    status: Some(status),
                    ..Default::default()
                });
            }
            Action::Help => self.overlay = Some(Overlay::Help),
            Action::Palette => self.open_palette(),
            Action::NextView | Action::PrevView => {
                let n = VIEWS.len();
                self.view = if action == Action::NextView {
                    (self.view + 1) % n
                } else {
                    (self.view + n - 1) % n
                };
                return vec![self.reload()];
            }
            Action::ToggleSidebar => self.sidebar = !self.sidebar,
            Action::ToggleAvailable => return vec![Effect::SetAvailable(!self.me.available)],
            Action::LoadOlder => return self.load_older(),
            Action::OpenAttachment => {
                if self.menu_options(&Menu::Attachments).is_empty() {
                    self.notice = Some("this conversation has no attachments".into());
                } else {
                    self.overlay = Some(Overlay::Menu {
                        menu: Menu::Attachments,
                        selected: 0,
                    });
                }
            }
            Action::Refresh => return vec![self.reload()],
        }
        vec![]
    }

    fn menu(&mut self, menu: Menu) {
        if self.target().is_some() {
            self.overlay = Some(Overlay::Menu { menu, selected: 0 });
        }
    }

    fn cycle_focus(&mut self, forward: bool) {
        let mut panes = vec![Pane::List];
        if self.thread.is_some() {
            panes.push(Pane::Thread);
            if self.sidebar {
                panes.push(Pane::Sidebar);
            }
        }
        let at = panes.iter().position(|p| *p == self.focus).unwrap_or(0);
        let n = panes.len();
        self.focus = panes[if forward {
            (at + 1) % n
        } else {
            (at + n - 1) % n
        }];
    }

    fn move_by(&mut self, delta: isize) -> Vec<Effect> {
        match self.focus {
            Pane::Thread => {
                let Some(t) = self.thread.as_mut() else {
                    return vec![];
                };
                let max = t.max_scroll.unwrap_or(usize::MAX);
                t.scroll = t.scroll.saturating_add_signed(-delta).min(max);
                // Scrolling up into the top of what is loaded fetches the older history.
                if delta < 0 && t.scroll == max {
                    return self.load_older();
                }
                vec![]
            }
            Pane::Sidebar => {
                let last = self
                    .contact
                    .as_ref()
                    .map_or(0, |c| c.conversations.len().saturating_sub(1));
                self.sidebar_selected =
                    self.sidebar_selected.saturating_add_signed(delta).min(last);
                vec![]
            }
            _ => {
                if self.list.is_empty() {
                    return vec![];
                }
                let last = self.list.len() - 1;
                self.selected = self.selected.saturating_add_signed(delta).min(last);
                self.keep_visible();
                // Fetch the next page before the end is reached.
                if self.selected + 20 >= self.list.len()
                    && !self.loading
                    && let Some(cursor) = self.next_cursor.clone()
                {
                    self.loading = true;
                    return vec![Effect::FetchList {
                        request: ListRequest {
                            cursor: Some(cursor),
                            ..self.request()
                        },
                        append: true,
                    }];
                }
                vec![]
            }
        }
    }

    /// Moves the reply to the next enabled channel (back to the conversation's own after the
    /// last one).
    fn switch_channel(&mut self) {
        let Some(t) = &self.thread else { return };
        let own = t.detail.conversation.channel_id;
        let current = self.reply_channel.unwrap_or(own);
        let enabled: Vec<Id> = self
            .channels
            .iter()
            .filter(|c| c.enabled)
            .map(|c| c.id)
            .collect();
        let next = enabled
            .iter()
            .position(|id| *id == current)
            .and_then(|i| enabled.get(i + 1))
            .or(enabled.first())
            .copied();
        self.reply_channel = next.filter(|id| *id != own);
    }

    /// The name of the channel a reply goes out on.
    pub fn reply_channel_name(&self) -> Option<&str> {
        let id = self.reply_channel.or(self
            .thread
            .as_ref()
            .map(|t| t.detail.conversation.channel_id))?;
        self.channels
            .iter()
            .find(|c| c.id == id)
            .map(|c| c.name.as_str())
    }

    /// Scrolls the list just enough for the selected row to be on screen.
    fn keep_visible(&mut self) {
        let rows = self.list_rows.max(1);
        if self.selected < self.list_top {
            self.list_top = self.selected;
        } else if self.selected >= self.list_top + rows {
            self.list_top = self.selected + 1 - rows;
        }
    }

    fn open(&mut self) -> Vec<Effect> {
        let picked = match self.focus {
            // From the sidebar: another conversation of the same contact.
            Pane::Sidebar => self
                .contact
                .as_ref()
                .and_then(|c| c.conversations.get(self.sidebar_selected))
                .map(|c| c.id),
            _ => self.current().map(|c| c.id),
        };
        let Some(id) = picked else {
            return vec![];
        };
        self.stash_draft();
        self.draft = self.drafts.remove(&id).unwrap_or_default();
        self.reply_channel = None;
        self.focus = Pane::Thread;
        if let Some(row) = self.list.iter_mut().find(|c| c.id == id) {
            row.unread = false;
        }
        vec![Effect::FetchConversation(id)]
    }

    fn stash_draft(&mut self) {
        if let Some(t) = &self.thread
            && !self.draft.is_empty()
        {
            self.drafts
                .insert(t.detail.conversation.id, std::mem::take(&mut self.draft));
        }
    }

    /// What the last frame showed of the thread: how far it can scroll up.
    pub fn drawn(&mut self, drawn: super::views::Drawn) {
        self.layout = drawn;
        if let Some(t) = self.thread.as_mut() {
            t.max_scroll = drawn.thread_max_scroll;
            if let Some(max) = t.max_scroll {
                t.scroll = t.scroll.min(max);
            }
        }
    }

    fn load_older(&mut self) -> Vec<Effect> {
        match self.thread.as_mut() {
            Some(t) if t.detail.has_older && !t.loading_older => {
                t.loading_older = true;
                match t.detail.messages.first() {
                    Some(m) => vec![Effect::FetchOlder {
                        id: t.detail.conversation.id,
                        before: m.id,
                    }],
                    None => vec![],
                }
            }
            _ => vec![],
        }
    }

    fn send(&mut self) -> Vec<Effect> {
        let Some(t) = &self.thread else {
            return vec![];
        };
        let body = self.draft.trim_end().to_string();
        if body.trim().is_empty() {
            self.notice = Some("nothing to send".into());
            return vec![];
        }
        self.draft.clear();
        self.focus = Pane::Thread;
        vec![Effect::Send {
            conversation_id: t.detail.conversation.id,
            body,
            internal: self.compose == Compose::Note,
            channel_id: self.reply_channel.take(),
        }]
    }

    /// Adds a message to the open thread (once) and follows it when at the bottom.
    fn add_message(&mut self, m: Message) {
        if let Some(t) = self.thread.as_mut()
            && t.detail.conversation.id == m.conversation_id
            && !t.detail.messages.iter().any(|x| x.id == m.id)
        {
            t.detail.messages.push(m.clone());
            if let Some(cid) = &m.client_id {
                self.outgoing.retain(|o| &o.client_id != cid);
            }
        }
    }

    /// Whether the view's server-side filter would show `c` (text filters excepted).
    fn in_view(&self, c: &Conversation) -> bool {
        let view = &VIEWS[self.view];
        let status_ok = match view.status {
            None => true,
            Some("open") => c.status != Status::Closed,
            Some("snoozed") => c.snoozed_until.is_some_and(|t| t > Timestamp::now()),
            Some(s) => c.status.as_str() == s,
        };
        let assignee_ok = match view.assignee {
            None => true,
            Some("me") => c.owner_id == Some(self.me.id),
            Some("unassigned") => c.owner_id.is_none(),
            Some(_) => true,
        };
        status_ok && assignee_ok
    }

    /// Puts the newest state of a conversation in the list, keeping the selection on its row.
    fn upsert(&mut self, c: Conversation) {
        let selected = self.current().map(|x| x.id);
        let unread = c.unread
            || self
                .thread
                .as_ref()
                .is_none_or(|t| t.detail.conversation.id != c.id);
        let c = Conversation { unread, ..c };
        let present = self.list.iter().position(|x| x.id == c.id);
        // Only the view's own filters can be checked here; text and palette filters cannot.
        let checkable = self.filter.trim().is_empty() && self.narrow == Narrow::default();
        match (present, self.in_view(&c), checkable) {
            (Some(at), false, _) => {
                self.list.remove(at);
            }
            (Some(at), true, false) => self.list[at] = c,
            (present, true, true) => {
                if let Some(at) = present {
                    self.list.remove(at);
                }
                let at = self
                    .list
                    .iter()
                    .position(|x| (x.last_message_at, x.id) < (c.last_message_at, c.id))
                    .unwrap_or(self.list.len());
                self.list.insert(at, c);
            }
            (None, _, _) => {}
        }
        if let Some(id) = selected
            && let Some(at) = self.list.iter().position(|x| x.id == id)
        {
            self.selected = at;
        }
        self.selected = self.selected.min(self.list.len().saturating_sub(1));
        self.keep_visible();
    }

    fn live(&mut self, event: Event) -> Vec<Effect> {
        let mut effects = vec![];
        if matches!(
            event.kind,
            EventKind::ConversationCreated { .. }
                | EventKind::ConversationUpdated { .. }
                | EventKind::MessageCreated { .. }
        ) {
            effects.extend(self.count_views(false));
        }
        match event.kind {
            EventKind::ConversationCreated { conversation } => {
                if self.notify(&conversation) {
                    effects.push(bell(&conversation));
                }
                self.upsert(conversation);
            }
            EventKind::ConversationUpdated { conversation, .. } => {
                if let Some(t) = self.thread.as_mut()
                    && t.detail.conversation.id == conversation.id
                {
                    t.detail.conversation = conversation.clone();
                }
                self.upsert(conversation);
            }
            EventKind::MessageCreated {
                message,
                conversation,
                ..
            } => {
                let from_customer = message.kind == crate::domain::MessageKind::Inbound;
                if from_customer && self.notify(&conversation) {
                    effects.push(bell(&conversation));
                }
                let open = self
                    .thread
                    .as_ref()
                    .is_some_and(|t| t.detail.conversation.id == conversation.id);
                if let Some(t) = self.thread.as_mut().filter(|_| open) {
                    t.detail.conversation = conversation.clone();
                }
                self.add_message(message);
                self.upsert(conversation);
                if open {
                    effects.push(Effect::MarkRead(
                        self.thread.as_ref().map_or(0, |t| t.detail.conversation.id),
                    ));
                }
            }
            EventKind::MessageUpdated { message } => {
                if let Some(t) = self.thread.as_mut()
                    && let Some(m) = t.detail.messages.iter_mut().find(|m| m.id == message.id)
                {
                    *m = message;
                }
            }
            EventKind::AgentUpdated { agent } => return self.update(Msg::Agent(agent)),
            EventKind::TeamUpdated { team } => {
                match self.teams.iter_mut().find(|t| t.id == team.id) {
                    Some(t) => *t = team,
                    None => self.teams.push(team),
                }
            }
            EventKind::ContactUpdated { contact } => {
                if let Some(c) = self.contact.as_mut().filter(|c| c.contact.id == contact.id) {
                    c.contact = contact;
                }
            }
            EventKind::ContactCreated { .. }
            | EventKind::ChannelCreated { .. }
            | EventKind::ChannelUpdated { .. }
            | EventKind::ChannelDeleted { .. } => {}
        }
        effects
    }

    /// Whether activity on `c` concerns me: mine, or nobody's yet.
    fn notify(&self, c: &Conversation) -> bool {
        self.bell && (c.owner_id == Some(self.me.id) || c.owner_id.is_none())
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
