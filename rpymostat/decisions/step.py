"""One turn of the decision loop as a pure function.

The engine's loop, the closed-loop tests and the control benchmark all call
this same function, so what is measured and tested is what runs: the
instruction and the sensor reports in, the plugin's wish through the safety
layer, the new equipment state out. No clock, no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from rpymostat.decisions.equipment import EquipmentState
from rpymostat.decisions.model import Alert, Decision, DecisionContext, apply_desired
from rpymostat.decisions.plugin import DecisionPlugin, options_with_defaults
from rpymostat.decisions.safety import SafetyLimits, apply_safety
from rpymostat.decisions.trend import weighted_trend
from rpymostat.decisions.weighting import SensorReading, WeightedTemperature, weighted_temperature
from rpymostat.prediction.recovery import HousePrediction
from rpymostat.scheduling.instruction import Instruction
from rpymostat.weather.forecast import OutdoorForecast


@dataclass(frozen=True)
class StepResult:
    """What one turn decided, with the inputs it decided from."""

    decision: Decision
    context: DecisionContext
    weights: Mapping[str, float]
    equipment: EquipmentState

    @property
    def temperature(self) -> WeightedTemperature | None:
        return self.context.temperature


def weights_for(instruction: Instruction, default_weights: Mapping[str, float]) -> dict[str, float]:
    """The sensor weights a turn uses: the instruction's own, or the defaults when it names none."""
    return dict(instruction.sensors) or dict(default_weights)


def decide_step(
    plugin: DecisionPlugin,
    options: Mapping[str, Any],
    instruction: Instruction,
    readings: Mapping[str, SensorReading],
    default_weights: Mapping[str, float],
    equipment: EquipmentState,
    now: float,
    stale_after: float,
    limits: SafetyLimits,
    next_change: tuple[float, Instruction] | None = None,
    history: Mapping[str, Sequence[SensorReading]] | None = None,
    outdoor: float | None = None,
    forecast: OutdoorForecast | None = None,
    prediction: HousePrediction | None = None,
    zone: str = "UTC",
) -> StepResult:
    """Decide what the equipment does now, never trusting the plugin with safety.

    An instruction that names no sensors uses ``default_weights``; a plugin
    that raises is treated as asking for idle, with an alert. ``history``
    holds each sensor's recent reports (any order), from which the trend in
    the plugin's context is computed over the sensors the temperature used;
    without it the context has no trend. ``outdoor``, ``forecast``,
    ``prediction`` and ``zone`` reach the plugin as they are.
    """
    weights = weights_for(instruction, default_weights)
    temperature = weighted_temperature(weights, readings, now, stale_after)
    trend = None if temperature is None or not history else weighted_trend(
        temperature.weights, history, now, since=equipment.last_switch)
    context = DecisionContext(instruction, temperature, equipment, now, next_change, trend, outdoor, forecast,
                              prediction, zone)
    try:
        wished = plugin.decide(context, options_with_defaults(plugin.options_schema, options))
    except Exception as exc:  # a third-party plugin's bug must not leave the furnace running
        wished = Decision("idle", "the decision plugin failed", alerts=(
            Alert("plugin_error", f"The decision plugin {plugin.name} failed: {exc!r}; staying idle."),))
    decision = apply_safety(wished, context, limits)
    return StepResult(decision, context, weights, apply_desired(equipment, decision.desired, now))
