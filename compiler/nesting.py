"""Nesting depth: delegation chains longer than a target lets subagents nest, and agents that reach themselves.

Claude Code lets a subagent spawn subagents up to 5 levels deep; a chain of six agents fails at
the sixth at run time. The graph knows every chain, so a target with a nesting limit asks here
once per build and gets located diagnostics with the chain printed. Pure function of the
ProjectIR: no target is imported (the limit and the target's name are arguments).
"""

from __future__ import annotations

from agentc.compiler.diagnostics import Diagnostic, diag
from agentc.compiler.graph import shape_of, shortest_loop
from agentc.compiler.ir import ProjectIR

_LOOP_GROUP = 12
"""Agents that reach each other in a group larger than this get one AGC308 for the group, not one each."""


def nesting_report(project: ProjectIR, limit: int, target: str) -> list[Diagnostic]:
    """AGC307 (warning) per chain of more than `limit` agents, from the agents where such chains
    start; AGC308 (info) per agent that can reach itself, with its shortest loop."""
    succ, first, groups = shape_of(project)
    comp: dict[str, int] = {}
    members: dict[int, set[str]] = {}
    for n, group in enumerate(groups):
        members[n] = set(group)
        comp.update(dict.fromkeys(group, n))
    out: list[Diagnostic] = []
    looped = sorted(v for v in succ if len(members[comp[v]]) > 1)
    told: set[int] = set()
    for v in looped:
        group = members[comp[v]]
        if len(group) > _LOOP_GROUP:  # one report per big group: a breadth-first search per member is quadratic
            if comp[v] in told:
                continue
            told.add(comp[v])
        loop = shortest_loop(v, succ, group)
        who = (f"'{v}' can reach itself" if len(group) <= _LOOP_GROUP
               else f"'{v}' and {len(group) - 1} more agents can reach themselves through each other")
        out.append(diag("AGC308", first[(loop[0], loop[1])].span,
                        f"{who}: {' -> '.join(loop)}; {target} stops nesting at {limit} levels",
                        hint="fine when the loop ends by itself; a subagent past the limit cannot be spawned"))
    # Longest chain from each agent over edges between components (a DAG), memoised iteratively.
    longest: dict[str, int] = {}
    nxt: dict[str, str | None] = {}
    for start in succ:
        stack = [(start, 0)]
        while stack:
            v, i = stack.pop()
            if v in longest:
                continue
            outs = [w for w in succ[v] if comp[w] != comp[v]]
            pending = [w for w in outs if w not in longest]
            if pending and i == 0:
                stack.append((v, 1))
                stack.extend((w, 0) for w in reversed(pending))
                continue
            best = max(outs, key=lambda w: longest[w], default=None)  # first of the longest: stable
            longest[v] = 1 + (longest[best] if best else 0)
            nxt[v] = best
    preds: dict[str, list[str]] = {}
    for v, ws in succ.items():
        for w in ws:
            if comp[w] != comp[v]:
                preds.setdefault(w, []).append(v)
    for v in sorted(succ):
        if longest[v] <= limit or any(longest[u] > limit for u in preds.get(v, ())):
            continue
        chain = [v]
        while nxt[chain[-1]]:
            chain.append(nxt[chain[-1]])
        out.append(diag("AGC307", first[(chain[0], chain[1])].span,
                        f"delegation chain of {len(chain)} agents is deeper than {target}'s nesting limit of {limit}: "
                        + " -> ".join(chain) + f"; '{chain[limit]}' cannot be spawned at level {limit + 1}",
                        hint="let an agent higher up call the deep specialist directly, or flatten the chain"))
    return out
