"""The docs pages generated from code describe every setting and every route."""

from __future__ import annotations

from rpymostat.config import SETTINGS
from rpymostat.docs_generation import write_generated_pages
from rpymostat.engine.api.build import api_document


def test_the_configuration_page_has_every_setting_with_its_description_and_default(tmp_path):
    write_generated_pages(str(tmp_path))
    page = (tmp_path / "configuration_generated.rst").read_text(encoding="utf-8")
    for setting in SETTINGS:
        assert f"``{setting.env_var}``\n    {setting.description}\n" in page
    assert "Default: ``8088``" in page
    assert "Default: ``sqlite:///$RPYMOSTAT_DATA_DIR/rpymostat.sqlite``" in page
    assert "``RPYMOSTAT_MQTT_URL``\n" in page and "Default: ````" not in page  # an empty default is said in words


def test_the_http_api_page_has_every_path_and_method_of_the_openapi_document(tmp_path):
    write_generated_pages(str(tmp_path))
    page = (tmp_path / "http_api_generated.rst").read_text(encoding="utf-8")
    document = api_document()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            title = f"{method.upper()} {path}"
            assert f"{title}\n{'~' * len(title)}\n\n{operation['summary']}\n" in page
    for name in document["components"]["schemas"]:
        assert f"\n{name}\n{'~' * len(name)}\n" in page


def test_pages_are_rewritten_only_when_they_change(tmp_path):
    """Sphinx rebuilds what changed; an untouched page keeps its modification time."""
    write_generated_pages(str(tmp_path))
    page = tmp_path / "configuration_generated.rst"
    written = page.stat().st_mtime_ns
    write_generated_pages(str(tmp_path))
    assert page.stat().st_mtime_ns == written
    page.write_text("stale", encoding="utf-8")
    write_generated_pages(str(tmp_path))
    assert page.read_text(encoding="utf-8").startswith(".. This file is generated")
