"""Finding agent files: the scandir walk finds what an os.walk and a stat per file found."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path, PurePosixPath

import pytest
from conftest import ROOT
from hypothesis import given, settings
from hypothesis import strategies as st

from agentc import discover, runner
from agentc.compiler.options import BuildOptions


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


# -- a build takes the last build's files while the folders it listed are as they were -----------

def _aged(*folders: Path) -> None:
    """Each folder's times a minute back: settled, as a folder not touched during the build."""
    for folder in folders:
        t = time.time_ns() - 60 * 10**9
        os.utime(folder, ns=(t, t))


def _walks(monkeypatch) -> list[list[str]]:
    """The sources of each walk from here on (runner's discover)."""
    calls: list[list[str]] = []
    real = runner.discover

    def spy(sources, **kw):
        calls.append(list(sources))
        return real(sources, **kw)

    monkeypatch.setattr(runner, "discover", spy)
    return calls


def _build(mode: str = "write", sources: tuple[str, ...] = ("agents",), out: str = "out") -> runner.Outcome:
    outcome = runner.run(BuildOptions(sources=sources, targets=("claude",), out=out), mode)
    assert not outcome.failed
    return outcome


def _written(project: Path) -> list[str]:
    return sorted(p.name for p in (project / "out/claude/.claude/agents").iterdir())


def test_a_build_whose_folders_did_not_change_does_not_walk_them(seed_project, monkeypatch):
    (seed_project / "agents/more").mkdir()
    (seed_project / "agents/more/extra.md").write_text("---\nname: extra\ndescription: x\n---\nBody.\n", encoding="utf-8")
    _aged(seed_project / "agents", seed_project / "agents/more")
    first = _build()
    walks = _walks(monkeypatch)
    again = _build()
    assert again.cached and walks == []
    assert _build("check").clean and walks == []
    # An edit in place changes no folder: the rebuild takes the files from the record too.
    (seed_project / "agents/more/extra.md").write_text("---\nname: extra\ndescription: y\n---\nBody.\n", encoding="utf-8")
    edited = _build()
    assert walks == [] and edited.changes == [("stale", "out/claude/.claude/agents/extra.md")]
    assert edited.diagnostics == first.diagnostics


@pytest.mark.parametrize("change", ["add", "add-nested", "remove", "rename", "new-folder"])
def test_a_file_added_removed_or_renamed_is_found(seed_project, monkeypatch, change):
    (seed_project / "agents/more").mkdir()
    (seed_project / "agents/more/extra.md").write_text(
        "---\nname: extra\ndescription: x\n---\nHand schema questions → Delegate to **schema-guru**\n", encoding="utf-8")
    _aged(seed_project / "agents", seed_project / "agents/more")
    _build()
    assert _build().cached  # the walk's folders, settled, are in the record
    walks = _walks(monkeypatch)
    agent = "---\nname: {0}\ndescription: x\n---\nHand schema questions → Delegate to **schema-guru**\n"
    if change == "add":
        (seed_project / "agents/new-one.md").write_text(agent.format("new-one"), encoding="utf-8")
    elif change == "add-nested":
        (seed_project / "agents/more/new-one.md").write_text(agent.format("new-one"), encoding="utf-8")
    elif change == "remove":
        (seed_project / "agents/more/extra.md").unlink()
    elif change == "rename":
        (seed_project / "agents/more/extra.md").rename(seed_project / "agents/more/new-one.md")
    else:
        (seed_project / "agents/more/deeper").mkdir()
        (seed_project / "agents/more/deeper/new-one.md").write_text(agent.format("new-one"), encoding="utf-8")
    done = _build()
    assert walks == [["agents"]] and not done.cached
    fresh = _build(out="fresh")
    assert _written(seed_project) == sorted(p.name for p in (seed_project / "fresh/claude/.claude/agents").iterdir())
    assert done.diagnostics == fresh.diagnostics
    assert any(d.file.endswith("/new-one.md") for d in done.diagnostics) == (change != "remove")
    assert any(d.file.endswith("/extra.md") for d in done.diagnostics) == (change not in ("remove", "rename"))


def test_a_folder_changed_too_recently_to_trust_is_walked(seed_project, monkeypatch):
    """A folder whose stat is within RACY_NS of its listing may change again within the same tick
    of the clock, its stat unchanged: the next build walks it."""
    os.utime(seed_project / "agents")  # changed now
    _build()
    walks = _walks(monkeypatch)
    assert _build().cached and walks == [["agents"]]


def test_a_link_named_md_makes_each_build_walk(seed_project, monkeypatch):
    """Its target may turn into a file (or another file) while no folder changes."""
    (seed_project / "agents/pointer.md").symlink_to(seed_project / "nowhere")
    _aged(seed_project / "agents")
    _build()
    walks = _walks(monkeypatch)
    assert _build().cached and walks == [["agents"]]


def test_several_sources_make_each_build_walk(seed_project, monkeypatch):
    """Their files are told apart by resolving links, which no folder's stat covers."""
    (seed_project / "more").mkdir()
    (seed_project / "more/extra.md").write_text("---\nname: extra\ndescription: x\n---\nBody.\n", encoding="utf-8")
    _aged(seed_project / "agents", seed_project / "more")
    _build(sources=("agents", "more"))
    walks = _walks(monkeypatch)
    assert _build(sources=("agents", "more")).cached and walks == [["agents", "more"]]


def test_another_working_folder_walks_its_own_sources(tmp_path, monkeypatch):
    """The same options spelled alike from another folder (one record: the output folder is
    given whole) name other folders."""
    for side in ("a", "b"):
        shutil.copytree(ROOT / "agents/seed-team", tmp_path / side / "agents")
        _aged(tmp_path / side / "agents")
    monkeypatch.chdir(tmp_path / "a")
    _build(out=str(tmp_path / "out"))
    walks = _walks(monkeypatch)
    assert _build(out=str(tmp_path / "out")).cached and walks == []
    monkeypatch.chdir(tmp_path / "b")
    _build(out=str(tmp_path / "out"))
    assert walks == [["agents"]]


def test_a_plugin_layout_is_walked_each_build(tmp_path, monkeypatch):
    plugin = tmp_path / "plug"
    (plugin / ".claude-plugin").mkdir(parents=True)
    (plugin / ".claude-plugin/plugin.json").write_text('{"name": "first"}', encoding="utf-8")
    (plugin / "agents").mkdir()
    (plugin / "agents/one.md").write_text("---\nname: one\ndescription: x\n---\nBody.\n", encoding="utf-8")
    for folder in (plugin, plugin / ".claude-plugin", plugin / "agents"):
        _aged(folder)
    monkeypatch.chdir(tmp_path)
    _build(sources=("plug",))
    walks = _walks(monkeypatch)
    (plugin / ".claude-plugin/plugin.json").write_text('{"name": "other"}', encoding="utf-8")
    done = _build(sources=("plug",))
    assert walks == [["plug"]] and not done.cached


_DAMAGES = {
    "no walk": lambda r: r.update(walk=None),
    "not a list": lambda r: r.update(walk=7),
    "short": lambda r: r.update(walk=r["walk"][:4]),
    "time not a number": lambda r: r["walk"].__setitem__(3, "now"),
    "no folders": lambda r: r["walk"].__setitem__(4, []),
    "folder not a list": lambda r: r["walk"][4].__setitem__(0, "agents"),
    "stat of floats": lambda r: r["walk"][4][0].__setitem__(1, [float(x) for x in r["walk"][4][0][1]]),
    "another stat": lambda r: r["walk"][4][0][1].__setitem__(0, r["walk"][4][0][1][0] + 1),
    "scopes short": lambda r: r["scopes"].pop(),
    "a source elsewhere": lambda r: r["sources"][0].__setitem__(0, "elsewhere/x.md"),
    "a source not a list": lambda r: r["sources"].__setitem__(0, None),
}


@pytest.mark.parametrize("damage", sorted(_DAMAGES))
def test_a_damaged_walk_in_the_record_is_a_walk(seed_project, monkeypatch, damage):
    """And a build like one from nothing: a record whose files are not the walk's is no record."""
    from agentc import cache

    _aged(seed_project / "agents")
    want = _build()
    real = cache.Cache.load_record

    def damaged(self, roots):
        record = real(self, roots)
        _DAMAGES[damage](record)
        return record

    monkeypatch.setattr(cache.Cache, "load_record", damaged)
    walks = _walks(monkeypatch)
    done = _build()
    assert walks == [["agents"]] and done.diagnostics == want.diagnostics
    assert done.cached == (damage in ("no walk", "not a list", "short", "time not a number", "no folders",
                                      "folder not a list", "stat of floats", "another stat"))


def test_relisted_is_what_discover_found(tmp_path, monkeypatch):
    _tree(tmp_path)
    monkeypatch.chdir(tmp_path)
    for source in (".", "./team", "team/", "team//deep"):
        listing = discover.Listing()
        found, _ = discover.discover([source], listing=listing)
        assert discover.relisted(source, [f.path for f in found], [f.scope for f in found]) == found
    assert discover.relisted("team", ["elsewhere/a.md"], [None]) is None
    assert discover.relisted("team", ["team/a.md"], []) is None
