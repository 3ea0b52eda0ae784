"""The sensor daemon: reads room temperatures and delivers them to the engine.

It runs unattended on a small Pi for months, so every part that blocks
(1-wire reads, SQLite) runs off the reactor thread through a
:data:`BlockingRunner` that tests replace with a synchronous one.
"""

from __future__ import annotations

from rpymostat.common.spool import BlockingRunner

__all__ = ["BlockingRunner"]
