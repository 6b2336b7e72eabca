"""agentc in a build pipeline: config alone, --check in CI, the cache, out_dirs, init, watch, pre-commit."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from conftest import ROOT

SEED = ROOT / "agents/seed-team"
AGENTC = Path(sys.executable).parent / "agentc"


def run(*args: str, cwd=None, env=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "agentc", *args], capture_output=True, text=True,
                          cwd=cwd, env=env, check=False, timeout=120)


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and ".agentc-cache" not in p.parts and ".git" not in p.relative_to(folder).parts}


@pytest.fixture
def repo(tmp_path) -> Path:
    """A git repository with the seed team in agents/ and a [tool.agentc] table."""
    project = tmp_path / "repo"
    shutil.copytree(SEED, project / "agents")
    (project / "pyproject.toml").write_text(
        '[project]\nname = "my-agents"\nversion = "1"\n\n'
        '[tool.agentc]\nsources = ["agents"]\ntargets = ["claude", "diagram"]\nout = "generated"\n', encoding="utf-8")
    subprocess.run(["git", "init", "-q", str(project)], check=True)
    return project


def test_acceptance_config_alone_then_check_cycle(repo):
    built = run("build", cwd=repo)
    assert built.returncode == 0, built.stderr
    out = repo / "generated/claude/.claude/agents/ml-engineer.md"
    assert out.is_file() and (repo / "generated/diagram/delegation.mmd").is_file()
    assert run("build", "--check", cwd=repo).returncode == 0

    out.write_text(out.read_text(encoding="utf-8") + "edited by hand\n", encoding="utf-8")
    stale = run("build", "--check", cwd=repo)
    assert stale.returncode == 1
    assert "stale: generated/claude/.claude/agents/ml-engineer.md" in stale.stdout
    assert run("build", cwd=repo).returncode == 0 and run("build", "--check", cwd=repo).returncode == 0

    agent = repo / "agents/data-engineer.md"
    agent.write_text(agent.read_text(encoding="utf-8") + "\nOne more paragraph.\n", encoding="utf-8")
    changed = run("build", "--check", "--diff", cwd=repo)
    assert changed.returncode == 1
    assert "stale: generated/claude/.claude/agents/data-engineer.md" in changed.stdout
    assert "+++ b/claude/.claude/agents/data-engineer.md" in changed.stdout


def test_check_names_missing_and_extra_files(repo):
    assert run("build", cwd=repo).returncode == 0
    (repo / "generated/claude/.claude/agents/ai-engineer.md").unlink()
    (repo / "agents/prompt-engineer.md").unlink()
    done = run("build", "--check", cwd=repo)
    assert done.returncode == 1
    assert "missing: generated/claude/.claude/agents/ai-engineer.md" in done.stdout
    assert "extra: generated/claude/.claude/agents/prompt-engineer.md" in done.stdout


def test_check_in_machine_formats_reports_out_of_date_files_as_diagnostics(repo):
    assert run("build", cwd=repo).returncode == 0
    (repo / "generated/diagram/delegation.mmd").write_text("changed\n", encoding="utf-8")
    done = run("build", "--check", "--output-format", "github", cwd=repo)
    assert done.returncode == 1
    assert "::error file=generated/diagram/delegation.mmd,line=1,col=1,title=AGC808" in done.stdout


# -- the cache ------------------------------------------------------------------------------------

def test_no_op_rebuild_is_cached_and_touches_nothing(repo):
    assert run("build", cwd=repo).returncode == 0
    before = {p: p.stat().st_mtime_ns for p in (repo / "generated").rglob("*") if p.is_file()}
    again = run("build", cwd=repo)
    assert again.returncode == 0 and "(cached; nothing read or written)" in again.stderr
    assert "AGC301" in again.stderr  # the last build's diagnostics are reported again
    assert {p: p.stat().st_mtime_ns for p in before} == before
    assert (repo / ".agentc-cache/.gitignore").read_text(encoding="utf-8").strip().endswith("*")


def test_editing_an_agent_invalidates_the_cache(repo):
    assert run("build", cwd=repo).returncode == 0
    agent = repo / "agents/ml-engineer.md"
    text = agent.read_text(encoding="utf-8")
    stat = agent.stat()
    # Same size, same mtime: only the bytes (and the ctime, which cannot be set back) differ.
    agent.write_text(text.replace("description:", "descriptiox:", 1), encoding="utf-8")
    os.utime(agent, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert agent.stat().st_size == stat.st_size
    done = run("build", cwd=repo)
    assert "cached" not in done.stderr
    assert "AGC120" in done.stderr  # the misspelt key is seen
    assert done.returncode == 1  # and the missing description fails the build


def test_changing_options_invalidates_the_cache(repo):
    assert run("build", cwd=repo).returncode == 0
    plain = (repo / "generated/claude/.claude/agents/ai-engineer.md").read_text(encoding="utf-8")
    assert "maturity" not in plain
    done = run("build", "--keep-unknown-keys", cwd=repo)
    assert done.returncode == 0 and "cached" not in done.stderr
    assert "maturity" in (repo / "generated/claude/.claude/agents/ai-engineer.md").read_text(encoding="utf-8")
    config = repo / "pyproject.toml"
    config.write_text(config.read_text(encoding="utf-8") + 'ignore = ["AGC301"]\n', encoding="utf-8")
    quiet = run("build", cwd=repo)
    assert "cached" not in quiet.stderr and "AGC301" not in quiet.stderr


def test_cached_output_equals_uncached_output(repo, tmp_path):
    assert run("build", cwd=repo).returncode == 0
    agent = repo / "agents/data-scientist.md"
    agent.write_text(agent.read_text(encoding="utf-8") + "\n## Principles\n- Measure twice\n", encoding="utf-8")
    assert run("build", cwd=repo).returncode == 0  # four agents from the per-file cache, one lowered
    fresh = tmp_path / "fresh"
    shutil.copytree(repo, fresh, ignore=shutil.ignore_patterns(".agentc-cache", "generated"))
    assert run("build", "--no-cache", cwd=fresh).returncode == 0
    assert tree(repo / "generated") == tree(fresh / "generated")
    assert not (fresh / ".agentc-cache").exists()


def test_check_and_failed_builds_write_no_cache(tmp_path):
    shutil.copytree(ROOT / "tests/fixtures/bad", tmp_path / "agents")
    assert run("build", "agents", "--out", "out", cwd=tmp_path).returncode == 1
    assert not (tmp_path / "out").exists()
    shutil.copytree(SEED, tmp_path / "good")
    assert run("build", "good", "--out", "out2", "--check", cwd=tmp_path).returncode == 1
    assert not (tmp_path / "out2").exists()


# -- configuration ------------------------------------------------------------------------------

def test_agentc_toml_wins_and_unknown_keys_point_at_their_line(repo):
    (repo / "agentc.toml").write_text('sources = ["agents"]\ntargets = ["claude"]\nout = "elsewhere"\n', encoding="utf-8")
    assert run("build", cwd=repo).returncode == 0
    assert (repo / "elsewhere/claude/.claude/agents/ai-engineer.md").is_file()
    assert not (repo / "generated").exists()
    (repo / "agentc.toml").write_text('sources = ["agents"]\n\n[out_dir]\nclaude = "."\n', encoding="utf-8")
    done = run("build", cwd=repo)
    assert done.returncode == 2
    assert "agentc.toml:3:1: error[AGC801]: unknown agentc.toml key 'out_dir'; did you mean 'out_dirs'?" in done.stderr


def test_bad_config_value_is_located(repo):
    config = repo / "pyproject.toml"
    config.write_text(config.read_text(encoding="utf-8") + '\n[tool.agentc.model_map]\nlanggraph = "sonnet"\n', encoding="utf-8")
    done = run("build", cwd=repo)
    assert done.returncode == 2
    assert "pyproject.toml:11:13: error[AGC802]: [tool.agentc] model_map.langgraph: must be a valid dictionary, not 'sonnet'" in done.stderr  # at the value


def test_out_dirs_puts_a_target_in_its_own_folder(repo):
    config = repo / "pyproject.toml"
    config.write_text(config.read_text(encoding="utf-8") + '\n[tool.agentc.out_dirs]\nclaude = "."\n', encoding="utf-8")
    assert run("build", cwd=repo).returncode == 0
    assert (repo / ".claude/agents/ai-engineer.md").is_file()  # straight into the repository
    assert (repo / "generated/diagram/delegation.mmd").is_file()  # the others as before
    assert not (repo / "generated/claude").exists()
    mine = repo / ".claude/agents/my-own.md"
    mine.write_text("---\nname: my-own\ndescription: hand written\n---\nhello\n", encoding="utf-8")
    (repo / "agents/prompt-engineer.md").unlink()
    again = run("build", "agents/ai-engineer.md", "agents/ml-engineer.md", cwd=repo)
    assert again.returncode == 0, again.stderr
    assert not (repo / ".claude/agents/prompt-engineer.md").exists()  # agentc's, no longer produced
    assert mine.is_file() and (repo / "agents").is_dir() and (repo / "pyproject.toml").is_file()
    assert run("build", "agents/ai-engineer.md", "agents/ml-engineer.md", "--check", cwd=repo).returncode == 0


def test_two_targets_in_one_folder_is_refused(repo):
    done = run("build", "--out-dir", "claude=shared", "--out-dir", "diagram=shared", cwd=repo)
    assert done.returncode == 2 and "AGC807" in done.stderr
    assert not (repo / "shared").exists()
    typo = run("build", "--out-dir", "claud=x", cwd=repo)
    assert typo.returncode == 2 and "out_dirs names an unknown target 'claud'; did you mean 'claude'?" in typo.stderr


def test_init_writes_a_config_and_an_agent_that_build(tmp_path):
    done = run("init", cwd=tmp_path)
    assert done.returncode == 0
    assert (tmp_path / "agentc.toml").is_file() and (tmp_path / "agents/code-reviewer.md").is_file()
    built = run("build", "--strict", cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    assert (tmp_path / "build/claude/.claude/agents/code-reviewer.md").is_file()
    again = run("init", cwd=tmp_path)
    assert "exists, left alone: agentc.toml" in again.stderr


def test_init_adds_a_table_to_an_existing_pyproject(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n', encoding="utf-8")
    assert run("init", cwd=tmp_path).returncode == 0
    text = (tmp_path / "pyproject.toml").read_text(encoding="utf-8")
    assert text.startswith('[project]\nname = "x"\n') and "[tool.agentc]" in text
    assert not (tmp_path / "agentc.toml").exists()
    assert run("check", cwd=tmp_path).returncode == 0


# -- watch ----------------------------------------------------------------------------------------

def test_watch_rebuilds_on_change(repo):
    proc = subprocess.Popen([sys.executable, "-m", "agentc", "build", "--watch", "--interval", "0.05",
                             "--watch-cycles", "2"], cwd=repo, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    target = repo / "generated/claude/.claude/agents/ml-engineer.md"
    deadline = time.monotonic() + 60
    while not target.exists() and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    assert target.exists(), "first build never happened"
    agent = repo / "agents/ml-engineer.md"
    agent.write_text(agent.read_text(encoding="utf-8") + "\nWatched change.\n", encoding="utf-8")
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert "Watched change." in target.read_text(encoding="utf-8")
    assert err.count("wrote ") == 2 and "watching agents" in err
    assert err.count("[AGC301]") == 1  # unchanged diagnostics are not printed again


# -- pre-commit -----------------------------------------------------------------------------------

def _hooks() -> dict[str, dict]:
    return {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))}


def _run_hook(hook: dict, repo: Path) -> subprocess.CompletedProcess:
    """What pre-commit does for a `language: python` hook without filenames: run `entry` in the repo."""
    argv = shlex.split(hook["entry"])
    assert argv[0] == "agentc"
    exe = str(AGENTC) if AGENTC.exists() else shutil.which("agentc")
    if exe is None:
        pytest.skip("the agentc script is not installed")
    return subprocess.run([exe, *argv[1:], *hook.get("args", [])], cwd=repo, capture_output=True, text=True, timeout=120, check=False)


def test_pre_commit_hooks_are_declared():
    hooks = _hooks()
    assert set(hooks) == {"agentc-check", "agentc-build"}
    for h in hooks.values():
        assert h["language"] == "python" and h["pass_filenames"] is False
        import re

        assert re.search(h["files"], "agents/x.md") and re.search(h["files"], "pyproject.toml")


def test_pre_commit_check_hook_fails_on_a_broken_agent(repo):
    hook = _hooks()["agentc-check"]
    assert _run_hook(hook, repo).returncode == 0
    shutil.copy(ROOT / "tests/fixtures/bad/broken-yaml.md", repo / "agents/broken-yaml.md")
    done = _run_hook(hook, repo)
    assert done.returncode == 1 and "agents/broken-yaml.md:3:" in done.stderr


def test_pre_commit_build_hook_fails_when_generated_files_are_stale(repo):
    hook = _hooks()["agentc-build"]
    assert run("build", cwd=repo).returncode == 0
    assert _run_hook(hook, repo).returncode == 0
    agent = repo / "agents/ai-engineer.md"
    agent.write_text(agent.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    done = _run_hook(hook, repo)
    assert done.returncode == 1 and "stale: generated/claude/.claude/agents/ai-engineer.md" in done.stdout


def test_renaming_a_plugin_invalidates_the_cache(tmp_path):
    """The plugin name comes from plugin.json, which is not an agent file: it is part of the key too."""
    plugin = tmp_path / "team"
    (plugin / ".claude-plugin").mkdir(parents=True)
    (plugin / ".claude-plugin/plugin.json").write_text('{"name": "alpha"}', encoding="utf-8")
    shutil.copytree(SEED, plugin / "agents")
    assert run("build", "team", "-t", "claude", "--plugin", "--out", "out", cwd=tmp_path).returncode == 0
    (plugin / ".claude-plugin/plugin.json").write_text('{"name": "bravo"}', encoding="utf-8")
    same = run("build", "team", "-t", "claude", "--plugin", "--out", "out", cwd=tmp_path)
    assert "cached" not in same.stderr
    assert "(cached; nothing read or written)" in run("build", "team", "-t", "claude", "--plugin", "--out", "out", cwd=tmp_path).stderr
