"""Rebuild after an edit (agentc/incremental.py): only the changed agent is read and emitted,
and the output tree and the diagnostics equal those of a build from nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import ROOT

from agentc import api, runner
from agentc.compiler.options import BuildOptions

SEED = ROOT / "agents/seed-team"


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    shutil.copytree(SEED, tmp_path / "agents")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def lowered(monkeypatch) -> list[str]:
    """The files lowered from here on (read and parsed, not taken from any cache)."""
    calls: list[str] = []
    real = api.lower

    def spy(source):
        calls.append(source.file)
        return real(source)

    monkeypatch.setattr(api, "lower", spy)
    return calls


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and ".agentc-cache" not in p.parts}


def build(out: str, mode: str = "write", **extra) -> runner.Outcome:
    options = BuildOptions(sources=("agents",), targets=("claude",), out=out, **extra)
    return runner.run(options, mode)


def from_nothing(project: Path) -> tuple[dict[str, bytes], tuple]:
    fresh = build("fresh", cache=False)
    assert not fresh.failed
    return tree(project / "fresh"), fresh.diagnostics


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_an_edit_reads_one_agent_and_equals_a_build_from_nothing(project, monkeypatch):
    assert not build("out").failed
    calls = lowered(monkeypatch)
    # A new delegation to an agent that is not in the build: a new AGC301 and a new edge.
    edit(project / "agents/data-engineer.md", "## ", "Hand schema questions → Delegate to **schema-guru**\n\n## ")
    done = build("out")
    assert calls == ["agents/data-engineer.md"]
    assert [c for c in done.changes] == [("stale", "out/claude/.claude/agents/data-engineer.md")]
    assert done.unchanged == len(list((project / "agents").glob("*.md"))) - 1
    want_tree, want_diags = from_nothing(project)
    assert tree(project / "out") == {k.replace("fresh", "out"): v for k, v in want_tree.items()}
    assert done.diagnostics == want_diags
    assert any(d.code == "AGC301" and "schema-guru" in d.message for d in done.diagnostics)
    again = build("out")  # and the record it left is a good one: a no-op now
    assert again.cached and again.diagnostics == want_diags


def test_check_after_an_edit_names_only_the_edited_agent(project, monkeypatch):
    assert not build("out").failed
    calls = lowered(monkeypatch)
    edit(project / "agents/ml-engineer.md", "\n\n", "\n\nOne more sentence.\n\n")
    done = build("out", mode="check")
    assert calls == ["agents/ml-engineer.md"]
    assert done.changes == [("stale", "out/claude/.claude/agents/ml-engineer.md")]
    assert build("out").changes == [("stale", "out/claude/.claude/agents/ml-engineer.md")]


def test_a_renamed_agent_is_a_full_build_with_the_same_result(project, monkeypatch):
    assert not build("out").failed
    calls = lowered(monkeypatch)
    edit(project / "agents/data-engineer.md", "name: data-engineer", "name: data-platform-engineer")
    done = build("out")
    assert not done.failed
    assert ("extra", "out/claude/.claude/agents/data-engineer.md") in done.changes
    assert calls == ["agents/data-engineer.md"]  # the others still come from the per-file cache
    want_tree, want_diags = from_nothing(project)
    assert tree(project / "out") == {k.replace("fresh", "out"): v for k, v in want_tree.items()}
    assert done.diagnostics == want_diags
