"""The daemon's own HTTP API, which the engine calls to read and switch the relays.

Only ``GET /v1/status`` and ``GET /v1/openapi.json`` are public. Everything
else must be signed by the engine with this device's secret (the headers of
:mod:`rpymostat.common.signing`, with ``X-RPyMostat-Device: engine``); an
unsigned, forged, stale or replayed request is refused with 403 before it
can touch a relay.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from twisted.internet.interfaces import IReactorTime
from twisted.logger import Logger
from twisted.web.iweb import IRequest

from rpymostat.common import json_input
from rpymostat.common.json_api import ApiError, read_body, write_json
from rpymostat.common.json_input import TooDeeplyNested
from rpymostat.common.json_routes import JsonRoutes
from rpymostat.common.signing import NonceCache, SignatureError, SignedHeaders, verify_request
from rpymostat.common.timeutil import time_scale
from rpymostat.common.vocabulary import ENGINE_SIGNER
from rpymostat.version import VERSION
from rpymostat_control.controller import Controller
from rpymostat_control.guard import GuardResult, UnknownRelayError
from rpymostat_control.openapi import control_document

log = Logger()

MAX_BODY_BYTES = 65536
MAX_REASON_LENGTH = 500


class ControlAPI:
    """Routes bound to one controller, served as one plain ``twisted.web`` resource."""

    def __init__(
        self,
        controller: Controller,
        host_id: str,
        secret: str,
        clock: IReactorTime,
        signature_window: float,
        engine_state: Callable[[], dict[str, Any]] | None = None,
    ) -> None:
        self.controller = controller
        self.host_id = host_id
        self._secret = secret
        self._clock = clock
        self._window = signature_window * time_scale(clock)
        # Signed before this start, a command may have been obeyed by the previous process: refused.
        self._nonces = NonceCache(self._window, started=clock.seconds())
        self._engine_state = engine_state or (lambda: {})
        self.routes = JsonRoutes()
        self.routes.add("GET", "/v1/status", self._status)
        self.routes.add("GET", "/v1/openapi.json", self._openapi)
        self.routes.add("GET", "/v1/relays", self._relays)
        self.routes.add("PUT", "/v1/relays/{relay_id}/state", self._set_state)
        self.routes.add("PUT", "/v1/keepalive", self._keepalive)

    def resource(self) -> JsonRoutes:
        return self.routes

    def status(self) -> dict[str, Any]:
        """What anyone on the LAN may see: whether the failsafe holds the relays off, and their states."""
        tripped = self.controller.failsafe.tripped
        return {
            "status": "failsafe" if tripped else "ok",
            "host_id": self.host_id,
            "version": VERSION,
            "engine": self._engine_state(),
            "failsafe": self.controller.failsafe_json(),
            "relays": self.controller.relays_json(),
        }

    def _status(self, request: IRequest) -> bytes:
        return write_json(request, 200, self.status())

    def _openapi(self, request: IRequest) -> bytes:
        return write_json(request, 200, control_document())

    def _relays(self, request: IRequest) -> bytes:
        return self._serve(request, lambda body: (200, {"relays": self.controller.relays_json()}))

    def _set_state(self, request: IRequest, relay_id: str) -> bytes:
        def handle(body: bytes) -> tuple[int, dict[str, Any]]:
            data = _json_object(body)
            on = data.get("on")
            if not isinstance(on, bool):
                raise ApiError(422, "on must be true or false", field="on")
            reason = _reason(data, "engine command")
            try:
                result = self.controller.command(relay_id, on, reason)
            except UnknownRelayError:
                raise ApiError(404, f"no relay with ID {relay_id!r} on {self.host_id}") from None
            if not result.accepted:
                raise ApiError(409, result.message or "refused by the safety rules", code=result.refusal,
                               extra=_refusal(result))
            relay = self.controller.guard.relays[relay_id]
            return 200, {"relay": self.controller.relay_json(relay), "changed": result.changed}

        return self._serve(request, handle)

    def _keepalive(self, request: IRequest) -> bytes:
        def handle(body: bytes) -> tuple[int, dict[str, Any]]:
            data = _json_object(body) if body.strip() else {}
            desired = data.get("relays", {})
            if not isinstance(desired, dict) or not all(isinstance(v, bool) for v in desired.values()):
                raise ApiError(422, "relays must map relay IDs to true or false", field="relays")
            known = self.controller.guard.relays
            results = self.controller.keepalive({k: v for k, v in desired.items() if k in known},
                                                _reason(data, "keep-alive"))
            return 200, {
                "failsafe": self.controller.failsafe_json(),
                "relays": self.controller.relays_json(),
                "results": {relay_id: _result_json(result) for relay_id, result in results.items()},
                "unknown": sorted(set(desired) - set(known)),
            }

        return self._serve(request, handle)

    def _serve(self, request: IRequest, handle: Callable[[bytes], tuple[int, dict[str, Any]]]) -> bytes:
        """Bounded body, verified signature, then ``handle``; :class:`JsonRoutes` answers what they raise."""
        body = read_body(request, MAX_BODY_BYTES)
        self._verify(request, body)
        code, answer = handle(body)
        return write_json(request, code, answer)

    def _verify(self, request: IRequest, body: bytes) -> None:
        try:
            signed = SignedHeaders.from_headers(lambda name: _header(request, name))
            if signed is None:
                raise SignatureError("this request must be signed by the engine")
            if signed.device_id != ENGINE_SIGNER:
                raise SignatureError(f"X-RPyMostat-Device must be {ENGINE_SIGNER!r}")
            verify_request(signed, self._secret, request.method.decode("ascii"), request.uri.decode("utf-8"),
                           body, self._clock.seconds(), self._nonces)
        except SignatureError as exc:
            log.warn("Refused {method} {path}: {why}", method=request.method.decode("ascii", "replace"),
                     path=request.path.decode("utf-8", "replace"), why=str(exc))
            raise ApiError(403, f"signature refused: {exc}", code="signature_refused") from None


def _header(request: IRequest, name: str) -> str | None:
    value = request.getHeader(name)
    return None if value is None else str(value)


def _json_object(body: bytes) -> dict[str, Any]:
    try:
        data = json_input.loads(body.decode("utf-8"))
    except TooDeeplyNested as exc:
        raise ApiError(400, f"request body is {exc}") from None
    except (UnicodeDecodeError, ValueError):
        raise ApiError(400, "request body is not a valid JSON document") from None
    if not isinstance(data, dict):
        raise ApiError(422, "request body must be a JSON object")
    return data


def _reason(data: dict[str, Any], default: str) -> str:
    reason = data.get("reason", default)
    if not isinstance(reason, str) or not 1 <= len(reason) <= MAX_REASON_LENGTH:
        raise ApiError(422, f"reason must be a string of 1 to {MAX_REASON_LENGTH} characters", field="reason")
    return reason


def _refusal(result: GuardResult) -> dict[str, Any]:
    return {"refusal": result.refusal, "retry_after": result.retry_after}


def _result_json(result: GuardResult) -> dict[str, Any]:
    body: dict[str, Any] = {"accepted": result.accepted, "changed": result.changed, "on": result.on}
    if not result.accepted:
        body.update(message=result.message, **_refusal(result))
    return body

