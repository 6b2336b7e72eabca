"""Shared test fixtures: the case table, the repo root, and golden-file comparison."""

from __future__ import annotations

import difflib
import gc
import importlib
import os
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
CASES = sorted(p.name for p in (ROOT / "agents").iterdir() if p.is_dir())
UPDATE_HINT = "pytest --snapshot-update"
# A script the crewai tests run in a fresh process; importing it would install its audit hooks here.
# oa_scripted / lg_scripted are model factories for generated teams (oa_scripted imports agents.testing).
collect_ignore = ["crewai_harness.py", "lg_scripted.py", "oa_scripted.py"]

# Never let a test reach a tracing or telemetry service.
for var in ("LANGSMITH_TRACING", "LANGCHAIN_TRACING_V2", "LANGCHAIN_API_KEY", "LANGSMITH_API_KEY", "OPENAI_API_KEY", "ANTHROPIC_API_KEY"):
    os.environ.pop(var, None)


# CI (.ci/run) sets AGENTC_REQUIRE_NATIVE=1: there the C modules must be built, never skipped.
NATIVE_REQUIRED = os.environ.get("AGENTC_REQUIRE_NATIVE", "") not in ("", "0")


def native_or_skip(load, name: str):
    """What `load()` gives with AGENTC_PURE_PYTHON unset (the C twin of a front-end piece, even in
    a pure-Python run); the test skips when the C module `name` is not built, and fails instead
    when NATIVE_REQUIRED."""
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("AGENTC_PURE_PYTHON", raising=False)
        loaded = load()
    if loaded is None:
        assert not NATIVE_REQUIRED, f"AGENTC_REQUIRE_NATIVE is set but the C module {name} did not import"
        pytest.skip(f"the C module {name} is not built (no C compiler?)")
    return loaded


def native_in_use(dotted: str):
    """The C module `dotted` when this run uses it; None when the run is pure Python
    (AGENTC_PURE_PYTHON set, or the module not built, which fails when NATIVE_REQUIRED)."""
    try:
        module = importlib.import_module(dotted)
    except ImportError:
        assert not NATIVE_REQUIRED, f"AGENTC_REQUIRE_NATIVE is set but {dotted} did not import"
        return None
    return None if os.environ.get("AGENTC_PURE_PYTHON", "") not in ("", "0") else module


def assert_no_leak(calls) -> None:
    """`calls()` 20 000 times (after 200 to warm caches up) leaves no block allocated: what a C
    twin's reference counting gets wrong shows up here. A cache that fills up during a round (an
    lru, a C memo resizing) may keep a few more blocks once, so a round over the limit is run
    again: a leak grows by its calls in every round (stop 43 saw 107 blocks once, then 0)."""
    for _ in range(200):
        calls()
    grown = []
    for _ in range(2):
        gc.collect()
        before = sys.getallocatedblocks()
        for _ in range(20000):
            calls()
        gc.collect()
        grown.append(sys.getallocatedblocks() - before)
        if grown[-1] < 100:
            return
    raise AssertionError(f"blocks still allocated after each round of 20 000 calls: {grown}")


def md_files(*roots: Path) -> list[Path]:
    """Every .md file under the roots that exist, sorted."""
    return sorted(p for root in roots if root.is_dir() for p in root.rglob("*.md"))


@pytest.fixture(autouse=True)
def _at_root(monkeypatch):
    """Paths in diagnostics and goldens are relative to the repository root."""
    monkeypatch.chdir(ROOT)


@pytest.fixture
def seed_project(tmp_path, monkeypatch) -> Path:
    """A project folder holding a copy of agents/seed-team as `agents/`, made the working directory."""
    shutil.copytree(ROOT / "agents/seed-team", tmp_path / "agents")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def updating(request) -> bool:
    return bool(request.config.getoption("--snapshot-update", default=False))


def compare_tree(produced: dict[str, str], golden: Path, update: bool) -> None:
    """Assert `produced` equals the files under `golden`, or rewrite `golden` when updating."""
    if update:
        if golden.exists():
            shutil.rmtree(golden)
        for rel, text in produced.items():
            path = golden / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(text.encode("utf-8"))
        return
    on_disk = {p.relative_to(golden).as_posix(): p.read_bytes().decode("utf-8") for p in sorted(golden.rglob("*")) if p.is_file()} if golden.exists() else {}
    problems = []
    for rel in sorted(set(on_disk) | set(produced)):
        if rel not in produced:
            problems.append(f"golden file no longer produced: {golden / rel}")
        elif rel not in on_disk:
            problems.append(f"produced file missing from golden: {golden / rel}")
        elif on_disk[rel] != produced[rel]:
            diff = "".join(difflib.unified_diff(on_disk[rel].splitlines(True), produced[rel].splitlines(True),
                                                f"golden/{rel}", f"produced/{rel}"))
            problems.append(diff[:4000])
    if problems:
        pytest.fail("\n".join(problems) + f"\n\nIf the change is intended, run: {UPDATE_HINT}", pytrace=False)


@pytest.fixture
def pg_dsn() -> str:
    """The PostgreSQL database `.ci/run` started (AGENTC_TEST_PG_DSN); skipped, with the reason
    printed, where there is none."""
    dsn = os.environ.get("AGENTC_TEST_PG_DSN")
    if not dsn:
        reason = os.environ.get("AGENTC_TEST_PG_SKIP") or "AGENTC_TEST_PG_DSN is not set (.ci/run starts a PostgreSQL server and sets it)"
        print(f"SKIP postgres: {reason}")
        pytest.skip(f"no PostgreSQL: {reason}")
    return dsn
