"""A real ``rpymostat-engine`` process for the fuzz run, with an admin key made by ``rpymostat-keys``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

import pytest

from rpymostat.config import EngineConfig
from tests.support.processes import EngineProcess, run_script


@dataclass(frozen=True)
class FuzzTarget:
    """The engine under fuzzing, the admin key that opens every route, and its clock tolerance."""

    engine: EngineProcess
    admin_key: str
    future_tolerance: float


@pytest.fixture(scope="module")
def fuzz_target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FuzzTarget]:
    engine = EngineProcess.prepare(tmp_path_factory.mktemp("fuzz-engine"))
    created = run_script("rpymostat-keys", "create", "--role", "admin", "--name", "fuzz", env=engine.env)
    assert created.returncode == 0, created.stderr
    engine.start()
    try:
        yield FuzzTarget(engine, created.stdout.strip(), EngineConfig.from_environ(engine.env).signature_window)
    finally:
        engine.kill()
