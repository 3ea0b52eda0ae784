"""One MQTT connection at a time, with paho-mqtt's network thread, handed back to the reactor.

paho-mqtt does its socket work on a thread of its own (``loop_start``);
everything it reports (connected, a message, a publish acknowledged, the
connection lost) hops onto the reactor with ``reactor.callFromThread``, so
the bridge above never sees another thread. The blocking parts (resolving
the broker, the TCP and TLS handshakes, joining the thread) run off the
reactor with ``deferToThread``. Each connection is a new client that never
reconnects by itself: the bridge decides when to try again, on its own
clock, and republishes everything then.

paho-mqtt is imported here only, and this module only when MQTT is
configured, so the engine runs without the ``mqtt`` extra.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from twisted.internet.defer import Deferred, succeed
from twisted.internet.threads import deferToThread
from twisted.logger import Logger

from rpymostat.integrations.mqtt_config import BrokerAddress

log = Logger()

CONNACK_TIMEOUT = 15.0
CLOSE_TIMEOUT = 5.0
KEEPALIVE = 30


class ConnectionRefused(Exception):
    """The broker answered but would not take us (bad credentials, not authorised...)."""


@dataclass(frozen=True)
class SessionHandlers:
    """What a session reports, always on the reactor thread."""

    message: Callable[[str, bytes], None]
    published: Callable[[], None]
    lost: Callable[[str], None]


class Session(Protocol):
    """A connected client; ``publish`` answers whether the message was queued."""

    def publish(self, topic: str, payload: str, retain: bool) -> bool: ...

    def subscribe(self, topic_filter: str) -> None: ...

    def close(self) -> Deferred[None]: ...


class Connector(Protocol):
    """Makes sessions; the will is published by the broker if the session ends without a goodbye."""

    def connect(self, will_topic: str, will_payload: str, handlers: SessionHandlers) -> Deferred[Session]: ...


class PahoSession:
    def __init__(self, reactor: Any, client: Any, handlers: SessionHandlers) -> None:
        self._reactor = reactor
        self._client = client
        self._handlers = handlers
        self.ready: Deferred[Session] = Deferred()
        self._ended = False
        self._closing = False
        client.on_connect = self._thread_connect
        client.on_disconnect = self._thread_disconnect
        client.on_message = self._thread_message
        client.on_publish = self._thread_publish

    # paho's thread: hop to the reactor at once.
    def _thread_connect(self, client: Any, userdata: Any, flags: Any, reason_code: Any, properties: Any) -> None:
        self._reactor.callFromThread(self._connected, bool(reason_code.is_failure), str(reason_code))

    def _thread_disconnect(self, client: Any, userdata: Any, flags: Any, reason_code: Any, properties: Any) -> None:
        self._reactor.callFromThread(self._lost, str(reason_code))

    def _thread_message(self, client: Any, userdata: Any, message: Any) -> None:
        self._reactor.callFromThread(self._handlers.message, message.topic, bytes(message.payload))

    def _thread_publish(self, client: Any, userdata: Any, mid: int, reason_code: Any, properties: Any) -> None:
        self._reactor.callFromThread(self._handlers.published)

    # The reactor's thread.
    def _connected(self, failed: bool, reason: str) -> None:
        if self.ready.called:
            return
        if failed:
            self.ready.errback(ConnectionRefused(reason))
            self.close()
        else:
            self.ready.callback(self)

    def _lost(self, reason: str) -> None:
        if self._ended:
            return
        self._ended = True
        if not self.ready.called:
            self.ready.errback(ConnectionError(f"the broker closed the connection: {reason}"))
        elif not self._closing:
            self._handlers.lost(reason)

    def publish(self, topic: str, payload: str, retain: bool) -> bool:
        if self._ended:
            return False
        info = self._client.publish(topic, payload, qos=1, retain=retain)
        return bool(info.rc == 0)

    def subscribe(self, topic_filter: str) -> None:
        self._client.subscribe(topic_filter, qos=1)

    def close(self) -> Deferred[None]:
        """Say goodbye (so the broker does not publish the will) and join paho's thread."""
        if self._closing:
            return succeed(None)
        self._closing = True
        self._client.disconnect()
        joined: Deferred[None] = deferToThread(self._client.loop_stop)
        joined.addTimeout(CLOSE_TIMEOUT, self._reactor)
        joined.addErrback(lambda failure: log.warn("The MQTT network thread did not stop in time: {error}",
                                                   error=failure.getErrorMessage()))
        return joined


class PahoConnector:
    """Connects to one broker with paho-mqtt (MQTT 3.1.1, clean session, QoS 1)."""

    def __init__(self, reactor: Any, address: BrokerAddress, client_id: str, ca_file: str | None = None) -> None:
        self._reactor = reactor
        self.address = address
        self.client_id = client_id
        self.ca_file = ca_file

    def _client(self, will_topic: str, will_payload: str) -> Any:
        import paho.mqtt.client as mqtt

        client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=self.client_id, clean_session=True,
                             reconnect_on_failure=False)
        if self.address.username is not None:
            client.username_pw_set(self.address.username, self.address.password)
        if self.address.tls:
            client.tls_set(ca_certs=self.ca_file or None)
        client.will_set(will_topic, will_payload, qos=1, retain=True)
        return client

    def connect(self, will_topic: str, will_payload: str, handlers: SessionHandlers) -> Deferred[Session]:
        client = self._client(will_topic, will_payload)
        session = PahoSession(self._reactor, client, handlers)
        opened: Deferred[Any] = deferToThread(client.connect, self.address.host, self.address.port, KEEPALIVE)

        def started(_: Any) -> Deferred[Session]:
            client.loop_start()
            session.ready.addTimeout(CONNACK_TIMEOUT, self._reactor,
                                     onTimeoutCancel=lambda *_: self._gave_up(session))
            return session.ready

        opened.addCallback(started)
        return opened

    def _gave_up(self, session: PahoSession) -> None:
        session.close()
        raise ConnectionError(f"the broker did not answer within {CONNACK_TIMEOUT:g} s")
