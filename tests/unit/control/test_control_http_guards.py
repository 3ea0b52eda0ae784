"""The control daemon's own API has the engine's guards: header deadline, body size by length, connection cap."""

from __future__ import annotations

import time

import pytest_twisted
import treq
from twisted.internet import reactor

from rpymostat.testing.processes import free_port
from rpymostat_control.api import MAX_BODY_BYTES
from rpymostat_control.config import ControlConfig
from rpymostat_control.service import make_service
from tests.support.raw_http import connect, wait_until


@pytest_twisted.async_yield_fixture
async def daemon(pin_factory, tmp_path):
    settings = ControlConfig.load({
        "RPYMOSTAT_ENGINE_URL": "http://127.0.0.1:9",
        "RPYMOSTAT_CONTROL_HOST_ID": "boiler-pi",
        "RPYMOSTAT_CONTROL_SECRET": "pre-shared-secret-for-the-boiler-pi",
        "RPYMOSTAT_CONTROL_SPOOL": str(tmp_path / "spool.sqlite"),
        "RPYMOSTAT_CONTROL_HOST": "127.0.0.1",
        "RPYMOSTAT_CONTROL_PORT": str(free_port()),
        "RPYMOSTAT_CONTROL_RELAYS": "heat=17",
        "RPYMOSTAT_CONTROL_HEADER_TIMEOUT": "1",
        "RPYMOSTAT_CONTROL_MAX_CONNECTIONS_PER_ADDRESS": "4",
    })
    service = make_service(settings, reactor, pin_factory=pin_factory)
    await service.startService()
    yield settings.port
    await service.stopService()


async def status_code(port: int) -> int:
    response = await treq.get(f"http://127.0.0.1:{port}/v1/status")
    await response.content()
    return response.code


@pytest_twisted.ensureDeferred
async def test_a_trickling_client_gets_408_at_the_configured_deadline_while_the_status_is_served(daemon):
    slow = await connect(daemon)
    slow.send(b"PUT /v1/keepalive HTTP/1.1\r\nHost: control\r\n")

    deadline = time.monotonic() + 10
    while not slow.closed:
        assert time.monotonic() < deadline, "the trickling client was never cut off"
        slow.send(b"X")
        assert await status_code(daemon) == 200
    assert (slow.status, slow.error) == (408, "the request line and headers did not arrive within 1 s")


@pytest_twisted.ensureDeferred
async def test_a_command_with_an_oversized_length_is_refused_before_its_body(daemon):
    client = await connect(daemon)
    client.send(b"PUT /v1/relays/boiler-pi:heat/state HTTP/1.1\r\nHost: control\r\n"
                b"Content-Type: application/json\r\nContent-Length: 300000000\r\n\r\n")
    await wait_until(lambda: client.closed, what="the 413")
    assert (client.status, client.error) == (413, f"request body is larger than {MAX_BODY_BYTES} bytes")


@pytest_twisted.ensureDeferred
async def test_one_address_holds_at_most_its_cap_of_connections(daemon):
    held = [await connect(daemon) for _ in range(4)]
    extra = await connect(daemon)
    await wait_until(lambda: extra.closed, what="the connection over the cap to be refused")
    assert extra.status == 503
    assert await status_code(daemon) == 200
    for client in held:
        client.hang_up()
