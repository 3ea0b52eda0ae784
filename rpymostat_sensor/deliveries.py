"""Several spools delivered in one run of the engine link: readings first, then input events."""

from __future__ import annotations

from collections.abc import Sequence

from rpymostat_sensor.link import Deliverer


class Deliveries:
    """Runs each deliverer in turn; a failure stops the run, and the link retries it whole."""

    def __init__(self, deliverers: Sequence[Deliverer]) -> None:
        self.deliverers = list(deliverers)

    async def deliver(self, engine_url: str) -> int:
        total = 0
        for deliverer in self.deliverers:
            total += await deliverer.deliver(engine_url)
        return total
