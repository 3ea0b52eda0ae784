"""Relay IDs: stable across restarts and re-wiring, unique per host, safe in a URL."""

from __future__ import annotations

import pytest
from gpiozero.pins.mock import MockFactory

from rpymostat_control.relay_config import RelaySpec
from rpymostat_control.relays import RelayIdError, make_relay_id
from rpymostat_control.relays.gpio import GpioRelay
from rpymostat_control.relays.sim import SimulatedRelay


def test_moving_a_relay_to_another_pin_keeps_its_id(pin_factory: MockFactory) -> None:
    before = GpioRelay("boiler-pi", RelaySpec("heat", 17), pin_factory)
    before.close()
    after = GpioRelay("boiler-pi", RelaySpec("heat", 23), pin_factory)
    assert after.relay_id == before.relay_id


def test_the_same_name_on_two_hosts_gives_two_ids() -> None:
    upstairs = SimulatedRelay("upstairs", RelaySpec("heat", 17))
    downstairs = SimulatedRelay("downstairs", RelaySpec("heat", 17))
    assert upstairs.relay_id != downstairs.relay_id


def test_the_id_is_host_and_name() -> None:
    assert make_relay_id("boiler-pi.local", "heat_2") == "boiler-pi.local:heat_2"


@pytest.mark.parametrize("host_id", ["", "has space", "a/b", "-boiler", "caf\u00e9", "x" * 65])
def test_host_ids_that_would_break_the_id_or_a_url_are_refused(host_id: str) -> None:
    with pytest.raises(RelayIdError, match="host ID"):
        make_relay_id(host_id, "heat")
