"""The JSON side of every RPyMostat HTTP API: error bodies, body limits, 404 and 405.

The engine and the control daemon answer the same way, so a client (the
web UI, a third-party daemon, the engine calling a control daemon) reads
one error shape wherever it comes from::

    {"status": "error", "error": "<sentence for a person>",
     "code": "<machine-readable reason>", "field": "<dotted field name or null>"}

``error`` is meant to be shown as it is; ``code`` and ``field`` are for
programs, which must never match the English sentence: ``field`` names the
input at fault (``heat_setpoint``, ``sensors.28-a.value``) and ``code`` says
what kind of refusal it is. Only the standard library and Twisted are
imported, so a daemon that serves nothing pays for none of this.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from twisted.web.iweb import IRequest

#: The machine-readable ``code`` of an error that gives none of its own, by HTTP status.
DEFAULT_CODES = {
    400: "malformed",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    408: "too_slow",
    409: "conflict",
    413: "body_too_large",
    415: "unsupported_media_type",
    422: "invalid",
    429: "too_many_requests",
    500: "internal",
    503: "unavailable",
}


def default_code(status: int) -> str:
    """The ``code`` for an HTTP status: its entry in :data:`DEFAULT_CODES`, else ``error``."""
    return DEFAULT_CODES.get(status, "error")


class ApiError(Exception):
    """A refusal; raised by handlers and request parsing, answered as a JSON error body.

    ``status`` is the HTTP status; ``code`` (default: by status) and
    ``field`` (``None`` when no single input is at fault) go into the body
    for programs, ``extra`` adds keys of the endpoint's own.
    """

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None, *,
                 field: str | None = None, code: str | None = None, extra: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}
        self.field = field
        self.error_code = code or default_code(status)
        self.extra = extra or {}

    def body(self) -> dict[str, Any]:
        return {**error_body(self.message, self.status, field=self.field, code=self.error_code), **self.extra}


def error_body(message: str, status: int, *, field: str | None = None, code: str | None = None) -> dict[str, Any]:
    """The one error shape of every API."""
    return {"status": "error", "error": message, "code": code or default_code(status), "field": field}


def body_too_large(max_body_bytes: int) -> str:
    """The one wording of a 413, wherever the size is found out."""
    return f"request body is larger than {max_body_bytes} bytes"


def encode_json(body: Any) -> bytes:
    """Compact JSON; NaN and infinities are a bug here, never sent."""
    return json.dumps(body, allow_nan=False, separators=(",", ":")).encode("utf-8")


def set_answer_headers(request: IRequest, status: int, headers: dict[str, str] | None = None) -> None:
    """Status, JSON content type, no caching (answers hold live state), then ``headers``."""
    request.setResponseCode(status)
    request.setHeader("Content-Type", "application/json; charset=utf-8")
    request.setHeader("Cache-Control", "no-store")
    for name, value in (headers or {}).items():
        request.setHeader(name, value)


def write_json(request: IRequest, status: int, body: Any, headers: dict[str, str] | None = None) -> bytes:
    """Set the status and headers of a JSON answer; returns the encoded body to write."""
    set_answer_headers(request, status, headers)
    return encode_json(body)


def write_error(request: IRequest, error: ApiError) -> bytes:
    return write_json(request, error.status, error.body(), error.headers)


def read_body(request: IRequest, max_bytes: int) -> bytes:
    """The raw body, refused with 413 when over the limit.

    Served behind :mod:`rpymostat.common.serving`'s guards, an oversized
    body never gets this far; this keeps the limit for a resource
    mounted any other way (and in tests through ``StubTreq``).
    """
    length = request.getHeader("content-length")
    if length is not None and length.isdigit() and int(length) > max_bytes:
        raise ApiError(413, body_too_large(max_bytes))
    request.content.seek(0)
    body: bytes = request.content.read(max_bytes + 1)
    if len(body) > max_bytes:
        raise ApiError(413, body_too_large(max_bytes))
    return body


def not_found_error(request: IRequest) -> ApiError:
    """A 404 naming the path that was asked for."""
    return ApiError(404, f"no such resource: {request.path.decode('utf-8', 'replace')}")


def method_not_allowed_error(method: bytes, allowed: Iterable[str]) -> ApiError:
    """A 405 whose ``Allow`` header and sentence list the methods of the path that was asked for."""
    names = sorted(set(allowed))
    return ApiError(405, f"method {method.decode('ascii', 'replace')} is not allowed here; allowed: {', '.join(names)}",
                    headers={"Allow": ", ".join(names)})


#: The JSON Schema of :func:`error_body`, for every OpenAPI document.
ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["status", "error", "code", "field"],
    "properties": {
        "status": {"const": "error"},
        "error": {"type": "string", "description": "what went wrong, in a sentence meant for a person"},
        "code": {"type": "string", "pattern": "^[a-z][a-z_]*$",
                 "description": "what kind of refusal, for programs: by default the HTTP status's "
                                + ", ".join(f"{status} {code}" for status, code in DEFAULT_CODES.items())
                                + "; some refusals give a more precise one (e.g. interlock, min_off, "
                                  "last_admin_key, signature_refused)"},
        "field": {"type": ["string", "null"],
                  "description": "the input at fault, as a dotted path into the body (sensors.28-a.value) or a "
                                 "query parameter's name; null when no single input is at fault"},
    },
}
