"""The C line judge (agentc.compiler._judge) against the Python one it stands in for: its
`scan_line` gives what mentions._scan_line_py gives on every line references.scan reads in the
repository's markdown and the shared corpus (when it is beside the checkout), and on
hypothesis-made lines built from the characters that decide a name's evidence (markup, blanks
ASCII and not, digits ASCII and not, list and check marks, curly quotes, "İ", the Kelvin sign,
emoji, CRLF, a lone surrogate, a long line), with names found by mentions._candidates or placed
anywhere on the line, and every flag and table range. Also: it is used when built (and must be,
where CI says so with AGENTC_REQUIRE_NATIVE=1), bad arguments are TypeErrors, and it leaks no
memory. Its `walk` (references.scan's loop over an agent's lines, one call per file) gives what
references._walk_py gives on the same files and on hypothesis-made markdown."""

from __future__ import annotations

import os
import time

import pytest
from conftest import ROOT, SHARED, assert_no_leak, md_files, native_in_use, native_or_skip
from hypothesis import given, settings
from hypothesis import strategies as st

from agentc.compiler import markdown, mentions, references, structure
from agentc.compiler import native as native_module
from agentc.compiler.source import read_source

EXAMPLES = int(os.environ.get("AGENTC_HYPOTHESIS_EXAMPLES", "300"))


@pytest.fixture(scope="module")
def native():
    """The C `scan_line` bound to its Python tests, even when this run judges in pure Python."""
    return native_or_skip(mentions._native_judge, "_judge")


@pytest.fixture(scope="module")
def inert():
    """The C `inert`."""
    return native_or_skip(lambda: mentions._native_judge("inert"), "_judge")


@pytest.fixture(scope="module")
def walk():
    """The C `walk` as references.scan calls it."""
    return native_or_skip(references._native, "_judge")


def plain(result):
    """A scan_line result as plain values (Hit compares by its fields too; this shows them on a failure)."""
    hits, weak = result
    return [(h.target, h.kind, h.pattern, h.col, h.strong) for h in hits], weak


def both(native, line, cands, ctx=False, compare=False, self_name="me", lead_ok=True, target_cols=(), first_cell=None,
         skill_ctx=False, weak_hint=False):
    got = native(line, cands, ctx, compare, self_name, lead_ok, target_cols, first_cell, skill_ctx, weak_hint)
    want = mentions._scan_line_py(line, ctx=ctx, compare=compare, self_name=self_name, lead_ok=lead_ok,
                                  target_cols=target_cols, first_cell=first_cell, skill_ctx=skill_ctx, cands=cands,
                                  weak_hint=weak_hint)
    assert plain(got) == plain(want), (line, [(c.start, c.end, c.target, c.form, c.brand) for c in cands])
    starts = references._LABEL_STARTS  # as the C walk calls it: the label regex only where a label may start
    assert plain(native(line, cands, ctx, compare, self_name, lead_ok, target_cols, first_cell, skill_ctx, weak_hint,
                        starts)) == plain(want), line
    return got


def same_inert(inert, line, cands):
    """The C `inert`, without and with the label starts, gives what mentions.inert gives."""
    want = mentions.inert(line, cands)
    assert inert(line, cands) == want, line
    assert inert(line, cands, references._LABEL_STARTS) == want, line
    return want


def test_mentions_uses_the_native_judge_when_built():
    from agentc.compiler import delegation

    _judge = native_in_use("agentc.compiler._judge")
    if _judge is None:
        assert mentions._native_scan is None
        assert (mentions.judge_line, mentions.inert_line) == (mentions._judge_line_py, mentions.inert)
        assert references._native_walk is None
        assert references._contexts is references._contexts_py
        assert delegation._heads is delegation._heads_py
        assert delegation.block_targets is delegation._block_targets_py
        assert structure._edges is structure._edges_py
    else:
        assert mentions._native_scan.func is _judge.scan_line
        assert mentions.judge_line is mentions._native_scan
        assert mentions.inert_line.func is _judge.inert
        assert references._native_walk is not None
        assert references._contexts is _judge.contexts
        assert delegation._heads is _judge.heads
        assert delegation.block_targets.func is _judge.block_targets
        assert structure._edges.func is _judge.edges


def test_every_line_the_reader_judges_is_judged_the_same(native, inert, monkeypatch):
    """Each call references.scan makes, on the repository's markdown and ../shared/corpus."""
    compared = []

    def checked(line, cands, ctx, compare, self_name, lead_ok, target_cols, first_cell, skill_ctx, weak_hint):
        compared.append(line)
        return both(native, line, cands, ctx, compare, self_name, lead_ok, target_cols, first_cell, skill_ctx, weak_hint)

    def checked_inert(line, cands):
        return same_inert(inert, line, cands)

    monkeypatch.setattr(mentions, "judge_line", checked)
    monkeypatch.setattr(mentions, "inert_line", checked_inert)
    monkeypatch.setattr(references, "_native_walk", None)  # the C walk calls the C judge itself
    for path in md_files(ROOT / "agents", ROOT / "tests", SHARED / "corpus"):
        try:
            src = read_source(path.name, path.read_bytes())
        except Exception:  # noqa: BLE001 - a file the reader refuses has no lines to judge
            continue
        references.scan(src, path.stem, references.read(src, path.stem))
    assert len(compared) > 50
    assert any(not line.isascii() for line in compared)


# What decides a name's evidence: names of each form, the words before and after them that the
# tests look for, markup, list and check marks (ASCII and not), digits (ASCII and not), blanks
# (ASCII, \x1c, U+00A0, U+2003, U+0085), curly quotes, "İ" and the Kelvin sign (whose lowercase is
# ASCII), emoji, CRLF, a newline, a lone surrogate and a long run.
PIECES = ["code-reviewer", "test-runner", "gpt-4o", "real-time", "qa-agent", "Reality Checker", "Code Reviewer",
          "Data Scientist", "@helper", "@agent-x-y", 'subagent_type="deploy-bot"', "plug:code-reviewer", "Google Tag Manager",
          "agent", "agents", "subagent", "sub-agent", "the", "a", "an", "The", "AGENT", "A\u212aent", "s\u212aill",
          "skill", "tool", "command", "use", "Use", "hand off to", "delegate to", "handled by", "that's for", "owner:",
          "Agent:", "pair with", "work with", "prefer", "over", "instead of", ">", "->", "\u2192", "and", "or", ",", "/",
          "+", "&", "decides", "reviews", "checks", "can", "from", "ask", "query", "consult", "with", "ping", "notify",
          "Handoff from", "After", "Related", "Works with", "**", "__", "`", '"', "'", "(", ")", "[", "]", "[x]", "[ ]",
          "|", ":", " : ", "-", "*", "+", ">", "1.", "2)", "\u0663.", "\u2022", "\u274c", "\u2705", "\u26a0\ufe0f",
          "\U0001f6ab", "\u201c", "\u201d", "\u2018", "\u2019", "You are", "as a", "role:", "  ", " ", "\t", "\x1c",
          "\u00a0", "\u2003", "\u0085", "\r\n", "\n", "\u0130", "\u0131", "\u00e9", "\U0001f600", "\udc80", "x" * 130, "",
          # the words and the ending `strong_before` decides by before it searches: "delegate to" after no word character,
          # a word each form needs (folded by re.I from "ſ", "ı", "İ" too), heads ending in "to", "by", "for", "of", ":"
          "Delegate to", "DELEGATE\u00a0 TO", "xdelegate to", "_delegate to", "\u00e9delegate to", "delegate\tto:", "delegate",
          "to", "by", "for", "of", "what", "passed", "pa\u017f\u017fed", "a\u017f\u017fign", "\u0130mplemented", "subm\u0131t",
          "sends", "routed", "stays", "left", "owned by", "owner", "job", "that is for", "delegation to", "the", "x" * 60,
          # and those `word_agent_may` decides by
          "research agent", "agent when", "agent classifies", "agent \u017fo", "agent\u00a0with", "agent.", "sub- agent"]
FORMS = ["kebab", "title", "at", "at-word", "sub", "word"]
TARGETS = ["code-reviewer", "test-runner", "gpt-4o", "qa-agent", "reality-checker", "data-scientist", "helper",
           "plug:code-reviewer", "x", "me", "me-agent"]
flags = st.booleans()


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=24).map(" ".join) | st.lists(st.sampled_from(PIECES), max_size=24).map("".join),
       flags, flags, flags, flags, flags, st.sampled_from(["me", "code-reviewer", "reality-checker"]), st.data())
def test_lines_with_their_own_names_are_judged_the_same(native, inert, line, ctx, compare, lead_ok, skill_ctx, weak_hint,
                                                        self_name, data):
    line = mentions.prepare(line)
    cands = mentions._candidates(line, self_name)
    n = len(line)
    bound = st.integers(min_value=-3, max_value=n + 3)
    cols = tuple(data.draw(st.lists(st.tuples(bound, bound), max_size=3)))
    first = data.draw(st.none() | st.tuples(bound, bound) | st.just(()))
    both(native, line, cands, ctx, compare, self_name, lead_ok, cols, first, skill_ctx, weak_hint)
    same_inert(inert, line, cands)


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=16).map("".join), flags, flags, flags, st.data())
def test_names_placed_anywhere_are_judged_the_same(native, inert, line, ctx, compare, weak_hint, data):
    """Any form, target and brand at any place: no rule may lean on what `_candidates` finds."""
    n = len(line)
    cuts = sorted(data.draw(st.lists(st.integers(min_value=0, max_value=n), max_size=8)))
    cands = [mentions._Cand(cuts[k], cuts[k + 1], data.draw(st.sampled_from(TARGETS)), data.draw(st.sampled_from(FORMS)),
                            data.draw(flags), data.draw(flags))
             for k in range(0, len(cuts) - 1, 2)]
    both(native, line, cands, ctx, compare, "me", True, ((0, n // 2),) if n % 3 else (), (0, n // 3) if n % 2 else None,
         False, weak_hint)
    same_inert(inert, line, cands)


def test_odd_lines(native, inert):
    for line in ("", " ", "\r\n", "\n", "agent", "x" * 5000 + " code-reviewer agent", "**code-reviewer**: " + "y" * 3000,
                 "- \u26a0\ufe0f **Code Reviewer** \u2192 reviews", "1. [x] \u201ccode-reviewer\u201d decides",
                 "\u0130 code-reviewer \u212a", "hand off to the research agent", "Handoff from: code-reviewer, test-runner",
                 # the word search (`find`): a word cut at the line's end, first letters repeated, a word longer
                 # than the line, words past a non-ASCII character and on a lowered copy on the heap
                 "use code-reviewer agen", "aagent aaagent agenagent code-reviewer", "sskill ttool code-reviewer", "a",
                 "\u2192 code-reviewer A\u212aENT \U0001f600 sub agent", "x" * 300 + " code-reviewer skill mcp agent",
                 "\u00e9" * 300 + " use code-reviewer, then the research agent"):
        line = mentions.prepare(line)
        for ctx in (False, True):
            both(native, line, mentions._candidates(line, "me"), ctx=ctx, weak_hint=True)
        same_inert(inert, line, mentions._candidates(line, "me"))


CASE_BITS = ["@", "A", "Z", "[", "`", "a", "z", "{", "\x7f", " ", "\u00e9", "\u00c4", "AGENT", "Agent", "SKILL", "Tool",
             "USE", "Hand off to", "THE", "Research", "code-reviewer", "Code Reviewer", "MCP", "sub-AGENT"]


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.lists(st.sampled_from(CASE_BITS), max_size=24).map("".join), st.integers(min_value=0, max_value=15), flags)
def test_lines_lowered_eight_at_a_time_are_judged_the_same(native, inert, line, pad, weak_hint):
    """The line lowered eight characters at once (`lower8`): capitals and their ASCII neighbours ("@", "[",
    "`", "{", DEL) at any place of an eight-character chunk, and a Latin-1 letter after whole chunks."""
    line = mentions.prepare("." * pad + line)
    for ctx in (False, True):
        both(native, line, mentions._candidates(line, "me"), ctx=ctx, weak_hint=weak_hint)
    same_inert(inert, line, mentions._candidates(line, "me"))


def test_capitals_at_every_place_of_a_chunk_are_lowered(native):
    """A capital at each of the eight places of a chunk, before and after a Latin-1 letter: "AGENT" and
    "SKILL" must lower for the word-agent and skill rules to see them (a hit or none)."""
    kinds = set()
    for said in ("hand off to the research agent when done", "HAND OFF TO THE RESEARCH AGENT WHEN DONE",
                 "Hand Off To The Research Agent When Done", "use the SKILL tool: code-reviewer agent"):
        for pad in range(16):
            for before in ("", "\u00e9 "):
                line = mentions.prepare(before + "." * pad + " " + said)
                got = both(native, line, mentions._candidates(line, "me"), weak_hint=True)
                kinds.add(tuple(h.pattern for h in got[0]))
    assert ("M word-agent",) in kinds  # the word-agent rule was reached, not only passed by


AGENT_BITS = ["agent", "AGENT", "aGeNt", "agen", "gent", "g", "G", "a", "A", "t", "\u00e0", "\u00c1gent", "ag\u00e9nt",
              "\u212a", "\u0130", "\U0001f600", " ", "code-reviewer", "Code Reviewer", "Works with:", "**Tools**:"]


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.lists(st.sampled_from(AGENT_BITS), max_size=12).map("".join))
def test_inert_finds_agent_as_mentions_inert(inert, line):
    """inert's "agent" test without a lowered copy: any case, at either end, next to Latin-1 letters, in
    lines of one, two and four bytes a character."""
    line = mentions.prepare(line)
    same_inert(inert, line, mentions._candidates(line, "me"))


def test_heads_before_a_name_are_judged_the_same(native):
    """The heads `strong_before` (C) decides without the pattern: "... delegate to" after no word
    character, and heads holding none of the words its forms need, spelled with the letters re.I
    folds from others ("ſ" is "s", "ı" and "İ" are "i", the Kelvin sign is "k")."""
    verbs = ["Delegate", "DELEGATE", "delegated", "xdelegate", "_delegate", "\u00e9delegate", "1delegate", "de-legate",
             "pa\u017f\u017fed", "a\u017f\u017figned", "subm\u0131t", "d\u0130spatch", "\u0130mplemented", "handled", "owned",
             "decided", "that's", "job", "agent", "owner", "related", "used", "close", "\u212aept", ""]
    ends = [" to", "\u00a0to", " \t TO", "to", " to:", " by", " for", " of", " what", ":", " too", " into", " the", ""]
    strong = 0
    for pre in ("", "x ", "Now ", "**", "\u2192 ", "x" * 100 + " ", "stuff. "):
        for verb in verbs:
            for end in ends:
                line = f"{pre}{verb}{end} code-reviewer for diffs"
                for ctx in (False, True):
                    got = both(native, line, mentions._candidates(line, "me"), ctx=ctx)
                    strong += any(h.pattern == "M delegation verb" for h in got[0])
    assert strong > 100


def test_word_agents_are_judged_the_same(native):
    """The lines `word_agent_may` (C) keeps from `_word_agents`: no "agent" after a blank, "sub" or
    "sub-"; "agent" followed by a word character or "-"; "agent" followed by a word that is none of
    those the pattern allows, also where re.I folds "ſ", "ı", "İ" or the Kelvin sign to its letters."""
    found = 0
    for lead in ("Hand off to the", "route it to", "pass the diff for", "Use the", "use", "prepare the task and send to",
                 # no cue, or not right before "[the] <word>": `cue_then_word` refuses; folded letters: it leaves it
                 "Hand off", "hand off to a", "pass it into the", "pass it onto", "pass for  the \t", "hand off to\u00a0the",
                 "pass it to th\u00e9", "pass it u\u017fe the", "send the data for", "pass to\nthe", "hand it to the the",
                 "invo\u212ae the", "hand off TO THE", "pass,to the", "pass_to the"):
        for word in ("research", "Research", "re\u017fearch", "qa", "code"):
            for agent in (" agent", " AGENT", "\u00a0agent", "agent", " subagent", " sub-agent", " sub agent", "-agent",
                          " sub- agent", "  agent", " \u017fubagent"):
                for tail in ("", ".", " when done", " classifies it", " so", " \u017fo", " \u0131f", " \u0130f", " to x",
                             " with", " without", " agents", "s", "-0001", "_x", "\u00e9", " \u00e9t\u00e9", " 42", "\n x",
                             " \u212aeeps", " ifx", " \u0130s"):
                    for line in (f"{lead} {word}{agent}{tail}", f"See agent-x. {lead} {word}{agent}{tail}"):
                        got = both(native, line, mentions._candidates(line, "me"))
                        found += any(h.pattern == "M word-agent" for h in got[0])
    assert found > 200


def test_weak_phrases_of_lines_with_signs_are_judged_the_same(native):
    """A line whose only characters other than ASCII are signs goes to the C weak phrase scan with
    "?" for each (`weak_ascii_line`); one with a word character or a blank other than ASCII ("é",
    "٣", U+00A0, U+2003, "ſ") to the Python scan: either way as `_scan_line_py` finds them."""
    found = 0
    for odd in ("\u2192", "\u2705", "\u2014", "\U0001f600", "\udc80", "\u00e9", "\u0663", "\u00a0", "\u2003", "\u017f",
                "\u0130", "\u212a", "\u2192\u00e9"):
        for text in (f"{odd} ask the context manager", f"ask the{odd}context manager", f"query{odd} the data engineer {odd}",
                     f"ask the context manager {odd} then code-reviewer", f"{odd}", f"consult the \u212aey manager{odd}"):
            line = mentions.prepare(text)
            for skill_ctx in (False, True):
                got = both(native, line, mentions._candidates(line, "me"), skill_ctx=skill_ctx, weak_hint=True)
                found += bool(got[1])
    assert found > 20


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=16).map(" ".join), st.sampled_from(["me", "code-reviewer"]))
def test_a_description_is_judged_as_scan_line_judges_it(text, name):
    """`references._judge_description` finds the names and the hint itself and asks the line judge
    (C when built): what `_scan_line_py` gives the text."""
    want = mentions._scan_line_py(text, ctx=False, compare=False, self_name=name, lead_ok=False)
    assert plain(references._judge_description(text, name)) == plain(want), text


def test_the_weak_hint_pattern_is_its_words():
    """`_judge_description` tests each of `_HINT_WORDS` as a substring for `_WEAK_HINT.search`."""
    import re

    assert "|".join(mentions._HINT_WORDS) == mentions._WEAK_HINT.pattern and not mentions._WEAK_HINT.flags & re.I
    assert all(re.fullmatch(r"[a-z ]+", word) for word in mentions._HINT_WORDS)


def test_bad_arguments_are_type_errors(native, inert):
    cands = mentions._candidates("use code-reviewer", "me")
    with pytest.raises(TypeError):
        native(b"use code-reviewer", cands, False, False, "me", True, (), None, False, False)
    with pytest.raises(TypeError):
        native("use code-reviewer", tuple(cands), False, False, "me", True, (), None, False, False)
    with pytest.raises(TypeError):
        native("use code-reviewer", cands, False)
    with pytest.raises(TypeError):
        native.func((), "use code-reviewer", cands, False, False, "me", True, (), None, False, False)
    with pytest.raises(ValueError):  # a name past the line's end
        native("use", cands, False, False, "me", True, (), None, False, False)
    with pytest.raises(TypeError):
        inert("use code-reviewer", tuple(cands))
    with pytest.raises(TypeError):
        inert("use code-reviewer")
    with pytest.raises(TypeError):
        inert.func((), "use code-reviewer", cands)
    for starts in (["work"], "work", (1,), ("w\u00f6rk",), ("work",) * 65):  # the label starts: at most 64 ASCII str
        with pytest.raises(TypeError):
            native("Works with: code-reviewer", cands, False, False, "me", True, (), None, False, False, starts)
        with pytest.raises(TypeError):
            inert("Works with: x", [], starts)
    with pytest.raises(TypeError):
        native("use code-reviewer", cands, False, False, "me", True, (), None, False, False, (), 1)
    with pytest.raises(TypeError):
        inert("use code-reviewer", cands, (), 1)


def test_no_leak(native, inert):
    lines = [mentions.prepare(t) for t in ("- **code-reviewer**: reviews, then hand off to the test-runner agent",
                                           "Use the Code Reviewer \u2192 Reality Checker (a-b)", "ask the context manager",
                                           "| `qa-agent` | x |", "Handoff from: code-reviewer, test-runner",
                                           "y " * 200 + "hand off to the research agent",  # a lowered copy on the heap
                                           # strong_before's "delegate to" and its word test, word_agent_may's
                                           # refusals, a line without names with and without a weak phrase
                                           "\u2192 Delegate to code-reviewer", "Related to code-reviewer",
                                           "Delegate to agent-0001 or the Supervisor agent classifies",
                                           "ask the context manager", "ask nobody",
                                           "\u2192 ask the context manager \u2705", "\u2192 ask the caf\u00e9 manager")]
    args = [(line, mentions._candidates(line, "me")) for line in lines]

    def calls():
        for line, cands in args:
            native(line, cands, True, False, "me", True, ((0, 5),), (0, 12), False, True)
            native(line, cands, False, True, "me", False, (), None, False, False)
            inert(line, cands)
            native(line, cands, False, False, "me", True, (), None, False, True, references._LABEL_STARTS)
            inert(line, cands, references._LABEL_STARTS)
        try:
            native("use", cands, False, False, "me", True, (), None, False, False)
        except ValueError:
            pass
        try:
            inert("Works with: x", [], (1,))
        except TypeError:
            pass

    assert_no_leak(calls)


def both_walks(walk, src, name, known=frozenset()):
    """references.scan with the C walk and with `_walk_py`: the same names, and the C one ran."""
    reading = references.read(src, name)
    ran = []

    def c_walk(*args):
        ran.append(True)
        return walk(*args)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(references, "_native_walk", c_walk)
        got = references.scan(src, name, reading, known)
        mp.setattr(references, "_native_walk", None)
        want = references.scan(src, name, reading, known)
    assert got == want, src.file
    assert ran or reading.hinted is None  # a file whose lowering moves offsets is walked in Python
    return got


def test_every_file_is_walked_the_same(walk):
    """The repository's markdown and ../shared/corpus, with no names known and with every other
    name the first walk found known (the lines whose names are all known are judged without them)."""
    walked = 0
    for path in md_files(ROOT / "agents", ROOT / "tests", SHARED / "corpus"):
        try:
            src = read_source(path.name, path.read_bytes())
        except Exception:  # noqa: BLE001 - a file the reader refuses has no lines to walk
            continue
        hits, _ = both_walks(walk, src, path.stem)
        both_walks(walk, src, path.stem, {(mentions.normal(h[2].target), h[0]) for h in hits[::2]})
        walked += bool(hits)
    assert walked > 10


# Lines of each kind of block the walk tells apart: headings about agents, skills or comparing,
# lead-ins that set or reset a context, list items, tables (a column about agents or not, an
# escaped pipe), fences, labels, example tags; then odd text from PIECES.
MD_LINES = ["# Title", "## Delegation", "## Tools and skills", "### Compare agents", "## Working with others",
            "**Work with:**", "**Skills:**", "**Commands:**", "Agents to call:", "Hand off to:", "",
            "- Use `code-reviewer` for reviews", "- hand off to the research agent", "1. **test-runner**: runs tests",
            "- **Code Reviewer** \u2192 reviews", "Handoff from: code-reviewer, test-runner", "ask the context manager",
            "| Agent | When |", "| Tool | Use |", "|---|---|", "| code-reviewer | x |", "| `qa-agent` \\| y | z |",
            "| Reality Checker | decides |", "```", "code-reviewer agent", "<example>", "</example>",
            "**Delegate to** test-runner:", "  - nested code-reviewer item", "> quoted test-runner agent"]


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.lists(st.sampled_from(MD_LINES) | st.lists(st.sampled_from(PIECES), max_size=8).map(" ".join), max_size=30),
       st.sampled_from(["\n", "\r\n"]), st.booleans(), st.sampled_from(["me", "code-reviewer"]))
def test_made_markdown_is_walked_the_same(walk, lines, eol, front, name):
    text = eol.join((["---", "name: x", "description: Use code-reviewer agent", "---"] if front else []) + lines)
    src = read_source("x.md", text.encode("utf-8", "surrogatepass"))
    hits, _ = both_walks(walk, src, name)
    both_walks(walk, src, name, {(mentions.normal(h[2].target), h[0]) for h in hits})


def test_odd_files_are_walked_the_same(walk):
    for text in ("", "\n", "code-reviewer", "\u0130 code-reviewer agent \u212a", "- use code-reviewer\r\n" * 3,
                 "## Delegation\n" + "x" * 5000 + " code-reviewer agent\n- \U0001f600 test-runner \u2192 qa-agent",
                 "| Agent |\n|---|\n| code-reviewer |\n\n**Skills:**\n- pdf-maker skill"):
        both_walks(walk, read_source("x.md", text.encode()), "me")


def c_walk_args(walk):
    """The C function and the arguments references._native_walk gives it for a two-line file."""
    src = read_source("x.md", b"## Work\n- use code-reviewer")
    reading = references.read(src, "x")
    cells = [c.cell_contents for c in walk.__closure__]
    module = next(c for c in cells if hasattr(c, "walk"))
    env = next(c for c in cells if isinstance(c, tuple))
    return module.walk, [env, src, reading.names, reading.hinted, reading.lines, src.blocks, reading.firsts, src.owner,
                         [(False, False, False)] * len(src.sections), reading.titles, "x", frozenset(), [], []]


def test_walk_bad_arguments_are_type_errors(walk):
    c_walk, args = c_walk_args(walk)
    c_walk(*args)
    assert args[-2] and args[-2][0][0] == 2
    with pytest.raises(TypeError):
        c_walk(*args[:-1])
    for at, bad in ((0, ()), (2, list(args[2].items())), (3, None), (8, ((False, False, False),)), (12, ())):
        with pytest.raises(TypeError):
            c_walk(*args[:at], bad, *args[at + 1:])
    with pytest.raises(TypeError):
        c_walk((*args[0][:-1], ()), *args[1:])
    with pytest.raises(TypeError):  # a section's context that is no 3-tuple
        c_walk(*args[:8], [(False,)] * len(args[8]), *args[9:])


def test_walk_no_leak(walk):
    text = ("## Delegation\n**Work with:**\n- use code-reviewer, then hand off to the research agent\n\n"
            "| Agent | When |\n|---|---|\n| test-runner | x |\n\n**Skills:**\n- pdf-maker skill\n"
            "Handoff from: code-reviewer, test-runner\n")
    src = read_source("x.md", text.encode())
    reading = references.read(src, "x")
    chain = [(True, False, False)] * len(src.sections)
    known = {("code-reviewer", 3)}
    c_walk, args = c_walk_args(walk)

    def calls():
        walk(src, reading, chain, "me", known, [], [])
        walk(src, reading, chain, "me", frozenset(), [], [])
        try:
            c_walk(*args[:8], [(False,)] * len(args[8]), *args[9:])
        except TypeError:
            pass

    assert_no_leak(calls)


def _judge_c(name: str):
    """The C function `name` of _judge, even in a pure-Python run (native_or_skip skips or fails
    when the module is not built)."""
    return getattr(native_or_skip(lambda: native_module.load("_judge", name), "_judge"), name)


@pytest.fixture(scope="module")
def label_may():
    """The C `label_may`, the walk's test before mentions._RELATION_LABEL."""
    return _judge_c("label_may")


LABEL_BITS = ["**", "__", "_", "*", " ", "\t", "\u00a0", "\u3000", ":", "Handoff", "hand", "HAND-OFF", "off", "to", "from",
              "works", "with", "Feeds", "into", "see also", "Related agents", "next", "called by", "escalation", "after",
              "\u017fee", "\u212aey", "\u0131nput", "\u0130nput", "\U0001f600", "\u2192", "Factual", "OpenAI", "x", "\r\n"]


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.from_regex(mentions._RELATION_LABEL))
def test_every_relation_label_starts_as_the_walk_expects(label_may, text):
    """No text the label pattern matches is one `_label_may` turns away: the starts hold every label."""
    assert references._label_may(text, 0, references._LABEL_STARTS)
    assert label_may(text, 0, references._LABEL_STARTS)


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.lists(st.sampled_from(LABEL_BITS), max_size=10).map("".join), st.data())
def test_label_may_is_its_reference(label_may, text, data):
    at = data.draw(st.integers(0, len(text)))
    want = references._label_may(text, at, references._LABEL_STARTS)
    assert label_may(text, at, references._LABEL_STARTS) == want
    assert want or mentions._RELATION_LABEL.match(text[at:]) is None


def test_label_may_odd_text(label_may):
    starts = references._LABEL_STARTS
    for text in ("", ":", "**", "** \u3000Works with:", "__hand off:", "\u212aey", "\u017fee also:", "HANDS TO:",
                 "x" * 100000 + "works with:", "works" + "\U0001f600" * 3, "wor"):
        for at in sorted({0, min(1, len(text)), len(text) // 2, len(text)}):
            assert label_may(text, at, starts) == references._label_may(text, at, starts), (text[:40], at)
    assert label_may("works with:", 0, ()) is False
    assert label_may("anything:", 0, ("",)) is True


def test_label_may_bad_arguments_and_no_leak(label_may):
    starts = references._LABEL_STARTS
    for args in ((), ("x", 0), (b"x", 0, starts), ("x", -1, starts), ("x", 2, starts), ("x", "0", starts),
                 ("x", 0, ["work"]), ("x", 0, ("w\u00f6rk",)), ("x", 0, (1,)), ("x", 2**70, starts)):
        with pytest.raises((TypeError, OverflowError)):
            label_may(*args)

    def calls():
        label_may("- **Works with**: x", 4, starts)
        label_may("\u2192 hand off to", 0, starts)
        try:
            label_may("x", 0, ["w"])
        except TypeError:
            pass

    assert_no_leak(calls)


@pytest.fixture(scope="module")
def contexts():
    """The C `contexts`."""
    return _judge_c("contexts")


def _odd_ctx(title: str) -> tuple[bool, bool, bool, bool]:
    """A title_ctx giving every combination: four bits of the title's characters."""
    bits = sum(map(ord, title))
    return bool(bits & 1), bool(bits & 2), bool(bits & 4), bool(bits & 8)


def both_contexts(contexts, src) -> None:
    titles = [markdown.plain(s.title) for s in src.sections]
    for title_ctx in (references._title_ctx, _odd_ctx):
        assert contexts(src.sections, titles, title_ctx) == references._contexts_py(src.sections, titles, title_ctx), src.file


def test_every_file_has_the_same_contexts(contexts):
    for path in md_files(ROOT / "agents", ROOT / "tests", SHARED / "corpus"):
        try:
            src = read_source(path.name, path.read_bytes())
        except Exception:  # noqa: BLE001 - a file the reader refuses has no sections
            continue
        both_contexts(contexts, src)


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.lists(st.sampled_from(MD_LINES + ["# Agent", "#### Deep agents", "##### Five", "Tools:", "- item"]), max_size=30))
def test_made_markdown_has_the_same_contexts(contexts, lines):
    both_contexts(contexts, read_source("x.md", "\n".join(lines).encode()))


def test_contexts_bad_arguments_raise_and_leak_nothing(contexts):
    src = read_source("x.md", b"# A\n## Delegation\nTools:\n- x\n### Skills \xc4\xb0 \xe2\x84\xaa\n- y")
    titles = [markdown.plain(s.title) for s in src.sections]
    good = (src.sections, titles, references._title_ctx)
    bad = [((tuple(src.sections), titles, references._title_ctx), TypeError),
           ((src.sections, titles, None), TypeError),
           ((src.sections, titles, lambda t: (True, False)), TypeError),  # not a 4-tuple
           ((src.sections, titles[1:], references._title_ctx), ValueError),
           ((src.sections, titles, lambda t: 1 / 0), ZeroDivisionError),
           (([src.sections[1], *src.sections[1:]], titles, references._title_ctx), IndexError),  # a parent after its section
           (([*src.sections[:-1], "no section"], titles, references._title_ctx), AttributeError)]
    for args, error in bad:
        with pytest.raises(error):
            contexts(*args)
    with pytest.raises(TypeError):
        contexts(*good[:2])

    def calls():
        contexts(*good)
        for args, error in bad:
            try:
                contexts(*args)
            except error:
                pass

    assert_no_leak(calls)


def _slotted(cls, **values):
    """An instance of `cls` with these slots set."""
    obj = cls()
    for name, value in values.items():
        setattr(obj, name, value)
    return obj


def test_slot_reads_follow_the_class(contexts):
    """The C reads an attribute straight from its slot (`slot_attr`) only while the class is as it
    was when the slot was found: a slot replaced by a property, a class with its own __getattr__ or
    __getattribute__, a plain class attribute and an unset slot read as getattr reads them (the
    contexts of made sections, against the reference, after each change)."""

    class Sec:
        __slots__ = ("parent", "level")

        def __init__(self, parent, level):
            self.parent, self.level = parent, level

    class Hooked(Sec):
        __slots__ = ()

        def __getattribute__(self, name):
            return 1 if name == "level" else object.__getattribute__(self, name)

    class Missing(Sec):
        __slots__ = ()

        def __getattr__(self, name):
            return 2

    titles = ["Agent", "Delegation", "Skills", "Compare agents", "Tools"]

    def same(secs):
        assert contexts(secs, titles, references._title_ctx) == references._contexts_py(secs, titles, references._title_ctx)

    made = lambda cls: [cls(None, 1), cls(0, 2), cls(1, 3), cls(0, 2), cls(3, 3)]  # noqa: E731
    secs = made(Sec)
    for _ in range(3):  # once to find the slots, then from what was kept
        same(secs)
    hooked = made(Hooked)
    same(hooked)  # every level 1: an H1's title is not read
    unset = Missing.__new__(Missing)
    unset.parent = None  # its level unset: __getattr__ gives 2
    same([unset, *made(Missing)[1:]])
    Sec.level = property(lambda self: 1)  # the slot replaced: the class's version changes
    same(secs)
    Sec.parent = None  # a plain class attribute: every section a top one
    same(secs)
    del Sec.parent, Sec.level
    with pytest.raises(AttributeError):
        contexts(secs, titles, references._title_ctx)  # the slots are gone with their descriptors

    class Fresh:
        __slots__ = ("parent", "level")

    class Borrowed:  # Fresh's parent slot on a class without it: getattr raises TypeError
        __slots__ = ("x", "level")
        parent = Fresh.parent

    borrowed = _slotted(Borrowed, x=None, level=2)  # where Fresh holds its parent, a Borrowed holds x
    for _ in range(2):
        with pytest.raises(TypeError):
            references._contexts_py([borrowed], titles[:1], references._title_ctx)
        with pytest.raises(TypeError):
            contexts([borrowed], titles[:1], references._title_ctx)

    bare = Fresh()  # its slots unset: read from the slot, then asked of getattr, which raises
    with pytest.raises(AttributeError):
        contexts([bare], titles[:1], references._title_ctx)
    fresh = made(lambda parent, level: _slotted(Fresh, parent=parent, level=level))

    def calls():
        same(fresh)
        try:
            contexts([bare], titles[:1], references._title_ctx)
        except AttributeError:
            pass

    assert_no_leak(calls)


@pytest.fixture(scope="module")
def visit():
    """The C `visit`."""
    return _judge_c("visit")


def both_visit(visit, src, cues, triggers, heads=None):
    """The blocks the C `visit` and structure._visit_py give `_delegations` to read (its own heads
    unless `heads` is given)."""
    from agentc.compiler import delegation

    reading = references.read(src, "x")
    if heads is None:
        heads = delegation.heads(reading.titles, src.sections, src.blocks)
    args = (src.blocks, reading.firsts, cues, triggers, reading.kinds[markdown.Table], src.owner, src.roles,
            delegation.ALWAYS_READ, heads)
    got = visit(*args)
    assert got == structure._visit_py(*args), src.file
    return got


def test_every_file_visits_the_same_blocks(visit):
    visited = 0
    for path in md_files(ROOT / "agents", ROOT / "tests", SHARED / "corpus"):
        try:
            src = read_source(path.name, path.read_bytes())
        except Exception:  # noqa: BLE001 - a file the reader refuses has no blocks
            continue
        reading = references.read(src, path.stem)
        visited += len(both_visit(visit, src, reading.cues, reading.triggers)) > 1
        both_visit(visit, src, set(range(len(src.lines) + 2)), reading.triggers)
        both_visit(visit, src, reading.cues, reading.triggers, {})
    assert visited > 10


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.lists(st.sampled_from(MD_LINES), max_size=30), st.data())
def test_any_lines_visit_the_same_blocks(visit, lines, data):
    src = read_source("x.md", "\n".join(lines).encode())
    bound = st.integers(min_value=0, max_value=len(src.lines) + 3)
    index = st.integers(min_value=-2, max_value=len(src.blocks) + 2)
    heads = data.draw(st.dictionaries(index, st.tuples(st.just(0), st.just([]), st.just(""), st.lists(index)), max_size=3))
    both_visit(visit, src, data.draw(st.sets(bound)), data.draw(st.sets(bound)))
    both_visit(visit, src, data.draw(st.sets(bound)), data.draw(st.sets(bound)), heads)


def test_visit_bad_arguments_and_no_leak(visit):
    src = read_source("x.md", b"## Work\n- use code-reviewer\n- and\n  test-runner\n")
    reading = references.read(src, "x")
    args = [src.blocks, reading.firsts, {1, 2, 3, 4, 9}, {2}, [], src.owner, src.roles, ("other",), {}]
    for at, bad in ((0, tuple(src.blocks)), (1, None), (2, None), (3, [2]), (4, None), (5, None), (6, ("other",)),
                    (7, ["other"]), (8, [])):
        with pytest.raises(TypeError):
            visit(*args[:at], bad, *args[at + 1:])
    with pytest.raises(TypeError):
        visit(*args[:-1])
    for at, bad in ((2, {"1"}), (4, [len(src.blocks)]), (4, ["0"]), (8, {0: (0, [], "")}), (8, {0: (0, [], "", None)})):
        with pytest.raises(TypeError):
            visit(*args[:at], bad, *args[at + 1:])
    assert visit(*args) == structure._visit_py(*args)

    def calls():
        visit(*args[:8], {0: (0, [], "", [1, 2])})
        try:
            visit(args[0], args[1], {"1"}, *args[3:])
        except TypeError:
            pass

    assert_no_leak(calls)


@pytest.fixture(scope="module")
def c_clean():
    """The C `clean` bound as delegation binds it."""
    from agentc.compiler import delegation

    return native_or_skip(delegation._native_clean, "_judge")


def test_every_line_is_cleaned_the_same(c_clean):
    """Every line of the repository's markdown and ../shared/corpus, and each without its first character."""
    from agentc.compiler import delegation

    cleaned = 0
    for path in md_files(ROOT / "agents", ROOT / "tests", SHARED / "corpus"):
        for line in path.read_text(encoding="utf-8", errors="surrogateescape").splitlines():
            for text in (line, line[1:]):
                assert c_clean(text) == delegation._clean_py(text), text
                cleaned += 1
    assert cleaned > 1000


# The first characters each step of `clean` looks at (marks, blanks ASCII and not, digits ASCII and
# not, "do not use", "not for" in any case), the characters stripped at the ends and those not
# (NBSP, em space, U+0085), markup `plain` takes out, and "ſ", the Kelvin sign, "İ", emoji, CRLF.
CLEAN_BITS = ["- ", "* ", "\u2022", "\u274c", "\u2705", "\u26a0\ufe0f", "\ufe0f", "\U0001f6ab", "\u2192", " ", "\t", "\u00a0",
              "\u2003", "\u0085", "\r\n", "\n", "1. ", "12) ", "\u0663. ", "\u00b2. ", "do not use for", "Don't use when",
              "NEVER use x for", "not for", "Not when ", "**", "`x`", "[a](b)", "Code review", "\u017f", "\u212a", "\u0130",
              "N", "D", "n", "d", "Designing", "Do", "No", "nEVEr", "NOt", ":", ";", ",", "-", "\u2014", "\u2013", "\U0001f600", "\udc80", "x" * 300, ""]


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.lists(st.sampled_from(CLEAN_BITS), max_size=12).map("".join))
def test_any_text_is_cleaned_the_same(c_clean, text):
    from agentc.compiler import delegation

    assert c_clean(text) == delegation._clean_py(text)


def test_clean_bad_arguments_and_no_leak(c_clean):
    with pytest.raises(TypeError):
        c_clean.func((), "x")
    with pytest.raises(TypeError):
        c_clean()
    with pytest.raises(TypeError):  # plain's own error
        c_clean(None)
    with pytest.raises(TypeError):
        c_clean.func((lambda t: b"x", *c_clean.args[0][1:]), "x")
    texts = ["- **Do not use for** x: ", "1. Not for y", "\u2192 never use it when z \u2014", "Plain text", "", "x" * 400 + " -"]

    def calls():
        for text in texts:
            c_clean(text)
        try:
            c_clean(None)
        except TypeError:
            pass

    assert_no_leak(calls)


@pytest.fixture(scope="module")
def name_at():
    """The C `name_at`."""
    return _judge_c("name_at")


def regex_name_at(target, text):
    """Where `_name_rx(target)` first matches, on the line as `_place` reads it for the name."""
    m = structure._name_rx(target).search(text.translate(structure._DASHES) if target.isascii() else text)
    return m.start() if m else -1


def test_every_name_is_found_where_the_pattern_finds_it(name_at):
    """Each target of each agent in the repository's markdown and ../shared/corpus on each line of its file."""
    from agentc.compiler import delegation

    asked = 0
    for path in md_files(ROOT / "agents", SHARED / "corpus"):
        lines = path.read_text(encoding="utf-8", errors="surrogateescape").splitlines()
        for target in {t for line in lines for t in delegation.targets_in(line)}:
            for line in lines:
                got = name_at(structure._word_tuple(target), line)
                assert got in (-2, regex_name_at(target, line)), (target, line)
                assert structure._name_at(target, line) == structure._name_at_py(target, line) == regex_name_at(target, line)
                asked += 1
    assert asked > 1000


# Names' words and the characters around them: every case, each separator of `[-\s_]` (ASCII and
# Unicode blanks and hyphens), the characters re.I folds to an ASCII letter ("İ", "ı", "ſ", the
# Kelvin sign), emoji, CRLF, a lone surrogate, a long run.
NAME_BITS = ["code", "Code", "CODE", "reviewer", "REVIEWER", "re", "-", "_", " ", "\t", "\n", "\r\n", "\u00a0", "\u2003",
             "\u2010", "\u2011", "\u2012", "\u2212", "\u2013", "\u0130", "\u0131", "\u017f", "\u212a", "s", "k", "i", "\u00e9",
             "\u2192", "\U0001f600", "\udc80", "x" * 300, ":", "."]
NAME_TARGETS = ["code-reviewer", "Code-Reviewer", "plug:code-reviewer", "a_b", "x", "a--b", "-x", "x-", "a b", "s-k", "i-x",
                "code", "re-re", "\u0131-x", "caf\u00e9-bot", "a.b-c", ""]


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.sampled_from(NAME_TARGETS), st.lists(st.sampled_from(NAME_BITS), max_size=14).map("".join))
def test_any_line_finds_a_name_where_the_pattern_does(name_at, target, text):
    if target.isascii():
        assert name_at(structure._word_tuple(target), text) in (-2, regex_name_at(target, text))
    assert structure._name_at(target, text) == structure._name_at_py(target, text) == regex_name_at(target, text)


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.lists(st.text(alphabet="abKk-_ \u0131\u017f", min_size=1, max_size=4), min_size=1, max_size=3).map(tuple),
       st.text(alphabet="abKk-_ \t\u2011\u0130\u0131\u017f\u212a", max_size=20))
def test_any_words_match_as_their_pattern(name_at, words, text):
    """Words as `_name_rx` joins them, in any case, against any line: the pattern's place, or -2."""
    import re

    m = re.compile(r"[-\s_]+".join(map(re.escape, words)), re.I).search(text.translate(structure._DASHES))
    assert name_at(words, text) in (-2, m.start() if m else -1)
    if not any(c in text for c in "\u0130\u0131\u017f\u212a") and all(w.isascii() and w[0] not in "-_ " for w in words):
        assert name_at(words, text) == (m.start() if m else -1)


def test_name_at_bad_arguments_and_no_leak(name_at):
    for args in [(), (("a",),), (["a"], "x"), (("a",), b"x"), ((1,), "x"), (("a",), "x", 1), ("a", "x")]:
        with pytest.raises(TypeError):
            name_at(*args)
    long_name = tuple("abcdefghij")  # more words than C holds inline
    assert name_at(long_name, "x A-b c_d-e-f-g-h-i-j") == 2 and name_at(long_name, "a-b-c-d-e-f-g-h-i") == -1
    lines = ["use code-reviewer", "\u2192 Delegate to **code\u2011reviewer**", "\u212a", "x" * 400, ""]

    def calls():
        for line in lines:
            name_at(("code", "reviewer"), line)
            name_at(long_name, line)
        name_at((), "x")
        try:
            name_at(("a", 1), "x")
        except TypeError:
            pass

    assert_no_leak(calls)


@pytest.fixture(scope="module")
def holding():
    """The C `holding`."""
    return _judge_c("holding")


def test_every_line_holds_the_same_words(holding):
    """Every line of the repository's markdown and ../shared/corpus, and each paragraph of a file, against delegation._WORDS."""
    from agentc.compiler import delegation

    read = 0
    for path in md_files(ROOT / "agents", ROOT / "tests", SHARED / "corpus"):
        text = path.read_text(encoding="utf-8", errors="surrogateescape")
        for line in [*text.splitlines(), *text.split("\n\n")]:
            assert holding(line, delegation._WORDS) == delegation._holding_py(line, delegation._WORDS), line
            read += 1
    assert read > 1000


# Pieces of every word of delegation._WORDS in any case, the characters whose lowering is not one
# ASCII letter for one ("İ", the Kelvin sign, "ſ", "ı"), the arrows, emoji, CRLF, a lone surrogate, a long run.
HOLDING_BITS = ["\u2192", "\u21d2", "->", "=>", "-", "=", ">", "with", "WITH", "w\u0130th", "\u0130", "\u212a", "wor", "work", "s",
                " with", "(", "(delegate to", "(Hand off to", "(\u2192", "delegat", "DELEGAT", "agent", "AGENT", "**", "vs", "versus",
                "team up", "liaise", "partner", "coordinat", "collaborat", "sync", "align", "interface", "pair", "use", "see", "hand",
                "\u017f", "\u0131", "\u00e9", "\U0001f600", "\r\n", " ", "x", "i", "\udc80", "x" * 300]


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.lists(st.sampled_from(HOLDING_BITS), max_size=12).map("".join))
def test_any_text_holds_the_same_words(holding, text):
    from agentc.compiler import delegation

    assert holding(text, delegation._WORDS) == delegation._holding_py(text, delegation._WORDS)


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.lists(st.lists(st.text(alphabet="aAiI-\u2192\u21d2 \x00", max_size=4), max_size=3).map(tuple), max_size=4).map(tuple),
       st.text(alphabet="aAiI-\u2192\u21d2 \u0130\u212a\u00e9\x00", max_size=30))
def test_any_words_are_held_alike(holding, groups, text):
    """Any groups of words (empty ones, capitals, words ending in "i" before an "İ", a NUL as the
    0 written after the text is) in any text."""
    from agentc.compiler import delegation

    assert holding(text, groups) == delegation._holding_py(text, groups)
    assert holding(text, groups) == delegation._holding_py(text, groups)  # the same groups again: their table is kept


def test_holding_bad_arguments_and_no_leak(holding):
    from agentc.compiler import delegation

    for args in [(), ("x",), (b"x", ()), ("x", [("a",)]), ("x", (("a",),) * 31), ("x", (["a"],)), ("x", ((1,),)),
                 ("x", (("a" * 65,),)), ("x", (tuple("abcdefgh"),) * 9), ("x", ()), ("x", ((), ("a",)), 1)]:
        if args == ("x", ()):
            assert holding(*args) == 0
            continue
        with pytest.raises(TypeError):
            holding(*args)
    with pytest.raises(ValueError):
        holding("x", (("\u00e9",),))
    assert holding("Delegate \u2192 X", delegation._WORDS) == delegation._holding_py("Delegate \u2192 X", delegation._WORDS)
    texts = ["- Work with **a-b** \u2192 use c", "\u0130 \u212a agent", "x" * 2000, ""]

    def calls():
        for text in texts:
            holding(text, delegation._WORDS)
        holding("x", (("a",), ("",)))
        try:
            holding("x", (("\u00e9",),))
        except ValueError:
            pass

    assert_no_leak(calls)


@pytest.fixture(scope="module")
def arrow():
    """The C `arrow`."""
    return _judge_c("arrow")


def test_every_line_reads_the_same_arrow(arrow):
    """Every line of the repository's markdown and ../shared/corpus, and each without its first character."""
    from agentc.compiler import delegation

    found = 0
    for path in md_files(ROOT / "agents", ROOT / "tests", SHARED / "corpus"):
        for line in path.read_text(encoding="utf-8", errors="surrogateescape").splitlines():
            for text in (line, line[1:]):
                got = arrow(text)
                assert got == delegation._arrow_py(text), text
                found += got is not None
    assert found > 20


# The pieces of `_ARROW`: each arrow and its halves, blanks ASCII and not (NBSP, em space, U+0085),
# newlines, every verb in several cases and spacings, "ſ" (re.I reads it as "s"), the other
# characters re.I folds ("İ", "ı", the Kelvin sign), emoji, a lone surrogate, a long run.
ARROW_BITS = ["\u2192", "->", "=>", "\u21d2", "-", ">", "=", " ", "  ", "\t", "\u00a0", "\u2003", "\u0085", "\n", "\r\n",
              "delegate to", "Delegate To", "delegate  to", "use", "USE", "u\u017fe", "\u017fee", "see", "consult", "con\u017fult",
              "hand off to", "handoff to", "Hand  off to", "escalate to", "defer to", "route to", "to", "x", "\u00e9", "**a-b**",
              "(", ")", "\U0001f600", "\u0130", "\u212a", "\u0131", "\udc80", "x" * 300, ""]


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.lists(st.sampled_from(ARROW_BITS), max_size=10).map("".join))
def test_any_text_reads_the_same_arrow(arrow, text):
    from agentc.compiler import delegation

    assert arrow(text) == delegation._arrow_py(text)


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.lists(st.sampled_from(ARROW_BITS), max_size=4).map("".join), st.sampled_from(["\u2192", "->", "=>", "\u21d2"]),
       st.sampled_from(ARROW_BITS[15:30]), st.lists(st.sampled_from(ARROW_BITS), max_size=4).map("".join))
def test_any_arrow_and_verb_read_the_same(arrow, before, mark, verb, after):
    """An arrow and a verb in each line, most of which the pattern matches."""
    from agentc.compiler import delegation

    text = f"{before}{mark} {verb}{after}"
    assert arrow(text) == delegation._arrow_py(text)


def test_arrow_tries_each_arrow_once(arrow):
    """A blank run before an arrow with no verb after it: trying every place of the run (each
    skipping the rest of it) took its length squared, ~30 s for this line."""
    start = time.perf_counter()
    assert arrow("x" + " " * 300_000 + "\u2192 y") is None
    assert arrow("x" + " " * 300_000 + "-> use y") == ("x", "use", "y")
    assert time.perf_counter() - start < 1.0


def test_arrow_bad_arguments_and_no_leak(arrow):
    for args in [(), (b"x",), (None,), ("x", "y")]:
        with pytest.raises(TypeError):
            arrow(*args)
    assert arrow("Training \u2192 Delegate to **ml-engineer** or **x-y**") == ("Training", "Delegate to", "**ml-engineer** or **x-y**")
    texts = ["a \u2192 use b", "x -> consult  y", "no arrow here", "\u2192 see", "x" * 2000 + " => route to z", ""]

    def calls():
        for text in texts:
            arrow(text)
        try:
            arrow(None)
        except TypeError:
            pass

    assert_no_leak(calls)


@pytest.fixture(scope="module")
def head_starts():
    """The C `head_starts`."""
    return _judge_c("head_starts")


def test_every_title_starts_a_head_alike(head_starts):
    """The section titles of every file of the repository's markdown and ../shared/corpus."""
    from agentc.compiler import delegation

    heads = 0
    for path in md_files(ROOT / "agents", ROOT / "tests", SHARED / "corpus"):
        src = read_source(str(path), path.read_bytes())
        titles = [markdown.plain(s.title) for s in src.sections]
        got = head_starts(titles)
        assert got == delegation._head_starts_py(titles), path
        heads += len(got)
    assert heads > 2  # the repository's files alone hold 4 (the corpus many more)


# The verbs of `_HEAD_START` in several cases and spellings, "ſ" (re.I reads it as "s"), the other
# characters re.I folds ("İ", "ı", the Kelvin sign), blanks ASCII and not, CRLF, emoji, a lone
# surrogate, a long run.
HEAD_BITS = ["delegate", "Delegate", "DELEGATE", "hand", "Hand", "off", "handoff", "hand  off", "escalate", "e\u017fcalate",
             "E\u017fCALATE", "defer", "Defer", "route", "ROUTE", "to", " ", "\t", "\u00a0", "\u2003", "\u0085", "\n", "\r\n",
             "d", "h", "e", "r", "x", "\u0130", "\u0131", "\u212a", "\u017f", "\u00e9", "\U0001f600", "\udc80", "x" * 300, ""]


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.lists(st.lists(st.sampled_from(HEAD_BITS), max_size=6).map("".join), max_size=8))
def test_any_titles_start_a_head_alike(head_starts, titles):
    from agentc.compiler import delegation

    assert head_starts(titles) == delegation._head_starts_py(titles)


def test_head_starts_bad_arguments_and_no_leak(head_starts):
    for args in [(), (("Delegate to x",),), (["Delegate to x", 1],), ([b"Delegate to x"],), ([], [])]:
        with pytest.raises(TypeError):
            head_starts(*args)
    assert head_starts(["Delegate to a-b", "Tools", "Hand off to x", "Deferred", "e\u017fcalate\u2003to"]) == [0, 2, 4]
    titles = ["Delegate to a-b", "Route\tx", "x" * 2000, "", "\u0130 \u212a"]

    def calls():
        head_starts(titles)
        try:
            head_starts(["Defer x", None])
        except TypeError:
            pass

    assert_no_leak(calls)


@pytest.fixture(scope="module")
def block_targets():
    """The C `block_targets` bound as delegation binds it."""
    from agentc.compiler import delegation

    c = _judge_c("block_targets")
    return lambda title: c((delegation._NOT_AGENTS, delegation._block_targets_py), title)


def test_every_title_names_the_same_block_targets(block_targets):
    """The section titles of every file of the repository's markdown and ../shared/corpus."""
    from agentc.compiler import delegation

    named = 0
    for path in md_files(ROOT / "agents", ROOT / "tests", SHARED / "corpus"):
        src = read_source(str(path), path.read_bytes())
        for title in (markdown.plain(s.title) for s in src.sections):
            got = block_targets(title)
            assert got == delegation._block_targets_py(title), (path, title)
            named += len(got)
    assert named > 2


# "Delegate to " and the pieces of a bare name (`_BARE_TARGET`: lowercase ASCII letters and digits, "-"
# and "_" between them), with what must send a title to the reference: capitals, blanks, a doubled or
# trailing separator, a name of `_NOT_AGENTS`, "ſ", "İ", "ı", the Kelvin sign, emoji, CRLF, a long run.
TARGET_BITS = ["Delegate to ", "delegate to ", "Hand off to ", "a", "b9", "code", "-", "_", "--", "x-y", "real-time", "A",
               " ", "\t", "\u00a0", "\r\n", "\n", "**", "`", ",", " or ", " when ", "\u017f", "\u0130", "\u0131", "\u212a",
               "\u00e9", "\U0001f600", "\udc80", "z" * 300, ""]


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.lists(st.sampled_from(TARGET_BITS), max_size=8).map("".join))
def test_any_title_names_the_same_block_targets(block_targets, title):
    from agentc.compiler import delegation

    assert block_targets(title) == delegation._block_targets_py(title)
    assert block_targets("Delegate to " + title) == delegation._block_targets_py("Delegate to " + title)


def test_block_targets_bad_arguments_and_no_leak(block_targets):
    from agentc.compiler import delegation

    c = _judge_c("block_targets")
    env = (delegation._NOT_AGENTS, delegation._block_targets_py)
    for args in [(), (env,), (env, None), (env, b"Delegate to a-b"), ((), "x"), ((["a"], len), "x"), (env, "x", "y")]:
        with pytest.raises(TypeError):
            c(*args)
    assert block_targets("Delegate to a_b-c") == ["a_b-c"]
    assert block_targets("Delegate to real-time") == []
    assert block_targets("Delegate to **a-b** when x") == ["a-b"]  # by the reference
    titles = ["Delegate to a-b", "Delegate to real-time", "Delegate to a-", "Route to x-y, z-w", "Delegate to " + "a-" * 500 + "b", ""]

    def calls():
        for title in titles:
            block_targets(title)
        try:
            c((delegation._NOT_AGENTS, lambda t: 1 / 0), "Delegate to X")
        except ZeroDivisionError:
            pass

    assert_no_leak(calls)


@pytest.fixture(scope="module")
def leading():
    """The C `leading`."""
    return _judge_c("leading")


def test_every_line_leads_with_the_same_names(leading):
    """Every line of the repository's markdown and ../shared/corpus, from its start and from after
    each arrow, "use", "with" and "(" (where `_line` reads leading targets)."""
    import re

    from agentc.compiler import delegation

    named = 0
    for path in md_files(ROOT / "agents", ROOT / "tests", SHARED / "corpus"):
        for line in path.read_text(encoding="utf-8", errors="surrogateescape").splitlines():
            for m in re.finditer(r"^|\u2192|->|=>|\buse\b|\bwith\b|\(|\bto\b", line, re.I):
                text = line[m.end():]
                got = leading(text, delegation._NOT_AGENTS)
                assert got == delegation._leading_py(text, delegation._NOT_AGENTS), text
                named += len(got)
    assert named > 30  # the repository's files alone name 46


# The pieces of `_LEAD_NAME` and `_JOIN`: names bare, bold, in backticks and both, each join
# ("or" and "and" also inside words), "the", "agent(s)" and "sub-agent" with and without a
# boundary, words of `_NOT_AGENTS`, capitals (no re.I here), blanks ASCII and not, CRLF, digits
# ASCII and not, "İ", "ı", "ſ", the Kelvin sign, emoji, a lone surrogate, a long run.
LEADING_BITS = ["a-b", "code-reviewer", "x", "x_y", "a--b", "a-", "-a", "A-b", "9-1", "fine-tuning", "**", "`", "*", "(", ")",
                ",", ", or", ",and", " or ", " and ", "or", "and", "order", "/", "+", "the ", "the", "The ", " agent", " agents",
                " agentsx", " sub-agent", " subagent", " sub agent", "agent", " ", "  ", "\t", "\u00a0", "\u2003", "\n", "\r\n",
                "\u0663", "\u0130", "\u0131", "\u017f", "\u212a", "\u00e9", "\U0001f600", "\udc80", "x" * 300, "-" * 50]


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.lists(st.sampled_from(LEADING_BITS), max_size=14).map("".join))
def test_any_text_leads_with_the_same_names(leading, text):
    from agentc.compiler import delegation

    assert leading(text, delegation._NOT_AGENTS) == delegation._leading_py(text, delegation._NOT_AGENTS)
    assert leading(text, frozenset({"a-b"})) == delegation._leading_py(text, frozenset({"a-b"}))


def test_leading_bad_arguments_and_no_leak(leading):
    from agentc.compiler import delegation

    for args in [(), ("a-b",), (b"a-b", frozenset()), ("a-b", ["x"]), ("a-b", None), ("a-b", frozenset(), 1)]:
        with pytest.raises(TypeError):
            leading(*args)
    assert leading("**ml-engineer** or **neural-architecture-engineer** for x", delegation._NOT_AGENTS) == [
        "ml-engineer", "neural-architecture-engineer"]
    texts = ["**a-b**, `c`, and d-e agent", "the x-y sub-agents / z-w", "fine-tuning", "x" * 2000, ""]

    def calls():
        for text in texts:
            leading(text, delegation._NOT_AGENTS)
        try:
            leading("a-b", [])
        except TypeError:
            pass

    assert_no_leak(calls)


def regex_find_in_lines(target, lines, first, last):
    """Where `_place` finds `target` in lines first..last by the pattern alone."""
    for ln in range(max(first, 1), min(last, len(lines)) + 1):
        at = regex_name_at(target, lines[ln - 1])
        if at >= 0:
            return ln, at + 1
    return None


def named_in_blocks():
    """(source, block, its last line, target) for each block of the repository's markdown and
    ../shared/corpus and each target its lines name, and one they do not ("code-reviewer")."""
    from agentc.compiler import delegation

    for path in md_files(ROOT / "agents", SHARED / "corpus"):
        src = read_source(str(path), path.read_bytes())
        for b in src.blocks:
            last = max(b.end, b.line)
            for target in {t for line in src.lines[b.line - 1 : last] for t in delegation.targets_in(line)} | {"code-reviewer"}:
                yield src, b, last, target


def test_every_block_finds_each_name_where_the_pattern_does():
    """`named_in_blocks`, each in its block from its first line and (a longer block) from its second."""
    found = 0
    for src, b, last, target in named_in_blocks():
        for first in (b.line, b.line + 1) if last > b.line else (b.line,):
            got = structure._find_in_lines(target, src.lines, first, last)
            assert got == regex_find_in_lines(target, src.lines, first, last), (target, src.file, b.line)
            found += got is not None
    assert found > 100  # the repository's files alone: 124


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.sampled_from(NAME_TARGETS), st.lists(st.lists(st.sampled_from(NAME_BITS), max_size=8).map("".join), max_size=5),
       st.integers(-1, 6), st.integers(-1, 6))
def test_any_lines_find_a_name_where_the_pattern_does(target, lines, first, last):
    """Names of every kind (odd ones the C leaves to the pattern) in lines holding every
    separator, the characters re.I folds, emoji, CRLF, a lone surrogate; ranges in and out of the list."""
    assert structure._find_in_lines(target, lines, first, last) == regex_find_in_lines(target, lines, first, last)


def owned(visit, owner, roles, wanted):
    """The blocks `visit` reads for their section alone (no cue, table or head): those whose section
    (`owner`) has a role in `wanted`, by the C and by structure._visit_py."""
    args = ([None] * len(owner), [], set(), set(), [], owner, roles, wanted, {})
    got = visit(*args)
    assert got == structure._visit_py(*args)
    return got


def test_every_file_has_the_same_blocks_in_delegation_sections(visit):
    """Each file of the repository's markdown and ../shared/corpus: the blocks the delegation pass
    reads in full, as the C gives them, as the reference does, and as a walk over each section's
    own blocks (what the pass did before) finds them, its headings and labels aside."""
    from agentc.compiler import delegation

    read = 0
    for path in md_files(ROOT / "agents", ROOT / "tests", SHARED / "corpus"):
        src = read_source(str(path), path.read_bytes())
        got = owned(visit, src.owner, src.roles, delegation.ALWAYS_READ)
        starts = {s.start for s in src.sections}
        walked = {i for k, r in enumerate(src.roles) if r in delegation.ALWAYS_READ
                  for i in range(src.sections[k].start + 1, src.sections[k].end) if src.owner[i] == k}
        assert set(got) - starts == walked - starts, path
        read += len(got)
    assert read > 50  # the repository's files alone: 78


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.lists(st.sampled_from(["delegation", "avoid_when", "other", "Delegation", "delegation ", "\u0130", ""]), min_size=1,
                max_size=8), st.data())
def test_any_owners_give_the_same_blocks(visit, roles, data):
    owner = data.draw(st.lists(st.none() | st.integers(0, len(roles) - 1), max_size=30))
    for wanted in (("delegation", "avoid_when"), (), ("",)):
        owned(visit, owner, roles, wanted)


def test_owners_bad_and_no_leak(visit):
    for owner, roles in (([1], ["a"]), ([-1], ["a"]), (["0"], ["a"]), ([0.0], ["a"])):
        with pytest.raises(TypeError):
            owned(visit, owner, roles, ("a",))
    with pytest.raises(TypeError):  # more owners than blocks
        visit([], [], set(), set(), [], [0], ["a"], ("a",), {})
    with pytest.raises(OverflowError):
        owned(visit, [1 << 70], ["a"], ("a",))
    assert owned(visit, [None, 0, 1, 1, 0], ["delegation", "other"], ("delegation",)) == [1, 4]
    owner, roles = [None, *range(300), *range(300)], ["avoid_when", "x"] * 150

    def calls():
        owned(visit, owner, roles, ("avoid_when",))
        owned(visit, [], [], ())
        try:
            visit([None], [], set(), set(), [], [5], ["a"], ("a",), {})
        except TypeError:
            pass

    assert_no_leak(calls)


@pytest.fixture(scope="module")
def heads():
    """The C `heads`."""
    return _judge_c("heads")


def both_heads(heads, src):
    """The C `heads` gives what delegation._heads_py gives on `src`'s sections and blocks; and each
    head's items are the D2 bullets `structure._items` reads (top-level items before a subsection)."""
    from agentc.compiler import delegation

    titles = [markdown.plain(s.title) for s in src.sections]
    args = (titles, src.sections, src.blocks, markdown.ListItem, delegation.block_targets, delegation.clean)
    got = heads(*args)
    assert got == delegation._heads_py(*args), src.file
    for start, (k, targets, cond, items) in got.items():
        assert start == src.sections[k].start and targets == delegation.block_targets(titles[k])
        assert [src.blocks[i] for i in items] == structure._items(structure._blocks_of(src, k, deep=False))
        assert cond == "; ".join(delegation.clean(src.blocks[i].text) for i in items)
    return got


def test_every_file_has_the_same_heads(heads):
    """The repository's markdown and ../shared/corpus."""
    found = 0
    for path in md_files(ROOT / "agents", ROOT / "tests", SHARED / "corpus"):
        found += sum(len(items) for *_, items in both_heads(heads, read_source(str(path), path.read_bytes())).values())
    assert found > 2  # the repository's files alone: 4 heads with 11 bullets (the corpus many more)


# D2 heads as labels and headings (one name, several, none, a name the reader drops), bullets at
# several indents, an ordered item, a subsection, a table and text between; odd characters.
HEAD_LINES = ["**Delegate to code-reviewer**:", "**Delegate to x**:", "## Delegate to test-runner", "### Hand off to a-b, c-d",
              "**Route to `qa-agent` when**:", "**Escalate to fine-tuning**:", "#### Defer to me", "## Tools", "**Notes**:",
              "- topic \u2192 one", "  - nested", "    - deeper", "1. **first**: step", "- [ ] box", "- \u0130\u212a \U0001f600",
              "- x" + "y" * 300, "plain text", "", "| a | b |", "|---|---|", "| c | d |", "```", "- 1. Not for x"]


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.lists(st.sampled_from(HEAD_LINES), max_size=30), st.sampled_from(["\n", "\r\n"]))
def test_any_markdown_has_the_same_heads(heads, lines, eol):
    both_heads(heads, read_source("x.md", eol.join(lines).encode()))


def test_heads_bad_arguments_and_no_leak(heads):
    from agentc.compiler import delegation

    src = read_source("x.md", b"## Delegation\n**Delegate to a-b**:\n- when x\n  - y\n- z\n## Delegate to c-d\n")
    titles = [markdown.plain(s.title) for s in src.sections]
    env = (markdown.ListItem, delegation.block_targets, delegation.clean)
    args = (titles, src.sections, src.blocks, *env)
    assert heads(*args) == {1: (1, ["a-b"], "when x; z", [2, 4]), 5: (2, ["c-d"], "", [])}
    for at, bad in ((0, tuple(titles)), (0, [1, 2, 3]), (1, None), (2, tuple(src.blocks)), (3, None), (4, None), (5, 1)):
        with pytest.raises(TypeError):
            heads(*args[:at], bad, *args[at + 1:])
    with pytest.raises(TypeError):
        heads(*args[:-1])
    with pytest.raises(TypeError):  # a condition is made of str
        heads(titles, src.sections, src.blocks, markdown.ListItem, lambda t: ["a-b"], lambda t: 1)
    with pytest.raises(IndexError):
        heads(titles, src.sections[:1], src.blocks, *env)

    def calls():
        heads(*args)
        try:
            heads(titles, src.sections, src.blocks, markdown.ListItem, lambda t: ["a-b"], lambda t: 1)
        except TypeError:
            pass

    assert_no_leak(calls)


@pytest.fixture(scope="module")
def edges():
    """The C `edges` bound as structure binds it."""
    from agentc.compiler.ir import Delegation, Mention
    from agentc.compiler.span import Span

    c = _judge_c("edges")
    env = (mentions.normal, mentions.role_like, Delegation, Mention, Span, structure._place_py)
    return lambda *args: c(env, *args)


def checked_edges(edges, compared):
    """A stand-in for structure._edges: the C `edges` and structure._edges_py on the same arguments
    (the Python one on copies of the lists it adds to) give the same Delegations, keys and Mentions."""

    def check(blocks, owner, sections, titles, lines, finds, heads, file, found, seen, weak):
        want = (list(found), set(seen), list(weak))
        structure._edges_py(blocks, owner, sections, titles, lines, finds, heads, file, *want)
        edges(blocks, owner, sections, titles, lines, finds, heads, file, found, seen, weak)
        assert (found, seen, weak) == want, file
        compared.append(len(found) + len(weak))

    return check


def test_every_file_has_the_same_edges(edges, monkeypatch):
    """Each call structure._delegations makes, on the repository's markdown and ../shared/corpus."""
    compared: list[int] = []
    monkeypatch.setattr(structure, "_edges", checked_edges(edges, compared))
    for path in md_files(ROOT / "agents", ROOT / "tests", SHARED / "corpus"):
        src = read_source(str(path), path.read_bytes())
        structure._delegations(src, path.stem, references.read(src, path.stem))
    assert len(compared) > 10 and sum(compared) > 10  # the repository's agents alone hold a few edges


# Blocks that yield edges of each kind (D1 arrows, a parenthesis, D2 heads, D4-D7 bullets, D3 and D9
# tables, "x agent"), one plain word (a Mention), a name written twice on a line, a name not written in its
# block, a "skill" after a name, names not ASCII, and odd characters.
EDGE_LINES = [*HEAD_LINES, "## Delegation", "## When not to use", "- topic \u2192 use code-reviewer", "- x \u2192 use `bigint`",
              "- y -> delegate to **a-b** or **c-d**", "Review (use `flowchart` skill)", "- **With qa-agent**: on tests",
              "- **vs test-runner**: defers ops to it", "Use the code-reviewer agent to check", "- **helper**: when stuck",
              "| Task | Delegate to |", "|---|---|", "| tests | `test-runner` |", "| Task | Agent | Parallel |",
              "| x | a-b, c-d | \u2705 |", "- z \u2192 use \u0130-agent", "- \u2192 delegate to caf\u00e9-bot", "- a-b a-b \u2192 use a-b",
              "Collaborate with ops-team on deploys", "Delegate to code-reviewer the review"]


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.lists(st.sampled_from(EDGE_LINES), max_size=30), st.sampled_from(["\n", "\r\n"]))
def test_any_markdown_has_the_same_edges(edges, lines, eol):
    compared: list[int] = []
    check = checked_edges(edges, compared)
    src = read_source("x.md", eol.join(lines).encode())
    reading = references.read(src, "me")
    from unittest import mock

    with mock.patch.object(structure, "_edges", check):
        structure._delegations(src, "me", reading)
    assert compared


def test_edges_bad_arguments_and_no_leak(edges):
    from agentc.compiler import delegation

    src = read_source("x.md", b"## Delegation\n**Delegate to a-b**:\n- when x\n- y \xe2\x86\x92 use c-d or `e`\n")
    titles = [markdown.plain(s.title) for s in src.sections]
    heads = delegation.heads(titles, src.sections, src.blocks)
    finds = delegation.find_blocks(src.blocks, [3], src.owner, src.roles, "me")
    args = [src.blocks, src.owner, src.sections, titles, src.lines, finds, heads, "x.md"]
    found, seen, weak = [], set(), []
    edges(*args, found, seen, weak)
    assert [(d.target, d.span.line, d.pattern) for d in found] == [("a-b", 2, "D2 delegate block"), ("c-d", 4, "D1 arrow")]
    assert seen == {("a-b", 2), ("c-d", 4)} and weak == []  # "use `e`": one plain word after "use" names nothing
    for at, bad in ((0, tuple(src.blocks)), (3, None), (5, []), (6, None), (7, b"x.md")):
        with pytest.raises(TypeError):
            edges(*args[:at], bad, *args[at + 1:], [], set(), [])
    with pytest.raises(TypeError):
        edges(*args, [], frozenset(), [])
    with pytest.raises(TypeError):
        edges(*args)
    with pytest.raises(TypeError):  # a find is a 6-tuple
        edges(*args[:5], {3: [("c-d", "", "delegate")]}, {}, "x.md", [], set(), [])
    with pytest.raises(TypeError):  # a head is (section, targets, condition, items)
        edges(*args[:5], {}, {1: (1, "a-b")}, "x.md", [], set(), [])
    with pytest.raises(IndexError):
        edges(*args[:5], {99: []}, {}, "x.md", [], set(), [])

    def calls():
        edges(*args, [], set(), [])
        try:
            edges(*args[:5], {3: [("c-d", "", "delegate")]}, {}, "x.md", [], set(), [])
        except TypeError:
            pass

    assert_no_leak(calls)


@pytest.fixture(scope="module")
def place():
    """The C `place`."""
    return _judge_c("place")


def regex_place(target, lines, first, last, line, col):
    """Where `_place` puts `target` by the patterns alone (`regex_find_in_lines`, then `_THING_AFTER`)."""
    line, col = regex_find_in_lines(target, lines, first, last) or (line, col)
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    return None if structure._THING_AFTER.match(text, col - 1 + len(target)) else (line, col)


def both_places(target, lines, first, last, line, col):
    """`_place_in` (C when built), `_place_py` and the patterns alone agree."""
    want = regex_place(target, lines, first, last, line, col)
    assert structure._place_in(target, lines, first, last, line, col) == want, (target, lines, first, last, line, col)
    assert structure._place_py(target, lines, first, last, line, col) == want
    return want


def test_uses_the_native_place_when_built():
    _judge = native_in_use("agentc.compiler._judge")
    assert structure._place_in is (structure._place_py if _judge is None else structure._place_native)


def test_every_block_places_each_name_as_the_patterns_do():
    """`named_in_blocks`, each from its block's first line: placed, or a thing ("`x` skill")."""
    placed = things = 0
    for src, b, last, target in named_in_blocks():
        got = both_places(target, src.lines, b.line, last, b.line, b.col)
        placed += got is not None
        things += got is None
    assert placed > 100 and things > 0  # the repository's files alone: 874 and 2


# What `_THING_AFTER` reads after a name: markup and blanks, its words in any case (with "ſ", "K",
# "İ" and "ı", which re.I reads as ASCII letters), cut short, run on into a word, or at the end.
THING_BITS = ["skill", "Skills", "\u017fkill", "PLUGIN", "plugins", "command", "Commands", "tool", "TOOLS", "tools_", "tool2",
              "mcp", "MCP", "server", "servers", "package", "pac\u212aage", "library", "libraries", "l\u0130brary",
              "l\u0131braries", "librar", "**", "`", "'", '"', " ", "\t", "\u00a0", "\u2003", "-", "x", "\u00e9", "\U0001f600",
              "\udc80", "\r\n", "."]


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.sampled_from(NAME_TARGETS + ["x:", "a:b_c-d", "::x", "re-re-re-re-re-re-re-re-re"]),  # past C's 8 words held inline
       st.lists(st.lists(st.sampled_from(NAME_BITS[:12] + THING_BITS), max_size=8).map("".join), max_size=4),
       st.integers(-1, 5), st.integers(-1, 5), st.integers(-1, 5), st.integers(-3, 400))
def test_any_lines_place_a_name_as_the_patterns_do(target, lines, first, last, line, col):
    both_places(target, lines, first, last, line, col)


def test_place_bad_arguments_and_no_leak(place):
    good = ("code-reviewer", ["use code-reviewer skill"], 1, 1, 1, 1)
    for at, bad in ((0, ("code",)), (0, b"x"), (1, ("x",)), (1, [b"x"]), (2, "1"), (3, 1.0), (4, None), (5, "1")):
        with pytest.raises(TypeError):
            place(*good[:at], bad, *good[at + 1:])
    with pytest.raises(TypeError):
        place(*good[:-1])
    with pytest.raises(TypeError):
        place(*good, 13)  # the old form, which took the name's words and length
    with pytest.raises(OverflowError):
        place("x", ["x"], 1 << 70, 1, 1, 1)
    assert place(*good) is None
    assert place("code-reviewer", ["a \u017f line", "code-reviewer"], 1, 2, 1, 1) == 1  # only the pattern reads line 1
    assert place("plug:code_reviewer", ["x", "the **code-reviewer** agent"], 1, 2, 1, 5) == (2, 7)  # its words
    lines = ["nothing", "a \u017f line", "code-reviewer here", "x"]  # the lines before one only the pattern reads are read
    assert place("code-reviewer", lines, 1, 4, 1, 1) == 2 and place("code-reviewer", lines, 3, 4, 1, 1) == (3, 1)
    assert place("code-reviewer", lines, -5, 1, 7, 3) == (7, 3) and place("code-reviewer", lines, 4, 99, 4, 2) == (4, 2)
    for odd in ("-x", "a--b", "x:", "", "caf\u00e9-bot", "\u0131-x"):  # words only the pattern reads, or not ASCII
        assert place(odd, lines, 2, 3, 1, 1) == 2
    big = (1 << 63) - 1
    for line, col in ((1, big), (-1, 1), (9, 1)):  # past the line's end, or no line: nothing after the name
        assert place("nobody", ["\u2003 skills"], 1, 1, line, col) == (line, col)
    assert place("nobody", ["\u2003 skills"], 1, 1, 1, -big - 1) is None  # before its start: read from it
    long_name = "-".join("abcdefghij")  # more words than C holds inline
    assert place(long_name, ["x", "the A b_c d-e-f-g-h-i-j plugin"], 1, 2, 1, 1) is None
    assert place(long_name, ["x", "A b_c d-e-f-g-h-i-j"], 1, 2, 1, 1) == (2, 1)
    lines = ["use code-reviewer", "\u2192 Delegate to **code\u2011reviewer** tools", "\u212a", "x" * 400, ""]

    def calls():
        for first in range(6):
            place("plug:code_reviewer", lines, first, 5, 1, 1)
            place(long_name, lines, first, 5, 1, 1)
        place("a--b", lines, 1, 2, 1, 1)
        place("\u00e9", lines, 1, 2, 1, 1)
        try:
            place("code-reviewer", [1], 1, 1, 1, 1)
        except TypeError:
            pass

    assert_no_leak(calls)


def _bound(native: str):
    """delegation's C function as delegation binds it (`native`: `_native_text` or `_native_blocks`),
    even in a pure-Python run."""
    from agentc.compiler import delegation

    return native_or_skip(getattr(delegation, native), "_judge")


@pytest.fixture(scope="module")
def find_text():
    return _bound("_native_text")


def test_find_reads_texts_in_c_when_built():
    from agentc.compiler import delegation

    if native_in_use("agentc.compiler._judge") is None:
        assert (delegation._text, delegation._find_blocks) == (delegation._text_py, delegation._find_blocks_py)
    else:
        assert (delegation._text.func.__name__, delegation._find_blocks.func.__name__) == ("find_text", "find_blocks")


# Roles in which `find` reads a text differently: every text read (the two), or only one holding a form.
FIND_ROLES = ("delegation", "avoid_when", "other")


def both_texts(find_text, text, line=3, col=2, role="other", self_name="me"):
    from agentc.compiler import delegation

    got = find_text(text, line, col, role, self_name)
    assert got == delegation._text_py(text, line, col, role, self_name), (text, role)
    return got


def test_every_block_finds_the_same_edges(find_text):
    """Every list item and paragraph of the repository's markdown and ../shared/corpus, in each kind of section."""
    from agentc.compiler.markdown import ListItem, Paragraph

    texts = edges = in_c = 0
    for path in md_files(ROOT / "agents", ROOT / "tests", SHARED / "corpus"):
        src = read_source(path.as_posix(), path.read_bytes())
        for b in src.blocks:
            if type(b) is ListItem or type(b) is Paragraph:
                for role in FIND_ROLES:
                    found = both_texts(find_text, b.text, b.line, b.col, role, path.stem)
                    edges += len(found)
                    in_c += sum(type(f) is tuple for f in found)  # the reference's are Found
                texts += 1
    assert texts > 500 and edges > 100 and in_c > 40  # the repository's files alone: 622, 111 and 57


# The pieces of the forms `find_text` reads or hands back: arrows and their verbs ("ſ" and the Kelvin
# sign among their letters), names in each markup, joins, ends of a clause, leads, parentheses, the
# collaboration verbs, "delegate", "agent" after names ("sub-agent", "ſubagent", markup between),
# "İ", "ı", emoji, CRLF, a lone surrogate, a long run.
FIND_BITS = ["\u2192", "->", "=>", "\u21d2", " ", "  ", "\t", "\u00a0", "\n", "\r\n", "Delegate to", "delegate to", "use",
             "Use", "see", "u\u017fe", "consult", "Consult", "con\u017fult", "hand off to", "escalate to", "route to",
             "**ml-engineer**", "`data-scientist`", "jax-pro", "**a**", "`b`", "fine-tuning", "code-reviewer", " or ", " and ",
             ", ", "/", ".", ". ", "..", "x.", ";", "; ", ":", ": ", "**Title**:", "**With**", "**vs**", "**v**", "**\u00e9**",
             "(", ")", "(delegate to ", "(use ", "(\u2192 ", "Collaborate with", "work with", "Wor\u212a", "pair", "liaise",
             "delegate", "DELEGATES", "delegating", "Delegation", "delegat\u0131ng", "delegate\u017f", "to ", "agent", "AGENT", "agents", "agentic", "sub-agent", "subagent", "\u017fubagent",
             "the", "x", "When", "\u0130", "\u0131", "\u212a", "\u017f", "\U0001f600", "\udc80", "x" * 300, "- ", "1. "]


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.lists(st.sampled_from(FIND_BITS), max_size=14).map("".join), st.sampled_from(FIND_ROLES + ("decision",)),
       st.sampled_from(["me", "code-reviewer"]))
def test_any_text_finds_the_same_edges(find_text, text, role, self_name):
    both_texts(find_text, text, role=role, self_name=self_name)


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.lists(st.sampled_from(FIND_BITS), max_size=6).map("".join), st.sampled_from(["\u2192", "->", "=>"]),
       st.sampled_from(FIND_BITS[10:21]), st.lists(st.sampled_from(FIND_BITS[22:45]), max_size=6).map("".join),
       st.sampled_from(FIND_ROLES))
def test_any_arrow_finds_the_same_edges(find_text, before, mark, verb, after, role):
    """An arrow and a verb then names in each text: most are D1 arrows `find_text` reads itself."""
    both_texts(find_text, f"{before} {mark} {verb} {after}", role=role)


# Before "agent": a kebab name, its markup and blanks, "sub" in its spellings, and what breaks one.
USE_AGENT_BITS = ["use the ", "Use ", "ask ", "a", "-", "b", "_", "9", "A", "\u212a", "\u0131", "\u0130", "\u00e9", "**", "`", "*",
                  " ", "\u2003", "\t", "\n", "sub", "sub-", "\u017fub", "SUB-", "agent", "Agent", "agents", "agent_", "agent\u00e9",
                  " for x", " to y.", "\u2192"]


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.lists(st.sampled_from(USE_AGENT_BITS), max_size=14).map("".join), st.sampled_from(FIND_ROLES))
def test_any_agent_text_finds_the_same_edges(find_text, text, role):
    """A text saying "agent" is read by the reference whenever `_NAME_AGENT` may match in it."""
    both_texts(find_text, text, role=role)


def test_odd_texts_find_the_same_edges(find_text):
    texts = ["", "\u2192", "Training \u2192 Delegate to **ml-engineer** or **neural-architecture-engineer**",
             "\u2192 Delegate to **x-y**", "x \u2192 use **a-b**", "x \u2192 Consult **a-b**", "x \u2192 con\u017fult **a-b**",
             "**Simple RAG**: Vector search \u2192 LLM (for Q&A)", "**With** a-b: on x", "**vs** `a-b`: hands ops to x",
             "x \u2192 Delegate to **a-b**. Then c.", "x \u2192 Delegate to **a-b**: when y", ". \u2192 Delegate to **a-b**. z",
             "Use the **code-reviewer** agent for diffs", "multi-agent x \u2192 route to a-b", "x-y\u00a0sub-agent \u2192 use z",
             "x-\u212a agent", "x-y\r\nagent", "\u2192 " * 2000 + "Delegate to a-b", "Collaborate with a-b on c",
             "Wor\u212a with a-b", "delegates the x to a-b", "Delegation Strategy x", "xdelegate to a-b", "delegated to a-b",
             "delegat\u0130ng it to a-b", "(delegate to a-b)", "x" * 5000 + " \u2192 Delegate to **a-b**"]
    found = 0
    for text in texts:
        for role in FIND_ROLES:
            found += len(both_texts(find_text, text, role=role))
    assert found > 10


def test_find_text_bad_arguments_and_no_leak(find_text):
    from agentc.compiler import delegation

    c = find_text.func
    env = find_text.args[0]
    good = (env, "x \u2192 Delegate to **a-b**", 1, 1, "other", "me")
    for at, bad in ((0, env[:5]), (0, None), (1, b"x"), (4, None)):
        with pytest.raises(TypeError):
            c(*good[:at], bad, *good[at + 1:])
    with pytest.raises(TypeError):
        c(*good[:-1])
    for k, bad in ((0, [("a",)]), (0, (("a",),) * 31), (1, ["x"]), (1, (1,)), (3, ["a"]), (4, ("x",)), (4, [1] * 5)):
        with pytest.raises(TypeError):
            c((*env[:k], bad, *env[k + 1:]), *good[1:])
    for lead in (lambda text: None, lambda text: (1, "x"), lambda text: ("x", None)):
        with pytest.raises(TypeError):
            c((*env[:2], lead, *env[3:]), *good[1:])
    with pytest.raises(ZeroDivisionError):
        c((*env[:2], lambda text: 1 / 0, *env[3:]), *good[1:])
    assert c(*good) == [("a-b", "x", "delegate", "D1 arrow", 1, 1)]
    assert c(*good[:4], "delegation", "me") == delegation._text_py(*good[1:4], "delegation", "me")
    texts = ["x \u2192 Delegate to **a-b** or `c-d`", "a \u2192 use b", "**With** a-b: x", "Use the x-y agent for z", "x" * 2000,
             "Collaborate with a-b", "x \u2192 Delegate to **a-b**. When c", "\u2192 Delegate to **a-b**", ""]

    def calls():
        for text in texts:
            for role in FIND_ROLES:
                find_text(text, 1, 1, role, "me")
        try:
            c((*env[:2], lambda text: None, *env[3:]), *good[1:])
        except TypeError:
            pass

    assert_no_leak(calls)


@pytest.fixture(scope="module")
def find_blocks():
    return _bound("_native_blocks")


def both_blocks(find_blocks, src, name="me"):
    """Every block of `src`, in its section's role."""
    from agentc.compiler import delegation

    indices = list(range(len(src.blocks)))
    got = find_blocks(src.blocks, indices, src.owner, src.roles, name)
    assert got == delegation._find_blocks_py(src.blocks, indices, src.owner, src.roles, name), src.file
    assert list(got) == sorted(got)
    return got


def test_every_file_finds_the_same_blocks(find_blocks):
    """Every block of the repository's markdown and ../shared/corpus."""
    blocks = edges = 0
    for path in md_files(ROOT / "agents", ROOT / "tests", SHARED / "corpus"):
        got = both_blocks(find_blocks, read_source(path.as_posix(), path.read_bytes()), path.stem)
        blocks += len(got)
        edges += sum(map(len, got.values()))
    assert blocks > 30 and edges > 40  # the repository's files alone: 45 blocks yield 54 edges


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.lists(st.sampled_from(MD_LINES + ["## Do not use", "- x \u2192 Delegate to **a-b**", "Use the a-b agent for c",
                                            "| Delegate to | When |", "| a-b | x |"]), max_size=30),
       st.sampled_from(["me", "a-b"]))
def test_made_markdown_finds_the_same_blocks(find_blocks, lines, name):
    both_blocks(find_blocks, read_source("made.md", "\n".join(lines).encode()), name)


def test_find_blocks_bad_arguments_and_no_leak(find_blocks):
    from agentc.compiler.markdown import ListItem, Paragraph

    c = find_blocks.func
    env = find_blocks.args[0]
    item = ListItem(line=1, col=1, end=1, text="x \u2192 Delegate to **a-b**")
    good = (env, [item], [0], [0], ["other"], "me")
    assert c(*good) == {0: [("a-b", "x", "delegate", "D1 arrow", 1, 1)]}
    assert c(env, [item], [0], [None], [], "me") == {0: [("a-b", "x", "delegate", "D1 arrow", 1, 1)]}
    for at, bad in ((0, env[:4]), (0, None), (1, (item,)), (2, (0,)), (3, (0,)), (4, ("other",))):
        with pytest.raises(TypeError):
            c(*good[:at], bad, *good[at + 1:])
    with pytest.raises(TypeError):
        c(*good[:-1])
    for k, bad in ((0, env[0][:5]), (4, 1)):
        with pytest.raises(TypeError):
            c((*env[:k], bad, *env[k + 1:]), *good[1:])
    for indices, owner, roles in (([1], [0], ["x"]), ([-1], [0], ["x"]), (["0"], [0], ["x"]), ([1 << 70], [0], ["x"]),
                                  ([0], [1], ["x"]), ([0], ["0"], ["x"]), ([0], [0], [1]), ([0], [], ["x"])):
        with pytest.raises(TypeError):
            c(env, [item], indices, owner, roles, "me")
    with pytest.raises(TypeError):
        c(env, [ListItem(line=1, col=1, end=1, text=None)], [0], [None], [], "me")
    with pytest.raises(ZeroDivisionError):
        c((*env[:3], lambda b, role, name: 1 / 0, *env[4:]), [object()], [0], [None], [], "me")
    paragraph = Paragraph(line=2, col=1, end=2, text="Use the **a-b** agent for c")
    blocks = [item, paragraph, object(), item]

    def calls():
        c(env, blocks, [0, 1, 3], [0, None, 0, 0], ["avoid_when"], "me")
        c((*env[:3], lambda b, role, name: [(role,)], *env[4:]), blocks, [2], [None] * 4, [], "me")
        try:
            c(env, blocks, [9], [None] * 4, [], "me")
        except TypeError:
            pass

    assert_no_leak(calls)
