//! Presence: which agent is writing in which conversation, passed between event streams and
//! never stored.
//!
//! Each stream keeps a [`Composer`] for its agent: a bounded set of conversations with an
//! expiry each (`serve --presence-ttl-ms`), refreshed by the client. A notice that is not
//! refreshed, or whose stream closes, ends with `composing: false` to the others.

use crate::api::{ClientFrame, Presence, ServerFrame};
use crate::domain::Id;
use axum::extract::ws::Utf8Bytes;
use std::collections::HashMap;
use std::time::Duration;
use tokio::sync::broadcast;
use tokio::time::Instant;

/// Conversations one stream may be writing in at once; further ones are ignored.
pub const MAX_COMPOSING: usize = 8;
/// Presence frames one stream may send per second; further ones are ignored.
pub const MAX_FRAMES_PER_SECOND: u32 = 10;
/// Presence notices that may wait for a slow stream; it misses older ones.
const BUFFER: usize = 1024;

/// One presence frame on its way to every stream but its author's.
#[derive(Debug, Clone)]
pub struct PresenceFrame {
    pub agent_id: Id,
    pub frame: Utf8Bytes,
}

/// The server's presence fan-out; cheap to clone.
#[derive(Clone)]
pub struct PresenceHub {
    tx: broadcast::Sender<PresenceFrame>,
    ttl: Duration,
}

impl PresenceHub {
    /// A hub whose notices hold for `ttl` unless refreshed.
    pub fn new(ttl: Duration) -> PresenceHub {
        PresenceHub {
            tx: broadcast::channel(BUFFER).0,
            ttl,
        }
    }

    /// Hears every presence frame from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<PresenceFrame> {
        self.tx.subscribe()
    }

    fn publish(&self, presence: Presence) {
        let agent_id = presence.agent_id;
        if let Ok(json) = serde_json::to_string(&ServerFrame::Presence(presence)) {
            let _ = self.tx.send(PresenceFrame {
                agent_id,
                frame: json.into(),
            });
        }
    }
}

/// The presence of one agent's stream.
pub struct Composer {
    hub: PresenceHub,
    agent_id: Id,
    agent_name: String,
    /// Conversations being written in, with when each notice lapses.
    active: HashMap<Id, Instant>,
    /// When the current one-second window of the rate limit began (at its first frame).
    window: Option<Instant>,
    in_window: u32,
}

impl Composer {
    pub fn new(hub: PresenceHub, agent_id: Id, agent_name: String) -> Composer {
        Composer {
            hub,
            agent_id,
            agent_name,
            active: HashMap::new(),
            window: None,
            in_window: 0,
        }
    }

    /// The agent whose stream this is.
    pub fn agent_id(&self) -> Id {
        self.agent_id
    }

    /// Takes a text frame from the client: a presence frame within the bounds is passed on;
    /// anything else is ignored.
    pub fn receive(&mut self, text: &str) {
        let Ok(ClientFrame::Presence(c)) = serde_json::from_str::<ClientFrame>(text) else {
            return;
        };
        let now = Instant::now();
        if self
            .window
            .is_none_or(|w| now.duration_since(w) >= Duration::from_secs(1))
        {
            (self.window, self.in_window) = (Some(now), 0);
        }
        if self.in_window >= MAX_FRAMES_PER_SECOND {
            return;
        }
        self.in_window += 1;
        if c.composing {
            if !self.active.contains_key(&c.conversation_id) && self.active.len() >= MAX_COMPOSING {
                return;
            }
            self.active.insert(c.conversation_id, now + self.hub.ttl);
            self.announce(c.conversation_id, true);
        } else if self.active.remove(&c.conversation_id).is_some() {
            self.announce(c.conversation_id, false);
        }
    }

    /// When the next notice lapses, if any is held.
    pub fn next_expiry(&self) -> Option<Instant> {
        self.active.values().min().copied()
    }

    /// Ends the notices that lapsed.
    pub fn expire(&mut self) {
        let now = Instant::now();
        let lapsed: Vec<Id> = self
            .active
            .iter()
            .filter(|(_, at)| **at <= now)
            .map(|(id, _)| *id)
            .collect();
        for id in lapsed {
            self.active.remove(&id);
            self.announce(id, false);
        }
    }

    fn announce(&self, conversation_id: Id, composing: bool) {
        self.hub.publish(Presence {
            conversation_id,
            agent_id: self.agent_id,
            agent_name: self.agent_name.clone(),
            composing,
            expires_in_ms: if composing {
                self.hub.ttl.as_millis() as u64
            } else {
                0
            },
        });
    }
}

impl Drop for Composer {
    /// The stream closed: whatever it was writing in ends for the others.
    fn drop(&mut self) {
        for id in std::mem::take(&mut self.active).into_keys() {
            self.announce(id, false);
        }
    }
}
