"""The history benchmark runs on small data, and its bulk path writes what the store writes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_quick_run_reports_every_range_and_identical_bulk_rows(tmp_path):
    result = subprocess.run([sys.executable, "-m", "benchmarks.history", "--quick", "--repeat", "2"], cwd=ROOT,
                            capture_output=True, text=True, timeout=300, env={"TMPDIR": str(tmp_path), "PATH": ""})
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for name in ("day:", "week:", "month:", "year:"):
        assert name in out
    assert "same as raw scan: NO" not in out
    assert "same as raw scan: yes" in out
    assert "bulk rows identical to record_readings rows: yes" in out
    assert "bulk decision changes identical to the recorder's: yes" in out
    assert list(tmp_path.iterdir()) == []
