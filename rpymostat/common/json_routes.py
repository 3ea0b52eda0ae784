"""A small JSON API on plain ``twisted.web``: routes by method and path template, JSON 404 and 405.

A daemon's API is a handful of fixed paths. Klein (with werkzeug under it)
would route them too, but costs a daemon some 3.5 MB of resident memory,
which on a Pi Zero is more than the API itself. So this resource matches
the request's path against templates written as in OpenAPI
(``/v1/relays/{relay_id}/state``), hands the decoded parameters to the
handler, and answers what matches no route the way every RPyMostat API
does (:mod:`rpymostat.common.json_api`): a JSON 404 naming the path, or a
JSON 405 whose ``Allow`` header lists the path's methods. ``HEAD`` is
answered by a ``GET`` route without its body. A handler that raises
anything but :class:`ApiError` gets a JSON 500, its traceback in the log.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import unquote_to_bytes

from twisted.logger import Logger
from twisted.web.iweb import IRequest
from twisted.web.resource import Resource

from rpymostat.common.json_api import ApiError, method_not_allowed_error, not_found_error, write_error

log = Logger()

#: ``handler(request, **parameters)`` returns the body to send, having set status and headers.
Handler = Callable[..., bytes]


@dataclass(frozen=True)
class Route:
    """One method on one path template; ``{name}`` stands for one whole path segment."""

    method: str
    template: str
    handler: Handler
    #: The template's segments, split once rather than for every request.
    parts: tuple[str, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "parts", tuple(self.template.split("/")))

    def match(self, segments: list[str]) -> dict[str, str] | None:
        """The parameters when ``segments`` (of the request's path) fit the template, else ``None``."""
        if len(self.parts) != len(segments):
            return None
        parameters: dict[str, str] = {}
        for part, segment in zip(self.parts, segments, strict=True):
            if part.startswith("{") and part.endswith("}"):
                if not segment:
                    return None
                parameters[part[1:-1]] = segment
            elif part != segment:
                return None
        return parameters


class JsonRoutes(Resource):
    """The whole API as one leaf resource: every request is routed here, whatever its path."""

    isLeaf = True

    def __init__(self) -> None:
        super().__init__()
        self._routes: list[Route] = []

    def add(self, method: str, template: str, handler: Handler) -> None:
        """Serve ``method`` requests for paths fitting ``template`` with ``handler``."""
        self._routes.append(Route(method, template, handler))

    def served(self) -> set[tuple[str, str]]:
        """Every ``(method, template)`` served, to check against the API's OpenAPI document."""
        return {(route.method, route.template) for route in self._routes}

    def render(self, request: IRequest) -> bytes:
        try:
            return self._render(request)
        except ApiError as exc:
            return write_error(request, exc)
        except Exception:
            log.failure("unhandled error serving {path}", path=request.path)
            return write_error(request, ApiError(500, "internal error; the daemon's log has the details"))

    def _render(self, request: IRequest) -> bytes:
        segments = _segments(request.path)
        method = request.method.decode("ascii", "replace")
        allowed: set[str] = set()
        for route in self._routes:
            parameters = route.match(segments)
            if parameters is None:
                continue
            allowed.update((route.method, "HEAD") if route.method == "GET" else (route.method,))
            if route.method == method or (method == "HEAD" and route.method == "GET"):
                body = route.handler(request, **parameters)
                if method == "HEAD":
                    request.setHeader("Content-Length", str(len(body)))
                    return b""
                return body
        if allowed:
            raise method_not_allowed_error(request.method, allowed)
        raise not_found_error(request)


def _segments(path: bytes) -> list[str]:
    """The path's segments, each percent-decoded; a path that is not UTF-8 is refused with 400."""
    try:
        return [unquote_to_bytes(segment).decode("utf-8") for segment in path.split(b"/")]
    except UnicodeDecodeError:
        raise ApiError(400, "the request's path is not UTF-8 text", code="malformed") from None
