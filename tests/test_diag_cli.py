"""Issue 13: suppressions, --fix/--diff, `agentc rule`, human option errors, locations, cascades,
paths in machine formats, and the CLI conventions (-h, help, completion, doctor, graph config).
Each numbered defect of the issue has a test here or in test_cli_output.py that fails on the old code."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
import time

import pytest
from conftest import ROOT

import agentc
from agentc import api, config, rules
from agentc.compiler.diagnostics import CODES, has_errors


def run(*args: str, cwd=None, env=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "agentc", *args], capture_output=True, text=True, cwd=cwd, env=env, check=False)


def write(path, text: str) -> None:
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")


LEAD = """\
    ---
    name: lead
    description: Leads.
    ---

    <!-- agentc: ignore[AGC301] -->
    - Payroll → Delegate to **payroll-bot**

    - Billing → Delegate to **billing-bot**

    <!-- agentc: ignore[AGC304] -->
    - Other → Delegate to **hr-bot**
    """


# --- suppressions (acceptance 2) -------------------------------------------------------------

def test_inline_suppression_silences_the_next_block_only_and_unused_ones_are_reported(tmp_path):
    write(tmp_path / "lead.md", LEAD)
    diags = api.judge(api.load_project([str(tmp_path)]).diagnostics, agentc.BuildOptions(), api.load_project([str(tmp_path)]))
    dangling = sorted(re.search(r"to '([\w-]+)'", d.message).group(1) for d in diags if d.code == "AGC301")
    assert dangling == ["billing-bot", "hr-bot"]  # payroll-bot is suppressed, the others stay
    unused = [d for d in diags if d.code == "AGC010"]
    assert len(unused) == 1 and unused[0].line == 11 and "AGC304" in unused[0].message


def test_file_wide_suppression_and_unknown_code(tmp_path):
    write(tmp_path / "lead.md", LEAD.replace("    - Other", "    <!-- agentc: ignore-file[AGC301, AGC999] -->\n    - Other"))
    r = run("check", str(tmp_path), "-v")
    assert "[AGC301]" not in r.stderr
    assert "error" not in r.stderr.split("\n")[0]
    assert "warning[AGC011]" in r.stderr and "AGC999" in r.stderr


def test_suppressions_apply_to_build_too(tmp_path):
    write(tmp_path / "lead.md", LEAD)
    result = agentc.compile([str(tmp_path)], targets=["claude"])
    assert [d for d in result.diagnostics if "payroll-bot" in d.message] == []


def test_suppressions_are_read_in_any_case(tmp_path):
    write(tmp_path / "lead.md", LEAD.replace("agentc: ignore[AGC301]", "AgentC: IGNORE[agc301]").replace("agentc:", "AGENTC:"))
    diags = api.judge(api.load_project([str(tmp_path)]).diagnostics, agentc.BuildOptions(), api.load_project([str(tmp_path)]))
    assert sorted(re.search(r"to '([\w-]+)'", d.message).group(1) for d in diags if d.code == "AGC301") == ["billing-bot", "hr-bot"]


@pytest.mark.parametrize("strict", [False, True])
@pytest.mark.parametrize("extra", ["", "    <!-- agentc: ignore-file[AGC301, AGC999] -->\n"], ids=["plain", "suppressions"])
def test_the_check_before_emitting_says_what_judging_says(tmp_path, strict, extra):
    """build_each emits without judging when nothing is an error and the build is not strict:
    that holds only while suppression comments (AGC010, AGC011) and the policy add no error."""
    write(tmp_path / "lead.md", LEAD.replace("    - Other", extra + "    - Other"))
    project = api.load_project([str(tmp_path)])
    options = agentc.BuildOptions(strict=strict)
    judged = api.judge(list(project.diagnostics), options, project)
    assert api._may_emit(list(project.diagnostics), options, project) == (not has_errors(judged))
    assert has_errors(judged) == strict  # both answers occur: the lead's dangling targets are warnings


def test_select_ignore_extend_ignore_and_per_file_ignores(tmp_path):
    (tmp_path / "agents").mkdir()
    write(tmp_path / "agents" / "lead.md", LEAD.replace("description: Leads.", "description: Leads.\n    version: 2"))
    only = run("check", "agents", "-v", "--select", "AGC0", cwd=tmp_path).stderr
    assert "[AGC010]" in only and "[AGC301]" not in only and "[AGC121]" not in only
    ignored = run("check", "agents", "-v", "--ignore", "AGC3", "--extend-ignore", "AGC010", cwd=tmp_path).stderr
    assert "[AGC301]" not in ignored and "[AGC010]" not in ignored and "[AGC121]" in ignored
    (tmp_path / "pyproject.toml").write_text('[tool.agentc]\nsources = ["agents"]\nextend-ignore = ["AGC010"]\n'
                                             '[tool.agentc.per-file-ignores]\n"agents/*.md" = ["AGC121"]\n"other.md" = ["AGC301"]\n')
    configured = run("check", "-v", cwd=tmp_path).stderr
    assert "[AGC121]" not in configured and "[AGC010]" not in configured and "[AGC301]" in configured


# --- --fix and --diff (acceptance 3) -----------------------------------------------------------

FIXABLE = {
    "typo.md": """\
        ---
        name: typo
        descriptoin: Reviews code.
        ---

        The body says descriptoin: and Task; it is prose and stays.
        """,
    "task.md": """\
        ---
        name: task
        description: Runs tasks.
        tools: Read, Task, Bash, Agent
        ---

        Body.
        """,
    "colon.md": """\
        ---
        name: colon
        description: Use when: the build breaks. Example: CI fails
        model: sonnet
        ---

        Body.
        """,
    "colour.md": """\
        ---
        name: colour
        description: Colourful.
        color: magenta
        ---

        Body.
        """,
}


@pytest.fixture
def fixable(tmp_path):
    folder = tmp_path / "agents"
    folder.mkdir()
    for name, text in FIXABLE.items():
        write(folder / name, text)
    return folder


def test_fix_repairs_every_fixable_file_and_a_second_check_finds_none(fixable):
    before = {p.name: p.read_text() for p in fixable.iterdir()}
    preview = run("check", str(fixable), "--diff")
    assert preview.returncode == 1 and {p.name: p.read_text() for p in fixable.iterdir()} == before  # nothing written
    fixed = run("check", str(fixable), "--fix", "-v")
    after = {p.name: p.read_text() for p in fixable.iterdir()}
    for code in ("AGC101", "AGC120", "AGC131", "AGC133"):
        assert "fixed " in fixed.stderr and code in fixed.stderr
        assert f"[{code}]" not in fixed.stderr.split(" file(s)\n", 1)[1]  # the check after the fixes
    again = run("check", str(fixable), "-v")
    assert not re.search(r"\[(AGC101|AGC120|AGC131|AGC133)\]", again.stderr)
    assert after["typo.md"].splitlines()[2] == "description: Reviews code."
    assert after["task.md"].splitlines()[3] == "tools: Read, Agent, Bash"
    assert after["colon.md"].splitlines()[2] == 'description: "Use when: the build breaks. Example: CI fails"'
    assert after["colour.md"].splitlines()[3] == "color: purple"
    assert "descriptoin: and Task" in after["typo.md"]  # the body is never touched
    # --diff showed exactly these edits
    for name in FIXABLE:
        for line in set(after[name].splitlines()) - set(before[name].splitlines()):
            assert "+" + line in preview.stdout
    assert run("check", str(fixable), "--diff").stdout == ""


def test_fix_leaves_a_key_typo_alone_when_the_real_key_is_there(tmp_path):
    write(tmp_path / "a.md", "---\nname: a\ndescription: x\ndescriptoin: y\n---\n\nBody.\n")
    before = (tmp_path / "a.md").read_text()
    run("check", str(tmp_path), "--fix")
    assert (tmp_path / "a.md").read_text() == before


def test_fix_keeps_crlf_and_bom(tmp_path):
    data = "\ufeff---\r\nname: a\r\ndescription: x\r\ncolor: magenta\r\n---\r\n\r\nBody.\r\n"
    (tmp_path / "a.md").write_bytes(data.encode("utf-8"))
    run("check", str(tmp_path), "--fix")
    assert (tmp_path / "a.md").read_bytes() == data.replace("magenta", "purple").encode("utf-8")


# --- agentc rule (acceptance 4) ----------------------------------------------------------------

def test_rule_explains_a_code():
    r = run("rule", "AGC301")
    assert r.returncode == 0
    for part in ("AGC301 (warning)", "Why:", "Example:", "Fix:", "Silence:", "agentc: ignore[AGC301]"):
        assert part in r.stdout
    assert run("rule", "AGC3O1").returncode == 2


def test_every_code_has_a_rule_text_and_the_readme_table_is_generated_from_them():
    assert set(rules.RULES) == set(CODES), "a code without a rule text (agentc/rules.py), or a rule for no code"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    in_readme = set(re.findall(r"^\| (AGC\d{3}) \|", readme, re.M))
    assert in_readme <= set(rules.RULES)
    assert rules.table() in readme, "README's code table is stale: paste the output of `agentc rule --table`"


# --- defect 3: bad values (AGC802, human, strict booleans) --------------------------------------

def test_bad_flag_value_is_a_human_agc802(tmp_path):
    r = run("build", str(ROOT / "agents/seed-team"), "--dangling", "maybe", "-o", str(tmp_path / "o"))
    assert r.returncode == 2
    assert "pydantic" not in r.stderr and "https://" not in r.stderr
    assert "<command line>: error[AGC802]: --dangling: 'maybe' is not one of stub, drop, error" in r.stderr


def test_python_api_reports_agc802_instead_of_raising():
    result = agentc.compile({"a.md": "---\nname: a\ndescription: x\n---\nBody.\n"}, targets=["claude"], dangling="maybe")
    assert not result.ok and result.files == {}
    assert [d.code for d in result.diagnostics] == ["AGC802"]
    assert "stub, drop, error" in result.diagnostics[0].message


@pytest.mark.parametrize("value", ['"yes"', "1", '"true"'])
def test_config_booleans_are_strict(tmp_path, value):
    path = tmp_path / "agentc.toml"
    path.write_text(f'sources = ["agents"]\nstrict = {value}\n')
    values, diags = config.load(path)
    assert values == {} and [d.code for d in diags] == ["AGC802"]
    assert "must be true or false" in diags[0].message and diags[0].line == 2


# --- defect 5: locations -------------------------------------------------------------------------

def test_toml_error_at_its_real_column(tmp_path):
    path = tmp_path / "agentc.toml"
    path.write_text('sources = ["agents"]\nout = build x\n')
    _, diags = config.load(path)
    assert (diags[0].line, diags[0].col) == (2, 7)  # "Invalid value (at line 2, column 7)": at "build"


def test_pseudo_locations_print_without_line_and_column(tmp_path):
    r = run("build", str(ROOT / "agents/seed-team"), "-t", "langraph", "-o", str(tmp_path / "o"))
    assert "<command line>: error[AGC803]" in r.stderr and "<command line>:1:1" not in r.stderr


# --- defect 6: AGC121 and AGC401 for one key ----------------------------------------------------

def test_unknown_key_reported_once_per_key():
    result = agentc.compile({"a.md": "---\nname: a\ndescription: x\nversion: 2\n---\nBody.\n"}, targets=["claude"])
    codes = [d.code for d in result.diagnostics]
    assert codes.count("AGC121") == 1 and "AGC401" not in codes


# --- defect 7: cascades --------------------------------------------------------------------------

def test_unclosed_bracket_gives_no_follow_on_agc101():
    p = api.load_project({"a.md": "---\nname: abc\ntools: [Read, Bash\ndescription: fine\n---\nBody.\n"})
    assert [d.code for d in p.diagnostics] == ["AGC102"]


def test_unclosed_frontmatter_gives_no_missing_key_errors():
    p = api.load_project({"a.md": "---\nname: a\ndescription: Never closed.\n\nBody.\n"})
    assert [d.code for d in p.diagnostics] == ["AGC105"]


# --- defect 8: machine formats relative to the working folder (acceptance 7) ---------------------

@pytest.mark.parametrize("fmt", ["github", "sarif", "json", "text"])
def test_absolute_sources_print_relative_paths(fmt):
    r = run("check", str(ROOT / "tests/fixtures/bad/dangling.md"), "--output-format", fmt, cwd=ROOT)
    out = r.stdout + r.stderr
    assert str(ROOT) not in out
    assert "tests/fixtures/bad/dangling.md" in out
    if fmt == "sarif":
        loc = json.loads(r.stdout)["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
        assert loc["uri"] == "tests/fixtures/bad/dangling.md" and loc["uriBaseId"] == "%SRCROOT%"


# --- defect 9: CLI conventions -------------------------------------------------------------------

def test_short_help_and_readable_help():
    r = run("build", "-h", env={"COLUMNS": "200", "PATH": ""})
    assert r.returncode == 0 and "Usage:" in r.stdout
    assert "<bool>" not in r.stdout
    for target in ("claude", "langgraph", "openai-agents", "crewai"):
        assert target in r.stdout  # target choices listed
    assert "<bool>" not in run("-h", env={"COLUMNS": "200", "PATH": ""}).stdout


@pytest.mark.parametrize("args", [[], ["-h"], ["--help"], ["buld"], ["--version", "build"], ["-h", "build"]])
def test_the_root_and_a_misspelt_command_see_every_command(args):
    from agentc import cli

    assert cli._for(args) is cli.app  # the root's help and "Did you mean" list them all


def test_a_subcommand_run_builds_only_that_command():
    import typer

    from agentc import cli

    root = typer.main.get_command(cli._for(["build", "agents", "-h"]))
    assert list(root.commands) == ["build"] and len(cli.app.registered_commands) > 1  # app itself untouched
    assert [p.name for p in root.commands["build"].params] == [p.name for p in typer.main.get_command(cli.app).commands["build"].params]


def test_shell_completion_script():
    r = run("--show-completion", "bash", env={"COLUMNS": "200", "PATH": "", "SHELL": "/bin/bash"})
    assert r.returncode == 0 and "_agentc_completion" in r.stdout


def test_doctor_reports_versions_config_and_cache(tmp_path):
    (tmp_path / "agentc.toml").write_text('sources = ["agents"]\n')
    r = run("doctor", cwd=tmp_path)
    assert r.returncode == 0
    for part in (f"agentc      {agentc.__version__}", "python      3.", "graphviz", "langgraph", "config      agentc.toml", "cache"):
        assert part in r.stdout


def test_graph_reads_the_configuration(tmp_path):
    (tmp_path / "agentc.toml").write_text(f'sources = ["{(ROOT / "agents/seed-team").as_posix()}"]\nignore = ["AGC301"]\n')
    r = run("graph", "-f", "json", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "ai-engineer" in r.stdout and "AGC301" not in r.stderr


def test_watch_prints_a_config_error_once(tmp_path):
    agents = tmp_path / "agents"
    agents.mkdir()
    write(agents / "a.md", "---\nname: a\ndescription: x\n---\nBody.\n")
    cfg = tmp_path / "agentc.toml"
    cfg.write_text('sources = ["agents"]\ntargets = ["claude"]\n')
    proc = subprocess.Popen([sys.executable, "-m", "agentc", "build", "--watch", "--interval", "0.1", "--watch-cycles", "2"],
                            cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not (tmp_path / "build").exists() and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    cfg.write_text('sources = ["agents"]\ntargets = ["claude"]\ndangling = "maybe"\n')
    _, err = proc.communicate(timeout=60)
    assert err.count("error[AGC802]") == 1, err


def test_readme_first_api_example_is_ok():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("### Python API", 1)[1].split("```python", 1)[1].split("```", 1)[0]
    line = next(ln for ln in block.splitlines() if ln.startswith("result = "))
    scope: dict = {"agentc": agentc}
    exec(line.split("#", 1)[0], scope)  # noqa: S102 - the README's own example
    assert scope["result"].ok


def test_config_value_error_points_at_the_value(tmp_path):
    path = tmp_path / "agentc.toml"
    path.write_text('sources = ["agents"]\ndangling = "maybe"\n')
    _, diags = config.load(path)
    assert (diags[0].line, diags[0].col) == (2, 12) and diags[0].excerpt == 'dangling = "maybe"'
    assert "'maybe' is not one of stub, drop, error" in diags[0].message


def test_suppressions_hold_after_an_incremental_rebuild(tmp_path, monkeypatch):
    import shutil

    from agentc import runner

    shutil.copytree(ROOT / "agents/seed-team", tmp_path / "agents")
    monkeypatch.chdir(tmp_path)
    ai = tmp_path / "agents/ai-engineer.md"
    text = ai.read_text(encoding="utf-8")
    line = "- Penetration tests or compliance reviews of the agent platform"
    ai.write_text(text.replace(line, "<!-- agentc: ignore[AGC301] -->\n" + line, 1)
                  + "\n<!-- agentc: ignore[AGC304] -->\nNothing here delegates to itself.\n", encoding="utf-8")

    def build(out: str, cache: bool = True) -> runner.Outcome:
        return runner.run(agentc.BuildOptions(sources=("agents",), targets=("claude",), out=out, cache=cache), "write")

    first = build("out")
    assert not [d for d in first.diagnostics if d.code == "AGC301" and "security-auditor" in d.message]
    calls: list[str] = []
    real = api.lower
    monkeypatch.setattr(api, "lower", lambda src, **kw: (calls.append(src.file), real(src, **kw))[1])
    data = tmp_path / "agents/data-engineer.md"
    data.write_text(data.read_text(encoding="utf-8").replace("## ", "More text.\n\n## ", 1), encoding="utf-8")
    again = build("out")
    assert calls == ["agents/data-engineer.md"]  # the incremental path: ai-engineer.md was not read again
    assert again.diagnostics == build("fresh", cache=False).diagnostics
    assert not [d for d in again.diagnostics if d.code == "AGC301" and "security-auditor" in d.message]
    assert [d.code for d in again.diagnostics].count("AGC010") == 1
