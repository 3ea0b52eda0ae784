"""Merging buckets gives what computing from the raw readings gives."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from rpymostat.history.aggregate import readings_as_rows, regroup
from rpymostat.history.levels import bucket_start

readings_strategy = st.lists(st.tuples(st.sampled_from(["a", "b"]), st.integers(0, 20000).map(float),
                                       st.one_of(st.none(), st.integers(-320, 640).map(lambda v: v / 16))),
                             max_size=200)


@given(readings=readings_strategy)
def test_regrouping_five_minute_buckets_equals_hourly_buckets_from_raw(readings):
    rows = readings_as_rows(readings)
    via_five = regroup([(p.sensor_id, p.at, p.count, p.total, p.minimum, p.maximum)
                        for p in regroup(rows, 300)], 3600)
    assert via_five == regroup(rows, 3600)
    for point in via_five:
        values = [v for s, at, v in readings if s == point.sensor_id and v is not None
                  and bucket_start(at, 3600) == point.at]
        assert (point.count, point.minimum, point.maximum) == (len(values), min(values), max(values))
        assert point.mean == sum(values) / len(values)


def test_null_readings_make_no_bucket():
    assert regroup(readings_as_rows([("a", 10.0, None)]), 300) == []
