"""The C reader of cache entries (agentc/_codec.c's `load`) against pydantic-core, the reference.

For dump's JSON of every agent of the repository and the shared corpus (whole and light entries,
each read as a whole or a light build reads it), of entries holding odd text and metadata and of
hypothesis-made ones, `load` makes what pydantic-core's validate_json makes: the same types,
field by field. JSON that dump does not write (escapes, whitespace, keys out of order, a float, a
lax "7" for an int) gives None, and codec then reads it through pydantic-core; a truncated,
garbled or wrong-typed entry never loads as anything pydantic-core would refuse, so load_entry
raises its ValueError (the cache's miss). Also: it is used when built, bad arguments are
TypeErrors, and it leaks no memory."""

from __future__ import annotations

import dataclasses
import re

import pytest
from conftest import ROOT, SHARED, assert_no_leak, md_files, native_in_use, native_or_skip
from hypothesis import given, settings
from hypothesis import strategies as st

from agentc import codec
from agentc.compiler import native
from agentc.compiler.diagnostics import Diagnostic, diag
from agentc.compiler.ir import AgentIR, Delegation
from agentc.compiler.lower import lower
from agentc.compiler.source import read_source
from agentc.compiler.span import Span


@pytest.fixture(scope="module")
def _codec():
    """The C module, even when this run reads entries through pydantic-core alone."""
    return native_or_skip(lambda: native.load("_codec", "load", "loader", package="agentc"), "_codec")


@pytest.fixture(scope="module")
def load(_codec):
    return _codec.load


@pytest.fixture(scope="module")
def loaders(_codec):
    """{whole: the C plan of `codec._entry(whole)`'s schema}."""
    return {whole: _codec.loader(codec._load_specs(codec._entry(whole).schema)) for whole in (True, False)}


def _lowered(path) -> tuple:
    return lower(read_source(path.name, path.read_bytes()))


@pytest.fixture(scope="module")
def agent():
    return _lowered(ROOT / "agents" / "seed-team" / "ai-engineer.md")[0]


def _alike(a, b) -> None:
    """a and b hold the same values of the same types, all the way down (== alone takes 1 for True, a list for a tuple)."""
    assert type(a) is type(b), (a, b)
    if dataclasses.is_dataclass(a):
        for f in dataclasses.fields(a):
            _alike(getattr(a, f.name), getattr(b, f.name))
    elif isinstance(a, (tuple, list)):
        assert len(a) == len(b)
        for x, y in zip(a, b, strict=True):
            _alike(x, y)
    elif isinstance(a, dict):
        assert list(a) == list(b)
        for key in a:
            _alike(a[key], b[key])
    else:
        assert a == b


def _reference(data: bytes, whole: bool):
    return codec._entry(whole).validator.validate_json(data)


def _same(load, loaders, data: bytes, whole: bool = True) -> None:
    """load reads `data` (dump's JSON) as pydantic-core does."""
    got = load(data, loaders[whole])
    assert got is not None
    _alike(got, _reference(data, whole))


def _same_or_left(load, loaders, data: bytes, whole: bool = True) -> None:
    """load reads `data` as pydantic-core does, or leaves it to it (None); pydantic-core's ValueError
    is then load_entry's."""
    got = load(data, loaders[whole])
    try:
        expected = _reference(data, whole)
    except ValueError:
        assert got is None
        return
    if got is not None:
        _alike(got, expected)


def _entry(agent, diags=(), *, whole: bool = True) -> bytes:
    return codec.dump_entry(agent, diags, whole=whole)


def test_codec_uses_the_native_reader_when_built():
    _codec = native_in_use("agentc._codec")
    assert (codec._entry(True).loader is not None) == (_codec is not None)


def _check_files(load, loaders, files) -> None:
    for path in files:
        agent, diags = _lowered(path)
        whole, light = _entry(agent, diags), _entry(agent, diags, whole=False)
        _same(load, loaders, whole, True)
        _same(load, loaders, whole, False)  # a whole cached entry serves a build without the structure
        _same(load, loaders, light, False)


def test_repository_agents_load_the_same(load, loaders):
    files = md_files(ROOT / "agents", ROOT / "golden", ROOT / "tests" / "fixtures")
    assert len(files) > 20
    _check_files(load, loaders, files)


def test_shared_corpus_agents_load_the_same(load, loaders):
    files = md_files(SHARED / "corpus")
    if not files:
        pytest.skip("no ../shared/corpus beside the repository")
    _check_files(load, loaders, files)


def test_load_entry_reads_through_it(_codec, loaders, agent, monkeypatch):
    """load_entry's result is the C reader's (pydantic-core never asked), body and all."""
    source = (ROOT / "agents" / "seed-team" / "ai-engineer.md").read_bytes()
    data = _entry(agent, [diag("AGC301", agent.span, "x")])
    made = codec._entry(True)
    expected = codec.load_entry(data, source)
    monkeypatch.setitem(made.__dict__, "loader", loaders[True])
    monkeypatch.setattr(codec, "_C", _codec)
    monkeypatch.setitem(made.__dict__, "validator", None)  # asked: an AttributeError
    _alike(codec.load_entry(data, source), expected)
    assert codec.load_entry(data, source)[0] == agent


def test_no_agent(load, loaders):
    _same(load, loaders, _entry(None))
    _same(load, loaders, _entry(None, [diag("AGC001", Span(file="x.md", line=1), "cannot read file", hint="h")]))


ODD = ("", "a", '"', "\\", '\\"', "\x00", "\x1f", "\x7f", "\x80", "\x85", "\u2028", "é", "한", "😀", "→ 😀\n", "İ", "ı", "ſ",
       "\u212a", "a\r\nb\r\n", "a\rb", "\t", "\b\f", "l" * 300_000, "ab\"c\\\n" * 20_000, "é" * 9 + "\x01",
       "x" * 7 + "\x02" + "y" * 9, "".join(chr(i) for i in range(0x100)), "\U0010ffff\ufeff\ufffe", "x" * 64, "y" * 65)


@pytest.mark.parametrize("text", ODD)
def test_odd_text_loads_the_same(load, loaders, agent, text):
    odd = dataclasses.replace(agent, description=text, model=text or None, tools=(text, text + "x"), scope=text,
                              metadata={text: text, "k": [text, {text: [text]}]}, key_spans={text: Span(file=text, line=2)},
                              delegations=(Delegation(target=text, condition=text, kind="compare", pattern=text, section=text,
                                                      span=Span(file=text, line=1, col=2)),))
    data = _entry(odd, [diag("AGC001", Span(file=text, line=3, col=7), text, hint=text, excerpt=text)])
    _same(load, loaders, data)
    _same(load, loaders, data, False)


# An escape or a non-ASCII byte at each place of a 16-byte block and around it (the SSE2 scan's edges).
EDGES = tuple(lead + "a" * k + c + "b" * (37 - k) for lead in ("", "é") for c in ('"', "\\", "\x00", "\x1f", "\n", "é")
              for k in range(38))


def test_an_escape_anywhere_in_a_block_loads_the_same(load, loaders, agent):
    for text in EDGES:
        _same(load, loaders, _entry(dataclasses.replace(agent, description=text, metadata={text: [text]})))


METADATA = ({}, {"a": None, "b": True, "c": False, "d": 0, "e": -1, "f": 10**18 - 1, "g": -(10**18) + 1}, {"l": [], "d": {}},
            {"nested": [[[[{"x": [1, "2", None]}]]]]}, {"tools": ["Read", "Grep"], "hooks": {"PreToolUse": [{"matcher": "*"}]}})


@pytest.mark.parametrize("metadata", METADATA)
def test_metadata_loads_the_same(load, loaders, agent, metadata):
    _same(load, loaders, _entry(dataclasses.replace(agent, metadata=metadata, hooks=metadata, mcp_servers=[metadata])))


deep: list = []
for _ in range(150):
    deep = [deep]
# What dump writes that load leaves to pydantic-core: a float, an int past 18 digits, deep nesting.
LEFT = ({"f": 1.5}, {"f": 1e300}, {"n": 10**18}, {"n": 2**63 - 1}, {"n": -(10**18)}, {"deep": deep})


@pytest.mark.parametrize("metadata", LEFT, ids=range(len(LEFT)))
def test_what_it_does_not_read_goes_to_pydantic_core(load, loaders, agent, metadata):
    odd = dataclasses.replace(agent, metadata=metadata)
    data = _entry(odd)
    assert load(data, loaders[True]) is None
    source = (ROOT / "agents" / "seed-team" / "ai-engineer.md").read_bytes()
    assert codec.load_entry(data, source)[0].metadata == metadata


def _described(data: bytes, json_text: bytes) -> bytes:
    """`data` with the agent's description written as `json_text` (a JSON string, quotes included)."""
    out, n = re.subn(rb'"description":"(?:[^"\\]|\\.)*"', lambda _: b'"description":' + json_text, data, count=1)
    assert n == 1
    return out


# JSON strings dump never writes: escapes pydantic-core reads, and some it refuses.
ESCAPED = (rb'"\u00e9\/\"\\\b\f\n\r\t"', rb'"\ud83d\ude00 and \u2028"', rb'"\u0000\u001F\uFFFF"', rb'"a\u20acb"',
           rb'"\ud800"', rb'"\udc00x"', rb'"\ud800\u0041"', rb'"\x41"', rb'"\u12"', b'"\xff"', b'"\xed\xa0\x80"', b'"a\x01"',
           b'"\xc3"', b'"\xf0\x9f\x98"', rb'"\"', rb'"\u00e9' + b"\xff" + b'"', rb'"' + b"\\" + b"u" * 3 + b'"')


@pytest.mark.parametrize("json_text", ESCAPED, ids=range(len(ESCAPED)))
def test_escapes_load_the_same_or_are_left_to_pydantic_core(load, loaders, agent, json_text):
    _same_or_left(load, loaders, _described(_entry(agent), json_text))


def test_json_it_does_not_write_is_left_to_pydantic_core(load, loaders, agent):
    data = _entry(agent, [diag("AGC001", agent.span, "m")])
    odd = [data + b" ", b" " + data, data.replace(b'"line":', b'"line": ', 1), data.replace(b'"line":', b'"line":"', 1),
           re.sub(rb'"body_line":(\d+)', rb'"body_line":"\1"', data), re.sub(rb'"body_line":(\d+)', rb'"body_line":\1.0', data),
           re.sub(rb'"body_line":(\d+)', rb'"body_line":0\1', data), data.replace(b'"severity":"error"', b'"severity":"fatal"'),
           data.replace(b'"kind":"delegate"', b'"kind":"other"', 1), data.replace(b'"name":', b'"n\\u0061me":', 1),
           data.replace(b'{"id":', b'{"extra":1,"id":', 1), data.replace(b'"agent":{', b'"agent":{"unknown":1,', 1),
           data.replace(b',"body_length":', b',"more":1,"body_length":'), data.replace(b'"body_line"', b'"body":"x","body_line"'),
           data.replace(b'"scope":null,', b'', 1), data.replace(b'"col":1', b'"col":true', 1), data.replace(b'"color":null', b'"color":1'),
           data.replace(b'"diagnostics":[', b'"diagnostics":[1,'), data[:-1] + b",}", b"[" + data + b"]", b"null", b"", b"{}"]
    for garbled in odd:
        assert garbled != data, odd.index(garbled)
        assert load(garbled, loaders[True]) is None, garbled[:80]
        _same_or_left(load, loaders, garbled)


def test_truncated_entries_are_left_to_pydantic_core_which_refuses_them(load, loaders, agent):
    source = (ROOT / "agents" / "seed-team" / "ai-engineer.md").read_bytes()
    data = _entry(agent, [diag("AGC301", agent.span, "dangling é 😀", hint="h")])
    for whole in (True, False):
        for cut in range(len(data)):
            assert load(data[:cut], loaders[whole]) is None
        for cut in range(0, len(data), 97):
            with pytest.raises(ValueError):
                codec.load_entry(data[:cut], source, whole=whole)


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 10**6), st.binary(min_size=1, max_size=3))
def test_garbled_entries_load_as_pydantic_core_reads_them(load, loaders, agent, at, junk):
    data = _entry(agent, [diag("AGC001", Span(file="é.md", line=2), "m")])
    at %= len(data)
    _same_or_left(load, loaders, data[:at] + junk + data[at + len(junk):])
    _same_or_left(load, loaders, data[:at] + junk + data[at:], whole=False)


TEXT = st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from('"\\\x00\x1f\x7f\n\r\t😀İıſ\u212a'))
JSON = st.recursive(st.none() | st.booleans() | st.integers(-(2**70), 2**70) | TEXT,
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3), max_leaves=8)
SPANS = st.builds(Span, file=TEXT, line=st.integers(0, 10**18 - 1), col=st.integers(-5, 10**6))


@settings(max_examples=300, deadline=None)
@given(TEXT, st.dictionaries(TEXT, JSON, max_size=4), st.lists(st.builds(
    Delegation, target=TEXT, condition=TEXT, kind=st.sampled_from(("delegate", "before", "compare")), pattern=TEXT,
    section=st.none() | TEXT, span=SPANS), max_size=4), st.none() | st.tuples(TEXT), st.none() | st.integers(-(10**18) + 1, 10**18 - 1),
    st.none() | st.booleans(), st.dictionaries(TEXT, SPANS, max_size=3),
    st.lists(st.builds(Diagnostic, code=TEXT, severity=st.sampled_from(("error", "warning", "info")), file=TEXT,
                       line=st.integers(-3, 10**9), col=st.integers(0, 99), message=TEXT, hint=st.none() | TEXT,
                       excerpt=st.none() | TEXT), max_size=3))
def test_hypothesis_entries_load_the_same(load, loaders, agent, text, metadata, delegations, tools, max_turns, background,
                                          key_spans, diags):
    odd = dataclasses.replace(agent, description=text, metadata=metadata, delegations=tuple(delegations), tools=tools,
                              max_turns=max_turns, background=background, key_spans=key_spans, hooks=metadata or None)
    for whole in (True, False):
        _same_or_left(load, loaders, _entry(odd, diags, whole=whole), whole)
    if all(abs(n) < 10**18 for n in _ints(metadata)):  # nothing it leaves to pydantic-core: it reads the entry
        _same(load, loaders, _entry(odd, diags))


def _ints(value) -> list[int]:
    """The ints (not bools) in a JSON value."""
    if type(value) is int:
        return [value]
    if isinstance(value, dict):
        value = [*value.values()]
    return [n for item in value for n in _ints(item)] if isinstance(value, list) else []


def test_repeated_short_strings_are_shared(load, loaders, agent):
    back = load(_entry(agent), loaders[True])["agent"]
    assert back.span.file is back.key_spans["name"].file is back.file


def test_bad_arguments_are_type_errors(_codec, load, loaders):
    with pytest.raises(TypeError):
        load(b"{}")
    with pytest.raises(TypeError):
        load(b"{}", "not a loader")
    with pytest.raises(TypeError):
        load(12, loaders[True])
    slot = vars(Span)["file"]
    for plan in ("x", (), ((99,),), ((-1,),), ((2**80,),), ((codec.L_STR, 1),), ((codec.L_TUPLE, 5),), ((codec.L_LITERAL, (1,)),),
                 ((codec.L_OBJECT, Span, (("file", "file", 1, 0, None, False),)), (codec.L_STR,)),
                 ((codec.L_OBJECT, Span, (("file", vars(AgentIR)["name"], 1, 0, None, False),)), (codec.L_STR,)),  # another class's slot
                 ((codec.L_OBJECT, int, (("file", slot, 1, 0, None, False),)), (codec.L_STR,)),
                 ((codec.L_OBJECT, Span, (("file", slot, 1, 7, None, False),)), (codec.L_STR,)),
                 ((codec.L_OBJECT, Span, (("é", slot, 1, 0, None, False),)), (codec.L_STR,)),
                 ((codec.L_OBJECT, Span, (("file", slot, 9, 0, None, False),)), (codec.L_STR,)),
                 ((codec.L_OBJECT, Span),), ((codec.L_RECORD,),), ((codec.L_RECORD, (("a",),)),)):
        with pytest.raises(TypeError):
            _codec.loader(plan)


def test_a_plan_of_its_own(_codec, load):
    """A hand-written plan: a default, a factory, a skipped key, a record."""
    plan = (
        (codec.L_RECORD, (("span", 1), ("spans", 4))),
        (codec.L_OBJECT, Span, (("file", vars(Span)["file"], 2, codec.F_READ, None, False),
                                ("line", vars(Span)["line"], -1, codec.F_SKIP, 7, False),
                                ("col", vars(Span)["col"], -1, codec.F_ABSENT, list, True))),
        (codec.L_STR,), (codec.L_INT,), (codec.L_LIST, 1),
    )
    loader = _codec.loader(plan)
    got = load(b'{"span":{"file":"a","line":[1,{"x":null}]},"spans":[{"file":"b"}]}', loader)
    assert got == {"span": Span(file="a", line=7, col=[]), "spans": [Span(file="b", line=7, col=[])]}
    assert load(b'{"span":{"line":1},"spans":[]}', loader) is None


def test_a_plan_that_holds_itself_reads_nothing(_codec, load):
    """A node that refers to itself (a nullable of itself, a list of lists) stops at the depth it
    leaves to pydantic-core, without reading a byte more or overflowing the C stack."""
    assert load(b"1", _codec.loader(((codec.L_NULLABLE, 0),))) is None
    lists = _codec.loader(((codec.L_LIST, 0),))
    assert load(b"[[[]]]", lists) == [[[]]]
    assert load(b"[" * 100_000 + b"]" * 100_000, lists) is None


def test_no_leak(load, loaders, agent):
    small = _entry(None, [diag("AGC001", Span(file="é.md", line=1), "a \"quoted\"\nmessage", hint="😀")])
    data = _entry(dataclasses.replace(agent, metadata={"a": [1, {"b": None}], "c": "x" * 100}))
    escaped = _described(data, rb'"\u00e9\ud83d\ude00\n"')
    assert_no_leak(lambda: load(small, loaders[True]))
    assert_no_leak(lambda: load(data, loaders[False]))
    assert_no_leak(lambda: load(escaped, loaders[True]))
    assert_no_leak(lambda: load(data[:-40], loaders[True]))  # left to pydantic-core midway
    assert_no_leak(lambda: load(_described(data, rb'"\ud800"'), loaders[True]))
