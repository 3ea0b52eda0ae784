"""One address cannot hold more than its share of connections; other addresses are served meanwhile."""

from __future__ import annotations

import pytest_twisted
import treq
from twisted.internet import reactor

from rpymostat.common.guarded_site import guarded_site
from rpymostat.common.serving import ServerLimits
from tests.support.engine import start_engine
from tests.support.raw_http import connect, wait_until

CAP = 8


@pytest_twisted.async_yield_fixture
async def served(tmp_path):
    engine = await start_engine(tmp_path, listen=True)
    limits = ServerLimits(max_body_bytes=65536, max_connections_per_address=CAP)
    port = reactor.listenTCP(0, guarded_site(engine.api.resource(), limits, reactor), interface="127.0.0.1")
    yield engine, port.getHost().port
    await port.stopListening()
    await engine.close()


@pytest_twisted.ensureDeferred
async def test_connections_over_the_cap_get_503_and_another_address_is_still_served(served):
    engine, port = served
    held = [await connect(port) for _ in range(CAP)]
    extra = await connect(port)
    await wait_until(lambda: extra.closed, what="the connection over the cap to be closed")
    assert extra.status == 503
    assert extra.error == f"this address already has {CAP} connections open; close some and try again"
    response = await treq.get(f"http://127.0.0.1:{port}/v1/status")
    assert response.code == 200
    await response.content()
    assert not any(client.closed for client in held)

    held[0].hang_up()
    await wait_until(lambda: held[0].closed, what="one held connection to close")
    again = await connect(port)
    again.send(b"GET /v1/status HTTP/1.1\r\nHost: engine\r\nConnection: close\r\n\r\n")
    await wait_until(lambda: again.closed, what="the answer once a slot is free")
    assert again.status == 200
    for client in held[1:]:
        client.hang_up()
