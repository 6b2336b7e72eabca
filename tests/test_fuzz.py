"""A fuzzer over the in-process API: mutated agent files never make agentc raise.

Mutations of the repository's own agent files (byte flips, truncation, YAML and markdown
metacharacters, deep nesting, huge lines, mixed line endings, Unicode separators, NUL and
surrogate escapes). Properties: no exception escapes `agentc.compile`; every diagnostic has a
file, a line and a known code; errors mean no output; every generated Python module parses.

CI runs a bounded, derandomized budget. A longer, random run (see README, "Fuzzing"):

    AGENTC_FUZZ_EXAMPLES=100000 AGENTC_FUZZ_RANDOM=1 .venv/bin/python -m pytest tests/test_fuzz.py
"""

from __future__ import annotations

import os
import re

from conftest import ROOT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import agentc
from agentc.compiler.diagnostics import CODES

SEEDS = sorted(p for p in (ROOT / "agents").rglob("*.md"))
TEXTS = [p.read_bytes() for p in SEEDS]
CHEAP = int(os.environ.get("AGENTC_FUZZ_EXAMPLES", "1500"))
FULL = max(20, CHEAP // 25)  # every target, Python formatting included, costs ~100x more per example
RANDOM = os.environ.get("AGENTC_FUZZ_RANDOM") == "1"

META = [
    ": ", "---\n", "\n---\n", "&a ", "*a ", "[", "{", "]", "}", "|", ">", "`", "```\n", "<example>", "</example>",
    "\u2028", "\u2029", "\x85", "\x00", "\r", "\r\n", "#", "- [ ] ", "→ Delegate to **", "**", "\t", "\\ud800",
    "\"", "'", "name: x\n", "description:\n", "tools: [", "| a | b |\n|---|---|\n", "\ufeff", "%YAML 1.1\n", "!!python/object ",
]


def _mutate(data: bytes, ops: list[tuple[int, int, int]]) -> bytes:
    buf = bytearray(data)
    for op, pos, arg in ops:
        at = pos % (len(buf) + 1)
        if op == 0:  # flip a byte
            if buf:
                buf[at % len(buf)] ^= (arg % 255) + 1
        elif op == 1:  # truncate
            del buf[at:]
        elif op == 2:  # insert a metacharacter
            buf[at:at] = META[arg % len(META)].encode("utf-8")
        elif op == 3:  # deep nesting
            depth = 1 + arg % 600
            buf[at:at] = (b"[" * depth + b"]" * depth) if arg % 2 else (b"> " * depth + b"x\n")
        elif op == 4:  # a huge line
            buf[at:at] = b"x" * (1000 + arg * 97 % 120_000)
        elif op == 5:  # line endings
            buf[:] = buf.replace(b"\n", (b"\r\n", b"\r", b"\n\n")[arg % 3], 1 + arg % 40)
        elif op == 6:  # duplicate a slice
            buf[at:at] = buf[at : at + 1 + arg % 400]
    return bytes(buf)


files = st.builds(
    lambda k, ops: _mutate(TEXTS[k % len(TEXTS)], ops),
    st.integers(min_value=0),
    st.lists(st.tuples(st.integers(0, 6), st.integers(0, 1 << 20), st.integers(0, 1 << 16)), min_size=1, max_size=6),
)


def _check(result: agentc.Result) -> None:
    for d in result.diagnostics:
        assert d.file and isinstance(d.line, int) and d.line >= 1, d
        assert re.fullmatch(r"AGC\d{3}", d.code) and d.code in CODES, d
    if not result.ok:
        assert result.files == {}
    for path, text in result.files.items():
        if path.endswith(".py"):
            compile(text, path, "exec")  # SyntaxError fails the property


def _settings(n: int):
    return settings(max_examples=n, deadline=None, database=None, derandomize=not RANDOM,
                    suppress_health_check=list(HealthCheck))


@_settings(CHEAP)
@given(main=files, other=files)
def test_front_end_and_text_targets_never_raise(main, other):
    _check(agentc.compile({"agents/main.md": main, "agents/other.md": other}, targets=["claude", "diagram", "openai"]))


@_settings(FULL)
@given(main=files)
def test_every_target_never_raises_and_emits_valid_python(main):
    _check(agentc.compile({"agents/main.md": main, "agents/helper.md": TEXTS[0]}, targets=["all"]))
