"""The team as the framework targets see it: the entry agent, reachable agents, handoffs, dangling policy.

All pure functions of the ProjectIR and the options.
"""

from __future__ import annotations

import heapq
import re
from collections import Counter, deque
from dataclasses import dataclass

from agentc.compiler.diagnostics import Diagnostic, diag, did_you_mean
from agentc.compiler.graph import components, successors
from agentc.compiler.ir import AgentIR, ProjectIR
from agentc.compiler.options import BuildOptions
from agentc.compiler.span import Span
from agentc.targets import Chunks, encode


def pick_entry(project: ProjectIR, options: BuildOptions) -> tuple[list[str], list[Diagnostic]]:
    """Entry agent ids: `--entry`, else the agents nobody delegates to (sorted).

    An unknown --entry is an error. Several candidates are kept (the first is the default)
    with a warning. A team in which everyone is delegated to (a cycle with no lead) would have
    no such agent, so each one still unreached adds the agent that reaches most of it: every
    agent of the build is reachable from some root."""
    cli = Span(file="<command line>", line=1)
    if options.entry:
        hits = [a for a in project.agents if options.entry in (a.id, a.name)]
        if len(hits) == 1:
            return [hits[0].id], []
        if not hits:
            close = did_you_mean(options.entry, [a.name for a in project.agents])
            return [], [diag("AGC804", cli, f"entry agent '{options.entry}' is not in the build"
                             + (f"; did you mean '{close}'?" if close else ""))]
        return [], [diag("AGC804", cli, f"entry '{options.entry}' matches several agents: "
                         + ", ".join(a.id for a in hits), hint="pass the plugin-scoped id (plugin:name)")]
    called = {e.target_id for e in project.edges if e.target_id and e.target_id != e.source}
    roots = sorted(a.id for a in project.agents if a.id not in called)
    covered = {a.id for a in reachable(project, roots)}
    roots += _loop_leads(project, covered)
    diags = []
    if len(roots) > 1:
        diags.append(diag("AGC805", cli, f"{len(roots)} agents are not delegated to by anyone; "
                          f"entry defaults to '{roots[0]}': " + ", ".join(roots),
                          hint="choose one with --entry NAME or entry = \"NAME\" in [tool.agentc]"))
    return roots, diags


def _loop_leads(project: ProjectIR, covered: set[str]) -> list[str]:
    """The roots a team of loops needs: greedily, the agent that reaches most of what is still
    unreached (ties: the smallest id), until every agent is reached. Updates `covered`.

    Only a loop nobody outside it delegates to can hold the best agent (anyone delegating into
    a loop reaches more), and all of a loop's members reach the same agents, so the candidates
    are those loops' smallest ids. Their gains only shrink as more is covered, so a heap of
    stale gains re-measures just the candidate on top (lazy greedy): the same roots as trying
    every agent each round, which was cubic on 1,000 agents in one loop."""
    ids = list(dict.fromkeys(a.id for a in project.agents))
    succ, _ = successors(ids, project.edges)
    comps = components(succ)
    comp_of = {v: n for n, comp in enumerate(comps) for v in comp}
    entered = {comp_of[w] for v, ws in succ.items() for w in ws if comp_of[w] != comp_of[v]}
    heap = [(-len(ids), min(comp)) for n, comp in enumerate(comps) if n not in entered and comp[0] not in covered]
    heapq.heapify(heap)
    leads = []
    while heap:
        _, lead = heapq.heappop(heap)
        gain = _reached(succ, lead, covered)
        if heap and (-len(gain), lead) > heap[0]:
            heapq.heappush(heap, (-len(gain), lead))  # no longer the best: re-measure the next
            continue
        leads.append(lead)
        covered |= gain
    return leads


def _reached(succ: dict[str, list[str]], start: str, covered: set[str]) -> set[str]:
    """The agents `start` reaches that are not in `covered` (closed under delegation)."""
    seen = {start} - covered
    todo = list(seen)
    while todo:
        for w in succ[todo.pop()]:
            if w not in seen and w not in covered:
                seen.add(w)
                todo.append(w)
    return seen


def reachable(project: ProjectIR, roots: list[str]) -> list[AgentIR]:
    """Agents reachable from the roots over resolved edges, breadth-first, roots first."""
    seen: dict[str, None] = {}
    queue = deque(roots)
    while queue:
        agent_id = queue.popleft()
        if agent_id in seen:
            continue
        seen[agent_id] = None
        queue += [e.target_id for e in project.edges_from(agent_id) if e.target_id and e.target_id not in seen]
    return [project.agent(i) for i in seen]


def agent_keys(members: list[AgentIR], stubs: list[str]) -> dict[str, str]:
    """The key each target's generated code takes an agent by (`models={key: ...}`, the model
    factory's first argument, usage per agent): the agent's name, or its plugin-scoped id
    (`plugin:name`) only when two members share the name; a placeholder's key is the name as
    written. Keyed by agent id (by the written name for placeholders); the same in every target."""
    names = Counter(a.name for a in members)
    keys = {a.id: a.name if names[a.name] == 1 else a.id for a in members}
    keys.update({s: s for s in stubs if s not in keys.values()})
    return keys


@dataclass(frozen=True)
class Handoff:
    """One distinct delegate of an agent, its conditions merged."""

    target: str  # agent id, or the written name when it dangles
    name: str  # the target agent's name (tool names are built from it)
    description: str
    kinds: tuple[str, ...]
    dangling: bool
    span: Span


def handoffs(project: ProjectIR, agent_id: str) -> tuple[Handoff, ...]:
    """The agent's distinct delegates. Remembered in the project (`ProjectIR.derived`): six
    targets ask for every agent's in one build (0.3 s at 1000 agents)."""
    known = project.derived.setdefault("handoffs", {})
    if agent_id not in known:
        known[agent_id] = _handoffs(project, agent_id)
    return known[agent_id]


def _handoffs(project: ProjectIR, agent_id: str) -> tuple[Handoff, ...]:
    merged: dict[str, list] = {}
    for e in project.edges_from(agent_id):
        merged.setdefault(e.target_id or e.target, []).append(e)
    out = []
    for target, edges in merged.items():
        conditions = list(dict.fromkeys(e.condition for e in edges if e.condition))
        name = project.agent(target).name if edges[0].target_id else edges[0].target
        text = "; ".join(conditions) if conditions else f"Hand the task to {name}."
        out.append(Handoff(target, name, text, tuple(dict.fromkeys(e.kind for e in edges)),
                           edges[0].target_id is None, edges[0].span))
    return tuple(out)


def apply_dangling(project: ProjectIR, agent_id: str, options: BuildOptions, target: str,
                   codes: tuple[str, str, str], announced: set[str]) -> tuple[list[Handoff], list[Diagnostic]]:
    """An agent's handoffs after the `dangling` policy, with each target's own codes for
    (stub, drop, error): stub keeps the handoff (the target emits a placeholder), drop leaves it
    out, error refuses it. A stub is announced once per missing name (`announced` collects them
    across agents): the graph's AGC301 already points at every edge."""
    stub, drop, error = codes
    kept, diags = [], []
    source = project.agent(agent_id)
    lines: list[str] = []

    def excerpt(h: Handoff) -> str | None:
        """The line under a diagnostic: the body (32 KB) is split once per agent, and only when a
        diagnostic is made (with `stub`, most agents name missing ones that were already announced)."""
        if not lines:
            lines.extend(source.body.split("\n"))
        return source_line(source, h.span, lines)

    for h in handoffs(project, agent_id):
        if not h.dangling:
            kept.append(h)
            continue
        if options.dangling == "stub":
            kept.append(h)
            if h.target not in announced:
                announced.add(h.target)
                diags.append(diag(stub, h.span, f"'{h.name}' is not in the build; {target} gets a placeholder agent for it",
                                  hint="add its file to the sources, or set dangling = \"drop\" to leave the handoff out",
                                  excerpt=excerpt(h)))
        elif options.dangling == "drop":
            diags.append(diag(drop, h.span, f"handoff to '{h.name}' left out of {target}: it is not in the build",
                              hint="dangling = \"stub\" keeps a placeholder", excerpt=excerpt(h)))
        else:
            diags.append(diag(error, h.span, f"'{h.name}' is not in the build and dangling = \"error\"",
                              hint="add its file to the sources, or set dangling = \"stub\" or \"drop\"", excerpt=excerpt(h)))
    return kept, diags


def source_line(agent: AgentIR, span: Span, lines: list[str] | None = None) -> str | None:
    """The body line a span points at, for the excerpt and caret under a delegate's name.
    `lines`: the body's lines, when the caller asks for several (split once per agent)."""
    row = span.line - agent.body_line
    if span.file != agent.file or row < 0:
        return None
    lines = lines if lines is not None else agent.body.split("\n")
    return lines[row] if row < len(lines) else None


def prompt_text(agent: AgentIR) -> str:
    """The system prompt: the body as written, without the blank lines around it, and one
    newline at its end (`body.strip("\n") + "\n"`). A body ends with its last line's newline, so
    the prompt is one slice of it, or the body itself: not a stripped copy and a copy of that
    with the newline (two copies of a 32 KB prompt per target that writes it)."""
    body = agent.body
    start, end = 0, len(body)
    while start < end and body[start] == "\n":
        start += 1
    while end > start and body[end - 1] == "\n":
        end -= 1
    return body[start:end + 1] if end < len(body) else body[start:end] + "\n"


def prompt_utf8(agent: AgentIR) -> Chunks:
    """`utf8(prompt_text(agent))`, the prompt file of the code targets."""
    return Chunks((encode(prompt_text(agent)),))


COMPLETION = re.compile(r"complet|done|finish|deliver|final", re.I)


def completion_checklist(agent: AgentIR) -> tuple[str, ...]:
    """The items of the agent's completion checklist: the one titled as such, else its last one.

    Targets check the final answer against it (crewai's task guardrail, the Agents SDK's output
    guardrail), so both pick the same list."""
    named = [c for c in agent.checklists if COMPLETION.search(c.title)]
    chosen = named[-1] if named else (agent.checklists[-1] if agent.checklists else None)
    return tuple(i.text for i in chosen.items) if chosen is not None else ()


def checklist_request(items: tuple[str, ...]) -> str:
    """What the model is told so that its answer ends with the checklist the guardrail checks."""
    return ("End your final answer with a section headed \"Completion checklist\" that repeats each "
            "item below word for word as `- [x] item` when it is met, or `- [ ] item: why not`:\n\n"
            + "\n".join(f"- [ ] {t}" for t in items) + "\n")
