"""A one-line progress display on stderr, for builds long enough to wonder about.

Silent unless the stream is a terminal, and silent for the first second, so quick builds and
CI logs never see it. Plain `\\r` redraws: no dependency, nothing left behind when it ends.
"""

from __future__ import annotations

import sys
import time


class Progress:
    def __init__(self, stream=None, delay: float = 1.0, enabled: bool | None = None):
        self.stream = stream if stream is not None else sys.stderr
        try:
            tty = bool(self.stream.isatty())
        except (AttributeError, ValueError):
            tty = False
        self.enabled = tty if enabled is None else enabled
        self.delay = delay
        self.start = time.monotonic()
        self.label = "reading agents"
        self.shown = False

    def __call__(self, done: int, total: int) -> None:
        self._draw(f"{self.label} {done}/{total}")

    def phase(self, label: str) -> None:
        self.label = label
        self._draw(label)

    def _draw(self, text: str) -> None:
        if not self.enabled or time.monotonic() - self.start < self.delay:
            return
        self.stream.write(f"\r\x1b[2Kagentc: {text}")
        self.stream.flush()
        self.shown = True

    def close(self) -> None:
        if self.shown:
            self.stream.write("\r\x1b[2K")
            self.stream.flush()
            self.shown = False
