"""A daemon's Prometheus metrics listener: ``GET /metrics`` on a port of its own.

Only imported when a daemon's ``METRICS_PORT`` is set, so prometheus_client
is loaded (and needed) only then. Each daemon builds a registry of its own
and may give an asynchronous ``refresh`` that runs before every scrape (to
count what waits in its spool), so numbers that cost a query are taken only
when Prometheus asks, never on the daemon's own path.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from prometheus_client import CollectorRegistry, generate_latest
from twisted.application.service import Service
from twisted.internet.defer import Deferred, ensureDeferred
from twisted.logger import Logger
from twisted.web.resource import Resource
from twisted.web.server import NOT_DONE_YET, Request

from rpymostat.common.guarded_site import guarded_site
from rpymostat.common.serving import ServerLimits

log = Logger()

PATH = b"/metrics"
#: Prometheus's text exposition format (what ``generate_latest`` writes), read by every Prometheus 2.
TEXT_FORMAT = b"text/plain; version=0.0.4; charset=utf-8"
#: A scrape is a GET without a body.
MAX_BODY_BYTES = 1024

Refresh = Callable[[], Awaitable[None]]


class MetricsResource(Resource):
    """``/metrics`` in the text format; every other path is a 404."""

    isLeaf = True

    def __init__(self, registry: CollectorRegistry, refresh: Refresh | None = None) -> None:
        super().__init__()
        self.registry = registry
        self.refresh = refresh

    def render_GET(self, request: Request) -> Any:
        if request.path != PATH:
            request.setResponseCode(404)
            request.setHeader(b"Content-Type", b"text/plain; charset=utf-8")
            return b"not found; the metrics are at /metrics\n"
        ensureDeferred(self._answer(request))
        return NOT_DONE_YET

    async def _answer(self, request: Request) -> None:
        try:
            if self.refresh is not None:
                await self.refresh()
            body = generate_latest(self.registry)
            request.setHeader(b"Content-Type", TEXT_FORMAT)
        except Exception:
            log.failure("could not gather the metrics")
            request.setResponseCode(500)
            body = b"could not gather the metrics; the daemon's log has the details\n"
        if not request.finished and not request._disconnected:
            request.write(body)
            request.finish()


class MetricsListener(Service):
    """Listens on ``host:port`` while running; ``port`` 0 takes any free port (logged)."""

    def __init__(self, reactor: Any, host: str, port: int, resource: Resource) -> None:
        self.reactor = reactor
        self.host = host
        self.port = port
        self.resource = resource
        self.listening: Any = None

    def startService(self) -> None:
        Service.startService(self)
        site = guarded_site(self.resource, ServerLimits(MAX_BODY_BYTES), self.reactor)
        self.listening = self.reactor.listenTCP(self.port, site, interface=self.host)
        log.info("Serving Prometheus metrics on http://{host}:{port}/metrics", host=self.host,
                 port=self.listening.getHost().port)

    def stopService(self) -> Deferred[None] | None:  # type: ignore[override]
        Service.stopService(self)
        listening, self.listening = self.listening, None
        return None if listening is None else listening.stopListening()
