"""``GET /v1/history``: temperatures, target and equipment over a range, at a chart's resolution.

The level read is the coarsest one that divides the resolution (see
:mod:`rpymostat.history.resolution`), so a year's chart reads hourly
buckets rather than half a million raw readings per sensor.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from twisted.web.iweb import IRequest

from rpymostat.common.timeutil import EARLIEST, to_iso
from rpymostat.engine.api.app import Call
from rpymostat.engine.api.errors import bad_request
from rpymostat.engine.api.requests import int_param, time_param
from rpymostat.engine.api.routing import route
from rpymostat.engine.api.v1.openapi import ID, NULLABLE_STRING, TIMESTAMP, operation, ref, response
from rpymostat.engine.context import EngineContext
from rpymostat.engine.loop.decision_loop import RECORD_AT_LEAST_EVERY
from rpymostat.engine.loop.recording import DECISIONS_STREAM
from rpymostat.history.decisions import CHANGES_STREAM, Entry, equipment_periods, merge_periods, target_steps
from rpymostat.history.levels import configured_levels
from rpymostat.history.resolution import DEFAULT_POINTS, MAX_POINTS, Plan, auto_resolution, choose_level
from rpymostat.store.records import HistoryPoint, LogEntry, SensorRecord

DEFAULT_RANGE = 86400.0
MAX_RANGE_DAYS = 4018
MAX_SENSORS = 64
MAX_DECISIONS = 20000
DAY = 86400.0
# The pattern the document gives, read as Python validators read it
# (a trailing newline passes, and int() ignores it).
RESOLUTION_SECONDS = re.compile("^[0-9]*[1-9][0-9]*$")


@dataclass(frozen=True)
class Decisions:
    """What the chart reads of the decisions over a range."""

    entries: list[Entry]  # the decision in force at the start, then those that changed the chart, oldest first
    last_at: float | None  # when the last decision before the end was recorded
    truncated: bool  # the range held more than one answer reads


def _sensor_ids(raw: str | None, known: list[SensorRecord]) -> list[SensorRecord]:
    if raw is None:
        return [s for s in known if not s.hidden]
    by_id = {s.sensor_id: s for s in known}
    wanted = [part.strip() for part in raw.split(",") if part.strip()]
    if not wanted:
        raise bad_request("sensors parameter must list at least one sensor ID")
    if len(wanted) > MAX_SENSORS:
        raise bad_request(f"sensors parameter may list at most {MAX_SENSORS} sensors")
    unknown = [sensor_id for sensor_id in wanted if sensor_id not in by_id]
    if unknown:
        raise bad_request(f"sensors parameter names unknown sensors: {', '.join(unknown)}")
    return [by_id[sensor_id] for sensor_id in dict.fromkeys(wanted)]


def _text_arg(request: IRequest, name: str) -> str | None:
    values = request.args.get(name.encode("ascii"))
    return values[-1].decode("utf-8", "replace") if values else None


def parse_range(request: IRequest, now: float) -> tuple[float, float]:
    end = time_param(request, "end")
    start = time_param(request, "start")
    end = now if end is None else end
    start = max(EARLIEST, end - DEFAULT_RANGE) if start is None else start
    if end <= start:
        raise bad_request("end parameter must be after start")
    if end - start > MAX_RANGE_DAYS * 86400:
        raise bad_request(f"start and end parameters may span at most {MAX_RANGE_DAYS} days")
    return start, end


def parse_resolution(request: IRequest, start: float, end: float) -> int:
    raw = _text_arg(request, "resolution")
    if raw is None or raw == "auto":
        return auto_resolution(start, end, int_param(request, "points", DEFAULT_POINTS, 1, MAX_POINTS))
    if _text_arg(request, "points") is not None:
        raise bad_request("points parameter only applies with resolution=auto")
    if not RESOLUTION_SECONDS.match(raw):
        raise bad_request("resolution parameter must be a whole number of seconds (at least 1) or auto")
    resolution = int(raw)
    if math.ceil((end - start) / resolution) > MAX_POINTS:
        raise bad_request(f"resolution parameter is too fine for this range: at most {MAX_POINTS} points per "
                          "sensor; choose a larger resolution or a shorter range")
    return resolution


class HistoryAPI:
    def __init__(self, context: EngineContext) -> None:
        self.context = context

    @route("/v1/history")
    async def history(self, call: Call) -> dict[str, Any]:
        request, store, now = call.request, self.context.store, self.context.now()
        start, end = parse_range(request, now)
        resolution = parse_resolution(request, start, end)
        sensors = _sensor_ids(_text_arg(request, "sensors"), await store.list_sensors())
        plan = choose_level(configured_levels(self.context.config), start, resolution, now)
        decisions = await self._decisions(start, end)
        # The readings are read on the database thread while the target and the equipment are drawn here.
        reading = store.read_history([s.sensor_id for s in sensors], plan.level.step, start, end, plan.resolution)
        target = [{"at": to_iso(s.at), "mode": s.mode, "heat": s.heat, "cool": s.cool}
                  for s in target_steps(decisions.entries, start, end)]
        equipment = [{"function": p.function, "start": to_iso(p.start), "end": to_iso(p.end),
                      "on_seconds": round(p.on_seconds, 3)} for p in self._periods(decisions, start, end, plan)]
        return {
            "start": to_iso(start),
            "end": to_iso(end),
            "resolution": plan.resolution,
            "level": plan.level.name,
            "series": self._series(sensors, await reading),
            "target": target,
            "equipment": equipment,
            "truncated": decisions.truncated,
        }

    @staticmethod
    def _series(sensors: list[SensorRecord], points: list[HistoryPoint]) -> list[dict[str, Any]]:
        by_sensor: dict[str, list[dict[str, Any]]] = {s.sensor_id: [] for s in sensors}
        times: dict[float, str] = {}  # every sensor has the same bucket times: each is formatted once
        # Thousands of points a chart: unpacked and written inline, the loop's cost per point is halved.
        for sensor_id, bucket, count, total, low, high in points:
            at = times.get(bucket)
            if at is None:
                at = times[bucket] = to_iso(bucket)
            by_sensor[sensor_id].append({"at": at, "mean": round(total / count, 4), "min": low, "max": high,
                                         "count": count})
        return [{"sensor_id": s.sensor_id, "name": s.name or s.alias, "room": s.room, "outdoor": s.outdoor,
                 "points": by_sensor[s.sensor_id]} for s in sensors]

    @staticmethod
    def _periods(decisions: Decisions, start: float, end: float, plan: Plan) -> list[Any]:
        periods = equipment_periods(decisions.entries, start, end, RECORD_AT_LEAST_EVERY * 1.5, decisions.last_at)
        return merge_periods(periods, plan.resolution) if plan.resolution > 60 else periods

    async def _decisions(self, start: float, end: float) -> Decisions:
        """The decision in force at ``start``, then the chart fields of those recorded until ``end``, oldest first.

        Decisions recorded since the loop keeps its changes stream are read
        from that stream (a few small entries); older ones, from a database
        of an earlier version, are decoded whole as they were.
        """
        store = self.context.store
        # The loop records at least every few minutes, so the decision in force at start is nearly always
        # within the day before it: looked for there first, an index range rather than every older decision.
        earlier = await store.list_log(DECISIONS_STREAM, 1, before=start, after=start - DAY)
        if not earlier:
            earlier = await store.list_log(DECISIONS_STREAM, 1, before=start)
        after_id = earlier[0].entry_id if earlier else None
        first_change = await store.list_log(CHANGES_STREAM, 1, newest_first=False)
        since_id = first_change[0].entry_id if first_change else None
        legacy: list[LogEntry] = []
        if since_id is None or after_id is None or after_id < since_id:
            legacy = await store.list_log(DECISIONS_STREAM, MAX_DECISIONS, before=end, after_id=after_id,
                                          before_id=since_id, newest_first=False)
        changes: list[LogEntry] = []
        if since_id is not None and len(legacy) < MAX_DECISIONS:
            changes = await store.list_log(CHANGES_STREAM, MAX_DECISIONS, before=end, after_id=after_id,
                                           newest_first=False)
        during = [*legacy, *changes]
        if after_id is None:
            during = [e for e in during if e.at >= start]
        entries = [(e.at, e.data) for e in [*earlier, *during]]
        truncated = len(legacy) >= MAX_DECISIONS or len(changes) >= MAX_DECISIONS
        last_at = entries[-1][0] if entries else None
        if since_id is not None and not truncated:
            last = await store.list_log(DECISIONS_STREAM, 1, before=end, after_id=after_id)
            last_at = last[0].at if last else last_at
        return Decisions(entries, last_at, truncated)


def openapi_fragment() -> dict[str, Any]:
    number_or_null = {"type": ["number", "null"]}

    def query(name: str, schema: dict[str, Any], description: str, example: Any = None) -> dict[str, Any]:
        param = {"name": name, "in": "query", "required": False, "schema": schema, "description": description}
        return param if example is None else {**param, "example": example}

    params = [
        query("sensors", {"type": "string", "minLength": 1},
              f"comma-separated IDs of known sensors, at most {MAX_SENSORS} (default: every sensor not hidden); "
              "a list with no ID, or an ID the engine does not know, is refused with 400"),
        query("start", TIMESTAMP, "start of the range, ISO 8601 UTC (default: a day before end)"),
        query("end", TIMESTAMP, "end of the range, exclusive (default: now); after start, and at most "
                                f"{MAX_RANGE_DAYS} days after it (400 otherwise)"),
        query("resolution", {"anyOf": [{"type": "string", "pattern": RESOLUTION_SECONDS.pattern}, {"const": "auto"}]},
              "bucket size in whole seconds, or auto (default) for about `points` buckets; a size giving more "
              f"than {MAX_POINTS} buckets over the range is refused with 400", "300"),
        query("points", {"type": "integer", "minimum": 1, "maximum": MAX_POINTS},
              f"only with resolution=auto or no resolution (400 otherwise): at most this many buckets "
              f"(default {DEFAULT_POINTS})", DEFAULT_POINTS),
    ]
    return {
        "paths": {"/v1/history": {"get": operation(
            "Temperatures per sensor (mean, min, max per bucket), the target and the equipment's on-periods "
            "over a range, from the coarsest stored level that gives the resolution", "read",
            {"200": response("the history", "History")}, params=params)}},
        "schemas": {
            "HistoryPoint": {
                "type": "object", "required": ["at", "mean", "min", "max", "count"],
                "properties": {"at": TIMESTAMP, "mean": {"type": "number"}, "min": {"type": "number"},
                               "max": {"type": "number"}, "count": {"type": "integer", "minimum": 1}},
            },
            "History": {
                "type": "object",
                "required": ["start", "end", "resolution", "level", "series", "target", "equipment", "truncated"],
                "properties": {
                    "start": TIMESTAMP, "end": TIMESTAMP,
                    "resolution": {"type": "integer", "description": "bucket size in seconds actually used"},
                    "level": {"enum": ["raw", "5m", "1h", "1d"], "description": "the stored level read"},
                    "series": {"type": "array", "items": {
                        "type": "object", "required": ["sensor_id", "name", "room", "outdoor", "points"],
                        "properties": {"sensor_id": ID, "name": NULLABLE_STRING, "room": NULLABLE_STRING,
                                       "outdoor": {"type": "boolean", "description": "an outdoor sensor's series"},
                                       "points": {"type": "array", "items": ref("HistoryPoint")}}}},
                    "target": {"type": "array", "items": {
                        "type": "object", "required": ["at", "mode", "heat", "cool"],
                        "properties": {"at": TIMESTAMP, "mode": {"type": ["string", "null"]},
                                       "heat": number_or_null, "cool": number_or_null}}},
                    "equipment": {"type": "array", "items": {
                        "type": "object", "required": ["function", "start", "end", "on_seconds"],
                        "properties": {"function": {"type": "string"}, "start": TIMESTAMP, "end": TIMESTAMP,
                                       "on_seconds": {"type": "number"}}}},
                    "truncated": {"type": "boolean",
                                  "description": "true when the range held more recorded changes of the target or "
                                                 "the equipment than one answer reads"},
                },
            },
        },
    }
