"""Answers carry their length: a keep-alive client reads each one whole, with no chunked framing to undo."""

from __future__ import annotations

import json

import pytest
import pytest_twisted

from tests.support.raw_http import connect, wait_until


def request(method: str, path: str, key: str, body: bytes = b"") -> bytes:
    head = (f"{method} {path} HTTP/1.1\r\nHost: engine\r\nAuthorization: Bearer {key}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n")
    return head.encode() + body


@pytest.mark.listening
@pytest_twisted.ensureDeferred
async def test_an_update_an_error_and_a_read_are_answered_with_a_content_length_not_in_chunks(engine):
    update = json.dumps({"host_id": "h", "sensors": {"28-a": {"type": "DS18B20", "value": 20.5}}}).encode()
    client = await connect(int(engine.url.rsplit(":", 1)[1]))
    client.send(request("PUT", "/v1/sensors/update", engine.keys["write"], update))
    client.send(request("PUT", "/v1/sensors/update", engine.keys["write"], b"{}"))
    client.send(request("GET", "/v1/sensors/28-a", engine.keys["read"]))
    answers: list[tuple[int, bytes]] = []

    def read_all() -> bool:
        answers.clear()
        rest = client.received
        while b"\r\n\r\n" in rest:
            head, rest = rest.split(b"\r\n\r\n", 1)
            fields = dict(line.split(b": ", 1) for line in head.lower().split(b"\r\n")[1:])
            assert b"transfer-encoding" not in fields
            length = int(fields[b"content-length"])
            if len(rest) < length:
                return False
            answers.append((int(head.split(b" ")[1]), rest[:length]))
            rest = rest[length:]
        return len(answers) == 3

    await wait_until(read_all, what="three whole answers")
    client.hang_up()
    assert [code for code, _ in answers] == [201, 422, 200]
    assert json.loads(answers[2][1])["value"] == 20.5
