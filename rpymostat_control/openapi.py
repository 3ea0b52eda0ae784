"""The control daemon's API described as OpenAPI 3.1 (served at ``/v1/openapi.json``).

Kept beside the routes and checked by a test against real answers, so a
third-party engine (or control daemon) can be written from it alone.
"""

from __future__ import annotations

from typing import Any

from rpymostat.common.json_api import ERROR_SCHEMA
from rpymostat.common.vocabulary import REFUSALS, RELAY_FUNCTIONS
from rpymostat.version import VERSION

TIMESTAMP = {"type": "string", "format": "date-time", "description": "ISO 8601 in UTC"}
NULLABLE_TIMESTAMP = {"anyOf": [TIMESTAMP, {"type": "null"}]}
FUNCTION = {"enum": [*RELAY_FUNCTIONS, None]}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(name: str) -> dict[str, Any]:
    return {"application/json": {"schema": _ref(name)}}


def _response(description: str, name: str = "Error") -> dict[str, Any]:
    return {"description": description, "content": _json(name)}


SIGNED = "Signed by the engine with this device's secret (X-RPyMostat-Device: engine)."
REFUSED_SIGNATURE = _response("unsigned, forged, stale (timestamp outside the window) or replayed (nonce seen)")

SCHEMAS: dict[str, Any] = {
    "Error": ERROR_SCHEMA,
    "Refusal": {
        "type": "object",
        "required": ["status", "error", "code", "field", "refusal"],
        "properties": {
            **ERROR_SCHEMA["properties"],
            "error": {"type": "string", "description": "the rule that refused, for a human"},
            "code": {"enum": list(REFUSALS), "description": "the rule that refused (as refusal)"},
            "refusal": {"enum": list(REFUSALS)},
            "retry_after": {"type": ["number", "null"], "description": "seconds of minimum off time left"},
        },
    },
    "Relay": {
        "type": "object",
        "required": ["id", "name", "pin", "active_high", "function", "on"],
        "properties": {
            "id": {"type": "string", "description": "<host id>:<relay name>"},
            "name": {"type": "string"},
            "pin": {"type": "integer", "minimum": 0, "maximum": 27, "description": "BCM GPIO number"},
            "active_high": {"type": "boolean"},
            "function": FUNCTION,
            "on": {"type": "boolean"},
            "pin_level": {"enum": [0, 1], "description": "the pin's level; only with gpiozero's mock pins"},
        },
    },
    "RelayList": {
        "type": "object",
        "required": ["relays"],
        "properties": {"relays": {"type": "array", "items": _ref("Relay")}},
    },
    "RelayCommand": {
        "type": "object",
        "required": ["on"],
        "properties": {
            "on": {"type": "boolean"},
            "reason": {"type": "string", "minLength": 1, "maxLength": 500, "description": "kept in the history"},
        },
    },
    "RelayCommandResult": {
        "type": "object",
        "required": ["relay", "changed"],
        "properties": {"relay": _ref("Relay"), "changed": {"type": "boolean"}},
    },
    "Failsafe": {
        "type": "object",
        "required": ["timeout", "tripped", "tripped_at", "trips_at"],
        "properties": {
            "timeout": {"type": "number"},
            "tripped": {"type": "boolean", "description": "every relay was turned off; cleared by the next command"},
            "tripped_at": NULLABLE_TIMESTAMP,
            "trips_at": NULLABLE_TIMESTAMP,
        },
    },
    "KeepAlive": {
        "type": "object",
        "properties": {
            "relays": {"type": "object", "additionalProperties": {"type": "boolean"},
                       "description": "desired state by relay ID, re-asserted through the safety rules"},
            "reason": {"type": "string", "minLength": 1, "maxLength": 500},
        },
    },
    "KeepAliveResult": {
        "type": "object",
        "required": ["failsafe", "relays", "results", "unknown"],
        "properties": {
            "failsafe": _ref("Failsafe"),
            "relays": {"type": "array", "items": _ref("Relay")},
            "results": {"type": "object", "additionalProperties": {
                "type": "object",
                "required": ["accepted", "changed", "on"],
                "properties": {
                    "accepted": {"type": "boolean"},
                    "changed": {"type": "boolean"},
                    "on": {"type": "boolean"},
                    "message": {"type": "string"},
                    "refusal": {"enum": list(REFUSALS)},
                    "retry_after": {"type": ["number", "null"]},
                },
            }},
            "unknown": {"type": "array", "items": {"type": "string"}, "description": "relay IDs not on this host"},
        },
    },
    "ControlStatus": {
        "type": "object",
        "required": ["status", "host_id", "version", "engine", "failsafe", "relays"],
        "properties": {
            "status": {"enum": ["ok", "failsafe"]},
            "host_id": {"type": "string"},
            "version": {"type": "string"},
            "engine": {"type": "object", "description": "the engine's URL and this device's enrolment"},
            "failsafe": _ref("Failsafe"),
            "relays": {"type": "array", "items": _ref("Relay")},
        },
    },
}


def control_document() -> dict[str, Any]:
    """The whole document."""
    signed: list[dict[str, list[str]]] = [{"deviceSignature": []}]
    relay_id = {"name": "relay_id", "in": "path", "required": True, "schema": {"type": "string"}}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "RPyMostat control daemon API",
            "version": VERSION,
            "license": {"name": "AGPL-3.0-or-later", "identifier": "AGPL-3.0-or-later"},
            "description": "Called by the engine. Errors are {\"status\": \"error\", \"error\": ..., \"code\": ..., \"field\": ...}.",
        },
        "paths": {
            "/v1/status": {"get": {
                "summary": "Public: is the failsafe holding every relay off, and the relays' states",
                "security": [],
                "responses": {"200": _response("the daemon's status", "ControlStatus")},
            }},
            "/v1/openapi.json": {"get": {
                "summary": "This document", "security": [],
                "responses": {"200": {"description": "OpenAPI 3.1",
                                      "content": {"application/json": {"schema": {"type": "object"}}}}},
            }},
            "/v1/relays": {"get": {
                "summary": "The relays and their states", "description": SIGNED, "security": signed,
                "responses": {"200": _response("the relays", "RelayList"), "403": REFUSED_SIGNATURE},
            }},
            "/v1/relays/{relay_id}/state": {"put": {
                "summary": "Switch one relay, subject to the interlock and the minimum off time",
                "description": SIGNED + " Feeds the failsafe.", "security": signed,
                "parameters": [relay_id],
                "requestBody": {"required": True, "content": _json("RelayCommand")},
                "responses": {
                    "200": _response("switched (or already in that state)", "RelayCommandResult"),
                    "400": _response("the body is not JSON"),
                    "403": REFUSED_SIGNATURE,
                    "404": _response("no such relay"),
                    "409": _response("refused by a safety rule; nothing changed", "Refusal"),
                    "422": _response("a field is invalid; the message names it"),
                },
            }},
            "/v1/keepalive": {"put": {
                "summary": "Feed the failsafe, re-asserting the desired states",
                "description": SIGNED, "security": signed,
                "requestBody": {"required": False, "content": _json("KeepAlive")},
                "responses": {
                    "200": _response("fed; the result of each re-asserted state", "KeepAliveResult"),
                    "403": REFUSED_SIGNATURE,
                    "422": _response("a field is invalid; the message names it"),
                },
            }},
        },
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {"deviceSignature": {
                "type": "apiKey", "in": "header", "name": "X-RPyMostat-Signature",
                "description": "HMAC-SHA256 with X-RPyMostat-Device (engine), -Timestamp and -Nonce",
            }},
        },
    }
