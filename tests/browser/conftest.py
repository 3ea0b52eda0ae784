"""The demo as a separate process and a headless system Chromium driving its web UI.

One demo serves the whole browser suite (it takes a few seconds to start);
each test gets a fresh browser context, so nothing a page stored (the key,
the units, kiosk mode) leaks from one test to the next. Sync Playwright runs
in the test process: the demo's reactor lives in its own process.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from rpymostat.testing.processes import BIN, free_port, http, wait_for
from tests.support.requirements import requirement_missing

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"
PHONE = {"width": 360, "height": 780}
DESKTOP = {"width": 1280, "height": 900}
DEMO_SPEED = "600"


@dataclass
class Demo:
    """The running demo: where it listens and its first-start admin key."""

    url: str
    admin_key: str
    log_path: Path

    def api(self, method: str, path: str, body: object = None, key: str | None = None) -> tuple[int, object]:
        return http(method, self.url + path, body, key=key or self.admin_key)

    def log(self) -> str:
        return self.log_path.read_text()


# Package scope: the demo and the browser end with the browser tests, so the
# rest of the suite runs without their load (or Playwright's event loop).
@pytest.fixture(scope="package")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    root = tmp_path_factory.mktemp("demo")
    data_dir = root / "demo"  # the demo keeps its own folder in the data directory it is given
    port = free_port()
    env = {**os.environ, "RPYMOSTAT_DATA_DIR": str(root), "RPYMOSTAT_PORT": str(port),
           "RPYMOSTAT_HOST": "127.0.0.1", "RPYMOSTAT_DEMO_SPEED": DEMO_SPEED}
    env.pop("RPYMOSTAT_DB_URI", None)
    log_path = root / "demo.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen([str(BIN / "rpymostat-demo")], env=env, stdout=log, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: _serving(url, data_dir, process), timeout=30, what="the demo to serve")
        yield Demo(url, (data_dir / "admin-key").read_text().strip(), log_path)
    finally:
        process.terminate()
        process.wait(timeout=30)


def _serving(url: str, data_dir: Path, process: subprocess.Popen) -> bool:
    if process.poll() is not None:
        raise AssertionError(f"the demo exited with {process.returncode}")
    if not (data_dir / "admin-key").exists():
        return False
    try:
        if http("GET", url + "/v1/status")[0] != 200:
            return False
        # The demo seeds its first schedule just after it starts serving: a test that clears the
        # schedules (no_schedules) must not run before, or the seed lands in the middle of it.
        key = (data_dir / "admin-key").read_text().strip()
        status, rules = http("GET", url + "/v1/schedules", key=key)
        if status != 200 or not rules["schedules"]:
            return False
        # Its daemons register just after too: screens are looked at once the house is all there.
        status, devices = http("GET", url + "/v1/devices", key=key)
        return status == 200 and len(devices["devices"]) >= 2
    except OSError:
        return False


# What a schedule is made from (its body), for putting one back as it was.
KEPT = ("name", "cron", "duration", "end_cron", "enabled", "mode", "heat_setpoint", "cool_setpoint", "fan",
        "sensors", "tolerance", "preset")


@pytest.fixture
def no_schedules(demo):
    """Every schedule out of the way for the test (the grid starts empty), and back afterwards."""
    saved = demo.api("GET", "/v1/schedules")[1]["schedules"]
    for rule in saved:
        demo.api("DELETE", f"/v1/schedules/{rule['id']}")
    yield
    for rule in demo.api("GET", "/v1/schedules")[1]["schedules"]:
        demo.api("DELETE", f"/v1/schedules/{rule['id']}")
    for rule in saved:
        status, made = demo.api("POST", "/v1/schedules", {k: v for k, v in rule.items() if k in KEPT and v is not None})
        assert status == 201, made


@pytest.fixture(scope="package")
def browser():
    if not CHROMIUM.exists():
        requirement_missing("no system Chromium at /usr/bin/chromium (./dev test installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def context(browser, demo: Demo):
    """A fresh browser profile; every request it makes is recorded to check it stays on the engine."""
    context = browser.new_context(viewport=DESKTOP, base_url=demo.url)
    context.set_default_timeout(15_000)
    context.requests = []
    context.on("request", lambda request: context.requests.append(request.url))
    yield context
    context.close()


@pytest.fixture
def page(context):
    return context.new_page()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(exist_ok=True)
    return SCREENSHOTS


def sign_in(page, key: str, screen: str = "now") -> None:
    """Open the UI and sign in the way a person does: paste the key, press the button."""
    page.goto(f"/ui/#{screen}")
    page.get_by_label("API key").fill(key)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("navigation", name="Screens").wait_for()


def new_key(demo: Demo, role: str) -> str:
    status, made = demo.api("POST", "/v1/keys", {"name": f"browser {role}", "role": role})
    assert status in (200, 201), made
    return made["key"]
