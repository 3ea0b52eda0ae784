"""The engine writes readings, relay switches and decisions to a real influxd; restarts lose and double nothing."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from rpymostat.common.signing import sign_request
from rpymostat.common.timeutil import from_iso, to_iso
from rpymostat.testing.processes import EngineProcess, http, run_script, wait_for
from tests.support.docs_examples import example_source
from tests.support.influxd import InfluxServer

DB = "rpymostat"
HOST = "00000000c0ffee01"


@pytest.fixture
def influx(tmp_path: Path) -> Iterator[InfluxServer]:
    root = tmp_path / "influxdb"
    root.mkdir()
    server = InfluxServer(root)
    with server:
        server.query(f"CREATE DATABASE {DB}")
        yield server


class Sensors:
    """Pushes readings with their own times through the engine's API and remembers what it sent."""

    def __init__(self, engine: EngineProcess, start: float) -> None:
        self.engine = engine
        self.start = start
        self.sent: dict[str, list[list[float]]] = {"s1": [], "s2": []}
        self.count = 0

    def push(self, updates: int) -> None:
        key = (self.engine.data_dir / "admin-key").read_text().strip()
        for _ in range(updates):
            at = to_iso(self.start + self.count * 1.5)
            sensors = {}
            for offset, sensor_id in enumerate(self.sent):
                value = 18.0 + (self.count % 40) / 8 + offset
                sensors[sensor_id] = {"type": "DS18B20", "value": value, "at": at}
                self.sent[sensor_id].append([round(from_iso(at) * 1000), value])
            status, body = http("PUT", self.engine.url + "/v1/sensors/update", {"host_id": HOST, "sensors": sensors},
                                key=key)
            assert status == 201, body
            self.count += 1


def points(influx: InfluxServer, sensor_id: str) -> list[list[float]]:
    return influx.rows(f"SELECT value FROM temperature WHERE sensor_id = '{sensor_id}'", DB)


def point_count(influx: InfluxServer) -> int:
    rows = influx.rows("SELECT count(value) FROM temperature", DB)
    return int(rows[0][1]) if rows else 0


def report_furnace_switch(engine: EngineProcess, at: str) -> None:
    """What a control daemon reports after switching its furnace relay on, signed with its pre-shared secret."""
    secret = run_script("rpymostat-keys", "device", "boiler", "--kind", "control", env=engine.env).stdout.strip()
    body = json.dumps({"host_id": "boiler", "relays": [
        {"id": "boiler:heat", "name": "heat", "pin": 17, "active_high": True, "function": "heat", "on": True}],
        "events": [{"kind": "change", "relay_id": "boiler:heat", "on": True, "at": at, "reason": "too cold"}]}).encode()
    headers = sign_request("boiler", secret, "PUT", "/v1/relays/report", body, time.time())
    status, answer = http("PUT", engine.url + "/v1/relays/report", raw=body, headers=headers)
    assert status == 200, answer


def export_stats(engine: EngineProcess) -> dict:
    return http("GET", engine.url + "/v1/status")[1]["integrations"]["influxdb"]


def test_points_survive_a_database_restart_and_an_engine_restart_each_exactly_once(tmp_path, influx):
    engine = EngineProcess.prepare(
        tmp_path / "engine", RPYMOSTAT_INFLUX_URL=f"{influx.url}/write?db={DB}", RPYMOSTAT_INFLUX_INTERVAL="0.2",
        RPYMOSTAT_INFLUX_BATCH_SIZE="7", RPYMOSTAT_EXPORT_RETRY_MAX="1")
    (tmp_path / "engine").mkdir()
    engine.start()
    try:
        sensors = Sensors(engine, time.time() - 3600)
        sensors.push(10)
        switched = to_iso(time.time() - 30)
        report_furnace_switch(engine, switched)
        wait_for(lambda: point_count(influx) == 20, what="the first 20 points in InfluxDB")

        influx.stop()
        sensors.push(15)
        wait_for(lambda: export_stats(engine)["failures"] >= 1, what="a failed write while influxd is down")
        assert export_stats(engine)["waiting"] >= 30
        influx.start()
        wait_for(lambda: point_count(influx) == 50, what="the 30 points kept while influxd was down")

        influx.stop()
        sensors.push(5)
        wait_for(lambda: export_stats(engine)["waiting"] >= 10, what="points waiting while influxd is down")
        engine.stop()
        influx.start()
        engine.start()
        wait_for(lambda: point_count(influx) == 60, what="the points kept across the engine's restart")

        for sensor_id, sent in sensors.sent.items():
            assert points(influx, sensor_id) == sent
        wait_for(lambda: export_stats(engine)["waiting"] == 0, what="the outbox to empty")
        assert export_stats(engine)["dropped"] == 0 and export_stats(engine)["rejected"] == 0
        assert influx.rows("SELECT \"on\", reason FROM relay WHERE relay_id = 'boiler:heat'", DB) == [
            [round(from_iso(switched) * 1000), True, "too cold"]]
        means = influx.query(example_source("integrations_influxdb.rst", "influx-query"), DB)["results"][0]["series"]
        assert sorted(series["tags"]["sensor_id"] for series in means) == ["s1", "s2"]
        decisions = influx.rows("SELECT desired, equipment_changed FROM decision", DB)
        assert decisions and decisions[0][1] in ("idle", "heat", "cool", "fan")
    finally:
        engine.kill()
