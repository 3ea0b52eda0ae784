"""Run the worked plugin examples of the docs, so a page never shows code that does not work."""

from __future__ import annotations

from pathlib import Path
from typing import Any

DOCS = Path(__file__).resolve().parents[2] / "docs"


def example_source(page: str, block_name: str) -> str:
    """The code of the block marked ``:name: block_name`` in ``docs/page``, unindented."""
    lines = (DOCS / page).read_text(encoding="utf-8").splitlines()
    start = lines.index(f"   :name: {block_name}") + 1
    block: list[str] = []
    for line in lines[start:]:
        if line and not line.startswith("   "):
            break
        block.append(line[3:])
    return "\n".join(block)


def load_example(page: str, block_name: str, attribute: str) -> Any:
    """Execute that block as a module of its own and return one of its names."""
    namespace: dict[str, Any] = {"__name__": "docs_example"}
    exec(compile(example_source(page, block_name), str(DOCS / page), "exec"), namespace)  # noqa: S102 - our own docs
    return namespace[attribute]
