//! The channels that bring conversations in and take replies out, one module per kind.

pub mod custom;
