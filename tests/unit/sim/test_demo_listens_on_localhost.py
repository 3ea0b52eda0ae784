"""The demo listens on this machine only, unless told to listen elsewhere."""

from __future__ import annotations

from rpymostat.config import EngineConfig
from rpymostat.sim.demo import demo_environ


def test_the_demo_listens_on_localhost_by_default(tmp_path):
    config = EngineConfig.from_environ(demo_environ({"RPYMOSTAT_DATA_DIR": str(tmp_path)}))
    assert config.host == "127.0.0.1"


def test_rpymostat_host_still_chooses_where_it_listens(tmp_path):
    config = EngineConfig.from_environ(demo_environ({"RPYMOSTAT_DATA_DIR": str(tmp_path), "RPYMOSTAT_HOST": "0.0.0.0"}))
    assert config.host == "0.0.0.0"
