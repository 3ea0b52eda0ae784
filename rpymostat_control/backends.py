"""Opening the configured relay backend.

gpiozero is imported only for the ``gpio`` backend, so the simulated one
runs where gpiozero is not installed. When gpiozero's mock pin factory is in
use (``GPIOZERO_PIN_FACTORY=mock`` off a Pi), the pins exist only inside
this process; :attr:`OpenedRelays.pin_level` then reads them back so the
status API can show them to end-to-end tests and to someone checking a
configuration without hardware.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from rpymostat_control.relay_config import RelaySpec
from rpymostat_control.relays.base import Relay
from rpymostat_control.relays.sim import RelayListener, make_simulated_relays

PinLevel = Callable[[int], int]


@dataclass(frozen=True)
class OpenedRelays:
    """The relays, and a way to read a pin's electrical level where pins are simulated."""

    relays: Sequence[Relay]
    pin_level: PinLevel | None = None


def open_relays(
    backend: str,
    host_id: str,
    specs: Sequence[RelaySpec],
    pin_factory: Any = None,
    listener: RelayListener | None = None,
) -> OpenedRelays:
    """Claim the declared relays on ``backend`` ("gpio" or "sim"), each at its off level."""
    if backend == "sim":
        return OpenedRelays(make_simulated_relays(host_id, specs, listener))
    if backend != "gpio":
        raise ValueError(f"unknown relay backend {backend!r}")
    from gpiozero import Device
    from gpiozero.pins.mock import MockFactory

    from rpymostat_control.relays.gpio import open_gpio_relays

    relays = open_gpio_relays(host_id, specs, pin_factory)
    factory = pin_factory if pin_factory is not None else Device.pin_factory
    if isinstance(factory, MockFactory):
        return OpenedRelays(relays, lambda pin: int(factory.pin(pin).state))
    return OpenedRelays(relays)
