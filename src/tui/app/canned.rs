//! The canned reply picker: a layer over the editor that filters the replies as the agent
//! types, previews the picked one with its placeholders filled, and inserts it at the cursor,
//! leaving the cursor where the reply says (`{{cursor}}`).

use super::{App, Effect, Layer, Pane};
use crate::api::CannedReply;
use crate::domain::Id;
use crate::tui::canned::{self, Canned, Filled, Placeholders};
use crate::tui::keymap::Action;

impl App {
    /// Puts `reply` among the canned replies: the desk's shared ones come first, then the
    /// agent's own; a shared reply of the same id is replaced.
    pub fn share_canned(&mut self, reply: CannedReply) {
        let canned = Canned {
            name: reply.name,
            text: reply.body,
            shared: Some(reply.id),
        };
        match self.canned.iter_mut().find(|c| c.shared == Some(reply.id)) {
            Some(c) => *c = canned,
            None => {
                let at = self
                    .canned
                    .iter()
                    .take_while(|c| c.shared.is_some())
                    .count();
                self.canned.insert(at, canned);
            }
        }
    }

    /// Takes the shared reply `id` out of the canned replies.
    pub(super) fn unshare_canned(&mut self, id: Id) {
        self.canned.retain(|c| c.shared != Some(id));
    }

    /// Opens the picker for the open conversation's draft.
    pub(super) fn open_canned(&mut self) {
        if let Some(conversation) = self.thread.open
            && !self.canned.is_empty()
        {
            self.layers.push(Layer::Canned {
                conversation,
                query: String::new(),
                selected: 0,
            });
        }
    }

    /// The replies matching `query`, best first.
    pub fn canned_matches(&self, query: &str) -> Vec<&Canned> {
        canned::search(&self.canned, query)
            .into_iter()
            .map(|i| &self.canned[i])
            .collect()
    }

    /// `reply` with its placeholders filled for conversation `id`.
    pub fn fill_canned(&self, reply: &Canned, id: Id) -> Filled {
        let conversation = self
            .thread
            .loaded
            .as_ref()
            .map(|t| &t.detail.conversation)
            .filter(|c| c.id == id)
            .or_else(|| self.list.rows.iter().find(|c| c.id == id));
        let with = Placeholders {
            contact_name: conversation
                .map(|c| c.contact_name.clone())
                .unwrap_or_default(),
            agent_name: self.me.name.clone(),
            conversation_id: id.to_string(),
            conversation_subject: conversation.map(|c| c.subject.clone()).unwrap_or_default(),
        };
        canned::fill(&reply.text, &with)
    }

    /// A key action in the picker: move, insert the picked reply, or keep the layer.
    pub(super) fn canned_action(
        &mut self,
        conversation: Id,
        query: String,
        selected: usize,
        action: Action,
    ) -> Vec<Effect> {
        let matches = self.canned_matches(&query).len();
        let selected = match action {
            Action::MoveDown => (selected + 1).min(matches.saturating_sub(1)),
            Action::MoveUp => selected.saturating_sub(1),
            Action::Open | Action::Confirm => {
                let picked = self.canned_matches(&query).get(selected).copied().cloned();
                let Some(reply) = picked else {
                    self.layers.push(Layer::Canned {
                        conversation,
                        query,
                        selected,
                    });
                    return vec![];
                };
                let filled = self.fill_canned(&reply, conversation);
                if self.thread.open == Some(conversation) {
                    self.focus = Pane::Editor;
                }
                return self.insert_into_draft(conversation, &filled);
            }
            _ => selected,
        };
        self.layers.push(Layer::Canned {
            conversation,
            query,
            selected,
        });
        vec![]
    }
}
