"""A real ``rpymostat-engine`` process for the fuzz run, with an admin key made by ``rpymostat-keys``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

import pytest

from tests.support.processes import EngineProcess, run_script


@dataclass(frozen=True)
class FuzzTarget:
    """The engine under fuzzing and the admin key that opens every route."""

    engine: EngineProcess
    admin_key: str


@pytest.fixture(scope="module")
def fuzz_target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FuzzTarget]:
    engine = EngineProcess.prepare(tmp_path_factory.mktemp("fuzz-engine"))
    created = run_script("rpymostat-keys", "create", "--role", "admin", "--name", "fuzz", env=engine.env)
    assert created.returncode == 0, created.stderr
    engine.start()
    try:
        yield FuzzTarget(engine, created.stdout.strip())
    finally:
        engine.kill()
