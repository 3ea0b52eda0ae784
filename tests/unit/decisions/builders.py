"""Small builders so each test states only what matters to it."""

from __future__ import annotations

from rpymostat.decisions.equipment import EquipmentState, FunctionState
from rpymostat.decisions.model import DecisionContext
from rpymostat.decisions.weighting import WeightedTemperature
from rpymostat.scheduling.instruction import Instruction

NOW = 1_800_000_000.0
LONG_AGO = NOW - 86_400.0


def temperature(value: float) -> WeightedTemperature:
    return WeightedTemperature(value=value, weights={"living": 1.0})


def running(function: str, for_seconds: float) -> EquipmentState:
    """One function on for ``for_seconds``; everything else off for a day."""
    rested = FunctionState(on=False, last_on=LONG_AGO - 600, last_off=LONG_AGO)
    states = {name: rested for name in ("heat", "cool", "fan")}
    states[function] = FunctionState(on=True, last_on=NOW - for_seconds, last_off=LONG_AGO)
    return EquipmentState(**states)


def rested(function: str | None = None, for_seconds: float = 86_400.0, last_run: float = 600.0) -> EquipmentState:
    """Everything off for a day, except ``function`` which stopped ``for_seconds`` ago after ``last_run``."""
    long_rest = FunctionState(on=False, last_on=LONG_AGO - 600, last_off=LONG_AGO)
    states = {name: long_rest for name in ("heat", "cool", "fan")}
    if function is not None:
        stopped = NOW - for_seconds
        states[function] = FunctionState(on=False, last_on=stopped - last_run, last_off=stopped)
    return EquipmentState(**states)


def context(
    mode: str = "heat",
    temp: float | None = 21.0,
    equipment: EquipmentState | None = None,
    heat: float | None = 21.0,
    cool: float | None = 25.0,
    fan: str = "auto",
    tolerance: float | None = None,
) -> DecisionContext:
    instruction = Instruction(
        mode=mode,  # type: ignore[arg-type]
        heat_setpoint=heat,
        cool_setpoint=cool,
        fan=fan,  # type: ignore[arg-type]
        sensors={"living": 1.0},
        tolerance=tolerance,
    )
    return DecisionContext(
        instruction=instruction,
        temperature=None if temp is None else temperature(temp),
        equipment=equipment if equipment is not None else rested(),
        now=NOW,
    )
