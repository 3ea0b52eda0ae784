"""Who is calling: an API key (Bearer), a signed device, or nobody.

Authentication failures (bad key, bad or stale or replayed signature) are
401; a known caller without the needed role, an API key on a route only
devices may call, or a device not approved yet, is 403. Nothing about a secret reaches a log or a response.
"""

from __future__ import annotations

from dataclasses import dataclass

from twisted.internet.interfaces import IReactorTime
from twisted.web.iweb import IRequest

from rpymostat.common.signing import NonceCache, SignatureError, SignedHeaders, verify_request
from rpymostat.common.timeutil import time_scale
from rpymostat.engine.api.errors import ApiError
from rpymostat.engine.api.requests import header
from rpymostat.engine.api.routing import DEVICE_ONLY, RouteSpec
from rpymostat.security.keys import KEY_CACHE_SECONDS, LiveKeyCache, role_allows
from rpymostat.store.interface import Store

CHALLENGE = {"WWW-Authenticate": 'Bearer realm="rpymostat"'}


@dataclass(frozen=True)
class Principal:
    """The authenticated caller of one request."""

    kind: str  # "anonymous", "key" or "device"
    role: str | None = None
    name: str | None = None
    host_id: str | None = None
    key_id: str | None = None


ANONYMOUS = Principal("anonymous")


def unauthorized(message: str) -> ApiError:
    return ApiError(401, message, CHALLENGE)


class Authenticator:
    """Checks credentials against the store and the route's declaration."""

    def __init__(self, store: Store, clock: IReactorTime, signature_window: float,
                 key_cache_seconds: float = KEY_CACHE_SECONDS) -> None:
        self.store = store
        self.clock = clock
        self.window = signature_window * time_scale(clock)
        # Signed before this start, a request may have been seen by the previous process: refused.
        self.nonces = NonceCache(self.window, started=clock.seconds())
        self.keys = LiveKeyCache(store, clock, key_cache_seconds)

    def credentials_changed(self) -> None:
        """Forget cached keys: an admin may just have revoked one."""
        self.keys.forget_all()

    async def authenticate(self, request: IRequest, body: bytes, spec: RouteSpec) -> Principal:
        authorization = header(request, "authorization")
        try:
            signed = SignedHeaders.from_headers(lambda name: header(request, name))
        except SignatureError as exc:
            raise unauthorized(str(exc)) from None
        if authorization is not None:
            principal = await self._key(authorization)
        elif spec.role is None:
            return ANONYMOUS
        elif signed is not None:
            if not spec.device:
                raise unauthorized("this route needs an API key (Authorization: Bearer ...)")
            principal = await self._device(request, body, signed)
        elif spec.role == DEVICE_ONLY:
            raise unauthorized("this request must be signed by an approved device with its device secret")
        else:
            raise unauthorized("an API key is required (Authorization: Bearer ...)")
        if spec.role == DEVICE_ONLY and principal.kind != "device":
            raise ApiError(403, "only an approved device, signing with its own device secret, may do this; "
                                "an API key of any role is refused here")
        if spec.role is not None and principal.kind == "key" and not role_allows(principal.role or "read", spec.role):
            raise ApiError(403, f"this needs a key with the {spec.role} role; yours has {principal.role}",
                           code="role_too_low")
        return principal

    async def _key(self, authorization: str) -> Principal:
        scheme, _, key = authorization.partition(" ")
        if scheme.lower() != "bearer" or not key.strip():
            raise unauthorized("Authorization must be 'Bearer <API key>'")
        record = await self.keys.find(key.strip())
        if record is None:
            raise unauthorized("API key is invalid or revoked")
        return Principal("key", record.role, record.name, key_id=record.key_id)

    async def _device(self, request: IRequest, body: bytes, signed: SignedHeaders) -> Principal:
        device = await self.store.get_device(signed.device_id)
        if device is None:
            raise unauthorized("unknown device; register it or create a pre-shared secret with rpymostat-keys device")
        try:
            verify_request(
                signed,
                device.secret,
                request.method.decode("ascii"),
                request.uri.decode("utf-8"),
                body,
                self.clock.seconds(),
                self.nonces,
            )
        except SignatureError as exc:
            raise unauthorized(f"signature refused: {exc}") from None
        if device.status != "approved":
            raise ApiError(403, f"device {device.host_id} is {device.status}; an admin must approve it")
        return Principal("device", name=device.host_id, host_id=device.host_id)
