"""``/v1/presets``: named targets (home, away, sleep, eco and the user's own) that rules can name.

A preset is saved with the engine's settings; saving or deleting one reloads
the rules, so every rule naming it takes its new targets at once and the
timeline is resolved again, and announces ``preset.changed``: the decision
loop decides again without waiting for its next turn, and an open Schedule
screen shows the new temperatures.
"""

from __future__ import annotations

from typing import Any

from rpymostat.engine.api.app import Call, Reply
from rpymostat.engine.api.errors import ApiError, not_found
from rpymostat.engine.api.routing import route
from rpymostat.engine.api.v1.openapi import operation, path_param, ref, response
from rpymostat.engine.api.v1.rule_common import LIMITS, refused
from rpymostat.engine.events import EventBus
from rpymostat.engine.schedules.cache import TimelineCache
from rpymostat.engine.schedules.events import PRESET_CHANGED, announce_change
from rpymostat.engine.schedules.ruleset import PRESETS_SETTING
from rpymostat.scheduling.errors import ScheduleValidationError
from rpymostat.scheduling.presets import (
    BUILT_IN,
    MAX_PRESETS,
    NAME_PATTERN,
    Preset,
    check_name,
    parse_preset,
    preset_json,
)


class PresetsAPI:
    def __init__(self, timeline: TimelineCache, events: EventBus) -> None:
        self.timeline = timeline
        self.events = events

    async def _presets(self) -> dict[str, Preset]:
        await self.timeline.ready()
        return dict(self.timeline.rules.presets)

    def _users(self, name: str) -> list[str]:
        """The rules that name this preset, as ``schedule:<id>`` and ``override:<id>``."""
        rules = self.timeline.rules
        return ([f"schedule:{rule.id}" for rule in rules.schedules if rule.instruction.preset == name]
                + [f"override:{rule.id}" for rule in rules.overrides if rule.instruction.preset == name]
                + (["default_instruction"] if rules.settings.default_instruction.preset == name else []))

    async def _save(self, presets: dict[str, Preset]) -> None:
        await self.timeline.store.put_setting(PRESETS_SETTING, {
            name: {"heat_setpoint": p.heat_setpoint, "cool_setpoint": p.cool_setpoint}
            for name, p in presets.items()})
        await self.timeline.reload("change")

    def _shown(self, name: str, preset: Preset) -> dict[str, Any]:
        return {**preset_json(name, preset), "used_by": self._users(name)}

    @route("/v1/presets")
    async def list(self, call: Call) -> dict[str, Any]:
        presets = await self._presets()
        order = [*BUILT_IN, *sorted(set(presets) - set(BUILT_IN))]
        return {"presets": [self._shown(name, presets[name]) for name in order]}

    @route("/v1/presets/<name>")
    async def get(self, call: Call) -> dict[str, Any]:
        name = call.params["name"]
        presets = await self._presets()
        if name not in presets:
            raise not_found(f"no preset named {name!r}")
        return self._shown(name, presets[name])

    @route("/v1/presets/<name>", methods=["PUT"], role="write")
    async def put(self, call: Call) -> Reply:
        name = call.params["name"]
        body = call.json_object()
        limits = self.timeline.limits
        try:
            check_name(name)
            preset = parse_preset(body, limits.minimum, limits.maximum, limits.auto_min_gap)
        except ScheduleValidationError as exc:
            raise refused(exc) from None
        presets = await self._presets()
        created = name not in presets
        if created and len(presets) >= MAX_PRESETS:
            raise ApiError(409, f"there are already {MAX_PRESETS} presets; delete one first")
        presets[name] = preset
        await self._save(presets)
        shown = self._shown(name, preset)
        await announce_change(self.events, PRESET_CHANGED, "created" if created else "replaced", name, shown)
        return Reply(shown, 201 if created else 200)

    @route("/v1/presets/<name>", methods=["DELETE"], role="write")
    async def delete(self, call: Call) -> dict[str, Any]:
        name = call.params["name"]
        presets = await self._presets()
        if name not in presets:
            raise not_found(f"no preset named {name!r}")
        if name in BUILT_IN:
            raise ApiError(409, f"{name} is a built-in preset: it can be changed, not deleted")
        users = self._users(name)
        if users:
            raise ApiError(409, f"preset {name} is used by {', '.join(users)}; change those rules first")
        shown = self._shown(name, presets.pop(name))
        await self._save(presets)
        await announce_change(self.events, PRESET_CHANGED, "deleted", name, shown)
        return shown


def openapi_fragment() -> dict[str, Any]:
    name = path_param("name")
    new_name = {**name, "schema": {"type": "string", "pattern": NAME_PATTERN.pattern}}
    setpoint = {"type": "number", "minimum": LIMITS.minimum, "maximum": LIMITS.maximum}
    return {
        "paths": {
            "/v1/presets": {"get": operation("Every preset: home, away, sleep, eco, then the user's own by name",
                                             "read", {"200": response("the presets", "PresetList")})},
            "/v1/presets/{name}": {
                "get": operation("One preset, and the rules that name it", "read",
                                 {"200": response("the preset", "Preset")}, params=[name]),
                "put": operation(
                    "Create or change a preset (name: 1 to 32 of a-z, 0-9, _ and -); every rule naming it follows",
                    "write", {"200": response("the preset, changed", "Preset"),
                              "201": response("the preset, created", "Preset")},
                    body="PresetIn", params=[new_name]),
                "delete": operation(
                    "Delete a preset of the user's own (409 for a built-in one or one a rule names)", "write",
                    {"200": response("the deleted preset", "Preset"),
                     "409": response("a built-in preset, or one a rule still names")}, params=[name]),
            },
        },
        "schemas": {
            "PresetIn": {
                "type": "object", "required": ["heat_setpoint", "cool_setpoint"],
                "properties": {
                    "heat_setpoint": setpoint,
                    "cool_setpoint": {**setpoint, "description": f"at least {LIMITS.auto_min_gap:g} °C above "
                                                                 "heat_setpoint"},
                    "name": {"description": "ignored in bodies, so an answer can be sent back as it is"},
                    "built_in": {"description": "ignored in bodies"},
                },
                "additionalProperties": False,
            },
            "Preset": {
                "type": "object", "required": ["name", "heat_setpoint", "cool_setpoint", "built_in", "used_by"],
                "properties": {
                    "name": {"type": "string"}, "heat_setpoint": {"type": "number"},
                    "cool_setpoint": {"type": "number"}, "built_in": {"type": "boolean"},
                    "used_by": {"type": "array", "items": {"type": "string"},
                                "description": "schedule:<id>, override:<id> or default_instruction"},
                },
            },
            "PresetList": {"type": "object", "required": ["presets"],
                           "properties": {"presets": {"type": "array", "items": ref("Preset")}}},
        },
    }
