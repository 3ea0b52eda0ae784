"""Every route × every kind of caller: the whole access matrix, checked.

Routes are read from the same declarations the server runs, so a new route
is covered the moment it exists.
"""

from __future__ import annotations

import re

import pytest_twisted

from rpymostat.engine.api.routing import DEVICE_ONLY
from rpymostat.security.keys import ROLE_RANK

CALLERS = [None, "read", "write", "admin", "revoked"]


def concrete(path: str) -> str:
    return re.sub(r"<[^>]+>", "x", path)


async def snapshot(store):
    sensors = await store.list_sensors()
    keys = await store.list_api_keys()
    devices = await store.list_devices()
    return sensors, keys, devices


def expected_denial(role_needed, caller):
    """The status a caller must get, or None when it must get past access control."""
    if caller == "revoked":
        return 401
    if role_needed is None:
        return None
    if caller is None:
        return 401
    if role_needed == DEVICE_ONLY:
        return 403
    return None if ROLE_RANK[caller] >= ROLE_RANK[role_needed] else 403


@pytest_twisted.ensureDeferred
async def test_every_route_enforces_its_minimum_role(engine):
    routes = engine.api.routes
    assert len(routes) >= 10
    mismatches = []
    for declared in routes:
        for method in declared.methods:
            for caller in CALLERS:
                body = b"{}" if method in ("PUT", "POST", "PATCH") else None
                response = await engine.request(method, concrete(declared.path), body=body, key=caller)
                denial = expected_denial(declared.spec.role, caller)
                got_denied = response.code in (401, 403)
                if denial is None and got_denied or denial is not None and response.code != denial:
                    mismatches.append((method, declared.path, caller, response.code, response.text[:80]))
    assert mismatches == []


@pytest_twisted.ensureDeferred
async def test_nothing_changes_without_credentials_or_with_a_read_key(engine):
    await engine.request("PUT", "/v1/sensors/update", key="write",
                         json={"host_id": "h", "sensors": {"28-a": {"type": "DS18B20", "value": 20.0}}})
    before = await snapshot(engine.store)
    for declared in engine.api.routes:
        for method in declared.methods:
            if method == "GET" or declared.spec.public_write:
                continue
            for caller in (None, "read", "revoked"):
                body = b'{"host_id": "h", "sensors": {"28-a": {"type": "DS18B20", "value": 30.0}}, "name": "n"}'
                path = concrete(declared.path).replace("/x", "/28-a")
                await engine.request(method, path, body=body, key=caller)
    assert await snapshot(engine.store) == before


@pytest_twisted.ensureDeferred
async def test_a_malformed_authorization_header_is_refused(engine):
    for value in ("Basic dXNlcjpwYXNz", "Bearer", "Bearer not-a-key", "Bearer rpm_abc_def"):
        response = await engine.request("GET", "/v1/sensors", headers={"Authorization": value})
        assert response.code == 401
        assert response.headers["www-authenticate"].startswith("Bearer")


# The intended minimum role of each route: reads need "read", changes "write",
# keys, device approval and relays "admin"; relay reports only signed by a device; only these are public.
INTENDED = {
    ("GET", "/"): None,
    ("GET", "/v1/status"): None,
    ("GET", "/v1/openapi.json"): None,
    ("POST", "/v1/devices/register"): None,
    ("PUT", "/v1/sensors/update"): "write",
    ("GET", "/v1/sensors"): "read",
    ("GET", "/v1/sensors/<sensor_id>"): "read",
    ("PATCH", "/v1/sensors/<sensor_id>"): "write",
    ("DELETE", "/v1/sensors/<sensor_id>"): "admin",
    ("GET", "/v1/sensors/<sensor_id>/readings"): "read",
    ("GET", "/v1/keys"): "admin",
    ("GET", "/v1/keys/current"): "read",
    ("POST", "/v1/keys"): "admin",
    ("DELETE", "/v1/keys/<key_id>"): "admin",
    ("GET", "/v1/devices"): "read",
    ("GET", "/v1/devices/<host_id>"): "read",
    ("DELETE", "/v1/devices/<host_id>"): "admin",
    ("POST", "/v1/devices/<host_id>/approve"): "admin",
    ("POST", "/v1/devices/<host_id>/reject"): "admin",
    ("GET", "/v1/plugins"): "read",
    ("PUT", "/v1/plugins/<kind>"): "write",
    ("GET", "/v1/schedules"): "read",
    ("POST", "/v1/schedules"): "write",
    ("GET", "/v1/schedules/<rule_id>"): "read",
    ("PUT", "/v1/schedules/<rule_id>"): "write",
    ("DELETE", "/v1/schedules/<rule_id>"): "write",
    ("GET", "/v1/schedules/settings"): "read",
    ("PUT", "/v1/schedules/settings"): "write",
    ("PATCH", "/v1/schedules/settings"): "write",
    ("GET", "/v1/overrides"): "read",
    ("POST", "/v1/overrides"): "write",
    ("GET", "/v1/overrides/<rule_id>"): "read",
    ("PUT", "/v1/overrides/<rule_id>"): "write",
    ("DELETE", "/v1/overrides/<rule_id>"): "write",
    ("GET", "/v1/timeline"): "read",
    ("GET", "/v1/model"): "read",
    ("DELETE", "/v1/model"): "write",
    ("GET", "/v1/history"): "read",
    ("GET", "/v1/decisions"): "read",
    ("GET", "/v1/decisions/current"): "read",
    ("GET", "/v1/relays"): "read",
    ("PUT", "/v1/relays/report"): DEVICE_ONLY,
    ("DELETE", "/v1/relays/hosts/<host_id>"): "admin",
    ("DELETE", "/v1/relays/<relay_id>"): "admin",
    ("GET", "/v1/relays/<relay_id>"): "read",
    ("PUT", "/v1/relays/<relay_id>"): "admin",
    ("PUT", "/v1/relays/<relay_id>/state"): "admin",
    ("GET", "/v1/relays/<relay_id>/history"): "read",
    ("GET", "/v1/ws"): None,  # the live feed asks for the key inside the socket
    ("GET", "/metrics"): "read",  # None with RPYMOSTAT_METRICS_OPEN=on
    ("POST", "/v1/events"): "write",
    ("GET", "/v1/events"): "read",
    ("GET", "/v1/events/<event_id>"): "read",
    ("GET", "/v1/reactions"): "read",
    ("GET", "/v1/reactions/<name>"): "read",
    ("PATCH", "/v1/reactions/<name>"): "write",
    ("GET", "/v1/reactions/rules"): "read",
    ("POST", "/v1/reactions/rules"): "write",
    ("GET", "/v1/reactions/rules/<rule_id>"): "read",
    ("PUT", "/v1/reactions/rules/<rule_id>"): "write",
    ("DELETE", "/v1/reactions/rules/<rule_id>"): "write",
    ("GET", "/v1/presets"): "read",
    ("GET", "/v1/presets/<name>"): "read",
    ("PUT", "/v1/presets/<name>"): "write",
    ("DELETE", "/v1/presets/<name>"): "write",
    ("GET", "/v1/clients"): "read",
    ("GET", "/v1/clients/me"): "read",
    ("GET", "/v1/clients/<client_id>"): "read",
    ("GET", "/v1/clients/<client_id>/events"): "read",
    ("GET", "/v1/clients/me/subscribedevents"): "read",
    ("GET", "/v1/clients/<client_id>/subscribedevents"): "read",
    ("GET", "/v1/clients/me/subscriptions"): "read",
    ("GET", "/v1/clients/<client_id>/subscriptions"): "read",
    ("POST", "/v1/clients/me/subscriptions"): "write",
    ("DELETE", "/v1/clients/me/subscriptions/<subscription_id>"): "write",
}


def test_each_route_declares_the_intended_role(engine):
    declared = {(m, r.path): r.spec.role for r in engine.api.routes for m in r.methods}
    assert declared == INTENDED
