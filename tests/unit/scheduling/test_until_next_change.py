"""Overrides and adjustments that last "until the next scheduled change"."""

from __future__ import annotations

from typing import Any

import pytest

from rpymostat.scheduling.timeline import resolve

from .builders import DEFAULT, at, override, schedule

ZONE = "Europe/London"


def local(day: int, h: float) -> float:
    return at(ZONE, 2026, 6, day) + h * 3600


def stamp(day: int, h: float) -> str:
    return f"2026-06-{day:02d}T{int(h):02d}:{int(h * 60) % 60:02d}:00+01:00"


MORNING = schedule("morning", cron="0 6 * * *", duration="PT8H")  # 06:00-14:00 local
EVENING = schedule("evening", cron="0 17 * * *", duration="PT5H")  # 17:00-22:00 local
TWIN = schedule("twin", cron="0 14 * * *", duration="PT3H", heat_setpoint=20.0)  # same settings as morning

CASES: list[tuple[str, list[Any], dict[str, Any], float]] = [
    ("ends when the running schedule ends", [MORNING], {"start": stamp(1, 10)}, local(1, 14)),
    ("ends when the next schedule starts", [MORNING, EVENING], {"start": stamp(1, 15)}, local(1, 17)),
    ("started at a change, it lasts to the following one", [MORNING], {"start": stamp(1, 6)}, local(1, 14)),
    ("runs overnight to the next morning", [MORNING], {"start": stamp(1, 22)}, local(2, 6)),
    ("a new rule with the same settings is a change", [MORNING, TWIN], {"start": stamp(1, 10)}, local(1, 14)),
    ("a narrower schedule starting inside is a change",
     [MORNING, schedule("lunch", cron="0 12 * * *", duration="PT1H")], {"start": stamp(1, 10)}, local(1, 12)),
]


@pytest.mark.parametrize("kind", ["override", "adjustment"])
@pytest.mark.parametrize(("schedules", "fields", "ends"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_it_ends_at_the_next_change_of_the_scheduled_timeline(
    kind: str, schedules: list[Any], fields: dict[str, Any], ends: float
) -> None:
    rule = override("r", until="next_change", heat_setpoint=23, kind=kind, **fields)
    rules = ([rule], []) if kind == "override" else ([], [rule])
    segments = resolve(schedules, *rules, DEFAULT, local(1, 0), local(3, 0), ZONE)
    ours = [s for s in segments if s.instruction.source == f"{kind}:r"]
    assert len(ours) == 1
    assert (ours[0].start, ours[0].end) == (rule.start, ends)
    assert ours[0].instruction.heat_setpoint == 23.0


def test_with_no_change_ahead_it_runs_to_the_end_of_the_timeline() -> None:
    rule = override("r", start=stamp(1, 10), until="next_change")
    segments = resolve([], [rule], [], DEFAULT, local(1, 0), local(2, 0), ZONE)
    assert segments[-1].instruction.source == "override:r"
    assert (segments[-1].start, segments[-1].end) == (local(1, 10), local(2, 0))


def test_one_started_before_the_window_still_holds_until_the_change() -> None:
    rule = override("r", start=stamp(1, 15), until="next_change")
    segments = resolve([MORNING], [rule], [], DEFAULT, local(1, 20), local(2, 20), ZONE)
    assert segments[0].instruction.source == "override:r"
    assert (segments[0].start, segments[0].end) == (local(1, 20), local(2, 6))


def test_one_whose_change_has_passed_is_over() -> None:
    rule = override("r", start=stamp(1, 10), until="next_change")
    segments = resolve([MORNING], [rule], [], DEFAULT, local(1, 16), local(2, 16), ZONE)
    assert all(s.instruction.source != "override:r" for s in segments)


def test_other_overrides_do_not_end_an_adjustment() -> None:
    lunch_out = override("out", start=stamp(1, 11), end=stamp(1, 12))
    now = override("now", start=stamp(1, 10), until="next_change", kind="adjustment")
    segments = resolve([MORNING], [lunch_out], [now], DEFAULT, local(1, 0), local(2, 0), ZONE)
    ours = [s for s in segments if s.instruction.source == "adjustment:now"]
    assert [(s.start, s.end) for s in ours] == [(local(1, 10), local(1, 14))]


def test_while_paused_nothing_is_scheduled_so_it_holds_to_the_end() -> None:
    rule = override("r", start=stamp(1, 10), until="next_change", kind="adjustment")
    segments = resolve([MORNING, EVENING], [], [rule], DEFAULT, local(1, 0), local(2, 0), ZONE, paused=True)
    assert [s.instruction.source for s in segments] == ["default", "adjustment:r"]
    assert segments[-1].end == local(2, 0)
