"""The pipeline as functions: sources -> ProjectIR -> files in memory. No writing here."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Union

from agentc.compiler.diagnostics import (
    Diagnostic,
    apply_policy,
    diag,
    did_you_mean,
    has_errors,
)
from agentc.compiler.options import BuildOptions
from agentc.compiler.span import Span
from agentc.discover import Found, discover

if TYPE_CHECKING:
    from concurrent.futures import Executor, Future

    from agentc.cache import Cache
    from agentc.compiler.ir import AgentIR, ProjectIR
    from agentc.targets import FileText

# Files or folders on disk, or file name -> text for sources held in memory.
Sources = Union[str, os.PathLike, Sequence[str | os.PathLike], Mapping[str, str | bytes]]
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Result:
    project: ProjectIR
    files: dict[str, str]  # path relative to the output folder -> text
    diagnostics: tuple[Diagnostic, ...]

    @property
    def ok(self) -> bool:
        return not has_errors(self.diagnostics)


def lower(source):
    """The front end's `lower`, imported on first use: a no-op build (and `--version`, `check`
    of nothing new) never loads the reader, the lowering or the linker."""
    from agentc.compiler.lower import lower as lower_source

    return lower_source(source)


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
                ) -> tuple[list[AgentIR], list[Diagnostic], list[list]]:
    """Lower each found file (from the cache when its bytes were seen before).

    Also returns `[path, stat, sha]` per file read, which the build cache records. With
    `jobs` > 1 (and fork, see `_can_fork`), that many processes lower the files the cache does
    not hold, each sending its result back as a cache entry (codec's JSON), which this process
    checks and rebuilds as it does a cached one. A pickled AgentIR cost a third of lowering it
    to send, and a pool of two was slower; an entry costs about a ninth (1000 seed agents to
    claude, 2 processes on 2 cores: 3.7 -> 2.35 s on the wall clock, ~5-10% more CPU).
    `jobs` 0 lets `processes` choose: from the files found whether to set the uncached ones
    aside for a pool, then from those left how many processes lower them (a few are lowered
    here: a pool would cost more than it saves)."""
    from agentc.cache import sha, stat_of

    pooled = processes(jobs, len(found)) > 1 and len(found) > 1 and _can_fork()
    parts: list[Any] = []  # per file read: (agent or None, its diagnostics), or its index in `todo`
    todo: list[tuple[Found, bytes]] = []  # the files the pool lowers
    keys: list[str | None] = []  # their cache keys
    diags: list[Diagnostic] = []
    seen: list[list] = []
    for i, f in enumerate(found):
        if progress is not None and not pooled:
            progress(i, len(found))
        before = stat_of(f.path)  # before reading: a write in between is caught next time
        try:
            data = f.path.read_bytes()
        except OSError as exc:
            diags.append(diag("AGC001", Span(file=f.file, line=1), f"cannot read file: {exc.strerror or exc}"))
            continue
        digest = sha(data)
        seen.append([str(f.path), before, digest])
        key = cache.ir_key(f.file, f.scope, digest) if cache is not None else None
        hit = cache.get_ir(key, data) if cache is not None else None
        if hit is None and pooled:
            parts.append(len(todo))
            todo.append((f, data))
            keys.append(key)
            continue
        if hit is None:
            hit = _lower_file(f, data)
            if cache is not None:
                cache.put_ir(key, *hit)
        parts.append(hit)
    done = []
    n = processes(jobs, len(todo))
    lowered = (_lower_in_pool(todo, n) if n > 1 else _lower_each(todo)) if todo else ()
    for k, (entry, agent, more) in enumerate(lowered):
        if cache is not None:
            cache.put_entry(keys[k], entry)
        done.append((agent, more))
        if progress is not None:
            progress(len(found) - len(todo) + k, len(found))
    agents: list[AgentIR] = []
    for part in parts:
        agent, more = done[part] if type(part) is int else part
        diags += more
        if agent is not None:
            agents.append(agent)
    if progress is not None:
        progress(len(found), len(found))
    return agents, diags, seen


def _lower_file(f: Found, data: bytes) -> tuple[AgentIR | None, list[Diagnostic]]:
    from agentc.compiler.source import read_source

    return lower(read_source(f.file, data, f.scope))


# A pool pays on the wall clock from ~150 agents a process (2 shared cores, seed agents, -j 2
# against -j 1: claude 100 0.43 -> 0.41 s, 200 0.75 -> 0.62 s; every target 100 0.69 -> 0.60 s)
# and costs CPU that only many agents amortise (every target at 100: +35%, at 1000: +13%).
_AGENTS_PER_PROCESS = 150
_MOST_PROCESSES = 8  # past that, forked copies' memory grows faster than the time saved


def processes(jobs: int, work: int) -> int:
    """How many processes lower `work` files or emit for `work` agents: `jobs`, or for 0
    (automatic, the command line's default) one per 150, up to the CPUs this process may run
    on and at most 8; 1 means no pool. Inside `jobs`' bounds it never changes the output."""
    if jobs:
        return jobs
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux: no fork either (_can_fork)
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, _MOST_PROCESSES, work // _AGENTS_PER_PROCESS))


def _can_fork() -> bool:
    """A pool of forked processes, which start at once and inherit every module loaded: Linux
    only (macOS forks unsafely, Windows not at all; there one process lowers everything)."""
    return sys.platform.startswith("linux") and hasattr(os, "fork")


@contextmanager
def _forked_pool(workers: int) -> Iterator[Executor]:
    """`workers` forked processes (concurrent.futures), shut down on the way out; what has not
    started is cancelled. After an error or an interrupt this also waits until the pool has
    wound down (its workers end the task at hand, or died with the process group): left to
    Python's clean-up at exit, a pool still breaking up after a SIGTERM to the group printed
    tracebacks from the executor's thread (Python 3.11: OSError EBADF, InvalidStateError)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"), initializer=_worker_signals)
    try:
        yield pool
    except BaseException:
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=False, cancel_futures=True)


def _hand_out(pool: Executor, fn: Callable[..., Any], calls: Iterable[tuple]) -> list[Future | None]:
    """`pool.submit(fn, *args)` for each call, in order; None for the calls left when a worker
    has died already: the executor then refuses work (BrokenProcessPool), which, raised here,
    ended the build with a traceback (a worker killed early: out of memory, kill -9). The
    callers do the work of a None here, as for a worker that died later (`_unspooled`)."""
    from concurrent.futures.process import BrokenProcessPool

    futures: list[Future | None] = []
    for args in calls:
        try:
            futures.append(pool.submit(fn, *args))
        except BrokenProcessPool:
            futures.append(None)
    return futures


def _lower_each(todo: list[tuple[Found, bytes]]) -> Iterator[tuple[bytes, AgentIR | None, list[Diagnostic]]]:
    """`_lower_in_pool`'s answer, made here."""
    for f, data in todo:
        yield _lower_to_entry(f, data)


def _lower_to_entry(f: Found, data: bytes) -> tuple[bytes, AgentIR | None, list[Diagnostic]]:
    """(cache entry, agent, diagnostics) of one file, lowered in this process (a worker's too)."""
    from agentc import codec

    agent, more = _lower_file(f, data)
    return codec.dump_entry(agent, more), agent, more


_WORK: tuple[Any, ...] = ()  # (todo, chunk, spools) for the forked workers: set before they start
_MAX_SPOOLS = 64  # a spool (an open file) per chunk: many files are lowered in bigger chunks, not in thousands of spools


def _lower_in_pool(todo: list[tuple[Found, bytes]], jobs: int) -> Iterator[tuple[bytes, AgentIR | None, list[Diagnostic]]]:
    """(cache entry, agent, diagnostics) of each file of `todo`, in order, lowered by `jobs`
    forked processes, a chunk of files at a time, each chunk's entries spooled (`_spool`). An
    entry that does not come back whole (it always should) is lowered here, and so is every
    file of a chunk whose worker died (killed, out of memory): concurrent.futures notices that,
    where multiprocessing.Pool waited for it forever. Leaving early (an error, Ctrl-C) cancels
    what has not started."""
    import tempfile

    from agentc import codec
    from agentc.compiler import lower as _front_end  # noqa: F401  (the reader too) loaded here once, not in each worker

    global _WORK
    # Few round trips, yet every worker busy to the end.
    chunk = max(1, min(16, len(todo) // (4 * jobs)), -(-len(todo) // _MAX_SPOOLS))
    spools = [tempfile.TemporaryFile() for _ in range(0, len(todo), chunk)]
    _WORK = (todo, chunk, spools)
    try:
        with _forked_pool(min(jobs, len(todo))) as pool:
            futures = _hand_out(pool, _lower_chunk, ((c,) for c in range(len(spools))))
            for c, future in enumerate(futures):
                entries = _unspooled(future, spools[c])
                for f, data in todo[c * chunk:(c + 1) * chunk]:
                    try:
                        entry: bytes | None = next(entries)
                    except Exception:  # noqa: BLE001  the worker failed, or its spool did not read back whole: the rest of the chunk is lowered here
                        entry = None
                    if entry is not None:
                        try:
                            agent, more = codec.load_entry(entry, data)
                        except ValueError:  # not expected: an entry that does not come back whole
                            entry = None
                    if entry is None:
                        entry, agent, more = _lower_to_entry(f, data)
                    yield entry, agent, list(more)
                spools[c].close()
    finally:
        for spool in spools:
            spool.close()
        _WORK = ()


def _lower_chunk(c: int) -> int:
    """In a worker: chunk `c` of `_WORK`'s files, lowered, as cache entries in spool `c`."""
    todo, chunk, spools = _WORK
    return _spool((_lower_to_entry(f, data)[0] for f, data in todo[c * chunk:(c + 1) * chunk]), spools[c])


def _spool(items: Iterable[Any], spool: IO[bytes]) -> int:
    """In a worker: each item pickled into `spool`, one after another; returns how many. The
    pool's pipe carries only that count: a worker killed while it wrote a large result into
    the pipe (SIGTERM to the process group, the out-of-memory killer) left the pool's thread
    waiting for the rest of it forever, and the build with it; a count is one atomic write,
    and a spool cut short shows when it is read (`_unspooled`)."""
    import pickle

    count = 0
    for item in items:
        pickle.dump(item, spool, protocol=pickle.HIGHEST_PROTOCOL)
        count += 1
    spool.flush()
    return count


def _unspooled(future: Future | None, spool: IO[bytes]) -> Iterator[Any]:
    """The items a worker spooled, one at a time; raises what the worker raised (its death:
    BrokenProcessPool), when the spool does not read back whole, or when no worker was given
    the work (`future` None, see `_hand_out`)."""
    import pickle

    if future is None:
        raise LookupError("no worker was given this work")
    count = future.result()
    spool.seek(0)
    for _ in range(count):
        yield pickle.load(spool)


def _worker_signals() -> None:
    """A worker leaves Ctrl-C to the parent, which cancels the work left; SIGTERM (sent to the
    whole process group) ends it at once, not through the CLI's handler that turns SIGTERM
    into KeyboardInterrupt and would print a traceback from every worker."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


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


def judge(diags, options: BuildOptions, project: ProjectIR, *, fresh: Collection[str] | None = None) -> tuple[Diagnostic, ...]:
    """The diagnostics a run reports: the agent files' own suppression comments first, then the
    options' policy (select, ignore, per-file ignores, strict). `fresh`: the only files whose
    unused suppressions are reported (an incremental rebuild re-reads only those)."""
    from agentc.compiler import suppress

    kept = suppress.apply(diags, ((a.file, a.body, a.body_line) for a in project.agents),
                          report_unused=True if fresh is None else fresh)
    return apply_policy(kept, **options.policy())


def build(options: BuildOptions, project: ProjectIR | None = None) -> Result:
    """Compile to every chosen target; files are keyed `<target>/<path>`. Errors mean no files."""
    from agentc.targets import as_text

    files: dict[str, str] = {}

    def keep(name: str, emitted: dict[str, FileText]) -> None:
        files.update({f"{name}/{path}": as_text(text) for path, text in emitted.items()})

    result = build_each(options, project, keep)
    return Result(project=result.project, files=files if result.ok else {}, diagnostics=result.diagnostics)


def build_each(options: BuildOptions, project: ProjectIR | None, sink: Callable[[str, dict[str, FileText]], None],
               *, jobs: int = 1) -> Result:
    """`build`, handing each target's validated files to `sink(target, files)` as soon as they
    are made and keeping none (a 1000-agent build of every target held 1.5 GB of text at once).
    The Result has no files; if it has errors, the caller discards what the sink was given.
    `jobs` > 1: forked processes emit and validate the targets (`_emit_in_pool`); the sink
    sees the same parts in the same order either way. `jobs` 0: `processes` chooses from the
    number of agents."""
    project = project if project is not None else load_project(options.sources)
    targets, diags = resolve_targets(options.targets)
    diags = list(project.diagnostics) + diags
    if _may_emit(diags, options, project):
        jobs = processes(jobs, len(project.agents))
        pooled = jobs > 1 and len(targets) > 1 and _can_fork()
        for name, parts in (_emit_in_pool if pooled else _emit_here)(targets, project, options, jobs):
            made: set[str] = set()
            for files, emitted, checked in parts:  # one part's text at a time (Target.emit_parts)
                diags += emitted
                diags += [diag("AGC902", Span(file=f"{name}/{path}", line=1), f"{name} made '{path}' twice: one file would hide the other")
                          for path in sorted(made.intersection(files))]
                made.update(files)
                diags += checked
                sink(name, files)
                del files
    return Result(project=project, files={}, diagnostics=judge(diags, options, project))


# One part of a target, validated: (its files, the target's diagnostics of it, validate_files' diagnostics).
Part = tuple[dict[str, "FileText"], Sequence[Diagnostic], list[Diagnostic]]


def _emit_here(targets: list[str], project: ProjectIR, options: BuildOptions, jobs: int = 1) -> Iterator[tuple[str, Iterator[Part]]]:
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


# The order the pool's workers take the targets in. Their files are handed over in build order,
# so the first target starts first, then crewai, the slowest by far (0.6-0.7 s at 1000 seed
# agents, where the others take 0.05-0.35 s), which would otherwise start last and keep this
# process waiting while the other worker has nothing left to do; then the rest in build order.
_POOL_ORDER = ("claude", "crewai", "diagram", "langgraph", "openai", "openai-agents", "claude-sdk", "codex", "gemini", "copilot")

_EMIT: tuple[Any, ...] = ()  # (project, options, spools) for the forked workers: set before they start


def _emit_in_pool(targets: list[str], project: ProjectIR, options: BuildOptions, jobs: int) -> Iterator[tuple[str, Iterator[Part]]]:
    """`_emit_here`'s answer, made by `jobs` forked processes, which inherit the linked project
    (nothing is sent to them). Each emits whole targets and pickles their validated parts into
    that target's spool: an unnamed temporary file (nothing is left behind, however the build
    ends), so that the targets that finish before their turn wait on disk, not in this process
    (1000 seed agents: 30-45 MB a target). Their parts are read back one at a time, in order.
    A target whose worker failed (killed, out of memory, an exception) or whose spool does not
    read back whole is emitted here, from the first part not yet handed over: a bug raises
    here as it does with one process. Leaving early (an error, Ctrl-C) cancels what has not
    started."""
    import tempfile

    global _EMIT
    spools = [tempfile.TemporaryFile() for _ in targets]
    _EMIT = (project, options, spools)
    try:
        with _forked_pool(min(jobs, len(targets))) as pool:
            rank = {name: i for i, name in enumerate(_POOL_ORDER)}
            order = sorted(range(len(targets)), key=lambda k: rank.get(targets[k], len(rank)))
            futures = dict(zip(order, _hand_out(pool, _emit_spooled, ((k, targets[k]) for k in order)), strict=True))
            for k, name in enumerate(targets):
                yield name, _spooled_parts(name, futures[k], spools[k], project, options)
                spools[k].close()  # its disk space back as soon as the target is written
    finally:
        for spool in spools:
            spool.close()
        _EMIT = ()


def _spooled_parts(name: str, future: Future | None, spool: IO[bytes], project: ProjectIR, options: BuildOptions) -> Iterator[Part]:
    """Target `name`'s parts as a worker spooled them, then (if it failed) the rest made here."""
    given = 0
    try:
        for part in _unspooled(future, spool):
            given += 1
            yield part
        return
    except Exception:  # noqa: BLE001  whatever went wrong there, the rest is made here
        pass
    yield from _checked_parts(name, project, options, skip=given)


def _emit_spooled(k: int, name: str) -> int:
    """In a worker: target `name`'s validated parts, spooled into spool `k`."""
    project, options, spools = _EMIT
    return _spool(_checked_parts(name, project, options), spools[k])


def _may_emit(diags: list[Diagnostic], options: BuildOptions, project: ProjectIR) -> bool:
    """No error once judged. Suppression comments and the policy only drop diagnostics, add
    warnings (AGC010, AGC011) and, under strict, make warnings errors: with no error yet and no
    strict, the answer is yes without reading every agent's body for suppression comments
    (1000 seed agents: ~25 ms; the run judges them all at the end anyway)."""
    if not options.strict and not has_errors(diags):
        return True
    return not has_errors(judge(diags, options, project))
