-- Working together on replies: failed replies retried or discarded, shared canned replies,
-- mentions in internal notes, and events meant for one agent only.

-- A discarded reply stays in its thread and is never attempted again.
ALTER TABLE deliveries ADD COLUMN discarded_at INTEGER;
-- Attempts made before the latest manual retry: the retry policy counts from there.
ALTER TABLE deliveries ADD COLUMN attempts_before INTEGER NOT NULL DEFAULT 0;
CREATE INDEX deliveries_outbox ON deliveries(message_id)
    WHERE discarded_at IS NULL AND status IN ('queued', 'failed');

-- The one agent an event is for; NULL for every agent.
ALTER TABLE events ADD COLUMN audience INTEGER;

CREATE TABLE canned_replies (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL COLLATE NOCASE UNIQUE,
    body       TEXT NOT NULL,
    created_by INTEGER REFERENCES agents(id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE mentions (
    message_id      INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    agent_id        INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    created_at      INTEGER NOT NULL,
    seen_at         INTEGER,
    PRIMARY KEY (message_id, agent_id)
);
CREATE INDEX mentions_agent ON mentions(agent_id, conversation_id, seen_at);
