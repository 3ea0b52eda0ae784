"""Relays that exist only in software, for the demo and closed-loop tests.

Each change is passed to a listener, which is how the house simulator learns
that the furnace or the air conditioner has started or stopped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from rpymostat_control.relay_config import RelaySpec
from rpymostat_control.relays.base import make_relay_id

RelayListener = Callable[["SimulatedRelay", bool], None]


class SimulatedRelay:
    """A relay that starts off and reports every change of state to ``listener``."""

    def __init__(
        self, host_id: str, spec: RelaySpec, listener: RelayListener | None = None
    ) -> None:
        self._relay_id = make_relay_id(host_id, spec.name)
        self._spec = spec
        self._listener = listener
        self._on = False

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
        return self._on

    def set(self, on: bool) -> None:
        if on == self._on:
            return
        self._on = on
        if self._listener is not None:
            self._listener(self, on)

    def close(self) -> None:
        self.set(False)

    def __repr__(self) -> str:
        return f"<SimulatedRelay {self.relay_id} {'on' if self._on else 'off'}>"


def make_simulated_relays(
    host_id: str, specs: Iterable[RelaySpec], listener: RelayListener | None = None
) -> list[SimulatedRelay]:
    """One simulated relay per declared relay, all reporting to the same listener."""
    return [SimulatedRelay(host_id, spec, listener) for spec in specs]
