-- The e-mail header fields of agents' replies by e-mail: recipients as JSON arrays of addresses.
CREATE TABLE reply_email (
    message_id INTEGER PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
    to_addrs   TEXT NOT NULL,
    cc_addrs   TEXT NOT NULL,
    bcc_addrs  TEXT NOT NULL,
    subject    TEXT NOT NULL
);
