"""A thermostat in a loop with the simulated house, in simulated time.

Closed-loop tests and the control benchmark need the engine's decisions to
act on a house and see the result. :class:`ClosedLoop` wires a
:class:`~rpymostat.sim.house.SimulatedHouse`, its sensors, a resolved
timeline and a :data:`Controller` together on an injected ``task.Clock``:
sensors report on their interval, the controller decides on its interval
and on every report (as the engine's decision loop does), the relays follow
each decision, and everything a user would notice is recorded.

:func:`engine_controller` is the engine's own turn
(:func:`~rpymostat.decisions.step.decide_step` with a plugin and
``SafetyLimits``), so what is measured is what runs;
:func:`bang_bang_baseline` is the naive wall thermostat it is compared with.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from twisted.internet.task import Clock

from rpymostat.decisions.equipment import FUNCTIONS, EquipmentState, Function
from rpymostat.decisions.model import Desired, apply_desired, functions_for
from rpymostat.decisions.plugin import DecisionPlugin, options_with_defaults
from rpymostat.decisions.predictive import early_start_moments, predictive, tolerances
from rpymostat.decisions.safety import SafetyLimits
from rpymostat.decisions.step import StepResult, decide_step, weights_for
from rpymostat.decisions.trend import TREND_WINDOW
from rpymostat.decisions.weighting import SensorReading, weighted_temperature
from rpymostat.prediction.learner import ModelBook
from rpymostat.scheduling.instruction import Instruction
from rpymostat.scheduling.model import Adjustment
from rpymostat.scheduling.timeline import TimelineSegment, instruction_at, instruction_until, next_change, resolve
from rpymostat.scheduling.validation import SetpointLimits, parse_override, parse_schedule
from rpymostat.sim.house import SimulatedHouse

OFF = Instruction("off")
ENGINE_DECISION_INTERVAL = 5.0
SENSOR_INTERVAL = 60.0
STALE_AFTER = 300.0
BASELINE_BAND = 0.3


@dataclass(frozen=True)
class TurnInput:
    """What a controller decides from: the same inputs the engine's loop gathers each turn.

    ``history`` is each sensor's reports of the last :data:`TREND_WINDOW`
    seconds, oldest first, as the engine's loop reads them from the store.
    """

    instruction: Instruction
    readings: Mapping[str, SensorReading]
    default_weights: Mapping[str, float]
    equipment: EquipmentState
    now: float
    next_change: tuple[float, Instruction] | None
    history: Mapping[str, Sequence[SensorReading]] = field(default_factory=dict)
    outdoor: float | None = None


@dataclass(frozen=True)
class TurnOutput:
    """What a controller decided: the state to run, the equipment afterwards, the alert codes raised."""

    desired: Desired
    equipment: EquipmentState
    alerts: frozenset[str] = frozenset()
    quiet_until: float = -math.inf
    """Turns before this moment whose inputs are the same need not call the controller at all."""


Controller = Callable[[TurnInput], TurnOutput]


def engine_controller(
    plugin: DecisionPlugin = predictive,
    options: Mapping[str, Any] | None = None,
    limits: SafetyLimits | None = None,
    stale_after: float = STALE_AFTER,
    book: ModelBook | None = None,
    zone: str = "UTC",
    skip_steady_turns: bool = True,
) -> Controller:
    """The engine's turn: the plugin's wish through the safety layer, exactly as the decision loop calls it.

    Like the engine, it learns the house as it goes (into ``book``, a new
    one unless given): every turn's temperature, outdoor temperature and
    equipment are fed to the model, and the plugin looks ahead with what was
    learned so far.

    A turn whose inputs are those of the last one, before any moment at which
    time alone could change the decision (see :func:`steady_until`), gives
    the last decision again without working it out: the simulation then
    spends its time where something can happen. The learner still sees
    every turn, so what is learned and decided is exactly what deciding every
    turn would give (the control benchmark's figures are the same either way;
    ``skip_steady_turns=False`` decides every turn).
    """
    chosen = dict(options or {})
    safety = limits if limits is not None else SafetyLimits()
    models = book if book is not None else ModelBook()
    last: dict[str, Any] = {}

    def turn(given: TurnInput) -> TurnOutput:
        key = (given.instruction, given.default_weights, given.readings, given.equipment, given.next_change,
               given.outdoor)
        if skip_steady_turns and last and given.now < last["until"] and last["key"] == key:
            learner = last["learner"]
            if learner is not None and learner.model is last["model"]:
                learner.observe(given.now, last["temperature"], given.outdoor, given.equipment)
                output: TurnOutput = last["output"]
                quiet = min(last["until"], learner.quiet_until) if learner.model is last["model"] else given.now
                if quiet != output.quiet_until:
                    output = last["output"] = replace(output, quiet_until=quiet)
                return output
        counted = [s for s, w in weights_for(given.instruction, given.default_weights).items() if w > 0]
        learner = models.learner(counted)
        model = None if learner is None else learner.model
        prediction = models.prediction(given.now, counted, given.outdoor)
        result = decide_step(
            plugin, chosen, given.instruction, given.readings, given.default_weights, given.equipment,
            given.now, stale_after, safety, given.next_change, given.history, given.outdoor, None, prediction, zone,
        )
        temperature = None if result.temperature is None else result.temperature.value
        observed = models.observe(given.now, counted, temperature, given.outdoor, given.equipment)
        codes = frozenset(alert.code for alert in result.decision.alerts)
        until = steady_until(result, given, plugin, chosen, safety, stale_after) if skip_steady_turns else given.now
        quiet = until if observed is None else min(until, observed.quiet_until) if observed.model is model \
            else given.now  # what was just learned could change the next turn's decision
        output = TurnOutput(result.decision.desired, result.equipment, codes, quiet)
        last.update(key=key, learner=observed, model=model, output=output, temperature=temperature, until=until)
        return output

    return turn


STEADY_PLUGINS = frozenset({"predictive", "hysteresis", "bangbang"})


def steady_until(result: StepResult, given: TurnInput, plugin: DecisionPlugin, options: Mapping[str, Any],
                 limits: SafetyLimits, stale_after: float) -> float:
    """The first moment at which the same inputs could be decided differently, only because time has passed.

    For the shipped plugins that is when a counted report goes stale or
    leaves the trend's window, when a running function reaches its maximum
    run, and when an early start could begin, stop being held or come
    within reach (:func:`~rpymostat.decisions.predictive.early_start_moments`);
    a decision held back by a lockout, or any other plugin, promises nothing.
    """
    now = given.now
    if result.decision.lockout is not None or plugin.name not in STEADY_PLUGINS:
        return now
    moments = [math.inf]
    for sensor, weight in result.weights.items():
        if weight <= 0:
            continue
        reading = given.readings.get(sensor)
        if reading is not None:
            moments.append(reading.at + stale_after)
        moments.append(min((r.at for r in given.history.get(sensor, ()) if r.at > now - TREND_WINDOW),
                           default=math.inf) + TREND_WINDOW)
    for function in result.equipment.running:
        longest = limits.max_run.get(function)
        started = result.equipment.of(function).last_on
        if longest is not None and started is not None:
            moments.append(started + longest)
    if plugin.name == "predictive" and given.next_change is not None:
        settings = options_with_defaults(plugin.options_schema, options)
        moments.extend(early_start_moments(result.context, bool(settings["smart_recovery"]),
                                           float(settings["max_early_start"]),
                                           tolerances(result.context.instruction, settings)))
    return min(moments)


def bang_bang_baseline(band: float = BASELINE_BAND) -> Controller:
    """The naive thermostat: on below setpoint − band, off above setpoint + band, and nothing else.

    No minimum times, no maximum run, no frost floor, and it trusts the last
    value a sensor sent however old it is: the failings the engine's safety
    layer exists to avoid, so the benchmark shows what it costs and gains.
    """

    def turn(given: TurnInput) -> TurnOutput:
        weights = dict(given.instruction.sensors) or dict(given.default_weights)
        temperature = weighted_temperature(weights, given.readings, given.now, math.inf)
        value = None if temperature is None else temperature.value
        desired = _bang_bang(given.instruction, value, given.equipment, band)
        return TurnOutput(desired, apply_desired(given.equipment, desired, given.now))

    return turn


def _bang_bang(instruction: Instruction, t: float | None, equipment: EquipmentState, band: float) -> Desired:
    resting: Desired = "fan" if instruction.fan == "on" else "idle"
    if t is None:
        return resting
    heat_sp = instruction.heat_setpoint if instruction.mode in ("heat", "auto") else None
    cool_sp = instruction.cool_setpoint if instruction.mode in ("cool", "auto") else None
    if heat_sp is not None and (t < heat_sp - band or (equipment.heat.on and t <= heat_sp + band)):
        return "heat"
    if cool_sp is not None and (t > cool_sp + band or (equipment.cool.on and t >= cool_sp - band)):
        return "cool"
    return resting


def resolve_rules(
    schedules: Mapping[str, Mapping[str, Any]],
    overrides: Mapping[str, Mapping[str, Any]],
    default: Instruction,
    start: float,
    end: float,
    tz: str,
    sensors: Collection[str] = (),
) -> list[TimelineSegment]:
    """The timeline of rules written as API bodies (keyed by rule id), validated as the API validates them.

    Each segment's ``source`` is then ``"schedule:<id>"`` or ``"override:<id>"``,
    so a test or a scenario can tell which rule is in force.
    """
    limits = SetpointLimits()
    parsed_schedules = [
        parse_schedule(body, rule_id=rule_id, created_at=start, known_sensors=sensors, limits=limits)
        for rule_id, body in schedules.items()
    ]
    parsed_overrides = [
        parse_override(body, rule_id=rule_id, now=start, known_sensors=sensors, limits=limits)
        for rule_id, body in overrides.items()
    ]
    instant = [rule for rule in parsed_overrides if isinstance(rule, Adjustment)]
    plain = [rule for rule in parsed_overrides if not isinstance(rule, Adjustment)]
    return resolve(parsed_schedules, plain, instant, default, start, end, tz)


@dataclass(frozen=True)
class Sample:
    """The house as a user would find it at one moment, and what it was told to do."""

    at: float
    air: float
    outdoor: float
    instruction: Instruction
    heat: bool
    cool: bool
    fan: bool


@dataclass(frozen=True)
class Switch:
    """A relay changing state."""

    at: float
    function: Function
    on: bool


@dataclass(frozen=True)
class AlertChange:
    """The set of alert codes raised from ``at`` on."""

    at: float
    codes: frozenset[str]


@dataclass(frozen=True)
class Interval:
    """A stretch of time, e.g. one run or one rest of a function."""

    start: float
    end: float

    @property
    def length(self) -> float:
        return self.end - self.start


@dataclass
class Recording:
    """Everything the loop saw and did, for assertions and metrics."""

    started: float
    samples: list[Sample] = field(default_factory=list)
    switches: list[Switch] = field(default_factory=list)
    alerts: list[AlertChange] = field(default_factory=list)
    changes: list[tuple[float, Instruction]] = field(default_factory=list)

    def runs(self, function: Function) -> list[Interval]:
        """Completed runs of a function (a run still going at the end is left out)."""
        return self._spans(function, on=True)

    def rests(self, function: Function) -> list[Interval]:
        """Rests between two runs of a function (before the first and after the last are left out)."""
        return self._spans(function, on=False)

    def starts(self, function: Function) -> int:
        """How many times a function was switched on."""
        return sum(1 for s in self.switches if s.function == function and s.on)

    def alerts_at(self, at: float) -> frozenset[str]:
        """The alert codes raised at a moment."""
        codes: frozenset[str] = frozenset()
        for change in self.alerts:
            if change.at > at:
                break
            codes = change.codes
        return codes

    def _spans(self, function: Function, on: bool) -> list[Interval]:
        edges = [s for s in self.switches if s.function == function]
        return [
            Interval(begin.at, end.at)
            for begin, end in zip(edges, edges[1:], strict=False)
            if begin.on == on and end.on != on
        ]


class ClosedLoop:
    """A house, its sensors, a timeline and a controller, run on an injected ``task.Clock``.

    ``sensors`` maps the house's sensor IDs to their default weights (used
    when an instruction names none). Nothing runs until :meth:`run_for`,
    which advances the clock in steps no longer than the shortest interval
    so that every report, turn and sample happens at its own time.
    """

    def __init__(
        self,
        clock: Clock,
        house: SimulatedHouse,
        timeline: Sequence[TimelineSegment],
        controller: Controller,
        sensors: Mapping[str, float],
        sensor_interval: float = SENSOR_INTERVAL,
        decision_interval: float = ENGINE_DECISION_INTERVAL,
        sample_interval: float = 30.0,
        outdoor_sensor: bool = True,
    ) -> None:
        if not sensors:
            raise ValueError("the loop needs at least one sensor")
        self.clock = clock
        self.house = house
        self.timeline = list(timeline)
        self.controller = controller
        self.default_weights = dict(sensors)
        self.readings: dict[str, SensorReading] = {}
        self.outdoor: float | None = None
        self.outdoor_sensor = outdoor_sensor
        self.history: dict[str, list[SensorReading]] = {}
        self.silent: set[str] = set()
        self.equipment = EquipmentState.all_off_since(clock.seconds())
        self.recording = Recording(started=clock.seconds())
        self._instruction: Instruction | None = None
        self._timers: list[tuple[Callable[[], None], float]] = [
            (self._report, sensor_interval),
            (self._scheduled_turn, decision_interval),
            (self._sample, sample_interval),
        ]
        self._due: list[float] | None = None
        self._desired: Desired | None = None
        self._history_view: dict[str, tuple[SensorReading, ...]] = {}
        self._readings_view: dict[str, SensorReading] = {}
        self._rule: tuple[Instruction, tuple[float, Instruction] | None] = (OFF, None)
        self._rule_until = -math.inf
        self._quiet_until = -math.inf

    def silence(self, sensor_id: str) -> None:
        """The sensor stops reporting from now on, as a dead sensor or a crashed daemon would."""
        self.silent.add(sensor_id)

    def run_for(self, seconds: float) -> Recording:
        """Advance simulated time by ``seconds``; returns the recording so far.

        The loop keeps its own timetable (reports, turns and samples each on
        their interval, in that order when they fall together) and moves the
        clock from one due moment to the next, so anything else scheduled on
        the clock still fires at its time, and no time is spent on moments
        when nothing is due.
        """
        clock = self.clock
        if self._due is None:
            self._due = [clock.seconds()] * len(self._timers)
        due_times = self._due
        end = clock.seconds() + seconds
        while (due := min(due_times)) <= end + 1e-9:
            if due > clock.seconds():
                if clock.calls:
                    clock.advance(due - clock.seconds())
                else:
                    clock.rightNow = due  # nothing else is scheduled: moving the time is all advance() would do
            for index, (action, interval) in enumerate(self._timers):
                if due_times[index] <= due + 1e-9:
                    action()
                    due_times[index] += interval
        if end > clock.seconds():
            clock.advance(end - clock.seconds())
        return self.recording

    def stop(self) -> None:
        """Stop the timetable: a later :meth:`run_for` starts it again from that moment."""
        self._due = None

    def _report(self) -> None:
        now = self.clock.seconds()
        reported = False
        if self.outdoor_sensor:
            self.outdoor = self.house.outdoor_temperature()
        for sensor_id in self.default_weights:
            if sensor_id not in self.silent:
                reading = SensorReading(self.house.sensor_value(sensor_id), now)
                self.readings[sensor_id] = reading
                recent = [r for r in self.history.get(sensor_id, []) if r.at > now - TREND_WINDOW]
                self.history[sensor_id] = [*recent, reading]
                reported = True
        self._history_view = {k: tuple(v) for k, v in self.history.items()}
        self._readings_view = dict(self.readings)
        if reported:
            self._decide()

    def _rule_at(self, now: float) -> tuple[Instruction, tuple[float, Instruction] | None]:
        """The instruction in force and the next change, looked up again only once the next change is due."""
        if now >= self._rule_until:
            self._rule = (instruction_at(self.timeline, now) or OFF, next_change(self.timeline, now))
            self._rule_until = instruction_until(self.timeline, now)
        return self._rule

    def _scheduled_turn(self) -> None:
        """A turn on the engine's interval, left out while the controller said it would change nothing.

        Reports and rule changes are the only other inputs; a report makes
        its own turn, and the rule's next change ends the quiet.
        """
        now = self.clock.seconds()
        if now < self._quiet_until and now < self._rule_until:
            return
        self._decide()

    def _decide(self) -> None:
        now = self.clock.seconds()
        instruction, upcoming = self._rule_at(now)
        if instruction is not self._instruction and instruction != self._instruction:
            self._instruction = instruction
            self.recording.changes.append((now, instruction))
        given = TurnInput(instruction, self._readings_view, self.default_weights, self.equipment, now,
                          upcoming, self._history_view, self.outdoor)
        result = self.controller(given)
        self._quiet_until = result.quiet_until
        if result.equipment is not self.equipment:
            for function in FUNCTIONS:
                was, now_on = self.equipment.of(function).on, result.equipment.of(function).on
                if was != now_on:
                    self.recording.switches.append(Switch(now, function, now_on))
            self.equipment = result.equipment
        if result.desired != self._desired:  # the house catches up by itself; only a switch needs telling
            self._desired = result.desired
            self.house.set_equipment(**functions_for(result.desired))
        alerts = self.recording.alerts
        if (alerts[-1].codes if alerts else frozenset()) != result.alerts:
            alerts.append(AlertChange(now, result.alerts))

    def _sample(self) -> None:
        now = self.clock.seconds()
        relays = self.house.equipment
        self.recording.samples.append(Sample(
            at=now,
            air=self.house.state.air,
            outdoor=self.house.outdoor_temperature(),
            instruction=instruction_at(self.timeline, now) or OFF,
            heat=relays["heat"],
            cool=relays["cool"],
            fan=relays["fan"],
        ))
