"""A daemon's API on a real socket through ``guarded_factory``: the same answers, with no twisted.web.server.

The routes are the daemons' own (:class:`JsonRoutes`); the client is treq
over loopback TCP, as the engine reaches a control daemon.
"""

from __future__ import annotations

import json

import pytest_twisted
import treq
from twisted.internet import reactor
from twisted.web.http_headers import Headers
from twisted.web.iweb import IRequest

from rpymostat.common.json_api import read_body, write_json
from rpymostat.common.json_routes import JsonRoutes
from rpymostat.common.serving import ServerLimits, guarded_factory
from tests.support.raw_http import connect, wait_until

LIMITS = ServerLimits(max_body_bytes=1024)


def echo(request: IRequest, relay_id: str) -> bytes:
    body = json.loads(read_body(request, LIMITS.max_body_bytes))
    return write_json(request, 200, {"relay": relay_id, "asked": body})


@pytest_twisted.async_yield_fixture
async def url():
    routes = JsonRoutes()
    routes.add("GET", "/v1/status", lambda request: write_json(request, 200, {"status": "ok"}))
    routes.add("PUT", "/v1/relays/{relay_id}/state", echo)
    port = reactor.listenTCP(0, guarded_factory(routes, LIMITS, reactor), interface="127.0.0.1")
    yield f"http://127.0.0.1:{port.getHost().port}"
    await port.stopListening()


async def ask(method: str, url: str, body: bytes | None = None) -> tuple[int, bytes, Headers]:
    response = await treq.request(method, url, data=body, persistent=False)
    return response.code, await response.content(), response.headers


@pytest_twisted.ensureDeferred
async def test_routes_answer_json_with_their_length_and_a_path_parameter_arrives_decoded(url):
    code, body, headers = await ask("PUT", url + "/v1/relays/boiler-pi%3Aheat/state", b'{"on": true}')

    assert code == 200
    assert json.loads(body) == {"relay": "boiler-pi:heat", "asked": {"on": True}}
    assert headers.getRawHeaders("content-type") == ["application/json; charset=utf-8"]


@pytest_twisted.ensureDeferred
async def test_head_has_the_headers_without_the_body(url):
    code, body, headers = await ask("HEAD", url + "/v1/status")

    assert (code, body) == (200, b"")
    assert headers.getRawHeaders("content-length") == [str(len(b'{"status":"ok"}'))]


@pytest_twisted.ensureDeferred
async def test_unknown_paths_wrong_methods_and_oversized_bodies_get_json_errors(url):
    missing = await ask("GET", url + "/v1/nothing")
    wrong = await ask("DELETE", url + "/v1/status")
    oversized = await ask("PUT", url + "/v1/relays/heat/state", b"x" * 2048)

    assert missing[0] == 404 and "/v1/nothing" in json.loads(missing[1])["error"]
    assert wrong[0] == 405 and wrong[2].getRawHeaders("allow") == ["GET, HEAD"]
    assert oversized[0] == 413 and "1024" in json.loads(oversized[1])["error"]


@pytest_twisted.ensureDeferred
async def test_one_kept_alive_connection_serves_request_after_request(url):
    client = await connect(int(url.rsplit(":", 1)[1]), "127.0.0.1")
    request = b"GET /v1/status HTTP/1.1\r\nHost: daemon\r\n\r\n"
    client.send(request * 3)
    await wait_until(lambda: client.received.count(b'{"status":"ok"}') == 3, what="three answers on one connection")
    client.hang_up()

    assert client.received.count(b"HTTP/1.1 200 OK") == 3 and not client.closed
    # Each answer says its length, so it goes out whole rather than in chunks.
    assert client.received.count(b"Content-Length: 15\r\n") == 3 and b"chunked" not in client.received
