"""Interlock: heating and cooling never run together, whatever is asked."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from gpiozero.pins.mock import MockFactory
from twisted.internet.task import Clock

from rpymostat_control.guard import RelayGuard
from tests.unit.control.house import AUX, COOL, FAN, HEAT

PAST_MIN_OFF = 301


def test_cool_is_refused_while_heat_is_on(
    make_guard: Callable[..., RelayGuard], pin_factory: MockFactory, clock: Clock
) -> None:
    guard = make_guard()
    clock.advance(PAST_MIN_OFF)
    assert guard.request(HEAT, True).accepted
    cool_pin = pin_factory.pin(27)
    changes_before = list(cool_pin.states)

    result = guard.request(COOL, True)

    assert not result.accepted
    assert result.refusal == "interlock"
    assert "heat" in (result.message or "")
    assert cool_pin.states == changes_before
    assert pin_factory.pin(17).state is True
    assert not guard.relays[COOL].is_on


@pytest.mark.parametrize(("running", "asked"), [(COOL, HEAT), (COOL, AUX), (AUX, COOL)])
def test_each_side_locks_out_the_other(
    make_guard: Callable[..., RelayGuard], clock: Clock, running: str, asked: str
) -> None:
    guard = make_guard()
    clock.advance(PAST_MIN_OFF)
    assert guard.request(running, True).accepted
    result = guard.request(asked, True)
    assert (result.accepted, result.refusal) == (False, "interlock")
    assert guard.relays[running].is_on and not guard.relays[asked].is_on


def test_the_fan_runs_with_either(make_guard: Callable[..., RelayGuard], clock: Clock) -> None:
    guard = make_guard()
    clock.advance(PAST_MIN_OFF)
    assert guard.request(HEAT, True).accepted
    assert guard.request(FAN, True).accepted
    assert guard.request(HEAT, False).accepted
    assert guard.request(COOL, True).accepted
    assert guard.relays[FAN].is_on and guard.relays[COOL].is_on


def test_cool_is_allowed_once_heat_is_off(
    make_guard: Callable[..., RelayGuard], clock: Clock
) -> None:
    guard = make_guard()
    clock.advance(PAST_MIN_OFF)
    guard.request(HEAT, True)
    assert not guard.request(COOL, True).accepted
    guard.request(HEAT, False)
    assert guard.request(COOL, True).accepted


def test_a_relay_with_no_function_is_not_interlocked(
    make_guard: Callable[..., RelayGuard], clock: Clock
) -> None:
    guard = make_guard("heat=17,cool=27,humidifier=6")
    clock.advance(PAST_MIN_OFF)
    guard.request(COOL, True)
    assert guard.request("boiler-pi:humidifier", True).accepted
    assert guard.function_of("boiler-pi:humidifier") is None
