"""The namespace LAN other end-to-end tests stand on: addresses, traffic, cleanup."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Sequence

import pytest

from tests.support.lines import Lines
from tests.support.netns import NETNS_DIR, Lan, sweep_leftovers, unavailable_reason
from tests.support.requirements import requirement_missing

pytestmark = pytest.mark.netns


@pytest.fixture(autouse=True)
def namespaces_available() -> None:
    """Some tests here use :class:`Lan` directly, without the ``make_lan`` fixture."""
    reason = unavailable_reason()
    if reason is not None:
        requirement_missing(reason)

MakeLan = Callable[[Sequence[str]], Lan]

LISTEN = """
import socket, sys
server = socket.create_server((sys.argv[1], 18500))
print("listening", flush=True)
connection, peer = server.accept()
print("from", peer[0], connection.recv(100).decode(), flush=True)
"""
CONNECT = """
import os, socket, sys
with socket.create_connection((sys.argv[1], 18500), timeout=10) as connection:
    connection.sendall(os.environ["GREETING"].encode())
"""


def _namespaces() -> set[str]:
    return set(os.listdir(NETNS_DIR)) if os.path.isdir(NETNS_DIR) else set()


def test_hosts_reach_each_other_by_their_addresses(make_lan: MakeLan) -> None:
    lan = make_lan(["server", "client", "bystander"])
    server, client = lan["server"], lan["client"]
    listener = server.popen([sys.executable, "-c", LISTEN, server.address], stdout=subprocess.PIPE, text=True)
    lines = Lines(listener.stdout)  # type: ignore[arg-type]
    lines.wait_for(lambda line: line == "listening")

    sent = client.run([sys.executable, "-c", CONNECT, server.address], env={**os.environ, "GREETING": "hello"})

    assert sent.returncode == 0, sent.stderr
    assert lines.wait_for(lambda line: line.startswith("from")) == f"from {client.address} hello"
    assert [host.address for host in lan.hosts.values()] == ["10.200.0.1", "10.200.0.2", "10.200.0.3"]


def test_a_host_sees_only_its_own_interface_not_the_machines() -> None:
    with Lan(["only"]) as lan:
        shown = lan["only"].run(["ip", "-o", "-4", "addr", "show"]).stdout

    interfaces = {line.split()[1] for line in shown.splitlines()}
    assert interfaces == {"lo", "eth0"}
    assert "10.200.0.1/24" in shown


def test_every_namespace_is_deleted_and_process_stopped_even_when_the_test_fails() -> None:
    with pytest.raises(RuntimeError, match="test failed"), Lan(["a", "b"]) as lan:
        made = set(lan.namespaces())
        sleeper = lan["a"].popen([sys.executable, "-c", "import time; time.sleep(600)"])
        raise RuntimeError("test failed")

    assert len(made) == 3
    assert not made & _namespaces()
    assert sleeper.poll() is not None


def test_sweep_removes_namespaces_of_dead_runs_and_keeps_live_ones() -> None:
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                              capture_output=True, text=True, check=True)
    dead = f"rpmt-{finished.stdout.strip()}-abcdef-h1"
    live = f"rpmt-{os.getppid()}-abcdef-h1"
    for name in (dead, live):
        subprocess.run(["ip", "netns", "add", name], check=True)
    try:
        removed = sweep_leftovers()
        remaining = _namespaces()
    finally:
        for name in (dead, live):
            subprocess.run(["ip", "netns", "del", name], capture_output=True, check=False)

    assert dead in removed and dead not in remaining
    assert live in remaining
