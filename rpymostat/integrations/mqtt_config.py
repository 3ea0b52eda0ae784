"""The MQTT settings' parsers and the broker address they describe.

Parsing stays here, free of any MQTT library, so ``rpymostat.config`` can
validate ``RPYMOSTAT_MQTT_*`` at start-up (and ``--show-config`` can print
them) on an engine installed without the ``mqtt`` extra.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from rpymostat.security.keys import ROLES

DEFAULT_PORTS = {"mqtt": 1883, "mqtts": 8883}
COMMAND_ROLES = ("none", *ROLES)
_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


@dataclass(frozen=True)
class BrokerAddress:
    """Where the broker is and how to sign in; ``tls`` for ``mqtts://``."""

    host: str
    port: int
    tls: bool
    username: str | None = None
    password: str | None = None


def parse_mqtt_url(text: str) -> str | None:
    """Check ``mqtt://[user[:password]@]host[:port]`` (or ``mqtts://``); '' means MQTT is off."""
    text = text.strip()
    if not text:
        return None
    broker_address(text)
    return text


def broker_address(url: str, username: str = "", password: str = "") -> BrokerAddress:
    """The broker a valid URL names; ``username``/``password``, when given, win over the URL's."""
    parts = urlsplit(url)
    if parts.scheme not in DEFAULT_PORTS:
        raise ValueError(f"{url!r} is not an mqtt:// or mqtts:// URL")
    try:
        port = parts.port
    except ValueError:
        raise ValueError(f"{url!r} has a port that is not a number from 1 to 65535") from None
    if not parts.hostname:
        raise ValueError(f"{url!r} names no broker host, as in mqtt://broker.lan:1883")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ValueError(f"{url!r} has a path or query; give only mqtt://[user[:password]@]host[:port]")
    user = username or (unquote(parts.username) if parts.username else None)
    secret = password or (unquote(parts.password) if parts.password else None)
    return BrokerAddress(parts.hostname, port or DEFAULT_PORTS[parts.scheme], parts.scheme == "mqtts",
                         user or None, secret or None)


def parse_node_id(text: str) -> str:
    """Home Assistant accepts only letters, digits, ``_`` and ``-`` in a discovery topic's node ID."""
    text = text.strip()
    if not _ID.match(text):
        raise ValueError(f"{text!r} must be 1 to 64 letters, digits, '_' or '-'")
    return text


def parse_topic_prefix(text: str) -> str:
    """A topic prefix to publish under: no wildcards, no empty level, no leading or trailing '/'."""
    text = text.strip()
    if not text or any(not level for level in text.split("/")) or any(c in text for c in "#+\0"):
        raise ValueError(f"{text!r} is not a topic prefix such as homeassistant (no '#', '+' or empty level)")
    return text


def parse_command_role(text: str) -> str:
    """``none`` (commands ignored) or an API role; commands change targets only under write or admin."""
    text = text.strip().lower()
    if text not in COMMAND_ROLES:
        raise ValueError(f"{text!r} is not one of {', '.join(COMMAND_ROLES)}")
    return text
