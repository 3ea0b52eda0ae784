"""Assembling the engine's API from its components."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rpymostat.engine.api.app import EngineAPI
from rpymostat.engine.api.auth import Authenticator
from rpymostat.engine.api.root import RootPage
from rpymostat.engine.api.v1 import history, overrides, plugins, schedules, timeline
from rpymostat.engine.api.v1.devices import DevicesAPI
from rpymostat.engine.api.v1.keys import KeysAPI
from rpymostat.engine.api.v1.openapi import OpenAPIDocument, build_document
from rpymostat.engine.api.v1.overrides import OverridesAPI
from rpymostat.engine.api.v1.schedules import SchedulesAPI
from rpymostat.engine.api.v1.sensors import SensorsAPI
from rpymostat.engine.api.v1.status import StatusAPI
from rpymostat.engine.api.v1.timeline import TimelineAPI
from rpymostat.engine.context import EngineContext
from rpymostat.engine.schedules.book import RuleBook
from rpymostat.engine.schedules.cache import TimelineCache
from rpymostat.web import static_directory

# Components whose routes are described outside the core document provide
# ``openapi_fragment()``; list their modules' fragment functions here.
FRAGMENTS: list[Callable[[], dict[str, Any]]] = [
    plugins.openapi_fragment,
    schedules.openapi_fragment,
    overrides.openapi_fragment,
    timeline.openapi_fragment,
    history.openapi_fragment,
]


def api_document() -> dict[str, Any]:
    """The OpenAPI document of everything :func:`build_api` serves."""
    return build_document(fragment() for fragment in FRAGMENTS)


def build_api(context: EngineContext, timeline_cache: TimelineCache | None = None) -> EngineAPI:
    """The whole HTTP API over one context (the same in tests and production).

    The engine passes the timeline cache it started; without one, a cache
    over the context's store is made here and loads on the first request.
    """
    if timeline_cache is None:
        timeline_cache = TimelineCache(context.store, context.clock, context.config.timezone)
    book = RuleBook(timeline_cache)
    components = [
        RootPage(),
        StatusAPI(context),
        OpenAPIDocument(api_document()),
        SensorsAPI(context),
        KeysAPI(context),
        DevicesAPI(context),
        plugins.PluginsAPI(context.store),
        SchedulesAPI(book),
        OverridesAPI(book),
        TimelineAPI(timeline_cache),
        history.HistoryAPI(context),
    ]
    authenticator = Authenticator(context.store, context.clock, context.config.signature_window)
    api = EngineAPI(components, authenticator, context.config.max_body_bytes)
    api.serve_static("/ui/", str(static_directory()))
    return api
