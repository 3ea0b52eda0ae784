"""The outdoor temperature ahead, as a weather plugin returns it.

A forecast is a short list of (epoch seconds, °C) points; between them the
temperature is interpolated linearly, and outside them the nearest end
holds, so a consumer can ask for any moment without checking the range
first.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from dataclasses import dataclass


@dataclass(frozen=True)
class OutdoorForecast:
    """Outdoor temperature points ``(epoch seconds, °C)``, sorted by time, at least one."""

    points: tuple[tuple[float, float], ...]

    def __post_init__(self) -> None:
        # Checked here because third-party plugins build these: a bad one must
        # fail where it is made, not later inside a decision.
        if not self.points:
            raise ValueError("a forecast needs at least one point")
        previous = -math.inf
        for point in self.points:
            if len(point) != 2:
                raise ValueError(f"a forecast point is (time, temperature), not {point!r}")
            when, value = point
            if not (math.isfinite(when) and math.isfinite(value)):
                raise ValueError(f"forecast point {point!r} is not a pair of finite numbers")
            if when < previous:
                raise ValueError(f"forecast points must be sorted by time; {when!r} comes after {previous!r}")
            previous = when

    @property
    def start(self) -> float:
        """The time of the first point."""
        return self.points[0][0]

    @property
    def end(self) -> float:
        """The time of the last point."""
        return self.points[-1][0]

    def at(self, when: float) -> float:
        """The temperature at ``when``: interpolated inside the points, the nearest end's value outside."""
        points = self.points
        if when <= points[0][0]:
            return points[0][1]
        if when >= points[-1][0]:
            return points[-1][1]
        index = bisect_right(points, when, key=lambda point: point[0])
        (t0, v0), (t1, v1) = points[index - 1], points[index]
        if t1 == t0:
            return v1
        return v0 + (v1 - v0) * (when - t0) / (t1 - t0)
