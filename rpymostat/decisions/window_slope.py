"""Telling an open window from the temperature alone: a drop steeper than a threshold while heating.

With the furnace running, the air only falls fast when cold air comes in,
so a least-squares slope over the last few minutes below ``-threshold``
(°C per hour) says "window open" (the idea of Versatile Thermostat's slope
detection). Once it says so, the window counts as closed again when the
temperature no longer falls faster than a third of the threshold, heating
or not (with heating paused, an open window keeps the air falling fast; a
closed one lets it settle). Pure: the engine passes each sensor's recent
reports.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rpymostat.decisions.trend import sensor_trend
from rpymostat.decisions.weighting import SensorReading

#: The part of the threshold the fall must be under for the window to count as closed again.
CLOSE_FRACTION = 1 / 3


@dataclass(frozen=True)
class SlopeSettings:
    """``threshold`` in °C per hour of fall; ``window`` the seconds of reports the slope is fitted over."""

    enabled: bool = True
    threshold: float = 3.0
    window: float = 300.0


def slope_verdict(history: Sequence[SensorReading], heating_since: float | None, was_open: bool, now: float,
                  settings: SlopeSettings) -> bool | None:
    """True: open; False: closed; None: too few reports to tell, or no change to report.

    ``heating_since`` is when the furnace started (None: it is off); only
    reports taken since then count towards "open", so the fall before a
    start is never taken for a window.
    """
    if not settings.enabled:
        return None
    if not was_open:
        if heating_since is None:
            return None
        trend = sensor_trend(history, now, window=settings.window, since=heating_since)
        return True if trend is not None and -trend.rate_per_hour >= settings.threshold else None
    trend = sensor_trend(history, now, window=settings.window)
    if trend is None:
        return None
    return False if -trend.rate_per_hour < settings.threshold * CLOSE_FRACTION else None
