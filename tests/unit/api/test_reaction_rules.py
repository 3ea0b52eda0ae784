"""/v1/reactions/rules: "when an event matches, do this" — a preset, a step, a pause — in the decisions."""

from __future__ import annotations

import pytest
import pytest_twisted

from rpymostat.engine.loop.decision_loop import DecisionLoop
from rpymostat.engine.plugin_settings import PluginSettings
from rpymostat.engine.reactions import Reactions
from rpymostat.scheduling.instruction import Instruction
from rpymostat.store.records import ReadingInput
from tests.unit.engine.test_decision_loop import FixedTimeline, RecordingCommander

LIGHT_ON = {"device": "light", "location": "Living room", "action": "toggled", "value": "on"}


async def post(engine, event):
    response = await engine.request("POST", "/v1/events", json=event, key="write")
    assert response.code == 201, response.text


async def rig(engine):
    now = engine.clock.seconds()
    await engine.store.record_readings("h", [ReadingInput("28-a", "DS18B20", 20.0, now)], now)
    reactions = Reactions(engine.context)
    await reactions.load()
    reactions.start()
    until = now + 7200
    timeline = FixedTimeline(Instruction("heat", heat_setpoint=20.5, source="schedule:s", until=until))
    loop = DecisionLoop(engine.context, timeline, RecordingCommander(), PluginSettings(engine.store),
                        reactions=reactions)
    return reactions, loop


async def add_rule(engine, reactions, body):
    made = await engine.request("POST", "/v1/reactions/rules", json=body, key="write")
    assert made.code == 201, made.text
    await reactions.rules_changed()  # the API's own Reactions is another object than this loop's in a unit test
    return made.json


@pytest_twisted.ensureDeferred
async def test_a_preset_rule_holds_until_the_next_scheduled_change(engine):
    reactions, loop = await rig(engine)
    await add_rule(engine, reactions, {"name": "Party", "when": {"device": "light", "value": "ON"},
                                       "action": "preset", "preset": "home"})
    assert (await loop.evaluate()).context.instruction.heat_setpoint == 20.5
    await post(engine, LIGHT_ON)
    party = await loop.evaluate()
    assert (party.context.instruction.heat_setpoint, party.context.instruction.preset) == (21.0, "home")
    assert party.decision.reason.startswith("reaction: Party: light Living room on → preset home; ")
    engine.clock.advance(7201)  # the scheduled change the instruction named
    assert (await loop.evaluate()).context.instruction.heat_setpoint == 20.5
    reactions.stop()


@pytest_twisted.ensureDeferred
async def test_a_step_rule_lasts_its_duration(engine):
    reactions, loop = await rig(engine)
    await add_rule(engine, reactions, {"when": {"action": "motion", "value": "detected"}, "action": "step",
                                       "step": 1.5, "duration": 600})
    await post(engine, {"device": "motion", "location": "hall", "action": "motion", "value": "detected"})
    assert (await loop.evaluate()).context.instruction.heat_setpoint == 22.0
    engine.clock.advance(601)
    assert (await loop.evaluate()).context.instruction.heat_setpoint == 20.5
    reactions.stop()


@pytest_twisted.ensureDeferred
async def test_a_pause_rule_ends_on_its_resume_event(engine):
    reactions, loop = await rig(engine)
    await add_rule(engine, reactions, {"name": "Door", "when": {"device": "door", "value": "open"},
                                       "action": "pause", "resume_when": {"device": "door", "value": "closed"}})
    await post(engine, {"device": "door", "location": "hall", "action": "contact", "value": "open"})
    assert (await loop.evaluate()).context.instruction.mode == "off"
    await post(engine, {"device": "door", "location": "hall", "action": "contact", "value": "closed"})
    assert (await loop.evaluate()).context.instruction.mode == "heat"
    reactions.stop()


@pytest_twisted.ensureDeferred
async def test_a_switched_off_or_deleted_rule_stops_at_once(engine):
    reactions, loop = await rig(engine)
    rule = await add_rule(engine, reactions, {"when": {"device": "light"}, "action": "step", "step": -2})
    await post(engine, LIGHT_ON)
    assert (await loop.evaluate()).context.instruction.heat_setpoint == 18.5
    off = await engine.request("PUT", f"/v1/reactions/rules/{rule['id']}", json={**rule, "enabled": False},
                               key="write")
    assert off.code == 200 and off.json["enabled"] is False
    await reactions.rules_changed()
    assert (await loop.evaluate()).context.instruction.heat_setpoint == 20.5
    assert (await engine.request("DELETE", f"/v1/reactions/rules/{rule['id']}", key="write")).code == 200
    assert (await engine.request("GET", "/v1/reactions/rules", key="read")).json["rules"] == []
    reactions.stop()


@pytest.mark.parametrize(("body", "field"), [
    ({"action": "preset", "preset": "home"}, "when"),
    ({"when": {}, "action": "dance"}, "action"),
    ({"when": {"colour": "red"}, "action": "pause"}, "colour"),
    ({"when": {}, "action": "preset", "preset": "party"}, "preset"),
    ({"when": {}, "action": "step", "step": 0}, "step"),
    ({"when": {}, "action": "step", "step": 1, "resume_when": {}}, "resume_when"),
    ({"when": {}, "action": "pause", "max_pause": 5}, "max_pause"),
    ({"when": {"device": ""}, "action": "pause"}, "when.device"),
])
@pytest_twisted.ensureDeferred
async def test_a_bad_rule_is_refused_naming_the_field(engine, body, field):
    response = await engine.request("POST", "/v1/reactions/rules", json=body, key="write")
    assert response.code == 422 and field in response.json["error"]
    assert (await engine.request("GET", "/v1/reactions/rules", key="read")).json["rules"] == []
