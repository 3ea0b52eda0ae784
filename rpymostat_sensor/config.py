"""The sensor daemon's configuration: every ``RPYMOSTAT_SENSOR_*`` variable, defined once.

Each setting is an environment variable and the same command-line flag (a
flag wins). The rows below also print ``rpymostat-sensor --show-config``,
so the two never disagree. Parsed once at start-up into a frozen
:class:`SensorConfig`; no other module of the daemon reads the environment.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from rpymostat.common.device_settings import daemon_data_dir, device_settings
from rpymostat.common.metrics_settings import metrics_port_text, metrics_settings
from rpymostat.common.settings import (
    ConfigError,
    Setting,
    const,
    describe,
    load,
    parse_float,
    parse_int,
    parse_interfaces,
)
from rpymostat_sensor.inputs import InputSpec, format_inputs, parse_inputs

__all__ = ["ConfigError", "SETTINGS", "SOURCE_NAMES", "SensorConfig", "default_data_dir"]

SOURCE_NAMES = ("w1", "cpu", "sim")
MIN_INTERVAL = 2.0


def default_data_dir() -> str:
    """Where the daemon keeps its device secret and its spool."""
    return daemon_data_dir("rpymostat-sensor")


def _parse_sources(text: str) -> tuple[str, ...]:
    names = tuple(dict.fromkeys(part.strip().lower() for part in text.split(",") if part.strip()))
    unknown = [name for name in names if name not in SOURCE_NAMES]
    if unknown or not names:
        raise ValueError(f"{text!r}: list one or more of {', '.join(SOURCE_NAMES)}, separated by commas")
    return names


def _sensor(attribute: str, parse: Callable[[str], Any], default: Callable[[], str], description: str,
            secret: bool = False) -> Setting:
    return Setting(attribute, "RPYMOSTAT_SENSOR_" + attribute.upper(), parse, default, description, secret)


SETTINGS: tuple[Setting, ...] = (
    *device_settings("rpymostat-sensor", "RPYMOSTAT_SENSOR", "sensor"),
    _sensor("interval", parse_float(MIN_INTERVAL, 86400.0), const("60"),
            f"Seconds between readings (at least {MIN_INTERVAL:g})."),
    _sensor("info_interval", parse_float(10.0, 7 * 86400.0), const("900"),
            "Seconds between reports of host information (hostname, uptime, addresses, version)."),
    _sensor("sources", _parse_sources, const("w1"),
            "Sensors to read, comma-separated: w1 (1-wire thermometers), cpu (the Pi's CPU), sim (simulated)."),
    _sensor("w1_path", str, const("/sys/bus/w1/devices"), "Directory where the kernel lists 1-wire devices."),
    _sensor("spool", str, lambda: os.path.join(default_data_dir(), "spool.sqlite"),
            "SQLite file keeping readings the engine has not acknowledged yet."),
    _sensor("spool_max", parse_int(100, 10_000_000), const("100000"),
            "Most readings the spool keeps; beyond it the oldest are dropped (and counted)."),
    _sensor("retry_max", parse_float(1.0, 3600.0), const("60"),
            "Longest wait, in seconds, between retries while the engine does not answer."),
    _sensor("discovery_interfaces", parse_interfaces, const("all"),
            "Addresses DNS-SD browses on: 'all', or a comma-separated list such as 192.168.1.20."),
    *metrics_settings(_sensor),
    _sensor("inputs", parse_inputs, const(""),
            "GPIO inputs to watch, e.g. window:bedroom=17,door:hall=27,motion:hall=22 (KIND:LOCATION=PIN, "
            "KIND window, door or motion; a trailing ! inverts); each change is posted as an event. "
            "Needs gpiozero."),
)


@dataclass(frozen=True)
class SensorConfig:
    """The daemon's effective configuration, validated at load."""

    engine_url: str | None
    host_id: str
    secret: str
    secret_file: str
    interval: float
    info_interval: float
    sources: tuple[str, ...]
    w1_path: str
    spool: str
    spool_max: int
    retry_max: float
    discovery_interfaces: str
    metrics_port: int | None
    metrics_host: str
    inputs: tuple[InputSpec, ...] = ()

    @classmethod
    def load(cls, environ: Mapping[str, str], args: argparse.Namespace | None = None) -> SensorConfig:
        """Build the configuration from the environment and (winning over it) parsed flags."""
        return cls(**load(SETTINGS, environ, args))

    def describe(self, environ: Mapping[str, str]) -> list[dict[str, str]]:
        """Each variable with its value, default and description (the secret masked)."""
        values = {**vars(self), "sources": ",".join(self.sources), "inputs": format_inputs(self.inputs),
                  "metrics_port": metrics_port_text(self.metrics_port)}
        return describe(SETTINGS, values, environ)
