"""Delivering spooled input events to the engine's ``POST /v1/events``, oldest first, each once.

An event leaves the spool only when the engine has kept it (201, or 200 for
a replay of its idempotency key after a lost answer). One the engine will
never take is dropped alone and logged, so it cannot block the ones after it.
"""

from __future__ import annotations

from twisted.logger import Logger

from rpymostat.common.delivery import NEVER_ACCEPTED, EngineUnavailable, NotAuthorised
from rpymostat.common.http import SignedJsonClient
from rpymostat.common.timeutil import to_iso
from rpymostat_sensor.event_spool import EventSpool

log = Logger()

EVENTS_PATH = "/v1/events"
BATCH = 50


class EventPusher:
    def __init__(self, spool: EventSpool, client: SignedJsonClient) -> None:
        self._spool = spool
        self._client = client
        self.delivered = 0

    async def deliver(self, engine_url: str) -> int:
        """Send every spooled event; raises like :meth:`rpymostat_sensor.pusher.Pusher.deliver`."""
        delivered = 0
        while True:
            waiting = await self._spool.peek(BATCH)
            if not waiting:
                return delivered
            for spooled in waiting:
                event = spooled.event
                body = {"device": event.device, "location": event.location, "action": event.action,
                        "value": event.value, "at": to_iso(event.at), "idempotency_key": event.key}
                response = await self._client.request("POST", engine_url, EVENTS_PATH, body)
                if response.code in (200, 201):
                    delivered += 1
                    self.delivered += 1
                elif response.code in NEVER_ACCEPTED:
                    log.error("the engine refused the event {device} {location} {value} ({error}); it was dropped",
                              device=event.device, location=event.location, value=event.value,
                              error=response.error)
                elif response.code in (401, 403):
                    raise NotAuthorised(response.error)
                else:
                    raise EngineUnavailable(f"HTTP {response.code}: {response.error}")
                await self._spool.ack([spooled.entry_id])
