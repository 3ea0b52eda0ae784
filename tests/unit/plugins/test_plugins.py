"""Plugins: found through entry points, checked, listed and chosen through the API."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import pytest_twisted

from rpymostat.plugins.registry import DEFAULTS, check_plugin, load_plugins
from rpymostat.testing.processes import EngineProcess, http

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "thirdparty_plugin"


@pytest.mark.parametrize("kind", sorted(DEFAULTS))
def test_every_registered_plugin_meets_its_interface(kind):
    plugins = load_plugins(kind)
    assert DEFAULTS[kind] in plugins
    for loaded in plugins.values():
        assert check_plugin(kind, loaded.plugin) is None
        assert loaded.description


def test_ill_formed_plugins_are_refused_with_a_reason():
    class NoDecide:
        name, description, options_schema = "x", "y", {}

    class BadSchema:
        name, description, options_schema = "x", "y", {"type": "nonsense"}

        def decide(self, context, options):
            return None

    assert "decide" in check_plugin("decisions", NoDecide())
    assert "JSON Schema" in check_plugin("decisions", BadSchema())
    assert check_plugin("schedulers", object()) == "has no name"


@pytest_twisted.ensureDeferred
async def test_plugins_are_listed_with_their_option_schemas(engine):
    listed = (await engine.request("GET", "/v1/plugins", key="read")).json
    assert listed["decisions"]["active"] == "predictive"
    names = {p["name"] for p in listed["decisions"]["available"]}
    assert {"predictive", "hysteresis", "bangbang"} <= names
    predictive = next(p for p in listed["decisions"]["available"] if p["name"] == "predictive")
    assert predictive["options_schema"]["type"] == "object" and predictive["default"] is True
    hysteresis = next(p for p in listed["decisions"]["available"] if p["name"] == "hysteresis")
    assert hysteresis["default"] is False
    assert listed["schedulers"]["active"] == "cron"
    assert listed["weather"]["active"] == "recent_days"
    recent = next(p for p in listed["weather"]["available"] if p["name"] == "recent_days")
    assert recent["options_schema"]["properties"]["days"]["default"] == 3


@pytest_twisted.ensureDeferred
async def test_choosing_a_plugin_validates_its_options_and_persists(engine):
    chosen = await engine.request("PUT", "/v1/plugins/decisions", key="write",
                                  json={"name": "bangbang", "options": {"band": 0.5}})
    assert chosen.code == 200, chosen.text
    assert (chosen.json["active"], chosen.json["options"]) == ("bangbang", {"band": 0.5})
    for body, message in [({"name": "hysteresis", "options": {"tolerance": "wide"}}, "tolerance"),
                          ({"name": "nope"}, "no decisions plugin called 'nope'"),
                          ({"options": {}}, "name field is missing"),
                          ({"name": "hysteresis", "colour": 1}, "unknown field")]:
        refused = await engine.request("PUT", "/v1/plugins/decisions", key="write", json=body)
        assert refused.code == 422 and message in refused.json["error"], refused.text
    listed = (await engine.request("GET", "/v1/plugins", key="read")).json
    assert (listed["decisions"]["active"], listed["decisions"]["options"]) == ("bangbang", {"band": 0.5})
    assert (await engine.request("PUT", "/v1/plugins/gadgets", key="write", json={"name": "x"})).code == 404


@pytest.mark.slow
def test_a_third_party_plugin_package_is_found_once_installed(tmp_path):
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps",
                    "--target", str(target), str(FIXTURE)], check=True, capture_output=True, timeout=300)
    engine = EngineProcess.prepare(tmp_path, PYTHONPATH=os.pathsep.join([str(target), *sys.path[1:2]]))
    try:
        engine.start()
        key = (tmp_path / "admin-key").read_text().strip()
        status, listed = http("GET", engine.url + "/v1/plugins", key=key)
        assert status == 200
        example = next(p for p in listed["decisions"]["available"] if p["name"] == "always_idle")
        assert example["source"].startswith("rpymostat-example-plugin:")
        assert example["options_schema"]["properties"]["note"]["default"] == "resting"
        status, chosen = http("PUT", engine.url + "/v1/plugins/decisions", {"name": "always_idle",
                                                                              "options": {"note": "x" * 30}}, key=key)
        assert status == 422 and "note" in chosen["error"]
        status, chosen = http("PUT", engine.url + "/v1/plugins/decisions", {"name": "always_idle"}, key=key)
        assert (status, chosen["active"]) == (200, "always_idle")

        schedulers = {p["name"]: p for p in listed["schedulers"]["available"]}
        assert schedulers["steady_heat"]["source"].startswith("rpymostat-example-plugin:")
        status, chosen = http("PUT", engine.url + "/v1/plugins/schedulers",
                              {"name": "steady_heat", "options": {"setpoint": 40}}, key=key)
        assert status == 422 and "setpoint" in chosen["error"]
        status, chosen = http("PUT", engine.url + "/v1/plugins/schedulers",
                              {"name": "steady_heat", "options": {"setpoint": 20.5}}, key=key)
        assert (status, chosen["active"]) == (200, "steady_heat")
        status, timeline = http("GET", engine.url + "/v1/timeline?hours=1", key=key)
        assert status == 200
        assert [(s["source"], s["mode"], s["heat_setpoint"]) for s in timeline["segments"]] == [
            ("steady_heat", "heat", 20.5)]
    finally:
        engine.kill()
