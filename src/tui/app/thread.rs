//! The thread and editor panes: which conversation is open, its history, and the drafts.
//!
//! `open` names the conversation the agent asked for; its answer fills `thread` only if it is
//! still the one asked for. Drafts are keyed by conversation, so text typed while another
//! conversation loads stays with the one it was typed in, and Ctrl-S sends it there.

use super::{App, Compose, Effect, Pane, Slot, Thread};
use crate::api::ConversationDetail;
use crate::domain::{Id, Message, SenderKind};
use crate::server::channels::email::settings::is_address;
use crate::tui::keymap::Action;

/// The thread pane's state: the conversation asked for, and its history once it answered.
#[derive(Debug, Clone, Default)]
pub struct ThreadPane {
    /// The conversation the pane is for; `loaded` holds it once its answer arrived.
    pub open: Option<Id>,
    pub loaded: Option<Thread>,
}

impl ThreadPane {
    /// The commands the thread offers, in the order the hint line shows them.
    pub const COMMANDS: &[Action] = &[
        Action::Reply,
        Action::Note,
        Action::Assign,
        Action::Status,
        Action::EditLabels,
        Action::ToggleQuotes,
        Action::ToggleSidebar,
        Action::Top,
        Action::Bottom,
    ];

    /// Scrolls by `delta` lines (negative is up, into older history); returns whether the
    /// top of what is loaded was reached going up.
    fn scroll(&mut self, delta: isize) -> bool {
        let Some(t) = self.loaded.as_mut() else {
            return false;
        };
        let max = t.max_scroll.unwrap_or(usize::MAX);
        t.scroll = t.scroll.saturating_add_signed(-delta).min(max);
        delta < 0 && t.scroll == max
    }

    /// Scrolls to the first message loaded; false when nothing is loaded.
    fn scroll_to_first(&mut self) -> bool {
        let Some(t) = self.loaded.as_mut() else {
            return false;
        };
        t.scroll = t.max_scroll.unwrap_or(usize::MAX);
        true
    }

    /// Scrolls to the newest message, following new ones from there.
    fn scroll_to_newest(&mut self) {
        if let Some(t) = self.loaded.as_mut() {
            t.scroll = 0;
        }
    }

    /// Marks older history as asked for and returns (conversation, oldest message loaded),
    /// unless there is none or it is already on its way.
    fn ask_older(&mut self) -> Option<(Id, Id)> {
        let t = self.loaded.as_mut()?;
        let first = t.detail.messages.first().map(|m| m.id);
        let (Some(before), true, false) = (first, t.detail.has_older, t.loading_older) else {
            return None;
        };
        t.loading_older = true;
        Some((t.detail.conversation.id, before))
    }

    /// Puts older `messages` of conversation `id` before the loaded ones.
    fn add_older(&mut self, id: Id, mut messages: Vec<Message>, has_older: bool) {
        if let Some(t) = self
            .loaded
            .as_mut()
            .filter(|t| t.detail.conversation.id == id)
        {
            messages.retain(|m| !t.detail.messages.iter().any(|x| x.id == m.id));
            messages.append(&mut t.detail.messages);
            t.detail.messages = messages;
            t.detail.has_older = has_older;
            t.loading_older = false;
        }
    }
}

impl App {
    /// Opens what the focused pane points at: the list's row, or the sidebar's conversation.
    pub(super) fn open_selected(&mut self) -> Vec<Effect> {
        let picked = match self.focus {
            Pane::Sidebar => self.contact.picked(),
            _ => self.list.current().map(|c| c.id),
        };
        match picked {
            Some(id) => self.open_conversation(id),
            None => vec![],
        }
    }

    /// Opens conversation `id` in the thread pane; whatever was asked for before is dropped.
    pub(super) fn open_conversation(&mut self, id: Id) -> Vec<Effect> {
        if self.thread.open != Some(id) {
            self.editor.channel = None;
            self.editor.reach = None;
            self.thread.loaded = None;
        }
        self.thread.open = Some(id);
        self.layers.retain(|l| !matches!(l, super::Layer::Contact));
        self.focus = Pane::Thread;
        self.fetch_thread(id)
    }

    /// Asks for conversation `id` and its contact (the list row names the contact, so both
    /// go at once).
    pub(super) fn fetch_thread(&mut self, id: Id) -> Vec<Effect> {
        let mut effects = vec![Effect::FetchConversation {
            id,
            generation: self.gens.next(Slot::Thread),
        }];
        // Older history of whatever was open before can no longer land.
        self.gens.next(Slot::Older);
        let contact = self
            .list
            .rows
            .iter()
            .find(|c| c.id == id)
            .map(|c| c.contact_id)
            .or_else(|| {
                self.contact
                    .detail
                    .as_ref()
                    .filter(|c| c.conversations.iter().any(|x| x.id == id))
                    .map(|c| c.contact.id)
            });
        if let Some(contact) = contact {
            effects.push(self.fetch_contact(contact));
        }
        effects
    }

    fn fetch_contact(&mut self, contact: Id) -> Effect {
        if self
            .contact
            .detail
            .as_ref()
            .is_some_and(|c| c.contact.id != contact)
        {
            self.contact.detail = None;
        }
        self.contact.asked = Some(contact);
        Effect::FetchContact {
            id: contact,
            generation: self.gens.next(Slot::Contact),
        }
    }

    /// The open conversation arrived: shown if it is still the one asked for. Opening it
    /// clears its unread marker (the server tells this agent's other clients).
    pub(super) fn thread_loaded(
        &mut self,
        detail: ConversationDetail,
        generation: u64,
    ) -> Vec<Effect> {
        if !self.gens.is_current(Slot::Thread, generation)
            || self.thread.open != Some(detail.conversation.id)
        {
            return vec![];
        }
        let id = detail.conversation.id;
        let contact = detail.conversation.contact_id;
        let keep = self
            .thread
            .loaded
            .as_ref()
            .filter(|t| t.detail.conversation.id == id)
            .map(|t| (t.scroll, t.quotes_expanded));
        let (scroll, quotes_expanded) = keep.unwrap_or((0, false));
        let mut effects = vec![];
        if self.contact.asked != Some(contact) {
            effects.push(self.fetch_contact(contact));
        }
        if let Some(row) = self.list.rows.iter_mut().find(|c| c.id == id) {
            row.unread = false;
        }
        self.thread.loaded = Some(Thread {
            detail,
            scroll,
            max_scroll: None,
            loading_older: false,
            quotes_expanded,
        });
        // A draft restored from disk (or typed while this loaded) starts from what is shown now.
        self.note_draft_start(id);
        effects.push(Effect::MarkRead(id));
        effects
    }

    /// Older history arrived: put before what is shown, if it is for what is open.
    pub(super) fn older_loaded(
        &mut self,
        id: Id,
        messages: Vec<Message>,
        has_older: bool,
        generation: u64,
    ) {
        if self.gens.is_current(Slot::Older, generation) {
            self.thread.add_older(id, messages, has_older);
        }
    }

    /// Asks for the history before the oldest message loaded, if there is more.
    pub(super) fn load_older(&mut self) -> Vec<Effect> {
        match self.thread.ask_older() {
            Some((id, before)) => vec![Effect::FetchOlder {
                id,
                before,
                generation: self.gens.next(Slot::Older),
            }],
            None => vec![],
        }
    }

    /// Scrolls the thread by `delta` lines; scrolling up into the top of what is loaded
    /// fetches the older history.
    pub(super) fn scroll_thread(&mut self, delta: isize) -> Vec<Effect> {
        if self.thread.scroll(delta) {
            self.load_older()
        } else {
            vec![]
        }
    }

    /// Goes to the first message of the thread (loading older history when there is more).
    pub(super) fn thread_top(&mut self) -> Vec<Effect> {
        if self.thread.scroll_to_first() {
            self.load_older()
        } else {
            vec![]
        }
    }

    /// Goes to the newest message, and follows new ones from there.
    pub(super) fn thread_bottom(&mut self) {
        self.thread.scroll_to_newest();
    }

    /// Sends the open conversation's draft to that conversation, after asking when someone
    /// else replied there since the draft was started.
    pub(super) fn send(&mut self) -> Vec<Effect> {
        let Some(id) = self.thread.open else {
            return vec![];
        };
        if self.draft().trim().is_empty() {
            self.inform("nothing to send");
            return vec![];
        }
        if let Some(reply) = self.collision(id) {
            self.layers.push(super::Layer::Collision {
                conversation: id,
                message: reply,
            });
            return vec![];
        }
        self.send_draft(id)
    }

    /// The newest reply by another agent on conversation `id` that came after its draft was
    /// started (as far as the loaded thread shows).
    pub fn collision(&self, id: Id) -> Option<Id> {
        let seen = *self.editor.seen.get(&id)?;
        let t = self
            .thread
            .loaded
            .as_ref()
            .filter(|t| t.detail.conversation.id == id)?;
        t.detail
            .messages
            .iter()
            .rev()
            .take_while(|m| m.id > seen)
            .find(|m| {
                !m.internal && m.sender.kind == SenderKind::Agent && m.sender.id != Some(self.me.id)
            })
            .map(|m| m.id)
    }

    /// The agent saw the reply that came after their draft began: do not ask again for it.
    pub(super) fn collision_seen(&mut self, id: Id, message: Id) {
        let seen = self.editor.seen.entry(id).or_insert(message);
        *seen = (*seen).max(message);
    }

    /// Sends conversation `id`'s draft as it is.
    pub(super) fn send_draft(&mut self, id: Id) -> Vec<Effect> {
        let text = self.draft_text(id).unwrap_or_default();
        let (body, email) = self.reply_parts(&text);
        let body = body.trim_end().to_string();
        if body.trim().is_empty() && self.attached(id).is_empty() {
            return vec![];
        }
        let internal = self.editor.compose == Compose::Note;
        if let Some(route) = self.reply_route().filter(|r| !internal && !r.reachable) {
            let why = route.reason.clone().unwrap_or_default();
            self.warn(format!("not sent: {why}; Ctrl-L picks another channel"));
            return vec![];
        }
        if let Some(why) = self.files_refused(id, internal) {
            self.warn(format!("not sent: {why}"));
            return vec![];
        }
        if let Some(problem) = email.as_ref().and_then(|e| e.problem(is_address)) {
            self.warn(format!("not sent: {problem}"));
            return vec![];
        }
        let attachments = self.editor.files.remove(&id).unwrap_or_default();
        let mentions = if internal {
            self.mentions_in(id, &body)
        } else {
            self.editor.mentions.remove(&id);
            Vec::new()
        };
        self.editor.drafts.remove(&id);
        self.editor.seen.remove(&id);
        self.focus = Pane::Thread;
        vec![
            Effect::Send {
                conversation_id: id,
                body,
                internal,
                channel_id: self.editor.channel.take(),
                attachments,
                mentions,
                email,
            },
            Effect::SaveDraft {
                conversation_id: id,
                text: String::new(),
            },
        ]
    }

    /// Adds a message to the open thread (once) and follows it when at the bottom.
    pub(super) fn add_message(&mut self, m: Message) {
        if let Some(t) = self.thread.loaded.as_mut()
            && t.detail.conversation.id == m.conversation_id
            && !t.detail.messages.iter().any(|x| x.id == m.id)
        {
            t.detail.messages.push(m.clone());
            if let Some(cid) = &m.client_id {
                self.editor.outgoing.retain(|o| &o.client_id != cid);
            }
        }
    }

    /// The name of the channel a reply goes out on.
    pub fn reply_channel_name(&self) -> Option<&str> {
        let id = self.editor.channel.or(self
            .thread
            .loaded
            .as_ref()
            .map(|t| t.detail.conversation.channel_id))?;
        self.channel_name(id)
    }

    pub(super) fn cycle_focus(&mut self, forward: bool) {
        let mut panes = vec![Pane::List];
        if self.thread.open.is_some() {
            panes.push(Pane::Thread);
            // The sidebar pane takes the focus only where it is drawn.
            if self.contact.shown && (self.layout.sidebar.is_some() || self.layout.thread.is_none())
            {
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
}
