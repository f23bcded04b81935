-- The integration's own id of each message posted to a custom channel, unique on the
-- channel: a message posted again with the same id is answered with the first one.
CREATE TABLE custom_message_ids (
    channel_id  INTEGER NOT NULL REFERENCES channels(id),
    external_id TEXT NOT NULL,
    message_id  INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    PRIMARY KEY (channel_id, external_id)
);
