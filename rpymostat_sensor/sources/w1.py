"""1-wire thermometers (DS18B20 and the other families w1thermsensor knows).

The bus is rescanned on every read so a sensor plugged in while the daemon
runs is picked up without a restart. One bad sensor never spoils a read: it
is reported with ``value=None`` and a reason the user can act on, and a
sensor that disappears keeps being reported that way until it comes back,
so the engine shows "unplugged" instead of silently going stale.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from twisted.internet.defer import Deferred
from twisted.internet.interfaces import IReactorTime
from twisted.internet.threads import deferToThread
from twisted.logger import Logger

from rpymostat_sensor import BlockingRunner
from rpymostat_sensor.sources.base import SensorSample

# Loading kernel modules is the operating system's job (dtoverlay=w1-gpio);
# w1thermsensor would otherwise run modprobe on import, which fails unprivileged.
os.environ.setdefault("W1THERMSENSOR_NO_KERNEL_MODULE", "1")

from w1thermsensor import (  # type: ignore[import-untyped]
    NoSensorFoundError,
    ResetValueError,
    Sensor,
    SensorNotReadyError,
    W1ThermSensor,
)

log = Logger()

DEFAULT_W1_PATH = "/sys/bus/w1/devices"

REASON_UNPLUGGED = "not found on the 1-wire bus (unplugged?)"
REASON_NOT_READY = (
    "no valid reading (CRC check failed or conversion not finished): "
    "check the data wire, the 4.7 kOhm pull-up resistor and the cable length"
)
REASON_RESET_VALUE = (
    "reported 85 °C, the power-on reset value: the sensor lost power while "
    "converting; check its power (VDD) wire, or power it directly instead of parasitically"
)
REASON_UNREADABLE = "listed on the 1-wire bus but its w1_slave file cannot be read: check the wiring"

#: Enough for 1/16 °C steps and for the driver's millidegrees, dropping float noise (13.312000000000001).
_DECIMALS = 4
_SLAVE_NAME = re.compile(r"^([0-9a-f]{2})-([0-9a-f]+)$")
_KNOWN_FAMILIES = {sensor.value: sensor for sensor in Sensor}


class W1BusNotFoundError(Exception):
    """The 1-wire bus directory is missing: the kernel driver is not loaded."""

    def __init__(self, path: Path) -> None:
        super().__init__(
            f"1-wire bus directory {path} does not exist: enable 1-wire by adding "
            f"'dtoverlay=w1-gpio' to /boot/firmware/config.txt (/boot/config.txt on "
            f"older systems) and reboot, or set RPYMOSTAT_SENSOR_W1_PATH"
        )
        self.path = path


@dataclass(frozen=True)
class _Outcome:
    sensor_id: str
    sensor_type: str
    value: float | None
    reason: str | None


class W1Source:
    """Reads every thermometer on one 1-wire bus."""

    def __init__(
        self,
        clock: IReactorTime,
        base_directory: str | os.PathLike[str] = DEFAULT_W1_PATH,
        runner: BlockingRunner = deferToThread,
    ) -> None:
        self._clock = clock
        self._runner = runner
        self._base_directory = Path(base_directory)
        # A subclass, not the shared class attribute, so two sources (or two
        # tests) pointed at different trees cannot disturb each other.
        self._sensor_class = type("BusW1ThermSensor", (W1ThermSensor,), {"BASE_DIRECTORY": self._base_directory})
        self._known_types: dict[str, str] = {}
        self._last_reasons: dict[str, str | None] = {}

    def read(self) -> Deferred[list[SensorSample]]:
        """Scan the bus and read every sensor, off the reactor thread.

        The only failure is :class:`W1BusNotFoundError`, when there is no bus
        at all; the caller logs it and tries again at the next interval.
        """
        at = self._clock.seconds()
        reading = self._runner(self._scan_and_read)
        reading.addCallback(self._to_samples, at)
        return reading

    def _scan_and_read(self) -> list[_Outcome]:
        if not self._base_directory.is_dir():
            raise W1BusNotFoundError(self._base_directory)
        outcomes = []
        for entry in sorted(self._base_directory.iterdir()):
            match = _SLAVE_NAME.match(entry.name)
            if match is None or int(match.group(1), 16) not in _KNOWN_FAMILIES:
                continue
            outcomes.append(self._read_one(_KNOWN_FAMILIES[int(match.group(1), 16)], match.group(2)))
        return outcomes

    def _read_one(self, family: Sensor, serial: str) -> _Outcome:
        try:
            value = self._sensor_class(family, serial).get_temperature()
        except SensorNotReadyError:
            return _Outcome(serial, family.name, None, REASON_NOT_READY)
        except ResetValueError:
            return _Outcome(serial, family.name, None, REASON_RESET_VALUE)
        except NoSensorFoundError:
            return _Outcome(serial, family.name, None, REASON_UNREADABLE)
        except Exception as error:  # noqa: BLE001 -- one odd file must never stop the others being read
            reason = f"unexpected data from the 1-wire driver ({error!r}): check the wiring"
            return _Outcome(serial, family.name, None, reason)
        if value == W1ThermSensor.SENSOR_RESET_VALUE:
            # w1thermsensor only checks the reset value for 12-bit families.
            return _Outcome(serial, family.name, None, REASON_RESET_VALUE)
        return _Outcome(serial, family.name, round(value, _DECIMALS), None)

    def _to_samples(self, outcomes: list[_Outcome], at: float) -> list[SensorSample]:
        present = {outcome.sensor_id for outcome in outcomes}
        vanished = [
            _Outcome(sensor_id, sensor_type, None, REASON_UNPLUGGED)
            for sensor_id, sensor_type in sorted(self._known_types.items())
            if sensor_id not in present
        ]
        samples = []
        for outcome in outcomes + vanished:
            self._known_types[outcome.sensor_id] = outcome.sensor_type
            self._log_change(outcome)
            samples.append(SensorSample(outcome.sensor_id, outcome.sensor_type, outcome.value, at, outcome.reason))
        return samples

    def _log_change(self, outcome: _Outcome) -> None:
        """Log only when a sensor's state changes, so a month of failures is one line."""
        first_time = outcome.sensor_id not in self._last_reasons
        previous = self._last_reasons.get(outcome.sensor_id)
        self._last_reasons[outcome.sensor_id] = outcome.reason
        if outcome.reason is None and (first_time or previous is not None):
            log.info(
                "1-wire sensor {sensor_id} ({sensor_type}) reads {value} °C",
                sensor_id=outcome.sensor_id,
                sensor_type=outcome.sensor_type,
                value=outcome.value,
            )
        elif outcome.reason is not None and (first_time or outcome.reason != previous):
            log.warn(  # noqa: G010 -- twisted.logger.Logger has no warning()
                "1-wire sensor {sensor_id} ({sensor_type}): {reason}",
                sensor_id=outcome.sensor_id,
                sensor_type=outcome.sensor_type,
                reason=outcome.reason,
            )
