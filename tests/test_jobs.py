"""`jobs`: the sources the cache does not hold, lowered by forked processes, give the same IR,
diagnostics, files and cache as one process does."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from conftest import ROOT, SHARED

import agentc
from agentc import api, codec, runner
from agentc.discover import discover

pytestmark = pytest.mark.skipif(not api._can_fork(), reason="jobs > 1 forks processes on Linux only")

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

    def damaged(data: bytes, source: bytes):
        raise ValueError("damaged entry")

    monkeypatch.setattr(codec, "load_entry", damaged)
    assert read(OURS, 2) == one


def _a_worker_dies(k: int) -> bytes:
    os._exit(3)  # as the kernel's out-of-memory killer would end it


def test_a_dead_worker_leaves_its_files_to_this_process(monkeypatch):
    one = read(OURS, 1)
    monkeypatch.setattr(api, "_lower_entry", _a_worker_dies)  # the forked workers inherit it
    assert read(OURS, 2) == one


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
    monkeypatch.setattr(api, "lower", lambda src: (lowered.append(src.file), real(src))[1])
    again = build("two", 1, ("claude",))  # another target set: a full build, from the pooled build's cache entries
    assert lowered == [] and not [d for d in again.diagnostics if d.severity == "error"]


def test_jobs_must_be_a_positive_count(tmp_path):
    done = subprocess.run([sys.executable, "-m", "agentc", "build", OURS[0], "-j", "0", "--out", str(tmp_path / "o")],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 2 and "--jobs" in done.stderr
    assert not (tmp_path / "o").exists()
