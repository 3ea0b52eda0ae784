"""Retry delays grow exponentially, are fully jittered, are capped and reset."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rpymostat.common.backoff import Backoff


@given(
    initial=st.floats(min_value=0.01, max_value=10),
    spread=st.floats(min_value=1, max_value=1000),
    factor=st.floats(min_value=1, max_value=4),
    failures=st.integers(min_value=1, max_value=60),
    seed=st.integers(),
)
def test_every_delay_lies_between_zero_and_the_capped_exponential(
    initial: float, spread: float, factor: float, failures: int, seed: int
) -> None:
    maximum = initial * spread
    backoff = Backoff(initial, maximum, factor, random.Random(seed))

    for attempt in range(failures):
        ceiling = min(maximum, initial * factor**attempt)
        delay = backoff.next_delay()
        assert 0 <= delay <= ceiling * (1 + 1e-9)


def test_the_ceiling_doubles_then_stays_at_the_maximum() -> None:
    backoff = Backoff(1.0, 10.0, 2.0, random.Random(1))
    ceilings = []
    for _ in range(6):
        ceilings.append(backoff.ceiling)
        backoff.next_delay()

    assert ceilings == [1.0, 2.0, 4.0, 8.0, 10.0, 10.0]


def test_reset_starts_again_from_the_initial_delay() -> None:
    backoff = Backoff(0.5, 60.0, 2.0, random.Random(2))
    for _ in range(10):
        backoff.next_delay()

    backoff.reset()

    assert backoff.ceiling == 0.5
    assert backoff.next_delay() <= 0.5


def test_delays_are_spread_over_the_whole_range() -> None:
    delays = [Backoff(1.0, 100.0, 2.0, random.Random(seed)).next_delay() for seed in range(200)]

    assert min(delays) < 0.1
    assert max(delays) > 0.9
    assert len(set(delays)) == 200


def test_the_same_seed_gives_the_same_delays() -> None:
    first = Backoff(1.0, 30.0, 2.0, random.Random(7))
    second = Backoff(1.0, 30.0, 2.0, random.Random(7))

    assert [first.next_delay() for _ in range(8)] == [second.next_delay() for _ in range(8)]


@pytest.mark.parametrize(
    ("initial", "maximum", "factor"),
    [(0.0, 10.0, 2.0), (5.0, 1.0, 2.0), (1.0, 10.0, 0.5)],
    ids=["zero initial", "maximum below initial", "shrinking factor"],
)
def test_nonsense_settings_are_refused(initial: float, maximum: float, factor: float) -> None:
    with pytest.raises(ValueError):
        Backoff(initial, maximum, factor)
