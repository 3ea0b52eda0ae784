"""Minimum off time: a relay stays off long enough after it last went off."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from gpiozero.pins.mock import MockFactory
from twisted.internet.task import Clock

from rpymostat_control.guard import RelayGuard
from tests.unit.control.house import COOL, HEAT


def test_cool_waits_five_minutes_after_going_off(
    make_guard: Callable[..., RelayGuard], pin_factory: MockFactory, clock: Clock
) -> None:
    guard = make_guard()
    clock.advance(300)
    guard.request(COOL, True)
    clock.advance(600)
    guard.request(COOL, False)
    clock.advance(299)
    cool_pin = pin_factory.pin(27)
    changes_before = list(cool_pin.states)

    result = guard.request(COOL, True)

    assert (result.accepted, result.refusal) == (False, "min_off")
    assert result.retry_after == pytest.approx(1)
    assert "1 s remaining" in (result.message or "")
    assert cool_pin.states == changes_before

    clock.advance(1)
    assert guard.request(COOL, True).accepted
    assert cool_pin.state is True


def test_start_up_counts_as_going_off(make_guard: Callable[..., RelayGuard], clock: Clock) -> None:
    guard = make_guard()
    clock.advance(10)
    refused = guard.request(COOL, True)
    assert refused.refusal == "min_off"
    assert refused.retry_after == pytest.approx(290)
    clock.advance(290)
    assert guard.request(COOL, True).accepted


def test_min_off_is_set_per_function(make_guard: Callable[..., RelayGuard], clock: Clock) -> None:
    guard = make_guard(min_off={"heat": 60, "cool": 0})
    assert guard.request(COOL, True).accepted
    guard.request(COOL, False)
    clock.advance(60)
    assert guard.request(HEAT, True).accepted
    guard.request(HEAT, False)
    clock.advance(59)
    assert guard.request(HEAT, True).refusal == "min_off"
    clock.advance(1)
    assert guard.request(HEAT, True).accepted


def test_heat_has_no_minimum_off_time_by_default(
    make_guard: Callable[..., RelayGuard], clock: Clock
) -> None:
    guard = make_guard()
    assert guard.request(HEAT, True).accepted
    assert guard.request(HEAT, False).accepted
    assert guard.request(HEAT, True).accepted


def test_turning_off_is_always_immediate(
    make_guard: Callable[..., RelayGuard], pin_factory: MockFactory, clock: Clock
) -> None:
    guard = make_guard(min_off={"heat": 600})
    clock.advance(600)
    guard.request(HEAT, True)
    result = guard.request(HEAT, False)
    assert result.accepted and result.changed
    assert pin_factory.pin(17).state is False


@pytest.mark.parametrize(
    "min_off", [{"heat": -1}, {"cool": float("nan")}, {"cool": float("inf")}, {"boiler": 5}]
)
def test_nonsense_minimum_off_times_are_refused(
    make_guard: Callable[..., RelayGuard], min_off: dict[str, float]
) -> None:
    with pytest.raises(ValueError, match="minimum off time"):
        make_guard(min_off=min_off)
