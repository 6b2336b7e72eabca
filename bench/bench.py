"""Benchmark: first build vs no-op rebuild of N seed-sized agents, and `--check` on the result.

Usage: python bench/bench.py [N ...] [--reps R] [--targets claude,diagram]

Makes each corpus with ../shared/bench/make_agents.py (Claude Code layout, ~32 KB per agent,
three delegations each) in a temporary folder, then times the `agentc` command (a subprocess,
wall clock, best and median of R runs) for: a cold first build (no cache), a no-op rebuild,
`--check` on the up-to-date tree, and a rebuild after one agent changed. Not a test: it prints.

The peers' numbers are constants from ../shared/notes/peers.md §4 (rulesync, ruler); they are
not installed here and are NOT run, only printed next to agentc's for the same corpus sizes.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
MAKE = SHARED / "bench" / "make_agents.py"
SEED = SHARED / "seed" / "ai-engineer.md"

# Wall-clock seconds measured by the peers' authors' tools on a 2-core machine (peers.md §4),
# generating Claude Code output from N agents. Reference only; never executed here.
PEERS = {
    "rulesync generate -> claudecode": {100: 0.95, 1000: 2.9},
    "ruler apply --subagents -> claude": {100: 0.34, 1000: 1.5},
}


def agentc_cmd() -> list[str]:
    script = Path(sys.executable).parent / "agentc"
    return [str(script)] if script.exists() else [sys.executable, "-m", "agentc.compiler"]


def timed(args: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    done = subprocess.run(args, cwd=cwd, capture_output=True, text=True, check=False)
    took = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"agentc failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return took


def bench(n: int, reps: int, targets: list[str]) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {"first build": [], "no-op rebuild": [], "--check (up to date)": [], "one agent changed": []}
    with tempfile.TemporaryDirectory(prefix=f"agentc-bench-{n}-") as tmp:
        work = Path(tmp)
        subprocess.run([sys.executable, str(MAKE), str(SEED), str(work), str(n)], check=True, capture_output=True)
        src = "claude-src/.claude/agents"
        build = [*agentc_cmd(), "build", src, "--out", "out", "--output-format", "json"]
        for t in targets:
            build += ["-t", t]
        for _ in range(reps):
            shutil.rmtree(work / "out", ignore_errors=True)
            times["first build"].append(timed(build, work))
            times["no-op rebuild"].append(timed(build, work))
            times["--check (up to date)"].append(timed([*build, "--check"], work))
            agent = work / src / "agent-0000.md"
            agent.write_text(agent.read_text(encoding="utf-8") + f"\nEdit {time.time_ns()}.\n", encoding="utf-8")
            times["one agent changed"].append(timed(build, work))
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[100, 1000])
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--targets", default="claude")
    args = parser.parse_args()
    if not MAKE.is_file() or not SEED.is_file():
        print(f"skipped: {MAKE} or {SEED} not found (../shared exists only on dev machines)")
        return
    targets = [t for t in args.targets.split(",") if t]
    print(f"agentc benchmark: targets {', '.join(targets)}; wall clock of the `agentc` command, "
          f"{args.reps} run(s) each, best / median")
    for n in args.sizes:
        times = bench(n, args.reps, targets)
        print(f"\n{n} agents")
        for label, values in times.items():
            print(f"  {label:<22} best {min(values):6.2f} s   median {statistics.median(values):6.2f} s")
        first, noop = min(times["first build"]), min(times["no-op rebuild"])
        print(f"  no-op rebuild is {first / noop:.1f}x faster than the first build")
        for peer, numbers in PEERS.items():
            if n in numbers:
                print(f"  {peer}: {numbers[n]:.2f} s (peers.md §4, not run here); agentc takes "
                      f"{first / numbers[n]:.2f}x that for a first build, {noop / numbers[n]:.2f}x for a no-op")


if __name__ == "__main__":
    main()
