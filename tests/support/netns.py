"""Several "hosts" on one machine, for end-to-end tests that need a LAN.

Each host is a network namespace with ``lo`` up and one veth interface
(``eth0``) carrying ``<subnet>.<n>/24``. The other ends of the veth pairs are
ports of a bridge that lives in a namespace of its own, so any number of
hosts share one broadcast domain, multicast (mDNS) included. Nothing touches
the machine's own network namespace: the veth pairs are created inside the
bridge namespace and moved straight into the hosts.

Every name starts with a per-run prefix ``rpmt-<pid>-<random>-`` so parallel
runs never collide, and leftovers of crashed runs (whose pid is gone) can be
found and removed by :func:`sweep_leftovers`.

This module does not import pytest: a fixture wraps :class:`Lan` where needed
and turns :class:`NetnsUnavailable` into a skip with its message (a failure
in CI: see ``tests/support/requirements.py``).
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Self

PREFIX = "rpmt-"
NAME_PATTERN = re.compile(rf"^{PREFIX}(?P<pid>\d+)-[0-9a-f]+-")
HOST_INTERFACE = "eth0"
BRIDGE = "br0"
NETNS_DIR = "/run/netns"
STOP_GRACE_SECONDS = 5.0


class NetnsUnavailable(RuntimeError):
    """Network namespaces cannot be made here (not root, or no iproute2)."""


def unavailable_reason() -> str | None:
    """Say why namespaces cannot be made here, or None when they can."""
    if os.geteuid() != 0:
        return f"network namespaces need root (running as uid {os.geteuid()})"
    if shutil.which("ip") is None:
        return "the `ip` command is missing: install iproute2"
    return None


def _ip(*args: str) -> None:
    result = subprocess.run(["ip", *args], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"`ip {' '.join(args)}` failed: {result.stderr.strip()}")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _existing_namespaces() -> list[str]:
    try:
        return sorted(os.listdir(NETNS_DIR))
    except FileNotFoundError:
        return []


def sweep_leftovers() -> list[str]:
    """Delete namespaces left by earlier runs that died; return their names.

    Only names of our own scheme whose run's process no longer exists are
    touched, so a run going on in parallel keeps its namespaces.
    """
    removed = []
    for name in _existing_namespaces():
        match = NAME_PATTERN.match(name)
        if match and int(match["pid"]) != os.getpid() and not _pid_alive(int(match["pid"])):
            subprocess.run(["ip", "netns", "del", name], capture_output=True, check=False)
            removed.append(name)
    return removed


@dataclass
class Host:
    """One namespace with one address on the shared LAN."""

    label: str
    namespace: str
    address: str
    interface: str = HOST_INTERFACE
    processes: list[subprocess.Popen] = field(default_factory=list)

    def command(self, argv: Sequence[str]) -> list[str]:
        """The argv that runs ``argv`` inside this host."""
        return ["ip", "netns", "exec", self.namespace, *argv]

    def popen(
        self, argv: Sequence[str], env: Mapping[str, str] | None = None, **kwargs: object
    ) -> subprocess.Popen:
        """Start a process in this host; it is stopped when the LAN is torn down."""
        process = subprocess.Popen(
            self.command(argv), env=dict(env) if env is not None else None, **kwargs  # type: ignore[call-overload]
        )
        self.processes.append(process)
        return process

    def run(
        self, argv: Sequence[str], timeout: float = 30.0, **kwargs: object
    ) -> subprocess.CompletedProcess:
        """Run a command in this host to completion, capturing text output."""
        return subprocess.run(  # type: ignore[call-overload]
            self.command(argv), capture_output=True, text=True, timeout=timeout, check=False, **kwargs
        )

    def stop_processes(self) -> None:
        """Terminate what :meth:`popen` started, killing whatever will not stop."""
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=STOP_GRACE_SECONDS)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


class Lan:
    """Hosts joined by a bridge; use as a context manager for sure cleanup.

    ``Lan(["engine", "room1", "room2"])`` gives hosts with addresses
    ``<subnet>.1``, ``.2``, ``.3`` in the order given.
    """

    def __init__(self, labels: Sequence[str], subnet: str = "10.200.0") -> None:
        if len(labels) < 1 or len(set(labels)) != len(labels):
            raise ValueError("give one or more distinct host labels")
        if len(labels) > 250:
            raise ValueError("a /24 holds at most 250 hosts here")
        self.prefix = f"{PREFIX}{os.getpid()}-{secrets.token_hex(3)}-"
        self.bridge_namespace = f"{self.prefix}bridge"
        self.hosts: dict[str, Host] = {
            label: Host(label, f"{self.prefix}h{index}", f"{subnet}.{index}")
            for index, label in enumerate(labels, start=1)
        }
        self._made: list[str] = []

    def __getitem__(self, label: str) -> Host:
        return self.hosts[label]

    def __enter__(self) -> Self:
        reason = unavailable_reason()
        if reason is not None:
            raise NetnsUnavailable(reason)
        sweep_leftovers()
        try:
            self._build()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _add_namespace(self, name: str) -> None:
        result = subprocess.run(["ip", "netns", "add", name], capture_output=True, text=True, check=False)
        if result.returncode != 0:
            message = result.stderr.strip()
            if "ermission" in message or "not permitted" in message:
                raise NetnsUnavailable(f"cannot create network namespaces here: {message}")
            raise RuntimeError(f"`ip netns add {name}` failed: {message}")
        self._made.append(name)
        _ip("-n", name, "link", "set", "lo", "up")

    def _build(self) -> None:
        bridge_ns = self.bridge_namespace
        self._add_namespace(bridge_ns)
        # Snooping off: with no querier on this LAN the bridge would otherwise
        # be free to stop flooding mDNS to ports it has not seen join.
        _ip("-n", bridge_ns, "link", "add", BRIDGE, "type", "bridge", "mcast_snooping", "0")
        _ip("-n", bridge_ns, "link", "set", BRIDGE, "up")
        for index, host in enumerate(self.hosts.values(), start=1):
            self._add_namespace(host.namespace)
            port = f"p{index}"
            _ip("-n", bridge_ns, "link", "add", port, "type", "veth",
                "peer", "name", host.interface, "netns", host.namespace)
            _ip("-n", bridge_ns, "link", "set", port, "master", BRIDGE)
            _ip("-n", bridge_ns, "link", "set", port, "up")
            _ip("-n", host.namespace, "addr", "add", f"{host.address}/24", "dev", host.interface)
            _ip("-n", host.namespace, "link", "set", host.interface, "multicast", "on")
            _ip("-n", host.namespace, "link", "set", host.interface, "up")
            # No default route in a namespace: give multicast an explicit way out.
            _ip("-n", host.namespace, "route", "add", "224.0.0.0/4", "dev", host.interface)

    def close(self) -> None:
        """Stop the hosts' processes and delete every namespace this LAN made."""
        for host in self.hosts.values():
            host.stop_processes()
        for name in reversed(self._made):
            subprocess.run(["ip", "netns", "del", name], capture_output=True, check=False)
        self._made.clear()

    def namespaces(self) -> list[str]:
        """Names of the namespaces this LAN currently holds."""
        return list(self._made)
