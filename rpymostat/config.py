"""The engine's configuration: every ``RPYMOSTAT_*`` variable, defined once.

The definitions below are the single source for parsing, for
``rpymostat-engine --show-config`` and for the generated configuration page
of the docs, so the three can never disagree. Configuration is read once, at
start-up, into a frozen :class:`EngineConfig`; no other module reads the
environment.
"""

from __future__ import annotations

import os
import zoneinfo
from dataclasses import dataclass
from typing import Any, Callable, Mapping

import platformdirs

PREFIX = "RPYMOSTAT_"


class ConfigError(ValueError):
    """A configuration value is unusable; the message names the variable."""


def default_data_dir() -> str:
    """Where the engine keeps its database and first-start admin key."""
    return platformdirs.user_data_dir("rpymostat", appauthor=False)


def _parse_int(low: int, high: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise ValueError(f"{text!r} is not a whole number") from None
        if not low <= value <= high:
            raise ValueError(f"{value} is outside {low}..{high}")
        return value

    return parse


def _parse_float(low: float, high: float) -> Callable[[str], float]:
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise ValueError(f"{text!r} is not a number") from None
        if not low <= value <= high:
            raise ValueError(f"{value} is outside {low}..{high}")
        return value

    return parse


def _parse_bool(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in ("1", "on", "true", "yes"):
        return True
    if lowered in ("0", "off", "false", "no"):
        return False
    raise ValueError(f"{text!r} is not on/off")


def _parse_timezone(text: str) -> str:
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


def _parse_interfaces(text: str) -> str:
    text = text.strip()
    if text == "all" or all(part.strip() for part in text.split(",")):
        return text
    raise ValueError(f"{text!r} is neither 'all' nor a comma-separated list of addresses")


def _local_timezone() -> str:
    """The host's zone name if it can be found, else UTC."""
    try:
        target = os.path.realpath("/etc/localtime")
        marker = "/zoneinfo/"
        if marker in target:
            return _parse_timezone(target.split(marker, 1)[1])
    except (OSError, ValueError):
        pass
    return "UTC"


@dataclass(frozen=True)
class Setting:
    """One ``RPYMOSTAT_*`` variable: its attribute, parser, default and meaning."""

    attribute: str
    parse: Callable[[str], Any]
    default: Callable[[], str]
    description: str
    secret: bool = False

    @property
    def env_var(self) -> str:
        return PREFIX + self.attribute.upper()


def _const(value: str) -> Callable[[], str]:
    return lambda: value


SETTINGS: tuple[Setting, ...] = (
    Setting("host", str, _const("0.0.0.0"), "Address the HTTP API listens on."),
    Setting("port", _parse_int(1, 65535), _const("8088"), "TCP port of the HTTP API and web UI."),
    Setting(
        "db_uri",
        _parse_db_uri,
        lambda: "sqlite:///" + os.path.join(default_data_dir(), "rpymostat.sqlite"),
        "Database: sqlite:///PATH (embedded, the default) or mongodb://HOST[:PORT]/DATABASE.",
        secret=True,
    ),
    Setting("timezone", _parse_timezone, _local_timezone, "IANA time zone in which schedules are evaluated."),
    Setting("discovery", _parse_bool, _const("on"), "Advertise the engine by DNS-SD (_rpymostat._tcp) (on/off)."),
    Setting(
        "discovery_interfaces",
        _parse_interfaces,
        _const("all"),
        "Addresses DNS-SD advertises on: 'all', or a comma-separated list such as 127.0.0.1.",
    ),
    Setting(
        "data_dir",
        str,
        default_data_dir,
        "Directory for the engine's files (the first-start admin key file among them).",
    ),
    Setting(
        "max_body_bytes",
        _parse_int(1024, 16 * 1024 * 1024),
        _const("65536"),
        "Largest request body accepted; larger ones are refused with 413.",
    ),
    Setting(
        "signature_window",
        _parse_int(5, 3600),
        _const("120"),
        "Seconds a signed device request's timestamp may differ from the engine's clock.",
    ),
    Setting(
        "sensor_stale_after",
        _parse_int(10, 86400),
        _const("300"),
        "Seconds without a report after which a sensor counts as stale.",
    ),
    Setting(
        "raw_retention_days",
        _parse_int(1, 3650),
        _const("30"),
        "Days raw readings are kept before only their rollups remain.",
    ),
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

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> "EngineConfig":
        """Build the configuration from an environment mapping (``os.environ``)."""
        values: dict[str, Any] = {}
        for setting in SETTINGS:
            raw = environ.get(setting.env_var)
            text = raw if raw not in (None, "") else setting.default()
            try:
                values[setting.attribute] = setting.parse(text)
            except ValueError as exc:
                raise ConfigError(f"{setting.env_var}: {exc}") from None
        return cls(**values)

    def describe(self, environ: Mapping[str, str]) -> list[dict[str, str]]:
        """Each variable with its value, default and description (secrets masked)."""
        rows = []
        for setting in SETTINGS:
            value = getattr(self, setting.attribute)
            shown = _display(value)
            if setting.secret:
                shown = _mask_uri(shown)
            rows.append(
                {
                    "variable": setting.env_var,
                    "value": shown,
                    "default": setting.default(),
                    "set": "yes" if environ.get(setting.env_var) else "no",
                    "description": setting.description,
                }
            )
        return rows


def _display(value: Any) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    return str(value)


def _mask_uri(uri: str) -> str:
    """Hide a password in ``scheme://user:password@host`` URIs."""
    if "://" in uri and "@" in uri:
        scheme, rest = uri.split("://", 1)
        credentials, host = rest.rsplit("@", 1)
        if ":" in credentials:
            user = credentials.split(":", 1)[0]
            return f"{scheme}://{user}:***@{host}"
    return uri

