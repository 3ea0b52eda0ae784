"""What the MongoDB backend does beyond the shared contract.

Each test runs txmongo over a real socket against its own wire-protocol test
server (``tests/support/mongo_server.py``), or against a closed port.
"""

from __future__ import annotations

import socket
import time
import uuid

import pytest
import pytest_twisted
from twisted.internet import reactor
from twisted.internet.defer import inlineCallbacks
from twisted.internet.task import Clock
from txmongo.connection import ConnectionPool

from rpymostat.store.interface import StoreError
from rpymostat.store.mongodb import MongoStore, durable_write_concern
from rpymostat.store.records import ApiKeyRecord, ReadingInput
from tests.support.mongo_server import MongoTestServer

SHORT_TIMEOUT = 0.3


def reading(value=20.0, at=1000.0, key=None, sensor_id="28-0001"):
    return ReadingInput(sensor_id, "DS18B20", value, at, idempotency_key=key)


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    with MongoTestServer() as running:
        yield running


@pytest.fixture(scope="module")
def replica_set_server():
    with MongoTestServer(replica_set="rs0") as running:
        yield running


@pytest.fixture
def database():
    return f"house_{uuid.uuid4().hex}"


def inserts_into(server: MongoTestServer, database: str) -> list[dict]:
    return [command for command in server.received if "insert" in command and command.get("$db") == database]


@inlineCallbacks
def raw(uri: str, use):
    """Run ``use(database)`` on a separate txmongo connection, as an operator would."""
    pool = ConnectionPool(uri)
    try:
        return (yield use(pool.get_default_database()))
    finally:
        yield pool.disconnect()


@inlineCallbacks
def expect_store_error_within(d, seconds):
    started = time.monotonic()
    with pytest.raises(StoreError):
        yield d
    assert time.monotonic() - started < seconds


@pytest_twisted.inlineCallbacks
def test_open_creates_the_indexes(server, database):
    uri = server.uri_for(database)
    store = yield MongoStore.open(uri, reactor)
    yield store.close()
    readings = yield raw(uri, lambda db: db.readings.index_information())
    keys = yield raw(uri, lambda db: db.api_keys.index_information())
    assert list(readings["readings_by_sensor_time"]["key"].items()) == [("sensor_id", 1), ("at", -1), ("_id", -1)]
    unique = readings["readings_idempotency"]
    assert list(unique["key"].items()) == [("sensor_id", 1), ("idempotency_key", 1)]
    assert unique["unique"] is True
    assert unique["partialFilterExpression"] == {"idempotency_key": {"$exists": True}}
    assert "api_keys_by_age" in keys


@pytest_twisted.inlineCallbacks
def test_reopening_an_existing_database_keeps_its_data(server, database):
    uri = server.uri_for(database)
    store = yield MongoStore.open(uri, reactor)
    yield store.record_readings("h", [reading(key="k1"), reading(sensor_id="other")], 1001.0)
    yield store.close()
    again = yield MongoStore.open(uri, reactor)
    try:
        assert [r.value for r in (yield again.list_readings("28-0001", limit=10))] == [20.0]
    finally:
        yield again.close()


@pytest_twisted.inlineCallbacks
def test_the_database_defaults_to_rpymostat(server, database):
    store = yield MongoStore.open(server.uri, reactor)
    yield store.put_setting(database, "C")
    yield store.close()
    value = yield raw(server.uri_for("rpymostat"), lambda db: db.settings.find_one({"_id": database}))
    assert value == {"_id": database, "value": '"C"'}


@pytest_twisted.inlineCallbacks
def test_reading_ids_keep_growing_even_if_the_counter_is_lost(server, database):
    uri = server.uri_for(database)
    store = yield MongoStore.open(uri, reactor)
    yield store.record_readings("h", [reading(at=float(i)) for i in range(3)], 10.0)
    first = [r.reading_id for r in (yield store.list_readings("28-0001", limit=10))]
    yield store.close()
    yield raw(uri, lambda db: db.counters.drop())
    store = yield MongoStore.open(uri, reactor)
    try:
        yield store.record_readings("h", [reading(at=100.0)], 101.0)
        newest = (yield store.list_readings("28-0001", limit=1))[0]
    finally:
        yield store.close()
    assert first == sorted(first, reverse=True)
    assert newest.reading_id > max(first)


@pytest_twisted.inlineCallbacks
def test_replaying_an_update_interrupted_before_the_sensor_was_touched_completes_it(server, database):
    uri = server.uri_for(database)
    store = yield MongoStore.open(uri, reactor)
    try:
        yield store.record_readings("h", [reading(value=18.0, at=1000.0, key="k1")], 1001.0)
        # The reading of the next update got stored, then the engine died before updating the sensor.
        yield raw(uri, lambda db: db.readings.insert_one({
            "_id": 99, "sensor_id": "28-0001", "host_id": "h", "value": 21.0, "at": 2000.0,
            "received_at": 2001.0, "extra": None, "idempotency_key": "k2"}))
        yield store.record_readings("h", [reading(value=21.0, at=2000.0, key="k2")], 2050.0)
        sensor = yield store.get_sensor("28-0001")
        rows = yield store.list_readings("28-0001", limit=10)
    finally:
        yield store.close()
    assert (sensor.last_value, sensor.last_reading_at, sensor.last_seen) == (21.0, 2000.0, 2050.0)
    assert [r.value for r in rows] == [21.0, 18.0]


@pytest_twisted.inlineCallbacks
def test_writes_are_journaled_on_a_standalone_server(server, database):
    store = yield MongoStore.open(server.uri_for(database), reactor)
    yield store.record_readings("h", [reading()], 1001.0)
    yield store.close()
    inserts = inserts_into(server, database)
    assert inserts and all(command["writeConcern"] == {"w": 1, "j": True} for command in inserts)


@pytest_twisted.inlineCallbacks
def test_a_replica_set_uri_connects_and_writes_need_a_journaled_majority(replica_set_server, database):
    uri = replica_set_server.uri_for(database)
    assert "replicaSet=rs0" in uri
    store = yield MongoStore.open(uri, reactor)
    try:
        assert (yield store.ping()) is True
        yield store.record_readings("h", [reading()], 1001.0)
        assert (yield store.get_sensor("28-0001")).last_value == 20.0
    finally:
        yield store.close()
    inserts = inserts_into(replica_set_server, database)
    assert inserts and all(command["writeConcern"] == {"w": "majority", "j": True} for command in inserts)


@pytest_twisted.inlineCallbacks
def test_a_replica_set_name_the_server_does_not_have_is_a_store_error(replica_set_server, database):
    uri = replica_set_server.uri_for(database, replicaSet="elsewhere", timeoutMS=str(int(SHORT_TIMEOUT * 1000)))
    yield expect_store_error_within(MongoStore.open(uri, reactor), SHORT_TIMEOUT + 2)


@pytest_twisted.inlineCallbacks
def test_a_write_concern_in_the_uri_is_used_as_given(server, database):
    store = yield MongoStore.open(server.uri_for(database, w="2", journal="false"), reactor)
    yield store.record_readings("h", [reading()], 1001.0)
    yield store.close()
    inserts = inserts_into(server, database)
    assert inserts and all(command["writeConcern"] == {"w": 2, "j": False} for command in inserts)


def test_write_concern_choice():
    from pymongo.write_concern import WriteConcern

    assert durable_write_concern(WriteConcern(), {"ismaster": True}).document == {"w": 1, "j": True}
    assert durable_write_concern(WriteConcern(), {"setName": "rs0"}).document == {"w": "majority", "j": True}
    assert durable_write_concern(WriteConcern(), {"msg": "isdbgrid"}).document == {"w": "majority", "j": True}
    assert durable_write_concern(WriteConcern(w=3), {"setName": "rs0"}).document == {"w": 3}


@pytest_twisted.inlineCallbacks
def test_a_refused_write_is_a_store_error(server, database):
    store = yield MongoStore.open(server.uri_for(database), reactor)
    try:
        yield store.add_api_key(ApiKeyRecord("k1", "phone", "read", "hash", 10.0))
        with pytest.raises(StoreError):
            yield store.add_api_key(ApiKeyRecord("k1", "tablet", "admin", "other", 11.0))
        assert (yield store.get_api_key("k1")).name == "phone"
    finally:
        yield store.close()


@pytest_twisted.inlineCallbacks
def test_opening_a_closed_port_fails_within_the_configured_timeout():
    uri = f"mongodb://127.0.0.1:{closed_port()}/house?timeoutMS={int(SHORT_TIMEOUT * 1000)}"
    yield expect_store_error_within(MongoStore.open(uri, reactor), SHORT_TIMEOUT + 2)


@pytest_twisted.inlineCallbacks
def test_an_unreachable_server_answers_ping_false_and_fails_every_operation_in_time():
    uri = f"mongodb://127.0.0.1:{closed_port()}/house"
    store = MongoStore(ConnectionPool(uri), "house", reactor, SHORT_TIMEOUT)
    try:
        started = time.monotonic()
        assert (yield store.ping()) is False
        assert time.monotonic() - started < SHORT_TIMEOUT + 2
        started = time.monotonic()
        operations = [
            store.record_readings("h", [reading()], 1001.0),
            store.list_sensors(),
            store.list_readings("28-0001", limit=10),
            store.update_sensor("28-0001", {"name": "hall"}),
            store.get_setting("units"),
            store.put_setting("units", "C"),
            store.add_api_key(ApiKeyRecord("k1", "phone", "read", "hash", 10.0)),
            store.list_api_keys(),
            store.list_devices(),
            store.set_device_status("pi-1", "approved"),
        ]
        for operation in operations:
            with pytest.raises(StoreError):
                yield operation
        assert time.monotonic() - started < SHORT_TIMEOUT + 2
    finally:
        yield store.close()


@pytest_twisted.inlineCallbacks
def test_a_server_that_goes_away_turns_into_ping_false_and_store_errors(database):
    server = MongoTestServer().start()
    store = yield MongoStore.open(server.uri_for(database, timeoutMS=str(int(SHORT_TIMEOUT * 1000))), reactor)
    try:
        assert (yield store.ping()) is True
        server.stop()
        assert (yield store.ping()) is False
        yield expect_store_error_within(store.list_sensors(), SHORT_TIMEOUT + 2)
    finally:
        yield store.close()


@pytest_twisted.inlineCallbacks
def test_the_timeout_runs_on_the_injected_clock():
    clock = Clock()
    store = MongoStore(ConnectionPool(f"mongodb://127.0.0.1:{closed_port()}/house"), "house", clock, 5.0)
    try:
        pending = store.list_sensors()
        clock.advance(4.9)
        assert not pending.called
        clock.advance(0.2)
        assert pending.called
        with pytest.raises(StoreError, match="5 s"):
            yield pending
    finally:
        yield store.close()


@pytest_twisted.inlineCallbacks
def test_a_closed_store_refuses_operations_and_pings_false(server, database):
    store = yield MongoStore.open(server.uri_for(database), reactor)
    yield store.close()
    assert (yield store.ping()) is False
    with pytest.raises(StoreError):
        yield store.list_sensors()
