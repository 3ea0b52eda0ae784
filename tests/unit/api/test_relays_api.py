"""The engine's relay registry, manual switch and history, against a real control daemon API.

Both answer in memory on an in-memory LAN (tests.support.lan): the engine
over real SQLite with its own test clock, the daemon over gpiozero's mock
pins with another.
"""

from __future__ import annotations

from typing import Any

import pytest_twisted

from rpymostat.common.discovery import StaticLocator
from rpymostat.common.http import SignedJsonClient
from rpymostat.engine.api.build import api_document
from rpymostat.store.records import DeviceRecord
from rpymostat_control.enrolment import Enrolment
from rpymostat_control.reporter import Reporter
from rpymostat_control.spool import EventSpool
from tests.support.engine import IN_MEMORY_URL
from tests.unit.api import test_openapi as openapi_checks
from tests.unit.control.daemon_harness import SECRET, eventually_async, start_daemon
from tests.unit.sensor.deferreds import result_of, run_now

HOST = "boiler-pi"
HEAT, COOL = f"{HOST}:heat", f"{HOST}:cool"


class Enrolled:
    """A daemon enrolled with the engine (pre-shared secret) and reporting to it.

    Its events wait in ``spool`` (given, or a new one in memory), run on the
    calling thread. Both are on the engine's in-memory LAN, unless ``http``
    is given: then the daemon reports with it to the engine's loopback URL.
    """

    def __init__(self, engine, daemon, host_id: str = HOST, http: Any = None, spool: EventSpool | None = None,
                 **reporter_options: Any) -> None:
        self.engine, self.daemon, self.host_id = engine, daemon, host_id
        self.spool = spool if spool is not None else result_of(EventSpool.open(":memory:", runner=run_now))
        client = SignedJsonClient(http if http is not None else engine.client, daemon.clock, host_id, SECRET)
        engine_url = engine.url if http is not None else IN_MEMORY_URL
        self.url = engine.lan.add(daemon.lan_host, daemon.client)
        self.enrolment = Enrolment(client, StaticLocator(engine_url), daemon.clock, self.url)
        self.reporter = Reporter(client, self.enrolment, daemon.controller, daemon.clock, self.spool,
                                 **reporter_options)

    async def start(self) -> None:
        await self.engine.store.put_device(DeviceRecord(self.host_id, "control", SECRET, "approved",
                                                        self.engine.clock.seconds()))
        await self.enrolment.ensure()
        self.reporter.start()
        await self.reported()

    async def reported(self) -> None:
        """Wait until the engine has every event the daemon has produced."""

        async def delivered() -> bool:
            return not self.reporter.busy and not await self.reporter.pending_events()

        await eventually_async(delivered, what="the report to reach the engine")

    def advance(self, seconds: float) -> None:
        """Time passes for both, so signatures stay within the window."""
        self.engine.clock.advance(seconds)
        self.daemon.clock.advance(seconds)

    def stop(self) -> None:
        self.reporter.stop()
        self.enrolment.stop()


@pytest_twisted.async_yield_fixture
async def enrolled(engine, pin_factory):
    daemon = start_daemon(pin_factory, host_id=HOST, failsafe=3600)
    enrolled = Enrolled(engine, daemon)
    await enrolled.start()
    yield enrolled
    enrolled.stop()
    await daemon.close()


@pytest_twisted.ensureDeferred
async def test_the_engine_lists_what_the_daemon_reported(enrolled):
    engine = enrolled.engine

    relays = (await engine.request("GET", "/v1/relays", key="read")).json["relays"]
    device = (await engine.request("GET", f"/v1/devices/{HOST}", key="read")).json

    assert [(r["id"], r["host_id"], r["pin"], r["function"], r["on"], r["desired"]) for r in relays] == [
        (COOL, HOST, 27, "cool", False, None),
        (f"{HOST}:fan", HOST, 22, "fan", False, None),
        (HEAT, HOST, 17, "heat", False, None),
    ]
    assert device["url"] == enrolled.url


@pytest_twisted.ensureDeferred
async def test_an_admin_switches_heat_on_and_the_pin_goes_high(enrolled):
    engine, daemon = enrolled.engine, enrolled.daemon

    answer = await engine.request("PUT", f"/v1/relays/{HEAT}/state", json={"on": True}, key="admin")
    await enrolled.reported()
    history = (await engine.request("GET", f"/v1/relays/{HEAT}/history", key="read")).json["history"]

    assert answer.code == 200
    assert (answer.json["on"], answer.json["desired"], answer.json["changed"]) == (True, True, True)
    assert daemon.pin(17) is True
    assert history[0]["kind"] == "change"
    assert history[0]["on"] is True
    assert history[0]["reason"] == "manual switch by test admin"


@pytest_twisted.ensureDeferred
async def test_the_daemons_interlock_refusal_comes_back_as_409(enrolled):
    engine, daemon = enrolled.engine, enrolled.daemon
    enrolled.advance(300)
    await engine.request("PUT", f"/v1/relays/{HEAT}/state", json={"on": True}, key="admin")

    answer = await engine.request("PUT", f"/v1/relays/{COOL}/state", json={"on": True}, key="admin")
    await enrolled.reported()
    history = (await engine.request("GET", f"/v1/relays/{COOL}/history", key="read")).json["history"]

    assert answer.code == 409
    assert answer.json["refusal"] == "interlock"
    assert daemon.pin(27) is False
    assert (history[0]["kind"], history[0]["refusal"], history[0]["on"]) == ("refusal", "interlock", True)


@pytest_twisted.ensureDeferred
async def test_the_minimum_off_time_comes_back_with_the_seconds_left(enrolled):
    engine, daemon = enrolled.engine, enrolled.daemon
    enrolled.advance(100)

    answer = await engine.request("PUT", f"/v1/relays/{COOL}/state", json={"on": True}, key="admin")

    assert answer.code == 409
    assert answer.json["refusal"] == "min_off"
    assert answer.json["retry_after"] == 200
    assert daemon.pin(27) is False


@pytest_twisted.ensureDeferred
async def test_an_unreachable_daemon_is_a_502(enrolled):
    engine = enrolled.engine
    enrolled.engine.lan.remove(enrolled.daemon.lan_host)

    answer = await engine.request("PUT", f"/v1/relays/{HEAT}/state", json={"on": True}, key="admin")

    assert answer.code == 502
    assert "cannot reach control host boiler-pi" in answer.json["error"]


@pytest_twisted.ensureDeferred
async def test_a_pending_daemon_cannot_be_commanded(enrolled):
    engine = enrolled.engine
    await engine.store.set_device_status(HOST, "pending")

    answer = await engine.request("PUT", f"/v1/relays/{HEAT}/state", json={"on": True}, key="admin")

    assert answer.code == 503
    assert enrolled.daemon.pin(17) is False


@pytest_twisted.ensureDeferred
async def test_switching_an_unknown_relay_is_a_404(enrolled):
    answer = await enrolled.engine.request("PUT", "/v1/relays/boiler-pi:nope/state", json={"on": True}, key="admin")

    assert answer.code == 404


@pytest_twisted.ensureDeferred
async def test_an_admin_assigns_a_function_and_it_survives_the_next_report(enrolled):
    engine = enrolled.engine
    fan = f"{HOST}:fan"

    answer = await engine.request("PUT", f"/v1/relays/{fan}", json={"function": "aux"}, key="admin")
    enrolled.reporter.flush()
    await enrolled.reported()
    after = (await engine.request("GET", f"/v1/relays/{fan}", key="read")).json
    bad = await engine.request("PUT", f"/v1/relays/{fan}", json={"function": "boiler"}, key="admin")

    assert answer.code == 200
    assert (after["function"], after["daemon_function"]) == ("aux", "fan")
    assert bad.code == 422
    assert "function" in bad.json["error"]


@pytest_twisted.ensureDeferred
async def test_a_device_reports_only_its_own_relays(enrolled):
    engine = enrolled.engine
    await engine.store.put_device(DeviceRecord("intruder", "control", "x" * 32, "approved", engine.clock.seconds()))
    report = {"host_id": HOST, "relays": [{"id": HEAT, "name": "heat", "pin": 17, "active_high": True,
                                           "function": "heat", "on": True}]}
    forged_host = await engine.signed("PUT", "/v1/relays/report", "intruder", "x" * 32, report)
    report["host_id"] = "intruder"
    forged_relay = await engine.signed("PUT", "/v1/relays/report", "intruder", "x" * 32, report)
    relay = (await engine.request("GET", f"/v1/relays/{HEAT}", key="read")).json

    assert (forged_host.code, forged_relay.code) == (422, 422)
    assert relay["on"] is False


@pytest_twisted.ensureDeferred
async def test_a_sensor_device_cannot_report_relays(engine):
    await engine.store.put_device(DeviceRecord("probe", "sensor", "y" * 32, "approved", engine.clock.seconds()))
    report = {"host_id": "probe", "relays": [{"id": "probe:heat", "name": "heat", "pin": 17, "active_high": True,
                                             "function": "heat", "on": True}]}

    answer = await engine.signed("PUT", "/v1/relays/report", "probe", "y" * 32, report)

    assert answer.code == 403
    assert (await engine.request("GET", "/v1/relays", key="read")).json["relays"] == []


@pytest_twisted.ensureDeferred
async def test_relay_answers_match_the_engines_openapi_document(enrolled):
    engine = enrolled.engine
    document = api_document()
    enrolled.advance(300)
    checks = [
        ("GET", "/v1/relays", "/v1/relays", None),
        ("GET", f"/v1/relays/{HEAT}", "/v1/relays/{relay_id}", None),
        ("PUT", f"/v1/relays/{HEAT}", "/v1/relays/{relay_id}", {"function": "heat"}),
        ("PUT", f"/v1/relays/{HEAT}/state", "/v1/relays/{relay_id}/state", {"on": True}),
        ("PUT", f"/v1/relays/{COOL}/state", "/v1/relays/{relay_id}/state", {"on": True}),
        ("GET", f"/v1/relays/{HEAT}/history", "/v1/relays/{relay_id}/history", None),
        ("GET", "/v1/relays/boiler-pi:nope/history", "/v1/relays/{relay_id}/history", None),
        ("DELETE", f"/v1/relays/{COOL}", "/v1/relays/{relay_id}", None),
        ("DELETE", f"/v1/relays/hosts/{HOST}", "/v1/relays/hosts/{host_id}", None),
    ]
    codes = []
    for method, url, path, body in checks:
        await enrolled.reported()
        response = await engine.request(method, url, json=body, key="admin")
        codes.append(response.code)
        openapi_checks.assert_matches(document, path, method.lower(), response)
    assert codes == [200, 200, 200, 200, 409, 200, 404, 200, 200]
