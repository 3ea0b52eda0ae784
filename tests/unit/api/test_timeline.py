"""``/v1/timeline``: the week ahead, recomputed as rules change and time passes."""

from __future__ import annotations

import itertools

import pytest_twisted

from rpymostat.common.timeutil import from_iso, to_iso

from .rules_support import MORNINGS, local, move_clock_to, starts, timeline


def assert_contiguous(segments, start: float, end: float) -> None:
    assert from_iso(segments[0]["start"]) == start
    assert from_iso(segments[-1]["end"]) == end
    for left, right in itertools.pairwise(segments):
        assert left["end"] == right["start"]


@pytest_twisted.ensureDeferred
async def test_the_timeline_covers_the_hours_asked_for_from_now(engine):
    schedule = (await engine.request("POST", "/v1/schedules", json=MORNINGS, key="write")).json
    now = engine.clock.seconds()
    default = await engine.request("GET", "/v1/timeline", key="read")
    assert default.json["hours"] == 24 and default.json["start"] == to_iso(now)
    assert default.json["timezone"] == "Europe/London"
    assert_contiguous(default.json["segments"], now, now + 24 * 3600)
    week = await timeline(engine, hours=168)
    assert_contiguous(week, now, now + 168 * 3600)
    assert starts(week, f"schedule:{schedule['id']}") == [local(2026, 9, day, 6, 30) for day in range(22, 29)]
    morning = next(s for s in week if s["source"] != "default")
    assert morning == {"start": to_iso(local(2026, 9, 22, 6, 30)), "end": to_iso(local(2026, 9, 22, 8, 30)),
                       "source": f"schedule:{schedule['id']}", "mode": "heat", "heat_setpoint": 21.0,
                       "cool_setpoint": None, "fan": "auto", "sensors": {}, "tolerance": None,
                      "early_start": None}
    for hours in ("0", "169", "a"):
        refused = await engine.request("GET", f"/v1/timeline?hours={hours}", key="read")
        assert refused.code == 400 and "hours" in refused.json["error"]


@pytest_twisted.ensureDeferred
async def test_the_timeline_moves_on_with_the_clock(engine):
    schedule = (await engine.request("POST", "/v1/schedules", json=MORNINGS, key="write")).json
    source = f"schedule:{schedule['id']}"
    day = 24 * 3600
    for days in range(1, 10):  # no clock change in these days
        move_clock_to(engine, local(2026, 9, 21, 9) + days * day)
        segments = await timeline(engine)
        assert_contiguous(segments, engine.clock.seconds(), engine.clock.seconds() + day)
        assert starts(segments, source) == [local(2026, 9, 22, 6, 30) + days * day]


@pytest_twisted.ensureDeferred
async def test_the_timeline_is_right_across_the_autumn_clock_change(engine):
    daily = (await engine.request("POST", "/v1/schedules", json=MORNINGS, key="write")).json
    night = (await engine.request("POST", "/v1/schedules",
                                  json={"cron": "30 1 * * *", "duration": "PT1H", "mode": "heat", "heat_setpoint": 18},
                                  key="write")).json
    move_clock_to(engine, local(2026, 10, 24, 12))
    segments = await timeline(engine, hours=48)
    # 06:30 local is 05:30Z in summer time and 06:30Z after the change on 25 October.
    assert starts(segments, f"schedule:{daily['id']}") == [local(2026, 10, 25, 6, 30), local(2026, 10, 26, 6, 30)]
    assert local(2026, 10, 26, 6, 30) - local(2026, 10, 25, 6, 30) == 24 * 3600
    assert local(2026, 10, 25, 6, 30) - local(2026, 10, 24, 6, 30) == 25 * 3600
    # 01:30 happens twice on the 25th; the schedule fires once, at the first (BST) one.
    assert starts(segments, f"schedule:{night['id']}") == [local(2026, 10, 25, 1, 30, fold=0),
                                                             local(2026, 10, 26, 1, 30)]
    move_clock_to(engine, local(2026, 10, 25, 1, 45, fold=1))
    after = await timeline(engine, hours=24)
    assert after[0]["source"] == "default"
    assert starts(after, f"schedule:{daily['id']}") == [local(2026, 10, 25, 6, 30)]


@pytest_twisted.ensureDeferred
async def test_the_timeline_is_right_across_the_spring_clock_change(engine):
    night = (await engine.request("POST", "/v1/schedules",
                                  json={"cron": "30 1 * * *", "end_cron": "0 7 * * *", "mode": "heat",
                                        "heat_setpoint": 18}, key="write")).json
    move_clock_to(engine, local(2027, 3, 27, 12))
    segments = [s for s in await timeline(engine, hours=48) if s["source"] == f"schedule:{night['id']}"]
    # 01:30 does not exist on 28 March: the occurrence starts at the change (02:00 BST = 01:00Z).
    assert [(from_iso(s["start"]), from_iso(s["end"])) for s in segments] == [
        (from_iso("2027-03-28T01:00:00Z"), local(2027, 3, 28, 7)),
        (local(2027, 3, 29, 1, 30), local(2027, 3, 29, 7)),
    ]
