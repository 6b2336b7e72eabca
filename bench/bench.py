"""Benchmark: agentc against the copy tools (ruler, rulesync) on the same generated agents.

Usage: python bench/bench.py [N ...] [--reps R] [--all-reps R2] [--peers DIR] [--no-peers] [--skip-all]

What it does, for each N (default 100 and 1000):

- makes the corpus with ../shared/bench/make_agents.py from ../shared/seed/ai-engineer.md
  (~32 KB per agent, three delegations each), once as `.claude/agents/*.md` (agentc's and
  ruler's input, ruler reading a copy in `.ruler/agents/`) and once as `.rulesync/subagents/`;
- installs ruler 0.3.44 and rulesync 17.0.0 with npm into a cache folder when they are missing
  (`--peers`, default ~/.cache/agentc-bench), with the npm package `node@22` for the Node
  binary (rulesync needs Node >= 22; both peers run on that binary);
- runs, in this order and R times (so agentc and its peer alternate and share the machine's
  drift): agentc claude cold, ruler -> claude, agentc every target cold (Graphviz off: SVG is
  opt-in), rulesync 4 tools, agentc no-op rebuild, `--check`, one-edit rebuild (claude: a line
  appended to one agent) and mid-file edit rebuild (a line inserted above another agent's
  delegations, which moves their lines, as most edits do); with
  `--jobs J`, the two cold builds once more with `-j J` (their wall clock is what a pool buys,
  their CPU what it costs);
- prints the median CPU time (user+sys of the child, from os.wait4, which stays meaningful on
  a busy machine) and the median peak RSS, then the ratios against issue 12's goals.

Cold means an empty output folder and no cache. Each tool's earlier outputs are moved aside
before its run, never deleted between runs (see `_set_aside`): all of them go once the last run
ends. Not a test: a script whose output goes into the notes.
"""

from __future__ import annotations

import argparse
import itertools
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
MAKE = SHARED / "bench" / "make_agents.py"
SEED = SHARED / "seed" / "ai-engineer.md"

PEERS = {"@intellectronica/ruler": "0.3.44", "rulesync": "17.0.0", "node": "22"}
RULESYNC_ARGS = ["generate", "-t", "claudecode,codexcli,copilot,cursor", "-f", "subagents"]
RULER_ARGS = ["apply", "--subagents", "--agents", "claude", "--no-gitignore"]
PEER_OUTPUTS = (".claude", ".codex", ".cursor", ".github", "CLAUDE.md", "AGENTS.md")
TIMEOUT_S = 1800  # one run; a hang must not hold the benchmark forever


@dataclass
class Run:
    cpu: float  # user + sys seconds of the child and the children it waited for
    sys: float  # the kernel's part of `cpu`: file creation on a busy or slow disk shows here
    rss_mb: float  # peak resident set of the child (or its largest waited-for descendant)
    wall: float
    code: int


def measure(args: list[str], cwd: Path, env: dict | None = None) -> Run:
    """Run `args` once; CPU and peak RSS from the kernel's accounting of that child (wait4)."""
    start = time.perf_counter()
    proc = subprocess.Popen(args, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = start + TIMEOUT_S
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() > deadline:
            proc.kill()
            pid, status, usage = os.wait4(proc.pid, 0)
            break
        time.sleep(0.005)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return Run(usage.ru_utime + usage.ru_stime, usage.ru_stime, usage.ru_maxrss / 1024, time.perf_counter() - start, proc.returncode)


# -- the peers ---------------------------------------------------------------------------------

@dataclass
class Peers:
    node: Path | None = None
    ruler: Path | None = None
    rulesync: Path | None = None
    why: list[str] = field(default_factory=list)


def _node_major(node: Path) -> int:
    try:
        out = subprocess.run([str(node), "--version"], capture_output=True, text=True, timeout=30).stdout
        return int(out.strip().lstrip("v").split(".")[0])
    except (OSError, ValueError, subprocess.SubprocessError):
        return 0


def install_peers(folder: Path) -> Peers:
    """ruler, rulesync and Node 22 from npm into `folder`, once; what could not be had is said."""
    modules = folder / "node_modules"
    scripts = {"ruler": modules / "@intellectronica" / "ruler" / "dist" / "cli" / "index.js",
               "rulesync": modules / "rulesync" / "dist" / "cli" / "index.js"}
    node = modules / "node" / "bin" / "node"
    if not all(p.is_file() for p in scripts.values()) or _node_major(node) < 22:
        npm = shutil.which("npm")
        if npm is None:
            return Peers(why=["npm not found: the peers are not run"])
        folder.mkdir(parents=True, exist_ok=True)
        specs = [f"{name}@{version}" for name, version in PEERS.items()]
        print(f"installing {' '.join(specs)} into {folder} ...", file=sys.stderr)
        done = subprocess.run([npm, "install", "--no-audit", "--no-fund", "--prefix", str(folder), *specs],
                              capture_output=True, text=True)
        if done.returncode != 0:
            return Peers(why=[f"npm install failed: {done.stderr.strip()[-500:]}"])
    peers = Peers()
    if _node_major(node) >= 22:
        peers.node = node
    else:  # node@22 fetches its binary in an install script; a blocked script leaves none
        system = shutil.which("node")
        if system and _node_major(Path(system)) >= 22:
            peers.node = Path(system)
        else:
            peers.why.append("no Node >= 22 (the node@22 package brought no binary): the peers are not run")
            return peers
    peers.ruler = scripts["ruler"] if scripts["ruler"].is_file() else None
    peers.rulesync = scripts["rulesync"] if scripts["rulesync"].is_file() else None
    return peers


# -- one corpus --------------------------------------------------------------------------------

def agentc_cmd() -> list[str]:
    script = Path(sys.executable).parent / "agentc"
    return [str(script)] if script.exists() else [sys.executable, "-m", "agentc"]


def make_corpus(work: Path, n: int) -> None:
    subprocess.run([sys.executable, str(MAKE), str(SEED), str(work / "gen"), str(n)], check=True, capture_output=True)
    src = work / "gen" / "claude-src" / ".claude" / "agents"
    shutil.copytree(src, work / "agentc" / "agents")
    (work / "ruler" / ".ruler").mkdir(parents=True)
    shutil.copytree(src, work / "ruler" / ".ruler" / "agents")
    (work / "ruler" / ".ruler" / "AGENTS.md").write_text("# Rules\n", encoding="utf-8")
    (work / "rulesync").mkdir()
    shutil.copytree(work / "gen" / ".rulesync", work / "rulesync" / ".rulesync")


def _set_aside(folder: Path, names: tuple[str, ...]) -> None:
    """Move a run's earlier outputs into `folder`'s trash instead of deleting them; `main` deletes
    every trash once, after the last timed run. On ext4 without a journal (this project's machines)
    each new inode skips those freed in the last minutes (`recently_deleted`), so a cold build right
    after a delete paid that scan in kernel time, more with each run: three back-to-back cold
    claude builds of 1000 agents took 0.34, 0.64 and 0.93 s sys; the same build on tmpfs 0.06-0.10 s.
    A rename frees nothing, so every tool's timed run now creates its files on the same terms."""
    trash = folder.parent / "trash"
    trash.mkdir(exist_ok=True)
    for name in names:
        p = folder / name
        if p.exists() or p.is_symlink():
            p.rename(trash / f"{next(_SET_ASIDE)}-{name}")


_SET_ASIDE = itertools.count()


def bench(top: Path, n: int, reps: int, peers: Peers, every_target: bool, all_reps: int,
          jobs: int | None = None) -> dict[str, list[Run]]:
    runs: dict[str, list[Run]] = {}
    work = top / f"n{n}"
    make_corpus(work, n)
    here = work / "agentc"
    env = child_env()
    claude = [*agentc_cmd(), "build", "agents", "-t", "claude", "--out", "out"]
    everything = [*agentc_cmd(), "build", "agents", "-t", "all", "--out", "out-all"]

    def record(label: str, run: Run) -> None:
        if run.code not in (0,):
            print(f"  note: {label} exited {run.code}", file=sys.stderr)
        runs.setdefault(label, []).append(run)

    # Untimed, so the timed runs find agentc's bytecode written, as an installed copy has it.
    subprocess.run([*claude, "--no-cache", "--out", "out-warm"], cwd=here, env=env, capture_output=True)
    if every_target:
        subprocess.run([*everything, "--no-cache", "--out", "out-warm"], cwd=here, env=env, capture_output=True)
    for rep in range(reps):
        print(f"  N={n} run {rep + 1}/{reps}", file=sys.stderr)
        _set_aside(here, ("out",))
        record("agentc claude, cold", measure(claude, here, env))
        if jobs:
            _set_aside(here, ("out-j",))
            record(f"agentc claude, cold, -j {jobs}", measure([*claude, "-j", str(jobs), "--out", "out-j"], here, env))
        if peers.ruler:
            _set_aside(work / "ruler", PEER_OUTPUTS)
            record("ruler -> claude", measure([str(peers.node), str(peers.ruler), *RULER_ARGS], work / "ruler"))
        if every_target and rep < all_reps:
            _set_aside(here, ("out-all",))
            record("agentc every target, cold", measure(everything, here, env))
            if jobs:
                _set_aside(here, ("out-all-j",))
                record(f"agentc every target, cold, -j {jobs}",
                       measure([*everything, "-j", str(jobs), "--out", "out-all-j"], here, env))
        if peers.rulesync and rep < all_reps:
            _set_aside(work / "rulesync", PEER_OUTPUTS)
            record("rulesync, 4 tools", measure([str(peers.node), str(peers.rulesync), *RULESYNC_ARGS], work / "rulesync"))
        record("agentc no-op rebuild", measure(claude, here, env))
        record("agentc --check", measure([*claude, "--check"], here, env))
        agent = here / "agents" / "agent-0000.md"
        agent.write_text(agent.read_text(encoding="utf-8") + f"\nOne more line, edit {rep}.\n", encoding="utf-8")
        record("agentc one-edit rebuild", measure(claude, here, env))
        # An edit above the delegations moves their lines: the edited agent's view and its
        # diagnostics change, which the append above never does (a slower rebuild path).
        other = here / "agents" / "agent-0001.md"
        lines = other.read_text(encoding="utf-8").split("\n")
        lines.insert(12, f"A line added above the delegations, edit {rep}.")
        other.write_text("\n".join(lines), encoding="utf-8")
        record("agentc mid-file edit rebuild", measure(claude, here, env))
    return runs


def child_env() -> dict[str, str]:
    """This environment for agentc's runs, less PYTHONPATH and PYTHONDONTWRITEBYTECODE: a
    shell that sets the latter made every run compile agentc's ~35 modules from source again
    (~50-90 ms CPU a run), which an installed copy (bytecode compiled at install) never does."""
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONDONTWRITEBYTECODE")}


def startup(reps: int) -> dict[str, list[Run]]:
    runs: dict[str, list[Run]] = {"python -c pass": [], "agentc --version": []}
    env = child_env()
    measure([*agentc_cmd(), "--version"], ROOT, env)  # untimed: writes the bytecode
    for _ in range(max(reps, 5)):
        runs["python -c pass"].append(measure([sys.executable, "-c", "pass"], ROOT, env))
        runs["agentc --version"].append(measure([*agentc_cmd(), "--version"], ROOT, env))
    return runs


# -- report ------------------------------------------------------------------------------------

def med(runs: list[Run], attr: str) -> float:
    return statistics.median(getattr(r, attr) for r in runs)


def table(runs: dict[str, list[Run]]) -> None:
    print(f"  {'':<36} {'CPU s':>7} {'(min-max)':>13} {'of it sys':>10} {'peak RSS MB':>12} {'wall s':>7}")
    for label, rs in runs.items():
        cpu = [r.cpu for r in rs]
        print(f"  {label:<36} {statistics.median(cpu):7.2f} {f'({min(cpu):.2f}-{max(cpu):.2f})':>13} "
              f"{med(rs, 'sys'):10.2f} {med(rs, 'rss_mb'):12.0f} {med(rs, 'wall'):7.2f}")


def goal(label: str, value: float | None, limit: float, unit: str = "x") -> None:
    if value is None:
        print(f"  {label:<52} {'n/a':>8}   goal <= {limit:g}{unit}")
        return
    verdict = "met" if value <= limit else f"MISSED by {value / limit:.1f}x"
    print(f"  {label:<52} {value:8.2f}{unit}  goal <= {limit:g}{unit}: {verdict}")


def ratio(runs: dict[str, list[Run]], a: str, b: str) -> float | None:
    if a not in runs or b not in runs:
        return None
    return med(runs[a], "cpu") / med(runs[b], "cpu")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[100, 1000])
    parser.add_argument("--reps", type=int, default=3, help="runs of each measurement (median is printed)")
    parser.add_argument("--peers", type=Path, default=Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "agentc-bench",
                        help="folder the peers are installed into with npm")
    parser.add_argument("--no-peers", action="store_true", help="measure agentc only")
    parser.add_argument("--skip-all", action="store_true", help="leave out the every-target builds (slow)")
    parser.add_argument("--all-reps", type=int, default=None,
                        help="runs of the every-target build and of rulesync (default: --reps; they are the slow pair)")
    parser.add_argument("--jobs", type=int, default=None, help="also run the cold builds with -j JOBS")
    args = parser.parse_args()
    if not MAKE.is_file() or not SEED.is_file():
        print(f"skipped: {MAKE} or {SEED} not found (../shared exists only on dev machines)")
        return
    peers = Peers(why=["--no-peers"]) if args.no_peers else install_peers(args.peers)
    print(f"agentc benchmark: CPU = user+sys of the child (os.wait4), median of {args.reps} alternating runs")
    print(f"agentc: {' '.join(agentc_cmd())}; Python {sys.version.split()[0]}")
    if peers.node:
        print(f"peers: ruler 0.3.44, rulesync 17.0.0 on Node {subprocess.run([str(peers.node), '--version'], capture_output=True, text=True).stdout.strip()}")
    for why in peers.why:
        print(f"peers: {why}")

    boot = startup(args.reps)
    print("\nstartup")
    table(boot)
    results = {}
    with tempfile.TemporaryDirectory(prefix="agentc-bench-") as top:  # deleted after every run: see _set_aside
        for n in args.sizes:
            all_reps = args.reps if args.all_reps is None else args.all_reps
            results[n] = bench(Path(top), n, args.reps, peers, not args.skip_all, all_reps, args.jobs)
            print(f"\n{n} agents")
            table(results[n])

    print("\ngoals (issue 12)")
    goal("agentc --version / python -c pass", ratio(boot, "agentc --version", "python -c pass"), 3)
    for n, runs in results.items():
        goal(f"{n}: agentc claude cold / ruler -> claude", ratio(runs, "agentc claude, cold", "ruler -> claude"), 0.75)
        goal(f"{n}: agentc every target / rulesync 4 tools", ratio(runs, "agentc every target, cold", "rulesync, 4 tools"), 0.5)
        for label, what in (("agentc one-edit rebuild", "one-edit rebuild"), ("agentc mid-file edit rebuild", "mid-file edit")):
            edit = ratio(runs, label, "agentc claude, cold")
            if n >= 1000:  # the issue sets this goal for 1000 agents; at 100 the start-up is most of a rebuild
                goal(f"{n}: {what} / claude cold", edit, 0.1)
            elif edit is not None:
                print(f"  {f'{n}: {what} / claude cold':<52} {edit:8.2f}x  (the goal is set at 1000 agents)")
        print(f"  {f'{n}: no-op rebuild / claude cold':<52} {ratio(runs, 'agentc no-op rebuild', 'agentc claude, cold'):8.2f}x")
        print(f"  {f'{n}: --check / claude cold':<52} {ratio(runs, 'agentc --check', 'agentc claude, cold'):8.2f}x")
        if "agentc every target, cold" in runs:
            goal(f"{n}: every target peak RSS", med(runs["agentc every target, cold"], "rss_mb"), 300, " MB")
    print("\nwall clock (not a goal: what a user waits, on this machine's cores)")
    for n, runs in results.items():
        for mine, peer in (("agentc claude, cold", "ruler -> claude"), ("agentc every target, cold", "rulesync, 4 tools")):
            for label in (mine, f"{mine}, -j {args.jobs}" if args.jobs else None):
                if label in runs and peer in runs:
                    print(f"  {f'{n}: {label} / {peer}':<62} {med(runs[label], 'wall') / med(runs[peer], 'wall'):8.2f}x")


if __name__ == "__main__":
    main()
