"""The filter of device events a subscription or a reaction rule matches, as the API reads it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rpymostat.engine.api.errors import unprocessable
from rpymostat.engine.device_events import MAX_TEXT


def parse_event_filter(value: Any, fields: Sequence[str], where: str | None = None) -> dict[str, str]:
    """Each of ``fields`` a text of 1 to 64 characters, ``*`` (also when absent) for any.

    ``where`` is the filter's place in the body (``when`` in a rule), or
    ``None`` when the filter is the body itself; a 422 names the field at
    fault either way, so the UI can mark it.
    """
    prefix = f"{where}." if where else ""
    if not isinstance(value, dict):
        raise unprocessable(f"{where or 'the body'} must be an object of {', '.join(fields)} (each * for any)", where)
    unknown = sorted(set(value) - set(fields))
    if unknown:
        raise unprocessable(f"{prefix}unknown field(s): {', '.join(unknown)}; a filter has {', '.join(fields)}",
                            prefix + unknown[0])
    checked = {}
    for name in fields:
        text = value.get(name, "*")
        if not isinstance(text, str) or not 1 <= len(text) <= MAX_TEXT:
            raise unprocessable(f"{prefix}{name} must be a string of 1 to {MAX_TEXT} characters, or * for any",
                                prefix + name)
        checked[name] = text
    return checked
