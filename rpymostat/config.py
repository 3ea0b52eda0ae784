"""The engine's configuration: every ``RPYMOSTAT_*`` variable, defined once.

The definitions below are the single source for parsing, for
``rpymostat-engine --show-config`` and for the generated configuration page
of the docs. The engine is configured only by environment variables (no
flags), read once at start-up into a frozen :class:`EngineConfig`; no other
module reads the environment.
"""

from __future__ import annotations

import os
import zoneinfo
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import platformdirs

from rpymostat.common.settings import (
    ConfigError,
    Setting,
    const,
    describe,
    load,
    parse_bool,
    parse_int,
    parse_interfaces,
)

__all__ = ["ConfigError", "EngineConfig", "SETTINGS", "default_data_dir"]


def default_data_dir() -> str:
    """Where the engine keeps its database and first-start admin key."""
    return platformdirs.user_data_dir("rpymostat", appauthor=False)


def parse_timezone(text: str) -> str:
    try:
        zoneinfo.ZoneInfo(text)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{text!r} is not an IANA time zone name such as Europe/London") from None
    return text


def _parse_db_uri(text: str) -> str:
    if text.startswith("sqlite:///") and len(text) > len("sqlite:///"):
        return text
    if text.startswith(("mongodb://", "mongodb+srv://")):
        return text
    raise ValueError(f"{text!r} is neither sqlite:///PATH nor mongodb://HOST/DATABASE")


def _local_timezone() -> str:
    """The host's zone name if it can be found, else UTC."""
    try:
        target = os.path.realpath("/etc/localtime")
        marker = "/zoneinfo/"
        if marker in target:
            return parse_timezone(target.split(marker, 1)[1])
    except (OSError, ValueError):
        pass
    return "UTC"


def _engine(attribute: str, parse: Callable[[str], Any], default: Callable[[], str], description: str,
            secret: bool = False) -> Setting:
    return Setting(attribute, "RPYMOSTAT_" + attribute.upper(), parse, default, description, secret, flag=False)


SETTINGS: tuple[Setting, ...] = (
    _engine("host", str, const("0.0.0.0"), "Address the HTTP API listens on."),
    _engine("port", parse_int(1, 65535), const("8088"), "TCP port of the HTTP API and web UI."),
    _engine(
        "db_uri",
        _parse_db_uri,
        lambda: "sqlite:///" + os.path.join(default_data_dir(), "rpymostat.sqlite"),
        "Database: sqlite:///PATH (embedded, the default) or mongodb://HOST[:PORT]/DATABASE.",
    ),
    _engine("timezone", parse_timezone, _local_timezone, "IANA time zone in which schedules are evaluated."),
    _engine("discovery", parse_bool, const("on"), "Advertise the engine by DNS-SD (_rpymostat._tcp) (on/off)."),
    _engine(
        "discovery_interfaces",
        parse_interfaces,
        const("all"),
        "Addresses DNS-SD advertises on: 'all', or a comma-separated list such as 127.0.0.1.",
    ),
    _engine("data_dir", str, default_data_dir,
            "Directory for the engine's files (the first-start admin key file among them)."),
    _engine("max_body_bytes", parse_int(1024, 16 * 1024 * 1024), const("65536"),
            "Largest request body accepted; larger ones are refused with 413."),
    _engine("signature_window", parse_int(5, 3600), const("120"),
            "Seconds a signed device request's timestamp may differ from the engine's clock."),
    _engine("sensor_stale_after", parse_int(10, 86400), const("300"),
            "Seconds without a report after which a sensor counts as stale."),
    _engine("raw_retention_days", parse_int(1, 3650), const("30"),
            "Days raw readings are kept before only their rollups remain."),
    _engine("rollup_5m_retention_days", parse_int(0, 36500), const("366"),
            "Days 5-minute history buckets (mean, min, max) are kept; 0 keeps them forever."),
    _engine("rollup_1h_retention_days", parse_int(0, 36500), const("3653"),
            "Days hourly history buckets are kept; 0 keeps them forever."),
    _engine("rollup_1d_retention_days", parse_int(0, 36500), const("0"),
            "Days daily history buckets are kept; 0 keeps them forever."),
)


@dataclass(frozen=True)
class EngineConfig:
    """The engine's effective configuration, validated at load."""

    host: str
    port: int
    db_uri: str
    timezone: str
    discovery: bool
    discovery_interfaces: str
    data_dir: str
    max_body_bytes: int
    signature_window: int
    sensor_stale_after: int
    raw_retention_days: int
    rollup_5m_retention_days: int
    rollup_1h_retention_days: int
    rollup_1d_retention_days: int

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> EngineConfig:
        """Build the configuration from an environment mapping (``os.environ``)."""
        return cls(**load(SETTINGS, environ))

    def describe(self, environ: Mapping[str, str]) -> list[dict[str, str]]:
        """Each variable with its value, default and description (passwords masked)."""
        return describe(SETTINGS, vars(self), environ)
