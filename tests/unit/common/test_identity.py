"""One host-ID rule: a daemon never starts under an ID the engine would refuse at registration."""

from __future__ import annotations

import argparse

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rpymostat.common.settings import ConfigError
from rpymostat.engine.api.errors import ApiError
from rpymostat.engine.api.v1.sensor_update import check_id
from rpymostat_control.config import ControlConfig
from rpymostat_sensor.config import SensorConfig

ID_CHARACTERS = st.characters(codec="ascii") | st.sampled_from("._:-é ")


def engine_accepts(host_id: str) -> bool:
    try:
        check_id(host_id, "host_id")
    except ApiError:
        return False
    return True


def daemon_accepts(config: type[ControlConfig] | type[SensorConfig], variable: str, host_id: str) -> bool:
    try:
        config.load({variable: host_id}, argparse.Namespace())
    except ConfigError:
        return False
    return True


def control_accepts(host_id: str) -> bool:
    return daemon_accepts(ControlConfig, "RPYMOSTAT_CONTROL_HOST_ID", host_id)


def sensor_accepts(host_id: str) -> bool:
    return daemon_accepts(SensorConfig, "RPYMOSTAT_SENSOR_HOST_ID", host_id)


@pytest.mark.parametrize("host_id", ["-boiler", ".boiler", "boiler pi", "x" * 65, "café"])
def test_the_control_daemon_refuses_what_the_engine_refuses(host_id: str) -> None:
    assert not engine_accepts(host_id)
    assert not control_accepts(host_id)
    assert not sensor_accepts(host_id)


@pytest.mark.parametrize("host_id", ["boiler-pi", "00000000c0ffee01", "den.pi_2", "attic:1", "x" * 64])
def test_an_id_the_engine_takes_starts_both_daemons(host_id: str) -> None:
    assert engine_accepts(host_id)
    assert control_accepts(host_id)
    assert sensor_accepts(host_id)


@given(st.text(ID_CHARACTERS, min_size=1, max_size=70).filter(lambda text: text == text.strip()))
def test_engine_and_daemons_agree_on_every_id(host_id: str) -> None:
    assert control_accepts(host_id) == sensor_accepts(host_id) == engine_accepts(host_id)
