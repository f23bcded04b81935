//! frontdesk: a keyboard-driven terminal help desk and the help desk server it talks to.

pub mod api;
pub mod bench;
pub mod cli;
pub mod client;
pub mod demo;
pub mod domain;
pub mod embedded;
pub mod server;
pub mod tui;
