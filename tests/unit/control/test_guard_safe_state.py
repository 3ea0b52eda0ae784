"""Safe state and the record of changes: off at start, off at close, off on demand."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from gpiozero.pins.mock import MockFactory
from twisted.internet.task import Clock

from rpymostat_control.guard import RelayEvent, RelayGuard, UnknownRelayError
from rpymostat_control.relay_config import parse_relays
from rpymostat_control.relays.gpio import GpioRelay, open_gpio_relays
from rpymostat_control.relays.sim import SimulatedRelay, make_simulated_relays
from tests.unit.control.house import COOL, FAN, HEAT

OFF_LEVELS = {17: False, 27: False, 22: True, 5: False}


def pin_levels(pin_factory: MockFactory) -> dict[int, bool]:
    return {number: pin_factory.pin(number).state for number in OFF_LEVELS}


def test_relays_left_on_are_switched_off_when_the_guard_starts(
    pin_factory: MockFactory, clock: Clock
) -> None:
    relays = open_gpio_relays("boiler-pi", parse_relays("heat=17,fan=22!"), pin_factory)
    for relay in relays:
        relay.set(True)
    guard = RelayGuard(relays, clock, {HEAT: "heat", FAN: "fan"})
    assert pin_factory.pin(17).state is False
    assert pin_factory.pin(22).state is True
    assert [(e.relay_id, e.on, e.reason.startswith("start-up")) for e in guard.events] == [
        (HEAT, False, True),
        (FAN, False, True),
    ]
    guard.close()


def test_close_turns_everything_off_and_releases_the_pins(
    make_guard: Callable[..., RelayGuard], pin_factory: MockFactory, clock: Clock
) -> None:
    guard = make_guard()
    clock.advance(300)
    for relay_id in (COOL, FAN):
        guard.request(relay_id, True)
    guard.close()
    assert pin_levels(pin_factory) == OFF_LEVELS
    GpioRelay("boiler-pi", parse_relays("again=27")[0], pin_factory).close()


def test_all_off_turns_everything_off_with_its_reason(
    make_guard: Callable[..., RelayGuard], pin_factory: MockFactory, clock: Clock
) -> None:
    guard = make_guard()
    clock.advance(300)
    guard.request(COOL, True)
    guard.request(FAN, True)
    guard.all_off("failsafe: engine silent")
    assert pin_levels(pin_factory) == OFF_LEVELS
    assert [(e.relay_id, e.on, e.reason) for e in guard.events[-2:]] == [
        (COOL, False, "failsafe: engine silent"),
        (FAN, False, "failsafe: engine silent"),
    ]


class StuckRelay(SimulatedRelay):
    """A relay that reads as on and whose driver fails, to show one fault stops nothing else."""

    @property
    def is_on(self) -> bool:
        return True

    def set(self, on: bool) -> None:
        raise OSError("GPIO line busy")


def test_all_off_carries_on_past_a_relay_that_fails(clock: Clock) -> None:
    heat, fan = make_simulated_relays("sim", parse_relays("heat=17,fan=22"))
    stuck = StuckRelay("sim", parse_relays("cool=27")[0])
    guard = RelayGuard([heat, stuck, fan], clock, {})
    guard.request(heat.relay_id, True)
    guard.request(fan.relay_id, True)
    guard.all_off("shutdown")
    assert not heat.is_on and not fan.is_on
    assert [(e.relay_id, e.on) for e in guard.events[-2:]] == [
        ("sim:heat", False),
        ("sim:fan", False),
    ]


def test_every_change_is_recorded_and_reported(
    make_guard: Callable[..., RelayGuard], clock: Clock
) -> None:
    heard: list[RelayEvent] = []
    guard = make_guard(on_event=heard.append)
    clock.advance(42)
    guard.request(HEAT, True, reason="engine: heat to 21 C")
    guard.request(HEAT, True, reason="engine: re-assert")
    clock.advance(8)
    guard.request(HEAT, False, reason="engine: idle")
    expected = [
        RelayEvent(HEAT, True, clock.seconds() - 8, "engine: heat to 21 C"),
        RelayEvent(HEAT, False, clock.seconds(), "engine: idle"),
    ]
    assert heard == expected
    assert guard.events == expected


def test_refusals_are_not_changes(make_guard: Callable[..., RelayGuard]) -> None:
    guard = make_guard()
    result = guard.request(COOL, True)
    assert not result.changed
    assert guard.events == []


def test_the_record_is_bounded(make_guard: Callable[..., RelayGuard]) -> None:
    guard = make_guard(max_events=3)
    for _ in range(5):
        guard.request(HEAT, True)
        guard.request(HEAT, False)
    assert len(guard.events) == 3
    assert [e.on for e in guard.events] == [False, True, False]


def test_a_failing_listener_does_not_stop_the_switch(
    make_guard: Callable[..., RelayGuard], pin_factory: MockFactory
) -> None:
    def broken(event: RelayEvent) -> None:
        raise RuntimeError("engine unreachable")

    guard = make_guard(on_event=broken)
    assert guard.request(HEAT, True).changed
    assert pin_factory.pin(17).state is True


def test_an_unknown_relay_is_an_error_not_a_refusal(make_guard: Callable[..., RelayGuard]) -> None:
    guard = make_guard()
    with pytest.raises(UnknownRelayError, match="boiler-pi:boiler"):
        guard.request("boiler-pi:boiler", True)


def test_the_state_asked_for_must_be_a_boolean(
    make_guard: Callable[..., RelayGuard], pin_factory: MockFactory
) -> None:
    guard = make_guard()
    with pytest.raises(TypeError):
        guard.request(HEAT, "false")  # type: ignore[arg-type]
    assert pin_factory.pin(17).state is False


def test_functions_must_name_real_relays_and_real_functions(
    pin_factory: MockFactory, clock: Clock
) -> None:
    relays = open_gpio_relays("boiler-pi", parse_relays("heat=17"), pin_factory)
    with pytest.raises(ValueError, match="not one of the relays"):
        RelayGuard(relays, clock, {"boiler-pi:cool": "cool"})
    with pytest.raises(ValueError, match="'boil'"):
        RelayGuard(relays, clock, {HEAT: "boil"})  # type: ignore[dict-item]
