"""The sensor daemon's Prometheus metrics: deliveries, failures, spool depth and read errors."""

from __future__ import annotations

from pathlib import Path

import pytest_twisted
import treq
from prometheus_client.parser import text_string_to_metric_families
from treq.testing import StubTreq
from twisted.internet import reactor
from twisted.web.resource import Resource

from rpymostat.common.metrics import MetricsListener
from rpymostat.testing.w1 import FakeW1Bus
from rpymostat_sensor.metrics import metrics_resource
from tests.unit.sensor.daemon_support import (
    INTERVAL,
    SLAVE,
    approve_beforehand,
    sensor_config,
    serve_again,
    start_daemon,
)


async def scrape(resource: Resource) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = await StubTreq(resource).get("http://daemon/metrics")
    assert response.code == 200
    assert response.headers.getRawHeaders("content-type") == ["text/plain; version=0.0.4; charset=utf-8"]
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(await response.text()) for s in family.samples}


@pytest_twisted.ensureDeferred
async def test_deliveries_failures_spool_depth_and_read_errors(engine, tmp_path: Path, bus: FakeW1Bus) -> None:
    secret = await approve_beforehand(engine)
    rig = await start_daemon(engine, tmp_path, bus, RPYMOSTAT_SENSOR_SECRET=secret)
    assert rig.service.working is not None
    metrics = metrics_resource(rig.service.working)
    await rig.advance(INTERVAL)
    found = await scrape(metrics)
    assert found[("rpymostat_sensor_readings_delivered_total", ())] == 2
    assert found[("rpymostat_sensor_spool_depth", ())] == 0
    assert found[("rpymostat_sensor_delivery_failures_total", ())] == 0
    assert found[("rpymostat_sensor_read_errors_total", (("source", "w1"),))] == 0

    port = engine.port.getHost().port
    await engine.port.stopListening()
    bus.unplug(SLAVE)
    for _ in range(3):
        await rig.advance(INTERVAL)
    found = await scrape(metrics)
    assert found[("rpymostat_sensor_readings_delivered_total", ())] == 2
    assert found[("rpymostat_sensor_spool_depth", ())] == 3
    assert found[("rpymostat_sensor_delivery_failures_total", ())] >= 1
    assert found[("rpymostat_sensor_read_errors_total", (("source", "w1"),))] == 3
    await serve_again(engine, port)
    await rig.stop()


@pytest_twisted.ensureDeferred
async def test_the_listener_serves_only_metrics_and_stops(engine, tmp_path: Path, bus: FakeW1Bus) -> None:
    secret = await approve_beforehand(engine)
    rig = await start_daemon(engine, tmp_path, bus, RPYMOSTAT_SENSOR_SECRET=secret)
    listener = MetricsListener(reactor, "127.0.0.1", 0, metrics_resource(rig.service.working))  # type: ignore[arg-type]
    listener.startService()
    url = f"http://127.0.0.1:{listener.listening.getHost().port}"
    try:
        scraped = await treq.get(url + "/metrics", persistent=False)
        assert "rpymostat_sensor_spool_depth 0.0" in await scraped.text()
        other = await treq.get(url + "/", persistent=False)
        assert other.code == 404
        await other.content()
    finally:
        await listener.stopService()
        await rig.stop()


def test_the_metrics_port_is_off_unless_set(tmp_path: Path, bus: FakeW1Bus) -> None:
    assert sensor_config(tmp_path, bus, "http://127.0.0.1:1").metrics_port is None
    config = sensor_config(tmp_path, bus, "http://127.0.0.1:1", RPYMOSTAT_SENSOR_METRICS_PORT="9101")
    assert (config.metrics_port, config.metrics_host) == (9101, "127.0.0.1")
