"""The window and presence reactions as pure functions: when they hold, whom they concern, what they change."""

from __future__ import annotations

import pytest

from rpymostat.decisions.reactions import (
    OpenWindow,
    PresenceSettings,
    WindowSettings,
    away_instruction,
    paused_instruction,
    presence_away,
    track_people,
    track_windows,
    window_pause,
    window_state,
)
from rpymostat.scheduling.instruction import Instruction

OPENED = 1_790_000_000.0  # 2026-09-21 14:13:20 UTC
ON = WindowSettings(enabled=True, delay=60.0, max_pause=3600.0)
BEDROOM = OpenWindow("Bedroom", OPENED)


@pytest.mark.parametrize(("settings", "rooms", "seconds_open", "paused"), [
    (ON, {"bedroom"}, 30.0, False),  # not yet past the delay
    (ON, {"bedroom"}, 60.0, True),
    (ON, {"Bedroom", "kitchen"}, 1800.0, True),
    (ON, {"bedroom"}, 3660.0, False),  # the maximum pause is over: resume though still open
    (ON, {"kitchen"}, 600.0, False),  # a room that does not count
    (ON, set(), 600.0, True),  # no counted sensor names a room: every window counts
    (WindowSettings(enabled=False), {"bedroom"}, 600.0, False),
])
def test_a_window_pauses_only_in_a_counted_room_between_the_delay_and_the_maximum(settings, rooms, seconds_open,
                                                                                  paused):
    pause = window_pause([BEDROOM], rooms, settings, OPENED + seconds_open)
    assert (pause is not None) == paused


def test_the_pause_says_which_window_and_since_when_in_the_home_zone():
    pause = window_pause([BEDROOM], {"bedroom"}, ON, OPENED + 120, zone="Europe/London")
    assert pause is not None
    assert pause.reason == "Bedroom window open since 15:13"
    assert pause.until == OPENED + 60 + 3600


def test_events_open_and_close_windows_by_location_ignoring_case():
    windows = track_windows({}, {"device": "Window", "location": "Bedroom", "action": "contact", "value": "open"},
                            OPENED)
    again = track_windows(windows, {"device": "window", "location": "bedroom", "action": "contact", "value": "open"},
                          OPENED + 100)
    assert again["bedroom"].since == OPENED
    other = track_windows(again, {"device": "light", "location": "bedroom", "action": "toggled", "value": "off"},
                          OPENED + 200)
    assert other == again
    closed = track_windows(other, {"device": "window", "location": "BEDROOM", "action": "contact",
                                   "value": "closed"}, OPENED + 300)
    assert closed == {}


@pytest.mark.parametrize(("value", "state"), [("open", True), (True, True), ("Closed", False), (False, False),
                                              ("ajar", None)])
def test_the_window_values_understood(value, state):
    assert window_state({"device": "window", "value": value}) is state


def test_a_paused_instruction_turns_heating_and_cooling_off_and_keeps_the_fan():
    instruction = Instruction("auto", heat_setpoint=20.0, cool_setpoint=25.0, fan="on", source="schedule:s")
    paused = paused_instruction(instruction, window_pause([BEDROOM], (), ON, OPENED + 120))
    assert (paused.mode, paused.fan, paused.source) == ("off", "on", "schedule:s")
    assert paused_instruction(instruction, None) == instruction


def test_presence_is_away_only_when_everyone_known_is_away():
    on = PresenceSettings(enabled=True)
    people = track_people({}, {"device": "alice", "action": "presence", "value": "away"}, OPENED)
    people = track_people(people, {"device": "bob", "action": "presence", "value": "home"}, OPENED + 10)
    assert presence_away(list(people.values()), on) is None
    people = track_people(people, {"device": "Bob", "action": "Presence", "value": "left"}, OPENED + 600)
    away = presence_away(list(people.values()), on, zone="Europe/London")
    assert away is not None and away.reason == "everyone away since 15:23, preset away"
    assert presence_away(list(people.values()), PresenceSettings()) is None
    assert presence_away([], on) is None


def test_the_away_preset_replaces_the_targets_but_off_stays_off():
    heating = Instruction("heat", heat_setpoint=21.0, source="schedule:s")
    away = away_instruction(heating, "away", 16.0, 28.0)
    assert (away.mode, away.heat_setpoint, away.preset, away.source) == ("heat", 16.0, "away", "schedule:s")
    assert away_instruction(Instruction("off"), "away", 16.0, 28.0) == Instruction("off")
