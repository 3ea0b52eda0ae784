"""The control daemon's Prometheus metrics: relay states and switches, reports and the spool."""

from __future__ import annotations

import pytest
import pytest_twisted
import treq
from prometheus_client.parser import text_string_to_metric_families
from twisted.internet import reactor
from twisted.internet.error import ConnectionRefusedError

from rpymostat.testing.processes import free_port
from rpymostat_control.service import make_service
from tests.unit.control.daemon_harness import eventually_async
from tests.unit.control.test_control_service import HEAT, config, engine  # noqa: F401 -- the fixture


async def scrape(url: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = await treq.get(url, persistent=False)
    assert response.code == 200
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(await response.text()) for s in family.samples}


@pytest_twisted.ensureDeferred
async def test_a_switch_shows_in_the_relay_state_and_counts(engine, pin_factory, tmp_path):  # noqa: F811
    port = free_port()
    url = f"http://127.0.0.1:{port}/metrics"
    service = make_service(config(engine, tmp_path, RPYMOSTAT_CONTROL_METRICS_PORT=str(port)), reactor,
                           pin_factory=pin_factory)
    await service.startService()
    try:
        engine.clock.advance(reactor.seconds() - engine.clock.seconds())

        async def listed():
            return len((await engine.request("GET", "/v1/relays", key="read")).json["relays"]) == 3

        await eventually_async(listed, what="the engine to list the relays")
        before = await scrape(url)
        assert (await engine.request("PUT", f"/v1/relays/{HEAT}/state", json={"on": True}, key="admin")).code == 200

        async def reported():
            found = await scrape(url)
            return found if found[("rpymostat_control_spool_depth", ())] == 0 else None

        after = await eventually_async(reported, what="the switch to be reported")
    finally:
        await service.stopService()
    heat = (("function", "heat"), ("relay", HEAT))
    assert before[("rpymostat_control_relay_on", heat)] == 0
    assert after[("rpymostat_control_relay_on", heat)] == 1
    assert before[("rpymostat_control_relay_events_total", (("kind", "change"), ("relay", HEAT)))] == 0
    assert after[("rpymostat_control_relay_events_total", (("kind", "change"), ("relay", HEAT)))] == 1
    assert after[("rpymostat_control_reports_delivered_total", ())] >= 1
    assert after[("rpymostat_control_failsafe_tripped", ())] == 0
    with pytest.raises(ConnectionRefusedError):
        await treq.get(url, persistent=False)
