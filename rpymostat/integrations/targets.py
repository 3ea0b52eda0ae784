"""Checking the export URLs at start-up, so a typo stops the engine with the variable named.

Only the standard library is used: the engine's configuration imports this
even when every export is off.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlencode, urlsplit, urlunsplit

__all__ = ["InfluxTarget", "AmqpTarget", "amqp_target", "influx_target", "parse_amqp_url", "parse_influx_url"]

INFLUX_PRECISION = "ms"


def _one(query: dict[str, list[str]], name: str) -> str | None:
    values = query.get(name)
    return values[-1] if values and values[-1] else None


def parse_influx_url(text: str) -> str | None:
    """An InfluxDB write URL (1.x ``…/write?db=NAME`` or 2.x ``…/api/v2/write?org=ORG&bucket=NAME``), or '' for off."""
    text = text.strip()
    if not text:
        return None
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{_shown(text)!r} is not an http:// or https:// URL")
    query = parse_qs(parts.query)
    if "precision" in query:
        raise ValueError("leave precision out of the URL; the engine writes millisecond timestamps and says so itself")
    path = parts.path.rstrip("/")
    if path.endswith("/api/v2/write"):
        if not (_one(query, "org") or _one(query, "orgID")) or not _one(query, "bucket"):
            raise ValueError("an InfluxDB 2.x URL …/api/v2/write needs ?org=ORG&bucket=BUCKET")
    elif path.endswith("/write"):
        if not _one(query, "db"):
            raise ValueError("an InfluxDB 1.x URL …/write needs ?db=DATABASE")
    else:
        raise ValueError("the path must end with /write?db=DATABASE (InfluxDB 1.x) or "
                         "/api/v2/write?org=ORG&bucket=BUCKET (InfluxDB 2.x)")
    return text


def parse_amqp_url(text: str) -> str | None:
    """An AMQP broker URL (``amqp://user:password@host:5672/vhost`` or ``amqps://…``), or '' for off."""
    text = text.strip()
    if not text:
        return None
    parts = urlsplit(text)
    if parts.scheme not in ("amqp", "amqps") or not parts.hostname:
        raise ValueError(f"{_shown(text)!r} is not an amqp:// or amqps:// URL")
    try:
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        raise ValueError("the port of the AMQP URL is not a number") from None
    return text


def parse_exchange(text: str) -> str:
    """An AMQP exchange name: 1 to 127 letters, digits, '-', '_', '.' or ':'."""
    text = text.strip()
    allowed = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:")
    if not 1 <= len(text) <= 127 or not set(text) <= allowed or text.startswith("amq."):
        raise ValueError(f"{text!r} is not an exchange name (letters, digits, - _ . :, not starting with amq.)")
    return text


def _shown(text: str) -> str:
    """The URL without its password, for an error message."""
    parts = urlsplit(text)
    if parts.password is None:
        return text
    netloc = parts.netloc.replace(":" + parts.password + "@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


@dataclass(frozen=True)
class InfluxTarget:
    """Where and how to POST line protocol: the URL (with precision) and the headers."""

    url: str
    headers: dict[str, str]


def influx_target(url: str, token: str | None) -> InfluxTarget:
    """The request for ``url``: credentials in the URL become Basic auth, a token becomes ``Authorization: Token``.

    Credentials are taken out of the URL so they never appear in a logged
    request line.
    """
    parts = urlsplit(url)
    query = [(name, value) for name, values in parse_qs(parts.query).items() for value in values]
    query.append(("precision", INFLUX_PRECISION))
    host = parts.hostname or ""
    netloc = f"[{host}]" if ":" in host else host
    if parts.port is not None:
        netloc += f":{parts.port}"
    clean = urlunsplit((parts.scheme, netloc, parts.path, urlencode(query), ""))
    headers = {"Content-Type": "text/plain; charset=utf-8"}
    if token:
        headers["Authorization"] = f"Token {token}"
    elif parts.username is not None:
        pair = f"{unquote(parts.username)}:{unquote(parts.password or '')}".encode()
        headers["Authorization"] = "Basic " + base64.b64encode(pair).decode("ascii")
    return InfluxTarget(clean, headers)


@dataclass(frozen=True)
class AmqpTarget:
    host: str
    port: int
    tls: bool
    username: str
    password: str
    virtual_host: str


def amqp_target(url: str) -> AmqpTarget:
    """The broker's address and credentials; RabbitMQ's defaults (guest, vhost '/') where the URL has none."""
    parts = urlsplit(url)
    tls = parts.scheme == "amqps"
    vhost = unquote(parts.path[1:]) if len(parts.path) > 1 else "/"
    return AmqpTarget(
        host=parts.hostname or "localhost",
        port=parts.port or (5671 if tls else 5672),
        tls=tls,
        username=unquote(parts.username) if parts.username else "guest",
        password=unquote(parts.password) if parts.password else "guest",
        virtual_host=vhost,
    )
