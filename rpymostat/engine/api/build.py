"""Assembling the engine's API from its components."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rpymostat.engine.api.app import EngineAPI
from rpymostat.engine.api.auth import Authenticator
from rpymostat.engine.api.root import RootPage
from rpymostat.engine.api.v1.devices import DevicesAPI
from rpymostat.engine.api.v1.keys import KeysAPI
from rpymostat.engine.api.v1.openapi import OpenAPIDocument, build_document
from rpymostat.engine.api.v1.relays import RelaysAPI
from rpymostat.engine.api.v1.relays import openapi_fragment as relays_fragment
from rpymostat.engine.api.v1.sensors import SensorsAPI
from rpymostat.engine.api.v1.status import StatusAPI
from rpymostat.engine.context import EngineContext
from rpymostat.engine.relays.commander import RelayCommander
from rpymostat.engine.relays.registry import RelayRegistry

# Components whose routes are described outside the core document provide
# ``openapi_fragment()``; list their modules' fragment functions here.
FRAGMENTS: list[Callable[[], dict[str, Any]]] = [relays_fragment]


def api_document() -> dict[str, Any]:
    """The OpenAPI document of everything :func:`build_api` serves."""
    return build_document(fragment() for fragment in FRAGMENTS)


def default_commander(context: EngineContext) -> RelayCommander:
    """A relay commander over the context's store, talking HTTP through treq's default client."""
    import treq

    return RelayCommander(RelayRegistry(context.store), context.store, context.clock, treq)


def build_api(context: EngineContext, relays: RelayCommander | None = None) -> EngineAPI:
    """The whole HTTP API over one context (the same in tests and production).

    ``relays`` is the commander the engine service runs (it keeps the control
    daemons' failsafes fed); without one, the API builds its own.
    """
    components = [
        RootPage(),
        StatusAPI(context),
        OpenAPIDocument(api_document()),
        SensorsAPI(context),
        KeysAPI(context),
        DevicesAPI(context),
        RelaysAPI(context, relays if relays is not None else default_commander(context)),
    ]
    authenticator = Authenticator(context.store, context.clock, context.config.signature_window)
    return EngineAPI(components, authenticator, context.config.max_body_bytes)
