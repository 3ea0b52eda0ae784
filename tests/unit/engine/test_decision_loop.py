"""The decision loop over a real store, with an injected clock and a recording commander."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import pytest_twisted
from twisted.internet.defer import succeed

from rpymostat.config import EngineConfig
from rpymostat.decisions.model import Decision
from rpymostat.engine.context import EngineContext
from rpymostat.engine.loop.decision_loop import DecisionLoop
from rpymostat.engine.loop.recording import DECISIONS_STREAM
from rpymostat.engine.plugin_settings import PluginSettings
from rpymostat.engine.schedules.cache import TimelineCache
from rpymostat.history.decisions import CHANGES_STREAM, chart_fields
from rpymostat.plugins.registry import LoadedPlugin, load_plugins
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


def heating_to_21(engine, commander, interval: float = 5.0) -> DecisionLoop:
    """A loop whose instruction is always "heat to 21 °C", over the engine's store."""
    return DecisionLoop(engine.context, FixedTimeline(Instruction("heat", heat_setpoint=21.0)), commander,
                        PluginSettings(engine.store), interval=interval)


def past_minimum_off_times(engine):
    engine.clock.advance(600.0)


async def report(engine, value, sensor="28-a", sensor_type="DS18B20"):
    now = engine.clock.seconds()
    await engine.store.record_readings("h", [ReadingInput(sensor, sensor_type, value, now)], now)


@pytest_twisted.ensureDeferred
async def test_a_cold_house_is_heated_and_the_state_is_reasserted_every_interval(engine):
    await report(engine, 18.0)
    commander = RecordingCommander()
    loop = heating_to_21(engine, commander, interval=5.0)
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
    changes = await engine.store.list_log(CHANGES_STREAM, 10, newest_first=False)
    assert [(e.entry_id - d.entry_id, e.data) for e, d in zip(changes, reversed(recorded), strict=True)] == [
        (1, chart_fields(d.data)) for d in reversed(recorded)], "the chart's changes are recorded beside them"


@pytest_twisted.ensureDeferred
async def test_a_dead_sensor_stops_the_furnace_and_raises_an_alert(engine):
    await report(engine, 18.0)
    commander = RecordingCommander()
    loop = heating_to_21(engine, commander)
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
    loop = heating_to_21(engine, commander, interval=3600.0)
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


@pytest.mark.parametrize(("method", "path", "body"), [
    ("POST", "/v1/overrides", {"start": "now", "mode": "heat", "heat_setpoint": 22}),
    ("PUT", "/v1/presets/home", {"heat_setpoint": 22, "cool_setpoint": 26}),
], ids=["a new override", "a changed preset"])
@pytest_twisted.ensureDeferred
async def test_a_new_target_through_the_api_triggers_a_turn_without_waiting_for_the_timer(engine, method, path, body):
    await report(engine, 17.0)
    commander = RecordingCommander()
    loop = heating_to_21(engine, commander, interval=3600.0)
    past_minimum_off_times(engine)
    loop.start()
    try:
        await loop.settled()
        first = len(commander.sent)
        changed = await engine.request(method, path, key="write", json=body)
        assert changed.code in (200, 201), changed.text
        await loop.settled()
        assert len(commander.sent) == first + 1
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


def london(*fields):
    """Epoch seconds of a wall-clock time in the harness's zone (Europe/London, BST in September)."""
    return datetime(*fields, tzinfo=ZoneInfo("Europe/London")).timestamp()


@pytest_twisted.ensureDeferred
async def test_the_sentence_gives_the_end_and_the_start_in_the_configured_time_zone(engine):
    assert engine.context.config.timezone == "Europe/London"
    await report(engine, 18.0)
    until = london(2026, 9, 21, 22, 0)
    loop = DecisionLoop(engine.context, FixedTimeline(Instruction("heat", heat_setpoint=21.0, until=until)),
                        RecordingCommander(), PluginSettings(engine.store))
    past_minimum_off_times(engine)  # 15:13:20 BST + 10 min
    await report(engine, 18.0)
    await loop.evaluate()
    engine.clock.advance(120.0)
    await report(engine, 18.0)
    await loop.evaluate()
    assert loop.latest["summary"] == "heating: 28-a 18.0 °C, target 21.0 °C until 22:00, on since 15:23"


@pytest_twisted.ensureDeferred
async def test_a_configured_maximum_run_time_forces_the_furnace_to_rest(engine, tmp_path):
    config = EngineConfig.from_environ({"RPYMOSTAT_DATA_DIR": str(tmp_path), "RPYMOSTAT_TIMEZONE": "Europe/London",
                                        "RPYMOSTAT_HEAT_MAX_RUN": "3600"})
    context = EngineContext(engine.store, engine.clock, config)
    loop = DecisionLoop(context, FixedTimeline(Instruction("heat", heat_setpoint=21.0)), RecordingCommander(),
                        PluginSettings(engine.store))
    past_minimum_off_times(engine)
    await report(engine, 18.0)
    assert (await loop.evaluate()).decision.desired == "heat"
    for _ in range(11):
        engine.clock.advance(300.0)
        await report(engine, 18.0)
        assert (await loop.evaluate()).decision.desired == "heat"
    engine.clock.advance(300.0)  # one hour of heating, and the house is still cold
    await report(engine, 18.0)
    result = await loop.evaluate()
    assert result.decision.desired == "idle" and not result.equipment.heat.on
    assert loop.latest["lockout"]["description"] == "heat starts in 10 min: rest after maximum run time"
    assert [a["code"] for a in loop.latest["alerts"]] == ["max_run"]
    assert "ran for 1 h without stopping" in loop.latest["alerts"][0]["message"]


@pytest_twisted.ensureDeferred
async def test_the_safety_minimum_off_time_is_a_floor_under_the_plugin_options(engine, tmp_path):
    config = EngineConfig.from_environ({"RPYMOSTAT_DATA_DIR": str(tmp_path), "RPYMOSTAT_TIMEZONE": "Europe/London",
                                        "RPYMOSTAT_HEAT_MIN_OFF": "240"})
    plugins = PluginSettings(engine.store)
    await plugins.choose("decisions", "hysteresis", {"min_on_time": 0, "min_off_time": 0})
    await report(engine, 18.0)
    loop = DecisionLoop(EngineContext(engine.store, engine.clock, config),
                        FixedTimeline(Instruction("heat", heat_setpoint=21.0)), RecordingCommander(), plugins)
    await loop.evaluate()
    assert loop.latest["desired"] == "idle"
    assert loop.latest["lockout"]["description"] == "heat starts in 4 min: minimum off time"
    engine.clock.advance(240.0)
    await report(engine, 18.0)
    assert (await loop.evaluate()).decision.desired == "heat"


class RecordingPlugin:
    """A decision plugin that remembers what it was shown and never runs anything."""

    name = "recording"
    description = "Records every context it is given."
    options_schema = {"type": "object", "properties": {}}

    def __init__(self):
        self.seen = []

    def decide(self, context, options):
        self.seen.append(context)
        return Decision("idle", "recording")


@pytest_twisted.ensureDeferred
async def test_the_decision_plugin_sees_the_next_scheduled_change(engine):
    created = await engine.request("POST", "/v1/schedules", key="write", json={
        "cron": "0 22 * * *", "duration": "PT8H", "mode": "heat", "heat_setpoint": 17})
    assert created.code == 201, created.text
    recording = RecordingPlugin()
    plugins = PluginSettings(engine.store, {
        "decisions": {"recording": LoadedPlugin("decisions", "recording", recording, "test")},
        "schedulers": load_plugins("schedulers"),
    })
    await plugins.choose("decisions", "recording", {})
    timeline = TimelineCache(engine.store, engine.clock, "Europe/London", plugins=plugins)
    await timeline.start()
    try:
        await report(engine, 18.0)
        await DecisionLoop(engine.context, timeline, RecordingCommander(), plugins).evaluate()
    finally:
        timeline.stop()
    (context,) = recording.seen
    assert context.instruction.mode == "off"
    at, upcoming = context.next_change
    assert at == london(2026, 9, 21, 22, 0)
    assert (upcoming.mode, upcoming.heat_setpoint, upcoming.source) == ("heat", 17.0, f"schedule:{created.json['id']}")


@pytest_twisted.ensureDeferred
async def test_the_decision_plugin_sees_the_trend_of_the_stored_readings(engine):
    recording = RecordingPlugin()
    plugins = PluginSettings(engine.store, {
        "decisions": {"recording": LoadedPlugin("decisions", "recording", recording, "test")},
        "schedulers": load_plugins("schedulers"),
    })
    await plugins.choose("decisions", "recording", {})
    loop = DecisionLoop(engine.context, FixedTimeline(Instruction("heat", heat_setpoint=21.0)), RecordingCommander(),
                        plugins)
    for value in (20.50, 20.49, 20.48, 20.47, 20.46):  # falling 0.6 °C an hour, one report a minute
        engine.clock.advance(60.0)
        await report(engine, value)
        await report(engine, 35.0, sensor="cpu-0", sensor_type="cpu")
    await loop.evaluate()
    trend = recording.seen[-1].trend
    assert trend is not None and trend.readings == 5
    assert trend.value == pytest.approx(20.46)
    assert trend.rate_per_hour == pytest.approx(-0.6)


@pytest_twisted.ensureDeferred
async def test_the_loop_learns_the_house_and_a_failure_to_save_what_it_learned_does_not_stop_the_heating(engine):
    commander = RecordingCommander()
    loop = heating_to_21(engine, commander)
    await report(engine, 18.0)
    past_minimum_off_times(engine)
    await loop.evaluate()
    assert loop.house.book.learner(["28-a"]) is not None, "the counted sensor's model is fed"

    def broken(name, value):
        raise RuntimeError("disk full")

    engine.store.put_setting = broken
    engine.clock.advance(3600.0)
    await report(engine, 17.5)
    result = await loop.evaluate()
    assert result.decision.desired == "heat"
    assert commander.sent[-1][0]["heat"] is True
