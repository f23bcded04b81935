-- Channel management: a description and declared capabilities; deletion keeps the rows.
ALTER TABLE channels ADD COLUMN description TEXT;
-- JSON: {"threading": "thread_id" | "sender", "attachments": null | [{"kind", "max_size"}]}.
ALTER TABLE channels ADD COLUMN capabilities TEXT;
-- Set when the channel is deleted: hidden from lists, refuses traffic, keeps its history.
ALTER TABLE channels ADD COLUMN deleted_at INTEGER;

-- The accounts an integration connects on its channel (a bot, a phone number, a page...).
CREATE TABLE channel_accounts (
    id          INTEGER PRIMARY KEY,
    channel_id  INTEGER NOT NULL REFERENCES channels(id),
    external_id TEXT NOT NULL,
    name        TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    UNIQUE (channel_id, external_id)
);

-- How a custom channel's integration addresses a conversation: its latest thread id, the
-- sender identity replies go to, and the channel account the conversation runs through.
CREATE TABLE custom_threads (
    conversation_id INTEGER PRIMARY KEY REFERENCES conversations(id) ON DELETE CASCADE,
    thread_id       TEXT NOT NULL,
    sender_id       TEXT NOT NULL,
    account_id      INTEGER REFERENCES channel_accounts(id)
);

-- When the delivery worker took a reply for an attempt; NULL when no attempt is under way.
-- A worker starting up takes back what a killed process left claimed.
ALTER TABLE deliveries ADD COLUMN claimed_at INTEGER;
