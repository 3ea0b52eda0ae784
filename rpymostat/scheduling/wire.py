"""Rules and timeline segments as JSON-ready dicts, the shapes the API serves.

A rule's dict is accepted back by :mod:`rpymostat.scheduling.validation`
unchanged (``id`` and ``created_at`` are read-only there), so a client can
read, edit and put back.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import isodate

from rpymostat.common.timeutil import to_iso
from rpymostat.scheduling.instruction import Instruction
from rpymostat.scheduling.model import Adjustment, Override, Schedule
from rpymostat.scheduling.timeline import TimelineSegment
from rpymostat.scheduling.validation import NEXT_CHANGE


def instruction_to_dict(instruction: Instruction) -> dict[str, Any]:
    """The instruction fields a rule body carries, ``None`` where unset; ``preset`` only when it names one."""
    shown: dict[str, Any] = {
        "mode": instruction.mode,
        "heat_setpoint": instruction.heat_setpoint,
        "cool_setpoint": instruction.cool_setpoint,
        "fan": instruction.fan,
        "sensors": dict(instruction.sensors),
        "tolerance": instruction.tolerance,
    }
    if instruction.preset is not None:
        shown["preset"] = instruction.preset
    return shown


def schedule_to_dict(schedule: Schedule) -> dict[str, Any]:
    """A schedule as the API shows it."""
    body: dict[str, Any] = {
        "id": schedule.id,
        "name": schedule.name,
        "cron": schedule.cron,
        "enabled": schedule.enabled,
        "created_at": to_iso(schedule.created_at),
    }
    if schedule.end_cron is not None:
        body["end_cron"] = schedule.end_cron
    elif schedule.duration is not None:
        body["duration"] = isodate.duration_isoformat(timedelta(seconds=schedule.duration))
    body.update(instruction_to_dict(schedule.instruction))
    return body


def override_to_dict(override: Override) -> dict[str, Any]:
    """An override or adjustment as the API shows it; ``kind`` tells which."""
    body: dict[str, Any] = {
        "id": override.id,
        "name": override.name,
        "kind": "adjustment" if isinstance(override, Adjustment) else "override",
        "start": to_iso(override.start),
        "created_at": to_iso(override.created_at),
    }
    if override.end is None:
        body["until"] = NEXT_CHANGE
    else:
        body["end"] = to_iso(override.end)
    body.update(instruction_to_dict(override.instruction))
    return body


def segment_to_dict(segment: TimelineSegment) -> dict[str, Any]:
    """A timeline segment: its interval, the rule that produced it and its target."""
    body: dict[str, Any] = {
        "start": to_iso(segment.start),
        "end": to_iso(segment.end),
        "source": segment.instruction.source,
    }
    body.update(instruction_to_dict(segment.instruction))
    return body

