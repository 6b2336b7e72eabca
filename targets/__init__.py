"""The targets: one package per target, found by name and imported only when built.

Every target package `agentc.targets.<module>` has the same shape: its `__init__.py` defines
`TARGET` (name, summary, the pure `emit(project, options) -> Emitted`, an optional extra
`validate`, and the capability flags saying what it can express), its Jinja templates sit in
`templates/` beside it, and its private helpers are modules of the package. What several
targets share lives in `_shared/`. A target does no I/O (the driver's writer is the only code
that touches the disk) and imports nothing from the driver: only the compiler's IR side.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping
from dataclasses import field
from typing import TYPE_CHECKING, Callable

from agentc.compiler import native
from agentc.compiler.diagnostics import Diagnostic
from agentc.compiler.frozen import lean

if TYPE_CHECKING:  # annotations only: listing or checking target names loads no IR models
    from agentc.compiler.ir import AgentIR, ProjectIR
    from agentc.compiler.options import BuildOptions


@lean(frozen=True)
class Chunks:
    """A file's text as UTF-8, in consecutive pieces, which a build checks and writes piece by
    piece and never joins: crewai's agents.yaml of 1000 agents is 38 MB, and as one str (2 bytes
    a character once a prompt holds one past Latin-1) beside the pieces it was joined from it
    held 150 MB. `text()` joins it, for the Python API's `build` and for diffs."""

    parts: tuple[bytes, ...]

    def text(self) -> str:
        return b"".join(self.parts).decode("utf-8")


FileText = str | Chunks  # what a target emits for one file


def _native_utf8() -> Callable[[str], bytes | None] | None:
    """The C `utf8` of targets/_shared/_text.c, or None: not built, or AGENTC_PURE_PYTHON set."""
    module = native.load("_text", "utf8", package="agentc.targets._shared")
    return module.utf8 if module else None


_utf8 = _native_utf8()


def encode(text: str, errors: str = "strict") -> bytes:
    """`text.encode("utf-8", errors)`: the same bytes, or the same error. In C where built, for a
    str without a surrogate (where `errors` has nothing to decide): CPython encodes a 2-byte-wide
    str (a prompt with one arrow in it) a character at a time, the C copies its ASCII runs eight
    at a time (a 32 KB seed prompt: ~350k -> ~120k instructions). A build encodes every prompt
    about ten times (each target's files, as the writer writes them)."""
    if _utf8 is not None:
        data = _utf8(text)
        if data is not None:
            return data
    return text.encode("utf-8", errors)


def utf8(text: str) -> Chunks:
    """`text` held as UTF-8: half the memory of a str that holds a character past Latin-1 (a
    seed-sized prompt file: 32 KB, not 63 KB), for the files a target makes one per agent."""
    return Chunks((encode(text),))


def as_text(content: FileText) -> str:
    return content if isinstance(content, str) else content.text()


def pieces(content: FileText) -> tuple[bytes, ...]:
    """`content` as UTF-8 pieces, one after another (a str is one piece): to hash, compare or
    write it without joining a Chunks file."""
    return (encode(content),) if isinstance(content, str) else content.parts


@lean(frozen=True)
class Emitted:
    files: dict[str, FileText]
    diagnostics: tuple[Diagnostic, ...] = ()


@lean(frozen=True)
class Target:
    name: str
    summary: str
    emit: Callable[[ProjectIR, BuildOptions], Emitted]
    # Extra checks of the emitted files beyond agentc's generic ones (parse, load), e.g. an SDK's types.
    validate: Callable[[dict[str, FileText]], list[Diagnostic]] | None = None
    capabilities: frozenset[str] = field(default_factory=frozenset)
    # Optional, for rebuilding after an edit without reading every agent (agentc/incremental.py):
    # `emit_agent(project, agent, options)` gives one agent's files and diagnostics (None when
    # these options need the whole project), `emit_graph(project, options)` the diagnostics
    # that depend on the graph alone (codes AGC3xx). A target that has both promises that
    # `emit` is exactly their union, and that neither reads more of the *other* agents than
    # their id, name, scope, file, spans and resolved edges (a rebuild's project holds no
    # dangling edge of an agent not edited: see incremental._view).
    emit_agent: Callable[[ProjectIR, AgentIR, BuildOptions], Emitted | None] | None = None
    emit_graph: Callable[[ProjectIR, BuildOptions], tuple[Diagnostic, ...]] | None = None
    # File suffixes that `validate` loads itself (and reports when they do not load): agentc's
    # generic check skips them rather than parse each file twice (a 32 KB TOML prompt: 1.6 ms).
    loads_itself: tuple[str, ...] = ()
    # Optional: `emit` in parts, made one after another as the build asks for them (each an
    # Emitted: some files and their diagnostics), so that a build holds one part's text rather
    # than a whole target's (1000 agents: 30-45 MB of text, twice that as str). Their union is
    # `emit` (such a target defines `emit = joined(parts)`), and `validate` checks each part
    # alone: files that one check reads together come in one part.
    emit_parts: Callable[[ProjectIR, BuildOptions], Iterator[Emitted]] | None = None


def joined(parts: Callable[[ProjectIR, BuildOptions], Iterator[Emitted]]) -> Callable[[ProjectIR, BuildOptions], Emitted]:
    """`emit` of a target that makes its files in parts: every part's files and diagnostics."""

    def emit(project: ProjectIR, options: BuildOptions) -> Emitted:
        files: dict[str, FileText] = {}
        diags: list[Diagnostic] = []
        for part in parts(project, options):
            files.update(part.files)
            diags += part.diagnostics
        return Emitted(files=files, diagnostics=tuple(diags))

    return emit


# Target name -> package under agentc.targets, in the order `all` builds and `agentc targets` lists.
MODULES: dict[str, str] = {
    "claude": "claude",
    "diagram": "diagram",
    "langgraph": "langgraph",
    "openai": "openai",
    "openai-agents": "openai_agents",
    "crewai": "crewai",
    # Coding-tool targets (issue 16).
    "claude-sdk": "claude_sdk",
    "codex": "codex",
    "gemini": "gemini",
    "copilot": "copilot",
}


class Registry(Mapping[str, Target]):
    """Name -> Target. Listing names imports nothing; looking one up imports only that target,
    so a claude-only build never loads black, libcst or a framework target's helpers."""

    def __init__(self, modules: dict[str, str]) -> None:
        self._modules = modules

    def __getitem__(self, name: str) -> Target:
        module = self._modules[name]  # KeyError for an unknown name, as a dict would
        return importlib.import_module(f"{__name__}.{module}").TARGET

    def __contains__(self, name: object) -> bool:  # Mapping's own would import the target
        return name in self._modules

    def __iter__(self) -> Iterator[str]:
        return iter(self._modules)

    def __len__(self) -> int:
        return len(self._modules)


TARGETS: Mapping[str, Target] = Registry(MODULES)
