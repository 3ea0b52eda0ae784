"""The daemons stand on the device toolkit alone, so a Pi installs and loads only what it runs.

Two views of the same rule: the import graph read from the source (every
``import``, also those inside functions), and what a fresh interpreter
really has loaded after importing a daemon's runner and service.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DAEMONS = ("rpymostat_sensor", "rpymostat_control")
#: What every daemon may import from the engine's distribution: the toolkit and the version stamp.
SHARED = ("rpymostat.common",)
SHARED_LEAVES = ("rpymostat", "rpymostat.__version__", "rpymostat.version", "rpymostat.version.VERSION")
#: Libraries of the engine alone; a daemon that loads one pays for it in memory on a Pi Zero.
ENGINE_ONLY_LIBRARIES = ("klein", "jsonschema", "autobahn", "croniter", "txmongo", "treq")


def imported_modules(path: Path, package: str) -> set[str]:
    """Every module ``path`` imports, relative imports made absolute."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    parts = package.split(".")
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def our_imports(folder: str) -> dict[str, set[str]]:
    """For each module under ``folder``, the modules of this project's three packages it imports."""
    graph: dict[str, set[str]] = {}
    for path in sorted((ROOT / folder).rglob("*.py")):
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        graph[module] = {name for name in imported_modules(path, package)
                         if name.split(".")[0] in ("rpymostat", *DAEMONS)}
    return graph


def allowed(name: str, own: str) -> bool:
    return (name in SHARED_LEAVES or name.startswith(tuple(f"{shared}." for shared in SHARED))
            or name in SHARED or name == own or name.startswith(own + "."))


@pytest.mark.parametrize("daemon", DAEMONS)
def test_a_daemon_imports_only_the_toolkit_and_its_own_package(daemon: str) -> None:
    crossing = {module: sorted(name for name in names if not allowed(name, daemon))
                for module, names in our_imports(daemon).items()}
    assert {module: names for module, names in crossing.items() if names} == {}


def test_the_toolkit_imports_nothing_of_the_engine_or_the_daemons() -> None:
    crossing = {module: sorted(name for name in names if not allowed(name, "rpymostat.common"))
                for module, names in our_imports("rpymostat/common").items()}
    assert {module: names for module, names in crossing.items() if names} == {}


def test_the_walk_sees_a_crossing_import(tmp_path: Path) -> None:
    """The graph check itself: an import of the engine, even inside a function, is found."""
    source = tmp_path / "sample.py"
    source.write_text("def later():\n    from rpymostat.security.keys import new_api_key\n    from . import spool\n")
    names = imported_modules(source, "rpymostat_sensor")
    assert {"rpymostat.security.keys", "rpymostat_sensor.spool"} <= names
    assert not allowed("rpymostat.security.keys", "rpymostat_sensor")


def loaded_modules_after_import(*modules: str) -> list[str]:
    """Every module a fresh interpreter holds after importing ``modules``."""
    code = ("import sys, json\n" + "".join(f"import {module}\n" for module in modules)
            + "print(json.dumps(sorted(name for name, m in sys.modules.items() if m is not None)))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(result.stdout)


def loaded_after_import(*modules: str) -> list[str]:
    """The top-level packages a fresh interpreter holds after importing ``modules``."""
    return sorted({name.split(".")[0] for name in loaded_modules_after_import(*modules)})


def loaded_project_modules(*modules: str) -> list[str]:
    code = ("import sys, json\n" + "".join(f"import {module}\n" for module in modules)
            + "print(json.dumps(sorted(n for n in sys.modules if n.split('.')[0] == 'rpymostat')))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(result.stdout)


@pytest.mark.parametrize("daemon", DAEMONS)
def test_starting_a_daemon_loads_no_engine_library(daemon: str) -> None:
    loaded = loaded_after_import(f"{daemon}.runner")
    assert [library for library in ENGINE_ONLY_LIBRARIES if library in loaded] == []


@pytest.mark.parametrize("daemon", DAEMONS)
def test_a_running_daemon_loads_no_engine_library_and_no_engine_module(daemon: str) -> None:
    """The control daemon serves its API on plain twisted.web too: no Klein, no werkzeug."""
    modules = (f"{daemon}.runner", f"{daemon}.service")
    loaded = loaded_after_import(*modules)
    assert [library for library in (*ENGINE_ONLY_LIBRARIES, "werkzeug") if library in loaded] == []
    outside = [name for name in loaded_project_modules(*modules)
               if not (name in SHARED_LEAVES or name.startswith("rpymostat.common"))]
    assert outside == []


@pytest.mark.parametrize("daemon", DAEMONS)
def test_zeroconf_is_loaded_only_when_dns_sd_is_used(daemon: str) -> None:
    """A daemon given the engine's URL never browses, so it does without zeroconf's 3 MB."""
    assert "zeroconf" not in loaded_after_import(f"{daemon}.runner", f"{daemon}.service")


@pytest.mark.parametrize("daemon", DAEMONS)
def test_a_daemon_loads_no_library_it_can_do_without(daemon: str) -> None:
    """Each costs a Pi Zero memory for nothing: a daemon writes timestamps and never reads one (isodate),
    platformdirs only finds a default path nobody gave, and a LoopingCall does what TimerService (automat) would."""
    loaded = loaded_after_import(f"{daemon}.runner", f"{daemon}.service")
    assert [library for library in ("isodate", "platformdirs", "automat") if library in loaded] == []


@pytest.mark.parametrize("daemon", DAEMONS)
def test_a_daemon_serves_without_twisted_web_server(daemon: str) -> None:
    """A daemon's API is one resource: twisted.web.server's sessions, remote objects and templates
    (twisted.spread, xml.sax) would cost a Pi Zero some 1.6 MB for nothing."""
    loaded = loaded_modules_after_import(f"{daemon}.runner", f"{daemon}.service")
    assert [name for name in ("twisted.web.server", "twisted.spread.pb", "xml.sax") if name in loaded] == []
