"""Learning the thermal model from what the decision loop sees, one model per set of counted sensors.

Every decision turn hands its weighted temperature, the outdoor temperature
and the equipment's state (with its switch times) to :class:`ModelBook`:

- while heating or cooling runs, once a minute, how far the temperature has
  come since the run started becomes a row for that function's run profile
  (one fit per candidate time constant; the best one is used);
- with everything off, once the air has settled after a stop, every
  quarter of an hour the slope of the last reports becomes a row for the
  drift;
- a few minutes after each run of ten minutes or more stops, how much
  further the temperature went becomes the next estimate of what follows a
  stop.

The start of a run is taken from a line through the reports before it, so
one noisy report does not shift the whole run. Rows fade with a half-life
of two weeks, so the model follows the seasons. A different set of counted
sensors is a different "house" (the bedroom warms differently from the
whole floor), so each set has its own model; new or changed relays mean
different equipment, so everything starts over. The whole book saves to and
loads from plain JSON.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from rpymostat.decisions.equipment import EquipmentState
from rpymostat.decisions.trend import sensor_trend
from rpymostat.decisions.weighting import SensorReading
from rpymostat.prediction.least_squares import ForgettingLeastSquares
from rpymostat.prediction.recovery import HousePrediction, RunStart
from rpymostat.prediction.thermal_model import (
    LONGEST_RUN,
    NOMINAL_OUTDOOR,
    AfterStop,
    Drift,
    Function,
    RunProfile,
    ThermalModel,
)

HALF_LIFE = 14 * 86_400.0
TAUS = (240.0, 480.0, 960.0, 1920.0)
RUN_ROW_EVERY = 60.0
DRIFT_ROW_EVERY = 900.0
SETTLE_AFTER_STOP = 1200.0
AFTER_STOP_WINDOW = (30.0, 240.0)
MIN_RUN_FOR_AFTER_STOP = 600.0
AFTER_STOP_WEIGHT = 0.15
KEEP_READINGS = 1200.0
MAX_MODELS = 8
FORMAT = 2
# A weak pull towards an ordinary forced-air house while a fit has little data (jump 1 °C whatever
# the temperature did before the start, 2 °C an hour at no difference, 0.02 °C an hour less per
# degree of difference).
RUN_FEATURES = 4
RUN_PRIOR = (1.0, 0.0, 2.0, 0.02)
RUN_PRIOR_STRENGTH = (0.5, 0.5, 0.5, 50.0)
# With everything off: no gains, and 0.03 °C an hour per degree of difference (0.6 °C an hour at
# 20 °C below inside); firmer on the gain, which the narrow range of indoor temperatures hardly shows.
DRIFT_PRIOR = (0.0, 0.03)
DRIFT_PRIOR_STRENGTH = (20.0, 2000.0)


def _last_stop(equipment: EquipmentState) -> float | None:
    """When heating or cooling last stopped, ``None`` if never seen."""
    return max((t for f in ("heat", "cool") if (t := equipment.of(f).last_off) is not None), default=None)


def _fade(since: float | None, now: float) -> float:
    if since is None or now <= since:
        return 1.0
    return 0.5 ** ((now - since) / HALF_LIFE)


class RunFit:
    """The run profile of one function, fitted for each candidate time constant."""

    def __init__(self, fits: list[ForgettingLeastSquares] | None = None, runs: float = 0.0, hours: float = 0.0,
                 updated: float | None = None) -> None:
        self.fits = fits if fits is not None else [ForgettingLeastSquares(RUN_FEATURES, 1.0) for _ in TAUS]
        self.runs = runs
        self.hours = hours
        self.updated = updated
        self._profile: tuple[RunProfile | None] | None = None

    def add(self, now: float, seconds: float, difference: float, entry_rate: float, change: float) -> None:
        fade = _fade(self.updated, now)
        hours = seconds / 3600.0
        for tau, fit in zip(TAUS, self.fits, strict=True):
            quick = -math.expm1(-seconds / tau)
            fit.add((quick, entry_rate * quick, hours, -difference * hours), change, fade)
        self.hours = self.hours * fade + RUN_ROW_EVERY / 3600.0
        self.runs *= fade
        self.updated = now
        self._profile = None

    def run_started(self) -> None:
        self.runs += 1.0
        self._profile = None

    def profile(self) -> RunProfile | None:
        """The best fitting profile; kept until the next row or run, as the model of the other function is
        rebuilt far more often than this one changes."""
        if self._profile is None:
            self._profile = (self._best_profile(),)
        return self._profile[0]

    def _best_profile(self) -> RunProfile | None:
        best: RunProfile | None = None
        for tau, fit in zip(TAUS, self.fits, strict=True):
            if fit.weight <= 0:
                continue
            try:
                jump, jump_per_rate, rate, slope = fit.solve(RUN_PRIOR, RUN_PRIOR_STRENGTH)
            except ZeroDivisionError:
                continue
            mse = fit.mean_square_error((jump, jump_per_rate, rate, slope))
            if mse is None:
                continue
            found = RunProfile(jump, rate, slope, tau, math.sqrt(mse), self.runs, self.hours, jump_per_rate)
            if best is None or found.error < best.error:
                best = found
        return best

    def to_json(self) -> dict[str, Any]:
        return {"fits": [fit.to_json() for fit in self.fits], "runs": self.runs, "hours": self.hours,
                "updated": self.updated}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RunFit:
        fits = [ForgettingLeastSquares.from_json(dict(saved), RUN_FEATURES, 1.0) for saved in data["fits"]]
        if len(fits) != len(TAUS):
            raise ValueError("saved run fits do not match the time constants")
        updated = data.get("updated")
        return cls(fits, float(data["runs"]), float(data["hours"]), None if updated is None else float(updated))


@dataclass
class _Run:
    function: Function
    start: float
    temperature: float
    difference: float
    entry_rate: float
    last_row: float
    model: ThermalModel


@dataclass
class _Stop:
    function: Function
    at: float
    temperature: float


class HouseLearner:
    """The model of one set of counted sensors, learning from every turn it is shown."""

    def __init__(self) -> None:
        self.runs: dict[Function, RunFit] = {"heat": RunFit(), "cool": RunFit()}
        self.drift_fit = ForgettingLeastSquares(2, 1.0)
        self.drift_hours = 0.0
        self.drift_updated: float | None = None
        self.after: dict[Function, AfterStop] = {"heat": AfterStop(), "cool": AfterStop()}
        self.readings: deque[SensorReading] = deque()
        self._run: _Run | None = None
        self._stop: _Stop | None = None
        self._last_drift_row: float | None = None
        self._model: ThermalModel | None = None
        self._quiet: tuple[float, float, tuple[Any, ...]] | None = None

    @property
    def model(self) -> ThermalModel:
        if self._model is None:
            self._model = ThermalModel(self.runs["heat"].profile(), self.runs["cool"].profile(), self._drift(),
                                       self.after["heat"], self.after["cool"])
        return self._model

    @property
    def run(self) -> RunStart | None:
        """The start of the run in progress, as the model saw it."""
        run = self._run
        if run is None:
            return None
        return RunStart(run.start, run.temperature, run.difference, run.entry_rate, run.model)

    def observe(self, now: float, temperature: float | None, outdoor: float | None,
                equipment: EquipmentState) -> None:
        """One decision turn: the temperature that counts, the outdoor one, and the equipment before deciding.

        The engine turns every few seconds, but the model keeps a reading
        every 30 s and a row every minute or quarter of an hour: a turn with
        the inputs of the last one, before anything is due, returns at once.
        """
        inputs = (temperature, outdoor, equipment)
        quiet = self._quiet
        if quiet is not None and quiet[0] <= now < quiet[1] and quiet[2] == inputs:
            return
        self._observe(now, temperature, outdoor, equipment)
        self._quiet = (now, self._next_due(now, temperature, equipment), inputs)

    @property
    def quiet_until(self) -> float:
        """Until when observing the inputs of the last turn again would change nothing (see :meth:`observe`)."""
        return -math.inf if self._quiet is None else self._quiet[1]

    def _next_due(self, now: float, temperature: float | None, equipment: EquipmentState) -> float:
        """The first moment after ``now`` at which the same inputs would change what is kept or learned."""
        if temperature is None or not math.isfinite(temperature):
            return math.inf
        moments = [self.readings[-1].at + 30.0]
        function: Function | None = "heat" if equipment.heat.on else "cool" if equipment.cool.on else None
        if function is None:
            if self._stop is not None:
                moments.append(self._stop.at + AFTER_STOP_WINDOW[1])
            moments.append(self._drift_due(now, equipment))
            return min(moments)
        run, started = self._run, equipment.of(function).last_on
        if run is None:
            moments.append(math.inf if started is None or now - started > RUN_ROW_EVERY * 2 else now)
        elif run.start + LONGEST_RUN >= run.last_row + RUN_ROW_EVERY:
            moments.append(run.last_row + RUN_ROW_EVERY)
        return min(moments)

    def _drift_due(self, now: float, equipment: EquipmentState) -> float:
        if self._last_drift_row is not None and now - self._last_drift_row < DRIFT_ROW_EVERY:
            return self._last_drift_row + DRIFT_ROW_EVERY
        stopped = _last_stop(equipment)
        if stopped is None:
            return math.inf
        if now - stopped < SETTLE_AFTER_STOP:
            return stopped + SETTLE_AFTER_STOP
        return now  # a row was due and could not be made: try again next turn

    def _observe(self, now: float, temperature: float | None, outdoor: float | None,
                 equipment: EquipmentState) -> None:
        if temperature is None or not math.isfinite(temperature):
            self._run = self._stop = None
            return
        readings = self.readings
        if not readings or now - readings[-1].at >= 30.0 or now < readings[-1].at:
            if readings and now < readings[-1].at:
                readings.clear()
            readings.append(SensorReading(temperature, now))
            while readings and readings[0].at < now - KEEP_READINGS:
                readings.popleft()
        outside = outdoor if outdoor is not None and math.isfinite(outdoor) else NOMINAL_OUTDOOR
        function: Function | None = "heat" if equipment.heat.on else "cool" if equipment.cool.on else None
        if function is None:
            if self._run is not None:
                self._finish_run(now)
            if self._stop is not None:
                self._after_stop(now)
            self._drift_row(now, equipment, temperature, outside)
            return
        self._stop = None
        started = equipment.of(function).last_on
        run = self._run
        if run is None or run.function != function or started is None or run.start != started:
            if started is None or now - started > RUN_ROW_EVERY * 2:
                self._run = None  # a run that began before we watched: its start is unknown
                return
            line = sensor_trend([r for r in readings if r.at <= started], started, window=600.0)
            begin = line.value if line is not None else temperature
            entry = line.rate_per_hour if line is not None else 0.0
            self._run = run = _Run(function, started, begin, begin - outside, entry, started, self.model)
            self.runs[function].run_started()
        if now - run.last_row >= RUN_ROW_EVERY and now - run.start <= LONGEST_RUN:
            sign = 1.0 if function == "heat" else -1.0
            self.runs[function].add(now, now - run.start, run.difference, sign * run.entry_rate,
                                    sign * (temperature - run.temperature))
            run.last_row = now
            self._model = None

    def _finish_run(self, now: float) -> None:
        run = self._run
        self._run = None
        if run is None or now - run.start < MIN_RUN_FOR_AFTER_STOP:
            return
        recent = [r for r in self.readings if r.at >= run.start]
        line = sensor_trend(recent, now, window=600.0)
        if line is not None:
            self._stop = _Stop(run.function, now, line.value)

    def _after_stop(self, now: float) -> None:
        stop = self._stop
        if stop is None or now - stop.at < AFTER_STOP_WINDOW[1]:
            return
        self._stop = None
        values = [r.value for r in self.readings
                  if r.value is not None and stop.at + AFTER_STOP_WINDOW[0] <= r.at <= stop.at + AFTER_STOP_WINDOW[1]]
        if not values:
            return
        sign = 1.0 if stop.function == "heat" else -1.0
        amount = max(0.0, sign * (sum(values) / len(values) - stop.temperature))
        old = self.after[stop.function]
        weight = max(AFTER_STOP_WEIGHT, 1.0 / (old.events + 1.0))
        self.after[stop.function] = AfterStop(old.amount + weight * (amount - old.amount), old.events + 1.0)
        self._model = None

    def _drift_row(self, now: float, equipment: EquipmentState, temperature: float, outside: float) -> None:
        if self._last_drift_row is not None and now - self._last_drift_row < DRIFT_ROW_EVERY:
            return
        stopped = _last_stop(equipment)
        if stopped is None or now - stopped < SETTLE_AFTER_STOP:
            return
        since = max(stopped + SETTLE_AFTER_STOP - DRIFT_ROW_EVERY, now - DRIFT_ROW_EVERY)
        line = sensor_trend(list(self.readings), now, window=DRIFT_ROW_EVERY, since=since)
        if line is None or line.span < DRIFT_ROW_EVERY / 2:
            return
        fade = _fade(self.drift_updated, now)
        self.drift_fit.add((1.0, -(line.value - outside)), line.rate_per_hour, fade)
        self.drift_hours = self.drift_hours * fade + DRIFT_ROW_EVERY / 3600.0
        self.drift_updated = self._last_drift_row = now
        self._model = None

    def _drift(self) -> Drift | None:
        fit = self.drift_fit
        if fit.weight <= 0:
            return None
        gain, loss = fit.solve(DRIFT_PRIOR, DRIFT_PRIOR_STRENGTH)
        mse = fit.mean_square_error((gain, loss))
        return Drift(gain, loss, math.sqrt(mse or 0.0), self.drift_hours)

    def to_json(self) -> dict[str, Any]:
        return {
            "runs": {function: fit.to_json() for function, fit in self.runs.items()},
            "drift": {"fit": self.drift_fit.to_json(), "hours": self.drift_hours, "updated": self.drift_updated},
            "after": {function: [stop.amount, stop.events] for function, stop in self.after.items()},
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> HouseLearner:
        learner = cls()
        learner.runs = {"heat": RunFit.from_json(data["runs"]["heat"]), "cool": RunFit.from_json(data["runs"]["cool"])}
        drift = data["drift"]
        learner.drift_fit = ForgettingLeastSquares.from_json(dict(drift["fit"]), 2, 1.0)
        learner.drift_hours = float(drift["hours"])
        learner.drift_updated = None if drift.get("updated") is None else float(drift["updated"])
        learner.after = {"heat": AfterStop(*map(float, data["after"]["heat"])),
                         "cool": AfterStop(*map(float, data["after"]["cool"]))}
        return learner


def sensors_key(counted: Iterable[str]) -> str:
    """The name of a set of counted sensors."""
    return ",".join(sorted(counted))


class ModelBook:
    """The models of every set of counted sensors seen, for one set of relays."""

    def __init__(self, relays: str = "") -> None:
        self.relays = relays
        self.learners: dict[str, HouseLearner] = {}
        self.started: float | None = None

    def observe(self, now: float, counted: Iterable[str], temperature: float | None, outdoor: float | None,
                equipment: EquipmentState) -> HouseLearner | None:
        """Feed one decision turn to the model of its set of sensors; returns that model's learner."""
        key = sensors_key(counted)
        if not key:
            return None
        if self.started is None:
            self.started = now
        learner = self.learners.pop(key, None) or HouseLearner()
        self.learners[key] = learner  # most recently used last
        while len(self.learners) > MAX_MODELS:
            del self.learners[next(iter(self.learners))]
        learner.observe(now, temperature, outdoor, equipment)
        return learner

    def learner(self, counted: Iterable[str]) -> HouseLearner | None:
        return self.learners.get(sensors_key(counted))

    def prediction(self, now: float, counted: Iterable[str], outdoor: float | None = None,
                   forecast: Callable[[float], float] | None = None) -> HousePrediction | None:
        """What the model of this set of sensors predicts, looking ahead from ``now``; ``None`` before it has one."""
        learner = self.learner(counted)
        if learner is None:
            return None
        return HousePrediction(learner.model, now, outdoor, forecast, run=learner.run)

    def relays_changed(self, relays: str) -> bool:
        """Start over if the relays are not the ones the models were learned with; ``True`` if it did.

        A book that knew no relays yet takes the first ones it is told of as
        its own: with no relays it could not have watched any other equipment.
        """
        if relays == self.relays:
            return False
        first = not self.relays
        self.relays = relays
        if first:
            return False
        self.learners.clear()
        self.started = None
        return True

    def to_json(self) -> dict[str, Any]:
        return {"format": FORMAT, "relays": self.relays, "started": self.started,
                "models": {key: learner.to_json() for key, learner in self.learners.items()}}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ModelBook:
        """The saved book; a book of another format, or one that does not read, starts over rather than failing."""
        book = cls(str(data.get("relays", "")))
        if data.get("format") != FORMAT:
            return book
        started = data.get("started")
        book.started = float(started) if isinstance(started, (int, float)) else None
        try:
            for key, saved in dict(data.get("models", {})).items():
                book.learners[str(key)] = HouseLearner.from_json(saved)
        except (KeyError, TypeError, ValueError):
            book.learners.clear()
        return book



