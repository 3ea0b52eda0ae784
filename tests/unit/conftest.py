from __future__ import annotations

import pytest_twisted

from tests.support.engine import start_engine


@pytest_twisted.async_yield_fixture
async def engine(tmp_path):
    harness = await start_engine(tmp_path)
    yield harness
    await harness.close()
