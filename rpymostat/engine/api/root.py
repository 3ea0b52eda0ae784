"""``GET /``: a small HTML page saying what this is and where to look next."""

from __future__ import annotations

from html import escape

from rpymostat.engine.api.app import Call, Reply
from rpymostat.engine.api.routing import route
from rpymostat.version import DOCS_URL, PROJECT_URL, VERSION

PAGE = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>RPyMostat engine {version}</title></head>
<body>
<h1>RPyMostat engine</h1>
<p>Version {version}.</p>
<ul>
<li><a href="/ui/">Web UI</a> (sign in with an API key)</li>
<li><a href="{docs}">Documentation</a></li>
<li><a href="/v1/status">Status</a></li>
<li><a href="/v1/openapi.json">API description (OpenAPI 3)</a></li>
<li><a href="{source}">Source code</a> (AGPL-3.0-or-later)</li>
</ul>
</body>
</html>
"""


class RootPage:
    @route("/", role=None)
    def root(self, call: Call) -> Reply:
        page = PAGE.format(version=escape(VERSION), docs=escape(DOCS_URL), source=escape(PROJECT_URL))
        return Reply(page, content_type="text/html; charset=utf-8")
