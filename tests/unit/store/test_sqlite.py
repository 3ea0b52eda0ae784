"""SQLite specifics: the schema is versioned and upgraded in place, and data survives reopening."""

from __future__ import annotations

import sqlite3

import pytest_twisted

from rpymostat.common.timeutil import to_iso
from rpymostat.store.records import ReadingInput
from rpymostat.store.sqlite import SQLiteStore, migrate, migrations
from tests.support.engine import START, start_engine


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


def write_version_1_database(path, bucket: float) -> None:
    """The file the first release left: schema version 1, a sensor and three readings in one 5-minute bucket."""
    conn = sqlite3.connect(path)
    assert migrate(conn, target=1) == 1
    conn.execute("INSERT INTO sensors (sensor_id, host_id, sensor_type, alias, last_value, last_reading_at, last_seen,"
                 " first_seen, name, room) VALUES ('28-old', 'hall', 'DS18B20', 'old one', 21.0, ?, ?, ?, 'Hall',"
                 " 'hall')", (bucket + 120, bucket + 120, bucket))
    conn.executemany("INSERT INTO readings (sensor_id, host_id, value, at, received_at) VALUES ('28-old', 'hall', ?, ?, ?)",
                     [(19.0 + i, bucket + 60 * i, bucket + 60 * i) for i in range(3)])
    conn.commit()
    conn.close()


@pytest_twisted.ensureDeferred
async def test_an_engine_started_on_a_version_1_database_upgrades_it_and_serves_its_data(tmp_path):
    bucket = START - 3600 - START % 300
    write_version_1_database(tmp_path / "engine.sqlite", bucket)
    engine = await start_engine(tmp_path)  # the engine's own start path: open_store, then the API
    try:
        sensor = (await engine.request("GET", "/v1/sensors/28-old", key="read")).json
        assert (sensor["host_id"], sensor["alias"], sensor["name"], sensor["room"], sensor["value"]) == (
            "hall", "old one", "Hall", "hall", 21.0)
        assert sensor["outdoor"] is False  # added by version 4
        readings = (await engine.request("GET", "/v1/sensors/28-old/readings", key="read")).json["readings"]
        assert [(r["at"], r["value"]) for r in readings] == [(to_iso(bucket + 60 * i), 19.0 + i) for i in (2, 1, 0)]
        # Readings older than the rollups (version 3) were rolled up by the upgrade.
        history = await engine.request("GET", f"/v1/history?start={to_iso(bucket)}&end={to_iso(START)}&resolution=300",
                                       key="read")
        assert (history.code, history.json["level"]) == (200, "5m"), history.text
        (series,) = history.json["series"]
        assert series["points"][0] == {"at": to_iso(bucket), "mean": 20.0, "min": 19.0, "max": 21.0, "count": 3}
    finally:
        await engine.close()
    conn = sqlite3.connect(tmp_path / "engine.sqlite")
    assert conn.execute("PRAGMA user_version").fetchone()[0] == migrations()[-1][0]
    conn.close()
