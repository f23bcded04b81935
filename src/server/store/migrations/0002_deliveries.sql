-- Replies that leave through a channel, and how far each got.
CREATE TABLE deliveries (
    message_id      INTEGER PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
    channel_id      INTEGER NOT NULL REFERENCES channels(id),
    status          TEXT NOT NULL CHECK (status IN ('queued', 'sent', 'delivered', 'read', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    -- When the queue should try next; NULL once it needs no more tries.
    next_attempt_at INTEGER,
    -- The channel's own id of the message, to match receipts.
    external_id     TEXT,
    error           TEXT,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX deliveries_due ON deliveries(next_attempt_at) WHERE next_attempt_at IS NOT NULL;
CREATE UNIQUE INDEX deliveries_external ON deliveries(channel_id, external_id) WHERE external_id IS NOT NULL;

-- The desk's own identity, so clients can tell desks apart whatever URL reaches them.
CREATE TABLE desk (
    id TEXT NOT NULL
);
INSERT INTO desk (id) VALUES (lower(hex(randomblob(16))));
