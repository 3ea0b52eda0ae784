"""A plain bang-bang thermostat: the baseline the control benchmark compares against.

It has no minimum times and a fixed band, like the simplest wall
thermostats, so any gain of a smarter plugin shows against it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rpymostat.decisions.band import thermal_call
from rpymostat.decisions.model import Decision, DecisionContext
from rpymostat.decisions.plugin import options_with_defaults


class BangBangPlugin:
    """On below setpoint − band, off above setpoint + band, nothing else."""

    name = "bangbang"
    description = (
        "Baseline: heats below the setpoint minus the band and stops above the setpoint plus the band "
        "(the mirror image for cooling), with no minimum on or off times of its own."
    )
    options_schema: Mapping[str, Any] = {
        "type": "object",
        "properties": {
            "band": {
                "type": "number",
                "minimum": 0,
                "maximum": 5,
                "default": 0.3,
                "description": "Distance in °C from the setpoint at which the equipment switches.",
            },
        },
        "additionalProperties": False,
    }

    def decide(self, context: DecisionContext, options: Mapping[str, Any]) -> Decision:
        """The desired state from the band alone."""
        settings = options_with_defaults(self.options_schema, options)
        call, reason = thermal_call(context, float(settings["band"]), inclusive=False)
        if call == "idle" and context.instruction.fan == "on":
            return Decision("fan", reason + "; fan on")
        return Decision(call, reason)


bangbang = BangBangPlugin()
