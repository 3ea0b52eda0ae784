"""The decision loop over a real store, with an injected clock and a recording commander."""

from __future__ import annotations

import pytest_twisted
from twisted.internet.defer import succeed

from rpymostat.engine.loop.decision_loop import DECISIONS_STREAM, DecisionLoop
from rpymostat.engine.plugin_settings import PluginSettings
from rpymostat.scheduling.instruction import Instruction
from rpymostat.store.records import ReadingInput


class FixedTimeline:
    def __init__(self, instruction):
        self.instruction = instruction

    def current_instruction(self, now):
        return self.instruction

    def next_change(self, now):
        return None


class RecordingCommander:
    def __init__(self):
        self.sent = []

    def set_desired(self, function_states, reason):
        self.sent.append((dict(function_states), reason))
        return succeed(None)


def past_minimum_off_times(engine):
    engine.clock.advance(600.0)


async def report(engine, value, sensor="28-a"):
    now = engine.clock.seconds()
    await engine.store.record_readings("h", [ReadingInput(sensor, "DS18B20", value, now)], now)


@pytest_twisted.ensureDeferred
async def test_a_cold_house_is_heated_and_the_state_is_reasserted_every_interval(engine):
    await report(engine, 18.0)
    commander = RecordingCommander()
    loop = DecisionLoop(engine.context, FixedTimeline(Instruction("heat", heat_setpoint=21.0)), commander,
                        PluginSettings(engine.store), interval=5.0)
    held = await loop.evaluate()
    assert held.decision.desired == "idle"
    assert loop.latest["lockout"]["description"] == "heat starts in 5 min: minimum off time"
    assert "(heat starts in 5 min: minimum off time)" in loop.latest["summary"]
    engine.clock.advance(300.0)
    await report(engine, 18.0)
    result = await loop.evaluate()
    assert result.decision.desired == "heat"
    assert commander.sent[-1][0] == {"heat": True, "cool": False, "fan": False}
    assert "heating: 28-a 18.0 °C, target 21.0 °C" in loop.latest["summary"]
    for _ in range(3):
        engine.clock.advance(5.0)
        await report(engine, 18.0)
        await loop.evaluate()
    assert len(commander.sent) == 5 and all(states["heat"] for states, _ in commander.sent[1:])
    recorded = await engine.store.list_log(DECISIONS_STREAM, 10)
    assert [e.data["desired"] for e in recorded] == ["heat", "idle"]


@pytest_twisted.ensureDeferred
async def test_a_dead_sensor_stops_the_furnace_and_raises_an_alert(engine):
    await report(engine, 18.0)
    commander = RecordingCommander()
    loop = DecisionLoop(engine.context, FixedTimeline(Instruction("heat", heat_setpoint=21.0)), commander,
                        PluginSettings(engine.store))
    past_minimum_off_times(engine)
    await report(engine, 18.0)
    await loop.evaluate()
    engine.clock.advance(engine.context.config.sensor_stale_after + 1)
    result = await loop.evaluate()
    assert result.decision.desired == "idle"
    assert commander.sent[-1][0]["heat"] is False
    assert [a["code"] for a in loop.latest["alerts"]] == ["no_temperature"]
    recorded = await engine.store.list_log(DECISIONS_STREAM, 10)
    assert [e.data["desired"] for e in recorded] == ["idle", "heat"]


@pytest_twisted.ensureDeferred
async def test_a_new_reading_triggers_a_turn_through_the_api(engine):
    commander = RecordingCommander()
    loop = DecisionLoop(engine.context, FixedTimeline(Instruction("heat", heat_setpoint=21.0)), commander,
                        PluginSettings(engine.store), interval=3600.0)
    past_minimum_off_times(engine)
    loop.start()
    try:
        first = len(commander.sent)
        body = {"host_id": "h", "sensors": {"28-a": {"type": "DS18B20", "value": 17.0}}}
        assert (await engine.request("PUT", "/v1/sensors/update", json=body, key="write")).code == 201
        await loop.settled()
        assert len(commander.sent) > first
        assert commander.sent[-1][0]["heat"] is True
    finally:
        loop.stop()


@pytest_twisted.ensureDeferred
async def test_system_off_turns_a_running_furnace_off_at_once(engine):
    await report(engine, 18.0)
    timeline = FixedTimeline(Instruction("heat", heat_setpoint=21.0))
    commander = RecordingCommander()
    loop = DecisionLoop(engine.context, timeline, commander, PluginSettings(engine.store))
    past_minimum_off_times(engine)
    await report(engine, 18.0)
    await loop.evaluate()
    engine.clock.advance(10.0)
    timeline.instruction = Instruction("off")
    result = await loop.evaluate()
    assert result.decision.desired == "idle" and not result.equipment.heat.on
    assert commander.sent[-1][0]["heat"] is False
    assert "system off" in loop.latest["summary"]


class MovingDefault(FixedTimeline):
    """A default instruction whose ``until`` moves with the clock, as the timeline's does."""

    def __init__(self, clock):
        super().__init__(None)
        self.clock = clock

    def current_instruction(self, now):
        return Instruction("heat", heat_setpoint=21.0, until=now + 3600.0)


@pytest_twisted.ensureDeferred
async def test_an_unchanged_decision_is_not_recorded_again_when_only_its_horizon_moves(engine):
    await report(engine, 21.0)
    loop = DecisionLoop(engine.context, MovingDefault(engine.clock), RecordingCommander(),
                        PluginSettings(engine.store))
    for _ in range(5):
        engine.clock.advance(5.0)
        await report(engine, 21.0)
        await loop.evaluate()
    recorded = await engine.store.list_log(DECISIONS_STREAM, 10)
    assert len(recorded) == 1
