"""Writing line protocol to InfluxDB over HTTP: 1.x ``/write`` and 2.x ``/api/v2/write`` alike.

Both versions take the same body (lines) and answer 204 when every point
was written. A 400 means the points themselves were refused (a field whose
type changed, a partial write): sending them again cannot help, so the
batch is dropped and counted. Anything else (the server down, 401, 404 for
a database not created yet, 5xx) is retried with back-off, so fixing the
server's configuration delivers what waited.
"""

from __future__ import annotations

from typing import Any

from rpymostat.integrations.outbox import Rejected
from rpymostat.integrations.targets import InfluxTarget

__all__ = ["InfluxError", "InfluxWriter"]

MAX_ERROR_TEXT = 300


class InfluxError(Exception):
    """InfluxDB did not take the batch this time; it is sent again later."""


class InfluxWriter:
    """Sends batches of lines with an injected treq ``HTTPClient``."""

    def __init__(self, client: Any, target: InfluxTarget) -> None:
        self._client = client
        self.target = target

    async def __call__(self, lines: list[str]) -> None:
        body = "\n".join(lines).encode("utf-8")
        response = await self._client.post(self.target.url, data=body, headers=self.target.headers)
        text = (await response.text("utf-8"))[:MAX_ERROR_TEXT].strip()
        if response.code in (200, 204):
            return
        if response.code == 400:
            raise Rejected(f"InfluxDB refused the points: {text}")
        raise InfluxError(f"InfluxDB answered {response.code}: {text}" if text else f"InfluxDB answered {response.code}")
