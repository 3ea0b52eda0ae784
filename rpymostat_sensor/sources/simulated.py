"""Sensors whose temperature is a function of time, for the demo and tests.

The house simulator will supply the functions; until then
:class:`DailyWave` gives a plausible room temperature on its own. Every
value depends only on the time it is read, so a test with a ``Clock``
gets the same numbers on every run.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from twisted.internet.defer import Deferred, succeed
from twisted.internet.interfaces import IReactorTime

from rpymostat_sensor.sources.base import SensorSample

SIMULATED_SENSOR_TYPE = "simulated"


@dataclass(frozen=True)
class DailyWave:
    """A sine wave around ``base`` with repeatable noise.

    The noise for a given moment comes from a generator seeded with ``seed``
    and that moment, so reading the same time twice gives the same value.
    """

    base: float = 20.0
    amplitude: float = 1.5
    period: float = 86400.0
    noise: float = 0.05
    seed: int = 0

    def __call__(self, now: float) -> float:
        wave = self.amplitude * math.sin(2 * math.pi * now / self.period)
        jitter = random.Random(f"{self.seed}:{now!r}").gauss(0.0, self.noise) if self.noise else 0.0
        return self.base + wave + jitter


class SimulatedSource:
    """Reports each named sensor's function evaluated at the clock's time."""

    def __init__(self, clock: IReactorTime, sensors: Mapping[str, Callable[[float], float]]) -> None:
        self._clock = clock
        self._sensors = dict(sensors)

    def read(self) -> Deferred[list[SensorSample]]:
        """Fire with one sample per sensor; a function that raises becomes a null value."""
        at = self._clock.seconds()
        samples = []
        for sensor_id, temperature_at in sorted(self._sensors.items()):
            try:
                samples.append(SensorSample(sensor_id, SIMULATED_SENSOR_TYPE, float(temperature_at(at)), at))
            except Exception as error:  # noqa: BLE001 -- a broken model must not stop the other sensors
                reason = f"simulation failed: {error!r}"
                samples.append(SensorSample(sensor_id, SIMULATED_SENSOR_TYPE, None, at, reason))
        return succeed(samples)
