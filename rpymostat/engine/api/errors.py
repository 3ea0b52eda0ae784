"""API errors: every refusal is a JSON body naming the problem (the shape is :mod:`rpymostat.common.json_api`)."""

from __future__ import annotations

from rpymostat.common.json_api import ApiError, error_body

__all__ = ["ApiError", "bad_request", "error_body", "not_found", "unprocessable"]


def bad_request(message: str, field: str | None = None) -> ApiError:
    return ApiError(400, message, field=field)


def unprocessable(message: str, field: str | None = None) -> ApiError:
    return ApiError(422, message, field=field)


def not_found(message: str) -> ApiError:
    return ApiError(404, message)
