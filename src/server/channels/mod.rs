//! The channels that feed conversations in, each in its own module.

pub mod calls;
