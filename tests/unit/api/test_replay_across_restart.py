"""A signed request captured before the engine restarted is refused after it, even within the window.

The nonces an engine has seen live in its memory only; what keeps a
replay out after a restart is that the new process refuses every signature
made before it started. A device signing anew is accepted at once.
"""

from __future__ import annotations

import json
from dataclasses import replace

import pytest_twisted

from rpymostat.common.signing import new_secret, sign_request
from rpymostat.engine.api.build import build_api
from rpymostat.engine.context import EngineContext
from rpymostat.store.opening import open_store
from rpymostat.store.records import DeviceRecord
from tests.support.engine import START, in_memory_client, start_engine

UPDATE = "/v1/sensors/update"
BODY = json.dumps({"host_id": "pi-kitchen", "sensors": {"28-k": {"type": "DS18B20", "value": 20.5}}}).encode()
RESTART_TAKES = 5.0


async def restart(engine):
    """Close the database, and start a new API over the same file a few seconds later."""
    await engine.close()
    engine.clock.advance(RESTART_TAKES)
    store = await open_store(engine.context.config.db_uri)
    context = EngineContext(store, engine.clock, engine.context.config)
    api = build_api(context)
    return replace(engine, context=context, api=api, client=in_memory_client(api.resource()))


async def readings(engine):
    return (await engine.request("GET", "/v1/sensors/28-k/readings", key="read")).json["readings"]


@pytest_twisted.ensureDeferred
async def test_a_sensor_update_replayed_after_a_restart_is_refused_and_stored_once(tmp_path):
    engine = await start_engine(tmp_path)
    secret = new_secret()
    await engine.store.put_device(DeviceRecord("pi-kitchen", "sensor", secret, "approved", START))
    captured = sign_request("pi-kitchen", secret, "PUT", UPDATE, BODY, START)
    assert (await engine.request("PUT", UPDATE, body=BODY, headers=captured)).code == 201

    engine = await restart(engine)
    try:
        replayed = await engine.request("PUT", UPDATE, body=BODY, headers=captured)
        assert replayed.code == 401
        assert "before the receiver last started" in replayed.json["error"]
        assert len(await readings(engine)) == 1

        fresh = await engine.signed("PUT", "/v1/sensors/update", "pi-kitchen", secret, json.loads(BODY))
        assert fresh.code == 201, fresh.text
        assert len(await readings(engine)) == 2
    finally:
        await engine.close()


@pytest_twisted.ensureDeferred
async def test_a_registration_replayed_after_a_restart_changes_nothing(tmp_path):
    engine = await start_engine(tmp_path)
    secret = new_secret()
    body = json.dumps({"host_id": "pi-attic", "kind": "sensor", "secret": secret,
                       "url": "http://10.0.0.9:8089"}).encode()
    captured = sign_request("pi-attic", secret, "POST", "/v1/devices/register", body, START)
    assert (await engine.request("POST", "/v1/devices/register", body=body, headers=captured)).code == 202

    engine = await restart(engine)
    try:
        replayed = await engine.request("POST", "/v1/devices/register", body=body, headers=captured)
        assert replayed.code == 401
        device = await engine.store.get_device("pi-attic")
        assert device.last_seen == START
    finally:
        await engine.close()
