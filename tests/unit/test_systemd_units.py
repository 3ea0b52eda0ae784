"""The documented systemd units of the two HTTP servers raise the file limit above systemd's default of 1024."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

SYSTEMD_PAGE = Path(__file__).resolve().parents[2] / "docs" / "systemd.rst"


def unit_text(name: str) -> str:
    """The literal block that follows ``/etc/systemd/system/<name>``::`` on the page."""
    page = SYSTEMD_PAGE.read_text()
    start = page.index(f"/etc/systemd/system/{name}``::")
    block = re.match(r"[^\n]*\n\n((?:    [^\n]*\n|\n)+)", page[start:])
    assert block is not None, f"no unit text after {name}"
    return block.group(1)


@pytest.mark.parametrize("unit", ["rpymostat-engine.service", "rpymostat-control.service"])
def test_a_serving_unit_raises_its_file_limit(unit):
    limits = re.findall(r"^\s*LimitNOFILE=(\d+)\s*$", unit_text(unit), re.MULTILINE)
    assert limits and int(limits[0]) >= 16384, f"{unit} keeps systemd's default file limit"
