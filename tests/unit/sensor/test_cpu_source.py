"""The CPU temperature source reads the kernel's thermal zone and never fails outright."""

from __future__ import annotations

from pathlib import Path

from twisted.internet.task import Clock

from rpymostat_sensor.sources import CpuTemperatureSource
from tests.unit.sensor.deferreds import result_of


def test_reads_millidegrees_as_celsius_under_the_host_id(tmp_path: Path) -> None:
    zone = tmp_path / "temp"
    zone.write_text("48312\n")
    clock = Clock()
    clock.advance(1_790_000_000)

    (sample,) = result_of(CpuTemperatureSource(clock, "00000000c0ffee01", zone).read())

    assert (sample.sensor_id, sample.sensor_type, sample.value, sample.at, sample.extra) == (
        "00000000c0ffee01-cpu",
        "cpu",
        48.312,
        1_790_000_000,
        None,
    )


def test_a_missing_thermal_zone_is_a_null_reading_with_the_path(tmp_path: Path) -> None:
    (sample,) = result_of(CpuTemperatureSource(Clock(), "host", tmp_path / "absent").read())

    assert sample.value is None
    assert str(tmp_path / "absent") in sample.extra


def test_garbage_in_the_thermal_zone_is_a_null_reading(tmp_path: Path) -> None:
    zone = tmp_path / "temp"
    zone.write_text("hot\n")

    (sample,) = result_of(CpuTemperatureSource(Clock(), "host", zone).read())

    assert sample.value is None
    assert "cannot read the CPU temperature" in sample.extra
