"""W1Source on a fake 1-wire tree: what a user sees as sensors work, fail, vanish and return."""

from __future__ import annotations

from pathlib import Path

import pytest
import pytest_twisted
from twisted.internet.task import Clock

from rpymostat.testing.w1 import FakeW1Bus
from rpymostat_sensor.sources.w1 import (
    REASON_NOT_READY,
    REASON_RESET_VALUE,
    REASON_UNPLUGGED,
    REASON_UNREADABLE,
    W1BusNotFoundError,
    W1Source,
)
from tests.unit.sensor.deferreds import failure_of, result_of, run_now

LIVING = "28-00000a1b2c3d"
BEDROOM = "28-00000a1b2c3e"


@pytest.fixture
def bus(tmp_path: Path) -> FakeW1Bus:
    return FakeW1Bus(tmp_path)


@pytest.fixture
def clock() -> Clock:
    clock = Clock()
    clock.advance(1_790_000_000)
    return clock


@pytest.fixture
def source(bus: FakeW1Bus, clock: Clock) -> W1Source:
    return W1Source(clock, bus.devices_path, runner=run_now)


def by_id(samples: list) -> dict:
    return {sample.sensor_id: sample for sample in samples}


def test_reads_every_sensor_under_its_serial_with_its_type(bus: FakeW1Bus, source: W1Source, clock: Clock) -> None:
    bus.add_sensor(LIVING, 21.5)
    bus.add_sensor(BEDROOM, -3.25)
    bus.add_sensor("22-000000c0ffee", 18.125)
    bus.add_sensor("42-0000001dea11", 30.0625)
    bus.add_sensor("3b-0000004b1d00", 25.0)
    bus.add_sensor("10-000801b5a1c2", 19.3)

    samples = by_id(result_of(source.read()))

    assert {sid: (s.sensor_type, s.value, s.extra) for sid, s in samples.items()} == {
        "00000a1b2c3d": ("DS18B20", 21.5, None),
        "00000a1b2c3e": ("DS18B20", -3.25, None),
        "000000c0ffee": ("DS1822", 18.125, None),
        "0000001dea11": ("DS28EA00", 30.0625, None),
        "0000004b1d00": ("DS1825", 25.0, None),
        "000801b5a1c2": ("DS18S20", bus.expected_value("10-000801b5a1c2", 19.3), None),
    }
    assert {sample.at for sample in samples.values()} == {clock.seconds()}


def test_values_are_rounded_to_what_the_sensor_can_resolve(bus: FakeW1Bus, source: W1Source) -> None:
    bus.add_sensor("10-000801b5a1c2", 13.3125)

    (sample,) = result_of(source.read())

    assert sample.value == 13.312


def test_values_follow_the_sensor(bus: FakeW1Bus, source: W1Source, clock: Clock) -> None:
    bus.add_sensor(LIVING, 20.0)
    first = result_of(source.read())
    bus.set_temperature(LIVING, 22.75)
    clock.advance(60)
    second = result_of(source.read())

    assert [(s.value, s.at) for s in first + second] == [(20.0, clock.seconds() - 60), (22.75, clock.seconds())]


def test_each_reading_has_its_own_key(bus: FakeW1Bus, source: W1Source) -> None:
    bus.add_sensor(LIVING, 20.0)
    keys = {sample.key for _ in range(3) for sample in result_of(source.read())}
    assert len(keys) == 3


@pytest.mark.parametrize(
    ("break_it", "reason"),
    [
        (FakeW1Bus.fail_crc, REASON_NOT_READY),
        (FakeW1Bus.fail_conversion, REASON_NOT_READY),
        (FakeW1Bus.give_reset_value, REASON_RESET_VALUE),
    ],
)
def test_a_failing_sensor_is_null_with_a_reason_and_the_others_still_read(
    bus: FakeW1Bus, source: W1Source, break_it, reason: str
) -> None:
    bus.add_sensor(LIVING, 21.0)
    bus.add_sensor(BEDROOM, 19.0)
    break_it(bus, LIVING)

    samples = by_id(result_of(source.read()))

    assert (samples["00000a1b2c3d"].value, samples["00000a1b2c3d"].extra) == (None, reason)
    assert (samples["00000a1b2c3e"].value, samples["00000a1b2c3e"].extra) == (19.0, None)


def test_reset_value_is_caught_for_ds18s20_too(bus: FakeW1Bus, source: W1Source) -> None:
    bus.add_sensor("10-000801b5a1c2", 20.0)
    bus.give_reset_value("10-000801b5a1c2")

    (sample,) = result_of(source.read())

    assert (sample.value, sample.extra) == (None, REASON_RESET_VALUE)


def test_a_sensor_recovers_after_a_crc_error(bus: FakeW1Bus, source: W1Source) -> None:
    bus.add_sensor(LIVING, 21.0)
    bus.fail_crc(LIVING)
    result_of(source.read())
    bus.set_temperature(LIVING, 21.25)

    (sample,) = result_of(source.read())

    assert (sample.value, sample.extra) == (21.25, None)


def test_an_unreadable_slave_file_is_reported_not_raised(bus: FakeW1Bus, source: W1Source) -> None:
    bus.add_sensor(LIVING, 21.0)
    bus.add_sensor(BEDROOM, 19.0)
    (bus.devices_path / LIVING / "w1_slave").unlink()

    samples = by_id(result_of(source.read()))

    assert (samples["00000a1b2c3d"].value, samples["00000a1b2c3d"].extra) == (None, REASON_UNREADABLE)
    assert samples["00000a1b2c3e"].value == 19.0


def test_garbage_in_a_slave_file_is_reported_not_raised(bus: FakeW1Bus, source: W1Source) -> None:
    bus.add_sensor(LIVING, 21.0)
    (bus.devices_path / LIVING / "w1_slave").write_text("zz zz : crc=00 YES\nzz zz t=?\n")

    (sample,) = result_of(source.read())

    assert sample.value is None
    assert "unexpected data from the 1-wire driver" in sample.extra


def test_an_unplugged_sensor_is_null_until_it_is_plugged_back(bus: FakeW1Bus, source: W1Source) -> None:
    bus.add_sensor(LIVING, 21.0)
    bus.add_sensor(BEDROOM, 19.0)
    result_of(source.read())

    bus.unplug(LIVING)
    while_unplugged = [by_id(result_of(source.read())) for _ in range(2)]
    bus.plug(LIVING, 20.5)
    after = by_id(result_of(source.read()))

    for samples in while_unplugged:
        living = samples["00000a1b2c3d"]
        assert (living.sensor_type, living.value, living.extra) == ("DS18B20", None, REASON_UNPLUGGED)
        assert samples["00000a1b2c3e"].value == 19.0
    assert (after["00000a1b2c3d"].value, after["00000a1b2c3d"].extra) == (20.5, None)


def test_a_sensor_plugged_in_while_running_is_picked_up(bus: FakeW1Bus, source: W1Source) -> None:
    bus.add_sensor(LIVING, 21.0)
    before = result_of(source.read())
    bus.add_sensor(BEDROOM, 17.5)

    after = by_id(result_of(source.read()))

    assert [s.sensor_id for s in before] == ["00000a1b2c3d"]
    assert after["00000a1b2c3e"].value == 17.5


def test_other_bus_entries_are_ignored(bus: FakeW1Bus, source: W1Source) -> None:
    bus.add_sensor(LIVING, 21.0)
    (bus.devices_path / "3a-00000012ab34").mkdir()
    (bus.devices_path / "00-400000000000").mkdir()

    samples = result_of(source.read())

    assert [s.sensor_id for s in samples] == ["00000a1b2c3d"]


def test_an_empty_bus_reads_nothing(source: W1Source) -> None:
    assert result_of(source.read()) == []


def test_a_missing_bus_says_how_to_enable_1_wire(tmp_path: Path, clock: Clock) -> None:
    source = W1Source(clock, tmp_path / "absent", runner=run_now)

    failure = failure_of(source.read())

    failure.trap(W1BusNotFoundError)
    assert "dtoverlay=w1-gpio" in str(failure.value)
    assert str(tmp_path / "absent") in str(failure.value)


def test_two_sources_on_two_buses_do_not_mix(tmp_path: Path, clock: Clock) -> None:
    first, second = FakeW1Bus(tmp_path / "a"), FakeW1Bus(tmp_path / "b")
    first.add_sensor(LIVING, 21.0)
    second.add_sensor(BEDROOM, 18.0)

    read_first = result_of(W1Source(clock, first.devices_path, runner=run_now).read())
    read_second = result_of(W1Source(clock, second.devices_path, runner=run_now).read())

    assert [(s.sensor_id, s.value) for s in read_first] == [("00000a1b2c3d", 21.0)]
    assert [(s.sensor_id, s.value) for s in read_second] == [("00000a1b2c3e", 18.0)]


@pytest_twisted.inlineCallbacks
def test_reads_with_the_default_thread_runner(tmp_path: Path) -> None:
    from twisted.internet import reactor

    bus = FakeW1Bus(tmp_path)
    bus.add_sensor(LIVING, 23.5)

    samples = yield W1Source(reactor, bus.devices_path).read()

    assert [(s.sensor_id, s.value) for s in samples] == [("00000a1b2c3d", 23.5)]
