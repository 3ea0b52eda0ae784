from __future__ import annotations

import pytest_twisted

from tests.support.engine import start_engine


@pytest_twisted.async_yield_fixture
async def engine(request, tmp_path):
    """The engine API in memory; with the ``listening`` mark it also serves on a loopback port."""
    harness = await start_engine(tmp_path, listen=request.node.get_closest_marker("listening") is not None)
    yield harness
    await harness.close()
