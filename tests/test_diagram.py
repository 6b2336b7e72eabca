"""The diagram target with a real Graphviz: DOT it renders (newrank), SVG only when asked,
bounded in time and size, and `agentc graph` focus, depth and exit codes."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest
from conftest import ROOT, SHARED

from agentc import api
from agentc.compiler.options import BuildOptions
from agentc.targets import diagram

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz 'dot' is not installed")
CORPUS = SHARED / "corpus" / "myclaude"


def png(dot_source: str) -> bytes:
    done = subprocess.run(["dot", "-Tpng"], input=dot_source.encode(), capture_output=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr.decode()[:300]
    return done.stdout


@needs_dot
@pytest.mark.parametrize("source", ["agents/seed-team", "corpus"])
def test_graphviz_renders_the_diagram_to_png(source, tmp_path):
    if source == "corpus" and not CORPUS.is_dir():
        pytest.skip("../shared is not present on a fresh clone")
    project = api.load_project([str(CORPUS if source == "corpus" else ROOT / source)])
    picture = png(diagram.dot(project))
    assert picture.startswith(b"\x89PNG\r\n\x1a\n") and len(picture) > 1000
    # Graphviz 2.43 could not rank the corpus's clusters without newrank ("trouble in init_rank")
    assert "newrank=true;" in diagram.dot(project)


@needs_dot
def test_svg_is_written_only_when_asked_and_check_agrees_everywhere(tmp_path):
    on = api.build(BuildOptions(sources=("agents/seed-team",), targets=("diagram",), svg=True))
    assert on.files["diagram/delegation.svg"].lstrip().startswith(("<?xml", "<svg"))
    off = api.build(BuildOptions(sources=("agents/seed-team",), targets=("diagram",)))
    assert "diagram/delegation.svg" not in off.files  # the default output is the same with and without dot


@needs_dot
def test_svg_rendering_is_bounded_in_time_and_size():
    n = 120
    agents = {f"n{i}.md": f"---\nname: n{i:03d}\ndescription: Node {i}.\n---\nWork.\n\n## Delegation\n"
              + "".join(f"- Case {j} → Delegate to **n{j:03d}**\n" for j in range(n) if j != i) for i in range(n)}
    project = api.load_ir(agents)
    slow = api.build(BuildOptions(targets=("diagram",), svg=True, svg_timeout_s=0.05, svg_max_edges=10**6), project)
    assert "diagram/delegation.svg" not in slow.files
    assert any(d.code == "AGC404" and "did not finish within 0.05 s" in d.message for d in slow.diagnostics)
    big = api.build(BuildOptions(targets=("diagram",), svg=True), project)
    assert "diagram/delegation.svg" not in big.files and any(d.code == "AGC405" for d in big.diagnostics)


def test_dot_failure_is_reported_with_its_own_message():
    if shutil.which("dot") is None:
        with pytest.raises(diagram.NoSvg, match="not installed"):
            diagram.svg("digraph { a -> b }")
    else:
        with pytest.raises(diagram.NoSvg, match="failed: .*syntax error"):
            diagram.svg("digraph { a -> }")


def test_graph_focus_depth_and_placeholders():
    project = api.load_project([str(ROOT / "agents/seed-team")])
    near = diagram.focus(project, "prompt-engineer", depth=1, placeholders=False)
    assert {a.id for a in near.agents} == {"prompt-engineer", "ai-engineer", "data-scientist", "ml-engineer"}
    assert all(e.target_id for e in near.edges)
    assert any(not e.target_id for e in diagram.focus(project, "ai-engineer", depth=0).edges)
    assert {a.id for a in diagram.focus(project, "prompt-engineer", depth=0).agents} == {"prompt-engineer"}
    with pytest.raises(KeyError):
        diagram.focus(project, "nobody")


def test_graph_svg_without_a_usable_dot_exits_2(tmp_path):
    env = {"PATH": str(tmp_path)}  # no dot on this PATH
    done = subprocess.run([sys.executable, "-m", "agentc", "graph", "agents/seed-team", "-f", "svg"], cwd=ROOT,
                          capture_output=True, text=True, env=env, check=False)
    assert done.returncode == 2 and "cannot render SVG: Graphviz 'dot' is not installed" in done.stderr
