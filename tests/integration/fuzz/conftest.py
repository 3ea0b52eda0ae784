"""A real ``rpymostat-engine`` process for the fuzz run, with an admin key made by ``rpymostat-keys``."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from rpymostat.config import EngineConfig
from rpymostat.testing.processes import EngineProcess, run_script


@dataclass(frozen=True)
class FuzzTarget:
    """The engine under fuzzing, the admin key that opens every route, its clock tolerance and body limit."""

    engine: EngineProcess
    admin_key: str
    future_tolerance: float
    max_body_bytes: int


@pytest.fixture(scope="module")
def fuzz_target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FuzzTarget]:
    engine = EngineProcess.prepare(tmp_path_factory.mktemp("fuzz-engine"))
    created = run_script("rpymostat-keys", "create", "--role", "admin", "--name", "fuzz", env=engine.env)
    assert created.returncode == 0, created.stderr
    engine.start()
    try:
        config = EngineConfig.from_environ(engine.env)
        yield FuzzTarget(engine, created.stdout.strip(), config.signature_window, config.max_body_bytes)
    finally:
        engine.kill()
