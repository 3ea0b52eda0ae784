"""Which rule a user sees in force when several apply at once."""

from __future__ import annotations

from typing import Any

import pytest

from rpymostat.scheduling.timeline import instruction_at, next_change, resolve

from .builders import DEFAULT, at, override, schedule

ZONE = "UTC"
DAY = (2026, 6, 1)  # a Monday


def hour(h: float) -> float:
    return at(ZONE, *DAY) + h * 3600


def iso(h: float) -> str:
    return f"2026-06-01T{int(h):02d}:{int(h * 60) % 60:02d}:00Z"


WEEK_AWAY = {"start": iso(0), "duration": "P7D", "heat_setpoint": 12}

CASES: list[tuple[str, dict[str, list[Any]], float, str]] = [
    ("a schedule applies during its occurrence", {"schedules": [schedule("a", cron="0 6 * * *", duration="PT8H")]},
     7, "schedule:a"),
    ("the default applies outside every rule", {"schedules": [schedule("a", cron="0 6 * * *", duration="PT8H")]},
     15, "default"),
    ("an override beats a schedule",
     {"schedules": [schedule("a", cron="0 6 * * *", duration="PT8H")],
      "overrides": [override("o", start=iso(7), end=iso(9))]}, 8, "override:o"),
    ("an adjustment beats an override",
     {"overrides": [override("o", start=iso(7), end=iso(9))],
      "adjustments": [override("x", start=iso(8), duration="PT4H", kind="adjustment")]}, 8.5, "adjustment:x"),
    ("an adjustment beats a narrower override",
     {"overrides": [override("o", start=iso(8), end=iso(8.5))],
      "adjustments": [override("x", start=iso(7), duration="PT4H", kind="adjustment")]}, 8.25, "adjustment:x"),
    ("the narrower schedule wins",
     {"schedules": [schedule("wide", cron="0 6 * * *", duration="PT8H"),
                    schedule("narrow", cron="0 9 * * *", duration="PT2H")]}, 10, "schedule:narrow"),
    ("the wide schedule resumes after the narrow one",
     {"schedules": [schedule("wide", cron="0 6 * * *", duration="PT8H"),
                    schedule("narrow", cron="0 9 * * *", duration="PT2H")]}, 11.5, "schedule:wide"),
    ("narrower wins even when created earlier",
     {"schedules": [schedule("wide", created_at=200, cron="0 6 * * *", duration="PT8H"),
                    schedule("narrow", created_at=100, cron="0 9 * * *", duration="PT2H")]}, 10, "schedule:narrow"),
    ("equally narrow: the most recently created wins",
     {"schedules": [schedule("b", created_at=100, cron="0 6 * * *", duration="PT2H"),
                    schedule("a", created_at=200, cron="0 6 * * *", duration="PT2H")]}, 7, "schedule:a"),
    ("equally narrow, most recent first, whatever the order given",
     {"schedules": [schedule("a", created_at=200, cron="0 6 * * *", duration="PT2H"),
                    schedule("b", created_at=100, cron="0 6 * * *", duration="PT2H")]}, 7, "schedule:a"),
    ("equally narrow and created together: the smaller id wins",
     {"schedules": [schedule("b", created_at=100, cron="0 6 * * *", duration="PT2H"),
                    schedule("a", created_at=100, cron="0 6 * * *", duration="PT2H")]}, 7, "schedule:a"),
    ("narrowness counts the whole occurrence, not what is left of it",
     {"schedules": [schedule("long", cron="0 0 * * *", duration="PT10H"),
                    schedule("short", cron="30 8 * * *", duration="PT2H")]}, 9.75, "schedule:short"),
    ("an end_cron occurrence is as wide as it really lasts",
     {"schedules": [schedule("night", cron="0 22 * * *", end_cron="0 6 * * *"),
                    schedule("evening", cron="0 18 * * *", duration="PT6H")]}, 23, "schedule:evening"),
    ("a narrower override inside a long one wins",
     {"overrides": [override("away", **WEEK_AWAY), override("back", start=iso(17), end=iso(22))]},
     18, "override:back"),
    ("the long override holds around the narrow one",
     {"overrides": [override("away", **WEEK_AWAY), override("back", start=iso(17), end=iso(22))]},
     23, "override:away"),
    ("equally long overrides: the most recently created wins",
     {"overrides": [override("p", now=1, start=iso(6), end=iso(9)), override("q", now=2, start=iso(7), end=iso(10))]},
     8, "override:q"),
    ("the adjustment that started last wins, even if wider",
     {"adjustments": [override("first", start=iso(7), duration="PT1H", kind="adjustment"),
                      override("second", start=iso(7.5), duration="PT5H", kind="adjustment")]},
     7.75, "adjustment:second"),
    ("a disabled schedule is ignored",
     {"schedules": [schedule("a", cron="0 6 * * *", duration="PT8H", enabled=False)]}, 7, "default"),
    ("an override beats every schedule, however narrow",
     {"schedules": [schedule("a", cron="0 7 * * *", duration="PT1M")],
      "overrides": [override("away", **WEEK_AWAY)]}, 7 + 1 / 120, "override:away"),
]


@pytest.mark.parametrize(("rules", "probe", "source"), [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_the_most_specific_rule_wins(rules: dict[str, list[Any]], probe: float, source: str) -> None:
    segments = resolve(
        rules.get("schedules", []),
        rules.get("overrides", []),
        rules.get("adjustments", []),
        DEFAULT,
        hour(0),
        hour(48),
        ZONE,
    )
    instruction = instruction_at(segments, hour(probe))
    assert instruction is not None
    assert instruction.source == source


def test_a_segment_carries_its_rule_settings_and_end() -> None:
    rule = schedule("eco", cron="0 6 * * *", duration="PT8H", mode="auto", heat_setpoint=19, cool_setpoint=25,
                    fan="on", sensors={"living": 2, "hall": 1}, tolerance=0.4)
    segments = resolve([rule], [], [], DEFAULT, hour(0), hour(24), ZONE)
    instruction = instruction_at(segments, hour(10))
    assert instruction is not None
    assert (instruction.mode, instruction.heat_setpoint, instruction.cool_setpoint, instruction.fan) == (
        "auto", 19.0, 25.0, "on")
    assert dict(instruction.sensors) == {"living": 2.0, "hall": 1.0} and instruction.tolerance == 0.4
    assert instruction.until == hour(14)


def test_the_default_keeps_its_settings_and_is_named_default() -> None:
    segments = resolve([], [], [], DEFAULT, hour(0), hour(5), ZONE)
    assert [(s.start, s.end) for s in segments] == [(hour(0), hour(5))]
    assert segments[0].instruction.heat_setpoint == DEFAULT.heat_setpoint
    assert segments[0].instruction.source == "default" and segments[0].instruction.until == hour(5)


def test_outside_the_timeline_there_is_no_instruction_and_no_change() -> None:
    segments = resolve([schedule("a", cron="0 6 * * *", duration="PT8H")], [], [], DEFAULT, hour(0), hour(24), ZONE)
    assert instruction_at(segments, hour(-1)) is None
    assert instruction_at(segments, hour(24)) is None
    assert next_change(segments, hour(-1)) == (hour(0), segments[0].instruction)
    assert next_change(segments, hour(14)) is None


def test_an_empty_window_is_refused() -> None:
    with pytest.raises(ValueError, match="end must be after start"):
        resolve([], [], [], DEFAULT, hour(5), hour(5), ZONE)
