"""The command's exit (agentc/entry.py `_leave`): the exit code, the exit hooks and every byte
written, without the interpreter's teardown. A subprocess each: the exit is the process's."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from agentc import entry
from agentc.compiler.lazyre import YAML_NON_PRINTABLE

ROOT = Path(__file__).resolve().parents[1]

# Runs the command like `python -m agentc ARGS`, with an exit hook and an object whose __del__
# only the interpreter's teardown calls (it clears __main__'s globals): each notes itself in FILE.
SCRIPT = """
import atexit, os, sys
note = os.open(sys.argv[1], os.O_WRONLY | os.O_APPEND)
atexit.register(os.write, note, b"hook\\n")
class Torn:
    def __del__(self):
        os.write(note, b"teardown\\n")
kept = Torn()
sys.argv = ["agentc", *sys.argv[2:]]
from agentc.entry import main
main()
"""


def _run(tmp_path: Path, *args: str) -> tuple[subprocess.CompletedProcess, list[str]]:
    notes = tmp_path / "notes"
    notes.write_text("")
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(notes), *args], capture_output=True, text=True, check=False)
    return done, notes.read_text().split()


def test_a_build_exits_with_its_code_after_the_hooks_and_without_teardown(tmp_path):
    done, notes = _run(tmp_path, "build", str(ROOT / "agents" / "seed-team"), "-t", "claude", "--out", str(tmp_path / "out"))
    assert done.returncode == 0, done.stderr[-2000:]
    assert notes == ["hook"]  # the exit hooks ran; the teardown did not
    assert (tmp_path / "out" / "claude" / ".claude" / "agents").is_dir()


def test_a_usage_error_keeps_its_code_and_message(tmp_path):
    done, notes = _run(tmp_path, "build", str(ROOT / "agents" / "seed-team"), "-t", "nope", "--out", str(tmp_path / "out"))
    assert done.returncode == 2
    assert "unknown target 'nope'" in done.stderr
    assert notes == ["hook"]


def test_every_byte_of_a_long_output_reaches_the_pipe(tmp_path):
    done, _ = _run(tmp_path, "ir", str(ROOT / "agents"), "--json")
    assert done.returncode == 0, done.stderr[-2000:]
    assert len(done.stdout) > 100_000  # far past any stream buffer
    assert json.loads(done.stdout)["agents"]


@pytest.mark.parametrize("code", ["a message", True])
def test_a_code_that_is_no_number_takes_the_ordinary_exit(code):
    with pytest.raises(SystemExit) as exit_:
        entry._leave(code)
    assert exit_.value.code == code


def test_another_thread_running_takes_the_ordinary_exit():
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        with pytest.raises(SystemExit) as exit_:
            entry._leave(0)
        assert exit_.value.code == 0
    finally:
        stop.set()
        other.join()


def _primed(prime: str, modules: str) -> str:
    """A process that calls `lazyre.<prime>()`, then imports `modules` (none imported before) with
    re's compiler watched: `made` lists each pattern compiled, `real` is re's compiler itself."""
    return (
        "import re, sys\n"
        f"assert not {{m.split('.')[0] for m in {modules!r}.split(', ')}} & set(sys.modules)\n"
        "from agentc.compiler import lazyre\n"
        f"lazyre.{prime}()\n"
        "from re import _compiler\n"
        "made = []\n"
        "real = _compiler.compile\n"
        "_compiler.compile = lambda p, flags=0: (made.append(p), real(p, flags))[1]\n"
        f"import {modules}\n"
    )


_PRIMED = _primed("prime_yaml", "yaml")


def _run_primed(check: str, primed: str = _PRIMED) -> None:
    done = subprocess.run([sys.executable, "-c", primed + check], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr[-2000:]


def test_the_standard_library_finds_its_patterns_compiled():
    """lazyre.prime_stdlib: importing json, dataclasses and difflib afterwards compiles none of
    STDLIB_PATTERNS again, and the patterns they get are the ones re.compile makes."""
    _run_primed(
        "assert not {p for p, _ in lazyre.STDLIB_PATTERNS} & set(made), made\n"
        "got = [json.decoder.STRINGCHUNK, json.decoder.WHITESPACE, json.scanner.NUMBER_RE, json.encoder.ESCAPE,\n"
        "       json.encoder.ESCAPE_ASCII, dataclasses._MODULE_IDENTIFIER_RE, difflib.IS_LINE_JUNK.__defaults__[0].__self__]\n"
        "assert got == [real(p, f) for p, f in lazyre.STDLIB_PATTERNS]  # pattern, flags and code\n",
        _primed("prime_stdlib", "json.decoder, json.encoder, json.scanner, dataclasses, difflib"))


def test_yaml_finds_its_patterns_compiled():
    """lazyre.prime_yaml: importing yaml afterwards compiles no pattern at all, and those it
    gets are the ones re.compile makes."""
    _run_primed(
        "assert made == [], made\n"
        "got = [r for rs in yaml.resolver.Resolver.yaml_implicit_resolvers.values() for _, r in rs]\n"
        "got += [yaml.constructor.SafeConstructor.timestamp_regexp]\n"
        "assert {(r.pattern, r.flags) for r in got} == {(p, real(p, f).flags) for p, f in lazyre.YAML_PATTERNS}\n"
        "for r in got:\n"
        "    fresh = real(r.pattern, r.flags & ~re.UNICODE)\n"
        "    assert r.groupindex == fresh.groupindex\n"
        "    for text in ('yes', 'No', '0b101', '-0x1F', '1_000', '3.14', '.inf', '~', 'null', '', '<<', '=', '!',\n"
        "                 '2001-12-14t21:59:43.10-05:00', '2002-12-14', '12:30:45', 'plain text', 'İ'):\n"
        "        m, n = r.match(text), fresh.match(text)\n"
        "        assert (m and (m.span(), m.groupdict())) == (n and (n.span(), n.groupdict())), (r.pattern, text)\n"
    )


def test_yaml_finds_its_reader_pattern_compiled():
    """lazyre.prime_yaml: importing yaml afterwards compiles no pattern of its reader's text,
    and the pattern it gets is the one re.compile makes."""
    _run_primed(
        "pattern = yaml.reader.Reader.NON_PRINTABLE\n"
        "assert lazyre.YAML_NON_PRINTABLE not in made, 'compiled again'\n"
        "fresh = real(lazyre.YAML_NON_PRINTABLE, 0)\n"
        "text = 'ok \\x00 \\ufffe \\U0001f642 \\x85'\n"
        "assert [m.span() for m in pattern.finditer(text)] == [m.span() for m in fresh.finditer(text)]\n"
        "assert pattern.pattern == fresh.pattern and pattern.flags == fresh.flags\n"
    )


@pytest.mark.parametrize("cache", [True, False])
def test_a_build_primes_yaml_unless_it_is_a_no_op(tmp_path, cache):
    """A build that lowers files finds yaml's pattern compiled (runner.run primes it); a no-op
    build reads no YAML and so never primes yaml's patterns (agentc.compiler.lazyre)."""
    code = (
        "import atexit, re, sys\n"
        "from re import _compiler\n"
        "from agentc import entry\n"
        "made, where = [], sys.argv[1]\n"
        f"YAML_NON_PRINTABLE = {YAML_NON_PRINTABLE!r}\n"
        "real = _compiler.compile\n"
        "_compiler.compile = lambda p, flags=0: (made.append(p), real(p, flags))[1]\n"
        "def note():\n"
        "    with open(where, 'w') as f:\n"
        "        f.write(repr((YAML_NON_PRINTABLE in made, 'yaml' in sys.modules, any(YAML_NON_PRINTABLE in k for k in re._cache))))\n"
        "atexit.register(note)\n"
        "sys.argv = ['agentc', *sys.argv[2:]]\n"
        "entry.main()\n"
    )
    build = ["build", str(ROOT / "agents" / "seed-team"), "-t", "claude", "--out", str(tmp_path / "out")] + ([] if cache else ["--no-cache"])
    seen = []
    for _ in range(2):
        done = subprocess.run([sys.executable, "-c", code, str(tmp_path / "note"), *build], capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stderr[-2000:]
        seen.append((tmp_path / "note").read_text())
    assert seen[0] == "(False, True, True)"  # lowered: yaml's pattern came primed
    assert seen[1] == ("(False, False, False)" if cache else "(False, True, True)")  # the no-op: nothing of the sort


def test_inspect_stands_in_until_something_reads_from_it():
    """entry._defer_inspect: `import inspect` gives a stand-in that loads nothing; the first read
    of a name imports the real module in its place and answers from it; dunder probes of every
    module (`__file__`) load nothing; a process that imported inspect already is left alone."""
    code = """
import sys
from agentc import entry
entry._defer_inspect()
import inspect
import dataclasses
assert "ast" not in sys.modules and "dis" not in sys.modules and sys.modules["inspect"] is inspect
assert getattr(inspect, "__file__", None) is None and "ast" not in sys.modules
signature = inspect.signature
real = sys.modules["inspect"]
assert real is not inspect and signature is real.signature and "ast" in sys.modules
from inspect import isclass
import inspect as again
assert isclass is real.isclass and again is real
@dataclasses.dataclass
class NoDoc:
    x: int
assert NoDoc.__doc__ == "NoDoc(x: int)"
entry._defer_inspect()
assert sys.modules["inspect"] is real
print("ok")
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0 and done.stdout == "ok\n", done.stderr[-2000:]


def test_copy_stands_in_until_something_reads_from_it():
    """entry._defer_copy: dataclasses imports a stand-in for copy (no weakref with it); the first
    read imports the real module, whose names the stand-in then holds itself, so asdict's
    `copy.deepcopy` for every value reads them straight."""
    code = """
import sys
from agentc import entry
entry._defer_copy()
import copy
import dataclasses
assert sys.modules["copy"] is copy and "weakref" not in sys.modules and getattr(copy, "__file__", None) is None
@dataclasses.dataclass
class Row:
    cells: list
    name: str
row = Row([1, {"a": "é🙂"}], "x")
copied = dataclasses.asdict(row)
real = sys.modules["copy"]
assert copied == {"cells": [1, {"a": "é🙂"}], "name": "x"} and copied["cells"] is not row.cells
assert real is not copy and "weakref" in sys.modules and vars(copy)["deepcopy"] is real.deepcopy
import copy as again
assert again is real
entry._defer_copy()
assert sys.modules["copy"] is real
print("ok")
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0 and done.stdout == "ok\n", done.stderr[-2000:]
