"""Bad input: each problem its own located diagnostic, all at once, no traceback, nothing written."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import ROOT

from agentc import api
from agentc.compiler.diagnostics import format_text

BAD = "tests/fixtures/bad"

# file -> (code, severity, line) that must be reported for it
EXPECTED = {
    "broken-yaml.md": ("AGC102", "error", 3),
    "no-frontmatter.md": ("AGC100", "error", 1),
    "typo-key.md": ("AGC120", "warning", 3),
    "tools-number.md": ("AGC130", "error", 4),
    "name-colon.md": ("AGC112", "error", 2),
    "empty.md": ("AGC003", "error", 1),
    "latin1.md": ("AGC002", "error", 6),
    "dangling.md": ("AGC301", "warning", 12),
    "self-delegate.md": ("AGC304", "warning", 12),
    "tool-typo.md": ("AGC120", "warning", 4),
    "dup-b.md": ("AGC303", "error", 1),
}


@pytest.fixture(scope="module")
def diagnostics():
    return api.load_project([BAD]).diagnostics


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_bad_file_has_its_diagnostic(name, diagnostics):
    code, severity, line = EXPECTED[name]
    mine = [d for d in diagnostics if d.file == f"{BAD}/{name}"]
    assert any(d.code == code and d.severity == severity and d.line == line for d in mine), mine
    assert all(d.col >= 1 and d.message for d in mine)


def test_typo_key_also_reports_missing_description(diagnostics):
    (missing,) = [d for d in diagnostics if d.file.endswith("typo-key.md") and d.code == "AGC111"]
    assert "descriptoin" in missing.hint


def test_diagnostics_snapshot(diagnostics, snapshot):
    assert "\n\n".join(format_text(d) for d in diagnostics) == snapshot


def run(*args: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "agentc", *args], capture_output=True, text=True, cwd=cwd, check=False)


def test_build_of_bad_folder_fails_whole_and_writes_nothing(tmp_path):
    out = tmp_path / "out"
    done = run("build", BAD, "--target", "all", "--out", str(out))
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert not out.exists()
    for name in EXPECTED:  # every file's problem in the one run
        assert f"{BAD}/{name}:" in done.stderr
    assert "build failed: nothing written" in done.stderr


@pytest.mark.parametrize("args", [
    ("check", "no/such/path"),
    ("build", "agents", "--target", "langraph", "--out", "x"),
    ("graph", "agents", "--format", "png"),
    ("ir",),
])
def test_usage_problems_exit_nonzero_without_traceback(args, tmp_path):
    done = run(*args, cwd=None)
    assert done.returncode in (1, 2)
    assert "Traceback" not in done.stderr + done.stdout


def test_unknown_target_suggests_the_right_one():
    done = run("build", "agents", "--target", "claud", "--out", "x")
    assert done.returncode == 2
    assert "unknown target 'claud'; did you mean 'claude'?" in done.stderr
    assert "agents/" not in done.stderr  # a usage error is reported alone, before any reading


def test_strict_turns_warnings_into_errors():
    assert run("check", f"{BAD}/tool-typo.md").returncode == 0
    strict = run("check", f"{BAD}/tool-typo.md", "--strict")
    assert strict.returncode == 1 and "error[AGC120]" in strict.stderr


def test_every_code_is_documented_in_the_readme():
    from agentc.compiler.diagnostics import CODES

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [code for code in CODES if f"| {code} |" not in readme]
    assert not missing, f"document these codes in README.md: {missing}"


def test_empty_body_is_a_warning(tmp_path):
    f = tmp_path / "x.md"
    f.write_text("---\nname: quiet-agent\ndescription: Does nothing yet.\n---\n")
    project = api.load_project([str(f)])
    assert [d.code for d in project.diagnostics] == ["AGC200"]


def test_real_world_yaml_breakage_is_recovered_with_a_located_warning(tmp_path):
    """Unquoted ': ', a value starting with '**', and an indented block: all read, each warned."""
    f = tmp_path / "messy.md"
    f.write_text(
        "  ---\n"
        "  name: messy-agent\n"
        "  description: **Expert** reviewer. Use PROACTIVELY for: reviews\n"
        "  tools: Read, Grep\n"
        "  ---\n"
        "Body.\n"
    )
    project = api.load_project([str(f)])
    (agent,) = project.agents
    assert agent.description == "**Expert** reviewer. Use PROACTIVELY for: reviews"
    assert agent.tools == ("Read", "Grep")
    found = {(d.code, d.line) for d in project.diagnostics}
    assert ("AGC103", 1) in found  # indented frontmatter, at its opening line
    assert ("AGC101", 3) in found  # where YAML broke
    assert not [d for d in project.diagnostics if d.severity == "error"]


def test_diagram_svg_is_opt_in_and_says_why_it_is_missing(monkeypatch):
    import shutil

    from agentc.compiler.options import BuildOptions
    from agentc.targets import diagram

    plain = api.build(BuildOptions(sources=("agents/seed-team",), targets=("diagram",)))
    assert "diagram/delegation.svg" not in plain.files and not [d for d in plain.diagnostics if d.code == "AGC404"]
    monkeypatch.setattr(shutil, "which", lambda name: None)
    result = api.build(BuildOptions(sources=("agents/seed-team",), targets=("diagram",), svg=True))
    assert "diagram/delegation.svg" not in result.files
    (note,) = [d for d in result.diagnostics if d.code == "AGC404"]
    assert "not installed" in note.message
    with pytest.raises(diagram.NoSvg):
        diagram.svg("digraph { a -> b }")


@pytest.mark.parametrize(("data", "where"), [
    ("---\nname: a\ndescription: b\n---\nA replacement sign \ufffd written as such.\n".encode(), None),
    (b"\xef\xbb\xbf---\nname: a\ndescription: b\n---\n\xef\xbf\xbd then a bad \xff byte\r\nnext\n", (5, 16)),  # columns count bytes, as before
    (b"---\nname: a\ndescription: b\n---\nfirst\rsecond \xe9\n", (5, 14)),  # a lone CR is no line break for the position
])
def test_a_bad_byte_is_reported_where_it_is_and_a_written_replacement_sign_is_not(data, where):
    from agentc.compiler.source import read_source

    found = [(d.line, d.col) for d in read_source("a.md", data).diagnostics if d.code == "AGC002"]
    assert found == ([where] if where else [])
