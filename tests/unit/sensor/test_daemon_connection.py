"""The daemon drops its kept-alive connection before the engine would.

The engine is a twisted.web ``Site``, which closes a connection idle for a
minute: the sensor daemon's default reading interval. A reading sent on a
connection in the moment the engine closes it gets no answer, and waits a
back-off for nothing; the daemon lets its idle connection go first.
"""

from __future__ import annotations

from twisted.internet import reactor
from twisted.web.resource import Resource
from twisted.web.server import Site

from rpymostat.testing.w1 import FakeW1Bus
from rpymostat_sensor.service import make_service
from tests.unit.sensor.daemon_support import sensor_config


def test_an_idle_connection_to_the_engine_is_closed_by_the_daemon_before_the_engine_closes_it(tmp_path):
    config = sensor_config(tmp_path, FakeW1Bus(tmp_path / "w1"), "http://127.0.0.1:8088")
    service = make_service(config, reactor)
    engine_site = Site(Resource())
    assert service.pool is not None
    assert service.pool.cachedConnectionTimeout < engine_site.timeOut
