"""Properties of any resolved timeline: full coverage, and the documented precedence."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from rpymostat.common.timeutil import to_iso
from rpymostat.scheduling.model import Override, Schedule
from rpymostat.scheduling.timeline import (
    TimelineSegment,
    instruction_at,
    next_change,
    resolve,
)

from .builders import DEFAULT, at, override, schedule

ZONES = ["UTC", "Europe/London", "America/New_York", "Australia/Sydney", "Pacific/Auckland"]
# Around the 2026 changes of every zone above, and a quiet week.
BASES = [at("UTC", 2026, 3, 27), at("UTC", 2026, 4, 3), at("UTC", 2026, 6, 1), at("UTC", 2026, 9, 25),
         at("UTC", 2026, 10, 23), at("UTC", 2026, 10, 30)]
# Local midnight of the day before each 2026 change of a zone (and a quiet day
# for UTC): a window starting within a day of it and two days long spans the change.
EVE_OF_CHANGE = {
    "UTC": [at("UTC", 2026, 6, 1)],
    "Europe/London": [at("Europe/London", 2026, 3, 28), at("Europe/London", 2026, 10, 24)],
    "America/New_York": [at("America/New_York", 2026, 3, 7), at("America/New_York", 2026, 10, 31)],
    "Australia/Sydney": [at("Australia/Sydney", 2026, 4, 4), at("Australia/Sydney", 2026, 10, 3)],
}


# Hours at which the zones above change their clocks, drawn more often so
# that starts skipped or repeated by a change are exercised.
CHANGE_HOURS = st.one_of(st.sampled_from([1, 2, 3]), st.integers(0, 23))


@st.composite
def schedules(draw: Any, weekdays: bool = True, end_crons: bool = True) -> list[Schedule]:
    rules = []
    for index in range(draw(st.integers(0, 8))):
        fields: dict[str, Any] = {
            "cron": f"{draw(st.sampled_from([0, 15, 30, 45]))} {draw(CHANGE_HOURS)} * * "
                    f"{draw(st.sampled_from(['*', '1-5', '0,6']) if weekdays else st.just('*'))}",
            "heat_setpoint": draw(st.sampled_from([18, 19, 20, 21])),
            "enabled": draw(st.booleans()),
        }
        if end_crons and draw(st.booleans()):
            fields["end_cron"] = f"{draw(st.sampled_from([0, 30]))} {draw(st.integers(0, 23))} * * *"
        else:
            fields["duration"] = f"PT{draw(st.one_of(st.sampled_from([60, 120, 480]), st.integers(1, 30 * 60)))}M"
        rules.append(schedule(f"s{index}", created_at=draw(st.integers(0, 3)), **fields))
    return rules


@st.composite
def one_time(draw: Any, prefix: str, kind: str, base: float, open_ended: bool = True) -> list[Override]:
    rules = []
    for index in range(draw(st.integers(0, 3))):
        start = base + draw(st.integers(-86400, 4 * 86400)) // 900 * 900
        ending: dict[str, Any] = (
            {"until": "next_change"} if open_ended and draw(st.booleans())
            else {"duration": f"PT{draw(st.integers(15, 3 * 24 * 60))}M"}
        )
        rules.append(override(f"{prefix}{index}", now=draw(st.integers(0, 3)), start=to_iso(start), kind=kind,
                              heat_setpoint=draw(st.sampled_from([12, 22, 23])), **ending))
    return rules


def assert_well_formed(segments: list[TimelineSegment], start: float, end: float) -> None:
    assert segments, "a timeline is never empty"
    assert segments[0].start == start and segments[-1].end == end
    for segment in segments:
        assert segment.start < segment.end
        assert segment.instruction.until == segment.end
    for earlier, later in itertools.pairwise(segments):
        assert earlier.end == later.start, "no gap and no overlap"
        assert replace(earlier.instruction, until=None) != replace(later.instruction, until=None), "merged"


@settings(max_examples=150, deadline=None)
@given(data=st.data(), zone=st.sampled_from(ZONES), base=st.sampled_from(BASES),
       offset=st.floats(0, 2 * 86400), length=st.floats(1, 4 * 86400), paused=st.booleans())
def test_segments_cover_the_window_contiguously(
    data: Any, zone: str, base: float, offset: float, length: float, paused: bool
) -> None:
    rules = data.draw(schedules())
    overrides = data.draw(one_time("o", "override", base))
    adjustments = data.draw(one_time("a", "adjustment", base))
    start = base + offset
    segments = resolve(rules, overrides, adjustments, DEFAULT, start, start + length, zone, paused=paused)
    assert_well_formed(segments, start, start + length)
    for earlier, later in itertools.pairwise(segments):
        assert next_change(segments, earlier.start) == (later.start, later.instruction)
    assert next_change(segments, segments[-1].start) is None


def local_start(zone: ZoneInfo, day: date, hour: int, minute: int) -> float:
    """The first instant at or after ``hour:minute`` local on ``day``, as docs/schedules.rst defines it.

    That is the time itself, its first occurrence when the clocks go back,
    and the end of the gap (the moment of the change) when they go forward.
    """
    wanted = datetime(day.year, day.month, day.day, hour, minute)
    instants = sorted(int(wanted.replace(tzinfo=zone, fold=fold).timestamp()) for fold in (0, 1))
    existing = [t for t in instants if datetime.fromtimestamp(t, zone).replace(tzinfo=None) == wanted]
    if existing:
        return float(existing[0])
    low, high = instants
    while low < high:  # inside a gap local time only moves forward
        middle = (low + high) // 2
        if datetime.fromtimestamp(middle, zone).replace(tzinfo=None) >= wanted:
            high = middle
        else:
            low = middle + 1
    return float(low)


def expected_source(rules: list[Schedule], overrides: list[Override], adjustments: list[Override],
                    moment: float, tz: str) -> str:
    """The documented precedence, written out directly for daily schedules in the zone ``tz``."""
    running = [rule for rule in adjustments if rule.start <= moment < rule.end]
    if running:
        best = min(running, key=lambda rule: (-rule.start, -rule.created_at, rule.id))
        return f"adjustment:{best.id}"
    running = [rule for rule in overrides if rule.start <= moment < rule.end]
    if running:
        best = min(running, key=lambda rule: (rule.end - rule.start, -rule.created_at, rule.id))
        return f"override:{best.id}"
    candidates = []
    zone = ZoneInfo(tz)
    today = datetime.fromtimestamp(moment, zone).date()
    for rule in rules:
        minute, hour = (int(field) for field in rule.cron.split()[:2])
        for days_back in range(4):
            begins = local_start(zone, today - timedelta(days=days_back), hour, minute)
            if rule.enabled and begins <= moment < begins + rule.duration:
                candidates.append((rule.duration, -rule.created_at, rule.id))
    if candidates:
        return f"schedule:{min(candidates)[2]}"
    return "default"


def expected_boundaries(rules: list[Schedule], start: float, end: float, tz: str) -> list[float]:
    """Where each daily occurrence starts and ends by the documented DST rules, inside ``[start, end)``."""
    zone = ZoneInfo(tz)
    first = datetime.fromtimestamp(start, zone).date() - timedelta(days=2)
    days = (end - start) // 86400 + 4
    found = []
    for rule in rules:
        minute, hour = (int(field) for field in rule.cron.split()[:2])
        for day in range(int(days)):
            begins = local_start(zone, first + timedelta(days=day), hour, minute)
            found += [t for t in (begins, begins + rule.duration) if start <= t < end]
    return found


@settings(max_examples=150, deadline=None)
@given(data=st.data(), zone=st.sampled_from(sorted(EVE_OF_CHANGE)), offset=st.integers(0, 86400),
       probes=st.lists(st.floats(0, 1), min_size=5, max_size=20))
def test_the_winner_follows_the_documented_precedence(data: Any, zone: str, offset: int, probes: list[float]) -> None:
    base = data.draw(st.sampled_from(EVE_OF_CHANGE[zone]))
    rules = data.draw(schedules(weekdays=False, end_crons=False))
    overrides = data.draw(one_time("o", "override", base, open_ended=False))
    adjustments = data.draw(one_time("a", "adjustment", base, open_ended=False))
    start, end = base + offset, base + offset + 2 * 86400
    segments = resolve(rules, overrides, adjustments, DEFAULT, start, end, zone)
    moments = ([segment.start for segment in segments] + expected_boundaries(rules, start, end, zone)
               + [start + share * (end - start) for share in probes])
    for moment in moments:
        if moment < end:
            found = instruction_at(segments, moment)
            assert found is not None
            assert found.source == expected_source(rules, overrides, adjustments, moment, zone), (zone, to_iso(moment))
