"""Occurrences begun before the window count, so a restart neither replays nor misses."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from rpymostat.scheduling.timeline import instruction_at, next_change, resolve

from .builders import DEFAULT, at, override, schedule

ZONE = "Australia/Sydney"
SCHEDULES = [
    schedule("night", cron="0 22 * * *", duration="PT10H", heat_setpoint=17),
    schedule("weekend", cron="0 8 * * 6", end_cron="0 20 * * 0", heat_setpoint=21),
    schedule("workday", cron="30 7 * * 1-5", duration="PT90M", heat_setpoint=20),
    schedule("hourly boost", cron="0 * * * *", duration="PT15M", heat_setpoint=22, created_at=5),
]
AWAY = override("away", start="2026-04-08T09:00:00+10:00", end="2026-04-10T18:00:00+10:00", heat_setpoint=12)
EARLIEST = at(ZONE, 2026, 3, 30)


def test_an_occurrence_running_at_the_start_counts() -> None:
    start = at(ZONE, 2026, 4, 2, 5)  # Thursday 05:00, night began at 22:00
    segments = resolve(SCHEDULES[:1], [], [], DEFAULT, start, start + 86400, ZONE)
    assert segments[0].instruction.source == "schedule:night"
    assert (segments[0].start, segments[0].end) == (start, at(ZONE, 2026, 4, 2, 8))


def test_an_end_cron_occurrence_begun_days_before_counts() -> None:
    start = at(ZONE, 2026, 4, 5, 12)  # Sunday noon, weekend began Saturday 08:00
    segments = resolve(SCHEDULES[1:2], [], [], DEFAULT, start, start + 86400, ZONE)
    assert segments[0].instruction.source == "schedule:weekend"
    assert segments[0].end == at(ZONE, 2026, 4, 5, 20)


@settings(max_examples=60, deadline=None)
@given(
    first=st.floats(0, 6 * 86400),
    later=st.floats(0, 3 * 86400),
    probe=st.floats(0, 86400),
)
def test_a_later_start_sees_the_same_instruction(first: float, later: float, probe: float) -> None:
    """What an engine restarted at ``restart`` sees equals what it would have kept."""
    start = EARLIEST + first
    restart = start + later
    now = restart + probe
    end = restart + 86400 + 1
    before = resolve(SCHEDULES, [AWAY], [], DEFAULT, start, end, ZONE)
    after = resolve(SCHEDULES, [AWAY], [], DEFAULT, restart, end, ZONE)
    assert instruction_at(before, now) == instruction_at(after, now)
    assert next_change(before, now) == next_change(after, now)
