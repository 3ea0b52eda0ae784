"""The default decision plugin: on/off control that looks ahead with what the engine learned of the house.

It does what the hysteresis plugin does (a band around the setpoint,
minimum run and rest times, decisions on the trend of the reports rather
than on one noisy report) and adds two things a wall thermostat cannot:

- **smart recovery**: before a scheduled change to a warmer (or, for
  cooling, cooler) target, it starts at the latest moment that still has
  the house at the new target at the scheduled minute, as the learned model
  predicts it (see :mod:`~rpymostat.prediction.recovery`). Until the model is
  confident it changes over at the scheduled minute, as before;
- **anticipation**: a furnace keeps warming the house for a while after it
  stops (and an air conditioner keeps cooling it); the plugin stops early
  by what the model expects to follow, so that lands on the band's edge
  instead of beyond it.

Heating starts at the setpoint minus the cold tolerance and stops at the
setpoint plus the hot tolerance; cooling starts at the setpoint plus the
hot tolerance and stops at the setpoint minus the cold one (the names and
meaning of Home Assistant's ``cold_tolerance`` and ``hot_tolerance``). A
rule's own ``tolerance`` sets both.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from typing import Any, Literal, NamedTuple

from rpymostat.decisions.band import thermal_call, with_minimum_times
from rpymostat.decisions.durations import local_clock
from rpymostat.decisions.model import (
    Decision,
    DecisionContext,
    format_temperature,
    mode_allows,
)
from rpymostat.decisions.plugin import options_with_defaults
from rpymostat.decisions.weighting import WeightedTemperature
from rpymostat.prediction.recovery import HousePrediction
from rpymostat.scheduling.instruction import Instruction

RUN_SLACK = 600.0
HOLD_BEFORE = 1800.0
FUNCTIONS: tuple[Literal["heat", "cool"], ...] = ("heat", "cool")


class PredictivePlugin:
    """Hysteresis with separate cold and hot tolerances, smart recovery and learned anticipation."""

    name = "predictive"
    description = (
        "Heats from the setpoint minus the cold tolerance to the setpoint plus the hot tolerance (the mirror "
        "image for cooling), deciding on the trend of the last reports. Once it has learned how the house "
        "warms and cools, it starts early so the house is at the next scheduled target at the scheduled "
        "minute, and stops early by the warmth (or cold) still to come after the equipment stops."
    )
    options_schema: Mapping[str, Any] = {
        "type": "object",
        "properties": {
            "cold_tolerance": {
                "type": "number", "minimum": 0, "maximum": 5, "default": 0.3,
                "description": "°C below the heat setpoint at which heating starts, and below the cool setpoint "
                               "at which cooling stops (a rule's own tolerance sets both tolerances).",
            },
            "hot_tolerance": {
                "type": "number", "minimum": 0, "maximum": 5, "default": 0.3,
                "description": "°C above the heat setpoint at which heating stops, and above the cool setpoint "
                               "at which cooling starts.",
            },
            "min_on_time": {
                "type": "number", "minimum": 0, "maximum": 3600, "default": 300,
                "description": "Seconds a heat or cool run lasts at least once started "
                               "(the engine's safety minimum applies when longer).",
            },
            "min_off_time": {
                "type": "number", "minimum": 0, "maximum": 3600, "default": 300,
                "description": "Seconds heat or cool rests at least before starting again "
                               "(the engine's safety minimum applies when longer).",
            },
            "smoothing": {
                "type": "boolean", "default": True,
                "description": "Decide on the least-squares line through the reports since the equipment last "
                               "switched instead of the last report alone, so sensor noise does not start or stop "
                               "the equipment.",
            },
            "smart_recovery": {
                "type": "boolean", "default": True,
                "description": "Start early so the house is at the next scheduled target at the scheduled minute, "
                               "once the engine has learned the house well enough (see GET /v1/model).",
            },
            "max_early_start": {
                "type": "number", "minimum": 0, "maximum": 43200, "default": 10800,
                "description": "Seconds before a scheduled change that an early start may begin at the earliest.",
            },
            "anticipation": {
                "type": "boolean", "default": True,
                "description": "Stop early by the rise (or fall) the learned model expects after the equipment "
                               "stops, so the temperature lands on the band's edge.",
            },
        },
        "additionalProperties": False,
    }

    def decide(self, context: DecisionContext, options: Mapping[str, Any]) -> Decision:
        """The desired state, with smart recovery and anticipation, held back by the minimum on and off times."""
        settings = options_with_defaults(self.options_schema, options)
        early = early_start(context, bool(settings["smart_recovery"]), float(settings["max_early_start"]),
                            tolerances(context.instruction, settings))
        if early is not None:
            context = replace(context, instruction=early.instruction)
        instruction = context.instruction
        cold, hot = tolerances(instruction, settings)
        if early is not None and early.holding:
            cold, hot = (0.0, hot) if early.function == "heat" else (cold, 0.0)
        judged, note = _judged(context, bool(settings["smoothing"]), bool(settings["anticipation"]))
        call, reason = thermal_call(judged, cold, inclusive=True, hot=hot)
        if instruction.mode != "off":
            reason += note
        if early is not None:
            reason = f"{early.reason}; {reason}"
        return with_minimum_times(context, call, reason, float(settings["min_on_time"]),
                                  float(settings["min_off_time"]))


def tolerances(instruction: Instruction, settings: Mapping[str, Any]) -> tuple[float, float]:
    """(cold, hot): the rule's own tolerance for both when it sets one, else the plugin's options."""
    if instruction.tolerance is not None:
        return instruction.tolerance, instruction.tolerance
    return float(settings["cold_tolerance"]), float(settings["hot_tolerance"])


class EarlyStart(NamedTuple):
    """An early start in force: the instruction with the next target, why, for which function, and whether the
    house has already reached that target and is being held there until the change."""

    instruction: Instruction
    reason: str
    function: Literal["heat", "cool"]
    holding: bool


def early_start(
    context: DecisionContext, enabled: bool, max_early: float, held_edges: tuple[float, float]
) -> EarlyStart | None:
    """The next instruction's target and the reason, when now is the time to start early for it.

    Early starts need a confident model, a system that is on now in a mode
    that allows the function, and a next change that asks for more of it (a
    warmer heat target, a cooler cool target). While the equipment is
    already running for it, a start up to ten minutes later still counts as
    now, so a house that warms a touch faster than predicted does not stop
    and start again; and in the last half hour before the change a house
    that has reached the new target is held there rather than left to fall
    back (the air cools quickly towards the walls once a long run stops):
    heating then starts again as soon as the house is below the target, not
    the target less the tolerance, so the occupied time does not begin with
    the house sagging through it. ``held_edges`` are the (cold, hot) tolerances: the present rule holds the
    house at its setpoint minus the cold one (heating) until the start.
    """
    upcoming, prediction, temperature = context.next_change, context.prediction, context.temperature
    if not enabled or upcoming is None or prediction is None or temperature is None:
        return None
    at, target_rule = upcoming
    now, current = context.now, context.instruction
    if at <= now or at - now > max_early:
        return None
    value = context.trend.value if context.trend is not None else temperature.value
    prediction = _from_the_report(prediction, temperature, now)
    cold, hot = held_edges
    for function, new, held in early_start_candidates(current, target_rule, held_edges, prediction):
        holding = new - cold <= value <= new + hot and at - now <= HOLD_BEFORE
        running = context.equipment.of(function).on
        continuing = running and _started_for(prediction, function, new, at, max_early, held)
        if not holding and not continuing:
            start = prediction.planned_start(value, function, new, at, max_early, held)
            slack = RUN_SLACK if running else 0.0
            if start is None or now < start - slack:
                continue
        effective = (replace(current, heat_setpoint=new) if function == "heat"
                     else replace(current, cool_setpoint=new))
        verb = "heating" if function == "heat" else "cooling"
        reason = f"{verb} early to reach {format_temperature(new)} at {local_clock(at, context.zone)}"
        return EarlyStart(effective, reason, function, holding)
    return None


def _from_the_report(prediction: HousePrediction, temperature: WeightedTemperature, now: float) -> HousePrediction:
    """The prediction looking ahead from when the temperature was measured rather than from the turn.

    The temperature is that of the newest report, so the drift until a start
    is counted from then; the plan is then the same on every turn until the
    next report, and does not creep with the turns in between.
    """
    measured = temperature.measured_at
    if measured is None or measured >= now:
        return prediction
    return replace(prediction, now=measured)


def early_start_moments(
    context: DecisionContext, enabled: bool, max_early: float, held_edges: tuple[float, float]
) -> list[float]:
    """The moments after now at which :func:`early_start` could answer differently with the same inputs.

    Before the early-start window, its opening; inside it, each candidate's
    planned start (less the slack a running start gets) and the last half
    hour's hold. A run continuing an early start promises nothing new: it is
    judged from where it started. What a caller that wants to skip turns
    which would decide the same needs to know (the simulator does).
    """
    upcoming, prediction, temperature = context.next_change, context.prediction, context.temperature
    if not enabled or upcoming is None or prediction is None or temperature is None:
        return []
    at, target_rule = upcoming
    now = context.now
    if at <= now:
        return []
    if at - now > max_early:
        return [at - max_early]
    value = context.trend.value if context.trend is not None else temperature.value
    prediction = _from_the_report(prediction, temperature, now)
    moments = [at - HOLD_BEFORE]
    for function, new, held in early_start_candidates(context.instruction, target_rule, held_edges, prediction):
        running = context.equipment.of(function).on
        if running and _started_for(prediction, function, new, at, max_early, held):
            continue
        start = prediction.planned_start(value, function, new, at, max_early, held)
        if start is not None:
            moments.append(start - (RUN_SLACK if running else 0.0))
    return [moment for moment in moments if moment > now]


def _started_for(prediction: HousePrediction, function: Literal["heat", "cool"], target: float, at: float,
                 max_early: float, held: float | None) -> bool:
    """Whether the run of ``function`` in progress is this early start: the plan, made when the run started from
    where the house and the weather were then and with the model of then, had it start then. Such a run goes on to the target: re-planned mid-run, the quick warming of
    the air would make it look early and stop it, and the air would fall back onto the cold walls."""
    run = prediction.run
    if run is None or run.at < at - max_early:
        return False
    planned = replace(prediction, now=run.at, model=run.model or prediction.model,
                      outdoor_now=run.temperature - run.difference)
    then = planned.planned_start(run.temperature, function, target, at, max_early, held)
    return then is not None and run.at >= then - RUN_SLACK


def early_start_candidates(
    current: Instruction,
    upcoming: Instruction,
    held_edges: tuple[float, float],
    prediction: HousePrediction | None = None,
) -> Iterator[tuple[Literal["heat", "cool"], float, float | None]]:
    """(function, new target, where the present rule holds the house) for each function the change from
    ``current`` to ``upcoming`` could be started early for: both rules allow it, and the new one asks for
    more of it (a warmer heat target, a cooler cool target). With a ``prediction``, only the functions
    it is confident about."""
    cold, hot = held_edges
    for function in FUNCTIONS:
        if not (mode_allows(current, function) and mode_allows(upcoming, function)):
            continue
        new, old = _setpoint(upcoming, function), _setpoint(current, function)
        if new is None or (old is not None and not _asks_more(function, old, new)):
            continue
        if prediction is not None and not prediction.confident(function):
            continue
        yield function, new, None if old is None else old - cold if function == "heat" else old + hot


def _setpoint(instruction: Instruction, function: Literal["heat", "cool"]) -> float | None:
    return instruction.heat_setpoint if function == "heat" else instruction.cool_setpoint


def _asks_more(function: Literal["heat", "cool"], old: float, new: float) -> bool:
    return new > old if function == "heat" else new < old


def _judged(context: DecisionContext, smoothing: bool, anticipation: bool) -> tuple[DecisionContext, str]:
    """The context with the temperature the band is applied to, and how it was arrived at (for the reason).

    The trend of the reports since the last switch stands for the
    temperature when there is one; while heating or cooling runs, the rise
    or fall the model expects after a stop is added, so the equipment stops
    when what is still to come lands on the edge.
    """
    trend, temperature = (context.trend if smoothing else None), context.temperature
    if temperature is None:
        return context, ""
    value = trend.value if trend is not None else temperature.value
    parts = [f"trend of {trend.readings} reports, {trend.rate_per_hour:+.1f} °C/h"] if trend is not None else []
    running = context.current
    prediction = context.prediction
    if anticipation and running in ("heat", "cool") and prediction is not None and prediction.confident(running):
        still = prediction.model.after_stop(running).amount
        if still > 0:
            value += still if running == "heat" else -still
            sign = "+" if running == "heat" else "−"
            parts.append(f"{sign}{still:.1f} °C still to come after a stop")
    if not parts:
        return context, ""
    return replace(context, temperature=replace(temperature, value=value)), f" ({'; '.join(parts)})"


predictive = PredictivePlugin()


def planned_early_starts(
    prediction: HousePrediction,
    temperature: float,
    current: Instruction,
    changes: Sequence[tuple[float, Instruction]],
    options: Mapping[str, Any],
) -> dict[float, tuple[float, Literal["heat", "cool"], float]]:
    """For each upcoming change the plugin would start early for: (planned start, function, target), by the
    change's time. The first change starts from the temperature now; a later one from the target the rule
    before it holds. What the timeline shows ahead of time; each turn decides afresh."""
    settings = options_with_defaults(PredictivePlugin.options_schema, options)
    if not settings["smart_recovery"]:
        return {}
    max_early = float(settings["max_early_start"])
    found: dict[float, tuple[float, Literal["heat", "cool"], float]] = {}
    before, value = current, temperature
    for at, rule in changes:
        for function, new, held in early_start_candidates(before, rule, tolerances(before, settings), prediction):
            ahead = replace(prediction, now=max(prediction.now, at - max_early))
            start = ahead.planned_start(value, function, new, at, max_early, held)
            if start is not None:
                found[at] = (start, function, new)
                break
        before = rule
        value = _setpoint(rule, "heat") or _setpoint(rule, "cool") or value
    return found
