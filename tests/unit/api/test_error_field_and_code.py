"""Error bodies carry a machine-readable ``code`` and the ``field`` at fault, beside the sentence."""

from __future__ import annotations

import pytest
import pytest_twisted

from .rules_support import MORNINGS, add_sensors

AWAY = {"start": "2026-12-21T08:00:00Z", "end": "2026-12-28T18:00:00Z", "mode": "heat", "heat_setpoint": 12}


@pytest.mark.parametrize(("path", "body", "field"), [
    ("/v1/schedules", {**MORNINGS, "heat_setpoint": 40}, "heat_setpoint"),
    ("/v1/schedules", {**MORNINGS, "cron": "61 6 * * *"}, "cron"),
    ("/v1/schedules", {**MORNINGS, "mode": "auto", "cool_setpoint": 21.5}, "cool_setpoint"),
    ("/v1/overrides", {**AWAY, "end": "2026-12-20T08:00:00Z"}, "end"),
    ("/v1/sensors/update", {"host_id": "h", "sensors": {"28-a": {"type": "DS18B20", "value": "warm"}}},
     "sensors.28-a.value"),
])
@pytest_twisted.ensureDeferred
async def test_a_refused_body_names_its_field_for_programs(engine, path, body, field):
    await add_sensors(engine, "28-a")
    response = await engine.request("POST" if path != "/v1/sensors/update" else "PUT", path, json=body, key="write")
    assert response.code == 422, response.text
    assert (response.json["code"], response.json["field"]) == ("invalid", field)
    assert field.rsplit(".", 1)[-1] in response.json["error"]


@pytest_twisted.ensureDeferred
async def test_a_bad_query_parameter_is_named(engine):
    response = await engine.request("GET", "/v1/sensors?limit=many", key="read")
    assert response.code == 400
    assert (response.json["code"], response.json["field"]) == ("malformed", "limit")


@pytest.mark.parametrize(("method", "path", "key", "status", "code"), [
    ("GET", "/v1/nowhere", "read", 404, "not_found"),
    ("DELETE", "/v1/status", "admin", 405, "method_not_allowed"),
    ("GET", "/v1/sensors", None, 401, "unauthenticated"),
    ("POST", "/v1/schedules", "read", 403, "role_too_low"),
])
@pytest_twisted.ensureDeferred
async def test_refusals_without_a_field_say_what_kind_they_are(engine, method, path, key, status, code):
    response = await engine.request(method, path, key=key)
    assert response.code == status
    assert (response.json["status"], response.json["code"], response.json["field"]) == ("error", code, None)
    assert response.json["error"]
