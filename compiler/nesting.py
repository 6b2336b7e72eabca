"""Nesting depth: delegation chains longer than a target lets subagents nest, and agents that reach themselves.

Claude Code lets a subagent spawn subagents up to 5 levels deep; a chain of six agents fails at
the sixth at run time. The graph knows every chain, so a target with a nesting limit asks here
once per build and gets located diagnostics with the chain printed. Pure function of the
ProjectIR: no target is imported (the limit and the target's name are arguments).
"""

from __future__ import annotations

from agentc.compiler.diagnostics import Diagnostic, diag
from agentc.compiler.ir import Edge, ProjectIR

_LOOP_GROUP = 12
"""Agents that reach each other in a group larger than this get one AGC308 for the group, not one each."""


def nesting_report(project: ProjectIR, limit: int, target: str) -> list[Diagnostic]:
    """AGC307 (warning) per chain of more than `limit` agents, from the agents where such chains
    start; AGC308 (info) per agent that can reach itself, with its shortest loop."""
    succ: dict[str, list[str]] = {a.id: [] for a in project.agents}
    first: dict[tuple[str, str], Edge] = {}
    for e in project.edges:
        if e.target_id and e.target_id in succ and e.target_id not in succ[e.source]:
            succ[e.source].append(e.target_id)
            first[(e.source, e.target_id)] = e
    comp = _components(succ)
    out: list[Diagnostic] = []
    members: dict[int, set[str]] = {}
    for v, c in comp.items():
        members.setdefault(c, set()).add(v)
    looped = sorted(v for v in succ if len(members[comp[v]]) > 1)
    told: set[int] = set()
    for v in looped:
        group = members[comp[v]]
        if len(group) > _LOOP_GROUP:  # one report per big group: a breadth-first search per member is quadratic
            if comp[v] in told:
                continue
            told.add(comp[v])
        loop = _shortest_loop(v, succ, group)
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


def _components(succ: dict[str, list[str]]) -> dict[str, int]:
    """Strongly connected components (Kosaraju, iterative: chains of 1,000 agents are fine)."""
    order: list[str] = []
    seen: set[str] = set()
    for root in succ:
        if root in seen:
            continue
        seen.add(root)
        stack = [(root, iter(succ[root]))]
        while stack:
            v, it = stack[-1]
            w = next(it, None)
            if w is None:
                stack.pop()
                order.append(v)
            elif w not in seen:
                seen.add(w)
                stack.append((w, iter(succ[w])))
    pred: dict[str, list[str]] = {v: [] for v in succ}
    for v, ws in succ.items():
        for w in ws:
            pred[w].append(v)
    comp: dict[str, int] = {}
    for root in reversed(order):
        if root in comp:
            continue
        comp[root] = len(comp)
        todo = [root]
        while todo:
            v = todo.pop()
            for u in pred[v]:
                if u not in comp:
                    comp[u] = comp[root]
                    todo.append(u)
    return comp


def _shortest_loop(start: str, succ: dict[str, list[str]], members: set[str]) -> list[str]:
    """start -> ... -> start, breadth-first inside its component."""
    prev: dict[str, str] = {}
    queue = [start]
    for v in queue:
        for w in succ[v]:
            if w not in members:
                continue
            if w == start:
                path = [v]
                while path[-1] != start:
                    path.append(prev[path[-1]])
                return [*reversed(path), start]
            if w not in prev:
                prev[w] = v
                queue.append(w)
    return [start, start]
