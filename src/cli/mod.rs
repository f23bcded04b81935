//! Subcommands of the `frontdesk` command that manage a desk from scripts and shells.

pub mod agent;
pub mod canned;
pub mod channel;
pub mod stdout;
