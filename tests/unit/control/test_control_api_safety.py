"""Through the daemon's API: interlock, minimum off time, failsafe and keep-alive, status."""

from __future__ import annotations

import jsonschema
import pytest_twisted
from openapi_spec_validator import validate
from referencing import Registry, Resource

from rpymostat_control.openapi import control_document
from tests.unit.control.daemon_harness import start_daemon

HEAT, COOL = "boiler-pi:heat", "boiler-pi:cool"


def state(relay_id: str) -> str:
    return f"/v1/relays/{relay_id}/state"


@pytest_twisted.async_yield_fixture
async def daemon(pin_factory):
    daemon = start_daemon(pin_factory, failsafe=60)
    yield daemon
    await daemon.close()


@pytest_twisted.ensureDeferred
async def test_heat_and_cool_are_never_on_together(daemon):
    daemon.clock.advance(300)
    assert (await daemon.signed("PUT", state(HEAT), {"on": True})).code == 200

    refused = await daemon.signed("PUT", state(COOL), {"on": True})

    assert refused.code == 409
    assert refused.body["refusal"] == "interlock"
    assert (refused.body["code"], refused.body["field"]) == ("interlock", None)
    assert (daemon.pin(17), daemon.pin(27)) == (True, False)


@pytest_twisted.ensureDeferred
async def test_a_bad_command_names_its_field_and_an_unknown_path_is_a_json_404(daemon):
    bad = await daemon.signed("PUT", state(HEAT), {"on": "yes"})
    missing = await daemon.send("GET", "/v1/nowhere")

    assert (bad.code, bad.body["code"], bad.body["field"]) == (422, "invalid", "on")
    assert (missing.code, missing.body["code"], missing.body["field"]) == (404, "not_found", None)
    assert daemon.pin(17) is False


@pytest_twisted.ensureDeferred
async def test_cool_waits_out_its_minimum_off_time_after_start(daemon):
    early = await daemon.signed("PUT", state(COOL), {"on": True})
    daemon.clock.advance(early.body["retry_after"])
    later = await daemon.signed("PUT", state(COOL), {"on": True})

    assert early.code == 409
    assert early.body["refusal"] == "min_off"
    assert early.body["retry_after"] == 300
    assert later.code == 200
    assert daemon.pin(27) is True


@pytest_twisted.ensureDeferred
async def test_the_failsafe_turns_everything_off_and_says_so(daemon):
    await daemon.signed("PUT", state(HEAT), {"on": True})
    daemon.clock.advance(59)
    assert daemon.pin(17) is True

    daemon.clock.advance(1)
    status = await daemon.send("GET", "/v1/status")

    assert daemon.pin(17) is False
    assert status.code == 200
    assert status.body["status"] == "failsafe"
    assert status.body["failsafe"]["tripped"] is True
    assert [r["on"] for r in status.body["relays"]] == [False, False, False]


@pytest_twisted.ensureDeferred
async def test_keepalives_hold_off_the_failsafe_and_reassert_the_desired_state(daemon):
    for _ in range(5):
        daemon.clock.advance(50)
        answer = await daemon.signed("PUT", "/v1/keepalive", {"relays": {HEAT: True}})
        assert answer.code == 200
        assert answer.body["results"][HEAT]["accepted"] is True

    assert daemon.pin(17) is True
    assert (await daemon.send("GET", "/v1/status")).body["status"] == "ok"


@pytest_twisted.ensureDeferred
async def test_a_keepalive_after_a_trip_rearms_and_restores(daemon):
    await daemon.signed("PUT", state(HEAT), {"on": True})
    daemon.clock.advance(61)
    assert daemon.pin(17) is False

    answer = await daemon.signed("PUT", "/v1/keepalive", {"relays": {HEAT: True, "other:x": True}})

    assert answer.body["failsafe"]["tripped"] is False
    assert answer.body["unknown"] == ["other:x"]
    assert daemon.pin(17) is True


@pytest_twisted.ensureDeferred
async def test_the_status_shows_the_mock_pin_levels(daemon):
    await daemon.signed("PUT", state("boiler-pi:fan"), {"on": True})

    status = await daemon.send("GET", "/v1/status")

    levels = {r["id"]: (r["on"], r["pin_level"]) for r in status.body["relays"]}
    assert levels == {HEAT: (False, 0), COOL: (False, 0), "boiler-pi:fan": (True, 0)}


def matches(document, path, method, answer):
    schema = document["paths"][path][method]["responses"][str(answer.code)]["content"]["application/json"]["schema"]
    registry = Registry().with_resource("urn:doc", Resource.opaque(document))
    validator = jsonschema.Draft202012Validator({"$ref": "urn:doc" + schema["$ref"]}, registry=registry)
    return [error.message for error in validator.iter_errors(answer.body)]


@pytest_twisted.ensureDeferred
async def test_the_served_openapi_document_is_valid_and_true(daemon):
    document = (await daemon.send("GET", "/v1/openapi.json")).body
    validate(document)
    assert document == control_document()
    routes = {(method.upper(), path) for path, ops in document["paths"].items() for method in ops}
    served = daemon.api.routes.served()
    assert routes == served
    daemon.clock.advance(300)
    checks = [
        ("/v1/status", "get", await daemon.send("GET", "/v1/status")),
        ("/v1/relays", "get", await daemon.signed("GET", "/v1/relays")),
        ("/v1/relays", "get", await daemon.send("GET", "/v1/relays")),
        ("/v1/relays/{relay_id}/state", "put", await daemon.signed("PUT", state(HEAT), {"on": True})),
        ("/v1/relays/{relay_id}/state", "put", await daemon.signed("PUT", state(COOL), {"on": True})),
        ("/v1/relays/{relay_id}/state", "put", await daemon.signed("PUT", state(COOL), {"on": 3})),
        ("/v1/keepalive", "put", await daemon.signed("PUT", "/v1/keepalive", {"relays": {COOL: True}})),
    ]
    assert [answer.code for _, _, answer in checks] == [200, 200, 403, 200, 409, 422, 200]
    for path, method, answer in checks:
        assert matches(document, path, method, answer) == [], (path, answer.body)
