"""Servers that accept connections and never answer do not slow the thermostat.

Both exports point at such a server (the worst case: no refusal to react
to, only silence). The engine must keep deciding at its pace and answering
readings at once, while what it could not send waits in the outbox.
"""

from __future__ import annotations

import time
from dataclasses import replace

import pytest_twisted
import treq
from twisted.internet import reactor
from twisted.internet.protocol import Factory, Protocol
from twisted.internet.task import deferLater

from rpymostat.common.timeutil import to_iso
from rpymostat.engine.service import make_service
from tests.support.engine import engine_config


class Silent(Protocol):
    """Reads whatever arrives and never answers."""


@pytest_twisted.ensureDeferred
async def test_the_engine_keeps_deciding_and_taking_readings_while_both_servers_hang(tmp_path):
    silent = reactor.listenTCP(0, Factory.forProtocol(Silent), interface="127.0.0.1")
    port = silent.getHost().port
    config = replace(engine_config(tmp_path, port=0, host="127.0.0.1"),
                     influx_url=f"http://127.0.0.1:{port}/write?db=house", influx_interval=0.05,
                     amqp_url=f"amqp://127.0.0.1:{port}/", amqp_interval=0.05)
    service = make_service(config, reactor, decision_interval=0.05)
    await service.startService()
    try:
        url = f"http://127.0.0.1:{service.port_number}"
        key = (tmp_path / "admin-key").read_text().strip()
        turns: set[str] = set()
        slowest = 0.0
        deadline = time.monotonic() + 2.0
        count = 0
        while time.monotonic() < deadline:
            started = time.monotonic()
            body = {"host_id": "h1", "sensors": {"s1": {"type": "DS18B20", "value": 20.0 + count % 10,
                                                        "at": to_iso(time.time())}}}
            response = await treq.put(url + "/v1/sensors/update", json=body,
                                      headers={"Authorization": f"Bearer {key}"})
            assert response.code == 201
            await response.content()
            slowest = max(slowest, time.monotonic() - started)
            count += 1
            latest = service.decision_loop.latest
            if latest is not None:
                turns.add(latest["at"])
            await deferLater(reactor, 0.02, lambda: None)
        assert slowest < 1.0, f"a reading took {slowest:.2f} s to be answered"
        assert len(turns) >= 10, f"only {len(turns)} decision turns in 2 s at 0.05 s intervals"
        status = await (await treq.get(url + "/v1/status")).json()
        influx, amqp = status["integrations"]["influxdb"], status["integrations"]["amqp"]
        assert influx["delivered"] == 0 and influx["waiting"] >= count
        assert amqp["delivered"] == 0 and amqp["waiting"] >= count
    finally:
        await service.stopService()
        await silent.stopListening()
