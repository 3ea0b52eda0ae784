"""The home's time zone: the one chosen through the API, else ``RPYMOSTAT_TIMEZONE``.

Schedules are evaluated in it and the decision's sentence tells times in it.
The choice is stored with the schedule settings, so it changes together with
them and the timeline is recomputed in the same step; the engine context and
the timeline cache share one :class:`HomeZone`, which the cache updates each
time it loads the settings, so every reader sees the same zone.
"""

from __future__ import annotations


class HomeZone:
    """The effective IANA zone name; ``chosen`` (when set) wins over ``configured``."""

    def __init__(self, configured: str) -> None:
        self.configured = configured
        self.chosen: str | None = None

    @property
    def name(self) -> str:
        return self.chosen or self.configured
