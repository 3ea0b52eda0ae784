"""The target and the equipment's on/off periods, read back from recorded decisions.

The decision loop records each decision with the instruction (setpoints)
and the equipment's state (``on`` and ``since`` per function) when anything
changes and at least every few minutes. Turning that log into periods and
steps is pure, so it is tested without an engine.

A chart needs only a few fields of each decision, and those change far
less often than decisions are recorded. So beside a decision whose fields
differ from the previous one's, the loop records them alone
(:func:`chart_fields`) in :data:`CHANGES_STREAM`, in the same write: a
week's chart reads a few hundred small entries rather than decoding a
thousand whole decisions. Skipping the unchanged ones changes neither
function below, except for the time of the last decision, which
:func:`equipment_periods` is then given.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rpymostat.common.timeutil import TimestampError, from_iso

# (time the decision was recorded, the recorded decision), oldest first.
Entry = tuple[float, dict[str, Any]]

# The log stream of the chart's fields of decisions that changed them.
CHANGES_STREAM = "decision_changes"


def chart_fields(decision: dict[str, Any]) -> dict[str, Any]:
    """What the chart reads of a decision, in the decision's own shape (so either feeds the functions below)."""
    instruction = decision.get("instruction") or {}
    return {
        "instruction": {name: instruction.get(name) for name in ("mode", "heat_setpoint", "cool_setpoint")},
        "equipment": {function: {"on": bool(state.get("on")), "since": state.get("since")}
                      for function, state in (decision.get("equipment") or {}).items()},
    }


@dataclass(frozen=True)
class Period:
    """One stretch during which a function (heat, cool, fan) was on; ``on_seconds`` < length once merged."""

    function: str
    start: float
    end: float
    on_seconds: float


@dataclass(frozen=True)
class TargetStep:
    """The setpoints in force from ``at`` until the next step."""

    at: float
    mode: str | None
    heat: float | None
    cool: float | None


def _since(state: dict[str, Any], fallback: float) -> float:
    try:
        return from_iso(state["since"]) if state.get("since") else fallback
    except TimestampError:
        return fallback


def equipment_periods(entries: Sequence[Entry], start: float, end: float, holds_for: float,
                      last_at: float | None = None) -> list[Period]:
    """On-periods per function within [start, end], ordered by function then time.

    A function's last known "on" is trusted for ``holds_for`` seconds after
    the last recorded decision (the loop records at least that often), so an
    engine that stopped does not draw a furnace running forever. That
    decision is the last entry unless ``last_at`` says when it was (the
    entries being only the changes).
    """
    periods: list[Period] = []
    functions = sorted({name for _, data in entries for name in data.get("equipment", {})})
    if last_at is None:
        last_at = entries[-1][0] if entries else start
    for function in functions:
        on_since: float | None = None
        for at, data in entries:
            state = data.get("equipment", {}).get(function)
            if state is None:
                continue
            if state.get("on") and on_since is None:
                on_since = min(_since(state, at), at)
            elif not state.get("on") and on_since is not None:
                periods.append(_clipped(function, on_since, max(min(_since(state, at), at), on_since), start, end))
                on_since = None
        if on_since is not None:
            periods.append(_clipped(function, on_since, last_at + holds_for, start, end))
    return [p for p in periods if p.end > p.start]


def _clipped(function: str, on: float, off: float, start: float, end: float) -> Period:
    begin, finish = max(on, start), min(off, end)
    return Period(function, begin, finish, max(finish - begin, 0.0))


def merge_periods(periods: Sequence[Period], gap: float) -> list[Period]:
    """Join periods of one function less than ``gap`` apart, so a year fits a chart.

    The joined period keeps the sum of its on-times, so a chart can still
    shade it by how much of it the equipment ran.
    """
    merged: list[Period] = []
    for period in sorted(periods, key=lambda p: (p.function, p.start)):
        last = merged[-1] if merged else None
        if last is not None and last.function == period.function and period.start - last.end < gap:
            merged[-1] = Period(last.function, last.start, max(last.end, period.end),
                                last.on_seconds + period.on_seconds)
        else:
            merged.append(period)
    return merged


def target_steps(entries: Sequence[Entry], start: float, end: float) -> list[TargetStep]:
    """The setpoints over [start, end]: one step each time they (or the mode) changed."""
    steps: list[TargetStep] = []
    for at, data in entries:
        if at >= end:
            break
        instruction = data.get("instruction") or {}
        step = TargetStep(max(at, start), instruction.get("mode"), instruction.get("heat_setpoint"),
                          instruction.get("cool_setpoint"))
        if steps and (steps[-1].mode, steps[-1].heat, steps[-1].cool) == (step.mode, step.heat, step.cool):
            continue
        if steps and steps[-1].at == step.at:
            steps[-1] = step
        else:
            steps.append(step)
    return steps
