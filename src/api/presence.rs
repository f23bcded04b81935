//! Presence on the event stream: who is writing in which conversation. Never stored and
//! without `seq`; a frame of `"type": "presence"` goes each way.

use crate::domain::Id;
use serde::{Deserialize, Serialize};

/// What a client sends on `/events`: it started (or still is) writing in a conversation, or
/// stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Composing {
    pub conversation_id: Id,
    pub composing: bool,
}

/// What the other agents' streams receive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Presence {
    pub conversation_id: Id,
    pub agent_id: Id,
    pub agent_name: String,
    pub composing: bool,
    /// How long the notice holds unless refreshed; 0 when `composing` is false.
    pub expires_in_ms: u64,
}

/// A presence frame as a client sends it: `{"type": "presence", ...}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum ClientFrame {
    #[serde(rename = "presence")]
    Presence(Composing),
}

/// A presence frame as the server sends it: `{"type": "presence", ...}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum ServerFrame {
    #[serde(rename = "presence")]
    Presence(Presence),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_carry_their_type() {
        let text = r#"{"type":"presence","conversation_id":7,"composing":true}"#;
        let ClientFrame::Presence(c) = serde_json::from_str(text).unwrap();
        assert_eq!(c.conversation_id, 7);
        assert_eq!(
            serde_json::to_string(&ClientFrame::Presence(c)).unwrap(),
            text
        );
        assert!(serde_json::from_str::<ClientFrame>(r#"{"type":"x"}"#).is_err());
    }
}
