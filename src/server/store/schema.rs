//! The SQLite schema and its migrations, applied in order and recorded in `user_version`.

use rusqlite::Connection;

/// Each entry moves the schema from version `index` to `index + 1`: one file per step under
/// `migrations/`, numbered in order. Append only; never edit a released step.
const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_core.sql"),
    include_str!("migrations/0002_deliveries.sql"),
    include_str!("migrations/0003_custom_channels.sql"),
    include_str!("migrations/0004_email.sql"),
    include_str!("migrations/0005_chat_forms.sql"),
    include_str!("migrations/0006_routing.sql"),
    include_str!("migrations/0007_graph.sql"),
    include_str!("migrations/0008_portal.sql"),
    include_str!("migrations/0009_inbound_ids.sql"),
    include_str!("migrations/0010_access.sql"),
    include_str!("migrations/0011_collaboration.sql"),
    include_str!("migrations/0012_reply_email.sql"),
];

/// Brings the database up to the newest schema version.
pub fn migrate(conn: &mut Connection) -> rusqlite::Result<()> {
    let current: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    let current = usize::try_from(current).unwrap_or(usize::MAX);
    if current > MIGRATIONS.len() {
        return Err(rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_MISMATCH),
            Some(format!(
                "database schema version {current} is newer than this frontdesk knows ({}); upgrade frontdesk",
                MIGRATIONS.len()
            )),
        ));
    }
    for (version, sql) in MIGRATIONS.iter().enumerate().skip(current) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (version + 1) as i64)?;
        tx.commit()?;
    }
    Ok(())
}
