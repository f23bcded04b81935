//! The list pane: the view and filter behind it, its pages, the selection and the marks.

use super::{App, Effect, ListRequest, Narrow, Pane, Slot, VIEWS};
use crate::api::ConversationPage;
use crate::domain::{Conversation, Status, Timestamp};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// How close to the end of the loaded rows the next page is asked for.
const PREFETCH: usize = 20;

/// Longest filter text: the server caps its searches too.
const FILTER_MAX: usize = 200;

impl App {
    /// Asks for the first page of the current view and filter. Every answer to an earlier
    /// request (a first page or a next page) is superseded, and the marks are dropped: they
    /// may not be on screen any more.
    pub(super) fn reload(&mut self) -> Effect {
        self.loading = true;
        self.paging = false;
        self.marked.clear();
        Effect::FetchList {
            request: self.request(),
            append: false,
            generation: self.gens.next(Slot::List),
        }
    }

    /// Switches to another view tab. Its rows are not on screen until they arrive: the list
    /// is emptied rather than showing another view's rows under the new name.
    pub(super) fn switch_view(&mut self, view: usize) -> Vec<Effect> {
        self.view = view % VIEWS.len();
        self.list.clear();
        self.shown = None;
        self.selected = 0;
        self.list_top = 0;
        self.next_cursor = None;
        vec![self.reload()]
    }

    /// Applies a page of the list if it answers the latest request.
    pub(super) fn list_page(&mut self, page: ConversationPage, append: bool, generation: u64) {
        if !self.gens.is_current(Slot::List, generation) {
            return;
        }
        if append {
            if !self.paging {
                return;
            }
            self.paging = false;
            let known: std::collections::HashSet<_> = self.list.iter().map(|c| c.id).collect();
            self.list
                .extend(page.items.into_iter().filter(|c| !known.contains(&c.id)));
        } else {
            self.loading = false;
            let keep = self.current().map(|c| c.id);
            self.list = page.items;
            self.shown = Some(self.request());
            self.selected = keep
                .and_then(|id| self.list.iter().position(|c| c.id == id))
                .unwrap_or(0);
            self.list_top = 0;
            self.keep_visible();
        }
        self.next_cursor = page.next_cursor;
    }

    /// A key while the filter line has the keyboard.
    pub(super) fn filter_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        match key.code {
            KeyCode::Esc => {
                self.filtering = false;
                if self.filter.is_empty() {
                    return vec![];
                }
                self.filter.clear();
            }
            KeyCode::Enter => {
                self.filtering = false;
                return vec![];
            }
            KeyCode::Backspace => {
                if self.filter.pop().is_none() {
                    return vec![];
                }
            }
            // Ctrl-U empties the line, as in a shell.
            KeyCode::Char('u') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                if self.filter.is_empty() {
                    return vec![];
                }
                self.filter.clear();
            }
            KeyCode::Char(c)
                if !key.modifiers.contains(KeyModifiers::CONTROL)
                    && self.filter.chars().count() < FILTER_MAX =>
            {
                self.filter.push(c);
            }
            _ => return vec![],
        }
        vec![self.reload()]
    }

    /// Moves the selection of the focused pane (the list, the thread's scroll, the sidebar).
    pub(super) fn move_by(&mut self, delta: isize) -> Vec<Effect> {
        match self.focus {
            Pane::Thread => self.scroll_thread(delta),
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
                self.next_page()
            }
        }
    }

    /// Fetches the next page before the end is reached, for the view and filter on screen.
    fn next_page(&mut self) -> Vec<Effect> {
        if self.selected + PREFETCH < self.list.len() || self.loading || self.paging {
            return vec![];
        }
        let Some(cursor) = self.next_cursor.clone() else {
            return vec![];
        };
        self.paging = true;
        vec![Effect::FetchList {
            request: ListRequest {
                cursor: Some(cursor),
                ..self.request()
            },
            append: true,
            generation: self.gens.current(Slot::List),
        }]
    }

    /// Scrolls the list just enough for the selected row to be on screen.
    pub(super) fn keep_visible(&mut self) {
        let rows = self.list_rows.max(1);
        if self.selected < self.list_top {
            self.list_top = self.selected;
        } else if self.selected >= self.list_top + rows {
            self.list_top = self.selected + 1 - rows;
        }
    }

    /// Whether the view's server-side filter would show `c` (text filters excepted).
    fn in_view(&self, c: &Conversation) -> bool {
        let view = &VIEWS[self.view];
        let status_ok = match view.status {
            None => true,
            Some("open") => c.status != Status::Closed,
            Some("snoozed") => c.snoozed_until.is_some_and(|t| t > Timestamp(self.now)),
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
    /// The unread marker is the server's: a new message from someone else sets it (`unread`),
    /// nothing else does, and the row keeps the one it had.
    pub(super) fn upsert(&mut self, c: Conversation, unread: bool) {
        if self.loading && self.shown.is_none() {
            // The rows of this view are on their way; they will include this change.
            return;
        }
        let selected = self.current().map(|x| x.id);
        let present = self.list.iter().position(|x| x.id == c.id);
        let was_unread = present.is_some_and(|at| self.list[at].unread);
        let c = Conversation {
            unread: was_unread || unread,
            ..c
        };
        // Only the view's own filters can be checked here; text and palette filters cannot.
        let checkable = self.filter.trim().is_empty() && self.narrow == Narrow::default();
        match (present, self.in_view(&c), checkable) {
            (Some(at), false, _) => {
                self.list.remove(at);
                self.marked.remove(&c.id);
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
}
