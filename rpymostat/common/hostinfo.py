"""Who this device host is, and what it tells the engine about itself.

The host ID must stay the same across reboots and reinstalls of the
daemon, because the engine keys the device's approval, its sensors and its
relays on it: the Pi's own serial number is ideal, and systemd's machine ID is the
fallback on other boards. Host information goes out on the slower
secondary timer (the sensor daemon) or with each registration (the control
daemon) and is read locally: no network traffic. Both daemons use this
module, so both find the same ID on the same host.
"""

from __future__ import annotations

import ipaddress
import os
import platform
import socket
from collections.abc import Callable, Iterable
from typing import Any

import ifaddr

import rpymostat
from rpymostat.common.identity import check_host_id

DEFAULT_CPUINFO_PATH = "/proc/cpuinfo"
DEFAULT_MACHINE_ID_PATH = "/etc/machine-id"
DEFAULT_UPTIME_PATH = "/proc/uptime"


class HostIdError(Exception):
    """Neither the Pi serial nor the machine ID could be found."""


def host_id(
    cpuinfo_path: str | os.PathLike[str] = DEFAULT_CPUINFO_PATH,
    machine_id_path: str | os.PathLike[str] = DEFAULT_MACHINE_ID_PATH,
    setting: str = "the daemon's HOST_ID setting",
) -> str:
    """This host's stable ID: the Raspberry Pi serial, else the machine ID.

    ``setting`` names what the user sets instead when neither is found.
    """
    serial = _pi_serial(cpuinfo_path)
    if serial is not None:
        return serial
    try:
        with open(machine_id_path, encoding="ascii") as handle:
            machine_id = handle.read().strip().lower()
    except OSError:
        machine_id = ""
    if machine_id:
        return machine_id
    raise HostIdError(
        f"cannot tell this host's ID: no 'Serial' line in {cpuinfo_path} and no {machine_id_path}; "
        f"set {setting}"
    )


def default_host_id() -> str:
    """The automatic host ID, or '' so that parsing the setting reports why there is none."""
    try:
        return host_id()
    except HostIdError:
        return ""


def parse_host_id(text: str, setting: str) -> str:
    """A daemon's ``HOST_ID`` setting: the detected ID when blank, else one the engine will accept.

    ValueError says why not, so the daemon refuses to start rather than be refused by the engine later.
    """
    text = text.strip()
    if not text:
        try:
            return host_id(setting=setting)
        except HostIdError as exc:
            raise ValueError(str(exc)) from None
    return check_host_id(text, "the host ID")


def _pi_serial(cpuinfo_path: str | os.PathLike[str]) -> str | None:
    """The ``Serial`` line of /proc/cpuinfo, ignoring the all-zero one some kernels print."""
    try:
        with open(cpuinfo_path, encoding="ascii", errors="replace") as handle:
            lines = handle.readlines()
    except OSError:
        return None
    for line in lines:
        label, _, value = line.partition(":")
        serial = value.strip().lower()
        if label.strip() == "Serial" and serial.strip("0"):
            return serial
    return None


def uptime_seconds(uptime_path: str | os.PathLike[str] = DEFAULT_UPTIME_PATH) -> float | None:
    """Seconds since boot, or ``None`` where /proc/uptime is not available."""
    try:
        with open(uptime_path, encoding="ascii") as handle:
            return float(handle.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def ip_addresses(adapters: Callable[[], Iterable[ifaddr.Adapter]] = ifaddr.get_adapters) -> list[str]:
    """Every non-loopback address of every interface, IPv4 first."""
    found: set[ipaddress.IPv4Address | ipaddress.IPv6Address] = set()
    for adapter in adapters():
        for ip in adapter.ips:
            text = ip.ip if isinstance(ip.ip, str) else ip.ip[0]
            address = ipaddress.ip_address(text)
            if not address.is_loopback:
                found.add(address)
    return [str(address) for address in sorted(found, key=lambda a: (a.version, a))]


def host_info(
    uptime_path: str | os.PathLike[str] = DEFAULT_UPTIME_PATH,
    adapters: Callable[[], Iterable[ifaddr.Adapter]] = ifaddr.get_adapters,
) -> dict[str, Any]:
    """What the engine shows about this host in its device list."""
    return {
        "hostname": socket.gethostname(),
        "uptime_seconds": uptime_seconds(uptime_path),
        "addresses": ip_addresses(adapters),
        "software_version": rpymostat.__version__,
        "python_version": platform.python_version(),
        "platform": platform.platform(),
    }
