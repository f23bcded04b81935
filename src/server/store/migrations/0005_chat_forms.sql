-- Web forms: definitions tied to a channel of kind 'form', and which ticket each submission made.
-- Live chat keeps its widget settings in channels.settings and needs no table of its own.
CREATE TABLE forms (
    id          INTEGER PRIMARY KEY,
    channel_id  INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    definition  TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX forms_channel ON forms(channel_id);

CREATE TABLE form_submissions (
    id              INTEGER PRIMARY KEY,
    form_id         INTEGER NOT NULL REFERENCES forms(id) ON DELETE CASCADE,
    conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    message_id      INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    created_at      INTEGER NOT NULL
);
CREATE INDEX form_submissions_form ON form_submissions(form_id, id);
