"""The words the engine, the control daemon and the UI share on the wire, written once.

A relay function, an event kind or a refusal spelled differently in two
places is a relay the engine cannot drive or an event it throws away, so
every side reads them from here: the engine's report check and interlock,
the decision model, the control daemon's relay declaration, guard and API
(and, tested against this module, the UI's lists). The typed records
carry their JSON beside them, so the shape a daemon sends is the shape the
engine parses. Standard library only, so the daemons can use it on a Pi Zero.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from rpymostat.common.timeutil import to_iso

RelayFunction = Literal["heat", "cool", "fan", "aux"]
#: What a relay can be given to do; ``aux`` is auxiliary (second-stage) heat.
RELAY_FUNCTIONS: tuple[RelayFunction, ...] = ("heat", "cool", "fan", "aux")
#: Functions that heat and cool: a relay of one may never run while one of the other does.
HEATING: frozenset[RelayFunction] = frozenset({"heat", "aux"})
COOLING: frozenset[RelayFunction] = frozenset({"cool"})

DecidedFunction = Literal["heat", "cool", "fan"]
#: The functions the decision plugins switch; aux heat follows the relays' own rules only.
DECIDED_FUNCTIONS: tuple[DecidedFunction, ...] = ("heat", "cool", "fan")

EventKind = Literal["change", "refusal", "failsafe"]
#: What a control daemon's relay history entry records.
EVENT_KINDS: tuple[EventKind, ...] = ("change", "refusal", "failsafe")
Refusal = Literal["interlock", "min_off"]
#: The rules a control daemon refuses a switch by.
REFUSALS: tuple[Refusal, ...] = ("interlock", "min_off")

DeviceKind = Literal["sensor", "control"]
#: What a device registers as.
DEVICE_KINDS: tuple[DeviceKind, ...] = ("sensor", "control")
#: The name the engine signs its commands to control daemons with (devices sign with their host ID).
ENGINE_SIGNER = "engine"


def opposing(function: str | None) -> frozenset[RelayFunction]:
    """The functions a relay of ``function`` may never run together with (none for fan, or no function)."""
    if function in HEATING:
        return COOLING
    if function in COOLING:
        return HEATING
    return frozenset()


@dataclass(frozen=True)
class RelayState:
    """One relay as its control daemon reports it."""

    relay_id: str
    name: str
    pin: int
    active_high: bool
    function: RelayFunction | None
    on: bool

    def to_json(self) -> dict[str, Any]:
        return {"id": self.relay_id, "name": self.name, "pin": self.pin, "active_high": self.active_high,
                "function": self.function, "on": self.on}


@dataclass(frozen=True)
class RelayEventRecord:
    """One entry of a relay's history as it travels from the control daemon to the engine.

    ``idempotency_key`` is made once, when the event happened, so the engine
    records it once however often it is sent; ``requested`` is the reason
    of a refused request.
    """

    kind: EventKind
    relay_id: str
    on: bool
    at: float
    reason: str
    refusal: Refusal | None = None
    requested: str | None = None
    idempotency_key: str | None = None

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"kind": self.kind, "relay_id": self.relay_id, "on": self.on, "at": to_iso(self.at),
                                "reason": self.reason}
        for name in ("refusal", "requested", "idempotency_key"):
            if getattr(self, name) is not None:
                body[name] = getattr(self, name)
        return body


@dataclass(frozen=True)
class RelayInstruction:
    """What the engine asks of one relay: on or off, and why (kept in the relay's history)."""

    on: bool
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {"on": self.on, "reason": self.reason}
