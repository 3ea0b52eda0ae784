"""How a decision is shown: JSON for the API and one sentence for people.

"heating: living room 19.2 °C weighted, target 21.0 °C until 22:00, on since
18:03" — the sentence a user reads to know why the furnace is (or is not)
running, built from the same data the API returns (the vocabulary's
:class:`~rpymostat.common.vocabulary.DecisionRecord`).
"""

from __future__ import annotations

from collections.abc import Mapping

from rpymostat.common.vocabulary import (
    AlertRecord,
    DecisionRecord,
    DroppedSensorRecord,
    EquipmentRecord,
    InstructionRecord,
    LockoutRecord,
    TemperatureRecord,
)
from rpymostat.decisions.durations import local_clock
from rpymostat.decisions.equipment import FUNCTIONS
from rpymostat.decisions.model import format_temperature
from rpymostat.decisions.step import StepResult
from rpymostat.scheduling.instruction import Instruction

VERBS = {"heat": "heating", "cool": "cooling", "fan": "fan only", "idle": "idle"}


def instruction_record(instruction: Instruction) -> InstructionRecord:
    return InstructionRecord(instruction.mode, instruction.heat_setpoint, instruction.cool_setpoint, instruction.fan,
                             dict(instruction.sensors), instruction.tolerance, instruction.source, instruction.until,
                             instruction.preset)


def summary(result: StepResult, names: Mapping[str, str], tz: str) -> str:
    """One sentence saying what runs and why."""
    decision = result.decision
    instruction = result.context.instruction
    parts = [VERBS[decision.desired]]
    temperature = result.temperature
    if temperature is not None:
        used = [names.get(sensor_id, sensor_id) for sensor_id in temperature.weights]
        where = used[0] if len(used) == 1 else ", ".join(used)
        parts.append(f"{where} {format_temperature(temperature.value)}" + (" weighted" if len(used) > 1 else ""))
    targets = []
    if instruction.mode in ("heat", "auto") and instruction.heat_setpoint is not None:
        targets.append(format_temperature(instruction.heat_setpoint))
    if instruction.mode in ("cool", "auto") and instruction.cool_setpoint is not None:
        targets.append(format_temperature(instruction.cool_setpoint))
    if instruction.mode == "off":
        target = "system off"
    else:
        target = "target " + "–".join(targets) if targets else f"mode {instruction.mode}"
    if instruction.until is not None:
        target += f" until {local_clock(instruction.until, tz)}"
    parts.append(target)
    running = result.equipment.of(decision.desired) if decision.desired != "idle" else None
    if running is not None and running.on and running.since is not None:
        parts.append(f"on since {local_clock(running.since, tz)}")
    text = parts[0] + ": " + ", ".join(parts[1:])
    if decision.lockout is not None:
        text += f" ({decision.lockout.describe()})"
    return text


def decision_record(
    result: StepResult, plugin: str, names: Mapping[str, str], tz: str, outdoor: float | None = None
) -> DecisionRecord:
    """Everything the API shows about one decision; ``outdoor`` is the outdoor temperature then (°C), if known."""
    decision = result.decision
    temperature = result.temperature
    lockout = decision.lockout
    return DecisionRecord(
        at=result.context.now,
        desired=decision.desired,
        reason=decision.reason,
        summary=summary(result, names, tz),
        plugin=plugin,
        lockout=None if lockout is None else LockoutRecord(
            lockout.function, lockout.action, lockout.rule, round(lockout.remaining, 1), lockout.describe()),
        alerts=tuple(AlertRecord(alert.code, alert.message) for alert in decision.alerts),
        temperature=None if temperature is None else TemperatureRecord(
            round(temperature.value, 3), dict(temperature.weights),
            tuple(DroppedSensorRecord(d.sensor_id, d.reason, d.describe()) for d in temperature.dropped)),
        outdoor=None if outdoor is None else round(outdoor, 3),
        instruction=instruction_record(result.context.instruction),
        equipment={function: EquipmentRecord(result.equipment.of(function).on, result.equipment.of(function).since)
                   for function in FUNCTIONS},
    )
