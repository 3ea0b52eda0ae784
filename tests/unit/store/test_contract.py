"""The storage contract, run against every backend."""

from __future__ import annotations

import pytest_twisted

from rpymostat.store.records import ApiKeyRecord, DeviceRecord, ReadingInput


def reading(sensor_id="28-0001", value=21.5, at=1000.0, key=None, extra=None):
    return ReadingInput(sensor_id, "DS18B20", value, at, alias=None, extra=extra, idempotency_key=key)


@pytest_twisted.inlineCallbacks
def test_empty_store_answers_ping_and_knows_nothing(open_store):
    store = yield open_store()
    assert (yield store.ping()) is True
    assert (yield store.list_sensors()) == []
    assert (yield store.get_sensor("nope")) is None
    assert (yield store.list_api_keys()) == []
    assert (yield store.list_devices()) == []


@pytest_twisted.inlineCallbacks
def test_an_update_creates_sensors_with_their_last_values(open_store):
    store = yield open_store()
    ids = yield store.record_readings("host1", [reading("a", 20.0), reading("b", None, extra="CRC error")], 1001.0)
    assert ids == ["a", "b"]
    a, b = yield store.list_sensors()
    assert (a.sensor_id, a.host_id, a.last_value, a.last_reading_at, a.last_seen) == ("a", "host1", 20.0, 1000.0, 1001.0)
    assert (b.last_value, b.extra) == (None, "CRC error")


@pytest_twisted.inlineCallbacks
def test_replaying_an_idempotency_key_stores_nothing_twice(open_store):
    store = yield open_store()
    yield store.record_readings("h", [reading(value=20.0, at=1000.0, key="k1")], 1001.0)
    yield store.record_readings("h", [reading(value=20.0, at=1000.0, key="k1")], 1050.0)
    rows = yield store.list_readings("28-0001", limit=10)
    assert len(rows) == 1
    sensor = yield store.get_sensor("28-0001")
    assert sensor.last_seen == 1050.0


@pytest_twisted.inlineCallbacks
def test_an_older_replayed_reading_does_not_replace_the_last_value(open_store):
    store = yield open_store()
    yield store.record_readings("h", [reading(value=22.0, at=2000.0, key="new")], 2001.0)
    yield store.record_readings("h", [reading(value=18.0, at=1000.0, key="old")], 2002.0)
    sensor = yield store.get_sensor("28-0001")
    assert (sensor.last_value, sensor.last_reading_at) == (22.0, 2000.0)
    rows = yield store.list_readings("28-0001", limit=10)
    assert [r.value for r in rows] == [22.0, 18.0]


@pytest_twisted.inlineCallbacks
def test_readings_page_newest_first_with_bounds(open_store):
    store = yield open_store()
    yield store.record_readings("h", [reading(value=float(i), at=1000.0 + i, key=str(i)) for i in range(10)], 2000.0)
    newest = yield store.list_readings("28-0001", limit=3)
    assert [r.value for r in newest] == [9.0, 8.0, 7.0]
    second_page = yield store.list_readings("28-0001", limit=3, offset=3)
    assert [r.value for r in second_page] == [6.0, 5.0, 4.0]
    window = yield store.list_readings("28-0001", limit=100, before=1005.0, after=1001.0)
    assert [r.value for r in window] == [4.0, 3.0, 2.0]
    assert (yield store.list_readings("other", limit=10)) == []


@pytest_twisted.inlineCallbacks
def test_user_fields_of_a_sensor_can_be_changed(open_store):
    store = yield open_store()
    yield store.record_readings("h", [reading()], 1001.0)
    changed = yield store.update_sensor("28-0001", {"name": "Living room", "room": "living", "hidden": True})
    assert (changed.name, changed.room, changed.hidden) == ("Living room", "living", True)
    yield store.record_readings("h", [reading(at=1100.0)], 1101.0)
    again = yield store.get_sensor("28-0001")
    assert (again.name, again.room, again.hidden) == ("Living room", "living", True)
    assert (yield store.update_sensor("unknown", {"name": "x"})) is None


@pytest_twisted.inlineCallbacks
def test_api_keys_are_listed_and_revoked_once(open_store):
    store = yield open_store()
    yield store.add_api_key(ApiKeyRecord("k1", "phone", "read", "hash1", 10.0))
    yield store.add_api_key(ApiKeyRecord("k2", "admin", "admin", "hash2", 20.0))
    assert [k.key_id for k in (yield store.list_api_keys())] == ["k1", "k2"]
    assert (yield store.revoke_api_key("k1", 30.0)) is True
    assert (yield store.revoke_api_key("k1", 31.0)) is False
    assert (yield store.revoke_api_key("missing", 31.0)) is False
    key = yield store.get_api_key("k1")
    assert (key.role, key.key_hash, key.revoked_at) == ("read", "hash1", 30.0)


@pytest_twisted.inlineCallbacks
def test_devices_are_stored_approved_and_touched(open_store):
    store = yield open_store()
    yield store.put_device(DeviceRecord("pi-1", "sensor", "s3cret", "pending", 10.0))
    assert (yield store.set_device_status("pi-1", "approved")) is True
    assert (yield store.set_device_status("ghost", "approved")) is False
    yield store.touch_device("pi-1", 50.0, {"hostname": "kitchen"})
    yield store.touch_device("pi-1", 60.0)
    device = yield store.get_device("pi-1")
    assert (device.status, device.secret, device.last_seen, device.info) == ("approved", "s3cret", 60.0,
                                                                            {"hostname": "kitchen"})
    assert [d.host_id for d in (yield store.list_devices())] == ["pi-1"]
    assert (yield store.delete_device("pi-1")) is True
    assert (yield store.delete_device("pi-1")) is False
    assert (yield store.get_device("pi-1")) is None


@pytest_twisted.inlineCallbacks
def test_settings_round_trip_json(open_store):
    store = yield open_store()
    assert (yield store.get_setting("units")) is None
    yield store.put_setting("units", {"display": "F"})
    yield store.put_setting("units", {"display": "C"})
    assert (yield store.get_setting("units")) == {"display": "C"}


@pytest_twisted.inlineCallbacks
def test_documents_are_stored_listed_replaced_and_deleted_per_collection(open_store):
    store = yield open_store()
    yield store.put_document("schedules", "b", {"cron": "0 6 * * *", "heat": 21.0})
    yield store.put_document("schedules", "a", {"cron": "0 22 * * *"})
    yield store.put_document("relays", "a", {"function": "heat"})
    yield store.put_document("schedules", "b", {"cron": "30 6 * * *", "nested": {"list": [1, None, "x"]}})
    assert (yield store.list_documents("schedules")) == [
        ("a", {"cron": "0 22 * * *"}), ("b", {"cron": "30 6 * * *", "nested": {"list": [1, None, "x"]}})]
    assert (yield store.get_document("relays", "a")) == {"function": "heat"}
    assert (yield store.get_document("relays", "b")) is None
    assert (yield store.delete_document("schedules", "a")) is True
    assert (yield store.delete_document("schedules", "a")) is False
    assert [i for i, _ in (yield store.list_documents("schedules"))] == ["b"]
    assert [i for i, _ in (yield store.list_documents("relays"))] == ["a"]


@pytest_twisted.inlineCallbacks
def test_logs_append_with_growing_ids_and_filter_by_time_and_id(open_store):
    store = yield open_store()
    ids = []
    for i in range(6):
        stream = "decisions" if i % 2 == 0 else "events"
        ids.append((yield store.append_log(stream, 1000.0 + i, {"n": i})))
    assert ids == sorted(ids) and len(set(ids)) == 6
    newest = yield store.list_log("decisions", limit=10)
    assert [e.data["n"] for e in newest] == [4, 2, 0]
    assert all(e.stream == "decisions" for e in newest)
    oldest_first = yield store.list_log("decisions", limit=2, newest_first=False)
    assert [e.data["n"] for e in oldest_first] == [0, 2]
    assert [e.data["n"] for e in (yield store.list_log("decisions", limit=10, offset=1))] == [2, 0]
    window = yield store.list_log("decisions", limit=10, before=1004.0, after=1000.0)
    assert [e.data["n"] for e in window] == [2]
    since = yield store.list_log("events", limit=10, after_id=ids[1], newest_first=False)
    assert [e.data["n"] for e in since] == [3, 5]
    assert (yield store.prune_log("decisions", 1003.0)) == 2
    assert [e.data["n"] for e in (yield store.list_log("decisions", limit=10))] == [4]
    assert len((yield store.list_log("events", limit=10))) == 3
