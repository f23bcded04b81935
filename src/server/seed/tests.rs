use super::*;
use crate::server::store::schema::migrate;
use rusqlite::types::Value;

const ANCHOR: Timestamp = Timestamp(1_767_323_045_678);

fn desk(conversations: u64, seed_value: u64) -> (Connection, SeedReport) {
    let mut conn = Connection::open_in_memory().unwrap();
    migrate(&mut conn).unwrap();
    let opts = SeedOptions {
        conversations,
        seed: seed_value,
        anchor: ANCHOR,
    };
    let report = seed(&mut conn, &opts).unwrap();
    (conn, report)
}

/// Every row of the generated tables except channel secrets, as text.
fn dump(conn: &Connection) -> String {
    let mut out = String::new();
    for sql in [
        "SELECT * FROM agents ORDER BY id",
        "SELECT * FROM team_members ORDER BY team_id, agent_id",
        "SELECT id, kind, name, settings, created_at FROM channels ORDER BY id",
        "SELECT * FROM companies ORDER BY id",
        "SELECT * FROM contacts ORDER BY id",
        "SELECT * FROM contact_identities ORDER BY channel_id, external_id",
        "SELECT * FROM conversations ORDER BY id",
        "SELECT * FROM messages ORDER BY id",
        "SELECT * FROM attachments ORDER BY id",
    ] {
        let mut stmt = conn.prepare(sql).unwrap();
        let columns = stmt.column_count();
        let mut rows = stmt.query([]).unwrap();
        while let Some(row) = rows.next().unwrap() {
            for i in 0..columns {
                out.push_str(&format!("{:?}|", row.get::<_, Value>(i).unwrap()));
            }
            out.push('\n');
        }
    }
    out
}

fn count(conn: &Connection, sql: &str) -> i64 {
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

#[test]
fn same_seed_gives_same_rows_and_another_seed_does_not() {
    let (a, report_a) = desk(150, 7);
    let (b, report_b) = desk(150, 7);
    let (c, _) = desk(150, 8);
    assert_eq!(report_a, report_b);
    assert_eq!(dump(&a), dump(&b));
    assert_ne!(dump(&a), dump(&c));
    // Secrets are the exception: fresh on every run.
    let secrets = |conn: &Connection| -> String {
        let sql = "SELECT group_concat(secret) FROM channels WHERE length(secret) = 64";
        conn.query_row(sql, [], |r| r.get(0)).unwrap()
    };
    assert_eq!(secrets(&a).len(), 65 * report_a.channels as usize - 1);
    assert_ne!(secrets(&a), secrets(&b));
}

#[test]
fn report_matches_the_rows() {
    let (conn, report) = desk(200, 1);
    assert_eq!(report.conversations, 200);
    assert_eq!(
        report.agents as i64,
        count(&conn, "SELECT count(*) FROM agents")
    );
    assert_eq!(
        report.teams as i64,
        count(&conn, "SELECT count(*) FROM teams")
    );
    assert_eq!(
        report.companies as i64,
        count(&conn, "SELECT count(*) FROM companies")
    );
    assert_eq!(
        report.contacts as i64,
        count(&conn, "SELECT count(*) FROM contacts")
    );
    assert_eq!(
        report.conversations as i64,
        count(&conn, "SELECT count(*) FROM conversations")
    );
    assert_eq!(
        report.messages as i64,
        count(&conn, "SELECT count(*) FROM messages")
    );
    for table in ["events", "api_tokens", "read_state"] {
        assert_eq!(
            count(&conn, &format!("SELECT count(*) FROM {table}")),
            0,
            "{table}"
        );
    }
}

#[test]
fn a_desk_with_conversations_is_refused_and_left_alone() {
    let (mut conn, _) = desk(5, 1);
    let before = dump(&conn);
    let opts = SeedOptions {
        conversations: 5,
        seed: 2,
        anchor: ANCHOR,
    };
    assert!(matches!(
        seed(&mut conn, &opts),
        Err(SeedError::NotEmpty(5))
    ));
    assert_eq!(dump(&conn), before);
}

#[test]
fn every_channel_kind_exists_and_carries_conversations() {
    let (conn, _) = desk(600, 3);
    for kind in crate::domain::ChannelKind::ALL {
        let sql = format!(
            "SELECT count(*) FROM conversations JOIN channels ON channels.id = channel_id WHERE channels.kind = '{kind}'"
        );
        assert!(count(&conn, &sql) > 0, "no conversation on {kind}");
    }
    let keyless = "SELECT count(*) FROM conversations JOIN channels ON channels.id = channel_id \
                   WHERE channels.kind IN ('custom', 'chat') AND thread_key IS NULL";
    assert_eq!(count(&conn, keyless), 0);
    let unaddressed = "SELECT count(*) FROM conversations c WHERE c.channel_kind = 'custom' \
                       AND NOT EXISTS (SELECT 1 FROM custom_threads t WHERE t.conversation_id = c.id)";
    assert_eq!(count(&conn, unaddressed), 0);
    let graph_keys = "SELECT count(DISTINCT channel_id || ':' || contact_id) - count(thread_key) \
                      FROM conversations WHERE channel_kind IN ('messenger', 'whatsapp')";
    assert_eq!(
        count(&conn, graph_keys),
        0,
        "one keyed conversation per Graph customer"
    );
}

#[test]
fn threads_are_consistent_with_their_conversation() {
    let (conn, _) = desk(400, 4);
    let start = ANCHOR.millis() - WINDOW_MS;
    let bad = [
        "SELECT count(*) FROM conversations c WHERE message_count NOT BETWEEN 1 AND 20 \
         OR message_count <> (SELECT count(*) FROM messages m WHERE m.conversation_id = c.id)",
        "SELECT count(*) FROM conversations c WHERE last_message_at <> (SELECT max(created_at) FROM messages m WHERE m.conversation_id = c.id) \
         OR updated_at <> last_message_at \
         OR created_at <> (SELECT min(created_at) FROM messages m WHERE m.conversation_id = c.id)",
        "SELECT count(*) FROM messages m JOIN conversations c ON c.id = m.conversation_id WHERE m.channel_id <> c.channel_id OR m.client_id IS NOT NULL",
        "SELECT count(*) FROM messages WHERE (kind = 'inbound') <> (sender_contact_id IS NOT NULL AND sender_agent_id IS NULL)",
        "SELECT count(*) FROM conversations c JOIN messages m ON m.id = (SELECT max(id) FROM messages WHERE conversation_id = c.id) \
         WHERE (m.kind = 'inbound') <> (c.status IN ('new', 'waiting_on_us')) OR m.kind = 'note' \
         OR c.preview <> substr(m.body, 1, length(c.preview))",
        "SELECT count(*) FROM contacts k WHERE created_at > (SELECT min(created_at) FROM conversations WHERE contact_id = k.id)",
        "SELECT count(*) FROM conversations c WHERE status = 'new' AND EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.id AND kind = 'outbound')",
    ];
    for sql in bad {
        assert_eq!(count(&conn, sql), 0, "{sql}");
    }
    let first: i64 = count(&conn, "SELECT min(created_at) FROM contacts");
    let last: i64 = count(&conn, "SELECT max(created_at) FROM messages");
    assert!(first >= start && last <= ANCHOR.millis(), "{first}..{last}");
    for status in crate::domain::Status::ALL {
        let sql = format!("SELECT count(*) FROM conversations WHERE status = '{status}'");
        assert!(count(&conn, &sql) > 0, "no {status} conversation");
    }
}

#[test]
fn the_search_index_finds_a_seeded_subject() {
    let (conn, _) = desk(50, 5);
    let (id, subject): (i64, String) = conn
        .query_row(
            "SELECT id, subject FROM conversations ORDER BY id LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let word = subject
        .split(|c: char| !c.is_alphanumeric())
        .max_by_key(|w| w.chars().count())
        .unwrap()
        .to_string();
    let mut stmt = conn
        .prepare(
            "SELECT c.id FROM conversation_search s JOIN conversations c ON c.search_rowid = s.rowid \
             WHERE conversation_search MATCH ?1",
        )
        .unwrap();
    let hits: Vec<i64> = stmt
        .query_map([format!("\"{word}\"")], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(hits.contains(&id), "{word:?} not found in {hits:?}");
}
