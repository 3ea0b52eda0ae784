"""The built-in weather plugin: tomorrow looks like the last few days, starting from now.

It needs nothing but the outdoor sensor. The same time of day over the last
few days gives the shape of the day ahead; that shape is shifted to start
at the latest reading (today may be colder than the last days), and the
shift fades over a few hours, since a cold morning says little about the
evening. With less than a day of history there is no shape to copy, so the
latest reading is held flat.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Mapping, Sequence
from typing import Any

from rpymostat.decisions.plugin import options_with_defaults
from rpymostat.decisions.weighting import SensorReading
from rpymostat.weather.forecast import OutdoorForecast

DAY = 86400.0
HOUR = 3600.0


def usable(history: Sequence[SensorReading], now: float) -> list[tuple[float, float]]:
    """The readings with a finite value taken by ``now``, as sorted (time, value) pairs."""
    return sorted((r.at, r.value) for r in history
                  if r.value is not None and math.isfinite(r.value) and math.isfinite(r.at) and r.at <= now)


def interpolate(series: Sequence[tuple[float, float]], times: Sequence[float], when: float) -> float:
    """The value of a sorted series at a moment inside it, linear between readings."""
    index = bisect_left(times, when)
    t1, v1 = series[index]
    if t1 == when or index == 0:
        return v1
    t0, v0 = series[index - 1]
    return v0 + (v1 - v0) * (when - t0) / (t1 - t0)


def daily_shape(series: Sequence[tuple[float, float]], times: Sequence[float], when: float, days: int) -> float:
    """Mean of the readings at the same time of day on up to ``days`` earlier days.

    The nearest earlier day is the first whole number of days back that the
    readings reach, so a moment more than a day past the latest reading
    still finds one; the caller makes sure the readings span at least a day.
    """
    first, last = times[0], times[-1]
    offset = max(1, math.ceil((when - last) / DAY))
    same_time = [interpolate(series, times, when - offset * DAY)]
    while len(same_time) < days and when - (offset + 1) * DAY >= first:
        offset += 1
        same_time.append(interpolate(series, times, when - offset * DAY))
    return math.fsum(same_time) / len(same_time)


class RecentDaysPlugin:
    """Repeats the last days' daily course, shifted to today's latest reading."""

    name = "recent_days"
    description = (
        "Forecasts from the outdoor sensor alone: the same time of day over the last few days gives the shape "
        "of the day ahead, shifted to start at the latest reading; with less than a day of readings the latest "
        "reading is held."
    )
    options_schema: Mapping[str, Any] = {
        "type": "object",
        "properties": {
            "days": {
                "type": "integer",
                "minimum": 1,
                "maximum": 7,
                "default": 3,
                "description": "How many past days are averaged into the shape of the day ahead.",
            },
            "fade_hours": {
                "type": "number",
                "minimum": 0.25,
                "maximum": 48,
                "default": 3,
                "description": "Hours over which today's difference from the past days fades (time constant).",
            },
            "max_age_hours": {
                "type": "number",
                "minimum": 0.25,
                "maximum": 48,
                "default": 3,
                "description": "A latest reading older than this many hours is too old to forecast from.",
            },
            "step_minutes": {
                "type": "integer",
                "minimum": 5,
                "maximum": 120,
                "default": 15,
                "description": "Minutes between the forecast's points.",
            },
        },
        "additionalProperties": False,
    }

    def forecast(
        self, history: Sequence[SensorReading], now: float, hours: float, options: Mapping[str, Any]
    ) -> OutdoorForecast | None:
        """The next ``hours`` hours from ``now``; None without a reading in the last ``max_age_hours``."""
        settings = options_with_defaults(self.options_schema, options)
        series = usable(history, now)
        if not series or now - series[-1][0] > float(settings["max_age_hours"]) * HOUR:
            return None
        latest_at, latest = series[-1]
        end = now + max(hours, 0.0) * HOUR
        if latest_at - series[0][0] < DAY:
            return OutdoorForecast(((now, latest), (end, latest)))
        times = [t for t, _ in series]
        days, fade = int(settings["days"]), float(settings["fade_hours"]) * HOUR
        shift = latest - daily_shape(series, times, latest_at, days)
        step = int(settings["step_minutes"]) * 60.0
        count = max(1, math.ceil((end - now) / step))
        points = []
        for i in range(count + 1):
            when = min(now + i * step, end)
            fading = shift * math.exp(-(when - latest_at) / fade)
            points.append((when, daily_shape(series, times, when, days) + fading))
        return OutdoorForecast(tuple(points))


recent_days = RecentDaysPlugin()
