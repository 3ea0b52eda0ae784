"""The static checks pass: ruff's lint rules (``ruff.toml``) and mypy (``mypy.ini``).

The style guide asks for type hints checked by mypy in CI; running both
tools from the test suite makes a lint error or a type error fail the build
like any other regression, with the tools' own report as the message.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
TOOLS = Path(sys.executable).parent


def run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(TOOLS / command[0]), *command[1:]], cwd=REPO, capture_output=True, text=True,
                          timeout=240)


def test_ruff_finds_nothing() -> None:
    done = run("ruff", "check", ".")
    assert done.returncode == 0, f"ruff check . failed:\n{done.stdout}{done.stderr}"


def test_mypy_finds_nothing() -> None:
    done = run("mypy", "rpymostat", "rpymostat_sensor", "rpymostat_control")
    assert done.returncode == 0, f"mypy failed:\n{done.stdout}{done.stderr}"
