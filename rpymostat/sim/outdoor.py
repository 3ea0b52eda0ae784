"""Outdoor temperature profiles: functions of epoch seconds.

The house loses heat to whatever profile it is given, so tests can hold the
outside constant and the demo and benchmark can follow a day's swing.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

OutdoorProfile = Callable[[float], float]

DAY = 86_400.0


@dataclass(frozen=True)
class Constant:
    """The same outdoor temperature at every moment."""

    value: float

    def __call__(self, at: float) -> float:
        return self.value


@dataclass(frozen=True)
class DailySinusoid:
    """A daily swing between ``mean - amplitude`` and ``mean + amplitude``.

    The coldest moment is at ``coldest_hour`` UTC each day (shift it by the
    home's UTC offset to put it just before local dawn).
    """

    mean: float
    amplitude: float
    coldest_hour: float = 5.0

    def __call__(self, at: float) -> float:
        phase = 2 * math.pi * ((at - self.coldest_hour * 3600.0) % DAY) / DAY
        return self.mean - self.amplitude * math.cos(phase)
