import GRDB

extension AppDatabase {
    /// The schema's history. Append new migrations at the end; never edit one that shipped:
    /// users' files have already run it. Each migration has a fixture database in the tests.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-initial") { db in
            try db.execute(sql: """
                CREATE TABLE users (
                    id INTEGER PRIMARY KEY,
                    sub TEXT NOT NULL UNIQUE,
                    email TEXT NOT NULL DEFAULT '',
                    name TEXT NOT NULL DEFAULT '',
                    picture_url TEXT,
                    granted_scopes TEXT NOT NULL DEFAULT '',
                    email_granted INTEGER NOT NULL DEFAULT 0,
                    calendar_granted INTEGER NOT NULL DEFAULT 0,
                    tasks_granted INTEGER NOT NULL DEFAULT 0,
                    keep_granted INTEGER NOT NULL DEFAULT 0,
                    created_at TEXT NOT NULL,
                    updated_at TEXT NOT NULL,
                    last_login_at TEXT
                );

                CREATE TABLE oauth_states (
                    id INTEGER PRIMARY KEY,
                    state TEXT NOT NULL UNIQUE,
                    code_verifier TEXT NOT NULL,
                    nonce TEXT NOT NULL,
                    stage INTEGER NOT NULL CHECK (stage IN (1, 2)),
                    services TEXT NOT NULL DEFAULT '',
                    redirect_uri TEXT NOT NULL,
                    created_at TEXT NOT NULL,
                    expires_at TEXT NOT NULL,
                    consumed_at TEXT
                );
                CREATE INDEX oauth_states_by_expiry ON oauth_states(expires_at);

                CREATE TABLE tokens (
                    user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
                    access_token BLOB NOT NULL,
                    refresh_token BLOB,
                    expires_at TEXT NOT NULL,
                    scopes TEXT NOT NULL DEFAULT '',
                    updated_at TEXT NOT NULL
                );

                CREATE TABLE permission_requests (
                    id INTEGER PRIMARY KEY,
                    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                    service TEXT NOT NULL CHECK (service IN ('email', 'calendar', 'tasks', 'keep')),
                    status TEXT NOT NULL CHECK (status IN
                        ('requested', 'granted', 'denied', 'partial', 'unavailable', 'failed')),
                    requested_at TEXT NOT NULL,
                    resolved_at TEXT
                );
                CREATE INDEX permission_requests_by_user ON permission_requests(user_id, service, id);

                CREATE TABLE conversations (
                    id INTEGER PRIMARY KEY,
                    title TEXT NOT NULL DEFAULT '',
                    created_at TEXT NOT NULL,
                    updated_at TEXT NOT NULL,
                    message_count INTEGER NOT NULL DEFAULT 0,
                    archived INTEGER NOT NULL DEFAULT 0,
                    metadata TEXT NOT NULL DEFAULT '{}'
                );
                -- The list: newest activity first, active ones apart from archived ones.
                CREATE INDEX conversations_by_activity ON conversations(archived, updated_at, id);

                CREATE TABLE messages (
                    id INTEGER PRIMARY KEY,
                    conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
                    role TEXT NOT NULL CHECK (role IN ('user', 'assistant', 'system')),
                    content TEXT NOT NULL,
                    created_at TEXT NOT NULL,
                    services TEXT NOT NULL DEFAULT '',
                    status TEXT NOT NULL DEFAULT 'complete' CHECK (status IN
                        ('complete', 'streaming', 'interrupted', 'error')),
                    metadata TEXT NOT NULL DEFAULT '{}'
                );
                -- A conversation's messages in order (and the foreign key's own lookups).
                CREATE INDEX messages_by_conversation ON messages(conversation_id, id);
                -- Finding replies a killed process left half-written.
                CREATE INDEX messages_streaming ON messages(status) WHERE status = 'streaming';

                -- The message count is kept by triggers so no write path can forget it.
                CREATE TRIGGER messages_count_insert AFTER INSERT ON messages BEGIN
                    UPDATE conversations SET message_count = message_count + 1 WHERE id = new.conversation_id;
                END;
                CREATE TRIGGER messages_count_delete AFTER DELETE ON messages BEGIN
                    UPDATE conversations SET message_count = message_count - 1 WHERE id = old.conversation_id;
                END;

                -- Full-text search over message content (external content: the text is stored once).
                CREATE VIRTUAL TABLE message_search USING fts5(
                    content, content='messages', content_rowid='id', tokenize='porter lume_text'
                );
                CREATE TRIGGER messages_search_insert AFTER INSERT ON messages BEGIN
                    INSERT INTO message_search(rowid, content) VALUES (new.id, new.content);
                END;
                CREATE TRIGGER messages_search_delete AFTER DELETE ON messages BEGIN
                    INSERT INTO message_search(message_search, rowid, content) VALUES ('delete', old.id, old.content);
                END;
                CREATE TRIGGER messages_search_update AFTER UPDATE OF content ON messages BEGIN
                    INSERT INTO message_search(message_search, rowid, content) VALUES ('delete', old.id, old.content);
                    INSERT INTO message_search(rowid, content) VALUES (new.id, new.content);
                END;

                -- What the user was typing, per conversation ('new' for a conversation not yet
                -- created), so a crash or kill loses nothing typed.
                CREATE TABLE drafts (
                    scope TEXT PRIMARY KEY,
                    text TEXT NOT NULL,
                    updated_at TEXT NOT NULL
                );
                """)
        }
        return migrator
    }
}
