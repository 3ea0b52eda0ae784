"""``/v1/timeline``: what the thermostat will be told to do over the next hours."""

from __future__ import annotations

from typing import Any

from rpymostat.common.timeutil import to_iso
from rpymostat.engine.api.app import Call
from rpymostat.engine.api.requests import int_param
from rpymostat.engine.api.routing import route
from rpymostat.engine.api.v1.openapi import NULLABLE_TIMESTAMP, TIMESTAMP, operation, ref, response
from rpymostat.engine.api.v1.rule_common import INSTRUCTION_PROPERTIES, INSTRUCTION_REQUIRED
from rpymostat.engine.loop.decision_loop import DecisionLoop, pause_json
from rpymostat.engine.schedules.cache import DEFAULT_HOURS, HOUR, MAX_HOURS, TimelineCache
from rpymostat.scheduling.wire import segment_to_dict


class TimelineAPI:
    def __init__(self, timeline: TimelineCache, loop: DecisionLoop | None = None) -> None:
        self.timeline = timeline
        self.loop = loop

    @route("/v1/timeline")
    async def timeline_ahead(self, call: Call) -> dict[str, Any]:
        hours = int_param(call.request, "hours", DEFAULT_HOURS, 1, MAX_HOURS)
        await self.timeline.ready()
        now = self.timeline.clock.seconds()
        segments = self.timeline.segments(now, hours)
        planned = {} if self.loop is None else self.loop.early_starts(
            [(segment.start, segment.instruction) for segment in segments[1:]])
        return {
            "start": to_iso(now),
            "end": to_iso(now + hours * HOUR),
            "hours": hours,
            "timezone": self.timeline.timezone,
            "paused": self.timeline.rules.settings.paused,
            "reactions": [] if self.loop is None else [pause_json(p) for p in self.loop.in_force],
            "segments": [{**segment_to_dict(segment), "early_start": _early(planned.get(segment.start))}
                         for segment in segments],
        }


def _early(plan: tuple[float, str, float] | None) -> dict[str, Any] | None:
    if plan is None:
        return None
    start, function, target = plan
    return {"start": to_iso(start), "function": function, "target": target}


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
                    "early_start": {"anyOf": [{"type": "null"}, {
                        "type": "object", "required": ["start", "function", "target"],
                        "description": "smart recovery: when the equipment is planned to start so the house is at "
                                       "this segment's target at its start (as of the latest decision)",
                        "properties": {"start": TIMESTAMP, "function": {"enum": ["heat", "cool"]},
                                       "target": {"type": "number"}}}]},
                },
            },
            "ReactionInForce": {
                "type": "object", "required": ["reaction", "reason", "since", "until"],
                "properties": {"reaction": {"type": "string"}, "reason": {"type": "string"},
                               "since": TIMESTAMP, "until": NULLABLE_TIMESTAMP},
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
                    "reactions": {"type": "array", "items": ref("ReactionInForce"),
                                  "description": "reactions holding the equipment back now, e.g. heating paused "
                                                 "while a window is open (absent from older engines)"},
                    "segments": {"type": "array", "items": ref("TimelineSegment")},
                },
            },
        },
    }
