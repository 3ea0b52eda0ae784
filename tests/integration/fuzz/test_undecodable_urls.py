"""Bytes that are not UTF-8 in a URL or Host header get the same JSON 400 as any other bad input.

Schemathesis only generates text, so it cannot send these; the router
used to answer them in plain text.
"""

from __future__ import annotations

from urllib.parse import quote_from_bytes

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rpymostat.testing.processes import http
from tests.integration.fuzz.conftest import FuzzTarget

pytestmark = pytest.mark.slow


def is_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


not_utf8 = st.binary(min_size=1, max_size=16).filter(lambda raw: not is_utf8(raw))
ROUTES = ["/v1/sensors/{}", "/v1/sensors/{}/readings", "/v1/devices/{}", "/v1/keys/{}", "/{}"]


@settings(max_examples=40, derandomize=True, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(route=st.sampled_from(ROUTES), raw=not_utf8)
def test_a_path_that_is_not_utf8_gets_a_json_400(fuzz_target: FuzzTarget, route: str, raw: bytes) -> None:
    path = route.format(quote_from_bytes(raw, safe=""))
    status, body = http("GET", fuzz_target.engine.url + path, key=fuzz_target.admin_key)
    assert (status, body["status"]) == (400, "error"), (path, body)


def test_a_host_header_that_is_not_utf8_gets_a_json_400(fuzz_target: FuzzTarget) -> None:
    status, body = http("GET", fuzz_target.engine.url + "/v1/status", headers={"Host": "th\xe9rmostat"})
    assert (status, body["status"]) == (400, "error"), body
    assert "UTF-8" in body["error"]
