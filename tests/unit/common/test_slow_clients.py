"""A client that trickles its request is cut off at a deadline, while others are served meanwhile.

The engine's API is served on a real socket through ``guarded_site``, with
the deadlines timed by a ``Clock`` the test advances; the slow client
connects from 127.0.0.2 and a normal one from 127.0.0.1.
"""

from __future__ import annotations

import pytest_twisted
import treq
from twisted.internet import reactor
from twisted.internet.task import Clock

from rpymostat.common.guarded_site import guarded_site
from rpymostat.common.serving import ServerLimits
from tests.support.engine import start_engine
from tests.support.raw_http import connect, wait_until

LIMITS = ServerLimits(max_body_bytes=65536, header_timeout=20.0, body_timeout=60.0)
UPDATE_HEAD = b"PUT /v1/sensors/update HTTP/1.1\r\nHost: engine\r\nContent-Type: application/json\r\n"


@pytest_twisted.async_yield_fixture
async def served(tmp_path):
    """(engine harness, port timed by a Clock, that Clock)."""
    engine = await start_engine(tmp_path, listen=True)
    clock = Clock()
    port = reactor.listenTCP(0, guarded_site(engine.api.resource(), LIMITS, clock), interface="127.0.0.1")
    yield engine, port.getHost().port, clock
    await port.stopListening()
    await engine.close()


async def status_from_first_host(port: int, key: str) -> int:
    response = await treq.get(f"http://127.0.0.1:{port}/v1/status", headers={"Authorization": f"Bearer {key}"})
    await response.content()
    return response.code


@pytest_twisted.ensureDeferred
async def test_headers_trickled_a_byte_at_a_time_get_408_at_the_deadline_while_others_are_served(served):
    engine, port, clock = served
    slow = await connect(port)
    slow.send(UPDATE_HEAD)
    # Well past Twisted's own idle timeout (60 s), which every byte would restart.
    for _ in range(16):
        slow.send(b"X")
        assert await status_from_first_host(port, engine.keys["read"]) == 200
        clock.advance(5)
    await wait_until(lambda: slow.closed, what="the slow client to be cut off")
    assert slow.status == 408
    assert slow.error == "the request line and headers did not arrive within 20 s"
    assert await status_from_first_host(port, engine.keys["read"]) == 200


@pytest_twisted.ensureDeferred
async def test_a_silent_connection_is_closed_without_an_answer_at_the_header_deadline(served):
    engine, port, clock = served
    silent = await connect(port)
    assert await status_from_first_host(port, engine.keys["read"]) == 200
    clock.advance(19)
    assert not silent.closed
    clock.advance(1)
    await wait_until(lambda: silent.closed, what="the silent connection to be closed")
    assert silent.received == b""


@pytest_twisted.ensureDeferred
async def test_a_body_trickled_past_its_deadline_gets_408_and_changes_nothing(served):
    engine, port, clock = served
    body = b'{"host_id": "h", "sensors": {"28-a": {"type": "DS18B20", "value": 20.0}}}'
    slow = await connect(port)
    slow.send(UPDATE_HEAD + f"Authorization: Bearer {engine.keys['write']}\r\n".encode()
              + f"Content-Length: {len(body)}\r\n\r\n".encode())
    for index in range(10):
        slow.send(body[index:index + 1])
        assert await status_from_first_host(port, engine.keys["read"]) == 200
        clock.advance(6.5)
    await wait_until(lambda: slow.closed, what="the slow body to be cut off")
    assert (slow.status, slow.error) == (408, "the request body did not arrive within 60 s")
    assert (await engine.request("GET", "/v1/sensors", key="read")).json["sensors"] == []


@pytest_twisted.ensureDeferred
async def test_a_kept_alive_connection_gets_a_fresh_header_deadline_for_each_request(served):
    engine, port, clock = served
    client = await connect(port)
    request = f"GET /v1/status HTTP/1.1\r\nHost: engine\r\nAuthorization: Bearer {engine.keys['read']}\r\n\r\n"
    for answered in (1, 2):
        clock.advance(15)
        client.send(request.encode())
        await wait_until(lambda n=answered: client.received.count(b"HTTP/1.1 200") == n, what="an answer")
    clock.advance(15)
    assert not client.closed
    clock.advance(5)
    await wait_until(lambda: client.closed, what="the idle connection to be closed")
