"""What the engine puts in its advertisement, and how a daemon reads it back."""

from __future__ import annotations

import ipaddress
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from zeroconf import ServiceInfo

from rpymostat.common.discovery import (
    SERVICE_TYPE,
    default_server_name,
    default_service_name,
    engine_properties,
    engine_url,
    interface_addresses,
    zeroconf_interfaces,
)

DNS_LABEL = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?$")


def test_service_type_is_the_published_one() -> None:
    assert SERVICE_TYPE == "_rpymostat._tcp.local."


def test_txt_carries_the_fixed_api_and_path_whatever_else_is_asked() -> None:
    properties = engine_properties({"api": "v9", "path": "/elsewhere", "room": "hall"}, version="1.2.3")

    assert properties == {"api": "v1", "path": "/v1", "version": "1.2.3", "room": "hall"}


@given(st.text(min_size=1, max_size=200))
def test_any_hostname_gives_names_zeroconf_accepts(hostname: str) -> None:
    name = default_service_name(hostname)
    server = default_server_name(hostname)

    assert len(name.encode("utf-8")) <= 63
    assert name.startswith("RPyMostat engine on")
    label = server.removesuffix("-rpymostat.local.")
    assert DNS_LABEL.match(label) and len(server.split(".")[0]) <= 63
    ServiceInfo(SERVICE_TYPE, f"{name}.{SERVICE_TYPE}", port=1, server=server, parsed_addresses=["10.0.0.1"])


def test_engines_on_different_hosts_get_different_names() -> None:
    assert default_service_name("kitchen-pi.lan") == "RPyMostat engine on kitchen-pi"
    assert default_service_name("attic") != default_service_name("cellar")
    assert default_server_name("attic") != default_server_name("cellar")


def _info(addresses: list[str], port: int = 8088) -> ServiceInfo:
    return ServiceInfo(SERVICE_TYPE, f"e.{SERVICE_TYPE}", port=port, parsed_addresses=addresses)


def test_url_prefers_ipv4_when_both_families_are_advertised() -> None:
    assert engine_url(_info(["fe80::1", "10.0.0.5"])) == "http://10.0.0.5:8088"


def test_url_falls_back_to_bracketed_ipv6() -> None:
    assert engine_url(_info(["fd00::5"], port=9000)) == "http://[fd00::5]:9000"


def test_no_url_without_an_address() -> None:
    assert engine_url(_info([])) is None


def test_explicit_interfaces_are_advertised_as_given() -> None:
    assert interface_addresses(["10.200.0.1", "10.200.1.1"]) == ["10.200.0.1", "10.200.1.1"]


def test_all_interfaces_advertise_ipv4_and_leave_loopback_out_when_there_is_more() -> None:
    addresses = [ipaddress.ip_address(a) for a in interface_addresses("all")]

    assert addresses and all(a.version == 4 for a in addresses)
    assert len(addresses) == 1 or not any(a.is_loopback for a in addresses)


def test_an_empty_interface_list_is_refused_rather_than_meaning_all() -> None:
    with pytest.raises(ValueError, match="interfaces"):
        zeroconf_interfaces([])
