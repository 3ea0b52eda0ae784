"""Assembling the engine's API from its components."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rpymostat.engine.api.app import EngineAPI
from rpymostat.engine.api.root import RootPage
from rpymostat.engine.api.v1 import (
    clients,
    decisions,
    events,
    history,
    live,
    model,
    overrides,
    plugins,
    presets,
    reaction_rules,
    reactions,
    schedules,
    timeline,
)
from rpymostat.engine.api.v1.devices import DevicesAPI
from rpymostat.engine.api.v1.keys import KeysAPI
from rpymostat.engine.api.v1.openapi import OpenAPIDocument, build_document
from rpymostat.engine.api.v1.overrides import OverridesAPI
from rpymostat.engine.api.v1.relays import RelaysAPI
from rpymostat.engine.api.v1.relays import openapi_fragment as relays_fragment
from rpymostat.engine.api.v1.schedules import SchedulesAPI
from rpymostat.engine.api.v1.sensors import SensorsAPI
from rpymostat.engine.api.v1.status import StatusAPI
from rpymostat.engine.api.v1.timeline import TimelineAPI
from rpymostat.engine.clients import ClientRegistry, NotingAuthenticator
from rpymostat.engine.context import EngineContext
from rpymostat.engine.device_events import EventLog
from rpymostat.engine.live.feed import LiveFeed
from rpymostat.engine.loop.decision_loop import DecisionLoop
from rpymostat.engine.loop.learning import HouseModel
from rpymostat.engine.plugin_settings import PluginSettings
from rpymostat.engine.reactions import Reactions
from rpymostat.engine.relays.commander import RelayCommander
from rpymostat.engine.relays.registry import RelayRegistry
from rpymostat.engine.schedules.book import RuleBook
from rpymostat.engine.schedules.cache import TimelineCache
from rpymostat.integrations.metrics_page import metrics_page
from rpymostat.integrations.metrics_page import openapi_fragment as metrics_fragment
from rpymostat.web import static_directory

# Components whose routes are described outside the core document provide
# ``openapi_fragment()``; list their modules' fragment functions here.
FRAGMENTS: list[Callable[[], dict[str, Any]]] = [
    plugins.openapi_fragment,
    schedules.openapi_fragment,
    overrides.openapi_fragment,
    timeline.openapi_fragment,
    model.openapi_fragment,
    history.openapi_fragment,
    relays_fragment,
    decisions.openapi_fragment,
    live.openapi_fragment,
    metrics_fragment,
    events.openapi_fragment,
    reactions.openapi_fragment,
    clients.openapi_fragment,
    presets.openapi_fragment,
    reaction_rules.openapi_fragment,
]


def api_document() -> dict[str, Any]:
    """The OpenAPI document of everything :func:`build_api` serves."""
    return build_document(fragment() for fragment in FRAGMENTS)


def default_commander(context: EngineContext) -> RelayCommander:
    """A relay commander over the context's store, talking HTTP through treq's default client."""
    import treq

    return RelayCommander(RelayRegistry(context.store), context.store, context.clock, treq)


def _following(context: EngineContext, timeline_cache: TimelineCache) -> Reactions:
    """Reactions that follow the bus, for an API built without a running engine (in API tests)."""
    made = Reactions(context, lambda: timeline_cache.limits.presets)
    made.start()
    return made


def build_api(
    context: EngineContext,
    timeline_cache: TimelineCache | None = None,
    relays: RelayCommander | None = None,
    decision_loop: DecisionLoop | None = None,
    book: RuleBook | None = None,
    reacting: Reactions | None = None,
) -> EngineAPI:
    """The whole HTTP API over one context (the same in tests and production).

    The engine passes the timeline cache, relay commander and decision loop
    it runs; without them (in API tests) a cache and a commander over the
    context's store are made here, and the current decision answers 503.
    ``book`` is the rule book to change rules through, when the engine shares
    one with other writers (the MQTT bridge), so all changes are serialised.
    """
    plugin_settings = timeline_cache.plugins if timeline_cache is not None else None
    if timeline_cache is None:
        plugin_settings = PluginSettings(context.store)
        timeline_cache = TimelineCache(context.store, context.clock, context.zone, plugins=plugin_settings,
                                       events=context.events)
    book = book if book is not None else RuleBook(timeline_cache)
    registry = ClientRegistry(context.store)
    if reacting is None:
        reacting = _following(context, timeline_cache)
    # The events the engine raises itself (an open window told by the temperature) name their subscribers too.
    event_log = reacting.log = EventLog(context, registry.subscribers)
    components = [
        RootPage(),
        StatusAPI(context),
        OpenAPIDocument(api_document()),
        SensorsAPI(context, book),
        KeysAPI(context),
        DevicesAPI(context),
        plugins.PluginsAPI(context.store, plugin_settings, timeline_cache),
        SchedulesAPI(book),
        OverridesAPI(book),
        TimelineAPI(timeline_cache, decision_loop),
        history.HistoryAPI(context),
        RelaysAPI(context, relays if relays is not None else default_commander(context)),
        decisions.DecisionsAPI(context, decision_loop),
        model.ModelAPI(context, decision_loop.house if decision_loop is not None else HouseModel(context.store)),
        events.EventsAPI(context, event_log),
        clients.ClientsAPI(context, registry),
        presets.PresetsAPI(timeline_cache, context.events),
        reaction_rules.ReactionRulesAPI(reacting),
        reactions.ReactionsAPI(reacting,
                               (lambda: decision_loop.in_force) if decision_loop is not None else list),
    ]
    metrics, page = metrics_page(context, lambda: decision_loop.latest if decision_loop is not None else None)
    components.append(page)
    authenticator = NotingAuthenticator(registry, context.store, context.clock, context.config.signature_window)
    api = EngineAPI(components, authenticator, context.config.max_body_bytes)
    if metrics is not None:
        api.observers.append(metrics.observe_request)
    api.serve_static("/ui/", str(static_directory()))
    live.LiveFeedRoute(LiveFeed(context.events, context.store, context.clock), authenticator).mount(api)
    return api
