"""The sensor daemon: reads room temperatures and delivers them to the engine.

It runs unattended on a small Pi for months, so every part that blocks
(1-wire reads, SQLite) runs off the reactor thread through a
:data:`BlockingRunner` that tests replace with a synchronous one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from twisted.internet.defer import Deferred

#: Runs a blocking zero-argument callable and fires with its result;
#: :func:`twisted.internet.threads.deferToThread` in production.
BlockingRunner = Callable[[Callable[[], Any]], Deferred]

__all__ = ["BlockingRunner"]
