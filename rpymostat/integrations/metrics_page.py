"""``GET /metrics``: the engine's Prometheus metrics, behind a read key unless opened by a setting.

The route goes through the API's usual authentication and JSON errors, so
a scrape without a key gets the same 401 as any other read. With
``RPYMOSTAT_METRICS_OPEN=on`` it is public instead, for a Prometheus that
cannot send credentials; the numbers then show anyone on the network how
warm the house is and when the heating runs.
"""

from __future__ import annotations

from typing import Any

from rpymostat.engine.api.app import Call, Reply
from rpymostat.engine.api.routing import route
from rpymostat.engine.context import EngineContext
from rpymostat.integrations.engine_metrics import TEXT_FORMAT, EngineMetrics, LatestDecision

PATH = "/metrics"


class MetricsPage:
    """``/metrics`` for any API key (the ``read`` role)."""

    def __init__(self, metrics: EngineMetrics) -> None:
        self.metrics = metrics

    @route(PATH)
    def scrape(self, call: Call) -> Reply:
        return Reply(self.metrics.exposition(), content_type=TEXT_FORMAT)


class OpenMetricsPage(MetricsPage):
    """``/metrics`` for anyone (``RPYMOSTAT_METRICS_OPEN=on``)."""

    @route(PATH, role=None)
    def scrape(self, call: Call) -> Reply:
        return Reply(self.metrics.exposition(), content_type=TEXT_FORMAT)


def metrics_page(context: EngineContext, latest_decision: LatestDecision) -> tuple[EngineMetrics, MetricsPage]:
    """Metrics over the context's events and store, and the page that serves them as configured."""
    metrics = EngineMetrics(context.events, latest_decision)
    observers: Any = getattr(context.store, "commit_observers", None)
    if observers is not None:
        observers.append(metrics.observe_commit)
    page = OpenMetricsPage(metrics) if context.config.metrics_open else MetricsPage(metrics)
    return metrics, page
