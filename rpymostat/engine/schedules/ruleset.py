"""Every rule the engine holds, loaded from storage, and how it is stored.

Rules are stored in their wire form (:mod:`rpymostat.scheduling.wire`), the
same shape the API serves, and read back through the validating parsers, so
a stored rule and a served one can never disagree.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from twisted.logger import Logger

from rpymostat.common.timeutil import from_iso
from rpymostat.engine.schedules.settings import SETTING_NAME, ScheduleSettings, parse_settings
from rpymostat.scheduling.errors import ScheduleValidationError
from rpymostat.scheduling.instruction import Instruction
from rpymostat.scheduling.model import Adjustment, Override, Schedule
from rpymostat.scheduling.presets import BUILT_IN, Preset, stored_presets
from rpymostat.scheduling.validation import SetpointLimits, parse_override, parse_schedule
from rpymostat.store.interface import Store

log = Logger()

SCHEDULES = "schedules"
OVERRIDES = "overrides"
PRESETS_SETTING = "presets"


@dataclass(frozen=True)
class RuleSet:
    """A consistent snapshot of the rules, the settings and the sensors they may name.

    ``visible_sensors`` are the indoor sensors not hidden by the user: with no
    saved default weights, they count equally (an outdoor sensor never does).
    """

    schedules: tuple[Schedule, ...] = ()
    overrides: tuple[Override, ...] = ()
    settings: ScheduleSettings = field(default_factory=ScheduleSettings)
    known_sensors: frozenset[str] = frozenset()
    visible_sensors: tuple[str, ...] = ()
    presets: Mapping[str, Preset] = field(default_factory=lambda: dict(BUILT_IN))

    @property
    def default_weights(self) -> dict[str, float]:
        """The weights an instruction that names no sensor uses."""
        if self.settings.default_sensors:
            return dict(self.settings.default_sensors)
        return {sensor_id: 1.0 for sensor_id in self.visible_sensors}

    def effective(self, instruction: Instruction) -> Instruction:
        """The instruction with the default weights filled in where it names no sensor."""
        if instruction.sensors:
            return instruction
        return replace(instruction, sensors=self.default_weights)

    def schedule(self, rule_id: str) -> Schedule | None:
        return next((rule for rule in self.schedules if rule.id == rule_id), None)

    def override(self, rule_id: str) -> Override | None:
        return next((rule for rule in self.overrides if rule.id == rule_id), None)


def _named_sensors(document: Mapping[str, Any]) -> frozenset[str]:
    """Stored rules were checked when written; a sensor named then still counts."""
    sensors = document.get("sensors")
    return frozenset(sensors) if isinstance(sensors, Mapping) else frozenset()


def read_schedule(rule_id: str, document: Mapping[str, Any], limits: SetpointLimits) -> Schedule:
    return parse_schedule(
        document,
        rule_id=rule_id,
        created_at=from_iso(document["created_at"]),
        known_sensors=_named_sensors(document),
        limits=limits,
    )


def read_override(rule_id: str, document: Mapping[str, Any], limits: SetpointLimits) -> Override:
    created_at = from_iso(document["created_at"])
    return parse_override(
        document,
        rule_id=rule_id,
        now=created_at,
        created_at=created_at,
        known_sensors=_named_sensors(document),
        limits=limits,
    )


def _readable(kind: str, rule_id: str, document: Mapping[str, Any], limits: SetpointLimits, read: Any) -> Any:
    """A stored rule that no longer validates is left out and logged, never fatal."""
    try:
        return read(rule_id, document, limits)
    except (ScheduleValidationError, KeyError, ValueError) as exc:
        log.warn("Stored {kind} {rule_id} is not valid any more and is ignored: {error}",
                 kind=kind, rule_id=rule_id, error=str(exc))
        return None


async def load_rules(store: Store, limits: SetpointLimits) -> RuleSet:
    """Read every rule, the settings, the presets and the sensor list from storage.

    The presets are read first, so a rule naming one takes its targets as they are now.
    """
    presets = stored_presets(await store.get_setting(PRESETS_SETTING))
    limits = replace(limits, presets=presets)
    schedules = [
        _readable("schedule", rule_id, document, limits, read_schedule)
        for rule_id, document in await store.list_documents(SCHEDULES)
    ]
    overrides = [
        _readable("override", rule_id, document, limits, read_override)
        for rule_id, document in await store.list_documents(OVERRIDES)
    ]
    sensors = await store.list_sensors()
    stored_settings = await store.get_setting(SETTING_NAME)
    settings = ScheduleSettings()
    if stored_settings is not None:
        try:
            settings = parse_settings(stored_settings, settings, partial=False,
                                      known_sensors=_settings_sensors(stored_settings), limits=limits)
        except ScheduleValidationError as exc:
            log.warn("Stored schedule settings are not valid any more; using the defaults: {error}",
                     error=str(exc))
    return RuleSet(
        schedules=tuple(rule for rule in schedules if rule is not None),
        overrides=tuple(rule for rule in overrides if rule is not None),
        settings=settings,
        known_sensors=frozenset(sensor.sensor_id for sensor in sensors),
        visible_sensors=tuple(sensor.sensor_id for sensor in sensors if not sensor.hidden and not sensor.outdoor),
        presets=presets,
    )


def _settings_sensors(stored: Any) -> frozenset[str]:
    if not isinstance(stored, Mapping):
        return frozenset()
    named = set(_named_sensors({"sensors": stored.get("default_sensors")}))
    instruction = stored.get("default_instruction")
    if isinstance(instruction, Mapping):
        named |= _named_sensors(instruction)
    return frozenset(named)


def is_adjustment(rule: Override) -> bool:
    return isinstance(rule, Adjustment)
