"""The relays the control daemons have reported, kept in the store's generic documents.

Each relay is one document in ``relays`` (by relay ID): what its daemon
last said (name, pin, state, when), the function an admin assigned (at
first the one its daemon reports; ``heat`` and ``cool`` only while the
daemon reports the same, see :mod:`.interlock`) and the state the engine
wants. Each daemon has one document in ``relay_hosts`` with its failsafe
timeout, so the commander knows how often to re-assert, and from when a
silent daemon's relays are off. An admin may delete a relay or a host's
relays (their histories stay). Every change, refusal and
failsafe trip is appended to the log stream ``relay:<relay id>``, once: an
event whose ``idempotency_key`` is already in the stream at the same time
(a report sent again after its answer was lost) is not appended again.
"""

from __future__ import annotations

from typing import Any
from weakref import WeakKeyDictionary

from twisted.internet.defer import DeferredLock
from twisted.logger import Logger

from rpymostat.common.timeutil import to_iso
from rpymostat.common.vocabulary import RelayEventRecord
from rpymostat.engine.relays.interlock import DAEMON_PROTECTED
from rpymostat.engine.relays.report import Report
from rpymostat.store.interface import Store
from rpymostat.store.records import LogEntry

log = Logger()

RELAYS = "relays"
HOSTS = "relay_hosts"
#: Event times travel as ISO 8601 with milliseconds; a re-sent event is looked for this close to its time.
SAME_TIME = 0.0005
#: More entries than one relay ever has at one instant.
SAME_TIME_LIMIT = 1000


#: One lock per store, not per registry: the API's registry, the learner's and any other made over the same
#: store read-modify-write the same documents, and two locks would let one write back what the other replaced.
_STORE_LOCKS: WeakKeyDictionary[Store, DeferredLock] = WeakKeyDictionary()


def history_stream(relay_id: str) -> str:
    return f"relay:{relay_id}"


def relay_json(doc: dict[str, Any]) -> dict[str, Any]:
    """A relay as the API shows it (times on the wire as ISO 8601)."""
    return {
        "id": doc["id"],
        "host_id": doc["host_id"],
        "name": doc["name"],
        "pin": doc["pin"],
        "active_high": doc["active_high"],
        "function": doc["function"],
        "daemon_function": doc.get("daemon_function"),
        "on": doc["on"],
        "reported_at": to_iso(doc["reported_at"]),
        "desired": doc.get("desired"),
        "desired_reason": doc.get("desired_reason"),
        "desired_at": None if doc.get("desired_at") is None else to_iso(doc["desired_at"]),
        "failsafe_tripped": doc.get("failsafe_tripped", False),
        "failsafe_off": doc.get("failsafe_off", False),
    }


def history_json(entry: LogEntry) -> dict[str, Any]:
    data = dict(entry.data)
    return {"id": entry.entry_id, "at": to_iso(entry.at), **data}


class RelayRegistry:
    """Reads and writes relay documents; the store does the keeping.

    Every read-modify-write holds the store's one lock, so a report arriving
    while an admin assigns a function (or the engine sets a desired state)
    loses neither change, whichever registry each came through.
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        self._lock = _STORE_LOCKS.setdefault(store, DeferredLock())

    async def apply_report(self, report: Report, now: float) -> list[dict[str, Any]]:
        """Record a daemon's states and append its events to the relays' histories."""
        async with self._lock:
            docs = []
            for relay in report.relays:
                existing = await self.store.get_document(RELAYS, relay.relay_id) or {}
                function = existing["function"] if "function" in existing else relay.function
                if function in DAEMON_PROTECTED and function != relay.function:
                    log.warn("Relay {relay_id} was assigned {function}, but its control daemon reports it as "
                             "{daemon_function}, so the daemon's interlock and minimum off time do not cover it; "
                             "it is unassigned until an admin gives it a function again",
                             relay_id=relay.relay_id, function=function, daemon_function=relay.function)
                    function = None
                doc = {
                    **existing,
                    "id": relay.relay_id,
                    "host_id": report.host_id,
                    "name": relay.name,
                    "pin": relay.pin,
                    "active_high": relay.active_high,
                    "daemon_function": relay.function,
                    "function": function,
                    "on": relay.on,
                    "reported_at": now,
                    "failsafe_tripped": report.failsafe_tripped,
                }
                await self.store.put_document(RELAYS, relay.relay_id, doc)
                docs.append(doc)
            host = await self.store.get_document(HOSTS, report.host_id) or {}
            await self.store.put_document(HOSTS, report.host_id, {
                **host,
                "host_id": report.host_id,
                "failsafe_timeout": report.failsafe_timeout or host.get("failsafe_timeout"),
                "failsafe_tripped": report.failsafe_tripped,
                "reported_at": now,
            })
            for event in report.events:
                if event.idempotency_key is not None and await self._recorded(event):
                    continue
                data: dict[str, Any] = {"kind": event.kind, "on": event.on, "reason": event.reason,
                                        "received_at": to_iso(now)}
                if event.refusal is not None:
                    data["refusal"] = event.refusal
                if event.idempotency_key is not None:
                    data["idempotency_key"] = event.idempotency_key
                await self.store.append_log(history_stream(event.relay_id), event.at, data)
            return docs

    async def _recorded(self, event: RelayEventRecord) -> bool:
        """Whether the relay's history already has this event (called under the lock).

        Each entry is appended (and durable) on its own, so a report cut short
        by an engine crash is completed, not repeated, when the daemon sends it
        again.
        """
        entries = await self.store.list_log(history_stream(event.relay_id), SAME_TIME_LIMIT,
                                            after=event.at - SAME_TIME, before=event.at + SAME_TIME)
        return any(entry.data.get("idempotency_key") == event.idempotency_key for entry in entries)

    async def record_refusal(self, relay_id: str, on: bool, message: str, rule: str, now: float) -> None:
        """Keep a refusal by the engine's own rules in the relay's history, as the daemons' refusals are."""
        await self.store.append_log(history_stream(relay_id), now,
                                    {"kind": "refusal", "on": on, "reason": message, "refusal": rule})

    async def relays(self) -> list[dict[str, Any]]:
        return [doc for _, doc in await self.store.list_documents(RELAYS)]

    async def get(self, relay_id: str) -> dict[str, Any] | None:
        return await self.store.get_document(RELAYS, relay_id)

    async def hosts(self) -> list[dict[str, Any]]:
        return [doc for _, doc in await self.store.list_documents(HOSTS)]

    async def assign(self, relay_id: str, function: str | None) -> dict[str, Any] | None:
        """Give a relay its function for the decision loop; None when the relay is unknown."""
        async with self._lock:
            doc = await self.get(relay_id)
            if doc is None:
                return None
            doc["function"] = function
            await self.store.put_document(RELAYS, relay_id, doc)
            return doc

    async def delete(self, relay_id: str) -> dict[str, Any] | None:
        """Forget a relay (a phantom, or one unwired); None when unknown.

        Its history stays. A daemon that still has the relay reports it
        again; the last relay of a host takes the host's document with it,
        so the commander stops sending that host keep-alives.
        """
        async with self._lock:
            doc = await self.get(relay_id)
            if doc is None:
                return None
            await self.store.delete_document(RELAYS, relay_id)
            if not any(other["host_id"] == doc["host_id"] for other in await self.relays()):
                await self.store.delete_document(HOSTS, doc["host_id"])
            return doc

    async def delete_host(self, host_id: str) -> list[dict[str, Any]] | None:
        """Forget every relay of a host and the host itself; None when the engine knows neither."""
        async with self._lock:
            docs = [doc for doc in await self.relays() if doc["host_id"] == host_id]
            host = await self.store.delete_document(HOSTS, host_id)
            for doc in docs:
                await self.store.delete_document(RELAYS, doc["id"])
            return docs if docs or host else None

    async def set_desired(self, relay_id: str, on: bool, reason: str, now: float) -> None:
        async with self._lock:
            doc = await self.get(relay_id)
            if doc is None:
                return
            doc.update(desired=on, desired_reason=reason, desired_at=now)
            await self.store.put_document(RELAYS, relay_id, doc)

    async def set_reported(self, relay_id: str, on: bool, now: float) -> dict[str, Any] | None:
        """What the daemon answered to a command, before its own report arrives."""
        async with self._lock:
            doc = await self.get(relay_id)
            if doc is None:
                return None
            doc.update(on=on, reported_at=now)
            await self.store.put_document(RELAYS, relay_id, doc)
            return doc

    async def history(self, relay_id: str, limit: int, offset: int = 0, before: float | None = None,
                      after: float | None = None) -> list[LogEntry]:
        return await self.store.list_log(history_stream(relay_id), limit, offset, before, after)
