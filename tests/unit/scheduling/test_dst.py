"""Schedules keep local wall-clock time across DST changes; durations are real time."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rpymostat.scheduling.timeline import resolve

from .builders import DEFAULT, at, schedule

ZONES = ["Europe/London", "America/New_York", "Australia/Sydney", "Pacific/Auckland"]


@cache
def transitions(zone_name: str, year: int) -> tuple[float, ...]:
    """Instants in ``year`` at which the zone's UTC offset changes (test oracle)."""
    zone = ZoneInfo(zone_name)
    found = []
    hour = datetime(year, 1, 1, tzinfo=ZoneInfo("UTC")).timestamp()
    stop = datetime(year + 1, 1, 1, tzinfo=ZoneInfo("UTC")).timestamp()
    while hour < stop:
        if datetime.fromtimestamp(hour, zone).utcoffset() != datetime.fromtimestamp(hour + 3600, zone).utcoffset():
            low, high = int(hour), int(hour + 3600)
            while high - low > 1:
                middle = (low + high) // 2
                if datetime.fromtimestamp(middle, zone).utcoffset() == datetime.fromtimestamp(high, zone).utcoffset():
                    high = middle
                else:
                    low = middle
            found.append(float(high))
        hour += 3600
    return tuple(found)


def offset(zone: ZoneInfo, instant: float) -> timedelta | None:
    return datetime.fromtimestamp(instant, zone).utcoffset()


def local_dates(zone_name: str, start: float, end: float) -> list[date]:
    zone = ZoneInfo(zone_name)
    first = datetime.fromtimestamp(start, zone).date()
    last = datetime.fromtimestamp(end, zone).date()
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def schedule_segments(zone: str, cron: str, duration: str, start: float, end: float) -> list[tuple[float, float]]:
    rule = schedule("s", cron=cron, duration=duration)
    return [(s.start, s.end) for s in resolve([rule], [], [], DEFAULT, start, end, zone)
            if s.instruction.source == "schedule:s"]


@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize("which", [0, 1])
def test_daily_six_oclock_fires_at_six_local_on_both_sides_of_each_change(zone: str, which: int) -> None:
    change = transitions(zone, 2026)[which]
    change_day = datetime.fromtimestamp(change, ZoneInfo(zone)).date()
    start = at(zone, *(change_day - timedelta(days=3)).timetuple()[:3])
    end = start + 7 * 86400
    segments = schedule_segments(zone, "0 6 * * *", "PT1H", start, end)
    expected = [at(zone, *(change_day + timedelta(days=n)).timetuple()[:3], 6) for n in range(-3, 4)]
    assert [begins for begins, _ in segments] == expected
    assert all(ends - begins == 3600 for begins, ends in segments)


def test_a_time_skipped_by_spring_forward_fires_when_the_clocks_change() -> None:
    segments = schedule_segments("Europe/London", "30 1 * * *", "PT1H", at("Europe/London", 2026, 3, 28),
                                 at("Europe/London", 2026, 3, 31))
    assert [begins for begins, _ in segments] == [
        at("Europe/London", 2026, 3, 28, 1, 30),
        at("Europe/London", 2026, 3, 29, 2, 0),  # 01:30 does not exist; clocks jump 01:00 -> 02:00
        at("Europe/London", 2026, 3, 30, 1, 30),
    ]


def test_a_time_repeated_by_fall_back_fires_once_at_its_first_occurrence() -> None:
    segments = schedule_segments("Europe/London", "30 1 * * *", "PT10M", at("Europe/London", 2026, 10, 24),
                                 at("Europe/London", 2026, 10, 27))
    assert [begins for begins, _ in segments] == [
        at("Europe/London", 2026, 10, 24, 1, 30),
        at("Europe/London", 2026, 10, 25, 1, 30, fold=0),
        at("Europe/London", 2026, 10, 26, 1, 30),
    ]


def test_an_hourly_schedule_fires_once_per_wall_clock_hour_across_fall_back() -> None:
    zone = "America/New_York"
    segments = schedule_segments(zone, "0 * * * *", "PT5M", at(zone, 2026, 11, 1), at(zone, 2026, 11, 2))
    wall = [datetime.fromtimestamp(begins, ZoneInfo(zone)) for begins, _ in segments]
    assert [(moment.hour, moment.fold) for moment in wall] == [(h, 0) for h in range(24)]


def test_a_duration_is_elapsed_time_across_fall_back() -> None:
    zone = "Europe/London"
    segments = schedule_segments(zone, "0 0 * * *", "PT8H", at(zone, 2026, 10, 25), at(zone, 2026, 10, 26))
    assert segments == [(at(zone, 2026, 10, 25), at(zone, 2026, 10, 25) + 8 * 3600)]
    assert datetime.fromtimestamp(segments[0][1], ZoneInfo(zone)).hour == 7


def test_an_end_cron_ends_at_local_wall_clock_time_across_spring_forward() -> None:
    zone = "Pacific/Auckland"  # clocks go 02:00 -> 03:00 on 2026-09-27
    night = schedule("night", cron="0 22 * * *", end_cron="0 6 * * *")
    segments = resolve([night], [], [], DEFAULT, at(zone, 2026, 9, 26, 12), at(zone, 2026, 9, 27, 12), zone)
    ours = [(s.start, s.end) for s in segments if s.instruction.source == "schedule:night"]
    assert ours == [(at(zone, 2026, 9, 26, 22), at(zone, 2026, 9, 27, 6))]
    assert ours[0][1] - ours[0][0] == 7 * 3600


@settings(max_examples=150, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    year=st.integers(2020, 2037),
    which=st.integers(0, 1),
    days_before=st.integers(0, 3),
    hour=st.one_of(st.integers(1, 3), st.integers(0, 23)),  # the changes happen between 01:00 and 03:00
    minute=st.sampled_from([0, 15, 30, 45, 59]),
    minutes_long=st.integers(1, 20 * 60),
)
def test_daily_schedules_keep_wall_clock_time_around_any_change(
    zone: str, year: int, which: int, days_before: int, hour: int, minute: int, minutes_long: int
) -> None:
    """Once per local day: at H:M if it exists, first instant after the gap if skipped, first if repeated."""
    tz = ZoneInfo(zone)
    change = transitions(zone, year)[which]
    change_day = datetime.fromtimestamp(change, tz).date()
    start = at(zone, *(change_day - timedelta(days=days_before)).timetuple()[:3])
    end = start + 5 * 86400
    segments = schedule_segments(zone, f"{minute} {hour} * * *", f"PT{minutes_long}M", start, end)
    opening = datetime.fromtimestamp(start, tz)
    if segments and segments[0][0] == start and (opening.hour, opening.minute) != (hour, minute):
        segments = segments[1:]  # yesterday's occurrence still running at midnight

    fired_on = [datetime.fromtimestamp(begins, tz).date() for begins, _ in segments]
    days = [day for day in local_dates(zone, start, end) if at(zone, *day.timetuple()[:3], hour, minute) < end]
    assert fired_on == days
    for begins, ends in segments:
        assert ends - begins == minutes_long * 60 or ends == end
        fired = datetime.fromtimestamp(begins, tz)
        wall = datetime(fired.year, fired.month, fired.day, hour, minute)
        exists = datetime.fromtimestamp(wall.replace(tzinfo=tz).timestamp(), tz).replace(tzinfo=None) == wall
        if exists:
            assert (fired.hour, fired.minute, fired.fold) == (hour, minute, 0)
        else:
            assert offset(tz, begins - 1) != offset(tz, begins)
            assert fired.replace(tzinfo=None) > wall
