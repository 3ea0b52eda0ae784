"""The rollup levels: fixed bucket sizes, configurable retention.

The bucket sizes are part of the stored data (changing them would orphan
every stored bucket), so they are constants; how long each level is kept is
configuration. Level ``0`` stands for the raw readings.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rpymostat.config import EngineConfig

RAW = 0
ROLLUP_STEPS: tuple[int, ...] = (300, 3600, 86400)
DAY = 86400.0
LEVEL_NAMES = {RAW: "raw", 300: "5m", 3600: "1h", 86400: "1d"}


def bucket_start(at: float, step: int) -> int:
    """The start of the ``step``-second bucket holding ``at`` (epoch seconds after 1970).

    Written as truncation of one double division, exactly what SQLite's
    ``CAST(at / step AS INTEGER) * step`` computes, so Python and SQL agree
    on every boundary.
    """
    return int(at / step) * step


@dataclass(frozen=True)
class Level:
    """One source of history: the raw readings (step 0) or a rollup level."""

    step: int
    retention: float | None

    @property
    def name(self) -> str:
        return LEVEL_NAMES.get(self.step, f"{self.step}s")

    def covers(self, start: float, now: float) -> bool:
        """Whether data from ``start`` on is still kept at this level."""
        return self.retention is None or start >= now - self.retention


def retention_seconds(days: int) -> float | None:
    """Days from the configuration as seconds; 0 means keep forever."""
    return None if days == 0 else days * DAY


def history_levels(raw_days: int, five_minute_days: int, hourly_days: int, daily_days: int) -> tuple[Level, ...]:
    """Raw readings then each rollup level, finest first, with their retention."""
    days = (five_minute_days, hourly_days, daily_days)
    return (Level(RAW, retention_seconds(raw_days)),
            *(Level(step, retention_seconds(d)) for step, d in zip(ROLLUP_STEPS, days, strict=True)))


def configured_levels(config: EngineConfig) -> tuple[Level, ...]:
    """The levels with the retention the engine is configured with."""
    return history_levels(config.raw_retention_days, config.rollup_5m_retention_days,
                          config.rollup_1h_retention_days, config.rollup_1d_retention_days)
