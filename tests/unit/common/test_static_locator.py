"""RPYMOSTAT_ENGINE_URL: a daemon told where the engine is never browses."""

from __future__ import annotations

from rpymostat.common.discovery import EngineLocator, StaticLocator


def test_static_url_is_known_at_once_without_trailing_slash() -> None:
    locator: EngineLocator = StaticLocator("http://engine.example:8088/")

    assert locator.current() == "http://engine.example:8088"
    waited = locator.wait()
    assert waited.called and waited.result == "http://engine.example:8088"


def test_static_locator_never_reports_a_change() -> None:
    locator = StaticLocator("http://10.0.0.1:8088")
    seen: list[str | None] = []
    locator.on_change(seen.append)

    assert locator.start().called and locator.stop().called
    assert seen == []
    assert locator.current() == "http://10.0.0.1:8088"
