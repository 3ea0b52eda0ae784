"""A small fake engine, for people writing their own sensor or control daemons.

It answers the three requests a device makes of the engine, as the engine
documents them: ``POST /v1/devices/register``, ``PUT /v1/sensors/update``
and ``PUT /v1/relays/report``, each signed with the device's secret (see
:mod:`rpymostat.common.signing`). It checks signatures, freshness and
replays like the real engine, keeps what it was sent in plain lists, and
answers errors in the API's one shape (:mod:`rpymostat.common.json_api`),
so a daemon can be tested against it without a database::

    clock = Clock()
    engine = FakeEngine(clock)
    engine.pre_share("den-pi", "sensor", secret)
    client = StubTreq(engine)            # or reactor.listenTCP(0, Site(engine))
    ... run the daemon against it ...
    assert engine.readings[0]["sensor_id"] == "28-00000a1b2c3d"

It does not validate bodies as strictly as the engine does: point the
finished daemon at a real ``rpymostat-engine`` (or ``rpymostat-demo``) too.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from twisted.internet.interfaces import IReactorTime
from twisted.web.iweb import IRequest
from twisted.web.resource import Resource

from rpymostat.common.json_api import ApiError, read_body, write_error, write_json
from rpymostat.common.signing import NonceCache, SignatureError, SignedHeaders, verify_request
from rpymostat.common.vocabulary import DEVICE_KINDS

MAX_BODY_BYTES = 1_048_576


@dataclass
class FakeDevice:
    """A device the fake engine knows: approved ones may deliver, pending ones wait."""

    host_id: str
    kind: str
    secret: str
    status: str
    url: str | None = None
    info: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"host_id": self.host_id, "kind": self.kind, "status": self.status, "url": self.url,
                "info": self.info}


class FakeEngine(Resource):
    """The device side of the engine's API, in memory.

    ``approve_new`` says whether a device that registers itself is approved
    at once (the default) or waits as pending until :meth:`approve`.
    """

    isLeaf = True

    def __init__(self, clock: IReactorTime, approve_new: bool = True, signature_window: float = 120.0) -> None:
        super().__init__()
        self.clock = clock
        self.approve_new = approve_new
        self.devices: dict[str, FakeDevice] = {}
        self.readings: list[dict[str, Any]] = []
        self.relay_reports: list[dict[str, Any]] = []
        self.refusals: list[tuple[str, int, str]] = []
        self._nonces = NonceCache(signature_window, started=clock.seconds() - signature_window)

    def pre_share(self, host_id: str, kind: str, secret: str) -> FakeDevice:
        """A device approved beforehand, as ``rpymostat-keys device HOST_ID`` makes one."""
        self.devices[host_id] = FakeDevice(host_id, kind, secret, "approved")
        return self.devices[host_id]

    def approve(self, host_id: str) -> None:
        self.devices[host_id].status = "approved"

    def render(self, request: IRequest) -> bytes:
        route = (request.method, request.path)
        try:
            body = read_body(request, MAX_BODY_BYTES)
            if route == (b"POST", b"/v1/devices/register"):
                return self._register(request, body)
            if route == (b"PUT", b"/v1/sensors/update"):
                return self._update(request, body)
            if route == (b"PUT", b"/v1/relays/report"):
                return self._report(request, body)
            if request.method == b"GET" and request.path == b"/v1/status":
                return write_json(request, 200, {"status": True, "dependencies": []})
            raise ApiError(404, f"the fake engine has no {request.method.decode('ascii', 'replace')} "
                                f"{request.path.decode('utf-8', 'replace')}")
        except ApiError as error:
            self.refusals.append((request.path.decode("utf-8", "replace"), error.status, error.message))
            return write_error(request, error)

    def _register(self, request: IRequest, body: bytes) -> bytes:
        data = _json_object(body)
        host_id, kind, secret = data.get("host_id"), data.get("kind"), data.get("secret")
        if not isinstance(host_id, str) or not host_id:
            raise ApiError(422, "host_id must be a non-empty string", field="host_id")
        if kind not in DEVICE_KINDS:
            raise ApiError(422, f"kind must be one of {', '.join(DEVICE_KINDS)}", field="kind")
        if not isinstance(secret, str) or not secret:
            raise ApiError(422, "secret must be a non-empty string", field="secret")
        self._verify(request, body, host_id, secret)
        known = self.devices.get(host_id)
        if known is not None and known.secret != secret:
            raise ApiError(409, f"device {host_id} is registered with another secret", code="secret_mismatch")
        if known is None:
            known = FakeDevice(host_id, kind, secret, "approved" if self.approve_new else "pending")
            self.devices[host_id] = known
        url, info = data.get("url"), data.get("info")
        if isinstance(url, str):
            known.url = url
        if isinstance(info, dict):
            known.info = info
        return write_json(request, 200 if known.status == "approved" else 202, known.as_json())

    def _update(self, request: IRequest, body: bytes) -> bytes:
        device = self._signed_by_approved(request, body)
        data = _json_object(body)
        sensors = data.get("sensors")
        if not isinstance(sensors, dict) or not sensors:
            raise ApiError(422, "sensors must be an object keyed by sensor ID", field="sensors")
        for sensor_id, entry in sensors.items():
            self.readings.append({"host_id": device.host_id, "sensor_id": sensor_id,
                                  **(entry if isinstance(entry, dict) else {"value": entry})})
        return write_json(request, 201, {"status": "ok", "ids": list(sensors)})

    def _report(self, request: IRequest, body: bytes) -> bytes:
        device = self._signed_by_approved(request, body)
        if device.kind != "control":
            raise ApiError(403, f"device {device.host_id} is not a control daemon")
        data = _json_object(body)
        self.relay_reports.append(data)
        events = data.get("events")
        return write_json(request, 200, {"status": "ok", "relays": [],
                                         "events": len(events) if isinstance(events, list) else 0})

    def _signed_by_approved(self, request: IRequest, body: bytes) -> FakeDevice:
        signed = SignedHeaders.from_headers(lambda name: _header(request, name))
        device = self.devices.get(signed.device_id) if signed is not None else None
        if device is None:
            raise ApiError(401, "this request must be signed by a known device", code="signature_refused")
        self._verify(request, body, device.host_id, device.secret)
        if device.status != "approved":
            raise ApiError(403, f"device {device.host_id} is {device.status}; an admin must approve it")
        return device

    def _verify(self, request: IRequest, body: bytes, host_id: str, secret: str) -> None:
        try:
            signed = SignedHeaders.from_headers(lambda name: _header(request, name))
            if signed is None:
                raise SignatureError("this request must be signed")
            if signed.device_id != host_id:
                raise SignatureError("X-RPyMostat-Device does not match host_id")
            verify_request(signed, secret, request.method.decode("ascii"), request.uri.decode("utf-8"), body,
                           self.clock.seconds(), self._nonces)
        except SignatureError as exc:
            raise ApiError(401, f"signature refused: {exc}", code="signature_refused") from None


def _header(request: IRequest, name: str) -> str | None:
    value = request.getHeader(name)
    return None if value is None else str(value)


def _json_object(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise ApiError(400, "request body is not valid JSON") from None
    if not isinstance(data, dict):
        raise ApiError(422, "request body must be a JSON object")
    return data
