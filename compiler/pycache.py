"""What a process computed from the compiler's own source, kept for the next process in
`compiler/__pycache__/`, as Python keeps a module's bytecode there: lazyre's compiled patterns
and frozen's compiled `__init__`s.

A `Kept` table is read on first use and written at exit, whole and then renamed over the old
file, only when this process added to it and bytecode writing is on. The file is tied to this
Python's exact version and to `_sre`'s code format; a missing, stale or damaged file reads as
empty, and an unwritable folder (an installed package) is skipped: the caller computes the
value as it would without the file.
"""

from __future__ import annotations

import atexit
import marshal
import os
import sys
from typing import Any

try:
    import _sre
except ImportError:  # pragma: no cover - not CPython
    _sre = None  # type: ignore[assignment]

VERSION = (sys.version, getattr(_sre, "MAGIC", None), getattr(_sre, "CODESIZE", None))
FOLDER = os.path.join(os.path.dirname(__file__), "__pycache__")


class Kept:
    """One table of `key -> value` (values marshal can store) kept in `path`."""

    def __init__(self, path: str, most: int) -> None:
        self.path = path
        self.most = most  # a file past this many entries (source edited many times) starts again
        self.known: dict | None = None  # the file's table, read on first use
        self.new: dict = {}  # what this process added

    def get(self, key: Any) -> Any:
        if self.known is None:
            self.known = _read(self.path)
        return self.known.get(key) or self.new.get(key)

    def put(self, key: Any, value: Any) -> None:
        if not self.new and not sys.dont_write_bytecode:
            atexit.register(self.write)
        self.new[key] = value

    def write(self) -> None:
        """The file again: what it held (unless past `most`) and what this process added."""
        table = {**(self.known if self.known and len(self.known) < self.most else {}), **self.new}
        tmp = f"{self.path}.{os.getpid()}.tmp"
        try:
            os.makedirs(os.path.dirname(self.path), exist_ok=True)
            with open(tmp, "wb") as f:
                marshal.dump((VERSION, table), f)
            os.replace(tmp, self.path)
        except OSError:
            try:
                os.unlink(tmp)
            except OSError:
                pass


def _read(path: str) -> dict:
    try:
        with open(path, "rb") as f:
            data = f.read()
        # marshal.loads on the bytes, not marshal.load(f): reading from a file, marshal asks it
        # for every value separately, and the pattern file holds ~19 000 small ints (5 -> 0.2 ms).
        version, table = marshal.loads(data)
    except (OSError, EOFError, ValueError, TypeError):
        return {}
    return table if version == VERSION and isinstance(table, dict) else {}
