"""GPIO relays on gpiozero's mock pins: the level on the pin is what the relay board sees."""

from __future__ import annotations

import pytest
from gpiozero import GPIOPinInUse
from gpiozero.pins.mock import MockFactory

from rpymostat_control.relay_config import RelaySpec, parse_relays
from rpymostat_control.relays.gpio import GpioRelay, open_gpio_relays


def test_active_high_relay_drives_its_pin_high_when_on(pin_factory: MockFactory) -> None:
    relay = GpioRelay("boiler-pi", RelaySpec("heat", 17), pin_factory)
    pin = pin_factory.pin(17)
    assert pin.state is False
    relay.set(True)
    assert pin.state is True
    assert relay.is_on
    relay.set(False)
    assert pin.state is False
    assert not relay.is_on


def test_active_low_relay_drives_its_pin_low_when_on(pin_factory: MockFactory) -> None:
    relay = GpioRelay("boiler-pi", RelaySpec("fan", 22, active_high=False), pin_factory)
    pin = pin_factory.pin(22)
    assert pin.state is True
    relay.set(True)
    assert pin.state is False
    assert relay.is_on
    relay.set(False)
    assert pin.state is True
    assert not relay.is_on


def test_claiming_an_active_low_relay_never_switches_it_on(pin_factory: MockFactory) -> None:
    pin = pin_factory.pin(22)
    pin.drive_high()  # the relay board pulls its input up: off
    before = len(pin.states)
    GpioRelay("boiler-pi", RelaySpec("fan", 22, active_high=False), pin_factory)
    assert all(change.state is True for change in pin.states[before:])


def test_close_leaves_the_relay_off(pin_factory: MockFactory) -> None:
    high = GpioRelay("boiler-pi", RelaySpec("heat", 17), pin_factory)
    low = GpioRelay("boiler-pi", RelaySpec("fan", 22, active_high=False), pin_factory)
    high.set(True)
    low.set(True)
    high.close()
    low.close()
    assert pin_factory.pin(17).states[-1].state is False
    assert pin_factory.pin(22).states[-1].state is True


def test_relay_reports_what_it_was_declared_as(pin_factory: MockFactory) -> None:
    relay = GpioRelay("boiler-pi", RelaySpec("fan", 22, active_high=False), pin_factory)
    assert (relay.relay_id, relay.name, relay.pin, relay.active_high) == (
        "boiler-pi:fan",
        "fan",
        22,
        False,
    )


def test_open_gpio_relays_claims_every_declared_pin(pin_factory: MockFactory) -> None:
    relays = open_gpio_relays("boiler-pi", parse_relays("heat=17,cool=27,fan=22!"), pin_factory)
    assert [r.relay_id for r in relays] == ["boiler-pi:heat", "boiler-pi:cool", "boiler-pi:fan"]
    assert [pin_factory.pin(p).state for p in (17, 27, 22)] == [False, False, True]


def test_a_pin_that_cannot_be_claimed_releases_the_others(pin_factory: MockFactory) -> None:
    in_use = GpioRelay("other", RelaySpec("x", 27), pin_factory)
    with pytest.raises(GPIOPinInUse, match="27"):
        open_gpio_relays("boiler-pi", parse_relays("heat=17,cool=27"), pin_factory)
    reclaimed = GpioRelay("boiler-pi", RelaySpec("heat", 17), pin_factory)
    reclaimed.set(True)
    assert pin_factory.pin(17).state is True
    in_use.close()
