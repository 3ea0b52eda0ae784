"""The ingest benchmark runs end to end and reports every figure (never its speed)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from benchmarks.ingest import QUICK_PLAN, ResponseReader

REPO_ROOT = Path(__file__).resolve().parents[3]

TARGETED_FIGURES = (
    "updates/s, 8 in flight",
    "updates/s, 32 in flight",
    "p99 ms at 200/s",
    "RSS MB, idle after start",
    f"RSS MB, {QUICK_PLAN.stored_readings:,} readings stored",
)


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess, dict]:
    folder = tmp_path_factory.mktemp("bench")
    out = folder / "results.json"
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.ingest", "--quick", "--json", str(out), "--data-dir", str(folder)],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=240, check=False,
    )
    assert done.returncode == 0, done.stderr
    return done, json.loads(out.read_text())


@pytest.mark.slow
def test_quick_run_prints_every_figure_against_its_target(quick_run) -> None:
    done, _ = quick_run
    lines = done.stdout.splitlines()
    assert any(line.split() == ["figure", "engine", "ceiling", "ratio", "target", "verdict"] for line in lines)
    for figure in TARGETED_FIGURES:
        row = next((line for line in lines if line.startswith(figure)), None)
        assert row is not None, f"no row for {figure!r} in:\n{done.stdout}"
        assert row.endswith((" met", " NOT MET")), row


@pytest.mark.slow
def test_quick_run_loads_both_servers_and_stores_every_reading(quick_run) -> None:
    _, results = quick_run
    phases = results["phases"]
    for server in ("engine", "ceiling"):
        for phase in (*(f"closed/{c}" for c in QUICK_PLAN.concurrencies), "open"):
            summary = phases[f"{server}/{phase}"]
            assert summary["requests"] > 0
            assert summary["statuses"] == {"201": summary["requests"]}
    assert results["memory"]["stored_readings"] == QUICK_PLAN.stored_readings


def http_response(status: int, body: bytes, chunk_sizes: list[int] | None) -> bytes:
    head = f"HTTP/1.1 {status} Whatever\r\nServer: test\r\n".encode()
    if chunk_sizes is None:
        return head + f"Content-Length: {len(body)}\r\n\r\n".encode() + body
    chunks, rest = [], body
    for size in chunk_sizes:
        piece, rest = rest[:size], rest[size:]
        if piece:
            chunks.append(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
    if rest:
        chunks.append(f"{len(rest):x}\r\n".encode() + rest + b"\r\n")
    return head + b"Transfer-Encoding: chunked\r\n\r\n" + b"".join(chunks) + b"0\r\n\r\n"


responses = st.lists(
    st.tuples(
        st.sampled_from([201, 401, 422, 500]),
        st.binary(max_size=80),
        st.none() | st.lists(st.integers(1, 30), max_size=4),
    ),
    min_size=1,
    max_size=6,
)


@given(responses, st.lists(st.integers(1, 200), max_size=10))
def test_reader_finds_every_status_however_the_stream_is_split(items, cuts) -> None:
    stream = b"".join(http_response(status, body, chunks) for status, body, chunks in items)
    reader = ResponseReader()
    seen: list[int] = []
    position = 0
    for cut in cuts:
        seen += reader.feed(stream[position:position + cut])
        position += cut
    seen += reader.feed(stream[position:])
    assert seen == [status for status, _, _ in items]
