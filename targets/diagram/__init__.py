"""Target `diagram`: the delegation graph as mermaid, Graphviz DOT, an edge table and SVG.

One arrow per (source, target) pair, labelled with its kinds; targets that are not in the
build are drawn dashed. SVG is an opt-in output (`svg = true`): what a build writes must not
depend on whether this machine has Graphviz, or `--check` would differ between a laptop and
CI. `dot` runs with a time limit and only below an edge budget, so a build never hangs on it.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
from dataclasses import dataclass
from typing import NamedTuple

from agentc.compiler.diagnostics import diag
from agentc.compiler.ir import ProjectIR
from agentc.compiler.options import BuildOptions
from agentc.compiler.span import Span
from agentc.targets import Emitted, Target
from agentc.targets._shared import jsontext


@dataclass(frozen=True)
class Node:
    key: str  # stable id inside the diagram
    label: str
    scope: str | None
    dangling: bool


# One arrow per (source, target) pair (a tuple: 15,000 of them at 1000 agents, where a frozen
# dataclass's __init__ took 10 of the 33 ms of making them). The functional form, as
# compiler/delegation.py's Found (tests/test_layout.py says why).
Arrow = NamedTuple("Arrow", [("source", str), ("target", str), ("kinds", tuple[str, ...]), ("conditions", tuple[str, ...]),
                             ("where", str)])


def view(project: ProjectIR) -> tuple[list[Node], list[Arrow]]:
    """Nodes (agents, then dangling names) and collapsed arrows, in a stable order."""
    nodes = {a.id: Node(f"a{i}", a.id, a.scope, False) for i, a in enumerate(sorted(project.agents, key=lambda a: a.id))}
    for name in sorted({e.target for e in project.edges if e.target_id is None}):
        nodes[f"?{name}"] = Node(f"d{len(nodes)}", name, None, True)
    grouped: dict[tuple[str, str], list] = {}
    for e in project.edges:
        grouped.setdefault((e.source, e.target_id or f"?{e.target}"), []).append(e)
    arrows = []
    for (s, t), es in sorted(grouped.items(), key=lambda kv: (kv[0][0], kv[0][1].startswith("?"), kv[0][1])):
        first = es[0]
        if len(es) == 1:  # most pairs (13,000 of 15,000 at 1000 agents): no duplicates to drop
            kinds, conditions = (first.kind,), (first.condition,) if first.condition else ()
        else:
            kinds = tuple(dict.fromkeys(e.kind for e in es))
            conditions = tuple(dict.fromkeys(e.condition for e in es if e.condition))
        arrows.append(Arrow(nodes[s].key, nodes[t].key, kinds, conditions, f"{first.span.file}:{first.span.line}"))
    return list(nodes.values()), arrows


def focus(project: ProjectIR, agent: str | None = None, depth: int | None = None, placeholders: bool = True) -> ProjectIR:
    """The part of the graph worth drawing: agents within `depth` links of `agent` (either
    direction; every agent when None) and, unless `placeholders` is false, the names they
    delegate to that are not in the build. Raises KeyError for an unknown agent."""
    keep = {a.id for a in project.agents}
    if agent is not None:
        start = next((a.id for a in project.agents if agent in (a.id, a.name)), None)
        if start is None:
            raise KeyError(agent)
        near = {e.source: set() for e in project.edges}
        for e in project.edges:
            if e.target_id:
                near.setdefault(e.source, set()).add(e.target_id)
                near.setdefault(e.target_id, set()).add(e.source)
        keep, ring = {start}, {start}
        for _ in range(depth if depth is not None else len(project.agents)):
            ring = {n for a in ring for n in near.get(a, ())} - keep
            if not ring:
                break
            keep |= ring
    edges = tuple(e for e in project.edges if e.source in keep and (e.target_id in keep or (placeholders and not e.target_id)))
    return ProjectIR(agents=tuple(a for a in project.agents if a.id in keep), edges=edges, diagnostics=project.diagnostics)


def _mm(text: str) -> str:
    return text.replace('"', "#quot;")


View = tuple[list[Node], list[Arrow]]


def mermaid(project: ProjectIR, shown: View | None = None) -> str:
    """`shown`: `view(project)` when the caller has it already (emit draws one view three ways)."""
    nodes, arrows = shown or view(project)
    out = ["flowchart LR"]
    scopes = sorted({n.scope for n in nodes if n.scope})
    for scope in [None, *scopes]:
        members = [n for n in nodes if n.scope == scope]
        pad = "    " if scope else "  "
        if scope:
            out.append(f'  subgraph s_{scopes.index(scope)}["{_mm(scope)}"]')
        for n in members:
            out.append(f'{pad}{n.key}["{_mm(n.label)}"]' + (":::dangling" if n.dangling else ""))
        if scope:
            out.append("  end")
    links: dict[tuple[str, ...], str] = {}  # an arrow's middle depends on its kinds alone: a few, for 15,000 arrows
    for a in arrows:
        link = links.get(a.kinds)
        if link is None:
            label = ", ".join(k for k in a.kinds if k != "delegate") or ""
            arrow = "-->" if set(a.kinds) & {"delegate", "parallel"} else "-.->"
            link = links[a.kinds] = f" {arrow}" + (f'|"{_mm(label)}"|' if label else "") + " "
        out.append(f"  {a.source}{link}{a.target}")
    out.append("  classDef dangling stroke-dasharray: 5 5,fill:#fff4f4,color:#a33")
    return "\n".join(out) + "\n"


def _dot_str(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def dot(project: ProjectIR, shown: View | None = None) -> str:
    nodes, arrows = shown or view(project)
    # newrank: Graphviz 2.43 fails to rank clusters of a large graph without it ("trouble in init_rank")
    out = ["digraph delegation {", "  rankdir=LR;", "  newrank=true;", '  node [shape=box, style="rounded"];']
    scopes = sorted({n.scope for n in nodes if n.scope})
    for scope in [None, *scopes]:
        pad = "    " if scope else "  "
        if scope:
            out.append(f"  subgraph cluster_{scopes.index(scope)} {{")
            out.append(f"    label={_dot_str(scope)};")
        for n in (n for n in nodes if n.scope == scope):
            style = ', style="dashed", color="#aa3333"' if n.dangling else ""
            out.append(f"{pad}{n.key} [label={_dot_str(n.label)}{style}];")
        if scope:
            out.append("  }")
    ends: dict[tuple[str, ...], str] = {}  # an edge's attributes depend on its kinds alone
    for a in arrows:
        end = ends.get(a.kinds)
        if end is None:
            label = ", ".join(k for k in a.kinds if k != "delegate")
            attrs = [f"label={_dot_str(label)}"] if label else []
            if not set(a.kinds) & {"delegate", "parallel"}:
                attrs.append("style=dashed")
            end = ends[a.kinds] = (f" [{', '.join(attrs)}]" if attrs else "") + ";"
        out.append(f"  {a.source} -> {a.target}{end}")
    out.append("}")
    return "\n".join(out) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown(project: ProjectIR, shown: View | None = None, chart: str | None = None) -> str:
    """`chart`: `mermaid(project)`, when the caller has it already."""
    nodes, arrows = shown = shown or view(project)
    cell = {n.key: _cell(n.label + (" (not in build)" if n.dangling else "")) for n in nodes}  # once a node, not an arrow
    out = [
        "# Delegation graph",
        "",
        f"{len(project.agents)} agents, {len(arrows)} delegation links "
        f"({sum(1 for n in nodes if n.dangling)} to agents not in the build, drawn dashed).",
        "",
        "```mermaid",
        (chart if chart is not None else mermaid(project, shown)).rstrip("\n"),
        "```",
        "",
        "| From | To | Kind | When | Source |",
        "|---|---|---|---|---|",
    ]
    out += [f"| {cell[a.source]} | {cell[a.target]} | {', '.join(a.kinds)} | {_cell('; '.join(a.conditions))} | {_cell(a.where)} |"
            for a in arrows]
    return "\n".join(out) + "\n"


def as_json(project: ProjectIR) -> str:
    nodes, arrows = view(project)
    data = {
        "nodes": [{"id": n.label, "scope": n.scope, "dangling": n.dangling} for n in nodes],
        "edges": [
            {"source": e.source, "target": e.target_id or e.target, "dangling": e.target_id is None,
             "kind": e.kind, "condition": e.condition, "file": e.span.file, "line": e.span.line}
            for e in project.edges
        ],
    }
    return jsontext.dumps(data, ensure_ascii=False) + "\n"


class NoSvg(Exception):
    """Why no SVG was rendered: the message is one line for a diagnostic."""


def svg(dot_source: str, timeout_s: float = 5.0) -> str:
    """SVG from Graphviz's `dot`, within `timeout_s` seconds; raises NoSvg saying why not."""
    exe = shutil.which("dot")
    if exe is None:
        raise NoSvg("Graphviz 'dot' is not installed")
    proc = subprocess.Popen([exe, "-Tsvg"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)
    try:
        out, err = proc.communicate(dot_source, timeout=timeout_s)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # dot may have forked; its whole group goes
        proc.communicate()
        raise NoSvg(f"Graphviz 'dot' did not finish within {timeout_s:g} s") from None
    if proc.returncode != 0:
        first = next((ln.strip() for ln in err.splitlines() if ln.strip()), f"exit status {proc.returncode}")
        raise NoSvg(f"Graphviz 'dot' failed: {first}")
    return out


def emit(project: ProjectIR, options: BuildOptions) -> Emitted:
    shown = view(project)  # 4x faster than drawing each file from scratch: 1000 agents, 0.5 -> 0.13 s
    source, chart = dot(project, shown), mermaid(project, shown)
    files = {"delegation.mmd": chart, "delegation.md": markdown(project, shown, chart), "delegation.dot": source}
    diags = []
    if options.svg:
        where = Span(file="<diagram target>", line=1)
        edges = source.count(" -> ")
        if edges > options.svg_max_edges:
            diags.append(diag("AGC405", where, f"delegation.svg not rendered: {edges} edges is more than svg_max_edges "
                                               f"({options.svg_max_edges})",
                              hint="raise svg_max_edges, or draw part of it: agentc graph --focus AGENT --depth N -f svg"))
        else:
            try:
                files["delegation.svg"] = svg(source, options.svg_timeout_s)
            except NoSvg as exc:
                diags.append(diag("AGC404", where, f"delegation.svg not rendered: {exc}",
                                  hint="install graphviz (apt-get install graphviz), raise svg_timeout_s, "
                                       "or render delegation.mmd with mermaid"))
    return Emitted(files=files, diagnostics=tuple(diags))


TARGET = Target(
    name="diagram",
    summary="delegation graph: delegation.mmd, delegation.md (with an edge table), delegation.dot, SVG",
    emit=emit,
    capabilities=frozenset({"delegation:graph"}),
)
