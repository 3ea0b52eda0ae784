"""How much a sensor daemon costs its Pi: resident memory and CPU time per 1,000 readings.

A real engine runs on loopback; one real ``rpymostat-sensor`` reads a fake
1-wire bus with many sensors (so a thousand readings take seconds, not
hours) and delivers to it with a pre-shared secret. The daemon's resident
set size (RSS, the figure to compare with a Pi Zero's 512 MB; PSS and USS
say how much of it is shared libraries) and its CPU
seconds, user plus system, are read with psutil. Run::

    python -m benchmarks.sensor_footprint [--sensors 64] [--readings 1000]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

from tests.support.fake_w1 import FakeW1Bus
from tests.support.processes import BIN, EngineProcess, http, run_script, wait_for

AIM_RSS_MB = 35.0
INTERVAL = 2


def stored_readings(engine: EngineProcess, key: str, sensor_ids: list[str]) -> int:
    total = 0
    for sensor_id in sensor_ids:
        status, body = http("GET", f"{engine.url}/v1/sensors/{sensor_id}/readings?limit=1000&full=false", key=key)
        total += len(body["readings"]) if status == 200 else 0
    return total


def measure(sensors: int, readings: int, workdir: Path) -> dict[str, float]:
    engine = EngineProcess.prepare(workdir / "engine")
    engine.data_dir.mkdir()
    engine.start()
    daemon = None
    try:
        admin = (engine.data_dir / "admin-key").read_text().strip()
        made = run_script("rpymostat-keys", "device", "bench-pi", env=engine.env)
        secret = made.stdout.strip()
        bus = FakeW1Bus(workdir / "w1")
        names = [f"28-{number:012x}" for number in range(1, sensors + 1)]
        for number, name in enumerate(names):
            bus.add_sensor(name, 18.0 + number / 16)
        sensor_ids = [name.split("-", 1)[1] for name in names]
        env = {
            **os.environ,
            "RPYMOSTAT_ENGINE_URL": engine.url,
            "RPYMOSTAT_SENSOR_HOST_ID": "bench-pi",
            "RPYMOSTAT_SENSOR_SECRET": secret,
            "RPYMOSTAT_SENSOR_INTERVAL": str(INTERVAL),
            "RPYMOSTAT_SENSOR_W1_PATH": str(bus.devices_path),
            "RPYMOSTAT_SENSOR_SPOOL": str(workdir / "spool.sqlite"),
        }
        log = open(workdir / "daemon.log", "w")
        daemon = subprocess.Popen([sys.executable, "-m", "rpymostat_sensor.runner"], env=env, stdout=log,
                                  stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        log.close()
        process = psutil.Process(daemon.pid)
        wait_for(lambda: stored_readings(engine, admin, sensor_ids[:1]) > 0, timeout=30, what="the first readings")
        start_rss = process.memory_info().rss
        before_cpu = process.cpu_times()
        before_count = stored_readings(engine, admin, sensor_ids)
        started = time.monotonic()
        peak_rss = start_rss
        while stored_readings(engine, admin, sensor_ids) - before_count < readings:
            peak_rss = max(peak_rss, process.memory_info().rss)
            time.sleep(0.5)
        after_cpu = process.cpu_times()
        delivered = stored_readings(engine, admin, sensor_ids) - before_count
        elapsed = time.monotonic() - started
        peak_rss = max(peak_rss, process.memory_info().rss)
        full = process.memory_full_info()
    finally:
        if daemon is not None:
            daemon.terminate()
            daemon.wait(timeout=20)
        engine.kill()
    cpu = (after_cpu.user - before_cpu.user) + (after_cpu.system - before_cpu.system)
    return {
        "sensors": sensors,
        "readings": delivered,
        "seconds": elapsed,
        "rss_start_mb": start_rss / 2**20,
        "rss_peak_mb": peak_rss / 2**20,
        "uss_mb": full.uss / 2**20,
        "pss_mb": getattr(full, "pss", float("nan")) / 2**20,
        "cpu_per_1000": cpu * 1000 / delivered,
    }


def table(result: dict[str, float]) -> str:
    rows = [
        ("resident memory (RSS) at start, MB", f"{result['rss_start_mb']:.1f}", f"< {AIM_RSS_MB:g}"),
        ("resident memory (RSS) peak, MB", f"{result['rss_peak_mb']:.1f}", f"< {AIM_RSS_MB:g}"),
        ("proportional set (PSS: shared pages split), MB", f"{result['pss_mb']:.1f}", ""),
        ("unique set (USS: this process only), MB", f"{result['uss_mb']:.1f}", ""),
        ("CPU seconds per 1,000 readings", f"{result['cpu_per_1000']:.3f}", ""),
    ]
    width = max(len(name) for name, _, _ in rows)
    value_width = max(len(value) for _, value, _ in rows)
    lines = [f"{result['readings']:.0f} readings from {result['sensors']:.0f} sensors delivered in "
             f"{result['seconds']:.0f} s",
             f"{'measure':<{width}}  {'value':>{value_width}}  aim", "-" * (width + value_width + 9)]
    lines += [f"{name:<{width}}  {value:>{value_width}}  {aim}".rstrip() for name, value, aim in rows]
    verdict = "within" if result["rss_peak_mb"] < AIM_RSS_MB else "OVER"
    lines.append(f"peak resident memory is {verdict} the {AIM_RSS_MB:g} MB aim")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sensors", type=int, default=64, help="fake 1-wire sensors on the bus (at most 64 "
                        "fit one request)")
    parser.add_argument("--readings", type=int, default=1000, help="readings to deliver while measuring")
    args = parser.parse_args(argv)
    if not BIN.joinpath("rpymostat-engine").exists():
        print("run from a virtualenv where rpymostat is installed (pip install -e '.[test]')", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="rpymostat-sensor-bench-") as workdir:
        print(table(measure(args.sensors, args.readings, Path(workdir))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
