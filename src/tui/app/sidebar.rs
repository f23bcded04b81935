//! The contact pane: the contact of the open conversation and their other conversations.

use crate::api::ContactDetail;
use crate::domain::Id;
use crate::tui::keymap::Action;

/// The contact sidebar's state (below 120 columns it is shown as an overlay).
#[derive(Debug, Clone)]
pub struct ContactPane {
    pub detail: Option<ContactDetail>,
    /// The contact last asked for.
    pub(super) asked: Option<Id>,
    /// The row of the contact's conversations picked.
    pub selected: usize,
    /// The sidebar is shown beside the thread (on wide screens).
    pub shown: bool,
}

impl Default for ContactPane {
    fn default() -> Self {
        ContactPane {
            detail: None,
            asked: None,
            selected: 0,
            shown: true,
        }
    }
}

impl ContactPane {
    /// The commands the sidebar offers, in the order the hint line shows them.
    pub const COMMANDS: &[Action] = &[Action::Open, Action::ToggleSidebar, Action::NextPane];

    /// Moves the picked conversation by `delta` rows, staying on the list.
    pub(super) fn step(&mut self, delta: isize) {
        let last = self
            .detail
            .as_ref()
            .map_or(0, |c| c.conversations.len().saturating_sub(1));
        self.selected = self.selected.saturating_add_signed(delta).min(last);
    }

    /// The conversation picked, if any.
    pub(super) fn picked(&self) -> Option<Id> {
        self.detail
            .as_ref()
            .and_then(|c| c.conversations.get(self.selected))
            .map(|c| c.id)
    }
}
