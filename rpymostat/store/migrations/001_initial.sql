-- Sensors, readings, API keys, devices and engine settings.
CREATE TABLE sensors (
    sensor_id TEXT PRIMARY KEY,
    host_id TEXT NOT NULL,
    sensor_type TEXT NOT NULL,
    alias TEXT,
    extra TEXT,
    last_value REAL,
    last_reading_at REAL,
    last_seen REAL NOT NULL,
    first_seen REAL NOT NULL,
    name TEXT,
    room TEXT,
    hidden INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE TABLE readings (
    reading_id INTEGER PRIMARY KEY,
    sensor_id TEXT NOT NULL,
    host_id TEXT NOT NULL,
    value REAL,
    at REAL NOT NULL,
    received_at REAL NOT NULL,
    extra TEXT,
    idempotency_key TEXT
) STRICT;
CREATE INDEX readings_by_sensor_time ON readings (sensor_id, at);
CREATE UNIQUE INDEX readings_idempotency ON readings (sensor_id, idempotency_key)
    WHERE idempotency_key IS NOT NULL;

CREATE TABLE api_keys (
    key_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('read', 'write', 'admin')),
    key_hash TEXT NOT NULL,
    created_at REAL NOT NULL,
    revoked_at REAL
) STRICT;

CREATE TABLE devices (
    host_id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    secret TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
    created_at REAL NOT NULL,
    last_seen REAL,
    info TEXT NOT NULL DEFAULT '{}',
    url TEXT
) STRICT;

CREATE TABLE settings (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;
