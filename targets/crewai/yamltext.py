"""YAML for the crew's config files, written directly: fast, and the same bytes on every machine.

PyYAML's pure-Python dumper took 1.6 s on a 1000-agent agents.yaml; libyaml's CSafeDumper is
40x faster but writes some characters (emoji, NEL) differently, so the output would depend on
whether a machine has libyaml. The files hold only mappings of strings, booleans, integers and
None, so they are written here: multi-line text as a literal block where YAML reads it back
exactly, any other string as a JSON string (a YAML double-quoted scalar), with the few escapes
YAML 1.1 needs beyond JSON's. `tests/test_crewai.py` round-trips hostile strings through both
PyYAML loaders.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from functools import cache

from agentc.compiler import native
from agentc.targets import encode

# The characters a scalar writes escaped: what PyYAML's reader does not take unescaped, and those
# YAML 1.1 treats as line breaks (CR, NEL, LS, PS) or as the byte-order mark. Spelled out rather
# than as the complement of the safe ranges (\x09 \x0a \x20-\x7e \xa0-\u2027 \u202a-\ud7ff
# \ue000-\ufefe \uff00-\ufffd, and all past \uffff): the regex engine scans a 32 KB prompt for the
# short class in 80 instead of 103 us. A test compares the two on every code point.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]")
_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# Plain words YAML 1.1 reads as booleans or null.
_RESERVED = frozenset("y n yes no on off true false null".split())
_YAML_ESCAPES = {"\x85": "\\N", "\u2028": "\\L", "\u2029": "\\P", "\ufeff": "\\uFEFF"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char in _YAML_ESCAPES:
        return _YAML_ESCAPES[char]
    code = ord(char)
    return f"\\x{code:02X}" if code < 0x100 else f"\\u{code:04X}"


def quoted(text: str) -> str:
    """A double-quoted scalar: JSON's escapes plus YAML's for what JSON leaves raw."""
    return _UNSAFE.sub(_escape, json.dumps(text, ensure_ascii=False))


def _literal(text: str, indent: str) -> bytes | None:
    """A literal block scalar for `text` as UTF-8, or None when a block would not read back
    exactly: `_literal_py`, in C when agentc.targets._shared._text is built (a 32 KB seed
    prompt: ~210 -> ~50 us, most of it the encoding)."""
    if _native_block is None:
        return _literal_py(text, indent)
    return _native_block(encode(text, "surrogatepass"), indent.encode("utf-8"))


def _literal_py(text: str, indent: str) -> bytes | None:
    """`_literal` in Python, the reference of the C twin (tests/test_text_native.py). The work is
    done on the text's UTF-8, where a search for one byte and a replace run at memchr speed (a
    32 KB seed prompt: 210 -> ~110 us as str methods on a 2-byte-wide str), and the block stays
    UTF-8: agents.yaml is written as bytes."""
    if "\n" not in text or text[0] in " \n" or "\r" in text:
        return None
    data = text.encode("utf-8", "surrogatepass")  # a lone surrogate is unsafe, not an error
    if _has_unsafe(text, data):
        return None
    # Trailing blanks (blank-only lines fold into the indentation) or leading tabs. With no tab
    # in the text, a line's trailing space is all there is to find: two substring searches, not
    # a test per line (30 instead of 77 us for a 32 KB prompt).
    if b" \n" in data or text.endswith(" ") or ("\t" in text and any(
            line != line.rstrip(" \t") or line.startswith("\t") for line in text.split("\n"))):
        return None
    trailing = len(data) - len(data.rstrip(b"\n"))
    chomp = b"-" if trailing == 0 else b"" if trailing == 1 else b"+"
    # Every line of the text less its trailing newlines indented, empty lines left empty: two
    # passes over the whole text rather than a format per line (~800 lines in a 32 KB prompt).
    pad = indent.encode("utf-8")
    out = pad + data[:len(data) - trailing].replace(b"\n", b"\n" + pad) + b"\n"
    out = _blank_lines(pad).sub(b"\n", out)
    return b"|" + chomp + b"\n" + out + b"\n" * max(trailing - 1, 0)


# The bytes that begin an _UNSAFE character in UTF-8: the C0 controls but tab and newline, DEL
# (each its own byte), and the lead bytes of U+0080-U+009F (C2), U+2028-U+2029 (E2), the
# surrogates (ED), U+FEFF and U+FFFE-U+FFFF (EF). Deleting every other byte is one pass in C.
_LEADS = bytes([*range(0x00, 0x09), *range(0x0B, 0x20), 0x7F, 0xC2, 0xE2, 0xED, 0xEF])
_NOT_LEADS = bytes(b for b in range(0x100) if b not in _LEADS)
_MULTI = b"\xc2\xe2\xed\xef"
# Lead byte and second byte of U+0080-U+009F and of the surrogates (a lead byte is never a
# continuation byte): a regex with a literal first byte scans for it at memchr speed.
_C1 = re.compile(b"\xc2[\x80-\x9f]")
_SURROGATE = re.compile(b"\xed[\xa0-\xbf]")


def _has_unsafe(text: str, data: bytes) -> bool:
    """`_UNSAFE.search(text)`, given `data`, the text's UTF-8 (surrogatepass), in ~30 instead of
    80 us for a 32 KB prompt: no lead byte left after one translate, no unsafe character (the
    common case); else a search per lead byte found. Arrows, dashes (E2), emoji variation
    selectors (EF), Latin-1 symbols (C2) and Hangul (ED) share the lead bytes of unsafe ones."""
    leads = data.translate(None, _NOT_LEADS)
    if not leads:
        return False
    if leads.translate(None, _MULTI):
        return True  # a C0 control or DEL
    return bool(b"\xc2" in leads and _C1.search(data) or b"\xed" in leads and _SURROGATE.search(data)
                or b"\xe2" in leads and ("\u2028" in text or "\u2029" in text)
                or b"\xef" in leads and ("\ufeff" in text or "\ufffe" in text or "\uffff" in text))


def _native() -> Callable[[bytes, bytes], bytes | None] | None:
    """The C `literal_block`, or None: not built, or AGENTC_PURE_PYTHON set (to anything but 0)."""
    module = native.load("_text", "literal_block", package="agentc.targets._shared")
    return module.literal_block if module else None


_native_block = _native()


def _native_reader() -> Callable[[bytes], dict | None] | None:
    """The C `read_entry`, or None: not built, or AGENTC_PURE_PYTHON set."""
    module = native.load("_text", "read_entry", package="agentc.targets._shared")
    return module.read_entry if module else None


# One piece of `entries` (an agent) read back as yaml.load reads it, or None when the piece is not
# in the shape `entries` writes (then libyaml reads it): crewai's validate reads 36 MB of a
# 1000-agent agents.yaml in ~60 instead of ~210 ms. None where not built: libyaml reads it all.
read_entry = _native_reader()


@cache
def _blank_lines(indent: bytes) -> re.Pattern[bytes]:
    """The indentation the replace above gave an empty line (a newline follows it)."""
    return re.compile(b"\n" + re.escape(indent) + b"(?=\n)")


def scalar(value: object, indent: str) -> bytes:
    """A value after its key's colon, as UTF-8."""
    if isinstance(value, str):
        block = _literal(value, indent)
        return b" " + block if block is not None else f" {quoted(value)}\n".encode("utf-8")
    if value is None:
        return b" null\n"
    if isinstance(value, bool):
        return b" true\n" if value else b" false\n"
    if isinstance(value, int):
        return f" {value}\n".encode("utf-8")
    if isinstance(value, float):
        return f" {value!r}\n".encode("utf-8")
    raise TypeError(f"no YAML for {type(value).__name__}")


def key(name: str) -> str:
    return name if _PLAIN_KEY.match(name) and name.lower() not in _RESERVED else quoted(name)


def dump(data: dict[str, dict[str, object]], header: str) -> str:
    """A two-level mapping (name -> fields), with `header` as comment lines on top."""
    return b"".join(entries(data.items(), header)).decode("utf-8")


def entries(data: Iterable[tuple[str, dict[str, object]]], header: str) -> Iterator[bytes]:
    """`dump` in pieces, as UTF-8 (agents.yaml is written as Chunks): the header's comment lines,
    then each name with its fields. Each piece loads on its own as a mapping of that one name,
    so a big file can be checked piece by piece; a prompt's literal block is made as UTF-8 and
    stays so, never decoded, joined as str and encoded again (~30 us of a 32 KB prompt with
    non-ASCII)."""
    yield "".join(f"# {line}\n" for line in header.splitlines()).encode("utf-8")
    for name, fields in data:
        yield b"".join([f"{key(name)}:\n".encode("utf-8"),
                        *(f"  {key(field)}:".encode("utf-8") + scalar(value, "    ") for field, value in fields.items())])
