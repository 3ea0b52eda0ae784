"""Checks the fuzz run adds to schemathesis's own.

Each takes ``(ctx, response, case)`` and raises ``AssertionError`` naming
the contradiction; they are passed per test, not registered globally, so
each pass runs exactly the checks that apply to it.
"""

from __future__ import annotations

import json
import math
import re
import time
import urllib.request
from datetime import datetime
from typing import Any, cast
from urllib.parse import urlsplit

import jsonschema
from referencing import Registry, Resource
from schemathesis import Case, CheckContext, Response

from rpymostat.engine.api.v1.history import DEFAULT_RANGE, MAX_RANGE_DAYS, MAX_SENSORS
from rpymostat.engine.api.v1.sensor_update import MAX_AGE_SECONDS
from rpymostat.engine.sensor_ranges import physical_range
from rpymostat.history.resolution import MAX_POINTS

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def sent_to_operation(case: Case) -> bool:
    """False for the cases schemathesis sends with an undocumented method to probe the router."""
    return case.method.upper() == case.operation.method.upper()


class RefusedWithoutCredentials:
    """An operation whose document asks for credentials answers 401 to a caller with none.

    A body over the size limit is refused (413) before anything else is
    read, credentials included, as the 413 answer's description says. A
    parameter value its schema forbids because it names a fixed path
    (``DELETE /v1/schedules/{rule_id}`` as ``/v1/schedules/settings``)
    reaches that path, which lacks the method: 405, before credentials,
    like every 405.
    """

    def __init__(self, max_body_bytes: int) -> None:
        self.max_body_bytes = max_body_bytes
        self.__name__ = type(self).__name__

    def __call__(self, ctx: CheckContext, response: Response, case: Case) -> None:
        needs_credentials = bool(case.operation.definition.raw.get("security"))
        body = response.request.body
        oversized = isinstance(body, (bytes, str)) and len(body) > self.max_body_bytes
        expected = 413 if oversized else 405 if names_a_fixed_path(case) else 401
        if sent_to_operation(case) and needs_credentials and response.status_code != expected:
            raise AssertionError(f"{case.method} {case.formatted_path} answered {response.status_code} with no "
                                 f"credentials; expected {expected}")


def names_a_fixed_path(case: Case) -> bool:
    """Whether a templated operation's case has a URL that is a documented fixed path."""
    url_path = case.formatted_path
    return url_path != case.operation.path and url_path in case.operation.schema.raw_schema["paths"]


def addressed_to_another_operation(case: Case) -> bool:
    """Whether a templated operation's case, with a forbidden parameter value, names another operation.

    ``GET /v1/schedules/{rule_id}`` with rule_id "settings" (which its
    schema forbids) is ``GET /v1/schedules/settings``, an operation of its
    own that is fuzzed as such; sent, it would be served, and look like
    invalid data accepted.
    """
    return names_a_fixed_path(case) and case.method.lower() in case.operation.schema.raw_schema["paths"][
        case.formatted_path]


def _template_pattern(path: str) -> re.Pattern[str]:
    literal_parts = re.split(r"\{[^}/]+\}", path)
    return re.compile("[^/]+".join(re.escape(part) for part in literal_parts) + "$")


def documented_methods_at(document: dict[str, Any], url_path: str) -> set[str]:
    """The methods the document gives the path that was asked for.

    A literal path is a resource of its own (``/v1/sensors/update`` is not
    the sensor "update", and the document forbids that parameter value), so
    at a literal path only its own methods count; elsewhere those of the
    template that matches.
    """
    paths = document["paths"]
    matching = [url_path] if url_path in paths else [path for path in paths if _template_pattern(path).match(url_path)]
    return {method.upper() for path in matching for method in paths[path] if method in HTTP_METHODS}


def allow_lists_every_matching_operation(ctx: CheckContext, response: Response, case: Case) -> None:
    """A 405's ``Allow`` header lists exactly the documented methods of the path asked for (plus HEAD for GET)."""
    if response.status_code != 405:
        return
    allow = response.headers.get("allow")
    if not allow:
        raise AssertionError(f"{case.method} {case.formatted_path} answered 405 without an Allow header")
    advertised = {m.strip().upper() for value in allow for m in value.split(",") if m.strip()}
    documented = documented_methods_at(case.operation.schema.raw_schema, urlsplit(str(response.request.url)).path)
    expected = documented | ({"HEAD"} if "GET" in documented else set())
    if advertised != expected:
        raise AssertionError(
            f"{case.method} {case.formatted_path}: Allow: {', '.join(sorted(advertised))}, "
            f"but the document gives this URL {', '.join(sorted(expected))}"
        )


def reading_breaks_a_documented_limit(entry: dict[str, Any], now: float, future_tolerance: float) -> bool:
    """Whether one schema-valid reading breaks a limit the document states in words (range of its type, age of ``at``)."""
    value = entry.get("value")
    if value is not None:
        low, high = physical_range(entry["type"])
        if not low <= value <= high:
            return True
    if entry.get("at") is None:
        return False
    try:
        taken = datetime.fromisoformat(entry["at"]).timestamp()
    except ValueError:
        return True
    return not now - MAX_AGE_SECONDS <= taken <= now + future_tolerance


class UpdateAcceptedUnlessALimitIsBroken:
    """A schema-valid sensor update is stored (201) exactly when no reading breaks a documented limit, else 422.

    The limits that JSON Schema cannot carry (a range per sensor type, a
    window around the engine's clock) are stated in the document's
    descriptions; this is the oracle for them.
    """

    def __init__(self, document: dict[str, Any], future_tolerance: float) -> None:
        registry = Registry().with_resource("urn:openapi", Resource.opaque(document))
        self.validator = jsonschema.Draft202012Validator(
            {"$ref": "urn:openapi#/components/schemas/SensorUpdate"}, registry=registry,
            format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER,
        )
        self.future_tolerance = future_tolerance
        self.__name__ = type(self).__name__

    def _is_plain_valid_update(self, response: Response, case: Case) -> bool:
        """A schema-valid body sent as JSON with a key and no (partial) device signature headers."""
        sent = {name.lower(): value for name, value in response.request.headers.items()}
        return (
            (case.method, case.path) == ("PUT", "/v1/sensors/update")
            and sent.get("content-type") == "application/json"
            and "authorization" in sent
            and not any(name.startswith("x-rpymostat-") for name in sent)
            and self.validator.is_valid(case.body)
        )

    def __call__(self, ctx: CheckContext, response: Response, case: Case) -> None:
        if not self._is_plain_valid_update(response, case):
            return
        update = cast(dict[str, Any], case.body)
        broken = any(reading_breaks_a_documented_limit(entry, time.time(), self.future_tolerance)
                     for entry in update["sensors"].values())
        expected = 422 if broken else 201
        if response.status_code != expected:
            raise AssertionError(f"a schema-valid update {'breaking' if broken else 'within'} the documented limits "
                                 f"answered {response.status_code}, expected {expected}: {response.text}")


def history_query_breaks_a_documented_rule(query: dict[str, Any], known_sensors: set[str], now: float) -> bool:
    """Whether a schema-valid history query breaks a rule the document states in words.

    OpenAPI cannot tie one parameter to another (points only with
    resolution=auto, end after start, a range's bucket count) nor to the
    sensors stored; the parameter descriptions say each of these is a 400.
    """
    resolution = query.get("resolution", "auto")
    if "points" in query and resolution != "auto":
        return True
    end = datetime.fromisoformat(query["end"]).timestamp() if "end" in query else now
    start = datetime.fromisoformat(query["start"]).timestamp() if "start" in query else end - DEFAULT_RANGE
    if end <= start or end - start > MAX_RANGE_DAYS * 86400:
        return True
    if resolution != "auto" and math.ceil((end - start) / int(resolution)) > MAX_POINTS:
        return True
    if "sensors" not in query:
        return False
    wanted = [part.strip() for part in query["sensors"].split(",") if part.strip()]
    return not wanted or len(wanted) > MAX_SENSORS or not set(wanted) <= known_sensors


class HistoryAnsweredUnlessARuleIsBroken:
    """A schema-valid ``GET /v1/history`` is answered 200 exactly when it breaks no documented rule, else 400."""

    def __init__(self, engine_url: str, admin_key: str) -> None:
        self.engine_url = engine_url
        self.admin_key = admin_key
        self.__name__ = type(self).__name__

    def known_sensors(self) -> set[str]:
        request = urllib.request.Request(f"{self.engine_url}/v1/sensors?full=false&limit=10000",
                                         headers={"Authorization": f"Bearer {self.admin_key}"})
        with urllib.request.urlopen(request, timeout=10) as answer:
            return set(json.load(answer)["sensors"])

    def __call__(self, ctx: CheckContext, response: Response, case: Case) -> None:
        if (case.method, case.path) != ("GET", "/v1/history") or case.meta is None \
                or not case.meta.generation.mode.is_positive:
            return
        query = dict(case.query or {})
        broken = history_query_breaks_a_documented_rule(query, self.known_sensors(), time.time())
        expected = 400 if broken else 200
        if response.status_code != expected:
            raise AssertionError(f"a schema-valid history query {'breaking' if broken else 'within'} the "
                                 f"documented rules answered {response.status_code}, expected {expected}: "
                                 f"{response.text}")
