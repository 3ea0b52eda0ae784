"""Change events for the live feed: every rule or settings change leaves one in the log.

Entries go to the ``events`` log stream, which the live feed reads; their
``type`` says what kind of thing changed and ``action`` how.
"""

from __future__ import annotations

from typing import Any, Literal

from rpymostat.store.interface import Store

EVENTS_STREAM = "events"
SCHEDULE_CHANGED = "schedule.changed"
OVERRIDE_CHANGED = "override.changed"
SETTINGS_CHANGED = "schedule_settings.changed"

Action = Literal["created", "replaced", "deleted", "expired", "changed"]


async def record_change(
    store: Store, at: float, event_type: str, action: Action, rule_id: str | None, body: dict[str, Any]
) -> None:
    """Append one change; ``body`` is the rule (or settings) as the API shows it."""
    await store.append_log(EVENTS_STREAM, at, {"type": event_type, "action": action, "id": rule_id, "data": body})
