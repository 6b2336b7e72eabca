"""A build whose diagnostics are its record's (a no-op; a rebuild whose edit changed none) prints
the report kept beside the record (cache.Recorded) instead of making it again: what it prints
must be, byte for byte, what a build from nothing prints, whatever the flags and working folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from agentc import runner
from agentc.compiler.options import BuildOptions

FLAGS = [(), ("-q",), ("-v",), ("--statistics",), ("--no-statistics",), ("--color", "always"), ("--output-format", "json"),
         ("--output-format", "sarif"), ("--output-format", "github"), ("--strict",), ("--check",), ("--dry-run",)]


def agentc(*args: str, cwd: Path) -> tuple[int, str, str]:
    done = subprocess.run([sys.executable, "-m", "agentc", *args], capture_output=True, text=True, cwd=cwd, check=False,
                          env={**os.environ, "NO_COLOR": ""})
    return done.returncode, done.stdout, done.stderr


def report_of(printed: tuple[int, str, str]) -> tuple[int, str, str]:
    """The exit code and the streams but the last line the build writes (what it wrote or found)."""
    code, out, err = printed
    return code, out, "".join(err.splitlines(keepends=True)[:-1])


def reports(folder: Path) -> list[Path]:
    return sorted(folder.glob("out/.agentc-cache/builds/*.report"))


@pytest.mark.parametrize("flags", FLAGS, ids=" ".join)
def test_a_no_op_and_an_edit_print_what_a_build_from_nothing_prints(seed_project, flags):
    build = ("build", "agents", "-t", "claude", "--out", "out", *flags)
    if "--check" in flags or "--dry-run" in flags:  # a record to check against: written by a plain build
        agentc("build", "agents", "-t", "claude", "--out", "out", cwd=seed_project)
    fresh = report_of(agentc(*build, "--no-cache", cwd=seed_project))  # the same --out: --check's lines name it
    first = agentc(*build, cwd=seed_project)
    assert report_of(first) == fresh
    again = agentc(*build, cwd=seed_project)
    assert report_of(again) == fresh
    if not {"--check", "--dry-run"} & set(flags):  # the first build kept its report (one that failed: no record)
        assert bool(reports(seed_project)) == (first[0] == 0)
    for path in reports(seed_project):  # without it, the no-op makes it from the diagnostics: the same bytes
        path.unlink()
    assert agentc(*build, cwd=seed_project) == again
    # An edit that changes no diagnostic, then one that adds one: each prints what a build from nothing does.
    agent = seed_project / "agents/data-engineer.md"
    for text in ("\nOne more line.\n", "\nHand schema questions → Delegate to **schema-guru**\n"):
        agent.write_text(agent.read_text(encoding="utf-8") + text, encoding="utf-8")
        fresh = report_of(agentc(*build, "--no-cache", cwd=seed_project))
        assert report_of(agentc(*build, cwd=seed_project)) == fresh


def test_the_kept_report_follows_the_flags_and_the_working_folder(seed_project):
    """Paths under the working folder are shown relative to it: a build of the same absolute
    sources from another folder is a no-op that prints other paths. Flags that change the report
    change it, and going back to the first ones prints the first report again."""
    agents, out = str(seed_project / "agents"), str(seed_project / "out")
    elsewhere = seed_project / "elsewhere"
    elsewhere.mkdir()
    build = ("build", agents, "-t", "claude", "--out", out)
    for cwd, flags in [(seed_project, ()), (elsewhere, ()), (seed_project, ("-v",)), (seed_project, ("--output-format", "json")),
                       (elsewhere, ("--output-format", "json")), (seed_project, ())]:
        fresh = report_of(agentc(*build, *flags, "--no-cache", cwd=cwd))
        assert report_of(agentc(*build, *flags, cwd=cwd)) == fresh
    assert "agents/ai-engineer.md" in fresh[2] and str(seed_project) not in fresh[2]


def test_a_rebuild_that_changes_no_diagnostic_makes_none_of_the_recorded_ones(seed_project):
    """The record's diagnostics are read only when an edit changed them (incremental.diagnosed)."""
    def build() -> runner.Outcome:
        return runner.run(BuildOptions(sources=("agents",), targets=("claude",), out="out"), "write", report_key="k")

    def fresh() -> tuple:
        return runner.run(BuildOptions(sources=("agents",), targets=("claude",), out="fresh", cache=False), "write").diagnostics

    first = build()
    first.recorded.keep_report("k", [b"kept"])
    agent = seed_project / "agents/data-engineer.md"
    agent.write_text(agent.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    done = build()
    assert done.recorded is not None and done.recorded.made is None and done.recorded.report("k") == b"kept"
    assert done.diagnostics == fresh()
    agent.write_text(agent.read_text(encoding="utf-8") + "\nHand audits → Delegate to **model-auditor**\n", encoding="utf-8")
    done = build()
    assert done.recorded.made is not None and done.recorded.report("k") is None  # a new table, and no report kept for it
    assert done.diagnostics == fresh()
    assert len(reports(seed_project)) == 0


def test_a_damaged_kept_report_is_made_again(seed_project):
    build = ("build", "agents", "-t", "claude", "--out", "out")
    first = agentc(*build, cwd=seed_project)
    [path] = reports(seed_project)
    path.write_bytes(path.read_bytes()[:-3] + b"xyz")
    again = agentc(*build, cwd=seed_project)
    assert report_of(again) == report_of(first)


def test_a_no_op_that_prints_the_kept_report_reads_no_table(seed_project):
    """The table is read only when the diagnostics are made: without it, a no-op still prints the
    kept report; a build that must make them (no report kept for its flags) is a full one."""
    build = ("build", "agents", "-t", "claude", "--out", "out")
    first = agentc(*build, cwd=seed_project)
    [table] = seed_project.glob("out/.agentc-cache/builds/*.diags")
    table.unlink()
    again = agentc(*build, cwd=seed_project)
    assert report_of(again) == report_of(first) and again[2].endswith("(cached; nothing read or written)\n")
    assert "wrote 0 file(s), 5 unchanged" in agentc(*build, "-v", cwd=seed_project)[2]  # made again: a full build


@pytest.mark.parametrize("encoding", ["utf-8", "latin-1:replace", "utf-16", "ascii:backslashreplace"])
def test_the_kept_report_is_the_bytes_the_stream_writes(seed_project, encoding):
    """The report is kept as the bytes written (commands.report), for a stream that writes a text's
    UTF-8; under another encoding the report is made each time, as before."""
    def printed(*flags: str) -> tuple[int, bytes, bytes]:
        done = subprocess.run([sys.executable, "-m", "agentc", "build", "agents", "-t", "claude", "--out", "out", "-v", *flags],
                              capture_output=True, cwd=seed_project, check=False, env={**os.environ, "PYTHONIOENCODING": encoding})
        return done.returncode, done.stdout, done.stderr.rsplit(b"\n" if "16" not in encoding else "\n".encode("utf-16-le"), 2)[0]

    fresh = printed("--no-cache")
    assert printed() == fresh
    assert printed() == fresh  # a no-op
    assert bool(reports(seed_project)) == encoding.startswith("utf-8")
