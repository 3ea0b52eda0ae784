"""The default decision plugin: hysteresis around the setpoint with minimum on and off times.

The band keeps the equipment from chattering around the setpoint; the
minimum times are comfort settings of this plugin. The plugin decides on
the trend of the recent reports (see :mod:`~rpymostat.decisions.trend`)
rather than on the last report alone, so one noisy reading neither starts
nor stops the equipment; it can also look ahead along that trend, the way
a wall thermostat's heat anticipator stops the furnace before the room
overshoots. The safety layer keeps
its own equipment-protection minimums and maximum run (the engine's
``RPYMOSTAT_HEAT_MIN_RUN`` and kin), which are floors under these options:
setting an option lower than the safety layer's value changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from rpymostat.decisions.band import thermal_call, with_minimum_times
from rpymostat.decisions.model import Decision, DecisionContext
from rpymostat.decisions.plugin import options_with_defaults


class HysteresisPlugin:
    """Heat at or below setpoint − tolerance, stop at or above setpoint + tolerance (mirrored for cool)."""

    name = "hysteresis"
    description = (
        "Heats when the temperature is at or below the heat setpoint minus the tolerance and stops "
        "at or above the setpoint plus the tolerance (the mirror image for cooling); auto mode picks "
        "whichever setpoint is violated. It decides on the trend of the last reports, so sensor noise does "
        "not switch the equipment, and can look ahead along it. Runs and rests last at least the minimum on "
        "and off times."
    )
    options_schema: Mapping[str, Any] = {
        "type": "object",
        "properties": {
            "tolerance": {
                "type": "number",
                "minimum": 0,
                "maximum": 5,
                "default": 0.3,
                "description": "Half-width of the band around the setpoint in °C, when the instruction sets none.",
            },
            "min_on_time": {
                "type": "number",
                "minimum": 0,
                "maximum": 3600,
                "default": 120,
                "description": "Seconds a heat or cool run lasts at least once started "
                               "(the engine's safety minimum applies when longer).",
            },
            "min_off_time": {
                "type": "number",
                "minimum": 0,
                "maximum": 3600,
                "default": 300,
                "description": "Seconds heat or cool rests at least before starting again "
                               "(the engine's safety minimum applies when longer).",
            },
            "smoothing": {
                "type": "boolean",
                "default": True,
                "description": "Decide on the least-squares line through the reports since the equipment last "
                               "switched (up to 15 minutes) instead of the last report alone, so sensor noise "
                               "does not start or stop the equipment.",
            },
            "anticipation": {
                "type": "number",
                "minimum": 0,
                "maximum": 600,
                "default": 0,
                "description": "Seconds to look ahead along the trend: the band is applied to where the "
                               "temperature is heading, which makes up for a sensor that lags the room. More "
                               "anticipation means less overshoot and more cycles.",
            },
        },
        "additionalProperties": False,
    }

    def decide(self, context: DecisionContext, options: Mapping[str, Any]) -> Decision:
        """The desired state, held back by this plugin's minimum on and off times."""
        settings = options_with_defaults(self.options_schema, options)
        instruction = context.instruction
        tolerance = instruction.tolerance if instruction.tolerance is not None else settings["tolerance"]
        seen, how = _judged(context, bool(settings["smoothing"]), float(settings["anticipation"]))
        call, reason = thermal_call(seen, float(tolerance), inclusive=True)
        if instruction.mode != "off":  # "the system is off" owes nothing to the temperature
            reason += how
        return with_minimum_times(context, call, reason, float(settings["min_on_time"]),
                                  float(settings["min_off_time"]))


def _judged(context: DecisionContext, smoothing: bool, anticipation: float) -> tuple[DecisionContext, str]:
    """The context with the temperature the band is applied to, and how it was arrived at (for the reason).

    Without a trend (too few reports since the equipment last switched) the
    last weighted report stands. Steady reports give a flat trend at exactly
    their value, so at zero tolerance a room exactly at target still flips
    nothing.
    """
    trend, temperature = context.trend, context.temperature
    if trend is None or temperature is None or (not smoothing and not anticipation):
        return context, ""
    value = trend.value if smoothing else temperature.value
    parts = [f"trend of {trend.readings} reports" if smoothing else "last report",
             f"{trend.rate_per_hour:+.1f} °C/h"]
    if anticipation:
        value += trend.rate * anticipation
        parts.append(f"{anticipation:g} s ahead")
    return replace(context, temperature=replace(temperature, value=value)), f" ({', '.join(parts)})"


hysteresis = HysteresisPlugin()
