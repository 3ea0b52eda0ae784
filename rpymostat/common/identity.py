"""The one rule for host and sensor IDs, shared by the engine and both daemons.

The engine keys devices, sensors and relays on these IDs and puts them
unescaped in URL paths (``/v1/devices/<host id>``), so a daemon must never
start under an ID the engine would refuse at registration: it would run
without ever being accepted. Keeping the rule in one place is what keeps the
daemons' start-up checks and the engine's validation from drifting apart.
Standard library only, so the daemons can use it on a Pi Zero.
"""

from __future__ import annotations

import re

#: 1 to 64 letters, digits, ``.``, ``_``, ``:`` or ``-``, starting with a letter or digit.
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")
#: The rule in words, for error messages.
ID_RULE = "1 to 64 characters of letters, digits, '.', '_', ':' or '-', starting with a letter or digit"


class InvalidIdError(ValueError):
    """An ID breaks :data:`ID_PATTERN`; the message names it and states the rule."""


def is_valid_id(value: object) -> bool:
    """Whether ``value`` is a string the engine accepts as a host or sensor ID."""
    return isinstance(value, str) and ID_PATTERN.fullmatch(value) is not None


def check_host_id(value: object, what: str = "host ID") -> str:
    """``value`` when it is a valid ID; otherwise :class:`InvalidIdError` saying why."""
    if not isinstance(value, str):
        raise InvalidIdError(f"{what} must be a string")
    if not is_valid_id(value):
        raise InvalidIdError(f"{what} {value!r} must be {ID_RULE}")
    return value
