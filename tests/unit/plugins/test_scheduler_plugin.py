"""The timeline is resolved by the active schedule plugin, and choosing another applies at once."""

from __future__ import annotations

import pytest_twisted

from rpymostat.engine.api.v1.plugins import PluginsAPI
from rpymostat.engine.plugin_settings import PluginSettings
from rpymostat.engine.schedules.cache import TimelineCache
from rpymostat.plugins.registry import LoadedPlugin, load_plugins
from rpymostat.scheduling.instruction import Instruction
from rpymostat.scheduling.timeline import TimelineSegment


class AlwaysWarm:
    """A schedule plugin that ignores every rule and keeps 23 °C."""

    name = "always_warm"
    description = "Keeps 23 °C whatever the schedules say."
    options_schema = {"type": "object", "properties": {"setpoint": {"type": "number", "default": 23.0}}}

    def resolve(self, schedules, overrides, adjustments, default, start, end, tz, paused=False, options=None):
        setpoint = (options or {}).get("setpoint", 23.0)
        return [TimelineSegment(start, end, Instruction("heat", heat_setpoint=setpoint, source="always_warm",
                                                        until=end))]


@pytest_twisted.ensureDeferred
async def test_choosing_a_schedule_plugin_resolves_the_timeline_with_it(engine):
    schedulers = dict(load_plugins("schedulers"))
    schedulers["always_warm"] = LoadedPlugin("schedulers", "always_warm", AlwaysWarm(), "test")
    settings = PluginSettings(engine.store, {"decisions": load_plugins("decisions"), "schedulers": schedulers})
    timeline = TimelineCache(engine.store, engine.clock, "Europe/London", plugins=settings)
    await timeline.start()
    try:
        now = engine.clock.seconds()
        assert timeline.current_instruction(now).mode == "off"
        api = PluginsAPI(engine.store, settings, timeline)
        await settings.choose("schedulers", "always_warm", {"setpoint": 22.5})
        await timeline.reload("change")
        instruction = timeline.current_instruction(now)
        assert (instruction.mode, instruction.heat_setpoint) == ("heat", 22.5)
        listed = await api._kind_json("schedulers")
        assert listed["active"] == "always_warm"
    finally:
        timeline.stop()


class Broken:
    """A schedule plugin with a bug: every resolution raises."""

    name = "broken"
    description = "Raises whenever it is asked."
    options_schema = {"type": "object"}

    def resolve(self, *args, **kwargs):
        raise ZeroDivisionError("a bug in someone else's plugin")


@pytest_twisted.ensureDeferred
async def test_a_failing_schedule_plugin_leaves_the_built_in_resolution_in_force(engine):
    schedulers = dict(load_plugins("schedulers"))
    schedulers["broken"] = LoadedPlugin("schedulers", "broken", Broken(), "test")
    settings = PluginSettings(engine.store, {"decisions": load_plugins("decisions"), "schedulers": schedulers})
    await settings.choose("schedulers", "broken", {})
    await engine.request("PATCH", "/v1/schedules/settings", key="write",
                         json={"default_instruction": {"mode": "heat", "heat_setpoint": 19}})
    timeline = TimelineCache(engine.store, engine.clock, "Europe/London", plugins=settings)
    await timeline.start()
    try:
        instruction = timeline.current_instruction(engine.clock.seconds())
        assert (instruction.mode, instruction.heat_setpoint) == ("heat", 19.0)
    finally:
        timeline.stop()
