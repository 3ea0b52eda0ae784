"""Every JSON body, on any route: NaN and infinities are refused with 422 naming where they are."""

from __future__ import annotations

import pytest
import pytest_twisted


@pytest.mark.parametrize("body, named, field", [
    (b'{"hidden": [true, NaN]}', "hidden.1 must be a finite number, not NaN", "hidden.1"),
    (b'{"room": {"deep": [{"x": -Infinity}]}}', "room.deep.0.x must be a finite number, not -Infinity", "room.deep.0.x"),
    (b"Infinity", "request body must be a finite number, not Infinity", None),
])
@pytest_twisted.ensureDeferred
async def test_a_non_finite_number_anywhere_is_named_by_its_path(engine, body, named, field):
    update = {"host_id": "h", "sensors": {"28-a": {"type": "DS18B20", "value": 20.0}}}
    assert (await engine.request("PUT", "/v1/sensors/update", json=update, key="write")).code == 201
    before = (await engine.request("GET", "/v1/sensors/28-a", key="read")).json
    response = await engine.request("PATCH", "/v1/sensors/28-a", body=body, key="write")
    assert (response.code, response.json) == (422, {"status": "error", "error": named, "code": "invalid", "field": field})
    assert (await engine.request("GET", "/v1/sensors/28-a", key="read")).json == before
