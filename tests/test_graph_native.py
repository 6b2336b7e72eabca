"""The C linker loop (agentc.compiler._graph) against the Python one it stands in for: `link_agent`
gives the edges and diagnostics graph._link_agent_py gives, through graph.link, on the repository's
agents, the shared corpus (when it is beside the checkout), hand-made builds that reach every
diagnostic of the loop (dangling names with and without a close spelling, built-in agents, names
several plugins hold, self-delegation, "compare" edges, plugins named as agents, spans of another
file, lines past the body, agents with no body) and hypothesis-made builds whose names and lines
hold CRLF, emoji, "İ", "ı", "ſ", the Kelvin sign and long lines; and `components` finds the
components graph._components_py finds, on hypothesis-made graphs, a 20 001-agent loop and the
repository's agents; and `index_named` indexes a rebuild's views as graph._index_py does (hypothesis-made
names, some out of order, an id twice, rows and normal forms that are no str). Also: all are used when
built (and must be, where CI says so with AGENTC_REQUIRE_NATIVE=1), bad arguments raise and never crash,
and they leak no memory."""

from __future__ import annotations

import os
from dataclasses import replace

import pytest
from conftest import ROOT, SHARED, assert_no_leak, native_in_use, native_or_skip
from hypothesis import given, settings
from hypothesis import strategies as st

from agentc.api import discover, read_agents
from agentc.compiler import graph
from agentc.compiler import native as native_module
from agentc.compiler.ir import AgentIR, Delegation
from agentc.compiler.span import Span

EXAMPLES = int(os.environ.get("AGENTC_HYPOTHESIS_EXAMPLES", "300"))


@pytest.fixture(scope="module")
def native():
    """The C `link_agent`, configured as graph.py configures it, even when this run links in pure Python."""
    return native_or_skip(graph._native_link_agent, "_graph")


def test_graph_uses_the_native_loop_when_built():
    _graph = native_in_use("agentc.compiler._graph")
    assert graph._link_agent is (graph._link_agent_py if _graph is None else _graph.link_agent)
    assert graph.components is (graph._components_py if _graph is None else _graph.components)


def both(native, agents, monkeypatch):
    """graph.link of `agents` with the C loop and with the Python one: the same project, returned."""
    monkeypatch.setattr(graph, "_link_agent", native)
    got = graph.link(list(agents), [])
    monkeypatch.setattr(graph, "_link_agent", graph._link_agent_py)
    want = graph.link(list(agents), [])
    assert got.edges == want.edges
    assert got.diagnostics == want.diagnostics
    assert got == want
    return want


def agent(name: str, body: str, delegations=(), scope: str | None = None, file: str | None = None, held: bool = False) -> AgentIR:
    """An agent whose delegations are (target, 0-based row of the body, kind[, file of the span]);
    `held`: its body held as UTF-8 bytes, as lowering holds a file's (ir.held_body)."""
    file = file or f"{scope or 'top'}/{name}.md"
    body_line = 5
    made = tuple(Delegation(target=t, condition=f"when {t}", kind=kind, pattern="D1 arrow",
                            span=Span(file=rest[0] if rest else file, line=body_line + row, col=1))
                 for t, row, kind, *rest in delegations)
    return AgentIR(id=f"{scope}:{name}" if scope else name, name=name, scope=scope, file=file, span=Span(file=file, line=1),
                   description="d", body=body.encode() if held else body, body_line=body_line, delegations=made)


def test_the_repository_and_the_corpus_link_alike(native, monkeypatch):
    roots = [ROOT / "agents", *sorted(p for p in (SHARED / "corpus").glob("*") if p.is_dir())]
    linked = 0
    for root in roots:
        found, _ = discover([str(root)])
        agents, _, _ = read_agents(found)
        linked += len(both(native, agents, monkeypatch).edges)
    assert linked > 0  # the repository's own agents delegate


@pytest.mark.parametrize("held", [False, True])
def test_every_diagnostic_of_the_loop(native, monkeypatch, held):
    body = "\r\n".join([
        "Hand off to **ml-enginer** for models, then ml-engineer again",  # a typo of a real name
        "Use Explore to search; explore-agent too",  # Claude Code's own agent
        "Ask reviewer (or the reviewer agent): reviewer-2 is not it",  # several plugins hold it
        "Talk to me-myself about it 😀 İı ſ \u212a",  # itself
        "compare with rival; the plugin kit is no agent",
        "nobody-here nobody-here",  # dangling, no close name, named on two lines
        "nobody-here",
    ])
    agents = [
        agent("ml-engineer", "I train."),
        agent("reviewer", "p reviews", scope="p"),
        agent("reviewer", "q reviews", scope="q"),
        agent("helper", "", scope="kit"),
        agent("me-myself", body, held=held, delegations=[
            ("ml-enginer", 0, "delegate"), ("ml-engineer", 0, "after"), ("Explore", 1, "delegate"),
            ("explore-agent", 1, "consult"), ("reviewer", 2, "delegate"), ("reviewer", 2, "before"),
            ("me-myself", 3, "delegate"), ("rival", 4, "compare"), ("kit", 4, "delegate"),
            ("nobody-here", 5, "delegate"), ("nobody-here", 6, "delegate"), ("nobody-here", 40, "delegate"),
            ("ml-engineer", 0, "delegate", "elsewhere.md"), ("İstanbul", 3, "delegate"), ("\u212aelvin", 3, "delegate"),
        ]),
        agent("bad-bytes", "x", [("ml-engineer", 0, "delegate")]) if not held else replace(
            agent("bad-bytes", "", [("ml-engineer", 0, "delegate"), ("gone", 1, "delegate")]), body=b"\xff ml-engineer\n\xe2\x86 gone"),
        agent("empty", "", [("ml-engineer", 0, "delegate"), ("gone", 3, "delegate"), ("", 0, "delegate")]),
        agent("lead", "lead p:reviewer", [("reviewer", 0, "delegate"), ("p:reviewer", 0, "delegate")], scope="r"),
        agent("ml-engineer", "a second one", scope="p"),
    ]
    project = both(native, agents, monkeypatch)
    codes = {d.code for d in project.diagnostics}
    assert {"AGC301", "AGC302", "AGC304", "AGC309"} <= codes
    assert any("did you mean 'ml-engineer'?" == d.hint for d in project.diagnostics)
    assert any("(named on lines 10, 11, 45)" in d.message for d in project.diagnostics)
    assert {e.kind for e in project.edges} >= {"delegate", "after", "consult", "before"}
    assert "rival" not in {e.target for e in project.edges} and "kit" not in {e.target for e in project.edges}


NAME_CHARS = ["a", "b", "-", "_", " ", "1", "é", "İ", "ı", "ſ", "\u212a", "k", "😀", "\r"]
LINE_PIECES = ["a", "b", "ab", "a-b", "-", "_", " ", "**", "\r", "é", "İ", "ı", "ſ", "\u212a", "😀", "x" * 300, "\t"]


@st.composite
def builds(draw):
    """A few agents whose names come from a small pool, lines that hold those names among odd
    characters, and delegations to pool names, other names and plugins, on any row."""
    pool = draw(st.lists(st.text(st.sampled_from(NAME_CHARS), min_size=1, max_size=5), min_size=1, max_size=4))
    scopes = [None, "p", "q"]
    agents = []
    for k in range(draw(st.integers(1, 5))):
        name = draw(st.sampled_from(pool))
        rows = draw(st.lists(st.lists(st.sampled_from(LINE_PIECES + pool), max_size=6).map("".join), max_size=5))
        body = draw(st.sampled_from(["\n", "\r\n"])).join(rows)
        targets = st.one_of(st.sampled_from(pool), st.text(st.sampled_from(NAME_CHARS), max_size=4), st.sampled_from(["p", "Explore"]))
        dels = draw(st.lists(st.tuples(targets, st.integers(-1, 6), st.sampled_from(["delegate", "compare", "after"]),
                                       st.sampled_from([f"f{k}.md", "other.md"])), max_size=8))
        agents.append(agent(name, body, [(t, row, kind, f) for t, row, kind, f in dels], draw(st.sampled_from(scopes)),
                            file=f"f{k}.md", held=draw(st.booleans())))
    return agents


@settings(max_examples=EXAMPLES, deadline=None)
@given(builds())
def test_any_build_links_alike(native, agents):
    with pytest.MonkeyPatch.context() as mp:
        both(native, agents, mp)


def loop_args(held: bool = False):
    """link_agent's arguments for an agent that reaches each diagnostic, fresh for each call."""
    others = [agent("ml-engineer", "x"), agent("r", "x", scope="p"), agent("r", "x", scope="q")]
    me = agent("me", "to ml-enginer\nExplore\nr\nme\nnope 😀", [("ml-enginer", 0, "delegate"), ("Explore", 1, "delegate"),
               ("r", 2, "delegate"), ("me", 3, "delegate"), ("nope", 4, "delegate"), ("nope", 9, "delegate")], held=held)
    by_id = {a.id: a for a in [*others, me]}
    by_name: dict[str, list[AgentIR]] = {}
    for a in [*others, me]:
        by_name.setdefault(a.name, []).append(a)
    return me, set(), graph._Resolved(None, by_id, by_name), graph._Dangling(by_name), [], []


@pytest.mark.parametrize("held", [False, True])
def test_the_loop_leaks_no_memory(native, held):
    def call():
        args = loop_args(held)
        native(*args)
        assert len(args[4]) == 5 and len(args[5]) == 5  # all but the self-delegation; AGC301 (twice), 302, 304, 309
    assert_no_leak(call)


class Bare:
    """An object with none of an agent's fields."""


def test_bad_arguments_raise_and_never_crash(native):
    me, plugins, known, dangling, edges, diags = loop_args()
    with pytest.raises(TypeError):
        native()
    with pytest.raises(TypeError):
        native(me, [], known, dangling, edges, diags)
    with pytest.raises(TypeError):
        native(me, plugins, known, dangling, (), diags)
    with pytest.raises(AttributeError):
        native(Bare(), plugins, known, dangling, edges, diags)
    with pytest.raises(KeyError):  # a plain dict resolves nothing it lacks
        native(me, plugins, {}, dangling, edges, diags)
    for body in (bytearray(b"to ml-enginer"), memoryview(b"to ml-enginer"), 7):  # neither a str nor its UTF-8 bytes
        with pytest.raises(TypeError):
            native(replace(me, body=body), plugins, known, dangling, edges, diags)
    with pytest.raises(TypeError):  # a line that is no number
        native(agent("x", "to y", [("y", "0", "delegate")]), plugins, known, dangling, edges, diags)
    with pytest.raises(TypeError):  # a name that is no str, on a line of the body
        native(agent("x", "to y", [(7, 0, "delegate")]), plugins, known, dangling, edges, diags)
    bad = agent("x", "to y", [("y", 0, "delegate")])
    with pytest.raises(TypeError):  # what it says dangles must be a (builtin, close) pair
        native(bad, plugins, {"y": None}, {"y": "no pair"}, [], [])
    with pytest.raises(IndexError):  # as target[0] of no candidates
        native(bad, plugins, {"y": []}, dangling, [], [])


# --- components: Tarjan's strongly connected components in C ------------------------------------

@pytest.fixture(scope="module")
def native_components():
    """The C `components`, even when this run walks graphs in pure Python."""
    return native_or_skip(lambda: native_module.load("_graph", "components"), "_graph").components


@st.composite
def graphs(draw):
    """node -> its successors (some twice, some itself), nodes in any order."""
    nodes = draw(st.lists(st.sampled_from([f"n{k}" for k in range(12)] + ["İ", "😀", ""]), unique=True, max_size=15))
    succ = {v: [] for v in nodes}
    if nodes:
        for a, b in draw(st.lists(st.tuples(st.sampled_from(nodes), st.sampled_from(nodes)), max_size=40)):
            succ[a].append(b)
    return succ


@settings(max_examples=EXAMPLES, deadline=None)
@given(graphs())
def test_any_graph_has_the_components_python_finds(native_components, succ):
    assert native_components(succ) == graph._components_py(succ)


def test_a_long_chain_and_the_seed_graph_have_the_same_components(native_components):
    chain = {str(k): [str(k + 1)] for k in range(20000)}
    chain["20000"] = ["0"]
    assert native_components(chain) == graph._components_py(chain) == [[str(k) for k in range(20000, -1, -1)]]
    found, _ = discover([str(ROOT / "agents")])
    agents, _, _ = read_agents(found)
    project = graph.link(agents, [])
    succ, _ = graph.successors([a.id for a in project.agents], project.edges)
    assert native_components(succ) == graph._components_py(succ)


def test_components_bad_arguments_and_no_leak(native_components):
    for bad in ([], None, {"a": ("b",)}):
        with pytest.raises(TypeError):
            native_components(bad)
    for call in (native_components, graph._components_py):
        with pytest.raises(KeyError):  # a successor that is no node, as succ[w] says
            call({"a": ["b"]})
    succ = {"a": ["b", "c"], "b": ["a"], "c": ["c", "d"], "d": []}
    assert_no_leak(lambda: native_components(succ))

    def missing():
        with pytest.raises(KeyError):
            native_components({"a": ["zz"]})
    assert_no_leak(missing)


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.lists(st.text(st.sampled_from(list("abcde-") + ["İ", "ſ"]), max_size=9), max_size=30),
       st.text(st.sampled_from(list("abcde-")), max_size=9))
def test_a_dangling_name_finds_the_close_name_it_found_among_every_name(names, name):
    """graph._Dangling searches only the names of near lengths: what the search of every name finds."""
    by_name = {n: [] for n in names}
    builtin = graph.CLAUDE_BUILTINS.get(graph.normal(name))
    assert graph._Dangling(by_name)[name] == (builtin, None if builtin is not None else graph.did_you_mean_agent(name, by_name))


# The reference loop's lines: `_lines_at` (Python alone since the C link_agent finds its own).
LINE_PIECES = ["\n", "\n\n", "\r", "\r\n", "a", " ", "é", "\U0001f600", "İ", "ı", "ſ", "\u212a", "x" * 3000]


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.lists(st.sampled_from(LINE_PIECES), max_size=40).map("".join), st.lists(st.integers(-3, 45), max_size=20))
def test_the_reference_loop_reads_the_split_lines(text, rows):
    lines = text.split("\n")
    assert graph._lines_at(text, rows) == [lines[row] if 0 <= row < len(lines) else None for row in rows]


# -- light_agent: incremental._light_py in C ------------------------------------------------------

@pytest.fixture(scope="module")
def native_light():
    """The C `light_agent`, configured with the IR's classes as graph.py configures the module."""
    def load():
        configured = graph._native_link_agent()
        return getattr(native_module.load("_graph", "light_agent"), "light_agent", None) if configured else None
    return native_or_skip(load, "_graph")


def test_incremental_uses_the_native_light_agent_when_built():
    from agentc import incremental

    _graph = native_in_use("agentc.compiler._graph")
    assert incremental._LIGHT_AGENT is (None if _graph is None else _graph.light_agent)


def light_alike(native_light, view):
    """light_agent(view) is None or what _light_py makes; `_light` (either way) is _light_py's
    result, or both raise the same kind of error."""
    from agentc import incremental

    try:
        want = incremental._light_py(view)
    except Exception as exc:  # noqa: BLE001  whatever Python raises, C must give None and Python raise it
        assert native_light(view) is None
        return type(exc)
    got = native_light(view)
    assert got is None or (got == want and list(got[0].key_spans) == list(want[0].key_spans)
                           and [type(x) for x in got[1]] == [type(x) for x in want[1]])
    return got


def test_the_repositorys_views_are_made_alike(native_light):
    from agentc import incremental

    found, _ = discover([str(ROOT / "agents")])
    agents, _, _ = read_agents(found)
    views = incremental.unstored(incremental.views(found, graph.link(agents, []), ["claude"]))
    assert views and all(light_alike(native_light, v) is not None or v[7] for v in views)


_TEXT = st.sampled_from(["a", "agent-0001", "İ", "ı", "ſ", "\u212a", "😀", "a\r\nb", "x" * 5000, ""])
_INT = st.integers(-3, 1 << 40)
_PAIR = st.lists(_INT, min_size=2, max_size=2)


@st.composite
def views(draw):
    """Views of the shape the cache stores, some with suppression lines, some of another shape
    (tuples, a part short or long, keys and lines that are no dict, None)."""
    edge = st.tuples(_TEXT, st.none() | _TEXT, _TEXT, st.sampled_from(["delegate", "handoff"]), _INT, _INT)
    lines = st.dictionaries(st.integers(1, 40).map(str), _TEXT, max_size=3)
    view = [draw(_TEXT), draw(_TEXT), draw(st.none() | _TEXT), draw(_TEXT), draw(_PAIR),
            draw(st.dictionaries(_TEXT, _PAIR, max_size=4)), [x for e in draw(st.lists(edge, max_size=14)) for x in e],
            draw(st.just({}) | lines)]
    odd = draw(st.integers(0, 9))
    if odd == 1:
        view[draw(st.integers(0, 7))] = draw(st.sampled_from([None, (), (1, 2), [1], "ab", 7, {}]))
    elif odd == 2:
        view = tuple(view)
    elif odd == 3:
        view = view[:draw(st.integers(0, 7))] + draw(st.sampled_from([[], [None, None]]))
    elif odd == 4 and view[6]:
        view[6] = draw(st.sampled_from([tuple(view[6]), view[6][:-1], [*view[6], 1], [None] * len(view[6])]))
    elif odd == 5 and view[5]:
        view[5][next(iter(view[5]))] = draw(st.sampled_from([(1, 2), [1], [1, 2, 3], None]))
    return view


@settings(max_examples=EXAMPLES, deadline=None)
@given(views())
def test_any_view_is_made_as_python_makes_it(native_light, view):
    light_alike(native_light, view)


def test_light_agent_bad_arguments_and_no_leak(native_light):
    with pytest.raises(TypeError):
        native_light()
    with pytest.raises(TypeError):
        native_light([], [])
    for other in (None, 7, "view", b"x" * 8, [None] * 8, list("abcdefgh")):
        assert native_light(other) is None
    view = ["a", "a", None, "a.md", [1, 1], {"name": [2, 1], "model": [4, 1]},
            ["b", None, "when b", "delegate", 9, 3, "c", "c", "é", "delegate", 10, 1], {}]
    assert light_alike(native_light, view) is not None
    assert_no_leak(lambda: native_light(view))
    for fallback in ([*view[:7], {"12": "x"}], [*view[:6], ["b", None, "c", "delegate", 9], {}], [*view[:5], {"name": (2, 1)}, *view[6:]]):
        assert native_light(fallback) is None
        assert_no_leak(lambda fallback=fallback: native_light(fallback))


# -- index_named: graph._index of a rebuild's views (relink) --

@pytest.fixture(scope="module")
def native_index():
    """The C `index_named`, even when this run indexes in pure Python."""
    return native_or_skip(lambda: getattr(native_module.load("_graph", "index_named"), "index_named", None), "_graph")


def test_relink_uses_the_native_index_when_built():
    _graph = native_in_use("agentc.compiler._graph")
    assert graph._INDEX_NAMED is (None if _graph is None else _graph.index_named)


def index_alike(native_index, named, normals):
    """index_named is None, leaving its by_name empty, or what graph._index_py makes: the same
    agents, dicts in the same order, lists of the same agents, the normal forms it was given."""
    from collections import defaultdict

    by_name = defaultdict(list)
    got = native_index(named, normals, by_name)
    if got is None:
        assert by_name == {}
        return None
    kept, by_id, by_name_py, given = graph._index_py(list(named), None, normals)
    assert got[0] == kept and type(got[0]) is list and got[0] is not named
    assert list(got[1].items()) == list(by_id.items())
    assert got[2] is by_name and type(got[2]) is defaultdict and list(got[2].items()) == list(by_name_py.items())
    assert got[3] is normals is given
    return got


_WORD = st.sampled_from(["a", "b", "agent-0001", "Backend Architect", "İ", "ı", "ſ", "\u212a", "😀", "a\r\nb", "x" * 5000, ""])


@st.composite
def named_lists(draw):
    """Views' (id, name, scope, file) rows as relink gets them, mostly in the order of their files,
    some of another shape (files out of order, an id twice, a field that is no str, a row that is
    no 4-tuple), and normal forms of some names (some that are no str)."""
    rows = draw(st.lists(st.tuples(_WORD, _WORD, st.none() | _WORD), max_size=12))
    named = [graph.Named((f"{scope}:{name}" if scope else name, name, scope, f"agents/{k:03}{name}.md"))
             for k, (name, _, scope) in enumerate(rows)] if draw(st.booleans()) else [
        graph.Named((f"{ident}{k}", name, scope, f"f{k:03}.md")) for k, (ident, name, scope) in enumerate(rows)]
    names = sorted({n[1] for n in named})
    normals = {n: draw(_WORD) for n in names if draw(st.integers(0, 3)) == 0}
    odd = draw(st.integers(0, 12))
    if odd == 1 and len(named) > 1:
        named.reverse()
    elif odd == 2 and named:
        named.append(graph.Named((named[0][0], "other", None, "z.md")))
    elif odd == 3 and named:
        k = draw(st.integers(0, len(named) - 1))
        named[k] = draw(st.sampled_from([None, (1, 2), ("a", "b", "c", "d", "e"), ("a", 7, None, "z.md"), ("a", "b", 3, "z.md"),
                                         ("a", "b", None, b"z.md"), list(named[k]), tuple(named[k]), ("a", "b", None, "z.md")]))
    elif odd == 4:
        normals[draw(_WORD)] = draw(st.sampled_from([None, 7, ("a",)]))
    elif odd == 5:
        normals[7] = "seven"
    return named, normals


@settings(max_examples=EXAMPLES, deadline=None)
@given(named_lists())
def test_any_views_are_indexed_as_python_indexes_them(native_index, case):
    index_alike(native_index, *case)


def test_the_repositorys_names_are_indexed_alike(native_index):
    found, _ = discover([str(ROOT / "agents")])
    agents, _, _ = read_agents(found)
    named = [graph.Named((a.id, a.name, a.scope, a.file)) for a in agents]
    assert index_alike(native_index, named, graph.link(agents, []).derived[graph.NORMALS]) is not None
    assert index_alike(native_index, named, {named[0].name: "first", named[1].name: "first"}) is not None


def test_index_named_bad_arguments_and_no_leak(native_index):
    from collections import defaultdict

    with pytest.raises(TypeError):
        native_index()
    with pytest.raises(TypeError):
        native_index([], {})
    for args in ((None, {}, defaultdict(list)), ([], None, defaultdict(list)), ([], {}, None), ([], {}, defaultdict(list, x=[])),
                 ((), {}, defaultdict(list)), ([("a", "a", None)], {}, defaultdict(list)), ([["a", "a", None, "a.md"]], {}, {})):
        assert native_index(*args) is None
    named = [graph.Named(("p:a", "a", "p", "a.md")), graph.Named(("b", "B b", None, "b.md")), graph.Named(("q:a", "a", "q", "c.md"))]
    normals = {"B b": "b-b", "a": "b-b"}
    got = index_alike(native_index, named, normals)
    assert got is not None and got[2]["a"] == [named[0], named[2]] and got[2]["b-b"] == [named[0], named[1], named[2]]
    assert_no_leak(lambda: native_index(named, normals, defaultdict(list)))
    for fallback in ([*named, graph.Named(("b", "c", None, "d.md"))], [named[1], named[0]], [*named, ("d", 4, None, "d.md")]):
        assert index_alike(native_index, fallback, normals) is None
        assert_no_leak(lambda fallback=fallback: native_index(fallback, normals, defaultdict(list)))
    assert_no_leak(lambda: native_index(named, {"a": 7}, defaultdict(list)))
