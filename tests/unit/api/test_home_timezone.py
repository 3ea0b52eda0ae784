"""The home's time zone, chosen through ``/v1/schedules/settings``: it overrides RPYMOSTAT_TIMEZONE."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import pytest_twisted
from twisted.internet.defer import succeed

from rpymostat.engine.loop.decision_loop import DecisionLoop
from rpymostat.engine.plugin_settings import PluginSettings
from rpymostat.scheduling.instruction import Instruction
from tests.support.engine import start_engine

from .rules_support import MORNINGS, ZONE, events, starts, stored_state, timeline

SETTINGS = "/v1/schedules/settings"


def wall_clocks(instants: list[float], zone: str) -> set[str]:
    return {datetime.fromtimestamp(instant, ZoneInfo(zone)).strftime("%H:%M") for instant in instants}


async def zone_of_timeline(engine) -> str:
    return (await engine.request("GET", "/v1/timeline", key="read")).json["timezone"]


@pytest_twisted.ensureDeferred
async def test_a_chosen_zone_moves_the_schedules_to_its_local_time_and_null_goes_back(engine):
    schedule = (await engine.request("POST", "/v1/schedules", json=MORNINGS, key="write")).json
    source = f"schedule:{schedule['id']}"
    assert wall_clocks(starts(await timeline(engine, hours=168), source), ZONE) == {"06:30"}

    chosen = await engine.request("PATCH", SETTINGS, json={"timezone": "America/New_York"}, key="write")
    assert chosen.code == 200, chosen.text
    assert (chosen.json["timezone"], chosen.json["effective_timezone"]) == ("America/New_York", "America/New_York")
    assert await zone_of_timeline(engine) == "America/New_York"
    mornings = starts(await timeline(engine, hours=168), source)
    assert len(mornings) == 7
    assert wall_clocks(mornings, "America/New_York") == {"06:30"}
    assert wall_clocks(mornings, ZONE) == {"11:30"}

    back = await engine.request("PATCH", SETTINGS, json={"timezone": None}, key="write")
    assert (back.json["timezone"], back.json["effective_timezone"]) == (None, ZONE)
    assert wall_clocks(starts(await timeline(engine, hours=168), source), ZONE) == {"06:30"}
    changes = [e["data"]["timezone"] for e in await events(engine) if e["type"] == "schedule_settings.changed"]
    assert changes == ["America/New_York", None]


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "Europe", "europe/london", "", "Europe/" + "x" * 300, 1])
@pytest_twisted.ensureDeferred
async def test_an_unknown_zone_is_refused_naming_the_field_and_nothing_changes(engine, zone):
    before = await stored_state(engine)
    for method in ("PATCH", "PUT"):
        response = await engine.request(method, SETTINGS, json={"timezone": zone}, key="write")
        assert response.code == 422, response.text
        error = response.json["error"]
        assert response.json["status"] == "error" and "timezone" in error and "IANA time zone name" in error
    assert await stored_state(engine) == before
    assert await zone_of_timeline(engine) == ZONE


@pytest_twisted.ensureDeferred
async def test_a_read_key_cannot_choose_the_zone_and_a_write_key_can(engine):
    before = await stored_state(engine)
    refused = await engine.request("PATCH", SETTINGS, json={"timezone": "Asia/Tokyo"}, key="read")
    assert refused.code == 403
    assert await stored_state(engine) == before
    assert await zone_of_timeline(engine) == ZONE
    assert (await engine.request("PATCH", SETTINGS, json={"timezone": "Asia/Tokyo"}, key="write")).code == 200
    assert await zone_of_timeline(engine) == "Asia/Tokyo"


@pytest_twisted.ensureDeferred
async def test_the_chosen_zone_outlives_a_restart_on_the_same_database(tmp_path):
    first = await start_engine(tmp_path)
    try:
        assert (await first.request("PATCH", SETTINGS, json={"timezone": "Asia/Tokyo"}, key="write")).code == 200
    finally:
        await first.close()
    second = await start_engine(tmp_path)
    try:
        assert await zone_of_timeline(second) == "Asia/Tokyo"
        settings = (await second.request("GET", SETTINGS, key="read")).json
        assert (settings["timezone"], settings["effective_timezone"]) == ("Asia/Tokyo", "Asia/Tokyo")
        assert second.context.timezone == "Asia/Tokyo"
    finally:
        await second.close()


class UntilTimeline:
    """A timeline whose instruction holds until a known moment, so the sentence names a time."""

    def __init__(self, until: float) -> None:
        self.instruction = Instruction("heat", heat_setpoint=21.0, until=until)

    def current_instruction(self, now):
        return self.instruction

    def next_change(self, now):
        return None


class IgnoringCommander:
    def set_desired(self, function_states, reason):
        return succeed(None)


@pytest_twisted.ensureDeferred
async def test_the_decision_tells_its_times_in_the_chosen_zone(engine):
    until = datetime(2026, 9, 21, 22, 0, tzinfo=ZoneInfo(ZONE)).timestamp()
    loop = DecisionLoop(engine.context, UntilTimeline(until), IgnoringCommander(), PluginSettings(engine.store))
    await loop.evaluate()
    assert "until 22:00" in loop.latest["summary"]
    await engine.request("PATCH", SETTINGS, json={"timezone": "Asia/Tokyo"}, key="write")
    await loop.evaluate()
    assert "until 06:00" in loop.latest["summary"]
