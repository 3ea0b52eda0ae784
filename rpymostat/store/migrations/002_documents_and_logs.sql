-- Generic JSON documents (schedules, overrides, relays) and append-only logs
-- (decisions, relay events, live-feed events).
CREATE TABLE documents (
    collection TEXT NOT NULL,
    doc_id TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (collection, doc_id)
) STRICT;

CREATE TABLE log (
    entry_id INTEGER PRIMARY KEY AUTOINCREMENT,
    stream TEXT NOT NULL,
    at REAL NOT NULL,
    data TEXT NOT NULL
) STRICT;
CREATE INDEX log_by_stream_time ON log (stream, at);
CREATE INDEX log_by_stream_id ON log (stream, entry_id);
