"""The thermal call shared by the band-based plugins: heat, cool or neither.

Both the hysteresis plugin and the bang-bang baseline start below one edge
of a band around the setpoint and stop beyond the other; they differ only
in the band's width and in whether touching an edge counts. Exactly at the
setpoint nothing changes, so at zero width the equipment does not flip.
"""

from __future__ import annotations

from typing import Literal

from rpymostat.decisions.model import Decision, DecisionContext, Desired, Lockout, format_temperature, mode_allows

ThermalCall = Literal["heat", "cool", "idle"]


def thermal_call(
    context: DecisionContext, band: float, inclusive: bool, hot: float | None = None
) -> tuple[ThermalCall, str]:
    """Heat, cool or idle for the band from ``setpoint − band`` to ``setpoint + hot``, with the reason.

    ``band`` is the cold tolerance and ``hot`` the hot one (the same as
    ``band`` when not given), as in Home Assistant: heating starts at the
    setpoint minus the cold tolerance and stops at the setpoint plus the hot
    one; cooling starts at the setpoint plus the hot tolerance and stops at
    the setpoint minus the cold one. ``inclusive`` makes reaching an edge
    enough ("at or below"); otherwise the temperature must pass it ("below").
    """
    cold = band
    warm = band if hot is None else hot
    instruction = context.instruction
    if instruction.mode == "off":
        return "idle", "the system is off"
    if context.temperature is None:
        return "idle", "no usable temperature"
    t = context.temperature.value
    heat_sp = instruction.heat_setpoint if instruction.mode in ("heat", "auto") else None
    cool_sp = instruction.cool_setpoint if instruction.mode in ("cool", "auto") else None
    if heat_sp is None and cool_sp is None:
        return "idle", f"mode {instruction.mode} has no setpoint"

    def at_or_below(edge: float) -> bool:
        return t <= edge if inclusive else t < edge

    def at_or_above(edge: float) -> bool:
        return t >= edge if inclusive else t > edge

    compare = "at or " if inclusive else ""
    now_t = format_temperature(t)
    current = context.current
    if current == "heat" and heat_sp is not None:
        edge = heat_sp + warm
        if at_or_above(edge) and t != heat_sp:
            return "idle", f"heating done: {now_t} is {compare}above {format_temperature(edge)}"
        return "heat", f"heating: {now_t}, until {format_temperature(edge)}"
    if current == "cool" and cool_sp is not None:
        edge = cool_sp - cold
        if at_or_below(edge) and t != cool_sp:
            return "idle", f"cooling done: {now_t} is {compare}below {format_temperature(edge)}"
        return "cool", f"cooling: {now_t}, until {format_temperature(edge)}"
    if heat_sp is not None and at_or_below(heat_sp - cold) and t != heat_sp:
        return "heat", f"heat: {now_t} is {compare}below {format_temperature(heat_sp - cold)}"
    if cool_sp is not None and at_or_above(cool_sp + warm) and t != cool_sp:
        return "cool", f"cool: {now_t} is {compare}above {format_temperature(cool_sp + warm)}"
    return "idle", f"in band: {now_t}"


def with_minimum_times(
    context: DecisionContext, call: ThermalCall, reason: str, min_on_time: float, min_off_time: float
) -> Decision:
    """The band's call as a decision, held back by a plugin's own minimum run and off times.

    A running function that the call would stop keeps running until it has
    run ``min_on_time`` (unless the mode no longer allows it, or there is no
    temperature: the safety layer stops it then); a function the call would
    start waits until it has rested ``min_off_time``. With the fan set to
    ``on`` the fan runs whenever heat and cool do not.
    """
    instruction = context.instruction
    current = context.current
    idle: Desired = "fan" if instruction.fan == "on" else "idle"
    if (
        current in ("heat", "cool")
        and call != current
        and context.temperature is not None
        and mode_allows(instruction, current)
    ):
        ran = context.equipment.of(current).on_for(context.now)
        if ran is not None and ran < min_on_time:
            lockout = Lockout(current, "stop", "minimum run time", min_on_time - ran)
            return Decision(current, f"{reason}, but {lockout.describe()}", lockout)
    if call in ("heat", "cool") and call != current:
        rested = context.equipment.of(call).off_for(context.now)
        if rested is not None and rested < min_off_time:
            lockout = Lockout(call, "start", "minimum off time", min_off_time - rested)
            return Decision(idle, f"{reason}, but {lockout.describe()}", lockout)
    if call == "idle":
        return Decision(idle, reason + ("; fan on" if idle == "fan" else ""))
    return Decision(call, reason)
