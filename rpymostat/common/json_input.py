"""Decoding JSON from the network with a bound on how deeply it nests.

Python's decoder recurses once per array or object, so a body of a few
kilobytes of ``[`` reaches the interpreter's recursion limit, and anything
that walks the decoded value afterwards (validation, storage, encoding an
answer) may hit it at a lower depth still. Every JSON a client sends is
therefore decoded here, and refused past :data:`MAX_NESTING` levels, which no
document of the APIs comes near. Only the standard library is used: the
daemons import this.
"""

from __future__ import annotations

import json
from typing import Any

MAX_NESTING = 32


class TooDeeplyNested(ValueError):
    """The JSON nests arrays and objects more than :data:`MAX_NESTING` levels deep."""

    def __init__(self) -> None:
        super().__init__(f"nested more than {MAX_NESTING} arrays and objects deep")


def nesting_depth(value: Any) -> int:
    """How many arrays and objects deep ``value`` nests (0 for a scalar); a loop, not recursion."""
    deepest = 0
    pending: list[tuple[int, Any]] = [(0, value)]
    while pending:
        depth, item = pending.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            deepest = max(deepest, depth)
            continue
        deepest = max(deepest, depth + 1)
        if depth + 1 > MAX_NESTING:
            return depth + 1
        pending.extend((depth + 1, child) for child in children)
    return deepest


def loads(text: str | bytes, decoder: json.JSONDecoder | None = None, **options: Any) -> Any:
    """:func:`json.loads`, raising :class:`TooDeeplyNested` (a ``ValueError``) for JSON nested too deeply.

    A ready ``decoder`` (which takes the place of ``options``) spares building one per call on a busy path.
    """
    try:
        if decoder is None:
            data = json.loads(text, **options)
        else:
            data = decoder.decode(text if isinstance(text, str) else text.decode("utf-8"))
    except RecursionError:
        raise TooDeeplyNested() from None
    if _openings(text) > MAX_NESTING and nesting_depth(data) > MAX_NESTING:
        raise TooDeeplyNested()
    return data


def _openings(text: str | bytes) -> int:
    """How many ``[`` and ``{`` the text holds: a bound on its nesting, counted without walking the decoded value."""
    if isinstance(text, str):
        return text.count("[") + text.count("{")
    return text.count(b"[") + text.count(b"{")
