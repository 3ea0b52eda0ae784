"""Becoming a known device of the engine: the device secret and registration.

A new host makes its own secret on first start, keeps it in a file only its
owner can read, and registers with the engine, which holds it as *pending*
until an admin approves it. Registering again later is how host information
(hostname, uptime, addresses, version) reaches the engine's device list.
"""

from __future__ import annotations

import enum
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from twisted.logger import Logger

from rpymostat.common.http import JsonResponse, SignedJsonClient
from rpymostat.common.signing import new_secret
from rpymostat.security.keys import write_private_file

log = Logger()

REGISTER_PATH = "/v1/devices/register"
DEVICE_KIND = "sensor"


class SecretFileError(Exception):
    """The device secret file is unusable; the message says what to do."""


def load_or_create_secret(path: str) -> tuple[str, bool]:
    """The secret kept in ``path``, made there on first start; (secret, was it just made)."""
    try:
        with open(path, encoding="utf-8") as handle:
            secret = handle.read().strip()
    except FileNotFoundError:
        secret = new_secret()
        try:
            write_private_file(path, secret)
        except OSError as exc:
            raise SecretFileError(f"cannot create the device secret file {path}: {exc.strerror}; "
                                  "set RPYMOSTAT_SENSOR_SECRET_FILE to a writable place") from None
        return secret, True
    except OSError as exc:
        raise SecretFileError(f"cannot read the device secret file {path}: {exc.strerror}") from None
    if len(secret) < 16:
        raise SecretFileError(f"the device secret file {path} holds no usable secret; delete it to make a new one "
                              "(an admin then approves this host again)")
    if os.stat(path).st_mode & 0o077:
        log.warn("the device secret file {path} is readable by others; run: chmod 600 {path}",  # noqa: G010
                 path=path)
    return secret, False


class Standing(enum.Enum):
    """Where this host stands with the engine after one registration."""

    APPROVED = "approved"
    PENDING = "pending"
    CONFLICT = "conflict"
    WRONG_KIND = "wrong kind"
    REJECTED = "rejected"
    REFUSED = "refused"
    UNAVAILABLE = "unavailable"


@dataclass(frozen=True)
class Registration:
    """The engine's answer to one registration, with its words for the user."""

    standing: Standing
    message: str


def standing_of(response: JsonResponse) -> Standing:
    """Read a registration answer as the engine documents it."""
    if response.code == 200:
        return Standing.APPROVED
    if response.code == 202:
        return Standing.PENDING
    if response.code == 409:
        if isinstance(response.body, dict) and "registered_kind" in response.body:
            return Standing.WRONG_KIND
        return Standing.CONFLICT
    if response.code == 403:
        return Standing.REJECTED
    if response.code >= 500 or response.code in (404, 408, 429):
        return Standing.UNAVAILABLE
    return Standing.REFUSED


class Enrolment:
    """Registers this host (signed with the secret it carries) and reads the answer."""

    def __init__(self, client: SignedJsonClient, host_info: Callable[[], dict[str, Any]]) -> None:
        self._client = client
        self._host_info = host_info

    async def register(self, engine_url: str) -> Registration:
        """Register once; network failures propagate to the caller, who backs off."""
        body = {
            "host_id": self._client.device_id,
            "kind": DEVICE_KIND,
            "secret": self._client.secret,
            "info": self._host_info(),
        }
        response = await self._client.request("POST", engine_url, REGISTER_PATH, body)
        return Registration(standing_of(response), response.error)
