"""Rebuild after an edit: re-lower the changed agent files and re-emit only their outputs.

Used when the last good build's record matches this build (options, targets, code, output
folders, the same source paths), every file it wrote is still as written, every chosen target
can emit one agent alone (`Target.emit_agent` and `emit_graph`), and each changed file still
defines the agent it did (same id, name and plugin), so no output path moves. The other agents
are not read: the record keeps, per source, a small view of its agent (id, name, scope, spans,
the edges linking drew from it), which is all linking and the targets' per-agent emission look
at. As no name changed, an agent not edited links as it did: its resolved edges come from its
view (its dangling ones stay out of the rebuilt project) and its delegation diagnostics from
the record, and only the edited agents' delegations are resolved again (`graph.relink`, against
the views' names). When the edited agents' views come out as they were (the common edit: text
that moves no delegation), or differ only in positions no graph-wide diagnostic reads (a line
added above the delegations: `_moved`), and hold no suppression comment, the delegation graph
is the last build's, and so are its diagnostics (GRAPH): they come from the record, and the
agents not edited are not even made (`_Rebuilt`). Otherwise every agent is linked from the
views and the graph-wide checks (cycles, nesting) run over every edge. Anything else is a full build;
tests/test_pipeline.py and tests/test_incremental.py check the result is byte-identical to one.
"""

from __future__ import annotations

import marshal
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import replace
from functools import cached_property

from agentc import api
from agentc.cache import Recorded, unchanged
from agentc.compiler import native, suppress
from agentc.compiler.diagnostics import Diagnostic, apply_policy, has_errors
from agentc.compiler.graph import DANGLING, NAMES, NORMALS, Named, counted, link, relink
from agentc.compiler.ir import AgentIR, Edge, ProjectIR, held_body
from agentc.compiler.options import BuildOptions
from agentc.compiler.span import Span
from agentc.validate import validate_files

# The project-graph codes computed over every agent: duplicate names, cycles and one name in
# several plugins (the linker), chains past a nesting limit (the targets). A rebuild whose graph
# changed makes them again; one whose graph did not keeps the record's. The other AGC3xx codes
# are one agent's delegations, kept for the agents not edited (see `link`).
GRAPH = frozenset({"AGC303", "AGC305", "AGC306", "AGC307", "AGC308"})

# What reading a stored view of another shape raises (`_unstored`, `_light`): such a view is no view.
_NOT_A_VIEW = (TypeError, ValueError, KeyError, IndexError, EOFError)


def able(targets: list[str]) -> bool:
    from agentc.targets import TARGETS

    return all(TARGETS[t].emit_agent is not None and TARGETS[t].emit_graph is not None for t in targets)


def views(found, project: ProjectIR, targets: list[str], comments: Sequence[suppress.Suppression] | None = None,
          ) -> list | None:
    """Per source file, the view of its agent the next rebuild needs (`_view`), as the cache keeps
    them (`_stored`); None when one is missing. `comments`: the project's suppression comments
    when judging found them already (a scan of every body, ~9 us a seed agent), else they are
    read here."""
    if not able(targets):
        return None
    by_file = {a.file: a for a in project.agents}
    commented: dict[str, list] = {}
    for c in api.suppressions(project) if comments is None else comments:
        commented.setdefault(c.file, []).append(c)
    out: list = []
    for f in found:
        a = by_file.get(f.file)
        if a is None:
            return None
        view = _view(a, project.edges_from(a.id), suppress.lines_of(commented.get(a.file, ())))
        if view is None:
            return None
        out.append(view)
    return _stored(out, project.derived.get(DANGLING, {}), project.derived.get(NORMALS))


def _stored(views: list[list], dangling: dict, normals: dict | None) -> list:
    """The views as the cache keeps them: [the ids, names, scopes and files of all, one after
    another; the rest of each view as marshal's bytes; the indices of those with suppression
    lines; what link found for dangling names and the names' normal forms, `graph.DANGLING`
    and `graph.NORMALS` (None: not found), as names do not change in a rebuild]. A rebuild
    reads the names of every agent and the rest of the edited ones only (`_unstored`), unless
    it links them all: marshal made the lists and dicts of every view, ~9.9M instructions at
    1000 agents, where the names and the bytes take ~1.4M."""
    return [[x for v in views for x in v[:4]], [marshal.dumps(v[4:]) for v in views], [i for i, v in enumerate(views) if v[7]],
            dict(dangling), None if normals is None else dict(normals)]


def _unstored(stored: list, i: int) -> list:
    """View `i` of the `_stored` views. ValueError, EOFError or TypeError when they are of another shape."""
    names, rests, _, _, _ = stored
    return [*names[4 * i:4 * i + 4], *marshal.loads(rests[i])]


def unstored(stored: list) -> list[list]:
    """Every view of the `_stored` views."""
    return [_unstored(stored, i) for i in range(len(stored[1]))]


def _view(a: AgentIR, edges, needed: set[int]) -> list | None:
    """id, name, scope, file, span, key spans, the resolved edges linking drew from it (six
    values each, one after another in a flat list), and the text of the lines its suppression
    comments read (`needed`: they still apply to graph-wide diagnostics).

    Its dangling edges (no target_id) are left out: the graph-wide checks walk resolved edges
    only, the targets read no more of an agent not edited (targets.Target.emit_agent), and as
    no name changes they stay dangling; their diagnostics come from the record. A seed agent's
    17 edges are 14 dangling ones: at 1000 agents the views' marshal and the light agents made
    from them were ~58M of a one-edit rebuild's ~515M instructions."""
    spans = [a.span, *a.key_spans.values(), *(e.span for e in edges)]
    if any(s.file != a.file for s in spans):
        return None  # a view keeps one file per agent
    lines = {}
    body = a.body.split("\n") if needed else []  # most agents have no suppression comment
    for n in needed:
        if 0 <= n - a.body_line < len(body):
            lines[str(n)] = body[n - a.body_line]
    rows: list = []
    for e in edges:
        if e.target_id is not None:  # a dangling edge is read by no target for an agent not edited (see module doc)
            rows += (e.target, e.target_id, e.condition, e.kind, e.span.line, e.span.col)
    return [a.id, a.name, a.scope, a.file, [a.span.line, a.span.col], {k: [s.line, s.col] for k, s in a.key_spans.items()},
            rows, lines]


def _moved(old: dict[int, list], new: dict[int, list], recorded: Recorded, files: set[str]) -> dict[str, list] | None:
    """Whether the edited agents' views `new`, not all the `old` ones, still make the last build's
    graph: each holds the same resolved edges (target, target id, condition, kind, in order), only
    their positions moved (a line added above or between their delegations), and neither view holds
    a suppression comment (those the last build left out were left out by the options, the same).
    Then the graph-wide diagnostics (GRAPH) are the record's, those located in an edited file at
    their new positions: returned per file, in their recorded order (files with none are left
    out); None when the graph may have changed or one of them does not map exactly (a full link).
    Where each is located (graph.py, nesting.py): a cycle (AGC305, AGC308) or a chain (AGC307) at
    the first edge from its agent to the next of its path, one name in several plugins (AGC306) at
    the agent; their messages hold names and ids, no position. An edge's diagnostic maps to the
    edge of the same index. (A duplicate name, AGC303, is an error: no record holds one.) A mid-file edit of 1000 agents linked them all again and ran the targets' graph checks
    for this: ~59M of its ~645M instructions. ValueError: a damaged table of diagnostics."""
    where: dict[str, tuple[list, list]] = {}
    for i, view in new.items():
        edges, was = view[6], old[i][6]
        if view[7] or old[i][7] or len(edges) != len(was) or any(
                edges[k:k + 4] != was[k:k + 4] for k in range(0, len(edges), 6)):
            return None
        where[view[3]] = (old[i], view)
    out: dict[str, list] = {}
    keys: dict[str, list] = {}
    for d in recorded.of(files, frozenset()):
        if d.code in GRAPH:
            at = _moved_to(d, *where[d.file]) if d.file in where else None
            if at is None:
                return None
            out.setdefault(d.file, []).append(replace(d, line=at[0], col=at[1]))
            keys.setdefault(d.file, []).append(d.sort_key())
    for f, ds in out.items():  # in their recorded (sorted) order still, no two tied that were not
        was, now = keys[f], [d.sort_key() for d in ds]
        if any(now[k] > now[k + 1] or (now[k] == now[k + 1]) != (was[k] == was[k + 1]) for k in range(len(now) - 1)):
            return None
    return out


def _moved_to(d: Diagnostic, old: list, new: list) -> tuple[int, int] | None:
    """The (line, col) the GRAPH diagnostic `d` of the agent of views `old` -> `new` moves to (see
    `_moved`); None when its old position is not exactly one of the places its code reports at."""
    if d.code == "AGC306":
        places = [(tuple(old[4]), tuple(new[4]))]
    else:
        was, now = old[6], new[6]
        places = [((was[k + 4], was[k + 5]), (now[k + 4], now[k + 5])) for k in range(0, len(was), 6)]
    to = {b for a, b in places if a == (d.line, d.col)}
    return next(iter(to)) if len(to) == 1 else None


def _light(view: list) -> tuple[AgentIR, tuple[Edge, ...]]:
    """An AgentIR holding only what per-agent emission and the graph-wide checks read of an
    agent not edited (its body is just its suppression comments' lines, at their line
    numbers), and the edges linking drew from it last time: compiler/_graph.c's light_agent
    where built, for a view of the common shape (1000 agents: ~48M of a one-edit rebuild's
    ~640M instructions in Python), else `_light_py`, its reference."""
    made = _LIGHT_AGENT(view) if _LIGHT_AGENT is not None else None
    return made if made is not None else _light_py(view)


def _light_py(view: list) -> tuple[AgentIR, tuple[Edge, ...]]:
    """`_light` in Python."""
    ident, name, scope, file, (line, col), keys, edges, lines = view
    text, first = "", 1  # most agents have no suppression comment: an empty body
    if lines:
        rows = sorted(map(int, lines))
        first, body = rows[0], [""] * (rows[-1] - rows[0] + 1)
        for n, kept in lines.items():  # each kept line at its row, every other row empty
            body[int(n) - first] = kept
        text = "\n".join(body)
    agent = AgentIR(id=ident, name=name, scope=scope, file=file, span=Span(file=file, line=line, col=col), description="",
                    body=text, body_line=first, key_spans={k: Span(file=file, line=ln, col=cl) for k, (ln, cl) in keys.items()})
    # Spans made inline, not through a local helper: a Python call per edge (~18 000 at 1000
    # agents) was ~1% of a one-edit rebuild.
    return agent, tuple([Edge(source=ident, target=t, target_id=tid, condition=c, kind=k, span=Span(file=file, line=ln, col=cl))
                         for t, tid, c, k, ln, cl in zip(*[iter(edges)] * 6, strict=True)])


# graph.py configured the module with the IR's classes when it was imported (above).
_LIGHT_AGENT = getattr(native.load("_graph", "light_agent", "configure"), "light_agent", None)


class _Rebuilt(ProjectIR):
    """The project of a rebuild whose edited agents link as they did: the graph is the last
    build's, so the rebuild reads nothing of it but the names the targets' per-agent emission
    counts (`graph.name_counts`, here from the views). Its agents, edges and diagnostics are
    `link`'s of the light agents, made the first time one of them is read (on a rebuild that
    writes, by nothing but runner._unsafe): at 1000 agents the light agents, their link and
    the nesting report were ~33M of a one-edit rebuild's ~439M instructions."""

    def __init__(self, make, names: list[str]) -> None:
        vars(self)["_make"] = make  # frozen: its fields are not set but made (`_linked`)
        self.derived[NAMES] = counted(names)

    @cached_property
    def _linked(self) -> ProjectIR:
        return self._make()

    agents = property(lambda self: self._linked.agents)
    edges = property(lambda self: self._linked.edges)
    diagnostics = property(lambda self: self._linked.diagnostics)


def rebuild(store, record: dict, sources: tuple[list, list[int]], options: BuildOptions, targets: list[str], found,
            ddiags, *, lazy: bool = False) -> tuple[api.Result, frozenset[str], list, list, Recorded | None] | None:
    """(result with only the re-emitted files, target-prefixed paths known unchanged, the new
    source entries, the new views, and the record's `Recorded` when the final diagnostics are the
    recorded ones), or None when a full build is needed. `record` is the last build's of this
    very build (runner.matching: its key, source paths and scopes), `sources` its source entries
    brought up to date and the indices of the changed ones (cache.refreshed). `lazy`: the
    recorded diagnostics are not made when they are the final ones (the result's are then
    empty); else they always are the result's."""
    from agentc.targets import TARGETS

    try:
        if not record.get("views") or not able(targets):
            return None
        recorded = int(record["recorded_ns"])
        old_views, old_files = store.load_views(record["views"]), set(record["files"])
        if old_views is None:
            return None
        names, rests, commented, dangling, normals = old_views
        if len(rests) != len(found) or len(names) != 4 * len(found) or not unchanged(record["outputs"], recorded):
            return None
    except (KeyError, TypeError, ValueError):  # a damaged record is no record
        return None
    seen, changed = sources
    fresh, more, read = api.read_agents([found[i] for i in changed], cache=store, whole=not set(targets) <= api.UNSTRUCTURED)
    if len(read) != len(changed) or has_errors(apply_policy(more, **options.policy())):
        return None
    by_file = {a.file: a for a in fresh}
    edited = [by_file.get(found[i].file) for i in changed]
    try:
        old = {i: _unstored(old_views, i) for i in changed}
        if any(a is None or [a.id, a.name, a.scope, a.file] != old[i][:4] for i, a in zip(changed, edited, strict=True)):
            return None  # an agent renamed, moved or gone: its outputs move too
        row = iter(names)
        named = list(map(Named, zip(row, row, row, row, strict=True)))
    except (TypeError, ValueError, EOFError):  # views of another shape are no views
        return None
    unread = set(range(len(found))) - set(changed)
    for i, entry in zip(changed, read, strict=True):
        seen[i] = entry
    try:
        relinked, linked_diags = relink(edited, named, dangling, normals)
    except (TypeError, ValueError, AttributeError):  # what the views hold of dangling names or normal forms is of another shape
        return None
    at = {found[i].file: i for i in changed}
    new: dict[int, list] = {}
    for a, edges in relinked:
        view = _view(a, edges, suppress.lines_needed(held_body(a), a.body_line))
        if view is None:
            return None
        new[at[a.file]] = view
    from agentc import codec  # loaded already: the edited files' entries were made through it

    moved: dict[str, list] | None = {}  # the edited files' GRAPH diagnostics at their new positions (`_moved`)
    if all(codec.dump_json(new[i]) == codec.dump_json(old[i]) for i in changed):
        new_views = old_views  # the same views: the cache keeps their file (Cache.save_record)
        # The edited agents link as they did and hold no suppression comment (their views are the
        # same, comment lines and all): the graph, and so its diagnostics (GRAPH), are the last build's.
        if any(old[i][7] for i in changed):
            moved = None
    else:
        rests = list(rests)
        for i, view in new.items():
            rests[i] = marshal.dumps(view[4:])
        new_views = [names, rests, sorted(set(commented) - set(new) | {i for i, view in new.items() if view[7]}), dangling, normals]
        try:
            moved = _moved(old, new, record["diagnostics"], {found[i].file for i in changed})
        except _NOT_A_VIEW:  # stored views of another shape, or a damaged table of diagnostics: a full build
            return None

    def linked() -> ProjectIR:
        """The project a build from nothing links: the agents not edited as their views hold them,
        the edited ones as relinked (not resolved again: the fuzzy search of their dangling names
        and the rest were ~5M instructions of a 1000-agent rebuild whose graph changed)."""
        agents, kept = [], {a.file: edges for a, edges in relinked}
        again = {a.file: a for a, _ in relinked}
        for i, f in enumerate(found):
            if i in unread:
                a, kept[f.file] = _light(_unstored(old_views, i))
            else:
                a = again[f.file]
            agents.append(a)
        return link(agents, linked_diags, kept)

    same_graph = moved is not None
    if same_graph:
        project: ProjectIR = _Rebuilt(linked, names[1::4])  # each agent's name (see `_stored`)
        diags: list[Diagnostic] = [*ddiags, *more, *linked_diags]
        # Only comments in other files may judge what is judged here (e.g. discovery's diagnostics).
        try:
            with_comments = [_light(_unstored(old_views, i))[0] for i in commented]
        except _NOT_A_VIEW:
            return None
        comments = suppress.find_all((a.file, held_body(a), a.body_line) for a in with_comments)
    else:
        try:
            project = linked()
        except _NOT_A_VIEW:
            return None
        diags, comments = [*ddiags, *more, *project.diagnostics], None
    files: dict[str, str] = {}
    for name in targets:
        target = TARGETS[name]
        if not same_graph:
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
    judged = api.judge(diags, options, project, fresh={a.file for a in fresh}, found=comments)
    if has_errors(judged):  # the recorded ones have none: the last build succeeded
        return None
    recorded = record["diagnostics"]
    try:
        final = _replaced(recorded, judged, gone, moved) if lazy else None
        if final is None:
            # Tested inline, not through a function: a call per kept AGC301 (~12 000) was ~1.4% of this rebuild.
            if moved is not None:
                kept = [d for d in recorded.diagnostics() if d.file not in gone or d.code in GRAPH and d.file not in moved]
                kept = list(_merged(kept, tuple(d for ds in moved.values() for d in ds)))
            else:
                kept = [d for d in recorded.diagnostics() if d.file not in gone and d.code not in GRAPH]
            final = _merged(kept, judged)
            if has_errors(final):
                return None
    except ValueError:  # a damaged table of diagnostics: a full build
        return None
    return (api.Result(project=project, files=files, diagnostics=() if type(final) is Recorded else final),
            frozenset(old_files - set(files)), seen, new_views, final if type(final) is Recorded else None)


def _replaced(recorded: Recorded, judged: tuple[Diagnostic, ...], gone: set[str], moved: dict[str, list] | None,
              ) -> Recorded | None:
    """The final diagnostics, `_merged(kept, judged)`, as the recorded ones with the runs of a
    few files replaced (Recorded.replaced; the recorded ones themselves when none changed),
    made without making the others (at 1000 agents ~12 000 AGC301s, ~35M instructions); None
    when the record's are not per file (then `rebuild` makes them all). Those `rebuild` leaves
    out of `kept` are those of the files in `gone` (but GRAPH codes when the graph is the last
    build's, `moved` not None: then an edited file's are those `moved` holds for it, if any) and of
    GRAPH codes (unless it is). The diagnostics sort by file first, so each file's
    final ones are its kept ones merged with its judged ones; only files with judged ones, or
    with recorded ones left out, can change. ValueError: a damaged table."""
    judged_of: dict[str, list[Diagnostic]] = {}
    for d in judged:
        judged_of.setdefault(d.file, []).append(d)
    same_graph = moved is not None
    old = recorded.by_file(gone | judged_of.keys(), frozenset() if same_graph else GRAPH)
    if old is None:
        return None
    new = {}
    for f in old.keys() | judged_of.keys():
        ran = old.get(f, [])
        if same_graph:
            kept = ran if f not in gone else moved.get(f) or [d for d in ran if d.code in GRAPH]
        else:
            kept = [d for d in ran if f not in gone and d.code not in GRAPH]
        new[f] = list(_merged(kept, tuple(judged_of.get(f, ()))))
        if has_errors(new[f]):
            return None
    return recorded.replaced(new, old)


def _merged(kept: list[Diagnostic], judged: tuple[Diagnostic, ...]) -> tuple[Diagnostic, ...]:
    """`api.judge(kept + new)` for the `judged = api.judge(new)`: `kept` comes from the record, the
    final diagnostics of the last build (the runner records a build only when no usage
    diagnostic precedes them), so it is sorted and unique, and judging it again changes nothing:
    the options are the same (the record's key), and its files and their suppression comments
    are as they were (an edited file's diagnostics are not kept). So each judged one goes into its
    place by binary search, after those whose sort keys tie with it (a stable sort puts the
    later one there), unless one of them equals it (the de-duplication). Judging the ~12 000
    kept AGC301s of a 1000-agent rebuild again (suppressions, a sort, a set) was ~8% of it."""
    out = list(kept)
    key = Diagnostic.sort_key
    for d in judged:
        k = d.sort_key()
        lo = bisect_left(out, k, key=key)
        hi = bisect_right(out, k, lo=lo, key=key)
        if d not in out[lo:hi]:
            out.insert(hi, d)
    return tuple(out)
