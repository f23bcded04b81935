CREATE TABLE agents (
    id         INTEGER PRIMARY KEY,
    email      TEXT NOT NULL UNIQUE COLLATE NOCASE,
    name       TEXT NOT NULL,
    role       TEXT NOT NULL CHECK (role IN ('admin', 'agent')),
    has_seat   INTEGER NOT NULL DEFAULT 1,
    available  INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL
);

CREATE TABLE api_tokens (
    hash       BLOB PRIMARY KEY,
    agent_id   INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE teams (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);

CREATE TABLE team_members (
    team_id  INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    agent_id INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    PRIMARY KEY (team_id, agent_id)
) WITHOUT ROWID;

CREATE TABLE channels (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('email', 'chat', 'form', 'messenger', 'whatsapp', 'call', 'custom')),
    name        TEXT NOT NULL,
    enabled     INTEGER NOT NULL DEFAULT 1,
    secret      TEXT NOT NULL,
    webhook_url TEXT,
    settings    TEXT NOT NULL DEFAULT '{}',
    created_at  INTEGER NOT NULL
);

CREATE TABLE companies (
    id     INTEGER PRIMARY KEY,
    name   TEXT NOT NULL,
    domain TEXT
);

CREATE TABLE contacts (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    email      TEXT COLLATE NOCASE,
    phone      TEXT,
    owner_id   INTEGER REFERENCES agents(id) ON DELETE SET NULL,
    company_id INTEGER REFERENCES companies(id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX contacts_email ON contacts(email);
CREATE INDEX contacts_company ON contacts(company_id);

CREATE TABLE contact_identities (
    channel_id  INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
    external_id TEXT NOT NULL,
    contact_id  INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    PRIMARY KEY (channel_id, external_id)
) WITHOUT ROWID;
CREATE INDEX contact_identities_contact ON contact_identities(contact_id);

CREATE TABLE conversations (
    id              INTEGER PRIMARY KEY,
    subject         TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('new', 'waiting_on_contact', 'waiting_on_us', 'closed')),
    priority        TEXT NOT NULL CHECK (priority IN ('low', 'medium', 'high', 'urgent')),
    owner_id        INTEGER REFERENCES agents(id) ON DELETE SET NULL,
    team_id         INTEGER REFERENCES teams(id) ON DELETE SET NULL,
    channel_id      INTEGER NOT NULL REFERENCES channels(id),
    channel_kind    TEXT NOT NULL,
    contact_id      INTEGER NOT NULL REFERENCES contacts(id),
    thread_key      TEXT,
    labels          TEXT NOT NULL DEFAULT '[]',
    snoozed_until   INTEGER,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    last_message_at INTEGER NOT NULL,
    preview         TEXT NOT NULL DEFAULT '',
    message_count   INTEGER NOT NULL DEFAULT 0,
    search_rowid    INTEGER
);
CREATE UNIQUE INDEX conversations_search ON conversations(search_rowid);
CREATE UNIQUE INDEX conversations_thread ON conversations(channel_id, thread_key) WHERE thread_key IS NOT NULL;
CREATE INDEX conversations_recent ON conversations(last_message_at DESC, id DESC);
CREATE INDEX conversations_status ON conversations(status, last_message_at DESC, id DESC);
CREATE INDEX conversations_owner ON conversations(owner_id, last_message_at DESC, id DESC);
CREATE INDEX conversations_channel ON conversations(channel_id, last_message_at DESC, id DESC);
CREATE INDEX conversations_channel_kind ON conversations(channel_kind, last_message_at DESC, id DESC);
CREATE INDEX conversations_team ON conversations(team_id, last_message_at DESC, id DESC);
CREATE INDEX conversations_contact ON conversations(contact_id, last_message_at DESC);

CREATE TABLE messages (
    id                INTEGER PRIMARY KEY,
    conversation_id   INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    kind              TEXT NOT NULL CHECK (kind IN ('inbound', 'outbound', 'note')),
    sender_agent_id   INTEGER REFERENCES agents(id) ON DELETE SET NULL,
    sender_contact_id INTEGER REFERENCES contacts(id) ON DELETE SET NULL,
    sender_name       TEXT NOT NULL,
    channel_id        INTEGER NOT NULL REFERENCES channels(id),
    body              TEXT NOT NULL,
    client_id         TEXT,
    created_at        INTEGER NOT NULL
);
CREATE INDEX messages_conversation ON messages(conversation_id, id);
CREATE UNIQUE INDEX messages_client_id ON messages(conversation_id, client_id) WHERE client_id IS NOT NULL;

CREATE TABLE attachments (
    id         INTEGER PRIMARY KEY,
    message_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    kind       TEXT NOT NULL CHECK (kind IN ('audio', 'voice_note', 'sticker', 'image', 'video', 'file')),
    name       TEXT NOT NULL,
    mime_type  TEXT,
    size       INTEGER NOT NULL,
    url        TEXT NOT NULL
);
CREATE INDEX attachments_message ON attachments(message_id);

CREATE TABLE read_state (
    agent_id        INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    read_at         INTEGER NOT NULL,
    PRIMARY KEY (agent_id, conversation_id)
) WITHOUT ROWID;

CREATE TABLE events (
    seq        INTEGER PRIMARY KEY,
    frame      TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE VIRTUAL TABLE conversation_search USING fts5(
    subject, contact, body,
    detail = none,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2 3'
);
