"""The daemon obeys only commands signed by its engine: anything else is 403 and changes nothing."""

from __future__ import annotations

import json

import pytest_twisted

from tests.unit.control.daemon_harness import start_daemon

HEAT = "boiler-pi:heat"
HEAT_STATE = f"/v1/relays/{HEAT}/state"


@pytest_twisted.async_yield_fixture
async def daemon(pin_factory):
    daemon = start_daemon(pin_factory)
    yield daemon
    await daemon.close()


@pytest_twisted.ensureDeferred
async def test_a_signed_command_switches_the_relay_and_its_pin(daemon):
    answer = await daemon.signed("PUT", HEAT_STATE, {"on": True, "reason": "calling for heat"})

    assert answer.code == 200
    assert answer.body["relay"]["on"] is True
    assert answer.body["changed"] is True
    assert daemon.pin(17) is True


@pytest_twisted.ensureDeferred
async def test_an_unsigned_command_is_refused(daemon):
    answer = await daemon.send("PUT", HEAT_STATE, json.dumps({"on": True}).encode())

    assert answer.code == 403
    assert "signed" in answer.body["error"]
    assert daemon.pin(17) is False


@pytest_twisted.ensureDeferred
async def test_a_command_signed_with_another_secret_is_refused(daemon):
    answer = await daemon.signed("PUT", HEAT_STATE, {"on": True}, secret="someone-elses-secret-of-decent-length")

    assert answer.code == 403
    assert daemon.pin(17) is False


@pytest_twisted.ensureDeferred
async def test_a_signature_over_another_body_is_refused(daemon):
    signed_for_off = daemon.sign("PUT", HEAT_STATE, json.dumps({"on": False}).encode())

    answer = await daemon.send("PUT", HEAT_STATE, json.dumps({"on": True}).encode(), signed_for_off)

    assert answer.code == 403
    assert daemon.pin(17) is False


@pytest_twisted.ensureDeferred
async def test_a_stale_command_is_refused(daemon):
    answer = await daemon.signed("PUT", HEAT_STATE, {"on": True}, now=daemon.clock.seconds() - 300)

    assert answer.code == 403
    assert "timestamp" in answer.body["error"]
    assert daemon.pin(17) is False


@pytest_twisted.ensureDeferred
async def test_a_replayed_command_is_refused(daemon):
    body = json.dumps({"on": True}).encode()
    heat_on = daemon.sign("PUT", HEAT_STATE, body)
    assert (await daemon.send("PUT", HEAT_STATE, body, heat_on)).code == 200
    assert (await daemon.signed("PUT", HEAT_STATE, {"on": False})).code == 200

    replayed = await daemon.send("PUT", HEAT_STATE, body, heat_on)

    assert replayed.code == 403
    assert "replayed" in replayed.body["error"]
    assert daemon.pin(17) is False


@pytest_twisted.ensureDeferred
async def test_only_the_engine_may_sign(daemon):
    answer = await daemon.signed("PUT", HEAT_STATE, {"on": True}, signer="boiler-pi")

    assert answer.code == 403
    assert daemon.pin(17) is False


@pytest_twisted.ensureDeferred
async def test_the_relay_list_is_for_the_engine_only(daemon):
    unsigned = await daemon.send("GET", "/v1/relays")
    signed = await daemon.signed("GET", "/v1/relays")

    assert unsigned.code == 403
    assert signed.code == 200
    assert [(r["id"], r["pin"], r["active_high"], r["function"], r["on"]) for r in signed.body["relays"]] == [
        ("boiler-pi:heat", 17, True, "heat", False),
        ("boiler-pi:cool", 27, True, "cool", False),
        ("boiler-pi:fan", 22, False, "fan", False),
    ]


@pytest_twisted.ensureDeferred
async def test_an_unsigned_keepalive_does_not_feed_the_failsafe(daemon):
    daemon.clock.advance(179)
    answer = await daemon.send("PUT", "/v1/keepalive", b"{}")
    daemon.clock.advance(2)

    assert answer.code == 403
    assert daemon.controller.failsafe.tripped


@pytest_twisted.ensureDeferred
async def test_a_malformed_command_changes_nothing(daemon):
    for body in ({"on": "yes"}, {"on": 1}, {}, {"on": True, "reason": ""}):
        answer = await daemon.signed("PUT", HEAT_STATE, body)
        assert answer.code == 422, body
    assert (await daemon.signed("PUT", "/v1/relays/boiler-pi:nope/state", {"on": True})).code == 404
    assert daemon.pin(17) is False
