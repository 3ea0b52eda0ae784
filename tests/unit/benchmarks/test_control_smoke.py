"""The control benchmark runs from the command line and prints its whole table.

No figures are checked here: the benchmark is a measurement, and the
quality the thermostat must reach is asserted by the closed-loop tests.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from benchmarks.control import CONTENDERS, SCENARIOS

REPO = Path(__file__).resolve().parents[3]


def test_quick_run_prints_every_scenario_for_both_controllers() -> None:
    done = subprocess.run([sys.executable, "-m", "benchmarks.control", "--quick"], cwd=REPO, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    sections = done.stdout.split("\n== ")[1:]
    assert [section.split(" (")[0] for section in sections] == [scenario.name for scenario in SCENARIOS]
    for section in sections:
        rows = {line.split()[0] for line in section.splitlines()[2:] if line.strip()}
        assert {contender.name for contender in CONTENDERS} | {"ratio", "aim:"} <= rows, section
        assert "RMS °C" in section and "cycles/h" in section
    speed = done.stdout.split("\nSpeed: ")[1]
    assert "engine" in speed and "bang-bang" in speed, speed
    assert "aim (a simulated week in under 2 s of CPU for the engine):" in speed
