"""The one error that schedule, override and adjustment validation raises."""

from __future__ import annotations


class ScheduleValidationError(ValueError):
    """A rule body was refused; ``str(error)`` is a sentence naming the field.

    ``field`` lets the API point a form at the offending input, and the
    message is meant to be shown to the user as it is.
    """

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message
