"""Changing the rules and settings: validate, store, log the event, recompute.

The API (and any later UI or CLI) goes through here, so every change is
checked against the same sensors, limits and cost bounds, stored whole or not
at all, announced in the ``events`` log, and reflected in the timeline before
the caller hears back. Changes are serialised, so two requests can never
both pass a limit that only one of them fits in.
"""

from __future__ import annotations

import secrets
from collections.abc import Collection, Mapping
from dataclasses import replace
from typing import Any

from twisted.internet.defer import DeferredLock

from rpymostat.engine.schedules.cache import TimelineCache
from rpymostat.engine.schedules.cost import MAX_OVERRIDES, MAX_SCHEDULES, check_schedule_cost
from rpymostat.engine.schedules.events import (
    OVERRIDE_CHANGED,
    SCHEDULE_CHANGED,
    SETTINGS_CHANGED,
    Action,
    announce_change,
)
from rpymostat.engine.schedules.indoor import refuse_marking_outdoor, refuse_outdoor, uses_of
from rpymostat.engine.schedules.resolution import override_ends
from rpymostat.engine.schedules.ruleset import OVERRIDES, SCHEDULES, RuleSet
from rpymostat.engine.schedules.settings import SETTING_NAME, ScheduleSettings, parse_settings, settings_to_dict
from rpymostat.scheduling.errors import ScheduleValidationError
from rpymostat.scheduling.model import Override, Schedule
from rpymostat.scheduling.validation import parse_override, parse_schedule
from rpymostat.scheduling.wire import override_to_dict, schedule_to_dict
from rpymostat.store.records import SensorRecord


def new_rule_id(taken: Collection[str]) -> str:
    while True:
        rule_id = secrets.token_hex(8)
        if rule_id not in taken:
            return rule_id


class RuleBook:
    """The one way rules and schedule settings change."""

    def __init__(self, timeline: TimelineCache) -> None:
        self.timeline = timeline
        self.store = timeline.store
        self._writing = DeferredLock()

    def now(self) -> float:
        return self.timeline.clock.seconds()

    async def rules(self) -> RuleSet:
        """The rules as they stand, once any change in progress is done."""
        await self.timeline.ready()
        return self.timeline.rules

    async def active_overrides(self) -> list[Override]:
        """Overrides not yet over (an expired one may wait a moment for deletion)."""
        rules = await self.rules()
        now = self.now()
        ends = self.timeline.override_ends
        return [rule for rule in rules.overrides if (end := ends.get(rule.id)) is None or end > now]

    async def _known_sensors(self) -> frozenset[str]:
        return frozenset(sensor.sensor_id for sensor in await self.store.list_sensors())

    async def _refuse_outdoor(self, *weighed: tuple[Mapping[str, float], str]) -> None:
        """Refuse weights (each with its field name) that name an outdoor sensor."""
        outdoor = frozenset(sensor.sensor_id for sensor in await self.store.list_sensors() if sensor.outdoor)
        for weights, field in weighed:
            refuse_outdoor(weights, outdoor, field)

    async def change_sensor(self, sensor_id: str, changes: dict[str, Any]) -> SensorRecord | None:
        """Change a sensor's user fields; None when there is no such sensor.

        Marking a sensor outdoor is refused while a rule weighs it, and both
        ``outdoor`` and ``hidden`` decide which sensors count by default, so
        the timeline is recomputed before the caller hears back.
        """
        async with self._writing:
            if changes.get("outdoor"):
                refuse_marking_outdoor(await self.rules(), sensor_id)
            sensor = await self.store.update_sensor(sensor_id, changes)
            if sensor is not None and {"outdoor", "hidden"} & set(changes):
                await self.timeline.reload()
            return sensor

    async def delete_sensor(self, sensor_id: str) -> bool:
        """Forget a sensor (False when there is none), refused while a rule or setting still weighs it.

        A rule naming a sensor that no longer exists could never be met, so the
        person takes it out there first; the refusal names where.
        """
        async with self._writing:
            uses = uses_of(await self.rules(), sensor_id)
            if uses:
                raise ScheduleValidationError(
                    "sensor_id", f"sensor {sensor_id!r} is weighed by {', '.join(uses)}; take it out there first")
            deleted = await self.store.delete_sensor(sensor_id)
            if deleted:
                await self.timeline.reload()
            return deleted

    async def create_schedule(self, body: Any) -> Schedule:
        async with self._writing:
            rules = await self.rules()
            if len(rules.schedules) >= MAX_SCHEDULES:
                raise ScheduleValidationError("body", f"at most {MAX_SCHEDULES} schedules are allowed; delete one first")
            now = self.now()
            schedule = parse_schedule(body, rule_id=new_rule_id({rule.id for rule in rules.schedules}),
                                      created_at=now, known_sensors=await self._known_sensors(),
                                      limits=self.timeline.limits)
            await self._refuse_outdoor((schedule.instruction.sensors, "sensors"))
            check_schedule_cost(schedule, rules.schedules)
            await self._store_schedule(schedule, "created")
            return schedule

    async def replace_schedule(self, rule_id: str, body: Any) -> Schedule | None:
        """The new rule keeps its ID and creation time; ``None`` when there is no such schedule."""
        async with self._writing:
            rules = await self.rules()
            existing = rules.schedule(rule_id)
            if existing is None:
                return None
            schedule = parse_schedule(body, rule_id=rule_id, created_at=existing.created_at,
                                      known_sensors=await self._known_sensors(), limits=self.timeline.limits)
            await self._refuse_outdoor((schedule.instruction.sensors, "sensors"))
            check_schedule_cost(schedule, [rule for rule in rules.schedules if rule.id != rule_id])
            await self._store_schedule(schedule, "replaced")
            return schedule

    async def delete_schedule(self, rule_id: str) -> Schedule | None:
        async with self._writing:
            existing = (await self.rules()).schedule(rule_id)
            if existing is None:
                return None
            await self.store.delete_document(SCHEDULES, rule_id)
            await self.timeline.reload()
            await announce_change(self.timeline.events, SCHEDULE_CHANGED, "deleted", rule_id,
                                  schedule_to_dict(existing))
            return existing

    async def _store_schedule(self, schedule: Schedule, action: Action) -> None:
        body = schedule_to_dict(schedule)
        await self.store.put_document(SCHEDULES, schedule.id, body)
        await self.timeline.reload()
        await announce_change(self.timeline.events, SCHEDULE_CHANGED, action, schedule.id, body)

    async def create_override(self, body: Any) -> Override:
        async with self._writing:
            rules = await self.rules()
            if len(rules.overrides) >= MAX_OVERRIDES:
                raise ScheduleValidationError("body", f"at most {MAX_OVERRIDES} overrides are allowed; delete one first")
            now = self.now()
            override = parse_override(body, rule_id=new_rule_id({rule.id for rule in rules.overrides}), now=now,
                                      known_sensors=await self._known_sensors(), limits=self.timeline.limits)
            await self._refuse_outdoor((override.instruction.sensors, "sensors"))
            self._refuse_if_over(rules, override, now)
            await self._store_override(override, "created")
            return override

    async def replace_override(self, rule_id: str, body: Any) -> Override | None:
        """The new rule keeps its ID and creation time; ``None`` when there is no such override."""
        async with self._writing:
            rules = await self.rules()
            existing = rules.override(rule_id)
            if existing is None:
                return None
            now = self.now()
            override = parse_override(body, rule_id=rule_id, now=now, created_at=existing.created_at,
                                      known_sensors=await self._known_sensors(), limits=self.timeline.limits)
            await self._refuse_outdoor((override.instruction.sensors, "sensors"))
            self._refuse_if_over(rules, override, now)
            await self._store_override(override, "replaced")
            return override

    async def delete_override(self, rule_id: str) -> Override | None:
        async with self._writing:
            existing = (await self.rules()).override(rule_id)
            if existing is None:
                return None
            await self.store.delete_document(OVERRIDES, rule_id)
            await self.timeline.reload()
            await announce_change(self.timeline.events, OVERRIDE_CHANGED, "deleted", rule_id,
                                  override_to_dict(existing))
            return existing

    def _refuse_if_over(self, rules: RuleSet, override: Override, now: float) -> None:
        """An override already over when written would never apply and be deleted at once."""
        others = tuple(rule for rule in rules.overrides if rule.id != override.id)
        ends = override_ends(replace(rules, overrides=(*others, override)), now, now + self.timeline.span,
                             self.timeline.timezone)
        end = ends[override.id]
        if end is not None and end <= now:
            if override.end is not None:
                raise ScheduleValidationError("end", "end is already past, so the override would never apply")
            raise ScheduleValidationError(
                "until", "until: the next scheduled change after start is already past, so the override would never apply"
            )

    async def _store_override(self, override: Override, action: Action) -> None:
        body = override_to_dict(override)
        await self.store.put_document(OVERRIDES, override.id, body)
        await self.timeline.reload()
        await announce_change(self.timeline.events, OVERRIDE_CHANGED, action, override.id, body)

    async def settings(self) -> ScheduleSettings:
        return (await self.rules()).settings

    async def change_settings(self, body: Any, *, partial: bool) -> ScheduleSettings:
        """Validate and store the settings; ``partial`` keeps the fields a body leaves out."""
        async with self._writing:
            current = (await self.rules()).settings
            settings = parse_settings(body, current, partial=partial, known_sensors=await self._known_sensors(),
                                      limits=self.timeline.limits)
            await self._refuse_outdoor((settings.default_sensors, "default_sensors"),
                                       (settings.default_instruction.sensors, "default_instruction.sensors"))
            stored = settings_to_dict(settings)
            await self.store.put_setting(SETTING_NAME, stored)
            await self.timeline.reload()
            await announce_change(self.timeline.events, SETTINGS_CHANGED, "changed", None, stored)
            return settings
