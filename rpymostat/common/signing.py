"""Device request signing: HMAC-SHA256 over method, path, timestamp, nonce and body.

Sensor and control daemons sign every request to the engine with their
per-device secret, and the engine signs its commands to control daemons the
same way. The canonical string is::

    METHOD \\n PATH?QUERY \\n TIMESTAMP \\n NONCE \\n hex(SHA-256(body))

where TIMESTAMP is whole epoch seconds in decimal. The receiver checks the
signature, that the timestamp is within a small window of its own clock,
and that the nonce has not been seen within that window. This module only
uses the standard library, so the daemons can import it on a Pi Zero.

The nonces seen are kept in memory only. So that a request captured before
a restart cannot be replayed after it, a receiver also refuses every
timestamp from before the whole second in which it started. Senders sign
each request when they send it (spooled data too), so a legitimate sender
is refused only while its clock is behind the receiver's, and its next
attempt goes through. Timestamps have whole seconds, so the second of the
start itself is accepted: refusing it would refuse, after every restart,
honest requests signed a moment after the start, and a replay would need
the request to be signed, the receiver stopped and started again, all
within that one second.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field

HEADER_DEVICE = "X-RPyMostat-Device"
HEADER_TIMESTAMP = "X-RPyMostat-Timestamp"
HEADER_NONCE = "X-RPyMostat-Nonce"
HEADER_SIGNATURE = "X-RPyMostat-Signature"

SECRET_BYTES = 32
MAX_NONCE_LENGTH = 64

HeaderGetter = Callable[[str], "str | None"]


class SignatureError(Exception):
    """A signed request was refused; the message says why (never the secret)."""


def new_secret() -> str:
    """A fresh device secret (URL-safe text, 256 bits)."""
    return secrets.token_urlsafe(SECRET_BYTES)


def canonical_request(method: str, path: str, timestamp: str, nonce: str, body: bytes) -> bytes:
    """The exact bytes that are signed."""
    body_hash = hashlib.sha256(body).hexdigest()
    return "\n".join([method.upper(), path, timestamp, nonce, body_hash]).encode("utf-8")


def compute_signature(secret: str, method: str, path: str, timestamp: str, nonce: str, body: bytes) -> str:
    """The hex HMAC-SHA256 of the canonical request."""
    message = canonical_request(method, path, timestamp, nonce, body)
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def sign_request(device_id: str, secret: str, method: str, path: str, body: bytes, now: float) -> dict[str, str]:
    """Headers that sign one request; ``path`` includes any query string."""
    timestamp = str(int(now))
    nonce = secrets.token_hex(16)
    return {
        HEADER_DEVICE: device_id,
        HEADER_TIMESTAMP: timestamp,
        HEADER_NONCE: nonce,
        HEADER_SIGNATURE: compute_signature(secret, method, path, timestamp, nonce, body),
    }


@dataclass(frozen=True)
class SignedHeaders:
    """The signing headers as received, before any check."""

    device_id: str
    timestamp: str
    nonce: str
    signature: str

    @classmethod
    def from_headers(cls, get_header: HeaderGetter) -> SignedHeaders | None:
        """Read the headers; None when the request is not signed at all."""
        values = [get_header(name) for name in (HEADER_DEVICE, HEADER_TIMESTAMP, HEADER_NONCE, HEADER_SIGNATURE)]
        if all(value is None for value in values):
            return None
        if any(not value for value in values):
            raise SignatureError("signed requests need all of the X-RPyMostat-Device, -Timestamp, -Nonce and -Signature headers")
        device_id, timestamp, nonce, signature = (str(value) for value in values)
        return cls(device_id, timestamp, nonce, signature)


@dataclass
class NonceCache:
    """Nonces seen within the timestamp window, per device, since ``started``.

    A nonce older than the window cannot be replayed anyway (its timestamp is
    refused), so entries are forgotten once the window has passed and the
    cache stays small. The cache is empty after a restart, so a timestamp
    from before the second of ``started`` (the receiver's start, by its
    clock) is refused outright: the previous process may have seen it.
    """

    window: float
    started: float = 0.0
    _seen: dict[tuple[str, str], float] = field(default_factory=dict)

    def check_fresh(self, stamp: int, now: float) -> None:
        """Refuse a timestamp outside the window, or from before this receiver started."""
        if abs(now - stamp) > self.window:
            raise SignatureError(f"timestamp is more than {int(self.window)} s away from the receiver's clock")
        if stamp < math.floor(self.started):
            raise SignatureError("timestamp is from before the receiver last started (a replay, or a sender "
                                 "whose clock is behind); sign the request again now")

    def check_and_remember(self, device_id: str, nonce: str, now: float) -> None:
        self._forget_older_than(now - 2 * self.window)
        key = (device_id, nonce)
        if key in self._seen:
            raise SignatureError("nonce already used (replayed request)")
        self._seen[key] = now

    def _forget_older_than(self, cutoff: float) -> None:
        if not self._seen:
            return
        stale = [key for key, seen in self._seen.items() if seen < cutoff]
        for key in stale:
            del self._seen[key]


def verify_request(
    headers: SignedHeaders,
    secret: str,
    method: str,
    path: str,
    body: bytes,
    now: float,
    nonces: NonceCache,
) -> None:
    """Raise :class:`SignatureError` unless the request is authentic and fresh.

    Fresh means within ``nonces``' window of ``now``, not from before the
    receiver started, and with a nonce not seen yet. The nonce is
    remembered only after the signature checks out, so a forger cannot burn
    a legitimate device's nonces.
    """
    try:
        stamp = int(headers.timestamp)
    except ValueError:
        raise SignatureError("X-RPyMostat-Timestamp must be whole epoch seconds") from None
    nonces.check_fresh(stamp, now)
    if not 8 <= len(headers.nonce) <= MAX_NONCE_LENGTH:
        raise SignatureError(f"nonce must be 8 to {MAX_NONCE_LENGTH} characters")
    expected = compute_signature(secret, method, path, headers.timestamp, headers.nonce, body)
    if not hmac.compare_digest(expected, headers.signature.lower()):
        raise SignatureError("signature does not match")
    nonces.check_and_remember(headers.device_id, headers.nonce, now)


def fingerprint(secret: str) -> str:
    """A short, safe-to-show digest of a secret, to compare on the device and in the UI."""
    digest = hashlib.sha256(b"rpymostat-fingerprint\n" + secret.encode("utf-8")).hexdigest()
    return "-".join(digest[i:i + 4] for i in range(0, 12, 4))
