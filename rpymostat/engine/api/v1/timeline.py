"""``/v1/timeline``: what the thermostat will be told to do over the next hours."""

from __future__ import annotations

from typing import Any

from rpymostat.common.timeutil import to_iso
from rpymostat.engine.api.app import Call
from rpymostat.engine.api.requests import int_param
from rpymostat.engine.api.routing import route
from rpymostat.engine.api.v1.openapi import TIMESTAMP, operation, ref, response
from rpymostat.engine.api.v1.rule_common import INSTRUCTION_PROPERTIES, INSTRUCTION_REQUIRED
from rpymostat.engine.schedules.cache import DEFAULT_HOURS, HOUR, MAX_HOURS, TimelineCache
from rpymostat.scheduling.wire import segment_to_dict


class TimelineAPI:
    def __init__(self, timeline: TimelineCache) -> None:
        self.timeline = timeline

    @route("/v1/timeline")
    async def timeline_ahead(self, call: Call) -> dict[str, Any]:
        hours = int_param(call.request, "hours", DEFAULT_HOURS, 1, MAX_HOURS)
        await self.timeline.ready()
        now = self.timeline.clock.seconds()
        return {
            "start": to_iso(now),
            "end": to_iso(now + hours * HOUR),
            "hours": hours,
            "timezone": self.timeline.timezone,
            "paused": self.timeline.rules.settings.paused,
            "segments": [segment_to_dict(segment) for segment in self.timeline.segments(now, hours)],
        }


def openapi_fragment() -> dict[str, Any]:
    """Path and schemas of ``/v1/timeline`` for the OpenAPI document."""
    hours = {
        "name": "hours", "in": "query", "required": False,
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_HOURS, "default": DEFAULT_HOURS},
        "description": "how far ahead to look",
    }
    return {
        "paths": {
            "/v1/timeline": {"get": operation(
                "The resolved instructions from now on: each segment's target, sensors and weights, and its rule",
                "read", {"200": response("the timeline", "Timeline")}, params=[hours])},
        },
        "schemas": {
            "TimelineSegment": {
                "type": "object",
                "required": ["start", "end", "source", *INSTRUCTION_REQUIRED],
                "properties": {
                    "start": TIMESTAMP,
                    "end": TIMESTAMP,
                    "source": {"type": "string", "description": "schedule:<id>, override:<id>, adjustment:<id> "
                                                                "or default"},
                    **INSTRUCTION_PROPERTIES,
                },
            },
            "Timeline": {
                "type": "object",
                "required": ["start", "end", "hours", "timezone", "paused", "segments"],
                "properties": {
                    "start": TIMESTAMP,
                    "end": TIMESTAMP,
                    "hours": {"type": "integer"},
                    "timezone": {"type": "string"},
                    "paused": {"type": "boolean"},
                    "segments": {"type": "array", "items": ref("TimelineSegment")},
                },
            },
        },
    }
