"""The safety layer's limits as the user configured them.

The safety layer itself stays a pure function of plain values; this is the
one place that turns the engine's ``RPYMOSTAT_*`` settings into those
values. The fan has no minimum times and no maximum run: it protects
nothing and is safe to run for ever.
"""

from __future__ import annotations

from rpymostat.config import EngineConfig
from rpymostat.decisions.safety import SafetyLimits


def configured_limits(config: EngineConfig) -> SafetyLimits:
    """The limits every decision of this engine passes through."""
    return SafetyLimits(
        min_on={"heat": float(config.heat_min_run), "cool": float(config.cool_min_run), "fan": 0.0},
        min_off={"heat": float(config.heat_min_off), "cool": float(config.cool_min_off), "fan": 0.0},
        max_run={"heat": float(config.heat_max_run), "cool": float(config.cool_max_run), "fan": None},
        forced_rest=float(config.max_run_rest),
        frost_floor=config.frost_floor,
        frost_margin=config.frost_margin,
    )
