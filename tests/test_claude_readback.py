"""The claude target's check reads emitted frontmatter as python-frontmatter does.

`claude.read_back` splits and loads the frontmatter the way `frontmatter.loads` does, without
its two copies of the whole file; the two must give the same metadata, or both raise, on the
emitted files of every collection and on hostile texts.
"""

from __future__ import annotations

import frontmatter
import pytest
from conftest import ROOT, SHARED
from hypothesis import given, settings
from hypothesis import strategies as st

from agentc import api
from agentc.compiler.options import BuildOptions
from agentc.targets import Chunks, claude

HOSTILE = [
    "", "---", "---\n", "---\n---\n", "---\nname: a\n---\nbody", "  \n---\nname: a\n---\nbody",
    "---\nname: a\n---", "---\nname: a\n---   \n\n", "----\nname: a\n-----\nbody\n---\nmore",
    "---\n\n\nname: a\n---\n", "---\nname: a\n", "body\n---\nname: a\n---\n", "---\n- a\n- b\n---\n",
    "---\njust text\n---\n", "---\nname: [unclosed\n---\n", "---\n1: x\n---\nb", "---\ncontent: x\n---\nb",
    "---\nhandler: x\n---\nb", "---\nname: a\ndescription: |-\n  ---\n  x\n---\nbody", "---\r\nname: a\r\n---\r\n",
    "---\nname: a\n---\u2028\n", "\ufeff---\nname: a\n---\n", "---\nname: a\n--- x\n---\n",
]


def _answer(read, text: str):
    """What `read` gives for `text`: the metadata, or the exception type and message."""
    try:
        return read(text)
    except Exception as exc:  # noqa: BLE001 - a different failure counts as a difference
        return type(exc).__name__, str(exc)


def _agree(text: str) -> bool:
    return _answer(claude.read_back, text) == _answer(lambda t: frontmatter.loads(t).metadata, text)


@pytest.mark.parametrize("text", HOSTILE)
def test_read_back_agrees_on_hostile_texts(text):
    assert _agree(text)


@settings(max_examples=400, derandomize=True, deadline=None)
@given(st.lists(st.sampled_from(["---", "----", "--- ", "name: a", "description: b", "content: c", "- x", "1: y",
                                 "", " ", "  ---", "key: [", "|-", "  text", "\t"]), max_size=8))
def test_read_back_agrees_on_line_mixes(lines):
    text = "\n".join(lines)
    assert _agree(text)


_LINES = ["---", "----", "--- ", "name: a", "description: b", "content: c", "- x", "1: y", "", " ", "  ---", "key: [",
          "|-", "  text", "\t", "\r", "İ ı ſ \u212a \U0001f600"]


@settings(max_examples=400, derandomize=True, deadline=None)
@given(st.lists(st.sampled_from(_LINES), max_size=6), st.lists(st.sampled_from(_LINES), max_size=6))
def test_the_front_piece_reads_back_as_the_whole_file(head, body):
    rendered = Chunks((("---\n" + "".join(f"{line}\n" for line in head) + "---\n").encode(), "\n".join(body).encode()))
    assert claude._front(rendered) == rendered.parts[0].decode()  # the body is left out
    assert _answer(claude.read_back, claude._front(rendered)) == _answer(claude.read_back, rendered.text())
    assert claude.validate({"a.md": rendered}) == claude.validate({"a.md": rendered.text()})


def test_a_file_in_other_pieces_is_read_whole():
    pieces = Chunks((b"---\nname: a\n", b"description: b\n---\nbody"))
    assert claude._front(pieces) == pieces.text()
    assert claude.read_back(claude._front(pieces)) == {"name": "a", "description": "b"}


def test_read_back_agrees_on_emitted_agents():
    emitted = []
    corpora = sorted(p for p in (SHARED / "corpus").glob("*") if p.is_dir() and p.name != "gold-dev")  # when ../shared is there
    for folder in sorted(p for p in (ROOT / "agents").iterdir() if p.is_dir()) + corpora:
        for plugin in (False, True):
            built = api.build(BuildOptions(sources=[str(folder)], targets=["claude"], out="out", plugin=plugin))
            emitted += [text for path, text in built.files.items() if path.endswith(".md")]
    assert len(emitted) > 20
    assert all(_agree(text) for text in emitted)


def _loader():
    """The loader `read_back` falls back to: libyaml's, PyYAML's own where it is missing."""
    import yaml

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _scalar_by_loading(s: str) -> str:
    """`claude._scalar` as it was written first: a YAML load of each value (the reference)."""
    import json

    import yaml

    if claude._PLAIN_SAFE.match(s) and not s.endswith(" "):
        try:
            if yaml.load(s, Loader=_loader()) == s:
                return s
        except ValueError:  # "0x_" resolves as an int that int() refuses: quoting is the answer
            pass
    return json.dumps(s, ensure_ascii=False)


SCALARS = [
    "", " ", "a ", " a", "sonnet", "agent-0042", "Read, Grep, Glob", "true", "True", "TRUE", "yes", "No", "on", "OFF",
    "y", "n", "Y", "null", "Null", "NULL", "~", "0", "00", "007", "-1", "+1", "1_000", "0x1F", "0o17", "0b101", "017",
    "1.0", "1e3", "1.5e+3", "6.8523015e+5", "1_0.5", ".inf", ".5", "1:20", "190:20:30.15", "2001-12-14",
    "2001-12-14 21:59:43.10", "2001-12-14t21:59:43.10-05:00", "1-2-3", "a  b", "a ,b", "a, b,", "a*", "a@b", "(a)",
    "a/b+c", "_", "__init__", "x" * 300, "a - b", "1 2", "1.", "1.2.3", "0.", "12e", "NaN", "nan", ".NaN", "=", "<<",
    "é", "a\tb", "a\nb", "0x_", "0b_", "0o_", "0_", "a #b", "a: b", "-a", "*a", "&a", "!a", "%a", "@a", "`a", "'a'", "\"a\"", "[a]", "{a}",
]


@pytest.mark.parametrize("s", SCALARS)
def test_scalar_is_plain_exactly_when_yaml_reads_it_back(s):
    assert claude._scalar(s) == _scalar_by_loading(s)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="Aaz0123456789_ .,()/@+*-:eExXoObBnNuUlLtTrRfFsSyY~", max_size=14) | st.sampled_from(SCALARS))
def test_scalar_matches_loading_on_generated_text(s):
    assert claude._scalar(s) == _scalar_by_loading(s)


def test_a_value_yaml_cannot_convert_is_quoted_not_a_crash():
    """`model: "0x_"` is a string that YAML, unquoted, resolves as a hex int int() refuses:
    loading it to compare raised ValueError out of the build ("internal error"). It is
    written quoted and reads back as itself."""
    files = api.compile({"zed.md": '---\nname: zed\ndescription: x\nmodel: "0x_"\n---\nbody\n'}, ["claude"]).files
    text = files["claude/.claude/agents/zed.md"]
    assert 'model: "0x_"\n' in text and claude.read_back(text)["model"] == "0x_"


def _loaded(head: str):
    """What libyaml's loader gives for `head`, or the exception type and message."""
    import yaml

    return _answer(lambda t: yaml.load(t, Loader=_loader()), head)


KEYS = ["name", "description", "model", "maxTurns", "on", "yes", "No", "null", "Null", "true", "y", "a1", "x-y", "x_y",
        "content", "1", "é", " name", "name "]
QUOTED = ['""', '"a"', '"a b"', '"a\\"b"', '"a\\\\b"', '"a\\nb"', '"a\\/b"', '"\\u00e9"', '"a # b"', '"a: b"', '"é"', '"a',
          'a"', '"a" b', '"\'"', "'a'", '"\t"', '"a\rb"', '" "', '"--- x"', '"{a}"', '"[a, b]"']


# A line much as the target writes it (a known key, ": ", a value near the plain or quoted form), or any odd one.
_WRITTEN = st.tuples(st.sampled_from(KEYS[:4]), st.just(": "),
                     st.from_regex(r"[A-Za-z0-9_][A-Za-z0-9_ .,()/@+*#:-]{0,8}", fullmatch=True)
                     | st.from_regex(r'"[ -~]{0,8}"', fullmatch=True))
_ODD = st.tuples(st.sampled_from(KEYS), st.sampled_from([": ", ":  ", ":", ": \t", " : "]),
                 st.sampled_from(SCALARS + QUOTED) | st.text(alphabet="aZ09_ .,#:\"\\'-é\t\r", max_size=8))


@settings(max_examples=600, derandomize=True, deadline=None)
@given(st.lists(_WRITTEN | _WRITTEN | _WRITTEN | _ODD, max_size=4), st.sampled_from(["", "", "\n", " \n"]))
def test_the_simple_mapping_is_what_yaml_loads(lines, blank):
    """Whatever the fast reading of emitted frontmatter accepts, YAML loads as that same dict."""
    head = blank + "".join(f"{k}{sep}{v}\n" for k, sep, v in lines)
    simple = claude._simple_mapping(head)
    if simple is not None:
        assert simple == _loaded(head), head


def test_the_simple_mapping_takes_what_the_target_writes_most():
    """A seed agent's frontmatter (name, a quoted description, a model, tools) is read without
    YAML, and a line it does not know sends the whole of it to YAML."""
    head = '\nname: agent-0001\ndescription: "Synthetic agent 1. Use PROACTIVELY."\nmodel: sonnet\ntools: Read, Grep, Glob\n'
    assert claude._simple_mapping(head) == _loaded(head) == {
        "name": "agent-0001", "description": "Synthetic agent 1. Use PROACTIVELY.", "model": "sonnet", "tools": "Read, Grep, Glob"}
    for odd in ("maxTurns: 3", "background: true", "model: 0x_", "on: x", 'description: "a\\nb"', "description: |-",
                "skills:", "- a", "  model: x", "model: x #c"):
        assert claude._simple_mapping(head + odd + "\n") is None, odd


def test_a_frontmatter_that_does_not_load_is_still_reported():
    """The check stays a check: an emitted file whose frontmatter YAML refuses is an AGC902."""
    out = claude.validate({".claude/agents/a.md": '---\nname: a\ndescription: "unclosed\n---\nbody\n'})
    assert [d.code for d in out] == ["AGC902"] and "does not re-parse" in out[0].message
