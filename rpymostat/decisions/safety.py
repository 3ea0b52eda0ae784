"""The safety layer: rules that hold whatever the decision plugin says.

Every plugin's answer passes through :func:`apply_safety` before it reaches
a relay. These rules protect the equipment and the house, so no plugin
option and no instruction can switch them off:

- heat and cool never run together (a decision names one function);
- heat and cool run only in a mode that allows them (frost protection aside);
- a function never starts before its minimum off time has passed;
- a running function keeps running for its minimum run time when the plugin
  wants it to stop, but stops at once when the user's mode forbids it (e.g.
  mode ``off``) or no temperature is known;
- a function that ran its maximum continuous time stops and rests;
- below the frost floor the house is heated, even in mode ``off``;
- with no usable temperature everything is off and an alert says why.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from rpymostat.decisions.durations import format_duration
from rpymostat.decisions.equipment import FUNCTIONS, EquipmentState, Function
from rpymostat.decisions.model import (
    DESIRED,
    Alert,
    Decision,
    DecisionContext,
    Desired,
    Lockout,
    format_temperature,
    mode_allows,
)

MINIMUM_OFF_TIME = "minimum off time"
MINIMUM_RUN_TIME = "minimum run time"
FORCED_REST = "rest after maximum run time"


def _default_min_on() -> dict[Function, float]:
    return {"heat": 300.0, "cool": 300.0, "fan": 0.0}


def _default_min_off() -> dict[Function, float]:
    return {"heat": 300.0, "cool": 300.0, "fan": 0.0}


def _default_max_run() -> dict[Function, float | None]:
    return {"heat": 4 * 3600.0, "cool": 4 * 3600.0, "fan": None}


@dataclass(frozen=True)
class SafetyLimits:
    """Equipment and house protection, in seconds and °C.

    The defaults keep every run and every rest of a furnace or an
    air-conditioning compressor at least 5 minutes long (what their makers
    ask for: shorter runs wear igniters and compressors and never reach
    steady efficiency), rest either after 4 hours of continuous running
    unless the learned model sees the run doing what it expects (then after
    at most ``max_run_stretch`` times as long), and keep the house above 5 °C. ``frost_margin`` is
    how far above the floor frost heating continues once started, so it does
    not chatter at the floor. The engine builds its limits from the
    ``RPYMOSTAT_*`` safety settings (see
    :func:`rpymostat.engine.loop.limits.configured_limits`), whose defaults
    are these.
    """

    min_on: Mapping[Function, float] = field(default_factory=_default_min_on)
    min_off: Mapping[Function, float] = field(default_factory=_default_min_off)
    max_run: Mapping[Function, float | None] = field(default_factory=_default_max_run)
    forced_rest: float = 600.0
    frost_floor: float | None = 5.0
    frost_margin: float = 1.0
    max_run_stretch: float = 3.0

    def __post_init__(self) -> None:
        for function in FUNCTIONS:
            if self.min_on.get(function, 0.0) < 0 or self.min_off.get(function, 0.0) < 0:
                raise ValueError(f"minimum times of {function} must not be negative")
            longest = self.max_run.get(function)
            if longest is not None and longest <= self.min_on.get(function, 0.0):
                raise ValueError(f"maximum run time of {function} must be longer than its minimum run time")
        if self.max_run_stretch < 1:
            raise ValueError("the maximum run may be stretched, not shortened: max_run_stretch must be at least 1")
        if self.forced_rest <= 0 or self.frost_margin < 0:
            raise ValueError("the forced rest must be positive and the frost margin not negative")


def apply_safety(decision: Decision, context: DecisionContext, limits: SafetyLimits) -> Decision:
    """The plugin's decision, corrected so that every safety rule holds."""
    alerts = list(decision.alerts)
    temperature = context.temperature
    if temperature is None:
        sensors = ", ".join(sorted(context.instruction.sensors)) or "the default sensors"
        alerts.append(Alert(
            "no_temperature",
            f"No usable temperature from {sensors}: every sensor is stale or missing, "
            "so heating and cooling are off until a sensor reports again.",
        ))
        return Decision("idle", "no usable temperature: everything off", None, tuple(alerts))
    if temperature.dropped:
        alerts.append(Alert(
            "sensors_dropped",
            "Left out of the temperature: " + "; ".join(d.describe() for d in temperature.dropped) + ".",
        ))

    wanted, reason, lockout = decision.desired, decision.reason, decision.lockout
    if wanted not in DESIRED:
        alerts.append(Alert("plugin_error", f"The decision plugin asked for {wanted!r}, which is not a state."))
        wanted, reason, lockout = "idle", "the decision plugin gave no valid state", None

    if wanted in ("heat", "cool") and not mode_allows(context.instruction, wanted):
        fallback: Desired = "fan" if context.instruction.fan == "on" else "idle"
        reason = f"mode {context.instruction.mode} does not allow {wanted}"
        wanted, lockout = fallback, None

    floor = limits.frost_floor
    if floor is not None:
        t = temperature.value
        heating = context.equipment.heat.on
        if t < floor or (heating and t < floor + limits.frost_margin):
            if wanted != "heat":
                wanted, lockout = "heat", None
                reason = f"frost protection: {format_temperature(t)}, floor {format_temperature(floor)}"
            if t < floor:
                alerts.append(Alert(
                    "frost",
                    f"The house is at {format_temperature(t)}, below the frost floor of "
                    f"{format_temperature(floor)}; heating regardless of the mode.",
                ))

    return _enforce_timing(wanted, reason, lockout, context, limits, alerts)


def _enforce_timing(
    wanted: Desired,
    reason: str,
    lockout: Lockout | None,
    context: DecisionContext,
    limits: SafetyLimits,
    alerts: list[Alert],
) -> Decision:
    """Apply maximum run, minimum run and minimum off, in that order of precedence."""
    equipment, now, instruction = context.equipment, context.now, context.instruction
    running = equipment.running

    exhausted = {f for f in running if _over_max_run(equipment, f, now, limits) and not _delivering(context, f, limits)}
    for function in exhausted:
        alerts.append(_max_run_alert(function, limits))

    if wanted in exhausted:
        rest = max(limits.forced_rest, limits.min_off.get(wanted, 0.0))
        held = Lockout(wanted, "start", FORCED_REST, rest)
        return _held_off(wanted, held, reason, context, limits, alerts)

    for function in running:
        if function == wanted or function in exhausted or not mode_allows(instruction, function):
            continue
        ran = equipment.of(function).on_for(now)
        minimum = limits.min_on.get(function, 0.0)
        if ran is not None and ran < minimum:
            held = Lockout(function, "stop", MINIMUM_RUN_TIME, minimum - ran)
            return Decision(function, f"{reason}, but {held.describe()}", held, tuple(alerts))

    if wanted != "idle" and wanted not in running:
        held_start = _start_lockout(equipment, wanted, now, limits)
        if held_start is not None:
            if held_start.rule == FORCED_REST:
                alerts.append(_max_run_alert(wanted, limits))
            return _held_off(wanted, held_start, reason, context, limits, alerts)

    return Decision(wanted, reason, lockout, tuple(alerts))


def _held_off(
    function: Function,
    held: Lockout,
    reason: str,
    context: DecisionContext,
    limits: SafetyLimits,
    alerts: list[Alert],
) -> Decision:
    """The decision when ``function`` may not run: the fan if the user wants it and it may run, else idle."""
    fallback: Desired = "idle"
    if function != "fan" and context.instruction.fan == "on":
        fan = context.equipment.fan
        fan_may_run = (not _over_max_run(context.equipment, "fan", context.now, limits) if fan.on
                       else _start_lockout(context.equipment, "fan", context.now, limits) is None)
        if fan_may_run:
            fallback = "fan"
    return Decision(fallback, f"{reason}, but {held.describe()}", held, tuple(alerts))


def _over_max_run(equipment: EquipmentState, function: Function, now: float, limits: SafetyLimits) -> bool:
    longest = limits.max_run.get(function)
    ran = equipment.of(function).on_for(now)
    return longest is not None and ran is not None and ran >= longest


def _delivering(context: DecisionContext, function: Function, limits: SafetyLimits) -> bool:
    """Whether a run past its maximum is doing what the learned model expects of it, so it may go on.

    A heavy house with a modest furnace can need more than four hours to
    come back from a long setback; stopping it then only makes it later and
    raises a false alarm. So a run goes on, up to ``max_run_stretch`` times
    the maximum, while it has changed the temperature by at least half of
    what the model expects of a run this long from where it started, and
    the target is not yet reached. An open window or a failing unit falls
    short of that and is stopped, with the alert.
    """
    prediction, temperature = context.prediction, context.temperature
    if function == "fan" or prediction is None or temperature is None or not prediction.confident(function):
        return False
    longest = limits.max_run.get(function)
    ran = context.equipment.of(function).on_for(context.now)
    run = prediction.run
    if longest is None or ran is None or run is None or ran > longest * limits.max_run_stretch:
        return False
    setpoint = context.instruction.heat_setpoint if function == "heat" else context.instruction.cool_setpoint
    sign = 1.0 if function == "heat" else -1.0
    if setpoint is None or sign * (temperature.value - setpoint) >= 0:
        return False
    expected = prediction.expected_change(function, ran)
    return expected is not None and expected > 0 and sign * (temperature.value - run.temperature) >= expected / 2


def _start_lockout(equipment: EquipmentState, function: Function, now: float, limits: SafetyLimits) -> Lockout | None:
    """Why ``function`` may not start yet, if it may not: minimum off time or a forced rest."""
    state = equipment.of(function)
    rested = state.off_for(now)
    if rested is None:
        return None
    required, rule = limits.min_off.get(function, 0.0), MINIMUM_OFF_TIME
    longest, last_run = limits.max_run.get(function), state.last_run()
    if longest is not None and last_run is not None and last_run >= longest and limits.forced_rest > required:
        required, rule = limits.forced_rest, FORCED_REST
    if rested >= required:
        return None
    return Lockout(function, "start", rule, required - rested)


def _max_run_alert(function: Function, limits: SafetyLimits) -> Alert:
    longest = limits.max_run.get(function) or 0.0
    return Alert(
        "max_run",
        f"{function} ran for {format_duration(longest)} without stopping and is resting for "
        f"{format_duration(limits.forced_rest)}; check for an open window or a failing unit.",
    )
