"""Properties of any resolved timeline: full coverage, and the documented precedence."""

from __future__ import annotations

import itertools
from dataclasses import replace
from typing import Any

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


@st.composite
def schedules(draw: Any, weekdays: bool = True, end_crons: bool = True) -> list[Schedule]:
    rules = []
    for index in range(draw(st.integers(0, 8))):
        fields: dict[str, Any] = {
            "cron": f"{draw(st.sampled_from([0, 15, 30, 45]))} {draw(st.integers(0, 23))} * * "
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


def expected_source(rules: list[Schedule], overrides: list[Override], adjustments: list[Override],
                    moment: float) -> str:
    """The documented precedence, written out directly for daily UTC schedules."""
    running = [rule for rule in adjustments if rule.start <= moment < rule.end]
    if running:
        best = min(running, key=lambda rule: (-rule.start, -rule.created_at, rule.id))
        return f"adjustment:{best.id}"
    running = [rule for rule in overrides if rule.start <= moment < rule.end]
    if running:
        best = min(running, key=lambda rule: (rule.end - rule.start, -rule.created_at, rule.id))
        return f"override:{best.id}"
    candidates = []
    midnight = moment - moment % 86400
    for rule in rules:
        minute, hour = (int(field) for field in rule.cron.split()[:2])
        for days_back in range(3):
            begins = midnight - days_back * 86400 + hour * 3600 + minute * 60
            if rule.enabled and begins <= moment < begins + rule.duration:
                candidates.append((rule.duration, -rule.created_at, rule.id))
    if candidates:
        return f"schedule:{min(candidates)[2]}"
    return "default"


@settings(max_examples=150, deadline=None)
@given(data=st.data(), offset=st.integers(0, 86400), probes=st.lists(st.floats(0, 1), min_size=5, max_size=20))
def test_the_winner_follows_the_documented_precedence(data: Any, offset: int, probes: list[float]) -> None:
    base = at("UTC", 2026, 6, 1)
    rules = data.draw(schedules(weekdays=False, end_crons=False))
    overrides = data.draw(one_time("o", "override", base, open_ended=False))
    adjustments = data.draw(one_time("a", "adjustment", base, open_ended=False))
    start, end = base + offset, base + offset + 2 * 86400
    segments = resolve(rules, overrides, adjustments, DEFAULT, start, end, "UTC")
    moments = [segment.start for segment in segments] + [start + share * (end - start) for share in probes]
    for moment in moments:
        if moment < end:
            found = instruction_at(segments, moment)
            assert found is not None
            assert found.source == expected_source(rules, overrides, adjustments, moment), to_iso(moment)
