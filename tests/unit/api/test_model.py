"""``/v1/model``: what the engine learned of the house, in numbers and in a sentence; forgetting it."""

from __future__ import annotations

import pytest_twisted

from rpymostat.engine.loop.learning import HouseModel
from rpymostat.prediction.learner import ModelBook
from rpymostat.sim.house import HouseParameters
from rpymostat.store.records import ReadingInput
from tests.unit.prediction.houses import feed_days


async def learned_engine(engine) -> None:  # type: ignore[no-untyped-def]
    """The engine's store holds four days of learning about the living-room sensor."""
    now = engine.clock.seconds()
    await engine.store.record_readings("h", [ReadingInput("living", "DS18B20", 20.0, now)], now)
    await engine.store.update_sensor("living", {"name": "Living room"})
    house = HouseModel(engine.store)
    house.book = ModelBook()
    house.book.learners["living"] = feed_days(HouseParameters(), 4).learner
    await house.save(now)


@pytest_twisted.ensureDeferred
async def test_a_fresh_engine_has_learned_nothing(engine):
    answer = await engine.request("GET", "/v1/model", key="read")
    assert answer.code == 200
    assert answer.json == {"learning_since": None, "models": []}


@pytest_twisted.ensureDeferred
async def test_what_was_learned_is_served_with_a_sentence_a_homeowner_reads(engine):
    await learned_engine(engine)
    answer = (await engine.request("GET", "/v1/model", key="read")).json
    [model] = answer["models"]
    assert model["sensors"] == ["living"]
    assert model["confidence"]["heat"] is True and model["confidence"]["cool"] is False
    assert model["summary"].startswith("Living room: heats ")
    assert "°C/h at 0 °C outside" in model["summary"] and "when off" in model["summary"]
    assert 1.0 < model["heat"]["rate_per_hour"] - 20 * model["heat"]["slope_per_degree"] < 3.0
    assert model["cool"] is None


@pytest_twisted.ensureDeferred
async def test_forgetting_needs_a_write_key_and_empties_the_model_for_good(engine):
    await learned_engine(engine)
    refused = await engine.request("DELETE", "/v1/model", key="read")
    assert refused.code == 403
    assert (await engine.request("GET", "/v1/model", key="read")).json["models"]
    forgotten = await engine.request("DELETE", "/v1/model", key="write")
    assert forgotten.code == 200 and forgotten.json["models"] == []
    reopened = HouseModel(engine.store)
    await reopened.load()
    assert reopened.book.learners == {}
