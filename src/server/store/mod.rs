//! SQLite storage: one batching writer thread, a pool of readers.

pub mod schema;
