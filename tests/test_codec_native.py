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
import time
import zlib

import pytest
from conftest import ROOT, SHARED, assert_no_leak, md_files, native_in_use, native_or_skip
from hypothesis import given, settings
from hypothesis import strategies as st

from agentc import codec
from agentc.compiler import native
from agentc.compiler.diagnostics import Diagnostic, diag
from agentc.compiler.ir import held_body
from agentc.compiler.lower import lower
from agentc.compiler.source import read_source
from agentc.compiler.span import Span


@pytest.fixture(scope="module")
def dump():
    """The C `dump`, even when this run writes entries through pydantic-core alone."""
    return native_or_skip(lambda: native.load("_codec", "dump", package="agentc"), "_codec").dump


def _entry(agent, diags) -> dict:
    return {"agent": agent, "diagnostics": tuple(diags), "body_length": codec.utf8_length(held_body(agent)) if agent is not None else 0}


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
    """Plain JSON values shaped as a build's record, its table of diagnostics and its views
    (the cache stores those through marshal, cache._marshalled; dump_json still writes such values)."""
    from agentc.cache import FORMAT

    views = [["a", "a", None, "a.md", [1, 1], {"name": [2, 1]}, [["b", "b", "", "delegate", 9, 3]], {"12": "x 😀"}]]
    record = {"key": "k", "sources": [["a.md", [1, 2, 3, 4], "ff"]], "scopes": [None], "outputs": [], "files": ["claude/a.md"],
              "diagnostics": [diag("AGC301", Span(file="a.md", line=9, col=3), "unknown 'b'\n", hint="é")], "views": "t",
              "format": FORMAT, "recorded_ns": 1_796_491_501_776_055_352}
    diags = record["diagnostics"]
    strings, rows = codec._table(diags, *codec._columns(type(diags[0]))[::2])
    table = {"strings": strings, "rows": rows}
    assert codec.diagnostics_table(diags) == table
    assert dump(table, {}) == codec.to_json(table)
    assert codec.load_diagnostics(table) == diags
    record = {**record, "diagnostics": "tag"}
    assert dump(record, {}) == codec.to_json(record) == codec.dump_json(record)
    assert dump(views, {}) == codec.to_json(views) == codec.dump_json(views)
    assert dump({**record, "x": 1.5}, {}) is None
    assert codec.dump_json({**record, "x": 1.5}) == codec.to_json({**record, "x": 1.5})


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


# --- table and untable: a build record's diagnostics ---------------------------------------------

@pytest.fixture(scope="module")
def tables():
    """The C `table` and `untable`, even in a pure-Python run."""
    module = native_or_skip(lambda: native.load("_codec", "table", "untable", package="agentc"), "_codec")
    return module.table, module.untable


COLUMNS = codec._columns(Diagnostic)
NAMES, GETTERS, KINDS = COLUMNS
TEXTS = ("", "a", "a\r\nb\r\n", "é", "😀", "İ", "ı", "ſ", "\u212a", "\x00\x1f\x7f", "\ud800", "l" * 300_000)


def _both(tables, diags) -> tuple[list[str], list[int]]:
    """The table of `diags` as C and Python make it (the same), and both read back to `diags`."""
    table, untable = tables
    made = table(diags, GETTERS, KINDS)
    assert made == codec._table(diags, NAMES, KINDS)
    strings, rows = made
    assert untable(Diagnostic, NAMES, KINDS, strings, rows) == list(diags) == codec._untable(Diagnostic, NAMES, KINDS, strings, rows)
    assert len(strings) == len(set(strings))
    return made


def _read(tables, strings, rows):
    """untable's result or its exception's type, which C and Python agree on."""
    outcomes = []
    for untable in (tables[1], codec._untable):
        try:
            outcomes.append(untable(Diagnostic, NAMES, KINDS, strings, rows))
        except ValueError:
            outcomes.append(ValueError)
    assert outcomes[0] == outcomes[1]
    return outcomes[0]


def test_record_diagnostics_use_the_c_table_when_built():
    _codec = native_in_use("agentc._codec")
    assert codec._C is _codec
    assert KINDS == (codec.STR, frozenset({"error", "warning", "info"}), codec.STR, codec.INT, codec.INT, codec.STR,
                     codec.OPTIONAL, codec.OPTIONAL)


@pytest.mark.parametrize("text", TEXTS, ids=range(len(TEXTS)))
def test_odd_text_tables_the_same(tables, text):
    diags = [diag("AGC301", Span(file=text, line=3, col=7), text, hint=text, excerpt=text),
             diag("AGC001", Span(file="a.md", line=1), text + "x", severity="info"), diag("AGC301", Span(file=text, line=0, col=-5), text)]
    strings, rows = _both(tables, diags)
    assert strings.count(text) == 1 and rows[6 + 8] == rows[7 + 8] == -1


def test_the_repository_agents_diagnostics_table_the_same(tables):
    diags = [d for path in md_files(ROOT / "agents", ROOT / "tests" / "fixtures") for d in _lowered(path)[1]]
    assert len(diags) > 20
    _both(tables, diags)
    _both(tables, tuple(diags))
    _both(tables, [])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["AGC301", "AGC001", "AGC308"]), st.sampled_from(["error", "warning", "info"]),
                          st.text(max_size=4), st.integers(-(2**70), 2**70), st.integers(-3, 3), st.text(max_size=6),
                          st.none() | st.text(max_size=3), st.none() | st.sampled_from(TEXTS[:10])), max_size=12))
def test_hypothesis_diagnostics_table_the_same(tables, fields):
    _both(tables, [Diagnostic(**dict(zip(NAMES, values, strict=True))) for values in fields])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(max_size=3) | st.sampled_from(["error", "warning", "info"]), max_size=6),
       st.lists(st.integers(-3, 8) | st.sampled_from([2**64, -(2**64), True, None, "1", 1.0]), max_size=20))
def test_hypothesis_rows_read_the_same_or_are_refused_alike(tables, strings, rows):
    _read(tables, strings, rows)


def test_values_that_do_not_fit_their_kind_are_refused(tables):
    table, _ = tables
    good = diag("AGC301", Span(file="a.md", line=3, col=4), "m")
    for bad in (dataclasses.replace(good, line=True), dataclasses.replace(good, line=1.0), dataclasses.replace(good, severity="fatal"),
                dataclasses.replace(good, message=None), dataclasses.replace(good, file=Name("a.md")), dataclasses.replace(good, hint=3)):
        for make in (lambda ds: table(ds, GETTERS, KINDS), lambda ds: codec._table(ds, NAMES, KINDS)):
            with pytest.raises(ValueError):
                make([good, bad])
    assert _read(tables, ["a"], "not a list") is ValueError
    assert _read(tables, ("a",), [0]) is ValueError


def test_table_bad_arguments_are_type_errors(tables):
    table, untable = tables
    good = [diag("AGC301", Span(file="a.md", line=3, col=4), "m")]
    for args in ((good, GETTERS), (good, GETTERS, KINDS, 1), (iter(good), GETTERS, KINDS), (good, GETTERS[:-1], KINDS),
                 (good, GETTERS, ()), (good, GETTERS, KINDS[:-1] + (3,)), (good, GETTERS, KINDS[:-1] + ("str",)),
                 (good, GETTERS[:-1] + (1,), KINDS), (good, (type(Span(file="a", line=1)).__dict__["file"],) + GETTERS[1:], KINDS),
                 (good, ("code",) * 65, (0,) * 65)):
        with pytest.raises(TypeError):
            table(*args)
    with pytest.raises(AttributeError):  # by name: the object's own error
        table([object()], NAMES, KINDS)
    for args in ((Diagnostic, NAMES, KINDS, []), (Diagnostic, NAMES, KINDS, [], [], 1), (1, NAMES, KINDS, [], []),
                 (Diagnostic, NAMES[:-1], KINDS, [], []), (Diagnostic, list(NAMES), KINDS, [], []),
                 (Diagnostic, NAMES[:-1] + (1,), KINDS, [], []), (Diagnostic, NAMES[:-1] + ("code",), KINDS, [], []),
                 (Diagnostic, NAMES, KINDS[:-1] + (-1,), [], [])):
        with pytest.raises(TypeError):
            untable(*args)
    with pytest.raises(TypeError):  # a row the class refuses: its own error
        untable(Diagnostic, NAMES[:-1] + ("more",), KINDS, ["warning"], [0, 0, 0, 0, 0, 0, 0, 0])


def test_table_and_untable_leak_nothing(tables):
    table, untable = tables
    diags = [diag("AGC301", Span(file="é.md", line=3, col=4), "m 😀", hint="h"), diag("AGC001", Span(file="b.md", line=1), "e", excerpt="x")]
    strings, rows = table(diags, GETTERS, KINDS)
    bad = [*rows[:-1], 99]

    def refused():
        try:
            untable(Diagnostic, NAMES, KINDS, strings, bad)
        except ValueError:
            pass
        try:
            table([*diags, dataclasses.replace(diags[0], severity="fatal")], GETTERS, KINDS)
        except ValueError:
            pass

    assert_no_leak(lambda: (table(diags, GETTERS, KINDS), untable(Diagnostic, NAMES, KINDS, strings, rows), refused()))


# -- unsettled: which recorded files a build must look at closely (cache._unsettled_py in C) --------

@pytest.fixture(scope="module")
def unsettled():
    """The C `unsettled`, even in a pure-Python run."""
    return native_or_skip(lambda: native.load("_codec", "unsettled", package="agentc"), "_codec").unsettled


def test_the_cache_uses_the_native_unsettled_when_built():
    from agentc import cache

    module = native_in_use("agentc._codec")
    assert cache._UNSETTLED is (None if module is None else module.unsettled)


# Odd names: non-ASCII, an emoji, the letters whose case folds oddly, CRLF, an undecodable byte
# (os.fsdecode's surrogate escape), a long name.
_NAMES = ["a.md", "é.md", "😀.md", "İı.md", "ſ\u212a.md", "a\r\nb.md", os.fsdecode(b"\xff.md"), "x" * 200 + ".md"]


@pytest.fixture
def files(tmp_path):
    """Files with odd names, and their entries as a record keeps them: [path, stat, digest]."""
    from agentc.cache import stat_of

    made = []
    for k, name in enumerate(_NAMES):
        path = tmp_path / name
        path.write_bytes(b"x" * k)
        made.append([os.fspath(path), stat_of(path), "digest"])
    return made


def _odd_entries(entries: list, racy: int) -> list:
    """Each entry as it is, and altered in every way the test looks at."""
    path, stat, digest = entries[0]
    return [*entries,
            [path + ".gone", stat, digest], [path, [stat[0] + 1, *stat[1:]], digest], [path, [*stat[:3], stat[3] + 1], digest],
            [path, [stat[0], stat[1] - 1, *stat[2:]], digest], [path, [stat[0], stat[1], stat[2] + 1, stat[3]], digest],
            [path, [float(stat[0]), *stat[1:]], digest], [path, [True, *stat[1:]], digest], [path, tuple(stat), digest],
            [path, stat[:3], digest], [path, [*stat, 0], digest], [path, [*stat[:3], -1], digest],
            [path, [*stat[:3], 1 << 70], digest], [path, [1 << 70, *stat[1:]], digest], (path, stat, digest),
            [path, stat], [path, stat, digest, None], [path + "\0", stat, digest], [os.fsencode(path), stat, digest],
            [type("Path", (str,), {})(path), stat, digest], [None, stat, digest], None, "entry", []]


@pytest.mark.parametrize("late", [False, True])
def test_odd_entries_are_found_as_python_finds_them(unsettled, files, late):
    from agentc import cache

    entries = _odd_entries(files, cache.RACY_NS)
    recorded = max(e[1][1] for e in files) + (cache.RACY_NS // 2 if late else 10 * cache.RACY_NS)
    want = cache._unsettled_py(entries, recorded)
    assert unsettled(entries, recorded, cache.RACY_NS) == want
    # The files as recorded are settled unless too recent; every altered entry is unsettled.
    recent = [i for i, e in enumerate(files) if recorded - e[1][1] <= cache.RACY_NS]
    assert want == recent + list(range(len(files), len(entries)))
    assert bool(recent) == late  # the newest file is recent when the record was made RACY_NS / 2 after it
    for recorded_ns, racy in ((1 << 70, cache.RACY_NS), (recorded, 1 << 70), (-(1 << 70), 0)):
        assert unsettled(entries, recorded_ns, racy) == list(range(len(entries)))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 7), st.integers(-2, 2), st.integers(0, 3)), max_size=12), st.integers(-3, 3))
def test_hypothesis_entries_are_found_as_python_finds_them(unsettled, tmp_path_factory, picks, shift):
    from agentc import cache
    from agentc.cache import stat_of

    folder = tmp_path_factory.mktemp("unsettled")
    entries = []
    for name, nudge, field in picks:
        path = folder / _NAMES[name]
        if not path.exists():
            path.write_bytes(b"x" * name)
        stat = stat_of(path)
        stat[field] += nudge
        entries.append([os.fspath(path), stat, None])
    recorded = time.time_ns() + shift * cache.RACY_NS
    assert unsettled(entries, recorded, cache.RACY_NS) == cache._unsettled_py(entries, recorded)


def test_unchanged_and_the_sources_of_a_rebuild_take_the_unsettled_ones(files, monkeypatch):
    """`unchanged` and `refreshed` answer as before whichever way `unsettled` runs."""
    from agentc import cache

    recorded = max(e[1][1] for e in files) + 10 * cache.RACY_NS
    gone = [*files, [files[0][0] + ".gone", files[0][1], "digest"]]
    for c_or_python in (cache._UNSETTLED, None):
        monkeypatch.setattr(cache, "_UNSETTLED", c_or_python)
        assert cache.unchanged(files, recorded)
        assert not cache.unchanged(gone, recorded)
        assert cache.refreshed(files, recorded) == (files, [])
        assert cache.refreshed(gone, recorded) is None


def test_unsettled_bad_arguments_and_no_leak(unsettled, files):
    for args in ((), (files,), (files, 1), (tuple(files), 1, 1), (files, 1.0, 1), (files, 1, "1"), (files, 1, 1, 1)):
        with pytest.raises(TypeError):
            unsettled(*args)
    entries = _odd_entries(files, 0)
    recorded = time.time_ns()
    assert_no_leak(lambda: unsettled(entries, recorded, 1))
    assert_no_leak(lambda: unsettled(entries, 1 << 70, 1))
