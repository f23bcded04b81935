//! A fixed pool of read-only connections; WAL lets them read while the writer commits.

use super::{StoreError, open_reader};
use rusqlite::Connection;
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Read-only connections handed out round-robin.
pub struct Readers {
    conns: Vec<Mutex<Connection>>,
    next: AtomicUsize,
}

impl Readers {
    /// Opens `count` connections on the database at `path`.
    pub fn open(path: &Path, count: usize) -> Result<Readers, StoreError> {
        let conns = (0..count)
            .map(|_| open_reader(path).map(Mutex::new))
            .collect::<Result<_, _>>()?;
        Ok(Readers {
            conns,
            next: AtomicUsize::new(0),
        })
    }

    /// Runs `f` on the first idle connection, or waits for the next one in turn.
    pub fn with<T>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let start = self.next.fetch_add(1, Ordering::Relaxed);
        let n = self.conns.len();
        for i in 0..n {
            if let Ok(conn) = self.conns[(start + i) % n].try_lock() {
                return snapshot(&conn, f);
            }
        }
        let conn = self.conns[start % n]
            .lock()
            .map_err(|_| StoreError::Internal("reader poisoned".into()))?;
        snapshot(&conn, f)
    }
}

/// Runs `f` in one read transaction, so everything it reads is one consistent state.
fn snapshot<T>(
    conn: &Connection,
    f: impl FnOnce(&Connection) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    let tx = conn.unchecked_transaction()?;
    let result = f(&tx);
    drop(tx);
    result
}
