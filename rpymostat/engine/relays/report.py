"""Checking a control daemon's report before any of it is stored.

A report is refused whole when any part is wrong, so a half-understood
report never leaves the registry inconsistent. A daemon may only report
relays whose IDs start with its own host ID. An event may carry an
``idempotency_key`` (made once, when it happened), so the registry records
it once however often the daemon sends it again.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from rpymostat.common.timeutil import TimestampError, from_iso
from rpymostat.common.vocabulary import EVENT_KINDS, REFUSALS, RELAY_FUNCTIONS, RelayEventRecord, RelayState

MAX_RELAYS = 64
MAX_EVENTS = 1000
MAX_TEXT = 500
MAX_KEY = 128


class ReportError(ValueError):
    """The report cannot be used; the message names the field."""


@dataclass(frozen=True)
class Report:
    host_id: str
    relays: tuple[RelayState, ...]
    events: tuple[RelayEventRecord, ...]
    failsafe_timeout: float | None
    failsafe_tripped: bool


def _field(data: dict[str, Any], name: str, where: str) -> Any:
    if name not in data:
        raise ReportError(f"{where}{name} field is missing")
    return data[name]


def _text(value: Any, name: str, limit: int = MAX_TEXT) -> str:
    if not isinstance(value, str) or not 1 <= len(value) <= limit:
        raise ReportError(f"{name} must be a string of 1 to {limit} characters")
    return value


def _bool(value: Any, name: str) -> bool:
    if not isinstance(value, bool):
        raise ReportError(f"{name} must be true or false")
    return value


def _own_id(value: Any, name: str, host_id: str) -> str:
    relay_id = _text(value, name, 128)
    if not relay_id.startswith(host_id + ":"):
        raise ReportError(f"{name} {relay_id!r} is not a relay of host {host_id!r} (IDs are <host id>:<name>)")
    return relay_id


def parse_report(data: dict[str, Any]) -> Report:
    """Validate a report body; :class:`ReportError` names the first bad field."""
    host_id = _text(_field(data, "host_id", ""), "host_id", 64)
    relays_raw = _field(data, "relays", "")
    if not isinstance(relays_raw, list) or len(relays_raw) > MAX_RELAYS:
        raise ReportError(f"relays must be a list of at most {MAX_RELAYS} relays")
    relays = tuple(_relay(item, f"relays[{index}].", host_id) for index, item in enumerate(relays_raw))
    events_raw = data.get("events", [])
    if not isinstance(events_raw, list) or len(events_raw) > MAX_EVENTS:
        raise ReportError(f"events must be a list of at most {MAX_EVENTS} events")
    events = tuple(_event(item, f"events[{index}].", host_id) for index, item in enumerate(events_raw))
    failsafe = data.get("failsafe", {})
    if not isinstance(failsafe, dict):
        raise ReportError("failsafe must be an object")
    timeout = failsafe.get("timeout")
    if timeout is not None and (isinstance(timeout, bool) or not isinstance(timeout, (int, float))
                                or not math.isfinite(timeout) or timeout <= 0):
        raise ReportError("failsafe.timeout must be a positive number of seconds")
    return Report(host_id, relays, events, None if timeout is None else float(timeout),
                  _bool(failsafe.get("tripped", False), "failsafe.tripped"))


def _relay(item: Any, where: str, host_id: str) -> RelayState:
    if not isinstance(item, dict):
        raise ReportError(f"{where[:-1]} must be an object")
    pin = _field(item, "pin", where)
    if isinstance(pin, bool) or not isinstance(pin, int) or not 0 <= pin <= 27:
        raise ReportError(f"{where}pin must be a BCM GPIO number 0 to 27")
    function = item.get("function")
    if function is not None and function not in RELAY_FUNCTIONS:
        raise ReportError(f"{where}function must be null or one of {', '.join(RELAY_FUNCTIONS)}")
    return RelayState(
        relay_id=_own_id(_field(item, "id", where), f"{where}id", host_id),
        name=_text(_field(item, "name", where), f"{where}name", 32),
        pin=pin,
        active_high=_bool(_field(item, "active_high", where), f"{where}active_high"),
        function=function,
        on=_bool(_field(item, "on", where), f"{where}on"),
    )


def _event(item: Any, where: str, host_id: str) -> RelayEventRecord:
    if not isinstance(item, dict):
        raise ReportError(f"{where[:-1]} must be an object")
    kind = _field(item, "kind", where)
    if kind not in EVENT_KINDS:
        raise ReportError(f"{where}kind must be one of {', '.join(EVENT_KINDS)}")
    try:
        at = from_iso(_field(item, "at", where))
    except TimestampError as exc:
        raise ReportError(f"{where}at: {exc}") from None
    refusal = item.get("refusal")
    if refusal is not None and refusal not in REFUSALS:
        raise ReportError(f"{where}refusal must be {' or '.join(REFUSALS)}")
    key = item.get("idempotency_key")
    return RelayEventRecord(
        kind=kind,
        relay_id=_own_id(_field(item, "relay_id", where), f"{where}relay_id", host_id),
        on=_bool(_field(item, "on", where), f"{where}on"),
        at=at,
        reason=_text(_field(item, "reason", where), f"{where}reason"),
        refusal=refusal,
        idempotency_key=None if key is None else _text(key, f"{where}idempotency_key", MAX_KEY),
    )
