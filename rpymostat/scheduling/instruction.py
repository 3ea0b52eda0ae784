"""What the thermostat has been told to do at one moment.

An :class:`Instruction` is the common currency between schedule resolution
(which produces them) and the decision loop (which obeys them). It is plain
data so that both sides stay pure functions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

Mode = Literal["off", "heat", "cool", "auto"]
FanMode = Literal["auto", "on"]

MODES: tuple[Mode, ...] = ("off", "heat", "cool", "auto")
FAN_MODES: tuple[FanMode, ...] = ("auto", "on")


@dataclass(frozen=True)
class Instruction:
    """The effective target at one moment.

    ``sensors`` maps sensor IDs to weights; an empty mapping means "use the
    saved default sensor weighting". ``tolerance`` is the hysteresis
    half-band in °C (``None``: the decision plugin's default). ``source``
    names the rule that produced the instruction (``"schedule:<id>"``,
    ``"override:<id>"``, ``"adjustment:<id>"`` or ``"default"``) so the API
    can say why. ``until`` is the epoch second at which the next change is
    due, when known.
    """

    mode: Mode
    heat_setpoint: float | None = None
    cool_setpoint: float | None = None
    fan: FanMode = "auto"
    sensors: Mapping[str, float] = field(default_factory=dict)
    tolerance: float | None = None
    source: str = "default"
    until: float | None = None
    preset: str | None = None
