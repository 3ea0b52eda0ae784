"""Engine events as AMQP messages: a routing key ``rpymostat.<host>.<kind>``, a JSON body and a stable ID.

``<host>`` is the sending device's host ID (``.`` becomes ``_``, so a
binding such as ``rpymostat.*.reading`` always matches one word), or
``engine`` for what the engine itself decides. The ``message_id`` is made
from what the event is about and when it happened, so a message sent
again after a lost confirmation carries the same ID and a consumer can
drop the copy. Pure functions; no I/O.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

__all__ = ["Message", "event_messages"]

PREFIX = "rpymostat"
ENGINE_HOST = "engine"


@dataclass(frozen=True)
class Message:
    routing_key: str
    message_id: str
    kind: str
    body: dict[str, Any]

    def dumps(self) -> str:
        """The message as one outbox payload."""
        return json.dumps(asdict(self), separators=(",", ":"), sort_keys=True)

    @classmethod
    def loads(cls, payload: str) -> Message:
        return cls(**json.loads(payload))


def routing_key(host: str, kind: str) -> str:
    return f"{PREFIX}.{host.replace('.', '_') or 'unknown'}.{kind}"


def reading_messages(data: Mapping[str, Any], at: str) -> list[Message]:
    host = str(data.get("host_id", ""))
    return [
        Message(routing_key(host, "reading"), f"reading/{host}/{reading['sensor_id']}/{reading['at']}", "reading",
                {"host_id": host, **reading})
        for reading in data.get("readings", [])
    ]


def host_messages(data: Mapping[str, Any], at: str) -> list[Message]:
    host = str(data.get("host_id", ""))
    return [Message(routing_key(host, "host"), f"host/{host}/{at}", "host",
                    {"host_id": host, "kind": data.get("kind"), "at": at, "info": data.get("info", {})})]


def relay_messages(data: Mapping[str, Any], at: str) -> list[Message]:
    host = str(data.get("host_id", ""))
    return [
        Message(routing_key(host, "relay"), f"relay/{event['relay_id']}/{event['at']}/{event['kind']}", "relay",
                {"host_id": host, **event})
        for event in data.get("events", [])
    ]


def decision_messages(data: Mapping[str, Any], at: str) -> list[Message]:
    decision = dict(data.get("decision") or {})
    when = str(decision.get("at", at))
    return [Message(routing_key(ENGINE_HOST, "decision"), f"decision/{when}", "decision",
                    {**decision, "equipment_changed": bool(data.get("equipment_changed"))})]


_BY_TYPE = {"readings": reading_messages, "device_info": host_messages, "relay_events": relay_messages,
            "decision": decision_messages}


def event_messages(event_type: str, data: Mapping[str, Any], at: str) -> list[Message]:
    """The messages of one engine event (``at``: when the engine published it, ISO 8601); none for other events."""
    convert = _BY_TYPE.get(event_type)
    return [] if convert is None else convert(data, at)
