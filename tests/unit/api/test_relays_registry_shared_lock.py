"""Two registries over one store: a daemon's report and a desired state must not overwrite each other."""

from __future__ import annotations

from typing import Any

import pytest_twisted
from twisted.internet.defer import Deferred, ensureDeferred, gatherResults

from rpymostat.engine.relays.registry import RELAYS, RelayRegistry

RELAY = "boiler-pi:heat"


class HeldReads:
    """The store, but relay reads wait until ``release``, so two read-modify-writes overlap unless one waits."""

    def __init__(self, store: Any) -> None:
        self._store = store
        self._held: list[Deferred[None]] | None = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    def release(self) -> None:
        held, self._held = self._held or [], None
        for read in held:
            read.callback(None)

    async def get_document(self, collection: str, key: str) -> Any:
        if collection == RELAYS and self._held is not None:
            read: Deferred[None] = Deferred()
            self._held.append(read)
            await read
        return await self._store.get_document(collection, key)


@pytest_twisted.ensureDeferred
async def test_a_report_landing_while_the_engine_sets_a_desired_state_loses_neither(engine):
    await engine.store.put_document(RELAYS, RELAY, {"id": RELAY, "host_id": "boiler-pi", "on": True,
                                                    "desired": False, "desired_at": 1.0})
    store = HeldReads(engine.store)
    deciding, reporting = RelayRegistry(store), RelayRegistry(store)  # the commander's and the API's, say

    both = gatherResults([ensureDeferred(deciding.set_desired(RELAY, True, "too cold", 2.0)),
                          ensureDeferred(reporting.set_reported(RELAY, False, 2.0))])
    store.release()
    await both

    doc = await engine.store.get_document(RELAYS, RELAY)
    assert (doc["desired"], doc["desired_at"], doc["on"]) == (True, 2.0, False)
