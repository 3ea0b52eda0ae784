"""Resolve schedules, overrides and adjustments into a timeline of instructions.

Everything here is a pure function of the rules, the window and the zone: the
engine's current instruction is read off the resolved timeline, never from
triggers that fired, so a restart neither replays nor misses a change.

Precedence, best first (see ``docs/schedules.rst``):

1. adjustments: the one that started last, then the most recently created,
   then the smaller id;
2. overrides: the narrower (shorter interval), then the most recently
   created, then the smaller id;
3. schedule occurrences: the narrower (shorter occurrence), then the most
   recently created schedule, then the smaller id;
4. the default instruction.
"""

from __future__ import annotations

import heapq
import math
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from itertools import pairwise
from zoneinfo import ZoneInfo

from rpymostat.scheduling.instruction import Instruction
from rpymostat.scheduling.model import Override, Schedule
from rpymostat.scheduling.validation import MAX_OCCURRENCE
from rpymostat.scheduling.wallclock import CronMatcher

_ADJUSTMENT, _OVERRIDE, _SCHEDULE = 0, 1, 2

Rank = tuple[int, float, float, str]


@dataclass(frozen=True)
class TimelineSegment:
    """One stretch of time with one effective instruction; ``end`` is exclusive."""

    start: float
    end: float
    instruction: Instruction


@dataclass(frozen=True)
class _Claim:
    """A rule asking for its instruction over ``[start, end)``; lower rank wins."""

    start: float
    end: float
    rank: Rank
    instruction: Instruction


def resolve(
    schedules: Iterable[Schedule],
    overrides: Iterable[Override],
    adjustments: Iterable[Override],
    default: Instruction,
    start: float,
    end: float,
    tz: str,
    paused: bool = False,
) -> list[TimelineSegment]:
    """The contiguous segments covering ``[start, end)``, equal neighbours merged.

    ``paused`` sets every schedule aside (vacation) while overrides and
    adjustments still apply. Each segment's instruction names its rule in
    ``source`` and carries the segment's end in ``until``.
    """
    if not end > start:
        raise ValueError("end must be after start")
    zone = ZoneInfo(tz)
    overrides, adjustments = list(overrides), list(adjustments)
    open_ended = [rule.start for rule in (*overrides, *adjustments) if rule.end is None and rule.start < end]
    horizon = min([start, *open_ended])
    schedule_claims = [] if paused else list(_schedule_claims(schedules, zone, horizon, end))
    scheduled = _sweep(schedule_claims, default, horizon, end) if open_ended else []
    claims = (
        schedule_claims
        + [_rule_claim(rule, _OVERRIDE, "override", scheduled) for rule in overrides]
        + [_rule_claim(rule, _ADJUSTMENT, "adjustment", scheduled) for rule in adjustments]
    )
    return _sweep(claims, default, start, end)


def _start(segment: TimelineSegment) -> float:
    return segment.start


def instruction_at(segments: Sequence[TimelineSegment], now: float) -> Instruction | None:
    """The instruction in force at ``now``, or ``None`` outside the timeline."""
    index = bisect_right(segments, now, key=_start) - 1
    if index >= 0 and now < segments[index].end:
        return segments[index].instruction
    return None


def instruction_until(segments: Sequence[TimelineSegment], now: float) -> float:
    """Until when the instruction in force at ``now`` holds: the end of its segment or the next one's start."""
    index = bisect_right(segments, now, key=_start)
    until = segments[index].start if index < len(segments) else math.inf
    if index > 0 and now < segments[index - 1].end:
        until = min(until, segments[index - 1].end)
    return until


def next_change(segments: Sequence[TimelineSegment], now: float) -> tuple[float, Instruction] | None:
    """When the instruction next changes after ``now`` and what it becomes.

    This is what a pre-heating decision plugin needs; ``None`` when nothing
    changes before the end of the timeline.
    """
    index = bisect_right(segments, now, key=_start)
    if index < len(segments):
        return segments[index].start, segments[index].instruction
    return None


def _schedule_claims(schedules: Iterable[Schedule], zone: ZoneInfo, start: float, end: float) -> Iterator[_Claim]:
    for schedule in schedules:
        if schedule.enabled:
            instruction = replace(schedule.instruction, source=f"schedule:{schedule.id}", until=None)
            for begins, ends in _occurrences(schedule, zone, start, end):
                yield _Claim(begins, ends, (_SCHEDULE, ends - begins, -schedule.created_at, schedule.id), instruction)


def _occurrences(schedule: Schedule, zone: ZoneInfo, start: float, end: float) -> Iterator[tuple[float, float]]:
    """Occurrences overlapping ``[start, end)``, including those begun earlier.

    A fixed-length occurrence overlaps when it begins less than its length
    before ``start``. Ends set by ``end_cron`` never decrease as starts
    increase, so walking back from ``start`` can stop at the first occurrence
    already over, and walking forward reads the end matches in one pass.
    """
    starts = CronMatcher(schedule.cron, zone)
    if schedule.end_cron is None:
        assert schedule.duration is not None
        for begins in starts.instants(start - schedule.duration, end):
            yield begins, begins + schedule.duration
        return
    ends = CronMatcher(schedule.end_cron, zone)
    for begins in starts.instants_before(start):
        finishes = min(ends.next_after(begins), begins + MAX_OCCURRENCE)
        if finishes <= start:
            break
        yield begins, finishes
    end_matches = ends.instants(start, math.inf)
    next_end = start
    for begins in starts.instants(start, end):
        while next_end <= begins:
            next_end = next(end_matches)
        yield begins, min(next_end, begins + MAX_OCCURRENCE)


def _rule_claim(rule: Override, tier: int, kind: str, scheduled: Sequence[TimelineSegment]) -> _Claim:
    ends = rule.end
    if ends is None:
        change = next_change(scheduled, rule.start)
        ends = math.inf if change is None else change[0]
    if tier == _ADJUSTMENT:
        rank: Rank = (tier, -rule.start, -rule.created_at, rule.id)
    else:
        rank = (tier, ends - rule.start, -rule.created_at, rule.id)
    return _Claim(rule.start, ends, rank, replace(rule.instruction, source=f"{kind}:{rule.id}", until=None))


def _sweep(claims: Iterable[_Claim], default: Instruction, start: float, end: float) -> list[TimelineSegment]:
    """Cut ``[start, end)`` at every claim boundary and keep the best claim of each piece."""
    fallback = replace(default, source="default", until=None)
    live = sorted(
        (claim for claim in claims if claim.start < end and claim.end > start),
        key=lambda claim: claim.start,
    )
    bounds = sorted({start, end} | {t for claim in live for t in (claim.start, claim.end) if start < t < end})
    pieces: list[tuple[float, float, Instruction]] = []
    candidates: list[tuple[Rank, int]] = []
    pending = 0
    for left, right in pairwise(bounds):
        while pending < len(live) and live[pending].start <= left:
            heapq.heappush(candidates, (live[pending].rank, pending))
            pending += 1
        while candidates and live[candidates[0][1]].end <= left:
            heapq.heappop(candidates)
        instruction = live[candidates[0][1]].instruction if candidates else fallback
        if pieces and pieces[-1][2] == instruction:
            pieces[-1] = (pieces[-1][0], right, instruction)
        else:
            pieces.append((left, right, instruction))
    return [TimelineSegment(left, right, replace(instruction, until=right)) for left, right, instruction in pieces]
