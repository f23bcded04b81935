-- Customer portals: where customers see, answer and open their tickets.
CREATE TABLE portals (
    id         INTEGER PRIMARY KEY,
    slug       TEXT NOT NULL UNIQUE COLLATE NOCASE,
    name       TEXT NOT NULL,
    language   TEXT NOT NULL CHECK (language IN ('en', 'es', 'pt', 'it')),
    channel_id INTEGER NOT NULL REFERENCES channels(id),
    visibility TEXT NOT NULL CHECK (visibility IN ('contact', 'company')),
    access     TEXT NOT NULL CHECK (access IN ('open', 'invitation')),
    enabled    INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

-- A customer's sign-in on one portal, tied to the contact whose address it verified.
CREATE TABLE portal_accounts (
    id            INTEGER PRIMARY KEY,
    portal_id     INTEGER NOT NULL REFERENCES portals(id) ON DELETE CASCADE,
    contact_id    INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    email         TEXT NOT NULL COLLATE NOCASE,
    password_hash TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    UNIQUE (portal_id, email)
);

-- Single-use, expiring links sent by e-mail (sign-up, invitation, password reset); only the
-- SHA-256 of a link's token is kept.
CREATE TABLE portal_tokens (
    hash       BLOB PRIMARY KEY,
    portal_id  INTEGER NOT NULL REFERENCES portals(id) ON DELETE CASCADE,
    contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    email      TEXT NOT NULL COLLATE NOCASE,
    purpose    TEXT NOT NULL CHECK (purpose IN ('signup', 'invite', 'reset')),
    expires_at INTEGER NOT NULL,
    used_at    INTEGER,
    created_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX portal_tokens_email ON portal_tokens(portal_id, email);

-- Signed-in browsers; only the SHA-256 of the cookie's token is kept.
CREATE TABLE portal_sessions (
    hash       BLOB PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES portal_accounts(id) ON DELETE CASCADE,
    csrf       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX portal_sessions_account ON portal_sessions(account_id);
