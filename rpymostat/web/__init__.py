"""The web UI: static files served by the engine under ``/ui/``, using only the public API."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def static_directory() -> Path:
    """Where the built UI files live inside the installed package."""
    return Path(str(resources.files("rpymostat.web") / "static"))
