"""The relay interface and the rule that names each relay.

A relay's ID is ``<host id>:<relay name>``. It is built from the name, not
the pin, so that moving a wire to another GPIO pin keeps the relay's
identity (its function and history on the engine follow it), while renaming
a relay deliberately makes a new one. The ID is safe to use unescaped as a
URL path segment (``/v1/relays/<id>/state``).
"""

from __future__ import annotations

from typing import Protocol

from rpymostat.common.identity import ID_RULE, is_valid_id
from rpymostat_control.relay_config import NAME_PATTERN


class RelayIdError(ValueError):
    """A host ID or relay name cannot be made into a relay ID."""


def make_relay_id(host_id: str, name: str) -> str:
    """The stable, unique ID of relay ``name`` on control host ``host_id``."""
    if not is_valid_id(host_id):
        raise RelayIdError(f"host ID {host_id!r} must be {ID_RULE}")
    if not NAME_PATTERN.fullmatch(name):
        raise RelayIdError(f"relay name {name!r} must be 1 to 32 characters of a-z, 0-9, _ or -")
    return f"{host_id}:{name}"


class Relay(Protocol):
    """One switch in the equipment's control wiring.

    ``is_on`` is the relay's actual state (read back from the hardware where
    there is one); ``set`` changes it and returns once it has changed.
    """

    @property
    def relay_id(self) -> str: ...

    @property
    def name(self) -> str: ...

    @property
    def pin(self) -> int: ...

    @property
    def active_high(self) -> bool: ...

    @property
    def is_on(self) -> bool: ...

    def set(self, on: bool) -> None: ...

    def close(self) -> None: ...
