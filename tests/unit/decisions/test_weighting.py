"""Which temperature counts: weighting, staleness, renormalisation."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rpymostat.decisions.weighting import SensorReading, weighted_temperature

NOW = 1_800_000_000.0


def test_weighted_mean_of_fresh_sensors() -> None:
    readings = {"living": SensorReading(20.0, NOW - 10), "bedroom": SensorReading(18.0, NOW - 5)}
    result = weighted_temperature({"living": 3.0, "bedroom": 1.0}, readings, NOW, stale_after=300)
    assert result is not None
    assert result.value == pytest.approx(19.5)
    assert result.weights == pytest.approx({"living": 0.75, "bedroom": 0.25})
    assert result.dropped == ()


def test_steady_value_reported_recently_is_not_stale() -> None:
    # Daemons re-send an unchanged value on a timer; only the report time counts.
    readings = {"living": SensorReading(20.0, NOW - 299)}
    result = weighted_temperature({"living": 1.0}, readings, NOW, stale_after=300)
    assert result is not None and result.value == 20.0


@pytest.mark.parametrize(
    ("reading", "reason"),
    [
        (None, "missing"),
        (SensorReading(25.0, NOW - 301), "stale"),
        (SensorReading(None, NOW - 1), "null"),
        (SensorReading(math.nan, NOW - 1), "null"),
    ],
)
def test_unusable_sensor_drops_out_and_weights_renormalise(reading: SensorReading | None, reason: str) -> None:
    readings = {"living": SensorReading(20.0, NOW - 1)}
    if reading is not None:
        readings["attic"] = reading
    result = weighted_temperature({"living": 1.0, "attic": 3.0}, readings, NOW, stale_after=300)
    assert result is not None
    assert result.value == 20.0
    assert result.weights == {"living": 1.0}
    assert [(d.sensor_id, d.reason) for d in result.dropped] == [("attic", reason)]
    assert "attic" in result.dropped[0].describe()


def test_nothing_usable_gives_none() -> None:
    readings = {"living": SensorReading(20.0, NOW - 1000), "bedroom": SensorReading(None, NOW)}
    assert weighted_temperature({"living": 1.0, "bedroom": 1.0, "gone": 1.0}, readings, NOW, 300) is None


def test_no_weights_gives_none() -> None:
    assert weighted_temperature({}, {"living": SensorReading(20.0, NOW)}, NOW, 300) is None


def test_zero_weight_takes_no_part_and_is_not_reported() -> None:
    readings = {"living": SensorReading(20.0, NOW), "garage": SensorReading(2.0, NOW)}
    result = weighted_temperature({"living": 1.0, "garage": 0.0}, readings, NOW, 300)
    assert result is not None and result.value == 20.0 and result.dropped == ()


@pytest.mark.parametrize("weight", [-1.0, math.inf, math.nan])
def test_invalid_weight_is_refused(weight: float) -> None:
    with pytest.raises(ValueError, match="living"):
        weighted_temperature({"living": weight}, {"living": SensorReading(20.0, NOW)}, NOW, 300)


values = st.floats(min_value=-40, max_value=60, allow_nan=False)
sensor_sets = st.dictionaries(
    st.text(alphabet="abcdefgh", min_size=1, max_size=3),
    st.tuples(st.floats(min_value=0.01, max_value=100), values, st.floats(min_value=0, max_value=1000)),
    min_size=1,
    max_size=6,
)


@given(sensor_sets)
def test_properties_of_the_weighting(sensors: dict[str, tuple[float, float, float]]) -> None:
    weights = {sid: w for sid, (w, _, _) in sensors.items()}
    readings = {sid: SensorReading(v, NOW - age) for sid, (_, v, age) in sensors.items()}
    result = weighted_temperature(weights, readings, NOW, stale_after=500)
    fresh = {sid for sid, (_, _, age) in sensors.items() if age <= 500}
    if not fresh:
        assert result is None
        return
    assert result is not None
    assert set(result.weights) == fresh
    assert {d.sensor_id for d in result.dropped} == set(sensors) - fresh
    assert math.fsum(result.weights.values()) == pytest.approx(1.0)
    used = [value for sid, (_, value, _) in sensors.items() if sid in fresh]
    assert min(used) <= result.value <= max(used)


@given(values, st.lists(st.floats(min_value=0.01, max_value=100), min_size=1, max_size=5))
def test_equal_readings_give_exactly_that_reading(value: float, weights: list[float]) -> None:
    names = [f"s{i}" for i in range(len(weights))]
    result = weighted_temperature(
        dict(zip(names, weights, strict=True)), {n: SensorReading(value, NOW) for n in names}, NOW, 300
    )
    assert result is not None and result.value == value
