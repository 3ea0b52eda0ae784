"""The control daemon's configuration: every ``RPYMOSTAT_CONTROL_*`` setting, defined once.

Each setting is an environment variable and the matching command-line flag
(a flag wins). The rows below parse both, print ``--show-config`` and feed
the docs; the result is one frozen :class:`ControlConfig` that is passed
down, so no other module reads the environment.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from rpymostat.common.device_settings import device_settings
from rpymostat.common.metrics_settings import metrics_port_text, metrics_settings
from rpymostat.common.serving import ServerLimits, limit_settings
from rpymostat.common.settings import (
    ConfigError,
    FromSettings,
    Setting,
    const,
    describe,
    load,
    parse_float,
    parse_int,
    parse_interfaces,
    parse_optional_url,
)
from rpymostat.common.vocabulary import RELAY_FUNCTIONS, RelayFunction
from rpymostat_control.guard import DEFAULT_MIN_OFF
from rpymostat_control.relay_config import RelayConfigError, RelaySpec, parse_relays
from rpymostat_control.spool import DEFAULT_MAX_EVENTS

__all__ = ["ConfigError", "ControlConfig", "SETTINGS", "DEFAULT_PORT"]

DEFAULT_PORT = 8089
BACKENDS = ("gpio", "sim")


def _spool_beside_secret_file(values: Mapping[str, Any]) -> str:
    """The spool lives in the directory of the secret file, the daemon's one place for its own files."""
    return os.path.join(os.path.dirname(str(values["secret_file"])) or ".", "spool.sqlite")


def _parse_relays(text: str) -> tuple[RelaySpec, ...]:
    """Empty is allowed here so ``--show-config`` works before the relays are declared."""
    if not text.strip():
        return ()
    try:
        return parse_relays(text)
    except RelayConfigError as exc:
        raise ValueError(str(exc)) from None


def _parse_backend(text: str) -> str:
    text = text.strip().lower()
    if text not in BACKENDS:
        raise ValueError(f"{text!r} is not one of {', '.join(BACKENDS)}")
    return text


def _control(attribute: str, parse: Any, default: Any, description: str, secret: bool = False) -> Setting:
    return Setting(attribute, "RPYMOSTAT_CONTROL_" + attribute.upper(), parse, default, description, secret)


SETTINGS: tuple[Setting, ...] = (
    *device_settings("rpymostat-control", "RPYMOSTAT_CONTROL", "control"),
    _control("spool", str, FromSettings(_spool_beside_secret_file),
             "SQLite file keeping the relay events (changes, refusals, failsafe trips) the engine has not "
             "acknowledged yet; by default beside RPYMOSTAT_CONTROL_SECRET_FILE."),
    _control("spool_max", parse_int(100, 10_000_000), const(str(DEFAULT_MAX_EVENTS)),
             "Most relay events the spool keeps; beyond it the oldest are dropped (and counted)."),
    _control("host", str, const("0.0.0.0"), "Address the daemon's own HTTP API listens on."),
    _control("port", parse_int(0, 65535), const(str(DEFAULT_PORT)), "TCP port of the daemon's own HTTP API (0: any free port)."),
    _control("url", parse_optional_url, const(""),
             "The URL the engine should use to reach this daemon's API; empty: http://<this host's address>:<port>."),
    _control("relays", _parse_relays, const(""),
             "The relays, as name=BCM pin with ! for active-low, e.g. heat=17,cool=27,fan=22!"),
    _control("backend", _parse_backend, const("gpio"),
             "gpio (real relays through gpiozero; GPIOZERO_PIN_FACTORY=mock for mock pins) or sim (in software)."),
    _control("failsafe", parse_float(1, 86400), const("180"),
             "Seconds without a valid command or keep-alive from the engine before every relay is turned off."),
    *(
        _control(f"min_off_{function}", parse_float(0, 86400), const(f"{DEFAULT_MIN_OFF[function]:g}"),
                 f"Minimum seconds a {function} relay stays off after it last went off.")
        for function in RELAY_FUNCTIONS
    ),
    _control("discovery_interfaces", parse_interfaces, const("all"),
             "Addresses DNS-SD looks for the engine on: 'all', or a comma-separated list such as 10.0.0.7."),
    _control("signature_window", parse_int(5, 3600), const("120"),
             "Seconds a signed command's timestamp may differ from this host's clock."),
    *limit_settings(_control),
    *metrics_settings(_control),
)


@dataclass(frozen=True)
class ControlConfig:
    """The daemon's effective configuration, validated at load."""

    engine_url: str | None
    host_id: str
    secret: str
    secret_file: str
    spool: str
    spool_max: int
    host: str
    port: int
    url: str | None
    relays: tuple[RelaySpec, ...]
    backend: Literal["gpio", "sim"]
    failsafe: float
    min_off_heat: float
    min_off_cool: float
    min_off_fan: float
    min_off_aux: float
    discovery_interfaces: str
    signature_window: int
    header_timeout: float
    body_timeout: float
    max_connections_per_address: int
    metrics_port: int | None
    metrics_host: str

    @classmethod
    def load(cls, environ: Mapping[str, str], args: argparse.Namespace | None = None) -> ControlConfig:
        """Build the configuration from the environment and the parsed flags."""
        return cls(**load(SETTINGS, environ, args))

    def server_limits(self, max_body_bytes: int) -> ServerLimits:
        """The limits of the daemon's own API; its bodies are small commands, so their size is fixed."""
        return ServerLimits(max_body_bytes, self.header_timeout, self.body_timeout, self.max_connections_per_address)

    @property
    def min_off(self) -> dict[RelayFunction, float]:
        return {function: getattr(self, f"min_off_{function}") for function in RELAY_FUNCTIONS}

    def describe(self, environ: Mapping[str, str]) -> list[dict[str, str]]:
        """Each setting with its value, default and description (the secret masked)."""
        values = {**vars(self), "relays": ",".join(_spec_text(spec) for spec in self.relays),
                  "metrics_port": metrics_port_text(self.metrics_port)}
        return describe(SETTINGS, values, environ)


def _spec_text(spec: RelaySpec) -> str:
    return f"{spec.name}={spec.pin}{'' if spec.active_high else '!'}"
