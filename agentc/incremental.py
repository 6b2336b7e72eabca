"""Rebuild after an edit: re-lower the changed agent files and re-emit only their outputs.

Used when the last good build's record matches this build (options, targets, code, output
folders, the same source paths), every file it wrote is still as written, every chosen target
can emit one agent alone (`Target.emit_agent` and `emit_graph`), and each changed file still
defines the agent it did (same id, name and plugin), so no output path moves. The other agents
are not read: the record keeps, per source, a small view of its agent (id, name, scope, spans,
delegations), which is all linking and the targets' per-agent emission look at. The graph is
linked whole again, so its diagnostics (AGC3xx) are always current. Anything else is a full
build; tests/test_pipeline.py checks the result is byte-identical to one.
"""

from __future__ import annotations

from pathlib import Path

from agentc import api
from agentc.cache import RACY_NS, recorded_diagnostics, sha, stat_of, unchanged
from agentc.compiler import suppress
from agentc.compiler.diagnostics import Diagnostic, apply_policy, has_errors
from agentc.compiler.graph import link
from agentc.compiler.ir import AgentIR, Delegation, Mention, ProjectIR
from agentc.compiler.options import BuildOptions
from agentc.compiler.span import Span
from agentc.validate import validate_files

GRAPH = "AGC3"  # the project-graph codes (see compiler/diagnostics.py): recomputed on every rebuild


def able(targets: list[str]) -> bool:
    from agentc.targets import TARGETS

    return all(TARGETS[t].emit_agent is not None and TARGETS[t].emit_graph is not None for t in targets)


def views(found, project: ProjectIR, targets: list[str]) -> list | None:
    """Per source file, the view of its agent the next rebuild needs; None when one is missing."""
    if not able(targets):
        return None
    by_file = {a.file: a for a in project.agents}
    out = []
    for f in found:
        a = by_file.get(f.file)
        if a is None:
            return None
        view = _view(a)
        if view is None:
            return None
        out.append(view)
    return out


def _view(a: AgentIR) -> list | None:
    """id, name, scope, file, span, key spans, delegations, mentions, and the text of the lines
    they are on (the linker shows that line under its diagnostics)."""
    spans = [a.span, *a.key_spans.values(), *(d.span for d in a.delegations), *(m.span for m in a.mentions)]
    if any(s.file != a.file for s in spans):
        return None  # a view keeps one file per agent
    body = a.body.split("\n")
    lines = {}
    for s in spans[1 + len(a.key_spans):]:
        row = s.line - a.body_line
        if 0 <= row < len(body):
            lines[str(s.line)] = body[row]
    for n in suppress.lines_needed(a.body, a.body_line):  # its suppression comments apply after a rebuild too
        if 0 <= n - a.body_line < len(body):
            lines[str(n)] = body[n - a.body_line]
    return [a.id, a.name, a.scope, a.file, [a.span.line, a.span.col], {k: [s.line, s.col] for k, s in a.key_spans.items()},
            [[d.target, d.condition, d.kind, d.pattern, d.section, d.span.line, d.span.col] for d in a.delegations],
            [[list(m.words), m.kind, m.pattern, m.condition, m.section, m.span.line, m.span.col] for m in a.mentions],
            lines]


def _light(view: list) -> AgentIR:
    """An AgentIR holding only what linking and per-agent emission read of the other agents:
    its body is just the lines its delegations and mentions are on, at their line numbers."""
    ident, name, scope, file, (line, col), keys, dels, ments, lines = view

    def at(line: int, col: int) -> Span:
        return Span(file=file, line=line, col=col)

    rows = sorted(int(n) for n in lines)
    body = [""] * (rows[-1] - rows[0] + 1) if rows else []
    for n, text in lines.items():  # each kept line at its row, every other row empty
        body[int(n) - rows[0]] = text
    return AgentIR(
        id=ident, name=name, scope=scope, file=file, span=at(line, col), description="", body="\n".join(body),
        body_line=rows[0] if rows else 1, key_spans={k: at(*lc) for k, lc in keys.items()},
        delegations=tuple(Delegation(target=t, condition=c, kind=k, pattern=p, section=s, span=at(ln, cl))
                          for t, c, k, p, s, ln, cl in dels),
        mentions=tuple(Mention(words=tuple(w), kind=k, pattern=p, condition=c, section=s, span=at(ln, cl))
                       for w, k, p, c, s, ln, cl in ments))


def _sources(entries: list, recorded_ns: int) -> tuple[list, list[int]] | None:
    """The record's source entries brought up to date, and the indices of the changed files."""
    seen, changed = [], []
    for i, (path, old_stat, digest) in enumerate(entries):
        now = stat_of(Path(path))
        if now is None:
            return None
        if now == old_stat and recorded_ns - now[1] > RACY_NS:
            seen.append([path, old_stat, digest])
            continue
        try:
            same = sha(Path(path).read_bytes()) == digest
        except OSError:
            return None
        seen.append([path, now, digest] if same else None)
        if not same:
            changed.append(i)
    return seen, changed


def rebuild(store, record: dict | None, key: str, options: BuildOptions, targets: list[str], found, ddiags,
            ) -> tuple[api.Result, frozenset[str], list, list] | None:
    """(result with only the re-emitted files, target-prefixed paths known unchanged, the new
    source entries, the new views), or None when a full build is needed."""
    from agentc.targets import TARGETS

    try:
        if not record or record.get("key") != key or not record.get("views") or not able(targets):
            return None
        if [s[0] for s in record["sources"]] != [str(f.path) for f in found] or record.get("scopes") != [f.scope for f in found]:
            return None
        recorded = int(record["recorded_ns"])
        old_views, old_files = store.load_views(record["views"]), set(record["files"])
        if old_views is None:
            return None
        if len(old_views) != len(found) or not unchanged(record["outputs"], recorded):
            return None
        state = _sources(record["sources"], recorded)
    except (KeyError, TypeError, ValueError):  # a damaged record is no record
        return None
    if state is None:
        return None
    seen, changed = state
    fresh, more, read = api.read_agents([found[i] for i in changed], cache=store)
    if len(read) != len(changed) or has_errors(apply_policy(more, **options.policy())):
        return None
    by_file = {a.file: a for a in fresh}
    agents, new_views = [], list(old_views)
    for i, f in enumerate(found):
        if seen[i] is not None:
            agents.append(_light(old_views[i]))
            continue
        a = by_file.get(f.file)
        view = _view(a) if a is not None else None
        if view is None or view[:4] != old_views[i][:4]:
            return None  # an agent renamed, moved or gone: its outputs move too
        agents.append(a)
        new_views[i] = view
    for i, entry in zip(changed, read, strict=True):
        seen[i] = entry
    project = link(agents, [])
    diags: list[Diagnostic] = [*ddiags, *more, *project.diagnostics]
    files: dict[str, str] = {}
    for name in targets:
        target = TARGETS[name]
        diags += target.emit_graph(project, options)
        for a in fresh:
            emitted = target.emit_agent(project, a, options)
            if emitted is None:
                return None
            diags += emitted.diagnostics
            diags += validate_files(name, emitted.files, target.validate, target.loads_itself)
            files.update({f"{name}/{path}": text for path, text in emitted.files.items()})
    if not set(files) <= old_files:
        return None
    gone = {a.file for a in fresh} | set(files)
    kept = recorded_diagnostics(record, lambda d: not d["code"].startswith(GRAPH) and d["file"] not in gone)
    if kept is None:
        return None
    final = api.judge(kept + diags, options, project, fresh={a.file for a in fresh})
    if has_errors(final):
        return None
    return api.Result(project=project, files=files, diagnostics=final), frozenset(old_files - set(files)), seen, new_views
