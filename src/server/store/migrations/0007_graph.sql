-- Facebook Messenger and WhatsApp channels: their Graph API settings, the customers' last
-- message time (the 24-hour and 7-day windows), consent, webhook idempotency, and which
-- outbound messages the desk sent by itself.
CREATE TABLE graph_channels (
    channel_id    INTEGER PRIMARY KEY REFERENCES channels(id) ON DELETE CASCADE,
    verify_token  TEXT NOT NULL,
    app_secret    TEXT NOT NULL,
    -- The Facebook page id (Messenger) or the WhatsApp phone number id.
    account_id    TEXT NOT NULL,
    access_token  TEXT NOT NULL,
    base_url      TEXT NOT NULL,
    greeting      TEXT NOT NULL DEFAULT '',
    instant_reply TEXT NOT NULL DEFAULT '',
    consent_mode  TEXT NOT NULL DEFAULT 'off' CHECK (consent_mode IN ('off', 'implicit', 'explicit')),
    consent_text  TEXT NOT NULL DEFAULT '',
    updated_at    INTEGER NOT NULL
);

-- One row per customer per channel: when they last wrote (platform time) and their consent.
CREATE TABLE graph_contacts (
    channel_id      INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
    contact_id      INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    last_inbound_at INTEGER NOT NULL,
    consent         TEXT NOT NULL DEFAULT 'none' CHECK (consent IN ('none', 'asked', 'given', 'implied')),
    consent_at      INTEGER,
    PRIMARY KEY (channel_id, contact_id)
) WITHOUT ROWID;

-- Platform message ids already stored: a redelivered webhook adds nothing.
CREATE TABLE graph_inbound (
    channel_id  INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
    platform_id TEXT NOT NULL,
    message_id  INTEGER REFERENCES messages(id) ON DELETE SET NULL,
    PRIMARY KEY (channel_id, platform_id)
) WITHOUT ROWID;

-- Outbound messages the desk wrote itself (greeting, instant reply, consent request).
CREATE TABLE graph_auto_messages (
    message_id INTEGER PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
    purpose    TEXT NOT NULL CHECK (purpose IN ('greeting', 'instant_reply', 'consent'))
);
