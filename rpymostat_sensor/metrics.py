"""The sensor daemon's Prometheus metrics (``RPYMOSTAT_SENSOR_METRICS_PORT``).

Imported only when the port is set, so prometheus_client is loaded only
then. The numbers are the daemon's own counters, read when Prometheus
scrapes; the spool's depth is counted then too, so taking and delivering
readings do no extra work.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

from rpymostat.common.metrics import MetricsListener, MetricsResource

if TYPE_CHECKING:
    from rpymostat_sensor.service import Running as SensorService


class SensorCollector:
    """What one sensor daemon has done since it started, and what waits in its spool."""

    def __init__(self, service: SensorService) -> None:
        self.service = service
        self.spool_depth: int | None = None

    def describe(self) -> list[Metric]:
        return []

    async def refresh(self) -> None:
        """Count the spool (a query on its file), just before a scrape."""
        spool = self.service.spool
        self.spool_depth = None if spool is None else await spool.count()

    def collect(self) -> Iterator[Metric]:
        service = self.service
        depth = GaugeMetricFamily("rpymostat_sensor_spool_depth", "Readings waiting in the spool for the engine")
        if self.spool_depth is not None:
            depth.add_metric([], self.spool_depth)
        yield depth
        pusher, link = service.pusher, service.link
        yield CounterMetricFamily("rpymostat_sensor_readings_delivered", "Readings the engine acknowledged",
                                  value=0 if pusher is None else pusher.delivered)
        yield CounterMetricFamily("rpymostat_sensor_readings_refused",
                                  "Readings the engine refused for good (dropped from the spool)",
                                  value=0 if pusher is None else pusher.rejected)
        yield CounterMetricFamily("rpymostat_sensor_delivery_failures",
                                  "Delivery attempts that failed (engine unreachable or not answering)",
                                  value=0 if link is None else link.failed_deliveries)
        yield CounterMetricFamily("rpymostat_sensor_readings_dropped",
                                  "Readings dropped because the spool was full (kept across restarts)",
                                  value=service.dropped_readings)
        errors = CounterMetricFamily("rpymostat_sensor_read_errors", "Failed reads of a source, by source",
                                     labels=["source"])
        for name, _ in service.sources:
            errors.add_metric([name], service.read_errors.get(name, 0))
        yield errors


def metrics_resource(service: SensorService) -> MetricsResource:
    """``/metrics`` over a registry of this daemon's own."""
    collector = SensorCollector(service)
    registry = CollectorRegistry(auto_describe=False)
    registry.register(collector)
    return MetricsResource(registry, collector.refresh)


def metrics_listener(service: SensorService) -> MetricsListener:
    config = service.config
    assert config.metrics_port is not None
    return MetricsListener(service.reactor, config.metrics_host, config.metrics_port, metrics_resource(service))
