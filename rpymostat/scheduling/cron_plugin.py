"""The built-in schedule plugin: cron schedules, overrides and adjustments.

It is registered under ``rpymostat.schedulers`` like any third-party plugin,
so the API lists it beside them and the active scheduler is a setting.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rpymostat.scheduling.instruction import Instruction
from rpymostat.scheduling.model import Adjustment, Override, Schedule
from rpymostat.scheduling.timeline import TimelineSegment, resolve


class CronScheduler:
    name = "cron"
    description = (
        "Recurring schedules as cron expressions in local time, one-time overrides and instant adjustments; "
        "the most specific rule wins (adjustment > override > schedule, then the narrower, then the newest)."
    )
    options_schema: Mapping[str, Any] = {"type": "object", "properties": {}, "additionalProperties": False}

    def resolve(
        self,
        schedules: Sequence[Schedule],
        overrides: Sequence[Override],
        adjustments: Sequence[Adjustment],
        default: Instruction,
        start: float,
        end: float,
        tz: str,
        paused: bool = False,
        options: Mapping[str, Any] | None = None,
    ) -> list[TimelineSegment]:
        return resolve(schedules, overrides, adjustments, default, start, end, tz, paused=paused)


cron = CronScheduler()
