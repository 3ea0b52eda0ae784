"""``GET /metrics`` on an engine API over a real socket and a real SQLite file."""

from __future__ import annotations

import pytest_twisted
from prometheus_client.parser import text_string_to_metric_families

from rpymostat.engine.api.build import build_api
from rpymostat.engine.loop.decision_loop import DecisionLoop
from rpymostat.engine.plugin_settings import PluginSettings
from rpymostat.scheduling.instruction import Instruction
from tests.support.engine import in_memory_client, start_engine
from tests.unit.engine.test_decision_loop import FixedTimeline, RecordingCommander


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of a scrape, keyed by name and sorted labels."""
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def update(host: str, **values):
    return {"host_id": host, "sensors": {sensor: {"type": "DS18B20", "value": value}
                                         for sensor, value in values.items()}}


@pytest_twisted.ensureDeferred
async def test_metrics_need_a_key_of_any_role(tmp_path):
    engine = await start_engine(tmp_path, metrics=True)
    try:
        refused = await engine.request("GET", "/metrics")
        assert refused.code == 401 and "API key" in refused.json["error"]
        assert (await engine.request("GET", "/metrics", key="revoked")).code == 401
        scraped = await engine.request("GET", "/metrics", key="read")
        assert scraped.code == 200
        assert scraped.headers["content-type"].startswith("text/plain; version=0.0.4")
        assert any(name == "rpymostat_build_info" for name, _ in samples(scraped.text))
    finally:
        await engine.close()


@pytest_twisted.ensureDeferred
async def test_metrics_open_by_the_setting_need_no_key(tmp_path):
    engine = await start_engine(tmp_path, metrics=True, metrics_open=True)
    try:
        assert (await engine.request("GET", "/metrics")).code == 200
    finally:
        await engine.close()


@pytest_twisted.ensureDeferred
async def test_without_the_setting_there_are_no_metrics(tmp_path):
    engine = await start_engine(tmp_path)
    try:
        answer = await engine.request("GET", "/metrics", key="admin")
        assert answer.code == 404 and "RPYMOSTAT_METRICS=on" in answer.json["error"]
        assert (await engine.request("GET", "/metrics")).code == 401
    finally:
        await engine.close()


@pytest_twisted.ensureDeferred
async def test_readings_show_per_sensor_and_requests_are_counted_by_route_template(tmp_path):
    engine = await start_engine(tmp_path, metrics=True)
    try:
        assert (await engine.request("PUT", "/v1/sensors/update", key="write",
                                     json=update("hall-pi", **{"28-a": 19.5, "28-b": 20.25}))).code == 201
        assert (await engine.request("PUT", "/v1/sensors/update", key="write",
                                     json=update("hall-pi", **{"28-a": 19.75}))).code == 201
        for sensor in ("28-a", "28-b", "nope"):
            await engine.request("GET", f"/v1/sensors/{sensor}", key="read")
        found = samples((await engine.request("GET", "/metrics", key="read")).text)
    finally:
        await engine.close()
    assert found[("rpymostat_sensor_temperature_celsius", (("host", "hall-pi"), ("sensor", "28-a")))] == 19.75
    assert found[("rpymostat_sensor_temperature_celsius", (("host", "hall-pi"), ("sensor", "28-b")))] == 20.25
    assert found[("rpymostat_readings_ingested_total", (("host", "hall-pi"),))] == 3
    one_route = (("method", "GET"), ("route", "/v1/sensors/<sensor_id>"))
    assert found[("rpymostat_http_requests_total", (("code", "200"), *one_route))] == 2
    assert found[("rpymostat_http_requests_total", (("code", "404"), *one_route))] == 1
    assert found[("rpymostat_http_request_duration_seconds_count", one_route)] == 3
    assert not any("28-a" in dict(labels).get("route", "") for _, labels in found)
    assert found[("rpymostat_store_commit_duration_seconds_count", ())] >= 2


@pytest_twisted.ensureDeferred
async def test_an_unreadable_sensor_has_no_temperature_series(tmp_path):
    engine = await start_engine(tmp_path, metrics=True)
    try:
        await engine.request("PUT", "/v1/sensors/update", key="write", json=update("h", **{"28-a": 19.5}))
        await engine.request("PUT", "/v1/sensors/update", key="write", json=update("h", **{"28-a": None}))
        found = samples((await engine.request("GET", "/metrics", key="read")).text)
    finally:
        await engine.close()
    assert ("rpymostat_sensor_temperature_celsius", (("host", "h"), ("sensor", "28-a"))) not in found
    assert found[("rpymostat_readings_ingested_total", (("host", "h"),))] == 2


@pytest_twisted.ensureDeferred
async def test_the_latest_decision_shows_temperature_target_equipment_and_counts(tmp_path):
    engine = await start_engine(tmp_path, metrics=True)
    loop = DecisionLoop(engine.context, FixedTimeline(Instruction("heat", heat_setpoint=21.0)), RecordingCommander(),
                        PluginSettings(engine.store))
    api = build_api(engine.context, decision_loop=loop)
    engine.client = in_memory_client(api.resource())
    try:
        engine.clock.advance(600.0)
        await engine.request("PUT", "/v1/sensors/update", key="write", json=update("h", **{"28-a": 18.0}))
        await loop.evaluate()
        found = samples((await engine.request("GET", "/metrics", key="read")).text)
    finally:
        await engine.close()
    assert found[("rpymostat_temperature_celsius", ())] == 18.0
    assert found[("rpymostat_target_celsius", (("kind", "heat"),))] == 21.0
    assert ("rpymostat_target_celsius", (("kind", "cool"),)) not in found
    assert found[("rpymostat_mode", (("mode", "heat"),))] == 1
    assert found[("rpymostat_equipment_on", (("function", "heat"),))] == 1
    assert found[("rpymostat_equipment_on", (("function", "cool"),))] == 0
    assert found[("rpymostat_desired", (("action", "heat"),))] == 1
    assert found[("rpymostat_decisions_total", (("action", "heat"),))] == 1
    assert found[("rpymostat_decisions_total", (("action", "cool"),))] == 0
