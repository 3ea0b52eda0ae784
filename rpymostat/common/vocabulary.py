"""The words the engine, the control daemon and the UI share on the wire, written once.

A relay function, an event kind or a refusal spelled differently in two
places is a relay the engine cannot drive or an event it throws away, so
every side reads them from here: the engine's report check and interlock,
the decision model, the control daemon's relay declaration, guard and API
(and, tested against this module, the UI's lists). The typed records
carry their JSON beside them, so the shape a daemon sends is the shape the
engine parses, and the decision the engine records is the one the UI, the
exports and third-party clients read. Nothing beyond the standard library and
the time format, so the daemons can use it on a Pi Zero.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from rpymostat.common.timeutil import from_iso, to_iso

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
#: The kinds that switch a relay (a failsafe trip turns it off); a refusal changes nothing.
SWITCHES: tuple[EventKind, ...] = ("change", "failsafe")
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


Desired = Literal["heat", "cool", "fan", "idle"]
#: What a decision asks the equipment to do.
DESIRED: tuple[Desired, ...] = ("heat", "cool", "fan", "idle")


def _time_or_none(value: float | None) -> str | None:
    return None if value is None else to_iso(value)


def _epoch_or_none(value: str | None) -> float | None:
    return None if value is None else from_iso(value)


@dataclass(frozen=True)
class LockoutRecord:
    """A protection rule holding a change back: ``action`` is the change held (start or stop)."""

    function: str
    action: Literal["start", "stop"]
    rule: str
    remaining: float
    description: str

    def to_json(self) -> dict[str, Any]:
        return {"function": self.function, "action": self.action, "rule": self.rule, "remaining": self.remaining,
                "description": self.description}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> LockoutRecord:
        return cls(data["function"], data["action"], data["rule"], data["remaining"], data["description"])


@dataclass(frozen=True)
class AlertRecord:
    """Something a person should look at (a dead sensor, a house that does not warm)."""

    code: str
    message: str

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message}


@dataclass(frozen=True)
class DroppedSensorRecord:
    """A sensor the instruction names that did not count, and why."""

    sensor_id: str
    reason: str
    description: str

    def to_json(self) -> dict[str, Any]:
        return {"sensor_id": self.sensor_id, "reason": self.reason, "description": self.description}


@dataclass(frozen=True)
class TemperatureRecord:
    """The temperature the decision went by: the sensors' weighted mean, and who was left out."""

    value: float
    weights: Mapping[str, float]
    dropped: tuple[DroppedSensorRecord, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"value": self.value, "weights": dict(self.weights), "dropped": [d.to_json() for d in self.dropped]}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> TemperatureRecord:
        return cls(data["value"], dict(data["weights"]),
                   tuple(DroppedSensorRecord(d["sensor_id"], d["reason"], d["description"]) for d in data["dropped"]))


@dataclass(frozen=True)
class InstructionRecord:
    """What the schedule (or an override, a preset, a reaction) asked for when the decision was made."""

    mode: str
    heat_setpoint: float | None
    cool_setpoint: float | None
    fan: str
    sensors: Mapping[str, float]
    tolerance: float | None
    source: str
    until: float | None
    preset: str | None = None

    def to_json(self) -> dict[str, Any]:
        body = {"mode": self.mode, "heat_setpoint": self.heat_setpoint, "cool_setpoint": self.cool_setpoint,
                "fan": self.fan, "sensors": dict(self.sensors), "tolerance": self.tolerance, "source": self.source,
                "until": _time_or_none(self.until)}
        if self.preset is not None:
            body["preset"] = self.preset
        return body

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> InstructionRecord:
        return cls(data["mode"], data["heat_setpoint"], data["cool_setpoint"], data["fan"],
                   dict(data.get("sensors") or {}), data.get("tolerance"), data["source"],
                   _epoch_or_none(data["until"]), data.get("preset"))


@dataclass(frozen=True)
class EquipmentRecord:
    """One function (heat, cool, fan) as the decision left it: on or off, and since when if known."""

    on: bool
    since: float | None

    def to_json(self) -> dict[str, Any]:
        return {"on": self.on, "since": _time_or_none(self.since)}


@dataclass(frozen=True)
class ReactionRecord:
    """A reaction in force (heating paused while a window is open), from when and until when."""

    reaction: str
    reason: str
    since: float
    until: float | None

    def to_json(self) -> dict[str, Any]:
        return {"reaction": self.reaction, "reason": self.reason, "since": to_iso(self.since),
                "until": _time_or_none(self.until)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ReactionRecord:
        return cls(data["reaction"], data["reason"], from_iso(data["since"]), _epoch_or_none(data["until"]))


@dataclass(frozen=True)
class DecisionRecord:
    """One decision as the engine records and serves it (``/v1/decisions``, the live feed, the exports).

    ``outdoor`` and ``reactions`` are absent from decisions recorded by
    older engines; they read back as unknown and none.
    """

    at: float
    desired: Desired
    reason: str
    summary: str
    plugin: str
    lockout: LockoutRecord | None
    alerts: tuple[AlertRecord, ...]
    temperature: TemperatureRecord | None
    outdoor: float | None
    instruction: InstructionRecord
    equipment: Mapping[str, EquipmentRecord]
    reactions: tuple[ReactionRecord, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "at": to_iso(self.at),
            "desired": self.desired,
            "reason": self.reason,
            "summary": self.summary,
            "plugin": self.plugin,
            "lockout": None if self.lockout is None else self.lockout.to_json(),
            "alerts": [alert.to_json() for alert in self.alerts],
            "temperature": None if self.temperature is None else self.temperature.to_json(),
            "outdoor": self.outdoor,
            "instruction": self.instruction.to_json(),
            "equipment": {function: state.to_json() for function, state in self.equipment.items()},
            "reactions": [reaction.to_json() for reaction in self.reactions],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> DecisionRecord:
        """Read a decision as served or recorded (``KeyError``/``ValueError`` when it is not one)."""
        desired = data["desired"]
        if desired not in DESIRED:
            raise ValueError(f"desired must be one of {', '.join(DESIRED)}, not {desired!r}")
        lockout, temperature = data["lockout"], data["temperature"]
        return cls(
            at=from_iso(data["at"]),
            desired=desired,
            reason=data["reason"],
            summary=data["summary"],
            plugin=data["plugin"],
            lockout=None if lockout is None else LockoutRecord.from_json(lockout),
            alerts=tuple(AlertRecord(a["code"], a["message"]) for a in data["alerts"]),
            temperature=None if temperature is None else TemperatureRecord.from_json(temperature),
            outdoor=data.get("outdoor"),
            instruction=InstructionRecord.from_json(data["instruction"]),
            equipment={function: EquipmentRecord(state["on"], _epoch_or_none(state["since"]))
                       for function, state in data["equipment"].items()},
            reactions=tuple(ReactionRecord.from_json(r) for r in data.get("reactions") or ()),
        )
