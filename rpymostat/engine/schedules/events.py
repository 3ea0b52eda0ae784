"""Change events: every rule or settings change is announced on the engine's event bus.

The bus keeps each one in the ``events`` log (so a reconnecting live-feed
client catches up on it) and tells the listeners at once: the live feed
pushes it to the web UI, and the decision loop takes the new timeline into
account without waiting for its next turn. ``type`` says what kind of thing
changed and ``action`` how.
"""

from __future__ import annotations

from typing import Any, Literal

from rpymostat.engine.events import EventBus

SCHEDULE_CHANGED = "schedule.changed"
OVERRIDE_CHANGED = "override.changed"
SETTINGS_CHANGED = "schedule_settings.changed"
#: A preset's temperatures changed (or it was made or deleted): every rule naming it now means the new ones.
PRESET_CHANGED = "preset.changed"
CHANGE_TYPES = frozenset({SCHEDULE_CHANGED, OVERRIDE_CHANGED, SETTINGS_CHANGED, PRESET_CHANGED})

Action = Literal["created", "replaced", "deleted", "expired", "changed"]


async def announce_change(
    events: EventBus, event_type: str, action: Action, rule_id: str | None, body: dict[str, Any]
) -> None:
    """Announce one change; ``body`` is the rule (settings, preset) as the API shows it."""
    await events.publish(event_type, {"action": action, "id": rule_id, "data": body})
