"""The network-namespace LAN fixture, shared with the discovery tests."""

from tests.integration.discovery.conftest import make_lan

__all__ = ["make_lan"]
