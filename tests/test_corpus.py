"""The real corpus (74 MyClaude agents in a plugin marketplace layout), when ../shared is present."""

from __future__ import annotations

import subprocess
import sys

import frontmatter
import pytest
from conftest import SHARED

from agentc import api

CORPUS = SHARED / "corpus" / "myclaude"
pytestmark = pytest.mark.skipif(not CORPUS.exists(), reason="../shared is not present on a fresh clone")
SEED_TARGETS = ["ml-engineer", "neural-architecture-engineer", "data-scientist", "mlops-engineer", "backend-architect",
                "frontend-developer", "database-optimizer", "kubernetes-architect", "jax-pro", "prompt-engineer",
                "security-auditor", "data-engineer"]


@pytest.fixture(scope="module")
def project():
    return api.load_project([str(CORPUS)])


def test_every_file_compiles(project):
    assert len(project.agents) == 74
    assert not [d for d in project.diagnostics if d.severity == "error"]
    assert {a.scope for a in project.agents} >= {"llm-application-dev", "machine-learning"}


def test_seed_delegates_resolve_inside_the_marketplace(project):
    seed = project.agent("llm-application-dev:ai-engineer")
    resolved = {e.target: e.target_id for e in project.edges_from(seed.id)}
    assert sorted(resolved) == sorted(SEED_TARGETS)
    assert all(resolved.values()), resolved
    assert resolved["prompt-engineer"] == "llm-application-dev:prompt-engineer"  # own plugin first


def test_duplicates_across_plugins_are_scoped_not_errors(project):
    ids = [a.id for a in project.agents if a.name == "code-reviewer"]
    assert len(ids) == 4 and len(set(ids)) == 4
    assert any(d.code == "AGC306" and "code-reviewer" in d.message for d in project.diagnostics)
    assert any(d.code == "AGC302" for d in project.diagnostics)  # ambiguous bare names are named


def test_dangling_references_are_located_warnings(project):
    dangling = [d for d in project.diagnostics if d.code == "AGC301"]
    assert len(dangling) > 20
    assert all(d.severity == "warning" and d.file.endswith(".md") and d.line > 1 for d in dangling)


def test_build_check_cycle_on_the_corpus(tmp_path):
    out = tmp_path / "OUT"
    cmd = [sys.executable, "-m", "agentc", "build", str(CORPUS), "--target", "claude", "--target", "diagram", "--out", str(out)]
    done = subprocess.run(cmd, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    agents = sorted((out / "claude/.claude/agents").glob("*.md"))
    assert len(agents) == 74  # plugin copies of one name get plugin-prefixed file names
    for path in agents:
        post = frontmatter.load(path)
        assert ":" not in post["name"] and post["description"]
    assert subprocess.run(cmd + ["--check"], capture_output=True).returncode == 0
    target = agents[0]
    target.write_text(target.read_text() + "\nedited\n")
    again = subprocess.run(cmd + ["--check"], capture_output=True, text=True)
    assert again.returncode == 1 and target.name in again.stdout
