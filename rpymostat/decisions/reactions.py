"""Reactions to what happens in the home, as pure functions of events, settings and now.

The built-in presence reaction: when every person the events tell of is
away, the targets of the preset ``away`` (or the one chosen) apply in place
of the rule's; as soon as someone is home again the rules apply as written.

The built-in window reaction: while a window in a room that counts for the
temperature has been open for longer than a delay, heating and cooling
pause (the fan and frost protection still work); they resume when the
window closes, or after a maximum pause even if it stays open, so a
forgotten window cannot leave the house cold for days. The engine folds the
device events into the open windows and passes them in; nothing here reads
a clock or a store.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from rpymostat.decisions.durations import local_clock
from rpymostat.decisions.step import StepResult
from rpymostat.scheduling.instruction import Instruction

WINDOW_DEVICES = frozenset({"window"})
PRESENCE_ACTIONS = frozenset({"presence"})
HOME_VALUES = frozenset({"home", "arrived", "present", "on", "true", "1"})
AWAY_VALUES = frozenset({"away", "left", "not_home", "off", "false", "0"})
LABELS = {"window": "paused", "presence": "away"}
OPEN_VALUES = frozenset({"open", "opened", "on", "true", "1"})
CLOSED_VALUES = frozenset({"closed", "close", "shut", "off", "false", "0"})


@dataclass(frozen=True)
class WindowSettings:
    """The window reaction's switch and times (seconds), and its detection from the temperature's slope.

    ``slope_threshold`` is the fall in °C per hour, while heating, that
    counts as an open window without a contact; ``slope_window`` the seconds
    of reports the slope is fitted over (see
    :mod:`rpymostat.decisions.window_slope`).
    """

    enabled: bool = False
    delay: float = 60.0
    max_pause: float = 3600.0
    slope_detection: bool = True
    slope_threshold: float = 3.0
    slope_window: float = 300.0


@dataclass(frozen=True)
class PresenceSettings:
    """The presence reaction's switch and the preset it applies while everyone is away."""

    enabled: bool = False
    preset: str = "away"


@dataclass(frozen=True)
class Person:
    """What the last presence event of one person (its ``device``) said, and since when."""

    name: str
    home: bool
    since: float


@dataclass(frozen=True)
class OpenWindow:
    """A window that was last reported open, and since when."""

    location: str
    since: float
    source: str = "contact"


@dataclass(frozen=True)
class Pause:
    """Heating and cooling held off by a reaction, with the sentence that says why."""

    reaction: str
    reason: str
    since: float
    until: float | None

    @property
    def label(self) -> str:
        """The word the decision's reason starts with: "paused" for a window, "away" for presence."""
        return LABELS.get(self.reaction, "reaction")


def window_state(event: Mapping[str, Any]) -> bool | None:
    """True when a device event says a window opened, False when it closed, None when it is about something else."""
    if str(event.get("device", "")).casefold() not in WINDOW_DEVICES:
        return None
    text = str(event.get("value")).casefold()
    if text in OPEN_VALUES:
        return True
    if text in CLOSED_VALUES:
        return False
    return None


def presence_state(event: Mapping[str, Any]) -> bool | None:
    """True when a device event says someone is home, False away, None when it is about something else."""
    if str(event.get("action", "")).casefold() not in PRESENCE_ACTIONS:
        return None
    text = str(event.get("value")).casefold()
    return True if text in HOME_VALUES else False if text in AWAY_VALUES else None


def track_people(people: Mapping[str, Person], event: Mapping[str, Any], at: float) -> dict[str, Person]:
    """The people after one event (keyed by ``device``, ignoring case); a repeated state keeps its time."""
    state = presence_state(event)
    updated = dict(people)
    if state is None:
        return updated
    name = str(event.get("device", ""))
    known = updated.get(name.casefold())
    if known is None or known.home != state:
        updated[name.casefold()] = Person(name, state, at)
    return updated


def presence_away(people: Collection[Person], settings: PresenceSettings, zone: str = "UTC") -> Pause | None:
    """The away state when the reaction is on and every person known is away (since the last one left)."""
    if not settings.enabled or not people or any(p.home for p in people):
        return None
    since = max(p.since for p in people)
    return Pause("presence", f"everyone away since {local_clock(since, zone)}, preset {settings.preset}", since,
                 None)


def away_instruction(instruction: Instruction, preset_name: str, heat: float, cool: float) -> Instruction:
    """The instruction with a preset's targets in place of its own (off stays off)."""
    if instruction.mode == "off":
        return instruction
    return replace(instruction, heat_setpoint=heat, cool_setpoint=cool, preset=preset_name)


def track_windows(windows: Mapping[str, OpenWindow], event: Mapping[str, Any], at: float) -> dict[str, OpenWindow]:
    """The open windows after one event (keyed by location, ignoring case); an already open one keeps its time."""
    state = window_state(event)
    updated = dict(windows)
    if state is None:
        return updated
    location = str(event.get("location", ""))
    key = location.casefold()
    if state and key not in updated:
        updated[key] = OpenWindow(location, at, str(event.get("action", "contact")))
    elif not state:
        updated.pop(key, None)
    return updated


def window_pause(windows: Collection[OpenWindow], counted_rooms: Collection[str], settings: WindowSettings,
                 now: float, zone: str = "UTC") -> Pause | None:
    """The pause the open windows call for now, or None.

    A window counts when its location is the room of a sensor that counts
    (ignoring case); when no counted sensor names a room, every window does.
    The earliest-opened counting window that is past the delay and within
    its maximum pause is the one named.
    """
    if not settings.enabled:
        return None
    rooms = {room.casefold() for room in counted_rooms}
    candidates = sorted((w for w in windows if not rooms or w.location.casefold() in rooms), key=lambda w: w.since)
    for window in candidates:
        start, end = window.since + settings.delay, window.since + settings.delay + settings.max_pause
        if start <= now < end:
            return Pause("window", f"{window.location} window open since {local_clock(window.since, zone)}",
                         window.since, end)
    return None


def paused_instruction(instruction: Instruction, pause: Pause | None) -> Instruction:
    """The instruction with heating and cooling off while paused (the fan setting stays)."""
    if pause is None or instruction.mode == "off":
        return instruction
    return replace(instruction, mode="off")


def explain(result: StepResult, in_force: Sequence[Pause]) -> StepResult:
    """The step's decision with the reactions in force named first in its reason."""
    if not in_force:
        return result
    return replace(result, decision=replace(result.decision, reason=f"{named(in_force)}; {result.decision.reason}"))


def named(in_force: Sequence[Pause]) -> str:
    """The reactions in force as the decision's reason and summary start: ``"paused: …; away: …"``."""
    return "; ".join(f"{p.label}: {p.reason}" for p in in_force)
