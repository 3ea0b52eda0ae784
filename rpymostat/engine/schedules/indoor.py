"""Outdoor sensors never count as the indoor temperature.

A rule that weighs an outdoor sensor would heat the house to the garden's
temperature, so naming one is refused where rules are written, and a sensor
still named by a rule cannot be marked outdoor until the rule no longer
names it. Both refusals name the sensor and where it is used.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from rpymostat.engine.schedules.ruleset import RuleSet
from rpymostat.scheduling.errors import ScheduleValidationError


def refuse_outdoor(weights: Mapping[str, float], outdoor: Collection[str], field: str) -> None:
    """ScheduleValidationError (for ``field``) when the weights name an outdoor sensor."""
    named = sorted(sensor_id for sensor_id in weights if sensor_id in outdoor)
    if named:
        listed = ", ".join(repr(sensor_id) for sensor_id in named)
        raise ScheduleValidationError(
            field, f"{field}: {listed} {'is an outdoor sensor' if len(named) == 1 else 'are outdoor sensors'}, "
                   "which cannot count as the indoor temperature")


def uses_of(rules: RuleSet, sensor_id: str) -> list[str]:
    """Where the rules weigh a sensor, in words: schedules, overrides and the default settings."""
    uses = [f"schedule {rule.name!r}" for rule in rules.schedules if sensor_id in rule.instruction.sensors]
    uses += [f"override {rule.name!r}" for rule in rules.overrides if sensor_id in rule.instruction.sensors]
    if sensor_id in rules.settings.default_sensors:
        uses.append("the default sensors")
    if sensor_id in rules.settings.default_instruction.sensors:
        uses.append("the default instruction")
    return uses


def refuse_marking_outdoor(rules: RuleSet, sensor_id: str) -> None:
    """ScheduleValidationError (for ``outdoor``) while a rule or setting still weighs the sensor."""
    uses = uses_of(rules, sensor_id)
    if uses:
        raise ScheduleValidationError(
            "outdoor", f"outdoor: sensor {sensor_id!r} is weighed by {', '.join(uses)}; take it out there first, "
                       "since an outdoor sensor cannot count as the indoor temperature")
