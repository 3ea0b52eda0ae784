"""The house's thermal behaviour, in the terms the engine learns it and a homeowner reads it.

Three things describe a house well enough to plan with:

- **a run's profile**, for heating and for cooling: once the equipment
  starts, the air warms quickly by a few tenths of a degree or more (the
  air and the sensor catching up with the furnace) and then steadily, more
  slowly the colder it is outside, because the walls and floors have to
  warm with it:

      rise(t) = jump · (1 − e^(−t/τ)) + (rate − slope · (inside − outside)) · t

  with the inside and outside temperatures taken when the run starts;
- **the drift** with everything off: the house cools towards the outside
  (or warms, on a hot day), less the gains of sun, people and appliances:
  ``drift = gain − loss · (inside − outside)`` in °C an hour;
- **what follows a stop**: how much further the temperature goes on (up
  after heating, down after cooling) in the minutes after the equipment
  stops — the heat still in the ducts, radiators or floor, and the lag of
  the sensor.

Each part is linear in what is learned, so it is fitted by least squares
as data arrives (:mod:`~rpymostat.prediction.learner`), and each reads as
a sentence.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

Function = Literal["heat", "cool"]
NOMINAL_OUTDOOR = 10.0
LONGEST_RUN = 6 * 3600.0
LONGEST_STEPS = 8192
RUN_TIME_STEP = LONGEST_RUN / LONGEST_STEPS  # about 2.6 s: finer than a decision turn


@dataclass(frozen=True)
class RunProfile:
    """How a continuous run of heating (or cooling) moves the temperature; °C, hours for rates.

    ``jump`` (°C) is the quick part, reached with time constant ``tau``
    (seconds), plus ``jump_per_rate`` times the rate (°C an hour) the
    temperature moved just before the start; ``rate`` and ``slope`` give the steady part, ``rate −
    slope · (inside − outside)`` °C an hour (for cooling, °C an hour of
    cooling, so both are positive in a working system). ``error`` is the
    fit's RMS error in °C, ``runs`` how many runs (fading with age) it
    stands on, ``hours`` how many hours of running.
    """

    jump: float
    rate: float
    slope: float
    tau: float
    error: float
    runs: float
    hours: float
    jump_per_rate: float = 0.0

    def steady_rate(self, difference: float) -> float:
        """°C an hour after the quick part, at this inside − outside difference."""
        return self.rate - self.slope * difference

    def change(self, seconds: float, difference: float, entry_rate: float = 0.0) -> float:
        """°C gained by heating (or lost by cooling) after running ``seconds`` from this difference.

        ``entry_rate`` is how fast the temperature moved (°C an hour, in the
        run's direction) just before the start: a run that starts while the
        air is still falling back after the last one has less quick part left.
        """
        hours = seconds / 3600.0
        jump = self.jump + self.jump_per_rate * entry_rate
        return jump * -math.expm1(-seconds / self.tau) + self.steady_rate(difference) * hours

    def time_for(self, amount: float, difference: float, entry_rate: float = 0.0) -> float | None:
        """Seconds of running to change the temperature by ``amount`` °C; ``None`` if it cannot within 6 hours.

        The answer is rounded up to :data:`RUN_TIME_STEP`. Planning asks this
        many times a turn, so the root is found by Newton's method (the curve
        is smooth), kept inside a shrinking bracket so a bend cannot throw it
        out, and the rounding is checked on the curve itself.
        """
        if amount <= 0:
            return 0.0
        if self.change(LONGEST_RUN, difference, entry_rate) < amount:
            return None
        jump = self.jump + self.jump_per_rate * entry_rate
        steady = self.steady_rate(difference) / 3600.0
        low, high, guess = 0.0, LONGEST_RUN, amount / max(steady + jump / self.tau, 1e-9)
        estimate = high
        for _ in range(64):
            if not low < guess < high:
                guess = (low + high) / 2
            short = self.change(guess, difference, entry_rate) - amount
            if short >= 0:
                high = guess
            else:
                low = guess
            slope = jump / self.tau * math.exp(-guess / self.tau) + steady
            if slope > 0 and abs(short / slope) < RUN_TIME_STEP / 4:
                estimate = guess - short / slope
                break
            if high - low <= RUN_TIME_STEP:
                estimate = high
                break
            guess = guess - short / slope if slope > 0 else (low + high) / 2
        steps = min(max(math.ceil(estimate / RUN_TIME_STEP), 0), LONGEST_STEPS)
        while steps > 0 and self.change((steps - 1) * RUN_TIME_STEP, difference, entry_rate) >= amount:
            steps -= 1
        while self.change(steps * RUN_TIME_STEP, difference, entry_rate) < amount:
            steps += 1
        return steps * RUN_TIME_STEP


@dataclass(frozen=True)
class Drift:
    """How the temperature moves with everything off: ``gain − loss · (inside − outside)`` °C an hour."""

    gain: float
    loss: float
    error: float
    hours: float

    def rate(self, difference: float) -> float:
        return self.gain - self.loss * difference


@dataclass(frozen=True)
class AfterStop:
    """How far the temperature goes on after a run stops (°C, in the run's direction), over ``events`` stops."""

    amount: float = 0.0
    events: float = 0.0


@dataclass(frozen=True)
class ThermalModel:
    """Everything learned of one house (one set of counted sensors); parts not yet learned are ``None``."""

    heat: RunProfile | None = None
    cool: RunProfile | None = None
    drift: Drift | None = None
    after_heat: AfterStop = AfterStop()
    after_cool: AfterStop = AfterStop()

    def profile(self, function: Function) -> RunProfile | None:
        return self.heat if function == "heat" else self.cool

    def after_stop(self, function: Function) -> AfterStop:
        return self.after_heat if function == "heat" else self.after_cool
