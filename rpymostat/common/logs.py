"""Log output for the console scripts: one line per event on stderr, by level."""

from __future__ import annotations

import sys
from typing import TextIO

from twisted.logger import (
    FilteringLogObserver,
    LogLevel,
    LogLevelFilterPredicate,
    globalLogBeginner,
    textFileLogObserver,
)

from rpymostat.common.verbosity import Verbosity

LEVELS = [LogLevel.warn, LogLevel.info, LogLevel.debug]


def level_for(verbosity: int) -> LogLevel:
    """Default INFO; ``-v`` is DEBUG (``-vv`` also shows Twisted's own chatter)."""
    return LogLevel.info if verbosity <= 0 else LogLevel.debug


def start_logging(verbosity: int, stream: TextIO = sys.stderr) -> None:
    Verbosity.level = verbosity
    predicate = LogLevelFilterPredicate(defaultLogLevel=level_for(verbosity))
    if verbosity < 2:
        # Twisted logs every HTTP connection at info; that floods a Pi's journal.
        for namespace in ("twisted.web.server.Site", "twisted.python.log", "twisted.internet.tcp",
                          "twisted.web.client._HTTP11ClientFactory"):
            predicate.setLogLevelForNamespace(namespace, LogLevel.warn)
    observer = FilteringLogObserver(textFileLogObserver(stream), [predicate])
    globalLogBeginner.beginLoggingTo([observer], redirectStandardIO=False)
