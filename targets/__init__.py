"""The target registry: a plain dict from name to a pure emitter.

A target turns a `ProjectIR` into files (paths relative to `OUT/<target>/`) and diagnostics.
It does no I/O; `agentc.compiler.writer` is the only code that touches the disk.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from agentc.compiler.diagnostics import Diagnostic
from agentc.compiler.ir import ProjectIR
from agentc.compiler.options import BuildOptions


@dataclass(frozen=True)
class Emitted:
    files: dict[str, str]
    diagnostics: tuple[Diagnostic, ...] = ()


@dataclass(frozen=True)
class Target:
    name: str
    summary: str
    emit: Callable[[ProjectIR, BuildOptions], Emitted]
    # Extra checks of the emitted files beyond agentc's generic ones (parse, load), e.g. an SDK's types.
    validate: Callable[[dict[str, str]], list[Diagnostic]] | None = None
    capabilities: frozenset[str] = field(default_factory=frozenset)


def _registry() -> dict[str, Target]:
    from agentc.targets import claude, diagram, langgraph, openai_agents, openai_assistants

    found = [claude.TARGET, diagram.TARGET, langgraph.TARGET, openai_assistants.TARGET, openai_agents.TARGET]
    return {t.name: t for t in found}


TARGETS: dict[str, Target] = _registry()
