"""What InfluxDB answers decides a batch's fate: 204 delivered, 400 dropped for good, anything else retried."""

from __future__ import annotations

import pytest
import pytest_twisted
from treq.testing import StubTreq
from twisted.web.resource import Resource

from rpymostat.integrations.influx import InfluxError, InfluxWriter
from rpymostat.integrations.outbox import Rejected
from rpymostat.integrations.targets import influx_target


class Influx(Resource):
    isLeaf = True

    def __init__(self, code: int, answer: bytes = b"") -> None:
        super().__init__()
        self.code = code
        self.answer = answer
        self.bodies: list[bytes] = []

    def render_POST(self, request) -> bytes:  # type: ignore[no-untyped-def]
        self.bodies.append(request.content.read())
        request.setResponseCode(self.code)
        return self.answer


def writer(server: Influx) -> InfluxWriter:
    return InfluxWriter(StubTreq(server), influx_target("http://db.lan:8086/write?db=home", None))


@pytest_twisted.ensureDeferred
async def test_a_written_batch_is_one_request_of_lines():
    server = Influx(204)
    await writer(server)(["a v=1 1", "a v=2 2"])
    assert server.bodies == [b"a v=1 1\na v=2 2"]


@pytest_twisted.ensureDeferred
async def test_points_influxdb_refuses_are_rejected_for_good_with_its_reason():
    with pytest.raises(Rejected, match='field type conflict'):
        await writer(Influx(400, b'{"error":"partial write: field type conflict"}'))(["a v=1 1"])


@pytest.mark.parametrize(("code", "answer"), [(404, b'{"error":"database not found: \\"home\\""}'), (401, b""),
                                              (503, b"overloaded")])
@pytest_twisted.ensureDeferred
async def test_other_answers_are_failures_to_retry_naming_the_code(code, answer):
    with pytest.raises(InfluxError, match=f"InfluxDB answered {code}"):
        await writer(Influx(code, answer))(["a v=1 1"])
