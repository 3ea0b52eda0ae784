"""API keys are read from the database at most once per cache period, and revocation still bites.

``rpymostat-keys`` revokes by writing the database from another process;
here that is the store written directly, behind the API's back.
"""

from __future__ import annotations

import pytest_twisted
from twisted.internet.defer import Deferred
from twisted.internet.task import Clock

from rpymostat.security.keys import KEY_CACHE_SECONDS, LiveKeyCache, new_api_key, split_key
from rpymostat.store.records import ApiKeyRecord

SEED_UPDATE = {"host_id": "pi-kitchen", "sensors": {"28-0315a8b6b2ff": {"type": "DS18B20", "value": 21.5}}}


def key_id(text: str) -> str:
    parts = split_key(text)
    assert parts is not None
    return parts[0]


async def status_with(engine, key: str) -> int:
    return (await engine.request("GET", "/v1/sensors", key=key)).code


@pytest_twisted.ensureDeferred
async def test_a_key_revoked_by_another_process_stops_working_within_the_cache_period(engine):
    assert (await engine.request("PUT", "/v1/sensors/update", json=SEED_UPDATE, key="write")).code == 201
    await engine.store.revoke_api_key(key_id(engine.keys["write"]), engine.clock.seconds())
    assert await status_with(engine, "write") == 200
    engine.clock.advance(KEY_CACHE_SECONDS)
    assert await status_with(engine, "write") == 401
    assert (await engine.request("PUT", "/v1/sensors/update", json=SEED_UPDATE, key="write")).code == 401


@pytest_twisted.ensureDeferred
async def test_a_key_revoked_through_the_api_stops_working_at_once(engine):
    created = await engine.request("POST", "/v1/keys", json={"name": "tablet", "role": "write"}, key="admin")
    tablet = created.json["key"]
    assert (await engine.request("PUT", "/v1/sensors/update", json=SEED_UPDATE, key=tablet)).code == 201
    assert (await engine.request("DELETE", f"/v1/keys/{created.json['id']}", key="admin")).code == 200
    assert (await engine.request("PUT", "/v1/sensors/update", json=SEED_UPDATE, key=tablet)).code == 401
    assert await status_with(engine, tablet) == 401


@pytest_twisted.ensureDeferred
async def test_a_cached_key_with_the_wrong_secret_is_refused(engine):
    assert await status_with(engine, "read") == 200
    forged = f"rpm_{key_id(engine.keys['read'])}_not-the-secret"
    assert await status_with(engine, forged) == 401
    assert await status_with(engine, "read") == 200


@pytest_twisted.ensureDeferred
async def test_a_refused_key_is_not_remembered_so_a_key_made_elsewhere_works_at_once(engine):
    text, record = new_api_key("made by rpymostat-keys", "read", engine.clock.seconds())
    assert await status_with(engine, text) == 401
    await engine.store.add_api_key(record)
    assert await status_with(engine, text) == 200


class ControlledKeys:
    """A store double whose key reads answer only when the test says so."""

    def __init__(self) -> None:
        self.reads: list[Deferred[ApiKeyRecord | None]] = []

    def get_api_key(self, key_id: str) -> Deferred[ApiKeyRecord | None]:
        self.reads.append(Deferred())
        return self.reads[-1]


@pytest_twisted.ensureDeferred
async def test_a_read_in_flight_when_keys_change_is_not_kept():
    store = ControlledKeys()
    cache = LiveKeyCache(store, Clock(), ttl=10.0)  # type: ignore[arg-type]
    text, record = new_api_key("tablet", "read", 0.0)
    in_flight = Deferred.fromCoroutine(cache.find(text))
    cache.forget_all()
    store.reads[0].callback(record)
    assert await in_flight == record
    again = Deferred.fromCoroutine(cache.find(text))
    assert len(store.reads) == 2
    store.reads[1].callback(record)
    assert await again == record
    assert await Deferred.fromCoroutine(cache.find(text)) == record
    assert len(store.reads) == 2
