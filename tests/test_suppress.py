"""suppress._opens, the quick "does this body hold a comment at all" test that find() and so
lines_needed() and apply() start with (compiler/_graph.c's `opens` where built, and its reference
_opens_py), against the plain `"<!--" in body` it stands in for, on bodies with few and with
many "<" (past _HOPS the reference's regex finishes the search); and the
comments a full build judged, handed on to the cache's views, against reading them again."""

from __future__ import annotations

import os

import pytest
from conftest import assert_no_leak, native_in_use
from hypothesis import given, settings
from hypothesis import strategies as st

from agentc.compiler import native, suppress

# The pieces that decide the answer: "<" alone, near misses, the opener itself, and filler.
_piece = st.sampled_from(["<", "<!", "<!-", "<!--", "!--", "-->", "-", "!", "a", "→", "😀", "\n", "\r\n", " "])


@settings(max_examples=int(os.environ.get("AGENTC_FUZZ_EXAMPLES", "400")), deadline=None)
@given(st.lists(_piece, max_size=120))
def test_opens_is_the_substring_test(pieces):
    body = "".join(pieces)
    for opens in OPENS:
        assert opens(body) is ("<!--" in body)
        assert opens(body.encode()) is ("<!--" in body)  # a body held as its UTF-8 (ir.held_body)


def test_opens_past_the_hops():
    many = "a < b " * (suppress._HOPS * 3)
    for opens in OPENS:
        assert not opens(many)
        assert opens(many + "<!-- agentc: ignore[AGC301] -->")
        assert opens("<" * suppress._HOPS + "<!--")
        assert opens("<" * (suppress._HOPS - 1) + "<!--")
        assert not opens("")
        assert not opens("<!-" + "<" * 100 + " !--")
        assert not opens(b"<!-") and opens(b"<!--") and not opens("\U0001f600<!-")


def test_opens_is_compiler_graph_c_where_built():
    _graph = native_in_use("agentc.compiler._graph")
    assert suppress._opens is (suppress._opens_py if _graph is None else _graph.opens)
    if _graph is not None:
        with pytest.raises(TypeError):
            _graph.opens(None)
        assert_no_leak(lambda: (_graph.opens("a \u2192 < b <!-- x -->"), _graph.opens(b"< b <!- x")))


# suppress._opens_py, the reference, and compiler/_graph.c's `opens` where built (even in a pure-Python run).
OPENS = [suppress._opens_py, *filter(None, [getattr(native.load("_graph", "opens"), "opens", None)
                                            if os.environ.get("AGENTC_PURE_PYTHON", "") in ("", "0") else None])]


def test_find_reads_a_comment_after_many_tags():
    body = "<b>x</b> " * 40 + "\n<!-- agentc: ignore[AGC301] -->\nDelegate to **x**.\n"
    [s] = suppress.find("f.md", body, 10)
    assert (s.line, s.codes, s.first, s.last) == (11, ("AGC301",), 12, 12)


def test_views_of_the_comments_judging_found_are_the_views_read_again(tmp_path):
    """A full build hands the comments judging found to the cache's views (`Result.suppressions`):
    the views are those made by reading every body again, the lines kept at their numbers."""
    from agentc import api, incremental
    from agentc.compiler.options import BuildOptions
    from agentc.discover import discover

    head = "---\nname: {n}\ndescription: Does {n} things.\n---\n"
    texts = {
        "a.md": head.format(n="a") + "Intro.\n\n<!-- agentc: ignore[AGC301] -->\nDelegate to **missing-one**.\nMore.\n",
        "b.md": head.format(n="b") + "Hand off to **a** <!-- agentc: ignore[AGC3] -->\n\n<!-- agentc: ignore-file[AGC121] -->\n",
        "c.md": head.format(n="c") + "Plain → text, no comment.\n",
    }
    for name, text in texts.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    found, _ = discover([str(tmp_path)])
    agents, more, _ = api.read_agents(found)
    result = api.build_each(BuildOptions(sources=(str(tmp_path),), targets=("claude",)), api.link(agents, more),
                            lambda name, files: None)
    assert {s.file for s in result.suppressions} == {str(tmp_path / "a.md"), str(tmp_path / "b.md")}
    handed = incremental.unstored(incremental.views(found, result.project, ["claude"], result.suppressions))
    assert handed == incremental.unstored(incremental.views(found, result.project, ["claude"]))
    assert [sorted(v[7]) for v in handed] == [["7", "8", "9"], ["5", "7"], []]  # a comment, the block it covers
    # A Result that did not find the comments says so (None), and views read them from the bodies.
    bare = api.Result(project=result.project, files={}, diagnostics=())
    assert bare.suppressions is None
    assert incremental.unstored(incremental.views(found, result.project, ["claude"], bare.suppressions)) == handed
    whole = api.build(BuildOptions(sources=(str(tmp_path),), targets=("claude",)), api.link(agents, more))
    assert whole.suppressions == result.suppressions


def test_a_body_held_as_bytes_reads_as_its_text():
    """find, find_all, lines_needed and apply take a body as an agent holds it: its UTF-8 (not
    decoded when it holds no comment) or a str, with the same answers."""
    from agentc.compiler.diagnostics import diag
    from agentc.compiler.span import Span

    many = "a < b → " * (suppress._HOPS * 3)
    assert not suppress._opens(many.encode())
    assert suppress._opens((many + "<!-- x -->").encode())
    body = "İntro → x\n<!-- agentc: ignore[AGC301] -->\nDelegate to **x**.\n\ntext <!-- agentc: ignore-file[AGC121] -->\n"
    assert suppress.find("f.md", body.encode(), 5) == suppress.find("f.md", body, 5) != []
    assert suppress.lines_needed(body.encode(), 5) == suppress.lines_needed(body, 5)
    diags = [diag("AGC301", Span(file="f.md", line=7), "x"), diag("AGC301", Span(file="f.md", line=9), "y")]
    held, text = suppress.find_all([("f.md", body.encode(), 5)]), suppress.find_all([("f.md", body, 5)])
    assert held == text and suppress.apply(diags, held) == suppress.apply(diags, text)
