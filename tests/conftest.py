"""Test configuration shared by every suite.

pytest-twisted runs the real Twisted reactor, so tests that touch threads
(SQLite through adbapi) or real sockets can wait on Deferreds; unit tests
of timers use ``twisted.internet.task.Clock`` instead and never sleep.
"""
