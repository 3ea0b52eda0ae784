"""How far the learned model can be trusted, and why not yet.

Planning an early start on a model that has seen one evening would start
the furnace at random; so early starts wait until the model has seen
several runs and a few hours of the equipment running, and its profile fits
what it saw within a small fraction of the 0.3 °C a homeowner notices.
"""

from __future__ import annotations

from dataclasses import dataclass

from rpymostat.prediction.thermal_model import Function, RunProfile, ThermalModel

MIN_RUNS = 5.0
MIN_HOURS = 3.0
MAX_ERROR = 0.4


@dataclass(frozen=True)
class Confidence:
    """Whether the model knows enough to plan with, per function, and why not, in a homeowner's words."""

    heat: bool
    cool: bool
    reason: str

    def of(self, function: Function) -> bool:
        return self.heat if function == "heat" else self.cool


def _judge(profile: RunProfile | None) -> tuple[bool, str]:
    if profile is None:
        return False, "has not seen it run yet"
    if profile.runs < MIN_RUNS:
        return False, f"has seen {profile.runs:.0f} of the {MIN_RUNS:.0f} runs it needs"
    if profile.hours < MIN_HOURS:
        return False, f"has seen {profile.hours:.1f} of the {MIN_HOURS:.0f} hours of running it needs"
    if profile.error > MAX_ERROR:
        return False, f"its runs vary too much to plan on (±{profile.error:.2f} °C)"
    if profile.steady_rate(20.0) <= 0 or profile.jump < -0.5:
        return False, "what it saw does not look like working equipment"
    return True, "confident"


def confidence(model: ThermalModel) -> Confidence:
    """Confidence per function, with a sentence for each."""
    heat, heat_why = _judge(model.heat)
    cool, cool_why = _judge(model.cool)
    return Confidence(heat, cool, f"heating: {heat_why}; cooling: {cool_why}")
