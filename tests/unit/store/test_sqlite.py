"""SQLite specifics: the schema is versioned and upgraded in place, and data survives reopening."""

from __future__ import annotations

import sqlite3

import pytest_twisted

from rpymostat.store.records import ReadingInput
from rpymostat.store.sqlite import SQLiteStore, migrate, migrations


@pytest_twisted.inlineCallbacks
def test_a_new_file_gets_the_latest_schema_in_wal_mode(tmp_path):
    store = yield SQLiteStore.open(str(tmp_path / "new" / "db.sqlite"))
    yield store.close()
    conn = sqlite3.connect(tmp_path / "new" / "db.sqlite")
    assert conn.execute("PRAGMA user_version").fetchone()[0] == migrations()[-1][0]
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


@pytest_twisted.inlineCallbacks
def test_data_survives_closing_and_reopening(tmp_path):
    path = str(tmp_path / "db.sqlite")
    store = yield SQLiteStore.open(path)
    yield store.record_readings("h", [ReadingInput("28-a", "DS18B20", 20.0, 1000.0)], 1000.0)
    yield store.close()
    again = yield SQLiteStore.open(path)
    assert [s.sensor_id for s in (yield again.list_sensors())] == ["28-a"]
    yield again.close()


def test_upgrading_applies_only_newer_steps_and_keeps_data(tmp_path, monkeypatch):
    shipped = migrations()
    latest = shipped[-1][0]
    conn = sqlite3.connect(tmp_path / "db.sqlite")
    assert migrate(conn) == latest
    conn.execute("INSERT INTO settings (name, value) VALUES ('units', '\"F\"')")
    conn.commit()
    extra_step = (latest + 1, "ALTER TABLE settings ADD COLUMN note TEXT;")
    monkeypatch.setattr("rpymostat.store.sqlite.migrations", lambda: [*shipped, extra_step])
    assert migrate(conn) == latest + 1
    assert conn.execute("SELECT name, value, note FROM settings").fetchall() == [("units", '"F"', None)]
    assert migrate(conn) == latest + 1


def test_a_version_1_database_is_upgraded_keeping_its_readings(tmp_path):
    conn = sqlite3.connect(tmp_path / "db.sqlite")
    version, script = migrations()[0]
    conn.executescript(f"BEGIN;{script}PRAGMA user_version = {version};COMMIT;")
    conn.execute("INSERT INTO readings (sensor_id, host_id, value, at, received_at) VALUES ('a', 'h', 20.5, 1, 1)")
    conn.commit()
    assert migrate(conn) == migrations()[-1][0]
    assert conn.execute("SELECT value FROM readings").fetchall() == [(20.5,)]
    assert conn.execute("SELECT count(*) FROM log").fetchall() == [(0,)]
