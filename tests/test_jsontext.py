"""targets/_shared/jsontext.py writes exactly what `json.dumps(indent=2)` writes (speed, issue 12)."""

from __future__ import annotations

import json
import sys

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
