"""The writer's path guard refuses exactly what its earlier, pathlib-parsing version refused.

`_Guard` checks each generated path with string tests (it runs once per output file: 8 000
paths for 1 000 agents). `_reference` below is the version it replaced, kept verbatim as the
oracle; hostile paths (.., absolute, empty and "." parts, backslashes, NUL, very long names,
symlinks inside and outside the output folder) must get the same answer from both.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agentc import writer


class _Reference:
    """The guard as it was before (main 7b18b97)."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.root = os.path.realpath(out)
        self.dirs: dict[str, str] = {}

    def __call__(self, rel: str) -> Path:
        p = PurePosixPath(rel)
        if p.is_absolute() or ".." in p.parts or not p.parts or rel != p.as_posix():
            raise writer.UnsafePath(rel)
        full = self.out / Path(*p.parts)
        parent, name = os.path.split(os.fspath(full))
        real_parent = self.dirs.get(parent)
        if real_parent is None:
            real_parent = self.dirs[parent] = os.path.realpath(parent)
        real = os.path.join(real_parent, name)
        if os.path.islink(real):
            real = os.path.realpath(real)
        if real != self.root and not real.startswith(self.root.rstrip(os.sep) + os.sep):
            raise writer.UnsafePath(rel)
        return full


def _answer(guard, rel: str):
    """What a guard does with `rel`: the path it returns, or the exception type it raises."""
    try:
        return guard(rel)
    except Exception as exc:  # noqa: BLE001 - any difference in behaviour counts, not only UnsafePath
        return type(exc)


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    """An output folder with symlinks: one leading outside, one staying inside, one to a file
    outside, one dangling, one looping."""
    base = tmp_path_factory.mktemp("guard")
    outside = base / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text("x")
    out = base / "out"
    (out / "claude" / "agents").mkdir(parents=True)
    (out / "escape").symlink_to(outside)
    (out / "inside").symlink_to(out / "claude")
    (out / "claude" / "file-out.md").symlink_to(outside / "secret.md")
    (out / "claude" / "dangling.md").symlink_to(base / "nowhere")
    (out / "loop").symlink_to(out / "loop")
    return out


PARTS = ["", ".", "..", "...", "claude", "agents", "escape", "inside", "loop", "file-out.md",
         "dangling.md", "a.md", "a\\..\\b", "\\", "C:", "CON", "a\x00b", " ", "~", "x" * 300]

HOSTILE = ["", "/", "//", "///a", ".", "./", "..", "../escape.md", "/etc/passwd", "a/../../b",
           "a//b", "a/./b", "a/", "claude/agents/x.md", "escape/x.md", "escape", "inside/x.md",
           "claude/file-out.md", "claude/dangling.md", "loop/x.md", "loop", "a\x00b", "claude/\x00",
           "..\\..\\x", "C:\\x", "x" * 5000, "/".join(["d"] * 500)]


@pytest.mark.parametrize("rel", HOSTILE)
def test_guard_agrees_on_hostile_paths(tree, rel):
    assert _answer(writer._Guard(tree), rel) == _answer(_Reference(tree), rel)


@settings(max_examples=1500, derandomize=True, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(st.sampled_from(PARTS), st.text(max_size=6)), min_size=0, max_size=6),
       st.sampled_from(["/", "/", "//", "\\"]))
def test_guard_agrees_with_reference(tree, parts, sep):
    rel = sep.join(parts)
    new, old = writer._Guard(tree), _Reference(tree)
    assert _answer(new, rel) == _answer(old, rel)
    # and from a relative output folder, as `--out out` gives
    here = os.getcwd()
    os.chdir(tree.parent)
    try:
        assert _answer(writer._Guard(Path("out")), rel) == _answer(_Reference(Path("out")), rel)
        assert _answer(writer._Guard(Path("./out/")), rel) == _answer(_Reference(Path("./out/")), rel)
    finally:
        os.chdir(here)
