"""The tools' own validators on agentc's output, offline: `claude plugin validate --strict` (npm
`@anthropic-ai/claude-code`) on every plugin bundle, Gemini CLI's agent loader (npm
`@google/gemini-cli`) on every `.gemini/agents/*.md`, and Codex's own role loader (npm
`@openai/codex`: `codex debug prompt-input` lists every agent role it loaded, with its model and
effort, in the spawn_agent tool; a file it cannot load is silently left out, so a missing role fails).

The npm packages are installed once into a cache folder (AGENTC_NPM_CACHE, default
~/.cache/agentc-test/npm) at pinned versions. Without npm, or when the install fails, the tests
skip and print why. Copilot has no offline validator for agent files; its output is checked
against the documented schema in tests/test_coding_targets.py.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import CASES, ROOT, SHARED

from agentc import api
from agentc.compiler.options import BuildOptions

CORPUS = SHARED / "corpus" / "myclaude"
PACKAGES = {"@anthropic-ai/claude-code": "2.1.332", "@google/gemini-cli": "0.61.0", "@openai/codex": "0.171.0"}
# The validators run with a throw-away HOME and without update checks or telemetry.
QUIET = {"CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1", "DISABLE_AUTOUPDATER": "1", "DISABLE_TELEMETRY": "1",
         "GEMINI_CLI_NO_RELAUNCH": "1", "NO_UPDATE_NOTIFIER": "1"}


def _skip(reason: str):
    print(f"SKIP tool validators: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def npm_prefix() -> Path:
    """The cache folder with the pinned packages installed (installed now when missing)."""
    npm, node = shutil.which("npm"), shutil.which("node")
    if not npm or not node:
        _skip("npm/node not found on PATH (.ci/run installs them with apt-get where it can)")
    version = subprocess.run([node, "--version"], capture_output=True, text=True).stdout.strip()
    if int(version.lstrip("v").split(".")[0] or 0) < 20:
        _skip(f"node {version} is older than the validators need (20)")
    prefix = Path(os.environ.get("AGENTC_NPM_CACHE") or Path.home() / ".cache" / "agentc-test" / "npm")

    def installed(pkg: str) -> str | None:
        meta = prefix / "node_modules" / pkg / "package.json"
        return json.loads(meta.read_text(encoding="utf-8")).get("version") if meta.is_file() else None

    missing = [f"{p}@{v}" for p, v in PACKAGES.items() if installed(p) != v]
    if missing:
        prefix.mkdir(parents=True, exist_ok=True)
        done = subprocess.run([npm, "install", "--no-audit", "--no-fund", "--loglevel=error", "--prefix", str(prefix), *missing],
                              capture_output=True, text=True, timeout=900)
        if done.returncode != 0:
            _skip(f"npm install {' '.join(missing)} failed: {(done.stderr or done.stdout).strip()[-500:]}")
    return prefix


def write(files: dict[str, str], out: Path) -> Path:
    for rel, text in files.items():
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return out


def build(source: str, target: str, out: Path, **options) -> Path:
    result = api.build(BuildOptions(sources=(source,), targets=(target,), **options))
    assert result.ok, [d for d in result.diagnostics if d.severity == "error"]
    return write(result.files, out) / target


def claude_validate(prefix: Path, folder: Path, home: Path, *flags: str) -> tuple[bool, str]:
    env = {**os.environ, **QUIET, "HOME": str(home)}
    done = subprocess.run([str(prefix / "node_modules/.bin/claude"), "plugin", "validate", str(folder), *(flags or ("--strict",)), "--json"],
                          capture_output=True, text=True, timeout=120, env=env)
    try:
        ok = json.loads(done.stdout)["success"] is True
    except (ValueError, KeyError):
        ok = False
    return ok and done.returncode == 0, done.stdout[-3000:] + done.stderr[-1000:]


def plugin_folders(root: Path) -> list[Path]:
    return sorted(p.parent.parent for p in root.rglob(".claude-plugin/plugin.json"))


@pytest.mark.parametrize("case", CASES)
def test_claude_plugin_validate_strict_passes_on_every_golden_bundle(case, npm_prefix, tmp_path):
    """The golden plugin bundles themselves (tests/test_golden.py keeps them equal to the build)."""
    root = ROOT / "golden" / case / "claude-plugin"
    assert plugin_folders(root) == [root] and (root / "README.md").is_file()
    ok, output = claude_validate(npm_prefix, root, tmp_path / "home")
    assert ok, output


@pytest.mark.skipif(not CORPUS.exists(), reason="../shared is not present on a fresh clone")
def test_claude_plugin_validate_strict_passes_on_the_corpus_marketplace(npm_prefix, tmp_path):
    root = build(str(CORPUS), "claude", tmp_path / "out", plugin=True, plugin_version="1.2.0",
                 plugin_author="MyClaude", plugin_license="MIT")
    folders = plugin_folders(root)
    assert len(folders) > 20 and (root / ".claude-plugin/marketplace.json").is_file()
    assert all((f / "README.md").is_file() for f in folders)
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda f: (f, *claude_validate(npm_prefix, f, tmp_path / "home")), [root, *folders]))
    failed = [(str(f), out) for f, ok, out in results if not ok]
    assert not failed, failed[:2]


def test_claude_plugin_validate_rejects_what_agentc_used_to_write(npm_prefix, tmp_path):
    """The validator really checks: a manifest without version and author fails --strict."""
    root = build("agents/seed-team", "claude", tmp_path / "out", plugin=True)
    (root / ".claude-plugin/plugin.json").write_text('{"name": "x", "description": "d"}\n', encoding="utf-8")
    ok, output = claude_validate(npm_prefix, root, tmp_path / "home")
    assert not ok and "version" in output


def test_claude_plugin_directory_profile_needs_the_license_agc410_asks_for(npm_prefix, tmp_path):
    """`--profile directory` (what Claude's plugin directory refuses) passes once plugin_license is set."""
    licensed = build("agents/seed-team", "claude", tmp_path / "a", plugin=True, plugin_license="MIT")
    ok, output = claude_validate(npm_prefix, licensed, tmp_path / "home", "--profile", "directory")
    assert ok, output
    unlicensed = build("agents/seed-team", "claude", tmp_path / "b", plugin=True)
    ok, output = claude_validate(npm_prefix, unlicensed, tmp_path / "home", "--profile", "directory")
    assert not ok and "LICENSE_MISSING" in output


def gemini_check(prefix: Path, files: list[Path], home: Path) -> subprocess.CompletedProcess:
    bundle = prefix / "node_modules/@google/gemini-cli/bundle"
    env = {**os.environ, **QUIET, "HOME": str(home)}
    return subprocess.run(["node", str(ROOT / "tests/tools/gemini_check.mjs"), str(bundle), *map(str, files)],
                          capture_output=True, text=True, timeout=300, env=env)


def test_gemini_cli_loads_every_agent_agentc_writes(npm_prefix, tmp_path):
    sources = [f"agents/{c}" for c in CASES] + ["tests/fixtures/lossy"] + ([str(CORPUS)] if CORPUS.exists() else [])
    files = []
    for i, source in enumerate(sources):
        files += sorted((build(source, "gemini", tmp_path / f"out{i}") / ".gemini/agents").glob("*.md"))
    done = gemini_check(npm_prefix, files, tmp_path / "home")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert done.stdout.count("\nok ") + done.stdout.startswith("ok ") == len(files)


def test_gemini_cli_loader_rejects_a_claude_file(npm_prefix, tmp_path):
    """The loader really checks: Claude's own file (colour, tool names) is refused."""
    claude = build("tests/fixtures/lossy", "claude", tmp_path / "out") / ".claude/agents/reviewer.md"
    done = gemini_check(npm_prefix, [claude], tmp_path / "home")
    assert done.returncode == 1 and "color" in done.stdout


def codex_roles(prefix: Path, agents: list[Path], tmp_path: Path) -> str:
    """The `agent_type` description Codex renders from the agent files in CODEX_HOME/agents."""
    home = tmp_path / "codex-home"
    (home / "agents").mkdir(parents=True)
    for f in agents:
        shutil.copy(f, home / "agents" / f.name)
    work = tmp_path / "work"
    work.mkdir()
    env = {**os.environ, **QUIET, "HOME": str(tmp_path / "home"), "CODEX_HOME": str(home)}
    done = subprocess.run([str(prefix / "node_modules/.bin/codex"), "debug", "prompt-input", "hello"],
                          capture_output=True, text=True, timeout=120, env=env, cwd=work)
    assert done.returncode == 0, done.stderr[-2000:]

    def walk(x):
        if isinstance(x, dict):
            if x.get("name") == "spawn_agent":
                yield x
            for v in x.values():
                yield from walk(v)
        elif isinstance(x, list):
            for v in x:
                yield from walk(v)

    (spawn,) = list(walk(json.loads(done.stdout)))[:1]
    return spawn["parameters"]["properties"]["agent_type"]["description"]


def test_codex_loads_every_agent_role_agentc_writes_with_its_model_and_effort(npm_prefix, tmp_path):
    import tomllib

    sources = [f"agents/{c}" for c in CASES] + ["tests/fixtures/lossy"] + ([str(CORPUS)] if CORPUS.exists() else [])
    for i, source in enumerate(sources):
        files = sorted((build(source, "codex", tmp_path / f"out{i}") / ".codex/agents").glob("*.toml"))
        roles = codex_roles(npm_prefix, files, tmp_path / f"run{i}")
        for f in files:
            data = tomllib.loads(f.read_text(encoding="utf-8"))
            start = roles.find(f"\n{data['name']}: {{\n")
            assert start >= 0, f"Codex did not load {f.name} ({source})"
            block = roles[start:roles.find("\n}\n", start + 1)]
            assert " ".join(data["description"].split())[:60] in " ".join(block.split())
            if "model" in data:
                assert f"model is set to `{data['model']}`" in block, block
            if "model_reasoning_effort" in data:
                assert f"reasoning effort is set to `{data['model_reasoning_effort']}`" in block, block


def test_codex_leaves_out_a_role_it_cannot_load(npm_prefix, tmp_path):
    """The check is real: Codex skips a file with blank developer_instructions, so the role is missing."""
    bad = tmp_path / "blank.toml"
    bad.write_text('name = "blank"\ndescription = "Blank."\ndeveloper_instructions = "  "\n', encoding="utf-8")
    good = build("agents/seed-team", "codex", tmp_path / "out") / ".codex/agents/ai-engineer.toml"
    roles = codex_roles(npm_prefix, [bad, good], tmp_path)
    assert "\nai-engineer: {\n" in roles and "\nblank: {\n" not in roles
