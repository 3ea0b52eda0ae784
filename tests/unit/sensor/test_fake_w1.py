"""The fake 1-wire tree writes what the kernel writes, so tests on it mean something on a Pi."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from rpymostat.testing.w1 import FakeW1Bus, dallas_crc8

# Through our module, which stops w1thermsensor from running modprobe on import.
from rpymostat_sensor.sources.w1 import Sensor, W1ThermSensor

SENSOR = "28-00000a1b2c3d"


def w1_slave(bus: FakeW1Bus, name: str) -> list[str]:
    return (bus.devices_path / name / "w1_slave").read_text().splitlines()


def test_matches_a_real_ds18b20_reading(tmp_path: Path) -> None:
    # Both lines as printed by a DS18B20 at 23.1875 °C on a Raspberry Pi.
    bus = FakeW1Bus(tmp_path)
    bus.add_sensor(SENSOR, 23.1875)

    assert w1_slave(bus, SENSOR) == [
        "73 01 4b 46 7f ff 0d 10 41 : crc=41 YES",
        "73 01 4b 46 7f ff 0d 10 41 t=23187",
    ]


def test_crc_failure_reads_as_the_kernel_prints_it(tmp_path: Path) -> None:
    bus = FakeW1Bus(tmp_path)
    bus.add_sensor(SENSOR, 23.1875)
    bus.fail_crc(SENSOR)

    assert w1_slave(bus, SENSOR) == [
        "ff ff ff ff ff ff ff ff ff : crc=c9 NO",
        "73 01 4b 46 7f ff 0d 10 41 t=-62",
    ]


def test_the_rom_id_file_carries_family_serial_and_crc(tmp_path: Path) -> None:
    bus = FakeW1Bus(tmp_path)
    bus.add_sensor(SENSOR, 20.0)

    rom = (bus.devices_path / SENSOR / "id").read_bytes()

    assert rom[0] == 0x28
    assert rom[1:7][::-1].hex() == "00000a1b2c3d"
    assert dallas_crc8(rom) == 0


def test_slaves_are_symlinks_into_the_bus_master_as_in_sysfs(tmp_path: Path) -> None:
    bus = FakeW1Bus(tmp_path)
    bus.add_sensor(SENSOR, 20.0)

    assert (bus.devices_path / SENSOR).is_symlink()
    assert (bus.devices_path / "w1_bus_master1" / "w1_master_slaves").read_text() == f"{SENSOR}\n"
    bus.unplug(SENSOR)
    assert not os.path.lexists(bus.devices_path / SENSOR)
    assert (bus.devices_path / "w1_bus_master1" / "w1_master_slaves").read_text() == "not found.\n"


@settings(max_examples=200, deadline=None)
@given(
    family=st.sampled_from(["28", "22", "42", "3b", "10"]),
    sixteenths=st.integers(min_value=-55 * 16, max_value=125 * 16),
)
def test_w1thermsensor_reads_back_what_was_set(tmp_path_factory, family: str, sixteenths: int) -> None:
    celsius = sixteenths / 16
    assume(celsius != 85.0)  # the reset value, refused by w1thermsensor for 12-bit sensors
    name = f"{family}-0000000000aa"
    bus = FakeW1Bus(tmp_path_factory.mktemp("w1"))
    bus.add_sensor(name, celsius)
    reader = type("Reader", (W1ThermSensor,), {"BASE_DIRECTORY": bus.devices_path})
    sensor = reader(Sensor(int(family, 16)), "0000000000aa")
    value = sensor.get_temperature()

    assert value == pytest.approx(bus.expected_value(name, celsius), abs=1e-9)
    assert value == pytest.approx(celsius, abs=0.001 if family != "10" else 0.0625)
    millidegrees = int((bus.devices_path / name / "temperature").read_text())
    assert millidegrees / 1000 == pytest.approx(value, abs=0.001)
