"""The `agentc` command: a thin layer over `agentc.api` and the writer.

No `from __future__ import annotations` here: typer reads every command's parameter types on
every run, and string annotations made it compile and evaluate ~260 of them each time (~1.5 ms
of a ~85 ms no-op build); written as objects they are evaluated once, when the module loads."""

import copy
import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, List, Optional

import typer

import agentc
from agentc import api, config, formats
from agentc.compiler.diagnostics import Diagnostic, diag, has_errors
from agentc.compiler.options import BuildOptions
from agentc.compiler.span import Span

if TYPE_CHECKING:  # imported by `build` alone: `check`, `ir` and `graph` write nothing (the writer loads hashlib)
    from agentc import runner

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


def report(diags: tuple[Diagnostic, ...] | list[Diagnostic], fmt: str = "text", color: str = "auto",
           verbosity: int = formats.VERBOSE, statistics: bool | None = None) -> None:
    diags = formats.relative_paths(diags)
    if fmt == "text":
        sys.stderr.write(formats.text(list(diags), formats.use_color(sys.stderr, color), verbosity=verbosity, statistics=statistics))
    else:
        sys.stdout.write(formats.render(list(diags), fmt, version=VERSION))
    sys.stdout.flush()
    sys.stderr.flush()


def _fail_usage(diags, fmt: str, color: str = "auto") -> None:
    report(diags, fmt, color)  # usage errors are always shown in full, whatever -q says
    raise typer.Exit(2)


QUIET_HELP = "Print errors and the summary only."
VERBOSE_HELP = "Print every diagnostic in full, infos included (default: errors in full, warnings one line each, infos counted)."
STATS_HELP = "Force (or, with --no-statistics, hide) the per-code count table printed before the summary."

def _codes(values: list[str] | None) -> tuple[str, ...] | None:
    """--select AGC3,AGC121 --select AGC1: comma lists, repeatable, upper-cased."""
    if not values:
        return None
    return tuple(c.strip().upper() for v in values for c in v.split(",") if c.strip())


SELECT_HELP = "Report only these codes or prefixes (AGC3 = every 3xx), comma-separated, repeatable."
IGNORE_HELP = "Leave these codes or prefixes out (replaces the configuration's ignore)."
EXTEND_HELP = "Leave these codes out too, on top of the configuration's ignore."
JOBS_HELP = ("Processes that lower the sources the cache does not hold and, with two targets or more, emit the targets "
             "(Linux; default: the configuration's jobs, else 0: lowering in one per 150 agents, up to the CPUs, at most 8, "
             "emitting in one).")


def _verbosity(quiet: bool, verbose: bool) -> int:
    if quiet and verbose:
        typer.echo("--quiet and --verbose exclude each other", err=True)
        raise typer.Exit(2)
    return formats.QUIET if quiet else formats.VERBOSE if verbose else formats.DEFAULT


def _check_format(fmt: str, color: str) -> None:
    if fmt not in formats.FORMATS:
        typer.echo(f"unknown output format '{fmt}': use " + ", ".join(formats.FORMATS), err=True)
        raise typer.Exit(2)
    if color not in ("auto", "always", "never"):
        typer.echo(f"unknown --color '{color}': use auto, always or never", err=True)
        raise typer.Exit(2)


def _options(sources: list[str], config_file: str | None = None, **flags) -> tuple[BuildOptions, list[Diagnostic], Path | None]:
    """Options from the config file (found, or given), then the sources and flags on top."""
    values: dict = {}
    diags: list[Diagnostic] = []
    found = Path(config_file) if config_file else config.find_config(Path.cwd())
    if config_file and not found.is_file():
        diags.append(diag("AGC802", Span(file=config_file, line=1), f"config file '{config_file}' does not exist"))
        found = None
    elif found is not None:
        values, diags = config.load(found)
        if values or not diags:  # the cache of a configured project lives beside its config, like ruff's
            values.setdefault("cache_dir", config.relative(found.parent / ".agentc-cache"))
    elif not sources:
        diags.append(diag("AGC802", Span(file="<command line>", line=1), "no sources given and no configuration found",
                          hint="pass agent files or folders, run `agentc init`, or add [tool.agentc] sources = [\"agents\"] to pyproject.toml"))
    if sources:
        values["sources"] = tuple(sources)
    values.update({k: v for k, v in flags.items() if v not in (None, [], (), {})})
    try:
        return BuildOptions(**values), diags, found
    except ValueError as exc:  # pydantic's ValidationError: a flag value it refuses (e.g. --dangling maybe)
        flagged = {k for k, v in flags.items() if v not in (None, [], (), {})}
        bad = [(k, m) for k, m in config.explain(exc)]
        return BuildOptions(), diags + [diag("AGC802", Span(file="<command line>" if k in flagged else "<configuration>", line=1),
                                             f"{'--' + k.replace('_', '-') if k in flagged else k}: {m}") for k, m in bad], found


def _out_dirs(pairs: list[str] | None) -> tuple[dict[str, str], list[Diagnostic]]:
    found, diags = {}, []
    for pair in pairs or []:
        name, sep, folder = pair.partition("=")
        if not sep or not name or not folder:
            diags.append(diag("AGC802", Span(file="<command line>", line=1), f"--out-dir '{pair}': expected TARGET=FOLDER"))
        else:
            found[name] = folder
    return found, diags


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
    from agentc import runner

    _check_format(output_format, color)
    level = _verbosity(quiet, verbose)
    dirs, ddiags = _out_dirs(out_dir)
    flags = dict(targets=tuple(target or ()), out=out, strict=strict or None, entry=entry, dangling=dangling,
                 plugin=plugin or None, keep_unknown_keys=keep_unknown_keys or None, out_dirs=dirs,
                 cache=False if no_cache else None, select=_codes(select), ignore=_codes(ignore),
                 extend_ignore=_codes(extend_ignore), jobs=jobs)
    options, diags, found = _options(sources or [], config_file, **flags)
    diags += ddiags
    if has_errors(diags):
        _fail_usage(diags, output_format, color)
    if watch_:
        if check or dry_run:
            typer.echo("--watch builds; it cannot be combined with --check or --dry-run", err=True)
            raise typer.Exit(2)
        from agentc import watch

        def once():
            opts, more, _ = _options(sources or [], config_file, **flags)  # the config may have changed
            outcome = runner.run(opts, "write", force=force) if not has_errors(more) else runner.Outcome(usage_error=True)
            return tuple(more) + outcome.diagnostics, (tuple(more), outcome)

        def show(pair, changed):
            more, outcome = pair
            if changed:
                report(more + outcome.diagnostics, output_format, color, level, statistics)
            _summarise(outcome, "write", output_format)

        typer.echo(f"watching {', '.join(options.sources) or '.'} (Ctrl-C to stop)", err=True)
        watch.loop(once, lambda: _options(sources or [], config_file, **flags)[0].sources,
                   [found] if found else [], show, interval=interval, cycles=watch_cycles)
        raise typer.Exit(0)
    mode = "check" if check else "dry-run" if dry_run else "write"
    from agentc.progress import Progress

    progress = Progress(sys.stderr)
    try:
        outcome = runner.run(options, mode, want_diff=show_diff, progress=progress, force=force)
    except KeyboardInterrupt as exc:  # typer would exit 130 in silence
        progress.close()
        typer.echo(f"agentc: {exc or 'interrupted; nothing written'}", err=True)
        raise typer.Exit(130) from None
    finally:
        progress.close()
    if outcome.usage_error:
        _fail_usage(tuple(diags) + outcome.diagnostics, output_format, color)
    shown = tuple(diags) + outcome.diagnostics
    if check and output_format != "text":
        shown += tuple(diag("AGC808", Span(file=path, line=1), f"{label}: generated file " + {
            "missing": "does not exist yet", "stale": "differs from what agentc would write",
            "extra": "is no longer produced"}[label], hint="run `agentc build` and commit the result") for label, path in outcome.changes)
    report(shown, output_format, color, level, statistics)
    raise typer.Exit(_summarise(outcome, mode, output_format))


def _summarise(outcome: "runner.Outcome", mode: str, fmt: str) -> int:
    """Print what the build did or would do; return the exit code."""
    lines_to_stdout = fmt in ("text", "github")
    say = (lambda s: typer.echo(s)) if lines_to_stdout else (lambda s: typer.echo(s, err=True))
    if outcome.usage_error:
        return 2
    if outcome.failed:
        typer.echo("build failed: nothing written", err=True)
        return 1
    where = ", ".join(outcome.roots)
    if mode in ("check", "dry-run"):
        for label, path in outcome.changes:
            say(f"{label}: {path}")
            if path in outcome.diffs:
                say(outcome.diffs[path].rstrip("\n"))
        for path in outcome.foreign:
            say(f"not written by agentc (left alone): {path}")
        if mode == "check":
            typer.echo(f"{where}: " + ("up to date" if outcome.clean else f"{len(outcome.changes)} file(s) out of date"), err=True)
            return 0 if outcome.clean else 1
        return 0
    if outcome.cached:
        typer.echo(f"up to date: {outcome.unchanged} file(s) unchanged -> {where} (cached; nothing read or written)", err=True)
        return 0
    count = {k: sum(1 for label, _ in outcome.changes if label == k) for k in ("missing", "stale", "extra")}
    typer.echo(f"wrote {count['missing'] + count['stale']} file(s), {outcome.unchanged} unchanged, {count['extra']} removed "
               f"-> {where} ({', '.join(outcome.targets)})", err=True)
    return 0


def _load(sources: list[str], options: BuildOptions | None = None) -> tuple:
    """The linked project and its diagnostics after suppressions and the options' policy."""
    project = api.load_project(sources)
    return project, api.judge(project.diagnostics, options or BuildOptions(), project)



@app.command()
def ir(
    sources: List[str] = typer.Argument(..., help="Agent files or folders."),
    as_json: bool = typer.Option(False, "--json", help="Print the IR as JSON."),
    strict: bool = typer.Option(False, "--strict"),
) -> None:
    """Print the IR of the agents (with --json, the whole ProjectIR and its diagnostics)."""
    project, diags = _load(sources, BuildOptions(strict=strict))
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
    _check_format(output_format, color)
    level = _verbosity(quiet, verbose)
    options, cdiags, _ = _options(sources or [], config_file, strict=strict or None, select=_codes(select),
                                  ignore=_codes(ignore), extend_ignore=_codes(extend_ignore))
    if has_errors(cdiags):
        _fail_usage(cdiags, output_format, color)
    if fix or show_diff:
        from agentc import fix as fixer
        from agentc.discover import discover

        found, _ = discover(list(options.sources))
        plans = fixer.plan([(f.path.as_posix() if not f.path.is_absolute() else str(f.path), f.path.read_bytes()) for f in found])
        if show_diff:
            sys.stdout.write("".join(p.diff() for p in plans))
            typer.echo(f"{sum(len(p.changes) for p in plans)} fix(es) in {len(plans)} file(s) (nothing written; --fix applies them)", err=True)
            raise typer.Exit(1 if plans else 0)
        fixer.write_all(plans)
        for p in plans:
            for c in p.changes:
                typer.echo(f"fixed {c.file}:{c.line}: {c.code} {c.what}", err=True)
        typer.echo(f"{sum(len(p.changes) for p in plans)} fix(es) in {len(plans)} file(s)", err=True)
    project, diags = _load(list(options.sources), options)
    diags = tuple(cdiags) + diags
    report(diags, output_format, color, level, statistics)
    if not diags:
        typer.echo(f"{len(project.agents)} agent(s), {len(project.edges)} delegation(s): no problems", err=True)
    raise typer.Exit(1 if has_errors(diags) else 0)


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
    options, cdiags, _ = _options(sources or [], config_file)  # like build: [tool.agentc] sources and policy
    if has_errors(cdiags):
        _fail_usage(cdiags, "text")
    project, diags = _load(list(options.sources), options)
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


def _terminate(signum, frame) -> None:  # noqa: ANN001 - a signal handler's signature
    raise KeyboardInterrupt  # SIGTERM cleans up like Ctrl-C: the writer removes its temp files


def main() -> None:
    import signal

    signal.signal(signal.SIGTERM, _terminate)
    try:
        command()(prog_name="agentc")
    except SystemExit:
        raise
    except KeyboardInterrupt as exc:
        print(f"agentc: {exc or 'interrupted; nothing written'}", file=sys.stderr)
        sys.exit(130)
    except Exception as exc:  # never a traceback for any input: say what broke and how to report it
        print(f"agentc: internal error: {type(exc).__name__}: {exc}\nplease report this with the input that caused it", file=sys.stderr)
        sys.exit(3)
