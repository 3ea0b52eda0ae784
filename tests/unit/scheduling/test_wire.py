"""What the API shows of a rule can be put back unchanged."""

from __future__ import annotations

import json

import pytest

from rpymostat.scheduling.model import Adjustment, Override, Schedule
from rpymostat.scheduling.timeline import resolve
from rpymostat.scheduling.validation import parse_override, parse_schedule
from rpymostat.scheduling.wire import (
    override_to_dict,
    schedule_to_dict,
    segment_to_dict,
)

from .builders import DEFAULT, LIMITS, SENSORS, at, override, schedule

NOW = at("UTC", 2026, 12, 1, 12)

SCHEDULES = [
    schedule("s1", created_at=NOW, cron="0 6 * * 1-5", duration="PT8H30M"),
    schedule("s2", created_at=NOW, cron="0 22 * * *", end_cron="0 6 * * *", mode="auto", heat_setpoint=18,
             cool_setpoint=26, fan="on", sensors={"bedroom": 1}, tolerance=0.2, enabled=False, name="Night"),
]
OVERRIDES = [
    override("o1", now=NOW, start="2026-12-21T00:00:00Z", end="2026-12-28T00:00:00Z", heat_setpoint=12),
    override("o2", now=NOW, start="2026-12-21T00:00:00Z", until="next_change", mode="off"),
    override("a1", now=NOW, start="now", duration="PT45M", mode="cool", cool_setpoint=23),
    override("a2", now=NOW, start="now", heat_setpoint=22),
]


@pytest.mark.parametrize("rule", SCHEDULES, ids=lambda rule: rule.id)
def test_a_schedule_round_trips(rule: Schedule) -> None:
    body = json.loads(json.dumps(schedule_to_dict(rule)))
    again = parse_schedule(body, rule_id=rule.id, created_at=rule.created_at, known_sensors=SENSORS, limits=LIMITS)
    assert again == rule


@pytest.mark.parametrize("rule", OVERRIDES, ids=lambda rule: rule.id)
def test_an_override_or_adjustment_round_trips(rule: Override) -> None:
    body = json.loads(json.dumps(override_to_dict(rule)))
    again = parse_override(body, rule_id=rule.id, now=NOW + 999, created_at=rule.created_at, known_sensors=SENSORS,
                           limits=LIMITS)
    assert again == rule and type(again) is type(rule)
    assert body["kind"] == ("adjustment" if isinstance(rule, Adjustment) else "override")


def test_a_segment_says_when_what_and_why() -> None:
    segments = resolve(SCHEDULES[:1], [], [], DEFAULT, at("UTC", 2026, 12, 1), at("UTC", 2026, 12, 2), "UTC")
    shown = [segment_to_dict(segment) for segment in segments]
    assert [(s["start"], s["end"], s["source"], s["heat_setpoint"]) for s in shown] == [
        ("2026-12-01T00:00:00.000Z", "2026-12-01T06:00:00.000Z", "default", 16.0),
        ("2026-12-01T06:00:00.000Z", "2026-12-01T14:30:00.000Z", "schedule:s1", 20.0),
        ("2026-12-01T14:30:00.000Z", "2026-12-02T00:00:00.000Z", "default", 16.0),
    ]
