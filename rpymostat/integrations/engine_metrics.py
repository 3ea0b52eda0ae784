"""The engine's Prometheus metrics, kept in a registry of their own.

Counters move when the engine's event bus says something happened
(readings, decisions, alerts), when the API answers a request and when
the SQLite store commits: each step is a dictionary lookup and an
addition, so ingest does not slow down. What the thermostat is doing now
(the weighted temperature, targets, mode, equipment, active alerts) is
read from the decision loop's latest decision only when Prometheus
scrapes, so the decision loop does no extra work for it.

A registry per engine (not prometheus_client's global one) lets tests and
several in-process engines (the demo) keep their numbers apart.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

from rpymostat.common.timeutil import from_iso
from rpymostat.common.vocabulary import DESIRED
from rpymostat.decisions.equipment import FUNCTIONS
from rpymostat.engine.events import SENSOR_DELETED, Event, EventBus
from rpymostat.scheduling.instruction import MODES
from rpymostat.version import VERSION

REQUEST_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
COMMIT_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0)

LatestDecision = Callable[[], "Mapping[str, Any] | None"]


class CurrentState:
    """Gauges of the latest decision, built at scrape time."""

    def __init__(self, latest: LatestDecision) -> None:
        self.latest = latest

    def describe(self) -> list[Metric]:
        # Nothing to check at registration: the names below are unique in this registry.
        return []

    def collect(self) -> Iterator[Metric]:
        decision = self.latest()
        if decision is None:
            return
        temperature = decision.get("temperature")
        weighted = GaugeMetricFamily("rpymostat_temperature_celsius",
                                     "The temperature the latest decision went by (weighted over the sensors that count)")
        if temperature is not None:
            weighted.add_metric([], temperature["value"])
        yield weighted
        outdoor = GaugeMetricFamily("rpymostat_outdoor_temperature_celsius",
                                    "The outdoor temperature at the latest decision")
        if decision.get("outdoor") is not None:
            outdoor.add_metric([], decision["outdoor"])
        yield outdoor
        instruction = decision["instruction"]
        targets = GaugeMetricFamily("rpymostat_target_celsius", "The setpoints in force (heat, cool)",
                                    labels=["kind"])
        for kind in ("heat", "cool"):
            setpoint = instruction.get(f"{kind}_setpoint")
            if setpoint is not None and instruction["mode"] in (kind, "auto"):
                targets.add_metric([kind], setpoint)
        yield targets
        mode = GaugeMetricFamily("rpymostat_mode", "1 for the mode in force", labels=["mode"])
        for name in MODES:
            mode.add_metric([name], 1.0 if instruction["mode"] == name else 0.0)
        yield mode
        desired = GaugeMetricFamily("rpymostat_desired", "1 for what the latest decision asks for", labels=["action"])
        for action in DESIRED:
            desired.add_metric([action], 1.0 if decision["desired"] == action else 0.0)
        yield desired
        equipment = GaugeMetricFamily("rpymostat_equipment_on", "1 while the engine has a function switched on",
                                      labels=["function"])
        for function in FUNCTIONS:
            state = decision["equipment"].get(function)
            equipment.add_metric([function], 1.0 if state is not None and state["on"] else 0.0)
        yield equipment
        alerts = GaugeMetricFamily("rpymostat_alert_active", "1 for each alert the latest decision raised",
                                   labels=["code"])
        for alert in decision["alerts"]:
            alerts.add_metric([alert["code"]], 1.0)
        yield alerts


class LatestReadings:
    """Each sensor's latest reading and the readings per host, kept as plain values and shown at scrape time.

    Ingest only assigns to dictionaries; turning the reading's time into a
    number and building the metric families waits for the scrape.
    """

    def __init__(self) -> None:
        self.latest: dict[tuple[str, str], tuple[float, str]] = {}
        self.ingested: dict[str, int] = {}

    def describe(self) -> list[Metric]:
        return []

    def add(self, data: Mapping[str, Any]) -> None:
        host = data["host_id"]
        readings = data["readings"]
        self.ingested[host] = self.ingested.get(host, 0) + len(readings)
        latest = self.latest
        for reading in readings:
            key = (reading["sensor_id"], host)
            if reading["value"] is None:
                # A sensor that cannot be read has no temperature: its series stops, so a graph shows the gap.
                latest.pop(key, None)
            else:
                latest[key] = (reading["value"], reading["at"])

    def forget(self, sensor_id: str) -> None:
        """A deleted sensor's series end now, not at the engine's next restart."""
        for key in [key for key in self.latest if key[0] == sensor_id]:
            del self.latest[key]

    def collect(self) -> Iterator[Metric]:
        temperatures = GaugeMetricFamily("rpymostat_sensor_temperature_celsius", "Each sensor's latest reading",
                                         labels=["sensor", "host"])
        taken = GaugeMetricFamily("rpymostat_sensor_reading_timestamp_seconds",
                                  "When each sensor's latest reading was taken (Unix time)", labels=["sensor", "host"])
        for (sensor, host), (value, at) in list(self.latest.items()):
            temperatures.add_metric([sensor, host], value)
            taken.add_metric([sensor, host], from_iso(at))
        yield temperatures
        yield taken
        ingested = CounterMetricFamily("rpymostat_readings_ingested", "Readings stored from the sensor daemons",
                                       labels=["host"])
        for host, count in list(self.ingested.items()):
            ingested.add_metric([host], count)
        yield ingested


class EngineMetrics:
    """Everything ``/metrics`` shows for one engine."""

    def __init__(self, events: EventBus, latest_decision: LatestDecision) -> None:
        self.registry = CollectorRegistry(auto_describe=False)
        registry = self.registry
        Gauge("rpymostat_build_info", "The engine's version", ["version"], registry=registry).labels(VERSION).set(1)
        self.readings = LatestReadings()
        registry.register(self.readings)
        self.decisions = Counter("rpymostat_decisions", "Decisions recorded, by what they asked for", ["action"],
                                 registry=registry)
        for action in DESIRED:
            self.decisions.labels(action)
        self.alerts = Counter("rpymostat_alerts_raised", "Alerts raised, by code", ["code"], registry=registry)
        self.requests = Counter("rpymostat_http_requests", "API requests answered, by route template and status",
                                ["route", "method", "code"], registry=registry)
        self.latency = Histogram("rpymostat_http_request_duration_seconds", "Time to answer API requests",
                                 ["route", "method"], buckets=REQUEST_BUCKETS, registry=registry)
        self._request_series: dict[tuple[str, str, int], tuple[Any, Any]] = {}
        self.commits = Histogram("rpymostat_store_commit_duration_seconds",
                                 "Time each SQLite group commit took (readings, decisions, events)",
                                 buckets=COMMIT_BUCKETS, registry=registry)
        registry.register(CurrentState(latest_decision))
        self._alert_codes: frozenset[str] = frozenset()
        self._unsubscribe = events.subscribe(self.on_event)

    def close(self) -> None:
        """Stop listening to the engine's events."""
        self._unsubscribe()

    def on_event(self, event: Event) -> None:
        if event.type == "readings":
            self.readings.add(event.data)
        elif event.type == SENSOR_DELETED:
            self.readings.forget(event.data["sensor_id"])
        elif event.type == "decision":
            self.decisions.labels(event.data["decision"]["desired"]).inc()
        elif event.type == "alerts":
            codes = frozenset(alert["code"] for alert in event.data["alerts"])
            for code in codes - self._alert_codes:
                self.alerts.labels(code).inc()
            self._alert_codes = codes

    def observe_request(self, route: str, method: str, code: int, seconds: float) -> None:
        series = self._request_series.get((route, method, code))
        if series is None:
            # Routes, methods and codes are few: each pair of children is looked up once and kept.
            series = (self.requests.labels(route, method, str(code)), self.latency.labels(route, method))
            self._request_series[(route, method, code)] = series
        series[0].inc()
        series[1].observe(seconds)

    def observe_commit(self, seconds: float) -> None:
        self.commits.observe(seconds)

    def exposition(self) -> bytes:
        """The Prometheus text format of every metric."""
        return generate_latest(self.registry)
