"""An in-memory LAN: treq requests routed by host name to resources answered through ``StubTreq``.

The engine's relay commander calls each control daemon at the URL it
registered with; in API unit tests those URLs name hosts of this LAN
(``http://boiler-pi.test``), so engine and daemons talk real HTTP with no
socket. A host taken off the LAN is unreachable, as a daemon whose Pi lost
power.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from twisted.internet.defer import Deferred, fail
from twisted.internet.error import ConnectionRefusedError


class InMemoryLan:
    """Quacks like a treq ``HTTPClient`` for ``request``; each host is a ``StubTreq`` over its resource."""

    def __init__(self) -> None:
        self.hosts: dict[str, Any] = {}

    def add(self, host: str, client: Any) -> str:
        """Put ``client`` (a ``StubTreq``) on the LAN as ``host``; its base URL."""
        self.hosts[host] = client
        return f"http://{host}"

    def remove(self, host: str) -> None:
        del self.hosts[host]

    def request(self, method: str, url: str, **kwargs: Any) -> Deferred:
        host = urlsplit(url).hostname or ""
        client = self.hosts.get(host)
        if client is None:
            return fail(ConnectionRefusedError(f"no host {host} on the in-memory LAN"))
        return client.request(method, url, **kwargs)  # type: ignore[no-any-return]
