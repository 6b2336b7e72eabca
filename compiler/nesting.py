"""Nesting depth: delegation chains longer than a target lets subagents nest, and agents that reach themselves.

Claude Code lets a subagent spawn subagents up to 5 levels deep; a chain of six agents fails at
the sixth at run time. The graph knows every chain, so a target with a nesting limit asks here
once per build and gets located diagnostics with the chain printed. Pure function of the
ProjectIR: no target is imported (the limit and the target's name are arguments).
"""

from __future__ import annotations

from operator import itemgetter

from agentc.compiler.diagnostics import Diagnostic, diag
from agentc.compiler.graph import loop_of, shape_of
from agentc.compiler.ir import ProjectIR

_LOOP_GROUP = 12
"""Agents that reach each other in a group larger than this get one AGC308 for the group, not one each."""


def nesting_report(project: ProjectIR, limit: int, target: str) -> list[Diagnostic]:
    """AGC307 (warning) per chain of more than `limit` agents, from the agents where such chains
    start; AGC308 (info) per agent that can reach itself, with its shortest loop."""
    succ, first, groups = shape_of(project)
    # AGC308 for each agent of a loop group, or for one of a group larger than _LOOP_GROUP (its
    # first by name: a breadth-first search per member is quadratic), in the order of their names.
    loops: list[tuple[str, set[str]]] = []
    for group in groups:
        if len(group) > 1:
            members = set(group)
            loops += ((v, members) for v in (group if len(group) <= _LOOP_GROUP else (min(group),)))
    out: list[Diagnostic] = []
    for v, group in sorted(loops, key=itemgetter(0)):  # each agent once: no tie
        loop = loop_of(project, v, succ, group)  # link found the loop of a large group's first agent already
        who = (f"'{v}' can reach itself" if len(group) <= _LOOP_GROUP
               else f"'{v}' and {len(group) - 1} more agents can reach themselves through each other")
        out.append(diag("AGC308", first[(loop[0], loop[1])].span,
                        f"{who}: {' -> '.join(loop)}; {target} stops nesting at {limit} levels",
                        hint="fine when the loop ends by itself; a subagent past the limit cannot be spawned"))
    # The delegations between components (a DAG), per agent that has any: an agent with none
    # starts no chain past itself, and one component has none at all. Walking every agent
    # instead was ~11 ms of every claude build of 1000 agents that delegate in one big loop.
    cross: dict[str, list[str]] = {}
    if len(groups) > 1:
        comp: dict[str, int] = {}
        for n, group in enumerate(groups):
            comp.update(dict.fromkeys(group, n))
        for v, ws in succ.items():
            if ws:
                outs = [w for w in ws if comp[w] != comp[v]]
                if outs:
                    cross[v] = outs
    # Longest chain from each agent over the cross delegations, memoised iteratively.
    longest: dict[str, int] = dict.fromkeys(succ, 1)
    nxt: dict[str, str | None] = dict.fromkeys(succ)
    done: set[str] = set()
    for start in cross:
        stack = [(start, 0)]
        while stack:
            v, i = stack.pop()
            if v in done:
                continue
            outs = cross.get(v, [])
            pending = [w for w in outs if w in cross and w not in done]
            if pending and i == 0:
                stack.append((v, 1))
                stack.extend((w, 0) for w in reversed(pending))
                continue
            best = max(outs, key=lambda w: longest[w], default=None)  # first of the longest: stable
            longest[v] = 1 + (longest[best] if best else 0)
            nxt[v] = best
            done.add(v)
    preds: dict[str, list[str]] = {}
    for v, ws in cross.items():
        for w in ws:
            preds.setdefault(w, []).append(v)
    # An agent with no cross delegation has a chain of 1: past the limit only when it is below 1.
    for v in sorted(succ if limit < 1 else (v for v in cross if longest[v] > limit)):
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
