"""Sensor updates signed by a device: accepted when authentic, fresh and new; nothing stored otherwise."""

from __future__ import annotations

import json

import pytest_twisted

from rpymostat.common.signing import new_secret, sign_request
from rpymostat.store.records import DeviceRecord
from tests.support.engine import START

BODY = {"host_id": "pi-kitchen", "sensors": {"28-k": {"type": "DS18B20", "value": 20.5}}}


async def add_device(engine, status="approved", host_id="pi-kitchen"):
    secret = new_secret()
    await engine.store.put_device(DeviceRecord(host_id, "sensor", secret, status, START))
    return secret


async def stored_sensors(engine):
    return (await engine.request("GET", "/v1/sensors", key="read")).json["sensors"]


@pytest_twisted.ensureDeferred
async def test_an_approved_device_with_a_valid_signature_is_accepted(engine):
    secret = await add_device(engine)
    response = await engine.signed("PUT", "/v1/sensors/update", "pi-kitchen", secret, BODY)
    assert response.code == 201, response.text
    assert [s["id"] for s in await stored_sensors(engine)] == ["28-k"]
    device = (await engine.request("GET", "/v1/devices/pi-kitchen", key="read")).json
    assert device["last_seen"] is not None


@pytest_twisted.ensureDeferred
async def test_a_wrong_secret_is_refused(engine):
    await add_device(engine)
    response = await engine.signed("PUT", "/v1/sensors/update", "pi-kitchen", new_secret(), BODY)
    assert response.code == 401
    assert "signature does not match" in response.json["error"]
    assert await stored_sensors(engine) == []


@pytest_twisted.ensureDeferred
async def test_a_tampered_body_is_refused(engine):
    secret = await add_device(engine)
    headers = sign_request("pi-kitchen", secret, "PUT", "/v1/sensors/update", json.dumps(BODY).encode(), START)
    tampered = json.dumps({**BODY, "sensors": {"28-k": {"type": "DS18B20", "value": 35.0}}}).encode()
    response = await engine.request("PUT", "/v1/sensors/update", body=tampered, headers=headers)
    assert response.code == 401
    assert await stored_sensors(engine) == []


@pytest_twisted.ensureDeferred
async def test_a_stale_timestamp_is_refused(engine):
    secret = await add_device(engine)
    window = engine.context.config.signature_window
    for skew in (-window - 5, window + 5):
        response = await engine.signed("PUT", "/v1/sensors/update", "pi-kitchen", secret, BODY, now=START + skew)
        assert response.code == 401
        assert "timestamp" in response.json["error"]
    assert await stored_sensors(engine) == []


@pytest_twisted.ensureDeferred
async def test_a_replayed_nonce_is_refused(engine):
    secret = await add_device(engine)
    body = json.dumps(BODY).encode()
    headers = sign_request("pi-kitchen", secret, "PUT", "/v1/sensors/update", body, START)
    first = await engine.request("PUT", "/v1/sensors/update", body=body, headers=headers)
    assert first.code == 201
    await engine.store.update_sensor("28-k", {"name": "marker"})
    replay = await engine.request("PUT", "/v1/sensors/update", body=body, headers=headers)
    assert replay.code == 401
    assert "replayed" in replay.json["error"]
    readings = (await engine.request("GET", "/v1/sensors/28-k/readings", key="read")).json["readings"]
    assert len(readings) == 1


@pytest_twisted.ensureDeferred
async def test_a_pending_or_rejected_device_is_refused(engine):
    for status in ("pending", "rejected"):
        secret = await add_device(engine, status=status)
        response = await engine.signed("PUT", "/v1/sensors/update", "pi-kitchen", secret, BODY)
        assert response.code == 403
        assert status in response.json["error"]
    assert await stored_sensors(engine) == []


@pytest_twisted.ensureDeferred
async def test_a_device_cannot_report_for_another_host(engine):
    secret = await add_device(engine)
    other = {**BODY, "host_id": "pi-bedroom"}
    response = await engine.signed("PUT", "/v1/sensors/update", "pi-kitchen", secret, other)
    assert response.code == 422
    assert await stored_sensors(engine) == []


@pytest_twisted.ensureDeferred
async def test_an_unknown_device_is_refused(engine):
    response = await engine.signed("PUT", "/v1/sensors/update", "pi-kitchen", new_secret(), BODY)
    assert response.code == 401
    assert "unknown device" in response.json["error"]


@pytest_twisted.ensureDeferred
async def test_device_signatures_do_not_open_other_routes(engine):
    secret = await add_device(engine)
    response = await engine.signed("POST", "/v1/keys", "pi-kitchen", secret, {"name": "x", "role": "admin"})
    assert response.code == 401
    assert len(await engine.store.list_api_keys()) == 4
