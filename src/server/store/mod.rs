//! SQLite storage: one batching writer thread, a pool of readers, and the live event fan-out.
//!
//! The database is one file, `frontdesk.db`, in the data directory, in WAL mode with
//! `synchronous=FULL`: a write is acknowledged only after its batch is durably committed.

mod agents;
mod calls;
mod canned;
pub(crate) mod channels;
mod contacts;
pub mod conversations;
mod custom;
pub mod deliveries;
pub mod email;
mod events;
pub(crate) mod inbound;
mod mentions;
pub(crate) mod messages;
pub mod names;
mod outbox;
pub mod portal;
pub mod queue;
mod readers;
mod routing;
pub(crate) mod rows;
pub mod schema;
pub mod search;
mod threads;
mod writer;

pub use agents::{add_token, agent_by_email};
pub use channels::gone as channel_gone;
pub use conversations::ListFilter;
pub use custom::{CustomIngest, CustomThread};
pub use inbound::InboundOutcome;
pub use messages::{PostOutcome, ReplyTargets};
pub use writer::{LiveEvent, WriteCtx};

use readers::Readers;
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{Semaphore, broadcast};
use writer::Writer;

/// Prepared statements kept per connection: more than the store's distinct statements, list
/// filter combinations included, so the hot paths never parse SQL.
const STATEMENT_CACHE: usize = 512;

/// The database file name inside a data directory.
pub const DB_FILE: &str = "frontdesk.db";

/// Why a store operation did not happen.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The named record does not exist.
    #[error("{0} not found")]
    NotFound(String),
    /// The request is well-formed but not acceptable; nothing was changed.
    #[error("{0}")]
    Invalid(String),
    /// The request conflicts with what is stored.
    #[error("{0}")]
    Conflict(String),
    /// The named record existed and was deleted; its history stays.
    #[error("{0}")]
    Gone(String),
    /// The store is shutting down.
    #[error("the store is shutting down")]
    Closed,
    /// A bounded read (a search) ran out of its time budget and was stopped.
    #[error("the search was stopped after {0:?}")]
    OverBudget(std::time::Duration),
    /// SQLite said no.
    #[error("database error: {0}")]
    Sql(#[from] rusqlite::Error),
    /// Anything else that should not happen.
    #[error("internal error: {0}")]
    Internal(String),
}

/// A handle on one desk's database; cheap to clone.
#[derive(Clone)]
pub struct Store {
    writer: Writer,
    readers: Arc<Readers>,
    /// Text searches running at once: one per search connection of the readers.
    searches: Arc<Semaphore>,
    /// How long one search may run.
    search_budget: Duration,
    live: broadcast::Sender<LiveEvent>,
    writer_thread: Arc<Mutex<Option<std::thread::JoinHandle<()>>>>,
    path: PathBuf,
}

/// The files SQLite keeps beside the database while it is open (WAL mode).
pub const DB_SIDE_FILES: [&str; 2] = ["frontdesk.db-wal", "frontdesk.db-shm"];

/// Opens (creating if needed) the database in `data_dir` and brings its schema up to date.
///
/// A new folder is created 0700 and a new database 0600; SQLite gives its `-wal` and `-shm`
/// files the database's mode.
pub fn open_connection(data_dir: &Path) -> Result<Connection, StoreError> {
    let cannot = |what: &Path, e: std::io::Error| {
        StoreError::Internal(format!("cannot create {}: {e}", what.display()))
    };
    crate::server::private::create_dir(data_dir).map_err(|e| cannot(data_dir, e))?;
    let db = data_dir.join(DB_FILE);
    crate::server::private::create_file(&db).map_err(|e| cannot(&db, e))?;
    let mut conn = Connection::open(db)?;
    conn.execute_batch(
        "PRAGMA journal_mode = WAL;
         PRAGMA synchronous = FULL;
         PRAGMA foreign_keys = ON;
         PRAGMA busy_timeout = 10000;
         PRAGMA cache_size = -65536;
         PRAGMA temp_store = MEMORY;",
    )?;
    tune(&conn)?;
    schema::migrate(&mut conn)?;
    Ok(conn)
}

impl Store {
    /// Opens the desk in `data_dir`; `live_capacity` bounds how far a live client may lag.
    pub fn open(data_dir: &Path, live_capacity: usize) -> Result<Store, StoreError> {
        let conn = open_connection(data_dir)?;
        let path = data_dir.join(DB_FILE);
        let searchers = (reader_count() / 2).max(1);
        let readers = Readers::open(&path, searchers, reader_count())?;
        let (live, _) = broadcast::channel(live_capacity.max(16));
        let (writer, thread) = Writer::start(conn, live.clone())?;
        let searches = Arc::new(Semaphore::new(searchers));
        Ok(Store {
            writer,
            readers: Arc::new(readers),
            searches,
            search_budget: search::DEFAULT_BUDGET,
            live,
            writer_thread: Arc::new(Mutex::new(Some(thread))),
            path,
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Subscribes to events as they are committed.
    pub fn subscribe(&self) -> broadcast::Receiver<LiveEvent> {
        self.live.subscribe()
    }

    /// Runs a read on a pooled connection off the async threads.
    pub async fn read<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let readers = self.readers.clone();
        tokio::task::spawn_blocking(move || readers.with(f))
            .await
            .map_err(|e| StoreError::Internal(e.to_string()))?
    }

    /// Sets how long one text search may run before it is stopped.
    pub fn with_search_budget(mut self, budget: Duration) -> Store {
        self.search_budget = budget;
        self
    }

    /// Runs a text search on a reader kept for searches (half as many as the others), within
    /// the budget; searches beyond those wait their turn here, holding no connection.
    pub async fn read_search<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        // Held by the blocking task: a search whose client went away still counts until done.
        let permit = self
            .searches
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| StoreError::Closed)?;
        let readers = self.readers.clone();
        let budget = self.search_budget;
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            readers.with_budget(budget, f)
        })
        .await
        .map_err(|e| StoreError::Internal(e.to_string()))?
    }

    /// Runs a write in the writer's next batch; answers after commit.
    pub async fn write<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut WriteCtx<'_>) -> Result<T, StoreError> + Send + 'static,
    {
        self.writer.write(f).await
    }

    /// Stops accepting writes once every clone is dropped and waits for the writer to finish.
    pub fn close(self) {
        let thread = self.writer_thread.lock().ok().and_then(|mut t| t.take());
        drop(self);
        if let Some(thread) = thread {
            let _ = thread.join();
        }
    }
}

fn reader_count() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get() * 2)
        .unwrap_or(4)
        .clamp(4, 16)
}

/// Opens a read-only connection for `Readers`.
fn open_reader(path: &Path) -> Result<Connection, StoreError> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.execute_batch(
        "PRAGMA busy_timeout = 10000;
         PRAGMA cache_size = -32768;
         PRAGMA mmap_size = 268435456;
         PRAGMA temp_store = MEMORY;",
    )?;
    tune(&conn)?;
    Ok(conn)
}

/// Keeps prepared statements prepared: a large cache, and no re-preparing when a bound
/// value changes (SQLite otherwise re-plans `LIMIT ?` and indexed comparisons on every bind).
fn tune(conn: &Connection) -> Result<(), StoreError> {
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    conn.set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
        true,
    )?;
    Ok(())
}
