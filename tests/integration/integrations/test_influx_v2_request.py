"""For InfluxDB 2.x the export POSTs to /api/v2/write with org, bucket and the token, over a real socket.

Debian has no InfluxDB 2.x, so a small real HTTP server on loopback
records what arrives; the 1.x server test covers the delivery itself.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest_twisted
from twisted.internet import reactor
from twisted.internet.defer import Deferred
from twisted.web.resource import Resource
from twisted.web.server import Site

from rpymostat.engine.events import EventBus
from rpymostat.integrations.exports import start_exports
from tests.support.engine import engine_config


class Recorder(Resource):
    isLeaf = True

    def __init__(self) -> None:
        super().__init__()
        self.requests: list[dict[str, Any]] = []
        self.arrived: Deferred[None] = Deferred()

    def render_POST(self, request: Any) -> bytes:
        self.requests.append({
            "uri": request.uri.decode(),
            "authorization": request.getHeader("authorization"),
            "body": request.content.read().decode(),
        })
        request.setResponseCode(204)
        if not self.arrived.called:
            self.arrived.callback(None)
        return b""


@pytest_twisted.ensureDeferred
async def test_a_2x_write_carries_org_bucket_precision_and_the_token(tmp_path):
    recorder = Recorder()
    port = reactor.listenTCP(0, Site(recorder), interface="127.0.0.1")
    config = replace(engine_config(tmp_path), influx_interval=0.05,
                     influx_url=f"http://127.0.0.1:{port.getHost().port}/api/v2/write?org=home&bucket=house",
                     influx_token="s3cret-token")
    bus = EventBus(store=None, clock=reactor)  # type: ignore[arg-type]  # events not kept need no store
    exports = await start_exports(config, bus, reactor)
    try:
        await bus.publish("readings", {"host_id": "h1", "readings": [
            {"sensor_id": "s1", "value": 20.5, "at": "2026-09-21T14:13:20.125Z"}]}, keep=False)
        recorder.arrived.addTimeout(10, reactor)
        await recorder.arrived
    finally:
        await exports.stop()
        await port.stopListening()
    [request] = recorder.requests
    assert request == {
        "uri": "/api/v2/write?org=home&bucket=house&precision=ms",
        "authorization": "Token s3cret-token",
        "body": "temperature,host_id=h1,sensor_id=s1 value=20.5 1790000000125",
    }
