"""Assembling the engine's API from its components."""

from __future__ import annotations

from typing import Any, Callable

from rpymostat.engine.api.app import EngineAPI
from rpymostat.engine.api.auth import Authenticator
from rpymostat.engine.api.root import RootPage
from rpymostat.engine.api.v1.devices import DevicesAPI
from rpymostat.engine.api.v1.keys import KeysAPI
from rpymostat.engine.api.v1 import live, plugins
from rpymostat.engine.api.v1.openapi import OpenAPIDocument, build_document
from rpymostat.engine.api.v1.sensors import SensorsAPI
from rpymostat.engine.api.v1.status import StatusAPI
from rpymostat.engine.context import EngineContext
from rpymostat.engine.live.feed import LiveFeed
from rpymostat.web import static_directory


# Components whose routes are described outside the core document provide
# ``openapi_fragment()``; list their modules' fragment functions here.
FRAGMENTS: list[Callable[[], dict[str, Any]]] = [plugins.openapi_fragment, live.openapi_fragment]


def api_document() -> dict[str, Any]:
    """The OpenAPI document of everything :func:`build_api` serves."""
    return build_document(fragment() for fragment in FRAGMENTS)


def build_api(context: EngineContext) -> EngineAPI:
    """The whole HTTP API over one context (the same in tests and production)."""
    components = [
        RootPage(),
        StatusAPI(context),
        OpenAPIDocument(api_document()),
        SensorsAPI(context),
        KeysAPI(context),
        DevicesAPI(context),
        plugins.PluginsAPI(context.store),
    ]
    authenticator = Authenticator(context.store, context.clock, context.config.signature_window)
    api = EngineAPI(components, authenticator, context.config.max_body_bytes)
    api.serve_static("/ui/", str(static_directory()))
    live.LiveFeedRoute(LiveFeed(context.events, context.store, context.clock), authenticator).mount(api)
    return api
