"""The frontmatter YAML of the coding targets, written directly when PyYAML would write it plainly.

Each copilot and gemini agent file opens with a small YAML mapping (name, description, model,
tools, delegates). PyYAML's representer builds and resolves a node per value in Python: ~50 us a
file even with libyaml's emitter, 0.1 s for 1000 agents of two targets. Most of that data is
identifiers and short prose that PyYAML writes as plain scalars, in a layout that never varies;
`plain_yaml` writes exactly those bytes for such data and declines (None) anything else, which
PyYAML then dumps as before. tests/test_plainyaml.py compares the two on generated data.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

# Strings PyYAML writes as plain scalars in block context: a letter first (so no indicator,
# number, date, `~` or document marker), then nothing that starts a comment (" #"), a value
# (": "), a line break or a character past ASCII; no trailing space; at most 1000 characters
# (its lines are folded only past the dump's width of 100 000).
_PLAIN = re.compile(r"[A-Za-z](?:[A-Za-z0-9 _.,;()/+*'-]{0,998}[A-Za-z0-9_.,;()/+*'-])?")
# Keys: identifiers, well under the 128 characters past which PyYAML writes a key as `? key`.
_KEY = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,63}")
# Plain words YAML 1.1 reads as booleans or null (any case: a few more than it needs), none
# longer than five characters: a longer text is never lowered to look it up.
_WORDS = frozenset("yes no true false on off null y n".split())


def _plain(text: Any) -> bool:
    return type(text) is str and _PLAIN.fullmatch(text) is not None and (len(text) > 5 or text.lower() not in _WORDS)


def _key(text: Any) -> bool:
    return type(text) is str and _plain_key(text)


@lru_cache(maxsize=256)
def _plain_key(text: str) -> bool:
    """Remembered: the targets write the same few keys in every agent's frontmatter (a copilot
    agent with three handoffs: 17 keys), each once checked."""
    return _KEY.fullmatch(text) is not None and text.lower() not in _WORDS


def _scalar(value: Any) -> str | None:
    if value is True:
        return "true"
    if value is False:
        return "false"
    if type(value) is int:
        return str(value)
    return value if _plain(value) else None


def plain_yaml(data: dict[str, Any]) -> str | None:
    """`yaml.dump(data, sort_keys=False, default_flow_style=False, allow_unicode=True,
    width=100000)` when `data` maps plain keys to plain strings, booleans, integers, non-empty
    lists of them, or non-empty lists of non-empty mappings of them; None for any other data."""
    if not data:
        return None
    out = []
    for key, value in data.items():
        if not _key(key):
            return None
        if type(value) is not list:
            text = _scalar(value)
            if text is None:
                return None
            out.append(f"{key}: {text}\n")
            continue
        if not value:
            return None
        out.append(f"{key}:\n")  # a list in a mapping: PyYAML does not indent its dashes
        for item in value:
            lines = _mapping(item) if type(item) is dict else _item(item)
            if lines is None:
                return None
            out.append("- " + "  ".join(lines))  # a mapping's later lines under its first
    return "".join(out)


def _item(value: Any) -> list[str] | None:
    text = _scalar(value)
    return None if text is None else [f"{text}\n"]


def _mapping(item: dict[str, Any]) -> list[str] | None:
    """The `key: value` lines of a list item that is a mapping; None when it is empty or holds
    anything but plain keys and scalars."""
    lines = []
    for k, v in item.items():
        text = _scalar(v)
        if text is None or not _key(k):
            return None
        lines.append(f"{k}: {text}\n")
    return lines or None


def read_plain(text: str) -> dict[str, Any] | None:
    """The data YAML reads from `text` when `text` is what `plain_yaml` writes for some data;
    None for any other text (the caller then asks PyYAML). For the coding targets' own checks,
    which re-read every frontmatter they wrote: ~4x faster than libyaml's loader and PyYAML's
    constructor on a copilot head.

    The lines are read loosely, then the data is written again: only when that gives `text`
    back is it the answer. `plain_yaml` writes what PyYAML writes (tests/test_plainyaml.py),
    and PyYAML reads its own text of such data back as that data."""
    if not text.endswith("\n"):
        return None
    data: dict[str, Any] = {}
    items: list[Any] | None = None  # the list under the last `key:` line
    entry: dict[str, Any] | None = None  # the mapping item that a `  key: value` line continues
    for line in text[:-1].split("\n"):
        if line.startswith("- ") and items is not None:
            key, colon, value = line[2:].partition(": ")
            entry = {key: _read_scalar(value)} if colon else None
            items.append(entry if colon else _read_scalar(line[2:]))
        elif line.startswith("  ") and entry is not None:
            key, colon, value = line[2:].partition(": ")
            if not colon:
                return None
            entry[key] = _read_scalar(value)
        elif line.endswith(":"):
            items, entry = [], None
            data[line[:-1]] = items
        else:
            key, colon, value = line.partition(": ")
            if not colon:
                return None
            data[key], items, entry = _read_scalar(value), None, None
    return data if plain_yaml(data) == text else None


def _read_scalar(text: str) -> Any:
    """A scalar as `_scalar` writes it: true, false, an integer, else the string itself."""
    if text == "true":
        return True
    if text == "false":
        return False
    return int(text) if _INT.fullmatch(text) else text


_INT = re.compile(r"-?[0-9]+")
