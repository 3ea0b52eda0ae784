"""How many packages each kind of host installs: the engine, a sensor Pi, a control Pi.

Read from the installed distributions' metadata (the dependency tree of
``rpymostat[extra]``, markers evaluated for this machine), so it costs no
download; every package counted is one a Pi must fetch, unpack and keep
up to date. Run ``python -m benchmarks.install_size``.
"""

from __future__ import annotations

import importlib.metadata
import sys

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

#: The installs a user makes, by host: ``pip install 'rpymostat[extra]'``.
INSTALLS = (("sensor Pi", "sensor"), ("control Pi", "control"), ("engine", "engine"))


def closure(extra: str) -> list[str]:
    """Every distribution ``pip install 'rpymostat[extra]'`` brings, rpymostat included, by canonical name."""
    wanted: dict[str, set[str]] = {}
    todo: list[tuple[str, set[str]]] = [("rpymostat", {extra})]
    while todo:
        name, extras = todo.pop()
        key = canonicalize_name(name)
        if key in wanted and extras <= wanted[key]:
            continue
        wanted[key] = wanted.get(key, set()) | extras
        try:
            requires = importlib.metadata.distribution(name).requires or []
        except importlib.metadata.PackageNotFoundError:
            continue  # not installed here: counted, its own dependencies unknown
        for text in requires:
            requirement = Requirement(text)
            if requirement.marker is None or any(requirement.marker.evaluate({"extra": chosen})
                                                 for chosen in wanted[key] | {""}):
                todo.append((requirement.name, set(requirement.extras)))
    return sorted(wanted)


def report() -> list[str]:
    """One line per install: how many packages, and which."""
    lines = []
    for host, extra in INSTALLS:
        names = closure(extra)
        lines.append(f"{host} (pip install 'rpymostat[{extra}]'): {len(names)} packages: {', '.join(names)}")
    return lines


if __name__ == "__main__":
    print("\n".join(report()))
    sys.exit(0)
