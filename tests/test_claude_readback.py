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
from agentc.targets import claude

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


def test_read_back_agrees_on_emitted_agents():
    emitted = []
    corpora = sorted(p for p in (SHARED / "corpus").glob("*") if p.is_dir() and p.name != "gold-dev")  # when ../shared is there
    for folder in sorted(p for p in (ROOT / "agents").iterdir() if p.is_dir()) + corpora:
        for plugin in (False, True):
            built = api.build(BuildOptions(sources=[str(folder)], targets=["claude"], out="out", plugin=plugin))
            emitted += [text for path, text in built.files.items() if path.endswith(".md")]
    assert len(emitted) > 20
    assert all(_agree(text) for text in emitted)
