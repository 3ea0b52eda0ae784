"""GPIO inputs: door and window contacts and motion sensors, watched through gpiozero.

``RPYMOSTAT_SENSOR_INPUTS`` lists them like the control daemon's relays:
``KIND:LOCATION=PIN`` separated by commas, e.g.
``window:bedroom=17,door:hall=27,motion:living room=22``. A contact
(``window`` or ``door``) is a switch between the pin and ground, read with
the pin's pull-up: the circuit closed (the magnet beside the switch) is a
shut window, open is an open one. A motion sensor drives the pin high while
it sees motion. A trailing ``!`` inverts the reading, for a normally-closed
contact or an active-low motion sensor.

Each change becomes an :class:`InputEvent` (``window, bedroom, contact,
open``), and each contact's state at start too, so the engine knows a window
that was already open. gpiozero calls back on its own thread; the watcher
hands every change to ``call_from_thread`` (the reactor's
``callFromThread``), and reads the clock only there.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from twisted.internet.interfaces import IReactorTime

CONTACT_KINDS = ("window", "door")
KINDS = (*CONTACT_KINDS, "motion")
SPEC = re.compile(r"^(?P<kind>[a-z]+):(?P<location>[^=,:!]{1,64})=(?P<pin>[A-Za-z0-9_]{1,16})(?P<invert>!?)$")


class InputConfigError(ValueError):
    """``RPYMOSTAT_SENSOR_INPUTS`` cannot be understood; the message says what to write."""


@dataclass(frozen=True)
class InputSpec:
    """One watched input: what it is, where, on which pin, and whether its reading is inverted."""

    kind: str
    location: str
    pin: int | str
    inverted: bool = False

    @property
    def action(self) -> str:
        return "contact" if self.kind in CONTACT_KINDS else "motion"

    def value(self, active: bool) -> str:
        """The event value for a reading (``active`` as gpiozero reports it, before inversion)."""
        on = active != self.inverted
        if self.kind in CONTACT_KINDS:
            return "closed" if on else "open"
        return "detected" if on else "clear"

    def text(self) -> str:
        return f"{self.kind}:{self.location}={self.pin}{'!' if self.inverted else ''}"


@dataclass(frozen=True)
class InputEvent:
    """A change seen on an input, as the engine's ``POST /v1/events`` takes it."""

    device: str
    location: str
    action: str
    value: str
    at: float
    key: str


def parse_inputs(text: str) -> tuple[InputSpec, ...]:
    """The inputs of a ``RPYMOSTAT_SENSOR_INPUTS`` value; empty for an empty value."""
    specs: list[InputSpec] = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        match = SPEC.match(part)
        if match is None or match["kind"] not in KINDS or not match["location"].strip():
            raise InputConfigError(
                f"{part!r}: write KIND:LOCATION=PIN (KIND one of {', '.join(KINDS)}; a trailing ! inverts), "
                "e.g. window:bedroom=17")
        pin_text = match["pin"]
        pin: int | str = int(pin_text) if pin_text.isdigit() else pin_text
        spec = InputSpec(match["kind"], match["location"].strip(), pin, match["invert"] == "!")
        if any(other.pin == spec.pin for other in specs):
            raise InputConfigError(f"pin {pin} is listed twice")
        specs.append(spec)
    return tuple(specs)


def format_inputs(specs: tuple[InputSpec, ...]) -> str:
    return ",".join(spec.text() for spec in specs)


class InputWatcher:
    """Watches the configured pins and hands each change, as an event, to ``emit`` on the reactor thread."""

    def __init__(self, specs: tuple[InputSpec, ...], clock: IReactorTime, emit: Callable[[InputEvent], Any],
                 call_from_thread: Callable[..., Any], pin_factory: Any = None) -> None:
        self.specs = specs
        self.clock = clock
        self.emit = emit
        self.call_from_thread = call_from_thread
        self.pin_factory = pin_factory
        self.devices: list[Any] = []

    def start(self) -> None:
        """Open the pins (gpiozero is imported only here) and report each contact's state now."""
        from gpiozero import DigitalInputDevice

        for spec in self.specs:
            device = DigitalInputDevice(spec.pin, pull_up=spec.action == "contact", pin_factory=self.pin_factory)
            device.when_activated = lambda _device=None, spec=spec: self.call_from_thread(self._changed, spec, True)
            device.when_deactivated = lambda _device=None, spec=spec: self.call_from_thread(self._changed, spec,
                                                                                           False)
            self.devices.append(device)
            if spec.action == "contact":
                self._changed(spec, bool(device.is_active))

    def stop(self) -> None:
        for device in self.devices:
            device.close()
        self.devices = []

    def _changed(self, spec: InputSpec, active: bool) -> None:
        self.emit(InputEvent(spec.kind, spec.location, spec.action, spec.value(active), self.clock.seconds(),
                             uuid.uuid4().hex))
