"""A fake 1-wire sysfs tree, laid out and worded as the Linux w1 drivers do.

Unit tests and end-to-end tests with real daemon processes both point the
sensor daemon at it (``RPYMOSTAT_SENSOR_W1_PATH``), so it depends on nothing
but the standard library.

The tree mirrors the kernel's: ``sys/devices/w1_bus_master1/<family>-<serial>``
holds each slave's files and ``sys/bus/w1/devices`` holds symlinks to the
slaves and to the bus master. ``w1_slave`` is written exactly as
``w1_therm``'s ``w1_slave_show`` prints it: the nine scratchpad bytes just
read with the computed CRC and its verdict, then the last scratchpad that
passed the CRC check and ``t=`` in millidegrees computed from the bytes just
read. Readers such as w1thermsensor take 12-bit sensors' values from the
first two bytes of the second line, so the bytes and ``t=`` always agree.

Every file is replaced atomically (write then rename) so a reader in another
process never sees half a file.
"""

from __future__ import annotations

import math
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

DS18S20 = 0x10
DS1822 = 0x22
DS18B20 = 0x28
DS1825 = 0x3B
DS28EA00 = 0x42

#: Families whose scratchpad holds a 12-bit two's complement count of 1/16 °C.
TWELVE_BIT_FAMILIES = frozenset({DS1822, DS18B20, DS1825, DS28EA00})
KNOWN_FAMILIES = TWELVE_BIT_FAMILIES | {DS18S20}

#: What a DS18x20 holds after power-on, before its first conversion.
RESET_VALUE = 85.0

_MASTER = "w1_bus_master1"
_EMPTY_SCRATCHPAD = bytes(9)
_NO_ANSWER_SCRATCHPAD = bytes([0xFF] * 9)


def dallas_crc8(data: bytes) -> int:
    """The Maxim 1-wire CRC-8 (polynomial x^8 + x^5 + x^4 + 1, reflected)."""
    crc = 0
    for byte in data:
        for _ in range(8):
            mix = (crc ^ byte) & 0x01
            crc >>= 1
            if mix:
                crc ^= 0x8C
            byte >>= 1
    return crc


def _twelve_bit_scratchpad(celsius: float) -> bytes:
    count = round(celsius * 16) & 0xFFFF
    lsb, msb = count & 0xFF, count >> 8
    body = bytes([lsb, msb, 0x4B, 0x46, 0x7F, 0xFF, 0x10 - (lsb & 0x0F), 0x10])
    return body + bytes([dallas_crc8(body)])


def _ds18s20_scratchpad(celsius: float) -> bytes:
    """Encode with COUNT_REMAIN so the extended-resolution formula gives ``celsius`` back."""
    whole = math.floor(celsius + 0.25)
    sixteenths = round((celsius + 0.25 - whole) * 16)
    if sixteenths == 16:
        whole, sixteenths = whole + 1, 0
    temp_read = (whole * 2) & 0xFFFF
    body = bytes([temp_read & 0xFF, temp_read >> 8, 0x4B, 0x46, 0xFF, 0xFF, 0x10 - sixteenths, 0x10])
    return body + bytes([dallas_crc8(body)])


def _millidegrees(family: int, scratchpad: bytes) -> int:
    """``t=`` as the kernel computes it, truncating toward zero like C."""
    if family in TWELVE_BIT_FAMILIES:
        count = int.from_bytes(scratchpad[0:2], "little", signed=True)
        return math.trunc(count * 1000 / 16)
    if scratchpad[7] == 0:
        return 0
    half_degrees = int.from_bytes(scratchpad[0:2], "little", signed=True)
    millis = (half_degrees >> 1) * 1000 - 250
    return millis + math.trunc(1000 * (scratchpad[7] - scratchpad[6]) / scratchpad[7])


def _scratchpad_for(family: int, celsius: float) -> bytes:
    if family in TWELVE_BIT_FAMILIES:
        return _twelve_bit_scratchpad(celsius)
    return _ds18s20_scratchpad(celsius)


def _hex_bytes(data: bytes) -> str:
    return "".join(f"{byte:02x} " for byte in data)


def _write_atomically(path: Path, content: str | bytes) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    if isinstance(content, str):
        temporary.write_text(content, encoding="ascii")
    else:
        temporary.write_bytes(content)
    os.replace(temporary, path)


@dataclass
class _Slave:
    family: int
    serial: str
    last_good: bytes = _EMPTY_SCRATCHPAD
    plugged: bool = True

    @property
    def name(self) -> str:
        return f"{self.family:02x}-{self.serial}"


class FakeW1Bus:
    """One 1-wire bus master with its slaves, under ``root``.

    Pass :attr:`devices_path` where the real daemon expects
    ``/sys/bus/w1/devices``. Slaves are named as the kernel names them,
    ``"28-00000a1b2c3d"`` (family code, dash, serial).
    """

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)
        self.devices_path = self.root / "sys" / "bus" / "w1" / "devices"
        self._master_path = self.root / "sys" / "devices" / _MASTER
        self._slaves: dict[str, _Slave] = {}
        self.devices_path.mkdir(parents=True, exist_ok=True)
        self._master_path.mkdir(parents=True, exist_ok=True)
        self._link(_MASTER, self._master_path)
        self._write_master_files()

    def add_sensor(self, name: str, celsius: float) -> None:
        """Connect a new sensor reading ``celsius``."""
        family_text, _, serial = name.partition("-")
        family = int(family_text, 16)
        if family not in KNOWN_FAMILIES or not serial:
            raise ValueError(f"{name!r} is not a <family>-<serial> name of a 1-wire thermometer")
        if name in self._slaves:
            raise ValueError(f"{name} is already on the bus")
        self._slaves[name] = _Slave(family, serial)
        self._create_slave_directory(name)
        self.set_temperature(name, celsius)

    def set_temperature(self, name: str, celsius: float) -> None:
        """Make the sensor's next reads return ``celsius`` (quantized as the hardware does)."""
        slave = self._plugged(name)
        scratchpad = _scratchpad_for(slave.family, celsius)
        slave.last_good = scratchpad
        self._write_w1_slave(slave, scratchpad, scratchpad)
        _write_atomically(self._slave_path(name) / "temperature", f"{_millidegrees(slave.family, scratchpad)}\n")

    def give_reset_value(self, name: str) -> None:
        """Report 85 °C, as a sensor does that lost power before converting."""
        self.set_temperature(name, RESET_VALUE)

    def fail_crc(self, name: str) -> None:
        """Make reads fail the CRC check, as when nothing answers on the data line."""
        slave = self._plugged(name)
        self._write_w1_slave(slave, _NO_ANSWER_SCRATCHPAD, slave.last_good)

    def fail_conversion(self, name: str) -> None:
        """Make ``w1_slave`` read empty, as the kernel does when a conversion errors out."""
        self._plugged(name)
        _write_atomically(self._slave_path(name) / "w1_slave", "")

    def unplug(self, name: str) -> None:
        """Take the sensor off the bus: the kernel removes its directory and link."""
        slave = self._plugged(name)
        slave.plugged = False
        (self.devices_path / name).unlink()
        shutil.rmtree(self._slave_path(name))
        self._write_master_files()

    def plug(self, name: str, celsius: float) -> None:
        """Put an unplugged sensor back, reading ``celsius``."""
        slave = self._slaves.get(name)
        if slave is None or slave.plugged:
            raise ValueError(f"{name} is not an unplugged sensor of this bus")
        slave.plugged = True
        slave.last_good = _EMPTY_SCRATCHPAD
        self._create_slave_directory(name)
        self.set_temperature(name, celsius)

    def expected_value(self, name: str, celsius: float) -> float:
        """What a reader should report for ``celsius`` on this sensor, after the kernel's rounding."""
        slave = self._slaves[name]
        scratchpad = _scratchpad_for(slave.family, celsius)
        if slave.family in TWELVE_BIT_FAMILIES:
            return int.from_bytes(scratchpad[0:2], "little", signed=True) / 16
        return _millidegrees(slave.family, scratchpad) / 1000

    def _plugged(self, name: str) -> _Slave:
        slave = self._slaves.get(name)
        if slave is None or not slave.plugged:
            raise ValueError(f"{name} is not plugged into this bus")
        return slave

    def _slave_path(self, name: str) -> Path:
        return self._master_path / name

    def _link(self, name: str, target: Path) -> None:
        (self.devices_path / name).symlink_to(os.path.relpath(target, self.devices_path))

    def _create_slave_directory(self, name: str) -> None:
        slave = self._slaves[name]
        path = self._slave_path(name)
        path.mkdir()
        _write_atomically(path / "name", f"{name}\n")
        _write_atomically(path / "id", self._rom_id(slave))
        _write_atomically(path / "resolution", "12\n" if slave.family in TWELVE_BIT_FAMILIES else "9\n")
        self._link(name, path)
        self._write_master_files()

    @staticmethod
    def _rom_id(slave: _Slave) -> bytes:
        """The 64-bit ROM code as the ``id`` file holds it: family, serial (LSB first), CRC."""
        serial = int(slave.serial, 16).to_bytes(6, "little")
        body = bytes([slave.family]) + serial
        return body + bytes([dallas_crc8(body)])

    def _write_w1_slave(self, slave: _Slave, just_read: bytes, last_good: bytes) -> None:
        crc = dallas_crc8(just_read[:8])
        verdict = "YES" if crc == just_read[8] else "NO"
        text = (
            f"{_hex_bytes(just_read)}: crc={crc:02x} {verdict}\n"
            f"{_hex_bytes(last_good)}t={_millidegrees(slave.family, just_read)}\n"
        )
        _write_atomically(self._slave_path(slave.name) / "w1_slave", text)

    def _write_master_files(self) -> None:
        names = sorted(name for name, slave in self._slaves.items() if slave.plugged)
        _write_atomically(
            self._master_path / "w1_master_slaves", "".join(f"{name}\n" for name in names) or "not found.\n"
        )
        _write_atomically(self._master_path / "w1_master_slave_count", f"{len(names)}\n")
