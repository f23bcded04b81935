//! The full-text index: one document per conversation (subject, contact, every message).
//!
//! A document's rowid is the conversation's `search_rowid`, renumbered upwards each time the
//! conversation is reindexed (on every message). Rowid order is therefore activity order, and
//! a search walks FTS5 matches newest first (`ORDER BY rowid DESC`) and stops at the page
//! limit instead of collecting every match of a common word.

use super::StoreError;
use crate::domain::Id;
use rusqlite::Connection;
use std::time::Duration;

/// How long one search may run by default (`serve --search-timeout`).
pub const DEFAULT_BUDGET: Duration = Duration::from_secs(2);

/// The document text of conversations: subject, contact, and the bodies of the latest 200
/// messages (at most 256 KiB), so a very long thread costs the writer a bounded amount.
const DOCUMENT_SELECT: &str = "SELECT c.search_rowid, c.subject, \
     ct.name || ' ' || coalesce(ct.email, ''), \
     (SELECT coalesce(substr(group_concat(body, char(10)), 1, 262144), '') FROM \
        (SELECT body FROM messages WHERE conversation_id = c.id ORDER BY id DESC LIMIT 200)) \
     FROM conversations c JOIN contacts ct ON ct.id = c.contact_id";

/// Rewrites the documents of `ids` (ascending) under fresh, increasing rowids.
///
/// Whole-batch statements: FTS5 flushes a new index segment at every statement savepoint.
pub fn reindex(conn: &Connection, ids: &[Id]) -> Result<(), StoreError> {
    if ids.is_empty() {
        return Ok(());
    }
    let json = serde_json::to_string(ids).map_err(|e| StoreError::Internal(e.to_string()))?;
    conn.prepare_cached(
        "DELETE FROM conversation_search WHERE rowid IN \
         (SELECT search_rowid FROM conversations WHERE id IN (SELECT value FROM json_each(?1)))",
    )?
    .execute([&json])?;
    let base: i64 = conn
        .prepare_cached("SELECT coalesce(max(search_rowid), 0) FROM conversations")?
        .query_row([], |r| r.get(0))?;
    let mut renumber =
        conn.prepare_cached("UPDATE conversations SET search_rowid = ?1 WHERE id = ?2")?;
    for (i, id) in ids.iter().enumerate() {
        renumber.execute((base + 1 + i as i64, id))?;
    }
    conn.prepare_cached(&format!(
        "INSERT INTO conversation_search (rowid, subject, contact, body) \
         {DOCUMENT_SELECT} WHERE c.id IN (SELECT value FROM json_each(?1))"
    ))?
    .execute([&json])?;
    Ok(())
}

/// Rebuilds the whole index, numbering documents by last activity.
pub fn rebuild(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch(&format!(
        "DELETE FROM conversation_search;
         UPDATE conversations SET search_rowid = NULL;
         WITH ordered AS (
             SELECT id, row_number() OVER (ORDER BY last_message_at, id) AS n FROM conversations
         )
         UPDATE conversations SET search_rowid = ordered.n FROM ordered
         WHERE conversations.id = ordered.id;
         INSERT INTO conversation_search (rowid, subject, contact, body)
         {DOCUMENT_SELECT} ORDER BY c.search_rowid;"
    ))
}

/// Turns free text into an FTS5 query: every word must match, the last one as a prefix once
/// it has two characters (a one-letter prefix would expand to most of the vocabulary).
pub fn fts_query(q: &str) -> Option<String> {
    let words: Vec<&str> = crate::domain::limits::query_words(q).collect();
    let last = words.len().checked_sub(1)?;
    let terms: Vec<String> = words
        .iter()
        .enumerate()
        .map(|(i, w)| {
            if i == last && w.chars().nth(1).is_some() {
                format!("\"{w}\"*")
            } else {
                format!("\"{w}\"")
            }
        })
        .collect();
    Some(terms.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fts_query_quotes_words_and_prefixes_the_last() {
        assert_eq!(
            fts_query("refund \"order\" 12-34").as_deref(),
            Some("\"refund\" \"order\" \"12\" \"34\"*")
        );
        assert_eq!(fts_query(" -*- "), None);
        assert_eq!(fts_query("a").as_deref(), Some("\"a\""));
    }
}
