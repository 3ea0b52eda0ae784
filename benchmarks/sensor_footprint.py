"""How much each daemon costs its Pi: resident memory and CPU time per 1,000 readings, beside baselines.

A real engine runs on loopback. Each case starts one real ``rpymostat-sensor``
reading a fake 1-wire bus and delivering to the engine with a pre-shared
secret, and beside it, on its own bus with the same sensors and interval,
the *bare client*: a Twisted process that reads each ``w1_slave`` file and
PUTs the values with an API key, the least a Twisted daemon can do for the
same readings (no spool, no signing, one immediate retry). The *bare reactor*, Python
with Twisted's reactor imported and running, doing nothing, is the floor any
Twisted daemon pays. All three are measured in the same run, so the ratios
hold on a noisy machine even when the absolute figures move.

The cases: one sensor read at the daemon's default interval (60 s), as on a
Pi Zero in a room, and many sensors every 2 s, which puts the per-request
cost on many readings. Memory is psutil's RSS (the figure the aim is for;
PSS and USS say how much of it is shared libraries), in MB of 10^6 bytes as
in the other benchmarks. CPU time is user plus system time of all the
process's threads, from ``/proc/<pid>/task/*/schedstat`` (nanoseconds)
where Linux has it, so a few readings a minute apart are enough. Run::

    python -m benchmarks.sensor_footprint [--quick] [--one-sensor-readings 10] [--sensors 64] [--readings 1000]

The baselines run from ``benchmarks.sensor_baselines``, which imports
nothing of this module's (psutil, the test helpers), so that their memory
is only their own.

The control daemon runs too, as on a relay Pi: three relays on gpiozero's
pins (mock pins here), a pre-shared secret, reporting to the same engine;
its resident memory is measured from its first report over a window of
reports. Last, the number of packages each kind of host installs
(:mod:`benchmarks.install_size`).

``--daemon-python PATH`` runs the daemons and both baselines with another
interpreter, which must import rpymostat and the daemons' libraries (the
engine keeps this one): a 32-bit build, for instance, stands in for the
32-bit Raspberry Pi OS of a Pi Zero, whose pointers and objects are half
the size of this machine's.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil

from benchmarks.install_size import report as install_report
from rpymostat.testing.processes import BIN, EngineProcess, free_port, http
from rpymostat.testing.w1 import FakeW1Bus
from rpymostat_sensor.config import MIN_INTERVAL, SensorConfig

REPO_ROOT = Path(__file__).resolve().parents[1]
MB = 1_000_000
#: The interpreter of the daemons and baselines (``--daemon-python``); ``None`` runs the installed scripts.
DAEMON_PYTHON: str | None = None
AIM_RSS_MB = 35.0
#: The reading interval of a daemon configured with nothing but its host ID.
DEFAULT_INTERVAL = SensorConfig.load({"RPYMOSTAT_SENSOR_HOST_ID": "bench"}).interval
#: After a reading is stored, wait this long before sampling, so no delivery is cut in two.
SETTLE_SECONDS = 0.5
POLL_SECONDS = 0.2
FIRST_READING_TIMEOUT = 30.0
#: Daemon and bare-client sensors get serials from different ranges: the engine keys sensors by serial.
BARE_SERIAL_OFFSET = 0x100000
#: Logged once for each delivery that failed for want of an answer (``rpymostat_sensor.link``), then retried.
DAEMON_RETRY_MARKER = "cannot reach the engine"
BARE_RETRY_MARKER = "retried:"


@dataclass(frozen=True)
class Case:
    """One way of running the daemon; ``interval`` None leaves the daemon's default in force."""

    sensors: int
    interval: float | None
    readings: int

    @property
    def seconds_between(self) -> float:
        return DEFAULT_INTERVAL if self.interval is None else self.interval

    @property
    def title(self) -> str:
        noun = "sensor" if self.sensors == 1 else "sensors"
        default = " (the default)" if self.interval is None else ""
        return f"{self.sensors} {noun}, reading every {self.seconds_between:g} s{default}"


def full_cases(args: argparse.Namespace) -> tuple[Case, ...]:
    return (Case(1, None, args.one_sensor_readings), Case(args.sensors, MIN_INTERVAL, args.readings))


#: Tiny windows at the shortest interval, the cases run at once: the figures mean nothing, only the report's shape does.
QUICK_CASES = (Case(1, MIN_INTERVAL, 1), Case(8, MIN_INTERVAL, 8))
QUICK_CONTROL_SECONDS = 1.0


@dataclass(frozen=True)
class CpuSample:
    """A process's CPU time: nanoseconds per live thread where Linux tells it, and psutil's clock-tick total."""

    threads: dict[int, int]
    ticks: float

    @classmethod
    def of(cls, process: psutil.Process) -> CpuSample:
        threads: dict[int, int] = {}
        for thread in process.threads():
            try:
                with open(f"/proc/{process.pid}/task/{thread.id}/schedstat") as stat:
                    threads[thread.id] = int(stat.read().split()[0])
            except (OSError, ValueError, IndexError):
                pass
        times = process.cpu_times()
        return cls(threads, times.user + times.system)

    def seconds_until(self, later: CpuSample) -> float:
        """CPU seconds between two samples; psutil's coarser figure when a thread ended in between (its time is gone)."""
        if self.threads and self.threads.keys() <= later.threads.keys():
            return sum(ns - self.threads.get(tid, 0) for tid, ns in later.threads.items()) / 1e9
        return later.ticks - self.ticks


@dataclass
class Window:
    """One process's measuring window: from its first stored reading (settled) until ``target`` more are stored."""

    name: str
    process: subprocess.Popen
    host_id: str
    target: int
    log_path: Path
    deadline: float
    #: What the process logs when a delivery met a connection the engine was closing and had to be sent again.
    retry_marker: str
    state: str = "waiting"
    due: float = 0.0
    start_count: int = 0
    start_time: float = 0.0
    start_cpu: CpuSample | None = None
    figures: dict[str, float] = field(default_factory=dict)

    def poll(self, stored: int, now: float) -> None:
        if self.process.poll() is not None:
            raise RuntimeError(f"the {self.name} exited with {self.process.returncode}:\n{self.log_tail()}")
        if now > self.deadline:
            raise RuntimeError(f"the {self.name} did not deliver its readings in time "
                               f"({stored} stored):\n{self.log_tail()}")
        watched = psutil.Process(self.process.pid)
        if self.state == "waiting" and stored > 0:
            self.state, self.due = "settling", now + SETTLE_SECONDS
        elif self.state == "settling" and now >= self.due:
            self.start_count, self.start_time, self.start_cpu = stored, now, CpuSample.of(watched)
            rss = watched.memory_info().rss / MB
            self.figures.update(rss_first=rss, rss_peak=rss)
            self.state = "measuring"
        elif self.state == "measuring":
            self.figures["rss_peak"] = max(self.figures["rss_peak"], watched.memory_info().rss / MB)
            if stored - self.start_count >= self.target:
                self.state, self.due = "ending", now + SETTLE_SECONDS
        elif self.state == "ending" and now >= self.due:
            assert self.start_cpu is not None
            cpu = self.start_cpu.seconds_until(CpuSample.of(watched))
            full = watched.memory_full_info()
            readings = stored - self.start_count
            self.figures.update(
                readings=readings,
                seconds=now - self.start_time,
                rss_peak=max(self.figures["rss_peak"], full.rss / MB),
                pss=getattr(full, "pss", math.nan) / MB,
                uss=full.uss / MB,
                cpu_per_1000=cpu * 1000 / readings,
            )
            self.state = "done"

    def log_tail(self) -> str:
        return "".join(self.log_path.read_text().splitlines(keepends=True)[-20:])


def stored_readings(engine: EngineProcess, host_id: str) -> int:
    with closing(sqlite3.connect(f"file:{engine.data_dir / 'engine.sqlite'}?mode=ro", uri=True)) as conn:
        return conn.execute("SELECT count(*) FROM readings WHERE host_id = ?", (host_id,)).fetchone()[0]


def watch(engine: EngineProcess, windows: Sequence[Window]) -> None:
    while running := [window for window in windows if window.state != "done"]:
        now = time.monotonic()
        for window in running:
            window.poll(stored_readings(engine, window.host_id), now)
        time.sleep(POLL_SECONDS)


def fake_bus(path: Path, sensors: int, first_serial: int) -> FakeW1Bus:
    bus = FakeW1Bus(path)
    for number in range(sensors):
        bus.add_sensor(f"28-{first_serial + number:012x}", 18.0 + number / 16)
    return bus


def clean_environment() -> dict[str, str]:
    """The caller's environment without any daemon setting, so the defaults are the shipped ones."""
    return {name: value for name, value in os.environ.items()
            if not name.startswith(("RPYMOSTAT_SENSOR_", "RPYMOSTAT_CONTROL_"))
            and name != "RPYMOSTAT_ENGINE_URL"}


def make_secrets(engine: EngineProcess, hosts: Sequence[str], kind: str = "sensor") -> dict[str, str]:
    """A pre-shared secret per daemon host, made side by side: each ``rpymostat-keys`` takes a second or two to start."""
    running = [subprocess.Popen([str(BIN / "rpymostat-keys"), "device", host, "--kind", kind], env=engine.env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)
               for host in hosts]
    secrets = {}
    for host, process in zip(hosts, running, strict=True):
        out, err = process.communicate(timeout=60)
        if process.returncode != 0:
            raise RuntimeError(f"rpymostat-keys device {host} failed: {err.strip()}")
        secrets[host] = out.strip()
    return secrets


def daemon_command(script: str, module: str) -> list[str]:
    """The installed console script, or the module run by ``--daemon-python``."""
    return [str(BIN / script)] if DAEMON_PYTHON is None else [DAEMON_PYTHON, "-m", module]


def baseline_command(name: str) -> list[str]:
    return [DAEMON_PYTHON or sys.executable, "-m", "benchmarks.sensor_baselines", name]


def start_daemon(case: Case, engine: EngineProcess, host_id: str, secret: str,
                 work: Path) -> tuple[subprocess.Popen, Path]:
    bus = fake_bus(work / "daemon-w1", case.sensors, 1)
    env = {
        **clean_environment(),
        "RPYMOSTAT_ENGINE_URL": engine.url,
        "RPYMOSTAT_SENSOR_HOST_ID": host_id,
        "RPYMOSTAT_SENSOR_SECRET": secret,
        "RPYMOSTAT_SENSOR_W1_PATH": str(bus.devices_path),
        "RPYMOSTAT_SENSOR_SPOOL": str(work / "spool.sqlite"),
        "RPYMOSTAT_SENSOR_SECRET_FILE": str(work / "device-secret"),
    }
    if case.interval is not None:
        env["RPYMOSTAT_SENSOR_INTERVAL"] = f"{case.interval:g}"
    log_path = work / "daemon.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen(daemon_command("rpymostat-sensor", "rpymostat_sensor.runner"), env=env,
                                   stdout=log, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL)
    return process, log_path


def start_bare_client(case: Case, engine: EngineProcess, key: str, host_id: str,
                      work: Path) -> tuple[subprocess.Popen, Path]:
    bus = fake_bus(work / "bare-w1", case.sensors, BARE_SERIAL_OFFSET + 1)
    spec = {"url": engine.url, "key": key, "host_id": host_id, "w1_path": str(bus.devices_path),
            "interval": case.seconds_between}
    log_path = work / "bare-client.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen(baseline_command("bare-client"),
                                   cwd=REPO_ROOT, stdin=subprocess.PIPE, stdout=log, stderr=subprocess.STDOUT,
                                   text=True)
    assert process.stdin is not None
    process.stdin.write(json.dumps(spec))
    process.stdin.close()
    return process, log_path


def stop(*processes: subprocess.Popen) -> None:
    """Terminate all at once, then wait for each (killing what does not stop)."""
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def daemon_host(number: int) -> str:
    return f"bench-daemon-{number}"


def start_case(case: Case, number: int, engine: EngineProcess, key: str, secret: str, work: Path) -> list[Window]:
    """The case's daemon and bare client, started side by side, each with its own window."""
    folder = work / f"case{number}"
    folder.mkdir()
    ticks = math.ceil(case.readings / case.sensors) + 2
    deadline = time.monotonic() + FIRST_READING_TIMEOUT + ticks * case.seconds_between
    windows: list[Window] = []
    try:
        process, log_path = start_daemon(case, engine, daemon_host(number), secret, folder)
        windows.append(Window("daemon", process, daemon_host(number), case.readings, log_path, deadline,
                              DAEMON_RETRY_MARKER))
        bare_host = f"bench-bare-{number}"
        process, log_path = start_bare_client(case, engine, key, bare_host, folder)
        windows.append(Window("bare client", process, bare_host, case.readings, log_path, deadline,
                              BARE_RETRY_MARKER))
    except BaseException:
        stop(*(window.process for window in windows))
        raise
    return windows


def measure_cases(cases: Sequence[Case], engine: EngineProcess, work: Path,
                  side_by_side: bool) -> list[dict[str, dict[str, float]]]:
    """Each case's figures by process; the cases follow one another, or all run at once (quick)."""
    numbers = range(1, len(cases) + 1)
    secrets = make_secrets(engine, [daemon_host(number) for number in numbers])
    # The admin key the engine made on its first start; the bare clients need no key of their own.
    key = (engine.data_dir / "admin-key").read_text().strip()
    groups = [list(numbers)] if side_by_side else [[number] for number in numbers]
    windows: dict[int, list[Window]] = {}
    for group in groups:
        running: list[Window] = []
        try:
            for number in group:
                windows[number] = start_case(cases[number - 1], number, engine, key, secrets[daemon_host(number)],
                                             work)
                running += windows[number]
            watch(engine, running)
        finally:
            stop(*(window.process for window in running))
        for window in running:
            window.figures["retries"] = window.log_path.read_text().count(window.retry_marker)
    return [{window.name: window.figures for window in windows[number]} for number in numbers]


def measure_bare_reactor(work: Path) -> dict[str, float]:
    """Memory of Python with Twisted's reactor running and nothing else, once it is up."""
    log_path = work / "bare-reactor.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen(baseline_command("bare-reactor"),
                                   cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=log, stdin=subprocess.DEVNULL,
                                   text=True)
    try:
        assert process.stdout is not None
        if process.stdout.readline().strip() != "running":
            raise RuntimeError(f"the bare reactor did not start:\n{log_path.read_text()}")
        time.sleep(SETTLE_SECONDS)
        full = psutil.Process(process.pid).memory_full_info()
    finally:
        stop(process)
    rss = full.rss / MB
    return {"rss_first": rss, "rss_peak": rss, "pss": getattr(full, "pss", math.nan) / MB, "uss": full.uss / MB}


CONTROL_HOST = "bench-control"
CONTROL_RELAYS = "heat=17,cool=27,fan=22!"


def control_reported(engine: EngineProcess, key: str) -> bool:
    """Whether the engine lists the benchmark's control daemon's relays (its first report arrived)."""
    status, body = http("GET", engine.url + "/v1/relays", key=key)
    return status == 200 and any(relay.get("host_id") == CONTROL_HOST for relay in body.get("relays", []))


def measure_control_daemon(engine: EngineProcess, work: Path, seconds: float) -> dict[str, float]:
    """The control daemon's memory: at its first report, and its peak over ``seconds`` of reports after it."""
    folder = work / "control"
    folder.mkdir()
    secret = make_secrets(engine, [CONTROL_HOST], kind="control")[CONTROL_HOST]
    key = (engine.data_dir / "admin-key").read_text().strip()
    env = {
        **clean_environment(),
        "RPYMOSTAT_ENGINE_URL": engine.url,
        "RPYMOSTAT_CONTROL_HOST_ID": CONTROL_HOST,
        "RPYMOSTAT_CONTROL_SECRET": secret,
        "RPYMOSTAT_CONTROL_SECRET_FILE": str(folder / "device-secret"),
        "RPYMOSTAT_CONTROL_HOST": "127.0.0.1",
        "RPYMOSTAT_CONTROL_PORT": str(free_port()),
        "RPYMOSTAT_CONTROL_RELAYS": CONTROL_RELAYS,
        "RPYMOSTAT_CONTROL_BACKEND": "gpio",
        "GPIOZERO_PIN_FACTORY": "mock",
    }
    log_path = folder / "control.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen(daemon_command("rpymostat-control", "rpymostat_control.runner"), env=env,
                                   stdout=log, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + FIRST_READING_TIMEOUT
        while not control_reported(engine, key):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the control daemon did not report:\n{log_path.read_text()[-2000:]}")
            time.sleep(POLL_SECONDS)
        time.sleep(SETTLE_SECONDS)
        watched = psutil.Process(process.pid)
        first = peak = watched.memory_info().rss / MB
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            peak = max(peak, watched.memory_info().rss / MB)
            time.sleep(POLL_SECONDS)
        full = watched.memory_full_info()
    finally:
        stop(process)
    return {"rss_first": first, "rss_peak": max(peak, full.rss / MB), "pss": getattr(full, "pss", math.nan) / MB,
            "uss": full.uss / MB, "seconds": seconds}


def run(cases: Sequence[Case], work: Path, side_by_side: bool, control_seconds: float) -> dict[str, Any]:
    engine = EngineProcess.prepare(work / "engine")
    engine.data_dir.mkdir()
    engine.start()
    try:
        floor = measure_bare_reactor(work)
        results = measure_cases(cases, engine, work, side_by_side)
        control = measure_control_daemon(engine, work, control_seconds)
    finally:
        engine.kill()
    return {"floor": floor, "cases": list(zip(cases, results, strict=True)), "control": control}


# The report

ROWS = (
    ("RSS MB, after first reading", "rss_first", True),
    ("RSS MB, peak", "rss_peak", True),
    ("PSS MB (shared pages split)", "pss", False),
    ("USS MB (this process only)", "uss", False),
    ("CPU s per 1,000 readings", "cpu_per_1000", False),
)
HEADERS = ("figure", "daemon", "bare client", "d/client", "bare reactor", "d/reactor", "aim")


def number(value: float | None, digits: int = 1) -> str:
    return "-" if value is None or math.isnan(value) else f"{value:,.{digits}f}"


def ratio(numerator: float, denominator: float | None) -> str:
    if denominator is None or not denominator or math.isnan(denominator) or math.isnan(numerator):
        return "-"
    return f"{numerator / denominator:.2f}"


def case_report(case: Case, figures: dict[str, dict[str, float]], floor: dict[str, float]) -> list[str]:
    daemon, bare = figures["daemon"], figures["bare client"]
    table = [HEADERS]
    for label, key, aimed in ROWS:
        digits = 3 if key == "cpu_per_1000" else 1
        reactor = floor.get(key)
        table.append((label, number(daemon[key], digits), number(bare[key], digits), ratio(daemon[key], bare[key]),
                      number(reactor, digits), ratio(daemon[key], reactor), f"< {AIM_RSS_MB:g}" if aimed else ""))
    widths = [max(len(row[column]) for row in table) for column in range(len(HEADERS))]
    lines = [f"== {case.title}: daemon {daemon['readings']:,.0f} readings in {daemon['seconds']:,.0f} s, "
             f"bare client {bare['readings']:,.0f} in {bare['seconds']:,.0f} s"]
    for row in table:
        value_cells = [cell.rjust(width) for cell, width in zip(row[1:-1], widths[1:-1], strict=True)]
        cells = [row[0].ljust(widths[0]), *value_cells]
        lines.append("  ".join([*cells, row[-1]]).rstrip())
    lines.append(f"deliveries that got no answer and were sent again: daemon {daemon['retries']:.0f}, "
                 f"bare client {bare['retries']:.0f}")
    verdict = "met" if daemon["rss_peak"] < AIM_RSS_MB else "NOT MET"
    lines.append(f"aim: daemon peak RSS under {AIM_RSS_MB:g} MB: {verdict} ({daemon['rss_peak']:.1f} MB)")
    return lines


def control_report(figures: dict[str, float], floor: dict[str, float]) -> list[str]:
    lines = [f"== control daemon, relays {CONTROL_RELAYS} on mock pins: {figures['seconds']:g} s of reports after "
             "the first"]
    for label, key, aimed in ROWS[:4]:
        aim = f"  < {AIM_RSS_MB:g}" if aimed else ""
        lines.append(f"{label}: {number(figures[key])} (bare reactor {number(floor[key])}, "
                     f"d/reactor {ratio(figures[key], floor[key])}){aim}")
    verdict = "met" if figures["rss_peak"] < AIM_RSS_MB else "NOT MET"
    lines.append(f"aim: control daemon peak RSS under {AIM_RSS_MB:g} MB: {verdict} ({figures['rss_peak']:.1f} MB)")
    return lines


def report(results: dict[str, Any]) -> str:
    floor = results["floor"]
    lines = [
        "Sensor daemon footprint. MB = 10^6 bytes; CPU s = user + system seconds of all the process's threads.",
        "bare client: reads the same fake sensors at the same interval and PUTs them with treq and an API key "
        "(no spool, no signing);",
        "bare reactor: Python with Twisted's reactor running, doing nothing; d/...: daemon divided by baseline.",
        f"bare reactor RSS {floor['rss_peak']:.1f} MB, PSS {number(floor['pss'])} MB, USS {floor['uss']:.1f} MB",
    ]
    for case, figures in results["cases"]:
        lines += ["", *case_report(case, figures, floor)]
    lines += ["", *control_report(results["control"], floor)]
    lines += ["", "== packages installed", *install_report()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny windows at the shortest interval, to check "
                        "that the benchmark works (its figures mean nothing)")
    parser.add_argument("--one-sensor-readings", type=int, default=10, help="readings measured in the one-sensor "
                        f"case, one every {DEFAULT_INTERVAL:g} s (default 10)")
    parser.add_argument("--sensors", type=int, default=64, help="fake 1-wire sensors in the many-sensor case "
                        "(at most 64 fit one request; default 64)")
    parser.add_argument("--readings", type=int, default=1000, help="readings measured in the many-sensor case "
                        "(default 1000)")
    parser.add_argument("--control-seconds", type=float, default=65.0, help="seconds the control daemon is "
                        "watched after its first report (default 65: three reports)")
    parser.add_argument("--daemon-python", metavar="PATH", help="run the daemons and baselines with this "
                        "interpreter (e.g. a 32-bit build) instead of the installed scripts")
    args = parser.parse_args(argv)
    global DAEMON_PYTHON
    DAEMON_PYTHON = args.daemon_python
    if not 1 <= args.sensors <= 64 or args.readings < 1 or args.one_sensor_readings < 1:
        parser.error("give 1 to 64 sensors and at least one reading in each case")
    if not BIN.joinpath("rpymostat-sensor").exists():
        print("run from a virtualenv where rpymostat is installed (pip install -e '.[test]')", file=sys.stderr)
        return 2
    cases = QUICK_CASES if args.quick else full_cases(args)
    with tempfile.TemporaryDirectory(prefix="rpymostat-sensor-bench-") as workdir:
        control_seconds = QUICK_CONTROL_SECONDS if args.quick else args.control_seconds
        print(report(run(cases, Path(workdir), side_by_side=args.quick, control_seconds=control_seconds)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
