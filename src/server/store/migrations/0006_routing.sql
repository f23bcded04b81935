-- Routing rules per channel, with the fair rotation's place (the agent last routed to).
CREATE TABLE channel_routing (
    channel_id     INTEGER PRIMARY KEY REFERENCES channels(id) ON DELETE CASCADE,
    mode           TEXT NOT NULL CHECK (mode IN ('nobody', 'users_and_teams', 'contact_owner')),
    agent_ids      TEXT NOT NULL DEFAULT '[]',
    team_ids       TEXT NOT NULL DEFAULT '[]',
    fallback       TEXT NOT NULL CHECK (fallback IN ('nobody', 'users_and_teams')),
    only_available INTEGER NOT NULL DEFAULT 1,
    last_agent_id  INTEGER,
    updated_at     INTEGER NOT NULL
);

-- Properties every new conversation of a channel starts with.
CREATE TABLE channel_presets (
    channel_id INTEGER PRIMARY KEY REFERENCES channels(id) ON DELETE CASCADE,
    status     TEXT CHECK (status IN ('new', 'waiting_on_contact', 'waiting_on_us', 'closed')),
    priority   TEXT CHECK (priority IN ('low', 'medium', 'high', 'urgent')),
    team_id    INTEGER REFERENCES teams(id) ON DELETE SET NULL,
    labels     TEXT NOT NULL DEFAULT '[]',
    updated_at INTEGER NOT NULL
);

-- The details of logged phone calls; each is a message of a conversation.
CREATE TABLE calls (
    message_id       INTEGER PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
    conversation_id  INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    channel_id       INTEGER NOT NULL REFERENCES channels(id),
    direction        TEXT NOT NULL CHECK (direction IN ('inbound', 'outbound')),
    from_number      TEXT NOT NULL,
    to_number        TEXT NOT NULL,
    duration_seconds INTEGER NOT NULL CHECK (duration_seconds >= 0),
    recording_url    TEXT,
    notes            TEXT,
    started_at       INTEGER NOT NULL,
    client_id        TEXT
);
CREATE INDEX calls_conversation ON calls(conversation_id, message_id);
CREATE UNIQUE INDEX calls_client_id ON calls(channel_id, client_id) WHERE client_id IS NOT NULL;

-- Contacts by the digits of their phone number, so a call finds its caller however the
-- number is written. The expression must match `store::calls::PHONE_DIGITS`.
CREATE INDEX contacts_phone_digits ON contacts(
    replace(replace(replace(replace(replace(replace(phone, ' ', ''), '-', ''), '.', ''), '(', ''), ')', ''), '+', '')
) WHERE phone IS NOT NULL;
