"""The paho-mqtt link on the real reactor against a real mosquitto: everything it reports arrives on the reactor thread."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest_twisted
from twisted.internet import reactor
from twisted.internet.defer import Deferred
from twisted.internet.task import deferLater

from rpymostat.integrations.mqtt_config import BrokerAddress
from rpymostat.integrations.mqtt_link import PahoConnector, SessionHandlers


@pytest_twisted.ensureDeferred
async def test_messages_acknowledgements_and_loss_are_reported_on_the_reactor_thread(mosquitto, watch):
    main = threading.current_thread()
    seen: list[tuple[str, bool]] = []
    got_message: Deferred[None] = Deferred()
    acknowledged: Deferred[None] = Deferred()
    lost: Deferred[None] = Deferred()

    def note(what: str, fire: Deferred[None]) -> None:
        seen.append((what, threading.current_thread() is main))
        if not fire.called:
            fire.callback(None)

    handlers = SessionHandlers(message=lambda topic, payload: note(f"message {topic} {payload!r}", got_message),
                               published=lambda: note("published", acknowledged),
                               lost=lambda reason: note("lost", lost))
    connector = PahoConnector(reactor, BrokerAddress("127.0.0.1", mosquitto.port, False), "link-test")
    session = await connector.connect("link/availability", "offline", handlers)
    session.subscribe("link/set/+")
    assert session.publish("link/state", "hello", retain=True)
    await acknowledged
    watcher = watch(mosquitto.port)
    await _until(lambda: watcher.get("link/state") == "hello")
    watcher.publish("link/set/mode", "heat")
    await got_message
    mosquitto.stop()
    await lost
    assert ("message link/set/mode b'heat'", True) in seen
    assert all(on_reactor for _, on_reactor in seen), seen
    await session.close()


async def _until(condition: Callable[[], bool]) -> None:
    """Poll without blocking the reactor, with a 10 s deadline."""
    for _ in range(200):
        if condition():
            return
        await deferLater(reactor, 0.05, lambda: None)
    raise AssertionError("condition not met within 10 s")
