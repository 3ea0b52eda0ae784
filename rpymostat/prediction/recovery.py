"""Looking ahead with the learned model: how long a warm-up takes, and when to start it.

A :class:`HousePrediction` is a snapshot a decision plugin can use without
any I/O: the model and the outdoor temperature now and ahead. Smart
recovery asks :meth:`HousePrediction.planned_start` for the latest moment
the equipment can start and still have the house at the new target at the
scheduled minute (less a margin for the model's own uncertainty). Starting
later would be late; starting earlier would heat a house nobody asked to
be warm yet.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rpymostat.prediction.confidence import Confidence, confidence
from rpymostat.prediction.thermal_model import NOMINAL_OUTDOOR, Function, ThermalModel

MIN_MARGIN = 120.0
MAX_MARGIN = 1800.0
BISECT_TO = 30.0


@dataclass(frozen=True)
class RunStart:
    """Where the run in progress started: when, from which temperature, from which indoor − outdoor
    difference, how fast the temperature moved just before (°C an hour, in the run's direction), and the
    model as it stood then (what the run was planned with)."""

    at: float
    temperature: float
    difference: float
    entry_rate: float
    model: ThermalModel | None = None


@dataclass(frozen=True)
class HousePrediction:
    """The learned model at ``now``, with the outdoor temperature now and (when known) ahead, and the
    start of the run in progress (``None`` when nothing runs or the start was not seen)."""

    model: ThermalModel
    now: float
    outdoor_now: float | None = None
    forecast: Callable[[float], float] | None = None
    run: RunStart | None = None

    @property
    def confidence(self) -> Confidence:
        return confidence(self.model)

    def confident(self, function: Function) -> bool:
        """Whether early starts for ``function`` may rely on the model."""
        return self.confidence.of(function)

    def outdoor_at(self, when: float) -> float:
        """The forecast outdoor temperature, else the one now, else the model's nominal 10 °C."""
        if self.forecast is not None:
            return self.forecast(when)
        return self.outdoor_now if self.outdoor_now is not None else NOMINAL_OUTDOOR

    def expected_change(self, function: Function, seconds: float) -> float | None:
        """°C the run in progress should have changed the temperature by after ``seconds``, per the model."""
        profile, run = self.model.profile(function), self.run
        if profile is None or run is None:
            return None
        return profile.change(seconds, run.difference, run.entry_rate)

    def idle_temperature(self, temperature_now: float, when: float, held: float | None, function: Function) -> float:
        """The temperature at ``when`` with the equipment left to the present rule: drifting, but held at
        ``held`` (the present target's starting edge) if the drift reaches it."""
        drift = self.model.drift
        value = temperature_now
        if drift is not None and when > self.now:
            value += drift.rate(temperature_now - self.outdoor_at(self.now)) * (when - self.now) / 3600.0
        if held is not None:
            value = max(value, held) if function == "heat" else min(value, held)
        return value

    def run_time(self, function: Function, start_temperature: float, target: float, start: float) -> float | None:
        """Seconds of running from ``start_temperature`` at ``start`` to reach ``target``; ``None`` if out of reach.

        The run is taken to start from the idle drift (the usual case: the
        house has been resting, or held at the night setpoint).
        """
        profile = self.model.profile(function)
        if profile is None:
            return None
        difference = start_temperature - self.outdoor_at(start)
        drift = self.model.drift
        entry = 0.0 if drift is None else drift.rate(difference) * (1.0 if function == "heat" else -1.0)
        amount = target - start_temperature if function == "heat" else start_temperature - target
        return profile.time_for(amount, difference, entry)

    def planned_start(self, temperature_now: float, function: Function, target: float, at: float,
                      max_early: float, held: float | None = None) -> float | None:
        """The latest start that has the house at ``target`` by ``at`` less the margin.

        ``None`` when no early start is needed (left as it is, the house is
        still at the target at ``at``); never earlier than ``at − max_early``
        nor than now (the start is then that moment, and the house may be
        late). ``held`` is the edge at which the present rule holds the house
        meanwhile (e.g. the night setpoint minus the cold tolerance).
        """
        sign = 1.0 if function == "heat" else -1.0
        if sign * (self.idle_temperature(temperature_now, at, held, function) - target) >= 0:
            return None
        earliest = max(self.now, at - max_early)

        def late(start: float) -> bool:
            begin = self.idle_temperature(temperature_now, start, held, function)
            needed = self.run_time(function, begin, target, start)
            return needed is None or start + needed + self.margin(function, begin, needed) > at

        if late(earliest):
            return earliest
        low, high = earliest, at
        while high - low > BISECT_TO:
            middle = (low + high) / 2
            if late(middle):
                high = middle
            else:
                low = middle
        return low

    def margin(self, function: Function, begin: float, needed: float) -> float:
        """How early to aim: the profile's error turned into time by the rate at the end of the run."""
        profile = self.model.profile(function)
        if profile is None:
            return MAX_MARGIN
        rate = profile.steady_rate(begin - self.outdoor_at(self.now)) / 3600.0
        if rate <= 0:
            return MAX_MARGIN
        return min(MAX_MARGIN, max(MIN_MARGIN, profile.error / rate))
