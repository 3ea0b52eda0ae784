"""Fan-out from the engine's event bus to every live-feed client.

The feed listens to the bus, and runs its heartbeat, only while at least
one client is connected, so building it costs nothing and leaves no timer
behind. Each event is encoded once and handed to every client. The same
periodic tick pings clients and re-checks their keys, so a revoked key
stops receiving within one ``heartbeat_interval``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import partial

from autobahn.twisted.resource import WebSocketResource
from autobahn.twisted.websocket import WebSocketServerFactory
from twisted.internet.defer import ensureDeferred
from twisted.internet.interfaces import IReactorTime
from twisted.internet.task import LoopingCall
from twisted.logger import Logger

from rpymostat.common.timeutil import time_scale
from rpymostat.engine.events import EVENTS_STREAM, Event, EventBus
from rpymostat.engine.live import messages
from rpymostat.engine.live.connection import LiveConnection
from rpymostat.engine.live.messages import CloseCode
from rpymostat.engine.live.settings import LiveFeedSettings
from rpymostat.store.interface import Store, StoreError

log = Logger()


class LiveFeed:
    def __init__(self, events: EventBus, store: Store, clock: IReactorTime,
                 settings: LiveFeedSettings | None = None) -> None:
        self.events = events
        self.store = store
        self.clock = clock
        # Sign-in timeout and heartbeat are real time (a browser's pace), even on the demo's fast clock.
        base = settings or LiveFeedSettings()
        scale = time_scale(clock)
        self.settings = replace(base, auth_timeout=base.auth_timeout * scale,
                                heartbeat_interval=base.heartbeat_interval * scale)
        self.connections: set[LiveConnection] = set()
        self._unsubscribe: Callable[[], None] | None = None
        self._ticker: LoopingCall | None = None
        self.factory = WebSocketServerFactory(server="RPyMostat")
        self.factory.protocol = partial(LiveConnection, self)  # type: ignore[assignment]
        size = self.settings.max_client_message_bytes
        self.factory.setProtocolOptions(
            maxMessagePayloadSize=size, maxFramePayloadSize=size,
            closeHandshakeTimeout=self.settings.close_timeout, failByDrop=False,
        )

    def resource(self) -> WebSocketResource:
        """The Twisted resource that upgrades one HTTP request into a client."""
        return WebSocketResource(self.factory)

    async def last_event_id(self) -> int:
        """The newest kept event's ID (0 before any): a new client's starting position."""
        newest = await self.store.list_log(EVENTS_STREAM, 1, newest_first=True)
        return newest[0].entry_id if newest else 0

    def opened(self, connection: LiveConnection) -> None:
        self.connections.add(connection)
        if self._unsubscribe is None:
            self._unsubscribe = self.events.subscribe(self._publish)
            self._ticker = LoopingCall(self._tick)
            self._ticker.clock = self.clock
            self._ticker.start(self.settings.heartbeat_interval, now=False)

    def closed(self, connection: LiveConnection) -> None:
        if connection not in self.connections:
            return
        self.connections.discard(connection)
        if not self.connections and self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
            if self._ticker is not None and self._ticker.running:
                self._ticker.stop()
            self._ticker = None

    def _publish(self, event: Event) -> None:
        try:
            payload = messages.encode(messages.event_message(event))
        except (TypeError, ValueError):
            log.failure("live feed: event {type} cannot be sent as JSON; skipped", type=event.type)
            return
        for connection in list(self.connections):
            connection.deliver(event.event_id, payload)

    def _tick(self) -> None:
        for connection in list(self.connections):
            connection.heartbeat()
        ensureDeferred(self._check_keys()).addErrback(
            lambda failure: log.failure("live feed: checking keys failed", failure))

    async def _check_keys(self) -> None:
        """Close the clients whose key was revoked (or deleted) since they signed in."""
        key_ids = {c.key_id for c in self.connections if c.key_id is not None}
        for key_id in key_ids:
            try:
                record = await self.store.get_api_key(key_id)
            except StoreError as exc:
                log.warn("live feed: cannot re-check keys, database unavailable: {error}", error=str(exc))
                return
            if record is None or record.revoked_at is not None:
                for connection in [c for c in self.connections if c.key_id == key_id]:
                    connection.refuse(CloseCode.BAD_KEY, "API key revoked")
