//! The durable outbox: every reply is written to a local SQLite file before it is sent,
//! and stays there until the server acknowledged it, so none is ever lost.
//!
//! Each entry carries a random `client_id`; the server answers a repeated `client_id` with
//! the message it already stored, so resending after a crash delivers exactly once.

mod sender;

pub use sender::{OutboxUpdate, spawn_sender};

use crate::api::{ReplyAttachment, ReplyEmail};
use crate::domain::{Id, Timestamp};
use rusqlite::{Connection, OptionalExtension, Row, params};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

/// A failure of the outbox file.
#[derive(Debug, thiserror::Error)]
pub enum OutboxError {
    #[error("outbox database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("outbox directory: {0}")]
    Io(#[from] std::io::Error),
    #[error("no outbox entry {0}")]
    Unknown(String),
}

/// Where a session's outbox file lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutboxPlace {
    /// This file (the embedded desk keeps its outbox beside its data).
    File(PathBuf),
    /// One file per desk in `dir`, named by the desk's id, so a reply queued for one desk is
    /// never sent to another and is found again whatever URL reaches the desk. `legacy` is
    /// the file older versions kept for this server's URL, adopted while the desk has none.
    PerDesk {
        dir: PathBuf,
        legacy: Option<PathBuf>,
    },
}

impl OutboxPlace {
    /// The outbox file for the desk whose id the server gave as `desk_id`.
    pub fn resolve(&self, desk_id: &str) -> Result<PathBuf> {
        let (dir, legacy) = match self {
            OutboxPlace::File(path) => return Ok(path.clone()),
            OutboxPlace::PerDesk { dir, legacy } => (dir, legacy),
        };
        // The id names a file: take nothing but what a desk id is made of.
        if desk_id.is_empty()
            || desk_id.len() > 64
            || !desk_id.bytes().all(|b| b.is_ascii_hexdigit())
        {
            return Err(OutboxError::Io(std::io::Error::other(format!(
                "the server gave a desk id that is not hex: {desk_id:?}"
            ))));
        }
        std::fs::create_dir_all(dir)?;
        let path = dir.join(format!("desk-{}.db", desk_id.to_ascii_lowercase()));
        if let Some(old) = legacy
            && !path.exists()
            && old.exists()
        {
            std::fs::rename(old, &path)?;
            for suffix in ["-wal", "-shm"] {
                let mut from = old.clone().into_os_string();
                from.push(suffix);
                let mut to = path.clone().into_os_string();
                to.push(suffix);
                if Path::new(&from).exists() {
                    std::fs::rename(from, to)?;
                }
            }
        }
        Ok(path)
    }
}

/// Results of outbox operations.
pub type Result<T> = std::result::Result<T, OutboxError>;

/// Where an entry is on its way to the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryState {
    /// Waiting to be sent, or being sent (again).
    Sending,
    /// Acknowledged by the server.
    Sent,
    /// Refused by the server; kept for the agent to retry or copy.
    Failed,
}

impl EntryState {
    fn as_str(self) -> &'static str {
        match self {
            EntryState::Sending => "sending",
            EntryState::Sent => "sent",
            EntryState::Failed => "failed",
        }
    }

    fn parse(s: &str) -> rusqlite::Result<EntryState> {
        match s {
            "sending" => Ok(EntryState::Sending),
            "sent" => Ok(EntryState::Sent),
            "failed" => Ok(EntryState::Failed),
            other => Err(rusqlite::Error::InvalidColumnType(
                0,
                format!("state {other:?}"),
                rusqlite::types::Type::Text,
            )),
        }
    }
}

/// One reply or note on its way to the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The idempotency key sent with the message: 128 random bits in hex.
    pub client_id: String,
    pub conversation_id: Id,
    pub body: String,
    pub internal: bool,
    pub channel_id: Option<Id>,
    /// Agents a note mentions.
    pub mentions: Vec<Id>,
    /// Uploaded files the reply carries.
    pub attachments: Vec<ReplyAttachment>,
    /// The e-mail header fields, when the agent set them.
    pub email: Option<ReplyEmail>,
    pub state: EntryState,
    /// Why the server refused it, when failed.
    pub error: Option<String>,
    /// How many times sending was tried.
    pub attempts: u32,
    pub created_at: Timestamp,
    /// The server's message, once sent.
    pub message_id: Option<Id>,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS outbox (
    client_id TEXT PRIMARY KEY,
    conversation_id INTEGER NOT NULL,
    body TEXT NOT NULL,
    internal INTEGER NOT NULL,
    channel_id INTEGER,
    state TEXT NOT NULL CHECK (state IN ('sending', 'sent', 'failed')),
    error TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    message_id INTEGER
);
CREATE INDEX IF NOT EXISTS outbox_state ON outbox (state);
CREATE INDEX IF NOT EXISTS outbox_conversation ON outbox (conversation_id);
";

const COLUMNS: &str = "client_id, conversation_id, body, internal, channel_id, state, error, \
                       attempts, created_at, message_id, mentions, extras";

/// What a reply carries besides its text.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Extras {
    /// Reply on another channel than the conversation's own.
    #[serde(default)]
    pub channel_id: Option<Id>,
    /// Agents a note mentions (kept in the `mentions` column).
    #[serde(default, skip)]
    pub mentions: Vec<Id>,
    /// Files and e-mail fields (kept as JSON in the `extras` column).
    #[serde(default)]
    pub attachments: Vec<ReplyAttachment>,
    #[serde(default)]
    pub email: Option<ReplyEmail>,
}

/// Adds what later versions keep to an outbox file an earlier version made.
fn upgrade(conn: &Connection) -> rusqlite::Result<()> {
    let has = |column: &str| -> rusqlite::Result<bool> {
        conn.prepare("SELECT 1 FROM pragma_table_info('outbox') WHERE name = ?1")?
            .exists([column])
    };
    if !has("mentions")? {
        conn.execute_batch("ALTER TABLE outbox ADD COLUMN mentions TEXT NOT NULL DEFAULT '[]'")?;
    }
    if !has("extras")? {
        conn.execute_batch("ALTER TABLE outbox ADD COLUMN extras TEXT")?;
    }
    Ok(())
}

/// The outbox file. Cheap to clone; clones share one connection.
#[derive(Clone)]
pub struct Outbox {
    conn: Arc<Mutex<Connection>>,
}

impl Outbox {
    /// Opens (creating if missing) the outbox at `path`, durable on every commit.
    pub fn open(path: &Path) -> Result<Outbox> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let conn = Connection::open(path)?;
        conn.busy_timeout(Duration::from_secs(5))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.execute_batch(SCHEMA)?;
        upgrade(&conn)?;
        Ok(Outbox {
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    /// Stores a new entry in state `sending`; it is on disk when this returns.
    pub fn enqueue(
        &self,
        conversation_id: Id,
        body: &str,
        internal: bool,
        channel_id: Option<Id>,
    ) -> Result<Entry> {
        let extras = Extras {
            channel_id,
            ..Extras::default()
        };
        self.enqueue_with(conversation_id, body, internal, extras)
    }

    /// Stores a new internal note mentioning `mentions` (agent ids) in state `sending`.
    pub fn enqueue_note(&self, conversation_id: Id, body: &str, mentions: &[Id]) -> Result<Entry> {
        let extras = Extras {
            mentions: mentions.to_vec(),
            ..Extras::default()
        };
        self.enqueue_with(conversation_id, body, true, extras)
    }

    /// Stores a new entry with its channel, mentions, files and e-mail fields in state
    /// `sending`; it is on disk when this returns.
    pub fn enqueue_with(
        &self,
        conversation_id: Id,
        body: &str,
        internal: bool,
        extras: Extras,
    ) -> Result<Entry> {
        let entry = Entry {
            client_id: format!("{:032x}", rand::random::<u128>()),
            conversation_id,
            body: body.to_string(),
            internal,
            channel_id: extras.channel_id,
            mentions: extras.mentions,
            attachments: extras.attachments,
            email: extras.email,
            state: EntryState::Sending,
            error: None,
            attempts: 0,
            created_at: Timestamp::now(),
            message_id: None,
        };
        let mentions = serde_json::to_string(&entry.mentions)
            .map_err(|e| OutboxError::Io(std::io::Error::other(e)))?;
        self.lock().execute(
            &format!(
                "INSERT INTO outbox ({COLUMNS}) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, NULL, 0, ?7, NULL, ?8, ?9)"
            ),
            params![
                entry.client_id,
                entry.conversation_id,
                entry.body,
                entry.internal,
                entry.channel_id,
                entry.state.as_str(),
                entry.created_at.millis(),
                mentions,
                entry.extras_json(),
            ],
        )?;
        Ok(entry)
    }

    /// Entries still to be sent, oldest first.
    pub fn pending(&self) -> Result<Vec<Entry>> {
        self.select("WHERE state = 'sending' ORDER BY rowid", params![])
    }

    /// Every entry of one conversation, oldest first.
    pub fn entries_for(&self, conversation_id: Id) -> Result<Vec<Entry>> {
        self.select(
            "WHERE conversation_id = ?1 ORDER BY rowid",
            params![conversation_id],
        )
    }

    /// One entry by its `client_id`.
    pub fn get(&self, client_id: &str) -> Result<Entry> {
        let sql = format!("SELECT {COLUMNS} FROM outbox WHERE client_id = ?1");
        self.lock()
            .query_row(&sql, params![client_id], entry_from_row)
            .optional()?
            .ok_or_else(|| OutboxError::Unknown(client_id.to_string()))
    }

    /// Records that the server stored the entry as `message_id`.
    pub fn mark_sent(&self, client_id: &str, message_id: Id) -> Result<()> {
        self.update(
            "UPDATE outbox SET state = 'sent', error = NULL, message_id = ?2 WHERE client_id = ?1",
            client_id,
            &message_id,
        )
    }

    /// Records that the server refused the entry, and why.
    pub fn mark_failed(&self, client_id: &str, error: &str) -> Result<()> {
        self.update(
            "UPDATE outbox SET state = 'failed', error = ?2 WHERE client_id = ?1",
            client_id,
            &error,
        )
    }

    /// Puts a failed entry back in the queue; other states are left as they are.
    pub fn retry(&self, client_id: &str) -> Result<Entry> {
        self.lock().execute(
            "UPDATE outbox SET state = 'sending', error = NULL \
             WHERE client_id = ?1 AND state = 'failed'",
            params![client_id],
        )?;
        self.get(client_id)
    }

    /// Counts one more attempt at sending the entry.
    fn count_attempt(&self, client_id: &str) -> Result<()> {
        self.lock().execute(
            "UPDATE outbox SET attempts = attempts + 1 WHERE client_id = ?1",
            params![client_id],
        )?;
        Ok(())
    }

    fn update(&self, sql: &str, client_id: &str, value: &dyn rusqlite::ToSql) -> Result<()> {
        match self.lock().execute(sql, params![client_id, value])? {
            0 => Err(OutboxError::Unknown(client_id.to_string())),
            _ => Ok(()),
        }
    }

    fn select(&self, clause: &str, args: impl rusqlite::Params) -> Result<Vec<Entry>> {
        let conn = self.lock();
        let mut stmt = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM outbox {clause}"))?;
        let rows = stmt.query_map(args, entry_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave SQLite half-written: use it anyway.
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Entry {
    /// The files and e-mail fields as stored; `None` when there are none.
    fn extras_json(&self) -> Option<String> {
        (!self.attachments.is_empty() || self.email.is_some()).then(|| {
            serde_json::json!({"attachments": self.attachments, "email": self.email}).to_string()
        })
    }
}

fn entry_from_row(row: &Row<'_>) -> rusqlite::Result<Entry> {
    let extras: Extras = row
        .get::<_, Option<String>>(11)?
        .map(|json| {
            serde_json::from_str(&json).map_err(|e| {
                rusqlite::Error::FromSqlConversionFailure(11, rusqlite::types::Type::Text, e.into())
            })
        })
        .transpose()?
        .unwrap_or_default();
    Ok(Entry {
        client_id: row.get(0)?,
        conversation_id: row.get(1)?,
        body: row.get(2)?,
        internal: row.get(3)?,
        channel_id: row.get(4)?,
        state: EntryState::parse(&row.get::<_, String>(5)?)?,
        error: row.get(6)?,
        attempts: row.get(7)?,
        created_at: Timestamp(row.get(8)?),
        message_id: row.get(9)?,
        mentions: serde_json::from_str(&row.get::<_, String>(10)?).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(10, rusqlite::types::Type::Text, e.into())
        })?,
        attachments: extras.attachments,
        email: extras.email,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_survive_reopening_and_move_between_states() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/outbox.db");
        let outbox = Outbox::open(&path).unwrap();
        let a = outbox.enqueue(7, "first", false, None).unwrap();
        let b = outbox.enqueue(7, "note", true, Some(3)).unwrap();
        let c = outbox
            .enqueue_with(
                7,
                "with a file",
                false,
                Extras {
                    channel_id: Some(4),
                    mentions: vec![2],
                    attachments: vec![ReplyAttachment {
                        url: "/api/v1/files/ab".into(),
                        name: "a.pdf".into(),
                        ..ReplyAttachment::default()
                    }],
                    email: Some(ReplyEmail {
                        to: vec!["ana@example.com".into()],
                        subject: "Re: hi".into(),
                        ..ReplyEmail::default()
                    }),
                },
            )
            .unwrap();
        assert_eq!(a.client_id.len(), 32);
        assert_ne!(a.client_id, b.client_id);
        drop(outbox);

        let outbox = Outbox::open(&path).unwrap();
        assert_eq!(
            outbox.pending().unwrap(),
            vec![a.clone(), b.clone(), c.clone()]
        );
        outbox.mark_sent(&a.client_id, 41).unwrap();
        outbox.mark_sent(&c.client_id, 42).unwrap();
        outbox.mark_failed(&b.client_id, "no such channel").unwrap();
        assert!(outbox.pending().unwrap().is_empty());
        let all = outbox.entries_for(7).unwrap();
        assert_eq!(all[0].state, EntryState::Sent);
        assert_eq!(all[0].message_id, Some(41));
        assert_eq!(all[1].error.as_deref(), Some("no such channel"));

        let retried = outbox.retry(&b.client_id).unwrap();
        assert_eq!((retried.state, retried.error), (EntryState::Sending, None));
        assert_eq!(outbox.retry(&a.client_id).unwrap().state, EntryState::Sent);
        assert!(matches!(
            outbox.mark_sent("nope", 1),
            Err(OutboxError::Unknown(_))
        ));
    }

    #[test]
    fn a_desk_keeps_one_outbox_whatever_url_reaches_it_and_adopts_the_old_per_url_file() {
        let dir = tempfile::tempdir().unwrap();
        let legacy = dir.path().join("0123abcd.db");
        let old = Outbox::open(&legacy).unwrap();
        let pending = old
            .enqueue(7, "written before the upgrade", false, None)
            .unwrap();
        drop(old);
        let place = |legacy: Option<PathBuf>| OutboxPlace::PerDesk {
            dir: dir.path().to_path_buf(),
            legacy,
        };
        let desk = "9f86d081884c7d659a2feaa0c55ad015";
        let path = place(Some(legacy.clone())).resolve(desk).unwrap();
        assert!(!legacy.exists(), "the old file moved");
        assert_eq!(
            Outbox::open(&path).unwrap().pending().unwrap(),
            vec![pending]
        );
        // Another URL of the same desk (another legacy name) finds the same file.
        let other_url = place(Some(dir.path().join("ffff0000.db")))
            .resolve(desk)
            .unwrap();
        assert_eq!(other_url, path);
        assert_ne!(place(None).resolve("aa55").unwrap(), path, "another desk");
        for hostile in ["", "../../etc/passwd", "ab/cd", &"a".repeat(65)] {
            assert!(place(None).resolve(hostile).is_err(), "{hostile:?}");
        }
        let fixed = OutboxPlace::File(dir.path().join("local.db"));
        assert_eq!(fixed.resolve("../x").unwrap(), dir.path().join("local.db"));
    }
}
