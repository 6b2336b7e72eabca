"""Building to disk: --check, --dry-run, the writer's safety rules, config, round-trip, determinism."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import frontmatter
import pytest
from conftest import ROOT

from agentc import api, writer
from agentc.compiler import ir
from agentc.compiler.options import BuildOptions


def run(*args: str, cwd=None, env=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "agentc", *args], capture_output=True, text=True,
                          cwd=cwd, env=env, check=False)


def tree(folder: Path) -> dict[str, bytes]:
    # The build cache (OUT/.agentc-cache/ without a config file) records stat times: not output.
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and ".agentc-cache" not in p.relative_to(folder).parts}


def test_build_check_edit_cycle(tmp_path):
    out = tmp_path / "out"
    first = run("build", "agents/seed-team", "-t", "claude", "-t", "diagram", "--out", str(out))
    assert first.returncode == 0, first.stderr
    assert (out / "claude/.claude/agents/ai-engineer.md").is_file()
    assert (out / "diagram/delegation.mmd").is_file()
    assert run("build", "agents/seed-team", "-t", "claude", "-t", "diagram", "--out", str(out), "--check").returncode == 0
    edited = out / "claude/.claude/agents/ml-engineer.md"
    edited.write_text(edited.read_text() + "tampered\n")
    stale = run("build", "agents/seed-team", "-t", "claude", "-t", "diagram", "--out", str(out), "--check", "--diff")
    assert stale.returncode == 1
    assert f"stale: {out.as_posix()}/claude/.claude/agents/ml-engineer.md" in stale.stdout
    assert "-tampered" in stale.stdout  # the diff shows what the build would undo
    assert edited.read_text().endswith("tampered\n")  # --check wrote nothing


def test_dry_run_writes_nothing(tmp_path):
    out = tmp_path / "out"
    done = run("build", "agents/seed-team", "-t", "claude", "--out", str(out), "--dry-run")
    assert done.returncode == 0 and "missing: " in done.stdout
    assert not out.exists()


def test_never_deletes_a_file_it_did_not_write(tmp_path):
    out = tmp_path / "out"
    assert run("build", "agents/seed-team", "-t", "claude", "--out", str(out)).returncode == 0
    mine = out / "claude/.claude/agents/notes.md"
    mine.write_text("my own notes\n")
    src = tmp_path / "src"
    src.mkdir()
    for name in ("ai-engineer.md", "ml-engineer.md"):
        (src / name).write_bytes((ROOT / "agents/seed-team" / name).read_bytes())
    again = run("build", str(src), "-t", "claude", "--out", str(out))
    assert again.returncode == 0, again.stderr
    assert mine.read_text() == "my own notes\n"  # not agentc's: left alone
    assert not (out / "claude/.claude/agents/data-engineer.md").exists()  # agentc's, no longer produced: retired
    assert (out / "claude/.claude/agents/ml-engineer.md").exists()


@pytest.mark.parametrize("bad", ["../escape.md", "/etc/passwd", "a/../../b", ""])
def test_writer_refuses_paths_outside_out(tmp_path, bad):
    with pytest.raises(writer.UnsafePath):
        writer.write(tmp_path, {bad: "x"}, ["claude"])
    assert list(tmp_path.iterdir()) == []


def test_writer_refuses_symlink_escape(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    (out / "claude").symlink_to(outside)
    with pytest.raises(writer.UnsafePath):
        writer.write(out, {"claude/x.md": "x"}, ["claude"])
    assert list(outside.iterdir()) == []


def test_build_from_pyproject_config(tmp_path):
    project = tmp_path / "proj"
    (project / "prompts").mkdir(parents=True)
    (project / "prompts/ml-engineer.md").write_bytes((ROOT / "agents/seed-team/ml-engineer.md").read_bytes())
    (project / "pyproject.toml").write_text('[tool.agentc]\nsources = ["prompts"]\ntargets = ["claude"]\nout = "gen"\n')
    done = run("build", cwd=project)
    assert done.returncode == 0, done.stderr
    assert (project / "gen/claude/.claude/agents/ml-engineer.md").is_file()
    assert run("build", "--check", cwd=project).returncode == 0


def test_unknown_config_key_is_a_usage_error(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.agentc]\nsources = ["."]\ntarget = ["claude"]\n')
    done = run("build", cwd=tmp_path)
    assert done.returncode == 2
    assert "unknown [tool.agentc] key 'target'; did you mean 'targets'?" in done.stderr


def test_claude_round_trip_gives_the_same_ir(tmp_path):
    """agentc's own Claude output, compiled again, gives the same IR (locations aside)."""
    for case in sorted(p.name for p in (ROOT / "agents").iterdir()):
        options = BuildOptions(sources=(f"agents/{case}",), targets=("claude",), keep_unknown_keys=True)
        first = api.build(options)
        assert first.ok
        out = tmp_path / case
        writer.write(out, first.files, ["claude"])
        again = api.load_project([str(out / "claude/.claude/agents")])
        assert _portable(again) == _portable(first.project), case
        second = api.build(BuildOptions(sources=(str(out / "claude/.claude/agents"),), targets=("claude",), keep_unknown_keys=True))
        assert second.files == first.files, case  # the Claude output is a fixed point


def _portable(project) -> list:
    # Locations change with the file; colour is the one value the target normalises (magenta -> purple).
    drop = {"span", "file", "body_line", "end_line", "id", "color", "key_spans"}

    def strip(value):
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k not in drop}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    return sorted((strip(ir.dump(a)) for a in project.agents), key=lambda a: a["name"])


def test_emitted_claude_files_pass_claude_code_rules():
    result = api.build(BuildOptions(sources=("agents",), targets=("claude",)))
    assert result.ok
    for text in result.files.values():
        post = frontmatter.loads(text)
        assert isinstance(post["name"], str) and ":" not in post["name"] and not post["name"].startswith("-")
        assert isinstance(post["description"], str) and post["description"]
        assert "tools" not in post.metadata or isinstance(post["tools"], str)
        assert set(post.metadata) <= {"name", "description", "tools", "model", "color", "effort", "maxTurns", "skills"}


def test_plugin_bundle(tmp_path):
    result = api.build(BuildOptions(sources=("agents/seed-team",), targets=("claude",), plugin=True, plugin_name="ai-team"))
    assert "claude/.claude-plugin/plugin.json" in result.files
    assert '"name": "ai-team"' in result.files["claude/.claude-plugin/plugin.json"]
    assert "claude/agents/ai-engineer.md" in result.files


def test_renamed_agent_never_hides_another(tmp_path):
    # Plugins p and q both hold 'x', so p's is written as 'p-x'; q also has an agent named 'p-x'.
    # One .claude/agents/p-x.md would hold only one of the two: an error, and nothing written.
    for rel in ("p/agents/x", "q/agents/x", "q/agents/p-x"):
        f = tmp_path / "src" / "plugins" / f"{rel}.md"
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text(f"---\nname: {f.stem}\ndescription: agent {rel}\n---\nI am {rel}.\n")
    done = run("build", "src", "-t", "claude", "-o", "out", "--no-cache", cwd=tmp_path)
    assert done.returncode != 0 and "error[AGC406]" in done.stdout + done.stderr
    assert "src/plugins/p/agents/x.md:2:" in done.stdout + done.stderr
    assert not (tmp_path / "out").exists()
    # As a plugin bundle every agent keeps its own file.
    bundle = api.build(BuildOptions(sources=(str(tmp_path / "src"),), targets=("claude",), plugin=True))
    assert {"claude/p/agents/x.md", "claude/q/agents/x.md", "claude/q/agents/p-x.md"} <= set(bundle.files)


@pytest.mark.parametrize("fmt,needle", [("mermaid", "flowchart LR"), ("dot", "digraph delegation"), ("json", '"edges"')])
def test_graph_command(fmt, needle):
    done = run("graph", "agents/seed-team", "--format", fmt)
    assert done.returncode == 0 and needle in done.stdout
    assert "security-auditor" in done.stdout  # the dangling target is drawn


def test_deterministic_across_runs_and_hash_seeds(tmp_path):
    outs = []
    for seed in ("0", "1"):
        out = tmp_path / f"out{seed}"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = run("build", "agents", "-t", "all", "--out", str(out), "--no-cache", cwd=ROOT, env=env)  # compile, not replay
        assert done.returncode == 0, done.stderr
        outs.append(tree(out))
    assert outs[0] == outs[1]
    assert len(outs[0]) > 20


def test_targets_command_lists_every_target_and_what_it_expresses():
    from agentc.targets import TARGETS

    done = run("targets")
    assert done.returncode == 0
    for name, target in TARGETS.items():
        assert name in done.stdout and target.capabilities
    assert "expresses: delegation:" in done.stdout


def test_a_path_made_twice_by_one_target_is_an_error(monkeypatch):
    # A target whose parts name one file twice would let the later part hide the earlier one.
    import dataclasses

    from agentc import targets
    from agentc.targets import Emitted

    claude = targets.TARGETS["claude"]

    def parts(project, options):
        yield Emitted(files={"same.md": "one"})
        yield Emitted(files={"same.md": "two", "other.md": "three"})

    twice = dataclasses.replace(claude, emit_parts=parts, validate=None, emit_agent=None)
    monkeypatch.setattr(targets.Registry, "__getitem__", lambda self, name: twice)
    result = api.build(BuildOptions(sources=("agents/seed-team",), targets=("claude",)))
    made_twice = [d for d in result.diagnostics if d.code == "AGC902"]
    assert [d.span.file for d in made_twice] == ["claude/same.md"] and "twice" in made_twice[0].message
    assert not result.ok and result.files == {}


def test_claude_parts_batch_agents_and_split_at_a_path_made_twice(monkeypatch):
    # claude.parts puts up to BATCH agents in a part; an agent whose path the part holds already
    # starts the next part, so build_each still sees the path twice (above) and no dict hides one.
    from agentc.targets import claude

    project = api.load_project(("agents/seed-team",))
    options = BuildOptions(sources=("agents/seed-team",), targets=("claude",))
    monkeypatch.setattr(claude, "BATCH", 2)
    names = [a.name for a in project.agents]
    batched = [list(part.files) for part in claude.parts(project, options)][:-1]  # the last: manifests, none here
    assert len(names) > 4 and [p for files in batched for p in files] == [f".claude/agents/{n}.md" for n in names]
    assert [len(files) for files in batched] == [2] * (len(names) // 2) + [1] * (len(names) % 2)
    monkeypatch.setattr(claude, "BATCH", 64)
    monkeypatch.setattr(claude, "_output_name", lambda a, counts, options, diags: "same")
    parts = [list(part.files) for part in claude.parts(project, options)][:-1]
    assert parts == [[".claude/agents/same.md"]] * len(names)


def test_the_manifest_text_is_json_dumps_with_indent():
    # writer._manifest_text writes what json.dumps(..., indent=2) wrote, without json's Python encoder.
    import json
    import random

    rng = random.Random(7)
    chars = ["a", "/", ".", "-", " ", "é", "😀", "İ", '"', "\\", "\n", "\x00", "\x7f", "\udc80"]
    cases = [set(), {""}, {"claude/.claude/agents/a.md", "claude/.claude/agents/b.md"}]
    cases += [{"".join(rng.choice(chars) for _ in range(rng.randint(0, 8))) for _ in range(rng.randint(0, 6))}
              for _ in range(500)]
    for owned in cases:
        assert writer._manifest_text(owned) == json.dumps({"generator": "agentc", "files": sorted(owned)}, indent=2) + "\n"


def test_the_manifest_is_read_once_and_written_only_when_its_text_changes(tmp_path, monkeypatch):
    files = {"claude/a.md": "a\n", "claude/b.md": "b\n"}
    writer.write(tmp_path, {**files, "codex/c.md": "c\n"}, ["claude", "codex"])
    manifest = tmp_path / writer.MANIFEST
    text = manifest.read_text(encoding="utf-8")
    assert text == writer._manifest_text({*files, "codex/c.md"})
    reads = []
    real = writer._manifest
    monkeypatch.setattr(writer, "_manifest", lambda out: reads.append(out) or real(out))
    before = os.stat(manifest)
    plan = writer.write(tmp_path, {**files, "claude/a.md": "edited\n"}, ["claude"])  # codex: another build's
    assert plan.stale == ["claude/a.md"] and len(reads) == 1
    now = os.stat(manifest)
    assert (now.st_ino, now.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)  # the same list: not written again
    manifest.write_text(text.replace("\n  ", "\n "), encoding="utf-8")  # the same list, other text
    writer.write(tmp_path, files, ["claude"])
    assert manifest.read_text(encoding="utf-8") == text
    manifest.write_bytes(b"\xff not UTF-8")  # not read: agentc claims only what it writes now
    writer.write(tmp_path, files, ["claude"])
    assert manifest.read_text(encoding="utf-8") == writer._manifest_text(set(files))
    writer.write(tmp_path, {"claude/a.md": "a\n"}, ["claude"])  # b.md no longer produced: retired, unlisted
    assert not (tmp_path / "claude/b.md").exists()
    assert manifest.read_text(encoding="utf-8") == writer._manifest_text({"claude/a.md"})


def _files_below_by_scandir(folder: str, prefix: str) -> list[str]:
    """writer._files_below before os.listdir (os.scandir and each DirEntry's kind), kept as the reference."""
    found: list[str] = []
    try:
        with os.scandir(folder) as it:
            entries = list(it)
    except PermissionError:
        return found
    for e in entries:
        if e.name == "__pycache__":
            continue
        if e.is_dir(follow_symlinks=False):
            found += _files_below_by_scandir(e.path, f"{prefix}{e.name}/")
        else:
            try:
                is_file = e.is_file()
            except OSError:
                is_file = False
            if is_file:
                found.append(prefix + e.name)
    return found


def test_the_neighbours_are_the_scandir_walks_less_the_known_files(tmp_path):
    """A target's folder lists as os.scandir listed it (links to files count, linked folders and
    __pycache__ are not entered, broken links are not files); `known` paths are left out
    unless named like a temp file, which the caller must see."""
    folder = tmp_path / "claude"
    for rel in ("a.md", "sub/b.md", "sub/deep/c.md", "__pycache__/x.pyc", "sub/__pycache__/y.pyc", f".a.md{writer.TEMP}", "elsewhere/d.md"):
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_text("x", encoding="utf-8")
    (folder / "link.md").symlink_to(folder / "a.md")
    (folder / "linked").symlink_to(folder / "elsewhere", target_is_directory=True)
    (folder / "broken.md").symlink_to(folder / "missing.md")
    (folder / "empty").mkdir()
    want = sorted(_files_below_by_scandir(str(folder), "claude/"))
    assert "claude/link.md" in want and "claude/sub/deep/c.md" in want and "claude/broken.md" not in want
    assert sorted(writer._neighbours(str(tmp_path), set(), ("claude",))) == want
    known = {"claude/a.md", "claude/sub/b.md", "claude/link.md", f"claude/.a.md{writer.TEMP}", "claude/not-there.md"}
    left = sorted(writer._neighbours(str(tmp_path), set(), ("claude",), known))
    assert left == sorted(set(want) - known | {f"claude/.a.md{writer.TEMP}"})
    # a folder of its own: only the folders written into, not recursively
    own = sorted(writer._neighbours(str(folder), {"a.md", "sub/b.md"}, ("",)))
    assert own == sorted(r.removeprefix("claude/") for r in want if r.count("/") == 1 or r.startswith("claude/sub/") and r.count("/") == 2)
    assert sorted(writer._neighbours(str(folder), {"a.md", "sub/b.md"}, ("",), {"a.md", "sub/b.md"})) == sorted(set(own) - {"a.md", "sub/b.md"})
