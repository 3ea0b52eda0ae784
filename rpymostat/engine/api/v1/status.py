"""``GET /v1/status``: is the engine serving, and can it reach its database?"""

from __future__ import annotations

from twisted.internet.defer import Deferred

from rpymostat.engine.api.app import Call, Reply
from rpymostat.engine.api.routing import route
from rpymostat.engine.context import EngineContext
from rpymostat.version import VERSION

PING_TIMEOUT = 5.0


class StatusAPI:
    def __init__(self, context: EngineContext) -> None:
        self.context = context

    @route("/v1/status", role=None)
    async def status(self, call: Call) -> Reply:
        store = self.context.store
        try:
            ping: Deferred[bool] = store.ping()
            ping.addTimeout(PING_TIMEOUT, self.context.clock)
            healthy = bool(await ping)
        except Exception:
            healthy = False
        body = {"status": healthy, "dependencies": {store.backend_name: healthy}, "version": VERSION}
        if self.context.integrations:
            body["integrations"] = {name: stats() for name, stats in self.context.integrations.items()}
        return Reply(body, 200 if healthy else 503)
