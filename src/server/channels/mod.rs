//! The channels that feed conversations in and carry replies out, each in its own module.

pub mod calls;
pub mod chat;
pub mod custom;
pub mod email;
pub mod forms;
pub mod graph;
pub mod public;
