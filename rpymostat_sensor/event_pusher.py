"""Delivering spooled input events to the engine's ``POST /v1/events``, oldest first, each once.

An event leaves the spool only when the engine has kept it (201, or 200 for
a replay of its idempotency key after a lost answer). One the engine will
never take is dropped alone and logged, so it cannot block the ones after it:
the device toolkit's delivery loop, one event a request.
"""

from __future__ import annotations

from collections.abc import Sequence

from rpymostat.common.delivery import SpoolDelivery
from rpymostat.common.http import JsonResponse, SignedJsonClient
from rpymostat.common.timeutil import to_iso
from rpymostat_sensor.event_spool import EventSpool, SpooledEvent

EVENTS_PATH = "/v1/events"


class EventPusher:
    def __init__(self, spool: EventSpool, client: SignedJsonClient) -> None:
        self._client = client
        self._url = ""
        self._delivery: SpoolDelivery[SpooledEvent] = SpoolDelivery(
            peek=spool.peek, send=self._send, ack=spool.ack, entry_id=lambda spooled: spooled.entry_id,
            describe=_describe, limit=1,
        )

    @property
    def delivered(self) -> int:
        """Events the engine kept since start."""
        return self._delivery.delivered

    async def deliver(self, engine_url: str) -> int:
        """Send every spooled event; raises like :meth:`rpymostat_sensor.pusher.Pusher.deliver`."""
        self._url = engine_url
        return await self._delivery.deliver()

    async def _send(self, batch: Sequence[SpooledEvent]) -> JsonResponse:
        event = batch[0].event
        body = {"device": event.device, "location": event.location, "action": event.action,
                "value": event.value, "at": to_iso(event.at), "idempotency_key": event.key}
        return await self._client.request("POST", self._url, EVENTS_PATH, body)


def _describe(spooled: SpooledEvent) -> str:
    event = spooled.event
    return f"the event {event.device} {event.location} {event.value}"
