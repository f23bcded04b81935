//! Canned replies shared by the desk: admins write them, every agent reads them.

use crate::domain::{Id, Timestamp};
use serde::{Deserialize, Serialize};

/// Longest canned reply name.
pub const MAX_CANNED_NAME_CHARS: usize = 100;
/// Longest canned reply text.
pub const MAX_CANNED_BODY_CHARS: usize = 20_000;
/// Most canned replies on one desk.
pub const MAX_CANNED_REPLIES: usize = 2000;

/// One shared canned reply.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CannedReply {
    pub id: Id,
    /// Unique on the desk, ignoring ASCII case.
    pub name: String,
    /// May hold placeholders such as `{{contact.first_name}}`, filled in by the client.
    pub body: String,
    pub created_by: Option<Id>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// `POST /api/v1/canned`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewCanned {
    pub name: String,
    pub body: String,
}

/// `PATCH /api/v1/canned/{id}`: absent fields stay.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CannedPatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
}

/// Checks a name: not blank, one line, at most [`MAX_CANNED_NAME_CHARS`].
pub fn check_name(name: &str) -> Result<(), String> {
    crate::domain::limits::text("name", name, MAX_CANNED_NAME_CHARS)
}

/// Checks a text: not blank, at most [`MAX_CANNED_BODY_CHARS`]; newlines and tabs allowed.
pub fn check_body(body: &str) -> Result<(), String> {
    if body.trim().is_empty() {
        return Err("body must not be empty".into());
    }
    if body.chars().count() > MAX_CANNED_BODY_CHARS {
        return Err(format!(
            "body must be at most {MAX_CANNED_BODY_CHARS} characters"
        ));
    }
    if body
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err("body must not contain control characters other than newline and tab".into());
    }
    Ok(())
}
