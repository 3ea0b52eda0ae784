"""A "heat on" captured before the control daemon restarted does not switch the relay after it."""

from __future__ import annotations

import json

import pytest_twisted

from tests.unit.control.daemon_harness import start_daemon

HEAT_STATE = "/v1/relays/boiler-pi:heat/state"


@pytest_twisted.ensureDeferred
async def test_a_command_replayed_after_a_restart_is_refused_and_the_relay_stays_off(pin_factory):
    daemon = start_daemon(pin_factory)
    body = json.dumps({"on": True, "reason": "calling for heat"}).encode()
    heat_on = daemon.sign("PUT", HEAT_STATE, body)
    assert (await daemon.send("PUT", HEAT_STATE, body, heat_on)).code == 200
    clock = daemon.clock
    await daemon.close()
    pin_factory.reset()

    clock.advance(5)
    daemon = start_daemon(pin_factory, clock=clock)
    try:
        replayed = await daemon.send("PUT", HEAT_STATE, body, heat_on)
        assert replayed.code == 403
        assert "before the receiver last started" in replayed.body["error"]
        assert daemon.pin(17) is False

        fresh = await daemon.signed("PUT", HEAT_STATE, {"on": True, "reason": "calling for heat"})
        assert fresh.code == 200
        assert daemon.pin(17) is True
    finally:
        await daemon.close()
