//! What a reply may carry besides its text: uploaded files and e-mail header fields.

use crate::domain::{AttachmentKind, ChannelKind, Id};
use serde::{Deserialize, Serialize};

/// Most files one reply carries.
pub const MAX_REPLY_FILES: usize = 10;
/// Largest total size of one reply's files: 25 MiB.
pub const MAX_REPLY_BYTES: i64 = 25 * 1024 * 1024;

/// A file a reply carries: one the desk stored from `POST /api/v1/files`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplyAttachment {
    /// The `url` the upload answered (`/api/v1/files/{hash}`).
    pub url: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mime_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<AttachmentKind>,
    /// Ignored: the desk knows the stored size.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<i64>,
}

/// `201` answer of `POST /api/v1/files?name=NAME`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UploadedFile {
    pub kind: AttachmentKind,
    pub name: String,
    pub mime_type: String,
    pub size: i64,
    pub url: String,
}

pub use crate::domain::ReplyEmail;

/// `GET /api/v1/conversations/{id}/reply-channels`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReplyChannels {
    pub conversation_id: Id,
    pub items: Vec<ReplyChannel>,
}

/// One channel a reply could leave by, and whether it reaches the contact now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReplyChannel {
    pub channel_id: Id,
    pub kind: ChannelKind,
    pub name: String,
    /// The conversation's own channel.
    pub current: bool,
    pub reachable: bool,
    /// Why it cannot reach the contact, when it cannot.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Who the reply goes to on this channel (an address, a number, an identity).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipient: Option<String>,
    pub files: FileLimits,
    /// Defaults of the e-mail fields, on e-mail channels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<ReplyEmail>,
}

/// Whether a channel carries files, and how many and how much at most.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileLimits {
    pub attachments: bool,
    pub max_count: usize,
    pub max_total: i64,
}
