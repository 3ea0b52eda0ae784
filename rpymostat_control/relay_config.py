"""Parse the relay declaration ``RPYMOSTAT_CONTROL_RELAYS``.

The syntax is fixed by the design: ``heat=17,cool=27,fan=22!`` — a relay
name, ``=``, its BCM GPIO pin, and a trailing ``!`` when the relay board is
active-low. Parsing is strict and every error names the part at fault, so a
typo never leaves a furnace wired to the wrong pin.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rpymostat.common.vocabulary import RELAY_FUNCTIONS, RelayFunction

#: BCM numbers of the GPIO lines on a Raspberry Pi's 40-pin header.
BCM_PINS = range(28)

NAME_PATTERN = re.compile(r"[a-z0-9_-]{1,32}")
PIN_PATTERN = re.compile(r"([0-9]+)(!?)")


class RelayConfigError(ValueError):
    """The relay declaration cannot be used; the message says which part and why."""


@dataclass(frozen=True)
class RelaySpec:
    """One declared relay: its name, BCM pin and active level."""

    name: str
    pin: int
    active_high: bool = True

    @property
    def declared_pin(self) -> str:
        """The pin as declared: ``17``, or ``22!`` for an active-low relay."""
        return f"{self.pin}{'' if self.active_high else '!'}"

    @property
    def suggested_function(self) -> RelayFunction | None:
        """The function the name implies, so ``heat=17`` needs no further setup."""
        for function in RELAY_FUNCTIONS:
            if self.name == function:
                return function
        return None


def parse_relays(text: str) -> tuple[RelaySpec, ...]:
    """Parse a declaration such as ``heat=17,cool=27,fan=22!``.

    Raises :class:`RelayConfigError` for an empty declaration, an entry that
    is not ``name=pin``, a bad name, a pin that is not a BCM number 0–27,
    or a name or pin used twice.
    """
    if not text.strip():
        raise RelayConfigError(
            "no relays declared; give at least one as name=pin, e.g. heat=17,cool=27,fan=22!"
        )
    specs: list[RelaySpec] = []
    names: dict[str, str] = {}
    pins: dict[int, str] = {}
    for position, raw_entry in enumerate(text.split(","), start=1):
        entry = raw_entry.strip()
        spec = _parse_entry(entry, position)
        if spec.name in names:
            raise RelayConfigError(
                f"relay name {spec.name!r} is declared twice ({names[spec.name]!r} and {entry!r})"
            )
        if spec.pin in pins:
            raise RelayConfigError(
                f"GPIO pin {spec.pin} is used twice ({pins[spec.pin]!r} and {entry!r});"
                " each relay needs its own pin"
            )
        names[spec.name] = entry
        pins[spec.pin] = entry
        specs.append(spec)
    return tuple(specs)


def _parse_entry(entry: str, position: int) -> RelaySpec:
    if not entry:
        raise RelayConfigError(f"entry {position} is empty; remove the extra comma")
    name, separator, pin_text = (part.strip() for part in entry.partition("="))
    if not separator:
        raise RelayConfigError(f"entry {entry!r} is not name=pin (e.g. heat=17)")
    if not NAME_PATTERN.fullmatch(name):
        raise RelayConfigError(
            f"relay name {name!r} in {entry!r} must be 1 to 32 characters of a-z, 0-9, _ or -"
        )
    match = PIN_PATTERN.fullmatch(pin_text)
    if match is None:
        raise RelayConfigError(
            f"pin {pin_text!r} in {entry!r} is not a whole number"
            " (a BCM GPIO number, with a trailing ! for an active-low relay)"
        )
    pin = int(match.group(1))
    if pin not in BCM_PINS:
        raise RelayConfigError(
            f"pin {pin} in {entry!r} is outside the BCM GPIO range"
            f" {BCM_PINS.start}-{BCM_PINS.stop - 1}; use the BCM number, not the header pin number"
        )
    return RelaySpec(name=name, pin=pin, active_high=not match.group(2))
