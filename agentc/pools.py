"""Forked process pools: how many processes a build uses, and the two pools that use them.

The lowering pool lowers the source files the cache does not hold (`lower_in_pool`); the
emission pool emits and validates whole targets (`emit_in_pool`). Both are handed the work to
do as a function by `agentc.api`, which decides whether to pool and does the work itself when
it does not: this module never imports api. The workers are forked, so they inherit every
module loaded and the work itself; the results wait in spools, unnamed files the parent reads
back. The lowering pool, the one automatic jobs start, is plain os.fork; the emission pool (`-j
N` only) runs on concurrent.futures, which it imports when it starts, with multiprocessing,
tempfile and pickle: the builds that do not ask for it load none of them.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from concurrent.futures import Executor, Future

    from agentc.compiler.diagnostics import Diagnostic
    from agentc.compiler.ir import AgentIR
    from agentc.discover import Found

# (cache entry, agent, diagnostics) of one source file: what `lower_in_pool` yields per file.
Lowered = tuple[bytes, "AgentIR | None", "list[Diagnostic]"]

# A pool pays on the wall clock from ~150 agents a process (2 shared cores, seed agents, -j 2
# against -j 1: claude 100 0.43 -> 0.41 s, 200 0.75 -> 0.62 s; every target 100 0.69 -> 0.60 s)
# and costs CPU that only many agents amortise. Re-measured with the cyclic collector off (as
# builds run), pool against -j 1, medians of 5-9 alternating pairs on 2 busy cores: claude at
# 100 +7%, at 1000 +3%; every target at 1000 +4% (the lowering pool alone; `-j 2` starts the
# emission pool too: every target at 100 +38%, at 1000 +29%).
_AGENTS_PER_PROCESS = 150
_MOST_PROCESSES = 8  # past that, forked copies' memory grows faster than the time saved


def processes(jobs: int, work: int) -> int:
    """How many processes lower `work` files: `jobs`, or for 0 (automatic, the command line's
    default) one per 150, up to the CPUs this process may run on and at most 8, and none while
    the CPUs are busy (`cpus_busy`); 1 means no pool. Inside `jobs`' bounds it never changes
    the output."""
    if jobs:
        return jobs
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux: no fork either (can_fork)
        cpus = os.cpu_count() or 1
    wanted = max(1, min(cpus, _MOST_PROCESSES, work // _AGENTS_PER_PROCESS))
    return 1 if wanted > 1 and cpus_busy() else wanted


# A pool buys wall clock only from a CPU no one else wants, and costs CPU either way (a worker's
# entries loaded again here, fork's copy-on-write). Measured on 2 cores kept busy by other work
# (load 7, a task waiting for a CPU ~98% of the time), automatic jobs against -j 1, medians of
# 9-11 alternating runs: 1000 agents CPU 2.56 vs 2.22 s and wall 6.2 vs 5.4 s; 300 agents CPU
# 0.85 vs 0.71 s, wall 1.8 vs 1.7 s. So past half of the last 10 s with a task waiting, the
# automatic choice lowers in this process alone.
_BUSY_PERCENT = 50.0


def cpus_busy(pressure: str = "/proc/pressure/cpu") -> bool:
    """Whether a task waited for a CPU more than half of the last 10 s: the "some avg10" of
    Linux's pressure stall information (4.20+). False where it cannot be read (another system,
    a kernel without it): the pool is then chosen from the agents and the CPUs alone."""
    try:
        with open(pressure, "rb") as f:
            some = f.readline().split()  # b"some avg10=98.42 avg60=... avg300=... total=..."
        name, _, value = some[1].partition(b"=")
        return some[0] == b"some" and name == b"avg10" and float(value) > _BUSY_PERCENT
    except (OSError, IndexError, ValueError):
        return False


# Emission is pooled only when asked for (`-j N`, `jobs = N`): automatic jobs (0) emit in the
# build's own process, however many agents. The workers' parts come back through the spools and
# this process still unpickles them and writes every file, so a pool takes only part of the
# emission off it (1000 seed agents, every target: its emission CPU 2.05 -> 0.55-1.1 s) and
# adds the pickling and the spools on top (CPU, pool against none, the lowering pooled in both,
# medians of three batches of 3-5 alternating runs on 2 shared cores: 6.30/5.94, 6.95/6.17,
# 7.16/6.43 s, +6-13%; 110 MB in TMPDIR here, up to the whole output when this process writes
# slowly). That cost grows with the agents as the work does, so no agent count makes it pay in
# CPU; it buys wall clock only on idle cores (2 cores: 4.1 -> 3.7 s, README), and on a busy
# machine not even that (wall, same runs: 6.5/7.7, 12.7/9.3, 11.1/9.7 s).
def emitters(jobs: int) -> int:
    """How many processes emit the targets: `jobs` as asked; automatic (0) is 1, no pool."""
    return jobs or 1


def can_fork() -> bool:
    """A pool of forked processes, which start at once and inherit every module loaded: Linux
    only (macOS forks unsafely, Windows not at all; there one process does everything)."""
    return sys.platform.startswith("linux") and hasattr(os, "fork")


@contextmanager
def _forked_pool(workers: int) -> Iterator[Executor]:
    """`workers` forked processes (concurrent.futures), shut down on the way out; what has not
    started is cancelled. This waits until the pool has wound down (its workers end the task at
    hand, or died with the process group), also after an error or an interrupt. Left to Python's
    clean-up at exit, a pool still breaking up after a SIGTERM to the group printed tracebacks
    from the executor's thread (Python 3.11: OSError EBADF, InvalidStateError); and after a
    build, the exit hook's wake-up of the executor's thread could race that thread closing its
    pipe ("Exception ignored in: _python_exit", seen once in tests/test_jobs.py). The workers
    are idle by then: waiting costs them only their exit."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"), initializer=_worker_signals)
    try:
        yield pool
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _worker_signals() -> None:
    """A worker leaves Ctrl-C to the parent, which cancels the work left; SIGTERM (sent to the
    whole process group) ends it at once, not through the CLI's handler that turns SIGTERM
    into KeyboardInterrupt and would print a traceback from every worker."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


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


# The lowering pool: plain forks, each given a share of the files and a spool in memory. The
# emission pool's executor would cost this pool its imports alone (multiprocessing,
# concurrent.futures, tempfile, pickle: ~16 ms, ~80M instructions), more than its workers'
# round trips through it ever did.

def lower_in_pool(todo: list[tuple[Found, bytes]], jobs: int, lower: Callable[[Found, bytes], Lowered], *,
                  whole: bool = True) -> Iterator[Lowered]:
    """`lower(f, data)` of each file of `todo`, in order, made by `jobs` processes: this one
    lowers the first `1/jobs` of the files itself while `jobs - 1` forked ones (`_Worker`) each
    lower an equal share of the rest, their cache entries spooled and loaded back here. A file
    lowered here is not sent; loading one a worker sent (`codec.load_entry`) costs a small
    part of lowering it when it is light (a claude build's: ~0.14M instructions against
    ~4.7M, _codec.load reading it), more when whole, which is why this process takes a share rather than
    wait for `jobs` workers and load all their entries (-j 2, seed agents to claude, medians
    of 5-7 alternating runs: 1000 agents CPU 4.35 -> 4.05 s, wall 4.89 -> 4.30 s; 300 agents
    1.39 -> 1.30 s, 1.56 -> 1.47 s). An entry that does not come back whole (it always should) is lowered here,
    and so is every file after the last whole entry of a worker that failed (killed, out of
    memory, an exception) or could not be forked. Leaving early (an error, Ctrl-C) kills the
    workers. `whole=False`: `lower` made the entries without the body's structure
    (`api.read_agents`), and they are loaded so."""
    from agentc import codec

    here, rest = todo[:len(todo) // jobs], todo[len(todo) // jobs:]
    del todo  # the caller lets go of it too (api.read_agents): each file's bytes go with `_handed_out`
    mine = _handed_out(here)
    # The first file is lowered before the workers fork: what lowering makes on its first use (the
    # patterns it compiles, the entry's schema: ~15-20 ms) is then inherited by every worker, not
    # made again in each (100 agents, -j 2: the worker's 276.4M -> 250.1M instructions).
    first = [lower(*next(mine))] if here else []
    size = -(-len(rest) // min(jobs - 1, len(rest))) if rest else 1
    workers: list[_Worker] = []
    try:
        for start in range(0, len(rest), size):
            workers.append(_Worker(rest[start:start + size], lower))
        del rest
        yield from first
        for f, data in mine:
            yield lower(f, data)
        for worker in workers:
            entries = worker.entries()
            for f, data in _handed_out(worker.share):
                entry = next(entries, None)
                if entry is not None:
                    try:
                        agent, more = codec.load_entry(entry, data, whole=whole)
                    except ValueError:  # not expected: an entry that does not come back whole
                        entry = None
                if entry is None:
                    entry, agent, more = lower(f, data)
                yield entry, agent, list(more)
            worker.close()  # its memory back as soon as its share is taken
    finally:
        for worker in workers:
            worker.close()


def _handed_out(files: list) -> Iterator[tuple[Found, bytes]]:
    """The files of the list in order, each dropped from it as it is handed out: its bytes are
    freed once it is lowered or its entry loaded, and the memory serves the files after it,
    where holding every file's bytes to the end of the pool made the parent's peak (1000 seed
    agents, -j 2: peak RSS ~141 -> ~120 MB, ~1 500 fewer page faults of ~40 000)."""
    for i in range(len(files)):
        item, files[i] = files[i], None
        yield item


class _Worker:
    """A forked process that lowers `share` and writes each file's cache entry into its spool,
    an unnamed file in memory (`_memory_file`), as its length (8 bytes, little-endian) and its
    bytes: a worker killed while it wrote leaves whole entries, then a cut one. It inherits
    everything it needs (the files, `lower`); nothing travels to it, and what comes back is
    read once it has ended, however it ended (`entries`)."""

    def __init__(self, share: list[tuple[Found, bytes]], lower: Callable[[Found, bytes], Lowered]) -> None:
        self.share = share
        self.pid = 0  # none: never forked, or ended and reaped
        self.spool: IO[bytes] | None = None
        try:
            self.spool = _memory_file()
            self.pid = os.fork()
        except OSError:  # no memory or no process left for it: its share is lowered here
            self.close()
            return
        if self.pid == 0:  # the worker: never returns
            code = 1
            try:
                _worker_signals()
                _lower_share(share, lower, self.spool)
                code = 0
            finally:  # at once: neither the build's exit hooks nor its buffered output are the worker's
                os._exit(code)

    def entries(self) -> Iterator[bytes]:
        """The whole entries the worker spooled, in order, after waiting for it to end. The
        spool is read in one call and cut up here: read entry by entry, through its buffer,
        it took ~1 read and ~4 lseeks an entry."""
        spool = self.spool
        if spool is None:
            return
        self._reap()
        try:
            spool.seek(0)
            data = spool.read()
        except OSError:  # not expected: a spool that cannot be read back
            return
        at, end = 0, len(data)
        while at + 8 <= end:
            size = int.from_bytes(data[at:at + 8], "little")
            at += 8
            if at + size > end:  # cut short
                return
            yield data[at:at + size]
            at += size

    def _reap(self) -> None:
        """Wait for the worker to end (a no-op once it has)."""
        if self.pid:
            try:
                os.waitpid(self.pid, 0)
            except ChildProcessError:  # reaped elsewhere: it has ended all the same
                pass
            self.pid = 0

    def close(self) -> None:
        """Kill the worker if it still runs (the build leaves early), reap it, drop its spool."""
        if self.pid:
            import signal

            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self._reap()
        if self.spool is not None:
            self.spool.close()
            self.spool = None


def _lower_share(share: list[tuple[Found, bytes]], lower: Callable[[Found, bytes], Lowered], spool: IO[bytes]) -> None:
    """In a worker: each file of `share` lowered, its cache entry written into `spool`. A build
    that never reads the body's structure has them made without it (`api.read_agents`): an
    eighth of the bytes for this process to parse (1000 seed agents to claude, -j 2: the ~500
    entries loaded here 46 -> 5.5 KB and ~2.8M -> ~0.53M instructions each, the body's decode
    from the source included; callgrind, the agents kept as the build keeps them)."""
    for f, data in share:
        entry = lower(f, data)[0]
        spool.write(len(entry).to_bytes(8, "little"))
        spool.write(entry)
    spool.flush()


# A worker's spool buffers this much before it writes: with the default 8 KB, each entry of a
# claude build (~5 KB, written as its length and its bytes) was a system call of its own. With
# `_Worker.entries` reading it back in one call: 500 such entries spooled and read back in ~1.8
# ms, not ~7 ms (and 1000 seed agents at -j 2 make ~3 400 fewer system calls).
_SPOOL_BUFFER = 1 << 16


def _memory_file() -> IO[bytes]:
    """An unnamed file for a worker's entries: in memory (Linux's memfd_create: no temp folder
    to find, nothing on disk), or a temp file where there is no such call."""
    if hasattr(os, "memfd_create"):
        return open(os.memfd_create("agentc-spool", os.MFD_CLOEXEC), "w+b", buffering=_SPOOL_BUFFER)
    import tempfile

    return tempfile.TemporaryFile(buffering=_SPOOL_BUFFER)


# The emission pool.

# The order the pool's workers take the targets in. Their files are handed over in build order,
# so the first target starts first, then crewai, the slowest by far (0.6-0.7 s at 1000 seed
# agents, where the others take 0.05-0.35 s), which would otherwise start last and keep this
# process waiting while the other worker has nothing left to do; then the rest in build order.
_POOL_ORDER = ("claude", "crewai", "diagram", "langgraph", "openai", "openai-agents", "claude-sdk", "codex", "gemini", "copilot")

_EMIT: tuple[Any, ...] = ()  # (parts, spools) for the forked workers: set before they start


def emit_in_pool(targets: list[str], jobs: int, parts: Callable[[str, int], Iterator[Any]]) -> Iterator[tuple[str, Iterator[Any]]]:
    """(name, `parts(name, 0)`) of each target, in order, made by `jobs` forked processes,
    which inherit the linked project `parts` emits from (nothing is sent to them). Each emits
    whole targets and pickles their validated parts into that target's spool: an unnamed
    temporary file (nothing is left behind, however the build ends), so that the targets that
    finish before their turn wait on disk, not in this process (1000 seed agents: 30-45 MB a
    target). Their parts are read back one at a time, in order. A target whose worker failed
    (killed, out of memory, an exception) or whose spool does not read back whole is emitted
    here, from the first part not yet handed over (`parts(name, skip)`): a bug raises here as
    it does with one process. Leaving early (an error, Ctrl-C) cancels what has not started."""
    import tempfile

    global _EMIT
    spools = [tempfile.TemporaryFile() for _ in targets]
    _EMIT = (parts, spools)
    try:
        with _forked_pool(min(jobs, len(targets))) as pool:
            rank = {name: i for i, name in enumerate(_POOL_ORDER)}
            order = sorted(range(len(targets)), key=lambda k: rank.get(targets[k], len(rank)))
            futures = dict(zip(order, _hand_out(pool, _emit_spooled, ((k, targets[k]) for k in order)), strict=True))
            for k, name in enumerate(targets):
                yield name, _spooled_parts(name, futures[k], spools[k], parts)
                spools[k].close()  # its disk space back as soon as the target is written
    finally:
        for spool in spools:
            spool.close()
        _EMIT = ()


def _spooled_parts(name: str, future: Future | None, spool: IO[bytes], parts: Callable[[str, int], Iterator[Any]]) -> Iterator[Any]:
    """Target `name`'s parts as a worker spooled them, then (if it failed) the rest made here."""
    given = 0
    try:
        for part in _unspooled(future, spool):
            given += 1
            yield part
        return
    except Exception:  # noqa: BLE001  whatever went wrong there, the rest is made here
        pass
    yield from parts(name, given)


def _emit_spooled(k: int, name: str) -> int:
    """In a worker: target `name`'s validated parts, spooled into spool `k`."""
    parts, spools = _EMIT
    return _spool(parts(name, 0), spools[k])
