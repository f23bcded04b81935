-- Team email channels: settings, the addresses they receive on, and every mail's Message-ID.

-- One row per configured email channel. `settings` is JSON without the relay password,
-- which is kept apart so that no settings read can leak it.
CREATE TABLE email_settings (
    channel_id     INTEGER PRIMARY KEY REFERENCES channels(id) ON DELETE CASCADE,
    settings       TEXT NOT NULL,
    relay_password TEXT,
    updated_at     INTEGER NOT NULL
);

-- Inbound addresses: an address belongs to one channel.
CREATE TABLE email_addresses (
    address    TEXT NOT NULL COLLATE NOCASE PRIMARY KEY,
    channel_id INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE INDEX email_addresses_channel ON email_addresses(channel_id);

-- Every mail in or out of an email channel, by Message-ID (without angle brackets): threads
-- replies, and makes a redelivered mail a no-op.
CREATE TABLE email_messages (
    channel_id      INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
    header_id       TEXT NOT NULL,
    conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    message_id      INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    direction       TEXT NOT NULL CHECK (direction IN ('inbound', 'outbound')),
    -- The raw RFC 822 bytes of an inbound mail in the desk's file store.
    raw_hash        TEXT,
    created_at      INTEGER NOT NULL,
    PRIMARY KEY (channel_id, header_id)
) WITHOUT ROWID;
CREATE INDEX email_messages_conversation ON email_messages(conversation_id, created_at);
CREATE INDEX email_messages_message ON email_messages(message_id);
