"""compiler/nesting.py's report, which walks only the delegations between components, against the
walk over every agent it replaced (kept here as the reference), on hypothesis-made graphs: loops
big and small, chains past the limit, agents that delegate to no one, an agent named ""."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from agentc.compiler import nesting
from agentc.compiler.diagnostics import diag
from agentc.compiler.graph import link, shape_of, shortest_loop
from agentc.compiler.ir import AgentIR, Edge, ProjectIR
from agentc.compiler.span import Span


def _reference(project: ProjectIR, limit: int, target: str) -> list:
    """nesting_report as it walked every agent (before it kept to the delegations between components)."""
    succ, first, groups = shape_of(project)
    comp: dict[str, int] = {}
    members: dict[int, set[str]] = {}
    for n, group in enumerate(groups):
        members[n] = set(group)
        comp.update(dict.fromkeys(group, n))
    out = []
    looped = sorted(v for v in succ if len(members[comp[v]]) > 1)
    told: set[int] = set()
    for v in looped:
        group = members[comp[v]]
        if len(group) > nesting._LOOP_GROUP:
            if comp[v] in told:
                continue
            told.add(comp[v])
        loop = shortest_loop(v, succ, group)
        who = (f"'{v}' can reach itself" if len(group) <= nesting._LOOP_GROUP
               else f"'{v}' and {len(group) - 1} more agents can reach themselves through each other")
        out.append(diag("AGC308", first[(loop[0], loop[1])].span,
                        f"{who}: {' -> '.join(loop)}; {target} stops nesting at {limit} levels",
                        hint="fine when the loop ends by itself; a subagent past the limit cannot be spawned"))
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
            best = max(outs, key=lambda w: longest[w], default=None)
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


_NAMES = [f"a{k}" for k in range(16)] + ["İ", "😀", ""]


def _project(names: list[str], pairs: list[tuple[int, int]]) -> ProjectIR:
    agents = [AgentIR(id=n, name=n, file=f"{k}.md", span=Span(file=f"{k}.md", line=1), description="d", body="", body_line=2)
              for k, n in enumerate(names)]
    edges = tuple(Edge(source=names[a], target=names[b], target_id=names[b], condition="c", kind="delegate",
                       span=Span(file=f"{a}.md", line=k + 2)) for k, (a, b) in enumerate(pairs))
    return ProjectIR(agents=tuple(agents), edges=edges)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_NAMES), unique=True, min_size=1, max_size=18).flatmap(
    lambda names: st.tuples(st.just(names), st.lists(st.tuples(st.integers(0, len(names) - 1), st.integers(0, len(names) - 1)),
                                                      max_size=40))),
       st.integers(1, 6))  # a limit below 1 is no limit: a lone agent is past it (and has no chain to print)
def test_any_graph_reports_as_the_walk_over_every_agent(graph, limit):
    names, pairs = graph
    project = _project(names, sorted(pairs))  # each agent's edges together, as link makes them
    assert nesting.nesting_report(project, limit, "claude") == _reference(project, limit, "claude")


def test_a_long_chain_a_big_loop_and_the_repository_report_alike():
    chain = _project([f"c{k}" for k in range(30)], [(k, k + 1) for k in range(29)])
    loop = _project([f"l{k}" for k in range(40)], [(k, (k + 1) % 40) for k in range(40)] + [(k, (k + 7) % 40) for k in range(40)])
    for project in (chain, loop):
        for limit in (1, 2, 5):
            got = nesting.nesting_report(project, limit, "claude")
            assert got and got == _reference(project, limit, "claude")  # the chain is past every limit; the loop loops
    from conftest import ROOT

    from agentc.api import discover, read_agents

    found, _ = discover([str(ROOT / "agents")])
    agents, _, _ = read_agents(found)
    project = link(agents, [])
    for limit in (1, 2, 5):
        assert nesting.nesting_report(project, limit, "claude") == _reference(project, limit, "claude")


def test_the_loop_link_prints_is_the_one_the_nesting_report_prints():
    """A large loop's first agent: link's cycle check (AGC305) finds its shortest loop, and the
    nesting report (AGC308) takes that one (graph.loop_of) rather than searching again."""
    from agentc.compiler import graph
    from agentc.compiler.ir import Delegation

    names = [f"l{k:02}" for k in range(40)]
    agents = []
    for k, n in enumerate(names):
        body = "".join(f"- x → Delegate to **{names[t]}**\n" for t in ((k + 1) % 40, (k + 7) % 40))
        made = tuple(Delegation(target=names[t], condition="x", pattern="D1 arrow", span=Span(file=f"{n}.md", line=5 + j, col=20))
                     for j, t in enumerate(((k + 1) % 40, (k + 7) % 40)))
        agents.append(AgentIR(id=n, name=n, file=f"{n}.md", span=Span(file=f"{n}.md", line=1), description="d", body=body,
                              body_line=5, delegations=made))
    project = link(agents, [])
    succ, _, groups = shape_of(project)
    [group] = [g for g in groups if len(g) > 1]
    printed = [d for d in project.diagnostics if d.code == "AGC305"]
    loop = graph.loop_of(project, "l00", succ, set(group))
    assert loop == shortest_loop("l00", succ, set(group)) and len(printed) == 1 and " -> ".join(loop) in printed[0].message
    assert loop is graph.loop_of(project, "l00", succ, set(group))  # found once
    report = nesting.nesting_report(project, 5, "claude")
    assert report == _reference(project, 5, "claude") and " -> ".join(loop) in report[0].message
