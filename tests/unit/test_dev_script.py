"""``./dev run`` a second time: no reinstall when nothing changed. The script runs for real; the virtualenv it
is pointed at is a stand-in whose ``python`` and ``rpymostat-demo`` write down how they were called."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

RECORDER = """#!/bin/sh
echo "$(basename "$0") $*" >> "{log}"
"""


@pytest.fixture
def venv(tmp_path: Path) -> Path:
    bin_dir = tmp_path / "venv" / "bin"
    bin_dir.mkdir(parents=True)
    for name in ("python", "rpymostat-demo"):
        script = bin_dir / name
        script.write_text(RECORDER.format(log=tmp_path / "calls.log"))
        script.chmod(0o755)
    return tmp_path / "venv"


def _dev_run(venv: Path, *args: str) -> list[str]:
    log = venv.parent / "calls.log"
    log.unlink(missing_ok=True)
    result = subprocess.run([str(ROOT / "dev"), "run", *args], env={**os.environ, "RPYMOSTAT_VENV": str(venv)},
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "" and result.stderr == "", "a start says nothing of its own"
    return log.read_text().splitlines()


def test_the_second_start_does_not_reinstall(venv):
    assert _dev_run(venv, "--speed", "60") == ["python -m pip install -q -e .[engine,sensor,control]",
                                                "rpymostat-demo --speed 60"]
    assert _dev_run(venv) == ["rpymostat-demo "]


def test_a_changed_setup_py_or_a_failed_install_installs_again(venv):
    _dev_run(venv)
    stamp = venv / ".rpymostat-install"
    stamp.write_text("sensor,control 0000\n")  # as if setup.py had changed since
    assert _dev_run(venv)[0] == "python -m pip install -q -e .[engine,sensor,control]"
    stamp.unlink()  # as after an install that failed
    assert _dev_run(venv)[0] == "python -m pip install -q -e .[engine,sensor,control]"
