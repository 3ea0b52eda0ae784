"""API errors: every refusal is a JSON body naming the problem."""

from __future__ import annotations


class ApiError(Exception):
    """Raised by handlers and request parsing; becomes ``{"status": "error", ...}``."""

    def __init__(self, code: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.headers = headers or {}


def bad_request(message: str) -> ApiError:
    return ApiError(400, message)


def unprocessable(message: str) -> ApiError:
    return ApiError(422, message)


def not_found(message: str) -> ApiError:
    return ApiError(404, message)


def error_body(message: str) -> dict[str, str]:
    return {"status": "error", "error": message}
