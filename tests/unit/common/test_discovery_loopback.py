"""An engine advertised on loopback is found, followed and lost by a locator.

Real zeroconf on 127.0.0.1 with the real reactor; each test uses a service
type of its own so parallel test runs on this machine cannot interfere.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_twisted
from twisted.internet import reactor
from twisted.internet.defer import Deferred
from twisted.internet.threads import deferToThread
from zeroconf import IPVersion, ServiceInfo, Zeroconf

from rpymostat.common.discovery import (
    LocatorStopped,
    ServiceAdvertiser,
    ZeroconfLocator,
)
from rpymostat.version import VERSION
from tests.unit.common.discovery_helpers import (
    LOOPBACK,
    private_server,
    private_service_type,
    url_becomes,
)


class Started:
    """Everything a test started, stopped at teardown even if the test failed."""

    def __init__(self) -> None:
        self.service_type = private_service_type()
        self.running: list[ServiceAdvertiser | ZeroconfLocator | ForeignService] = []

    async def locator(self) -> ZeroconfLocator:
        locator = ZeroconfLocator(reactor, LOOPBACK, service_type=self.service_type)
        await locator.start()
        self.running.append(locator)
        return locator

    async def advertiser(
        self, name: str, port: int, properties: dict[str, str] | None = None
    ) -> ServiceAdvertiser:
        advertiser = ServiceAdvertiser(
            reactor, name, port, None, LOOPBACK, properties,
            server=private_server(), service_type=self.service_type,
        )
        await advertiser.start()
        self.running.append(advertiser)
        return advertiser

    async def foreign_service(self, name: str, port: int, properties: dict[str, str]) -> None:
        """Register a service of our type that ServiceAdvertiser would never make."""
        foreign = ForeignService(ServiceInfo(
            self.service_type, f"{name}.{self.service_type}", port=port, properties=properties,
            server=private_server(), parsed_addresses=LOOPBACK,
        ))
        self.running.append(foreign)
        await deferToThread(foreign.register)


class ForeignService:
    """A third party's service on loopback, registered with zeroconf directly."""

    def __init__(self, info: ServiceInfo) -> None:
        self.info = info
        self.zeroconf = Zeroconf(interfaces=LOOPBACK, ip_version=IPVersion.V4Only)

    def register(self) -> None:
        self.zeroconf.register_service(self.info)

    def stop(self) -> Deferred:
        return deferToThread(self.zeroconf.close)


@pytest_twisted.async_yield_fixture
async def started() -> AsyncIterator[Started]:
    things = Started()
    yield things
    for thing in reversed(things.running):
        await thing.stop()


@pytest_twisted.ensureDeferred
async def test_browser_started_first_finds_engine_with_url_and_txt(started: Started) -> None:
    locator = await started.locator()
    await started.advertiser("engine one", 18088, properties={"room": "hall"})

    url = await url_becomes(reactor, locator, lambda url: url is not None)

    assert url == "http://127.0.0.1:18088"
    engine = locator.current_engine()
    assert engine is not None
    assert engine.name == f"engine one.{started.service_type}"
    assert engine.properties == {"api": "v1", "path": "/v1", "version": VERSION, "room": "hall"}
    assert await locator.wait() == url


@pytest_twisted.ensureDeferred
async def test_browser_started_after_engine_finds_it(started: Started) -> None:
    await started.advertiser("engine one", 18089)
    locator = await started.locator()

    assert await locator.wait() == "http://127.0.0.1:18089"


@pytest_twisted.ensureDeferred
async def test_locator_follows_engine_to_a_new_port(started: Started) -> None:
    locator = await started.locator()
    advertiser = await started.advertiser("engine one", 18090)
    await url_becomes(reactor, locator, lambda url: url == "http://127.0.0.1:18090")
    seen: list[str | None] = []
    locator.on_change(seen.append)

    await advertiser.update(port=18091)

    assert await url_becomes(reactor, locator, lambda url: url == "http://127.0.0.1:18091")
    assert seen[-1] == "http://127.0.0.1:18091"


@pytest_twisted.ensureDeferred
async def test_locator_follows_engine_to_a_new_address(started: Started) -> None:
    locator = await started.locator()
    advertiser = await started.advertiser("engine one", 18092)
    await url_becomes(reactor, locator, lambda url: url == "http://127.0.0.1:18092")

    await advertiser.update(addresses=["127.0.0.2"])

    assert await url_becomes(reactor, locator, lambda url: url == "http://127.0.0.2:18092")


@pytest_twisted.ensureDeferred
async def test_locator_notices_engine_going_away(started: Started) -> None:
    locator = await started.locator()
    advertiser = await started.advertiser("engine one", 18093)
    await locator.wait()

    await advertiser.stop()

    assert await url_becomes(reactor, locator, lambda url: url is None) is None
    assert not locator.wait().called


@pytest_twisted.ensureDeferred
async def test_locator_falls_back_to_another_engine_when_its_engine_leaves(started: Started) -> None:
    locator = await started.locator()
    first = await started.advertiser("engine a", 18094)
    await started.advertiser("engine b", 18095)
    await url_becomes(reactor, locator, lambda url: url == "http://127.0.0.1:18094")

    await first.stop()

    assert await url_becomes(reactor, locator, lambda url: url != "http://127.0.0.1:18094") == (
        "http://127.0.0.1:18095"
    )


@pytest_twisted.ensureDeferred
async def test_service_not_speaking_api_v1_is_never_chosen(started: Started) -> None:
    locator = await started.locator()
    seen: list[str | None] = []
    locator.on_change(seen.append)
    await started.foreign_service("a future engine", 18096, {"api": "v2", "path": "/v2"})
    await started.advertiser("b current engine", 18097)

    assert await locator.wait() == "http://127.0.0.1:18097"
    assert seen == ["http://127.0.0.1:18097"]


@pytest_twisted.ensureDeferred
async def test_a_failing_subscriber_does_not_stop_the_others(started: Started) -> None:
    locator = await started.locator()
    seen: list[str | None] = []

    def broken(url: str | None) -> None:
        raise RuntimeError("subscriber bug")

    locator.on_change(broken)
    locator.on_change(seen.append)
    await started.advertiser("engine one", 18098)

    await locator.wait()

    assert seen == ["http://127.0.0.1:18098"]


@pytest_twisted.ensureDeferred
async def test_stopping_the_locator_fails_whoever_still_waits(started: Started) -> None:
    locator = await started.locator()
    waiting = locator.wait()
    started.running.remove(locator)

    await locator.stop()

    with pytest.raises(LocatorStopped):
        await waiting


@pytest_twisted.ensureDeferred
async def test_stop_during_start_leaves_nothing_advertised(started: Started) -> None:
    advertiser = ServiceAdvertiser(reactor, "engine one", 18099, None, LOOPBACK,
                                   server=private_server(), service_type=started.service_type)
    starting = advertiser.start()
    stopping = advertiser.stop()
    await starting
    await stopping

    successor = await started.advertiser("engine one", 18100)

    assert successor.service_name == f"engine one.{started.service_type}"
