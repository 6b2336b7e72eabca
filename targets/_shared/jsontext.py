"""`json.dumps(data, indent=2)` without the pure-Python encoder that `indent` falls back to; and
`loads`, `json.loads` of an emitted file with a faster parser where the build has one.

With an indent, the standard library walks the data in nested Python generators, one call per
token (7 million calls for the 1000 assistant files of one build); this builds the same text
with one call per container and the C string encoder. Anything outside plain JSON data
(non-string keys, subclasses, other types) goes to `json.dumps` itself, so the text is always the same.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from json.encoder import encode_basestring, encode_basestring_ascii
from typing import Any

from agentc.compiler import native
from agentc.targets import FileText, as_text, encode

# pydantic-core's compiled module, as native.pydantic_core loads it (without the package).
_CORE = "pydantic_core._pydantic_core"
# Loading that module costs ~5M instructions (~2 ms) and saves ~55 us per 44 KB assistant: `loads`
# loads it once json.loads has read this much (~25 assistants), so a small build never pays for it.
_WORTH = 1 << 20
_read = 0  # characters json.loads has read in this process, up to _WORTH


def dumps(data: Any, *, ensure_ascii: bool = True) -> str:
    """Exactly `json.dumps(data, indent=2, ensure_ascii=ensure_ascii)`: in C where built
    (targets/_shared/_text.c's json_indent, ~4x faster: the 1000 assistants of a build), else,
    and for whatever the C leaves to Python, `dumps_py`."""
    if _native_dumps is not None:
        text = _native_dumps(data, ensure_ascii)
        if text is not None:
            return text
    return dumps_py(data, ensure_ascii=ensure_ascii)


def dumps_py(data: Any, *, ensure_ascii: bool = True) -> str:
    """`dumps` in Python, the reference of the C twin (tests/test_jsontext.py)."""
    try:
        return _value(data, "\n", encode_basestring_ascii if ensure_ascii else _encode)
    except _Unusual:
        return json.dumps(data, indent=2, ensure_ascii=ensure_ascii)


# Every byte value but the C0 controls other than tab and newline: in UTF-8 such a control is
# that one byte, and every byte of any other non-ASCII character is >= 0x80.
_NOT_ESCAPED = bytes([0x09, 0x0A, *range(0x20, 0x100)])
_LONG = 1024  # below ~1000 characters of prose the C encoder is as fast as the detour


def _encode(text: str) -> str:
    """`encode_basestring(text)` (a JSON string, non-ASCII kept). A long text with no control
    character but tab and newline (a prompt) is escaped as UTF-8 with four `bytes.replace`:
    a 32 KB seed prompt in 55 instead of 150 us, as the C encoder reads it character by
    character. `surrogatepass`: a lone surrogate comes out as the C encoder leaves it."""
    if len(text) < _LONG:
        return encode_basestring(text)
    data = _string_utf8(encode(text, "surrogatepass"))
    return encode_basestring(text) if data is None else data.decode("utf-8", "surrogatepass")


def string_utf8(text: str) -> bytes | None:
    """`encode_basestring(text)` as UTF-8, for a long text (a prompt) that is valid UTF-8 and
    holds no control character but tab and newline; None otherwise (the caller takes the str way).
    In C where built (targets/_shared/_text.c's json_utf8: one pass where `string_utf8_py` makes
    six, a 32 KB seed prompt in ~170k instead of ~660k instructions), else `string_utf8_py`."""
    if len(text) < _LONG:
        return None
    if _native_string is not None:
        return _native_string(text)
    return string_utf8_py(text)


def string_utf8_py(text: str) -> bytes | None:
    """`string_utf8` in Python, the reference of the C twin (tests/test_jsontext.py)."""
    if len(text) < _LONG:
        return None
    try:
        data = encode(text)
    except UnicodeEncodeError:  # a lone surrogate: the str way raises where it raised before
        return None
    return _string_utf8(data)


def _string_utf8(data: bytes) -> bytes | None:
    if data.translate(None, _NOT_ESCAPED):  # \r, \b, \f or another control: written \uXXXX or so
        return None
    return b'"' + data.replace(b"\\", b"\\\\").replace(b'"', b'\\"').replace(b"\n", b"\\n").replace(b"\t", b"\\t") + b'"'


def _native() -> Callable[[Any, bool], str | None] | None:
    """The C `json_indent`, or None: not built, or AGENTC_PURE_PYTHON set."""
    module = native.load("_text", "json_indent", package="agentc.targets._shared")
    return module.json_indent if module else None


_native_dumps = _native()


def _native_string_utf8() -> Callable[[str], bytes | None] | None:
    """The C `json_utf8`, or None: not built, or AGENTC_PURE_PYTHON set."""
    module = native.load("_text", "json_utf8", package="agentc.targets._shared")
    return module.json_utf8 if module else None


_native_string = _native_string_utf8()
_INF = float("inf")


class _Unusual(Exception):
    """Data this encoder leaves to `json.dumps` (which also raises the errors it would)."""


def _value(v: Any, nl: str, enc) -> str:
    if isinstance(v, str):
        return enc(v)
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if type(v) is int:
        return int.__repr__(v)
    if type(v) is float:  # as json.encoder's floatstr with allow_nan: team.json has prices and timeouts
        if v != v:
            return "NaN"
        if v == _INF:
            return "Infinity"
        if v == -_INF:
            return "-Infinity"
        return float.__repr__(v)
    if isinstance(v, dict):
        if not v:
            return "{}"
        inner = nl + "  "
        parts = []
        for k, x in v.items():
            if type(k) is not str:
                raise _Unusual
            # A str value (most of them) encoded here: a call of _value per leaf was half the time.
            parts.append(f"{inner}{enc(k)}: {enc(x) if type(x) is str else _value(x, inner, enc)}")
        return "{" + ",".join(parts) + nl + "}"
    if isinstance(v, (list, tuple)):
        if not v:
            return "[]"
        inner = nl + "  "
        return "[" + ",".join([inner + (enc(x) if type(x) is str else _value(x, inner, enc)) for x in v]) + nl + "]"
    raise _Unusual  # subclasses, anything with a default: json.dumps decides


def loads(content: FileText) -> Any:
    """`json.loads(as_text(content))`: the same data, or the same error. pydantic-core's parser
    reads the UTF-8 itself, ~2x faster (a 44 KB assistant with a 32 KB prompt: ~60 instead of
    ~120 us with the decoding); it is used when the process has loaded it (a build's cache may
    have: agentc/codec.py), or once json has read `_WORTH` (see `_core`). It is stricter than
    json only about a lone surrogate (an escaped \\ud800): whatever it refuses, json.loads
    decides, with its own message (tests/test_jsontext.py)."""
    core = sys.modules.get(_CORE) or _core()
    if core is not None:
        try:
            return core.from_json(content if isinstance(content, str) else b"".join(content.parts))
        except ValueError:
            pass
    text = as_text(content)
    global _read
    _read += len(text)
    return json.loads(text)


def _core() -> Any:
    """pydantic-core's compiled module once json.loads has read `_WORTH` characters (loaded then,
    once a process), else None."""
    global _read
    if _read < _WORTH:
        return None
    _read = -sys.maxsize  # one try: a module that failed to load once is not loaded again
    try:
        return native.pydantic_core()
    except Exception:  # noqa: BLE001 - no pydantic-core, or a broken one: json reads everything
        return None
