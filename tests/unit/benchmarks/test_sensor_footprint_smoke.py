"""The footprint benchmark runs end to end and prints every figure beside its baselines (never judged)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import ingest, sensor_footprint
from benchmarks.sensor_footprint import QUICK_CASES, ROWS

REPO_ROOT = Path(__file__).resolve().parents[3]
FIGURE = r"\d[\d,]*\.\d+"


@pytest.mark.slow
def test_quick_run_prints_every_figure_for_every_case_with_ratios_and_the_aim(tmp_path) -> None:
    done = subprocess.run([sys.executable, "-m", "benchmarks.sensor_footprint", "--quick"], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=180, env={"TMPDIR": str(tmp_path), "PATH": ""})
    assert done.returncode == 0, done.stderr
    head, *sections = done.stdout.split("\n== ")
    sensor_sections, (control, installs) = sections[:len(QUICK_CASES)], sections[len(QUICK_CASES):]
    assert "MB = 10^6 bytes" in head
    assert re.search(rf"bare reactor RSS {FIGURE} MB, PSS {FIGURE} MB, USS {FIGURE} MB", head), head
    assert [section.split(":")[0] for section in sensor_sections] == [case.title for case in QUICK_CASES]
    assert control.startswith("control daemon")
    assert re.search(rf"RSS MB, peak: {FIGURE} \(bare reactor {FIGURE}, d/reactor {FIGURE}\)  < 35", control), control
    assert re.search(rf"aim: control daemon peak RSS under 35 MB: (met|NOT MET) \({FIGURE} MB\)", control), control
    install_lines = installs.splitlines()[1:]
    assert [line.split(" (")[0] for line in install_lines] == ["sensor Pi", "control Pi", "engine"]
    assert all(re.search(r"\): \d+ packages: .*rpymostat", line) for line in install_lines), installs
    for section in sensor_sections:
        lines = section.splitlines()
        assert lines[1].split() == ["figure", "daemon", "bare", "client", "d/client", "bare", "reactor",
                                    "d/reactor", "aim"]
        for label, key, aimed in ROWS:
            row = next((line for line in lines if line.startswith(label)), None)
            assert row is not None, f"no row for {label!r} in:\n{section}"
            values = row[len(label):].split()
            if key == "cpu_per_1000":
                assert re.fullmatch(rf"{FIGURE} {FIGURE} {FIGURE} - -", " ".join(values)), row
            else:
                assert all(re.fullmatch(FIGURE, value) for value in values[:5]), row
            assert (values[5:] == ["<", "35"]) is aimed, row
        assert re.fullmatch(r"deliveries that got no answer and were sent again: daemon \d+, bare client \d+",
                            lines[-2]), section
        assert re.fullmatch(rf"aim: daemon peak RSS under 35 MB: (met|NOT MET) \({FIGURE} MB\)", lines[-1]), section
    assert list(tmp_path.iterdir()) == []


def test_megabytes_are_the_same_unit_as_in_the_ingest_benchmark() -> None:
    assert sensor_footprint.MB == ingest.MB == 10**6


def test_the_baseline_processes_load_neither_the_benchmark_nor_the_project() -> None:
    """Their memory is the yardstick: psutil or rpymostat loaded in them would inflate it."""
    done = subprocess.run([sys.executable, "-c", "import sys, benchmarks.sensor_baselines; print(*sorted(sys.modules))"],
                          cwd=REPO_ROOT, capture_output=True, text=True, timeout=60, check=True)
    loaded = done.stdout.split()
    assert "benchmarks.sensor_baselines" in loaded
    assert [name for name in loaded if name.split(".")[0] in {"psutil", "rpymostat", "rpymostat_sensor", "tests",
                                                              "twisted", "treq"}] == []


@pytest.mark.parametrize(("script", "module"), [("rpymostat-sensor", "rpymostat_sensor.runner"),
                                                ("rpymostat-control", "rpymostat_control.runner")])
def test_another_interpreter_runs_each_daemon_as_a_module(monkeypatch, script: str, module: str) -> None:
    """What ``--daemon-python`` starts, a daemon's module under that interpreter, is the daemon itself."""
    monkeypatch.setattr(sensor_footprint, "DAEMON_PYTHON", sys.executable)
    command = sensor_footprint.daemon_command(script, module)
    done = subprocess.run([*command, "--version"], cwd=REPO_ROOT, capture_output=True, text=True, timeout=60)

    assert command == [sys.executable, "-m", module]
    assert done.returncode == 0 and script in done.stdout + done.stderr, done
