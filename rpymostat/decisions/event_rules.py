"""The user's own reactions: "when an event matches F, do A", as pure data and functions.

A rule names a filter (device, location, action and value, each ``*`` for
any, compared ignoring case) and one action:

- ``preset``: that preset's targets apply, for ``duration`` seconds or, with
  no duration, until the next scheduled change;
- ``step``: the targets move by ``step`` °C, for as long;
- ``pause``: heating and cooling pause until an event matches
  ``resume_when``, or for at most ``max_pause`` seconds.

A matching event (re)starts the rule from its own time. The engine keeps
the activations and passes them in; nothing here reads a clock or a store.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal

from rpymostat.scheduling.instruction import Instruction
from rpymostat.scheduling.presets import Preset
from rpymostat.scheduling.validation import SetpointLimits

Action = Literal["preset", "step", "pause"]
ACTIONS: tuple[Action, ...] = ("preset", "step", "pause")
FILTER_FIELDS = ("device", "location", "action", "value")
LOWEST, HIGHEST = SetpointLimits.minimum, SetpointLimits.maximum


@dataclass(frozen=True)
class EventRule:
    rule_id: str
    name: str
    when: Mapping[str, str]
    action: Action
    enabled: bool = True
    preset: str | None = None
    step: float | None = None
    duration: float | None = None
    resume_when: Mapping[str, str] | None = None
    max_pause: float = 3600.0


@dataclass(frozen=True)
class Activation:
    """A rule in force since ``since``; ``until`` None: until the next scheduled change (or resume event)."""

    rule_id: str
    since: float
    until: float | None
    told: str


def matches(wanted: Mapping[str, str], event: Mapping[str, Any]) -> bool:
    return all(wanted.get(name, "*") == "*" or str(event.get(name)).casefold() == wanted[name].casefold()
               for name in FILTER_FIELDS)


def follow(activations: Mapping[str, Activation], rules: list[EventRule], event: Mapping[str, Any],
           at: float) -> dict[str, Activation]:
    """The activations after one event: paused rules it resumes end; rules it matches (re)start."""
    updated = dict(activations)
    told = f"{event.get('device')} {event.get('location')} {event.get('value')}"
    for rule in rules:
        if rule.action == "pause" and rule.resume_when is not None and rule.rule_id in updated \
                and matches(rule.resume_when, event):
            del updated[rule.rule_id]
        elif rule.enabled and matches(rule.when, event):
            limit = rule.max_pause if rule.action == "pause" else rule.duration
            updated[rule.rule_id] = Activation(rule.rule_id, at, None if limit is None else at + limit, told)
    return updated


def in_force(activations: Mapping[str, Activation], rules: list[EventRule], now: float,
             next_change: float | None) -> dict[str, Activation]:
    """The activations still in force now; one "until the next change" gets that change's time fixed on it."""
    by_id = {rule.rule_id: rule for rule in rules if rule.enabled}
    kept: dict[str, Activation] = {}
    for rule_id, activation in activations.items():
        if rule_id not in by_id:
            continue
        if activation.until is None and next_change is not None:
            activation = replace(activation, until=next_change)
        if activation.until is None or now < activation.until:
            kept[rule_id] = activation
    return kept


def apply_rule(instruction: Instruction, rule: EventRule, presets: Mapping[str, Preset]) -> Instruction:
    """The instruction as one rule in force changes it (off stays off)."""
    if instruction.mode == "off":
        return instruction
    if rule.action == "pause":
        return replace(instruction, mode="off")
    if rule.action == "preset":
        if rule.preset is None or rule.preset not in presets:
            return instruction
        preset = presets[rule.preset]
        return replace(instruction, heat_setpoint=preset.heat_setpoint, cool_setpoint=preset.cool_setpoint,
                       preset=rule.preset)
    step = rule.step or 0.0

    def moved(value: float | None) -> float | None:
        return None if value is None else min(max(value + step, LOWEST), HIGHEST)

    return replace(instruction, heat_setpoint=moved(instruction.heat_setpoint),
                   cool_setpoint=moved(instruction.cool_setpoint))


def describe(rule: EventRule, activation: Activation) -> str:
    """What the rule does, for the decision's reason: "Party: light Living room on → preset home"."""
    doing = {"preset": f"preset {rule.preset}", "pause": "heating and cooling paused",
             "step": f"targets {rule.step:+g} °C" if rule.step is not None else "targets moved"}[rule.action]
    return f"{rule.name or rule.rule_id}: {activation.told} → {doing}"
