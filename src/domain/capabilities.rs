//! What a channel declares it can carry: attachment kinds with size limits, and how its
//! messages group into conversations. Inbound messages are held to it.

use super::AttachmentKind;
use serde::{Deserialize, Serialize};

/// Largest attachment size a channel may declare: 2 GiB.
pub const MAX_ATTACHMENT_LIMIT: i64 = 2 * 1024 * 1024 * 1024;

/// How a channel's messages continue conversations.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Threading {
    /// The integration's `thread_id` names the conversation.
    #[default]
    ThreadId,
    /// Everything one sender writes continues their open conversation, whatever the thread id.
    Sender,
}

/// One attachment kind a channel accepts, and its largest size in bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttachmentRule {
    pub kind: AttachmentKind,
    pub max_size: i64,
}

/// A channel's declared capabilities; the default accepts every attachment and threads by id.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Capabilities {
    #[serde(default)]
    pub threading: Threading,
    /// The attachment kinds accepted; `None` accepts any kind and size, `[]` none at all.
    #[serde(default)]
    pub attachments: Option<Vec<AttachmentRule>>,
}

impl Capabilities {
    /// Checks a declaration: each kind once, sizes from 1 byte to 2 GiB.
    pub fn validate(&self) -> Result<(), String> {
        let Some(rules) = &self.attachments else {
            return Ok(());
        };
        for (i, rule) in rules.iter().enumerate() {
            if rules[..i].iter().any(|r| r.kind == rule.kind) {
                return Err(format!(
                    "capabilities.attachments names {} twice",
                    rule.kind
                ));
            }
            if !(1..=MAX_ATTACHMENT_LIMIT).contains(&rule.max_size) {
                return Err(format!(
                    "capabilities.attachments[{i}].max_size must be 1 to {MAX_ATTACHMENT_LIMIT} bytes"
                ));
            }
        }
        Ok(())
    }

    /// Whether an attachment of `kind` and `size` bytes may come in; the reason when not.
    pub fn admits(&self, kind: AttachmentKind, size: i64) -> Result<(), String> {
        let Some(rules) = &self.attachments else {
            return Ok(());
        };
        match rules.iter().find(|r| r.kind == kind) {
            None => {
                let declared: Vec<&str> = rules.iter().map(|r| r.kind.as_str()).collect();
                Err(if declared.is_empty() {
                    format!("this channel accepts no attachments ({kind} sent)")
                } else {
                    format!(
                        "this channel does not accept {kind} attachments; it accepts {}",
                        declared.join(", ")
                    )
                })
            }
            Some(rule) if size > rule.max_size => Err(format!(
                "{kind} attachment of {size} bytes is over this channel's limit of {} bytes",
                rule.max_size
            )),
            Some(_) => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caps(json: &str) -> Capabilities {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn declared_kinds_and_limits_are_enforced_and_the_default_admits_anything() {
        let c = caps(r#"{"attachments": [{"kind": "image", "max_size": 100}]}"#);
        assert!(c.admits(AttachmentKind::Image, 100).is_ok());
        assert!(
            c.admits(AttachmentKind::Image, 101)
                .unwrap_err()
                .contains("limit of 100")
        );
        assert!(
            c.admits(AttachmentKind::Video, 1)
                .unwrap_err()
                .contains("accepts image")
        );
        assert!(
            Capabilities::default()
                .admits(AttachmentKind::Video, i64::MAX)
                .is_ok()
        );
        let none = caps(r#"{"attachments": []}"#);
        assert!(none.admits(AttachmentKind::File, 1).is_err());
    }

    #[test]
    fn validation_refuses_repeated_kinds_and_silly_sizes() {
        let twice = caps(
            r#"{"attachments": [{"kind": "audio", "max_size": 1}, {"kind": "audio", "max_size": 2}]}"#,
        );
        assert!(twice.validate().unwrap_err().contains("twice"));
        let zero = caps(r#"{"attachments": [{"kind": "audio", "max_size": 0}]}"#);
        assert!(zero.validate().is_err());
        assert!(serde_json::from_str::<Capabilities>(r#"{"threading": "mood"}"#).is_err());
        assert_eq!(
            caps(r#"{"threading": "sender"}"#).threading,
            Threading::Sender
        );
    }
}
