"""The engine's side of the reactions: their saved switches, and the state the events build.

The decisions themselves stay pure (:mod:`rpymostat.decisions.reactions`,
:mod:`rpymostat.decisions.event_rules`, :mod:`rpymostat.decisions.window_slope`);
this keeps what they are computed from: the built-in reactions' settings
(saved in the store, changed through ``/v1/reactions``), the user's rules
(``/v1/reactions/rules``), and what the device events built — open windows,
who is home, which rules are in force. That state is rebuilt from the stored
events on start, so a restart forgets none of it, and follows the bus after.
It also raises the window events that the temperature's slope tells of.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import asdict, replace
from typing import Any

from rpymostat.common.timeutil import from_iso
from rpymostat.decisions.event_rules import Activation, EventRule, apply_rule, describe, follow
from rpymostat.decisions.event_rules import in_force as rules_in_force
from rpymostat.decisions.reactions import (
    OpenWindow,
    Pause,
    Person,
    PresenceSettings,
    WindowSettings,
    away_instruction,
    paused_instruction,
    presence_away,
    track_people,
    track_windows,
    window_pause,
)
from rpymostat.decisions.weighting import SensorReading
from rpymostat.decisions.window_slope import SlopeSettings, slope_verdict
from rpymostat.engine.context import EngineContext
from rpymostat.engine.device_events import BUS_TYPE, DEVICE_EVENTS_STREAM, EventInput, EventLog
from rpymostat.engine.events import Event
from rpymostat.scheduling.instruction import Instruction
from rpymostat.scheduling.presets import BUILT_IN, Preset

SETTING = "reactions"
RULES = "reaction_rules"
#: How many of the newest stored events are replayed on start to find the windows still open.
REPLAYED_ON_START = 1000


def rule_from_document(rule_id: str, data: Mapping[str, Any]) -> EventRule:
    """A stored rule (checked when it was saved) as the pure functions take it."""
    return EventRule(rule_id, data["name"], dict(data["when"]), data["action"], data["enabled"], data.get("preset"),
                     data.get("step"), data.get("duration"),
                     None if data.get("resume_when") is None else dict(data["resume_when"]),
                     data.get("max_pause") or 3600.0)


class Reactions:
    """Holds the reactions' settings, the open windows and who is home; answers what is in force.

    ``presets`` gives the presets as they are now (the timeline's), for the
    presence reaction's preset.
    """

    def __init__(self, context: EngineContext,
                 presets: Callable[[], Mapping[str, Preset]] = lambda: BUILT_IN) -> None:
        self.context = context
        self.presets = presets
        self.log = EventLog(context)
        self.slope_open: dict[str, str] = {}
        self.window = WindowSettings()
        self.presence = PresenceSettings()
        self.windows: dict[str, OpenWindow] = {}
        self.people: dict[str, Person] = {}
        self.rules: list[EventRule] = []
        self.activations: dict[str, Activation] = {}
        self._unsubscribe: Callable[[], None] | None = None
        self._loaded = False

    async def load(self) -> None:
        """Read the saved settings and replay the recent events; safe to call more than once."""
        if self._loaded:
            return
        saved = await self.context.store.get_setting(SETTING) or {}
        self.window = replace(WindowSettings(), **saved.get("window", {}))
        self.presence = replace(PresenceSettings(), **saved.get("presence", {}))
        self.rules = await self._stored_rules()
        entries = await self.context.store.list_log(DEVICE_EVENTS_STREAM, REPLAYED_ON_START, newest_first=False)
        for entry in entries:
            self._follow(entry.data, entry.at)
        self._loaded = True

    def start(self) -> None:
        self._unsubscribe = self.context.events.subscribe(self._on_event)

    def stop(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    def _on_event(self, event: Event) -> None:
        if event.type == BUS_TYPE:
            self._follow(event.data, from_iso(event.data["at"]))

    def _follow(self, event: Mapping[str, Any], at: float) -> None:
        self.windows = track_windows(self.windows, event, at)
        self.people = track_people(self.people, event, at)
        self.activations = follow(self.activations, self.rules, event, at)

    async def _stored_rules(self) -> list[EventRule]:
        return [rule_from_document(rule_id, data)
                for rule_id, data in await self.context.store.list_documents(RULES)]

    async def rules_changed(self) -> None:
        """Read the user's rules again after a change through the API; a deleted one stops at once."""
        await self.load()
        self.rules = await self._stored_rules()
        known = {rule.rule_id for rule in self.rules}
        self.activations = {k: v for k, v in self.activations.items() if k in known}

    def pause(self, now: float, counted_rooms: Collection[str]) -> Pause | None:
        """The window pause in force now for a decision counting sensors in these rooms."""
        return window_pause(list(self.windows.values()), counted_rooms, self.window, now, self.context.timezone)

    async def watch_slopes(self, history: Mapping[str, Sequence[SensorReading]], heating_since: float | None,
                           now: float, rooms: Mapping[str, str | None]) -> None:
        """Post a window event when a counted sensor's temperature says a window opened (or closed again).

        Only while the window reaction and its slope detection are on; the
        event (``window``, the sensor's room or else its ID,
        ``temperature_drop``, ``open``/``closed``) is kept and told like any
        other, so the reaction handles it with its delay and maximum.
        """
        window = self.window
        settings = SlopeSettings(window.enabled and window.slope_detection, window.slope_threshold,
                                 window.slope_window)
        for sensor_id, reports in history.items():
            location = self.slope_open.get(sensor_id) or rooms.get(sensor_id) or sensor_id
            verdict = slope_verdict(reports, heating_since, sensor_id in self.slope_open, now, settings)
            if verdict is None:
                continue
            if verdict:
                self.slope_open[sensor_id] = location
            else:
                del self.slope_open[sensor_id]
            event = EventInput("window", location, "temperature_drop", "open" if verdict else "closed",
                               {"sensor_id": sensor_id}, now)
            await self.log.record(event, "engine")

    def in_force(self, now: float, counted_rooms: Collection[str], next_change: float | None = None) -> list[Pause]:
        """Every reaction in force now: presence first (it sets the targets), the user's rules, a window pause.

        ``next_change`` is when the instruction in force ends: a rule that
        lasts "until the next scheduled change" ends then.
        """
        self.activations = rules_in_force(self.activations, self.rules, now, next_change)
        by_id = {rule.rule_id: rule for rule in self.rules}
        found = [presence_away(list(self.people.values()), self.presence, self.context.timezone),
                 *[Pause(f"rule:{a.rule_id}", describe(by_id[a.rule_id], a), a.since, a.until)
                   for a in self.activations.values()],
                 self.pause(now, counted_rooms)]
        return [p for p in found if p is not None]

    def applied(self, instruction: Instruction, in_force: list[Pause]) -> Instruction:
        """The instruction as the reactions in force change it."""
        presets = self.presets()
        rules = {f"rule:{rule.rule_id}": rule for rule in self.rules}
        for reaction in in_force:
            if reaction.reaction.startswith("rule:"):
                rule = rules.get(reaction.reaction)
                if rule is not None:
                    instruction = apply_rule(instruction, rule, presets)
            elif reaction.reaction == "presence":
                preset = presets.get(self.presence.preset)
                if preset is not None:
                    instruction = away_instruction(instruction, self.presence.preset, preset.heat_setpoint,
                                                   preset.cool_setpoint)
            else:
                instruction = paused_instruction(instruction, reaction)
        return instruction

    async def change_window(self, changes: dict[str, Any]) -> WindowSettings:
        """Apply validated changes to the window reaction and save them."""
        await self.load()
        self.window = replace(self.window, **changes)
        await self._save()
        return self.window

    async def change_presence(self, changes: dict[str, Any]) -> PresenceSettings:
        """Apply validated changes to the presence reaction and save them."""
        await self.load()
        self.presence = replace(self.presence, **changes)
        await self._save()
        return self.presence

    async def _save(self) -> None:
        await self.context.store.put_setting(SETTING, {"window": asdict(self.window),
                                                       "presence": asdict(self.presence)})
