"""The engine's counters move with its events: alerts once per raising, decisions by action."""

from __future__ import annotations

import pytest_twisted
from prometheus_client.parser import text_string_to_metric_families

from rpymostat.engine.events import EventBus
from rpymostat.integrations.engine_metrics import EngineMetrics
from tests.support.engine import start_engine


def values(metrics: EngineMetrics, name: str) -> dict[tuple[tuple[str, str], ...], float]:
    text = metrics.exposition().decode()
    return {tuple(sorted(s.labels.items())): s.value
            for family in text_string_to_metric_families(text) for s in family.samples if s.name == name}


def alerts(*codes: str) -> dict:
    return {"alerts": [{"code": code, "message": code} for code in codes]}


@pytest_twisted.ensureDeferred
async def test_an_alert_counts_each_time_it_is_raised_not_while_it_lasts(tmp_path):
    engine = await start_engine(tmp_path)
    try:
        bus = EventBus(engine.store, engine.clock)
        metrics = EngineMetrics(bus, lambda: None)
        for raised in (alerts("stale_sensor"), alerts("stale_sensor", "frost"), alerts("frost"), alerts(),
                       alerts("stale_sensor")):
            await bus.publish("alerts", raised, keep=False)
        counted = values(metrics, "rpymostat_alerts_raised_total")
        metrics.close()
        await bus.publish("alerts", alerts("frost", "no_relays"), keep=False)
    finally:
        await engine.close()
    assert counted == {(("code", "stale_sensor"),): 2, (("code", "frost"),): 1}
    assert values(metrics, "rpymostat_alerts_raised_total") == counted


@pytest_twisted.ensureDeferred
async def test_decisions_are_counted_by_what_they_asked_for(tmp_path):
    engine = await start_engine(tmp_path)
    try:
        bus = EventBus(engine.store, engine.clock)
        metrics = EngineMetrics(bus, lambda: None)
        for desired in ("idle", "heat", "heat", "fan"):
            await bus.publish("decision", {"decision": {"desired": desired}, "equipment_changed": True}, keep=False)
    finally:
        await engine.close()
    assert values(metrics, "rpymostat_decisions_total") == {
        (("action", "heat"),): 2, (("action", "cool"),): 0, (("action", "fan"),): 1, (("action", "idle"),): 1}
    assert values(metrics, "rpymostat_temperature_celsius") == {}


@pytest_twisted.ensureDeferred
async def test_a_deleted_sensors_series_end_with_it(tmp_path):
    engine = await start_engine(tmp_path)
    try:
        metrics = EngineMetrics(engine.context.events, lambda: None)
        update = {"host_id": "hall-pi", "sensors": {"28-a": {"type": "DS18B20", "value": 20.5},
                                                    "28-b": {"type": "DS18B20", "value": 18.0}}}
        assert (await engine.request("PUT", "/v1/sensors/update", json=update, key="write")).code == 201
        before = values(metrics, "rpymostat_sensor_temperature_celsius")
        deleted = await engine.request("DELETE", "/v1/sensors/28-a", key="admin")
        after = values(metrics, "rpymostat_sensor_temperature_celsius")
        metrics.close()
    finally:
        await engine.close()
    assert deleted.code == 200, deleted.text
    assert before == {(("host", "hall-pi"), ("sensor", "28-a")): 20.5, (("host", "hall-pi"), ("sensor", "28-b")): 18.0}
    assert after == {(("host", "hall-pi"), ("sensor", "28-b")): 18.0}
