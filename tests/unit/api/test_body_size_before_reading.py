"""An oversized body is refused by its Content-Length before it is sent, and a streamed one at the limit.

The client sends only the headers (or streams chunks and never ends), so
an engine that waited for the whole body before its 413 would never answer.
"""

from __future__ import annotations

import pytest
import pytest_twisted

from tests.support.raw_http import connect, wait_until

pytestmark = pytest.mark.listening  # socket-level body limits

LIMIT = 65536
PUT_UPDATE = b"PUT /v1/sensors/update HTTP/1.1\r\nHost: engine\r\nContent-Type: application/json\r\n"


@pytest_twisted.ensureDeferred
async def test_an_unauthenticated_300_mb_body_is_refused_by_its_length_before_it_is_sent(engine):
    client = await connect(int(engine.url.rsplit(":", 1)[1]))
    client.send(PUT_UPDATE + b"Expect: 100-continue\r\nContent-Length: 300000000\r\n\r\n")
    await wait_until(lambda: client.closed, what="the 413 and the close")
    assert (client.status, client.error) == (413, f"request body is larger than {LIMIT} bytes")
    assert b"100 Continue" not in client.received


@pytest_twisted.ensureDeferred
async def test_a_chunked_body_without_a_length_is_cut_off_at_the_limit_while_it_streams(engine):
    client = await connect(int(engine.url.rsplit(":", 1)[1]))
    client.send(PUT_UPDATE + f"Authorization: Bearer {engine.keys['write']}\r\n".encode()
                + b"Transfer-Encoding: chunked\r\n\r\n")
    chunk = b" " * 4096
    for _ in range(LIMIT // len(chunk) + 2):
        if client.closed:
            break
        client.send(b"%x\r\n%s\r\n" % (len(chunk), chunk))
    await wait_until(lambda: client.closed, what="the 413 and the close, with the body never ended")
    assert (client.status, client.error) == (413, f"request body is larger than {LIMIT} bytes")
    assert (await engine.request("GET", "/v1/sensors", key="read")).json["sensors"] == []


@pytest_twisted.ensureDeferred
async def test_a_body_at_the_limit_is_still_read_and_answered_by_the_api(engine):
    padding = " " * (LIMIT - 2)
    response = await engine.request("PUT", "/v1/sensors/update", body=f"{{{padding}}}".encode(), key="write")
    assert response.code == 422


@pytest_twisted.ensureDeferred
async def test_a_body_cut_off_at_the_limit_gets_one_answer_whatever_follows_it(engine):
    client = await connect(int(engine.url.rsplit(":", 1)[1]))
    oversized = b" " * (LIMIT + 1)
    client.send(PUT_UPDATE + b"Transfer-Encoding: chunked\r\n\r\n"
                + b"%x\r\n%s\r\n" % (len(oversized), oversized) + b"not a chunk size\r\n")
    await wait_until(lambda: client.closed, what="the 413 and the close")
    assert client.status == 413
    assert client.received.count(b"HTTP/1.1 ") == 1
