"""``GET /metrics``: the engine's Prometheus metrics, behind a read key unless opened by a setting.

The route goes through the API's usual authentication and JSON errors, so
a scrape without a key gets the same 401 as any other read. With
``RPYMOSTAT_METRICS_OPEN=on`` it is public instead, for a Prometheus that
cannot send credentials; the numbers then show anyone on the network how
warm the house is and when the heating runs. Without
``RPYMOSTAT_METRICS=on`` the route answers 404 saying how to turn it on,
and prometheus_client is never imported.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from rpymostat.config import ConfigError
from rpymostat.engine.api.app import Call, Reply
from rpymostat.engine.api.errors import not_found
from rpymostat.engine.api.routing import route
from rpymostat.engine.api.v1.openapi import operation
from rpymostat.engine.context import EngineContext

if TYPE_CHECKING:
    from rpymostat.integrations.engine_metrics import EngineMetrics

PATH = "/metrics"
#: Prometheus's text exposition format, which every Prometheus 2 reads (what ``generate_latest`` writes).
TEXT_FORMAT = "text/plain; version=0.0.4; charset=utf-8"


class MetricsPage:
    """``/metrics`` for any API key (the ``read`` role); 404 while metrics are off."""

    def __init__(self, metrics: EngineMetrics | None) -> None:
        self.metrics = metrics

    @route(PATH)
    def scrape(self, call: Call) -> Reply:
        return self._answer()

    def _answer(self) -> Reply:
        if self.metrics is None:
            raise not_found("metrics are off; set RPYMOSTAT_METRICS=on to serve them")
        return Reply(self.metrics.exposition(), content_type=TEXT_FORMAT)


class OpenMetricsPage(MetricsPage):
    """``/metrics`` for anyone (``RPYMOSTAT_METRICS_OPEN=on``)."""

    @route(PATH, role=None)
    def scrape(self, call: Call) -> Reply:
        return self._answer()


def metrics_page(context: EngineContext,
                 latest_decision: Callable[[], Mapping[str, Any] | None]) -> tuple[EngineMetrics | None, MetricsPage]:
    """The metrics (None while off) over the context's events and store, and the page that serves them."""
    config = context.config
    if not config.metrics:
        return None, MetricsPage(None)
    try:
        from rpymostat.integrations.engine_metrics import EngineMetrics
    except ImportError as exc:
        raise ConfigError(f"RPYMOSTAT_METRICS is on but prometheus_client cannot be imported ({exc}); install it "
                          "with: pip install 'rpymostat[metrics]'") from None
    metrics = EngineMetrics(context.events, latest_decision)
    observers: Any = getattr(context.store, "commit_observers", None)
    if observers is not None:
        observers.append(metrics.observe_commit)
    return metrics, OpenMetricsPage(metrics) if config.metrics_open else MetricsPage(metrics)


def openapi_fragment() -> dict[str, Any]:
    get = operation("Prometheus metrics in the text exposition format (RPYMOSTAT_METRICS=on; 404 while off)", "read",
                    {"200": {"description": "the metrics", "content": {"text/plain": {"schema": {"type": "string"}}}}})
    get["description"] += (" With RPYMOSTAT_METRICS_OPEN=on: public. The documentation's Prometheus page lists "
                           "every metric.")
    return {"paths": {PATH: {"get": get}}, "schemas": {}}
