"""Ingest benchmark: sensor updates into a real engine, beside a do-nothing ceiling.

Three processes take part so that none measures itself: the engine
(``rpymostat-engine`` on a fresh SQLite file), the ceiling (a bare
``twisted.web`` resource that answers 201 and does nothing else) and the
load generator (raw keep-alive HTTP/1.1 on asyncio). This orchestrating
process only starts them, waits and reads the figures, so on a two-core
machine the server under test and the load generator each get a core.

The load generator reports the CPU time it and the server used inside the
measured window, which tells whether the server or the load generator was
the limit. Every phase is bounded in requests and in seconds; everything
listens on and talks to 127.0.0.1 only.

Two more engines run the scenarios of issue 15: one with 1,000 sensors
registered (every decision turn weighs them all), one with a control
daemon attached on simulated relays (every decision turn commands it over
signed HTTP); each is judged on its CPU per update against the engine
with one sensor, and on its p99 at the fixed rate.

``python -m benchmarks.ingest`` runs it; ``--quick`` makes a small run.
Internal sub-commands (``serve-ceiling``; ``load``, which reads its
phase as JSON on stdin) start the helper processes.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import psutil

from rpymostat.testing.processes import stop_process

LOOPBACK = "127.0.0.1"
UPDATE_PATH = "/v1/sensors/update"
REPO_ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
MB = 1_000_000
READINGS_PER_FILL_BODY = 50
START_TIMEOUT = 30.0
TARGET_THROUGHPUT_RATIO = 0.50
TARGET_CPU_RATIO = 2.0  # server CPU per update at most twice the ceiling's
TARGET_P99_MS = 20.0
TARGET_RSS_MB = 80.0
TARGET_SCENARIO_CPU_RATIO = 1.25  # CPU per update with 1,000 sensors or a control daemon, against one sensor alone
MANY_SENSORS = 1000
CONTROL_HOST_ID = "bench-boiler"


@dataclass(frozen=True)
class Plan:
    """How much load each phase offers; every phase ends by count or by time."""

    concurrencies: tuple[int, ...] = (8, 32)
    warmup_seconds: float = 1.0
    closed_max_requests: int = 100_000
    closed_max_seconds: float = 10.0
    rate: float = 200.0
    open_seconds: float = 20.0
    open_connections: int = 32
    stored_readings: int = 100_000
    settle_seconds: float = 1.0


FULL_PLAN = Plan()
QUICK_PLAN = Plan(warmup_seconds=0.2, closed_max_requests=100, closed_max_seconds=3.0, open_seconds=0.5,
                  stored_readings=2_000, settle_seconds=0.2)


def update_body(host_id: str, sensor_count: int) -> bytes:
    """A sensor update in the seed's shape, with ``sensor_count`` DS18B20 readings."""
    sensors = {f"28-{index:012x}": {"type": "DS18B20", "value": 21.5 + index / 100} for index in range(sensor_count)}
    return json.dumps({"host_id": host_id, "sensors": sensors}).encode()


def put_request(port: int, key: str, body: bytes) -> bytes:
    """The exact bytes of one keep-alive ``PUT /v1/sensors/update``, built once and resent."""
    head = (
        f"PUT {UPDATE_PATH} HTTP/1.1\r\n"
        f"Host: {LOOPBACK}:{port}\r\n"
        f"Authorization: Bearer {key}\r\n"
        "Content-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n"
        "\r\n"
    )
    return head.encode("ascii") + body


# The ceiling server


def serve_ceiling() -> None:
    """Answer every PUT with 201 and a fixed body; print the port, serve until killed."""
    from twisted.internet import reactor as default_reactor
    from twisted.web.resource import Resource
    from twisted.web.server import Site

    class AcceptEverything(Resource):
        isLeaf = True

        def render_PUT(self, request):  # type: ignore[no-untyped-def]
            request.content.read()
            request.setResponseCode(201)
            request.setHeader(b"content-type", b"application/json; charset=utf-8")
            return b'{"status":"ok","ids":["28-000000000000"]}'

    reactor: Any = default_reactor
    port = reactor.listenTCP(0, Site(AcceptEverything()), interface=LOOPBACK)
    print(f"PORT {port.getHost().port}", flush=True)
    reactor.run()


# The load generator


class ResponseReader:
    """Splits a keep-alive HTTP/1.1 response stream into status codes.

    Handles ``Content-Length`` and chunked bodies, which is all a
    ``twisted.web`` server sends; it keeps the load generator cheap enough
    not to be the bottleneck.
    """

    def __init__(self) -> None:
        self.buffer = bytearray()
        self.status: int | None = None
        self.remaining = 0
        self.chunked = False

    def feed(self, data: bytes) -> list[int]:
        self.buffer += data
        finished: list[int] = []
        while True:
            if self.status is None and not self._read_head():
                return finished
            if self.chunked:
                if not self._read_chunks():
                    return finished
            else:
                if len(self.buffer) < self.remaining:
                    return finished
                del self.buffer[:self.remaining]
            assert self.status is not None
            finished.append(self.status)
            self.status = None

    def _read_head(self) -> bool:
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return False
        head = bytes(self.buffer[:end]).lower()
        del self.buffer[:end + 4]
        self.status = int(head[9:12])
        self.chunked = b"\r\ntransfer-encoding: chunked" in head
        length = re.search(rb"\r\ncontent-length: *(\d+)", head)
        self.remaining = int(length.group(1)) if length else 0
        return True

    def _read_chunks(self) -> bool:
        while True:
            line_end = self.buffer.find(b"\r\n")
            if line_end < 0:
                return False
            size = int(bytes(self.buffer[:line_end]).split(b";", 1)[0], 16)
            if size == 0:
                if len(self.buffer) < line_end + 4:
                    return False
                del self.buffer[:line_end + 4]
                return True
            if len(self.buffer) < line_end + 2 + size + 2:
                return False
            del self.buffer[:line_end + 2 + size + 2]


class Connection(asyncio.Protocol):
    """One keep-alive client connection with at most one request in flight."""

    def __init__(self, on_response: Callable[[Connection, int], None]) -> None:
        self.on_response = on_response
        self.reader = ResponseReader()
        self.transport: asyncio.Transport | None = None
        self.sent_at = 0.0
        self.counted = True
        self.lost: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def connection_made(self, transport) -> None:  # type: ignore[no-untyped-def]
        self.transport = transport

    def send(self, request: bytes, at: float) -> None:
        self.sent_at = at
        assert self.transport is not None
        self.transport.write(request)

    def data_received(self, data: bytes) -> None:
        for status in self.reader.feed(data):
            self.on_response(self, status)

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.lost.done():
            self.lost.set_result(None)


@dataclass
class Window:
    """What happened inside one measured window, as the load generator saw it."""

    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    started: float = 0.0
    ended: float = 0.0
    cpu_started: tuple[float, float, float] = (0.0, 0.0, 0.0)
    cpu_ended: tuple[float, float, float] = (0.0, 0.0, 0.0)

    def record(self, status: int, latency: float) -> None:
        self.latencies.append(latency)
        self.statuses[status] = self.statuses.get(status, 0) + 1

    def summary(self) -> dict[str, Any]:
        seconds = max(self.ended - self.started, 1e-9)
        ordered = sorted(self.latencies)
        loadgen, server, machine = (end - start for start, end in zip(self.cpu_started, self.cpu_ended, strict=True))
        return {
            "requests": len(ordered),
            "seconds": seconds,
            "throughput": len(ordered) / seconds,
            "p50_ms": percentile(ordered, 50) * 1000,
            "p99_ms": percentile(ordered, 99) * 1000,
            "max_ms": (ordered[-1] if ordered else 0.0) * 1000,
            "statuses": {str(code): count for code, count in sorted(self.statuses.items())},
            "loadgen_cpu": loadgen / seconds,
            "server_cpu": server / seconds,
            "rest_cpu": (machine - loadgen - server) / seconds,
        }


def percentile(ordered: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile of already sorted values (0 for none)."""
    if not ordered:
        return 0.0
    rank = max(1, -(-len(ordered) * pct // 100))
    return ordered[int(rank) - 1]


class CpuMeter:
    """CPU seconds used so far by this process, by the server under test and by the whole machine.

    The machine's share beyond the two processes is everything else that
    competed for the cores: other programs, and kernel work (loopback
    networking, disk) not charged to either process.
    """

    def __init__(self, server_pid: int) -> None:
        self.server = psutil.Process(server_pid)

    def read(self) -> tuple[float, float, float]:
        server = self.server.cpu_times()
        machine = psutil.cpu_times()
        busy = sum(machine) - machine.idle - getattr(machine, "iowait", 0.0)
        return time.process_time(), server.user + server.system, busy


async def open_connections(port: int, count: int, on_response: Callable[[Connection, int], None]) -> list[Connection]:
    loop = asyncio.get_running_loop()
    made = []
    for _ in range(count):
        _, connection = await loop.create_connection(lambda: Connection(on_response), LOOPBACK, port)
        made.append(connection)
    return made


async def closed_loop(port: int, request: bytes, connections: int, warmup: float, max_requests: int,
                      max_seconds: float, meter: CpuMeter, send_limit: int | None = None) -> Window:
    """Each connection sends its next request as soon as the last one is answered.

    Responses are measured after ``warmup`` seconds, until ``max_requests``
    are counted or ``max_seconds`` have passed; ``send_limit`` caps the
    requests sent in all (used to store an exact number of readings).
    """
    loop = asyncio.get_running_loop()
    window = Window()
    finished: asyncio.Future[None] = loop.create_future()
    state = {"sent": 0, "measuring": warmup <= 0, "closed": False, "idle": 0}

    def open_window() -> None:
        state["measuring"] = True
        window.started = loop.time()
        window.cpu_started = meter.read()

    def close_window(now: float) -> None:
        state["closed"] = True
        window.ended = now
        window.cpu_ended = meter.read()

    def send(connection: Connection) -> None:
        if state["closed"] or (send_limit is not None and state["sent"] >= send_limit):
            state["idle"] += 1
            if state["idle"] == connections and not finished.done():
                finished.set_result(None)
            return
        state["sent"] += 1
        connection.send(request, loop.time())

    def on_response(connection: Connection, status: int) -> None:
        now = loop.time()
        if state["measuring"] and not state["closed"]:
            window.record(status, now - connection.sent_at)
            limit_reached = send_limit is not None and len(window.latencies) >= send_limit
            if len(window.latencies) >= max_requests or now >= deadline or limit_reached:
                close_window(now)
        send(connection)

    clients = await open_connections(port, connections, on_response)
    start = loop.time()
    deadline = start + warmup + max_seconds
    if warmup > 0:
        loop.call_at(start + warmup, open_window)
    else:
        open_window()
    loop.call_at(deadline, lambda: None if state["closed"] else close_window(loop.time()))
    for client in clients:
        send(client)
    await wait_or_fail(finished, clients, deadline + 30 - loop.time())
    return window


async def open_loop(port: int, request: bytes, rate: float, seconds: float, warmup: float, pool: int,
                    meter: CpuMeter) -> Window:
    """Send at a fixed rate whatever the answers; latency counts from the planned send time.

    Measuring from the planned time (not the moment a free connection took
    the request) keeps queueing delay in the figures.
    """
    loop = asyncio.get_running_loop()
    window = Window()
    finished: asyncio.Future[None] = loop.create_future()
    warmup_count = int(rate * warmup)
    total = warmup_count + int(rate * seconds)
    backlog: deque[tuple[int, float]] = deque()
    idle: deque[Connection] = deque()
    state = {"planned": 0, "answered": 0}
    planned_index: dict[int, int] = {}

    def dispatch(connection: Connection, index: int, planned: float) -> None:
        planned_index[id(connection)] = index
        if index == warmup_count:
            window.started = planned
            window.cpu_started = meter.read()
        connection.send(request, planned)

    def tick() -> None:
        now = loop.time()
        while state["planned"] < total and start + state["planned"] / rate <= now:
            index = state["planned"]
            planned = start + index / rate
            state["planned"] += 1
            if idle:
                dispatch(idle.popleft(), index, planned)
            else:
                backlog.append((index, planned))
        if state["planned"] < total:
            loop.call_at(start + state["planned"] / rate, tick)

    def on_response(connection: Connection, status: int) -> None:
        now = loop.time()
        state["answered"] += 1
        if planned_index[id(connection)] >= warmup_count:
            window.record(status, now - connection.sent_at)
        if state["answered"] == total:
            window.ended = now
            window.cpu_ended = meter.read()
            finished.set_result(None)
        elif backlog:
            dispatch(connection, *backlog.popleft())
        else:
            idle.append(connection)

    clients = await open_connections(port, pool, on_response)
    idle.extend(clients)
    start = loop.time() + 0.05
    loop.call_at(start, tick)
    await wait_or_fail(finished, clients, warmup + seconds + 30)
    return window


async def wait_or_fail(finished: asyncio.Future[None], clients: list[Connection], timeout: float) -> None:
    """Wait for the phase to end; a dropped connection or a stalled server fails the run."""
    lost = [client.lost for client in clients]
    done, _ = await asyncio.wait([finished, *lost], timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    for client in clients:
        if client.transport is not None:
            client.transport.close()
    if finished not in done:
        raise RuntimeError("the server closed a connection" if done else f"no end after {timeout:.0f} s")


def run_load(spec: dict[str, Any]) -> dict[str, Any]:
    """Run one load phase described by ``spec``; return its summary."""
    body = update_body(spec["host_id"], spec["sensors_per_body"])
    request = put_request(spec["port"], spec["key"], body)
    meter = CpuMeter(spec["server_pid"])
    if spec["mode"] == "open":
        coroutine = open_loop(spec["port"], request, spec["rate"], spec["seconds"], spec["warmup"],
                              spec["connections"], meter)
    else:
        coroutine = closed_loop(spec["port"], request, spec["connections"], spec["warmup"], spec["max_requests"],
                                spec["seconds"], meter, spec.get("send_limit"))
    return asyncio.run(coroutine).summary()


# Processes


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


def wait_until(condition: Callable[[], bool], what: str, timeout: float = START_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.05)


class Server:
    """A server process under test: its port, its pid and how to stop it."""

    name = "server"

    def __init__(self, process: subprocess.Popen, port: int, log_path: Path, key: str = "") -> None:
        self.process = process
        self.port = port
        self.log_path = log_path
        self.key = key

    def rss_mb(self) -> float:
        return psutil.Process(self.process.pid).memory_info().rss / MB

    def check_alive(self) -> None:
        if self.process.poll() is not None:
            raise RuntimeError(f"{self.name} exited with {self.process.returncode}; log:\n{self.log_tail()}")

    def log_tail(self) -> str:
        return self.log_path.read_text(errors="replace")[-3000:] if self.log_path.exists() else ""

    def stop(self) -> None:
        stop_process(self.process)


class Ceiling(Server):
    name = "ceiling"

    @classmethod
    def start(cls, work: Path) -> Ceiling:
        log_path = work / "ceiling.log"
        with open(log_path, "w") as log:
            process = subprocess.Popen([sys.executable, "-m", "benchmarks.ingest", "serve-ceiling"], cwd=REPO_ROOT,
                                       stdout=subprocess.PIPE, stderr=log, stdin=subprocess.DEVNULL, text=True)
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line.startswith("PORT "):
            process.kill()
            raise RuntimeError(f"the ceiling server did not start: {line!r}")
        return cls(process, int(line.split()[1]), log_path)


class Engine(Server):
    name = "engine"

    @staticmethod
    def environment(folder: Path, port: int) -> dict[str, str]:
        return {
            **os.environ,
            "RPYMOSTAT_DB_URI": f"sqlite:///{folder / 'engine.sqlite'}",
            "RPYMOSTAT_DATA_DIR": str(folder),
            "RPYMOSTAT_HOST": LOOPBACK,
            "RPYMOSTAT_PORT": str(port),
            "RPYMOSTAT_DISCOVERY": "off",
        }

    @classmethod
    def start(cls, folder: Path) -> Engine:
        """A real engine on a fresh SQLite file, with a write key for the load generator."""
        folder.mkdir(parents=True)
        port = free_port()
        log_path = folder / "engine.log"
        with open(log_path, "w") as log:
            process = subprocess.Popen([str(BIN / "rpymostat-engine")], env=cls.environment(folder, port), stdout=log,
                                       stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        engine = cls(process, port, log_path)
        engine.folder = folder
        wait_until(engine._answers, f"the engine on port {port}")
        engine.key = engine.make_key("write")
        return engine

    folder: Path

    def env(self) -> dict[str, str]:
        return self.environment(self.folder, self.port)

    def make_key(self, role: str) -> str:
        made = subprocess.run([str(BIN / "rpymostat-keys"), "create", "--role", role, "--name", f"bench {role}"],
                              env=self.env(), capture_output=True, text=True, timeout=60, check=False)
        if made.returncode != 0:
            raise RuntimeError(f"rpymostat-keys failed: {made.stderr.strip()}")
        return made.stdout.strip()

    def relay_count(self, key: str) -> int:
        request = urllib.request.Request(f"http://{LOOPBACK}:{self.port}/v1/relays",
                                         headers={"Authorization": f"Bearer {key}"})
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                return len(json.loads(response.read())["relays"])
        except (OSError, urllib.error.URLError, KeyError, ValueError):
            return 0

    def _answers(self) -> bool:
        self.check_alive()
        try:
            with urllib.request.urlopen(f"http://{LOOPBACK}:{self.port}/v1/status", timeout=5) as response:
                return response.status == 200
        except (OSError, urllib.error.URLError):
            return False

    def stored_readings(self) -> int:
        with sqlite3.connect(f"file:{self.folder / 'engine.sqlite'}?mode=ro", uri=True) as conn:
            return conn.execute("SELECT count(*) FROM readings").fetchone()[0]


def load(server: Server, **spec: Any) -> dict[str, Any]:
    """Run one phase in a separate load-generator process; fail on any answer but 201.

    The spec (with the API key) goes through stdin, never the command line.
    """
    server.check_alive()
    spec.update(port=server.port, key=server.key, server_pid=server.process.pid)
    spec.setdefault("host_id", "bench-host")
    spec.setdefault("sensors_per_body", 1)
    limit = spec.get("seconds", 0) + spec.get("warmup", 0) + 120
    done = subprocess.run([sys.executable, "-m", "benchmarks.ingest", "load"], input=json.dumps(spec), cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=limit, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"load generator failed against the {server.name}: {done.stderr.strip()[-2000:]}")
    summary = json.loads(done.stdout)
    wrong = {code: count for code, count in summary["statuses"].items() if code != "201"}
    if wrong or not summary["requests"]:
        raise RuntimeError(f"the {server.name} answered {summary['statuses']} (201 expected); log:\n{server.log_tail()}")
    return summary


# The run


def measure_speed(plan: Plan, work: Path) -> dict[str, dict[str, Any]]:
    """Closed-loop and fixed-rate phases against the engine and the ceiling, alternately."""
    servers: list[Server] = []
    try:
        servers.append(Engine.start(work / "speed"))
        servers.append(Ceiling.start(work))
        phases: dict[str, dict[str, Any]] = {}
        for concurrency in plan.concurrencies:
            for server in servers:
                phases[f"{server.name}/closed/{concurrency}"] = load(
                    server, mode="closed", connections=concurrency, warmup=plan.warmup_seconds,
                    max_requests=plan.closed_max_requests, seconds=plan.closed_max_seconds)
        for server in servers:
            phases[f"{server.name}/open"] = load(
                server, mode="open", rate=plan.rate, seconds=plan.open_seconds, warmup=plan.warmup_seconds,
                connections=plan.open_connections)
        phases["engine/rss_after_load_mb"] = {"value": servers[0].rss_mb()}
        return phases
    finally:
        for server in servers:
            server.stop()


def measure_memory(plan: Plan, work: Path) -> dict[str, float]:
    """Resident memory of a fresh engine idle, then after storing ``plan.stored_readings``."""
    engine = Engine.start(work / "memory")
    try:
        time.sleep(plan.settle_seconds)
        idle = engine.rss_mb()
        bodies, rest = divmod(plan.stored_readings, READINGS_PER_FILL_BODY)
        if rest:
            raise ValueError(f"stored readings must be a multiple of {READINGS_PER_FILL_BODY}")
        load(engine, mode="closed", connections=4, warmup=0, max_requests=bodies, seconds=600,
             send_limit=bodies, sensors_per_body=READINGS_PER_FILL_BODY)
        stored = engine.stored_readings()
        if stored != plan.stored_readings:
            raise RuntimeError(f"the engine stored {stored} readings, {plan.stored_readings} expected")
        time.sleep(plan.settle_seconds)
        return {"idle_mb": idle, "loaded_mb": engine.rss_mb(), "stored_readings": stored}
    finally:
        engine.stop()


def put_json(engine: Engine, body: dict[str, Any], key: str | None = None) -> None:
    request = urllib.request.Request(f"http://{LOOPBACK}:{engine.port}{UPDATE_PATH}", json.dumps(body).encode(),
                                     {"Authorization": f"Bearer {key or engine.key}",
                                      "Content-Type": "application/json"}, method="PUT")
    with urllib.request.urlopen(request, timeout=30) as response:
        if response.status != 201:
            raise RuntimeError(f"registering sensors: the engine answered {response.status}")


def register_sensors(engine: Engine, count: int) -> None:
    """``count`` sensors, each with one reading, so the decision loop weighs them all."""
    ids = [f"28-many{index:08d}" for index in range(count)]
    for first in range(0, count, READINGS_PER_FILL_BODY):
        sensors = {sensor_id: {"type": "DS18B20", "value": 20.0} for sensor_id in ids[first:first + READINGS_PER_FILL_BODY]}
        put_json(engine, {"host_id": "bench-many", "sensors": sensors})


class ControlDaemon(Server):
    """A control daemon on gpiozero's mock pins, given a pre-shared secret, so the engine commands it at once."""

    name = "control daemon"

    @classmethod
    def start(cls, engine: Engine) -> ControlDaemon:
        env = engine.env()
        made = subprocess.run([str(BIN / "rpymostat-keys"), "device", CONTROL_HOST_ID, "--kind", "control"], env=env,
                              capture_output=True, text=True, timeout=60, check=False)
        if made.returncode != 0:
            raise RuntimeError(f"rpymostat-keys device failed: {made.stderr.strip()}")
        port = free_port()
        control_env = {
            "PATH": os.environ.get("PATH", ""), "HOME": str(engine.folder), "GPIOZERO_PIN_FACTORY": "mock",
            "RPYMOSTAT_ENGINE_URL": f"http://{LOOPBACK}:{engine.port}",
            "RPYMOSTAT_CONTROL_HOST_ID": CONTROL_HOST_ID, "RPYMOSTAT_CONTROL_SECRET": made.stdout.strip(),
            "RPYMOSTAT_CONTROL_SECRET_FILE": str(engine.folder / "control-secret"),
            "RPYMOSTAT_CONTROL_HOST": LOOPBACK, "RPYMOSTAT_CONTROL_PORT": str(port),
            "RPYMOSTAT_CONTROL_RELAYS": "heat=17,cool=27,fan=22", "RPYMOSTAT_CONTROL_DISCOVERY_INTERFACES": LOOPBACK,
        }
        log_path = engine.folder / "control.log"
        with open(log_path, "w") as log:
            process = subprocess.Popen([sys.executable, "-m", "rpymostat_control.runner"], env=control_env, cwd=REPO_ROOT,
                                       stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        daemon = cls(process, port, log_path)
        admin = engine.make_key("admin")
        wait_until(lambda: daemon.check_alive() is None and engine.relay_count(admin) == 3,
                   "the control daemon's relays at the engine")
        return daemon


def measure_scenarios(plan: Plan, work: Path) -> dict[str, dict[str, Any]]:
    """The engine with 1,000 sensors registered, then with a control daemon attached: CPU per update and p99."""
    phases: dict[str, dict[str, Any]] = {}
    for scenario in ("many", "control"):
        servers: list[Server] = []
        try:
            engine = Engine.start(work / scenario)
            servers.append(engine)
            if scenario == "many":
                register_sensors(engine, MANY_SENSORS)
            else:
                servers.append(ControlDaemon.start(engine))
            phases[f"{scenario}/closed/32"] = load(
                engine, mode="closed", connections=32, warmup=plan.warmup_seconds,
                max_requests=plan.closed_max_requests, seconds=plan.closed_max_seconds)
            phases[f"{scenario}/open"] = load(
                engine, mode="open", rate=plan.rate, seconds=plan.open_seconds, warmup=plan.warmup_seconds,
                connections=plan.open_connections)
            for server in servers:
                server.check_alive()
        finally:
            for server in reversed(servers):
                server.stop()
    return phases


def run(plan: Plan, data_dir: str | None) -> dict[str, Any]:
    started = time.time()
    with tempfile.TemporaryDirectory(prefix="rpymostat-bench-", dir=data_dir) as folder:
        work = Path(folder)
        phases = measure_speed(plan, work)
        phases.update(measure_scenarios(plan, work))
        memory = measure_memory(plan, work)
    return {
        "plan": asdict(plan),
        "phases": phases,
        "memory": memory,
        "machine": machine(),
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
        "wall_seconds": time.time() - started,
    }


def machine() -> dict[str, Any]:
    try:
        with open("/proc/cpuinfo") as info:
            cpu = next((line.split(":", 1)[1].strip() for line in info if line.startswith("model name")), "")
    except OSError:
        cpu = ""
    return {"cpus": os.cpu_count(), "cpu": cpu, "python": sys.version.split()[0],
            "memory_gb": round(psutil.virtual_memory().total / 1e9, 1)}


# The report


@dataclass(frozen=True)
class Row:
    figure: str
    engine: float
    ceiling: float | None = None
    target: str = ""
    met: bool | None = None

    @property
    def ratio(self) -> float | None:
        return self.engine / self.ceiling if self.ceiling else None


def rows(results: dict[str, Any]) -> list[Row]:
    """The figures of a run, with each target the issue sets and whether it was met."""
    phases = results["phases"]
    plan = results["plan"]
    table = []
    for concurrency in plan["concurrencies"]:
        engine, ceiling = phases[f"engine/closed/{concurrency}"], phases[f"ceiling/closed/{concurrency}"]
        ratio = engine["throughput"] / ceiling["throughput"]
        cpu, ceiling_cpu = cpu_per_update(engine), cpu_per_update(ceiling)
        table += [
            Row(f"updates/s, {concurrency} in flight", engine["throughput"], ceiling["throughput"],
                f">= {TARGET_THROUGHPUT_RATIO:.0%} of ceiling", ratio >= TARGET_THROUGHPUT_RATIO),
            Row(f"server CPU us/update, {concurrency} in flight", cpu, ceiling_cpu,
                f"<= {TARGET_CPU_RATIO:.0%} of ceiling", cpu <= TARGET_CPU_RATIO * ceiling_cpu),
            Row(f"p50 ms, {concurrency} in flight", engine["p50_ms"], ceiling["p50_ms"]),
            Row(f"p99 ms, {concurrency} in flight", engine["p99_ms"], ceiling["p99_ms"]),
        ]
    engine, ceiling = phases["engine/open"], phases["ceiling/open"]
    rate = f"{plan['rate']:g}/s"
    table += [
        Row(f"p50 ms at {rate}", engine["p50_ms"], ceiling["p50_ms"]),
        Row(f"p99 ms at {rate}", engine["p99_ms"], ceiling["p99_ms"], f"< {TARGET_P99_MS:g} ms",
            engine["p99_ms"] < TARGET_P99_MS),
    ]
    alone = cpu_per_update(phases["engine/closed/32"])
    for scenario, label in (("many", f"{MANY_SENSORS:,} sensors"), ("control", "control daemon attached")):
        if f"{scenario}/open" not in phases:
            continue
        cpu = cpu_per_update(phases[f"{scenario}/closed/32"])
        p99 = phases[f"{scenario}/open"]["p99_ms"]
        table += [
            Row(f"server CPU us/update, 32 in flight, {label}", cpu, alone,
                f"<= {TARGET_SCENARIO_CPU_RATIO:.0%} of 1 sensor", cpu <= TARGET_SCENARIO_CPU_RATIO * alone),
            Row(f"p99 ms at {rate}, {label}", p99, engine["p99_ms"], f"< {TARGET_P99_MS:g} ms", p99 < TARGET_P99_MS),
        ]
    memory = results["memory"]
    table += [
        Row("RSS MB, idle after start", memory["idle_mb"], target=f"< {TARGET_RSS_MB:g} MB",
            met=memory["idle_mb"] < TARGET_RSS_MB),
        Row(f"RSS MB, {memory['stored_readings']:,} readings stored", memory["loaded_mb"],
            target=f"< {TARGET_RSS_MB:g} MB", met=memory["loaded_mb"] < TARGET_RSS_MB),
        Row("RSS MB, after the speed phases", phases["engine/rss_after_load_mb"]["value"],
            target=f"< {TARGET_RSS_MB:g} MB", met=phases["engine/rss_after_load_mb"]["value"] < TARGET_RSS_MB),
    ]
    return table


def cpu_per_update(phase: dict[str, Any]) -> float:
    """Microseconds of the server's CPU (every thread, user and system) per answered update."""
    return phase["server_cpu"] / max(phase["throughput"], 1e-9) * 1e6


def number(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.2f}"


def render_table(headers: Sequence[str], lines: Sequence[Sequence[str]]) -> str:
    widths = [max(len(headers[i]), *(len(line[i]) for line in lines)) for i in range(len(headers))]
    out = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))]
    out.append("  ".join("-" * w for w in widths))
    out += ["  ".join(cell.ljust(w) if i == 0 else cell.rjust(w) if i < 4 else cell.ljust(w)
                      for i, (cell, w) in enumerate(zip(line, widths, strict=True))) for line in lines]
    return "\n".join(line.rstrip() for line in out)


def report(results: dict[str, Any]) -> str:
    """The printed report: the figures against the targets, then where the CPU went."""
    verdict = {True: "met", False: "NOT MET", None: ""}
    figures = render_table(
        ("figure", "engine", "ceiling", "ratio", "target", "verdict"),
        [(r.figure, number(r.engine), number(r.ceiling), "-" if r.ratio is None else f"{r.ratio:.0%}", r.target,
          verdict[r.met]) for r in rows(results)],
    )
    cpu = render_table(
        ("phase", "requests", "seconds", "server CPU", "loadgen CPU", "rest of machine"),
        [(name, f"{p['requests']:,}", f"{p['seconds']:.1f}", f"{p['server_cpu']:.0%}", f"{p['loadgen_cpu']:.0%}",
          f"{p['rest_cpu']:.0%}") for name, p in results["phases"].items() if "requests" in p],
    )
    m = results["machine"]
    judged = [r for r in rows(results) if r.met is not None]
    missed = [r.figure for r in judged if not r.met]
    verdicts = f"{len(judged) - len(missed)} of {len(judged)} aims held" + (
        f"; missed: {'; '.join(missed)}" if missed else "")
    return (
        f"RPyMostat ingest benchmark, {results['started']}, {m['cpus']} CPUs ({m['cpu']}), Python {m['python']}\n\n"
        f"{figures}\n\n{verdicts}\n\n"
        f"CPU use inside each measured window (100% = one core busy the whole window; "
        f"the machine has {m['cpus']} cores):\n\n"
        f"{cpu}\n"
    )


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.ingest", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a small run (a few hundred requests) to check it works")
    parser.add_argument("--json", metavar="PATH", help="also write every figure to PATH as JSON")
    parser.add_argument("--data-dir", metavar="DIR",
                        help="where the engines' SQLite files go (default: the system temp dir); put it on the "
                        "disk you want measured")
    sub = parser.add_subparsers(dest="command", metavar="", help=argparse.SUPPRESS)
    sub.add_parser("serve-ceiling")
    sub.add_parser("load")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Exit 0 when the run completed, whether or not the targets were met."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.command == "serve-ceiling":
        serve_ceiling()
        return 0
    if args.command == "load":
        print(json.dumps(run_load(json.load(sys.stdin))))
        return 0
    try:
        results = run(QUICK_PLAN if args.quick else FULL_PLAN, args.data_dir)
    except (RuntimeError, OSError, ValueError, subprocess.SubprocessError) as exc:
        print(f"benchmark failed: {exc}", file=sys.stderr)
        return 1
    print(report(results))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
