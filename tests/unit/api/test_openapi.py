"""The OpenAPI document is valid, describes every route, and matches real responses."""

from __future__ import annotations

import re

import jsonschema
import pytest_twisted
from openapi_spec_validator import validate
from referencing import Registry, Resource

from rpymostat.engine.api.build import api_document


def openapi_path(klein_path: str) -> str:
    return re.sub(r"<([^>]+)>", r"{\1}", klein_path)


def test_the_document_is_valid_openapi():
    validate(api_document())


def test_every_declared_route_is_described_with_its_role(engine):
    paths = api_document()["paths"]
    for declared in engine.api.routes:
        for method in declared.methods:
            operation = paths[openapi_path(declared.path)][method.lower()]
            assert operation["x-minimum-role"] == declared.spec.role, (method, declared.path)
    described = {(m.upper(), p) for p, ops in paths.items() for m in ops}
    served = {(m, openapi_path(r.path)) for r in engine.api.routes for m in r.methods}
    assert described == served


def response_validator(document, path, method, code):
    """A JSON Schema validator for one response, resolving refs into the document."""
    operation = document["paths"][path][method]
    schema = operation["responses"][str(code)]["content"]["application/json"]["schema"]
    registry = Registry().with_resource("urn:openapi", Resource.opaque(document))
    return jsonschema.Draft202012Validator({"$ref": "urn:openapi" + schema["$ref"]}, registry=registry)


def assert_matches(document, path, method, response):
    validator = response_validator(document, path, method, response.code)
    errors = [e.message for e in validator.iter_errors(response.json)]
    assert errors == [], (path, method, response.code, response.text)


@pytest_twisted.ensureDeferred
async def test_real_responses_match_the_document(engine):
    served = (await engine.request("GET", "/v1/openapi.json")).json
    assert served == api_document()
    update = {"host_id": "h1", "sensors": {"28-a": {"type": "DS18B20", "value": 21.0, "alias": "hall"},
                                           "28-b": {"type": "DS18B20", "value": None, "extra": "CRC"}}}
    checks = [
        ("PUT", "/v1/sensors/update", "/v1/sensors/update", update, "write"),
        ("GET", "/v1/status", "/v1/status", None, None),
        ("GET", "/v1/sensors", "/v1/sensors", None, "read"),
        ("GET", "/v1/sensors?full=false", "/v1/sensors", None, "read"),
        ("GET", "/v1/sensors/28-a", "/v1/sensors/{sensor_id}", None, "read"),
        ("PATCH", "/v1/sensors/28-a", "/v1/sensors/{sensor_id}", {"name": "Hall", "room": "hall"}, "write"),
        ("GET", "/v1/sensors/28-a/readings", "/v1/sensors/{sensor_id}/readings", None, "read"),
        ("GET", "/v1/sensors/28-a/readings?full=false", "/v1/sensors/{sensor_id}/readings", None, "read"),
        ("GET", "/v1/sensors/nope", "/v1/sensors/{sensor_id}", None, "read"),
        ("GET", "/v1/keys", "/v1/keys", None, "admin"),
        ("POST", "/v1/keys", "/v1/keys", {"name": "tablet", "role": "read"}, "admin"),
        ("POST", "/v1/keys", "/v1/keys", {"name": "tablet"}, "admin"),
        ("GET", "/v1/devices", "/v1/devices", None, "read"),
        ("GET", "/v1/keys", "/v1/keys", None, "read"),
        ("GET", "/v1/keys", "/v1/keys", None, None),
    ]
    for method, url, path, body, key in checks:
        response = await engine.request(method, url, json=body, key=key)
        assert_matches(served, path, method.lower(), response)


@pytest_twisted.ensureDeferred
async def test_schedule_override_and_timeline_responses_match_the_document(engine):
    served = (await engine.request("GET", "/v1/openapi.json")).json
    await engine.request("PUT", "/v1/sensors/update", key="write",
                         json={"host_id": "h1", "sensors": {"28-a": {"type": "DS18B20", "value": 21.0}}})
    schedule = {"name": "Nights", "cron": "0 22 * * *", "end_cron": "0 6 * * *", "mode": "auto",
                "heat_setpoint": 18, "cool_setpoint": 26, "sensors": {"28-a": 2}, "tolerance": 0.5}
    created = await engine.request("POST", "/v1/schedules", json=schedule, key="write")
    override = {"start": "2026-12-21T08:00:00Z", "duration": "P7D", "mode": "heat", "heat_setpoint": 12}
    away = await engine.request("POST", "/v1/overrides", json=override, key="write")
    schedule_id, override_id = created.json["id"], away.json["id"]
    assert_matches(served, "/v1/schedules", "post", created)
    assert_matches(served, "/v1/overrides", "post", away)
    checks = [
        ("POST", "/v1/schedules", "/v1/schedules", {**schedule, "duration": "PT1H"}, "write"),
        ("GET", "/v1/schedules", "/v1/schedules", None, "read"),
        ("GET", "/v1/schedules?full=false", "/v1/schedules", None, "read"),
        ("GET", f"/v1/schedules/{schedule_id}", "/v1/schedules/{rule_id}", None, "read"),
        ("PUT", f"/v1/schedules/{schedule_id}", "/v1/schedules/{rule_id}",
         {"cron": "0 7 * * *", "duration": "PT1H", "mode": "off"}, "write"),
        ("GET", "/v1/schedules/nope", "/v1/schedules/{rule_id}", None, "read"),
        ("GET", "/v1/schedules/settings", "/v1/schedules/settings", None, "read"),
        ("PATCH", "/v1/schedules/settings", "/v1/schedules/settings", {"default_sensors": {"28-a": 1}}, "write"),
        ("PATCH", "/v1/schedules/settings", "/v1/schedules/settings", {"timezone": "Europe/Paris"}, "write"),
        ("PATCH", "/v1/schedules/settings", "/v1/schedules/settings", {"timezone": "Nowhere/At_All"}, "write"),
        ("PUT", "/v1/schedules/settings", "/v1/schedules/settings",
         {"paused": False, "default_instruction": {"mode": "heat", "heat_setpoint": 16}}, "write"),
        ("PUT", "/v1/schedules/settings", "/v1/schedules/settings", {"paused": 1}, "write"),
        ("POST", "/v1/overrides", "/v1/overrides", {"start": "now", "mode": "cool", "cool_setpoint": 24}, "write"),
        ("GET", "/v1/overrides", "/v1/overrides", None, "read"),
        ("GET", "/v1/overrides?full=false", "/v1/overrides", None, "read"),
        ("GET", f"/v1/overrides/{override_id}", "/v1/overrides/{rule_id}", None, "read"),
        ("PUT", f"/v1/overrides/{override_id}", "/v1/overrides/{rule_id}", {**override, "until": None}, "write"),
        ("GET", "/v1/timeline", "/v1/timeline", None, "read"),
        ("GET", "/v1/timeline?hours=168", "/v1/timeline", None, "read"),
        ("GET", "/v1/timeline?hours=500", "/v1/timeline", None, "read"),
        ("DELETE", f"/v1/overrides/{override_id}", "/v1/overrides/{rule_id}", None, "write"),
        ("DELETE", f"/v1/schedules/{schedule_id}", "/v1/schedules/{rule_id}", None, "write"),
        ("POST", "/v1/schedules", "/v1/schedules", {"cron": "nope", "mode": "off"}, "write"),
    ]
    for method, url, path, body, key in checks:
        response = await engine.request(method, url, json=body, key=key)
        assert_matches(served, path, method.lower(), response)
