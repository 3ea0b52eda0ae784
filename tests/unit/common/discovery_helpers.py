"""Helpers for the loopback discovery tests: isolation and waiting on changes."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from twisted.internet.defer import Deferred, succeed

from rpymostat.common.discovery import ZeroconfLocator

LOOPBACK = ["127.0.0.1"]
DEADLINE_SECONDS = 15.0


def private_service_type() -> str:
    """A service type no other test run on this machine is using.

    Loopback is shared by every process here; a type of our own keeps other
    sessions' engines out of what these tests see.
    """
    return f"_t{secrets.token_hex(4)}._tcp.local."


def private_server() -> str:
    """A host name for one advertiser, so parallel advertisers never share A records."""
    return f"t{secrets.token_hex(4)}.local."


def url_becomes(
    reactor: Any, locator: ZeroconfLocator, wanted: Callable[[str | None], bool]
) -> Deferred:
    """Fire with the locator's URL once ``wanted(url)`` holds; fail after the deadline."""
    if wanted(locator.current()):
        return succeed(locator.current())
    arrived: Deferred = Deferred()

    def changed(url: str | None) -> None:
        if wanted(url) and not arrived.called:
            arrived.callback(url)

    def finished(result: object) -> object:
        unsubscribe()
        return result

    unsubscribe = locator.on_change(changed)
    arrived.addTimeout(DEADLINE_SECONDS, reactor)
    arrived.addBoth(finished)
    return arrived
