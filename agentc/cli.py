"""The `agentc` command: a thin layer over `agentc.api` and the writer.

Each command's options are declared here, for typer; `build` and `check` run in
`agentc.commands`, which `agentc.entry` calls straight for a plain argv, without typer.

No `from __future__ import annotations` here: typer reads every command's parameter types on
every run, and string annotations made it compile and evaluate ~260 of them each time (~1.5 ms
of a ~85 ms no-op build); written as objects they are evaluated once, when the module loads."""

import copy
import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import List, Optional

import typer

import agentc
from agentc import commands, formats
from agentc.commands import report
from agentc.compiler.diagnostics import has_errors
from agentc.compiler.options import BuildOptions

VERSION = agentc.__version__

app = typer.Typer(no_args_is_help=True, context_settings={"help_option_names": ["-h", "--help"]},
                  help="Compile agent markdown to an IR, a delegation graph and framework code.")

FORMAT_HELP = "Diagnostics as text (stderr), json, github (Actions annotations) or sarif (2.1.0); machine formats go to stdout."


def _version(value: bool) -> None:
    if value:
        typer.echo(f"agentc {VERSION}")
        raise typer.Exit(0)


@app.callback()
def _root(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version.")) -> None:
    """agentc: agent markdown -> IR -> Claude Code, diagrams and framework code."""


QUIET_HELP = "Print errors and the summary only."
VERBOSE_HELP = "Print every diagnostic in full, infos included (default: errors in full, warnings one line each, infos counted)."
STATS_HELP = "Force (or, with --no-statistics, hide) the per-code count table printed before the summary."

SELECT_HELP = "Report only these codes or prefixes (AGC3 = every 3xx), comma-separated, repeatable."
IGNORE_HELP = "Leave these codes or prefixes out (replaces the configuration's ignore)."
EXTEND_HELP = "Leave these codes out too, on top of the configuration's ignore."
JOBS_HELP = ("Processes that lower the sources the cache does not hold and, with two targets or more, emit the targets "
             "(Linux; default: the configuration's jobs, else 0: lowering in one per 150 agents, up to the CPUs, at most 8, "
             "in one while the CPUs are busy, emitting in one).")


@app.command()
def build(
    sources: Optional[List[str]] = typer.Argument(None, help="Agent files or folders (default: the configuration's sources)."),
    target: Optional[List[str]] = typer.Option(None, "--target", "-t", help="Target name, repeatable, or 'all'."),
    out: Optional[str] = typer.Option(None, "--out", "-o", help="Output folder (default: build)."),
    out_dir: Optional[List[str]] = typer.Option(None, "--out-dir", help="TARGET=FOLDER: a target's own output folder, repeatable."),
    check: bool = typer.Option(False, "--check", help="Write nothing; exit 1 if any output is stale, missing or extra."),
    show_diff: bool = typer.Option(False, "--diff", help="With --check, print a unified diff of stale files."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Print what would be written; write nothing."),
    strict: bool = typer.Option(False, "--strict", help="Treat warnings as errors."),
    entry: Optional[str] = typer.Option(None, "--entry", help="Entry agent for framework targets."),
    dangling: Optional[str] = typer.Option(None, "--dangling", help="stub | drop | error: delegation targets not in the build."),
    plugin: bool = typer.Option(False, "--plugin", help="claude: emit a plugin bundle."),
    keep_unknown_keys: bool = typer.Option(False, "--keep-unknown-keys", help="claude: keep unknown frontmatter keys."),
    output_format: str = typer.Option("text", "--output-format", help=FORMAT_HELP),
    color: str = typer.Option("auto", "--color", help="auto | always | never (auto: only on a terminal, and never with NO_COLOR)."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Ignore and do not update the build cache."),
    jobs: Optional[int] = typer.Option(None, "--jobs", "-j", help=JOBS_HELP),
    force: bool = typer.Option(False, "--force", help="Replace files at output paths that agentc did not write."),
    config_file: Optional[str] = typer.Option(None, "--config", help="Configuration file (default: nearest agentc.toml or pyproject.toml)."),
    watch_: bool = typer.Option(False, "--watch", help="Rebuild whenever a source or the configuration changes."),
    interval: float = typer.Option(0.5, "--interval", help="With --watch: seconds between polls."),
    watch_cycles: Optional[int] = typer.Option(None, "--watch-cycles", hidden=True, help="With --watch: stop after N builds (tests)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help=QUIET_HELP),
    verbose: bool = typer.Option(False, "--verbose", "-v", help=VERBOSE_HELP),
    statistics: Optional[bool] = typer.Option(None, "--statistics/--no-statistics", help=STATS_HELP, show_default=False),
    select: Optional[List[str]] = typer.Option(None, "--select", help=SELECT_HELP),
    ignore: Optional[List[str]] = typer.Option(None, "--ignore", help=IGNORE_HELP),
    extend_ignore: Optional[List[str]] = typer.Option(None, "--extend-ignore", help=EXTEND_HELP),
) -> None:
    """Compile agents to one or more targets under OUT/<target>/ (or each target's out_dirs folder)."""
    commands.build(**locals())


@app.command()
def ir(
    sources: List[str] = typer.Argument(..., help="Agent files or folders."),
    as_json: bool = typer.Option(False, "--json", help="Print the IR as JSON."),
    strict: bool = typer.Option(False, "--strict"),
) -> None:
    """Print the IR of the agents (with --json, the whole ProjectIR and its diagnostics)."""
    project, diags = commands.load(sources, BuildOptions(strict=strict))
    if as_json:
        from agentc.compiler.ir import dump

        data = dump(replace(project, diagnostics=tuple(diags)), exclude={"diagnostics": {"__all__": {"excerpt"}}})
        typer.echo(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        report(diags)
        for a in project.agents:
            typer.echo(f"{a.id}  ({a.file})")
            typer.echo(f"  mission goals: {len(a.mission.goals) if a.mission else 0}, checklists: {len(a.checklists)} "
                       f"({sum(len(c.items) for c in a.checklists)} items), examples: {len(a.examples)}, "
                       f"failure modes: {len(a.failure_modes)}, principles: {len(a.principles)}")
            for e in project.edges_from(a.id):
                typer.echo(f"  -> {e.target_id or e.target + ' (not in build)'} [{e.kind}] {e.condition[:70]}")
    raise typer.Exit(1 if has_errors(diags) else 0)


@app.command()
def check(
    sources: Optional[List[str]] = typer.Argument(None, help="Agent files or folders (default: the configuration's sources)."),
    strict: bool = typer.Option(False, "--strict", help="Treat warnings as errors."),
    output_format: str = typer.Option("text", "--output-format", help=FORMAT_HELP),
    color: str = typer.Option("auto", "--color", help="auto | always | never."),
    config_file: Optional[str] = typer.Option(None, "--config", help="Configuration file."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help=QUIET_HELP),
    verbose: bool = typer.Option(False, "--verbose", "-v", help=VERBOSE_HELP),
    statistics: Optional[bool] = typer.Option(None, "--statistics/--no-statistics", help=STATS_HELP, show_default=False),
    select: Optional[List[str]] = typer.Option(None, "--select", help=SELECT_HELP),
    ignore: Optional[List[str]] = typer.Option(None, "--ignore", help=IGNORE_HELP),
    extend_ignore: Optional[List[str]] = typer.Option(None, "--extend-ignore", help=EXTEND_HELP),
    fix: bool = typer.Option(False, "--fix", help="Apply the mechanical fixes (AGC101 quoting, AGC120 key typos, AGC131 colours, "
                             "AGC133 tool names) to the frontmatter, then check again."),
    show_diff: bool = typer.Option(False, "--diff", help="Print the fixes --fix would make as a unified diff; write nothing."),
) -> None:
    """Report diagnostics only; build nothing (with --fix, repair what is mechanical first)."""
    commands.check(**locals())


@app.command()
def rule(
    code: Optional[str] = typer.Argument(None, help="A diagnostic code, e.g. AGC301."),
    table: bool = typer.Option(False, "--table", help="Print the README's table of every code (markdown)."),
) -> None:
    """Explain a diagnostic code: what it means, why, an example, how to fix or silence it."""
    from agentc import rules

    if table:
        typer.echo(rules.table(), nl=False)
        raise typer.Exit(0)
    if not code:
        for c in sorted(rules.RULES):
            typer.echo(f"{c}  {rules.RULES[c].severity:<7}  {rules.RULES[c].title}")
        raise typer.Exit(0)
    key = code.strip().upper()
    if key.isdigit():
        key = "AGC" + key
    if key not in rules.RULES:
        from agentc.compiler.diagnostics import did_you_mean

        close = did_you_mean(key, rules.RULES, cutoff=0.8)
        typer.echo(f"no rule {code}" + (f"; did you mean {close}?" if close else "") + " (`agentc rule` lists them)", err=True)
        raise typer.Exit(2)
    typer.echo(rules.explain(key), nl=False)


@app.command()
def doctor() -> None:
    """Versions of agentc, Python, Graphviz and each target's packages; the config found; the cache."""
    from agentc import doctor as doc

    for line in doc.report(Path.cwd()):
        typer.echo(line)


@app.command()
def init() -> None:
    """Write a starter configuration and an example agent into the current folder (never overwrites)."""
    from agentc import scaffold

    for path, status in scaffold.init(Path.cwd()):
        typer.echo(f"{status}: {path.relative_to(Path.cwd()).as_posix()}", err=True)
    typer.echo("next: agentc build  (then: agentc build --check in CI)", err=True)


@app.command()
def graph(
    sources: Optional[List[str]] = typer.Argument(None, help="Agent files or folders (default: the configuration's sources)."),
    fmt: str = typer.Option("mermaid", "--format", "-f", help="mermaid | dot | svg | json"),
    focus: Optional[str] = typer.Option(None, "--focus", help="Draw only this agent and its neighbourhood."),
    depth: Optional[int] = typer.Option(None, "--depth", min=0, help="With --focus: links to follow (default: all)."),
    placeholders: bool = typer.Option(True, "--placeholders/--no-placeholders", help="Draw names that are not in the build."),
    timeout: float = typer.Option(5.0, "--svg-timeout", help="With -f svg: seconds Graphviz may take."),
    config_file: Optional[str] = typer.Option(None, "--config", help="Configuration file."),
) -> None:
    """Print the delegation graph."""
    from agentc.targets import diagram

    if fmt not in ("mermaid", "dot", "svg", "json"):
        typer.echo(f"unknown format '{fmt}': use mermaid, dot, svg or json", err=True)
        raise typer.Exit(2)
    options, cdiags, _ = commands.options(sources or [], config_file)  # like build: [tool.agentc] sources and policy
    if has_errors(cdiags):
        commands.fail_usage(cdiags, "text")
    project, diags = commands.load(list(options.sources), options)
    report(tuple(cdiags) + diags, verbosity=formats.DEFAULT)
    try:
        project = diagram.focus(project, focus, depth, placeholders)
    except KeyError:
        typer.echo(f"--focus: no agent '{focus}' in the sources", err=True)
        raise typer.Exit(2) from None
    if fmt == "svg":
        try:
            picture = diagram.svg(diagram.dot(project), timeout)
        except diagram.NoSvg as exc:  # a tool missing or failing is not a problem of the input: exit 2
            typer.echo(f"cannot render SVG: {exc} (try --format dot or mermaid, or --focus AGENT --depth N)", err=True)
            raise typer.Exit(2) from None
        typer.echo(picture, nl=False)
    else:
        typer.echo({"mermaid": diagram.mermaid, "dot": diagram.dot, "json": diagram.as_json}[fmt](project), nl=False)
    raise typer.Exit(1 if has_errors(diags) else 0)


@app.command()
def targets() -> None:
    """List the targets."""
    from agentc.targets import TARGETS

    for t in TARGETS.values():
        typer.echo(f"{t.name:<14} {t.summary}")
        if t.capabilities:
            typer.echo(f"{'':<14} expresses: {', '.join(sorted(t.capabilities))}")


@app.command()
def schema() -> None:
    """Print the IR's JSON Schema."""
    from agentc.compiler.ir import json_schema

    typer.echo(json.dumps(json_schema(), indent=2))


def command():
    """The click command behind `app`, with help that reads well: no `<bool>` after a flag,
    `TARGET`-style placeholders after options, and the targets listed where one is chosen."""
    root = typer.main.get_command(_for(sys.argv[1:]))
    names = ""
    if any(a in ("-h", "--help") for a in sys.argv[1:]):  # the registry is not loaded for a plain run or --version
        from agentc.targets import MODULES

        names = ", ".join(MODULES)
    for sub in [root, *getattr(root, "commands", {}).values()]:
        ctx = sub.context_class(sub, info_name=sub.name, help_option_names=["-h", "--help"])
        helper = sub.get_help_option(ctx)  # made once and cached by the command
        for p in [*sub.params, *([helper] if helper is not None else [])]:
            if getattr(p, "param_type_name", "") != "option":
                continue
            if p.name == "target" and names:
                p.help = f"Target, repeatable, or 'all' (every target): {names}."
            if p.is_flag:
                p.metavar = ""
            elif p.metavar is None:
                p.metavar = {"output_format": "FORMAT", "out_dir": "TARGET=FOLDER", "config_file": "FILE"}.get(
                    p.name, p.name.upper().replace("_", "-"))
    return root


def _for(args: list[str]) -> typer.Typer:
    """`app` with only the subcommand `args` start with, when they start with one: typer builds
    a click command from each registered function's signature at every start, and a run uses
    one. The root's own help, a misspelt command and no command at all get every one."""
    chosen = [c for c in app.registered_commands if args and (c.name or c.callback.__name__) == args[0]]
    if not chosen:
        return app
    one = copy.copy(app)
    one.registered_commands = chosen
    return one


def main() -> None:
    """The full CLI (agentc.entry runs a plain build or check without it)."""
    commands.guard(lambda: command()(prog_name="agentc"))
