"""Where the temperature is heading: a smoothed value and its rate of change.

A single report is a poor thing to switch a furnace on: a noisy sensor
starts it on one low reading and stops it on one high one, and a sensor
that lags the air (every real one does) reports the top of a fast rise
only after the furnace has overshot it. A least-squares line through the
last few minutes of reports answers both: its value at the newest report is
the average of the window corrected for that average's lag (so noise is
damped without delaying a steady rise), and its slope is the rate a heat
anticipator needs.

A line is only a fair summary while the house does one thing: the
temperature falls slowly while the equipment rests and rises fast once it
runs. So the decision step fits only the reports taken since the equipment
last switched (and at most :data:`TREND_WINDOW` seconds back), and hands
the result to the decision plugin in its context, so the plugin stays a
pure function. Right after a switch there are too few reports for a trend;
the minimum run and off times cover that stretch.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from rpymostat.decisions.weighting import SensorReading

TREND_WINDOW = 900.0
MIN_READINGS = 3
MIN_SPAN = 120.0


@dataclass(frozen=True)
class TemperatureTrend:
    """A smoothed temperature and its rate of change.

    ``value`` (°C) is the fitted line at each sensor's newest usable report;
    ``rate`` is in °C per second; ``readings`` is how many reports the
    fit used (all sensors together) and ``span`` the shortest time any one
    sensor's reports covered, in seconds.
    """

    value: float
    rate: float
    readings: int
    span: float

    @property
    def rate_per_hour(self) -> float:
        """The rate in °C per hour, as people read it."""
        return self.rate * 3600.0


def sensor_trend(
    history: Sequence[SensorReading], now: float, window: float = TREND_WINDOW, since: float | None = None
) -> TemperatureTrend | None:
    """The least-squares line through one sensor's reports of the last ``window`` seconds.

    Reports without a value, older than the window or not later than
    ``since`` are left out; the rest may come in any order and spacing.
    ``None`` when fewer
    than :data:`MIN_READINGS` are left or they cover less than
    :data:`MIN_SPAN` seconds: a slope from too short a stretch is mostly
    noise. Equal values give exactly that value and a rate of zero.
    """
    start = now - window
    points = sorted(
        (r.at, r.value) for r in history
        if r.value is not None and math.isfinite(r.value) and math.isfinite(r.at) and r.at >= start
        and (since is None or r.at > since)
    )
    if len(points) < MIN_READINGS:
        return None
    times = [at for at, _ in points]
    values = [value for _, value in points]
    span = times[-1] - times[0]
    if span < MIN_SPAN:
        return None
    t_mean = math.fsum(times) / len(times)
    # A mean lies within its inputs; clamping removes rounding, so equal values stay exact.
    v_mean = min(max(math.fsum(values) / len(values), min(values)), max(values))
    spread = math.fsum((t - t_mean) ** 2 for t in times)
    rate = math.fsum((t - t_mean) * (v - v_mean) for t, v in points) / spread
    value = v_mean + rate * (times[-1] - t_mean)
    return TemperatureTrend(value=value, rate=rate, readings=len(points), span=span)


def weighted_trend(
    weights: Mapping[str, float],
    history: Mapping[str, Sequence[SensorReading]],
    now: float,
    window: float = TREND_WINDOW,
    since: float | None = None,
) -> TemperatureTrend | None:
    """The trend of a weighted temperature: each sensor's line, mixed with the same weights.

    ``weights`` are the ones the weighted temperature actually used (stale
    and failed sensors already left out). When any of those sensors has no
    trend of its own, there is none: a trend of some sensors only would
    disagree with the temperature it is meant to smooth.
    """
    total = math.fsum(w for w in weights.values() if w > 0)
    if total <= 0:
        return None
    parts: list[tuple[float, TemperatureTrend]] = []
    for sensor_id, weight in weights.items():
        if weight <= 0:
            continue
        trend = sensor_trend(history.get(sensor_id, ()), now, window, since)
        if trend is None:
            return None
        parts.append((weight / total, trend))
    if len(parts) == 1:
        return parts[0][1]
    values = [trend.value for _, trend in parts]
    value = min(max(math.fsum(w * trend.value for w, trend in parts), min(values)), max(values))
    return TemperatureTrend(
        value=value,
        rate=math.fsum(w * trend.rate for w, trend in parts),
        readings=sum(trend.readings for _, trend in parts),
        span=min(trend.span for _, trend in parts),
    )
