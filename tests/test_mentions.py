"""Short cuts of the mention reader (agentc.compiler.mentions) and the delegation search
(agentc.compiler.delegation) that skip work when it cannot find anything: each gives what the
full work gives, on hypothesis-made texts built from the pieces that decide it."""

from __future__ import annotations

import os
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from agentc.compiler import mentions, references
from agentc.compiler.delegation import CUES, LINE_TRIGGERS

EXAMPLES = int(os.environ.get("AGENTC_FUZZ_EXAMPLES", "400"))


def test_pass_on_words_hold_every_verb():
    """Each verb `_WORD_AGENT` starts with holds one of `_PASS_ON_WORDS`: a verb added to the
    pattern alone would be skipped on every ASCII line."""
    rx = mentions._WORD_AGENT.pattern
    verbs = rx[rx.index("(?:") + 3 :].split(")\\b")[0]
    for verb in verbs.split("|"):
        assert any(word in verb for word in mentions._PASS_ON_WORDS), verb


PASS_PIECES = ["hand", "Hand", "HANDS", "off", "pass", "Send", "routes", "delegate", "prepare", "submit", "forward",
               "escalate", "use", "USE", "invoke", "deploy", "launch", "spawn", "call", "to", "for", "the", "research",
               "review", "agent", "Agent", "subagent", "sub-agent", "agents", "with", "x", " ", "  ", "\t", ".", ",",
               "\u017f", "\u212a", "\u00e9"]


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.lists(st.sampled_from(PASS_PIECES), max_size=14).map(" ".join))
def test_a_line_without_a_pass_on_word_holds_no_word_agent(line):
    if not mentions._may_pass_on(line, line.lower()):
        assert mentions._WORD_AGENT.search(line) is None, line


NAME_PIECES = ["subagent_type=", "subagent_type: ", "SUBAGENT_TYPE=", "Subagent_Type=", "subagent-type=", "\"code-reviewer\"",
               "'ml-engineer'", "x", "code-reviewer", "The Code Reviewer", "@data-scientist", "agent", "numpyro-pro",
               "NumPyro Pro Agent", "visualization-interface", "Visualization & Interface Expert", "pro-agent",
               "interface-engineer", " ", "\n", "\r\n", "\u2010", "\u0130", "a-x/b-y"]
names = st.lists(st.sampled_from(NAME_PIECES), max_size=30).map("".join)
selves = st.sampled_from(["x", "code-reviewer", "numpyro-pro", "visualization-interface", "pro", "agent", "ml-engineer",
                          "interface-engineer", ""])


@settings(max_examples=EXAMPLES, deadline=None)
@given(names, selves)
def test_names_by_line_are_the_whole_texts_names(text, self_name):
    """`candidates_by_line` asks `_candidates` to look for "subagent_type" only where its word
    search found it: the same names as looking always."""
    lines = text.split("\n")
    prepared = mentions.prepare("\n".join(lines))
    expected = mentions._by_line_py(lines, mentions._places(prepared, self_name))
    found = mentions.candidates_by_line(lines, self_name, CUES, LINE_TRIGGERS)[1]
    assert {k: [(c.start, c.end, c.target, c.form) for c in v] for k, v in found.items() if v} == \
        {k: [(c.start, c.end, c.target, c.form) for c in v] for k, v in expected.items()}


@settings(max_examples=EXAMPLES, deadline=None)
@given(names, selves)
def test_own_names_are_left_out_as_is_self_says(text, self_name):
    """`_candidates` calls `_is_self` only on names holding the own name or its longest own word."""
    every = mentions._candidates(text, "\x00")
    kept = [(c.start, c.target) for c in every if not mentions._is_self(c.target.split(":")[-1], self_name)]
    assert [(c.start, c.target) for c in mentions._candidates(text, self_name)] == kept


def test_own_names_in_their_forms_are_left_out():
    text = "Ask numpyro-pro, plug:numpyro-pro-agent, the numpyro-expert or the numpyro-reviewer."
    assert [c.target for c in mentions._candidates(text, "x")] == ["numpyro-pro", "plug:numpyro-pro-agent",
                                                                   "numpyro-expert", "numpyro-reviewer"]
    assert [c.target for c in mentions._candidates(text, "numpyro-pro")] == ["numpyro-reviewer"]


def test_subagent_type_is_searched_for():
    assert "subagent_type" in mentions._words(CUES, LINE_TRIGGERS)[0]
    assert not re.search(r"[A-Z]", "".join(mentions._words(CUES, LINE_TRIGGERS)[0]))


def _clean_in_full(text: str) -> str:
    """`delegation.clean` with every pattern tried (as it was written before its first-character tests)."""
    from agentc.compiler.delegation import _DONT_USE, _MARKS, _NOT_FOR, _NUMBER, plain

    text = _NUMBER.sub("", _MARKS.sub("", plain(text)), count=1)
    text = _NOT_FOR.sub("", _DONT_USE.sub("", text, count=1), count=1)
    return text.strip(" \t:;,-—–").strip()


# The first characters each pattern of `clean` may start with (marks, blanks ASCII and not, ASCII and
# other decimal digits, "do not", "never", "not for" in any case) and those it may not (letters that
# re.I folds specially: "ſ", the Kelvin sign, "İ"; superscript digits, which are no `\d`).
CLEAN_PIECES = ["- ", "* ", "•", "❌", "✅", "⚠️", "\ufe0f", "🚫", "→", " ", "\t", "\u00a0", "\u2003", "\u3000", "\n", "1. ",
                "12) ", "\u0663. ", "\u00b2. ", "do not use for", "Don't use when", "NEVER use x for", "not for", "Not when",
                "Do Not Use This Agent If", "**", "`x`", "[a](b)", "Code review", "delegate", "\u017f", "\u212a", "\u0130",
                "N", "D", "n", "d", ":", "-", "—", ""]


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.lists(st.sampled_from(CLEAN_PIECES), max_size=12).map("".join))
def test_clean_is_every_pattern_tried(text):
    from agentc.compiler.delegation import clean

    assert clean(text) == _clean_in_full(text), text


# Around "agent" after a name: kebab names with "_" and digits in their last part, markup between
# name and blank, every blank, "sub-agent", the verbs in any case, and the letters re.I folds
# specially ("K" is "k", "ſ" is "s", "ı" is "i", so each may stand in a name).
USE_PIECES = ["use", "Use", "USING", "prefer", "launch", "invoke", "call", "engage", "spawn", "dispatch", "ask",
              "bring in", "hand it off to", "delegate to", "the", "code-reviewer", "ml-eng_ops", "a-b-c1", "x_y-z",
              "-", "_", "**", "`", " ", "\t", "\n", "\u00a0", "agent", "Agent", "subagent", "sub-agent", "agents",
              "agentic", "to", "for", "review", ".", "\u212a", "\u017f", "\u0131", "\u0130", "\u00e9"]


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.lists(st.sampled_from(USE_PIECES), max_size=16).map(lambda p: " ".join(p) if len(p) % 2 else "".join(p)))
def test_use_agent_needs_a_name_then_agent(text):
    """`_use_agent` reads a block only when `_NAME_AGENT` finds something: every `_USE_AGENT`
    match holds one."""
    from agentc.compiler.delegation import _NAME_AGENT, _USE_AGENT

    if _NAME_AGENT.search(text) is None:
        assert _USE_AGENT.search(text) is None, text


def test_use_agent_still_reads_a_named_agent():
    from agentc.compiler.delegation import _use_agent

    found = list(_use_agent("Use the **code-reviewer** agent for diffs. Then ask ml-eng_ops subagent.", 3, 1, "x"))
    assert [(f.target, f.condition) for f in found] == [("code-reviewer", "diffs"), ("ml-eng_ops", "")]


# What `_kebab_left` decides about the text before a "/": name characters and runs of them, hyphens
# at either end and doubled, every lead the regex excludes ("_", ".", "/", "-", non-ASCII letters
# and digits) or takes (blanks, signs, non-ASCII ones), line ends before the "/" ("$" before a
# last "\n"), long runs across the 80-character window, emoji and CRLF.
SLASH_PIECES = ["a", "ab", "Z9", "7", "-", "--", "a-b", "code-reviewer", "x" * 30, "-" * 3, "_", ".", "/", " ", "\t", "\n",
                "\r\n", "(", "`", "*", "\u00e9", "\u0663", "\u00b2", "\u00a0", "\u2192", "\U0001f600", "+", ":", "\u017f", ""]


def _kebab_left_both(text: str) -> None:
    for at in [i for i, ch in enumerate(text) if ch == "/"] + [0, len(text)]:
        expected = mentions._SLASH_LEFT.search(text, max(0, at - 80), at) is not None
        assert mentions._kebab_left(text, at) is expected, (text, at)


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.lists(st.sampled_from(SLASH_PIECES), max_size=40).map(lambda p: "/".join(p) if len(p) % 3 else "".join(p)))
def test_kebab_left_is_the_slash_left_search(text):
    _kebab_left_both(text)


def test_kebab_left_at_the_window_and_the_text_start():
    for size in range(74, 86):
        run = ("a-" * size)[: size - 1] + "b"  # a kebab name of `size` characters
        for lead in ("", " ", "_", "x", "x "):
            _kebab_left_both(lead + run + "/c-d")
            _kebab_left_both(lead + run + "\n/c-d")
            _kebab_left_both(lead + "q" * size + " ab-cd/ef-gh")
    for text in ("", "/", "a-b/", "\n/", "a-b\n/", "a-b\r\n/", "é-b/", "_a-b/", "a-b-/", "-a-b/", "a--b/", "😀a-b/x-y"):
        _kebab_left_both(text)


# Where `_at_matches` tries `_AT`: "@" alone, doubled and at the ends, "@agent-", names with and
# without the characters the pattern takes ("-", "_", digits) and ends on, non-ASCII letters,
# emoji, line ends (CRLF too).
AT_PIECES = ["@", "@@", "@agent-", "agent", "a", "Z", "x9", "-", "_", "9", ".", "/", " ", "\n", "\r\n", "\u00e9",
             "\U0001f600", "code-reviewer", "@a", "@1", "@-", ""]


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.lists(st.sampled_from(AT_PIECES), max_size=30).map("".join))
def test_at_matches_are_the_finditer_matches(text):
    expected = [(m.span(), m.group(0)) for m in mentions._AT.finditer(text)]
    assert [(m.span(), m.group(0)) for m in mentions._at_matches(text)] == expected, text


# Lines of a body around names the block recognisers may already hold: kebab names in every form
# (bold, plugin-prefixed, "@x", `subagent_type`), Title-Case roles, "x agent" after a pass-on
# verb, weak phrases after a verb, relation labels, headings that make a block about agents,
# tables, non-ASCII arrows, emoji, CRLF and a long line.
BODY_PIECES = ["## Delegation\n", "## Tools\n", "\n", "- ", "1. ", "**Delegate to ml-engineer**:\n", "→ Delegate to ",
               "**ml-engineer**", "ml-engineer", "data-scientist", "plug:code-reviewer", "@code-reviewer", "@pterm",
               "subagent_type=\"code-reviewer\"", "code-reviewer", "Code Reviewer", "Code Reviewer agent",
               "the research agent", "hand off to", "use",
               "ask the context manager", "query training engineer", "Works with: ", "or", ", ", " ", "agent",
               "production-grade", "gpt-4o", "(x)", "| Agent | When |\n|---|---|\n| ml-engineer | now |\n", "\r\n",
               "\u2192", "\U0001f600", "\u00e9", "x" * 300]


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.lists(st.sampled_from(BODY_PIECES), max_size=40).map("".join), st.data())
def test_known_lines_give_what_the_caller_keeps(body, data):
    """`references.scan` does not judge a line whose every name the caller already holds: what
    it gives the caller then keeps is what judging every line gives, for any set of known names."""
    from agentc.compiler import references
    from agentc.compiler.source import read_source

    src = read_source("a.md", f"---\nname: self-agent\ndescription: x\n---\n{body}\n".encode())
    reading = references.read(src, "self-agent")
    hits, weak = references.scan(src, "self-agent", reading)
    keys = sorted({(mentions.normal(h[2].target), h[0]) for h in hits} | {("-".join(w[2]), w[0]) for w in weak})
    known = data.draw(st.sets(st.sampled_from(keys))) if keys else set()

    def kept(found: tuple) -> tuple:
        hits, weak = found
        return ([(ln, col, h.target, h.kind, h.pattern) for ln, col, h, *_ in hits if (mentions.normal(h.target), ln) not in known],
                [w for w in weak if ("-".join(w[2]), w[0]) not in known])

    assert kept(references.scan(src, "self-agent", reading, known)) == kept((hits, weak))


def test_a_line_naming_only_known_edges_is_not_judged(monkeypatch):
    """Its names are not judged; the other line's are."""
    from agentc.compiler import references
    from agentc.compiler.source import read_source

    src = read_source("a.md", b"## Delegation\n\n- Frontend work \xe2\x86\x92 Delegate to **frontend-developer**\n"
                              b"- The code-reviewer agent checks style.\n")
    judged: list[tuple[str, list[str]]] = []
    judge_line = mentions.judge_line

    def counted(line: str, cands, *args):
        judged.append((line, [c.target for c in cands]))
        return judge_line(line, cands, *args)

    monkeypatch.setattr(mentions, "judge_line", counted)
    monkeypatch.setattr(references, "_native_walk", None)  # the C walk calls the C judge itself (its test: test_judge_native)
    reading = references.read(src, "x")
    hits, _ = references.scan(src, "x", reading, {("frontend-developer", 3)})
    assert [h[2].target for h in hits] == ["code-reviewer"]
    # the first line is still read for weak phrases ("Delegate" is a hint word), with no name to judge
    assert judged == [("- Frontend work → Delegate to **frontend-developer**", []),
                      ("- The code-reviewer agent checks style.", ["code-reviewer"])]


# Lines around the weak-phrase verbs with non-ASCII signs (arrows, check marks, emoji, a variation
# selector, a circled letter, a lone surrogate) and the non-ASCII characters that keep a line on the
# regex (letters, digits, numerals, blanks, "İ", the Kelvin sign), CRLF and a long line.
SIGN_PIECES = ["ask", "Ask", "query", "use", "with", "to", "the", "context", "manager", "code", "reviewer", "engineer", "x",
               "-", "_", " ", "\t", "\r\n", "\u2192", "\u2705", "\u274c", "\u26a0\ufe0f", "\U0001f600", "\u24b6", "\udc80",
               "\u2010", "\u00e9", "\u0663", "\u00b2", "\u2160", "\u00a0", "\u2003", "\u3000", "\u0085", "\u0130", "\u212a",
               "", "x" * 400]


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.lists(st.sampled_from(SIGN_PIECES), max_size=30).map(" ".join)
       | st.lists(st.sampled_from(SIGN_PIECES), max_size=30).map("".join))
def test_weak_phrases_of_a_line_with_signs_are_the_regex_phrases(line):
    assert mentions.weak_phrases(line) == mentions._weak_phrases_py(line), line


def test_a_line_of_ascii_and_signs_goes_to_the_c_scan(monkeypatch):
    asked: list[str] = []
    monkeypatch.setattr(mentions, "_native_weak", lambda line: asked.append(line) or [])
    for line in ("→ ask the code reviewer ✅", "ask the café reviewer", "ask\u00a0the code reviewer", "ask the code reviewer"):
        mentions.weak_phrases(line)
    assert asked == ["? ask the code reviewer ?", "ask the code reviewer"]


def test_a_block_without_agent_is_not_searched_for_use_the_agent(monkeypatch):
    """`find` asks `_use_agent` only of a list item or paragraph that says "agent"."""
    from agentc.compiler import delegation
    from agentc.compiler.markdown import ListItem

    asked: list[str] = []
    use_agent = delegation._use_agent
    monkeypatch.setattr(delegation, "_use_agent", lambda text, *a: asked.append(text) or use_agent(text, *a))
    found = [list(delegation.find(ListItem(line=1, col=1, end=1, text=text), "other", "x"))
             for text in ("Pair with code-reviewer on diffs", "Use the code-reviewer AGENT for diffs")]
    assert [[f.target for f in fs] for fs in found] == [["code-reviewer"], ["code-reviewer"]]
    assert asked == ["Use the code-reviewer AGENT for diffs"]


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.lists(st.sampled_from([*USE_PIECES, "AGENT", "aGeNt", "\u0410gent"]), max_size=16)
       .map(lambda p: " ".join(p) if len(p) % 2 else "".join(p)))
def test_use_agent_needs_agent_in_the_lowercased_text(text):
    """What `find` tests before `_use_agent`: re.I folds no character but A-Z to "agent"'s letters."""
    from agentc.compiler.delegation import _USE_AGENT

    if "agent" not in text.lower():
        assert _USE_AGENT.search(text) is None, text


# The characters `_upto_sentence` decides by: ".", ";", ":" after word characters (ASCII and not),
# after another ".", at the start; blanks of both kinds; the end of the text.
CLAUSE_PIECES = [".", ";", ":", " ", "\t", "\n", "\u00a0", "\u3000", "x", "é", "\u0663", "_", "**ml-engineer**", "or",
                 "e.g.", "→", "🚫", "\u0130", "\u212a", ",", ""]


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.lists(st.sampled_from(CLAUSE_PIECES), max_size=14).map("".join) | st.text(max_size=40))
def test_a_clause_ends_where_the_first_pattern_says(text):
    """`_upto_sentence` (a search only where ".", ";" or ":" is, and a pattern whose choices start
    with their character) cuts where the pattern as first written cuts."""
    from agentc.compiler.delegation import _upto_sentence

    m = re.search(r"(?<![.\w])\.(?:\s|$)|[;:]\s", text)
    assert _upto_sentence(text) == ((text[: m.start()], text[m.end():]) if m else (text, "")), text


# `_RELATION_LABEL` as it was written before its labels were grouped by first letter: the reference.
_FLAT_RELATION_LABEL = re.compile(
    r"^(?:\*\*|__)?\s*(?P<label>" + "|".join(mentions._RELATION_WORDS) + r")\s*(?:\*\*|__)?\s*:\s*(?:\*\*|__)?",
    re.I,
)
LABEL_PIECES = ["handoff", "Handoffs", "hand", "HAND", "hands", "hand-off", "off", "to", "from", "with", "well", "by", "into",
                "feeds", "feed", "next", "agents", "agent", "see", "also", "works", "pairs", "escalat", "escalation", "related",
                "before", "after", "İnputs", "ınvoked", "ſee", "Kelvin", "\u212a", "😀", "é", " ", "  ", "\t", "\r\n", ":", "**",
                "__", "x" * 200]


def _label(m):
    return None if m is None else (m.span(), m.group("label"))


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.lists(st.sampled_from(LABEL_PIECES), max_size=8).map("".join))
def test_relation_label_grouped_by_first_letter_matches_the_flat_one(text):
    assert _label(mentions._RELATION_LABEL.match(text)) == _label(_FLAT_RELATION_LABEL.match(text))


def test_relation_label_odd_input():
    for text in ("", "İnputs from: x", "ınputs from: x", "ſee also: x", "\u212aeeds: x", "Hand-offs:\r\n", "😀 after: x",
                 "**Feeds into**: a", "feeds into: a", "Works well with: a", "Before" + " " * 5000 + ":", "next agents:"):
        assert _label(mentions._RELATION_LABEL.match(text)) == _label(_FLAT_RELATION_LABEL.match(text)), text
    assert _label(mentions._RELATION_LABEL.match("**Handoff to**: x")) == ((0, 16), "Handoff to")


CTX_PIECES = ["Delegate", "to", "agent-0042", "Agents", "sub-agent", "SubAgent", "vs", "VS.", "versus", "Comparison", "compared",
              "differs", "distinction", "Skills", "skill", "Command", "plugins", "Tools", "MCP", "x", ":", "**", " ", "-",
              "hand-offs", "Works", "with", "Upstream", "peers", "who", "call", "routing", "bring", "in", "execution", "order",
              "\u017f", "\u212a", "\u0130", "\u0131", "\u00e9", "\u2192", "\U0001f600"]


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.lists(st.sampled_from(CTX_PIECES), max_size=12).map(" ".join), st.sampled_from([
    (mentions.DELEG_CTX, references._DELEG_WORDS), (mentions._COMPARE_CTX, references._COMPARE_WORDS),
    (references._SKILL_CTX, references._SKILL_WORDS),
    (references._AGENT_WORD, references._AGENT_WORDS)]))
def test_context_words_skip_no_match(text, pattern):
    """`references._holds` leaves an ASCII text without one of the pattern's words unsearched:
    it gives what the search gives ("ſ", the Kelvin sign, "İ" and "ı" make a text non-ASCII)."""
    rx, words = pattern
    low = text.lower() if text.isascii() else None
    assert references._holds(rx, words, text, low) is (rx.search(text) is not None), text


def test_context_of_a_title_and_a_lead_in():
    """What `_title_ctx` and `_lead_says` say of titles holding each pattern's words, or none."""
    title_ctx, lead_says = references._title_ctx.__wrapped__, references._lead_says.__wrapped__
    assert title_ctx("Delegate to agent-0042") == (True, False, False, True)
    assert title_ctx("Skills vs. Tools") == (True, True, True, False)
    assert title_ctx("Core Capabilities") == (False, False, False, False)
    assert title_ctx("\u017fkills") == (False, False, True, False)  # re.I reads "ſ" as "s"
    assert lead_says("**Work with sub-agents:**") == (True, False, True)
    assert lead_says("**MCP tools**:") == (False, True, False)
