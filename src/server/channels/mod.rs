//! The channels customers reach the desk through, each in its own module.

pub mod chat;
pub mod forms;
pub mod public;
