"""A decision turn costs the same store calls with one sensor or a thousand, and still sees every sensor's trend."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest_twisted

from rpymostat.engine.loop.decision_loop import READINGS_TURN_GAP, DecisionLoop
from rpymostat.engine.plugin_settings import PluginSettings
from rpymostat.scheduling.instruction import Instruction
from tests.support.engine import start_engine
from tests.unit.engine.test_decision_loop import FixedTimeline, RecordingCommander


class CountingStore:
    """The real store, counting every call made through it by name."""

    def __init__(self, store: Any) -> None:
        self._store = store
        self.calls: Counter[str] = Counter()

    def __getattr__(self, name: str) -> Any:
        found = getattr(self._store, name)
        if not callable(found):
            return found

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.calls[name] += 1
            return found(*args, **kwargs)

        return counted


async def report_all(engine, sensor_count: int, value: float) -> None:
    ids = [f"28-{n:04d}" for n in range(sensor_count)]
    for first in range(0, sensor_count, 64):
        sensors = {sensor_id: {"type": "DS18B20", "value": value} for sensor_id in ids[first:first + 64]}
        response = await engine.request("PUT", "/v1/sensors/update", json={"host_id": "h", "sensors": sensors},
                                        key="write")
        assert response.code == 201, response.text


async def steady_turn(tmp_path, sensor_count: int) -> tuple[Counter[str], Any]:
    """Store calls of a turn after the first, with ``sensor_count`` sensors all reporting; and that turn's result."""
    counting: list[CountingStore] = []

    def wrap(store: Any) -> CountingStore:
        counting.append(CountingStore(store))
        return counting[0]

    engine = await start_engine(tmp_path, wrap_store=wrap)
    try:
        loop = DecisionLoop(engine.context, FixedTimeline(Instruction("heat", heat_setpoint=21.0)),
                            RecordingCommander(), PluginSettings(engine.store))
        engine.clock.advance(1.0)
        await report_all(engine, sensor_count, 20.0)
        await loop.evaluate()
        for value in (19.5, 19.0):  # three reports a minute apart: enough for a trend
            engine.clock.advance(61.0)
            await report_all(engine, sensor_count, value)
        counting[0].calls.clear()
        result = await loop.evaluate()
        return Counter(counting[0].calls), result
    finally:
        await engine.close()


@pytest_twisted.ensureDeferred
async def test_a_turn_makes_the_same_store_calls_with_one_sensor_or_a_thousand(tmp_path):
    (tmp_path / "one").mkdir()
    (tmp_path / "thousand").mkdir()
    one, one_result = await steady_turn(tmp_path / "one", 1)
    thousand, thousand_result = await steady_turn(tmp_path / "thousand", 1000)
    assert thousand == one
    assert sum(one.values()) <= 6, one
    assert "list_readings" not in one and "recent_readings" not in one
    # The readings that arrived through the API since the last turn are in the trend, without a store read.
    assert one_result.context.trend.readings == 3
    assert thousand_result.context.trend.readings == 3 * 1000


@pytest_twisted.ensureDeferred
async def test_a_burst_of_updates_costs_one_turn_a_second_and_a_lone_update_gets_its_turn_at_once(tmp_path):
    engine = await start_engine(tmp_path)
    commander = RecordingCommander()
    loop = DecisionLoop(engine.context, FixedTimeline(Instruction("heat", heat_setpoint=21.0)), commander,
                        PluginSettings(engine.store), interval=3600.0)
    loop.start()
    try:
        await loop.settled()
        assert len(commander.sent) == 1  # the timer's first turn
        for value in (20.0, 19.9, 19.8, 19.7, 19.6):
            await report_all(engine, 1, value)
            await loop.settled()
        assert len(commander.sent) == 2  # the first update's turn, straight away
        engine.clock.advance(READINGS_TURN_GAP)
        await loop.settled()
        assert len(commander.sent) == 3  # one more for the four that came within the gap
        assert loop.latest["temperature"]["value"] == 19.6
        engine.clock.advance(10 * READINGS_TURN_GAP)
        await report_all(engine, 1, 19.5)
        await loop.settled()
        assert len(commander.sent) == 4 and loop.latest["temperature"]["value"] == 19.5
    finally:
        loop.stop()
        await engine.close()
