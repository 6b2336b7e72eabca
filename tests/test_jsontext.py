"""targets/_shared/jsontext.py writes exactly what `json.dumps(indent=2)` writes (speed, issue 12)."""

from __future__ import annotations

import json
import sys

import pytest
from conftest import ROOT, SHARED, assert_no_leak, md_files, native_in_use, native_or_skip
from hypothesis import given, settings
from hypothesis import strategies as st

from agentc.targets._shared import jsontext

scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text()
keys = st.text() | st.integers() | st.none()  # non-string keys go to json.dumps itself
data = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.tuples(inner, inner)
                    | st.dictionaries(keys, inner, max_size=4), max_leaves=30)


@settings(max_examples=400, deadline=None)
@given(data, st.booleans())
def test_same_text_as_json_dumps(value, ascii_only):
    assert jsontext.dumps(value, ensure_ascii=ascii_only) == json.dumps(value, indent=2, ensure_ascii=ascii_only)


def test_a_real_assistant_body():
    body = {"model": "gpt-5", "name": "a", "instructions": "Say \"hi\" \\ é \u2028\n", "metadata": {},
            "tools": [{"type": "function", "function": {"name": "f", "parameters": {"required": ["task"], "strict": True}}}]}
    assert jsontext.dumps(body, ensure_ascii=False) == json.dumps(body, indent=2, ensure_ascii=False)


def test_plain_data_never_falls_back_to_json_dumps(monkeypatch):
    """Floats (prices, timeouts in team.json) included: the fallback is the slow pure-Python encoder."""
    data = {"settings": {"timeout_s": 120.0, "prices": [0.25, 2], "odd": [float("nan"), float("inf"), -float("inf")]},
            "agents": [{"name": "a", "ok": True, "none": None}]}
    expected = json.dumps(data, indent=2)
    monkeypatch.setattr(jsontext.json, "dumps", None)
    assert jsontext.dumps(data) == expected


# Characters the long-string path must treat as the C encoder does: the escaped ones, the other
# controls (which send it back to the C encoder), DEL and C1 (kept raw), lone surrogates, emoji.
KEPT = "a é\t\n\x7f\x80\x85\u2028\ufeff\ud800\udfff😀\"\\/"  # the UTF-8 path writes these itself
HOSTILE = KEPT + "\r\b\f\x00\x1f"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=KEPT, min_size=1, max_size=40) | st.text(alphabet=HOSTILE, min_size=1, max_size=40),
       st.integers(1, 3000), st.booleans())
def test_long_strings_as_json_dumps(piece, times, crlf):
    """Strings past jsontext._LONG take the UTF-8 path: the same text as json.dumps, any content."""
    text = (piece * (jsontext._LONG // len(piece) + times))
    text = text.replace("\n", "\r\n") if crlf else text
    assert len(text) >= jsontext._LONG
    for value in (text, {"instructions": text}, [text, "short"]):
        assert jsontext.dumps(value, ensure_ascii=False) == json.dumps(value, indent=2, ensure_ascii=False)


def test_long_edge_cases():
    for text in ("", "x" * (jsontext._LONG - 1), "x" * jsontext._LONG, "😀" * 5000, "line\n" * 20000,
                 "\\\"" * 3000, "é" * 2000 + "\r", "\ud800" * 2000, "a\tb " * 1000 + "\x7f"):
        assert jsontext._encode(text) == json.encoder.encode_basestring(text)
        assert jsontext.dumps({"k": text}, ensure_ascii=False) == json.dumps({"k": text}, indent=2, ensure_ascii=False)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=HOSTILE, min_size=1, max_size=40), st.integers(0, 3000))
def test_string_utf8_is_the_c_encoder_as_utf8(piece, times):
    """string_utf8 (openai's instructions, spliced as UTF-8) is encode_basestring's text as
    UTF-8 when it gives one: a long valid text with no control but tab and newline."""
    text = piece * (times + 1)
    data = jsontext.string_utf8(text)
    plain = not any(c in text for c in "\r\b\f\x00\x1f\ud800\udfff")
    assert (data is not None) == (len(text) >= jsontext._LONG and plain)
    if data is not None:
        assert data == json.encoder.encode_basestring(text).encode("utf-8")


def test_string_utf8_edge_cases():
    for text in ("", "x" * (jsontext._LONG - 1), "x" * jsontext._LONG, "😀" * 5000, "line\r\n" * 300, "\\\"" * 3000):
        data = jsontext.string_utf8(text)
        assert data is None or data == json.encoder.encode_basestring(text).encode("utf-8")


def _outcome(load, content):
    """What `load(content)` gives: ("ok", repr of the data) or ("error", the exception's type and message)."""
    try:
        return "ok", repr(load(content))
    except Exception as exc:  # noqa: BLE001  the comparison is the point
        return "error", f"{type(exc).__name__}: {exc}"


ODD_JSON = ["", " ", "{}", "[]", '{"a": 1, "a": 2}', '{"a": NaN, "b": Infinity, "c": -Infinity}', '"\\ud800"',
            '{"a": "\\udc00 x"}', '"\\ud83d\\ude00"', '"😀 → é"', '{"a": "\x01"}', "\ufeff{}", '{"a": 1,}', "[1,]", "01", "[.5]",
            '{"a": 1} x', '{"a":\r\n 1}\r\n', "1e400", "-0", "123456789012345678901234567890", "[1E+2, 1.5e-400, 0.1]",
            '"' + "x" * 300_000 + '"', "[" * 300 + "]" * 300, "[" * 5000 + "]" * 5000, '{"a": "b\\/c\\u00e9"}', "'a'", "nul"]


def test_loads_is_json_loads(monkeypatch):
    """jsontext.loads gives json.loads's data or json.loads's error, with pydantic-core's parser
    loaded or not, for str and Chunks: odd texts (lone surrogates, which only json takes; a BOM,
    NaN, duplicate keys, deep nesting, CRLF, emoji, a huge string) and real assistant bodies."""
    from agentc import codec  # loads pydantic-core's compiled module, as a build's cache does
    from agentc.targets import Chunks

    assert codec.from_json is sys.modules[jsontext._CORE].from_json
    bodies = [jsontext.dumps({"instructions": "line\n" * 2000 + "é → 😀 \"q\" \\", "n": [1, 2.5, None, True]}, ensure_ascii=False)]
    for loaded in (True, False):
        if not loaded:
            monkeypatch.delitem(sys.modules, jsontext._CORE)
        for text in ODD_JSON + bodies:
            expected = _outcome(json.loads, text)
            assert _outcome(jsontext.loads, text) == expected, text[:50]
            if "\ud800" not in text:  # a lone surrogate has no UTF-8
                data = text.encode("utf-8")
                assert _outcome(jsontext.loads, Chunks((data,))) == expected, text[:50]
                assert _outcome(jsontext.loads, Chunks((data[:3], data[3:]))) == expected, text[:50]


@settings(max_examples=400, deadline=None)
@given(data)
def test_loads_reads_back_what_dumps_wrote(value):
    from agentc import codec  # noqa: F401  pydantic-core's parser loaded

    text = json.dumps(value, ensure_ascii=False)
    assert _outcome(jsontext.loads, text) == _outcome(json.loads, text)


def test_loads_uses_the_loaded_parser(monkeypatch):
    """The point of `loads`: pydantic-core's parser when it is loaded, json only for what it refuses."""
    seen = []

    class Core:
        @staticmethod
        def from_json(content):
            seen.append(content)
            return json.loads(content)

    monkeypatch.setitem(sys.modules, jsontext._CORE, Core)
    assert jsontext.loads('{"a": 1}') == {"a": 1} and seen == ['{"a": 1}']


def test_loads_loads_the_faster_parser_once_json_has_read_enough():
    """A process that has not loaded pydantic-core's parser (a small build, or one whose cache
    never needed it) reads through json until json has read `_WORTH` characters, then loads the
    parser and reads through it. A subprocess: this one has the parser loaded already."""
    import subprocess

    code = ("import sys; from agentc.targets._shared import jsontext as j; t = '[\"' + 'x' * 100_000 + '\"]';"
            "seen = [j.loads(t) == ['x' * 100_000] and j._CORE in sys.modules for _ in range(j._WORTH // len(t) + 3)];"
            "print(seen.index(True), -(-j._WORTH // len(t)), seen[seen.index(True):] == [True] * (len(seen) - seen.index(True)))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    first, reads_through_json, stays = done.stdout.split()
    # loaded by the first read after json has read _WORTH (0-based: that many reads before it), and kept
    assert first == reads_through_json and stays == "True"


# The C twin (targets/_shared/_text.c's json_indent) against json.dumps and dumps_py.
odd_text = st.text(alphabet=st.sampled_from(list("ab \"\\/\n\r\t\b\f\x00\x1f\x7f\x80éß€\u2028\ufeff😀\ud800\udc00\U0010ffff")), max_size=30)
odd_scalars = scalars | odd_text | st.integers(-(2**80), 2**80) | st.floats(allow_nan=True, allow_infinity=True)
odd_data = st.recursive(odd_scalars, lambda inner: st.lists(inner, max_size=4) | st.tuples(inner, inner)
                        | st.dictionaries(odd_text, inner, max_size=4), max_leaves=40)


@pytest.fixture(scope="module")
def native():
    """The C `json_indent`, even when this run encodes in pure Python."""
    return native_or_skip(jsontext._native, "_text")


@settings(max_examples=1500, deadline=None)
@given(odd_data, st.booleans())
def test_native_writes_what_json_dumps_writes(native, value, ascii_only):
    """Plain data (str keys, exact types, shallow) is the C's own: never left to Python."""
    assert native(value, ascii_only) == json.dumps(value, indent=2, ensure_ascii=ascii_only)


@pytest.mark.parametrize("text", ["", "é" * 5000, "😀" * 3000 + "\ud83d", "a\r\nb\r\n" * 2000, "x" * 200_000, "\x00\x7f\x80\u2028",
                                  "line\n" * 10_000 + "\t\"quoted\" \\ back"])
def test_native_odd_strings(native, text):
    for value in (text, {text: [text, {"k": text}]}):
        for ascii_only in (True, False):
            assert native(value, ascii_only) == json.dumps(value, indent=2, ensure_ascii=ascii_only)


class _Str(str):
    pass


def test_native_leaves_the_unusual_to_python(native):
    """None where dumps_py decides (json.dumps' own handling or error): other types, non-str keys,
    subclasses, deep or circular nesting, an int too long for repr."""
    deep: list = []
    inner = deep
    for _ in range(100):
        inner.append([])
        inner = inner[0]
    circular: dict = {}
    circular["self"] = circular
    huge = 10 ** 5000
    for value in ({1: 2}, {"a": {None: 1}}, [object()], b"x", _Str("x"), {_Str("k"): 1}, [1, (2, {"x": set()})], deep, circular, [huge]):
        assert native(value, True) is None and native(value, False) is None
    assert jsontext.dumps(deep) == json.dumps(deep, indent=2)
    assert jsontext.dumps({1: [_Str("x")]}) == json.dumps({1: [_Str("x")]}, indent=2)
    with pytest.raises(ValueError):
        jsontext.dumps([huge])
    with pytest.raises(TypeError):
        native({})
    with pytest.raises(TypeError):
        native({}, True, False)


def test_native_is_used_when_built():
    module = native_in_use("agentc.targets._shared._text")
    assert jsontext._native_dumps is (module.json_indent if module else None)


def test_native_leaks_nothing(native):
    body = {"model": "gpt-5", "name": "é😀", "n": [1, 2.5, None, True, float("nan")], "tools": [{"a": "\n\"x\"" * 40}] * 3}
    assert_no_leak(lambda: native(body, False))
    assert_no_leak(lambda: native(body, True))
    assert_no_leak(lambda: native({"a": [1, {"b": 2, 3: 4}]}, True))  # left to Python halfway
    assert_no_leak(lambda: native([10 ** 5000], True))  # an error on the way


# The C twin of string_utf8 (targets/_shared/_text.c's json_utf8) against string_utf8_py.

@pytest.fixture(scope="module")
def quoted():
    """The C `json_utf8`, even when this run encodes in pure Python."""
    return native_or_skip(jsontext._native_string_utf8, "_text")


def _string_reference(text: str) -> bytes | None:
    """What json_utf8 gives for a text of any length: string_utf8_py's bytes, without its length floor."""
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:
        return None
    return jsontext._string_utf8(data)


ODD_STRINGS = ["", "x", "\"", "\\", "\n", "\t", "\r", "\x00", "\x1f", "\x7f", "\x80", "ÿ", "é→😀", "\ud800", "a\udfffb",
               "\U0010ffff", "line\r\n" * 300, "\\\"" * 3000, "x" * 200_000 + "\"", "→" * 50_000 + "\x01", "😀" * 30_000 + "\t",
               "a\tb \"q\" \\ / é\n" * 2000]


def test_json_utf8_is_string_utf8_py(quoted):
    """Every code point alone and after runs of each length (the C scans 16, 8 or 4 units at a
    time by str width), odd and long texts, the repository's prompts: string_utf8_py's bytes."""
    from agentc.compiler.source import text_of

    for i in [*range(0x300), *range(0x7F0, 0x810), *range(0xD7F0, 0xE010), *range(0xFFF0, 0x10010), 0x10FFFF]:
        ch = chr(i)
        for text in (ch, "abcdefghijklmnopqrs" + ch, "→" + ch + "x", "😀 " + ch):
            assert quoted(text) == _string_reference(text), hex(i)
    for width in ("", "é", "→", "😀"):
        for at in range(34):
            for ch in ("\"", "\n", "é", "\x01"):
                text = width + "a" * at + ch + "b" * 5
                assert quoted(text) == _string_reference(text), repr(text)
    for text in ODD_STRINGS:
        assert quoted(text) == _string_reference(text), repr(text[:40])
        assert jsontext.string_utf8(text) == jsontext.string_utf8_py(text), repr(text[:40])
    for path in md_files(ROOT / "agents", ROOT / "golden", SHARED / "corpus"):
        text = text_of(path.read_bytes())
        assert jsontext.string_utf8(text) == jsontext.string_utf8_py(text), path


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=HOSTILE, max_size=60), st.integers(0, 200))
def test_json_utf8_of_generated_texts(quoted, piece, times):
    text = piece * (times + 1)
    assert quoted(text) == _string_reference(text)
    assert jsontext.string_utf8(text) == jsontext.string_utf8_py(text)


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=80))
def test_json_utf8_of_any_text(quoted, text):
    assert quoted(text) == _string_reference(text)


def test_json_utf8_is_used_when_built_and_leaks_nothing(quoted):
    module = native_in_use("agentc.targets._shared._text")
    assert jsontext._native_string is (module.json_utf8 if module else None)
    for bad in (b"x", None, 1):
        with pytest.raises(TypeError):
            quoted(bad)

    def calls():
        for text in ("prompt → 😀 \"q\" \\\n\t" * 40, "plain" * 300, "é" * 300, "x\x01", "x\ud800"):
            quoted(text)

    assert_no_leak(calls)
