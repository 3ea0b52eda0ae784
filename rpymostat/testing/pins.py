"""gpiozero's mock pins, for testing relays without a Raspberry Pi.

gpiozero ships a :class:`~gpiozero.pins.mock.MockFactory` whose pins
record every change with a timestamp; these helpers give a factory that is
released afterwards and read a pin the way a relay test asks about it.
Install the ``control`` extra (gpiozero) to use them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def mock_pins() -> Iterator[Any]:
    """A fresh ``MockFactory``, reset afterwards so the next test starts with every pin free.

    Pass it as ``pin_factory=`` to ``rpymostat_control.service.make_service``
    (or to any gpiozero device).
    """
    from gpiozero.pins.mock import MockFactory

    factory = MockFactory()
    try:
        yield factory
    finally:
        factory.reset()


def pin_is_high(factory: Any, number: int) -> bool:
    """The level of a BCM pin now (an active-low relay is on when this is False)."""
    return bool(factory.pin(number).state)


def pin_changes(factory: Any, number: int) -> list[tuple[float, bool]]:
    """Every level a pin took, as (seconds since the previous change, high), first one its initial level."""
    return [(float(change.timestamp), bool(change.state)) for change in factory.pin(number).states]
