"""A signed command whose JSON nests too deeply is a 400 naming the limit, not a 500, and switches nothing."""

from __future__ import annotations

import pytest_twisted

from rpymostat.common.json_input import MAX_NESTING
from tests.unit.control.daemon_harness import start_daemon


@pytest_twisted.ensureDeferred
async def test_a_deeply_nested_keepalive_is_refused_with_400(pin_factory):
    daemon = start_daemon(pin_factory)
    try:
        for depth in (MAX_NESTING + 1, 20000):
            body = b'{"relays": ' + b"[" * depth + b"]" * depth + b"}"
            answer = await daemon.send("PUT", "/v1/keepalive", body, daemon.sign("PUT", "/v1/keepalive", body))
            assert (answer.code, answer.body) == (
                400, {"status": "error", "error": f"request body is nested more than {MAX_NESTING} arrays and "
                                                  "objects deep", "code": "malformed", "field": None})
        assert not daemon.pin(17)
    finally:
        await daemon.close()
