"""The engine's Klein application: routes, authentication and JSON errors.

Handlers are plain methods of small component classes that receive a
:class:`Call` and return a :class:`Reply` (or a dict for ``200``). This
module does everything around them once: body limits, authentication and
roles, JSON encoding, and turning every failure into a JSON error, so that
a bad request never reaches a handler half-parsed and a handler bug never
leaves a client without an answer.
"""

from __future__ import annotations

import inspect
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, cast

from klein import Klein
from twisted.internet.defer import Deferred, ensureDeferred
from twisted.logger import Logger
from twisted.python.failure import Failure
from twisted.web.iweb import IRequest
from twisted.web.resource import Resource
from twisted.web.server import NOT_DONE_YET, Request
from werkzeug.exceptions import MethodNotAllowed, NotFound

from rpymostat.common.json_api import (
    ApiError,
    encode_json,
    method_not_allowed_error,
    not_found_error,
    read_body,
    set_answer_headers,
)
from rpymostat.common.verbosity import Verbosity
from rpymostat.engine.api.auth import Authenticator, Principal
from rpymostat.engine.api.errors import unprocessable
from rpymostat.engine.api.requests import parse_json_body
from rpymostat.engine.api.routing import Route, routes_of
from rpymostat.store.interface import StoreError

log = Logger()

BODY_METHODS = ("PUT", "POST", "PATCH", "DELETE")
NO_BODY_CODES = (204, 304)


@dataclass
class Call:
    """One request as a handler sees it: already authenticated, body bounded."""

    request: IRequest
    body: bytes
    principal: Principal
    params: dict[str, Any] = field(default_factory=dict)

    def json_object(self) -> dict[str, Any]:
        """The body as a JSON object (400/415/422 otherwise)."""
        data = parse_json_body(self.request, self.body)
        if not isinstance(data, dict):
            raise unprocessable("request body must be a JSON object")
        return data


@dataclass
class Reply:
    """A handler's answer."""

    body: Any
    code: int = 200
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[[Call], "Awaitable[Reply | dict[str, Any]] | Reply | dict[str, Any]"]

#: Told of every answered request: route template (not the raw path), method, status code, seconds taken.
RequestObserver = Callable[[str, str, int, float], None]


__all__ = ["Call", "EngineAPI", "Reply", "encode_json"]


def error_reply(error: ApiError) -> Reply:
    """An :class:`ApiError` as the handler answer it stands for."""
    return Reply(error.body(), error.status, headers=error.headers)


def method_not_allowed(method: bytes, allowed: Iterable[str]) -> Reply:
    """A 405 whose ``Allow`` lists ``allowed``, the methods of the path that was asked for."""
    return error_reply(method_not_allowed_error(method, allowed))


class _FrontDoor(Resource):
    """Every request's way in: URL checks, then a fixed path straight to its handler, or Klein.

    Klein answers a URL or Host that is not UTF-8 in plain text; it is
    refused here in JSON like everything else. Routes without path
    parameters are found by one dictionary lookup, which spares the
    busiest ones (sensor updates) Klein's per-request URL-map binding.
    A fixed path is a resource of its own: a method it does not have is
    a 405 listing its methods, never a call to a parametrised route that
    its URL also matches (``GET /v1/sensors/update`` is not the sensor
    "update"). Everything else (parameters, HEAD, 404, other 405s, static
    files, the live feed) goes through Klein.
    """

    isLeaf = True

    def __init__(self, inner: Resource, fixed: dict[tuple[bytes, bytes], Callable[[IRequest], Deferred[bytes]]],
                 write: Callable[[IRequest, Reply], bytes]) -> None:
        super().__init__()
        self.inner = inner
        self.fixed = fixed
        self.write = write
        self.fixed_methods: dict[bytes, set[str]] = {}
        for method, path in fixed:
            self.fixed_methods.setdefault(path, set()).update(
                {method.decode("ascii"), "HEAD"} if method == b"GET" else {method.decode("ascii")})

    def render(self, request: IRequest) -> Any:
        try:
            b"/".join(request.prepath + request.postpath).decode("utf-8")
            request.getRequestHostname().decode("utf-8")
        except UnicodeDecodeError:
            return self.write(request, error_reply(ApiError(400, "the URL or Host header is not valid UTF-8")))
        serve = self.fixed.get((request.method, request.path))
        if serve is None:
            allowed = self.fixed_methods.get(request.path)
            if allowed is not None and request.method.decode("ascii", "replace") not in allowed:
                return self.write(request, method_not_allowed(request.method, allowed))
            return self.inner.render(request)
        request.prepath.extend(request.postpath)
        request.postpath = []
        gone: list[bool] = []
        # twisted.web passes a server.Request; IRequest declares neither notifyFinish nor finished.
        http_request = cast(Request, request)
        http_request.notifyFinish().addErrback(lambda _: gone.append(True))
        serve(request).addCallback(_send, request, gone).addErrback(_broken, http_request, gone)
        return NOT_DONE_YET


def _send(body: bytes, request: IRequest, gone: list[bool]) -> None:
    if not gone:
        request.write(body)
        request.finish()


def _broken(failure: Failure, request: Request, gone: list[bool]) -> None:
    """Writing the answer itself failed: log it, and still end the request."""
    log.failure("could not answer {method} {path}", failure, method=request.method, path=request.path)
    if not gone and not request.finished:
        request.setResponseCode(500)
        request.finish()


class EngineAPI:
    """Builds a fresh Klein app from the components' declared routes."""

    def __init__(self, components: Iterable[object], authenticator: Authenticator, max_body_bytes: int) -> None:
        self.auth = authenticator
        self.max_body_bytes = max_body_bytes
        self.routes: list[Route] = [r for component in components for r in routes_of(component)]
        self.app = Klein()
        self.observers: list[RequestObserver] = []
        self.timer: Callable[[], float] = time.perf_counter
        self._fixed: dict[tuple[bytes, bytes], Callable[[IRequest], Deferred[bytes]]] = {}
        for index, declared in enumerate(self.routes):
            endpoint = self._endpoint(declared)
            self.app.route(declared.path, methods=list(declared.methods), endpoint=f"r{index}")(endpoint)
            if "<" not in declared.path:
                for method in declared.methods:
                    self._fixed[(method.encode("ascii"), declared.path.encode("utf-8"))] = endpoint
        self.app.handle_errors(NotFound)(self._not_found)
        self.app.handle_errors(MethodNotAllowed)(self._method_not_allowed)

    def resource(self) -> Resource:
        return _FrontDoor(self.app.resource(), self._fixed, self._write)

    def serve_static(self, prefix: str, directory: str) -> None:
        """Serve a folder of public files (the web UI) under ``prefix``.

        Static files carry no data, so they need no credentials; every
        request the UI then makes goes through the API's own checks.
        """
        from twisted.web.static import File

        folder = File(directory)
        folder.indexNames = ["index.html"]
        self.app.route(prefix, branch=True, methods=["GET", "HEAD"])(lambda request: folder)

    def _endpoint(self, declared: Route) -> Callable[..., Deferred[bytes]]:
        def endpoint(request: IRequest, **params: Any) -> Deferred[bytes]:
            return ensureDeferred(self._serve(declared, request, params))

        return endpoint

    async def _serve(self, declared: Route, request: IRequest, params: dict[str, Any]) -> bytes:
        started = self.timer()
        try:
            method = request.method.decode("ascii")
            body = read_body(request, self.max_body_bytes) if method in BODY_METHODS else b""
            principal = await self.auth.authenticate(request, body, declared.spec)
            try:
                result = declared.handler(Call(request, body, principal, params))
                if inspect.isawaitable(result):
                    result = await result
            finally:
                if declared.spec.role == "admin" and method != "GET":
                    # Credentials are managed only through admin routes: cached keys may be stale now.
                    self.auth.credentials_changed()
            reply = result if isinstance(result, Reply) else Reply(result)
        except ApiError as exc:
            reply = error_reply(exc)
        except StoreError as exc:
            log.warn("database unavailable: {error}", error=str(exc))
            reply = error_reply(ApiError(503, "the database is unavailable; try again shortly"))
        except Exception:
            log.failure("unhandled error serving {method} {path}", method=request.method, path=request.path)
            reply = error_reply(ApiError(500, "internal error; the engine log has the details"))
        if Verbosity.level >= 1:
            # Formatted only when it is shown: a line per update cost 5 % of the update at a busy rate.
            log.debug("{method} {path} -> {code}", method=request.method.decode("ascii", "replace"),
                      path=request.path.decode("utf-8", "replace"), code=reply.code)
        self._observe(declared.path, request.method.decode("ascii", "replace"), reply.code, self.timer() - started)
        return self._write(request, reply)

    def _observe(self, path: str, method: str, code: int, seconds: float) -> None:
        for observer in self.observers:
            try:
                observer(path, method, code, seconds)
            except Exception:
                log.failure("a request observer failed on {method} {path}", method=method, path=path)

    @staticmethod
    def _write(request: IRequest, reply: Reply) -> bytes:
        set_answer_headers(request, reply.code, reply.headers)
        if reply.content_type != "application/json":
            request.setHeader("Content-Type", reply.content_type)
        if isinstance(reply.body, bytes):
            body = reply.body
        elif isinstance(reply.body, str):
            body = reply.body.encode("utf-8")
        else:
            body = encode_json(reply.body)
        if reply.code not in NO_BODY_CODES:
            # Known before the first byte goes out, the length spares a chunked answer: one write, not three.
            request.setHeader("Content-Length", str(len(body)))
        return body

    def _not_found(self, request: IRequest, failure: Failure) -> bytes:
        return self._write(request, error_reply(not_found_error(request)))

    def _method_not_allowed(self, request: IRequest, failure: Failure) -> bytes:
        return self._write(request, method_not_allowed(request.method, failure.value.valid_methods or []))
