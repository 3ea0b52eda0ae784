"""How verbose the console script was asked to be, for the busy paths that check it before formatting a line.

A line a filter drops still costs its formatting: per request, that was a
measurable part of a sensor update (issue 15). Set once by
:func:`rpymostat.logs.start_logging`; 0 (the default) shows info and up,
1 (``-v``) debug lines, 2 (``-vv``) Twisted's own chatter too.
"""

from __future__ import annotations


class Verbosity:
    level = 0
