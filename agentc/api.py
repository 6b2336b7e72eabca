"""The pipeline as functions: sources -> ProjectIR -> files in memory. No writing here."""

from __future__ import annotations

import os
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Union

from agentc.compiler.diagnostics import (
    Diagnostic,
    apply_policy,
    diag,
    did_you_mean,
    has_errors,
)
from agentc.compiler.frozen import lean
from agentc.compiler.options import BuildOptions
from agentc.compiler.span import Span
from agentc.discover import Found, discover

if TYPE_CHECKING:
    from agentc import pools
    from agentc.cache import Cache
    from agentc.compiler.ir import AgentIR, ProjectIR
    from agentc.compiler.suppress import Suppression
    from agentc.targets import FileText

# Targets that read of an agent its frontmatter, body, spans and delegations (mentions made
# delegations by the linker), never the structure lowering found in its body (codec.STRUCTURE):
# tests/test_jobs.py checks each emits the same without it.
UNSTRUCTURED = frozenset({"claude"})

# Files or folders on disk, or file name -> text for sources held in memory.
Sources = Union[str, os.PathLike, Sequence[str | os.PathLike], Mapping[str, str | bytes]]
Progress = Callable[[int, int], None]


@lean(frozen=True)
class Result:
    project: ProjectIR
    files: dict[str, str]  # path relative to the output folder -> text
    diagnostics: tuple[Diagnostic, ...]
    # The agents' suppression comments as the last judge found them (`build_each`), for the
    # cache's views (incremental.views), which otherwise read every body again for them. None:
    # not found here (an empty tuple would say there are none, and views would keep no lines).
    suppressions: tuple[Suppression, ...] | None = None

    @property
    def ok(self) -> bool:
        return not has_errors(self.diagnostics)


def lower(source, *, whole: bool = True):
    """The front end's `lower`, imported on first use: a no-op build (and `--version`, `check`
    of nothing new) never loads the reader, the lowering or the linker."""
    from agentc.compiler.lower import lower as lower_source

    return lower_source(source, whole=whole)


def link(agents: list[AgentIR], diagnostics: list[Diagnostic]) -> ProjectIR:
    from agentc.compiler.graph import link as link_agents

    return link_agents(agents, diagnostics)


def load_project(sources: Sources, *, cache: Cache | None = None, progress: Progress | None = None) -> ProjectIR:
    """Read, lower and link every agent file of the sources."""
    if isinstance(sources, Mapping):
        return _from_memory(sources)
    found, diags = discover(_paths(sources))
    agents, more, _ = read_agents(found, cache=cache, progress=progress)
    return link(agents, diags + more)


def read_agents(found: list[Found], *, cache: Cache | None = None, progress: Progress | None = None, jobs: int = 1,
                whole: bool = True) -> tuple[list[AgentIR], list[Diagnostic], list[list]]:
    """Lower each found file (from the cache when its bytes were seen before).

    Also returns `[path, stat, sha]` per file read, which the build cache records. With
    `jobs` > 1 (and fork, see `pools.can_fork`), that many processes lower the files the cache
    does not hold: this one and `jobs - 1` forked ones, each sending its result back as a
    cache entry (codec's JSON), which this process checks and rebuilds as it does a cached one. A pickled AgentIR cost a third of lowering it
    to send, and a pool of two was slower; an entry read by _codec.load costs ~1/30 of lowering
    its file (a light seed entry ~0.14M of ~4.5M instructions; the pool's CPU over one process:
    ~+4%, see pools.py).
    `jobs` 0 lets `pools.processes` choose: from the files found whether to set the uncached
    ones aside for a pool, then from those left how many processes lower them (a few are
    lowered here: a pool would cost more than it saves). `whole=False` (a build of
    `UNSTRUCTURED` targets only): the agents are lowered without what those never read, the
    body's structure (`lower.lower`), and cached as such under keys of their own
    (`Cache.ir_key`): they serve the next such build, and a build of other targets lowers
    those files again, whole (a whole entry serves any build)."""
    from agentc import pools
    from agentc.cache import read_with_stat, sha

    pooled = pools.processes(jobs, len(found)) > 1 and len(found) > 1 and pools.can_fork()
    cold = cache is not None and cache.holds_nothing()  # no lookup can hit: none is made
    parts: list[Any] = []  # per file read: (agent or None, its diagnostics), or its index in `todo`
    todo: list[tuple[Found, bytes]] = []  # the files the pool lowers
    keys: list[str | None] = []  # their cache keys
    diags: list[Diagnostic] = []
    seen: list[list] = []
    for i, f in enumerate(found):
        if progress is not None and not pooled:
            progress(i, len(found))
        try:
            before, data = read_with_stat(f.path)
        except OSError as exc:
            diags.append(diag("AGC001", Span(file=f.file, line=1), f"cannot read file: {exc.strerror or exc}"))
            continue
        digest = sha(data)
        seen.append([str(f.path), before, digest])
        if cache is None:
            key, hit = None, None
        elif cold:
            key, hit = cache.ir_key(f.file, f.scope, digest, whole=whole), None
        else:
            key, hit = _looked_up(cache, f, digest, data, whole)
        if hit is None and pooled:
            parts.append(len(todo))
            todo.append((f, data))
            keys.append(key)
            continue
        if hit is None:
            hit = _lower_file(f, data, whole)
            if cache is not None:
                cache.put_ir(key, *hit, whole=whole)
        parts.append(hit)
    done = []
    pending = len(todo)
    lowered = _lowered(todo, pools.processes(jobs, pending), whole) if todo else ()
    del todo  # the pool frees each file's bytes once it is lowered (pools.lower_in_pool)
    for k, (entry, agent, more) in enumerate(lowered):
        if cache is not None:
            cache.put_entry(keys[k], entry)
        done.append((agent, more))
        if progress is not None:
            progress(len(found) - pending + k, len(found))
    agents: list[AgentIR] = []
    for part in parts:
        agent, more = done[part] if type(part) is int else part
        diags += more
        if agent is not None:
            agents.append(agent)
    if progress is not None:
        progress(len(found), len(found))
    return agents, diags, seen


def _looked_up(cache: Cache, f: Found, digest: str, data: bytes, whole: bool) -> tuple[str, tuple[AgentIR | None, list[Diagnostic]] | None]:
    """(the key `f`'s entry is stored under, the entry the cache holds or None). A whole entry
    serves any build; a build without the structure then looks for its own (`whole=False`)."""
    key = cache.ir_key(f.file, f.scope, digest)
    hit = cache.get_ir(key, data, whole=whole)
    if hit is None and not whole:
        key = cache.ir_key(f.file, f.scope, digest, whole=False)
        hit = cache.get_ir(key, data, whole=False)
    return key, hit


def _lower_file(f: Found, data: bytes, whole: bool = True) -> tuple[AgentIR | None, list[Diagnostic]]:
    from agentc.compiler.source import read_source

    return lower(read_source(f.file, data, f.scope), whole=whole)


def _lowered(todo: list[tuple[Found, bytes]], jobs: int, whole: bool = True) -> Iterator[pools.Lowered]:
    """(cache entry, agent, diagnostics) of each file of `todo`, in order: lowered here, or
    by `jobs` forked processes (`pools.lower_in_pool`)."""
    lower_one = _lower_to_entry if whole else _lower_to_light_entry
    if jobs <= 1:
        return (lower_one(f, data) for f, data in todo)
    from agentc import pools
    from agentc.compiler import lower as _front_end  # noqa: F401  (the reader too) loaded here once, not in each worker
    return pools.lower_in_pool(todo, jobs, lower_one, whole=whole)


def _lower_to_entry(f: Found, data: bytes, whole: bool = True) -> tuple[bytes, AgentIR | None, list[Diagnostic]]:
    """(cache entry, agent, diagnostics) of one file, lowered in this process (a worker's too)."""
    from agentc import codec

    agent, more = _lower_file(f, data, whole)
    return codec.dump_entry(agent, more, whole=whole), agent, more


def _lower_to_light_entry(f: Found, data: bytes) -> tuple[bytes, AgentIR | None, list[Diagnostic]]:
    """`_lower_to_entry` without the body's structure (`read_agents(whole=False)`)."""
    return _lower_to_entry(f, data, False)


def _paths(sources: Sources) -> list[str]:
    if isinstance(sources, (str, os.PathLike)):
        return [os.fspath(sources)]
    return [os.fspath(s) for s in sources]


def _from_memory(sources: Mapping[str, str | bytes]) -> ProjectIR:
    from agentc.compiler.source import read_source

    agents: list[AgentIR] = []
    diags: list[Diagnostic] = []
    for name, text in sorted(sources.items()):
        data = text.encode("utf-8") if isinstance(text, str) else bytes(text)
        agent, more = lower(read_source(Path(name).as_posix(), data, None))
        diags += more
        if agent is not None:
            agents.append(agent)
    return link(agents, diags)


def load_ir(sources: Sources) -> ProjectIR:
    """The public name of `load_project`: the linked IR of the sources, with diagnostics."""
    return load_project(sources)


def compile(sources: Sources, targets: Sequence[str] | None = None, options: BuildOptions | None = None,
            **overrides: Any) -> Result:
    """Sources to files in memory. `targets` and keyword overrides win over `options`."""
    values = (options or BuildOptions()).as_dict()
    values.update(overrides)
    if targets is not None:
        values["targets"] = (targets,) if isinstance(targets, str) else tuple(targets)
    if not isinstance(sources, Mapping):
        values["sources"] = tuple(_paths(sources))
    try:
        opts = BuildOptions(**values)
    except ValueError as exc:  # pydantic's ValidationError: an AGC802 diagnostic here too, never pydantic's dump
        from agentc.compiler.ir import ProjectIR
        from agentc.config import explain

        bad = tuple(diag("AGC802", Span(file="<python api>", line=1), f"{key}: {message}") for key, message in explain(exc))
        return Result(project=ProjectIR(agents=(), edges=(), diagnostics=bad), files={}, diagnostics=bad)
    project = load_project(sources if isinstance(sources, Mapping) else opts.sources)
    return build(opts, project)


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


def check_layout(options: BuildOptions, targets: list[str]) -> list[Diagnostic]:
    """`out_dirs` names known targets, and no two output folders are the same folder."""
    from agentc.targets import TARGETS

    diags = []
    where = Span(file="<configuration>", line=1)
    for name in sorted(options.out_dirs):
        if name not in TARGETS:
            close = did_you_mean(name, TARGETS, cutoff=0.6)
            diags.append(diag("AGC803", where, f"out_dirs names an unknown target '{name}'"
                              + (f"; did you mean '{close}'?" if close else ""), hint="targets: " + ", ".join(TARGETS)))
    owners: dict[str, str] = {}
    shared = [t for t in targets if t not in options.out_dirs]
    if shared:
        owners[os.path.abspath(options.out)] = "the shared output folder (out)"
    for t in targets:
        if t in options.out_dirs:
            folder = os.path.abspath(options.out_dirs[t])
            if folder in owners:
                diags.append(diag("AGC807", where, f"out_dirs: '{t}' would write into {options.out_dirs[t]}, "
                                  f"which is already {owners[folder]}",
                                  hint="give every target its own folder: each folder's manifest belongs to one build"))
            owners.setdefault(folder, f"the folder of '{t}'")
    return diags


def judge(diags, options: BuildOptions, project: ProjectIR, *, fresh: Collection[str] | None = None,
          found: Sequence[Suppression] | None = None) -> tuple[Diagnostic, ...]:
    """The diagnostics a run reports: the agent files' own suppression comments first, then the
    options' policy (select, ignore, per-file ignores, strict). `fresh`: the only files whose
    unused suppressions are reported (an incremental rebuild re-reads only those). `found`: the
    project's comments (`suppressions`) when the caller holds them, else they are read here."""
    from agentc.compiler import suppress

    kept = suppress.apply(diags, suppressions(project) if found is None else found,
                          report_unused=True if fresh is None else fresh)
    return apply_policy(kept, **options.policy())


def suppressions(project: ProjectIR) -> list[Suppression]:
    """Every suppression comment in the project's agent bodies, read as each agent holds its body
    (`ir.held_body`: most as UTF-8 bytes, decoded only when they hold a comment)."""
    from agentc.compiler import suppress
    from agentc.compiler.ir import held_body

    return suppress.find_all((a.file, held_body(a), a.body_line) for a in project.agents)


def build(options: BuildOptions, project: ProjectIR | None = None) -> Result:
    """Compile to every chosen target; files are keyed `<target>/<path>`. Errors mean no files."""
    from agentc.targets import as_text

    files: dict[str, str] = {}

    def keep(name: str, emitted: dict[str, FileText]) -> None:
        files.update({f"{name}/{path}": as_text(text) for path, text in emitted.items()})

    result = build_each(options, project, keep)
    return Result(project=result.project, files=files if result.ok else {}, diagnostics=result.diagnostics,
                  suppressions=result.suppressions)


def build_each(options: BuildOptions, project: ProjectIR | None, sink: Callable[[str, dict[str, FileText]], None],
               *, jobs: int = 1) -> Result:
    """`build`, handing each target's validated files to `sink(target, files)` as soon as they
    are made and keeping none (a 1000-agent build of every target held 1.5 GB of text at once).
    The Result has no files; if it has errors, the caller discards what the sink was given.
    `jobs` > 1: forked processes emit and validate the targets (`pools.emit_in_pool`); the
    sink sees the same parts in the same order either way. `jobs` 0 (automatic) emits here:
    see `pools.emitters`."""
    from agentc import pools

    project = project if project is not None else load_project(options.sources)
    targets, diags = resolve_targets(options.targets)
    diags = list(project.diagnostics) + diags
    if _may_emit(diags, options, project):
        jobs = pools.emitters(jobs)
        if jobs > 1 and len(targets) > 1 and pools.can_fork():
            each = pools.emit_in_pool(targets, jobs, lambda name, skip: _checked_parts(name, project, options, skip))
        else:
            each = _emit_here(targets, project, options)
        for name, parts in each:
            made: set[str] = set()
            for files, emitted, checked in parts:  # one part's text at a time (Target.emit_parts)
                diags += emitted
                diags += [diag("AGC902", Span(file=f"{name}/{path}", line=1), f"{name} made '{path}' twice: one file would hide the other")
                          for path in sorted(made.intersection(files))]
                made.update(files)
                diags += checked
                sink(name, files)
                del files
    found = suppressions(project)
    return Result(project=project, files={}, diagnostics=judge(diags, options, project, found=found), suppressions=tuple(found))


# One part of a target, validated: (its files, the target's diagnostics of it, validate_files' diagnostics).
Part = tuple[dict[str, "FileText"], Sequence[Diagnostic], list[Diagnostic]]


def _emit_here(targets: list[str], project: ProjectIR, options: BuildOptions) -> Iterator[tuple[str, Iterator[Part]]]:
    """Each target's parts, emitted and validated in this process, one after another."""
    for name in targets:
        yield name, _checked_parts(name, project, options)


def _checked_parts(name: str, project: ProjectIR, options: BuildOptions, skip: int = 0) -> Iterator[Part]:
    """Target `name`'s parts after the first `skip`, each with its validation's diagnostics."""
    from itertools import islice

    from agentc.targets import TARGETS
    from agentc.validate import validate_files

    target = TARGETS[name]
    parts = target.emit_parts(project, options) if target.emit_parts else iter((target.emit(project, options),))
    for part in islice(parts, skip, None):
        yield part.files, part.diagnostics, validate_files(name, part.files, target.validate, target.loads_itself)
        del part


def _may_emit(diags: list[Diagnostic], options: BuildOptions, project: ProjectIR) -> bool:
    """No error once judged. Suppression comments and the policy only drop diagnostics, add
    warnings (AGC010, AGC011) and, under strict, make warnings errors: with no error yet and no
    strict, the answer is yes without reading every agent's body for suppression comments
    (1000 seed agents: ~25 ms; the run judges them all at the end anyway)."""
    if not options.strict and not has_errors(diags):
        return True
    return not has_errors(judge(diags, options, project))
