"""The live feed at /v1/ws, over a real WebSocket on the loopback socket.

The engine's clock is a ``Clock`` the tests advance (auth timeout,
heartbeats, key re-checks); the sockets run on the real reactor, and every
wait has a deadline.
"""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest
import pytest_twisted
from autobahn.twisted.websocket import WebSocketClientFactory, WebSocketClientProtocol
from referencing import Registry, Resource
from twisted.internet import reactor
from twisted.internet.defer import Deferred, DeferredQueue, ensureDeferred, gatherResults
from twisted.internet.endpoints import TCP4ClientEndpoint, connectProtocol
from twisted.internet.protocol import Protocol

from rpymostat.common.timeutil import to_iso
from rpymostat.engine.api.build import api_document
from rpymostat.engine.live.feed import LiveFeed
from rpymostat.engine.live.settings import LiveFeedSettings

pytestmark = pytest.mark.listening  # WebSockets

DEADLINE = 10.0
SETTINGS = LiveFeedSettings()


class RecordingClient(WebSocketClientProtocol):
    """Keeps every message it receives, and tells when it opened and closed."""

    answers_pings = True

    def __init__(self) -> None:
        super().__init__()
        self.opened: Deferred[None] = Deferred()
        self.closed: Deferred[tuple[int | None, str | None]] = Deferred()
        self.inbox: DeferredQueue[dict[str, Any]] = DeferredQueue()
        self.received: list[dict[str, Any]] = []
        self.pongs: DeferredQueue[bytes] = DeferredQueue()

    def onOpen(self) -> None:
        self.opened.callback(None)

    def onMessage(self, payload: bytes, isBinary: bool) -> None:
        message = json.loads(payload)
        self.received.append(message)
        self.inbox.put(message)

    def onPing(self, payload: bytes) -> None:
        if self.answers_pings:
            super().onPing(payload)

    def onPong(self, payload: bytes) -> None:
        self.pongs.put(payload)

    async def round_trip(self) -> None:
        """Returns once the server has processed everything this client sent before."""
        self.sendPing(b"round trip")
        await self.pongs.get().addTimeout(DEADLINE, reactor)

    def onClose(self, wasClean: bool, code: int | None, reason: str | None) -> None:
        if not self.opened.called:
            self.opened.errback(ConnectionError(f"handshake failed: {code} {reason}"))
        if not self.closed.called:
            self.closed.callback((code, reason))

    def send_json(self, message: Any) -> None:
        self.sendMessage(json.dumps(message).encode("utf-8"), isBinary=False)

    async def next(self) -> dict[str, Any]:
        return await self.inbox.get().addTimeout(DEADLINE, reactor)

    async def close_code(self) -> tuple[int | None, str | None]:
        return await self.closed.addTimeout(DEADLINE, reactor)


class SilentClient(RecordingClient):
    """A peer whose end died: it never answers a ping."""

    answers_pings = False


async def connect(engine, path: str = "/v1/ws", protocol: type[RecordingClient] = RecordingClient) -> RecordingClient:
    port = engine.port.getHost().port
    factory = WebSocketClientFactory(f"ws://127.0.0.1:{port}{path}")
    factory.protocol = protocol
    client = await TCP4ClientEndpoint(reactor, "127.0.0.1", port).connect(factory)
    await client.opened.addTimeout(DEADLINE, reactor)
    return client


async def sign_in(engine, key: str, after: int | None = None,
                  protocol: type[RecordingClient] = RecordingClient) -> tuple[RecordingClient, dict[str, Any]]:
    client = await connect(engine, protocol=protocol)
    assert await client.next() == {"type": "auth_required"}
    hello: dict[str, Any] = {"type": "auth", "key": engine.keys.get(key, key)}
    if after is not None:
        hello["after"] = after
    client.send_json(hello)
    welcome = await client.next()
    assert welcome["type"] == "welcome", welcome
    return client, welcome


async def goodbye(client: RecordingClient) -> None:
    client.sendClose(1000)
    await client.close_code()


def feed_of(engine) -> LiveFeed:
    """The engine's feed, found through its declared route."""
    (declared,) = [r for r in engine.api.routes if r.path == "/v1/ws"]
    return declared.handler.__self__.feed


def message_validator(name: str) -> jsonschema.Draft202012Validator:
    registry = Registry().with_resource("urn:openapi", Resource.opaque(api_document()))
    return jsonschema.Draft202012Validator({"$ref": f"urn:openapi#/components/schemas/{name}"}, registry=registry)


def assert_documented(message: dict[str, Any]) -> None:
    errors = [e.message for e in message_validator("LiveServerMessage").iter_errors(message)]
    assert errors == [], message


async def publish(engine, type: str, keep: bool = True, **data: Any) -> int | None:
    event = await engine.context.events.publish(type, data, keep=keep)
    return event.event_id


@pytest_twisted.ensureDeferred
async def test_a_read_key_signs_in_and_receives_events_as_they_happen(engine):
    client, welcome = await sign_in(engine, "read")
    assert welcome == {"type": "welcome", "role": "read", "last_event_id": 0, "reset": False}
    event_id = await publish(engine, "alerts", alerts=[{"kind": "stale_sensor", "sensor_id": "28-a"}])
    message = await client.next()
    assert message == {"type": "alerts", "id": event_id, "at": to_iso(engine.clock.seconds()),
                       "data": {"alerts": [{"kind": "stale_sensor", "sensor_id": "28-a"}]}}
    for seen in client.received:
        assert_documented(seen)
    await goodbye(client)


@pytest_twisted.ensureDeferred
async def test_welcome_reports_the_role_and_the_newest_kept_event(engine):
    await publish(engine, "decision", decision={"state": "idle"})
    newest = await publish(engine, "schedule.changed", schedule_id="s1")
    await publish(engine, "readings", keep=False, host_id="h", readings=[])
    client, welcome = await sign_in(engine, "admin")
    assert (welcome["role"], welcome["last_event_id"]) == ("admin", newest)
    await goodbye(client)


@pytest_twisted.ensureDeferred
async def test_a_sensor_update_put_over_http_arrives_as_a_reading(engine):
    client, _ = await sign_in(engine, "read")
    update = {"host_id": "hall-pi", "sensors": {"28-a": {"type": "DS18B20", "value": 21.5}}}
    response = await engine.request("PUT", "/v1/sensors/update", json=update, key="write")
    assert response.code == 201
    message = await client.next()
    assert message["type"] == "readings" and message["id"] is None
    assert message["data"]["host_id"] == "hall-pi"
    assert [(r["sensor_id"], r["value"]) for r in message["data"]["readings"]] == [("28-a", 21.5)]
    assert_documented(message)
    await goodbye(client)


@pytest_twisted.ensureDeferred
async def test_a_posted_device_event_arrives_with_its_subscribers(engine):
    subscribed = await engine.request("POST", "/v1/clients/me/subscriptions", json={"device": "window"}, key="read")
    assert subscribed.code == 403  # subscribing changes something: a read key may not
    await engine.request("POST", "/v1/clients/me/subscriptions", json={"device": "window"}, key="admin")
    client, _ = await sign_in(engine, "read")
    body = {"device": "window", "location": "Bedroom", "action": "contact", "value": "open"}
    posted = await engine.request("POST", "/v1/events", json=body, key="write")
    message = await client.next()
    assert message["type"] == "device_event" and message["id"] is None
    assert (message["data"]["id"], message["data"]["location"]) == (posted.json["id"], "Bedroom")
    assert message["data"]["subscribers"] == [(await engine.request("GET", "/v1/clients/me", key="admin")).json["id"]]
    assert_documented(message)
    await goodbye(client)


@pytest_twisted.ensureDeferred
async def test_a_change_of_target_made_over_http_arrives_as_it_happens(engine):
    client, welcome = await sign_in(engine, "read")
    created = await engine.request("POST", "/v1/overrides", key="write",
                                   json={"start": "now", "mode": "heat", "heat_setpoint": 22})
    assert created.code == 201
    message = await client.next()
    assert (message["type"], message["data"]["action"], message["data"]["id"]) == (
        "override.changed", "created", created.json["id"])
    assert message["data"]["data"]["heat_setpoint"] == 22
    assert message["id"] > welcome["last_event_id"]
    assert_documented(message)
    await engine.request("DELETE", f"/v1/overrides/{created.json['id']}", key="write")
    deleted = await client.next()
    assert (deleted["type"], deleted["data"]["action"]) == ("override.changed", "deleted")
    await goodbye(client)


@pytest_twisted.ensureDeferred
async def test_a_wrong_or_revoked_key_is_closed_with_4401_and_gets_no_events(engine):
    for key in ("revoked", "rpm_0123456789_not-the-secret", "not even a key"):
        client = await connect(engine)
        assert await client.next() == {"type": "auth_required"}
        client.send_json({"type": "auth", "key": engine.keys.get(key, key)})
        await publish(engine, "alerts", alerts=[])
        code, reason = await client.close_code()
        assert (code, reason) == (4401, "API key is invalid or revoked")
        assert client.received == [{"type": "auth_required"}]


@pytest_twisted.ensureDeferred
async def test_a_first_message_that_is_not_auth_is_closed_with_4400(engine):
    for first in ({"type": "hello"}, {"type": "auth"}, {"type": "auth", "key": 7},
                  {"type": "auth", "key": "k", "after": -1}, {"type": "auth", "key": "k", "token": "t"},
                  "auth", b"\xff"):
        client = await connect(engine)
        await client.next()
        if isinstance(first, bytes):
            client.sendMessage(first, isBinary=True)
        else:
            client.send_json(first)
        code, reason = await client.close_code()
        assert code == 4400, (first, reason)
        assert client.received == [{"type": "auth_required"}]


@pytest_twisted.ensureDeferred
async def test_a_deeply_nested_first_message_is_closed_with_4400_naming_the_limit(engine):
    client = await connect(engine)
    await client.next()
    client.sendMessage(b"[" * 2000 + b"]" * 2000, isBinary=False)
    code, reason = await client.close_code()
    assert (code, reason) == (4400, "the first message is nested more than 32 arrays and objects deep")
    assert client.received == [{"type": "auth_required"}]


@pytest_twisted.ensureDeferred
async def test_an_oversized_first_message_is_closed_with_1009(engine):
    client = await connect(engine)
    await client.next()
    client.send_json({"type": "auth", "key": "k" * SETTINGS.max_client_message_bytes})
    code, _ = await client.close_code()
    assert code == 1009
    assert client.received == [{"type": "auth_required"}]


@pytest_twisted.ensureDeferred
async def test_no_auth_within_the_timeout_is_closed_with_4408(engine):
    client = await connect(engine)
    assert await client.next() == {"type": "auth_required"}
    engine.clock.advance(SETTINGS.auth_timeout - 0.5)
    await publish(engine, "alerts", alerts=[])
    engine.clock.advance(0.5)
    code, reason = await client.close_code()
    assert code == 4408 and "auth" in reason
    assert client.received == [{"type": "auth_required"}]


@pytest_twisted.ensureDeferred
async def test_a_key_in_the_url_is_refused_and_never_signs_in(engine):
    for query in (f"?key={engine.keys['read']}", f"?token={engine.keys['admin']}&after=0"):
        client = await connect(engine, "/v1/ws" + query)
        code, reason = await client.close_code()
        assert code == 4400 and "URL" in reason
        assert client.received == []


@pytest_twisted.ensureDeferred
async def test_a_plain_get_is_answered_426_in_json(engine):
    for key in (None, "read"):
        response = await engine.request("GET", "/v1/ws", key=key)
        assert response.code == 426
        assert response.headers["content-type"].startswith("application/json")
        assert response.json["status"] == "error" and "WebSocket" in response.json["error"]


class RawHTTP(Protocol):
    """Reads a whole answer as bytes (Twisted's client hides the Upgrade header)."""

    def __init__(self) -> None:
        self.data = b""
        self.done: Deferred[bytes] = Deferred()

    def dataReceived(self, data: bytes) -> None:
        self.data += data

    def connectionLost(self, reason: Any) -> None:
        self.done.callback(self.data)


@pytest_twisted.ensureDeferred
async def test_the_426_names_the_protocol_to_upgrade_to(engine):
    raw = RawHTTP()
    await connectProtocol(TCP4ClientEndpoint(reactor, "127.0.0.1", engine.port.getHost().port), raw)
    raw.transport.write(b"GET /v1/ws HTTP/1.1\r\nHost: engine\r\nConnection: close\r\n\r\n")
    head = (await raw.done.addTimeout(DEADLINE, reactor)).split(b"\r\n\r\n")[0].lower().split(b"\r\n")
    assert head[0] == b"http/1.1 426 upgrade required"
    assert b"upgrade: websocket" in head


@pytest_twisted.ensureDeferred
async def test_a_reconnecting_client_gets_exactly_what_it_missed_in_order_then_live_events(engine):
    client, _ = await sign_in(engine, "read")
    seen = [await publish(engine, "decision", n=n) for n in range(2)]
    assert [(await client.next())["id"] for _ in seen] == seen
    await goodbye(client)

    missed = []
    for n in range(3):
        missed.append(await publish(engine, "decision", n=10 + n))
        await publish(engine, "readings", keep=False, host_id="h", readings=[])
        await engine.store.append_log("decisions", engine.clock.seconds(), {"not": "an event"})

    client, welcome = await sign_in(engine, "read", after=seen[-1])
    assert welcome["last_event_id"] == missed[-1] and welcome["reset"] is False
    replayed = [await client.next() for _ in missed]
    assert [(m["id"], m["type"], m["data"]) for m in replayed] == [
        (event_id, "decision", {"n": 10 + n}) for n, event_id in enumerate(missed)]
    for message in replayed:
        assert_documented(message)
    live = await publish(engine, "alerts", alerts=[])
    message = await client.next()
    assert (message["type"], message["id"]) == ("alerts", live)
    await goodbye(client)


@pytest_twisted.ensureDeferred
async def test_events_published_during_catch_up_arrive_once_and_in_order(engine):
    first = await publish(engine, "decision", n=0)
    for n in range(1, 3 * SETTINGS.replay_page):
        await publish(engine, "decision", n=n)
    client = await connect(engine)
    await client.next()
    client.send_json({"type": "auth", "key": engine.keys["read"], "after": first})
    welcome = await client.next()
    assert welcome["type"] == "welcome"
    await gatherResults([ensureDeferred(publish(engine, "decision", n=-n)) for n in range(1, 30)])
    stored = await engine.store.list_log("events", 10_000, after_id=first, newest_first=False)
    expected = [entry.entry_id for entry in stored]
    assert len(expected) == 3 * SETTINGS.replay_page - 1 + 29
    received = [(await client.next())["id"] for _ in expected]
    assert received == expected
    tail = await publish(engine, "alerts", alerts=[])
    assert (await client.next())["id"] == tail
    await goodbye(client)


@pytest_twisted.ensureDeferred
async def test_a_position_beyond_this_engines_events_asks_the_client_to_reset(engine):
    newest = await publish(engine, "decision", n=1)
    client, welcome = await sign_in(engine, "read", after=newest + 1000)
    assert welcome["reset"] is True and welcome["last_event_id"] == newest
    live = await publish(engine, "decision", n=2)
    assert (await client.next())["id"] == live
    await goodbye(client)


@pytest_twisted.ensureDeferred
async def test_a_key_revoked_while_connected_is_closed_at_the_next_check(engine):
    created = await engine.request("POST", "/v1/keys", json={"name": "tablet", "role": "read"}, key="admin")
    tablet, _ = await sign_in(engine, created.json["key"])
    other, _ = await sign_in(engine, "read")
    assert (await engine.request("DELETE", f"/v1/keys/{created.json['id']}", key="admin")).code == 200
    engine.clock.advance(SETTINGS.heartbeat_interval)
    code, reason = await tablet.close_code()
    assert (code, reason) == (4401, "API key revoked")
    after_revocation = await publish(engine, "alerts", alerts=[])
    assert (await other.next())["id"] == after_revocation
    assert all(m["type"] in ("auth_required", "welcome") for m in tablet.received)
    await goodbye(other)


@pytest_twisted.ensureDeferred
async def test_a_client_that_stops_answering_pings_is_dropped(engine):
    silent, _ = await sign_in(engine, "read", protocol=SilentClient)
    alive, _ = await sign_in(engine, "read")
    feed = feed_of(engine)
    engine.clock.advance(SETTINGS.heartbeat_interval)
    marker = await publish(engine, "alerts", alerts=[])
    assert (await alive.next())["id"] == marker  # so alive has answered the ping sent before it
    await alive.round_trip()
    assert len(feed.connections) == 2
    engine.clock.advance(SETTINGS.heartbeat_interval)
    code, _ = await silent.close_code()
    assert code == 1006
    still = await publish(engine, "alerts", alerts=[])
    assert (await alive.next())["id"] == still
    assert len(feed.connections) == 1
    await goodbye(alive)


@pytest_twisted.ensureDeferred
async def test_a_client_that_stops_reading_is_closed_while_others_keep_up(engine):
    slow, _ = await sign_in(engine, "read")
    fast, _ = await sign_in(engine, "read")
    slow.transport.pauseProducing()
    feed = feed_of(engine)
    blob = "x" * (256 * 1024)
    published = 0
    while all(c.phase == "live" for c in feed.connections) and published < 400:
        await publish(engine, "bulk", keep=False, blob=blob)
        assert (await fast.next())["data"]["blob"] == blob
        published += 1
    assert published < 400, "the slow client was never disconnected"
    slow.transport.resumeProducing()
    code, reason = await slow.close_code()
    assert code == 4429 and "too slow" in reason
    assert len(slow.received) < published + 2
    last = await publish(engine, "alerts", alerts=[])
    assert (await fast.next())["id"] == last
    await goodbye(fast)


@pytest_twisted.ensureDeferred
async def test_the_feed_stops_listening_when_the_last_client_leaves(engine):
    feed = feed_of(engine)
    client, _ = await sign_in(engine, "read")
    await goodbye(client)
    assert feed.connections == set()
    assert engine.clock.getDelayedCalls() == []
