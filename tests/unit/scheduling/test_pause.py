"""Pausing all schedules for a vacation without deleting them."""

from __future__ import annotations

from rpymostat.scheduling.timeline import resolve

from .builders import DEFAULT, at, override, schedule

ZONE = "America/New_York"
START = at(ZONE, 2026, 12, 20)
END = at(ZONE, 2026, 12, 27)
SCHEDULES = [
    schedule("morning", cron="0 6 * * *", duration="PT3H"),
    schedule("evening", cron="0 17 * * 1-5", end_cron="30 22 * * *"),
]


def test_paused_schedules_give_way_to_the_default() -> None:
    segments = resolve(SCHEDULES, [], [], DEFAULT, START, END, ZONE, paused=True)
    assert [(s.start, s.end, s.instruction.source) for s in segments] == [(START, END, "default")]


def test_overrides_still_apply_while_paused() -> None:
    frost = override("frost", start="2026-12-22T00:00:00-05:00", end="2026-12-24T00:00:00-05:00", heat_setpoint=8)
    segments = resolve(SCHEDULES, [frost], [], DEFAULT, START, END, ZONE, paused=True)
    assert [s.instruction.source for s in segments] == ["default", "override:frost", "default"]
    assert segments[1].instruction.heat_setpoint == 8.0


def test_resuming_brings_the_same_schedules_back() -> None:
    running = resolve(SCHEDULES, [], [], DEFAULT, START, END, ZONE)
    sources = {s.instruction.source for s in running}
    assert sources == {"default", "schedule:morning", "schedule:evening"}
    resolve(SCHEDULES, [], [], DEFAULT, START, END, ZONE, paused=True)
    assert resolve(SCHEDULES, [], [], DEFAULT, START, END, ZONE) == running
