"""The worked schedule plugin in docs/schedules.rst runs and does what the page says."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rpymostat.plugins.registry import check_plugin
from rpymostat.scheduling.model import Adjustment
from rpymostat.scheduling.timeline import resolve

from .builders import DEFAULT, at, override, schedule

PAGE = Path(__file__).resolve().parents[3] / "docs" / "schedules.rst"
ZONE = "Europe/London"


def example_source() -> str:
    lines = PAGE.read_text(encoding="utf-8").splitlines()
    start = lines.index("   :name: capped-heat-example") + 1
    block: list[str] = []
    for line in lines[start:]:
        if line and not line.startswith("   "):
            break
        block.append(line[3:])
    return "\n".join(block)


def load_plugin() -> Any:
    namespace: dict[str, Any] = {"__name__": "docs_example"}
    exec(compile(example_source(), str(PAGE), "exec"), namespace)  # noqa: S102 - our own docs page
    return namespace["capped_heat"]


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
