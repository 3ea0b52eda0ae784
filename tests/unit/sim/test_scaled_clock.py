"""The demo's fast clock, driven by a ``task.Clock`` standing in for the real reactor."""

from __future__ import annotations

from itertools import pairwise

import pytest
from twisted.internet.interfaces import IDelayedCall, IReactorTime
from twisted.internet.task import Clock, LoopingCall
from zope.interface.verify import verifyObject

from rpymostat.sim.scaled_clock import ScaledClock


def make(speed: float = 60.0, start: float | None = None) -> tuple[Clock, ScaledClock]:
    real = Clock()
    real.advance(1_000.0)
    return real, ScaledClock(real, speed, start)


def test_provides_the_interfaces() -> None:
    _, clock = make()
    assert verifyObject(IReactorTime, clock)
    assert verifyObject(IDelayedCall, clock.callLater(1, lambda: None))


def test_time_runs_speed_times_faster_from_start() -> None:
    real, clock = make(60.0, start=1_800_000_000.0)
    assert clock.seconds() == 1_800_000_000.0
    real.advance(2.5)
    assert clock.seconds() == pytest.approx(1_800_000_150.0)


def test_start_defaults_to_the_real_present() -> None:
    real, clock = make(10.0)
    assert clock.seconds() == real.seconds()


def test_call_later_fires_after_scaled_delay() -> None:
    real, clock = make(60.0)
    fired: list[tuple[str, float]] = []
    call = clock.callLater(120, lambda name, at: fired.append((name, at())), "tick", at=clock.seconds)
    assert call.getTime() == pytest.approx(clock.seconds() + 120)
    real.advance(1.9)
    assert fired == []
    real.advance(0.1)
    assert fired and fired[0][0] == "tick"
    assert fired[0][1] == pytest.approx(1_000.0 + 120)
    assert not call.active()
    assert clock.getDelayedCalls() == []


def test_pending_calls_are_listed_until_run_or_cancelled() -> None:
    real, clock = make(10.0)
    first = clock.callLater(10, lambda: None)
    second = clock.callLater(100, lambda: None)
    assert set(clock.getDelayedCalls()) == {first, second}
    second.cancel()
    assert clock.getDelayedCalls() == [first]
    real.advance(1)
    assert clock.getDelayedCalls() == []


def test_delay_and_reset_are_in_scaled_seconds() -> None:
    real, clock = make(10.0)
    fired: list[float] = []
    call = clock.callLater(100, lambda: fired.append(clock.seconds()))
    call.delay(50)
    assert call.getTime() == pytest.approx(clock.seconds() + 150)
    call.reset(20)
    real.advance(2)
    assert fired == [pytest.approx(1_000.0 + 20)]


def test_drives_a_looping_call() -> None:
    real, clock = make(60.0)
    ticks: list[float] = []
    loop = LoopingCall(lambda: ticks.append(clock.seconds()))
    loop.clock = clock
    loop.start(30, now=True)
    for _ in range(10):
        real.advance(0.5)  # 30 simulated seconds each
    loop.stop()
    assert len(ticks) == 11
    assert [b - a for a, b in pairwise(ticks)] == pytest.approx([30.0] * 10)


@pytest.mark.parametrize("speed", [0, -1, float("inf"), float("nan")])
def test_refuses_nonsense_speed(speed: float) -> None:
    with pytest.raises(ValueError):
        ScaledClock(Clock(), speed)
