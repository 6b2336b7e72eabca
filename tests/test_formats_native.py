"""The text report's head lines in C (agentc/_codec.c, heads) against formats._heads' Python
path and compiler/diagnostics.head_line, the reference: the same text for odd diagnostics,
hypothesis-made ones and every severity chosen; a lone surrogate left to Python; bad arguments
are TypeErrors, and it leaks no memory. Its count of each (code, severity) (tally) likewise,
against Counter and formats.tally's Python path."""

from __future__ import annotations

import dataclasses
from collections import Counter

import pytest
from conftest import assert_no_leak, native_in_use, native_or_skip
from hypothesis import given, settings
from hypothesis import strategies as st

from agentc import formats
from agentc.compiler import native
from agentc.compiler.diagnostics import Diagnostic, diag, head_line
from agentc.compiler.span import Span

SEVERITIES = (frozenset(), frozenset({"warning"}), frozenset({"error", "warning"}), frozenset({"error", "warning", "info"}))
ODD = ("", "a", "a\r\nb\r\n", "é", "😀", "İ", "ı", "ſ", "\u212a", "\x00\x1f\x7f", "→ 😀\n", "l" * 300_000, "<command line>", "<")


@pytest.fixture(scope="module")
def heads():
    """The C `heads`, even in a pure-Python run."""
    return native_or_skip(lambda: native.load("_codec", "heads", package="agentc"), "_codec").heads


def _same(heads, diags, severities) -> str:
    expected = "\n".join(head_line(d) for d in diags if d.severity in severities)
    assert heads(diags, formats._HEAD_FIELDS, severities) == expected
    assert heads(tuple(diags), ("file", "line", "col", "severity", "code", "message"), set(severities)) == expected
    assert formats._heads(diags, severities) == expected
    return expected


def test_formats_uses_the_c_heads_when_built():
    _codec = native_in_use("agentc._codec")
    assert formats._C is _codec


@pytest.mark.parametrize("text", ODD, ids=range(len(ODD)))
def test_odd_text_is_the_same(heads, text):
    diags = [diag("AGC301", Span(file=text, line=3, col=7), text, hint=text), diag("AGC001", Span(file="a.md", line=1), text),
             diag("AGC308", Span(file=text, line=-2, col=2**70), text), diag("AGC301", Span(file="<command line>", line=1), text)]
    for severities in SEVERITIES:
        _same(heads, diags, severities)


def test_values_formatted_as_an_f_string_formats_them(heads):
    odd = dataclasses.replace(diag("AGC301", Span(file="a.md", line=3, col=4), "m"), line=True, col=2.5, code=7)
    assert _same(heads, [odd], frozenset({"warning"})) == "a.md:True:2.5: warning[7]: m"


@settings(max_examples=300, deadline=None)
@given(st.lists(st.builds(lambda code, severity, file, line, col, message: Diagnostic(code=code, severity=severity, file=file, line=line,
                                                                                      col=col, message=message),
                          st.sampled_from(["AGC301", "AGC001"]), st.sampled_from(["error", "warning", "info"]),
                          st.text(max_size=6), st.integers(-(2**70), 2**70), st.integers(-3, 3), st.text(max_size=8)), max_size=10),
       st.sampled_from(SEVERITIES))
def test_hypothesis_diagnostics_are_the_same(heads, diags, severities):
    _same(heads, diags, severities)


def test_a_lone_surrogate_is_left_to_python(heads):
    diags = [diag("AGC301", Span(file="a\ud800.md", line=1), "m")]
    with pytest.raises(UnicodeEncodeError):
        heads(diags, formats._HEAD_FIELDS, frozenset({"warning"}))
    assert formats._heads(diags, frozenset({"warning"})) == "a\ud800.md:1:1: warning[AGC301]: m"


def test_bad_arguments_are_type_errors(heads):
    diags = [diag("AGC301", Span(file="a.md", line=1), "m")]
    span_file = vars(Span)["file"]
    for args in ((diags, formats._HEAD_FIELDS), (diags, formats._HEAD_FIELDS, frozenset(), 1), (iter(diags), formats._HEAD_FIELDS, frozenset()),
                 (diags, formats._HEAD_FIELDS[:-1], frozenset()), (diags, list(formats._HEAD_FIELDS), frozenset()),
                 (diags, (1,) * 6, frozenset()), (diags, formats._HEAD_FIELDS, ["warning"]),
                 (diags, (span_file,) + formats._HEAD_FIELDS[1:], frozenset({"warning"})),
                 ([dataclasses.replace(diags[0], file=3)], formats._HEAD_FIELDS, frozenset({"warning"}))):
        with pytest.raises(TypeError):
            heads(*args)
    with pytest.raises(TypeError):  # an unhashable severity, as `in` a set says
        heads([dataclasses.replace(diags[0], severity=[])], formats._HEAD_FIELDS, frozenset({"warning"}))
    with pytest.raises(AttributeError):  # by name: the object's own error
        heads([object()], ("file", "line", "col", "severity", "code", "message"), frozenset())


def test_it_leaks_nothing(heads):
    diags = [diag("AGC301", Span(file="é.md", line=3, col=4), "m 😀"), diag("AGC001", Span(file="<x>", line=1), "e"),
             dataclasses.replace(diag("AGC301", Span(file="a.md", line=1), "m"), line=2**70, col=1.5)]

    def refused():
        try:
            heads([diag("AGC301", Span(file="\ud800", line=1), "m")], formats._HEAD_FIELDS, frozenset({"warning"}))
        except UnicodeEncodeError:
            pass

    assert_no_leak(lambda: (heads(diags, formats._HEAD_FIELDS, frozenset({"warning", "error"})), refused()))


# ---- tally: the count of each (code, severity) --------------------------------------------------

@pytest.fixture(scope="module")
def tally():
    """The C `tally`, even in a pure-Python run."""
    return native_or_skip(lambda: native.load("_codec", "tally", package="agentc"), "_codec").tally


def _tallied(tally, diags) -> list:
    """The C count, checked against Counter and the Python reference (order included)."""
    expected = list(Counter(map(formats._CODE_SEVERITY, diags)).items())
    assert list(tally(diags, formats._TALLY_FIELDS).items()) == expected
    assert list(tally(tuple(diags), ("code", "severity")).items()) == expected
    assert list(formats.tally(diags).items()) == expected
    reference = formats._C
    try:
        formats._C = None
        assert list(formats.tally(diags).items()) == expected
    finally:
        formats._C = reference
    return expected


@pytest.mark.parametrize("text", ODD, ids=range(len(ODD)))
def test_odd_codes_tally_alike(tally, text):
    odd = dataclasses.replace(diag("AGC301", Span(file="a.md", line=1), "m"), code=text)
    copy = dataclasses.replace(odd, code="".join(list(text)))  # an equal str, not the same object
    diags = [odd, copy, diag("AGC301", Span(file="a.md", line=2), "m"), odd, dataclasses.replace(copy, severity="info"), copy]
    counted = _tallied(tally, diags)
    assert sum(n for _, n in counted) == len(diags)


def test_runs_and_pairs_seen_again_add_up(tally):
    a, b = diag("AGC301", Span(file="a.md", line=1), "m"), diag("AGC305", Span(file="a.md", line=1), "m")
    assert _tallied(tally, [a] * 5 + [b] + [a] * 7 + [b, b]) == [(("AGC301", "warning"), 12), (("AGC305", "info"), 3)]
    assert _tallied(tally, []) == [] and _tallied(tally, [b]) == [(("AGC305", "info"), 1)]
    odd = dataclasses.replace(a, code=7, severity=True)  # anything hashable counts, as in a Counter
    assert _tallied(tally, [odd, dataclasses.replace(odd, code=7.0, severity=1)]) == [((7, True), 2)]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.builds(lambda code, severity: diag(code, Span(file="a.md", line=1), "m", severity=severity),
                          st.sampled_from(["AGC301", "AGC001", "AGC305"]), st.sampled_from(["error", "warning", "info"])),
                max_size=30))
def test_hypothesis_diagnostics_tally_alike(tally, diags):
    _tallied(tally, diags)


def test_tally_bad_arguments_raise(tally):
    diags = [diag("AGC301", Span(file="a.md", line=1), "m")]
    span_file = vars(Span)["file"]
    for args in ((diags,), (diags, formats._TALLY_FIELDS, 1), (iter(diags), formats._TALLY_FIELDS), (diags, formats._TALLY_FIELDS[:1]),
                 (diags, list(formats._TALLY_FIELDS)), (diags, (1, 2)), (diags, (span_file, formats._TALLY_FIELDS[1])),
                 ([dataclasses.replace(diags[0], code=[])], formats._TALLY_FIELDS), ([object()], formats._TALLY_FIELDS)):
        with pytest.raises(TypeError):
            tally(*args)
    with pytest.raises(AttributeError):  # by name: the object's own error
        tally([object()], ("code", "severity"))
    with pytest.raises(AttributeError):
        tally([diags[0], object()], ("code", "severity"))


def test_tally_leaks_nothing(tally):
    diags = [diag("AGC301", Span(file="a.md", line=1), "m")] * 3 + [diag("AGC305", Span(file="a.md", line=1), "m"),
                                                                   diag("AGC301", Span(file="b.md", line=1), "m")]

    def refused():
        try:
            tally([diags[0], dataclasses.replace(diags[0], code=[])], formats._TALLY_FIELDS)
        except TypeError:
            pass

    assert_no_leak(lambda: (tally(diags, formats._TALLY_FIELDS), refused()))
