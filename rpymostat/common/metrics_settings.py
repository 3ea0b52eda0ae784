"""The settings of a daemon's optional Prometheus metrics listener, worded once for both daemons.

Standard library only: the daemons read their configuration on a Pi Zero
whether or not metrics are on.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rpymostat.common.settings import Setting, const


def parse_metrics_port(text: str) -> int | None:
    """'off' (or empty) for no listener, else a TCP port (0: any free port)."""
    text = text.strip().lower()
    if text in ("", "off"):
        return None
    try:
        value = int(text)
    except ValueError:
        raise ValueError(f"{text!r} is neither 'off' nor a port number") from None
    if not 0 <= value <= 65535:
        raise ValueError(f"{value} is outside 0..65535")
    return value


def metrics_port_text(port: int | None) -> str:
    """How ``--show-config`` prints the port: the number, or ``off``."""
    return "off" if port is None else str(port)


def metrics_settings(make: Callable[[str, Callable[[str], Any], Callable[[], str], str], Setting]
                     ) -> tuple[Setting, ...]:
    """``metrics_port`` and ``metrics_host`` rows; ``make(attribute, parse, default, description)`` adds the prefix."""
    return (
        make("metrics_port", parse_metrics_port, const("off"),
             "Serve Prometheus metrics at http://HOST:PORT/metrics on this port (0: any free port; off: not at "
             "all); needs prometheus_client, which the daemon's extra installs."),
        make("metrics_host", str, const("127.0.0.1"),
             "Address the metrics listener binds to; the metrics need no key, so widen it (e.g. 0.0.0.0) only "
             "for a trusted network."),
    )
