"""The host ID is stable and the host information is read locally."""

from __future__ import annotations

import platform
import socket
from pathlib import Path

import ifaddr
import pytest

import rpymostat
from rpymostat.common.hostinfo import (
    HostIdError,
    host_id,
    host_info,
    ip_addresses,
    uptime_seconds,
)

PI_CPUINFO = """\
processor\t: 0
model name\t: ARMv6-compatible processor rev 7 (v6l)
BogoMIPS\t: 697.95
Features\t: half thumb fastmult vfp edsp java tls

Hardware\t: BCM2835
Revision\t: 9000c1
Serial\t\t: 00000000C0FFEE01
Model\t\t: Raspberry Pi Zero W Rev 1.1
"""


@pytest.fixture
def machine_id(tmp_path: Path) -> Path:
    path = tmp_path / "machine-id"
    path.write_text("4f1c0a2b9d8e4c6a8b1e2f3a4b5c6d7e\n")
    return path


def test_a_pi_is_known_by_its_serial(tmp_path: Path, machine_id: Path) -> None:
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text(PI_CPUINFO)

    assert host_id(cpuinfo, machine_id) == "00000000c0ffee01"


@pytest.mark.parametrize(
    "cpuinfo_text",
    ["processor\t: 0\nmodel name\t: Intel(R) Xeon(R)\n", "Serial\t\t: 0000000000000000\n"],
    ids=["no serial line", "all-zero serial"],
)
def test_other_hosts_are_known_by_their_machine_id(tmp_path: Path, machine_id: Path, cpuinfo_text: str) -> None:
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text(cpuinfo_text)

    assert host_id(cpuinfo, machine_id) == "4f1c0a2b9d8e4c6a8b1e2f3a4b5c6d7e"


def test_no_id_at_all_says_which_setting_to_use(tmp_path: Path) -> None:
    with pytest.raises(HostIdError, match="RPYMOSTAT_SENSOR_HOST_ID"):
        host_id(tmp_path / "cpuinfo", tmp_path / "machine-id", setting="RPYMOSTAT_SENSOR_HOST_ID")


def test_uptime_is_the_first_number_of_proc_uptime(tmp_path: Path) -> None:
    uptime = tmp_path / "uptime"
    uptime.write_text("350735.47 234388.90\n")

    assert uptime_seconds(uptime) == 350735.47
    assert uptime_seconds(tmp_path / "absent") is None


def fake_adapters() -> list[ifaddr.Adapter]:
    return [
        ifaddr.Adapter("lo", "lo", [ifaddr.IP("127.0.0.1", 8, "lo"), ifaddr.IP(("::1", 0, 0), 128, "lo")]),
        ifaddr.Adapter(
            "wlan0",
            "wlan0",
            [
                ifaddr.IP("192.168.1.23", 24, "wlan0"),
                ifaddr.IP(("fe80::ba27:ebff:fe12:3456", 0, 3), 64, "wlan0"),
            ],
        ),
        ifaddr.Adapter("eth0", "eth0", [ifaddr.IP("10.0.0.5", 8, "eth0")]),
    ]


def test_addresses_leave_out_loopback_and_list_ipv4_first() -> None:
    assert ip_addresses(fake_adapters) == ["10.0.0.5", "192.168.1.23", "fe80::ba27:ebff:fe12:3456"]


def test_host_info_names_host_uptime_addresses_and_versions(tmp_path: Path) -> None:
    uptime = tmp_path / "uptime"
    uptime.write_text("12.5 3.0\n")

    info = host_info(uptime, fake_adapters)

    assert info == {
        "hostname": socket.gethostname(),
        "uptime_seconds": 12.5,
        "addresses": ["10.0.0.5", "192.168.1.23", "fe80::ba27:ebff:fe12:3456"],
        "software_version": rpymostat.__version__,
        "python_version": platform.python_version(),
        "platform": platform.platform(),
    }


def test_host_info_reads_this_machine_without_help() -> None:
    info = host_info()

    assert info["uptime_seconds"] is None or info["uptime_seconds"] > 0
    assert all("127.0.0.1" != address for address in info["addresses"])
