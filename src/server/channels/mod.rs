//! The channels that bring customers' messages in and take agents' replies out.

pub mod email;
