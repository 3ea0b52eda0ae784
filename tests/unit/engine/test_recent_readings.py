"""The in-memory window of recent readings: what the trend sees, over a real store."""

from __future__ import annotations

import pytest_twisted

from rpymostat.decisions.trend import TREND_WINDOW
from rpymostat.engine.loop.recent import HISTORY_LIMIT, RecentReadings
from rpymostat.store.records import ReadingInput

NOW = 1_790_000_000.0


def reading(at: float, value: float | None = 20.0, sensor_id: str = "a") -> ReadingInput:
    return ReadingInput(sensor_id, "DS18B20", value, at)


@pytest_twisted.ensureDeferred
async def test_readings_stored_before_the_engine_started_are_read_once_for_all_sensors(engine):
    await engine.store.record_readings("h", [reading(NOW - 100, 19.0), reading(NOW - 50, 18.0, "b"),
                                             reading(NOW - TREND_WINDOW - 1, 17.0)], NOW)
    recent = RecentReadings(engine.store)
    found = await recent.window(["a", "b", "never"], NOW)
    assert {k: [(r.at, r.value) for r in v] for k, v in found.items()} == {
        "a": [(NOW - 100, 19.0)], "b": [(NOW - 50, 18.0)], "never": []}
    await engine.store.record_readings("h", [reading(NOW - 10, 25.0)], NOW)  # not through the engine's API
    assert [r.value for r in (await recent.window(["a"], NOW))["a"]] == [19.0]


@pytest_twisted.ensureDeferred
async def test_a_replayed_reading_counts_once_and_a_late_one_takes_its_place_in_time(engine):
    recent = RecentReadings(engine.store)
    await recent.window(["a"], NOW)
    recent.add([reading(NOW - 30, 20.0), reading(NOW - 10, 21.0)], NOW)
    recent.add([reading(NOW - 30, 20.0)], NOW)  # a spool replaying what was stored
    recent.add([reading(NOW - 20, None)], NOW)  # a late failed read, sent after the newer ones
    assert [(r.at, r.value) for r in (await recent.window(["a"], NOW))["a"]] == [
        (NOW - 10, 21.0), (NOW - 20, None), (NOW - 30, 20.0)]


@pytest_twisted.ensureDeferred
async def test_the_window_forgets_old_readings_and_keeps_at_most_the_limit(engine):
    recent = RecentReadings(engine.store)
    await recent.window(["a"], NOW)
    recent.add([reading(NOW - TREND_WINDOW - 5)], NOW)
    recent.add([reading(NOW - 100 + n * 0.1) for n in range(HISTORY_LIMIT + 10)], NOW)
    window = (await recent.window(["a"], NOW))["a"]
    assert len(window) == HISTORY_LIMIT and window[-1].at == NOW - 100 + 10 * 0.1
    assert (await recent.window(["a"], NOW + TREND_WINDOW))["a"] == []
