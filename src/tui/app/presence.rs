//! Working together: who else is replying in a conversation ("Bo is replying…", from the
//! presence frames of the event stream), and telling the others when this agent is.
//!
//! This agent counts as replying in the open conversation while the editor has the keyboard;
//! the run loop passes each change on to the stream, which refreshes it until it stops.

use super::{App, Effect, Pane};
use crate::api::Presence;
use crate::domain::Id;

/// Another agent writing in a conversation, until `until` (ms since the epoch) unless
/// refreshed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replying {
    pub conversation_id: Id,
    pub agent_id: Id,
    pub agent_name: String,
    pub until: i64,
}

impl App {
    /// A presence frame from another agent: they started, are still, or stopped writing.
    pub(super) fn presence(&mut self, p: Presence) {
        self.replying
            .retain(|r| !(r.conversation_id == p.conversation_id && r.agent_id == p.agent_id));
        if p.composing && p.agent_id != self.me.id {
            self.replying.push(Replying {
                conversation_id: p.conversation_id,
                agent_id: p.agent_id,
                agent_name: p.agent_name,
                until: self.now + p.expires_in_ms as i64,
            });
        }
    }

    /// The names of the other agents replying in conversation `id` at `now`.
    pub fn replying_in(&self, id: Id, now: i64) -> Vec<&str> {
        self.replying
            .iter()
            .filter(|r| r.conversation_id == id && r.until > now)
            .map(|r| r.agent_name.as_str())
            .collect()
    }

    /// When the next "is replying" notice lapses, for a redraw then.
    pub(super) fn next_lapse(&self) -> Option<i64> {
        self.replying
            .iter()
            .map(|r| r.until)
            .filter(|&until| until > self.now)
            .min()
    }

    /// Tells the stream when the conversation this agent writes in changed.
    pub(super) fn composing_effects(&mut self) -> Vec<Effect> {
        self.replying.retain(|r| r.until > self.now);
        let now = (self.focus == Pane::Editor)
            .then_some(self.thread.open)
            .flatten();
        if now == self.composing {
            return vec![];
        }
        let before = std::mem::replace(&mut self.composing, now);
        before
            .map(|id| Effect::Composing {
                conversation_id: id,
                composing: false,
            })
            .into_iter()
            .chain(now.map(|id| Effect::Composing {
                conversation_id: id,
                composing: true,
            }))
            .collect()
    }
}
