//! Mentions: `@` in an internal note picks an agent to notify; the conversations where this
//! agent was mentioned and has not looked yet are kept (from `GET /mentions` at start and the
//! `mention.*` events only this agent receives), counted in the status bar and listed by `M`.

use super::{App, Compose, Effect, Layer, Menu, Pane, bell};
use crate::api::MentionSummary;
use crate::domain::{Agent, Conversation, Id};
use crate::tui::keymap::Action;

/// A conversation where this agent was mentioned and has not looked since.
#[derive(Debug, Clone, PartialEq)]
pub struct Mentioned {
    pub conversation: Conversation,
    pub unseen: i64,
    /// Who mentioned them last.
    pub by: String,
}

impl App {
    /// After `@` was typed in a note: opens the agent picker.
    pub(super) fn maybe_pick_mention(&mut self, typed: char) {
        if typed == '@'
            && self.editor.compose == Compose::Note
            && let Some(conversation) = self.thread.open
        {
            self.layers.push(Layer::Mention {
                conversation,
                query: String::new(),
                selected: 0,
            });
        }
    }

    /// The agents matching `query` (by name or e-mail, ignoring case), this agent left out.
    pub fn mention_choices(&self, query: &str) -> Vec<&Agent> {
        let q = query.to_lowercase();
        self.agents
            .iter()
            .filter(|a| a.id != self.me.id && a.active)
            .filter(|a| a.name.to_lowercase().contains(&q) || a.email.to_lowercase().contains(&q))
            .collect()
    }

    /// A key action in the agent picker.
    pub(super) fn mention_action(
        &mut self,
        conversation: Id,
        query: String,
        selected: usize,
        action: Action,
    ) -> Vec<Effect> {
        let count = self.mention_choices(&query).len();
        let selected = match action {
            Action::MoveDown => (selected + 1).min(count.saturating_sub(1)),
            Action::MoveUp => selected.saturating_sub(1),
            Action::Open | Action::Confirm | Action::Complete => {
                let Some(agent) = self
                    .mention_choices(&query)
                    .get(selected)
                    .map(|a| (*a).clone())
                else {
                    return vec![];
                };
                self.editor
                    .mentions
                    .entry(conversation)
                    .or_default()
                    .insert(agent.id);
                self.focus = Pane::Editor;
                let name = format!("{} ", agent.name);
                return self.paste_into_draft(&name);
            }
            _ => selected,
        };
        self.layers.push(Layer::Mention {
            conversation,
            query,
            selected,
        });
        vec![]
    }

    /// The agents picked for the note of conversation `id` whose `@name` is still in `body`.
    pub(super) fn mentions_in(&mut self, id: Id, body: &str) -> Vec<Id> {
        let picked = self.editor.mentions.remove(&id).unwrap_or_default();
        picked
            .into_iter()
            .filter(|agent| {
                self.agents
                    .iter()
                    .find(|a| a.id == *agent)
                    .is_some_and(|a| body.contains(&format!("@{}", a.name)))
            })
            .collect()
    }

    /// The mentions known at start.
    pub(super) fn mentions_loaded(&mut self, summaries: Vec<MentionSummary>) {
        self.mentioned = summaries
            .into_iter()
            .filter(|s| s.unseen > 0)
            .map(|s| Mentioned {
                conversation: s.conversation,
                unseen: s.unseen,
                by: s.latest.sender.name,
            })
            .collect();
    }

    /// Someone mentioned this agent: count it, say so, ring.
    pub(super) fn mentioned_in(&mut self, conversation: Conversation, by: String) -> Vec<Effect> {
        let id = conversation.id;
        let text = format!("{by} mentioned you in #{id}");
        match self.mentioned.iter_mut().find(|m| m.conversation.id == id) {
            Some(m) => {
                m.unseen += 1;
                m.by = by;
                m.conversation = conversation.clone();
            }
            None => self.mentioned.insert(
                0,
                Mentioned {
                    conversation: conversation.clone(),
                    unseen: 1,
                    by,
                },
            ),
        }
        self.inform(text);
        if self.bell == super::BellPolicy::Off {
            return vec![];
        }
        vec![bell(&conversation)]
    }

    /// Opens the list of conversations with unseen mentions.
    pub(super) fn open_mentions(&mut self) {
        if self.mentioned.is_empty() {
            self.inform("no unseen mentions");
        } else {
            self.layers.push(Layer::Menu {
                menu: Menu::Mentions,
                selected: 0,
                targets: Vec::new(),
            });
        }
    }
}
