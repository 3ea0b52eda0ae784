"""Assigning functions: heat and cool only to relays the control daemon's own safety rules cover.

The daemon applies its interlock and minimum off times by the function a
relay's *name* implies. A relay named ``furnace`` gets none, so the engine
must not let the decision loop drive it as ``heat``.
"""

from __future__ import annotations

import pytest
import pytest_twisted

from rpymostat.engine.api.build import api_document
from rpymostat.engine.relays.commander import RelayCommander
from rpymostat.engine.relays.registry import RELAYS, RelayRegistry
from tests.unit.api import test_openapi as openapi_checks
from tests.unit.api.test_relays_api import HOST, Enrolled
from tests.unit.control.daemon_harness import start_daemon

FURNACE, AC, FAN = f"{HOST}:furnace", f"{HOST}:ac", f"{HOST}:fan"


async def enrol(engine, pin_factory, relays: str) -> Enrolled:
    enrolled = Enrolled(engine, start_daemon(pin_factory, host_id=HOST, relays=relays, failsafe=3600))
    await enrolled.start()
    enrolled.advance(300)  # past the cooling relay's start-up minimum off time
    await enrolled.reported()
    return enrolled


async def stop(enrolled: Enrolled) -> None:
    enrolled.stop()
    await enrolled.daemon.close()


@pytest_twisted.async_yield_fixture
async def unnamed(engine, pin_factory):
    """A daemon whose furnace and air conditioner relays are not named after their functions."""
    enrolled = await enrol(engine, pin_factory, "furnace=17,ac=27,fan=22!")
    yield enrolled
    await stop(enrolled)


@pytest_twisted.async_yield_fixture
async def named(engine, pin_factory):
    """A daemon declared as the design suggests: heat=17,cool=27,fan=22!."""
    enrolled = await enrol(engine, pin_factory, "heat=17,cool=27,fan=22!")
    yield enrolled
    await stop(enrolled)


async def assign(engine, relay_id: str, function: str | None):
    return await engine.request("PUT", f"/v1/relays/{relay_id}", json={"function": function}, key="admin")


async def relay(engine, relay_id: str) -> dict:
    return (await engine.request("GET", f"/v1/relays/{relay_id}", key="read")).json


@pytest.mark.parametrize(("relay_id", "function", "declaration"), [
    (FURNACE, "heat", "heat=17"),
    (AC, "cool", "cool=27"),
    (FAN, "heat", "heat=22!"),
    (FAN, "cool", "cool=22!"),
])
@pytest_twisted.ensureDeferred
async def test_heat_and_cool_are_refused_for_a_relay_the_daemon_does_not_protect(unnamed, relay_id, function,
                                                                                   declaration):
    before = (await relay(unnamed.engine, relay_id))["function"]

    answer = await assign(unnamed.engine, relay_id, function)

    assert answer.code == 409
    assert answer.json["status"] == "error"
    assert f"declare it as {declaration} in RPYMOSTAT_CONTROL_RELAYS on {HOST}" in answer.json["error"]
    assert "interlock and minimum off time" in answer.json["error"]
    assert (await relay(unnamed.engine, relay_id))["function"] == before


@pytest_twisted.ensureDeferred
async def test_the_decision_loop_cannot_start_an_unprotected_furnace(unnamed):
    engine, daemon = unnamed.engine, unnamed.daemon
    await assign(engine, FURNACE, "heat")
    await assign(engine, AC, "cool")
    commander = RelayCommander(RelayRegistry(engine.store), engine.store, engine.clock, engine.lan)

    results = await commander.set_desired({"heat": True, "cool": True}, "a buggy decision")

    assert results == {}
    assert (daemon.pin(17), daemon.pin(27)) == (False, False)


@pytest.mark.parametrize("function", ["fan", "aux", None])
@pytest_twisted.ensureDeferred
async def test_fan_aux_and_no_function_go_to_any_relay(unnamed, function):
    answer = await assign(unnamed.engine, FURNACE, function)

    assert answer.code == 200
    assert (answer.json["function"], answer.json["daemon_function"]) == (function, None)


@pytest_twisted.ensureDeferred
async def test_relays_named_heat_and_cool_can_be_unassigned_and_assigned_again(named):
    engine = named.engine

    codes = [(await assign(engine, f"{HOST}:{name}", function)).code
             for name, function in [("heat", None), ("heat", "heat"), ("cool", "fan"), ("cool", "cool")]]

    assert codes == [200, 200, 200, 200]
    assert [(await relay(engine, f"{HOST}:{name}"))["function"] for name in ("heat", "cool")] == ["heat", "cool"]


@pytest_twisted.ensureDeferred
async def test_a_heat_assignment_kept_from_before_is_dropped_when_the_daemon_reports(unnamed):
    engine, daemon = unnamed.engine, unnamed.daemon
    stored = await engine.store.get_document(RELAYS, FURNACE)
    await engine.store.put_document(RELAYS, FURNACE, {**stored, "function": "heat"})

    unnamed.reporter.flush()
    await unnamed.reported()
    after = await relay(engine, FURNACE)
    commander = RelayCommander(RelayRegistry(engine.store), engine.store, engine.clock, engine.lan)
    await commander.set_desired({"heat": True}, "too cold")

    assert after["function"] is None
    assert daemon.pin(17) is False


@pytest_twisted.ensureDeferred
async def test_the_refusal_matches_the_engines_openapi_document(unnamed):
    answer = await assign(unnamed.engine, FURNACE, "heat")

    assert answer.code == 409
    openapi_checks.assert_matches(api_document(), "/v1/relays/{relay_id}", "put", answer)
