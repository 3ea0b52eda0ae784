"""Device enrolment: register as pending, approval by an admin, and the ways it is refused."""

from __future__ import annotations

import json

import pytest_twisted

from rpymostat.common.signing import fingerprint, new_secret, sign_request
from rpymostat.store.records import DeviceRecord
from tests.support.engine import START


def registration(host_id="pi-hall", secret=None, **extra):
    return {"host_id": host_id, "kind": "sensor", "secret": secret or new_secret(), **extra}


async def register(engine, body):
    return await engine.signed("POST", "/v1/devices/register", body["host_id"], body["secret"], body)


@pytest_twisted.ensureDeferred
async def test_a_new_device_waits_pending_until_an_admin_approves_it(engine):
    body = registration(info={"hostname": "hall"})
    response = await register(engine, body)
    assert response.code == 202
    assert response.json["status"] == "pending"
    assert response.json["fingerprint"] == fingerprint(body["secret"])
    assert "secret" not in response.text.lower().replace('"fingerprint"', "")
    update = {"host_id": "pi-hall", "sensors": {"28-h": {"type": "DS18B20", "value": 19.0}}}
    refused = await engine.signed("PUT", "/v1/sensors/update", "pi-hall", body["secret"], update)
    assert refused.code == 403
    approved = await engine.request("POST", "/v1/devices/pi-hall/approve", key="admin")
    assert approved.json["status"] == "approved"
    again = await register(engine, body)
    assert again.code == 200
    accepted = await engine.signed("PUT", "/v1/sensors/update", "pi-hall", body["secret"], update)
    assert accepted.code == 201


@pytest_twisted.ensureDeferred
async def test_registration_must_be_signed_with_the_secret_it_carries(engine):
    body = registration()
    raw = json.dumps(body).encode()
    headers = sign_request("pi-hall", new_secret(), "POST", "/v1/devices/register", raw, engine.clock.seconds())
    response = await engine.request("POST", "/v1/devices/register", body=raw, headers=headers)
    assert response.code == 401
    unsigned = await engine.request("POST", "/v1/devices/register", json=body)
    assert unsigned.code == 401
    assert (await engine.request("GET", "/v1/devices", key="read")).json == {"devices": []}


@pytest_twisted.ensureDeferred
async def test_a_second_secret_for_a_known_host_is_refused(engine):
    assert (await register(engine, registration())).code == 202
    response = await register(engine, registration())
    assert response.code == 409


@pytest_twisted.ensureDeferred
async def test_a_rejected_device_stays_rejected(engine):
    body = registration()
    await register(engine, body)
    await engine.request("POST", "/v1/devices/pi-hall/reject", key="admin")
    response = await register(engine, body)
    assert response.code == 403
    listed = (await engine.request("GET", "/v1/devices", key="read")).json["devices"]
    assert [d["status"] for d in listed] == ["rejected"]


@pytest_twisted.ensureDeferred
async def test_deleting_a_device_forgets_its_secret(engine):
    await register(engine, registration())
    assert (await engine.request("DELETE", "/v1/devices/pi-hall", key="admin")).code == 200
    assert (await engine.request("GET", "/v1/devices/pi-hall", key="read")).code == 404
    assert (await register(engine, registration())).code == 202


@pytest_twisted.ensureDeferred
async def test_approving_an_unknown_device_is_a_404(engine):
    response = await engine.request("POST", "/v1/devices/ghost/approve", key="admin")
    assert response.code == 404
    assert "ghost" in response.json["error"]


@pytest_twisted.ensureDeferred
async def test_an_approval_given_while_the_device_registers_again_is_kept(engine, monkeypatch):
    """A pending daemon re-registers often; the admin's click must not be lost in between."""
    body = registration()
    await register(engine, body)
    store = engine.store
    read_device = store.get_device

    async def approved_right_after_the_read(host_id):
        device = await read_device(host_id)
        monkeypatch.setattr(store, "get_device", read_device)
        await store.set_device_status(host_id, "approved")
        return device

    monkeypatch.setattr(store, "get_device", approved_right_after_the_read)
    again = await register(engine, {**body, "url": "http://10.0.0.7:8089"})
    assert again.code == 200
    assert again.json["status"] == "approved"
    device = await store.get_device("pi-hall")
    assert (device.status, device.url) == ("approved", "http://10.0.0.7:8089")


@pytest_twisted.ensureDeferred
async def test_a_secret_made_for_the_other_kind_is_refused_with_the_fix_and_changes_nothing(engine):
    secret = new_secret()
    await engine.store.put_device(DeviceRecord("boiler-pi", "sensor", secret, "approved", START))
    body = {"host_id": "boiler-pi", "kind": "control", "secret": secret, "url": "http://10.0.0.7:8089"}

    answer = await engine.signed("POST", "/v1/devices/register", "boiler-pi", secret, body)

    assert answer.code == 409
    assert answer.json["registered_kind"] == "sensor"
    assert "rpymostat-keys device boiler-pi --kind control --replace" in answer.json["error"]
    device = await engine.store.get_device("boiler-pi")
    assert (device.kind, device.url, device.last_seen) == ("sensor", None, None)
