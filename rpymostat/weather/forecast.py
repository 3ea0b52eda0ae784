"""An outdoor temperature forecast: points in time, read by linear interpolation."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class OutdoorForecast:
    """(epoch seconds, °C) points, sorted by time; before the first and after the last, their values hold."""

    points: tuple[tuple[float, float], ...]

    def __post_init__(self) -> None:
        if not self.points:
            raise ValueError("a forecast needs at least one point")
        for at, value in self.points:
            if not (math.isfinite(at) and math.isfinite(value)):
                raise ValueError("forecast points must be finite numbers")
        if any(b[0] < a[0] for a, b in zip(self.points, self.points[1:], strict=False)):
            raise ValueError("forecast points must be sorted by time")

    @property
    def start(self) -> float:
        return self.points[0][0]

    @property
    def end(self) -> float:
        return self.points[-1][0]

    def at(self, when: float) -> float:
        """The outdoor temperature forecast for ``when``."""
        points = self.points
        if when <= points[0][0]:
            return points[0][1]
        if when >= points[-1][0]:
            return points[-1][1]
        lo, hi = 0, len(points) - 1
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if points[mid][0] <= when:
                lo = mid
            else:
                hi = mid
        (t0, v0), (t1, v1) = points[lo], points[hi]
        return v0 if t1 == t0 else v0 + (v1 - v0) * (when - t0) / (t1 - t0)
