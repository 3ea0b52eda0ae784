"""The storage contract, run against every backend."""

from __future__ import annotations

import pytest
import pytest_twisted
from twisted.internet.defer import inlineCallbacks

from rpymostat.store.interface import LastAdminKeyError
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
def test_recent_readings_of_several_sensors_come_in_one_call(open_store):
    store = yield open_store()
    yield store.record_readings("h", [reading("a", 1.0, at=1000.0), reading("b", None, at=1001.0),
                                      reading("c", 3.0, at=1002.0)], 1003.0)
    yield store.record_readings("h", [reading("a", 2.0, at=900.0)], 1004.0)
    rows = yield store.recent_readings(["a", "b", "missing"], 950.0)
    assert sorted((r.sensor_id, r.value, r.at) for r in rows) == [("a", 1.0, 1000.0), ("b", None, 1001.0)]
    assert (yield store.recent_readings([], 0.0)) == []


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
def test_a_sensor_marked_outdoor_stays_outdoor_until_unmarked(open_store):
    store = yield open_store()
    yield store.record_readings("h", [reading("garden"), reading("hall")], 1001.0)
    assert [s.outdoor for s in (yield store.list_sensors())] == [False, False]
    marked = yield store.update_sensor("garden", {"outdoor": True})
    assert marked.outdoor is True
    yield store.record_readings("h", [reading("garden", at=1100.0)], 1101.0)
    assert {s.sensor_id: s.outdoor for s in (yield store.list_sensors())} == {"garden": True, "hall": False}
    assert (yield store.get_sensor("garden")).outdoor is True
    unmarked = yield store.update_sensor("garden", {"outdoor": False, "name": "Garden"})
    assert (unmarked.outdoor, unmarked.name) == (False, "Garden")


@pytest_twisted.inlineCallbacks
def test_a_deleted_sensor_goes_with_its_readings_and_rollups(open_store):
    store = yield open_store()
    yield store.record_readings("h", [reading("retired", at=1000.0, key="1"), reading("kept", at=1000.0, key="2")], 1001.0)
    assert (yield store.delete_sensor("retired")) is True
    assert [s.sensor_id for s in (yield store.list_sensors())] == ["kept"]
    assert (yield store.list_readings("retired", limit=10)) == []
    assert (yield all_levels(store, "retired", 0.0, 10**6)) == {300: [], 3600: [], 86400: []}
    assert all((yield all_levels(store, "kept", 0.0, 10**6)).values()), "the other sensor keeps its history"
    assert len((yield store.list_readings("kept", limit=10))) == 1
    assert (yield store.delete_sensor("retired")) is False


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
def test_the_last_live_admin_key_is_never_revoked(open_store):
    store = yield open_store()
    yield store.add_api_key(ApiKeyRecord("a1", "first admin", "admin", "hash1", 10.0))
    yield store.add_api_key(ApiKeyRecord("a2", "second admin", "admin", "hash2", 20.0))
    yield store.add_api_key(ApiKeyRecord("w1", "writer", "write", "hash3", 30.0))
    assert (yield store.revoke_api_key("a1", 40.0)) is True
    with pytest.raises(LastAdminKeyError):
        yield store.revoke_api_key("a2", 41.0)
    assert (yield store.get_api_key("a2")).revoked_at is None
    assert (yield store.revoke_api_key("w1", 42.0)) is True
    assert (yield store.revoke_api_key("a1", 43.0)) is False


@pytest_twisted.inlineCallbacks
def test_devices_are_stored_approved_and_touched(open_store):
    store = yield open_store()
    yield store.put_device(DeviceRecord("pi-1", "sensor", "s3cret", "pending", 10.0))
    assert (yield store.set_device_status("pi-1", "approved")) is True
    assert (yield store.set_device_status("ghost", "approved")) is False
    yield store.touch_device("pi-1", 50.0, {"hostname": "kitchen"})
    yield store.touch_device("pi-1", 60.0, url="http://10.0.0.7:8089")
    device = yield store.get_device("pi-1")
    assert (device.status, device.secret, device.last_seen, device.info, device.url) == (
        "approved", "s3cret", 60.0, {"hostname": "kitchen"}, "http://10.0.0.7:8089")
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


@pytest_twisted.inlineCallbacks
def test_entries_appended_together_get_growing_ids_in_their_order(open_store):
    store = yield open_store()
    alone = yield store.append_log("decisions", 1000.0, {"n": 0})
    together = yield store.append_logs([("decisions", 1001.0, {"n": 1}), ("changes", 1001.0, {"n": 2})])
    assert len(together) == 2 and alone < together[0] < together[1]
    assert (yield store.append_logs([])) == []
    after = yield store.append_log("changes", 1002.0, {"n": 3})
    assert after > together[1]
    assert [(e.entry_id, e.at, e.data) for e in (yield store.list_log("changes", 10, newest_first=False))] == [
        (together[1], 1001.0, {"n": 2}), (after, 1002.0, {"n": 3})]
    assert [e.entry_id for e in (yield store.list_log("decisions", 10))] == [together[0], alone]


@pytest_twisted.inlineCallbacks
def test_logs_page_below_an_id_and_trim_to_the_newest_entries(open_store):
    store = yield open_store()
    ids = []
    for i in range(6):
        stream = "device_events" if i % 2 == 0 else "other"
        ids.append((yield store.append_log(stream, 1000.0 + i, {"n": i})))
    below = yield store.list_log("device_events", limit=10, before_id=ids[4])
    assert [e.data["n"] for e in below] == [2, 0]
    between = yield store.list_log("device_events", limit=10, after_id=ids[0], before_id=ids[4])
    assert [e.data["n"] for e in between] == [2]
    assert (yield store.trim_log("device_events", 5)) == 0
    assert (yield store.trim_log("device_events", 1)) == 2
    assert [e.data["n"] for e in (yield store.list_log("device_events", limit=10))] == [4]
    assert len((yield store.list_log("other", limit=10))) == 3


# History: rollups kept in step with readings, read back per level, pruned.

HOUR = 3600


def history_tuples(points):
    return [(p.sensor_id, p.at, p.count, p.total, p.minimum, p.maximum) for p in points]


@inlineCallbacks
def all_levels(store, sensor_id, start, end):
    found = {}
    for level in (300, 3600, 86400):
        found[level] = history_tuples((yield store.read_history([sensor_id], level, start, end, level)))
    return found


@pytest_twisted.inlineCallbacks
def test_each_reading_is_counted_in_its_bucket_at_every_level(open_store):
    store = yield open_store()
    base = 1_790_000_000 - 1_790_000_000 % 86400
    yield store.record_readings("h", [reading("a", 20.0, base + 10, "1"), reading("a", 22.0, base + 100, "2"),
                                      reading("a", 30.0, base + 400, "3"), reading("b", 5.0, base + 10, "4")],
                                base + 500)
    for level, expected_a in ((300, [(base, 2, 42.0, 20.0, 22.0), (base + 300, 1, 30.0, 30.0, 30.0)]),
                              (3600, [(base, 3, 72.0, 20.0, 30.0)]), (86400, [(base, 3, 72.0, 20.0, 30.0)])):
        points = yield store.read_history(["a"], level, base, base + 86400, level)
        assert [(p.at, p.count, p.total, p.minimum, p.maximum) for p in points] == expected_a, level


@pytest_twisted.inlineCallbacks
def test_a_replayed_reading_does_not_change_the_rollups(open_store):
    store = yield open_store()
    batch = [reading("a", 20.5, 1_000_000.0 + i * 60, f"k{i}") for i in range(10)]
    yield store.record_readings("h", batch, 1_000_700.0)
    before = yield all_levels(store, "a", 999_000.0, 1_090_000.0)
    yield store.record_readings("h", batch[3:], 1_000_800.0)
    after = yield all_levels(store, "a", 999_000.0, 1_090_000.0)
    assert after == before
    assert sum(p[2] for p in after[86400]) == 10


@pytest_twisted.inlineCallbacks
def test_late_readings_land_in_their_own_buckets_and_nulls_count_for_nothing(open_store):
    store = yield open_store()
    yield store.record_readings("h", [reading("a", 21.0, 2 * HOUR + 5, "new")], 2 * HOUR + 6)
    yield store.record_readings("h", [reading("a", 19.0, 5.0, "spooled"), reading("a", None, 7.0, "broken")],
                                2 * HOUR + 9)
    points = yield store.read_history(["a"], HOUR, 0.0, 3 * HOUR, HOUR)
    assert history_tuples(points) == [("a", 0.0, 1, 19.0, 19.0, 19.0), ("a", 2.0 * HOUR, 1, 21.0, 21.0, 21.0)]


@pytest_twisted.inlineCallbacks
def test_history_merges_a_level_into_coarser_buckets_per_sensor(open_store):
    store = yield open_store()
    readings = [reading(s, float(i % 7), 600.0 * i + 1, f"{s}{i}") for s in ("b", "a") for i in range(12)]
    yield store.record_readings("h", readings, 9000.0)
    points = yield store.read_history(["a", "b"], 300, 0.0, 7200.0, 1800)
    assert [(p.sensor_id, p.at, p.count) for p in points] == [
        (s, float(b), 3) for s in ("a", "b") for b in (0, 1800, 3600, 5400)]
    first = points[0]
    assert (first.minimum, first.maximum, first.mean) == (0.0, 2.0, 1.0)
    only_b = yield store.read_history(["b"], 300, 1800.0, 3600.0, 1800)
    assert [(p.sensor_id, p.at) for p in only_b] == [("b", 1800.0)]


@pytest_twisted.inlineCallbacks
def test_history_reads_raw_readings_at_any_step(open_store):
    store = yield open_store()
    yield store.record_readings("h", [reading("a", v, at, str(at)) for v, at in
                                      ((20.0, 100.0), (22.0, 150.0), (None, 170.0), (30.0, 250.0))], 300.0)
    points = yield store.read_history(["a"], 0, 100.0, 300.0, 90)
    assert history_tuples(points) == [("a", 90.0, 2, 42.0, 20.0, 22.0), ("a", 180.0, 1, 30.0, 30.0, 30.0)]
    assert (yield store.read_history([], 0, 0.0, 300.0, 60)) == []


@pytest_twisted.inlineCallbacks
def test_pruning_drops_old_raw_readings_but_keeps_their_rollups(open_store):
    store = yield open_store()
    yield store.record_readings("h", [reading("a", float(i), i * HOUR + 1.0, str(i)) for i in range(5)], 5 * HOUR)
    assert (yield store.prune_readings(2 * HOUR)) == 2
    rows = yield store.list_readings("a", limit=10)
    assert [r.at for r in rows] == [4 * HOUR + 1.0, 3 * HOUR + 1.0, 2 * HOUR + 1.0]
    hourly = yield store.read_history(["a"], HOUR, 0.0, 5 * HOUR, HOUR)
    assert [p.count for p in hourly] == [1] * 5
    raw = yield store.read_history(["a"], 0, 0.0, 5 * HOUR, HOUR)
    assert [p.at for p in raw] == [2.0 * HOUR, 3.0 * HOUR, 4.0 * HOUR]


@pytest_twisted.inlineCallbacks
def test_pruning_a_level_drops_only_its_buckets_that_ended(open_store):
    store = yield open_store()
    yield store.record_readings("h", [reading("a", 1.0, at, str(at)) for at in (10.0, 400.0, 3700.0)], 4000.0)
    assert (yield store.prune_rollups(300, 599.0)) == 1
    five = yield store.read_history(["a"], 300, 0.0, 4000.0, 300)
    assert [p.at for p in five] == [300.0, 3600.0]
    hourly = yield store.read_history(["a"], HOUR, 0.0, 4000.0, HOUR)
    assert [p.count for p in hourly] == [2, 1]
