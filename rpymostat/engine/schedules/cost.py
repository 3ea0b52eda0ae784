"""Refuse schedules that would make resolving the timeline slow.

Resolution walks every occurrence that overlaps the window, including those
begun before it. A schedule firing every minute with week-long occurrences
would make tens of thousands of them, and the engine resolves a week ahead
after every change, so such a rule is refused when written rather than
found out on a Pi later. The bound is worked out from the cron fields alone,
so it holds on every date, not only on the day the rule was written.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import datetime

from croniter import croniter

from rpymostat.scheduling.errors import ScheduleValidationError
from rpymostat.scheduling.model import Schedule
from rpymostat.scheduling.validation import MAX_OCCURRENCE

DAY = 86400.0
LONGEST_WINDOW = 7 * DAY
MAX_OCCURRENCES_PER_SCHEDULE = 3000
MAX_OCCURRENCES_IN_ALL = 10000
MAX_SCHEDULES = 100
MAX_OVERRIDES = 200


def _matches(field: list[object], size: int) -> int:
    return size if field == ["*"] else len(field)


def occurrence_bound(schedule: Schedule) -> int:
    """At most how many occurrences a week's timeline has to consider for this schedule."""
    minutes, hours = croniter(schedule.cron, datetime(2000, 1, 1)).expanded[:2]
    per_day = _matches(minutes, 60) * _matches(hours, 24)
    look_back = schedule.duration if schedule.duration is not None else MAX_OCCURRENCE
    days = math.ceil((look_back + LONGEST_WINDOW) / DAY) + 1
    return per_day * days


def check_schedule_cost(schedule: Schedule, others: Iterable[Schedule]) -> None:
    """Raise when this schedule, alone or with the others, is too costly to resolve."""
    own = occurrence_bound(schedule)
    if own > MAX_OCCURRENCES_PER_SCHEDULE:
        raise ScheduleValidationError(
            "cron",
            f"cron {schedule.cron!r} starts so often that a week's timeline would hold up to {own} "
            f"occurrences of it; at most {MAX_OCCURRENCES_PER_SCHEDULE} are allowed: "
            "start it less often (e.g. every 15 minutes) or make each occurrence shorter",
        )
    total = own + sum(occurrence_bound(other) for other in others)
    if total > MAX_OCCURRENCES_IN_ALL:
        raise ScheduleValidationError(
            "cron",
            f"together with the other schedules, a week's timeline would hold up to {total} occurrences; "
            f"at most {MAX_OCCURRENCES_IN_ALL} are allowed: start this schedule less often or remove another",
        )
