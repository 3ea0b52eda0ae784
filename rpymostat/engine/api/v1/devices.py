"""``/v1/devices``: sensor and control daemons, their enrolment and approval.

A daemon registers itself with a secret it made, signing the registration
with that secret; it then waits as *pending* until an admin approves it.
The secret's fingerprint is shown here and in the daemon's log so the admin
can tell that the device they approve is the one they set up. A device
given a pre-shared secret (``rpymostat-keys device``) is approved already.
"""

from __future__ import annotations

from typing import Any

from rpymostat.common.signing import NonceCache, SignatureError, SignedHeaders, fingerprint, verify_request
from rpymostat.common.timeutil import time_scale, to_iso
from rpymostat.engine.api.app import Call, Reply
from rpymostat.engine.api.errors import ApiError, error_body, not_found, unprocessable
from rpymostat.engine.api.requests import header
from rpymostat.engine.api.routing import route
from rpymostat.engine.api.v1.sensor_update import check_id
from rpymostat.engine.context import EngineContext
from rpymostat.store.records import DeviceRecord

KINDS = ("sensor", "control")
MAX_PENDING = 50
MIN_SECRET_LENGTH = 16


def device_json(device: DeviceRecord) -> dict[str, Any]:
    return {
        "host_id": device.host_id,
        "kind": device.kind,
        "status": device.status,
        "fingerprint": fingerprint(device.secret),
        "created_at": to_iso(device.created_at),
        "last_seen": None if device.last_seen is None else to_iso(device.last_seen),
        "info": device.info,
        "url": device.url,
    }


def wrong_kind(device: DeviceRecord, kind: str) -> Reply:
    """A 409 for a daemon carrying a secret made for the other kind: it would be approved, then refused.

    ``registered_kind`` lets the daemon tell this from a conflicting secret
    and say, once, what the admin does about it.
    """
    host_id = device.host_id
    message = (f"the secret of device {host_id} was made for a {device.kind} daemon, but a {kind} daemon "
               f"registers with it; make it a {kind} secret (rpymostat-keys device {host_id} --kind {kind} "
               f"--replace, then give the daemon the new secret), or delete the device (DELETE "
               f"/v1/devices/{host_id}) so that the daemon registers itself")
    return Reply({**error_body(message, 409, code="device_kind_mismatch"), "registered_kind": device.kind}, 409)


class DevicesAPI:
    def __init__(self, context: EngineContext) -> None:
        self.context = context
        self.window = context.config.signature_window * time_scale(context.clock)
        self.nonces = NonceCache(self.window, started=context.now())

    @route("/v1/devices")
    async def list(self, call: Call) -> dict[str, Any]:
        devices = await self.context.store.list_devices()
        return {"devices": [device_json(d) for d in devices]}

    async def _existing(self, host_id: str) -> DeviceRecord:
        device = await self.context.store.get_device(host_id)
        if device is None:
            raise not_found(f"no device with host ID {host_id!r}")
        return device

    @route("/v1/devices/<host_id>")
    async def get(self, call: Call) -> dict[str, Any]:
        return device_json(await self._existing(call.params["host_id"]))

    async def _set_status(self, host_id: str, status: str) -> dict[str, Any]:
        await self._existing(host_id)
        await self.context.store.set_device_status(host_id, status)  # type: ignore[arg-type]
        return device_json(await self._existing(host_id))

    @route("/v1/devices/<host_id>/approve", methods=["POST"], role="admin")
    async def approve(self, call: Call) -> dict[str, Any]:
        return await self._set_status(call.params["host_id"], "approved")

    @route("/v1/devices/<host_id>/reject", methods=["POST"], role="admin")
    async def reject(self, call: Call) -> dict[str, Any]:
        return await self._set_status(call.params["host_id"], "rejected")

    @route("/v1/devices/register", methods=["POST"], role=None, public_write=True)
    async def register(self, call: Call) -> Reply:
        data = call.json_object()
        for name in ("host_id", "kind", "secret"):
            if name not in data:
                raise unprocessable(f"{name} field is missing", name)
        host_id = check_id(data["host_id"], "host_id")
        kind = data["kind"]
        if kind not in KINDS:
            raise unprocessable(f"kind must be one of {', '.join(KINDS)}", "kind")
        secret = data["secret"]
        if not isinstance(secret, str) or not MIN_SECRET_LENGTH <= len(secret) <= 256:
            raise unprocessable(f"secret must be a string of {MIN_SECRET_LENGTH} to 256 characters", "secret")
        url = data.get("url")
        if url is not None and (not isinstance(url, str) or not url.startswith(("http://", "https://"))):
            raise unprocessable("url must be an http:// or https:// URL", "url")
        info = data.get("info", {})
        if not isinstance(info, dict):
            raise unprocessable("info must be an object", "info")
        self._check_own_signature(call, host_id, secret)
        now = self.context.now()
        store = self.context.store
        existing = await store.get_device(host_id)
        if existing is None:
            pending = [d for d in await store.list_devices() if d.status == "pending"]
            if len(pending) >= MAX_PENDING:
                raise ApiError(429, "too many devices are waiting for approval; approve or reject some first")
            record = DeviceRecord(host_id, kind, secret, "pending", now, now, info, url)
            await store.put_device(record)
            return Reply(device_json(record), 202)
        if existing.secret != secret:
            raise ApiError(409, f"device {host_id} is registered with another secret; an admin must delete it first",
                           code="secret_mismatch")
        if existing.kind != kind:
            return wrong_kind(existing, kind)
        if existing.status == "rejected":
            raise ApiError(403, f"device {host_id} was rejected by an admin", code="device_rejected")
        # Only contact, host information and URL change: an approval given
        # while this request was in flight must survive it.
        await store.touch_device(host_id, now, info or None, url)
        record = await self._existing(host_id)
        if info and record.status == "approved":
            await self.context.events.publish("device_info", {"host_id": host_id, "kind": kind, "info": info},
                                              keep=False)
        return Reply(device_json(record), 200 if record.status == "approved" else 202)

    def _check_own_signature(self, call: Call, host_id: str, secret: str) -> None:
        request = call.request
        try:
            signed = SignedHeaders.from_headers(lambda name: header(request, name))
            if signed is None:
                raise SignatureError("registration must be signed with the secret it carries")
            if signed.device_id != host_id:
                raise SignatureError("X-RPyMostat-Device does not match host_id")
            verify_request(signed, secret, request.method.decode("ascii"), request.uri.decode("utf-8"),
                           call.body, self.context.now(), self.nonces)
        except SignatureError as exc:
            raise ApiError(401, f"signature refused: {exc}", code="signature_refused") from None

    @route("/v1/devices/<host_id>", methods=["DELETE"], role="admin")
    async def delete(self, call: Call) -> dict[str, Any]:
        host_id = call.params["host_id"]
        device = await self._existing(host_id)
        await self.context.store.delete_device(host_id)
        return device_json(device)
