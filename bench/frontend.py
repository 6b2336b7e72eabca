"""CPU per agent of the front end alone: read (frontmatter, blocks, sections) and lower (structure,
delegations, mentions) of generated seed-sized agents, best of R rounds, with the stages apart.

Usage: python bench/frontend.py [N] [--reps R]

Makes N agents (default 100) with ../shared/bench/make_agents.py from ../shared/seed/ai-engineer.md
in a temporary folder and times `read_source` + `lower` on each (time.process_time, so a busy
machine shows less than in wall time; still, quote the best of several runs). Not a test.

The cyclic garbage collector is off while it times, as the `agentc` command turns it off
(agentc/entry.py): with it on, the collector's rescans of the IR's many small objects were
counted as the front end's (100 agents: read + lower 1.64 -> 1.33 ms per agent, read_source 0.33 -> 0.25).
"""

from __future__ import annotations

import argparse
import gc
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from agentc.compiler import frontmatter, markdown, references, structure
from agentc.compiler.lower import lower
from agentc.compiler.source import read_source

SHARED = Path(__file__).resolve().parents[2] / "shared"


def best(reps: int, work) -> float:
    """The least CPU seconds `work` took in `reps` runs."""
    out = float("inf")
    for _ in range(reps):
        start = time.process_time()
        work()
        out = min(out, time.process_time() - start)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", nargs="?", type=int, default=100)
    ap.add_argument("--reps", type=int, default=5)
    args = ap.parse_args()
    gc.disable()  # as agentc/entry.py does for every command but --watch
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, str(SHARED / "bench/make_agents.py"), str(SHARED / "seed/ai-engineer.md"), tmp,
                        str(args.n)], check=True, capture_output=True)
        files = sorted(Path(tmp, "claude-src/.claude/agents").glob("*.md"))
        datas = [(f.name, f.read_bytes()) for f in files]
    size = sum(len(d) for _, d in datas) / len(datas) / 1024
    sources = [read_source(f, d) for f, d in datas]
    split = [(f, d.decode().split("\n")) for f, d in datas]
    heads = [(f, lines, frontmatter.read_frontmatter(f, lines)) for f, lines in split]
    stages = {
        "read + lower": lambda: [lower(read_source(f, d)) for f, d in datas],
        "  read_source": lambda: [read_source(f, d) for f, d in datas],
        "    frontmatter": lambda: [frontmatter.read_frontmatter(f, lines) for f, lines in split],
        "    blocks": lambda: [markdown.parse_blocks(lines[fm.body_start:], fm.body_start + 1, f) for f, lines, fm in heads],
        "  lower": lambda: [lower(s) for s in sources],
        "    delegations + mentions": lambda: [structure._delegations(s, "x", references.read(s, "x")) for s in sources],
        "      line reader": lambda: [references.scan(s, "x", references.read(s, "x")) for s in sources],
    }
    print(f"{len(datas)} agents of {size:.1f} KB; CPU ms per agent, best of {args.reps}")
    for label, work in stages.items():
        print(f"{label:28s} {best(args.reps, work) / len(datas) * 1000:6.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
