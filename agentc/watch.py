"""`agentc build --watch`: poll the sources and the config, rebuild on change.

Polling (stat only, every `interval` seconds) needs no dependency and behaves the same on
every filesystem, including network and container mounts where change events are unreliable.
Diagnostics are printed when they differ from the previous build's, so an unchanged warning
does not scroll the terminal on every save.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

from agentc.discover import discover


def snapshot(sources: tuple[str, ...], extra: list[Path]) -> tuple:
    """What a change looks like from outside: every agent file's and the config's stat."""
    found, _ = discover(list(sources))
    stats = []
    for path in [f.path for f in found] + extra:
        try:
            st = os.stat(path)
            stats.append((str(path), st.st_size, st.st_mtime_ns, st.st_ctime_ns))
        except OSError:
            stats.append((str(path), None))
    return tuple(stats)


def loop(
    build_once: Callable[[], tuple[tuple[str, ...], object]],
    sources: Callable[[], tuple[str, ...]],
    extra: list[Path],
    report: Callable[[object, bool], None],
    *,
    interval: float = 0.5,
    cycles: int | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """Build, then rebuild whenever the snapshot changes. `cycles` bounds the number of builds
    (for tests); None runs until interrupted. Returns how many builds ran."""
    builds = 0
    last_diags = None
    state = None
    try:
        while cycles is None or builds < cycles:
            now = snapshot(sources(), extra)
            if now != state:
                state = now
                diags, outcome = build_once()
                builds += 1
                report(outcome, diags != last_diags)
                last_diags = diags
                continue
            sleep(interval)
    except KeyboardInterrupt:
        pass
    return builds
