"""The Python API (`agentc.compile`, `agentc.load_ir`), the installed package layout, the progress line."""

from __future__ import annotations

import importlib.metadata
import io
import subprocess
import sys

from conftest import ROOT

import agentc
from agentc import api
from agentc.compiler.options import BuildOptions
from agentc.progress import Progress


def test_compile_paths_equals_the_pipeline():
    result = agentc.compile("agents/seed-team", targets=["claude", "diagram"])
    assert isinstance(result, agentc.Result) and result.ok
    reference = api.build(BuildOptions(sources=("agents/seed-team",), targets=("claude", "diagram")))
    assert result.files == reference.files
    assert result.diagnostics == reference.diagnostics


def test_options_then_keywords_override():
    base = agentc.BuildOptions(targets=("claude",), keep_unknown_keys=False)
    kept = agentc.compile(["agents/seed-team/ai-engineer.md"], options=base, keep_unknown_keys=True)
    assert "maturity" in kept.files["claude/.claude/agents/ai-engineer.md"]
    dropped = agentc.compile(["agents/seed-team/ai-engineer.md"], options=base)
    assert "maturity" not in dropped.files["claude/.claude/agents/ai-engineer.md"]


def test_errors_are_diagnostics_not_exceptions():
    result = agentc.compile({"x.md": "no frontmatter here\n"}, targets=["claude"])
    assert not result.ok and result.files == {}
    assert [(d.code, d.file, d.line) for d in result.diagnostics] == [("AGC100", "x.md", 1)]


def test_load_ir_of_a_folder():
    project = agentc.load_ir("agents/seed-team")
    assert {a.name for a in project.agents} >= {"ai-engineer", "ml-engineer"}
    assert any(e.target == "security-auditor" and e.target_id is None for e in project.edges)


def test_version_is_single_sourced():
    from agentc import cli

    assert agentc.__version__ == importlib.metadata.version("agentc-compiler") == cli.VERSION


def test_installed_layout_imports_from_anywhere(tmp_path):
    """The editable (or wheel) install maps agentc, agentc.compiler and agentc.targets, templates included."""
    code = (
        "import importlib.resources as r, agentc, agentc.compiler, agentc.targets\n"
        "from agentc.targets import TARGETS\n"
        "print(agentc.__version__, sorted(TARGETS))\n"
        "t = r.files('agentc.targets')\n"
        "print(sorted(p.name for p in t.iterdir() if p.is_dir() and (p / 'templates').is_dir()))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    version, targets = done.stdout.splitlines()[0].split(" ", 1)
    assert version == agentc.__version__ and "'claude'" in targets
    shipped = set(eval(done.stdout.splitlines()[1]))
    on_disk = {p.parent.name for p in (ROOT / "targets").glob("*/templates")}
    assert on_disk <= shipped


def test_cli_import_stays_light():
    """`agentc build` on an up-to-date tree should not pay for black, libcst or jinja2."""
    code = "import sys, agentc.cli, agentc.runner; print(sorted(m for m in ('black', 'libcst', 'jinja2') if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0 and done.stdout.strip() == "[]", done.stdout + done.stderr


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_only_on_a_terminal_and_after_the_delay():
    quiet = io.StringIO()
    p = Progress(quiet, delay=0)
    p(1, 10)
    p.close()
    assert quiet.getvalue() == ""
    tty = _Tty()
    slow = Progress(tty, delay=3600)
    slow(1, 10)
    assert tty.getvalue() == ""
    now = Progress(tty, delay=0)
    now(5, 10)
    now.phase("emitting")
    now.close()
    assert "reading agents 5/10" in tty.getvalue() and "emitting" in tty.getvalue()
    assert tty.getvalue().endswith("\r\x1b[2K")  # the line is cleared when the build ends


def test_a_long_delegation_chain_links_without_recursion_limits():
    """1,200 agents in one ring: linking is iterative and reports the one cycle."""
    n = 1200
    files = {f"a{i:04d}.md": f"---\nname: a{i:04d}\ndescription: Link {i}.\n---\nWork.\n\n## Delegation\n"
             f"- Next step → Delegate to **a{(i + 1) % n:04d}**\n" for i in range(n)}
    project = agentc.load_ir(files)
    assert len(project.edges) == n
    (cycle,) = [d for d in project.diagnostics if d.code == "AGC305"]
    assert cycle.message.startswith("delegation cycle: a0000 -> a0001 -> ") and cycle.message.endswith(" -> a0000")


def test_every_python_package_is_in_the_wheel():
    """A folder with an __init__.py under compiler/ or targets/ must be listed in pyproject's
    packages, or a wheel ships its templates but not its code (an editable install hides this)."""
    import tomllib

    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["packages"])
    on_disk = {"agentc"}
    for folder, name in (("compiler", "agentc.compiler"), ("targets", "agentc.targets")):
        for init in (ROOT / folder).rglob("__init__.py"):
            rel = init.parent.relative_to(ROOT / folder).parts
            on_disk.add(".".join((name, *rel)))
    assert on_disk <= listed, f"add to [tool.setuptools] packages: {sorted(on_disk - listed)}"
