"""Target `diagram`: the delegation graph as mermaid, Graphviz DOT, an edge table and SVG.

One arrow per (source, target) pair, labelled with its kinds; targets that are not in the
build are drawn dashed. SVG is rendered by Graphviz's `dot` when it is installed.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass

from agentc.compiler.diagnostics import diag
from agentc.compiler.ir import ProjectIR
from agentc.compiler.options import BuildOptions
from agentc.compiler.span import Span
from agentc.targets import Emitted, Target


@dataclass(frozen=True)
class Node:
    key: str  # stable id inside the diagram
    label: str
    scope: str | None
    dangling: bool


@dataclass(frozen=True)
class Arrow:
    source: str
    target: str
    kinds: tuple[str, ...]
    conditions: tuple[str, ...]
    where: str


def view(project: ProjectIR) -> tuple[list[Node], list[Arrow]]:
    """Nodes (agents, then dangling names) and collapsed arrows, in a stable order."""
    nodes = {a.id: Node(f"a{i}", a.id, a.scope, False) for i, a in enumerate(sorted(project.agents, key=lambda a: a.id))}
    for name in sorted({e.target for e in project.edges if e.target_id is None}):
        nodes[f"?{name}"] = Node(f"d{len(nodes)}", name, None, True)
    grouped: dict[tuple[str, str], list] = {}
    for e in project.edges:
        grouped.setdefault((e.source, e.target_id or f"?{e.target}"), []).append(e)
    arrows = [
        Arrow(nodes[s].key, nodes[t].key, tuple(dict.fromkeys(e.kind for e in es)),
              tuple(dict.fromkeys(e.condition for e in es if e.condition)), f"{es[0].span.file}:{es[0].span.line}")
        for (s, t), es in sorted(grouped.items(), key=lambda kv: (kv[0][0], kv[0][1].startswith("?"), kv[0][1]))
    ]
    return list(nodes.values()), arrows


def _mm(text: str) -> str:
    return text.replace('"', "#quot;")


def mermaid(project: ProjectIR) -> str:
    nodes, arrows = view(project)
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
    for a in arrows:
        label = ", ".join(k for k in a.kinds if k != "delegate") or ""
        arrow = "-->" if set(a.kinds) & {"delegate", "parallel"} else "-.->"
        out.append(f"  {a.source} {arrow}" + (f'|"{_mm(label)}"|' if label else "") + f" {a.target}")
    out.append("  classDef dangling stroke-dasharray: 5 5,fill:#fff4f4,color:#a33")
    return "\n".join(out) + "\n"


def _dot_str(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def dot(project: ProjectIR) -> str:
    nodes, arrows = view(project)
    out = ["digraph delegation {", "  rankdir=LR;", '  node [shape=box, style="rounded"];']
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
    for a in arrows:
        label = ", ".join(k for k in a.kinds if k != "delegate")
        attrs = [f"label={_dot_str(label)}"] if label else []
        if not set(a.kinds) & {"delegate", "parallel"}:
            attrs.append("style=dashed")
        out.append(f"  {a.source} -> {a.target}" + (f" [{', '.join(attrs)}]" if attrs else "") + ";")
    out.append("}")
    return "\n".join(out) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown(project: ProjectIR) -> str:
    nodes, arrows = view(project)
    label = {n.key: n.label + (" (not in build)" if n.dangling else "") for n in nodes}
    out = [
        "# Delegation graph",
        "",
        f"{len(project.agents)} agents, {len(arrows)} delegation links "
        f"({sum(1 for n in nodes if n.dangling)} to agents not in the build, drawn dashed).",
        "",
        "```mermaid",
        mermaid(project).rstrip("\n"),
        "```",
        "",
        "| From | To | Kind | When | Source |",
        "|---|---|---|---|---|",
    ]
    for a in arrows:
        out.append(f"| {_cell(label[a.source])} | {_cell(label[a.target])} | {', '.join(a.kinds)} | "
                   f"{_cell('; '.join(a.conditions))} | {_cell(a.where)} |")
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
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def svg(dot_source: str) -> str | None:
    """SVG from Graphviz, or None when `dot` is not installed."""
    exe = shutil.which("dot")
    if exe is None:
        return None
    done = subprocess.run([exe, "-Tsvg"], input=dot_source, capture_output=True, text=True, check=False)
    return done.stdout if done.returncode == 0 else None


def emit(project: ProjectIR, options: BuildOptions) -> Emitted:
    source = dot(project)
    files = {"delegation.mmd": mermaid(project), "delegation.md": markdown(project), "delegation.dot": source}
    diags = []
    picture = svg(source)
    if picture is None:
        diags.append(diag("AGC404", Span(file="<diagram target>", line=1),
                          "Graphviz 'dot' is not installed, so delegation.svg was not written",
                          hint="install graphviz (apt-get install graphviz) or render delegation.mmd with mermaid"))
    else:
        files["delegation.svg"] = picture
    return Emitted(files=files, diagnostics=tuple(diags))


TARGET = Target(
    name="diagram",
    summary="delegation graph: delegation.mmd, delegation.md (with an edge table), delegation.dot, SVG",
    emit=emit,
    capabilities=frozenset({"delegation:graph"}),
)
