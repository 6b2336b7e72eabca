"""Linking: all agents of a build, their names resolved, and the delegation graph checked."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from operator import attrgetter, itemgetter

from agentc.compiler import native
from agentc.compiler.diagnostics import CODES, Diagnostic, diag
from agentc.compiler.ir import AgentIR, Delegation, Edge, ProjectIR
from agentc.compiler.mentions import normal
from agentc.compiler.span import Span

CLAUDE_BUILTINS = {normal(n): n for n in ("Explore", "Plan", "general-purpose", "claude", "statusline-setup", "claude-code-guide")}
"""Agents Claude Code ships itself: `subagent_type="Explore"` names one, and no file defines it."""


def link(agents: list[AgentIR], diagnostics: list[Diagnostic], linked: Mapping[str, Sequence[Edge]] | None = None) -> ProjectIR:
    """`linked`: per agent file, the edges a build linked from that agent before, when the agent
    and every name of the build are as they were then (an incremental rebuild). Its delegations
    are not resolved again, and its diagnostics (AGC301/302/304/309) are the caller's to keep:
    only the graph-wide checks (AGC303, AGC305, AGC306) run over every agent."""
    linked = linked or {}
    diags = list(diagnostics)
    kept, by_id, by_name, normals = _index(agents, diags)
    names = _Names(kept, by_id, by_name)
    edges: list[Edge] = []
    by_source: dict[str, tuple[Edge, ...]] = {}  # each agent's edges, made one run per agent here
    for n, a in enumerate(kept):
        start = len(edges)
        if a.file in linked:
            edges.extend(linked[a.file])
        else:
            kept[n] = names.link(a, edges, diags)
        if len(edges) > start:
            by_source[a.id] = tuple(edges[start:])
    shape = _shape([a.id for a in kept], edges)
    loops: dict[str, list[str]] = {}
    diags += _cycles(shape, loops)
    project = ProjectIR(agents=tuple(kept), edges=tuple(edges), diagnostics=tuple(diags))
    project.derived[_SHAPE] = shape  # the same agents and edges: the targets' nesting report reads it (`shape_of`)
    project.derived[_LOOPS] = loops  # and the loops found on it (`loop_of`)
    project.derived[DANGLING] = names.dangling  # for an incremental rebuild's `relink` (incremental.views)
    project.derived[NORMALS] = normals  # and for its `_index` of the same names
    # ProjectIR.edges_from's index (a cached property), as it would group the edges by source: each
    # agent's edges are its own (source = its id, which no other kept agent has), made in one run.
    # Grouping them again through groupby read all ~18 000 edges of 1000 agents (~11M instructions)
    # for the one or two agents a one-edit rebuild asks about.
    vars(project)["_edges_by_source"] = by_source
    return project


class Named(tuple):
    """What linking reads of an agent of the build to resolve the names of another: `relink`'s
    view of the agents it does not link, the tuple (id, name, scope, file) with its fields by
    name. Not a typing.NamedTuple: its class factory cost ~1.3M instructions at import, in
    every build that links."""

    __slots__ = ()
    id = property(itemgetter(0))
    name = property(itemgetter(1))
    scope = property(itemgetter(2))
    file = property(itemgetter(3))


def relink(agents: Sequence[AgentIR], named: Sequence[Named], dangling: Mapping[str, tuple[str | None, str | None]] | None = None,
           normals: Mapping[str, str] | None = None) -> tuple[list[tuple[AgentIR, tuple[Edge, ...]]], list[Diagnostic]]:
    """What `link` makes of `agents` when the build's agents are `named` (these among them, as
    they are): each agent with its mentions made delegations and its edges, in the order of
    their files, and their diagnostics. An incremental rebuild resolves its edited agents so,
    without the others' light agents (1000 agents: ~1.8 ms) or a link of all of them; it never
    reports a graph-wide code (AGC303, AGC306): those are the whole build's. `dangling` and
    `normals`: what a link of the same names found for dangling names and the names' normal
    forms (its project's `DANGLING` and `NORMALS`), taken as found."""
    kept, by_id, by_name, _ = _index(named, None, normals)
    names = _Names(kept, by_id, by_name, dangling)
    out: list[tuple[AgentIR, tuple[Edge, ...]]] = []
    diags: list[Diagnostic] = []
    for a in sorted(agents, key=_FILE):
        edges: list[Edge] = []
        out.append((names.link(a, edges, diags), tuple(edges)))
    return out, diags


_FILE, _ID, _NAME = attrgetter("file"), attrgetter("id"), attrgetter("name")


def _index(agents: Sequence[AgentIR | Named], diags: list[Diagnostic] | None, normals: Mapping[str, str] | None = None,
           ) -> tuple[list, dict, dict, Mapping[str, str]]:
    """(the agents kept: the first of each id, by file; them by id; by name and by the normal form of
    each name; the names whose normal form is another, to it), and to `diags`, unless None, the
    graph-wide AGC303 and AGC306 of these names. `normals`: the last of these for the same names,
    taken as found (a rebuild's names are the last build's: `normal` of its 1000 names, all
    missing from its memo, was ~4.5M of a one-edit rebuild's ~245M instructions).

    A rebuild's views (`relink`: Named, normal forms given, nothing to report) are indexed by
    compiler/_graph.c's index_named where built, for the common shape (1000 names: 3.0M -> 1.4M
    instructions, most of it hashing and dict inserts), else by `_index_py`, its reference."""
    if diags is None and normals is not None and _INDEX_NAMED is not None:
        made = _INDEX_NAMED(agents, normals, defaultdict(list))
        if made is not None:
            return made
    return _index_py(agents, diags, normals)


def _index_py(agents: Sequence[AgentIR | Named], diags: list[Diagnostic] | None, normals: Mapping[str, str] | None = None,
              ) -> tuple[list, dict, dict, Mapping[str, str]]:
    """`_index` in Python.

    Mapped and zipped rather than one agent at a time, with a loop only for ids or names that
    several agents hold: an incremental rebuild indexes 1000 agents' names for its one edited
    agent (4.4M -> ~1.5M instructions)."""
    ordered = sorted(agents, key=_FILE)
    by_id: dict[str, AgentIR | Named] = dict(zip(map(_ID, reversed(ordered)), reversed(ordered), strict=True))  # the first of each id
    kept = ordered
    if len(by_id) < len(ordered):  # an id defined twice: the first is kept
        kept, seen = [], set()
        for a in ordered:
            if a.id not in seen:
                seen.add(a.id)
                kept.append(a)
            elif diags is not None:
                where = f" in plugin '{a.scope}'" if a.scope else ""
                diags.append(diag("AGC303", replace(a.span, line=1),
                                  f"agent name '{a.name}' is already defined{where} by {by_id[a.id].file}; "
                                  "Claude Code loads only one of them", hint="rename one of the agents"))
    names = list(map(_NAME, kept))
    by_name: dict[str, list] = defaultdict(list, {name: [a] for name, a in zip(names, kept, strict=True)})
    if len(by_name) < len(kept):  # one name in several plugins
        by_name = defaultdict(list)
        for name, a in zip(names, kept, strict=True):
            by_name[name].append(a)
        for name, group in sorted(by_name.items()) if diags is not None else ():
            if len(group) > 1:
                diags.append(diag("AGC306", group[1].span, f"'{name}' is defined in {len(group)} plugins: "
                                  + ", ".join(g.id for g in group) + "; each keeps its plugin-scoped id"))
    if normals is None:
        normals = {name: key for name, key in zip(names, map(normal, names), strict=True) if key != name}
    for a, name in zip(kept, names, strict=True) if normals else ():  # "Backend Architect" is found as backend-architect too
        key = normals.get(name)
        if key is not None and a not in by_name[key]:
            by_name[key].append(a)
    return kept, by_id, by_name, normals


_INDEX_NAMED = getattr(native.load("_graph", "index_named"), "index_named", None)


class _Names:
    """The build's names, against which `link` resolves an agent's delegations."""

    def __init__(self, kept: list, by_id: dict, by_name: dict, dangling: Mapping | None = None) -> None:
        self.by_id, self.by_name = by_id, by_name
        self.plugins = {a.scope for a in kept if a.scope} - set(by_name)  # "use `backend-development`" names a plugin
        # Each name resolved once per scope (`resolved`: a tuple made and hashed twice a delegation
        # was ~12% of link) and each dangling name's built-in agent and fuzzy search made once
        # (`dangling`), both looked up by _link_agent as plain dicts that fill themselves on a miss.
        self.resolved: dict[str | None, _Resolved] = {}  # scope of the agent naming it -> name -> what it resolves to
        self.dangling = _Dangling(by_name, dangling)

    def link(self, a: AgentIR, edges: list[Edge], diags: list[Diagnostic]) -> AgentIR:
        """`a` with its mentions made delegations; its edges appended to `edges`, their diagnostics to `diags`."""
        a = _with_mentions(a, self.by_id, self.by_name)
        known = self.resolved.get(a.scope)
        if known is None:
            known = self.resolved[a.scope] = _Resolved(a.scope, self.by_id, self.by_name)
        _link_agent(a, self.plugins, known, self.dangling, edges, diags)
        return a


class _Resolved(dict):
    """Name -> what it resolves to for the agents of one scope (`_resolve`), each name looked up
    on its first use: an agent, a list of equally good candidates, or None when it dangles."""

    def __init__(self, scope: str | None, by_id: dict, by_name: dict) -> None:
        super().__init__()
        self.scope, self.by_id, self.by_name = scope, by_id, by_name

    def __missing__(self, name: str):
        found = self[name] = _resolve(name, self.scope, self.by_id, self.by_name)
        return found


class _Dangling(dict):
    """Dangling name -> (Claude Code's own agent of that name, else None; a close name of the
    build, else None), made on its first use: the fuzzy search is the costly part. `found`:
    those a link of the same names made (both depend on the names alone). A one-edit rebuild
    of 1000 agents took them from the last build, not searching again (~4M instructions for
    the 12 dangling names of an edited seed agent among names of about their length)."""

    def __init__(self, by_name: dict, found: Mapping[str, tuple[str | None, str | None]] | None = None) -> None:
        super().__init__(found or {})
        self.by_name = by_name
        self.by_length: dict[int, list[str]] | None = None  # the build's names by length, made for the first search

    def __missing__(self, name: str) -> tuple[str | None, str | None]:
        builtin = CLAUDE_BUILTINS.get(normal(name))
        found = self[name] = builtin, None if builtin is not None else did_you_mean_agent(name, self._near(name))
        return found

    def _near(self, name: str) -> list[str]:
        """The names did_you_mean_agent may find close, and a few more: those 2 characters
        longer or shorter at most, less those of as many words as `name` whose first word and
        last word both differ from its own (as many words, it takes those that differ in one
        word only). It dropped the others one by one, every name of the build for each
        dangling name (1000 seed agents: ~14.6M instructions a build for an agent's 12
        dangling names); by length alone, every name of a build whose names are about as long
        (agent-0000 to agent-0999: ~8.7M of a one-edit rebuild, for one such dangling name)."""
        if self.by_length is None:
            self.by_length = {}
            for other in self.by_name:
                self.by_length.setdefault(len(other), []).append(other)
        near = [other for size in range(len(name) - 2, len(name) + 3) for other in self.by_length.get(size, ())]
        hyphens = name.count("-")
        if not hyphens:
            return near
        first, last = name.partition("-")[0] + "-", "-" + name.rpartition("-")[2]
        return [other for other in near if other.startswith(first) or other.endswith(last) or other.count("-") != hyphens]


def _link_agent_py(a: AgentIR, plugins: set[str], known: _Resolved, dangling: _Dangling, edges: list[Edge],
                   diags: list[Diagnostic]) -> None:
    """The edges of agent `a`'s delegations appended to `edges`, and their diagnostics to
    `diags`, each name's once per agent.
    compiler/_graph.c's link_agent is this in one C call: ~17 000 delegations at 1000 agents, and
    a claude build of 100 seed agents 982.3M -> 967.2M instructions."""
    lines_of: dict[str, list[int]] | None = None  # made for the first dangling name only
    file, source = a.file, a.id
    reported: set[str] = set()  # the names this agent's diagnostics named already: each once
    # once per agent, only the lines a delegation is on (None past the body's end): splitting the
    # body up to the last of them copied the rest of it too (link 56.4M -> 44.1M instructions per
    # 100 seed agents)
    texts = _lines_at(a.body, [d.span.line - a.body_line for d in a.delegations])
    for d, text in zip(a.delegations, texts, strict=True):
        name = d.target
        if name in plugins or d.kind == "compare":
            continue  # a plugin is no agent; "vs x" sets this agent apart from x and hands it nothing
        span, excerpt = _name_span(file, d.span, name, text)
        target = known[name]
        once = name not in reported
        if once:
            reported.add(name)
        if target is None and once:
            builtin, close = dangling[name]
            if builtin is not None:
                diags.append(diag("AGC309", span, f"'{a.name}' delegates to '{builtin}', "
                                  "an agent built into Claude Code; the other targets have no such agent",
                                  hint="nothing to do for Claude Code; add an agent file of that name to give the code targets one",
                                  excerpt=excerpt))
            else:
                close = close if close != a.name else None
                if lines_of is None:
                    lines_of = _lines_naming(a)
                more = lines_of.get(name, [])
                where = f" (named on lines {', '.join(map(str, more))})" if len(more) > 1 else ""
                diags.append(diag("AGC301", span, f"'{a.name}' delegates to '{name}', which is not in this build{where}",
                                  hint=f"did you mean '{close}'?" if close else "add that agent to the sources, or fix the name",
                                  excerpt=excerpt))
        elif isinstance(target, list):
            if once:
                diags.append(diag("AGC302", span, f"'{name}' matches {len(target)} agents: "
                                  + ", ".join(t.id for t in target) + f"; using {target[0].id}",
                                  hint="write the plugin-scoped id (plugin:name) to choose", excerpt=excerpt))
            target = target[0]
        if target is not None and target.id == source:
            if once:
                diags.append(diag("AGC304", span, f"'{a.name}' delegates to itself",
                                  hint="remove the line, or name the agent that was meant", excerpt=excerpt))
            continue
        edges.append(Edge(source=source, target=name, target_id=target.id if target else None,
                          condition=d.condition, kind=d.kind, span=span))  # at the name: targets' notes point there too


def _native_link_agent():
    """compiler/_graph.c's link_agent, configured with the classes it makes, or None (not built,
    or AGENTC_PURE_PYTHON set)."""
    module = native.load("_graph", "link_agent", "configure")
    if module is None:
        return None
    module.configure(AgentIR, Delegation, Span, Edge, Diagnostic, CODES, Named)
    return module.link_agent


_link_agent = _native_link_agent() or _link_agent_py


def _with_mentions(a: AgentIR, by_id: dict, by_name: dict) -> AgentIR:
    """The agent with each weak mention that names an agent of the build made a delegation.

    A mention is the words after a cue ("context manager for scope"); the longest prefix that
    is an agent's name wins, with a trailing "agent"/"subagent" dropped. One edge per
    (target, line), so a name the front end already took is not added twice."""
    if not a.mentions:
        return a
    taken: set[tuple[str, int]] | None = None  # made for the first mention naming an agent only
    added: list[Delegation] = []
    for m in a.mentions:
        words = list(m.words)
        while words and words[-1] in ("agent", "subagent", "sub-agent"):
            words.pop()
        for n in range(len(words), 0, -1):
            name = "-".join(words[:n])
            if n == 1 and len(m.words) > 1 and m.words[1] not in ("agent", "subagent"):
                break  # one plain word ("architect the system") is not a name; "x agent" is
            if not ((name in by_name or name in by_id) and name != a.name):
                continue
            if taken is None:  # most agents' mentions name no agent of the build
                taken = {(d.target, d.span.line) for d in a.delegations}
            if (name, m.span.line) not in taken:
                taken.add((name, m.span.line))
                added.append(Delegation(target=name, condition=m.condition, kind=m.kind, pattern=m.pattern,
                                        section=m.section, span=m.span))
                break
    if not added:
        return a
    merged = sorted((*a.delegations, *added), key=lambda d: (d.span.line, d.span.col))
    return replace(a, delegations=tuple(merged))


def _lines_naming(a: AgentIR) -> dict[str, list[int]]:
    """Every line on which each delegate is named, in order: one AGC301 lists them all."""
    out: dict[str, list[int]] = {}
    for d in a.delegations:
        seen = out.setdefault(d.target, [])
        if d.span.line not in seen:
            seen.append(d.span.line)
    return out


def _lines_at(text: str, rows: list[int]) -> list[str | None]:
    """`text.split("\\n")[row]` for each of `rows` (0-based), None where there is no such line.
    Only `_link_agent_py` asks: compiler/_graph.c's link_agent finds its lines itself (line_at)."""
    lines = text.split("\n", max(rows, default=-1) + 1)
    return [lines[row] if 0 <= row < len(lines) else None for row in rows]


def _name_span(file: str, span: Span, name: str, text: str | None) -> tuple[Span, str | None]:
    """The span of the name itself (its column on the delegation's line) and that line, so a
    diagnostic can show the caret under the name rather than at column 1. `text`: the line of
    the body of agent file `file` at the span, None when it has none."""
    if span.file != file or text is None:
        return span, None
    at = _whole_name_at(text, name)
    if at < 0:
        at = text.find(name)
    if at < 0:
        return span, text
    return Span(file=span.file, line=span.line, col=at + 1), text  # not dataclasses.replace: ~3x its speed, 17 000 calls at 1000 agents


def _whole_name_at(text: str, name: str) -> int:
    r"""Where `name` first stands alone in `text` (no letter, digit, '_' or '-' touching it on
    either side, as the regex `(?<![\w-])name(?![\w-])` says), or -1. A search, not a regex:
    a build names hundreds of agents, and compiling a pattern per name cost more than the
    searches (re's own cache holds 512 patterns)."""
    at = text.find(name)
    while at >= 0:
        end = at + len(name)
        # str.isalnum is exactly what `\w` takes, less the underscore (tested inline: ~17 000 names a build)
        if (at == 0 or not (text[at - 1].isalnum() or text[at - 1] in "_-")) and (
                end == len(text) or not (text[end].isalnum() or text[end] in "_-")):
            return at
        at = text.find(name, at + 1)
    return -1


def did_you_mean_agent(name: str, names) -> str | None:
    """A close spelling of another agent's name, never a different role that only shares a
    word: 'database-architect' is not a typo of 'docs-architect', nor 'devops-engineer' of
    'mlops-engineer'. Names are compared word by word; only one word may differ, and only by a
    small edit (a typo), with every other word equal."""
    words = name.split("-")
    close = []
    for other in set(names):
        # Either way the lengths differ by 2 at most (one word 2 edits off, or 1 edit): most
        # names of a large build are dropped here, before any split (~0.7 -> 0.15 ms a name
        # looked up among 1000 agents; each dangling name of an edited agent is looked up).
        if other == name or not -2 <= len(other) - len(name) <= 2:
            continue
        theirs = other.split("-")
        if len(theirs) == len(words):
            diff = [(x, y) for x, y in zip(words, theirs, strict=True) if x != y]
            if len(diff) != 1:
                continue
            x, y = diff[0]
            if _edits(x, y) > (1 if max(len(x), len(y)) <= 5 else 2):
                continue
        elif abs(len(name) - len(other)) > 1 or _edits(name, other) > 1:  # a dropped or doubled hyphen: data-base-admin
            continue
        close.append(other)
    if not close:
        return None
    import difflib  # only for a close name: see compiler/diagnostics.did_you_mean

    best: tuple[float, str] | None = None
    # Only the few close names are sorted (of equal scores the first wins), not every name of
    # the build per name looked up.
    for other in sorted(close):
        score = difflib.SequenceMatcher(None, name, other).ratio()
        if best is None or score > best[0]:
            best = (score, other)
    return best[1] if best else None


def _edits(a: str, b: str) -> int:
    """Levenshtein distance (names are short)."""
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def _resolve(target: str, scope: str | None, by_id: dict, by_name: dict):
    """An agent, a list of equally good candidates, or None when the target dangles, for an
    agent of plugin `scope` naming it.

    Like a linker: the name as written, else its lowercase-hyphen form ("Backend Architect"),
    else without a trailing "-agent"/"-subagent" ("the debugger agent")."""
    found = _lookup(target, scope, by_id, by_name)
    if found is None:
        key = normal(target)
        for form in (key, key.removesuffix("-subagent").removesuffix("-agent")):
            if form != target and (found := _lookup(form, scope, by_id, by_name)) is not None:
                break
    return found


def _lookup(target: str, scope: str | None, by_id: dict, by_name: dict):
    if target in by_id:
        return by_id[target]
    same_scope = [a for a in by_name.get(target, []) if a.scope == scope]
    if same_scope:
        return same_scope[0]
    candidates = by_name.get(target, [])
    if len(candidates) == 1:
        return candidates[0]
    return sorted(candidates, key=lambda a: a.id) or None


def _cycles(shape: Shape, loops: dict[str, list[str]]) -> list[Diagnostic]:
    """One info per strongly connected component, with one concrete cycle printed; each loop
    printed goes into `loops` under its first agent (see `loop_of`)."""
    succ, first_edge, comps = shape
    out = []
    for comp in comps:
        if len(comp) < 2:
            continue
        start = min(comp)
        path = loops[start] = shortest_loop(start, succ, set(comp))
        e = first_edge[(path[0], path[1])]
        out.append(diag("AGC305", e.span, "delegation cycle: " + " -> ".join(path),
                        hint="fine when intended; generated graphs bound it with a recursion limit"))
    return out


Shape = tuple[dict[str, list[str]], dict[tuple[str, str], Edge], list[list[str]]]
"""(`successors`' two results, `components` of the first): the delegation graph's shape."""
_SHAPE = "graph.shape"  # its key in ProjectIR.derived
DANGLING = "graph.dangling"  # ProjectIR.derived's dangling name -> what link found for it (`_Dangling`)
NORMALS = "graph.normals"  # ProjectIR.derived's name -> its normal form, for each name that is not its own (`_index`)
_LOOPS = "graph.loops"  # ProjectIR.derived's agent -> its shortest loop (`loop_of`)


def _shape(agent_ids: list[str], edges) -> Shape:
    succ, first = successors(agent_ids, edges)
    return succ, first, components(succ)


def shape_of(project: ProjectIR) -> Shape:
    """The shape of the project's delegation graph, made once per project (`link` hands its
    own over): link's cycle check and the nesting report of claude and claude-sdk walked the
    same ~17 000 edges of a 1000-agent build each (the report of a one-edit rebuild: 32.4M -> 21.4M instructions).
    Read only: the lists and dicts are shared."""
    shape = project.derived.get(_SHAPE)
    if shape is None:
        shape = project.derived[_SHAPE] = _shape([a.id for a in project.agents], project.edges)
    return shape


NAMES = "graph.names"  # ProjectIR.derived's name -> how many agents hold it (`name_counts`)


def name_counts(project: ProjectIR) -> dict[str, int]:
    """How many of the project's agents hold each name, counted once per project. An incremental
    rebuild's project holds the counts of the last build's views (incremental._Rebuilt), so that a
    target asking for them reads none of the agents not edited. Read only: the dict is shared."""
    counts = project.derived.get(NAMES)
    if counts is None:
        counts = project.derived[NAMES] = counted(map(_NAME, project.agents))
    return counts


def counted(names: Iterable[str]) -> dict[str, int]:
    """Each name -> how many times it comes: Counter's count in C (a Python loop over the 1000
    names of a one-edit rebuild was ~1.3M instructions), as a plain dict (no 0 for a name
    that is not there)."""
    return dict(Counter(names))


def successors(agent_ids: list[str], edges) -> tuple[dict[str, list[str]], dict[tuple[str, str], Edge]]:
    """Each agent's resolved delegates in first-seen order, and the first edge of each pair."""
    succ: dict[str, list[str]] = {a: [] for a in agent_ids}
    first: dict[tuple[str, str], Edge] = {}
    for e in edges:
        if e.target_id and e.target_id in succ and e.target_id not in succ[e.source]:
            succ[e.source].append(e.target_id)
            first[(e.source, e.target_id)] = e
    return succ, first


def _components_py(succ: dict[str, list[str]]) -> list[list[str]]:
    """Every strongly connected component (singletons too), Tarjan's order, from the agents in
    order. Iterative: a chain of 1,000 delegations must not hit Python's recursion limit.
    compiler/_graph.c's components is this in C (link's cycle check and claude's nesting report
    walk the graph with it)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    comps: list[list[str]] = []

    def enter(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)

    for root in succ:
        if root in index:
            continue
        enter(root)
        work: list[list] = [[root, 0]]
        while work:
            frame = work[-1]
            v, i = frame
            if i < len(succ[v]):
                frame[1] = i + 1
                w = succ[v][i]
                if w not in index:
                    enter(w)
                    work.append([w, 0])
                elif w in on:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                comps.append(comp)
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[v])
    return comps


components = getattr(native.load("_graph", "components"), "components", None) or _components_py


def loop_of(project: ProjectIR, start: str, succ: dict[str, list[str]], members: set[str]) -> list[str]:
    """`shortest_loop(start, succ, members)` for `succ` of `shape_of(project)` and `members` the
    component of `start` in it, found once per project: link's cycle check and the nesting report
    of claude and claude-sdk both print the loop of a large component's first agent (1000 agents
    in one loop: a breadth-first search over all of them, ~6M instructions each time).
    Read only: the list is shared."""
    loops = project.derived.setdefault(_LOOPS, {})
    loop = loops.get(start)
    if loop is None:
        loop = loops[start] = shortest_loop(start, succ, members)
    return loop


def shortest_loop(start: str, succ: dict[str, list[str]], members: set[str]) -> list[str]:
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
