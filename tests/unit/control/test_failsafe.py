"""The failsafe: trips once when the engine goes quiet, re-arms when it is heard again."""

from __future__ import annotations

import pytest
from twisted.internet.task import Clock

from rpymostat_control.failsafe import Failsafe


class Trips:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.at: list[float] = []

    def __call__(self) -> None:
        self.at.append(self.clock.seconds())


def started(clock: Clock, timeout: float = 180) -> tuple[Failsafe, Trips]:
    trips = Trips(clock)
    failsafe = Failsafe(clock, timeout, trips)
    failsafe.start()
    return failsafe, trips


def test_trips_at_the_timeout_and_not_before(clock: Clock) -> None:
    failsafe, trips = started(clock)
    t0 = clock.seconds()
    clock.advance(179.9)
    assert trips.at == [] and not failsafe.tripped
    clock.advance(0.1)
    assert trips.at == [t0 + 180]
    assert failsafe.tripped and failsafe.tripped_at == t0 + 180


def test_feeding_pushes_the_deadline_back(clock: Clock) -> None:
    failsafe, trips = started(clock)
    for _ in range(10):
        clock.advance(170)
        failsafe.feed()
    assert trips.at == []
    assert failsafe.trips_at == clock.seconds() + 180
    clock.advance(180)
    assert len(trips.at) == 1


def test_trips_once_however_long_the_silence(clock: Clock) -> None:
    failsafe, trips = started(clock, timeout=60)
    clock.pump([60] * 100)
    assert len(trips.at) == 1
    assert failsafe.tripped


def test_rearms_on_the_next_feed(clock: Clock) -> None:
    failsafe, trips = started(clock, timeout=60)
    clock.advance(60)
    clock.advance(30)
    failsafe.feed()
    assert not failsafe.tripped and failsafe.tripped_at is None
    assert failsafe.last_fed_at == clock.seconds()
    clock.advance(59)
    assert len(trips.at) == 1
    clock.advance(1)
    assert len(trips.at) == 2 and failsafe.tripped


def test_stopped_it_never_trips(clock: Clock) -> None:
    failsafe, trips = started(clock, timeout=60)
    clock.advance(30)
    failsafe.stop()
    failsafe.feed()
    clock.advance(600)
    assert trips.at == [] and not failsafe.running
    assert clock.getDelayedCalls() == []


def test_not_started_it_never_trips(clock: Clock) -> None:
    trips = Trips(clock)
    failsafe = Failsafe(clock, 60, trips)
    failsafe.feed()
    clock.advance(600)
    assert trips.at == []
    assert not failsafe.tripped


def test_a_failing_callback_still_counts_as_tripped(clock: Clock) -> None:
    def broken() -> None:
        raise OSError("GPIO line busy")

    failsafe = Failsafe(clock, 60, broken)
    failsafe.start()
    clock.advance(60)
    assert failsafe.tripped


@pytest.mark.parametrize("timeout", [0, -5, float("nan"), float("inf")])
def test_the_timeout_must_be_a_positive_number_of_seconds(clock: Clock, timeout: float) -> None:
    with pytest.raises(ValueError, match="positive"):
        Failsafe(clock, timeout, lambda: None)
