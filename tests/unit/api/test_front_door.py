"""Fixed paths skip Klein's routing; a client that hangs up early is left alone, its update kept."""

from __future__ import annotations

import json
from io import BytesIO

import pytest_twisted
from twisted.internet.error import ConnectionLost
from twisted.python.failure import Failure
from twisted.web.server import NOT_DONE_YET
from twisted.web.test.requesthelper import DummyRequest

from rpymostat.store.records import ReadingInput

SEED_UPDATE = {"host_id": "pi-kitchen", "sensors": {"28-0315a8b6b2ff": {"type": "DS18B20", "value": 21.5}}}


def sensor_update(key: str) -> DummyRequest:
    request = DummyRequest([b"v1", b"sensors", b"update"])
    request.method = b"PUT"
    request.path = request.uri = b"/v1/sensors/update"
    request.requestHeaders.setRawHeaders(b"authorization", [f"Bearer {key}".encode()])
    request.requestHeaders.setRawHeaders(b"content-type", [b"application/json"])
    request.content = BytesIO(json.dumps(SEED_UPDATE).encode())
    return request


@pytest_twisted.ensureDeferred
async def test_a_client_that_hangs_up_before_its_answer_gets_no_write_and_its_update_is_kept(engine):
    request = sensor_update(engine.keys["write"])
    assert engine.api.resource().render(request) is NOT_DONE_YET
    request.processingFailed(Failure(ConnectionLost()))
    # Writes commit in order: once a later one is answered, the update's commit is done too.
    await engine.store.record_readings("later", [ReadingInput("28-later", "DS18B20", 20.0, engine.clock.seconds())],
                                       engine.clock.seconds())
    assert (await engine.store.get_sensor("28-0315a8b6b2ff")).last_value == 21.5
    assert (request.written, request.finished) == ([], 0)
    assert (await engine.request("GET", "/v1/sensors", key="read")).code == 200


@pytest_twisted.ensureDeferred
async def test_fixed_and_parametrised_paths_answer_alike_through_a_real_socket(engine):
    stored = await engine.request("PUT", "/v1/sensors/update", json=SEED_UPDATE, key="write")
    assert (stored.code, stored.json) == (201, {"status": "ok", "ids": ["28-0315a8b6b2ff"]})
    listed = await engine.request("GET", "/v1/sensors", key="read")
    one = await engine.request("GET", "/v1/sensors/28-0315a8b6b2ff", key="read")
    assert listed.json["sensors"] == [one.json]
    assert listed.headers["content-type"] == one.headers["content-type"] == "application/json; charset=utf-8"
    assert (await engine.request("HEAD", "/v1/sensors", key="read")).code == 200
    assert (await engine.request("DELETE", "/v1/sensors/update", key="admin")).code == 405
    assert (await engine.request("GET", "/v1/sensors/28-0315a8b6b2ff", key="read")).code == 200
