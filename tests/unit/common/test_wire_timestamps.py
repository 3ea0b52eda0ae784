"""Wire timestamps: every RFC 3339 date-time is read, and every time is written back as RFC 3339."""

from __future__ import annotations

import re

import pytest

from rpymostat.common.timeutil import TimestampError, from_iso, to_iso

RFC3339_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")


@pytest.mark.parametrize("text, written", [
    ("0999-06-01T12:00:00Z", "0999-06-01T12:00:00.000Z"),
    ("0001-01-01T00:00:00Z", "0001-01-01T00:00:00.000Z"),
    ("0042-03-04T05:06:07.5+01:00", "0042-03-04T04:06:07.500Z"),
    ("9999-12-31T23:59:59Z", "9999-12-31T23:59:59.000Z"),
    ("2026-11-23t11:52:56z", "2026-11-23T11:52:56.000Z"),
    ("2016-12-31T23:59:60Z", "2017-01-01T00:00:00.000Z"),
])
def test_a_date_time_before_the_year_1000_or_in_rfc_3339s_other_forms_is_written_back_as_rfc_3339(text, written):
    assert to_iso(from_iso(text)) == written
    assert RFC3339_UTC.match(written)


@pytest.mark.parametrize("text", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:30:00-01:00"])
def test_a_date_time_outside_the_years_1_to_9999_in_utc_is_refused_naming_them(text):
    with pytest.raises(TimestampError, match="falls outside the years 0001 to 9999 in UTC"):
        from_iso(text)
