"""Presets: named pairs of targets (Home, Away, Sleep, Eco and the user's own) that rules can name.

A rule that names a preset takes its heat and cool setpoints from it each
time the rules are read, so changing a preset changes every rule that uses
it. The four built-in presets always exist (they can be changed, not
deleted). Pure data and validation; the engine keeps the presets in its
settings.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rpymostat.scheduling.errors import ScheduleValidationError

NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")
MAX_PRESETS = 32


@dataclass(frozen=True)
class Preset:
    """A preset's targets in °C: heating keeps above ``heat_setpoint``, cooling below ``cool_setpoint``."""

    heat_setpoint: float
    cool_setpoint: float


BUILT_IN: dict[str, Preset] = {
    "home": Preset(21.0, 24.0),
    "away": Preset(16.0, 28.0),
    "sleep": Preset(18.0, 26.0),
    "eco": Preset(19.0, 27.0),
}


def check_name(name: str) -> str:
    if not NAME_PATTERN.match(name):
        raise ScheduleValidationError("name", "a preset name is 1 to 32 lower-case letters, digits, '_' or '-', "
                                              "starting with a letter or digit")
    return name


def parse_preset(body: Any, minimum: float, maximum: float, min_gap: float) -> Preset:
    """A preset from a JSON body ``{"heat_setpoint": …, "cool_setpoint": …}``; a 422-worthy error names the field."""
    if not isinstance(body, Mapping):
        raise ScheduleValidationError("body", "a preset is a JSON object with heat_setpoint and cool_setpoint")
    unknown = sorted(set(body) - {"heat_setpoint", "cool_setpoint", "name", "built_in"})
    if unknown:
        raise ScheduleValidationError(unknown[0], f"unknown field(s): {', '.join(unknown)}")
    values = []
    for field in ("heat_setpoint", "cool_setpoint"):
        value = body.get(field)
        if isinstance(value, bool) or not isinstance(value, int | float) or not minimum <= value <= maximum:
            raise ScheduleValidationError(field, f"{field} must be a number from {minimum:g} to {maximum:g} °C")
        values.append(float(value))
    heat, cool = values
    if cool - heat < min_gap:
        raise ScheduleValidationError("cool_setpoint",
                                      f"cool_setpoint must be at least {min_gap:g} °C above heat_setpoint")
    return Preset(heat, cool)


def stored_presets(stored: Any) -> dict[str, Preset]:
    """The built-in presets with the saved ones over them (the stored form was checked when saved)."""
    presets = dict(BUILT_IN)
    if isinstance(stored, Mapping):
        for name, values in stored.items():
            presets[name] = Preset(float(values["heat_setpoint"]), float(values["cool_setpoint"]))
    return presets


def preset_json(name: str, preset: Preset) -> dict[str, Any]:
    return {"name": name, "heat_setpoint": preset.heat_setpoint, "cool_setpoint": preset.cool_setpoint,
            "built_in": name in BUILT_IN}
