"""The worked schedule plugin in docs/schedules.rst runs and does what the page says."""

from __future__ import annotations

from typing import Any

from rpymostat.plugins.registry import check_plugin
from rpymostat.scheduling.model import Adjustment
from rpymostat.scheduling.timeline import resolve
from tests.support.docs_examples import load_example

from .builders import DEFAULT, at, override, schedule

ZONE = "Europe/London"


def load_plugin() -> Any:
    return load_example("schedules.rst", "capped-heat-example", "capped_heat")


def test_example_is_a_schedule_plugin_that_caps_every_heat_setpoint() -> None:
    plugin = load_plugin()
    assert check_plugin("schedulers", plugin) is None
    mornings = schedule("mornings", cron="30 6 * * *", duration="PT2H", heat_setpoint=22.0)
    start, end = at(ZONE, 2026, 12, 1, 0, 0), at(ZONE, 2026, 12, 2, 0, 0)
    warm_now = override("warm", now=at(ZONE, 2026, 12, 1, 18, 0), start="now", duration="PT1H", heat_setpoint=23.0)
    assert isinstance(warm_now, Adjustment)
    rules = ([mornings], [], [warm_now], DEFAULT, start, end, ZONE)

    def heat_by_source(options: Any) -> list[tuple[str, float | None]]:
        segments = plugin.resolve(*rules, options=options)
        assert [(s.start, s.end) for s in segments] == [(s.start, s.end) for s in resolve(*rules)]
        return [(s.instruction.source, s.instruction.heat_setpoint) for s in segments]

    assert heat_by_source(None) == [("default", 16.0), ("schedule:mornings", 20.0), ("default", 16.0),
                                    ("adjustment:warm", 20.0), ("default", 16.0)]
    assert heat_by_source({"max_heat": 22.5}) == [("default", 16.0), ("schedule:mornings", 22.0), ("default", 16.0),
                                                  ("adjustment:warm", 22.5), ("default", 16.0)]
