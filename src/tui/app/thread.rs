//! The thread and editor panes: which conversation is open, its history, and the drafts.
//!
//! `open` names the conversation the agent asked for; its answer fills `thread` only if it is
//! still the one asked for. Drafts are keyed by conversation, so text typed while another
//! conversation loads stays with the one it was typed in, and Ctrl-S sends it there.

use super::{App, Compose, Effect, Pane, Slot, Thread};
use crate::api::ConversationDetail;
use crate::domain::{Id, Message};

impl App {
    /// Opens what the focused pane points at: the list's row, or the sidebar's conversation.
    pub(super) fn open_selected(&mut self) -> Vec<Effect> {
        let picked = match self.focus {
            Pane::Sidebar => self
                .contact
                .as_ref()
                .and_then(|c| c.conversations.get(self.sidebar_selected))
                .map(|c| c.id),
            _ => self.current().map(|c| c.id),
        };
        match picked {
            Some(id) => self.open_conversation(id),
            None => vec![],
        }
    }

    /// Opens conversation `id` in the thread pane; whatever was asked for before is dropped.
    pub(super) fn open_conversation(&mut self, id: Id) -> Vec<Effect> {
        if self.open != Some(id) {
            self.reply_channel = None;
            self.thread = None;
        }
        self.open = Some(id);
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
            .iter()
            .find(|c| c.id == id)
            .map(|c| c.contact_id)
            .or_else(|| {
                self.contact
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
            .as_ref()
            .is_some_and(|c| c.contact.id != contact)
        {
            self.contact = None;
        }
        self.contact_for = Some(contact);
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
            || self.open != Some(detail.conversation.id)
        {
            return vec![];
        }
        let id = detail.conversation.id;
        let contact = detail.conversation.contact_id;
        let keep = self
            .thread
            .as_ref()
            .filter(|t| t.detail.conversation.id == id)
            .map(|t| (t.scroll, t.quotes_expanded));
        let (scroll, quotes_expanded) = keep.unwrap_or((0, false));
        let mut effects = vec![];
        if self.contact_for != Some(contact) {
            effects.push(self.fetch_contact(contact));
        }
        if let Some(row) = self.list.iter_mut().find(|c| c.id == id) {
            row.unread = false;
        }
        self.thread = Some(Thread {
            detail,
            scroll,
            max_scroll: None,
            loading_older: false,
            quotes_expanded,
        });
        effects.push(Effect::MarkRead(id));
        effects
    }

    /// Older history arrived: put before what is shown, if it is for what is open.
    pub(super) fn older_loaded(
        &mut self,
        id: Id,
        mut messages: Vec<Message>,
        has_older: bool,
        generation: u64,
    ) {
        if !self.gens.is_current(Slot::Older, generation) {
            return;
        }
        if let Some(t) = self
            .thread
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

    pub(super) fn load_older(&mut self) -> Vec<Effect> {
        let Some(t) = self.thread.as_mut() else {
            return vec![];
        };
        let first = t.detail.messages.first().map(|m| m.id);
        let (Some(before), true, false) = (first, t.detail.has_older, t.loading_older) else {
            return vec![];
        };
        t.loading_older = true;
        let id = t.detail.conversation.id;
        vec![Effect::FetchOlder {
            id,
            before,
            generation: self.gens.next(Slot::Older),
        }]
    }

    /// Scrolls the thread by `delta` lines (negative is up, into older history).
    pub(super) fn scroll_thread(&mut self, delta: isize) -> Vec<Effect> {
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

    /// Goes to the first message of the thread (loading older history when there is more).
    pub(super) fn thread_top(&mut self) -> Vec<Effect> {
        let Some(t) = self.thread.as_mut() else {
            return vec![];
        };
        t.scroll = t.max_scroll.unwrap_or(usize::MAX);
        self.load_older()
    }

    /// Goes to the newest message, and follows new ones from there.
    pub(super) fn thread_bottom(&mut self) {
        if let Some(t) = self.thread.as_mut() {
            t.scroll = 0;
        }
    }

    /// Sends the open conversation's draft to that conversation.
    pub(super) fn send(&mut self) -> Vec<Effect> {
        let Some(id) = self.open else {
            return vec![];
        };
        let body = self.draft().trim_end().to_string();
        if body.trim().is_empty() {
            self.inform("nothing to send");
            return vec![];
        }
        self.drafts.remove(&id);
        self.focus = Pane::Thread;
        vec![
            Effect::Send {
                conversation_id: id,
                body,
                internal: self.compose == Compose::Note,
                channel_id: self.reply_channel.take(),
            },
            Effect::SaveDraft {
                conversation_id: id,
                text: String::new(),
            },
        ]
    }

    /// Adds a message to the open thread (once) and follows it when at the bottom.
    pub(super) fn add_message(&mut self, m: Message) {
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

    /// Moves the reply to the next enabled channel (back to the conversation's own after the
    /// last one).
    pub(super) fn switch_channel(&mut self) {
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
        self.channel_name(id)
    }

    pub(super) fn cycle_focus(&mut self, forward: bool) {
        let mut panes = vec![Pane::List];
        if self.open.is_some() {
            panes.push(Pane::Thread);
            // The sidebar pane takes the focus only where it is drawn.
            if self.sidebar && (self.layout.sidebar.is_some() || self.layout.thread.is_none()) {
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
