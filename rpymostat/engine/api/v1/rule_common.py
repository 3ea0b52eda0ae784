"""What the schedule, override and timeline routes share: paging, refusals, schemas."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import combinations
from typing import Any, TypeVar

from rpymostat.engine.api.app import Call
from rpymostat.engine.api.errors import ApiError, unprocessable
from rpymostat.engine.api.requests import MAX_LIMIT, bool_param, int_param
from rpymostat.scheduling.errors import ScheduleValidationError
from rpymostat.scheduling.instruction import FAN_MODES, MODES
from rpymostat.scheduling.validation import MAX_NAME_LENGTH, SetpointLimits

Rule = TypeVar("Rule")


def refused(exc: ScheduleValidationError) -> ApiError:
    """A validation error as the 422 the API answers; its message and ``field`` name the field."""
    return unprocessable(exc.message, None if exc.field == "body" else exc.field)


def page(call: Call, rules: Sequence[Rule], rule_id: Callable[[Rule], str],
         to_dict: Callable[[Rule], dict[str, Any]]) -> list[Any]:
    """``limit``/``offset`` over the rules, as dicts (``full=false``: IDs only)."""
    full = bool_param(call.request, "full", True)
    limit = int_param(call.request, "limit", MAX_LIMIT, 1, MAX_LIMIT)
    offset = int_param(call.request, "offset", 0, 0, 10**9)
    chosen = rules[offset:offset + limit]
    return [to_dict(rule) if full else rule_id(rule) for rule in chosen]


LIMITS = SetpointLimits()
SETPOINT = {
    "type": ["number", "null"], "minimum": LIMITS.minimum, "maximum": LIMITS.maximum,
    "description": f"°C; required by the modes that use it (heat_setpoint in heat and auto, cool_setpoint in cool "
                   f"and auto); in auto mode cool_setpoint is at least {LIMITS.auto_min_gap:g} °C above heat_setpoint",
}
WEIGHTS = {
    "type": "object",
    "additionalProperties": {"type": "number", "exclusiveMinimum": 0},
    "description": "sensor ID to weight; the weighted average of these sensors counts. Every ID must be a sensor "
                   "the engine knows (422 otherwise)",
}
INSTRUCTION_PROPERTIES: dict[str, Any] = {
    "mode": {"enum": list(MODES)},
    "heat_setpoint": SETPOINT,
    "cool_setpoint": SETPOINT,
    "fan": {"enum": list(FAN_MODES)},
    "sensors": WEIGHTS,
    "tolerance": {"type": ["number", "null"], "minimum": 0, "maximum": LIMITS.max_tolerance,
                  "description": "hysteresis half-band in °C"},
    "preset": {"type": ["string", "null"],
               "description": "a preset's name (GET /v1/presets): its heat_setpoint and cool_setpoint apply, now and "
                              "whenever the preset is changed, in place of any given here (unknown name: 422)"},
}
INSTRUCTION_REQUIRED = ["mode", "heat_setpoint", "cool_setpoint", "fan", "sensors", "tolerance"]


def given(name: str) -> dict[str, Any]:
    """A body that carries ``name`` with a value other than null (null counts as leaving it out)."""
    return {"required": [name], "properties": {name: {"not": {"type": "null"}}}}


def at_most_one_of(*names: str) -> dict[str, Any]:
    return {"not": {"anyOf": [{"allOf": [given(a), given(b)]} for a, b in combinations(names, 2)]}}


def one_of_needed(*names: str) -> dict[str, Any]:
    return {"anyOf": [given(name) for name in names]}


# The setpoint each mode needs, as the server requires it, stated in the schema.
SETPOINTS_BY_MODE: list[dict[str, Any]] = [
    {"if": {"required": ["mode"], "properties": {"mode": {"enum": modes}}},
     "then": {"anyOf": [given(setpoint), given("preset")]}}
    for setpoint, modes in (("heat_setpoint", ["heat", "auto"]), ("cool_setpoint", ["cool", "auto"]))
]
NAME = {"type": "string", "maxLength": MAX_NAME_LENGTH}
IGNORED = {"description": "ignored in bodies, whatever its value, so an answer can be sent back as it is"}
READ_ONLY = {"id": IGNORED, "created_at": IGNORED}
LIST_PARAMS = ("limit", "offset", "full")
