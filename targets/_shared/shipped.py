"""Files shipped inside agentc.targets: the generated packages' static modules and runtime helpers."""

from __future__ import annotations

from functools import cache
from pathlib import Path

TARGETS = Path(__file__).parent.parent  # the agentc.targets folder


# Every text shipped() returned in this process: a generated file that is one of them, byte for
# byte, is agentc's own module copied as it is (tests/test_render.py compiles each shipped one).
_TEXTS: set[str] = set()


@cache
def shipped(*parts: str) -> str:
    """The text of TARGETS/<parts>, e.g. shipped("_shared", "runtime", "observe.py"). Read beside
    this module rather than through importlib.resources, whose import (~7 ms, zipfile among it)
    an every-target build paid for reading a few files of a folder on disk."""
    text = TARGETS.joinpath(*parts).read_text(encoding="utf-8")
    _TEXTS.add(text)
    return text


def is_shipped(text: str) -> bool:
    """Whether `text` is a shipped file as read (not changed, e.g. by a package name put in)."""
    return text in _TEXTS
