"""A bounded send queue per client, driven by the socket's flow control.

Twisted tells a registered push producer to pause when a transport's
buffer is full and to resume when it drains. While paused, messages wait
here; past ``max_bytes`` the client is declared too slow and the queue is
dropped, so a client that stops reading costs a bounded amount of memory.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

from twisted.internet.defer import Deferred, succeed
from twisted.internet.interfaces import IPushProducer
from zope.interface import implementer


@implementer(IPushProducer)
class Outbox:
    def __init__(self, write: Callable[[bytes], None], max_bytes: int, overflow: Callable[[], None]) -> None:
        self.write = write
        self.max_bytes = max_bytes
        self.overflow = overflow
        self.queue: deque[bytes] = deque()
        self.queued_bytes = 0
        self.paused = False
        self.closed = False
        self._drain_waiters: list[Deferred[None]] = []

    def send(self, payload: bytes) -> None:
        """Write now if the socket keeps up, else queue; overflow closes the outbox."""
        if self.closed:
            return
        if not self.paused and not self.queue:
            self.write(payload)
            return
        if self.queued_bytes + len(payload) > self.max_bytes:
            self.close()
            self.overflow()
            return
        self.queue.append(payload)
        self.queued_bytes += len(payload)

    def drained(self) -> Deferred[None]:
        """Fires once nothing waits here and the socket takes more (or the outbox closed)."""
        if self.closed or (not self.paused and not self.queue):
            return succeed(None)
        waiter: Deferred[None] = Deferred()
        self._drain_waiters.append(waiter)
        return waiter

    def close(self) -> None:
        """Drop whatever waits; later sends are ignored."""
        self.closed = True
        self.queue.clear()
        self.queued_bytes = 0
        self._wake()

    def pauseProducing(self) -> None:
        self.paused = True

    def resumeProducing(self) -> None:
        self.paused = False
        while self.queue and not self.paused and not self.closed:
            payload = self.queue.popleft()
            self.queued_bytes -= len(payload)
            self.write(payload)
        if not self.paused and not self.queue:
            self._wake()

    def stopProducing(self) -> None:
        self.close()

    def _wake(self) -> None:
        waiters, self._drain_waiters = self._drain_waiters, []
        for waiter in waiters:
            waiter.callback(None)
