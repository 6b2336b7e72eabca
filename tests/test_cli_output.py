"""Signal over noise (issue 13): verbosity levels, the per-code table, one AGC301 per missing name
at the name's own column, and "did you mean" only for real typos."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
from conftest import SHARED

from agentc import api, formats
from agentc.compiler.diagnostics import CODES, diag
from agentc.compiler.graph import did_you_mean_agent
from agentc.compiler.span import Span


def run(*args: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "agentc", *args], capture_output=True, text=True, cwd=cwd, check=False)


def write(folder, name: str, text: str) -> None:
    (folder / name).write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")


@pytest.fixture
def team(tmp_path):
    """A lead naming a missing agent on two lines, an unknown key (info), and a broken file (error)."""
    folder = tmp_path / "agents"
    folder.mkdir()
    write(folder, "lead.md", """\
        ---
        name: lead
        description: Leads the team.
        version: 2
        ---

        ## Delegation
        - Payroll questions → Delegate to **payroll-bot**
        - Anything about benefits, again → Delegate to **payroll-bot**
        """)
    write(folder, "broken.md", """\
        ---
        name: broken
        ---

        Body.
        """)
    return folder


def test_default_shows_errors_in_full_warnings_on_one_line_and_counts_infos(team):
    r = run("check", str(team), "--color", "never")
    err = r.stderr
    assert r.returncode == 1
    assert "error[AGC111]" in err and "= hint:" in err  # the error keeps its hint
    warning = [ln for ln in err.splitlines() if "warning[AGC301]" in ln]
    assert len(warning) == 1  # one line per (agent, missing name) ...
    assert "(named on lines 8, 9)" in warning[0]  # ... listing every line
    after = err.splitlines()[err.splitlines().index(warning[0]) + 1]
    assert "|" not in after and "hint" not in after  # a warning is one line by default
    assert "info[AGC121]" not in err  # infos are only counted
    assert "1 error(s), 1 warning(s), 1 info" in err and "1 info not shown" in err
    assert any(ln.split()[:2] == ["1", "AGC301"] for ln in err.splitlines())  # the per-code table


def test_quiet_prints_errors_and_the_summary_only(team):
    err = run("check", str(team), "-q").stderr
    assert "error[AGC111]" in err and "warning[AGC301]" not in err and "info[AGC121]" not in err
    assert err.rstrip().splitlines()[-1].startswith("1 error(s), 1 warning(s), 1 info")


def test_verbose_prints_everything_in_full(team):
    err = run("check", str(team), "-v").stderr
    assert "info[AGC121]" in err and "not shown" not in err
    block = err[err.index("warning[AGC301]"):]
    assert "= hint:" in block.split("\n\n")[0]


def test_quiet_and_verbose_exclude_each_other(team):
    assert run("check", str(team), "-q", "-v").returncode == 2


def test_statistics_can_be_forced_or_hidden():
    one = [diag("AGC301", Span(file="a.md", line=3, col=5), "x")]
    assert "AGC301  warning" not in formats.text(one)
    assert "1  AGC301  warning  " + CODES["AGC301"][1] in formats.text(one, statistics=True)
    two = one * 2
    assert "AGC301  warning" not in formats.text(two, statistics=False)


def test_delegation_diagnostic_points_at_the_name(team):
    project = api.load_project([str(team)])
    d = next(d for d in project.diagnostics if d.code == "AGC301")
    assert (d.line, d.col) == (8, 37)  # column of 'payroll-bot' in "- Payroll questions → Delegate to **payroll-bot**"
    assert d.excerpt is not None and d.excerpt[d.col - 1:].startswith("payroll-bot")
    text = formats.text([d], verbosity=formats.VERBOSE)
    excerpt, caret = text.splitlines()[1:3]
    assert caret.index("^") == excerpt.index("payroll-bot")


@pytest.mark.parametrize(("missing", "agents", "expected"), [
    ("ml-engineer", ["ai-engineer"], None),  # never the agent itself, never a different role
    ("database-architect", ["docs-architect"], None),
    ("devops-engineer", ["mlops-engineer"], None),
    ("ml-enginer", ["ml-engineer", "ai-engineer"], "ml-engineer"),  # a typo
    ("code-reviwer", ["code-reviewer"], "code-reviewer"),
    ("databaseadmin", ["database-admin"], "database-admin"),  # a dropped hyphen
    ("api-design", ["api-designer"], "api-designer"),  # two letters short: the most the length may differ
    ("api-desig", ["api-designer"], None),  # three
])
def test_did_you_mean_only_for_close_spellings(missing, agents, expected):
    assert did_you_mean_agent(missing, agents) == expected


def test_did_you_mean_never_offers_the_delegating_agent(tmp_path):
    write(tmp_path, "ai-engineer.md", """\
        ---
        name: ai-engineer
        description: AI.
        ---

        - Training pipelines → Delegate to **ai-enginer**
        """)
    d = next(d for d in api.load_project([str(tmp_path)]).diagnostics if d.code == "AGC301")
    assert "did you mean" not in (d.hint or "")


def test_per_target_restatements_of_a_missing_delegate_are_info():
    for code in ("AGC501", "AGC601", "AGC710"):  # the fact itself is AGC301's
        assert CODES[code][0] == "info"


CORPUS = SHARED / "corpus" / "myclaude"


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the shared corpus is not beside this checkout")
def test_corpus_check_output_is_short(tmp_path):
    r = run("check", str(CORPUS), "--color", "never", cwd=tmp_path)
    lines = r.stderr.splitlines()
    assert len(lines) < 1090 // 3
    assert lines[-1].startswith("0 error(s)")
    heads = [ln for ln in lines if "[AGC301]" in ln]
    pairs = [(ln.split(":")[0], ln.split("delegates to ")[1].split("'")[1]) for ln in heads]
    assert len(pairs) == len(set(pairs))  # at most one line per (agent, missing name)
    quiet = run("check", str(CORPUS), "-q", cwd=tmp_path).stderr.splitlines()
    assert not any("warning[" in ln or "info[" in ln for ln in quiet)


@pytest.mark.parametrize(("target", "code"), [("langgraph", "AGC502"), ("openai-agents", "AGC711"), ("langgraph", "AGC501")])
def test_target_delegation_notes_point_at_the_name(team, target, code):
    dangling = "stub" if code == "AGC501" else "drop"
    result = api.compile([str(team / "lead.md")], targets=[target], dangling=dangling)
    d = next(d for d in result.diagnostics if d.code == code)
    assert (d.line, d.col) == (8, 37)
    assert d.excerpt is not None and d.excerpt[d.col - 1:].startswith("payroll-bot")


def test_claude_builtin_agents_are_not_dangling(tmp_path):
    lead = ("---\nname: lead\ndescription: Leads.\n---\n\n## Delegation\n\n"
            '- **Use Task tool with subagent_type="Explore"** for open-ended searches of the codebase\n'
            "- Delegate to **payroll-bot** for payroll questions\n")
    (tmp_path / "lead.md").write_text(lead, encoding="utf-8")
    codes = {d.code: d for d in api.load_project([str(tmp_path)]).diagnostics if d.code in ("AGC301", "AGC309")}
    assert "Explore" in codes["AGC309"].message and codes["AGC309"].line == 8
    assert "payroll-bot" in codes["AGC301"].message  # a real missing agent is still one
    (tmp_path / "explore.md").write_text("---\nname: explore\ndescription: Our own.\n---\n\nSearch.\n", encoding="utf-8")
    project = api.load_project([str(tmp_path)])
    assert "AGC309" not in {d.code for d in project.diagnostics}  # a file of that name overrides the built-in
    assert any(e.target_id == "explore" for e in project.edges)
