//! What the terminal client uses to talk to a help desk: the HTTP API, the live event
//! stream with resume, and the durable outbox of replies.

pub mod api;
mod backoff;
pub mod download;
pub mod drafts;
pub mod events;
pub mod outbox;
pub mod tls;
