"""Recording a decision, with the chart's fields beside it when they changed.

See :mod:`rpymostat.history.decisions` for why the chart reads its own
short stream. The fields are compared with those of the decision recorded
before in this process; the first decision after a start is always taken
as a change, so nothing the chart needs is lost across a restart (an
extra entry costs nothing but its few bytes).
"""

from __future__ import annotations

from typing import Any

from rpymostat.history.decisions import CHANGES_STREAM, chart_fields
from rpymostat.store.interface import Store

DECISIONS_STREAM = "decisions"


class DecisionRecorder:
    """Appends decisions to :data:`DECISIONS_STREAM` and their changed chart fields to ``CHANGES_STREAM``."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._last_fields: dict[str, Any] | None = None

    async def record(self, at: float, decision: dict[str, Any]) -> None:
        """Store the decision, and its chart fields when they differ, in one write (durable together)."""
        fields = chart_fields(decision)
        entries = [(DECISIONS_STREAM, at, decision)]
        if fields != self._last_fields:
            entries.append((CHANGES_STREAM, at, fields))
        await self.store.append_logs(entries)
        self._last_fields = fields
