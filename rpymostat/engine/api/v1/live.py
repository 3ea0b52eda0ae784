"""``/v1/ws``: the live feed's one HTTP route, and its description.

A WebSocket upgrade becomes a live-feed client, which signs in with its
first message; any other request gets a JSON 426. The route is public
(the socket asks for the key itself, so the key never sits in a URL or a
header a browser cannot set) and is declared like every other route, so the
role matrix and the OpenAPI check cover it.

The handler returns a Twisted resource for upgrades, which the API's
JSON-only dispatcher does not pass through, so :meth:`LiveFeedRoute.mount`
adds the route to the Klein app itself and its declaration to the API's
route list.
"""

from __future__ import annotations

from typing import Any

from autobahn.twisted.resource import WebSocketResource
from twisted.internet.defer import Deferred, ensureDeferred
from twisted.web.iweb import IRequest

from rpymostat.engine.api.app import Call, EngineAPI, encode_json
from rpymostat.engine.api.auth import Authenticator
from rpymostat.engine.api.errors import ApiError
from rpymostat.engine.api.requests import header
from rpymostat.engine.api.routing import Route, RouteSpec
from rpymostat.engine.api.v1.openapi import TIMESTAMP, operation, ref
from rpymostat.engine.live.feed import LiveFeed
from rpymostat.engine.live.messages import CloseCode
from rpymostat.store.interface import StoreError

PATH = "/v1/ws"
REASONS = {426: b"Upgrade Required"}  # Twisted has no phrase for 426
SPEC = RouteSpec(PATH, ("GET",), None)


def upgrade_required() -> ApiError:
    return ApiError(426, "this is the live feed: open it as a WebSocket and send the key in the first message",
                    {"Upgrade": "websocket"})


def is_websocket_upgrade(request: IRequest) -> bool:
    upgrade = (header(request, "upgrade") or "").lower()
    connection = (header(request, "connection") or "").lower()
    return upgrade == "websocket" and "upgrade" in [token.strip() for token in connection.split(",")]


class LiveFeedRoute:
    def __init__(self, feed: LiveFeed, authenticator: Authenticator) -> None:
        self.feed = feed
        self.auth = authenticator

    def mount(self, api: EngineAPI) -> None:
        """Serve ``/v1/ws`` from ``api`` and declare it there as a public GET."""
        api.routes.append(Route(SPEC, self.refuse_plain_request))
        api.app.route(PATH, methods=["GET"])(self.render)

    def refuse_plain_request(self, call: Call) -> None:
        raise upgrade_required()

    def render(self, request: IRequest) -> WebSocketResource | Deferred[bytes]:
        if is_websocket_upgrade(request):
            return self.feed.resource()
        return ensureDeferred(self._plain(request))

    async def _plain(self, request: IRequest) -> bytes:
        """Same answers as every other route: a presented bad key is 401, then 426."""
        try:
            await self.auth.authenticate(request, b"", SPEC)
            error = upgrade_required()
        except ApiError as exc:
            error = exc
        except StoreError:
            error = ApiError(503, "the database is unavailable; try again shortly")
        request.setResponseCode(error.status, REASONS.get(error.status))
        request.setHeader("Content-Type", "application/json; charset=utf-8")
        request.setHeader("Cache-Control", "no-store")
        for name, value in error.headers.items():
            request.setHeader(name, value)
        return encode_json(error.body())


CLOSE_CODES_HELP = "; ".join(f"{int(code)} {code.name.lower().replace('_', ' ')}" for code in CloseCode)


def openapi_fragment() -> dict[str, Any]:
    get = operation(
        "The live feed (WebSocket): readings, equipment changes, decisions, schedule changes and alerts as they happen",
        None,
        {
            "101": {"description": "switched to the WebSocket protocol; the server sends LiveAuthRequired, "
                                   "the client answers LiveAuth, the server LiveWelcome and then LiveEvent "
                                   "messages (all LiveServerMessage). Close codes: " + CLOSE_CODES_HELP},
            "426": {"description": "not a WebSocket upgrade",
                    "content": {"application/json": {"schema": ref("Error")}}},
        },
    )
    get["description"] += (" The key is never in the URL or a header: it is the first message on the socket;"
                           " see LiveAuth. The documentation's live-feed page has the whole protocol.")
    return {
        "paths": {PATH: {"get": get}},
        "schemas": {
            "LiveAuthRequired": {
                "type": "object", "required": ["type"],
                "properties": {"type": {"const": "auth_required"}},
            },
            "LiveAuth": {
                "type": "object", "required": ["type", "key"], "additionalProperties": False,
                "description": "the client's first message",
                "properties": {
                    "type": {"const": "auth"},
                    "key": {"type": "string", "minLength": 1, "maxLength": 256, "description": "an API key, any role"},
                    "after": {"type": ["integer", "null"], "minimum": 0,
                              "description": "the last event id seen: replay every kept event after it"},
                },
            },
            "LiveWelcome": {
                "type": "object", "required": ["type", "role", "last_event_id", "reset"],
                "properties": {
                    "type": {"const": "welcome"},
                    "role": {"enum": ["read", "write", "admin"]},
                    "last_event_id": {"type": "integer", "minimum": 0,
                                      "description": "the newest kept event's id when the client signed in"},
                    "reset": {"type": "boolean",
                              "description": "after was beyond this engine's events: reload state over HTTP"},
                },
            },
            "LiveEvent": {
                "type": "object", "required": ["type", "id", "at", "data"],
                "properties": {
                    "type": {"type": "string", "not": {"enum": ["auth_required", "welcome"]},
                             "description": "readings, decision, alerts, schedule.changed, relay events, ..."},
                    "id": {"type": ["integer", "null"],
                           "description": "increasing id of a kept event (replayed on catch-up); null if not kept"},
                    "at": TIMESTAMP,
                    "data": {"type": "object"},
                },
            },
            "LiveServerMessage": {"oneOf": [ref("LiveAuthRequired"), ref("LiveWelcome"), ref("LiveEvent")]},
        },
    }
