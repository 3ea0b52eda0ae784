"""Rules for tests, built through the same validation the API uses."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from rpymostat.scheduling.instruction import Instruction
from rpymostat.scheduling.model import Override, Schedule
from rpymostat.scheduling.validation import (
    SetpointLimits,
    parse_override,
    parse_schedule,
)

SENSORS = frozenset({"living", "bedroom", "hall"})
LIMITS = SetpointLimits(minimum=5.0, maximum=35.0, auto_min_gap=2.0, max_tolerance=3.0)
DEFAULT = Instruction(mode="heat", heat_setpoint=16.0)


def at(zone: str, *fields: int, fold: int = 0) -> float:
    """Epoch seconds of a local wall-clock time in ``zone``."""
    return datetime(*fields, tzinfo=ZoneInfo(zone), fold=fold).timestamp()


def schedule(rule_id: str, created_at: float = 0.0, **fields: Any) -> Schedule:
    body = {"mode": "heat", "heat_setpoint": 20.0, **fields}
    return parse_schedule(body, rule_id=rule_id, created_at=created_at, known_sensors=SENSORS, limits=LIMITS)


def override(rule_id: str, now: float = 0.0, **fields: Any) -> Override:
    body = {"mode": "heat", "heat_setpoint": 20.0, **fields}
    return parse_override(body, rule_id=rule_id, now=now, known_sensors=SENSORS, limits=LIMITS)
