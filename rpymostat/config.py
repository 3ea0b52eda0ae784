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

from rpymostat.common.serving import ServerLimits, limit_settings
from rpymostat.common.settings import (
    ConfigError,
    FromSettings,
    Setting,
    const,
    describe,
    load,
    parse_bool,
    parse_float,
    parse_int,
    parse_interfaces,
)
from rpymostat.integrations.mqtt_config import parse_command_role, parse_mqtt_url, parse_node_id, parse_topic_prefix
from rpymostat.integrations.targets import parse_amqp_url, parse_exchange, parse_influx_url

__all__ = ["ConfigError", "EngineConfig", "SETTINGS", "default_data_dir"]


def default_data_dir() -> str:
    """Where the engine keeps its database and first-start admin key."""
    return platformdirs.user_data_dir("rpymostat", appauthor=False)


def _sqlite_in_data_dir(values: Mapping[str, Any]) -> str:
    """The default database: one SQLite file in the data directory, so RPYMOSTAT_DATA_DIR moves it too."""
    return "sqlite:///" + os.path.join(values["data_dir"], "rpymostat.sqlite")


def parse_timezone(text: str) -> str:
    try:
        zoneinfo.ZoneInfo(text)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
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


def _engine(attribute: str, parse: Callable[[str], Any], default: Callable[[], str] | FromSettings,
            description: str, secret: bool = False) -> Setting:
    return Setting(attribute, "RPYMOSTAT_" + attribute.upper(), parse, default, description, secret, flag=False)


SETTINGS: tuple[Setting, ...] = (
    _engine("host", str, const("0.0.0.0"), "Address the HTTP API listens on."),
    _engine("port", parse_int(1, 65535), const("8088"), "TCP port of the HTTP API and web UI."),
    _engine(
        "db_uri",
        _parse_db_uri,
        FromSettings(_sqlite_in_data_dir),
        "Database: sqlite:///PATH (embedded; the default is rpymostat.sqlite in RPYMOSTAT_DATA_DIR) "
        "or mongodb://HOST[:PORT]/DATABASE.",
    ),
    _engine("timezone", parse_timezone, _local_timezone,
            "IANA time zone in which schedules are evaluated, until one is chosen in the web UI or with "
            "PATCH /v1/schedules/settings (which then overrides this)."),
    _engine("discovery", parse_bool, const("on"), "Advertise the engine by DNS-SD (_rpymostat._tcp) (on/off)."),
    _engine(
        "discovery_interfaces",
        parse_interfaces,
        const("all"),
        "Addresses DNS-SD advertises on: 'all', or a comma-separated list such as 127.0.0.1.",
    ),
    _engine("data_dir", str, default_data_dir,
            "Directory for the engine's files: the default SQLite database and the first-start admin key file "
            "(by default the user's data directory, ~/.local/share/rpymostat on Linux)."),
    _engine("max_body_bytes", parse_int(1024, 16 * 1024 * 1024), const("65536"),
            "Largest request body accepted; a larger one is refused with 413 by its Content-Length before it is "
            "read, or cut off at the limit while it streams."),
    *limit_settings(_engine),
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
    # The safety layer's limits. The ranges keep every maximum run above every
    # minimum run, so no combination of values can contradict itself.
    _engine("heat_min_run", parse_int(0, 1800), const("300"),
            "Seconds the furnace runs at least once started (safety floor under any decision plugin)."),
    _engine("heat_min_off", parse_int(0, 3600), const("300"),
            "Seconds the furnace rests at least between runs (safety floor under any decision plugin)."),
    _engine("heat_max_run", parse_int(3600, 86400), const("14400"),
            "Seconds the furnace may run without stopping before it is forced to rest, unless the learned "
            "model sees the run warming the house as it expects (then up to three times as long)."),
    _engine("cool_min_run", parse_int(0, 1800), const("300"),
            "Seconds the air conditioning runs at least once started (safety floor under any decision plugin)."),
    _engine("cool_min_off", parse_int(0, 3600), const("300"),
            "Seconds the air conditioning rests at least between runs, to protect its compressor "
            "(safety floor under any decision plugin)."),
    _engine("cool_max_run", parse_int(3600, 86400), const("14400"),
            "Seconds the air conditioning may run without stopping before it is forced to rest, unless the "
            "learned model sees the run cooling the house as it expects (then up to three times as long)."),
    _engine("max_run_rest", parse_int(60, 7200), const("600"),
            "Seconds heat or cool rests after running its maximum time."),
    _engine("frost_floor", parse_float(0.0, 15.0), const("5.0"),
            "°C below which the house is heated in every mode, even with the system off."),
    _engine("frost_margin", parse_float(0.1, 5.0), const("1.0"),
            "°C above the frost floor that frost heating goes on to, so it does not chatter at the floor."),
    # Home Assistant through MQTT discovery (off while RPYMOSTAT_MQTT_URL is unset).
    _engine("mqtt_url", parse_mqtt_url, const(""),
            "MQTT broker for Home Assistant: mqtt://[USER[:PASSWORD]@]HOST[:PORT] or mqtts://... (TLS); "
            "empty turns the integration off."),
    _engine("mqtt_username", str, const(""), "MQTT user name; wins over the one in RPYMOSTAT_MQTT_URL."),
    _engine("mqtt_password", str, const(""), "MQTT password; wins over the one in RPYMOSTAT_MQTT_URL.",
            secret=True),
    _engine("mqtt_ca_file", str, const(""),
            "PEM file of the certificate authority that signed an mqtts:// broker's certificate "
            "(empty: the system's trusted authorities)."),
    _engine("mqtt_discovery_prefix", parse_topic_prefix, const("homeassistant"),
            "Home Assistant's MQTT discovery prefix."),
    _engine("mqtt_node_id", parse_node_id, const("rpymostat"),
            "Names this engine in MQTT topics and Home Assistant's unique IDs; give each engine on one broker "
            "its own."),
    _engine("mqtt_command_role", parse_command_role, const("none"),
            "Role granted to commands from MQTT (Home Assistant's mode, target and preset): write or admin "
            "turns them into instant adjustments; none or read ignores them (with a log line)."),
    # Prometheus metrics (docs/integrations_prometheus.rst).
    _engine("metrics", parse_bool, const("off"),
            "Serve Prometheus metrics at /metrics (on/off); needs pip install 'rpymostat[metrics]'."),
    _engine("metrics_open", parse_bool, const("off"),
            "Serve /metrics without an API key (on/off); off asks for a key of any role, as other reads do."),
    # Optional exports, off while their URL is empty (docs/integrations_influxdb.rst, integrations_amqp.rst).
    _engine("influx_url", parse_influx_url, const(""),
            "InfluxDB write URL for readings, relay switches and decisions: http://HOST:8086/write?db=DATABASE "
            "(1.x; user:password@ in the URL for a server with authentication) or "
            "http://HOST:8086/api/v2/write?org=ORG&bucket=BUCKET (2.x, with RPYMOSTAT_INFLUX_TOKEN). Empty: off."),
    _engine("influx_token", str, const(""), "InfluxDB 2.x API token (sent as Authorization: Token).", secret=True),
    _engine("influx_batch_size", parse_int(1, 10000), const("1000"), "Most points sent to InfluxDB in one request."),
    _engine("influx_interval", parse_float(0.05, 3600.0), const("10"),
            "Seconds between writes to InfluxDB (sooner when a full batch is ready)."),
    _engine("amqp_url", parse_amqp_url, const(""),
            "AMQP broker for readings, host information, relay switches and decisions: "
            "amqp://USER:PASSWORD@HOST:5672/VHOST or amqps://…. Empty: off."),
    _engine("amqp_exchange", parse_exchange, const("rpymostat"),
            "Topic exchange the AMQP messages go to (declared durable); routing keys are rpymostat.<host>.<kind>."),
    _engine("amqp_batch_size", parse_int(1, 10000), const("100"),
            "Most AMQP messages published before waiting for the broker's confirms."),
    _engine("amqp_interval", parse_float(0.05, 3600.0), const("1"),
            "Seconds between rounds of AMQP publishing (sooner when a full batch is ready)."),
    _engine("export_outbox_max", parse_int(100, 100_000_000), const("1000000"),
            "Most points or messages each export keeps on disk while its server is away; beyond it the oldest "
            "are dropped and counted."),
    _engine("export_retry_max", parse_float(1.0, 86400.0), const("300"),
            "Longest wait in seconds between attempts to reach an export's server (the wait doubles from the "
            "export's interval)."),
    # Device events, clients and reactions (issue 12).
    _engine("events_keep", parse_int(100, 10_000_000), const("10000"),
            "Most device events (POST /v1/events) kept; beyond it the oldest are dropped."),
    _engine("client_ping_timeout", parse_int(10, 86400), const("240"),
            "Seconds after its last request that a device or API key stops being listed as an active client."),
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
    header_timeout: float
    body_timeout: float
    max_connections_per_address: int
    signature_window: int
    sensor_stale_after: int
    raw_retention_days: int
    rollup_5m_retention_days: int
    rollup_1h_retention_days: int
    rollup_1d_retention_days: int
    heat_min_run: int
    heat_min_off: int
    heat_max_run: int
    cool_min_run: int
    cool_min_off: int
    cool_max_run: int
    max_run_rest: int
    frost_floor: float
    frost_margin: float
    mqtt_url: str | None
    mqtt_username: str
    mqtt_password: str
    mqtt_ca_file: str
    mqtt_discovery_prefix: str
    mqtt_node_id: str
    mqtt_command_role: str
    metrics: bool
    metrics_open: bool
    influx_url: str | None
    influx_token: str
    influx_batch_size: int
    influx_interval: float
    amqp_url: str | None
    amqp_exchange: str
    amqp_batch_size: int
    amqp_interval: float
    export_outbox_max: int
    export_retry_max: float
    events_keep: int
    client_ping_timeout: int

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> EngineConfig:
        """Build the configuration from an environment mapping (``os.environ``)."""
        return cls(**load(SETTINGS, environ))

    @property
    def server_limits(self) -> ServerLimits:
        return ServerLimits(self.max_body_bytes, self.header_timeout, self.body_timeout,
                            self.max_connections_per_address)

    def describe(self, environ: Mapping[str, str]) -> list[dict[str, str]]:
        """Each variable with its value, default and description (passwords masked)."""
        return describe(SETTINGS, vars(self), environ)
