"""Diagnostics for machines: JSON, GitHub annotations and SARIF 2.1.0 (validated against its schema)."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import sys

import pytest
from conftest import ROOT
from hypothesis import given
from hypothesis import strategies as st

from agentc import formats
from agentc.compiler.diagnostics import CODES, diag
from agentc.compiler.span import Span

SCHEMA = ROOT / "tests/fixtures/sarif/sarif-schema-2.1.0.json"
BAD = ROOT / "tests/fixtures/bad"


def run(*args: str, cwd=None, env=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "agentc", *args], capture_output=True, text=True,
                          cwd=cwd, env=env, check=False)


@pytest.fixture
def broken(tmp_path):
    """A folder with a dangling delegate (line 12) and frontmatter YAML that cannot be read (line 3)."""
    folder = tmp_path / "agents"
    folder.mkdir()
    for name in ("dangling.md", "broken-yaml.md"):
        shutil.copy(BAD / name, folder / name)
    return tmp_path


def _validator():
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    return jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())


@pytest.mark.parametrize("command", ["check", "build"])
def test_sarif_validates_and_locates(broken, command):
    done = run(command, "agents", "--output-format", "sarif", cwd=broken)
    assert done.returncode == 1  # the YAML error fails the run
    log = json.loads(done.stdout)  # stdout holds the SARIF document and nothing else
    errors = sorted(_validator().iter_errors(log), key=str)
    assert not errors, "\n".join(e.message for e in errors[:5])
    run_ = log["runs"][0]
    assert run_["tool"]["driver"]["name"] == "agentc"
    found = {(r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
              r["locations"][0]["physicalLocation"]["region"]["startLine"], r["level"]) for r in run_["results"]}
    assert ("AGC301", "agents/dangling.md", 12, "warning") in found
    assert ("AGC102", "agents/broken-yaml.md", 3, "error") in found
    rules = run_["tool"]["driver"]["rules"]
    for r in run_["results"]:
        assert rules[r["ruleIndex"]]["id"] == r["ruleId"]


def test_github_one_annotation_per_diagnostic(broken):
    as_json = json.loads(run("check", "agents", "--output-format", "json", cwd=broken).stdout)
    done = run("check", "agents", "--output-format", "github", cwd=broken)
    lines = done.stdout.splitlines()
    assert len(lines) == len(as_json) >= 2
    assert all(re.match(r"^::(error|warning|notice) file=agents/[\w.-]+\.md,line=\d+,col=\d+,title=AGC\d{3} [^:]*::\S", ln) for ln in lines)
    assert any(ln.startswith("::warning file=agents/dangling.md,line=12,col=") for ln in lines)
    assert any(ln.startswith("::error file=agents/broken-yaml.md,line=3,") for ln in lines)


def test_github_escapes_what_would_break_a_command():
    d = diag("AGC802", Span(file="a,b:c.toml", line=2, col=3), "50% done\nsecond line", hint="x")
    (line,) = formats.github([d]).splitlines()
    assert line.startswith("::error file=a%2Cb%3Ac.toml,line=2,col=3,title=AGC802 invalid configuration value::")
    assert line.endswith("::50%25 done%0Asecond line%0Ahint: x")


def test_annotation_without_a_file_has_no_location():
    d = diag("AGC803", Span(file="<command line>", line=1), "unknown target 'x'")
    assert formats.github([d]).startswith("::error title=AGC803")
    result = json.loads(formats.sarif([d], "0"))["runs"][0]["results"][0]
    assert "locations" not in result


def test_sarif_has_every_code_as_a_rule():
    log = json.loads(formats.sarif([], "1.2.3"))
    assert [r["id"] for r in log["runs"][0]["tool"]["driver"]["rules"]] == sorted(CODES)
    assert log["runs"][0]["tool"]["driver"]["version"] == "1.2.3"
    assert not list(_validator().iter_errors(log))


def test_json_goes_to_stdout_text_to_stderr(broken):
    machine = run("check", "agents", "--output-format", "json", cwd=broken)
    assert {d["code"] for d in json.loads(machine.stdout)} >= {"AGC301", "AGC102"}
    human = run("check", "agents", cwd=broken)
    assert human.stdout == "" and "agents/dangling.md:12:" in human.stderr


def test_unknown_output_format_is_a_usage_error():
    done = run("check", "agents", "--output-format", "xml")
    assert done.returncode == 2 and "unknown output format 'xml'" in done.stderr


class _Stream(io.StringIO):
    def __init__(self, tty: bool):
        super().__init__()
        self._tty = tty

    def isatty(self) -> bool:
        return self._tty


def test_colour_only_on_a_terminal_without_no_color(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert formats.use_color(_Stream(True)) is True
    assert formats.use_color(_Stream(False)) is False
    monkeypatch.setenv("NO_COLOR", "1")
    assert formats.use_color(_Stream(True)) is False
    assert formats.use_color(_Stream(False), "always") is True
    assert formats.use_color(_Stream(True), "never") is False
    d = diag("AGC301", Span(file="a.md", line=3, col=1), "dangling", hint="fix it")
    assert "\x1b[" in formats.text([d], color=True) and "\x1b[" not in formats.text([d], color=False)
    assert re.sub(r"\x1b\[[\d;]*m", "", formats.text([d], color=True)) == formats.text([d], color=False)


def test_cli_text_is_plain_when_piped_and_coloured_when_forced(broken):
    assert "\x1b[" not in run("check", "agents", cwd=broken).stderr  # a pipe is not a terminal
    assert "\x1b[1;33mwarning[AGC301]" in run("check", "agents", "--color", "always", cwd=broken).stderr


def test_relative_paths_keeps_every_other_field(tmp_path):
    """`formats._moved` builds the diagnostic by hand: it must equal dataclasses.replace, so a
    field added to Diagnostic one day is not silently dropped from what is shown."""
    from dataclasses import fields, replace

    from agentc.compiler.diagnostics import Diagnostic

    values = {f.name: f"{f.name}-value" for f in fields(Diagnostic)}
    values.update(code="AGC301", severity="warning", file=str(tmp_path / "a.md"), line=7, col=3)
    d = Diagnostic(**values)
    (shown,) = formats.relative_paths([d], base=str(tmp_path))
    assert shown == replace(d, file="a.md")
    assert all(getattr(shown, f.name) == getattr(d, f.name) for f in fields(Diagnostic) if f.name != "file")


def test_relative_paths_moves_only_the_absolute_files_under_the_root(tmp_path):
    from agentc.compiler.diagnostics import diag
    from agentc.compiler.span import Span

    files = ["a.md", str(tmp_path / "b.md"), "<command line>", "/elsewhere/c.md", "a.md", str(tmp_path / "b.md")]
    diags = [diag("AGC301", Span(file=f, line=n + 1), "m") for n, f in enumerate(files)]
    shown = formats.relative_paths(diags, base=str(tmp_path))
    assert [d.file for d in shown] == ["a.md", "b.md", "<command line>", "/elsewhere/c.md", "a.md", "b.md"]
    assert [d.line for d in shown] == [1, 2, 3, 4, 5, 6] and shown[0] is diags[0] and shown[1] is not diags[1]
    none_moved = [d for d in diags if not d.file.startswith(str(tmp_path))]
    same = formats.relative_paths(none_moved, base=str(tmp_path))
    assert same == none_moved and same is not none_moved and all(a is b for a, b in zip(same, none_moved, strict=True))
    assert formats.relative_paths([], base=str(tmp_path)) == []


def _relative_by_relpath(file: str, root: str) -> str | None:
    """What formats.relative_paths computed for every file before its fast path."""
    import os
    from pathlib import Path, PurePosixPath

    try:
        rel = os.path.relpath(file, root)
    except ValueError:
        return None
    return None if rel.startswith("..") else PurePosixPath(*Path(rel).parts).as_posix()


ODD_FILES = ["/tmp/a.md", "/tmp/x/y/a.md", "/tmp/", "/tmp", "/tmpx/a.md", "/tmp//a.md", "/tmp/./a.md", "/tmp/x/../a.md",
             "/tmp/../tmp/a.md", "/tmp/a.md/", "/tmp/\u00e9t\u00e9/\U0001f642.md", "/tmp/a b/c\r\n.md", "/tmp/..a/b",
             "/tmp/.../a", "//tmp/a.md", "/", "/a.md", "/tmp/x/" + "y" * 5000]


@pytest.mark.parametrize("root", ["/tmp", "/tmp/", "/", "/tmp/x", "/t"])
def test_relative_paths_fast_path_agrees_with_relpath(root):
    import os

    root = os.path.abspath(root)
    for file in ODD_FILES:
        assert formats._relative(file, root) == _relative_by_relpath(file, root), (file, root)


@given(st.lists(st.sampled_from(["a", "b.md", ".", "..", "", "\u00e9", "\U0001f642", " ", "x\ny"]), max_size=6),
       st.sampled_from(["/", "/a", "/a/b", "/a/.."]))
def test_relative_paths_fast_path_agrees_with_relpath_anywhere(parts, root):
    import os

    root = os.path.abspath(root)
    file = "/" + "/".join(parts)
    assert formats._relative(file, root) == _relative_by_relpath(file, root)


def _text_one_by_one(diags, color, verbosity, statistics):
    """`formats.text` as first written: every diagnostic through `_one`, and each count its own pass."""
    from agentc.compiler.diagnostics import summary

    blocks = [formats._one(d, color, full=d.severity == "error" or verbosity >= formats.VERBOSE) for d in diags
              if not (d.severity == "info" and verbosity < formats.VERBOSE)
              and not (d.severity == "warning" and verbosity <= formats.QUIET)]
    if statistics if statistics is not None else len(diags) > 1:
        blocks.append(formats.statistics_table(diags))
    hidden = [f"{n} {what}" for n, what in (
        (sum(d.severity == "warning" for d in diags) if verbosity <= formats.QUIET else 0, "warning(s)"),
        (sum(d.severity == "info" for d in diags) if verbosity < formats.VERBOSE else 0, "info")) if n]
    line = summary(diags) + (f" ({', '.join(hidden)} not shown; -v shows everything)" if hidden else "")
    return "".join(b + "\n" for b in blocks) + line + "\n"


_ODD = st.sampled_from(["a.md", "<command line>", "x\r\ny", "İ", "ı", "ſ", "\u212a", "😀", "z" * 3000, ""])


@given(st.lists(st.builds(
    lambda code, severity, file, message, hint, excerpt, line: diag(
        code, Span(file=file, line=line, col=line), message, hint=hint, excerpt=excerpt, severity=severity),
    st.sampled_from(["AGC301", "AGC121", "AGC100"]), st.sampled_from(["error", "warning", "info"]), _ODD, _ODD,
    st.none() | _ODD, st.none() | _ODD, st.integers(0, 3)), max_size=12),
    st.booleans(), st.sampled_from([formats.QUIET, formats.DEFAULT, formats.VERBOSE]), st.sampled_from([None, True, False]))
def test_text_agrees_with_one_diagnostic_at_a_time(diags, color, verbosity, statistics):
    assert formats.text(diags, color, verbosity=verbosity, statistics=statistics) == (
        _text_one_by_one(diags, color, verbosity, statistics) if diags else "")
