"""Enrolment against a real engine API: pending until an admin approves, or at once with a pre-shared secret."""

from __future__ import annotations

import pytest_twisted
import treq
from twisted.internet import reactor
from twisted.internet.task import Clock
from twisted.logger import LogEvent, LogLevel, formatEvent, globalLogPublisher
from twisted.web.resource import Resource
from twisted.web.server import Site

from rpymostat.common.backoff import Backoff
from rpymostat.common.discovery import StaticLocator
from rpymostat.common.http import SignedJsonClient
from rpymostat.common.secret_file import load_or_create_secret
from rpymostat.common.signing import fingerprint
from rpymostat.store.records import DeviceRecord
from rpymostat_control.enrolment import PENDING_POLL_SECONDS, Enrolment
from tests.support.engine import START, start_engine
from tests.unit.control.daemon_harness import eventually

OWN_URL = "http://10.200.0.2:8089"


@pytest_twisted.async_yield_fixture
async def engine(tmp_path):
    harness = await start_engine(tmp_path, listen=True)
    yield harness
    await harness.close()


def enrolment(engine, secret: str, host_id: str = "boiler-pi") -> tuple[Enrolment, Clock]:
    clock = Clock()
    clock.advance(START)
    client = SignedJsonClient(treq, clock, host_id, secret)
    return Enrolment(client, StaticLocator(engine.url), clock, OWN_URL, info={"hostname": "boiler"}), clock


@pytest_twisted.ensureDeferred
async def test_a_new_daemon_waits_pending_until_an_admin_approves(engine, tmp_path):
    secret, _ = load_or_create_secret(str(tmp_path / "secret"), "RPYMOSTAT_CONTROL_SECRET_FILE")
    daemon, clock = enrolment(engine, secret)
    approved = daemon.ensure()
    await eventually(lambda: daemon.state == "pending", what="the registration to be pending")
    device = (await engine.request("GET", "/v1/devices/boiler-pi", key="read")).json

    clock.advance(PENDING_POLL_SECONDS)
    still_pending = daemon.state
    await engine.request("POST", "/v1/devices/boiler-pi/approve", key="admin")
    engine.clock.advance(PENDING_POLL_SECONDS)
    clock.advance(PENDING_POLL_SECONDS)
    url = await approved

    assert (device["status"], device["kind"], device["url"]) == ("pending", "control", OWN_URL)
    assert device["fingerprint"] == fingerprint(secret) == daemon.describe()["fingerprint"]
    assert still_pending == "pending"
    assert url == engine.url
    assert daemon.describe() == {"url": engine.url, "enrolment": "approved", "fingerprint": fingerprint(secret)}


@pytest_twisted.ensureDeferred
async def test_a_pre_shared_secret_is_approved_at_once_and_records_the_url(engine):
    secret = "pre-shared-secret-from-rpymostat-keys"
    await engine.store.put_device(DeviceRecord("boiler-pi", "control", secret, "approved", START))
    daemon, _ = enrolment(engine, secret)

    assert await daemon.ensure() == engine.url
    assert (await engine.store.get_device("boiler-pi")).url == OWN_URL


@pytest_twisted.ensureDeferred
async def test_a_wrong_secret_is_refused_and_retried_later(engine):
    await engine.store.put_device(DeviceRecord("boiler-pi", "control", "the-real-secret-0123456789", "approved", START))
    daemon, _ = enrolment(engine, "not-the-real-secret-0123456789")
    waiting = daemon.ensure()

    await eventually(lambda: daemon.state == "refused", what="the refusal")

    assert not waiting.called
    daemon.stop()
    waiting.addErrback(lambda failure: None)



class CountingHTTP:
    """treq, counting the requests the daemon makes."""

    def __init__(self) -> None:
        self.sent = 0

    def request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.sent += 1
        return treq.request(*args, **kwargs)


@pytest_twisted.ensureDeferred
async def test_a_sensor_secret_is_reported_once_and_never_approved(engine):
    secret = "pre-shared-secret-made-without-kind-control"  # `rpymostat-keys device boiler-pi` makes a sensor's
    await engine.store.put_device(DeviceRecord("boiler-pi", "sensor", secret, "approved", START))
    clock = Clock()
    clock.advance(START)
    http = CountingHTTP()
    daemon = Enrolment(SignedJsonClient(http, clock, "boiler-pi", secret), StaticLocator(engine.url), clock, OWN_URL)
    errors: list[str] = []

    def observe(event: LogEvent) -> None:
        if str(event.get("log_namespace", "")).startswith("rpymostat_control") and event["log_level"] == LogLevel.error:
            errors.append(formatEvent(event))

    globalLogPublisher.addObserver(observe)
    try:
        def waiting_a_minute() -> bool:
            return any(call.getTime() >= clock.seconds() + 60 for call in clock.getDelayedCalls())

        waiting = daemon.ensure()
        for attempt in range(1, 4):
            await eventually(waiting_a_minute, what=f"the wait after registration {attempt}")
            engine.clock.advance(60)
            clock.advance(60)
        await eventually(waiting_a_minute, what="the wait after the last registration")
        assert http.sent == 4
    finally:
        globalLogPublisher.removeObserver(observe)

    told = [line for line in errors if "made for a sensor daemon" in line]
    assert len(told) == 1, errors
    assert "rpymostat-keys device boiler-pi --kind control --replace" in told[0]
    assert not waiting.called and daemon.state == "refused"
    assert (await engine.store.get_device("boiler-pi")).url is None
    daemon.stop()
    waiting.addErrback(lambda failure: None)


class Unavailable(Resource):
    """An engine behind a proxy that answers 503 while the engine restarts; counts the registrations."""

    isLeaf = True

    def __init__(self) -> None:
        super().__init__()
        self.tried = 0

    def render_POST(self, request):
        self.tried += 1
        request.setResponseCode(503)
        request.setHeader(b"content-type", b"application/json")
        return b'{"status": "error", "error": "restarting"}'


@pytest_twisted.ensureDeferred
async def test_an_engine_answering_503_is_retried_with_back_off_not_taken_for_a_refusal():
    unavailable = Unavailable()
    port = reactor.listenTCP(0, Site(unavailable), interface="127.0.0.1")
    clock = Clock()
    client = SignedJsonClient(treq, clock, "boiler-pi", "s" * 32)
    daemon = Enrolment(client, StaticLocator(f"http://127.0.0.1:{port.getHost().port}"), clock, OWN_URL,
                       backoff=Backoff(1.0, 60.0))
    waiting = daemon.ensure()
    try:
        await eventually(lambda: unavailable.tried == 1, what="the first registration")
        clock.advance(1.0)  # the longest first back-off, far below the minute a refusal waits
        await eventually(lambda: unavailable.tried == 2, what="the retry after back-off")
        state = daemon.state
    finally:
        daemon.stop()
        waiting.addErrback(lambda failure: None)
        await port.stopListening()

    assert state == "registering"
