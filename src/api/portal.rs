//! Wire types of the customer portal's admin API (`/api/v1/portals`).

use crate::domain::{Id, Timestamp};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The language every page and e-mail of a portal is shown in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Language {
    En,
    Es,
    Pt,
    It,
}

/// Which tickets a signed-in customer sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    /// Only tickets of the customer's own contact.
    Contact,
    /// Also every ticket of the contact's primary company.
    Company,
}

/// Who may create an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Access {
    /// Anyone whose e-mail address is a contact's may sign up.
    Open,
    /// Only people an admin invited.
    Invitation,
}

macro_rules! text_enum {
    ($t:ty { $($v:ident = $s:literal),+ }) => {
        impl $t {
            /// The stored and wire spelling.
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$v => $s),+ }
            }
        }
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl FromStr for $t {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                match s {
                    $($s => Ok(Self::$v),)+
                    _ => Err(format!("unknown value {s:?}; expected one of: {}", [$($s),+].join(", "))),
                }
            }
        }
    };
}

text_enum!(Language { En = "en", Es = "es", Pt = "pt", It = "it" });
text_enum!(Visibility { Contact = "contact", Company = "company" });
text_enum!(Access { Open = "open", Invitation = "invitation" });

/// A customer portal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Portal {
    pub id: Id,
    /// Shown as the page title.
    pub name: String,
    /// The portal lives at `/portal/{slug}`.
    pub slug: String,
    pub language: Language,
    /// The channel (inbox) that receives tickets opened from the portal.
    pub channel_id: Id,
    pub visibility: Visibility,
    pub access: Access,
    /// A turned-off portal answers 404 to everyone.
    pub enabled: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// `POST /api/v1/portals`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewPortal {
    pub name: String,
    pub slug: String,
    #[serde(default = "default_language")]
    pub language: Language,
    /// Without one, a `form` channel named after the portal is created.
    #[serde(default)]
    pub channel_id: Option<Id>,
    #[serde(default = "default_visibility")]
    pub visibility: Visibility,
    #[serde(default = "default_access")]
    pub access: Access,
}

fn default_language() -> Language {
    Language::En
}
fn default_visibility() -> Visibility {
    Visibility::Contact
}
fn default_access() -> Access {
    Access::Open
}

/// `PATCH /api/v1/portals/{id}`: absent fields stay.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PortalPatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slug: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<Language>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel_id: Option<Id>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visibility: Option<Visibility>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access: Option<Access>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
}

/// `POST /api/v1/portals/{id}/invitations`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewInvitation {
    pub email: String,
    /// The contact's name when no contact has this address yet.
    #[serde(default)]
    pub name: Option<String>,
}

/// An invitation that was made.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Invitation {
    pub portal_id: Id,
    pub email: String,
    pub contact_id: Id,
    pub expires_at: Timestamp,
    /// The single-use link to accept it (also what the e-mail carries).
    pub url: String,
    /// Whether the invitation e-mail was handed to the relay.
    pub mailed: bool,
}
