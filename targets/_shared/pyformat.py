"""Formatting generated Python in-process with pinned settings, never the user's config."""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=1)
def _black():
    """black and its pinned Mode, imported on first use: builds without Python output skip it."""
    import black

    return black, black.Mode(
        target_versions={black.TargetVersion.PY311},
        line_length=100,
        string_normalization=True,
        magic_trailing_comma=True,
    )


def format_python(source: str) -> str:
    """black-formatted source; raises black.InvalidInput if the code does not parse."""
    black, mode = _black()
    return black.format_str(source, mode=mode)


def py_literal(value: object) -> str:
    """A Python literal for str/int/float/bool/None and tuples/lists/dicts of them.

    `repr` is a real literal encoder for these types: quotes, backslashes, newlines and braces
    in prompt text can never break out of the string. Strings get the quotes black would give
    them, so a module built of these literals needs no formatter to be in black's style.
    """
    if isinstance(value, str):
        return black_str(value)
    if isinstance(value, (int, float, bool)) or value is None:
        return repr(value)
    if isinstance(value, (list, tuple)):
        inner = ", ".join(py_literal(v) for v in value)
        return f"[{inner}]" if isinstance(value, list) else f"({inner}{',' if len(value) == 1 else ''})"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{py_literal(k)}: {py_literal(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"no literal for {type(value).__name__}")


def black_str(text: str) -> str:
    """`repr(text)` with black's quotes: double, unless that needs more backslashes than single
    (black's `normalize_string_quotes`, checked against black on random strings in the tests)."""
    r = repr(text)
    if r[0] == '"':  # repr chose double quotes: text has a ' and no "
        return r
    if "'" not in text:
        return r if '"' in text else f'"{r[1:-1]}"'
    if text.count('"') > text.count("'"):  # both kinds: repr escaped every '; black swaps if not worse
        return r
    return '"' + r[1:-1].replace("\\'", "'").replace('"', '\\"') + '"'
