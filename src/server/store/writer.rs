//! The one writer: a thread that owns the write connection and commits jobs in batches.
//!
//! Each job runs inside its own savepoint, so a failing job leaves no trace while the others
//! of its batch commit. A job's answer and its events leave the thread only after the batch's
//! `COMMIT` returned: whatever was acknowledged is on disk. Sequence numbers are read under
//! the write lock at the start of each batch, so other processes may write to the desk too.

use super::StoreError;
use super::search;
use crate::api::{Event, EventKind};
use crate::domain::{Id, Timestamp};
use axum::extract::ws::Utf8Bytes;
use rusqlite::{Connection, Transaction};
use std::time::Instant;
use tokio::sync::{broadcast, mpsc, oneshot};

/// Most jobs committed in one transaction.
const MAX_BATCH: usize = 512;

/// A committed event as the fan-out hands it to websocket clients.
#[derive(Debug, Clone)]
pub struct LiveEvent {
    pub seq: i64,
    /// The complete JSON text frame, shared by every client (cloning counts a reference).
    pub frame: Utf8Bytes,
    /// When its batch committed; `None` for events replayed from the log.
    pub committed: Option<Instant>,
    /// The one agent the event is for; `None` for every agent.
    pub audience: Option<Id>,
}

impl LiveEvent {
    /// Whether `agent_id`'s stream carries this event.
    pub fn is_for(&self, agent_id: Id) -> bool {
        self.audience.is_none_or(|a| a == agent_id)
    }
}

/// What a job sees: the open transaction and a place to record events.
pub struct WriteCtx<'a> {
    pub tx: &'a Transaction<'a>,
    next_seq: i64,
    events: Vec<LiveEvent>,
    /// Conversations whose search document is rewritten once, at the end of the batch.
    search_dirty: Vec<Id>,
    now: Timestamp,
    /// A savepoint could not be closed: the batch rolls back whole.
    broken: bool,
}

impl WriteCtx<'_> {
    /// The instant of this batch; every row a job writes uses it.
    pub fn now(&self) -> Timestamp {
        self.now
    }

    /// Rewrites the conversation's search document before this batch commits.
    ///
    /// Deferred because FTS5 flushes its pending index at every savepoint release: once per
    /// batch instead of once per job keeps segment merging off the hot path.
    pub fn reindex_later(&mut self, conversation_id: Id) {
        self.search_dirty.push(conversation_id);
    }

    /// Appends an event to the log in this transaction; it goes live after commit.
    pub fn emit(&mut self, kind: EventKind) -> Result<i64, StoreError> {
        self.emit_to(None, kind)
    }

    /// [`Self::emit`] for the stream of one agent only (every agent when `None`); the others
    /// see a gap in `seq`.
    pub fn emit_to(&mut self, audience: Option<Id>, kind: EventKind) -> Result<i64, StoreError> {
        let seq = self.next_seq;
        let event = Event {
            seq,
            at: self.now,
            kind,
        };
        let frame =
            serde_json::to_string(&event).map_err(|e| StoreError::Internal(e.to_string()))?;
        self.tx
            .prepare_cached(
                "INSERT INTO events (seq, frame, created_at, audience) VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute((seq, &frame, self.now.millis(), audience))?;
        let frame = Utf8Bytes::from(frame);
        self.next_seq += 1;
        self.events.push(LiveEvent {
            seq,
            frame,
            committed: None,
            audience,
        });
        Ok(seq)
    }
}

type Completion = Box<dyn FnOnce(Option<&StoreError>) + Send>;
type Job = Box<dyn FnOnce(&mut WriteCtx<'_>) -> Completion + Send>;

/// The sending side of the writer's queue.
#[derive(Clone)]
pub struct Writer {
    jobs: mpsc::Sender<Job>,
}

impl Writer {
    /// Starts the writer thread over `conn`; returns the handle and the thread to join.
    pub fn start(
        conn: Connection,
        live: broadcast::Sender<LiveEvent>,
    ) -> Result<(Writer, std::thread::JoinHandle<()>), StoreError> {
        let (jobs, rx) = mpsc::channel(4096);
        let thread = std::thread::Builder::new()
            .name("frontdesk-writer".into())
            .spawn(move || run(conn, rx, live))
            .map_err(|e| StoreError::Internal(e.to_string()))?;
        Ok((Writer { jobs }, thread))
    }

    /// Runs `f` in the next batch and answers once that batch is committed.
    pub async fn write<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut WriteCtx<'_>) -> Result<T, StoreError> + Send + 'static,
    {
        let (answer, answered) = oneshot::channel();
        let job: Job = Box::new(move |ctx| {
            let result = in_savepoint(ctx, f);
            Box::new(move |commit_error| {
                let result = match commit_error {
                    None => result,
                    Some(e) => Err(StoreError::Internal(format!("commit failed: {e}"))),
                };
                let _ = answer.send(result);
            })
        });
        self.jobs.send(job).await.map_err(|_| StoreError::Closed)?;
        answered.await.map_err(|_| StoreError::Closed)?
    }
}

fn last_seq(conn: &Connection) -> Result<i64, StoreError> {
    Ok(conn.query_row("SELECT coalesce(max(seq), 0) FROM events", [], |r| r.get(0))?)
}

fn in_savepoint<T>(
    ctx: &mut WriteCtx<'_>,
    f: impl FnOnce(&mut WriteCtx<'_>) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    let (seq_before, events_before, dirty_before) =
        (ctx.next_seq, ctx.events.len(), ctx.search_dirty.len());
    if let Err(e) = ctx.tx.execute_batch("SAVEPOINT job") {
        ctx.broken = true;
        return Err(e.into());
    }
    let result = f(ctx);
    let closed = match &result {
        Ok(_) => ctx.tx.execute_batch("RELEASE job"),
        Err(_) => ctx.tx.execute_batch("ROLLBACK TO job; RELEASE job"),
    };
    if let Err(e) = closed {
        // The savepoint is in an unknown state: the whole batch must not commit.
        ctx.broken = true;
        return Err(e.into());
    }
    if result.is_err() {
        ctx.next_seq = seq_before;
        ctx.events.truncate(events_before);
        ctx.search_dirty.truncate(dirty_before);
    }
    result
}

fn run(mut conn: Connection, mut rx: mpsc::Receiver<Job>, live: broadcast::Sender<LiveEvent>) {
    let mut batch: Vec<Job> = Vec::with_capacity(MAX_BATCH);
    // Batch times never go backwards, so activity order and search order agree.
    let mut clock = Timestamp(0);
    while rx.blocking_recv().map(|j| batch.push(j)).is_some() {
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(j) => batch.push(j),
                Err(_) => break,
            }
        }
        clock = clock.max(Timestamp::now());
        match commit_batch(&mut conn, &mut batch, clock) {
            Ok((completions, events)) => {
                let committed = Some(Instant::now());
                for c in completions {
                    c(None);
                }
                for e in events {
                    let _ = live.send(LiveEvent { committed, ..e });
                }
            }
            Err((completions, error)) => {
                tracing::error!(%error, "write batch failed");
                for c in completions {
                    c(Some(&error));
                }
            }
        }
    }
    tracing::debug!("writer stopped");
}

type BatchOutcome = Result<(Vec<Completion>, Vec<LiveEvent>), (Vec<Completion>, StoreError)>;

fn commit_batch(conn: &mut Connection, batch: &mut Vec<Job>, now: Timestamp) -> BatchOutcome {
    let tx = match conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate) {
        Ok(tx) => tx,
        Err(e) => {
            // The jobs never ran: dropping them answers their callers with `StoreError::Closed`.
            batch.clear();
            return Err((Vec::new(), e.into()));
        }
    };
    // Read under the write lock, so another process writing to the desk (the CLI) is safe.
    let next_seq = match last_seq(&tx) {
        Ok(seq) => seq + 1,
        Err(e) => {
            batch.clear();
            return Err((Vec::new(), e));
        }
    };
    let mut ctx = WriteCtx {
        tx: &tx,
        next_seq,
        events: Vec::new(),
        search_dirty: Vec::new(),
        now,
        broken: false,
    };
    let completions: Vec<Completion> = batch.drain(..).map(|job| job(&mut ctx)).collect();
    if ctx.broken {
        // Dropping the transaction rolls it back.
        let error = StoreError::Internal("a write batch could not be completed".into());
        return Err((completions, error));
    }
    let events = std::mem::take(&mut ctx.events);
    let mut dirty = std::mem::take(&mut ctx.search_dirty);
    dirty.sort_unstable();
    dirty.dedup();
    if let Err(e) = search::reindex(&tx, &dirty) {
        return Err((completions, e));
    }
    match tx.commit() {
        Ok(()) => Ok((completions, events)),
        Err(e) => Err((completions, e.into())),
    }
}
