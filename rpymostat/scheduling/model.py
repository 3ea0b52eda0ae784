"""The rules a user writes: recurring schedules, overrides, instant adjustments.

They are plain frozen data, built only by :mod:`rpymostat.scheduling.validation`,
so resolution can trust every field. Times are epoch seconds (UTC); the
instruction's ``source`` and ``until`` are filled in by resolution.
"""

from __future__ import annotations

from dataclasses import dataclass

from rpymostat.scheduling.instruction import Instruction


@dataclass(frozen=True)
class Schedule:
    """A recurring rule: it starts at each match of ``cron`` (local time).

    Each occurrence lasts ``duration`` seconds of real elapsed time, or, when
    ``end_cron`` is set instead, until the next match of ``end_cron`` after it
    starts.
    """

    id: str
    name: str
    cron: str
    instruction: Instruction
    created_at: float
    duration: float | None = None
    end_cron: str | None = None
    enabled: bool = True


@dataclass(frozen=True)
class Override:
    """A one-time rule from ``start`` to ``end``.

    ``end`` is ``None`` for "until the next change of the schedule-resolved
    timeline after ``start``", which resolution works out.
    """

    id: str
    name: str
    start: float
    end: float | None
    instruction: Instruction
    created_at: float

    @property
    def until_next_change(self) -> bool:
        """Whether the end is the next scheduled change rather than a time."""
        return self.end is None


@dataclass(frozen=True)
class Adjustment(Override):
    """An instant adjustment ("22 °C now"): an override that started when made.

    It is its own type because it outranks every other override.
    """
