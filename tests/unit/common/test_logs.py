"""What a homeowner's journal shows: the services' own lines and errors, not Twisted's listener chatter (until -vv)."""

from __future__ import annotations

import io

from twisted.internet.task import Clock
from twisted.logger import Logger, globalLogPublisher
from twisted.python import log as legacy
from twisted.web.resource import Resource

from rpymostat.common.guarded_site import GuardedSite
from rpymostat.common.logs import log_observer
from rpymostat.common.serving import GuardedHTTPFactory, PerAddressCap, ServerLimits

LIMITS = ServerLimits(max_body_bytes=1024)


def journal(verbosity: int) -> str:
    """What a listener's start and stop write, with a service's own line and an error, at this verbosity."""
    stream = io.StringIO()
    observer = log_observer(verbosity, stream)
    globalLogPublisher.addObserver(observer)
    try:
        for factory in (PerAddressCap(GuardedSite(Resource(), LIMITS, Clock()), 4),
                        PerAddressCap(GuardedHTTPFactory(Resource(), LIMITS, Clock()), 4)):
            factory.doStart()
            legacy.msg(f"{type(factory.wrappedFactory).__name__} (PerAddressCap) starting on 8088")
            factory.doStop()
        Logger(namespace="rpymostat.engine.service").info("RPyMostat engine serving on http://127.0.0.1:8088/")
        Logger(namespace="rpymostat.common.serving").warn("Closing a peer: its headers took over 20 s")
    finally:
        globalLogPublisher.removeObserver(observer)
    return stream.getvalue()


def test_a_listeners_start_and_stop_leave_only_the_services_own_lines():
    lines = journal(0)

    assert "serving on http://127.0.0.1:8088/" in lines and "Closing a peer" in lines
    assert "Starting factory" not in lines and "Stopping factory" not in lines and "starting on 8088" not in lines


def test_minus_vv_shows_twisteds_chatter_too():
    lines = journal(2)

    assert lines.count("Starting factory") == 4 and lines.count("starting on 8088") == 2
