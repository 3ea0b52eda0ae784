"""``GET /v1/openapi.json``: the API described as OpenAPI 3.1.

The document is built here beside the handlers; a test checks that every
declared route is described, that the document is valid, and that real
responses match their schemas, so it cannot drift from what the server does.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from rpymostat.common.identity import ID_PATTERN
from rpymostat.common.json_api import ERROR_SCHEMA
from rpymostat.common.json_input import MAX_NESTING
from rpymostat.engine.api.app import Call
from rpymostat.engine.api.routing import DEVICE_ONLY, route
from rpymostat.engine.api.v1.sensor_update import MAX_SENSORS
from rpymostat.engine.sensor_ranges import DEFAULT_RANGE, TYPE_RANGES
from rpymostat.version import VERSION

ID = {"type": "string", "pattern": ID_PATTERN.pattern}
TIMESTAMP = {"type": "string", "format": "date-time",
             "description": "RFC 3339 date and time, answered in UTC, e.g. 2026-11-23T18:03:00.000Z; a time whose "
                            "UTC year is outside 0001 to 9999 is refused"}
NULLABLE_TIMESTAMP = {"anyOf": [TIMESTAMP, {"type": "null"}]}
NULLABLE_STRING = {"type": ["string", "null"]}


LOWEST = min(low for low, _ in [*TYPE_RANGES.values(), DEFAULT_RANGE])
HIGHEST = max(high for _, high in [*TYPE_RANGES.values(), DEFAULT_RANGE])
VALUE_HELP = (
    "°C; null means present but unreadable. A value outside the physical range of the sensor type is refused "
    "with 422: " + ", ".join(f"{name} {low:g} to {high:g}" for name, (low, high) in TYPE_RANGES.items())
    + f" (type names case-insensitive); any other type {DEFAULT_RANGE[0]:g} to {DEFAULT_RANGE[1]:g}."
)


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


SCHEMAS: dict[str, Any] = {
    "Error": ERROR_SCHEMA,
    "Status": {
        "type": "object",
        "required": ["status", "dependencies"],
        "properties": {
            "status": {"type": "boolean"},
            "dependencies": {"type": "object", "additionalProperties": {"type": "boolean"}},
            "version": {"type": "string"},
            "integrations": {
                "type": "object",
                "additionalProperties": {"type": "object"},
                "description": "only while an optional integration runs: its counters by name, e.g. mqtt's "
                               "connected, published, superseded (values replaced before they could be sent), "
                               "connection_failures and commands_applied/refused/ignored/dropped; influxdb's and "
                               "amqp's as in ExportStats",
            },
        },
    },
    "ExportStats": {
        "type": "object",
        "required": ["delivered", "waiting", "dropped", "rejected", "failures", "backing_off", "last_error"],
        "properties": {
            "delivered": {"type": "integer", "description": "points or messages the server confirmed since start"},
            "waiting": {"type": "integer", "description": "kept (on disk or about to be) until the server takes them"},
            "dropped": {"type": "integer", "description": "lost to the outbox's bound (RPYMOSTAT_EXPORT_OUTBOX_MAX)"},
            "rejected": {"type": "integer", "description": "refused by the server as malformed and dropped"},
            "failures": {"type": "integer", "description": "failed attempts since start (each is retried)"},
            "backing_off": {"type": "boolean", "description": "waiting before the next attempt after a failure"},
            "last_error": {"type": ["string", "null"], "description": "why the latest attempt failed, if it did"},
        },
    },
    "SensorReadingIn": {
        "type": "object",
        "required": ["type", "value"],
        "additionalProperties": False,
        "properties": {
            "type": {"type": "string", "minLength": 1, "maxLength": 64, "description": "sensor model, e.g. DS18B20"},
            "value": {"type": ["number", "null"], "minimum": LOWEST, "maximum": HIGHEST, "description": VALUE_HELP},
            "alias": {"type": ["string", "null"], "maxLength": 128},
            "extra": {"type": ["string", "null"], "maxLength": 1024},
            "at": {
                "anyOf": [TIMESTAMP, {"type": "null"}],
                "description": "when the reading was taken (extension); at most a year old, and no later than the "
                               "engine's clock plus RPYMOSTAT_SIGNATURE_WINDOW seconds",
            },
            "idempotency_key": {
                "type": ["string", "null"], "minLength": 1, "maxLength": 128,
                "description": "a replay with the same key is stored once (extension)",
            },
        },
    },
    "SensorUpdate": {
        "type": "object",
        "required": ["host_id", "sensors"],
        "additionalProperties": False,
        "properties": {
            "host_id": ID,
            "sensors": {
                "type": "object",
                "minProperties": 1,
                "maxProperties": MAX_SENSORS,
                "propertyNames": ID,
                "additionalProperties": ref("SensorReadingIn"),
            },
        },
    },
    "SensorUpdateResult": {
        "type": "object",
        "required": ["status", "ids"],
        "properties": {"status": {"const": "ok"}, "ids": {"type": "array", "items": {"type": "string"}}},
    },
    "Sensor": {
        "type": "object",
        "required": ["id", "host_id", "type", "value", "last_seen", "stale", "name", "room", "hidden", "outdoor"],
        "properties": {
            "id": {"type": "string"},
            "host_id": {"type": "string"},
            "type": {"type": "string"},
            "alias": NULLABLE_STRING,
            "extra": NULLABLE_STRING,
            "value": {"type": ["number", "null"]},
            "reading_at": NULLABLE_TIMESTAMP,
            "last_seen": TIMESTAMP,
            "stale": {"type": "boolean"},
            "name": NULLABLE_STRING,
            "room": NULLABLE_STRING,
            "hidden": {"type": "boolean"},
            "outdoor": {"type": "boolean", "description": "outside the house: charted and fed to the weather "
                                                         "plugin, never counted as the indoor temperature"},
        },
    },
    "SensorList": {
        "type": "object",
        "required": ["sensors"],
        "properties": {
            "sensors": {"type": "array", "items": {"anyOf": [ref("Sensor"), {"type": "string"}]}},
        },
    },
    "SensorChange": {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "name": {"type": ["string", "null"], "minLength": 1, "maxLength": 128},
            "room": {"type": ["string", "null"], "minLength": 1, "maxLength": 64},
            "hidden": {"type": "boolean"},
            "outdoor": {"type": "boolean", "description": "mark the sensor as outdoor; refused with 409 while a "
                                                         "schedule, override or the default settings weigh it"},
        },
    },
    "Reading": {
        "type": "object",
        "required": ["at", "value"],
        "properties": {
            "at": TIMESTAMP,
            "value": {"type": ["number", "null"]},
            "id": {"type": "integer"},
            "host_id": {"type": "string"},
            "received_at": TIMESTAMP,
            "extra": NULLABLE_STRING,
        },
    },
    "ReadingList": {
        "type": "object",
        "required": ["sensor_id", "readings"],
        "properties": {"sensor_id": {"type": "string"}, "readings": {"type": "array", "items": ref("Reading")}},
    },
    "ApiKey": {
        "type": "object",
        "required": ["id", "name", "role", "created_at", "revoked_at"],
        "properties": {
            "id": {"type": "string"},
            "name": {"type": "string"},
            "role": {"enum": ["read", "write", "admin"]},
            "created_at": TIMESTAMP,
            "revoked_at": NULLABLE_TIMESTAMP,
            "key": {"type": "string", "description": "the key itself; only in the answer to its creation"},
        },
    },
    "Caller": {
        "type": "object",
        "required": ["kind", "role", "name", "id"],
        "properties": {"kind": {"enum": ["key"]}, "role": {"enum": ["read", "write", "admin"]},
                       "name": {"type": "string"},
                       "id": {"type": "string", "description": "the key's ID, as in GET /v1/keys"}},
    },
    "ApiKeyList": {"type": "object", "required": ["keys"], "properties": {"keys": {"type": "array", "items": ref("ApiKey")}}},
    "ApiKeyCreate": {
        "type": "object",
        "required": ["name", "role"],
        "additionalProperties": False,
        "properties": {"name": {"type": "string", "minLength": 1, "maxLength": 64}, "role": {"enum": ["read", "write", "admin"]}},
    },
    "Device": {
        "type": "object",
        "required": ["host_id", "kind", "status", "fingerprint", "created_at", "last_seen", "info", "url"],
        "properties": {
            "host_id": {"type": "string"},
            "kind": {"enum": ["sensor", "control"]},
            "status": {"enum": ["pending", "approved", "rejected"]},
            "fingerprint": {"type": "string", "description": "compare with the one the device logs before approving"},
            "created_at": TIMESTAMP,
            "last_seen": NULLABLE_TIMESTAMP,
            "info": {"type": "object", "description": "host information the device reports"},
            "url": NULLABLE_STRING,
        },
    },
    "DeviceList": {"type": "object", "required": ["devices"], "properties": {"devices": {"type": "array", "items": ref("Device")}}},
    "DeviceRegistration": {
        "type": "object",
        "required": ["host_id", "kind", "secret"],
        "properties": {
            "host_id": ID,
            "kind": {"enum": ["sensor", "control"]},
            "secret": {"type": "string", "minLength": 16, "maxLength": 256},
            "url": {"type": ["string", "null"], "pattern": "^https?://", "description": "the control daemon's own API"},
            "info": {"type": "object"},
        },
    },
}

PAGING = {
    "limit": {"type": "integer", "minimum": 1, "maximum": 10000},
    "offset": {"type": "integer", "minimum": 0, "maximum": 10**9},
    "before": TIMESTAMP,
    "after": TIMESTAMP,
    "full": {"type": "boolean"},
}
PAGING_HELP = {
    "limit": "at most this many items",
    "offset": "skip this many items first",
    "before": "only items strictly before this time",
    "after": "only items strictly after this time",
    "full": "full objects (default) or a compact form",
}


def json_content(schema_name: str) -> dict[str, Any]:
    return {"application/json": {"schema": ref(schema_name)}}


def response(description: str, schema_name: str = "Error") -> dict[str, Any]:
    return {"description": description, "content": json_content(schema_name)}


COMMON_ERRORS = {
    "400": response(f"malformed request, e.g. JSON that is not valid or nests more than {MAX_NESTING} arrays and "
                    "objects deep"),
    "401": response("missing, invalid or revoked credentials, or a refused signature"),
    "403": response("the credentials lack the needed role, or the device is not approved"),
    "404": response("unknown resource"),
    "405": response("method not allowed"),
    "408": response("the request line and headers, or the body, did not arrive in time (RPYMOSTAT_HEADER_TIMEOUT, "
                    "RPYMOSTAT_BODY_TIMEOUT); the connection is closed"),
    "413": response("body over the size limit (RPYMOSTAT_MAX_BODY_BYTES), refused by its Content-Length before it is "
                    "read (or once a body without a length passes it), before credentials are checked"),
    "415": response("Content-Type is not application/json"),
    "422": response("the body is JSON but a field is invalid (NaN and infinities included); the message names it"),
    "503": response("the database is unavailable, or this address already holds "
                    "RPYMOSTAT_MAX_CONNECTIONS_PER_ADDRESS connections"),
}


def operation(summary: str, role: str | None, ok: dict[str, dict[str, Any]], body: str | None = None,
        params: list[dict[str, Any]] | None = None, device: bool = False) -> dict[str, Any]:
    security: list[dict[str, list[str]]] = []
    if role == DEVICE_ONLY:
        security = [{"deviceSignature": []}]
        description = "Only signed by an approved device; an API key of any role is refused (403)."
    else:
        if role is not None:
            security = [{"apiKey": []}]
            if device:
                security.append({"deviceSignature": []})
        description = f"Minimum role: {role}." if role else "Public."
        if device:
            description += " Also accepted signed by an approved device."
    op: dict[str, Any] = {
        "summary": summary,
        "description": description,
        "x-minimum-role": role,
        "security": security,
        "responses": {**ok, **COMMON_ERRORS},
    }
    if body is not None:
        op["requestBody"] = {"required": True, "content": json_content(body)}
    if params:
        op["parameters"] = params
    return op


def path_param(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string", "minLength": 1}}


def paging(*names: str) -> list[dict[str, Any]]:
    return [
        {"name": n, "in": "query", "required": False, "schema": PAGING[n], "description": PAGING_HELP[n]}
        for n in names
    ]


HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def _template_pattern(template: str) -> re.Pattern[str]:
    pieces = re.split(r"\{([^}/]+)\}", template)
    return re.compile("".join(re.escape(piece) if index % 2 == 0 else f"(?P<{piece}>[^/]+)"
                              for index, piece in enumerate(pieces)))


def reserve_fixed_segments(paths: dict[str, Any]) -> dict[str, Any]:
    """Forbid the path parameter values that turn a templated URL into a fixed path.

    ``/v1/sensors/update`` is a resource of its own: the server answers it
    (or 405) and never passes "update" to ``/v1/sensors/{sensor_id}``. The
    parameter's schema says so with ``not: {enum: [...]}``, so a request
    valid under the document is never refused for it.
    """
    reserved: dict[str, dict[str, set[str]]] = {}
    for template in paths:
        if "{" not in template:
            continue
        pattern = _template_pattern(template)
        for fixed in paths:
            match = pattern.fullmatch(fixed) if "{" not in fixed else None
            if match is not None:
                for name, value in match.groupdict().items():
                    reserved.setdefault(template, {}).setdefault(name, set()).add(value)
    result = dict(paths)
    for template, values in reserved.items():
        item = dict(paths[template])
        for method in [m for m in item if m in HTTP_METHODS]:
            operation = dict(item[method])
            operation["parameters"] = [
                {**param, "schema": {**param["schema"], "not": {"enum": sorted(values[param["name"]])}}}
                if param.get("in") == "path" and param.get("name") in values else param
                for param in operation.get("parameters", [])
            ]
            item[method] = operation
        result[template] = item
    return result


def build_document(fragments: Iterable[Mapping[str, Any]] = ()) -> dict[str, Any]:
    """The whole OpenAPI document: the core routes plus each component's fragment.

    A fragment is ``{"paths": {...}, "schemas": {...}}``; components that add
    routes describe them beside their handlers with the helpers above.
    """
    all_paging = paging("limit", "offset", "before", "after", "full")
    paths: dict[str, Any] = {
        "/": {"get": {
            "summary": "HTML page with the name, version and links to the docs, status, API description and source",
            "security": [], "x-minimum-role": None,
            "responses": {"200": {"description": "HTML", "content": {"text/html": {"schema": {"type": "string"}}}}},
        }},
        "/v1/status": {"get": operation("Is the engine serving and can it reach its database?", None, {
            "200": response("operational", "Status"), "503": response("the database is unreachable", "Status")})},
        "/v1/openapi.json": {"get": {
            "summary": "This document", "security": [], "x-minimum-role": None,
            "responses": {"200": {"description": "OpenAPI 3.1", "content": {"application/json": {"schema": {"type": "object"}}}}},
        }},
        "/v1/sensors/update": {"put": operation(
            "Report current readings from a sensor host", "write",
            {"201": response("stored (durably) before this answer", "SensorUpdateResult")},
            body="SensorUpdate", device=True)},
        "/v1/sensors": {"get": operation(
            "Every known sensor with its last value and staleness (full=false: IDs only; before/after filter by last report)",
            "read", {"200": response("the sensors", "SensorList")}, params=all_paging)},
        "/v1/sensors/{sensor_id}": {
            "get": operation("One sensor", "read", {"200": response("the sensor", "Sensor")},
                       params=[path_param("sensor_id")]),
            "patch": operation("Rename a sensor, set its room, hide it, mark it outdoor", "write",
                         {"200": response("the changed sensor", "Sensor"),
                          "409": response("outdoor: true for a sensor a schedule, override or the default "
                                          "settings still weigh; the message names where")},
                         body="SensorChange",
                         params=[path_param("sensor_id")]),
            "delete": operation("Delete a sensor with its readings and history (a daemon that reports it again "
                                "makes it anew)", "admin",
                                {"200": response("the deleted sensor, as it was", "Sensor"),
                                 "409": response("a schedule, override or the default settings still weigh it; "
                                                 "the message names where; nothing changed")},
                                params=[path_param("sensor_id")]),
        },
        "/v1/sensors/{sensor_id}/readings": {"get": operation(
            "Stored readings, newest first (full=false: time and value only)", "read",
            {"200": response("the readings", "ReadingList")},
            params=[path_param("sensor_id"), *all_paging])},
        "/v1/keys": {
            "get": operation("Every API key (never the keys themselves)", "admin", {"200": response("the keys", "ApiKeyList")}),
            "post": operation("Create an API key; its text is in this answer only", "admin",
                        {"201": response("the new key", "ApiKey")}, body="ApiKeyCreate"),
        },
        "/v1/keys/current": {"get": operation(
            "The calling key's name and role (any role; never the key itself)", "read",
            {"200": response("the caller", "Caller")})},
        "/v1/keys/{key_id}": {"delete": operation(
            "Revoke an API key", "admin",
            {"200": response("the revoked key", "ApiKey"),
             "409": response("refused: it is the last live admin key (the error says why); nothing changed")},
            params=[path_param("key_id")])},
        "/v1/devices": {"get": operation("Sensor and control daemons, pending ones included", "read",
                                   {"200": response("the devices", "DeviceList")})},
        "/v1/devices/register": {"post": {
            **operation("A daemon enrols itself; it waits as pending until an admin approves it", None, {
                "200": response("already approved", "Device"),
                "202": response("pending approval", "Device"),
                "409": response("registered already with another secret, or with this secret for the other kind "
                                "of daemon (then registered_kind names the kind the secret was made for)"),
                "429": response("too many devices pending"),
            }, body="DeviceRegistration"),
            "description": "Public, but signed (X-RPyMostat-* headers) with the secret it carries.",
        }},
        "/v1/devices/{host_id}": {
            "get": operation("One device", "read", {"200": response("the device", "Device")}, params=[path_param("host_id")]),
            "delete": operation("Forget a device and its secret", "admin", {"200": response("the deleted device", "Device")},
                          params=[path_param("host_id")]),
        },
        "/v1/devices/{host_id}/approve": {"post": operation("Approve a pending device", "admin",
                                                      {"200": response("the device", "Device")},
                                                      params=[path_param("host_id")])},
        "/v1/devices/{host_id}/reject": {"post": operation("Reject a device", "admin",
                                                     {"200": response("the device", "Device")},
                                                     params=[path_param("host_id")])},
    }
    schemas = dict(SCHEMAS)
    for fragment in fragments:
        paths.update(fragment.get("paths", {}))
        schemas.update(fragment.get("schemas", {}))
    paths = reserve_fixed_segments(paths)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "RPyMostat engine API",
            "version": VERSION,
            "license": {"name": "AGPL-3.0-or-later", "identifier": "AGPL-3.0-or-later"},
            "description": "Temperatures in °C, times ISO 8601 UTC. Errors are {\"status\": \"error\", \"error\": ...}.",
        },
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "apiKey": {"type": "http", "scheme": "bearer", "description": "an API key from rpymostat-keys or /v1/keys"},
                "deviceSignature": {
                    "type": "apiKey", "in": "header", "name": "X-RPyMostat-Signature",
                    "description": "HMAC-SHA256 device signature with X-RPyMostat-Device, -Timestamp and -Nonce",
                },
            },
        },
    }


class OpenAPIDocument:
    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document

    @route("/v1/openapi.json", role=None)
    def openapi(self, call: Call) -> dict[str, Any]:
        return self.document
