"""The C JSON writer of the cache (agentc/_codec.c) against pydantic-core, the reference it stands in for.

`dump(value, plans)` gives pydantic-core's bytes, byte for byte, for the entry of every agent of
the repository and the shared corpus, entries holding odd text (empty, every C0 control and its
neighbours, quotes and backslashes, DEL, non-ASCII, emoji, CRLF, a huge line) and odd metadata,
hypothesis-made ones, and a build record and its views; it gives None for what it leaves to
pydantic-core (a float, a date, a huge int, a str subclass, a lone surrogate, a non-str key, deep
nesting, a list holding itself), and then codec writes what pydantic-core writes. Also: it is used when built (and must
be, where CI says so with AGENTC_REQUIRE_NATIVE=1), bad arguments are TypeErrors, and it leaks no
memory. Its `crc32`, the cache pack's check of each entry, is zlib.crc32 on bytes of every length
and alignment the folding and its tail can meet."""

from __future__ import annotations

import dataclasses
import datetime
import os
import zlib

import pytest
from conftest import ROOT, SHARED, assert_no_leak, md_files, native_in_use, native_or_skip
from hypothesis import given, settings
from hypothesis import strategies as st

from agentc import codec
from agentc.compiler import native
from agentc.compiler.diagnostics import diag
from agentc.compiler.lower import lower
from agentc.compiler.source import read_source
from agentc.compiler.span import Span


@pytest.fixture(scope="module")
def dump():
    """The C `dump`, even when this run writes entries through pydantic-core alone."""
    return native_or_skip(lambda: native.load("_codec", "dump", package="agentc"), "_codec").dump


def _entry(agent, diags) -> dict:
    return {"agent": agent, "diagnostics": tuple(diags), "body_length": len(agent.body) if agent is not None else 0}


def _reference(entry: dict) -> bytes:
    return codec._entry(True).serializer.to_json(entry)


def _same(dump, entry: dict) -> None:
    assert dump(entry, codec._entry(True).plans) == _reference(entry)


def _lowered(path) -> tuple:
    return lower(read_source(path.name, path.read_bytes()))


@pytest.fixture(scope="module")
def agent():
    return _lowered(ROOT / "agents" / "seed-team" / "ai-engineer.md")[0]


def test_codec_uses_the_native_writer_when_built():
    _codec = native_in_use("agentc._codec")
    assert codec._C is _codec


def test_repository_agents_are_the_same(dump):
    files = md_files(ROOT / "agents", ROOT / "golden", ROOT / "tests" / "fixtures")
    assert len(files) > 20
    for path in files:
        _same(dump, _entry(*_lowered(path)))


def test_light_entries_are_the_same_and_load_as_the_whole_ones_do_without_structure(dump):
    """`dump_entry(whole=False)` (a worker's hand-off for a build that never reads the structure):
    pydantic-core's bytes, and what `load_entry(whole=False)` makes of it is what it makes of
    the whole entry."""
    light = codec._entry(False)
    for path in md_files(ROOT / "agents"):
        agent, diags = _lowered(path)
        entry = _entry(agent, diags)
        assert dump(entry, light.plans) == light.serializer.to_json(entry) == codec.dump_entry(agent, diags, whole=False)
        whole, part = codec.dump_entry(agent, diags), codec.dump_entry(agent, diags, whole=False)
        assert not any(f'"{name}":'.encode() in part for name in codec.STRUCTURE) and b'"mission":' in whole
        source = path.read_bytes()
        assert codec.load_entry(part, source, whole=False) == codec.load_entry(whole, source, whole=False)


def test_shared_corpus_agents_are_the_same(dump):
    files = md_files(SHARED / "corpus")
    if not files:
        pytest.skip("no ../shared/corpus beside the repository")
    for path in files:
        _same(dump, _entry(*_lowered(path)))


def test_no_agent(dump):
    _same(dump, _entry(None, []))
    _same(dump, _entry(None, [diag("AGC001", Span(file="x.md", line=1), "cannot read file")]))


ODD = ("", "a", '"', "\\", '\\"', "\x00", "\x1f", "\x7f", "\x80", "\x85", "\u2028", "\u2029", "é", "한", "😀", "→ 😀\n",
       "a\r\nb\r\n", "a\rb", "\t", "\b\f", "l" * 300_000, ("ab\"c\\\n" * 20_000), "é" * 9 + "\x01", "x" * 7 + "\x02" + "y" * 9,
       "".join(chr(i) for i in range(0x100)), "\U0010ffff\ufeff\ufffe")


@pytest.mark.parametrize("text", ODD)
def test_odd_text_is_the_same(dump, agent, text):
    odd = dataclasses.replace(agent, description=text, model=text or None, tools=(text, text + "x"),
                              metadata={text: text, "k": [text, {text: (text,)}]})
    _same(dump, _entry(odd, [diag("AGC001", Span(file=text, line=3, col=7), text, hint=text)]))


# An escape at each place of a 16-byte block and around it (the SSE2 scan's and the 8-byte scan's
# edges), after ASCII and after two-byte UTF-8, in a string long enough for both scans.
EDGES = tuple(lead + "a" * k + c + "b" * (37 - k) for lead in ("", "é") for c in ('"', "\\", "\x00", "\x1f", "\n")
              for k in range(38))


def test_an_escape_anywhere_in_a_block_is_the_same(dump, agent):
    for text in EDGES:
        _same(dump, _entry(dataclasses.replace(agent, description=text, metadata={text: [text, " \x1f\x20\x7f" + text]}), []))


METADATA = ({}, {"a": None, "b": True, "c": False, "d": 0, "e": -1, "f": 2**63 - 1, "g": -(2**63)}, {"l": [], "t": (), "d": {}},
            {"nested": [[[[{"x": [1, "2", None]}]]]]}, {"tools": ["Read", "Grep"], "hooks": {"PreToolUse": [{"matcher": "*"}]}})


@pytest.mark.parametrize("metadata", METADATA)
def test_metadata_is_the_same(dump, agent, metadata):
    _same(dump, _entry(dataclasses.replace(agent, metadata=metadata, hooks=metadata, mcp_servers=[metadata]), []))


class Name(str):
    pass


deep: list = []
for _ in range(300):
    deep = [deep]
circular: list = []
circular.append(circular)
LEFT = ({"f": 1.5}, {"d": datetime.date(2024, 1, 2)}, {"n": 2**63}, {"n": -(2**63) - 1}, {"s": Name("x")}, {1: "one"},
        {"s": "\ud800"}, {"deep": deep}, {"c": circular}, {"b": b"x"})


@pytest.mark.filterwarnings("ignore:Pydantic serializer warnings")  # an int key where metadata has str keys
@pytest.mark.parametrize("metadata", LEFT, ids=range(len(LEFT)))
def test_what_it_does_not_know_goes_to_pydantic_core(dump, agent, metadata):
    odd = dataclasses.replace(agent, metadata=metadata)
    assert dump(_entry(odd, []), codec._entry(True).plans) is None
    try:
        expected = _reference(_entry(odd, []))
    except ValueError as exc:  # pydantic-core refuses it: so does dump_entry, as before
        with pytest.raises(type(exc)):
            codec.dump_entry(odd, [])
    else:
        assert codec.dump_entry(odd, []) == expected


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", max_codepoint=0x3000) | st.sampled_from('"\\\x00\x1f\x7f\n\r\t😀')),
       st.dictionaries(st.text(max_size=5), st.one_of(st.none(), st.booleans(), st.integers(-(2**63), 2**63 - 1), st.text()),
                       max_size=4))
def test_hypothesis_entries_are_the_same(dump, agent, text, metadata):
    odd = dataclasses.replace(agent, description=text, metadata=metadata)
    _same(dump, _entry(odd, [diag("AGC001", Span(file=text, line=1), text)]))


def test_bad_arguments_are_type_errors(dump, agent):
    with pytest.raises(TypeError):
        dump({})
    with pytest.raises(TypeError):
        dump({}, [])
    with pytest.raises(TypeError):
        dump({}, {Span: (("file",),)})
    with pytest.raises(TypeError):
        dump({}, {Span: (("file", "not bytes"),)})
    with pytest.raises(TypeError):  # a slot of another class
        dump({}, {Span: ((type(agent).__dict__["name"], b'{"name":'),)})


def test_an_unset_slot_is_an_attribute_error(dump):
    with pytest.raises(AttributeError):
        dump(Span.__new__(Span), codec._entry(True).plans)


def test_no_leak(dump):
    plans = codec._entry(True).plans
    small = _entry(None, [diag("AGC001", Span(file="é.md", line=1), "a \"quoted\"\nmessage", hint="😀")])
    assert_no_leak(lambda: dump(small, plans))
    assert_no_leak(lambda: dump({"f": 1.5, "s": "x"}, plans))  # left to pydantic-core midway


def test_records_and_views_are_the_same(dump, tmp_path):
    """A build's record (its diagnostics through their schema, every other key as plain JSON)
    and its views, as the build writes them."""
    from agentc.cache import FORMAT

    views = [["a", "a", None, "a.md", [1, 1], {"name": [2, 1]}, [["b", "b", "", "delegate", 9, 3]], {"12": "x 😀"}]]
    record = {"key": "k", "sources": [["a.md", [1, 2, 3, 4], "ff"]], "scopes": [None], "outputs": [], "files": ["claude/a.md"],
              "diagnostics": [diag("AGC301", Span(file="a.md", line=9, col=3), "unknown 'b'\n", hint="é")], "views": "t",
              "format": FORMAT, "recorded_ns": 1_796_491_501_776_055_352}
    serializer, plans = codec._record().serializer, codec._record().plans
    assert dump(record, plans) == serializer.to_json(record) == codec.dump_record(record)
    assert codec.load_record(codec.dump_record(record)) == record
    assert dump(views, {}) == codec.to_json(views) == codec.dump_json(views)
    assert dump({**record, "x": 1.5}, plans) is None
    assert codec.dump_record({**record, "x": 1.5}) == serializer.to_json({**record, "x": 1.5})


def test_a_cached_build_leaves_type_inference_unloaded(dump, tmp_path):
    """pydantic-core's type inference (its to_json of anything not in a schema) imports decimal,
    fractions and uuid on first use (~3 ms); with the C writer, a cold build and a rebuild after
    an edit, which write entries, a record and views, never ask it."""
    import os
    import shutil
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "AGENTC_PURE_PYTHON"}  # the C writer's build, in a pure-Python run too

    shutil.copytree(ROOT / "agents" / "seed-team", tmp_path / "agents")
    edited = next((tmp_path / "agents").glob("*.md"))
    for step in ("cold", "edit"):
        if step == "edit":
            edited.write_text(edited.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
        done = subprocess.run([sys.executable, "-X", "importtime", "-m", "agentc", "build", "agents", "-t", "claude", "--out", "out"],
                              cwd=tmp_path, env=env, capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stderr[-2000:]
        names = {line.rsplit("|", 1)[1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")}
        assert "agentc.codec" in names, step
        assert not names & {"decimal", "fractions"}, step


# --- crc32: the check of each entry in the cache's pack ------------------------------------------

@pytest.fixture(scope="module")
def crc32():
    """The C `crc32`, even in a run whose cache uses zlib's."""
    return native_or_skip(lambda: native.load("_codec", "crc32", package="agentc"), "_codec").crc32


# Bytes whose CRC decides the paths: none, fewer than the 64 a fold needs, a fold and a tail of
# every length below 16, and large ones; the UTF-8 of odd text (CRLF, emoji, dotted and dotless
# i, long s, the Kelvin sign) and every byte value.
ODD_BYTES = [b"", b"a", b"\x00" * 63, b"\xff" * 64, bytes(range(256)) * 40, "a\r\nb😀İıſ\u212a".encode() * 97,
             b"x" * 1_000_003, ("\U0001f600" * 20_000 + "\n").encode()]


@pytest.mark.parametrize("data", ODD_BYTES)
def test_crc32_is_zlibs(crc32, data):
    for start in range(0, min(len(data), 17)):
        for end in (len(data), len(data) - 1, start + 64, start + 79, start + 128):
            piece = data[start:max(start, end)]
            assert crc32(piece) == zlib.crc32(piece), (start, end)
            assert crc32(memoryview(data)[start:max(start, end)]) == zlib.crc32(piece)


@settings(max_examples=int(os.environ.get("AGENTC_FUZZ_EXAMPLES", "400")), deadline=None)
@given(st.binary(max_size=600), st.integers(0, 15))
def test_crc32_is_zlibs_on_generated_bytes(crc32, data, cut):
    assert crc32(data[cut:]) == zlib.crc32(data[cut:])
    assert crc32(bytearray(data)) == zlib.crc32(data)


def test_the_cache_checks_entries_with_it_where_it_folds():
    import agentc.cache as cache

    _codec = native_in_use("agentc._codec")
    expected = _codec.crc32 if _codec is not None and _codec.CRC32_FOLDS else zlib.crc32
    assert cache._crc32 is expected


def test_crc32_takes_one_buffer(crc32):
    for bad in ("text", None, 1, [b"a"]):
        with pytest.raises(TypeError):
            crc32(bad)
    with pytest.raises(TypeError):
        crc32(b"a", 0)
    with pytest.raises(TypeError):
        crc32()
    with pytest.raises(BufferError):  # as zlib: a view that is not one block of memory
        crc32(memoryview(b"abcdef")[::2])


def test_crc32_leaks_nothing(crc32):
    data = bytes(range(256)) * 3 + b"tail"
    assert_no_leak(lambda: (crc32(data), crc32(memoryview(data)[5:]), crc32(b"")))
