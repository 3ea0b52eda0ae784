"""The engine publishes readings, host information and decisions to a real RabbitMQ; a broker restart loses none.

A consumer with a durable queue bound to the exchange counts what arrived,
by message ID (a message whose confirmation was lost may come twice, with
the same ID).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pika
import pytest

from rpymostat.common.signing import sign_request
from rpymostat.common.timeutil import to_iso
from rpymostat.testing.processes import EngineProcess, http, run_script, wait_for
from tests.support.docs_examples import load_example
from tests.support.rabbitmq import RabbitServer

QUEUE = "rpymostat-all"
HOST = "00000000c0ffee01"


@pytest.fixture(scope="module")
def rabbit(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RabbitServer]:
    """One broker for the module: it takes seconds to start."""
    server = RabbitServer(tmp_path_factory.mktemp("rabbitmq"))
    try:
        server.start()
        yield server
    finally:
        server.close()


class Consumer:
    """Drains the durable queue the docs' example binds to every rpymostat routing key, after restarts too."""

    def __init__(self, rabbit: RabbitServer) -> None:
        self.rabbit = rabbit
        self.messages: list[dict[str, Any]] = []
        bind_queue = load_example("integrations_amqp.rst", "amqp-consumer", "bind_queue")
        bind_queue(rabbit.url).connection.close()  # the docs' own consumer set-up

    def _channel(self) -> Any:
        connection = pika.BlockingConnection(pika.URLParameters(self.rabbit.url))
        return connection.channel()

    def drain(self) -> None:
        channel = self._channel()
        try:
            while True:
                method, properties, body = channel.basic_get(QUEUE, auto_ack=True)
                if method is None:
                    return
                self.messages.append({"routing_key": method.routing_key, "id": properties.message_id,
                                      "persistent": properties.delivery_mode == 2, "body": json.loads(body)})
        finally:
            channel.connection.close()

    def ids(self, kind: str) -> set[str]:
        self.drain()
        return {m["id"] for m in self.messages if m["routing_key"].endswith("." + kind)}


def push_readings(engine: EngineProcess, first: int, count: int) -> set[str]:
    key = (engine.data_dir / "admin-key").read_text().strip()
    ids = set()
    for number in range(first, first + count):
        at = to_iso(time.time() - 3600 + number)
        status, body = http("PUT", engine.url + "/v1/sensors/update",
                            {"host_id": HOST, "sensors": {"s1": {"type": "DS18B20", "value": 20.0, "at": at}}}, key=key)
        assert status == 201, body
        ids.add(f"reading/{HOST}/s1/{at}")
    return ids


def export_stats(engine: EngineProcess) -> dict[str, Any]:
    return http("GET", engine.url + "/v1/status")[1]["integrations"]["amqp"]


def test_messages_reach_a_durable_queue_and_none_is_lost_across_a_broker_restart(tmp_path: Path, rabbit):
    consumer = Consumer(rabbit)
    (tmp_path / "engine").mkdir()
    engine = EngineProcess.prepare(tmp_path / "engine", RPYMOSTAT_AMQP_URL=rabbit.url, RPYMOSTAT_AMQP_INTERVAL="0.2",
                                   RPYMOSTAT_AMQP_BATCH_SIZE="4", RPYMOSTAT_EXPORT_RETRY_MAX="1").start()
    try:
        secret = run_script("rpymostat-keys", "device", "roompi", env=engine.env).stdout.strip()
        body = json.dumps({"host_id": "roompi", "kind": "sensor", "secret": secret,
                           "info": {"hostname": "roompi", "uptime_seconds": 12.5}}).encode()
        headers = sign_request("roompi", secret, "POST", "/v1/devices/register", body, time.time())
        assert http("POST", engine.url + "/v1/devices/register", raw=body, headers=headers)[0] == 200

        sent = push_readings(engine, 0, 10)
        wait_for(lambda: consumer.ids("reading") == sent, what="the first readings in the queue")

        rabbit.stop()
        sent |= push_readings(engine, 10, 15)
        wait_for(lambda: export_stats(engine)["failures"] >= 1, what="a failed publish while the broker is down")
        assert export_stats(engine)["waiting"] >= 15
        rabbit.start()
        wait_for(lambda: consumer.ids("reading") == sent, timeout=60, what="the readings kept while it was down")

        assert all(m["persistent"] for m in consumer.messages)
        [host] = [m for m in consumer.messages if m["routing_key"] == "rpymostat.roompi.host"]
        assert host["body"]["info"] == {"hostname": "roompi", "uptime_seconds": 12.5}
        assert any(m["routing_key"] == "rpymostat.engine.decision" and m["body"]["desired"] in ("idle", "heat")
                   for m in consumer.messages)
        readings = [m for m in consumer.messages if m["id"] in sent]
        assert {m["routing_key"] for m in readings} == {f"rpymostat.{HOST}.reading"}
        assert readings[0]["body"] == {"host_id": HOST, "sensor_id": "s1", "value": 20.0,
                                       "at": sorted(sent)[0].rsplit("/", 1)[1]}
        wait_for(lambda: export_stats(engine)["waiting"] == 0, what="the outbox to empty")
        assert export_stats(engine)["dropped"] == 0
        # The outage is told once per attempt, in the engine's words; not by pika's own error lines.
        outage = [line for line in engine.log().splitlines() if "AMQP" in line or "pika" in line.lower()]
        assert any("AMQP export failed" in line for line in outage), outage
        assert not any("pika" in line.lower() for line in outage), outage
    finally:
        engine.kill()
