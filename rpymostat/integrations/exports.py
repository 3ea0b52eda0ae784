"""The engine's optional exports, started from its configuration and fed by its event bus.

Each configured exporter (InfluxDB, AMQP) gets its own outbox file in the
engine's data directory and a :class:`~rpymostat.integrations.outbox.Courier`;
its event listener only turns the event into payloads and queues them in
memory, so publishing an event, and with it the decision loop and the
readings API, never waits on an export.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from twisted.logger import Logger

from rpymostat.common.spool import thread_runner
from rpymostat.common.timeutil import to_iso
from rpymostat.config import EngineConfig
from rpymostat.engine.events import Event, EventBus
from rpymostat.integrations.lines import event_lines
from rpymostat.integrations.messages import event_messages
from rpymostat.integrations.outbox import Courier, Deliver, Outbox
from rpymostat.integrations.targets import amqp_target, influx_target

__all__ = ["Exports", "start_exports"]

log = Logger()

INFLUX_OUTBOX = "influxdb-outbox.sqlite"
AMQP_OUTBOX = "amqp-outbox.sqlite"


class Exports:
    """The running exporters by name ("influxdb", "amqp"), each with its event subscription and closing step."""

    def __init__(self) -> None:
        self.couriers: dict[str, Courier] = {}
        self._unsubscribe: list[Callable[[], None]] = []
        self._closers: list[Callable[[], Any]] = []

    def add(self, key: str, courier: Courier, events: EventBus, payloads: Callable[[Event], list[str]],
            closer: Callable[[], Any] | None = None) -> None:
        self.couriers[key] = courier
        self._unsubscribe.append(events.subscribe(lambda event: courier.offer(payloads(event))))
        if closer is not None:
            self._closers.append(closer)
        courier.start()

    def stats(self) -> dict[str, dict[str, Any]]:
        """Each exporter's counters, for GET /v1/status."""
        return {key: courier.stats() for key, courier in self.couriers.items()}

    async def stop(self) -> None:
        """Stop listening, keep what waits on disk, close connections."""
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        for courier in self.couriers.values():
            await courier.stop()
            stats = courier.stats()
            log.info("{name} export stopped: {delivered} delivered, {waiting} waiting for next start, "
                     "{dropped} dropped", name=courier.name, delivered=stats["delivered"], waiting=stats["waiting"],
                     dropped=stats["dropped"] + stats["rejected"])
        for close in self._closers:
            await close()
        self.couriers.clear()


async def _courier(name: str, path: str, deliver: Deliver, reactor: Any, config: EngineConfig, batch_size: int,
                   interval: float) -> Courier:
    outbox = await Outbox.open(path, config.export_outbox_max, thread_runner(reactor))
    waiting = await outbox.count()
    if waiting:
        log.info("{name} export: {count} payloads from the last run wait in {path}", name=name, count=waiting,
                 path=path)
    return Courier(name, outbox, deliver, reactor, batch_size=batch_size, interval=interval,
                   retry_max=config.export_retry_max, waiting=waiting)


async def start_exports(config: EngineConfig, events: EventBus, reactor: Any) -> Exports:
    """Start every export whose URL is set; an engine with none gets an empty :class:`Exports`."""
    exports = Exports()
    if config.influx_url is not None:
        from treq.client import HTTPClient
        from twisted.web.client import Agent

        from rpymostat.integrations.influx import InfluxWriter

        target = influx_target(config.influx_url, config.influx_token)
        writer = InfluxWriter(HTTPClient(Agent(reactor)), target)
        courier = await _courier("InfluxDB", os.path.join(config.data_dir, INFLUX_OUTBOX), writer, reactor, config,
                                 config.influx_batch_size, config.influx_interval)
        exports.add("influxdb", courier, events, lambda event: event_lines(event.type, event.data))
        log.info("InfluxDB export on: points go to {url}", url=target.url)
    if config.amqp_url is not None:
        from rpymostat.integrations.amqp import AmqpPublisher

        amqp = amqp_target(config.amqp_url)
        publisher = AmqpPublisher(reactor, amqp, config.amqp_exchange)
        courier = await _courier("AMQP", os.path.join(config.data_dir, AMQP_OUTBOX), publisher, reactor, config,
                                 config.amqp_batch_size, config.amqp_interval)
        exports.add("amqp", courier, events, lambda event: [
            message.dumps() for message in event_messages(event.type, event.data, to_iso(event.at))],
            publisher.close)
        log.info("AMQP export on: messages go to exchange {exchange} at {host}:{port}",
                 exchange=config.amqp_exchange, host=amqp.host, port=amqp.port)
    return exports
