"""The control daemon's Prometheus metrics (``RPYMOSTAT_CONTROL_METRICS_PORT``).

Imported only when the port is set, so prometheus_client is loaded only
then. Relay switches, refusals and failsafe turn-offs are counted as the
controller announces them (one addition each); relay states, reports and
the spool are read when Prometheus scrapes.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from prometheus_client import CollectorRegistry, Counter
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

from rpymostat.common.metrics import MetricsListener, MetricsResource
from rpymostat_control.controller import Controller
from rpymostat_control.reporter import Reporter
from rpymostat_control.spool import EventSpool


class ControlCollector:
    """Relay states, reports and the spool of one control daemon."""

    def __init__(self, controller: Controller, reporter: Reporter, spool: EventSpool) -> None:
        self.controller = controller
        self.reporter = reporter
        self.spool = spool
        self.spool_depth = 0
        self.spool_dropped = 0

    def describe(self) -> list[Metric]:
        return []

    async def refresh(self) -> None:
        """Count the spool (queries on its file), just before a scrape."""
        self.spool_depth = await self.spool.count()
        self.spool_dropped = await self.spool.dropped()

    def collect(self) -> Iterator[Metric]:
        relays = GaugeMetricFamily("rpymostat_control_relay_on", "1 while a relay is switched on",
                                   labels=["relay", "function"])
        for relay in self.controller.relays_json():
            relays.add_metric([relay["id"], relay["function"] or ""], 1.0 if relay["on"] else 0.0)
        yield relays
        yield GaugeMetricFamily("rpymostat_control_failsafe_tripped",
                                "1 while the failsafe holds every relay off (nothing heard from the engine)",
                                value=1.0 if self.controller.failsafe.tripped else 0.0)
        yield GaugeMetricFamily("rpymostat_control_spool_depth",
                                "Relay events waiting in the spool for the engine", value=self.spool_depth)
        yield CounterMetricFamily("rpymostat_control_spool_dropped",
                                  "Relay events dropped because the spool was full (kept across restarts)",
                                  value=self.spool_dropped)
        yield CounterMetricFamily("rpymostat_control_reports_delivered", "Reports the engine acknowledged",
                                  value=self.reporter.reports_sent)
        yield CounterMetricFamily("rpymostat_control_report_failures",
                                  "Reports that failed (engine unreachable or refusing)",
                                  value=self.reporter.report_failures)


class RelayEventCounter:
    """Counts each relay's switches, refusals and failsafe turn-offs as they happen."""

    def __init__(self, controller: Controller, registry: CollectorRegistry) -> None:
        self.events = Counter("rpymostat_control_relay_events", "Relay events, by relay and kind "
                              "(change: a switch; refusal: the guard said no; failsafe: turned off by the failsafe)",
                              ["relay", "kind"], registry=registry)
        for relay in controller.relays_json():
            for kind in ("change", "refusal", "failsafe"):
                self.events.labels(relay["id"], kind)
        controller.subscribe(self.count)

    def count(self, event: dict[str, Any]) -> None:
        self.events.labels(event["relay_id"], event["kind"]).inc()


def metrics_resource(controller: Controller, reporter: Reporter, spool: EventSpool) -> MetricsResource:
    """``/metrics`` over a registry of this daemon's own."""
    registry = CollectorRegistry(auto_describe=False)
    RelayEventCounter(controller, registry)
    collector = ControlCollector(controller, reporter, spool)
    registry.register(collector)
    return MetricsResource(registry, collector.refresh)


def metrics_listener(reactor: Any, host: str, port: int, controller: Controller, reporter: Reporter,
                     spool: EventSpool) -> MetricsListener:
    return MetricsListener(reactor, host, port, metrics_resource(controller, reporter, spool))
