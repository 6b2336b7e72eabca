"""source.role_of matches an all-ASCII title with patterns compiled without re.I: the same role as
with them, for any title (the lowered title holds no capital, and the patterns none)."""

from __future__ import annotations

import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agentc.compiler import source


def _plain_title(title: str) -> str:
    """source._plain_title with every substitution made, where it skips those that cannot match."""
    t = source.plain(title)
    t = source._PARENTHESES.sub(" ", t)
    t = source._LEAD.sub("", t)
    t = source._STEP.sub("", t)
    return t.strip(" :").lower()


def _both(title: str) -> tuple[str, str]:
    """The role of `title` (its numbers read as "0", not kept), and the role the re.I patterns give
    its plain title as it is (every substitution made, no memo, numbers and all)."""
    fast = source.role_of.__wrapped__(title)
    assert source._plain_title(title) == _plain_title(title), title
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(source, "_ASCII_ROLES", source.ROLES)
        slow = source._role_of_text.__wrapped__(_plain_title(title))
    return fast, slow


def test_no_role_pattern_reads_a_digit():
    """role_of reads a title's runs of digits as "0": right while no pattern holds a digit (a
    digit is then only a word character to them, as "0" is)."""
    for _, rx in source.ROLES:
        assert not any(c.isdigit() for c in rx.pattern) and "\\d" not in rx.pattern and "\\w" not in rx.pattern, rx.pattern
        assert "\\W" not in rx.pattern and "." not in rx.pattern.replace("\\.", ""), rx.pattern


def test_the_ascii_patterns_are_the_roles_without_ignorecase():
    assert [role for role, _ in source._ASCII_ROLES] == [role for role, _ in source.ROLES]
    for (_, fast), (_, slow) in zip(source._ASCII_ROLES, source.ROLES, strict=True):
        assert fast.pattern == slow.pattern and not fast.flags & source.re.I and slow.flags & source.re.I


# Words of the patterns and titles around them, in any case, with the characters re.I folds
# unlike str.lower() ("ſ" and "s", "ı" and "i", the Kelvin sign and "k"), markup and numbering.
WORDS = ["Use when", "DO NOT USE", "checklist", "Checks", "changelog", "pitfalls", "examples", "delegate to", "works with",
         "output format", "Mission", "principles", "standards", "workflow", "capabilities", "metadata", "version",
         "agent-0042", "Step 2:", "1.", "(5 items)", "**", "`", "&", "\u017f", "\u0131", "\u0130", "\u212a", "K", "\u00e9",
         "\U0001f600", " ", "-", ":", "triggers", "anti-pattern", "limitation", "quality gate", "self-check",
         "check3", "7checks", "v2", "\u0663", "\u00b2", "12version", "core9", "step", "STEP 3", "\u017ftep 4", "_x", "#",
         "(", ")", "\u00a0", "\t"]


@settings(max_examples=int(os.environ.get("AGENTC_FUZZ_EXAMPLES", "400")), deadline=None)
@given(st.lists(st.sampled_from(WORDS), max_size=6).map(" ".join))
def test_a_title_gets_the_role_the_ignorecase_patterns_give(title):
    fast, slow = _both(title)
    assert fast == slow, title


def test_titles_of_every_role_read_the_same():
    titles = ["Delegate to agent-0001", "v2.0.0 (2025-12-03)", "Step 1: Requirements Analysis (5 questions)",
              "LLM Integration & Model Management", "I proactively address these failure patterns", "USE when:",
              "DO NOT USE when:", "Pre-Response Validation Framework", "Changelog", "Few-Shot Examples with Reasoning",
              "Core Capabilities", "Your Mission", "Agent Metadata", "Response Structure", "Constitutional Principles",
              "Response Quality Standards", "Chain-of-Thought Decision Framework", "CHECK\u017f", "Mi\u017f\u017fion",
              "\u212aNOWLEDGE", "Ver\u0131fy", "Other"]
    got = [_both(t) for t in titles]
    assert [fast for fast, _ in got] == [slow for _, slow in got]
    assert len({fast for fast, _ in got}) >= 14  # every role, and "other"


@settings(max_examples=int(os.environ.get("AGENTC_FUZZ_EXAMPLES", "400")), deadline=None)
@given(st.lists(st.sampled_from([" ", "\t", "\n", "\x0b", "\x0c", "\x1c", "\x1f", "\x85", "\xa0", "\u3000", "\u2028",
                                 "x", "→", "😀", "İ"]), max_size=80))
def test_a_blank_body_is_told_from_its_bytes_as_from_its_text(pieces):
    """lower._blank on a body held as its UTF-8 is `not text.strip()`: past 64 bytes of ASCII
    blanks too, and when the first other character is a blank of str's alone."""
    from agentc.compiler.lower import _blank

    for text in ("".join(pieces), " " * 70 + "".join(pieces), "\n" * 63 + "".join(pieces)):
        assert _blank(text.encode()) is _blank(text) is (not text.strip()), text
