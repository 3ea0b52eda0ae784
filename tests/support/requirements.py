"""What a test does when this machine lacks something it needs: skip here, fail in CI.

Some tests need root and iproute2 (network namespaces) or a system
Chromium. A developer's machine may lack them, so there the test is
skipped with the reason. CI (``CI`` set; it runs ``.ci/run`` with
``CI=true``) is built to have them, so there the same reason fails the
test: a green build must never mean "skipped".
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import NoReturn

import pytest


def requirement_missing(reason: str, environ: Mapping[str, str] = os.environ) -> NoReturn:
    """Skip the calling test (or fixture) for ``reason``; where ``CI`` is set, fail it with the same message."""
    if environ.get("CI"):
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)
