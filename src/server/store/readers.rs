//! A fixed pool of read-only connections; WAL lets them read while the writer commits.
//!
//! The pool is split: the first connections serve only text searches, the rest everything
//! else, so a quick read never waits on a connection a long search holds.

use super::{StoreError, open_reader};
use rusqlite::{Connection, ErrorCode};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// SQLite virtual-machine steps between two looks at a bounded read's clock.
const PROGRESS_OPS: i32 = 1000;

/// Read-only connections handed out round-robin.
pub struct Readers {
    /// `searchers` search connections, then the general ones.
    conns: Vec<Mutex<Connection>>,
    searchers: usize,
    next: AtomicUsize,
}

impl Readers {
    /// Opens `searchers` search connections and `general` others on the database at `path`.
    pub fn open(path: &Path, searchers: usize, general: usize) -> Result<Readers, StoreError> {
        let conns = (0..searchers + general)
            .map(|_| open_reader(path).map(Mutex::new))
            .collect::<Result<_, _>>()?;
        Ok(Readers {
            conns,
            searchers,
            next: AtomicUsize::new(0),
        })
    }

    /// Runs `f` on the first idle general connection, or waits for the next one in turn.
    pub fn with<T>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        snapshot(&*self.connection(&self.conns[self.searchers..])?, f)
    }

    /// Runs `f` on a search connection, stopping its statements once `budget` has passed:
    /// the answer is then [`StoreError::OverBudget`].
    pub fn with_budget<T>(
        &self,
        budget: Duration,
        f: impl FnOnce(&Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut conn = self.connection(&self.conns[..self.searchers])?;
        let deadline = Instant::now() + budget;
        // Disarmed before the read transaction ends, so its rollback is never interrupted.
        let armed = Arc::new(AtomicBool::new(true));
        let watch = armed.clone();
        conn.progress_handler(
            PROGRESS_OPS,
            Some(move || watch.load(Ordering::Relaxed) && Instant::now() >= deadline),
        )?;
        let result = snapshot(&conn, |c| {
            let result = f(c);
            armed.store(false, Ordering::Relaxed);
            result
        });
        conn.progress_handler(0, None::<fn() -> bool>)?;
        match result {
            Err(StoreError::Sql(e))
                if e.sqlite_error_code() == Some(ErrorCode::OperationInterrupted) =>
            {
                Err(StoreError::OverBudget(budget))
            }
            other => other,
        }
    }

    /// The first idle connection of `conns`, or the next one in turn once it is free.
    fn connection<'a>(
        &self,
        conns: &'a [Mutex<Connection>],
    ) -> Result<MutexGuard<'a, Connection>, StoreError> {
        let start = self.next.fetch_add(1, Ordering::Relaxed);
        let n = conns.len();
        for i in 0..n {
            if let Ok(conn) = conns[(start + i) % n].try_lock() {
                return Ok(conn);
            }
        }
        conns[start % n]
            .lock()
            .map_err(|_| StoreError::Internal("reader poisoned".into()))
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
