"""Which level a query reads, and the bucket size it answers with."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from rpymostat.history.levels import bucket_start, history_levels
from rpymostat.history.resolution import MAX_POINTS, NICE_STEPS, auto_resolution, choose_level

NOW = 1_790_000_000.0
DAY = 86400.0
LEVELS = history_levels(30, 366, 3653, 0)


def test_a_chart_of_each_span_reads_the_level_it_needs():
    cases = {1: ("5m", 300), 7: ("5m", 1800), 30: ("1h", 7200), 365: ("1d", 86400)}
    for days, (level, resolution) in cases.items():
        plan = choose_level(LEVELS, NOW - days * DAY, auto_resolution(NOW - days * DAY, NOW, 500), NOW)
        assert (plan.level.name, plan.resolution) == (level, resolution), days


def test_finer_than_every_rollup_reads_raw_readings_while_they_are_kept():
    assert choose_level(LEVELS, NOW - DAY, 60, NOW).level.name == "raw"
    assert choose_level(LEVELS, NOW - DAY, 450, NOW).level.name == "raw"
    old = choose_level(LEVELS, NOW - 60 * DAY, 60, NOW)
    assert (old.level.name, old.resolution) == ("5m", 300)


def test_past_a_levels_retention_a_coarser_level_answers():
    plan = choose_level(LEVELS, NOW - 2 * 365 * DAY, 600, NOW)
    assert (plan.level.name, plan.resolution) == ("1h", 3600)
    forever = choose_level(LEVELS, NOW - 20 * 365 * DAY, 600, NOW)
    assert (forever.level.name, forever.resolution) == ("1d", 86400)


@given(span=st.floats(min_value=1.0, max_value=4000 * DAY), points=st.integers(1, MAX_POINTS))
def test_auto_resolution_never_gives_more_points_than_asked(span, points):
    step = auto_resolution(NOW - span, NOW, points)
    assert span / step <= points
    smaller = [s for s in NICE_STEPS if s < step]
    assert not smaller or span / smaller[-1] > points


@given(resolution=st.integers(1, 30 * 86400), days_back=st.integers(0, 5000))
def test_the_plan_always_reads_whole_level_buckets(resolution, days_back):
    plan = choose_level(LEVELS, NOW - days_back * DAY, resolution, NOW)
    assert plan.resolution >= resolution
    if plan.level.step:
        assert plan.resolution % plan.level.step == 0
    coarser = [lv for lv in LEVELS if lv.step > plan.level.step and lv.covers(NOW - days_back * DAY, NOW)
               and plan.resolution % lv.step == 0]
    assert coarser == []


@given(at=st.floats(min_value=0, max_value=4e9), step=st.sampled_from([60, 300, 3600, 86400]))
def test_a_time_falls_in_the_bucket_that_starts_at_its_bucket_start(at, step):
    start = bucket_start(at, step)
    assert start % step == 0
    assert start <= at < start + step or abs(at - (start + step)) < 1e-6 * max(at, 1)
