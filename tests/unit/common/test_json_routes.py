"""The daemons' JSON routing on plain twisted.web: what a client sees for each kind of request."""

from __future__ import annotations

import json
from typing import Any

import pytest
import pytest_twisted
from treq.testing import StubTreq
from twisted.web.iweb import IRequest

from rpymostat.common.json_api import ApiError, write_json
from rpymostat.common.json_routes import JsonRoutes


def relay_state(request: IRequest, relay_id: str) -> bytes:
    if relay_id == "refused":
        raise ApiError(409, "refused by the safety rules", code="interlock")
    return write_json(request, 200, {"relay": relay_id})


def broken(request: IRequest) -> bytes:
    raise RuntimeError("a bug in a handler")


@pytest.fixture
def client() -> StubTreq:
    routes = JsonRoutes()
    routes.add("GET", "/v1/status", lambda request: write_json(request, 200, {"status": "ok"}))
    routes.add("PUT", "/v1/relays/{relay_id}/state", relay_state)
    routes.add("GET", "/v1/broken", broken)
    return StubTreq(routes)


async def ask(client: StubTreq, method: str, path: str) -> tuple[int, Any, dict[str, str]]:
    response = await client.request(method, "http://daemon.test" + path)
    text = (await client.content(response)).decode("utf-8")
    headers = {name.decode(): values[0].decode() for name, values in response.headers.getAllRawHeaders()}
    return response.code, json.loads(text) if text else None, headers


@pytest_twisted.ensureDeferred
async def test_a_path_parameter_arrives_percent_decoded(client):
    assert (await ask(client, "PUT", "/v1/relays/boiler-pi%3Afan/state"))[:2] == (200, {"relay": "boiler-pi:fan"})


@pytest_twisted.ensureDeferred
async def test_an_unknown_path_is_a_json_404_naming_it(client):
    for path in ("/v1/nope", "/v1/status/", "/v1/relays//state", "/v1/relays/a/b/state"):
        code, body, _ = await ask(client, "PUT", path)
        assert (code, body["code"], body["error"]) == (404, "not_found", f"no such resource: {path}")


@pytest_twisted.ensureDeferred
async def test_a_wrong_method_is_a_json_405_listing_the_paths_methods(client):
    code, body, headers = await ask(client, "POST", "/v1/status")
    assert (code, body["code"], headers["Allow"]) == (405, "method_not_allowed", "GET, HEAD")
    code, body, headers = await ask(client, "GET", "/v1/relays/x/state")
    assert (code, headers["Allow"]) == (405, "PUT")


@pytest_twisted.ensureDeferred
async def test_head_answers_a_get_route_without_its_body(client):
    code, body, headers = await ask(client, "HEAD", "/v1/status")
    assert (code, body, headers["Content-Length"]) == (200, None, str(len(b'{"status":"ok"}')))


@pytest_twisted.ensureDeferred
async def test_refusals_bugs_and_undecodable_paths_all_answer_json(client):
    code, body, _ = await ask(client, "PUT", "/v1/relays/refused/state")
    assert (code, body["code"]) == (409, "interlock")
    code, body, _ = await ask(client, "GET", "/v1/broken")
    assert (code, body["code"], body["error"]) == (500, "internal", "internal error; the daemon's log has the details")
    code, body, _ = await ask(client, "PUT", "/v1/relays/%ff/state")
    assert (code, body["code"]) == (400, "malformed")
