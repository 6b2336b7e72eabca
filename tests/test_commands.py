"""agentc.commands: a plain build or check runs without typer, exactly as typer would run it.

`parse` must give typer's own keyword arguments for every argv it accepts, and give up (None)
on every argv typer refuses, so that typer still says what is wrong with it."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest
import typer
from conftest import ROOT
from hypothesis import given, settings
from hypothesis import strategies as st

from agentc import cli, commands

LEFT_TO_TYPER = {"--watch", "--interval", "--watch-cycles", "-h", "--help"}


def typer_parse(argv: list[str]) -> tuple[str, dict] | None:
    """What typer hands agentc.commands for `argv`, or None when it refuses the argv."""
    got = []
    root = typer.main.get_command(cli.app)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(commands, "build", lambda **kw: got.append(("build", kw)))
        mp.setattr(commands, "check", lambda **kw: got.append(("check", kw)))
        try:
            root.main(argv, prog_name="agentc", standalone_mode=False)
        except Exception:  # a click usage error: typer would print it and exit 2
            return None
    return got[0] if got else None


@pytest.mark.parametrize("name", ["build", "check"])
def test_the_table_is_the_clis_options(name):
    """Every option typer declares (but those left to it) with its kind; the defaults are
    checked by parsing the bare command below."""
    command = typer.main.get_command(cli.app).commands[name]
    table = {}
    for p in command.params:
        if p.param_type_name != "option":
            assert p.name == "sources" and p.nargs == -1
            continue
        kind = commands.FLAG if p.is_flag else commands.MANY if p.multiple else commands.VALUE
        for opt in [*p.opts, *p.secondary_opts]:
            if opt not in LEFT_TO_TYPER:
                table[opt] = (p.name, kind)
    assert commands.OPTIONS[name] == table
    converted = {p.name: p.type.name for p in command.params if p.type.name not in ("str", "boolean")}
    assert converted == ({"jobs": "int", "interval": "float", "watch_cycles": "int"} if name == "build" else {})


PLAIN = [
    ["build"],
    ["check"],
    ["build", "agents", "-t", "claude", "--out", "out"],
    ["build", "agents", "--target=claude", "-t", "all", "-o", "o", "--out=p", "-j", "2", "--jobs=1"],
    ["build", "a", "b", "--check", "--diff", "--dry-run", "--strict", "--no-cache", "--force", "--plugin", "--keep-unknown-keys"],
    ["build", "--select", "AGC3,agc1", "--select", "AGC2", "--ignore=AGC301", "--extend-ignore", "x", "-q", "--statistics"],
    ["build", "--out-dir", "claude=c", "--out-dir=diagram=d", "--entry", "e", "--dangling", "drop", "--config", "c.toml"],
    ["build", "--output-format", "json", "--color=never", "--no-statistics", "-v", "--statistics"],
    ["build", "--", "-t", "--out", "x"],
    ["build", "-", "--out", "--", "x"],  # "--" taken as --out's value, as click takes it
    ["build", "--out", "-t"],  # a value that looks like an option is still the value
    ["build", "--out=", "-j", " 3 ", "-j", "+4", "-j", "1_0"],  # int() as click's INT
    ["build", "--out", "é🙂", "a b", "--target", ""],
    ["check", "agents", "--fix", "--diff", "--strict", "-q", "-v", "--color", "always", "--select=AGC1"],
    ["build", "agents", "--check", "--check"],
    ["build", "--verbose", "--quiet"],  # both: the body refuses them, not the parser
]
REFUSED = [
    ["build", "--bogus"], ["build", "-x"],
    ["build", "--check=1"], ["build", "--out"], ["build", "-j", "two"], ["build", "-j"], ["build", "--jobs=1.5"],
    ["check", "--fix=yes"], ["check", "-t", "claude"], ["check", "--out", "x"], ["build", "--targ", "x"],
]
FALLBACK = [["build", "-qv"], ["build", "-tclaude"], ["build", "-t=claude"], ["build", "--watch"], ["build", "-h"], ["check", "--help"], ["build", "--interval", "1"], ["ir", "agents"],
            ["--version"], ["build", "--version"], [], ["doctor"], ["--", "build"], ["buld"]]


@pytest.mark.parametrize("argv", PLAIN)
def test_a_plain_argv_parses_as_typer_parses_it(argv):
    assert commands.parse(argv) is not None
    assert commands.parse(argv) == typer_parse(argv)


@pytest.mark.parametrize("argv", REFUSED)
def test_an_argv_typer_refuses_is_left_to_typer(argv):
    assert typer_parse(argv) is None  # typer says what is wrong
    assert commands.parse(argv) is None


@pytest.mark.parametrize("argv", FALLBACK)
def test_help_watch_and_other_commands_are_left_to_typer(argv):
    assert commands.parse(argv) is None


def test_shell_completion_is_left_to_typer(monkeypatch):
    monkeypatch.setenv("_AGENTC_COMPLETE", "bash_complete")
    assert commands.parse(["build"]) is None


TOKENS = ["-t", "claude", "--target", "--target=all", "-o", "out", "--out=x", "--out=", "--", "-", "-j", "2", "-j4",
          "--jobs=3", "x", "--check", "--check=1", "-q", "-v", "-qv", "--statistics", "--no-statistics", "--select",
          "AGC3,agc1", "--diff", "--fix", "--bogus", "-h", "--watch", "é", "🙂", "a b", "", "--color", "never",
          "--output-format", "--out-dir", "c=d", "--config", "--entry", "--dangling", "--no-cache", "--force",
          "--plugin", "-tclaude", "--strict", "--interval", "1.5", "--version", "--keep-unknown-keys", "--dry-run",
          "--ignore", "--extend-ignore", "-x", "--jobs", "--quiet", "--verbose", "\r\n", "--out=a=b"]


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(["build", "check"]), st.lists(st.sampled_from(TOKENS), max_size=8))
def test_any_argv_parses_as_typer_parses_it_or_is_left_to_typer(name, rest):
    argv = [name, *rest]
    mine = commands.parse(argv)
    if mine is not None:
        assert mine == typer_parse(argv)


def _stream() -> io.TextIOWrapper:
    return io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="strict")


@pytest.mark.parametrize("message", ["plain", "", "é🙂\r\nx", "\x1b[1;31mred\x1b[0m and \x1b[?25l", "\x1b]not a code"])
@pytest.mark.parametrize("nl", [True, False])
def test_echo_writes_what_clicks_echo_writes(monkeypatch, message, nl):
    written = []
    for echo in (commands.echo, typer.echo):
        stream = _stream()
        monkeypatch.setattr(sys, "stderr", stream)
        echo(message, err=True, nl=nl)
        written.append(stream.buffer.getvalue())
    assert written[0] == written[1]


def test_echo_on_an_ascii_stream_is_clicks(monkeypatch):
    stream = io.TextIOWrapper(io.BytesIO(), encoding="ascii", errors="strict")
    monkeypatch.setattr(sys, "stdout", stream)
    commands.echo("é")  # click writes through its own UTF-8 wrapper, replacing what it cannot encode
    stream.flush()
    assert b"\xc3\xa9" in stream.buffer.getvalue()


def test_an_interrupt_exits_130_in_silence_as_under_typer(monkeypatch, capsys):
    def interrupted(**kw):
        raise KeyboardInterrupt

    monkeypatch.setattr(commands, "build", interrupted)
    with pytest.raises(SystemExit) as fast:
        commands.main(["build"])
    with pytest.raises(SystemExit) as slow:
        typer.main.get_command(cli.app).main(["build"], prog_name="agentc")
    assert fast.value.code == slow.value.code == 130
    assert capsys.readouterr() == ("", "")


def test_a_plain_build_imports_no_typer(tmp_path):
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "agentc", "build", str(ROOT / "agents" / "seed-team"),
                           "-t", "claude", "--out", str(tmp_path / "out")], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "| typer" not in done.stderr and "| agentc.commands" in done.stderr


def test_a_bad_option_still_gets_typers_message(tmp_path):
    done = subprocess.run([sys.executable, "-m", "agentc", "build", "--bogus"], capture_output=True, text=True, check=False,
                          env={"COLUMNS": "200", "PATH": "", "TERM": "dumb"})
    assert done.returncode == 2 and "No such option: --bogus" in done.stderr
