//! Closed sets of values, each with one snake_case spelling used on the wire and in the store.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A value that is not one of an enum's spellings.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} {value:?}; expected one of: {expected}")]
pub struct ParseEnumError {
    /// Which enum was being parsed.
    pub what: &'static str,
    /// The rejected input.
    pub value: String,
    /// The accepted spellings, comma separated.
    pub expected: String,
}

macro_rules! wire_enum {
    ($(#[$meta:meta])* $name:ident, $what:literal { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] $variant),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The wire and store spelling.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = ParseEnumError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err(ParseEnumError {
                        what: $what,
                        value: s.to_string(),
                        expected: [$($text),+].join(", "),
                    }),
                }
            }
        }
    };
}

wire_enum!(
    /// Where a ticket stands in the pipeline.
    Status, "status" {
        /// Nobody has answered yet.
        New => "new",
        /// An agent answered; the ball is with the customer.
        WaitingOnContact => "waiting_on_contact",
        /// The customer wrote; the ball is with the team.
        WaitingOnUs => "waiting_on_us",
        /// Done.
        Closed => "closed",
    }
);

wire_enum!(
    /// How urgent a ticket is.
    Priority, "priority" {
        /// Whenever there is time.
        Low => "low",
        /// The default.
        Medium => "medium",
        /// Soon.
        High => "high",
        /// Now.
        Urgent => "urgent",
    }
);

wire_enum!(
    /// What an agent may do.
    Role, "role" {
        /// Everything, including channel management.
        Admin => "admin",
        /// Work conversations.
        Agent => "agent",
    }
);

wire_enum!(
    /// The kind of a channel that feeds conversations in.
    ChannelKind, "channel kind" {
        /// Team email.
        Email => "email",
        /// Website live chat.
        Chat => "chat",
        /// Web forms.
        Form => "form",
        /// Facebook Messenger.
        Messenger => "messenger",
        /// WhatsApp.
        Whatsapp => "whatsapp",
        /// Logged phone calls.
        Call => "call",
        /// An integration bridging another messaging service.
        Custom => "custom",
    }
);

wire_enum!(
    /// Who a message is from and who sees it.
    MessageKind, "message kind" {
        /// From the customer.
        Inbound => "inbound",
        /// From an agent to the customer.
        Outbound => "outbound",
        /// Between agents only; never shown to the customer.
        Note => "note",
    }
);

wire_enum!(
    /// The kind of an attached file.
    AttachmentKind, "attachment kind" {
        /// A sound file.
        Audio => "audio",
        /// A recorded voice message.
        VoiceNote => "voice_note",
        /// A sticker.
        Sticker => "sticker",
        /// A picture.
        Image => "image",
        /// A film.
        Video => "video",
        /// Anything else.
        File => "file",
    }
);

wire_enum!(
    /// Who placed a logged call.
    CallDirection, "call direction" {
        /// The customer called the team.
        Inbound => "inbound",
        /// An agent called the customer.
        Outbound => "outbound",
    }
);

wire_enum!(
    /// Who a channel assigns its new conversations to.
    RoutingMode, "routing mode" {
        /// Nobody: new conversations stay unassigned.
        Nobody => "nobody",
        /// A fair rotation among the listed agents and the members of the listed teams.
        UsersAndTeams => "users_and_teams",
        /// The contact's owner, else the fallback.
        ContactOwner => "contact_owner",
    }
);

wire_enum!(
    /// Where a conversation goes when the contact's owner cannot take it.
    RoutingFallback, "routing fallback" {
        /// It stays unassigned.
        Nobody => "nobody",
        /// The rotation among the listed agents and teams.
        UsersAndTeams => "users_and_teams",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_round_trips_through_its_spelling() {
        for s in Status::ALL {
            assert_eq!(s.as_str().parse::<Status>().unwrap(), *s);
            assert_eq!(serde_json::to_string(s).unwrap(), format!("\"{s}\""));
        }
    }

    #[test]
    fn unknown_spelling_names_the_accepted_values() {
        let err = "urgentish".parse::<Priority>().unwrap_err();
        assert_eq!(err.expected, "low, medium, high, urgent");
        assert!(err.to_string().contains("unknown priority \"urgentish\""));
    }

    #[test]
    fn voice_note_uses_snake_case() {
        assert_eq!(AttachmentKind::VoiceNote.as_str(), "voice_note");
        let k: AttachmentKind = serde_json::from_str("\"voice_note\"").unwrap();
        assert_eq!(k, AttachmentKind::VoiceNote);
    }
}

wire_enum!(
    /// How far an agent's reply got on its way to the customer.
    DeliveryStatus, "delivery status" {
        /// Stored; waiting for the channel to take it (retried until it does or refuses).
        Queued => "queued",
        /// The channel accepted it.
        Sent => "sent",
        /// The customer's device or mailbox has it.
        Delivered => "delivered",
        /// The customer has read it.
        Read => "read",
        /// The channel refused it, or every retry failed.
        Failed => "failed",
    }
);

impl DeliveryStatus {
    /// Whether a receipt saying `next` may replace this status: receipts only move forward
    /// (queued, sent, delivered, read), and a failure can only replace what was not yet
    /// delivered.
    pub fn may_become(self, next: DeliveryStatus) -> bool {
        use DeliveryStatus::*;
        let rank = |s: DeliveryStatus| match s {
            Queued => 0,
            Sent => 1,
            Delivered => 2,
            Read => 3,
            Failed => 1,
        };
        match (self, next) {
            (Failed, Failed) => false,
            (Failed, _) => true,
            (_, Failed) => rank(self) <= 1,
            _ => rank(next) > rank(self),
        }
    }
}
