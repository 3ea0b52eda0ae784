"""One live-feed client: the sign-in handshake, catch-up, then live delivery.

Phases (``phase``; autobahn owns ``state``): ``opening`` → ``awaiting_auth`` → ``authenticating`` →
``catching_up`` → ``live``, and ``closing``/``closed`` from any of them.
Live events that arrive during catch-up are held and sent after it; a
kept event the replay already sent (``replayed_through``) is not sent again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from autobahn.twisted.websocket import WebSocketServerProtocol
from autobahn.websocket.types import ConnectionRequest
from twisted.internet.defer import ensureDeferred
from twisted.internet.interfaces import IConsumer, IDelayedCall
from twisted.logger import Logger

from rpymostat.engine.events import EVENTS_STREAM
from rpymostat.engine.live import messages
from rpymostat.engine.live.messages import CloseCode, Hello, Refused
from rpymostat.engine.live.outbox import Outbox
from rpymostat.security.keys import find_live_key

if TYPE_CHECKING:
    from rpymostat.engine.live.feed import LiveFeed

log = Logger()


class LiveConnection(WebSocketServerProtocol):
    # autobahn copies it from the factory with setattr, out of mypy's sight.
    maxMessagePayloadSize: int

    def __init__(self, feed: LiveFeed) -> None:
        super().__init__()
        self.feed = feed
        self.phase = "opening"
        self.key_id: str | None = None
        self.awaiting_pong = False
        self.replayed_through: int | None = None
        self.url_has_parameters = False
        self.held: list[tuple[int | None, bytes]] = []
        self.held_bytes = 0
        self.auth_timer: IDelayedCall | None = None
        self.outbox = Outbox(self._write, feed.settings.max_pending_bytes, self._too_slow)

    # autobahn callbacks

    def onConnect(self, request: ConnectionRequest) -> None:
        self.url_has_parameters = bool(request.params)

    def onOpen(self) -> None:
        self.feed.opened(self)
        # The HTTP channel that accepted the upgrade still holds the socket's
        # flow control; hand it to this client's outbox.
        # Open, so connected: the transport is a TCP one, which is an IConsumer.
        consumer = cast(IConsumer, self.transport)
        consumer.unregisterProducer()
        consumer.registerProducer(self.outbox, True)
        if self.url_has_parameters:
            self.refuse(CloseCode.BAD_REQUEST, "nothing goes in the URL: send the key in the first message")
            return
        self.phase = "awaiting_auth"
        self.outbox.send(messages.encode(messages.auth_required()))
        timeout = self.feed.settings.auth_timeout
        self.auth_timer = self.feed.clock.callLater(
            timeout, self.refuse, CloseCode.AUTH_TIMEOUT, f"no auth message within {timeout:g} s")

    def onMessage(self, payload: bytes, isBinary: bool) -> None:
        if self.phase != "awaiting_auth":
            return
        self._cancel_auth_timer()
        try:
            hello = messages.parse_hello(payload, isBinary)
        except Refused as refusal:
            self.refuse(refusal.code, refusal.reason)
            return
        self.phase = "authenticating"
        ensureDeferred(self._sign_in(hello)).addErrback(self._failed)

    def onPong(self, payload: bytes) -> None:
        self.awaiting_pong = False

    def onClose(self, wasClean: bool, code: int | None, reason: str | None) -> None:
        self.phase = "closed"
        self._cancel_auth_timer()
        self.outbox.close()
        self.held = []
        self.feed.closed(self)

    # used by the feed

    def deliver(self, event_id: int | None, payload: bytes) -> None:
        """Send one published event, or hold it while catch-up is under way."""
        if self.phase == "catching_up":
            self.held_bytes += len(payload)
            if self.held_bytes > self.feed.settings.max_pending_bytes:
                self._too_slow()
                return
            self.held.append((event_id, payload))
        elif self.phase == "live":
            self._send_event(event_id, payload)

    def heartbeat(self) -> None:
        """Ping; a client that did not answer the previous ping is gone."""
        if self.phase in ("closing", "closed", "opening"):
            return
        if self.awaiting_pong:
            log.info("live feed: dropping a client that stopped answering pings")
            self.phase = "closing"
            self.dropConnection(abort=True)
            return
        self.awaiting_pong = True
        self.sendPing()

    def refuse(self, code: CloseCode, reason: str) -> None:
        """Close with a documented code; nothing more is sent."""
        if self.phase in ("closing", "closed"):
            return
        self.phase = "closing"
        self._cancel_auth_timer()
        self.outbox.close()
        self.held = []
        self.sendClose(int(code), reason)

    # internals

    async def _sign_in(self, hello: Hello) -> None:
        record = await find_live_key(self.feed.store, hello.key)
        if self.phase != "authenticating":
            return
        if record is None:
            self.refuse(CloseCode.BAD_KEY, "API key is invalid or revoked")
            return
        self.key_id = record.key_id
        self.phase = "catching_up"
        last_event_id = await self.feed.last_event_id()
        reset = hello.after is not None and hello.after > last_event_id
        self.outbox.send(messages.encode(messages.welcome(record.role, last_event_id, reset)))
        if hello.after is not None and not reset:
            self.replayed_through = hello.after
            await self._replay(hello.after, last_event_id)
        if self.phase != "catching_up":
            return
        self.phase = "live"
        held, self.held, self.held_bytes = self.held, [], 0
        for event_id, payload in held:
            self._send_event(event_id, payload)

    async def _replay(self, after: int, through: int) -> None:
        """Send every kept event in (after, through], a page at a time, at the client's pace."""
        page = self.feed.settings.replay_page
        cursor = after
        while cursor < through and self.phase == "catching_up":
            entries = await self.feed.store.list_log(EVENTS_STREAM, page, after_id=cursor, newest_first=False)
            entries = [entry for entry in entries if entry.entry_id <= through]
            for entry in entries:
                self.outbox.send(messages.encode(messages.event_message(messages.event_from_entry(entry))))
                cursor = self.replayed_through = entry.entry_id
            if len(entries) < page:
                return
            await self.outbox.drained()

    def _send_event(self, event_id: int | None, payload: bytes) -> None:
        if event_id is not None and self.replayed_through is not None and event_id <= self.replayed_through:
            return
        self.outbox.send(payload)

    def _write(self, payload: bytes) -> None:
        # autobahn applies its message size limit to both directions; only
        # what clients send needs one.
        limit, self.maxMessagePayloadSize = self.maxMessagePayloadSize, 0
        try:
            self.sendMessage(payload, isBinary=False)
        finally:
            self.maxMessagePayloadSize = limit

    def _too_slow(self) -> None:
        limit_kib = self.feed.settings.max_pending_bytes // 1024
        self.refuse(CloseCode.TOO_SLOW,
                    f"too slow: over {limit_kib} KiB waited to be sent; reconnect with after = the last id")

    def _cancel_auth_timer(self) -> None:
        if self.auth_timer is not None and self.auth_timer.active():
            self.auth_timer.cancel()
        self.auth_timer = None

    def _failed(self, failure: Any) -> None:
        log.failure("live feed: signing a client in failed", failure)
        if self.phase not in ("closing", "closed"):
            self.phase = "closing"
            self.outbox.close()
            self.sendClose(int(CloseCode.ENGINE_ERROR), "the engine failed; the engine log has the details")
