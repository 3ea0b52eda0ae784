"""Emptying a daemon's spool into the engine, oldest first, without one bad item blocking the rest.

An item (a reading, a relay event) leaves the spool only once the engine
has accepted the request that carried it; its idempotency key makes a
resend after a lost answer harmless. When the engine refuses a request as
one it will never take (400, 413, 422), the items of that request are sent
one by one, so that the item at fault is found and dropped alone (logged
and counted) and the ones behind it still arrive. Where a request carries
more than the items (the control daemon's report also carries the relays'
states), ``blameless`` first checks that a request without items is taken,
so items are never dropped for a fault elsewhere. Both daemons deliver
through this one loop.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from twisted.logger import Logger

from rpymostat.common.http import JsonResponse

log = Logger()

#: Answers that say the engine will never take this body, however often it is sent.
NEVER_ACCEPTED = (400, 413, 422)

Item = TypeVar("Item")


class DeliveryError(Exception):
    """The engine did not take the spool's items; they stay in the spool."""


class NotAuthorised(DeliveryError):
    """The engine no longer accepts this device (unknown, pending or rejected): enrol again."""


class EngineUnavailable(DeliveryError):
    """The engine answered, but not with a verdict on the items (5xx, 404, 429...): retry later."""


class Refused(DeliveryError):
    """The engine refuses the request for a fault that is not in any one item: retry later."""


@dataclass(kw_only=True)
class SpoolDelivery(Generic[Item]):
    """Sends what a spool holds, request by request, and isolates an item the engine refuses.

    ``peek`` reads up to ``limit`` of the oldest items, ``batch`` keeps the
    prefix one request may carry, ``send`` makes the request, ``ack``
    forgets delivered items by ``entry_id``, ``describe`` names an item in
    the log. With ``report_empty`` a request goes out even with no item.
    """

    peek: Callable[[int], Awaitable[Sequence[Item]]]
    send: Callable[[Sequence[Item]], Awaitable[JsonResponse]]
    ack: Callable[[list[int]], Awaitable[Any]]
    entry_id: Callable[[Item], int]
    describe: Callable[[Item], str]
    limit: int
    batch: Callable[[Sequence[Item]], list[Item]] = list
    blameless: Callable[[], Awaitable[bool]] | None = None
    report_empty: bool = False
    #: Items delivered, and items refused and dropped, since start.
    delivered: int = field(default=0, init=False)
    rejected: int = field(default=0, init=False)
    #: How many of the next requests carry one item only, to find the one refused.
    _isolate: int = field(default=0, init=False)

    async def deliver(self) -> int:
        """Send everything spooled; fire with how many items were delivered.

        Raises a :class:`DeliveryError` or the network error, leaving what
        was not acknowledged in the spool.
        """
        delivered = 0
        sent = False
        while True:
            batch = self.batch(await self.peek(1 if self._isolate else self.limit))
            if self._isolate:
                batch = batch[:1]
            if not batch and (sent or not self.report_empty):
                return delivered
            sent = True
            response = await self.send(batch)
            if 200 <= response.code < 300:
                await self.ack([self.entry_id(item) for item in batch])
                delivered += len(batch)
                self.delivered += len(batch)
                self._isolate = max(0, self._isolate - 1)
            elif response.code in NEVER_ACCEPTED and batch:
                await self._refused(batch, response)
            elif response.code in (401, 403):
                raise NotAuthorised(response.error)
            elif response.code in NEVER_ACCEPTED:
                raise Refused(f"HTTP {response.code}: {response.error}")
            else:
                raise EngineUnavailable(f"HTTP {response.code}: {response.error}")

    async def _refused(self, batch: list[Item], response: JsonResponse) -> None:
        """Send a refused batch's items one by one; drop an item refused alone."""
        if len(batch) > 1:
            self._isolate = len(batch)
            return
        if self.blameless is not None and not await self.blameless():
            raise Refused(f"HTTP {response.code}: {response.error}")
        item = batch[0]
        await self.ack([self.entry_id(item)])
        self.rejected += 1
        self._isolate = max(0, self._isolate - 1)
        log.error("the engine refused {item} ({error}); it was dropped so that what follows it can be delivered "
                  "({rejected} refused since start)", item=self.describe(item), error=response.error,
                  rejected=self.rejected)
