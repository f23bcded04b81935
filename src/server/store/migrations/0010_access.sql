-- Agents can be deactivated: they keep their history but cannot sign in or be routed to.
ALTER TABLE agents ADD COLUMN active INTEGER NOT NULL DEFAULT 1;

-- Bumped whenever a token is revoked or an agent's access changes, by whichever process
-- writes: a running server polls this one number to re-check its open event streams.
ALTER TABLE desk ADD COLUMN access_version INTEGER NOT NULL DEFAULT 0;

CREATE TRIGGER api_tokens_revoked AFTER DELETE ON api_tokens
BEGIN
    UPDATE desk SET access_version = access_version + 1;
END;

CREATE TRIGGER agents_access_changed AFTER UPDATE OF active, role ON agents
WHEN OLD.active IS NOT NEW.active OR OLD.role IS NOT NEW.role
BEGIN
    UPDATE desk SET access_version = access_version + 1;
END;
