"""The interface every decision plugin meets.

Plugins are found through the ``rpymostat.decisions`` entry-point group. Each
declares its options as a JSON Schema with defaults, so the API can list and
validate them and the UI can render them without knowing the plugin.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol, runtime_checkable

from rpymostat.decisions.model import Decision, DecisionContext


@runtime_checkable
class DecisionPlugin(Protocol):
    """Turns a :class:`DecisionContext` into a :class:`Decision`.

    ``decide`` must be pure (no clock, no I/O): the engine calls it every few
    seconds, records its inputs, and always passes its answer through the
    safety layer, which a plugin cannot bypass.
    """

    name: str
    description: str
    options_schema: Mapping[str, Any]

    def decide(self, context: DecisionContext, options: Mapping[str, Any]) -> Decision:
        """The desired state for this moment."""
        ...


def options_with_defaults(schema: Mapping[str, Any], options: Mapping[str, Any]) -> dict[str, Any]:
    """The given options over the schema's top-level defaults (the engine validates before storing)."""
    merged = {
        key: spec["default"]
        for key, spec in schema.get("properties", {}).items()
        if isinstance(spec, dict | Mapping) and "default" in spec
    }
    merged.update(options)
    return merged
