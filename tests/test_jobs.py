"""`jobs`: the sources the cache does not hold, lowered by forked processes, give the same IR,
diagnostics, files and cache as one process does."""

from __future__ import annotations

import dataclasses
import errno
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, SHARED

import agentc
from agentc import api, codec, pools, runner
from agentc.discover import discover

pytestmark = pytest.mark.skipif(not pools.can_fork(), reason="jobs > 1 forks processes on Linux only")

OURS = sorted(str(p) for p in (ROOT / "agents").iterdir() if p.is_dir())
CORPUS = sorted(str(p) for p in (SHARED / "corpus").iterdir() if p.is_dir() and p.name != "gold-dev") if SHARED.is_dir() else []


def read(sources: list[str], jobs: int, **kw):
    return api.read_agents(discover(sources)[0], jobs=jobs, **kw)


@pytest.mark.parametrize("sources", [OURS, *([c] for c in CORPUS)], ids=["agents", *(c.rsplit("/", 1)[1] for c in CORPUS)])
def test_a_pool_reads_what_one_process_reads(sources):
    one = read(sources, 1)
    assert one[0]  # agents to compare (and their diagnostics, where there are any)
    assert read(sources, 3) == one


def test_an_entry_that_does_not_come_back_whole_is_lowered_here(monkeypatch):
    one = read(OURS, 1)

    def damaged(data: bytes, source: bytes, **kw):
        raise ValueError("damaged entry")

    monkeypatch.setattr(codec, "load_entry", damaged)
    assert read(OURS, 2) == one


def _a_worker_dies(share, lower, spool) -> None:
    os._exit(3)  # as the kernel's out-of-memory killer would end it


def test_a_dead_worker_leaves_its_files_to_this_process(monkeypatch):
    one = read(OURS, 1)
    monkeypatch.setattr(pools, "_lower_share", _a_worker_dies)  # the forked workers inherit it
    assert read(OURS, 2) == one


def _share_cut_short(share, lower, spool, real=pools._lower_share) -> None:
    """In a worker: its spool loses its last byte."""
    real(share, lower, spool)
    spool.truncate(spool.seek(0, os.SEEK_END) - 1)


def _lowered_here(monkeypatch) -> list[str]:
    """The files this process lowers from now on (the workers' calls append to their own copy)."""
    lowered: list[str] = []
    real = api._lower_file
    monkeypatch.setattr(api, "_lower_file", lambda f, data, *whole: (lowered.append(f.file), real(f, data, *whole))[1])
    return lowered


def test_a_share_that_does_not_read_back_whole_is_finished_here(monkeypatch):
    one = read(OURS, 1)
    monkeypatch.setattr(pools, "_lower_share", _share_cut_short)
    lowered = _lowered_here(monkeypatch)
    assert read(OURS, 2) == one
    files = [f.file for f in discover(OURS)[0]]
    assert lowered == files[:len(files) // 2] + files[-1:]  # this process's own share, then the worker's cut entry


def test_a_worker_that_cannot_be_forked_leaves_its_share_to_this_process(monkeypatch):
    one = read(OURS, 1)
    real, forks = os.fork, []

    def fork() -> int:  # the second worker finds no process left (fork(2): EAGAIN)
        forks.append(1)
        if len(forks) > 1:
            raise BlockingIOError(errno.EAGAIN, "Resource temporarily unavailable")
        return real()

    monkeypatch.setattr(os, "fork", fork)
    lowered = _lowered_here(monkeypatch)
    assert read(OURS, 3) == one
    files = [f.file for f in discover(OURS)[0]]
    rest = files[len(files) // 3:]
    assert lowered == files[:len(files) // 3] + rest[-(-len(rest) // 2):]


def test_leaving_early_ends_the_workers():
    todo = [(f, Path(f.path).read_bytes()) for f in discover(OURS)[0]]
    lowering = pools.lower_in_pool(todo, 3, api._lower_to_entry)
    assert next(lowering)[1] is not None
    lowering.close()  # as an error or Ctrl-C in the build would
    with pytest.raises(ChildProcessError):  # none left running, none left unreaped
        os.waitpid(-1, os.WNOHANG)


@pytest.mark.parametrize("jobs", [2, 3])
def test_this_process_lowers_its_share_and_loads_the_rest(monkeypatch, jobs):
    one = read(OURS, 1)
    lowered = _lowered_here(monkeypatch)
    assert read(OURS, jobs) == one
    files = [f.file for f in discover(OURS)[0]]
    assert lowered == files[:len(files) // jobs]


def test_progress_counts_to_the_last_file():
    calls: list[tuple[int, int]] = []
    agents, _, _ = read(OURS, 2, progress=lambda i, n: calls.append((i, n)))
    assert calls[-1] == (len(agents), len(agents))
    assert [i for i, _ in calls] == sorted(i for i, _ in calls)


def test_a_pooled_build_writes_the_same_files_and_a_cache_the_next_build_uses(tmp_path, monkeypatch):
    def build(out: str, jobs: int, targets: tuple[str, ...] = ("all",)) -> runner.Outcome:
        return runner.run(agentc.BuildOptions(sources=tuple(OURS), targets=targets, out=str(tmp_path / out), jobs=jobs), "write")

    def files(out: str) -> dict[str, bytes]:
        root = tmp_path / out
        return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*")
                if p.is_file() and ".agentc-cache" not in p.parts}

    build("one", 1)
    build("two", 2)
    assert files("one") == files("two") and len(files("one")) > 20
    lowered: list[str] = []
    real = api.lower
    monkeypatch.setattr(api, "lower", lambda src, **kw: (lowered.append(src.file), real(src, **kw))[1])
    again = build("two", 1, ("claude",))  # another target set: a full build, from the pooled build's cache entries
    assert lowered == [] and not [d for d in again.diagnostics if d.severity == "error"]


def test_jobs_must_be_a_count(tmp_path):
    done = subprocess.run([sys.executable, "-m", "agentc", "build", OURS[0], "-j", "-1", "--out", str(tmp_path / "o")],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 2 and "--jobs" in done.stderr
    assert not (tmp_path / "o").exists()


# jobs = 0, the default: one process per 150 agents, up to the CPUs this process may use, at most
# 8, lowers the files; the targets are emitted in the build's own process (pools.emitters).

def test_automatic_jobs_grow_with_the_agents_and_stop_at_the_cpus(monkeypatch):
    assert agentc.BuildOptions().jobs == 0 and pools.processes(3, 1) == 3  # a count asked for is kept
    monkeypatch.setattr(pools, "cpus_busy", lambda: False)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(4)))
    assert [pools.processes(0, n) for n in (0, 1, 299, 300, 450, 600, 10_000)] == [1, 1, 1, 2, 3, 4, 4]
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(64)))
    assert pools.processes(0, 10_000) == 8


def test_automatic_jobs_pool_nothing_while_the_cpus_are_busy(monkeypatch):
    """A task waiting for a CPU most of the last 10 s: no spare core for a pool to use."""
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(4)))
    monkeypatch.setattr(pools, "cpus_busy", lambda: True)
    assert [pools.processes(0, n) for n in (1, 600, 10_000)] == [1, 1, 1]
    assert pools.processes(2, 10_000) == 2  # a count asked for is kept


@pytest.mark.parametrize(("text", "busy"), [
    (b"some avg10=98.42 avg60=97.68 avg300=98.21 total=20324217990\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n", True),
    (b"some avg10=50.01 avg60=0.00 avg300=0.00 total=1\n", True),
    (b"some avg10=50.00 avg60=99.00 avg300=99.00 total=1\n", False),
    (b"some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n", False),
    (b"", False), (b"some\n", False), (b"some avg10=\n", False), (b"some avg10=lots\n", False),
    (b"full avg10=99.00\n", False), (b"some avg60=99.00\n", False), (b"\xff\xfe\x00 \xf0\x9f\x98\x80=9\r\n", False),
])
def test_cpus_busy_reads_the_pressure_and_never_fails(tmp_path, text, busy):
    pressure = tmp_path / "cpu"
    pressure.write_bytes(text)
    assert pools.cpus_busy(str(pressure)) is busy
    assert pools.cpus_busy(str(tmp_path / "absent")) is False
    assert pools.cpus_busy(str(tmp_path)) is False  # a directory: unreadable


def _lowering_pools(monkeypatch) -> list[int]:
    """Two CPUs and a pool per 2 agents for automatic jobs; the list gets the size of each
    lowering pool the build starts (the pool still runs)."""
    monkeypatch.setattr(pools, "_AGENTS_PER_PROCESS", 2)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1})
    monkeypatch.setattr(pools, "cpus_busy", lambda: False)
    sizes: list[int] = []
    real = pools.lower_in_pool
    monkeypatch.setattr(pools, "lower_in_pool", lambda todo, jobs, lower, **kw: (sizes.append(jobs), real(todo, jobs, lower, **kw))[1])
    return sizes


def test_automatic_jobs_lower_here_what_the_cache_left_too_little_of(monkeypatch, tmp_path):
    """The files found decide to set the uncached ones aside; those left decide on a pool."""
    from agentc.cache import Cache

    sizes = _lowering_pools(monkeypatch)
    one = read(OURS, 1)
    cache = Cache(str(tmp_path / "cache"))
    assert read(OURS, 0, cache=cache)[:2] == one[:2] and sizes == [2]  # nothing cached: a pool of two
    cache.flush()
    found = discover(OURS)[0]
    edited = tmp_path / Path(found[0].path).name
    edited.write_bytes(Path(found[0].path).read_bytes() + b"\nOne more line.\n")
    found[0] = dataclasses.replace(found[0], path=edited)
    again = api.read_agents(found, cache=Cache(str(tmp_path / "cache")), jobs=0)
    assert sizes == [2] and len(again[0]) == len(one[0])  # one file left to lower: lowered here


# Emission: with jobs > 1 and two targets or more, forked processes emit and validate whole
# targets (pools.emit_in_pool); the build hands the same parts over in the same order.

def _build(sources: list[str], out, jobs: int, targets: tuple[str, ...] = ("all",)) -> tuple[runner.Outcome, dict[str, bytes]]:
    outcome = runner.run(agentc.BuildOptions(sources=tuple(sources), targets=targets, out=str(out), jobs=jobs, cache=False), "write")
    files = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()} if out.exists() else {}
    return outcome, files


def _same_build(sources: list[str], tmp_path, **kw) -> tuple[runner.Outcome, dict[str, bytes]]:
    """A build with jobs = 2 reports and writes what one with jobs = 1 does."""
    one, files_one = _build(sources, tmp_path / "one", 1, **kw)
    two, files_two = _build(sources, tmp_path / "two", 2, **kw)
    assert two.diagnostics == one.diagnostics and two.failed == one.failed
    assert [(label, p.replace(f"{tmp_path}/two/", f"{tmp_path}/one/", 1)) for label, p in two.changes] == one.changes
    assert files_two == files_one
    return one, files_one


@pytest.mark.parametrize("sources", [OURS, *([c] for c in CORPUS)], ids=["agents", *(c.rsplit("/", 1)[1] for c in CORPUS)])
def test_a_pool_emits_every_target_as_one_process_does(sources, tmp_path):
    outcome, files = _same_build(sources, tmp_path)
    assert len(files) > 10 or outcome.failed  # some collections hold errors (AGC140, AGC303): nothing to emit


@pytest.mark.parametrize("output_format", ["text", "json"])
def test_the_command_says_the_same_with_a_pool(output_format, tmp_path):
    said = []
    for jobs in ("1", "2"):
        (tmp_path / jobs).mkdir()
        done = subprocess.run([sys.executable, "-m", "agentc", "build", *OURS, "-t", "all", "--out", "out", "--no-cache",
                               "-j", jobs, "--output-format", output_format], cwd=tmp_path / jobs, capture_output=True, text=True, check=False)
        said.append((done.returncode, done.stdout, done.stderr))
    assert said[0][0] == 0 and said[1] == said[0]


def _a_worker_dies_emitting(k: int, name: str) -> int:
    os._exit(3)  # as the kernel's out-of-memory killer would end it


def test_a_dead_emitting_worker_leaves_its_targets_to_this_process(tmp_path, monkeypatch):
    monkeypatch.setattr(pools, "_emit_spooled", _a_worker_dies_emitting)  # the forked workers inherit it
    _same_build(OURS, tmp_path)


def _broken_after(calls: int, method):
    """A pool method that raises as the executor does once a worker has died: a worker killed
    while the work is still being handed out (a race the tests above cannot order)."""
    from concurrent.futures.process import BrokenProcessPool

    seen = []

    def handing_out(self, *args, **kwargs):
        seen.append(1)
        if len(seen) > calls:
            raise BrokenProcessPool("a child process terminated abruptly")
        return method(self, *args, **kwargs)

    return handing_out


def test_a_pool_broken_while_targets_are_handed_out_leaves_them_to_this_process(tmp_path, monkeypatch):
    from concurrent.futures import ProcessPoolExecutor

    monkeypatch.setattr(ProcessPoolExecutor, "submit", _broken_after(2, ProcessPoolExecutor.submit))
    _same_build(OURS, tmp_path)


def _no_space_left(k: int, name: str) -> int:
    raise OSError(28, "No space left on device")  # a full TMPDIR: the spool cannot be written


def test_a_worker_that_cannot_spool_leaves_its_targets_to_this_process(tmp_path, monkeypatch):
    monkeypatch.setattr(pools, "_emit_spooled", _no_space_left)
    _same_build(OURS, tmp_path)


def test_a_worker_that_dies_after_some_parts_leaves_the_target_to_this_process(tmp_path, monkeypatch):
    parent, real = os.getpid(), api._checked_parts

    def one_part_then_die(name, project, options, skip=0):
        for n, part in enumerate(real(name, project, options, skip)):
            if os.getpid() != parent and n == 1:
                os._exit(3)
            yield part

    monkeypatch.setattr(api, "_checked_parts", one_part_then_die)
    _same_build(OURS, tmp_path)


def _cut_short(k: int, name: str, emit=pools._emit_spooled) -> int:
    """In a worker: the target's spool loses its last byte (module level: the pool pickles the
    function it calls by name)."""
    count = emit(k, name)
    spool = pools._EMIT[1][k]
    spool.truncate(spool.seek(0, os.SEEK_END) - 1)
    return count


def test_a_spool_that_does_not_read_back_whole_is_finished_here(tmp_path, monkeypatch):
    real, skipped = api._checked_parts, []

    def parts(name, project, options, skip=0):
        skipped.append(skip)
        return real(name, project, options, skip)

    monkeypatch.setattr(pools, "_emit_spooled", _cut_short)
    monkeypatch.setattr(api, "_checked_parts", parts)
    _same_build(OURS, tmp_path)
    assert any(skipped)  # gemini (one part per agent) went to a worker: this process made only its last part


def test_an_error_in_the_input_writes_nothing_with_a_pool(tmp_path):
    src = tmp_path / "src" / "plugins"
    for rel in ("p/agents/x", "q/agents/x", "q/agents/p-x"):  # AGC406, an error the claude target finds
        f = src / f"{rel}.md"
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text(f"---\nname: {f.stem}\ndescription: agent {rel}\n---\nI am {rel}.\n")
    outcome, files = _same_build([str(tmp_path / "src")], tmp_path)
    assert outcome.failed and "AGC406" in {d.code for d in outcome.diagnostics} and files == {}


def test_automatic_jobs_pool_the_lowering_not_the_emission(tmp_path, monkeypatch):
    sizes = _lowering_pools(monkeypatch)

    def no_pool(*args):
        raise AssertionError("an emission pool nobody asked for")

    monkeypatch.setattr(pools, "emit_in_pool", no_pool)
    outcome, files = _build(OURS, tmp_path / "out", 0)
    assert sizes == [2] and not outcome.failed and files
    assert [pools.emitters(j) for j in (0, 1, 2, 5)] == [1, 1, 2, 5]


def test_one_target_is_emitted_without_a_pool(tmp_path, monkeypatch):
    def no_pool(*args):
        raise AssertionError("a pool for one target")

    monkeypatch.setattr(pools, "emit_in_pool", no_pool)
    outcome, files = _build(OURS, tmp_path / "out", 2, ("claude",))
    assert not outcome.failed and files


def _unstructured(agent):
    fields = {f.name: f for f in dataclasses.fields(agent)}
    return dataclasses.replace(agent, **{n: fields[n].default for n in codec.STRUCTURE})


@pytest.mark.parametrize("jobs", [1, 2])
def test_unstructured_targets_read_the_agents_without_their_structure(jobs):
    """Lowered here or by a worker, each agent is the whole one with its structure at its defaults,
    with the same diagnostics."""
    agents, diags, seen = read(OURS, 1)
    light, light_diags, light_seen = read(OURS, jobs, whole=False)
    assert (light_diags, light_seen) == (diags, seen)
    assert light == [_unstructured(a) for a in agents]
    assert light != agents  # some agents have structure to leave out


def test_unstructured_targets_cache_light_entries_under_keys_of_their_own(tmp_path):
    """A build of unstructured targets caches its light entries apart: one of other targets never
    takes them (it lowers those files again, whole), and the next unstructured build does."""
    from agentc.cache import Cache

    found = discover(OURS)[0]
    caches = [Cache(tmp_path / "one"), Cache(tmp_path / "pooled")]
    for cache, jobs in zip(caches, (1, 2), strict=True):
        api.read_agents(found, cache=cache, jobs=jobs, whole=False)
    one, pooled = ({key: cache.pending.get(key) for key in cache.pending.keys()} for cache in caches)
    assert pooled == one and len(one) == len(found)
    whole, cache = api.read_agents(found), caches[0]
    assert api.read_agents(found, cache=cache) == whole  # missed the light entries: lowered again, whole
    assert len(list(cache.pending.keys())) == 2 * len(found)
    lowered: list[str] = []
    real = api.lower
    with pytest.MonkeyPatch.context() as m:
        m.setattr(api, "lower", lambda src, **kw: (lowered.append(src.file), real(src, **kw))[1])
        again = api.read_agents(found, cache=cache, whole=False)
        fresh = api.read_agents(found, cache=Cache(tmp_path / "whole-first"), whole=False)
    assert again[0] == [_unstructured(a) for a in whole[0]] and again[1] == whole[1]
    assert lowered == [f.file for f in found]  # from the cache (the whole entries first), then a cold cache
    assert fresh[:2] == again[:2]


@pytest.mark.parametrize("plugin", [False, True])
@pytest.mark.parametrize("name", sorted(api.UNSTRUCTURED))
def test_unstructured_targets_emit_the_same_without_the_structure(name, plugin, tmp_path):
    """What `read_agents(whole=False)` leaves out, an UNSTRUCTURED target never reads: its files,
    their diagnostics, the linked graph and the incremental views are the same without it."""
    from agentc import incremental
    from agentc.compiler.options import BuildOptions
    from agentc.targets import as_text

    found, ddiags = discover([*OURS, str(ROOT / "tests" / "fixtures")])
    agents, diags, _ = api.read_agents(found)
    options = BuildOptions(targets=(name,), out=str(tmp_path), plugin=plugin)
    made = []
    for each in (agents, [_unstructured(a) for a in agents]):
        project = api.link(each, ddiags + diags)
        files: dict = {}

        def sink(target: str, emitted: dict, files: dict = files) -> None:
            files.update({f"{target}/{p}": as_text(x) for p, x in emitted.items()})

        result = api.build_each(options, project, sink)
        made.append((files, result.diagnostics, project.edges, incremental.unstored(incremental.views(found, project, [name]))))
    assert made[0][0] and made[0][1]  # files and diagnostics to compare
    assert made[1] == made[0]
