"""A realistic week resolves completely (timing is reported, not asserted)."""

from __future__ import annotations

from rpymostat.scheduling.timeline import resolve

from .builders import DEFAULT, at, override, schedule
from .test_timeline_properties import assert_well_formed

ZONE = "Europe/London"


def test_a_week_of_twenty_schedules_and_some_overrides_resolves() -> None:
    rules = []
    for index in range(20):
        ending = {"end_cron": f"0 {(index + 3) % 24} * * *"} if index % 3 == 0 else {"duration": f"PT{1 + index % 5}H"}
        rules.append(schedule(f"s{index}", created_at=index, cron=f"{index * 7 % 60} {index} * * {'1-5' if index % 2 else '*'}",
                              heat_setpoint=15 + index % 6, **ending))
    start = at(ZONE, 2026, 3, 26, 12)  # the week holds a spring-forward change
    end = start + 7 * 86400
    overrides = [
        override("away", start="2026-03-28T10:00:00Z", end="2026-03-29T10:00:00Z", heat_setpoint=12),
        override("guests", start="2026-03-30T10:00:00Z", until="next_change", heat_setpoint=22),
        override("cool", start="2026-03-31T10:00:00Z", duration="PT3H", mode="cool", cool_setpoint=24),
    ]
    adjustments = [override("now", start="now", now=start, heat_setpoint=22)]
    segments = resolve(rules, overrides, adjustments, DEFAULT, start, end, ZONE)
    assert_well_formed(segments, start, end)
    assert {s.instruction.source for s in segments} >= {"adjustment:now", "override:away", "override:guests"}
