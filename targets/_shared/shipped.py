"""Files shipped inside agentc.targets: the generated packages' static modules and runtime helpers."""

from __future__ import annotations

from functools import cache
from pathlib import Path

TARGETS = Path(__file__).parent.parent  # the agentc.targets folder


@cache
def shipped(*parts: str) -> str:
    """The text of TARGETS/<parts>, e.g. shipped("_shared", "runtime", "observe.py"). Read beside
    this module rather than through importlib.resources, whose import (~7 ms, zipfile among it)
    an every-target build paid for reading a few files of a folder on disk."""
    return TARGETS.joinpath(*parts).read_text(encoding="utf-8")
