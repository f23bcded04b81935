//! Channels that bring customers in and carry replies out.

pub mod graph;
