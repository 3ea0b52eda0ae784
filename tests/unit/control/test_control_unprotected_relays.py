"""At start the daemon says which relays its safety rules do not cover, and how to declare them.

The interlock and the minimum off times go by the function a relay's name
implies; ``furnace=17`` is switched when asked, with no rule but "off is
safe", which an installer must hear about before it matters.
"""

from __future__ import annotations

import pytest_twisted
from twisted.internet import reactor

from rpymostat.testing.processes import free_port
from rpymostat_control.config import ControlConfig
from rpymostat_control.service import make_service


async def start_and_stop(relays: str, pin_factory, tmp_path) -> None:
    settings = ControlConfig.load({
        "RPYMOSTAT_CONTROL_SPOOL": str(tmp_path / "spool.sqlite"),
        "RPYMOSTAT_ENGINE_URL": "http://127.0.0.1:9",
        "RPYMOSTAT_CONTROL_HOST_ID": "boiler-pi",
        "RPYMOSTAT_CONTROL_SECRET": "pre-shared-secret-for-the-boiler-pi",
        "RPYMOSTAT_CONTROL_HOST": "127.0.0.1",
        "RPYMOSTAT_CONTROL_PORT": str(free_port()),
        "RPYMOSTAT_CONTROL_RELAYS": relays,
    })
    service = make_service(settings, reactor, pin_factory=pin_factory)
    try:
        await service.startService()
    finally:
        await service.stopService()


@pytest_twisted.ensureDeferred
async def test_each_relay_named_after_no_function_is_warned_about_once(pin_factory, warnings, tmp_path):
    await start_and_stop("furnace=17,heat=5,ac=27!", pin_factory, tmp_path)

    unprotected = [line for line in warnings if "named after no function" in line]
    assert len(unprotected) == 2
    furnace, ac = unprotected
    assert furnace.startswith("Relay boiler-pi:furnace ")
    assert "the interlock and the minimum off time do not apply to it" in furnace
    assert "declare it as heat=17, cool=17, fan=17 or aux=17 in RPYMOSTAT_CONTROL_RELAYS" in furnace
    assert ac.startswith("Relay boiler-pi:ac ")
    assert "heat=27!, cool=27!, fan=27! or aux=27!" in ac


@pytest_twisted.ensureDeferred
async def test_relays_named_after_their_functions_give_no_such_warning(pin_factory, warnings, tmp_path):
    await start_and_stop("heat=17,cool=27,fan=22!,aux=5", pin_factory, tmp_path)

    assert [line for line in warnings if "named after no function" in line] == []
