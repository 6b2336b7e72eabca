"""The `agentc` command: a thin layer over `agentc.compiler.api` and the writer."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import List, Optional

import typer
from agentc.compiler import api, config, writer
from agentc.compiler.diagnostics import Diagnostic, apply_policy, diag, format_text, has_errors, summary
from agentc.compiler.options import BuildOptions
from agentc.compiler.span import Span

VERSION = "0.1.0"

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Compile agent markdown to an IR, a delegation graph and framework code.")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"agentc {VERSION}")
        raise typer.Exit(0)


@app.callback()
def _root(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version.")) -> None:
    """agentc: agent markdown -> IR -> Claude Code, diagrams and framework code."""


def report(diags: tuple[Diagnostic, ...] | list[Diagnostic], fmt: str = "text") -> None:
    if fmt == "json":
        typer.echo(json.dumps([d.model_dump(exclude={"excerpt"}) for d in diags], indent=2), err=True)
        return
    for d in diags:
        typer.echo(format_text(d), err=True)
    if diags:
        typer.echo(summary(diags), err=True)


def _options(sources: list[str], **flags) -> tuple[BuildOptions, list[Diagnostic]]:
    values: dict = {}
    diags: list[Diagnostic] = []
    if not sources:
        found = config.find_pyproject(Path.cwd())
        if found is None:
            diags.append(diag("AGC802", Span(file="pyproject.toml", line=1), "no sources given and no [tool.agentc] table found",
                              hint="pass agent files or folders, or add [tool.agentc] sources = [\"agents\"] to pyproject.toml"))
        else:
            values, diags = config.load(found)
    else:
        values["sources"] = tuple(sources)
    values.update({k: v for k, v in flags.items() if v not in (None, [], ())})
    return BuildOptions(**values), diags


@app.command()
def build(
    sources: Optional[List[str]] = typer.Argument(None, help="Agent files or folders (default: [tool.agentc] sources)."),
    target: Optional[List[str]] = typer.Option(None, "--target", "-t", help="Target name, repeatable, or 'all'."),
    out: Optional[str] = typer.Option(None, "--out", "-o", help="Output folder (default: build)."),
    check: bool = typer.Option(False, "--check", help="Write nothing; exit 1 if any output is stale, missing or extra."),
    show_diff: bool = typer.Option(False, "--diff", help="With --check, print a unified diff of stale files."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Print what would be written; write nothing."),
    strict: bool = typer.Option(False, "--strict", help="Treat warnings as errors."),
    entry: Optional[str] = typer.Option(None, "--entry", help="Entry agent for framework targets."),
    dangling: Optional[str] = typer.Option(None, "--dangling", help="stub | drop | error: delegation targets not in the build."),
    plugin: bool = typer.Option(False, "--plugin", help="claude: emit a plugin bundle."),
    keep_unknown_keys: bool = typer.Option(False, "--keep-unknown-keys", help="claude: keep unknown frontmatter keys."),
    output_format: str = typer.Option("text", "--output-format", help="Diagnostics as text or json."),
) -> None:
    """Compile agents to one or more targets under OUT/<target>/."""
    options, diags = _options(sources or [], targets=tuple(target or ()), out=out, strict=strict or None, entry=entry,
                              dangling=dangling, plugin=plugin or None, keep_unknown_keys=keep_unknown_keys or None)
    diags += api.resolve_targets(options.targets)[1]
    if has_errors(diags):
        report(diags, output_format)
        raise typer.Exit(2)
    result = api.build(options)
    report(tuple(diags) + result.diagnostics, output_format)
    if not result.ok:
        typer.echo("build failed: nothing written", err=True)
        raise typer.Exit(1)
    out_dir = Path(options.out)
    targets = sorted({p.split("/", 1)[0] for p in result.files})
    try:
        todo = writer.plan(out_dir, result.files, targets)
    except writer.UnsafePath as exc:
        report([diag("AGC901", Span(file=str(exc), line=1), f"refusing to write '{exc}' outside {out_dir}")])
        raise typer.Exit(1) from None
    if check or dry_run:
        for label, paths in (("missing", todo.missing), ("stale", todo.stale), ("extra", todo.extra)):
            for p in paths:
                typer.echo(f"{label}: {(out_dir / p).as_posix()}")
                if show_diff and label == "stale":
                    typer.echo(writer.diff(out_dir, p, result.files[p]), nl=False)
        for p in todo.foreign:
            typer.echo(f"not written by agentc (left alone): {(out_dir / p).as_posix()}")
        if check:
            n = len(todo.missing) + len(todo.stale) + len(todo.extra)
            typer.echo(f"{out_dir.as_posix()}: " + ("up to date" if todo.clean else f"{n} file(s) out of date"), err=True)
            raise typer.Exit(0 if todo.clean else 1)
        raise typer.Exit(0)
    try:
        done = writer.write(out_dir, result.files, targets)
    except OSError as exc:
        report([diag("AGC903", Span(file=out_dir.as_posix(), line=1), f"cannot write output: {exc}")])
        raise typer.Exit(1) from None
    changed = len(done.missing) + len(done.stale)
    typer.echo(f"wrote {changed} file(s), {len(done.unchanged)} unchanged, {len(done.extra)} removed "
               f"-> {out_dir.as_posix()} ({', '.join(targets)})", err=True)


def _load(sources: list[str], strict: bool) -> tuple:
    project = api.load_project(sources)
    diags = apply_policy(project.diagnostics, strict=strict)
    return project, diags


@app.command()
def ir(
    sources: List[str] = typer.Argument(..., help="Agent files or folders."),
    as_json: bool = typer.Option(False, "--json", help="Print the IR as JSON."),
    strict: bool = typer.Option(False, "--strict"),
) -> None:
    """Print the IR of the agents (with --json, the whole ProjectIR and its diagnostics)."""
    project, diags = _load(sources, strict)
    if as_json:
        data = project.model_copy(update={"diagnostics": diags}).model_dump(mode="json", exclude={"diagnostics": {"__all__": {"excerpt"}}})
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
    sources: Optional[List[str]] = typer.Argument(None),
    strict: bool = typer.Option(False, "--strict"),
    output_format: str = typer.Option("text", "--output-format"),
) -> None:
    """Report diagnostics only; build nothing."""
    options, cdiags = _options(sources or [], strict=strict or None)
    project, diags = _load(list(options.sources), options.strict)
    diags = tuple(cdiags) + apply_policy(diags, ignore=options.ignore)
    report(diags, output_format)
    if not diags:
        typer.echo(f"{len(project.agents)} agent(s), {len(project.edges)} delegation(s): no problems", err=True)
    raise typer.Exit(1 if has_errors(diags) else 0)


@app.command()
def graph(
    sources: List[str] = typer.Argument(...),
    fmt: str = typer.Option("mermaid", "--format", "-f", help="mermaid | dot | svg | json"),
) -> None:
    """Print the delegation graph."""
    from agentc.targets import diagram

    if fmt not in ("mermaid", "dot", "svg", "json"):
        typer.echo(f"unknown format '{fmt}': use mermaid, dot, svg or json", err=True)
        raise typer.Exit(2)
    project, diags = _load(sources, False)
    report(diags)
    if fmt == "svg":
        picture = diagram.svg(diagram.dot(project))
        if picture is None:
            typer.echo("Graphviz 'dot' is not installed: cannot render SVG (try --format dot or mermaid)", err=True)
            raise typer.Exit(1)
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


@app.command()
def schema() -> None:
    """Print the IR's JSON Schema."""
    from agentc.compiler.ir import ProjectIR

    typer.echo(json.dumps(ProjectIR.model_json_schema(), indent=2))


def main() -> None:
    try:
        app()
    except SystemExit:
        raise
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # never a traceback for any input: say what broke and how to report it
        print(f"agentc: internal error: {type(exc).__name__}: {exc}\nplease report this with the input that caused it", file=sys.stderr)
        sys.exit(3)
