"""Finding agent files: the scandir walk finds what an os.walk and a stat per file found."""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agentc import discover


def _walk_by_os_walk(root: Path, skip: list[Path]) -> list[str]:
    """The walk before os.scandir (os.walk, then os.path.isfile per file), kept as the reference."""
    every = []
    skipped = {str(e) for e in skip}
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d not in ("node_modules", ".git") and os.path.abspath(os.path.join(folder, d)) not in skipped]
        under = os.path.relpath(folder, root).replace(os.sep, "/")
        for name in files:
            if name.endswith(".md") and os.path.isfile(os.path.join(folder, name)):
                every.append(name if under == "." else f"{under}/{name}")
    return sorted(every)


def _tree(root: Path) -> None:
    for rel in ("a.md", "README.md", "notes.txt", "team/b.md", "team/deep/c.md", "node_modules/x/d.md", ".git/e.md",
                ".hidden/f.md", "out/g.md", "elsewhere/h.md"):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("---\nname: x\ndescription: y\n---\nbody\n", encoding="utf-8")
    (root / "team/linked").symlink_to(root / "elsewhere", target_is_directory=True)  # listed, never entered
    (root / "team/link.md").symlink_to(root / "a.md")
    (root / "team/broken.md").symlink_to(root / "missing.md")
    (root / "folder.md").mkdir()


def test_the_walk_finds_what_os_walk_found(tmp_path):
    _tree(tmp_path)
    every, links = discover._walk(tmp_path, [tmp_path / "out"])
    assert links  # team/link.md
    assert "team/link.md" in every and "team/broken.md" not in every and "out/g.md" not in every
    want = [r for r in _walk_by_os_walk(tmp_path, [tmp_path / "out"])
            if not any(p.startswith(".") for p in r.split("/")) and r.rpartition("/")[2].lower() not in discover.NOT_AGENTS]
    assert every == want


def test_a_claude_agents_tree_limits_the_search(tmp_path):
    _tree(tmp_path)
    (tmp_path / ".claude/agents").mkdir(parents=True)
    (tmp_path / ".claude/agents/z.md").write_text("x", encoding="utf-8")
    assert discover._walk(tmp_path, []) == ([".claude/agents/z.md"], False)


def test_a_file_reached_twice_is_found_once(tmp_path, monkeypatch):
    """Through a link to it, or through two sources; with one source and no link, nothing is
    resolved (each path of one walk is another file)."""
    for name in ("a.md", "b.md"):
        (tmp_path / "agents" / name).parent.mkdir(exist_ok=True)
        (tmp_path / "agents" / name).write_text("x", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    resolved = []
    real = discover._realpath
    monkeypatch.setattr(discover, "_realpath", lambda path, dirs: resolved.append(path) or real(path, dirs))

    def files(*sources):
        return [f.file for f in discover.discover(list(sources))[0]]

    assert files("agents") == ["agents/a.md", "agents/b.md"] and resolved == []
    assert files("agents", "agents/b.md", "./agents/a.md") == ["agents/a.md", "agents/b.md"] and resolved
    (tmp_path / "agents" / "c.md").symlink_to(tmp_path / "agents" / "a.md")
    (tmp_path / "agents" / "d.md").symlink_to(tmp_path / "elsewhere.md")
    (tmp_path / "elsewhere.md").write_text("x", encoding="utf-8")
    assert files("agents") == ["agents/a.md", "agents/b.md", "agents/d.md"]


@pytest.mark.parametrize("path", ["a.md", "./a.md", "x//y/../a.md", "/tmp/./x/", "//net/a.md", "///a", "", ".", "..", "a/./b/"])
def test_a_shown_path_is_the_normalised_posix_path(path):
    assert discover._show(path) == PurePosixPath(Path(os.path.normpath(path)).as_posix()).as_posix()


@pytest.mark.parametrize("spelling", ["agents", "./agents", "agents/", "agents//", "x/../agents", "{abs}", "{abs}/./", "{abs}/../agents"])
def test_each_found_file_is_shown_as_its_normalised_path(tmp_path, monkeypatch, spelling):
    """discover normalises a source folder's path once and appends each file's path below it:
    the same text as `_show` of each file's own path."""
    _tree(tmp_path / "agents")
    (tmp_path / "x").mkdir()
    monkeypatch.chdir(tmp_path)
    found, _ = discover.discover([spelling.format(abs=tmp_path / "agents")])
    assert len(found) == 5  # a.md, elsewhere/h.md, out/g.md, team/b.md, team/deep/c.md (team/link.md is a.md)
    assert [f.file for f in found] == [discover._show(f.path) for f in found]


def _plain_per_path(every: list[str]) -> list[str]:
    """discover._plain before it looked at all paths at once, kept as the reference."""
    return [r for r in every if not r.startswith(".") and "/." not in r and r.rpartition("/")[2].lower() not in discover.NOT_AGENTS]


_PARTS = st.sampled_from(["a", "agent-1.md", "README.md", "rEADme.md", "CLAUDE.MD", "agents.md", "license.md", ".x", ".hidden",
                          "dir", "x.", "\n", "\nreadme.md", "İ", "ı", "ſ", "\u212a", "ΣΑΣ", "é", "😀", "contributing.md", "a.b"])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(_PARTS, min_size=1, max_size=4).map("/".join), max_size=8))
def test_the_plain_paths_are_the_per_path_tests(paths):
    every = sorted(set(paths))
    assert discover._plain(every, "\n" + "\n".join(every) + "\n") == _plain_per_path(every)


@pytest.mark.parametrize("name", sorted(discover.NOT_AGENTS) + ["READ\u212aE.md", "RÉADME.md", "x/.y/z.md", ".a.md", "a\nreadme.md"])
def test_one_path_that_fails_is_left_out_and_the_others_kept(name):
    every = sorted(["agent-1.md", "team/agent-2.md", name, f"team/{name}"])
    assert discover._plain(every, "\n" + "\n".join(every) + "\n") == _plain_per_path(every)
