"""The engine's resource tree (and a metrics page) served behind the guards of :mod:`.serving`.

``twisted.web.server`` brings resource traversal, static files, sessions and
the WebSocket upgrade the engine needs; the daemons' one-resource APIs do
without it (:func:`rpymostat.common.serving.guarded_factory`).
"""

from __future__ import annotations

from typing import Any

from twisted.internet.interfaces import IAddress, IReactorTime
from twisted.web.resource import Resource
from twisted.web.server import Request, Site

from rpymostat.common.serving import GuardedChannel, PerAddressCap, ServerLimits, body_chunk_accepted
from rpymostat.common.verbosity import Verbosity


class BoundedRequest(Request):
    """Hands each chunk of its body to its channel's count before keeping it."""

    def handleContentChunk(self, data: bytes) -> None:
        if body_chunk_accepted(self, data):
            super().handleContentChunk(data)


class GuardedSite(Site):
    """A :class:`Site` whose channels are :class:`GuardedChannel` with its limits."""

    protocol = GuardedChannel  # type: ignore[assignment]  # a plain HTTP/1.1 channel: no TLS, so no HTTP/2

    def __init__(self, resource: Resource, limits: ServerLimits, reactor: IReactorTime) -> None:
        super().__init__(resource, requestFactory=BoundedRequest, parsePOSTFormSubmission=False, reactor=reactor)
        self.limits = limits

    def buildProtocol(self, addr: IAddress | None) -> Any:
        channel = super().buildProtocol(addr)
        channel.limits = self.limits
        return channel

    def log(self, request: Any) -> None:
        """Twisted's access-log line, only when it is shown: formatting it for every request cost 3 % of an update."""
        if Verbosity.level >= 2:
            super().log(request)


def guarded_site(resource: Resource, limits: ServerLimits, reactor: IReactorTime) -> PerAddressCap:
    """The factory to listen with: a :class:`Site` over ``resource`` behind every guard of :mod:`.serving`.

    ``reactor`` times the deadlines; it is the real reactor in production
    (network deadlines are about real time, whatever the engine's clock).
    """
    site = GuardedSite(resource, limits, reactor)
    site.displayTracebacks = False
    return PerAddressCap(site, limits.max_connections_per_address)
