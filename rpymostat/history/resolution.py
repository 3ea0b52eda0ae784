"""Which level a history query reads, and at which resolution.

A chart asks for a range and either a resolution or a number of points; it
gets buckets of a "nice" size read from the coarsest level that still
divides that size (so no stored bucket straddles two answered ones), and
from the raw readings only when no rollup is fine enough.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from rpymostat.history.levels import RAW, Level

NICE_STEPS: tuple[int, ...] = (
    1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400,
    2 * 86400, 7 * 86400, 14 * 86400, 28 * 86400,
)
DEFAULT_POINTS = 500
MAX_POINTS = 10000


@dataclass(frozen=True)
class Plan:
    """What a query reads (``level``) and the size of the buckets it answers with."""

    level: Level
    resolution: int


def auto_resolution(start: float, end: float, points: int) -> int:
    """The smallest nice bucket size giving at most ``points`` buckets over the range."""
    wanted = (end - start) / points
    for step in NICE_STEPS:
        if step >= wanted:
            return step
    return math.ceil(wanted / NICE_STEPS[-1]) * NICE_STEPS[-1]


def choose_level(levels: Sequence[Level], start: float, resolution: int, now: float) -> Plan:
    """The coarsest kept level whose buckets divide ``resolution``.

    Raw readings serve resolutions no rollup divides, while they are kept.
    When nothing that fine is kept any more, the finest kept rollup answers
    and the resolution grows to a multiple of its step (the plan says so).
    """
    kept = [level for level in levels if level.covers(start, now)]
    rollups = [level for level in kept if level.step != RAW]
    dividing = _coarsest_dividing(rollups, resolution)
    if dividing is not None:
        return Plan(dividing, resolution)
    if any(level.step == RAW for level in kept):
        return Plan(next(level for level in kept if level.step == RAW), resolution)
    if not rollups:
        rollups = [max(levels, key=lambda level: level.step)]
        if rollups[0].step == RAW:
            return Plan(rollups[0], resolution)
    finest = min(rollups, key=lambda level: level.step)
    widened = math.ceil(resolution / finest.step) * finest.step
    return Plan(_coarsest_dividing(rollups, widened) or finest, widened)


def _coarsest_dividing(rollups: Sequence[Level], resolution: int) -> Level | None:
    dividing = [level for level in rollups if level.step <= resolution and resolution % level.step == 0]
    return max(dividing, key=lambda level: level.step) if dividing else None
