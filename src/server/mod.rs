//! The help desk server: SQLite store, HTTP API, live event stream, seeding.

pub mod seed;
pub mod store;
