"""Reading request bodies and query parameters, refusing bad input early."""

from __future__ import annotations

import json
import math
import re
from typing import Any

from twisted.web.iweb import IRequest

from rpymostat.common import json_input
from rpymostat.common.json_input import TooDeeplyNested
from rpymostat.common.timeutil import TimestampError, from_iso
from rpymostat.engine.api.errors import ApiError, bad_request, unprocessable

MAX_LIMIT = 10000
# Decimal digits only: int() would also take "1_000", " 5" and non-ASCII digits.
WHOLE_NUMBER = re.compile("-?[0-9]+")


def header(request: IRequest, name: str) -> str | None:
    value = request.getHeader(name)
    return value if value is None else str(value)


class _NotFinite:
    """Stands in for NaN, Infinity, -Infinity or a number too large for a float while decoding.

    Python's decoder accepts them, so they are kept as markers and then
    looked for, to refuse the body with an error naming the field.
    """

    made = 0  # how many were ever made: a body whose decoding made none needs no search for them

    def __init__(self, literal: str) -> None:
        self.literal = literal
        _NotFinite.made += 1


def _finite_or_marker(literal: str) -> float | _NotFinite:
    value = float(literal)
    return value if math.isfinite(value) else _NotFinite(literal)


# One decoder for every body: json.loads with hooks would build a new one per call.
_DECODER = json.JSONDecoder(parse_constant=_NotFinite, parse_float=_finite_or_marker)


def _find_not_finite(data: Any) -> tuple[tuple[str, ...], _NotFinite] | None:
    """The path to the first marker in decoded JSON, and the marker.

    A loop, not recursion: the decoder accepts nesting nearly as deep as
    the interpreter's recursion limit.
    """
    pending: list[tuple[tuple[str, ...], Any]] = [((), data)]
    while pending:
        path, value = pending.pop()
        if isinstance(value, _NotFinite):
            return path, value
        items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
        pending.extend(reversed([((*path, str(key)), item) for key, item in items]))
    return None


def _refuse_not_finite(data: Any) -> None:
    found = _find_not_finite(data)
    if found is not None:
        path, marker = found
        field = ".".join(path) if path else None
        raise unprocessable(f"{field or 'request body'} must be a finite number, not {marker.literal}", field)


def parse_json_body(request: IRequest, body: bytes) -> Any:
    """Decode a JSON body.

    NaN, Infinity and numbers beyond a float's range are refused with 422
    naming the field, like any other value a field cannot take; JSON nested
    too deeply for the decoder (or for whatever walks it next) with 400.
    """
    content_type = (header(request, "content-type") or "").split(";", 1)[0].strip().lower()
    if content_type != "application/json":
        raise ApiError(415, "Content-Type must be application/json")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise bad_request("request body is not UTF-8") from None
    if not text.strip():
        raise bad_request("request body is empty; a JSON object is required")
    made = _NotFinite.made
    try:
        data = json_input.loads(text, decoder=_DECODER)
    except TooDeeplyNested as exc:
        raise bad_request(f"request body is {exc}") from None
    except ValueError as exc:
        raise bad_request(f"request body is not valid JSON: {exc}") from None
    # The decoder is the one pass over the body: the decoded value is walked again only
    # when it made a marker, and surrogates can only come from a \u escape.
    if _NotFinite.made != made:
        _refuse_not_finite(data)
    if "\\u" in text:
        _refuse_lone_surrogates(data)
    return data


def _refuse_lone_surrogates(data: Any) -> None:
    """Refuse "\\ud800"-style escapes that pair with nothing: they decode to no character.

    JSON's grammar lets them through, but no UTF-8 text (a database, a log
    line, a response) can hold them, so they would fail far from here.
    """
    try:
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise bad_request("request body is not valid JSON: it holds an unpaired UTF-16 surrogate escape") from None


def _arg(request: IRequest, name: str) -> str | None:
    values = request.args.get(name.encode("ascii"))
    if not values:
        return None
    try:
        return values[-1].decode("utf-8")
    except UnicodeDecodeError:
        raise bad_request(f"{name} parameter is not UTF-8", name) from None


def int_param(request: IRequest, name: str, default: int, low: int, high: int) -> int:
    raw = _arg(request, name)
    if raw is None:
        return default
    if not WHOLE_NUMBER.fullmatch(raw):
        raise bad_request(f"{name} parameter must be a whole number", name)
    value = int(raw)
    if not low <= value <= high:
        raise bad_request(f"{name} parameter must be between {low} and {high}", name)
    return value


def bool_param(request: IRequest, name: str, default: bool) -> bool:
    raw = _arg(request, name)
    if raw is None:
        return default
    lowered = raw.lower()
    if lowered in ("1", "true", "yes"):
        return True
    if lowered in ("0", "false", "no"):
        return False
    raise bad_request(f"{name} parameter must be true or false", name)


def time_param(request: IRequest, name: str) -> float | None:
    raw = _arg(request, name)
    if raw is None:
        return None
    try:
        return from_iso(raw)
    except TimestampError as exc:
        raise bad_request(f"{name} parameter: {exc}", name) from None


def is_number(value: Any) -> bool:
    """A JSON number that is a real, finite temperature (booleans are not numbers)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
