"""Hostile input and unlucky users: every reproducer in tests/fixtures/hostile/ gets diagnostics
(snapshotted), never a traceback; the writer never overwrites a user's file, never reads its own
output as sources, and leaves no temp file after an error, Ctrl-C or SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT

import agentc
from agentc import writer

HOSTILE = ROOT / "tests" / "fixtures" / "hostile"
CASES = sorted(p.name for p in HOSTILE.glob("*.md"))


def agentc_cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "agentc", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=120, check=False)


@pytest.mark.parametrize("name", CASES)
def test_hostile_input_gets_diagnostics(name, snapshot):
    project = agentc.load_ir([str(HOSTILE / name)])
    assert [(d.severity, d.code, d.line, d.col) for d in project.diagnostics] == snapshot


@pytest.mark.parametrize("command", [["check"], ["build", "--target", "all", "--no-cache"]])
def test_no_hostile_input_crashes_the_cli(command, tmp_path):
    extra = ["--out", str(tmp_path / "out")] if command[0] == "build" else []
    for name in CASES:
        done = agentc_cli(*command, str(HOSTILE / name), *extra)
        assert done.returncode in (0, 1), (name, done.returncode, done.stderr[-2000:])
        assert "Traceback" not in done.stderr and "internal error" not in done.stderr, name


def test_billion_laughs_is_refused_quickly_and_small():
    """Nested aliases would expand to 9**9 strings; the alias is refused where it is written."""
    # VmHWM, not ru_maxrss: a forked child's ru_maxrss starts at the parent's (pytest's) size.
    code = ("import re, agentc\n"
            f"p = agentc.load_ir([{str(HOSTILE / 'billion-laughs.md')!r}])\n"
            "print(sorted({d.code for d in p.diagnostics}))\n"
            "print(re.search(r'VmHWM:\\s*(\\d+)', open('/proc/self/status').read()).group(1))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    codes, rss_kb = done.stdout.split("\n")[:2]
    assert "AGC106" in codes
    assert int(rss_kb) < 100 * 1024


def test_line_separators_keep_spans_on_the_right_line():
    project = agentc.load_ir([str(HOSTILE / "line-separators.md")])
    (agent,) = project.agents
    assert agent.name == "seps" and agent.model == "sonnet"
    assert agent.where("model").line == 4


def _agents(folder: Path, n: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        nxt = f"- Step {i + 1} → Delegate to **w{(i + 1) % n:03d}**\n"
        (folder / f"w{i:03d}.md").write_text(f"---\nname: w{i:03d}\ndescription: Worker {i}.\n---\nYou are worker {i}.\n\n"
                                             f"## Delegation\n{nxt}" + "Detail line.\n" * 300, encoding="utf-8")
    return folder


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and ".agentc-cache" not in p.parts}


def _temps(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.name.endswith(writer.TEMP)]


def test_a_users_file_at_an_output_path_is_never_overwritten(tmp_path):
    src = _agents(tmp_path / "agents", 2)
    mine = tmp_path / "out" / "claude" / ".claude" / "agents" / "w000.md"
    mine.parent.mkdir(parents=True)
    mine.write_text("my own notes\n", encoding="utf-8")
    done = agentc_cli("build", str(src), "-t", "claude", "--out", str(tmp_path / "out"))
    assert done.returncode == 1 and "AGC904" in done.stderr and "--force" in done.stderr
    assert mine.read_text(encoding="utf-8") == "my own notes\n"
    assert not (tmp_path / "out" / writer.MANIFEST).exists()  # nothing written, nothing claimed
    done = agentc_cli("build", str(src), "-t", "claude", "--out", str(tmp_path / "out"), "--force")
    assert done.returncode == 0 and mine.read_text(encoding="utf-8").startswith("---\nname: w000")


def test_an_output_folder_inside_the_sources_is_not_read_back(tmp_path):
    """Without the exclusion the second build found `.claude/agents/` under the output, read only
    those (a Claude layout limits discovery to it) and ignored edits to the real files."""
    src = _agents(tmp_path / "agents", 3)
    out = src / "generated"
    build = ("build", str(src), "-t", "claude", "--out", str(out))
    assert agentc_cli(*build).returncode == 0
    (src / "w001.md").write_text((src / "w001.md").read_text(encoding="utf-8").replace("Worker 1.", "Edited."), encoding="utf-8")
    done = agentc_cli(*build)
    assert done.returncode == 0, done.stderr
    assert "AGC905" in done.stderr
    assert 'description: "Edited."' in (out / "claude" / ".claude" / "agents" / "w001.md").read_text(encoding="utf-8")


def test_a_file_of_many_pieces_is_written_whole_through_short_writes(tmp_path, monkeypatch):
    parts = tuple(bytes([65 + i % 26]) * (i % 7) for i in range(3 * (writer._IOV_MAX or 16)))  # some empty
    written = b"".join(parts)
    writer._put(str(tmp_path / "whole"), parts)
    assert (tmp_path / "whole").read_bytes() == written
    if writer._IOV_MAX:
        calls = []

        def short(fd, views):  # a signal, a full disk: at most 5 bytes of the first piece that has any
            calls.append(len(views))
            first = next((bytes(v) for v in views if len(v)), b"")
            return os.write(fd, first[:5])

        monkeypatch.setattr(os, "writev", short)
        writer._put(str(tmp_path / "short"), parts)
        assert (tmp_path / "short").read_bytes() == written and max(calls) <= writer._IOV_MAX
    monkeypatch.setattr(writer, "_IOV_MAX", 0)  # where there is no os.writev: a write a piece
    writer._put(str(tmp_path / "apart"), parts)
    assert (tmp_path / "apart").read_bytes() == written


def test_temp_files_are_removed_on_a_write_error(tmp_path, monkeypatch):
    files = {f"claude/f{i}.md": f"text {i}\n" for i in range(5)}
    real, calls = writer._put, []

    def full_disk(path, parts, **how):
        calls.append(path)
        if len(calls) == 3:
            real(path, (parts[0][: len(parts[0]) // 2],))  # half a file, then the disk is full
            raise OSError(28, "No space left on device")
        return real(path, parts, **how)

    monkeypatch.setattr(writer, "_put", full_disk)
    with pytest.raises(OSError):
        writer.write(tmp_path, files, ["claude"])
    assert _temps(tmp_path) == [] and not list((tmp_path / "claude").glob("f*.md"))


def test_ctrl_c_while_renaming_says_how_far_it_got_and_leaves_no_temp(tmp_path, monkeypatch):
    files = {f"claude/f{i}.md": f"text {i}\n" for i in range(5)}
    (tmp_path / "claude").mkdir()  # there already: each file gets a temp file and a rename of its own
    real, calls = os.replace, []

    def interrupted(a, b):
        if str(b).endswith(writer.MANIFEST):
            return real(a, b)
        calls.append(a)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(a, b)

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(writer.Interrupted, match="2 of 5 file"):
        writer.write(tmp_path, files, ["claude"])
    assert _temps(tmp_path) == []
    # the next build, from edited sources, owns the files the stopped one renamed into place
    monkeypatch.setattr(os, "replace", real)
    edited = {p: t.replace("text", "edited") for p, t in files.items()}
    assert writer.plan(tmp_path, edited, ["claude"]).taken == []
    writer.write(tmp_path, edited, ["claude"])
    assert all((tmp_path / p).read_text() == t for p, t in edited.items())


def test_a_target_folder_the_build_makes_is_written_as_a_twin_and_renamed_whole(tmp_path):
    files = {"claude/a/f0.md": "zero\n", "claude/a/b/f1.md": "one\n", "openai/f2.md": "two\n"}
    (tmp_path / "openai").mkdir()  # there already: its file gets a temp file beside its final path
    stage = writer.Stage(tmp_path, ("claude", "openai"))
    stage.add(files, write=True)
    twin = tmp_path / f".claude{writer.TEMP}"
    assert not (tmp_path / "claude").exists() and (twin / "a" / "b" / "f1.md").read_text() == "one\n"
    assert writer.temp_of(tmp_path / "openai" / "f2.md").exists() and not (tmp_path / "openai" / "f2.md").exists()
    assert stage.finish().missing == sorted(files) and stage.finish().litter == []
    stage.commit()
    assert {p: (tmp_path / p).read_text() for p in files} == files
    assert _temps(tmp_path) == [] and not twin.exists()


def test_an_aborted_build_leaves_no_twin_and_no_folder_it_made(tmp_path):
    out = tmp_path / "out"
    stage = writer.Stage(out, ("claude",))
    stage.add({"claude/x/f.md": "text\n"}, write=True)
    assert (out / f".claude{writer.TEMP}" / "x" / "f.md").exists()
    stage.abort()
    assert not out.exists()


def test_ctrl_c_while_renaming_a_twin_writes_nothing(tmp_path, monkeypatch):
    files = {f"claude/f{i}.md": f"text {i}\n" for i in range(5)}
    real = os.replace

    def interrupted(a, b):
        if str(b).endswith(writer.MANIFEST):
            return real(a, b)
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(writer.Interrupted, match="nothing written"):
        writer.write(tmp_path, files, ["claude"])
    assert _temps(tmp_path) == [] and not (tmp_path / "claude").exists()


def test_a_killed_runs_twin_is_swept_and_the_target_written(tmp_path):
    twin = tmp_path / f".claude{writer.TEMP}"
    (twin / "a").mkdir(parents=True)
    (twin / "a" / "f0.md").write_text("half", encoding="utf-8")  # what SIGKILL before the rename leaves
    files = {"claude/a/f0.md": "zero\n", "claude/f1.md": "one\n"}
    plan = writer.write(tmp_path, files, ["claude"])
    assert plan.litter == [twin.name]
    assert {p: (tmp_path / p).read_text() for p in files} == files and _temps(tmp_path) == []


def test_a_killed_runs_litter_is_swept_and_the_output_healed(tmp_path):
    src = _agents(tmp_path / "agents", 4)
    clean, out = tmp_path / "clean", tmp_path / "out"
    assert agentc_cli("build", str(src), "-t", "all", "--out", str(clean), "--no-cache").returncode == 0
    assert agentc_cli("build", str(src), "-t", "all", "--out", str(out), "--no-cache").returncode == 0
    # What SIGKILL in the write phase leaves: half-written temp files and a stale output.
    page = out / "claude" / ".claude" / "agents" / "w001.md"
    writer.temp_of(page).write_bytes(page.read_bytes()[:100])
    writer.temp_of(out / writer.MANIFEST).write_text("{", encoding="utf-8")
    page.write_text("half", encoding="utf-8")
    assert agentc_cli("build", str(src), "-t", "all", "--out", str(out), "--no-cache").returncode == 0
    assert _temps(out) == [] and _tree(out) == _tree(clean)


def _ctrl_c_as_in_a_terminal() -> None:
    """The build's SIGINT as a terminal gives it: a test run started in the background by a
    non-interactive shell (`.ci/run &`) inherits SIGINT ignored, and Python then never raises
    KeyboardInterrupt."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _signal_while_writing(tmp_path: Path, sig: int) -> subprocess.CompletedProcess | None:
    """Start a build and send `sig` as soon as a temp file appears; None if the build was done
    first, five times over. A build that still ends with 0 may have renamed its last temps and
    exited before the signal went out (Popen sends none to a process that has exited): it is
    tried again, but if that happens every time the signal was swallowed, and the test fails."""
    src = _agents(tmp_path / "agents", 150)
    out = tmp_path / "out"
    ended_anyway = 0
    for _ in range(5):
        proc = subprocess.Popen([sys.executable, "-m", "agentc", "build", str(src), "-t", "claude", "-t", "openai",
                                 "--out", str(out), "--no-cache"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                preexec_fn=_ctrl_c_as_in_a_terminal)
        while proc.poll() is None and not _temps(out):
            time.sleep(0.0005)
        if proc.poll() is None:
            proc.send_signal(sig)
            stdout, stderr = proc.communicate(timeout=60)
            if proc.returncode != 0:
                return subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr)
            ended_anyway += 1
            assert _temps(out) == [], stderr[-500:]
        else:
            proc.communicate()
        import shutil

        shutil.rmtree(out)
    assert ended_anyway < 5, "every build signalled while writing ended with 0"
    return None


def test_ctrl_c_and_sigterm_during_a_real_write_leave_no_temp(tmp_path):
    for k, sig in enumerate((signal.SIGINT, signal.SIGTERM)):
        done = _signal_while_writing(tmp_path / str(k), sig)
        if done is None:
            pytest.skip("the build finished before a temp file could be seen (machine too fast)")
        assert done.returncode == 130, done.stderr[-500:]
        assert "agentc: interrupted" in done.stderr and "Traceback" not in done.stderr
        assert _temps(tmp_path / str(k) / "out") == []


def test_sigkill_during_a_real_write_then_rebuild_is_byte_identical(tmp_path):
    done = _signal_while_writing(tmp_path, signal.SIGKILL)
    if done is None:
        pytest.skip("the build finished before a temp file could be seen (machine too fast)")
    src, out, clean = tmp_path / "agents", tmp_path / "out", tmp_path / "clean"
    args = ["-t", "claude", "-t", "openai", "--no-cache"]
    assert agentc_cli("build", str(src), *args, "--out", str(out)).returncode == 0
    assert agentc_cli("build", str(src), *args, "--out", str(clean)).returncode == 0
    assert _temps(out) == [] and _tree(out) == _tree(clean)


def test_names_generated_python_reserves_are_renamed_everywhere():
    """`self` once gave crewai `self = self.self()`; `agent` shadowed crewAI's @agent decorator."""
    import ast

    names = ["self", "agent", "task", "crew", "class", "request-task"]
    src = {f"{n}.md": f"---\nname: {n}\ndescription: The {n} agent.\n---\nWork.\n" for n in names}
    src["self.md"] += "".join(f"\n- {n} work → Delegate to **{n}**" for n in names[1:])
    result = agentc.compile(src, targets=["langgraph", "openai-agents", "crewai"])
    assert result.ok, [d.message for d in result.diagnostics if d.severity == "error"]
    assert sorted(d.message.split("'")[1] for d in result.diagnostics if d.code == "AGC141") == \
        ["agent", "class", "crew", "request_task", "self", "task"]
    crew = next(t for p, t in result.files.items() if p.endswith("/crew.py"))
    tree = ast.parse(crew)
    (cls,) = [n for n in tree.body if isinstance(n, ast.ClassDef)]
    methods = [f.name for f in cls.body if isinstance(f, ast.FunctionDef)]
    assert len(methods) == len(set(methods))  # no agent method overwrites another member
    assert {"self_agent", "agent_agent", "task_agent", "crew_agent", "class_agent", "request_task_agent"} <= set(methods)
    for path, text in result.files.items():
        if path.endswith(".py"):
            ast.parse(text)


def test_colliding_prompt_files_are_numbered_before_the_extension():
    src = {"a/x.md": "---\nname: ml.engineer\ndescription: One.\n---\nWork.\n\n- Go → Delegate to **ml_engineer**\n",
           "b/y.md": "---\nname: ml_engineer\ndescription: Two.\n---\nWork.\n"}
    result = agentc.compile(src, targets=["langgraph"])
    assert sorted(p.rsplit("/", 1)[1] for p in result.files if "/prompts/" in p) == ["ml_engineer.md", "ml_engineer_2.md"]


def test_an_oversized_file_or_frontmatter_is_refused_unread():
    big = "---\nname: big\ndescription: " + "x" * 70_000 + "\n---\nbody\n"
    huge = b"---\nname: huge\ndescription: d\n---\n" + b"word " * 1_000_000
    result = agentc.compile({"agents/big.md": big.encode(), "agents/huge.md": huge}, targets=["all"])
    assert not result.ok and result.files == {}
    assert [(d.code, d.file, d.line) for d in result.diagnostics] == [
        ("AGC108", "agents/big.md", 1), ("AGC108", "agents/huge.md", 1)]


def test_agc901_points_at_the_source_the_path_came_from(tmp_path):
    src = tmp_path / "src"
    (src / ".claude-plugin").mkdir(parents=True)
    (src / "agents").mkdir()
    (src / ".claude-plugin" / "plugin.json").write_text('{"name": "../../../evil"}', encoding="utf-8")
    (src / "agents" / "helper.md").write_text("---\nname: helper\ndescription: Helps.\n---\nYou help.\n", encoding="utf-8")
    (tmp_path / "other.md").write_text("---\nname: helper\ndescription: Helps.\n---\nYou help.\n", encoding="utf-8")
    done = agentc_cli("build", "src", "other.md", "--target", "claude", "--out", "out", "--no-cache", cwd=tmp_path)
    assert done.returncode == 1
    assert "src/agents/helper.md:1:1: error[AGC901]" in done.stderr
    assert "plugin, '../../../evil'" in done.stderr
    assert not (tmp_path / "out").exists() and not list(tmp_path.parent.glob("evil*"))


@pytest.mark.parametrize("name,word", [("self", "self"), ("agent", "agent"), ("class", "class")])
def test_a_reserved_name_names_the_targets_in_its_hint(name, word):
    project = agentc.load_ir([str(HOSTILE / f"reserved-{name}.md")])
    (d,) = [d for d in project.diagnostics if d.code == "AGC141"]
    assert f"'{word}_agent'" in d.message and "crewai" in d.hint and "langgraph" in d.hint


def test_no_writev_limit_named_means_a_write_a_piece(monkeypatch):
    """sysconf's -1 (no limit named) or an unknown name must not make writev's batch empty (a loop
    that never ends): the writer then writes each piece alone."""
    for answer in (-1, ValueError("SC_IOV_MAX"), 1024):
        def sysconf(name, answer=answer):
            if isinstance(answer, Exception):
                raise answer
            return answer

        monkeypatch.setattr(os, "sysconf", sysconf)
        assert writer._iov_max() == (1024 if answer == 1024 and hasattr(os, "writev") else 0)
