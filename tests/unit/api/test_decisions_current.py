"""``GET /v1/decisions/current`` tells a user what holds the equipment back, for how long, and what is wrong."""

from __future__ import annotations

from dataclasses import replace

import pytest_twisted
from twisted.internet.defer import succeed

from rpymostat.engine.api.build import api_document, build_api
from rpymostat.engine.loop.decision_loop import DecisionLoop
from rpymostat.engine.plugin_settings import PluginSettings
from rpymostat.scheduling.instruction import Instruction
from rpymostat.store.records import ReadingInput
from tests.support.engine import EngineHarness, in_memory_client
from tests.unit.api.test_openapi import assert_matches


class HeatWanted:
    def current_instruction(self, now):
        return Instruction("heat", heat_setpoint=21.0, sensors={"28-a": 1.0})

    def next_change(self, now):
        return None


class NoRelays:
    def set_desired(self, function_states, reason):
        return succeed(None)


def serve_with_loop(engine: EngineHarness, loop: DecisionLoop) -> EngineHarness:
    """The harness's engine, served again (in memory) with a decision loop behind ``/v1/decisions/current``."""
    api = build_api(engine.context, decision_loop=loop)
    return replace(engine, api=api, client=in_memory_client(api.resource()))


async def report(engine: EngineHarness, value: float) -> None:
    now = engine.clock.seconds()
    await engine.store.record_readings("h", [ReadingInput("28-a", "DS18B20", value, now)], now)


@pytest_twisted.ensureDeferred
async def test_the_current_decision_shows_the_lockout_and_then_the_stale_sensor_alert(engine):
    loop = DecisionLoop(engine.context, HeatWanted(), NoRelays(), PluginSettings(engine.store))
    served = serve_with_loop(engine, loop)
    await report(engine, 18.0)
    engine.clock.advance(100.0)  # the engine started 100 s ago: the furnace rests 300 s after a start
    await report(engine, 18.0)
    await loop.evaluate()
    held = await served.request("GET", "/v1/decisions/current", key="read")
    assert held.code == 200, held.text
    assert held.json["desired"] == "idle"
    assert held.json["lockout"] == {"function": "heat", "action": "start", "rule": "minimum off time",
                                    "remaining": 200.0,
                                    "description": "heat starts in 3 min 20 s: minimum off time"}
    assert held.json["alerts"] == []
    assert_matches(api_document(), "/v1/decisions/current", "get", held)

    engine.clock.advance(engine.context.config.sensor_stale_after + 1)
    await loop.evaluate()
    stale = await served.request("GET", "/v1/decisions/current", key="read")
    assert stale.code == 200, stale.text
    assert (stale.json["desired"], stale.json["temperature"], stale.json["lockout"]) == ("idle", None, None)
    (alert,) = stale.json["alerts"]
    assert alert["code"] == "no_temperature"
    assert "28-a" in alert["message"] and "stale or missing" in alert["message"]
    assert_matches(api_document(), "/v1/decisions/current", "get", stale)
