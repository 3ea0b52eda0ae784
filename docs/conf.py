"""Sphinx configuration. The configuration and HTTP API pages are generated
from the code (the setting definitions and the OpenAPI document) at build
time, so the docs cannot drift from what the engine does."""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

from rpymostat.docs_generation import write_generated_pages  # noqa: E402
from rpymostat.version import VERSION  # noqa: E402

write_generated_pages(HERE)

project = "RPyMostat"
author = "RPyMostat developers"
copyright = "RPyMostat developers, AGPL-3.0-or-later"
version = release = VERSION
extensions: list[str] = []
exclude_patterns = ["_build", "*_generated.rst"]
html_theme = "alabaster"
html_static_path: list[str] = []
