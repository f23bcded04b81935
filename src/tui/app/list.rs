//! The list pane: the view and filter behind it, its pages, the selection and the marks.

use super::{App, Effect, ListRequest, Narrow, Pane, Slot, VIEWS};
use crate::api::ConversationPage;
use crate::domain::{Conversation, Id, Status, Timestamp};
use crate::tui::keymap::Action;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::collections::BTreeSet;

/// How close to the end of the loaded rows the next page is asked for.
const PREFETCH: usize = 20;

/// Longest filter text: the server caps its searches too.
const FILTER_MAX: usize = 200;

/// The list pane's state: which view and filter, the rows that answered them, the cursor,
/// the marks, and what is on its way.
#[derive(Debug, Clone)]
pub struct ListPane {
    /// The view tab, an index into [`VIEWS`].
    pub view: usize,
    pub filter: String,
    /// The filter line has the keyboard.
    pub filtering: bool,
    /// Filters set from the palette.
    pub narrow: Narrow,
    pub rows: Vec<Conversation>,
    /// The query `rows` answer (what the title names once loaded).
    pub shown: Option<ListRequest>,
    /// How many conversations each view holds, in `VIEWS` order, once counted.
    pub counts: Vec<Option<i64>>,
    /// A round of counts is on its way; activity meanwhile waits for its answer.
    pub(super) counts_pending: bool,
    /// Activity arrived while counts were on their way: count again when they land.
    pub(super) counts_stale: bool,
    pub selected: usize,
    /// Conversations marked for a bulk action.
    pub marked: BTreeSet<Id>,
    /// The first row on screen: it moves only when the selection leaves the window, so a
    /// move redraws two rows, not all of them.
    pub top: usize,
    /// How many rows the screen shows (from the terminal size).
    pub height: usize,
    pub next_cursor: Option<String>,
    /// A first page is on its way (the rows shown answer an older query).
    pub loading: bool,
    /// A next page is on its way.
    pub paging: bool,
}

impl Default for ListPane {
    fn default() -> Self {
        ListPane {
            view: 0,
            filter: String::new(),
            filtering: false,
            narrow: Narrow::default(),
            rows: Vec::new(),
            shown: None,
            counts: vec![None; VIEWS.len()],
            counts_pending: false,
            counts_stale: false,
            selected: 0,
            marked: BTreeSet::new(),
            top: 0,
            height: 20,
            next_cursor: None,
            loading: false,
            paging: false,
        }
    }
}

impl ListPane {
    /// The commands the list offers, in the order the hint line shows them.
    pub const COMMANDS: &[Action] = &[
        Action::Open,
        Action::Filter,
        Action::ToggleSelect,
        Action::Assign,
        Action::Status,
        Action::Close,
        Action::EditLabels,
        Action::NextView,
        Action::Undo,
    ];

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

    /// The selected conversation.
    pub fn current(&self) -> Option<&Conversation> {
        self.rows.get(self.selected)
    }

    /// Scrolls just enough for the selected row to be on screen.
    pub fn keep_visible(&mut self) {
        let rows = self.height.max(1);
        if self.selected < self.top {
            self.top = self.selected;
        } else if self.selected >= self.top + rows {
            self.top = self.selected + 1 - rows;
        }
    }

    /// Moves the selection by `delta` rows, staying on the list; false when it is empty.
    fn step(&mut self, delta: isize) -> bool {
        if self.rows.is_empty() {
            return false;
        }
        let last = self.rows.len() - 1;
        self.selected = self.selected.saturating_add_signed(delta).min(last);
        self.keep_visible();
        true
    }

    /// Edits the filter line with `key`; returns whether the filter text changed.
    fn edit_filter(&mut self, key: KeyEvent) -> bool {
        match key.code {
            KeyCode::Esc => {
                self.filtering = false;
                if self.filter.is_empty() {
                    return false;
                }
                self.filter.clear();
            }
            KeyCode::Enter => {
                self.filtering = false;
                return false;
            }
            KeyCode::Backspace => return self.filter.pop().is_some(),
            // Ctrl-U empties the line, as in a shell.
            KeyCode::Char('u') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                if self.filter.is_empty() {
                    return false;
                }
                self.filter.clear();
            }
            KeyCode::Char(c)
                if !key.modifiers.contains(KeyModifiers::CONTROL)
                    && self.filter.chars().count() < FILTER_MAX =>
            {
                self.filter.push(c);
            }
            _ => return false,
        }
        true
    }

    /// Adds pasted text to the filter line (control characters dropped, length capped).
    pub(super) fn paste_filter(&mut self, text: &str) {
        let room = FILTER_MAX.saturating_sub(self.filter.chars().count());
        self.filter
            .extend(text.chars().filter(|c| !c.is_control()).take(room));
    }

    /// Applies a page answering the latest request: the first page replaces the rows (the
    /// selection stays on its conversation when it is still there); a next page is added
    /// only while one is awaited.
    fn apply_page(&mut self, page: ConversationPage, append: bool) {
        if append {
            if !self.paging {
                return;
            }
            self.paging = false;
            let known: std::collections::HashSet<_> = self.rows.iter().map(|c| c.id).collect();
            self.rows
                .extend(page.items.into_iter().filter(|c| !known.contains(&c.id)));
        } else {
            self.loading = false;
            let keep = self.current().map(|c| c.id);
            self.rows = page.items;
            self.shown = Some(self.request());
            self.selected = keep
                .and_then(|id| self.rows.iter().position(|c| c.id == id))
                .unwrap_or(0);
            self.top = 0;
            self.keep_visible();
        }
        self.next_cursor = page.next_cursor;
    }

    /// Whether the view's server-side filter would show `c` to agent `me` at `now` (text
    /// filters excepted).
    fn in_view(&self, c: &Conversation, me: Id, now: i64) -> bool {
        let view = &VIEWS[self.view];
        let status_ok = match view.status {
            None => true,
            Some("open") => c.status != Status::Closed,
            Some("snoozed") => c.snoozed_until.is_some_and(|t| t > Timestamp(now)),
            Some(s) => c.status.as_str() == s,
        };
        let assignee_ok = match view.assignee {
            None => true,
            Some("me") => c.owner_id == Some(me),
            Some("unassigned") => c.owner_id.is_none(),
            Some(_) => true,
        };
        status_ok && assignee_ok
    }

    /// Puts the newest state of a conversation in the list, keeping the selection on its row.
    /// The unread marker is the server's: a new message from someone else sets it (`unread`),
    /// nothing else does, and the row keeps the one it had.
    fn upsert(&mut self, c: Conversation, unread: bool, me: Id, now: i64) {
        if self.loading && self.shown.is_none() {
            // The rows of this view are on their way; they will include this change.
            return;
        }
        let selected = self.current().map(|x| x.id);
        let present = self.rows.iter().position(|x| x.id == c.id);
        let was_unread = present.is_some_and(|at| self.rows[at].unread);
        let c = Conversation {
            unread: was_unread || unread,
            ..c
        };
        // Only the view's own filters can be checked here; text and palette filters cannot.
        let checkable = self.filter.trim().is_empty() && self.narrow == Narrow::default();
        match (present, self.in_view(&c, me, now), checkable) {
            (Some(at), false, _) => {
                self.rows.remove(at);
                self.marked.remove(&c.id);
            }
            (Some(at), true, false) => self.rows[at] = c,
            (present, true, true) => {
                if let Some(at) = present {
                    self.rows.remove(at);
                }
                let at = self
                    .rows
                    .iter()
                    .position(|x| (x.last_message_at, x.id) < (c.last_message_at, c.id))
                    .unwrap_or(self.rows.len());
                self.rows.insert(at, c);
            }
            (None, _, _) => {}
        }
        if let Some(id) = selected
            && let Some(at) = self.rows.iter().position(|x| x.id == id)
        {
            self.selected = at;
        }
        self.selected = self.selected.min(self.rows.len().saturating_sub(1));
        self.keep_visible();
    }
}

impl App {
    /// Asks for the first page of the current view and filter. Every answer to an earlier
    /// request (a first page or a next page) is superseded, and the marks are dropped: they
    /// may not be on screen any more.
    pub(super) fn reload(&mut self) -> Effect {
        self.list.loading = true;
        self.list.paging = false;
        self.list.marked.clear();
        Effect::FetchList {
            request: self.list.request(),
            append: false,
            generation: self.gens.next(Slot::List),
        }
    }

    /// Switches to another view tab. Its rows are not on screen until they arrive: the list
    /// is emptied rather than showing another view's rows under the new name.
    pub(super) fn switch_view(&mut self, view: usize) -> Vec<Effect> {
        self.list.view = view % VIEWS.len();
        self.list.rows.clear();
        self.list.shown = None;
        self.list.selected = 0;
        self.list.top = 0;
        self.list.next_cursor = None;
        vec![self.reload()]
    }

    /// Applies a page of the list if it answers the latest request.
    pub(super) fn list_page(&mut self, page: ConversationPage, append: bool, generation: u64) {
        if !self.gens.is_current(Slot::List, generation) {
            return;
        }
        self.list.apply_page(page, append);
    }

    /// A key while the filter line has the keyboard: a changed filter asks again.
    pub(super) fn filter_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        if self.list.edit_filter(key) {
            vec![self.reload()]
        } else {
            vec![]
        }
    }

    /// Moves the selection of the focused pane (the list, the thread's scroll, the sidebar).
    pub(super) fn move_by(&mut self, delta: isize) -> Vec<Effect> {
        match self.focus {
            Pane::Thread => self.scroll_thread(delta),
            Pane::Sidebar => {
                self.contact.step(delta);
                vec![]
            }
            _ if self.list.step(delta) => self.next_page(),
            _ => vec![],
        }
    }

    /// Fetches the next page before the end is reached, for the view and filter on screen.
    fn next_page(&mut self) -> Vec<Effect> {
        if self.list.selected + PREFETCH < self.list.rows.len()
            || self.list.loading
            || self.list.paging
        {
            return vec![];
        }
        let Some(cursor) = self.list.next_cursor.clone() else {
            return vec![];
        };
        self.list.paging = true;
        vec![Effect::FetchList {
            request: ListRequest {
                cursor: Some(cursor),
                ..self.list.request()
            },
            append: true,
            generation: self.gens.current(Slot::List),
        }]
    }

    /// Puts the newest state of a conversation in the list (see [`ListPane::upsert`]).
    pub(super) fn upsert(&mut self, c: Conversation, unread: bool) {
        self.list.upsert(c, unread, self.me.id, self.now);
    }
}
