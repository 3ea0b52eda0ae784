"""Relays on GPIO pins through gpiozero.

gpiozero chooses the pin library on a Pi (lgpio, RPi.GPIO…) and offers mock
pins elsewhere; the factory can also be passed in, which is how tests drive
``MockFactory`` pins.
"""

from __future__ import annotations

from collections.abc import Iterable

from gpiozero import OutputDevice
from gpiozero.pins import Factory

from rpymostat_control.relay_config import RelaySpec
from rpymostat_control.relays.base import make_relay_id


class GpioRelay:
    """A relay driven by one GPIO pin, active-high or active-low.

    The pin is claimed already at the "off" level (no glitch at start-up,
    even on an active-low board where "off" is a high pin).
    """

    def __init__(self, host_id: str, spec: RelaySpec, pin_factory: Factory | None = None) -> None:
        self._relay_id = make_relay_id(host_id, spec.name)
        self._spec = spec
        self._device = OutputDevice(
            spec.pin, active_high=spec.active_high, initial_value=False, pin_factory=pin_factory
        )

    @property
    def relay_id(self) -> str:
        return self._relay_id

    @property
    def name(self) -> str:
        return self._spec.name

    @property
    def pin(self) -> int:
        return self._spec.pin

    @property
    def active_high(self) -> bool:
        return self._spec.active_high

    @property
    def is_on(self) -> bool:
        return bool(self._device.value)

    def set(self, on: bool) -> None:
        if on:
            self._device.on()
        else:
            self._device.off()

    def close(self) -> None:
        """Drive the pin to "off" before releasing it, so the relay drops out cleanly."""
        if not self._device.closed:
            self._device.off()
            self._device.close()

    def __repr__(self) -> str:
        level = "high" if self.active_high else "low"
        return f"<GpioRelay {self.relay_id} pin={self.pin} active-{level}>"


def open_gpio_relays(
    host_id: str, specs: Iterable[RelaySpec], pin_factory: Factory | None = None
) -> list[GpioRelay]:
    """Claim every declared relay, or none: a pin that fails releases those already claimed."""
    relays: list[GpioRelay] = []
    try:
        for spec in specs:
            relays.append(GpioRelay(host_id, spec, pin_factory))
    except BaseException:
        for relay in relays:
            relay.close()
        raise
    return relays
