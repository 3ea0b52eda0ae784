"""A winter week in the closed loop: night setback, two days away, the engine's own decisions.

The house runs on a ``task.Clock`` with the default hysteresis plugin and
the default safety limits, exactly as the engine's loop calls them; the
figures asserted are what a person at home would notice.
"""

from __future__ import annotations

import pytest

from rpymostat.decisions.predictive import predictive
from rpymostat.sim.closed_loop import ClosedLoop, Recording, Sample
from tests.unit.sim.week_builders import DAY, HOUR, at, iso, winter_loop

TARGET = 21.0
AWAY_FLOOR = 12.0
AWAY_START, AWAY_END = at(1, 9.0), at(3, 12.0)
MORNING_WARMUP = 2 * HOUR
RETURN_WARMUP = 5 * HOUR
COMFORT_LIMIT = 0.75  # the tolerance (0.3 °C) plus the overshoot of one minimum run seen through a lagging sensor
DEFAULTS = {key: spec["default"] for key, spec in predictive.options_schema["properties"].items()}
EARLIEST_START = DEFAULTS["max_early_start"]


@pytest.fixture(scope="module")
def week() -> ClosedLoop:
    away = {"away": {"name": "Away", "start": iso(AWAY_START), "end": iso(AWAY_END), "mode": "heat",
                     "heat_setpoint": AWAY_FLOOR}}
    loop = winter_loop(overrides=away)
    loop.run_for(7 * DAY)
    loop.stop()
    return loop


def occupied_after_warmup(recording: Recording) -> list[Sample]:
    """Daytime samples, leaving out the warm-up after each change into the day schedule."""
    began = {moment: (RETURN_WARMUP if moment == AWAY_END else MORNING_WARMUP)
             for moment, instruction in recording.changes if instruction.source == "schedule:day"}
    settled = []
    for sample in recording.samples:
        if sample.instruction.source != "schedule:day":
            continue
        start = max(moment for moment in began if moment <= sample.at)
        if sample.at - start >= began[start]:
            settled.append(sample)
    return settled


def test_the_day_is_spent_at_the_target(week: ClosedLoop) -> None:
    settled = occupied_after_warmup(week.recording)
    assert len(settled) > 5 * 12 * HOUR / 30, "most of five days' waking hours must count"
    worst = max(settled, key=lambda s: abs(s.air - TARGET))
    assert abs(worst.air - TARGET) < COMFORT_LIMIT, f"{worst.air:.2f} °C at {iso(worst.at)}"
    within_half = sum(abs(s.air - TARGET) <= 0.5 for s in settled) / len(settled)
    assert within_half > 0.9
    assert sum(s.air for s in settled) / len(settled) == pytest.approx(TARGET, abs=0.2)


def test_mornings_are_warm_within_the_warmup_allowance(week: ClosedLoop) -> None:
    mornings = [at(day, 6.5) for day in (0, 1, 4, 5, 6)]
    for morning in mornings:
        by_then = [s for s in week.recording.samples if morning + MORNING_WARMUP - 60 <= s.at <= morning + MORNING_WARMUP]
        assert by_then and by_then[-1].air > TARGET - 0.5, f"still cold at {iso(morning + MORNING_WARMUP)}"


def test_nights_are_set_back(week: ClosedLoop) -> None:
    small_hours = [s for s in week.recording.samples if s.instruction.source == "schedule:night"
                   and (s.at - at(0, 0)) % DAY // HOUR in (2, 3, 4, 5)]
    assert small_hours
    coolest = {}
    for s in small_hours:
        night = int((s.at - at(0, 0)) // DAY)
        coolest[night] = min(coolest.get(night, s.air), s.air)
    assert max(coolest.values()) < 18.0, "the house must be allowed to cool every night"
    assert min(s.air for s in small_hours) > 16.0


def test_no_run_or_rest_is_shorter_than_the_minimum_times(week: ClosedLoop) -> None:
    runs, rests = week.recording.runs("heat"), week.recording.rests("heat")
    assert len(runs) > 100, "a cold week must cycle the furnace"
    assert min(r.length for r in runs) >= DEFAULTS["min_on_time"]
    assert min(r.length for r in rests) >= DEFAULTS["min_off_time"]
    assert not week.recording.runs("cool"), "nothing asked for cooling"


def test_away_keeps_the_house_just_above_the_floor(week: ClosedLoop) -> None:
    away = [s for s in week.recording.samples if AWAY_START <= s.at < AWAY_END]
    assert {s.instruction.source for s in away} == {"override:away"}
    reached_floor = next(s.at for s in away if s.air <= AWAY_FLOOR + 0.3)
    assert reached_floor - AWAY_START > 12 * HOUR, "the house should coast down, not be cooled actively"
    assert not any(s.heat for s in away if s.at < reached_floor), "no heating while warmer than asked"
    held = [s for s in away if reached_floor <= s.at < AWAY_END - EARLIEST_START]
    assert min(s.air for s in held) > AWAY_FLOOR - 0.5
    assert max(s.air for s in held) < AWAY_FLOOR + COMFORT_LIMIT
    heated = sum(30.0 for s in held if s.heat)
    assert heated > HOUR, "keeping 12 °C in winter needs some heating"


def test_the_house_recovers_when_the_override_ends(week: ClosedLoop) -> None:
    samples = week.recording.samples
    at_the_end = next(s for s in samples if s.at >= AWAY_END - 30.0)
    assert at_the_end.heat, "heating must run when the away period ends (it starts early, up to 3 h before)"
    warm_again = next(s.at for s in samples if s.at >= AWAY_END and s.air >= TARGET - 0.5)
    assert warm_again - AWAY_END < RETURN_WARMUP
    evening = [s for s in samples if warm_again <= s.at < at(3, 22.5)]
    # The walls are still cold after the away days, so each 5-minute run lifts the air further than usual.
    assert evening and max(abs(s.air - TARGET) for s in evening) < COMFORT_LIMIT + 0.25
