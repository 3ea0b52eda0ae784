"""The real engine advertises itself on its LAN and withdraws on shutdown."""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Callable, Sequence

import pytest

from rpymostat.testing.processes import BIN
from tests.integration.discovery.test_dns_sd_across_namespaces import browse, found
from tests.support.netns import Lan

pytestmark = [pytest.mark.netns, pytest.mark.slow]

MakeLan = Callable[[Sequence[str]], Lan]


def test_a_browser_in_another_namespace_finds_the_engine_and_sees_it_leave(make_lan: MakeLan, tmp_path) -> None:
    lan = make_lan(["engine", "room"])
    engine_host = lan["engine"]
    room = browse(lan["room"])
    env = {
        **os.environ,
        "RPYMOSTAT_DB_URI": f"sqlite:///{tmp_path}/engine.sqlite",
        "RPYMOSTAT_DATA_DIR": str(tmp_path),
        "RPYMOSTAT_HOST": engine_host.address,
        "RPYMOSTAT_PORT": "8088",
        "RPYMOSTAT_DISCOVERY": "on",
        "RPYMOSTAT_DISCOVERY_INTERFACES": engine_host.address,
    }
    log = open(tmp_path / "engine.log", "w")
    engine = engine_host.popen([str(BIN / "rpymostat-engine")], env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        assert found(room) == f"http://{engine_host.address}:8088"
        engine.send_signal(signal.SIGTERM)
        assert engine.wait(timeout=20) == 0
        assert found(room) == "none"
    finally:
        if engine.poll() is None:
            engine.kill()
        log.close()
    assert "Advertised by DNS-SD" in (tmp_path / "engine.log").read_text()
