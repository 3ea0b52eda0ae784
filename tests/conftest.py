"""Test configuration shared by every suite.

pytest-twisted runs the real Twisted reactor, so tests that touch threads
(SQLite through adbapi) or real sockets can wait on Deferreds; unit tests
of timers use ``twisted.internet.task.Clock`` instead and never sleep.
"""

import os

from hypothesis import settings

# CI (CI=true) explores the same examples on every run, so a red build always
# means a change did it; locally each run explores new ones. Deadlines are off
# because CI's 2 cores are shared and timing says nothing about correctness.
settings.register_profile("ci", derandomize=True, deadline=None)
settings.register_profile("dev", deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")
