"""The window reaction in the decision loop: a posted event pauses heating, with the reason, until it closes."""

from __future__ import annotations

import pytest_twisted

from rpymostat.engine.loop.decision_loop import DecisionLoop
from rpymostat.engine.plugin_settings import PluginSettings
from rpymostat.engine.reactions import Reactions
from rpymostat.scheduling.instruction import Instruction
from tests.unit.engine.test_decision_loop import FixedTimeline, RecordingCommander


async def report(engine, value=18.0):
    """A reading through the API, as a sensor daemon sends it (the loop keeps its recent window from these)."""
    body = {"host_id": "h", "sensors": {"28-a": {"type": "DS18B20", "value": value}}}
    response = await engine.request("PUT", "/v1/sensors/update", json=body, key="write")
    assert response.code == 201, response.text


async def window(engine, value):
    body = {"device": "window", "location": "Bedroom", "action": "contact", "value": value}
    response = await engine.request("POST", "/v1/events", json=body, key="write")
    assert response.code == 201, response.text


async def heating_loop(engine, reactions):
    loop = DecisionLoop(engine.context, FixedTimeline(Instruction("heat", heat_setpoint=21.0)), RecordingCommander(),
                        PluginSettings(engine.store), reactions=reactions)
    await engine.request("PATCH", "/v1/sensors/28-a", json={"room": "bedroom"}, key="write")
    return loop


@pytest_twisted.ensureDeferred
async def test_an_open_window_pauses_heating_after_the_delay_and_closing_resumes_it(engine):
    await report(engine)
    reactions = Reactions(engine.context)
    await reactions.load()
    reactions.start()
    await reactions.change_window({"enabled": True, "delay": 60.0})
    loop = await heating_loop(engine, reactions)
    engine.clock.advance(600)
    await report(engine)
    assert (await loop.evaluate()).decision.desired == "heat"

    await window(engine, "open")
    assert (await loop.evaluate()).decision.desired == "heat"  # within the delay
    engine.clock.advance(61)
    await report(engine)
    paused = await loop.evaluate()
    assert paused.decision.desired == "idle"
    assert paused.decision.reason.startswith("paused: Bedroom window open since ")
    assert loop.latest["summary"].startswith("paused: Bedroom window open since ")
    assert [r["reaction"] for r in loop.latest["reactions"]] == ["window"]

    await window(engine, "closed")
    engine.clock.advance(600)  # past the furnace's minimum off time
    await report(engine)
    resumed = await loop.evaluate()
    assert resumed.decision.desired == "heat"
    assert "paused" not in resumed.decision.reason
    assert loop.latest["reactions"] == []
    reactions.stop()


@pytest_twisted.ensureDeferred
async def test_a_disabled_reaction_changes_nothing(engine):
    await report(engine)
    reactions = Reactions(engine.context)
    await reactions.load()
    reactions.start()
    loop = await heating_loop(engine, reactions)
    await window(engine, "open")
    engine.clock.advance(600)
    await report(engine)
    assert (await loop.evaluate()).decision.desired == "heat"
    reactions.stop()


@pytest_twisted.ensureDeferred
async def test_a_restarted_engine_remembers_the_open_window_and_its_settings(engine):
    first = Reactions(engine.context)
    await first.load()
    first.start()
    await first.change_window({"enabled": True, "delay": 0.0})
    await window(engine, "open")
    first.stop()
    again = Reactions(engine.context)
    await again.load()
    assert again.window.enabled and again.window.delay == 0.0
    pause = again.pause(engine.clock.seconds() + 1, {"bedroom"})
    assert pause is not None and pause.reason.startswith("Bedroom window open since")


@pytest_twisted.ensureDeferred
async def test_when_the_last_person_leaves_the_away_preset_holds_until_someone_is_back(engine):
    await report(engine)
    reactions = Reactions(engine.context)
    await reactions.load()
    reactions.start()
    await reactions.change_presence({"enabled": True})
    loop = await heating_loop(engine, reactions)

    async def presence(person, value):
        body = {"device": person, "location": "home", "action": "presence", "value": value}
        assert (await engine.request("POST", "/v1/events", json=body, key="write")).code == 201

    await presence("alice", "home")
    await presence("bob", "away")
    engine.clock.advance(600)
    await report(engine)
    assert (await loop.evaluate()).context.instruction.heat_setpoint == 21.0
    await presence("alice", "away")
    engine.clock.advance(600)  # past the furnace's minimum run
    await report(engine)
    away = await loop.evaluate()
    assert (away.context.instruction.heat_setpoint, away.context.instruction.preset) == (16.0, "away")
    assert away.decision.reason.startswith("away: everyone away since ")
    assert away.decision.desired == "idle"  # 18 °C is above the away target
    await presence("bob", "home")
    back = await loop.evaluate()
    assert back.context.instruction.heat_setpoint == 21.0 and loop.latest["reactions"] == []
    reactions.stop()


@pytest_twisted.ensureDeferred
async def test_a_fast_fall_while_heating_raises_a_window_event_and_pauses(engine):
    await report(engine, 18.0)
    reactions = Reactions(engine.context)
    await reactions.load()
    reactions.start()
    await reactions.change_window({"enabled": True, "delay": 0.0})
    loop = await heating_loop(engine, reactions)
    engine.clock.advance(600)
    await report(engine, 18.0)
    assert (await loop.evaluate()).decision.desired == "heat"
    for step in range(1, 8):  # 0.2 °C a minute: 12 °C per hour, with the furnace on
        engine.clock.advance(60)
        await report(engine, 18.0 - 0.2 * step)
        result = await loop.evaluate()
    assert result.decision.reason.startswith("paused: bedroom window open since ")
    response = await engine.request("GET", "/v1/events?full=true&action=temperature_drop", key="read")
    (event,) = response.json["events"]
    assert (event["device"], event["location"], event["value"], event["client"]) == ("window", "bedroom", "open",
                                                                                     "engine")
    assert event["data"] == {"sensor_id": "28-a"}
    reactions.stop()
