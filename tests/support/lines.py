"""Wait, with a deadline, for a line a child process prints.

End-to-end tests start real processes and must not sleep a fixed time: a
reader thread queues every line of the child's stdout, and the test waits for
the line it expects, failing with everything seen so far when time runs out.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from typing import IO


class LineTimeout(AssertionError):
    """The expected line did not come in time."""


class Lines:
    """Every line of a text stream, readable with a deadline."""

    def __init__(self, stream: IO[str]) -> None:
        self.seen: list[str] = []
        self._queue: queue.SimpleQueue[str | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._pump, args=(stream,), daemon=True)
        self._thread.start()

    def _pump(self, stream: IO[str]) -> None:
        for line in stream:
            self._queue.put(line.rstrip("\n"))
        self._queue.put(None)

    def wait_for(self, wanted: Callable[[str], bool], timeout: float = 15.0) -> str:
        """Return the first new line for which ``wanted`` holds."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            try:
                line = self._queue.get(timeout=remaining) if remaining > 0 else self._queue.get_nowait()
            except queue.Empty:
                raise LineTimeout(f"no matching line within {timeout} s; saw {self.seen!r}") from None
            if line is None:
                self._queue.put(None)
                raise LineTimeout(f"the process closed its output; saw {self.seen!r}")
            self.seen.append(line)
            if wanted(line):
                return line
