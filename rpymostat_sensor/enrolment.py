"""Registering this sensor host with the engine, carrying its host information.

The registration itself, and how its answer is read, is the device
toolkit's (:mod:`rpymostat.common.enrolment`), shared with the control
daemon; this module only says that a sensor host registers as ``sensor``
with fresh host information each time.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rpymostat.common.enrolment import Registration, register
from rpymostat.common.http import SignedJsonClient

DEVICE_KIND = "sensor"


class Enrolment:
    """Registers this host (signed with the secret it carries) and reads the answer."""

    def __init__(self, client: SignedJsonClient, host_info: Callable[[], dict[str, Any]]) -> None:
        self._client = client
        self._host_info = host_info

    async def register(self, engine_url: str) -> Registration:
        """Register once; network failures propagate to the caller, who backs off."""
        return await register(self._client, engine_url, DEVICE_KIND, self._host_info())
