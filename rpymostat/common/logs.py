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


def level_for(verbosity: int) -> LogLevel:
    """Default INFO; ``-v`` is DEBUG (``-vv`` also shows Twisted's own chatter)."""
    return LogLevel.info if verbosity <= 0 else LogLevel.debug


#: Twisted's own chatter at info, shown from ``-vv``: a line for every HTTP connection (which floods a Pi's
#: journal), and "starting factory", "starting on", "port closed" at every start and stop of a listener (the
#: services say what they serve in words of their own).
CHATTER = ("twisted.web.server.Site", "twisted.python.log", "twisted.internet.tcp", "log_legacy",
           "twisted.web.client._HTTP11ClientFactory", "rpymostat.common.guarded_site.GuardedSite",
           "rpymostat.common.serving.GuardedHTTPFactory", "rpymostat.common.serving.PerAddressCap")


def log_observer(verbosity: int, stream: TextIO) -> FilteringLogObserver:
    """One line per event on ``stream``, from the level ``verbosity`` asks for, without Twisted's chatter."""
    predicate = LogLevelFilterPredicate(defaultLogLevel=level_for(verbosity))
    if verbosity < 2:
        for namespace in CHATTER:
            predicate.setLogLevelForNamespace(namespace, LogLevel.warn)
    return FilteringLogObserver(textFileLogObserver(stream), [predicate])


def start_logging(verbosity: int, stream: TextIO = sys.stderr) -> None:
    Verbosity.level = verbosity
    globalLogBeginner.beginLoggingTo([log_observer(verbosity, stream)], redirectStandardIO=False)
