//! Plain data shared by the server and the client: ids, enums and records.
//!
//! Nothing here talks to a database, a socket or a terminal.

mod capabilities;
mod enums;
pub mod limits;
mod records;
mod time;

pub use capabilities::{AttachmentRule, Capabilities, Threading};
pub use enums::{
    AttachmentKind, CallDirection, ChannelKind, DeliveryStatus, MessageKind, ParseEnumError,
    Priority, Role, RoutingFallback, RoutingMode, Status,
};
pub use records::{
    Agent, Attachment, Call, Channel, Company, Contact, ContactIdentity, Conversation, Delivery,
    Message, ReplyEmail, Sender, SenderKind, Team,
};
pub use time::Timestamp;

/// Database identifier of any record.
pub type Id = i64;
