"""A daemon on another host finds the engine by DNS-SD, in either start order.

Real processes in network namespaces joined by a bridge: the engine side
advertises with ServiceAdvertiser (tests/support/advertise_once.py), the
daemon side browses with ZeroconfLocator (tests/support/find_engine.py).
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from rpymostat.common.discovery import default_service_name
from tests.support.lines import Lines
from tests.support.netns import Host, Lan

pytestmark = pytest.mark.netns

MakeLan = Callable[[Sequence[str]], Lan]
SUPPORT = Path(__file__).resolve().parents[2] / "support"
ENGINE_PORT = 8088


def advertise(host: Host, port: int = ENGINE_PORT) -> Lines:
    process = host.popen([sys.executable, str(SUPPORT / "advertise_once.py"), host.address, str(port)],
                         stdout=subprocess.PIPE, text=True)
    return Lines(process.stdout)  # type: ignore[arg-type]


def browse(host: Host) -> Lines:
    process = host.popen([sys.executable, str(SUPPORT / "find_engine.py"), host.address],
                         stdout=subprocess.PIPE, text=True)
    lines = Lines(process.stdout)  # type: ignore[arg-type]
    lines.wait_for(lambda line: line == "browsing")
    return lines


def found(lines: Lines) -> str:
    return lines.wait_for(lambda line: line.startswith("engine ")).removeprefix("engine ")


def test_browser_on_another_host_finds_the_running_engine(make_lan: MakeLan) -> None:
    lan = make_lan(["engine", "room"])
    engine = advertise(lan["engine"])
    registered = engine.wait_for(lambda line: line.startswith("advertising "))

    url = found(browse(lan["room"]))

    assert registered == f"advertising {default_service_name()}._rpymostat._tcp.local."
    assert url == f"http://{lan['engine'].address}:{ENGINE_PORT}"


def test_browsers_started_first_find_the_engine_when_it_appears(make_lan: MakeLan) -> None:
    lan = make_lan(["engine", "room1", "room2"])
    rooms = [browse(lan["room1"]), browse(lan["room2"])]

    advertise(lan["engine"])

    assert [found(room) for room in rooms] == [f"http://{lan['engine'].address}:{ENGINE_PORT}"] * 2


def test_browser_notices_when_the_engine_stops(make_lan: MakeLan) -> None:
    lan = make_lan(["engine", "room"])
    room = browse(lan["room"])
    engine = advertise(lan["engine"])
    engine.wait_for(lambda line: line.startswith("advertising "))
    assert found(room) == f"http://{lan['engine'].address}:{ENGINE_PORT}"

    lan["engine"].stop_processes()

    assert found(room) == "none"
