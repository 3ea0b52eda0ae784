"""Home Assistant's climate commands as instant adjustments.

A command ("heat_cool", "21.5" on the target topic...) becomes the body of
an instant adjustment, ``POST /v1/overrides`` with ``"start": "now"``, which
the bridge hands to the same :class:`~rpymostat.engine.schedules.book.RuleBook`
the API uses, so it is validated exactly as the API's (limits, gaps) and
announced the same way. The adjustment lasts until the next scheduled
change, as a wall thermostat's "hold" does, and replaces the one Home
Assistant made before while that is in force. The rest of the body comes from
the instruction in force, so changing the target keeps the mode and
changing the mode keeps the targets; like the web UI's adjustments, it
counts the default sensors with the plugin's default tolerance.
"""

from __future__ import annotations

import math
from typing import Any

from rpymostat.engine.schedules.book import RuleBook
from rpymostat.integrations.ha_discovery import RPYMOSTAT_MODES
from rpymostat.scheduling.instruction import Instruction
from rpymostat.scheduling.model import Override
from rpymostat.scheduling.validation import NEXT_CHANGE

ADJUSTMENT_NAME = "Adjusted from Home Assistant"
#: Targets a mode gets when the instruction in force has none (the web UI's starting values).
DEFAULT_HEAT = 20.0
DEFAULT_COOL = 24.0


class CommandRefused(ValueError):
    """A command that changes nothing; the message says why, for the log."""


def available_presets() -> list[str]:
    """The presets Home Assistant may choose from: none yet (presets are not built), so none are offered."""
    return []


def _temperature(payload: str) -> float:
    try:
        value = float(payload)
    except ValueError:
        raise CommandRefused(f"{payload!r} is not a temperature in °C") from None
    if not math.isfinite(value):
        raise CommandRefused(f"{payload!r} is not a temperature in °C")
    return value


def adjustment_for(command: str, payload: str, current: Instruction) -> dict[str, Any]:
    """The adjustment body for one command, given the instruction in force; raises :class:`CommandRefused`."""
    payload = payload.strip()
    mode: str = current.mode
    heat, cool = current.heat_setpoint, current.cool_setpoint
    if command == "mode":
        if payload not in RPYMOSTAT_MODES:
            raise CommandRefused(f"mode {payload!r} is not one of {', '.join(RPYMOSTAT_MODES)}")
        mode = RPYMOSTAT_MODES[payload]
    elif command == "preset":
        presets = available_presets()
        raise CommandRefused(f"preset {payload!r} is not one of {', '.join(presets)}" if presets
                             else f"preset {payload!r}: this engine has no presets")
    elif command == "target":
        value = _temperature(payload)
        if mode == "heat":
            heat = value
        elif mode == "cool":
            cool = value
        else:
            raise CommandRefused(f"a single target means nothing in mode {mode}; "
                                 "set the low and high targets, or choose heat or cool")
    elif command in ("target_low", "target_high"):
        if mode == "off":
            raise CommandRefused("the system is off; choose a mode before a target")
        if command == "target_low":
            heat = _temperature(payload)
        else:
            cool = _temperature(payload)
    else:
        raise CommandRefused(f"{command!r} is not a command")
    body: dict[str, Any] = {"start": "now", "until": NEXT_CHANGE, "name": ADJUSTMENT_NAME, "mode": mode}
    if mode in ("heat", "auto"):
        body["heat_setpoint"] = heat if heat is not None else DEFAULT_HEAT
    if mode in ("cool", "auto"):
        body["cool_setpoint"] = cool if cool is not None else max(DEFAULT_COOL, body.get("heat_setpoint", 0) + 1.0)
    return body


async def write_adjustment(book: RuleBook, body: dict[str, Any], current: Instruction) -> Override:
    """Store the adjustment: replace Home Assistant's own while it is in force, else add one.

    A user nudging the target up five times in Home Assistant means one
    adjustment, not five piling up towards the limit on overrides.
    """
    kind, _, rule_id = current.source.partition(":")
    if kind == "adjustment":
        own = [rule for rule in await book.active_overrides() if rule.id == rule_id and rule.name == ADJUSTMENT_NAME]
        if own:
            replaced = await book.replace_override(rule_id, body)
            if replaced is not None:
                return replaced
    return await book.create_override(body)
