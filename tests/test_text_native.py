"""The C twins of agentc.targets._shared._text against the Python they stand in for.

`literal_block`, crewai's YAML literal block, against yamltext._literal_py: the same bytes or None for every prompt of the
repository and the shared corpus, odd texts (empty, no line break, CRLF, blank lines, tabs,
trailing blanks, emoji, every unsafe character and its neighbours in UTF-8, a huge line) and
hypothesis-made texts of the characters that could tell them apart, under several indents.
`literal_unsafe` against chars.literal_unsafe_py: every code point alone and inside texts of each
str width, runs of quotes, the same prompts, hypothesis texts. `utf8` (agentc.targets.encode) against str.encode:
every code point in texts of each width, a non-ASCII character at every offset of an ASCII run,
prompts, odd and hypothesis texts. Also: each is used when built (and must be, where CI says so
with AGENTC_REQUIRE_NATIVE=1), bad arguments are TypeErrors, and it leaks no memory."""

from __future__ import annotations

import os

import pytest
import yaml
from conftest import ROOT, SHARED, assert_no_leak, md_files, native_in_use, native_or_skip
from hypothesis import given, settings
from hypothesis import strategies as st

from agentc.compiler.source import text_of
from agentc.targets._shared import chars
from agentc.targets.crewai import yamltext

INDENTS = ("    ", "  ", "", "\t", "é ")


@pytest.fixture(scope="module")
def native():
    """The C `literal_block`, even when this run writes YAML in pure Python."""
    return native_or_skip(yamltext._native, "_text")


@pytest.fixture(scope="module")
def unsafe():
    """The C `literal_unsafe`, even when this run checks in pure Python."""
    return native_or_skip(chars._native, "_text")


def _both(native, text: str) -> None:
    data = text.encode("utf-8", "surrogatepass")
    for indent in INDENTS:
        assert native(data, indent.encode("utf-8")) == yamltext._literal_py(text, indent), (text[:200], indent)


def test_yamltext_uses_the_native_block_when_built():
    _text = native_in_use("agentc.targets._shared._text")
    pure = _text is None
    assert yamltext._native_block is (None if pure else _text.literal_block)
    assert chars.literal_unsafe is (chars.literal_unsafe_py if pure else _text.literal_unsafe)


def test_repository_prompts_are_the_same(native):
    files = md_files(ROOT / "agents", ROOT / "golden", ROOT / "tests" / "fixtures")
    assert len(files) > 20
    for path in files:
        text = text_of(path.read_bytes())
        _both(native, text)
        _both(native, text.strip("\n") + "\n")  # as team.prompt_text makes it


def test_shared_corpus_prompts_are_the_same(native):
    files = md_files(SHARED / "corpus")
    if not files:
        pytest.skip("no ../shared/corpus beside the repository")
    for path in files:
        text = text_of(path.read_bytes())
        _both(native, text)
        _both(native, text.strip("\n") + "\n")


ODD = ("", "\n", "\n\n", "a", "a\n", "a\n\n", "a\n\n\n", " a\nb", "\ta\nb", "a\nb", "a\n\nb\n\n\nc\n", "a \nb", "a\t\nb",
       "a\n\tb", "a\nb ", "a\nb\t", "a\n \nb", "a\n\t\nb", "a\r\nb\r\n", "a\rb\n", "→ 😀\n\n\n", "😀\n한\n",
       "a\n    b\n", "- [ ] x\n  - y\n", "l" * 300_000 + "\nend", ("abc\n" * 20_000) + "x ", "é" * 9 + "\n" + "\u2027\n")
# Every character the block refuses (yamltext._UNSAFE) and those that share its first UTF-8 bytes.
UNSAFE_AND_NEIGHBOURS = ([chr(i) for i in range(0x20)] + [chr(i) for i in range(0x7E, 0xA1)]
                         + ["\u2027", "\u2028", "\u2029", "\u202a", "\u2192", "\ud7ff", "\ud800", "\udbff", "\udc00",
                            "\udfff", "\ue000", "\ufefe", "\ufeff", "\uff00", "\ufffd", "\ufffe", "\uffff", "\U00010000",
                            "\U0001f600", "\U0010ffff"])


def test_odd_texts_are_the_same(native):
    for text in ODD:
        _both(native, text)
    for ch in UNSAFE_AND_NEIGHBOURS:
        for shape in ("a{}\nb\n", "{}\nb", "a\n{}", "abcdefgh{}ijklmnopq\nr\n", "abcdefghijklmno\n{}", "a\n{}{}\n"):
            _both(native, shape.format(ch, ch))


PIECES = ["a", "b", " ", "\t", "\n", "\n\n", "\r", "\r\n", "é", "→", "😀", "\x85", "\u2028", "\ufeff", "\ufffe", "\x00",
          "\x7f", "\ud800", "x" * 9, "- item", "  ", "'"]


@settings(max_examples=int(os.environ.get("AGENTC_FUZZ_EXAMPLES", "400")), deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=40).map("".join))
def test_generated_texts_are_the_same(native, text):
    _both(native, text)


@settings(max_examples=int(os.environ.get("AGENTC_FUZZ_EXAMPLES", "400")), deadline=None)
@given(st.text(max_size=60))
def test_any_text_is_the_same(native, text):
    _both(native, text)


def test_bad_arguments_are_type_errors(native):
    for args in (("a\nb", b"  "), (b"a\nb", "  "), (b"a\nb",), (b"a\nb", b"  ", b""), (bytearray(b"a\nb"), b"  ")):
        with pytest.raises(TypeError):
            native(*args)


def test_no_memory_is_leaked(native):
    text = ("Some prose → with a list\n\n- one\n- two\n\n\n" * 8).encode("utf-8")

    def calls():
        assert native(text, b"    ") is not None
        assert native(text + b" ", b"    ") is None
        assert native(b"a\x00\nb", b"    ") is None
        with pytest.raises(TypeError):
            native(text, "    ")

    assert_no_leak(calls)


def test_literal_unsafe_is_the_same_on_every_code_point(unsafe):
    for i in range(0x110000):
        ch = chr(i)
        expected = chars.literal_unsafe_py(ch)
        # alone, and inside a Latin-1, a 2-byte and a 4-byte str (the three widths the C reads)
        for text in (ch, f"ab{ch}c" * 3, f"→{ch}x", f"😀 {ch}"):
            assert unsafe(text) == chars.literal_unsafe_py(text) == (expected or False), hex(i)


TRIPLE = "'" * 3
# Runs of quotes of each length at the start, the end and the middle of texts of each str width.
QUOTED = [w + q + x for w in ("", "a", "→", "😀", "a" * 40) for q in ("'", "''", TRIPLE, "''''", "'a''", "''\n'")
          for x in ("", "b", "é", "Ω", "😀" * 3, "b" * 33)]


def test_literal_unsafe_is_the_same_on_prompts_and_odd_texts(unsafe):
    files = md_files(ROOT / "agents", ROOT / "golden", ROOT / "tests" / "fixtures", SHARED / "corpus")
    assert len(files) > 20
    for path in files:
        text = text_of(path.read_bytes())
        assert unsafe(text) == chars.literal_unsafe_py(text), path
        assert unsafe(text + TRIPLE) and unsafe(TRIPLE + text) and unsafe(text[:1000] + TRIPLE + text[1000:])
    for text in (*ODD, *QUOTED, "", "\x00", "a" * 100_000 + "\x7f", "→" * 100_000 + "\x1f", "😀" * 50_000 + "\x01",
                 "\ud800\x0b", "a" * 100_000 + TRIPLE, "→'" * 50_000 + "'", "İıſ\u212a'" * 1000 + "''\r\n"):
        assert unsafe(text) == chars.literal_unsafe_py(text), text[:40]
    assert sum(map(unsafe, QUOTED)) == sum(map(chars.literal_unsafe_py, QUOTED)) > 0  # both answers occur


@settings(max_examples=int(os.environ.get("AGENTC_FUZZ_EXAMPLES", "400")), deadline=None)
@given(st.lists(st.sampled_from([*PIECES, "''", TRIPLE, "İ", "ı", "ſ", "\u212a"]), max_size=40).map("".join))
def test_literal_unsafe_on_generated_texts_is_the_same(unsafe, text):
    assert unsafe(text) == chars.literal_unsafe_py(text)


def test_literal_unsafe_bad_arguments_and_no_leak(unsafe):
    for bad in (b"a", None, 1):
        with pytest.raises(TypeError):
            unsafe(bad)
    text = "prompt → 😀 ''\n" * 50

    def calls():
        assert unsafe(text) is False and unsafe(text + "\x00") is True and unsafe(text[:-1] + "'") is True
        with pytest.raises(TypeError):
            unsafe(b"x")

    assert_no_leak(calls)


# --- read_entry: a piece of crewai's agents.yaml read back as PyYAML's safe loaders read it ---

LOADERS = tuple(dict.fromkeys((yaml.SafeLoader, getattr(yaml, "CSafeLoader", yaml.SafeLoader))))


@pytest.fixture(scope="module")
def reader():
    """The C `read_entry`, even when this run reads YAML in pure Python."""
    return native_or_skip(yamltext._native_reader, "_text")


def _piece(fields: dict, key: str = "agent_x") -> bytes:
    """One piece of agents.yaml as yamltext.entries writes it (the first piece is the header)."""
    return list(yamltext.entries([(key, fields)], "header"))[1]


def _agrees(reader, piece: bytes, loaders=LOADERS) -> object:
    """read_entry(piece) is None (libyaml decides) or what the loaders read; returns it."""
    got = reader(piece)
    if got is not None:
        for loader in loaders:
            read = yaml.load(piece, Loader=loader)
            assert read == got, (loader, piece[:300])
            assert [type(v) for v in read[next(iter(got))].values()] == [type(v) for v in got[next(iter(got))].values()]
    return got


def _fields(text: str) -> dict:
    """The fields of a real crew agent, the prompt as the goal and the backstory."""
    return {"role": "agent-x", "goal": text.split("\n")[0] or "goal", "backstory": text, "allow_delegation": True,
            "max_retry_limit": 2, "max_execution_time": 600, "max_rpm": None, "verbose": False, "retries": -3}


def test_read_entry_reads_every_prompt_as_yaml_does(reader):
    """The repository's prompts against both loaders, the shared corpus's against libyaml (the
    pure-Python loader would take ~20 s over it)."""
    files = md_files(ROOT / "agents", ROOT / "golden", ROOT / "tests" / "fixtures")
    corpus = md_files(SHARED / "corpus")
    assert len(files) > 20
    read = 0
    for path in files + corpus:
        text = text_of(path.read_bytes())
        for prompt in (text, text.strip("\n") + "\n", text.strip("\n") + "\n\n"):
            got = _agrees(reader, _piece(_fields(prompt)), LOADERS if path in files else LOADERS[-1:])
            read += got is not None
    assert read > len(files)  # the fast way is the common way


def test_read_entry_odd_texts_and_shapes(reader):
    for text in (*ODD, *("a{}\nb\n".format(ch) for ch in UNSAFE_AND_NEIGHBOURS),
                 *("{}".format(ch) for ch in UNSAFE_AND_NEIGHBOURS), "a\n" * 3 + "\n\n", "\"q\" \\ / \\n", "x: y\n- z\n"):
        _agrees(reader, _piece(_fields(text)))
    assert reader(_piece({"role": "r", "goal": "a\nb\n\n"})) == {"agent_x": {"role": "r", "goal": "a\nb\n\n"}}
    escapes = b'agent:\n  q: "a\\/b \\" \\\\ \\n \\t \\r"\n  k: -0\n  m: 123456789012345678\n  z: null\n'
    assert _agrees(reader, escapes) == {"agent": {"q": 'a/b " \\ \n \t \r', "k": 0, "m": 123456789012345678, "z": None}}
    # Outside the shape entries writes, valid or not: None, and libyaml reads it.
    for piece in (b"", b"\n", b"# header\n", b"agent:\n", b"agent: 1\n", b"yes:\n  role: r\n", b"agent:\n  on: r\n",
                  b"agent:\n  role: r\n", b"agent:\n  role: 'r'\n", b"agent:\n  role: \"r\" # c\n", b"agent:\n  role: \"r\"",
                  b"agent:\n  n: 1.5\n", b"agent:\n  n: 010\n", b"agent:\n  n: 0x10\n", b"agent:\n  b: |2\n    x\n",
                  b"agent:\n  b: |\n     x\n", b"agent:\n  b: |\n    x \n", b"agent:\n  b: |\n    x\n   y\n",
                  b"agent:\n  b: |\n    \tx\n", b"agent:\n  b: |\n    x\r\n", b"agent:\n  b: |\n    x", b"a:\n  b: \"\\u0041\"\n",
                  b"agent:\n  role: \"r\"\nother:\n  role: \"s\"\n", b"agent:\n   role: \"r\"\n", b"\xef\xbb\xbfagent:\n  r: 1\n",
                  b"agent:\n  b: |\n    \xff\n", b"agent:\n  q: \"\xc3\"\n", ("a" * 200 + ":\n  r: 1\n").encode()):
        assert reader(piece) is None, piece


def test_read_entry_of_broken_pieces_never_disagrees(reader):
    """Every one-byte change of a piece: read_entry gives None, or what YAML reads (never a
    piece YAML refuses, never a different value)."""
    piece = _piece(_fields("Lead → line\n\n  - item: {x}\n    more \"q\" \\ é 😀\n\ncode:\n\n\n"))
    assert reader(piece) is not None
    for i in range(len(piece) + 1):
        for change in (b"", b" ", b"\t", b"\n", b"\r", b"#", b":", b'"', b"\\", b"|", b"-", b"+", b"'", b"\x85", b"\xc2"):
            for broken in (piece[:i] + change + piece[i:], piece[:i] + change + piece[i + 1:]):
                try:
                    _agrees(reader, broken)
                except yaml.YAMLError:
                    raise AssertionError(broken) from None


@settings(max_examples=int(os.environ.get("AGENTC_FUZZ_EXAMPLES", "400")), deadline=None)
@given(st.dictionaries(st.sampled_from(["role", "goal", "backstory", "on", "x1", "_k"]),
                       st.one_of(st.lists(st.sampled_from(PIECES + ["\\", '"', "#", ": ", "|", "{y}"]), max_size=30).map("".join),
                                 st.text(max_size=40), st.integers(), st.booleans(), st.none()), min_size=1))
def test_read_entry_of_generated_pieces_is_what_yaml_reads(reader, fields):
    piece = _piece(fields)
    got = _agrees(reader, piece)
    assert got is None or got == {"agent_x": fields}


def test_read_entry_bad_arguments_and_no_leak(reader):
    for bad in ("agent:\n  r: 1\n", None, bytearray(b"a:\n  r: 1\n")):
        with pytest.raises(TypeError):
            reader(bad)
    piece = _piece(_fields("Prompt → with {x}\n\n- a\n- b\n" * 20))

    def calls():
        assert reader(piece) is not None
        assert reader(piece[:-1]) is None and reader(piece + b"oops: [\n") is None
        assert reader(piece.replace(b"\xe2\x86\x92", b"\xe2\x86")) is None

    assert_no_leak(calls)


def test_crewai_validate_reads_pieces_in_c_when_built():
    _text = native_in_use("agentc.targets._shared._text")
    assert yamltext.read_entry is (None if _text is None else _text.read_entry)


# --- utf8: str.encode("utf-8"), or None for a str with a surrogate ---

@pytest.fixture(scope="module")
def encoder():
    """The C `utf8`, even when this run encodes in pure Python."""
    import agentc.targets as targets

    return native_or_skip(targets._native_utf8, "_text")


def _encodes(encoder, text: str) -> None:
    try:
        expected = text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: None, and the caller's own encode decides
        expected = None
    assert encoder(text) == expected, text[:80]


def test_targets_encode_with_the_native_utf8_when_built():
    import agentc.targets as targets

    _text = native_in_use("agentc.targets._shared._text")
    assert targets._utf8 is (None if _text is None else _text.utf8)


def test_utf8_is_the_same_on_every_code_point(encoder):
    # Alone and at every offset of an ASCII run (the C copies sixteen, eight or four units at a
    # time), in a Latin-1, a 2-byte and a 4-byte str.
    for i in range(0x110000):
        ch = chr(i)
        for text in (ch, f"abcdefghijklmnopq{ch}", f"→{ch}x", f"😀 {ch}", f"→{'a' * 16}{ch}{'b' * 17}"):
            _encodes(encoder, text)
    for width in ("é", "→", "😀"):
        for at in range(40):
            _encodes(encoder, "a" * at + width + "b" * (39 - at))
            _encodes(encoder, "→" + "a" * at + width + "b" * (39 - at))
            _encodes(encoder, "a" * at + width + "\ud800" + "b" * 3)


def test_utf8_is_the_same_on_prompts_and_odd_texts(encoder):
    files = md_files(ROOT / "agents", ROOT / "golden", ROOT / "tests" / "fixtures", SHARED / "corpus")
    assert len(files) > 20
    for path in files:
        text = text_of(path.read_bytes())
        _encodes(encoder, text)
        _encodes(encoder, text + "😀")
    for text in (*ODD, *UNSAFE_AND_NEIGHBOURS, "a" * 100_000 + "é", "→" * 100_000, "😀" * 50_000 + "\ud800",
                 "line\r\n" * 1000 + "→", "\x00→\x7f", "ÿ" * 17):
        _encodes(encoder, text)


@settings(max_examples=int(os.environ.get("AGENTC_FUZZ_EXAMPLES", "400")), deadline=None)
@given(st.lists(st.sampled_from(PIECES + ["ÿ", "\u07ff", "\u0800", "\uffff", "\U00010000", "\U0010ffff", "\udfff"]),
                max_size=60).map("".join))
def test_utf8_on_generated_texts_is_the_same(encoder, text):
    _encodes(encoder, text)


@settings(max_examples=int(os.environ.get("AGENTC_FUZZ_EXAMPLES", "400")), deadline=None)
@given(st.text(max_size=80))
def test_utf8_on_any_text_is_the_same(encoder, text):
    _encodes(encoder, text)


def test_encode_raises_as_str_encode_does():
    import agentc.targets as targets

    with pytest.raises(UnicodeEncodeError):
        targets.encode("a → \ud800")
    assert targets.encode("a → \ud800", "surrogatepass") == "a → \ud800".encode("utf-8", "surrogatepass")
    assert targets.encode("→ 😀") == "→ 😀".encode("utf-8")


def test_utf8_bad_arguments_and_no_leak(encoder):
    for bad in (b"a", None, 1, bytearray(b"x")):
        with pytest.raises(TypeError):
            encoder(bad)
    texts = ("prompt → 😀\n" * 50, "plain ascii" * 20, "é" * 300, "→" * 300, "x\ud800")

    def calls():
        for text in texts:
            encoder(text)
        with pytest.raises(TypeError):
            encoder(b"x")

    assert_no_leak(calls)
