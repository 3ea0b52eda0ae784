"""What a user installs is what was tested: build the sdist and wheel, install the wheel in a clean venv, run it.

The wheel is installed as a user would (not editable, from outside the
checkout, with the engine's and both daemons' extras), so a module, a
static file or a migration left out of the package fails here rather than
on someone's Pi.
"""

from __future__ import annotations

import configparser
import os
import signal
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from rpymostat.testing.processes import free_port, http, wait_for
from rpymostat.version import VERSION

ROOT = Path(__file__).resolve().parents[3]
pytestmark = [pytest.mark.slow, pytest.mark.timeout(1200)]


def clean_environ(home: Path) -> dict[str, str]:
    """This process's environment (the package index settings included) without this checkout's venv."""
    env = {name: value for name, value in os.environ.items() if name not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return {**env, "HOME": str(home)}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The sdist and the wheel ``python -m build`` makes from this checkout (the wheel is built from the sdist)."""
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)], check=True,
                   capture_output=True, text=True, timeout=600, cwd=out)
    return {"sdist": next(out.glob("rpymostat-*.tar.gz")), "wheel": next(out.glob("rpymostat-*.whl"))}


@pytest.fixture(scope="module")
def installed(built: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with the wheel and its engine, sensor and control extras; its ``bin`` folder."""
    place = tmp_path_factory.mktemp("venv")
    venv = place / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    wheel = built["wheel"]
    subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", f"{wheel}[engine,sensor,control]"],
                   check=True, capture_output=True, text=True, timeout=900, cwd=place, env=clean_environ(place))
    return venv / "bin"


def console_scripts(wheel: Path) -> list[str]:
    with zipfile.ZipFile(wheel) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".dist-info/entry_points.txt"))
        entry_points = configparser.ConfigParser()
        entry_points.read_string(archive.read(name).decode("utf-8"))
    return sorted(entry_points["console_scripts"])


def test_the_sdist_carries_the_docs_and_the_tests(built: dict[str, Path]) -> None:
    with tarfile.open(built["sdist"]) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}

    assert {"docs/index.rst", "docs/install.rst", "tests/unit/conftest.py", "MANIFEST.in", "CHANGES.rst"} <= names


def test_the_wheel_carries_the_ui_and_the_migrations_but_not_the_tests(built: dict[str, Path]) -> None:
    with zipfile.ZipFile(built["wheel"]) as archive:
        names = set(archive.namelist())

    assert {"rpymostat/web/static/index.html", "rpymostat/store/migrations/001_initial.sql"} <= names
    assert not [name for name in names if name.startswith("tests/") or "__pycache__" in name]


def test_every_console_script_answers_its_version(built: dict[str, Path], installed: Path) -> None:
    scripts = console_scripts(built["wheel"])
    answers = {name: subprocess.run([str(installed / name), "--version"], capture_output=True, text=True,
                                    timeout=120, cwd=installed, env=clean_environ(installed.parent))
               for name in scripts}

    assert scripts == ["rpymostat-control", "rpymostat-demo", "rpymostat-engine", "rpymostat-keys",
                       "rpymostat-sensor"]
    assert {name: (done.returncode, VERSION in done.stdout) for name, done in answers.items()} == {
        name: (0, True) for name in scripts}


def test_the_installed_engine_serves_the_ui(installed: Path, tmp_path: Path) -> None:
    port = free_port()
    env = {**clean_environ(tmp_path), "RPYMOSTAT_DATA_DIR": str(tmp_path), "RPYMOSTAT_HOST": "127.0.0.1",
           "RPYMOSTAT_PORT": str(port), "RPYMOSTAT_DISCOVERY": "off"}
    with open(tmp_path / "engine.log", "w") as log:
        engine = subprocess.Popen([str(installed / "rpymostat-engine")], env=env, cwd=tmp_path, stdout=log,
                                  stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        def ui_served() -> bool:
            if engine.poll() is not None:
                raise AssertionError(f"the engine exited with {engine.returncode}:\n"
                                     f"{(tmp_path / 'engine.log').read_text()}")
            try:
                return http("GET", f"http://127.0.0.1:{port}/ui/")[0] == 200
            except OSError:
                return False

        wait_for(ui_served, timeout=60, what="the installed engine to serve /ui/")
        status, page = http("GET", f"http://127.0.0.1:{port}/ui/")
        engine.send_signal(signal.SIGTERM)
        code = engine.wait(timeout=30)
    finally:
        if engine.poll() is None:
            engine.kill()
            engine.wait(timeout=10)

    assert status == 200 and "<html" in str(page).lower()
    assert code == 0
