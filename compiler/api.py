"""The pipeline as functions: sources -> ProjectIR -> files in memory. No writing here."""

from __future__ import annotations

from dataclasses import dataclass

from agentc.compiler.diagnostics import Diagnostic, apply_policy, diag, did_you_mean, has_errors
from agentc.compiler.discover import discover
from agentc.compiler.graph import link
from agentc.compiler.ir import AgentIR, ProjectIR
from agentc.compiler.lower import lower
from agentc.compiler.options import BuildOptions
from agentc.compiler.source import read_source
from agentc.compiler.span import Span
from agentc.compiler.validate import validate_files


@dataclass(frozen=True)
class Result:
    project: ProjectIR
    files: dict[str, str]  # path relative to the output folder -> text
    diagnostics: tuple[Diagnostic, ...]

    @property
    def ok(self) -> bool:
        return not has_errors(self.diagnostics)


def load_project(sources: list[str] | tuple[str, ...]) -> ProjectIR:
    """Read, lower and link every agent file of the sources."""
    found, diags = discover(list(sources))
    agents: list[AgentIR] = []
    for f in found:
        try:
            data = f.path.read_bytes()
        except OSError as exc:
            diags.append(diag("AGC001", Span(file=f.file, line=1), f"cannot read file: {exc.strerror or exc}"))
            continue
        agent, more = lower(read_source(f.file, data, f.scope))
        diags += more
        if agent is not None:
            agents.append(agent)
    return link(agents, diags)


def resolve_targets(names: tuple[str, ...] | list[str]) -> tuple[list[str], list[Diagnostic]]:
    from agentc.targets import TARGETS

    chosen, diags = [], []
    for name in names:
        if name == "all":
            chosen += [t for t in TARGETS if t not in chosen]
        elif name in TARGETS:
            if name not in chosen:
                chosen.append(name)
        else:
            close = did_you_mean(name, TARGETS, cutoff=0.6)
            diags.append(diag("AGC803", Span(file="<command line>", line=1, col=1), f"unknown target '{name}'"
                              + (f"; did you mean '{close}'?" if close else ""),
                              hint="targets: " + ", ".join(TARGETS)))
    return chosen, diags


def build(options: BuildOptions, project: ProjectIR | None = None) -> Result:
    """Compile to every chosen target; files are keyed `<target>/<path>`. Errors mean no files."""
    from agentc.targets import TARGETS

    project = project if project is not None else load_project(options.sources)
    targets, diags = resolve_targets(options.targets)
    diags = list(project.diagnostics) + diags
    files: dict[str, str] = {}
    if not has_errors(apply_policy(diags, strict=options.strict, ignore=options.ignore)):
        for name in targets:
            target = TARGETS[name]
            emitted = target.emit(project, options)
            diags += emitted.diagnostics
            diags += validate_files(name, emitted.files, target.validate)
            files.update({f"{name}/{path}": text for path, text in emitted.files.items()})
    final = apply_policy(diags, strict=options.strict, ignore=options.ignore)
    return Result(project=project, files=files if not has_errors(final) else {}, diagnostics=final)
