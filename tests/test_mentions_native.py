"""The C scans of the mention reader (agentc.compiler._mentions) against the Python ones they
stand in for: the word search `line_groups` against mentions._holding of mentions._lowered (the same
lines for every group of words), `title_names` and `kebab_names` against mentions._title_names_py and
_kebab_names_py (the same names, so the same mentions._candidates), on every markdown file of the repository, the shared corpus and
hypothesis-made texts built from the characters that could tell them apart (ASCII and non-ASCII
capitals, "İ", the Kelvin sign, hyphen variants, CRLF, words at the text's ends and across line
ends, overlapping words). Also: they are used when built (and must be, where CI says so with
AGENTC_REQUIRE_NATIVE=1), bad arguments are TypeErrors, and they leak no memory."""

from __future__ import annotations

import os
import re
from functools import partial

import pytest
from conftest import ROOT, SHARED, assert_no_leak, md_files, native_in_use, native_or_skip
from hypothesis import given, settings
from hypothesis import strategies as st

from agentc.compiler import mentions
from agentc.compiler.delegation import CUES, LINE_TRIGGERS
from agentc.compiler.source import text_of

# The words candidates_by_line searches for, as it builds them.
WORDS = tuple(dict.fromkeys((*mentions._LOOK_WORDS, *CUES, *LINE_TRIGGERS)))
# ...and words that try the search's corners: one character, overlapping themselves ("aa" twice in
# "aaa"), sharing a start, non-ASCII first or second characters, a capital (never found: the text
# is lowered), across a line end, and a word twice (one list, as in a dict).
ODD_WORDS = ("a", "aa", "aaa", "ana", "an", "→", "→a", "a→", "é", "ée", "-", "--", "k", "i", "Agent", "a\nb", "\n",
             "\r", "agent", "agent", "😀", "ı", "ſ")


@pytest.fixture(scope="module")
def module():
    """The C module, even when this run scans in pure Python."""
    return native_or_skip(mentions._native, "_mentions")


@pytest.fixture(scope="module")
def native(module):
    """The C `line_groups`."""
    return module.line_groups


def test_mentions_uses_the_native_scans_when_built():
    _mentions = native_in_use("agentc.compiler._mentions")
    if _mentions is None:
        assert mentions._line_groups is mentions._line_groups_py
        assert (mentions._title_names, mentions._kebab_names) == (mentions._title_names_py, mentions._kebab_names_py)
        assert mentions._by_line is mentions._by_line_py
        assert mentions._prepare_join is mentions._prepare_join_py
    else:
        assert mentions._line_groups is mentions._line_groups_native
        assert mentions._title_names.func is _mentions.title_names
        assert mentions._title_names.args == (mentions.role_like, mentions._AGENT_AFTER.match, mentions._ROLE_ENDS)
        assert mentions._kebab_names.func is _mentions.kebab_names
        assert mentions._kebab_names.args == (mentions._KEBAB_RULES,)
        assert mentions._by_line is _mentions.by_line
        assert mentions._prepare_join is _mentions.prepare_join


def _masks(words: tuple[str, ...]) -> tuple[int, ...]:
    """A mask of five groups for each word, each mask from 0 to 31 met, a word in none too."""
    return tuple((i * 7 + 3) % 32 for i in range(len(words)))


def _both(native, text: str, words: tuple[str, ...] = WORDS) -> None:
    """Assert the C and the Python search agree on `text`: the lines of each group of the words
    (`_masks`), directly when the C takes the text, and through mentions._line_groups_native
    (which sends "İ" and the Kelvin sign to Python) always, as mentions._line_groups_py and the
    lines mentions._holding finds for each word give them."""
    low = mentions._lowered(text)
    expected = mentions._holding(low, words)  # the lowered text's places, by its own lines
    masks = _masks(words)
    groups = [{i for word, mask in zip(words, masks, strict=True) if mask >> g & 1 for i in expected[word]} for g in range(5)]
    if "\u0130" not in text and "\u212a" not in text:
        assert native(text, words, masks, 5) == groups, text
    else:  # the lowered text's places are not the text's: the C gives it to Python
        assert native(text, words, masks, 5) is None, text
    assert mentions._line_groups_py(text, words, masks, 5) == (groups, len(low) != len(text)), text
    with pytest.MonkeyPatch.context() as mp:  # not the fixture: hypothesis calls this many times per test
        mp.setattr(mentions, "_NATIVE", native.__self__)  # in a pure-Python run too
        assert mentions._line_groups_native(text, words, masks, 5) == (groups, len(low) != len(text)), text



def test_repository_files_search_the_same(native):
    files = md_files(ROOT / "agents", ROOT / "golden", ROOT / "tests" / "fixtures")
    assert len(files) > 20
    for path in files:
        text = text_of(path.read_bytes())
        _both(native, mentions.prepare(text))
        _both(native, text, ODD_WORDS)


def test_shared_corpus_searches_the_same(native):
    files = md_files(SHARED / "corpus")
    if not files:
        pytest.skip("no ../shared/corpus beside the repository")
    for path in files:
        text = text_of(path.read_bytes())
        _both(native, mentions.prepare(text))
        _both(native, text, ODD_WORDS)


def test_candidates_by_line_is_the_same_either_way(native, monkeypatch):
    """The whole reading of each agents/ file, with the C search and with the Python one."""
    for path in md_files(ROOT / "agents"):
        lines = text_of(path.read_bytes()).split("\n")
        monkeypatch.setattr(mentions, "_line_groups", mentions._line_groups_py)
        expected = mentions.candidates_by_line(lines, "x", CUES, LINE_TRIGGERS)
        monkeypatch.setattr(mentions, "_NATIVE", native.__self__)  # in a pure-Python run too
        monkeypatch.setattr(mentions, "_line_groups", mentions._line_groups_native)
        assert mentions.candidates_by_line(lines, "x", CUES, LINE_TRIGGERS) == expected


def test_the_words_are_searched_once_in_their_groups():
    """Each word once, in the order the look words, "subagent_type", the cues and the triggers
    come, with the bit of every group that holds it."""
    words, masks, count = mentions._words(CUES, LINE_TRIGGERS)
    assert words == tuple(dict.fromkeys((*mentions._LOOK_WORDS, "subagent_type", *CUES, *LINE_TRIGGERS)))
    groups = (("agent",), ("subagent_type",), mentions._HINT_WORDS, CUES, LINE_TRIGGERS)
    assert count == len(groups)
    for word, mask in zip(words, masks, strict=True):
        assert mask == sum(1 << g for g, group in enumerate(groups) if word in group), word


# What a text is made of: the words and their pieces in every case, the characters whose lowercase
# is not one ASCII letter for one ("İ", the Kelvin sign, "ı", "ſ"), non-ASCII hyphens and arrows,
# other planes, line ends (CRLF too) and blanks.
PIECES = [*WORDS, "AGENT", "Agent", "aGeNt", "WORK WITH", "Work\nwith", "ag", "ent", "wi", "th", "a", "aa", "an", "e",
          "\u0130", "\u212a", "K", "k", "\u0131", "\u017f", "\u00e9", "\u00c9", "\u2010", "\u2011", "\u2212", "-", "--",
          "\u2192", "\u21d2", "\U0001f600", "\n", "\r\n", "\r", " ", "  ", "\t", "*", "(", ">", "=", "\u00a0", ""]

text = st.lists(st.sampled_from(PIECES), max_size=40).map("".join)


@settings(max_examples=int(os.environ.get("AGENTC_FUZZ_EXAMPLES", "400")), deadline=None)
@given(text)
def test_generated_texts_search_the_same(native, text):
    _both(native, text)
    _both(native, text, ODD_WORDS)


@settings(max_examples=int(os.environ.get("AGENTC_FUZZ_EXAMPLES", "400")), deadline=None)
@given(text, st.lists(st.sampled_from([*PIECES[:-1], *ODD_WORDS]).filter(bool), min_size=1, max_size=6).map(tuple))
def test_generated_words_search_the_same(native, text, words):
    _both(native, text, words)


# Texts and words from a few characters, so that places crowd: the search's filter on a place's
# first three characters meets words of one, two and more characters (two-character words at the
# text's end too), words sharing their first one or two characters, and many words at once.
FEW = st.sampled_from(["a", "b", "A", "-", ">", "\n", "\u2192", " "])


@settings(max_examples=int(os.environ.get("AGENTC_FUZZ_EXAMPLES", "400")), deadline=None)
@given(st.lists(FEW, max_size=30).map("".join), st.lists(st.lists(FEW, min_size=1, max_size=4).map("".join), min_size=1,
                                                          max_size=60).map(tuple))
def test_crowded_words_search_the_same(native, text, words):
    _both(native, text, words)


def test_every_piece_pair_searches_the_same(native):
    """Each piece after each other one, at the text's start, end and middle."""
    for a in PIECES:
        _both(native, "\n".join(f"{a}{b} x {a}{b}" for b in PIECES) + a)


# A text of 256 characters or more is read as four lanes (quarters) at once, each later lane's
# search starting the longest word's length before its quarter, the last going on over what n // 4
# left: long texts crowded with places, of every length modulo 4, find every place once, on either
# side of each lane's start and across it.
@settings(max_examples=int(os.environ.get("AGENTC_FUZZ_EXAMPLES", "400")) // 4, deadline=None)  # ~0.1 s an example
@given(st.lists(FEW, min_size=250, max_size=700).map("".join), st.lists(st.lists(FEW, min_size=1, max_size=6).map("".join),
                                                                        min_size=1, max_size=20).map(tuple))
def test_long_crowded_texts_search_the_same(native, text, words):
    _both(native, text, words)
    _both(native, text, ODD_WORDS)


def test_a_word_across_a_lane_start_is_found_once(native):
    """Each word at every place around each lane's start and the text's end, in texts of each
    length modulo 4 from 256 on."""
    for words in (WORDS, ODD_WORDS):
        for word in words:
            for n in (256, 257, 258, 259, 300, 301):
                for start in (n // 4, 2 * (n // 4), 3 * (n // 4), 4 * (n // 4), n):
                    for at in range(max(0, start - len(word) - 2), min(n - len(word), start + 2) + 1):
                        text = "x" * at + word + "y" * (n - at - len(word))
                        _both(native, text, words)
                        _both(native, text.replace("x", "\n"), words)


def test_a_word_longer_than_a_lane_is_found(native):
    """A word longer than a quarter of the text: each later lane's search starts the word's length
    before its quarter, from the text's start at most."""
    word = "ab" * 70
    for n in (256, 300):
        for at in range(0, n - len(word) + 1, 3):
            _both(native, "\n" * at + word + "y" * (n - at - len(word)), (word,))


def test_lines_are_counted_by_blocks(native):
    """The scan counts the line ends before each place 16 characters at a time (4 of four bytes;
    two-byte ones narrowed to bytes), summing at most 255 blocks at once: words after runs of line
    ends of every length around those bounds (255 blocks are 4080 or 1020 characters), in texts of
    each kind, and among characters whose low byte is a line end's ("Ċ" is 0x10A, "\u0a0a")."""
    for wide in ("", "\u2192", "\U0001f600"):
        for count in (0, 1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 33, 1019, 1020, 1021, 2039, 2040, 2041, 4079, 4080, 4081, 9000):
            text = wide + "agent" + "\n" * count + "ask x" + "\n" * (count // 3) + "agent\n"
            _both(native, text)
            _both(native, text.replace("\n", "\nb"))
            _both(native, text.replace("\n", "\u010a\n\u0a0a"))


def test_an_odd_character_anywhere_gives_the_text_to_python(native):
    """"İ" and the Kelvin sign have a class and a state of their own, found where the scan tests for
    a word's end: at the text's ends, next to a word, around the half of a long text (in the second
    half's start-up too), in texts of two and four bytes a character, and their neighbours U+012F,
    U+0131, U+2129 and U+212B scanned in C."""
    for odd in ("\u0130", "\u212a", "\u012f", "\u0131", "\u2129", "\u212b"):
        for wide in ("", "\u2192", "\U0001f600"):
            for n in (12, 256, 257, 258, 259, 301):
                base = (wide + "an agent, ask " * n)[:n]
                for at in {0, 1, 5, n // 2 - 20, n // 2 - 2, n // 2 - 1, n // 2, n // 2 + 1, n - 2, n - 1}:
                    _both(native, base[:at] + odd + base[at + 1 :])
                    _both(native, base[:at] + odd + base[at + 1 :], ODD_WORDS)


def test_words_too_many_for_the_table_are_searched_in_python(native):
    """A word of 5000 different characters makes a table of 25 million entries: the C gives None
    (as for "İ") and the search is Python's."""
    word = "".join(map(chr, range(0x4E00, 0x4E00 + 5000)))
    text = f"agent\n{word}\nagent " * 100
    assert native(text, ("agent", word), (1, 2), 2) is None
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(mentions, "_NATIVE", native.__self__)  # in a pure-Python run too
        assert mentions._line_groups_native(text, ("agent", word), (1, 2), 2) == (
            [set(range(0, 201, 2)), set(range(1, 200, 2))], False)


def test_bad_arguments_are_type_errors(native):
    for args in (("a", ("a",), (1,)), (b"a", ("a",), (1,), 1), ("a", ["a"], (1,), 1), ("a", ("a",), [1], 1),
                 ("a", ("a", "b"), (1,), 1), ("a", ("a",), ("1",), 1), ("a", ("a",), (1.0,), 1), ("a", ("a",), (1,), "1"),
                 ("a", ("",), (1,), 1), ("a", (1,), (1,), 1), ("a",), ()):
        with pytest.raises(TypeError):
            native(*args)
    for args in (("a", ("a",), (-1,), 1), ("a", ("a",), (2,), 1), ("a", ("a",), (1 << 32,), 32), ("a", ("a",), (1 << 70,), 32),
                 ("a", ("a",), (1,), -1), ("a", ("a",), (1,), 33), ("a", ("a",), (1,), 1 << 70)):
        with pytest.raises((ValueError, OverflowError)):
            native(*args)
    assert native("an agent\nask", ("agent", "ask"), ((1 << 32) - 1, 0), 32) == [{0}] * 32
    assert native("an agent", ("agent",), (0,), 0) == []


def test_the_kept_search_follows_the_words(native):
    """The search made for a words tuple is kept for the next call with that tuple: calls with
    other tuples (equal ones too, and one made anew each time) in between find their own words."""
    text = "The agent works with →x\nask the TEAM\nnothing\n(use it) **vs** y\n"
    for words in (WORDS, ("ask", "x"), WORDS, tuple(list(("ask", "x"))), ODD_WORDS, WORDS, ("agent",), WORDS):
        _both(native, text, words)
    assert native(text, ("ask",), (1,), 1) == [{1}]
    assert native(text, ("team",), (1,), 1) == [{1}]


def test_no_memory_is_leaked(native):
    """A text with matches on many lines, searched 20 000 times, also with "İ" or the Kelvin sign
    after some matches (the search stops there): no block stays allocated."""
    text = "The agent works with →x\nask the TEAM\nnothing\n(use it) **vs** y\n" * 4

    masks = _masks(WORDS)

    def calls():
        native(text, WORDS, masks, 5)
        native(text, ("with", "ask"), (1, 2), 2)  # another search made, the kept one freed
        assert native(text + "\u0130", WORDS, masks, 5) is None
        assert native(text + "\u212a agent", WORDS, masks, 5) is None
        long = text * 20  # two halves, the second keeping its many places until the first's are in
        native(long, WORDS, masks, 5)
        assert native(long + "\u0130" + long, WORDS, masks, 5) is None  # in the second half, places kept
        native(text * 200, WORDS, masks, 5)  # past 256 lines: the per-line groups grow
        with pytest.raises(ValueError):
            native(text, WORDS, (1 << 6,) * len(WORDS), 5)
        with pytest.raises(TypeError):
            native(text, ("a", ""), (1, 1), 5)

    assert_no_leak(calls)


# The names of _candidates' kebab and Title-Case scans: the characters that decide them (capitals,
# digits, hyphens next to each other and at the ends, "&" with and without blanks, "_", the signs
# before and after a kebab name, plugin prefixes), the words role_like and _kebab_ok answer about
# (roles, things, placeholders, modifiers), "agent" after a phrase across each of the characters
# `(?:\s|\*\*|`)*` and re.I's "s" take that the C test does not (non-ASCII blanks: U+00A0, U+2003,
# U+0085; "ſ", "İ", the Kelvin sign, "ı") and the ASCII blanks it does (\v, \f, \x1c-\x1f), non-ASCII
# letters and digits next to names, hyphen variants, other planes, line ends.
SPAN_PIECES = ["A", "Ab", "AB", "Code", "Reviewer", "X1", "a", "ab", "1", "9x", "-", "--", "_", " ", "  ", "& ", " & ",
               "&", "\n", "\r\n", "\t", ".", "/", ":", "@", "(", ")", "*", "**", "`", "\\", "\u00c9", "\u00e9", "\u2010",
               "\u0130", "\uff21", "\U0001f600", "code-reviewer", "Reality Checker", "A & B", "Data Scientist", "Manager",
               "Server", "Request Handler", "Guru", "agent", "Agent", "AGENTS", "agents", "sub-agent", "subagent", "Sub Agent",
               "agent\u017f", "\u017fub-agent", "\u00a0", "\u2003", "\u0085", "\x0b", "\x0c", "\x1c", "\x1f", "\u212a", "\u0131",
               "\u0663", "\u00b2", "ml-engineer", "x-agent", "multi-agent", "foo-bar", "plug:", "Plug:", "p1-x:", "gpt-4o",
               "the-name-agent", "12-34", "s", "S", "x", ""]
span_text = st.lists(st.sampled_from(SPAN_PIECES), max_size=40).map("".join)


def _names_both(module, text: str) -> None:
    expected = mentions._title_names_py(text)
    assert module.title_names(mentions.role_like, mentions._AGENT_AFTER.match, mentions._ROLE_ENDS, text) == expected, text
    assert module.kebab_names(mentions._kebab_ok, text) == mentions._kebab_names_py(text), text
    assert module.kebab_names(mentions._KEBAB_RULES, text) == mentions._kebab_names_py(text), text


def test_odd_texts_name_the_same(module):
    """Hyphens at the text's ends and next to each other, far apart (the scan jumps from one to the
    next), in texts of each kind."""
    for text in ("", "-", "--", "a-", "-a", "a-b", "ab-cd", "-ab-cd-", "x" * 100_000 + " ab-cd", "ab-cd " + "-" * 5000 + "ef-gh",
                 "\u00e9ab-cd", "\U0001f600 ab-cd-\n-ef-gh", "Code Reviewer-x", "a\u2010b-c", "ab-cd" * 3000):
        _names_both(module, text)


def test_capitals_are_found_at_every_place_of_a_word_of_characters(module):
    """The Title-Case scan reads the capitals after a " " 16, 8 or 4 characters at a time (SSE2; else
    the capitals of 8, 4 or 2; a two-byte text 16, packed to bytes): a phrase at each offset of two
    blocks after fillers of each kind, next to characters whose low byte or lane is a capital's, a
    capital's neighbour or a blank's ("Ł" is 0x141, "셁" 0xC141, "@" and "[" frame "A"-"Z", "Ġ" is
    0x120, "†" 0x2020), that a signed comparison reads as negative ("\xc1", 0x8041, a lone
    surrogate) or that packing saturates ("Ａ" is 0xFF21, "ÿ" 0xFF itself), and texts of those
    characters alone."""
    for filler in ("x", "@", "[", "`", "{", "\u0141", "\uc141", "\u015a", "\U0001f641", "\U0005a041", "\x7f", "\xc1",
                   "\u8041", "\u4141", "\ud841", "\uff21", "\xff", "\u0100", "\u0120", "\u2020", "\U00010020"):
        for at in range(36):
            _names_both(module, filler * at + "Reality Checker" + filler * (19 - at) + " Code Reviewer agent" + filler * at)
            _names_both(module, filler * at + "Zen Reviewer, Alpha Checker" + filler * at)
        _names_both(module, filler * 50)


def test_hyphens_are_found_at_every_place_of_a_block(module):
    """The kebab scan finds the next hyphen 16, 8 or 4 characters at a time (SSE2; a two-byte text
    16, packed to bytes): a name at each offset of two blocks after fillers of each kind, next to
    characters whose low byte or lane is a hyphen's ("ĭ" is 0x12D, "ⴭ" 0x2D2D, "𭀭" 0x2D02D, "팭"
    0xD32D, a lone surrogate 0xD82D, the non-ASCII hyphens), at the text's last characters, and
    texts of those characters alone."""
    for filler in ("x", " ", ",", ".", "\u012d", "\u2d2d", "\u2010", "\u2212", "\U0002d02d", "\U0001f600", "\xad",
                   "\ud32d", "\ud82d", "\xff"):
        for at in range(36):
            _names_both(module, filler * at + "code-reviewer" + filler * (19 - at) + " ml-engineer" + filler * at)
            _names_both(module, filler * at + "a-b" + filler * at + "-cd-e")
        _names_both(module, filler * 50)


def test_names_of_every_file_are_the_same(module):
    files = md_files(ROOT / "agents", ROOT / "golden", ROOT / "tests" / "fixtures", SHARED / "corpus")
    for path in files:
        text = text_of(path.read_bytes())
        _names_both(module, text)
        _names_both(module, mentions.prepare(text))


@settings(max_examples=int(os.environ.get("AGENTC_FUZZ_EXAMPLES", "400")), deadline=None)
@given(span_text)
def test_generated_names_are_the_same(module, text):
    _names_both(module, text)


def test_every_span_piece_triple_is_the_same(module):
    for a in SPAN_PIECES:
        _names_both(module, " ".join(a + b + c for b in SPAN_PIECES for c in SPAN_PIECES) + a)
        _names_both(module, "".join(a + b + c for b in SPAN_PIECES for c in SPAN_PIECES) + a)


def test_title_phrases_are_found_from_their_second_word(module):
    """The title scan stops at a capital after " " or " & " and takes the first capital of the run
    before it: runs with small letters or digits before their capital, "&" forms that are no
    word, phrases one after another, at the text's ends and in two- and four-byte texts."""
    texts = ["fooBar Baz Checker", "x1Code Reviewer", "Foo & & Bar Reviewer", "Foo& Bar Reviewer", "Foo &Bar Reviewer",
             "Foo  Bar Reviewer", "Code Reviewer Data Scientist, Code Reviewer", "A B", "Ab & Cd", " & Code Reviewer",
             "Code Reviewer & ", "Code & Reviewer & Tester agent", "aB cD Ef Gh", "Code Reviewer\nData Scientist", "A"]
    for text in texts:
        for wide in ("", "\u2192", "\U0001f600"):
            _names_both(module, text + wide)
            _names_both(module, wide + " " + text)


def test_agent_after_a_phrase_is_decided_the_same(module):
    """"agent" after a phrase that is no role, across every gap: each blank, mark and letter the
    C test settles, and those it leaves to the regex."""
    gaps = ["", " ", "\t", "\n", "\r\n", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x1f", "\x85", "\u00a0", "\u2003",
            "\u3000", "*", "**", "***", "****", "`", " ** ` ", "_", "-", ".", ":", "\u00e9", "\u017f"]
    words = ["agent", "agents", "Agent", "AGENTS", "sub-agent", "subagent", "Sub-Agents", "agentx", "agents_", "agent-",
             "agent\u017f", "agent\u00e9", "agent\u0663", "\u017fubagent", "a", "s", "sagent", "and", "Agen", "",
             "subagents", "sub--agent", "sub agent", "sub-", "sub", "su", "SUB-AGENTS_", "sub-agent\u017f", "sub\u00e9agent",
             "agen\u017f", "agents\u2160", "agent\U0001d7d8", "agents.", "agentss", "agent\u0130", "s\u212aagent", "\u212a"]
    for gap in gaps:
        for word in words:
            for lead in ("", "x ", "\u00e9"):
                _names_both(module, f"{lead}Requirements Analysis{gap}{word}")


def _pattern_ends(items: list) -> set[str]:
    """The last two characters of every string the parsed pattern `items` (re._parser nodes) can
    end with: its trailing literals, else the alternatives of its last branch. A pattern ending in
    anything else fails: these ends would not be known."""
    tail = ""
    for op, arg in reversed(items):
        if op is not re._constants.LITERAL:
            break
        tail = chr(arg) + tail
    if len(tail) >= 2:
        return {tail[-2:]}
    op, arg = items[-1]
    assert not tail and op is re._constants.BRANCH, items
    return set().union(*(_pattern_ends(list(alternative)) for alternative in arg[1]))


def test_role_ends_hold_every_ending_of_the_role_pattern():
    """`_ROLE_ENDS` lets the C title scan leave `role_like` unasked for other words: every word
    `_ROLE_TAIL` (`^(?:...|...)$`) matches must end in one."""
    begin, *body, end = re._parser.parse(mentions._ROLE_TAIL.pattern, mentions._ROLE_TAIL.flags)
    assert (begin[1], end[1]) == (re._constants.AT_BEGINNING, re._constants.AT_END)
    ends = _pattern_ends(body)
    assert ends <= set(mentions._ROLE_ENDS)
    assert {"er", "or", "st", "an", "nt", "ro", "ps", "rd", "ic"} <= ends  # the walk reached the alternatives


def test_title_scan_asks_role_like_only_of_possible_roles(module):
    """A phrase whose last word ends in none of `_ROLE_ENDS` is no role without the call."""
    asked: list[str] = []

    def role_like(word: str) -> bool:
        asked.append(word)
        return mentions.role_like(word)

    text = "Requirements Analysis, the Code Reviewer, Prompt Engineering Pro and Data API."
    found = module.title_names(role_like, mentions._AGENT_AFTER.match, mentions._ROLE_ENDS, text)
    assert found == mentions._title_names_py(text)
    assert asked == ["reviewer", "pro"]


def _candidates_both(module, monkeypatch, text: str, self_name: str = "x") -> None:
    monkeypatch.setattr(mentions, "_title_names", mentions._title_names_py)
    monkeypatch.setattr(mentions, "_kebab_names", mentions._kebab_names_py)
    expected = mentions._candidates(text, self_name)
    monkeypatch.setattr(mentions, "_title_names", partial(module.title_names, mentions.role_like, mentions._AGENT_AFTER.match, mentions._ROLE_ENDS))
    monkeypatch.setattr(mentions, "_kebab_names", partial(module.kebab_names, mentions._KEBAB_RULES))
    assert mentions._candidates(text, self_name) == expected, text


def test_candidates_are_the_same_either_way(module, monkeypatch):
    """_candidates of each agents/ and corpus file, with the C scans and with the Python ones."""
    for path in md_files(ROOT / "agents", SHARED / "corpus"):
        text = mentions.prepare(text_of(path.read_bytes()))
        _candidates_both(module, monkeypatch, text, path.stem)


@settings(max_examples=int(os.environ.get("AGENTC_FUZZ_EXAMPLES", "400")), deadline=None)
@given(span_text, st.sampled_from(["x", "code-reviewer", "reality-checker", "ml-engineer"]))
def test_generated_candidates_are_the_same_either_way(module, text, self_name):
    with pytest.MonkeyPatch.context() as monkeypatch:
        _candidates_both(module, monkeypatch, text, self_name)


def test_kept_kebab_rules_follow_the_tuple(module):
    """names_by_line and kebab_names keep the rules made from the last tuple: another tuple's rules
    are made for it (and a bad one is a TypeError, the next good one taken again)."""
    text = "foo-bar and real-time and code-reviewer"
    assert [k[2] for k in module.kebab_names(mentions._KEBAB_RULES, text)] == ["code-reviewer"]
    assert [k[2] for k in module.kebab_names(((), (), frozenset(), ()), text)] == ["foo-bar", "real-time", "code-reviewer"]
    with pytest.raises(TypeError):
        module.kebab_names(((1,), (), frozenset(), ()), text)
    assert [k[2] for k in module.kebab_names(mentions._KEBAB_RULES, text)] == ["code-reviewer"]


def test_kept_kebab_answers_follow_the_rules(module):
    """kebab_names keeps each name's answer for the rules of the tuple it was asked with: another
    tuple's are asked again, and with a set of modifiers (which may change) none is kept."""
    text = "zork-agent and code-reviewer, zork-agent"
    rules = (*mentions._KEBAB_RULES[:2], frozenset({"zork"}), mentions._KEBAB_RULES[3])
    for _ in range(2):  # the second time, from the kept answers
        assert [k[2] for k in module.kebab_names(rules, text)] == ["code-reviewer"]
    modifiers: set[str] = set()
    loose = (rules[0], rules[1], modifiers, rules[3])
    assert [k[2] for k in module.kebab_names(loose, text)] == ["zork-agent", "code-reviewer", "zork-agent"]
    modifiers.add("zork")
    assert [k[2] for k in module.kebab_names(loose, text)] == ["code-reviewer"]
    assert [k[2] for k in module.kebab_names(rules, text)] == ["code-reviewer"]


# The names kebab_names asks _kebab_ok about (ASCII small letters, digits, single inner hyphens),
# made from the parts that decide it: placeholders, modifiers, "agent" (once, twice, last or not),
# "vs", digits only, adjective endings (and words holding one elsewhere), the no-agent names' parts.
KEBAB_PARTS = [*mentions._PLACEHOLDER_WORDS, *mentions._ADJECTIVE_ENDS, *sorted(mentions._MODIFIER)[:20], "agent", "agents",
               "vs", "vsx", "12", "0", "4o", "x1", "code", "reviewer", "edx", "ai", "aix", "ml", "engineer", "tuning", "fine",
               "time", "real", "a", "ab", "abc", *{p for name in mentions._NOT_AGENTS for p in name.split("-")}]
kebab_name = st.lists(st.sampled_from(KEBAB_PARTS), min_size=1, max_size=5).map("-".join)


def _kebab_ok_both(module, name: str) -> None:
    assert module.kebab_ok(mentions._KEBAB_RULES, name) is mentions._kebab_ok(name), name


def test_kebab_ok_is_the_same_in_c(module):
    names = [*mentions._NOT_AGENTS, *(f"{m}-agent" for m in mentions._MODIFIER), "agent-vs-agent", "ab", "abc", "ab-c", "1-2",
             "12-34-56", "1-a", "x-agent", "my-agent", "agent-agent", "code-agent-x-agent", "name-x", "on-demand", "agent"]
    for path in md_files(ROOT / "agents", SHARED / "corpus"):  # every name the scan asks about in the files
        text = mentions.prepare(text_of(path.read_bytes()))
        names += [text[m.start() : m.end()].lower().strip("-") for m in re.finditer(r"[A-Za-z0-9]+(?:-[A-Za-z0-9]+)+", text)]
    for name in names:
        _kebab_ok_both(module, name)


@settings(max_examples=int(os.environ.get("AGENTC_FUZZ_EXAMPLES", "400")), deadline=None)
@given(kebab_name)
def test_generated_kebab_ok_is_the_same_in_c(module, name):
    _kebab_ok_both(module, name)


def test_long_kebab_names_are_the_same(module):
    """A name tested in C as a str (longer than kebab_name's buffer of 64) or in the buffer, kept
    ("-reviewer") or not ("-ing"), with a plugin prefix."""
    for size in (62, 63, 64, 65, 66, 200):
        for tail in ("-reviewer", "-ing", "-agent"):
            name = ("Ab-" * size)[: size - len(tail)].rstrip("-") + tail
            _names_both(module, f"Use {name}, plug:{name} and {name.upper()}.")


def _raise(*args):
    raise ValueError(args)


def test_names_with_bad_arguments_are_type_errors(module):
    ends = mentions._ROLE_ENDS
    for args in ((), ("A B",), (len, len, ends, b"A B"), (1, len, ends, "A B"), (len, 1, ends, "A B"), (len, len, "A B"),
                 (len, len, ends, "A B", 1), (len, len, ["er"], "A B"), (len, len, ("e",), "A B"), (len, len, (b"er",), "A B"),
                 (len, len, ("er",) * 65, "A B")):
        with pytest.raises(TypeError):
            module.title_names(*args)
    rules = mentions._KEBAB_RULES
    for args in ((), ("a-b",), (len, b"a-b"), (1, "a-b"), (len, "a-b", 1), ((), "a-b"), (rules[:3], "a-b"),
                 ((rules[0], rules[1], list(rules[2]), rules[3]), "a-b"), ((["x"], *rules[1:]), "a-b"),
                 (((1,), *rules[1:]), "a-b"), ((("é",), *rules[1:]), "a-b"), ((("x",) * 129, *rules[1:]), "a-b")):
        with pytest.raises(TypeError):
            module.kebab_names(*args)
    for args in ((), (rules,), (rules, b"a-b"), (rules, "é-b"), ((), "a-b"), (rules, "a-b", 1)):
        with pytest.raises(TypeError):
            module.kebab_ok(*args)


def test_errors_of_the_word_tests_come_through(module):
    with pytest.raises(ValueError):
        module.title_names(_raise, mentions._AGENT_AFTER.match, mentions._ROLE_ENDS, "The Code Reviewer")
    with pytest.raises(ValueError):
        module.title_names(str.isupper, _raise, mentions._ROLE_ENDS, "Requirements Analysis \u00a0agent")  # the regex is asked
    assert module.title_names(str.isupper, _raise, mentions._ROLE_ENDS, "Requirements Analysis agent") == [(0, 21)]  # not
    with pytest.raises(ValueError):
        module.kebab_names(_raise, "a code-reviewer")


def test_names_leak_no_memory(module):
    """Every way a place goes (kept, dropped, a plugin prefix, "agent" decided in C and asked of the
    regex, a word test that raises), 20 000 times: no block stays allocated."""
    text = ("The Code Reviewer & Tester runs code-reviewer--x, plug:ml-engineer and -a- b-c-. Data Analysis agent. "
            "Data Analysis \u017fubagent. ") * 8
    role_like, agent_after, kebab_ok = mentions.role_like, mentions._AGENT_AFTER.match, mentions._kebab_ok
    ends = mentions._ROLE_ENDS

    def calls():
        module.title_names(role_like, agent_after, ends, text), module.kebab_names(kebab_ok, text)
        module.kebab_names(mentions._KEBAB_RULES, text), module.kebab_ok(mentions._KEBAB_RULES, "multi-agent")
        with pytest.raises(TypeError):
            module.kebab_names(mentions._KEBAB_RULES[:3], text)
        with pytest.raises(TypeError):
            module.title_names(role_like, agent_after, ("er", 1), text)
        for args in ((_raise, agent_after, ends, text), (str.isupper, _raise, ends, text)):
            with pytest.raises(ValueError):
                module.title_names(*args)
        with pytest.raises(ValueError):
            module.kebab_names(_raise, text)

    assert_no_leak(calls)


# The weak phrases (mentions.weak_phrases): the verbs in every case, "the" (twice too), every ASCII
# blank `\s` takes (\v, \f, \x1c-\x1f, CR) and the non-ASCII ones (U+00A0, U+2003, U+0085: such a
# line goes to the regex), role and thing words, the signs that end the words or do not ("-", "_",
# ".", digits), the letters whose lowercase is not one ASCII letter for one ("İ", the Kelvin sign).
WEAK_PIECES = [*mentions._WEAK_VERBS, "Query", "ASK", "Asks", "To", "WITH", "into", "tow", "the", "The", "THE", "thee",
               "context", "manager", "code", "reviewer", "training", "engineer", "data", "scientist", "server", "pro",
               "x", "a1", "9", "_", "-", ".", ",", "'", "(", " ", "  ", "\t", "\r", "\x0b", "\x0c", "\x1c", "\x1f", "\u00a0",
               "\u2003", "\u0085", "\u0130", "\u212a", "\u00e9", "\u2192", "\n", ""]
weak_text = st.lists(st.sampled_from(WEAK_PIECES), max_size=30).map(" ".join)
weak_glued = st.lists(st.sampled_from(WEAK_PIECES), max_size=30).map("".join)


def _weak_both(module, line: str) -> None:
    expected = mentions._weak_phrases_py(line)
    if line.isascii():
        assert module.weak_phrases(mentions.role_like, mentions._WEAK_VERBS, line) == expected, line
    with pytest.MonkeyPatch.context() as mp:  # not the fixture: hypothesis calls this many times per test
        mp.setattr(mentions, "_native_weak", partial(module.weak_phrases, mentions.role_like, mentions._WEAK_VERBS))
        assert mentions.weak_phrases(line) == expected, line


def test_mentions_uses_the_native_weak_phrases_when_built():
    if native_in_use("agentc.compiler._mentions") is None:
        assert mentions._native_weak is None
    else:
        assert mentions._native_weak.func is mentions._NATIVE.weak_phrases
        assert mentions._native_weak.args == (mentions.role_like, mentions._WEAK_VERBS)


def test_weak_phrases_of_every_line_are_the_same(module):
    files = md_files(ROOT / "agents", ROOT / "golden", ROOT / "tests" / "fixtures", SHARED / "corpus")
    found = 0
    for path in files:
        text = text_of(path.read_bytes())
        for line in {*text.split("\n"), *mentions.prepare(text).split("\n")}:
            _weak_both(module, line)
            found += bool(mentions._weak_phrases_py(line))
    assert found > 10


@settings(max_examples=int(os.environ.get("AGENTC_FUZZ_EXAMPLES", "400")), deadline=None)
@given(st.one_of(weak_text, weak_glued))
def test_generated_weak_phrases_are_the_same(module, line):
    _weak_both(module, line)


def test_every_weak_piece_triple_is_the_same(module):
    for a in WEAK_PIECES:
        for b in WEAK_PIECES:
            _weak_both(module, " ".join(f"{a} {b} {c}" for c in WEAK_PIECES))
            _weak_both(module, "".join(f"{a}{b} {c}" for c in WEAK_PIECES if c.isascii()))


def test_verbs_inside_a_run_of_letters_start_nothing(module):
    """The scan steps over a run of letters at once: a verb glued inside or at the end of a longer
    word starts no phrase, one after the run does."""
    for line in ("mistouse the code reviewer", "pretoask data scientist x", "unuse code reviewer, then ask code reviewer",
                 "askask context manager", "x" * 5000 + "to code reviewer " + "to" * 3000 + " use the ml engineer", ""):
        _weak_both(module, line)
    assert module.weak_phrases(mentions.role_like, mentions._WEAK_VERBS, "withto code reviewer, to code reviewer") == \
        [(26, ("code", "reviewer"), "to")]


def test_role_answers_are_kept_for_their_role_like(module):
    """The C scans ask role_like once per word (of up to 24 letters) and keep its answer: a word
    asked again is not asked, a longer one is, and another role_like is asked afresh."""
    asked: list[str] = []

    def role_like(word: str) -> bool:
        asked.append(word)
        return mentions.role_like(word)

    verbs, long = mentions._WEAK_VERBS, "x" * 23 + "er"
    line = f"ask the code reviewer, ask the Code Reviewer, query context manager, use code {long}, use code {long}"
    assert module.weak_phrases(role_like, verbs, line) == mentions._weak_phrases_py(line)
    assert asked == ["reviewer", "manager", long, long]
    assert module.weak_phrases(lambda word: word == "code", verbs, line) == []
    assert module.title_names(role_like, mentions._AGENT_AFTER.match, mentions._ROLE_ENDS, "The Code Reviewer") == [(0, 17)]
    assert asked == ["reviewer", "manager", long, long, "reviewer"]
    assert module.weak_phrases(str.isupper, verbs, "ask code REVIEWER") == []  # lowered before it is asked


def test_weak_phrases_takes_a_verb_by_its_first_letter_and_length(module):
    """The scan asks for a verb only of a run whose first letter and length some verb has (63
    standing for any longer length): an empty or capitalised verb matches no run, a verb longer
    than 63 letters only a run as long, in any case."""
    long = "x" * 70
    verbs = ("", "Ask", long, "to")
    found = partial(module.weak_phrases, mentions.role_like, verbs)
    assert found("Ask code reviewer, ask code reviewer") == []
    assert found(long.upper() + " code reviewer") == [(72, ("code", "reviewer"), long)]
    assert found("x" * 71 + " code reviewer, " + "x" * 69 + " code reviewer") == []
    assert found("TO code reviewer") == [(4, ("code", "reviewer"), "to")]
    assert module.weak_phrases(mentions.role_like, (), "to code reviewer") == []


def test_weak_phrases_with_bad_arguments_are_type_errors(module):
    verbs = mentions._WEAK_VERBS
    for args in ((), ("to a b",), (len, verbs), (1, verbs, "to a b"), (len, list(verbs), "to a b"), (len, verbs, b"to a b"),
                 (len, verbs, "to a b\u00e9"), (len, ("t\u00f6",), "to a b"), (len, (1,), "to a b"), (len, verbs, "to a b", 1)):
        with pytest.raises(TypeError):
            module.weak_phrases(*args)
    with pytest.raises(ValueError):
        module.weak_phrases(_raise, verbs, "ask the code reviewer")


def test_weak_phrases_leak_no_memory(module):
    """Phrases kept, given back, "the the", a role test that raises, a new verbs tuple (the one
    whose first letters are held is let go), 20 000 times: no block stays allocated."""
    line = "Query context manager, ask the code reviewer-x, use the the data scientist and hand it to training engineer. " * 4
    role_like, verbs = mentions.role_like, mentions._WEAK_VERBS

    def calls():
        module.weak_phrases(role_like, (*verbs, "pass"), line)
        module.weak_phrases(role_like, verbs, line)
        with pytest.raises(ValueError):
            module.weak_phrases(_raise, verbs, line)

    assert_no_leak(calls)


def _weak_lines_both(module, lines: list[str], hinted: set[int], names: dict) -> int:
    """The C weak_lines and mentions._weak_lines_py give `names` the same lines (each an empty
    list), keeping the names already there; the count of lines given."""
    expected, got = dict(names), dict(names)
    mentions._weak_lines_py(lines, hinted, expected)
    assert module.weak_lines(mentions.role_like, mentions._WEAK_VERBS, mentions.weak_phrases, lines, hinted, got) is None
    assert got == expected, lines
    assert all(got[i] is names[i] for i in names)
    return len(got) - len(names)


def test_mentions_uses_the_native_weak_lines_when_built():
    if native_in_use("agentc.compiler._mentions") is None:
        assert mentions._weak_lines is mentions._weak_lines_py
    else:
        assert mentions._weak_lines.func is mentions._NATIVE.weak_lines
        assert mentions._weak_lines.args == (mentions.role_like, mentions._WEAK_VERBS, mentions.weak_phrases)


def test_weak_lines_of_every_file_are_the_same(module):
    """Every line of every file asked (a third of them named already), as read and as prepared."""
    files = md_files(ROOT / "agents", ROOT / "golden", ROOT / "tests" / "fixtures", SHARED / "corpus")
    found = 0
    for path in files:
        text = text_of(path.read_bytes())
        for lines in (text.split("\n"), mentions.prepare(text).split("\n")):
            found += _weak_lines_both(module, lines, set(range(len(lines))), {i: ["x"] for i in range(0, len(lines), 3)})
    assert found > 10


@st.composite
def weak_reading(draw):
    """Lines of weak pieces (ASCII and not), some of them hinted, some of those named."""
    lines = draw(st.lists(st.one_of(weak_text, weak_glued), max_size=8))
    hinted = draw(st.sets(st.integers(0, len(lines) - 1))) if lines else set()
    named = draw(st.sets(st.sampled_from(sorted(hinted)))) if hinted else set()
    return lines, hinted, {i: [i] for i in named}


@settings(max_examples=int(os.environ.get("AGENTC_FUZZ_EXAMPLES", "400")), deadline=None)
@given(weak_reading())
def test_generated_weak_lines_are_the_same(module, reading):
    _weak_lines_both(module, *reading)


def test_weak_lines_with_bad_arguments_raise(module):
    verbs, weak, role_like = mentions._WEAK_VERBS, mentions.weak_phrases, mentions.role_like
    lines = ["ask the code reviewer", "to the code reviewer, \u00e9"]  # a phrase in each, the second by `weak`
    for args in ((), (role_like, verbs, weak, lines, {0}), (1, verbs, weak, lines, {0}, {}),
                 (role_like, list(verbs), weak, lines, {0}, {}), (role_like, verbs, 1, lines, {0}, {}),
                 (role_like, verbs, weak, tuple(lines), {0}, {}), (role_like, verbs, weak, lines, [0], {}),
                 (role_like, verbs, weak, lines, {0}, []), (role_like, ("t\u00f6",), weak, lines, {0}, {}),
                 (role_like, verbs, weak, lines, {0}, {}, 1)):
        with pytest.raises(TypeError):
            module.weak_lines(*args)
    for hinted in ({2}, {-1}, {"0"}, {0.0}, {1 << 70}):  # no line of `lines`
        with pytest.raises((IndexError, OverflowError)):
            module.weak_lines(role_like, verbs, weak, lines, hinted, {})
    with pytest.raises(IndexError):
        module.weak_lines(role_like, verbs, weak, [1], {0}, {})
    with pytest.raises(ValueError):
        module.weak_lines(_raise, verbs, weak, lines, {0}, {})
    with pytest.raises(ValueError):
        module.weak_lines(role_like, verbs, _raise, lines, {1}, {})
    names = {}
    module.weak_lines(role_like, verbs, weak, lines, {0, 1}, names)
    assert names == {0: [], 1: []}


def test_weak_lines_leak_no_memory(module):
    """Lines given and not, named already, not ASCII, a test that raises, 20 000 times: no block
    stays allocated."""
    lines = ["Query context manager, ask the code reviewer-x", "nothing here", "hand it to training engineer \u2192",
             "use the the data scientist", "to x\u00e9 code reviewer", "to the code reviewer, \u00e9"] * 4
    role_like, verbs, weak = mentions.role_like, mentions._WEAK_VERBS, mentions.weak_phrases

    def calls():
        module.weak_lines(role_like, verbs, weak, lines, set(range(len(lines))), {3: ["x"]})
        with pytest.raises(ValueError):
            module.weak_lines(_raise, verbs, weak, lines, {0}, {})
        with pytest.raises(IndexError):
            module.weak_lines(role_like, verbs, weak, lines, {len(lines)}, {})

    assert_no_leak(calls)


# The names by line (mentions._by_line_py): texts of names and the characters around them that
# could put a name on the wrong line or column: line ends (CRLF, a lone CR, which is no line end),
# empty lines, non-ASCII characters and other planes before a name, a name at the text's start and
# end, and a huge line.
LINE_PIECES = ["code-reviewer", "The Code Reviewer", "@ml-engineer", "x", " ", "\n", "\n\n", "\r\n", "\r", "\u00e9",
               "\u2192", "\U0001f600", "\u2010", "a/b-c", "agent", ""]
line_text = st.lists(st.sampled_from(LINE_PIECES), max_size=40).map("".join)


def _by_line_both(module, text: str) -> None:
    places = mentions._places(text, "x")
    lines = text.split("\n")
    expected = mentions._by_line_py(lines, places)
    found = module.by_line(lines, places, mentions._Cand)
    assert list(found) == list(expected), text
    assert found == expected, text  # every field (the dataclass's __eq__)
    assert all(type(c) is mentions._Cand for cands in found.values() for c in cands)


def test_names_by_line_of_every_file_are_the_same(module):
    files = md_files(ROOT / "agents", ROOT / "golden", ROOT / "tests" / "fixtures", SHARED / "corpus")
    for path in files:
        _by_line_both(module, mentions.prepare(text_of(path.read_bytes())))


@settings(max_examples=int(os.environ.get("AGENTC_FUZZ_EXAMPLES", "400")), deadline=None)
@given(line_text)
def test_generated_names_by_line_are_the_same(module, text):
    _by_line_both(module, text)


def test_odd_texts_by_line_are_the_same(module):
    for text in ("", "\n", "code-reviewer", "\n" * 5 + "a code-reviewer", "x " * 100_000 + "ml-engineer\n ml-engineer",
                 "\n" * 100_001 + "code-reviewer ml-engineer\n\nx\n" * 3, "\U0001f600\n" * 33 + "code-reviewer",
                 "\U0001f600 code-reviewer\r\n\u00e9 ml-engineer\n\n@data-scientist"):
        _by_line_both(module, text)


class _Open:
    """A class whose instances hold a __dict__: by_line makes only instances of slots alone."""

    __slots__ = ("start", "end", "__dict__")


class _Fixed:
    __slots__ = ("start", "end")


class _Sub(_Fixed):
    """Its own __slots__ (none) are not its instances' fields."""

    __slots__ = ()


class _Named:
    __slots__ = "start"


def test_by_line_makes_what_the_class_makes(module):
    """Each name made by setting the slots is what calling the class makes, for a text and any
    fields; a class with slots alone but other ones (_Fixed) is made too."""
    text = "a code-reviewer\n\nThe Code Reviewer x\n\u2192 ml-engineer"
    places = [(2, 15, "code-reviewer", "kebab", False, False), (21, 34, "The", "title", True, True), (39, 50, None, 1, 2, 3)]
    found = module.by_line(text.split("\n"), places, mentions._Cand)
    assert found == {0: [mentions._Cand(2, 15, "code-reviewer", "kebab", False, False)],
                     2: [mentions._Cand(4, 17, "The", "title", True, True)], 3: [mentions._Cand(2, 13, None, 1, 2, 3)]}
    fixed = module.by_line(["ab", "cd"], [(0, 1), (3, 4)], _Fixed)
    assert [(k, c.start, c.end) for k, v in fixed.items() for c in v] == [(0, 0, 1), (1, 0, 1)]


def test_by_line_with_bad_arguments_raises(module):
    place = (5, 8, "abc", "kebab", False, False)
    ten = ["abcdefghij"]
    for args in ((["a"], (place,), mentions._Cand), ("abcdefghij", [place], mentions._Cand), (["a"],), (["a"], [place]),
                 (["a"], [place], mentions._Cand, 1), (["abc"], [object()], mentions._Cand), (["abc"], [(1, 2)], mentions._Cand),
                 (ten, [place], mentions._Cand(*place)), (ten, [place], _Open), (ten, [place], _Sub), (ten, [place], _Named),
                 (ten, [place], int), (ten, [("a", 8, 1, 1, 1, 1)], mentions._Cand), (["ab", b"cdefghij"], [place], mentions._Cand)):
        with pytest.raises(TypeError):
            module.by_line(*args)
    for lines in (["abc"], ["ab", "c"], []):  # a place past the text's end
        with pytest.raises(ValueError):
            module.by_line(lines, [place], mentions._Cand)
    with pytest.raises(ValueError):  # not by place
        module.by_line(ten, [place, (1, 2, "b", "kebab", False, False)], mentions._Cand)


def test_by_line_leaks_no_memory(module):
    """Names on several lines, and calls that fail half-way, 20 000 times: no block stays allocated."""
    text = "a code-reviewer\n\nThe Code Reviewer x\n\u2192 ml-engineer\n"
    places, lines = mentions._places(text, "x"), text.split("\n")

    def calls():
        module.by_line(lines, places, mentions._Cand)
        with pytest.raises(ValueError):
            module.by_line(["ab"], [(0, 1, "a", "kebab", False, False), (3, 4, "b", "kebab", False, False)], mentions._Cand)
        with pytest.raises(TypeError):
            module.by_line(["ab"], [(0, 1, "a", "kebab", False, False), (1, 2)], mentions._Cand)

    assert_no_leak(calls)


# The prepared lines (mentions._prepared_lines_py): what splitting the prepared text gives, with the
# lines `prepare` changes (non-ASCII hyphens, "a-x/b-y") anywhere, several on a line, many of them.
PREP_PIECES = ["a-x/b-y", "a-x", "/", "b-y", "x", " ", "\n", "\r\n", "\u2010", "\u2011", "\u2012", "\u2212", "\u00e9", ""]


@settings(max_examples=int(os.environ.get("AGENTC_FUZZ_EXAMPLES", "400")), deadline=None)
@given(st.lists(st.sampled_from(PREP_PIECES), max_size=60).map("".join))
def test_prepared_lines_are_the_split_prepared_text(text):
    lines = text.split("\n")
    prepared, places = mentions._prepare(text)
    assert prepared == mentions.prepare(text)
    assert mentions._prepared_lines_py(lines, prepared, places) == prepared.split("\n"), text
    many = "\n".join(["\u2010 a-x/b-y"] * 50 + lines)
    prepared, places = mentions._prepare(many)
    assert mentions._prepared_lines_py(many.split("\n"), prepared, places) == prepared.split("\n")


# The slashes of "a-x/b-y" (mentions._slashes_py): kebab names on both sides or not, the characters
# that end them or do not (`\w` is Python's: "é", "٣" are word characters, "→" is none), ".",
# "/" and "_" after the right name, "--", hyphens at the ends, non-ASCII hyphens (the regex takes
# them on the right), line ends before the "/", other planes (the text's kind), and names far
# enough left of the "/" to leave its 80-character window.
SLASH_PIECES = ["a-x", "b-y-z", "/", "//", "-", "--", "x", "9", "_", ".", ".md", "\n", "\r\n", " ", "\u00e9", "\u0663",
                "\u2192", "\u2010", "\u2212", "\U0001f600", "\u0130", "a" * 40, "c-d" * 20, ""]
slash_text = st.lists(st.sampled_from(SLASH_PIECES), max_size=40).map("".join)


def _slashes_both(module, text: str) -> None:
    found, expected = module.slashes(text), mentions._slashes_py(text)
    assert found == expected, text  # str equality holds only between strs of the same kind: the copy's is right
    assert (found[0] is text) == (not expected[1]), text


def test_mentions_uses_the_native_slashes_when_built():
    native = native_in_use("agentc.compiler._mentions")
    assert mentions._slashes is (mentions._slashes_py if native is None else native.slashes)


def test_slashes_of_every_file_are_the_same(module):
    files = md_files(ROOT / "agents", ROOT / "golden", ROOT / "tests" / "fixtures", SHARED / "corpus")
    cut = 0
    for path in files:
        text = text_of(path.read_bytes())
        _slashes_both(module, text)
        cut += bool(mentions._slashes_py(text)[1])
    if (SHARED / "corpus").is_dir():  # the corpus holds "a-x/b-y"; the repository's own files hold none
        assert cut > 0


@settings(max_examples=int(os.environ.get("AGENTC_FUZZ_EXAMPLES", "400")), deadline=None)
@given(slash_text)
def test_generated_slashes_are_the_same(module, text):
    _slashes_both(module, text)


def test_every_slash_piece_triple_is_the_same(module):
    for a in SLASH_PIECES:
        for b in SLASH_PIECES:
            for c in SLASH_PIECES:
                _slashes_both(module, f"{a}{b}/{c}")
                _slashes_both(module, f"{a} {b}/{c}{a}")


def test_odd_texts_slash_the_same(module):
    for text in ("", "/", "a-b/", "/c-d", "a-b/c-d", "\u00e9a-b/c-d\u00e9", "a-b/c-d-e\u00e9", "\U0001f600 a-b/c-d",
                 "ab-" + "c" * 76 + "/d-e", "ab-" + "c" * 77 + "/d-e", *("x ab-" + "c" * k + "/d-e" for k in (75, 76, 77, 78)),
                 "a-b\n/c-d", "a-b\r\n/c-d", "a-b/c-d." + "/e-f" * 50_000, "x " * 100_000 + "a-b/c-d"):
        _slashes_both(module, text)
    assert module.slashes("see a-x/b-y\u2192") == ("see a-x+b-y\u2192", [7])


def test_slashes_with_bad_arguments_are_type_errors(module):
    for args in ((), (b"a-b/c-d",), ("a-b/c-d", 1), (None,)):
        with pytest.raises(TypeError):
            module.slashes(*args)


def test_slashes_leak_no_memory(module):
    """Texts with cuts, without and of every kind, 20 000 times: no block stays allocated."""
    texts = ("a-x/b-y and c-d/e-f", "no cut / here", "\u00e9 a-x/b-y", "\U0001f600 a-x/b-y", "")

    def calls():
        for text in texts:
            module.slashes(text)

    assert_no_leak(calls)


# The prepared text and lines (mentions._prepare_join_py): texts that `prepare` changes at one
# place or many (non-ASCII hyphens, "a-x/b-y"), on the first and the last line, next to empty lines
# and non-ASCII characters of each width (a hyphen made "-" may leave the text narrower: str
# equality holds only between strs of the same kind, so the comparison checks the kind too), a
# "/" at a line's start with a name at the end of the line before, and more than 64 places
# (Python splits the text then).
PREP_PIECES = ["a-x/b-y", "\u2010", "x\u2011y", "\u2212", "\n", "\n\n", "\r\n", "\u00e9", "\u2192", "\U0001f600", " ", "ab",
               "c-d", "/", "\n/", "\u0130", "\u212a", "c" * 40, ""]
prep_text = st.lists(st.sampled_from(PREP_PIECES), max_size=40).map("".join)


def _prepared_both(module, text: str) -> None:
    lines = text.split("\n")
    expected = mentions._prepare_join_py(lines)
    found = module.prepare_join(lines)
    assert found == expected, text
    assert found == (mentions.prepare(text), mentions.prepare(text).split("\n")), text
    assert (found[1] is lines) == (expected[1] is lines) == (mentions.prepare(text) == text), text


def test_prepared_lines_of_every_file_are_the_same(module):
    for path in md_files(ROOT / "agents", ROOT / "golden", ROOT / "tests" / "fixtures", SHARED / "corpus"):
        _prepared_both(module, text_of(path.read_bytes()))


@settings(max_examples=int(os.environ.get("AGENTC_FUZZ_EXAMPLES", "400")), deadline=None)
@given(prep_text)
def test_generated_prepared_lines_are_the_same(module, text):
    _prepared_both(module, text)


def test_odd_prepared_lines_are_the_same(module):
    for text in ("", "\u2010", "\n\u2010\n", "a-x/b-y", "x" * 100_000 + "\u2010", "\u2010\n" * 100 + "a-b/c-d",
                 "\U0001f600 a-x/b-y\r\n\u00e9 c\u2011d\n\n", "\u00e9\u2010", "\u2010\u2192", "\U0001f600\u2212",
                 "a-b\n/c-d", "a-b\r\n/c-d", "a-b/c-d/e-f/g-h", "ab-" + "c" * 76 + "/d-e", "ab-" + "c" * 77 + "/d-e",
                 "\n" * 1000, "a-x/b-y " * 50_000):
        _prepared_both(module, text)


def test_prepared_lines_with_bad_arguments_raise(module):
    for args in ((), ("ab",), (("ab",),), (["ab", 1],), ([b"ab"],), (["ab"], ["ab"])):
        with pytest.raises(TypeError):
            module.prepare_join(*args)


def test_prepared_lines_leak_no_memory(module):
    lines = "a-x/b-y\n\u2010\n\nc\u2011d e-f/g-h\n".split("\n")

    def calls():
        module.prepare_join(lines)
        module.prepare_join(["no change", "\u2192"])
        module.prepare_join([])
        with pytest.raises(TypeError):
            module.prepare_join([*lines, 1])

    assert_no_leak(calls)


# The names of a whole text by line in one C call (`names_by_line`) against `_names_by_line_py` with
# the Python scans: the names of every kind (kebab, Title-Case, "@x", `subagent_type="x"`), the
# agent's own name in its forms (left out), plugin prefixes (one that reaches before an earlier
# name's start puts the names out of order: the C declines and Python sorts), line ends and the
# characters of SPAN_PIECES around them.
WHOLE_PIECES = [*SPAN_PIECES, *LINE_PIECES, "subagent_type=\"ml-engineer\"", "subagent_type: x-y", "@code-reviewer", "@x",
                "NumPyro Pro Agent", "numpyro-pro", "plug:numpyro-pro-agent", "Visualization & Interface Expert",
                "-a-b:c-d", "-ab-cd-:ef-gh", "Ask the Code Reviewer", "Google Tag Manager", "**Data Scientist**"]
whole_text = st.lists(st.sampled_from(WHOLE_PIECES), max_size=40).map("".join)
SELVES = ["x", "code-reviewer", "numpyro-pro", "visualization-interface", "pro", "agent", "ml-engineer", "data-scientist", ""]


def _names_by_line_py(text: str, self_name: str, sub: bool = True) -> dict:
    with pytest.MonkeyPatch.context() as mp:  # not the fixture: hypothesis calls this many times per test
        mp.setattr(mentions, "_title_names", mentions._title_names_py)
        mp.setattr(mentions, "_kebab_names", mentions._kebab_names_py)
        mp.setattr(mentions, "_by_line", mentions._by_line_py)
        return mentions._names_by_line_py(text.split("\n"), mentions.prepare(text), self_name, sub)


def _names_by_line_both(module, text: str, self_name: str = "x") -> None:
    lines, prepared = text.split("\n"), mentions.prepare(text)
    for sub in (True, False):
        expected = _names_by_line_py(text, self_name, sub)
        found = module.names_by_line(mentions._NAMES_ENV, lines, prepared, self_name, mentions._probe(self_name),
                                     mentions._extra_places(prepared, sub))
        if found is not None:  # else the names are out of order (checked below)
            assert list(found) == list(expected), text
            assert found == expected, text  # every field (the dataclass's __eq__)
            assert all(type(c) is mentions._Cand for cands in found.values() for c in cands)
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(mentions, "_NATIVE", module)
            assert mentions._names_by_line_native(lines, prepared, self_name, sub) == expected, text


def test_mentions_uses_the_native_names_by_line_when_built():
    _mentions = native_in_use("agentc.compiler._mentions")
    expected = mentions._names_by_line_py if _mentions is None else mentions._names_by_line_native
    assert mentions._names_by_line is expected


def test_whole_names_by_line_of_every_file_are_the_same(module):
    files = md_files(ROOT / "agents", ROOT / "golden", ROOT / "tests" / "fixtures", SHARED / "corpus")
    for path in files:
        _names_by_line_both(module, text_of(path.read_bytes()), path.stem)


@settings(max_examples=int(os.environ.get("AGENTC_FUZZ_EXAMPLES", "400")), deadline=None)
@given(whole_text, st.sampled_from(SELVES))
def test_generated_whole_names_by_line_are_the_same(module, text, self_name):
    _names_by_line_both(module, text, self_name)


def test_odd_whole_texts_by_line_are_the_same(module):
    for text in ("", "\n", "-a-b:c-d", "x -ab-cd-:ef-gh ml-engineer", "The Code Reviewer\nagent", "x " * 50_000 + "ml-engineer",
                 "\U0001f600\n" * 33 + "code-reviewer @code-reviewer", "@ab-cd subagent_type='ml-engineer' code-reviewer"):
        for self_name in SELVES:
            _names_by_line_both(module, text, self_name)


def test_names_out_of_order_are_left_to_python(module):
    """A plugin prefix reaching back over an earlier name's leading hyphen: "ab-cd" starts at 1, the
    plugin's "-ab-cd-:ef-gh" at 0. The C gives None and Python sorts the names."""
    text = "-ab-cd-:ef-gh"
    assert module.names_by_line(mentions._NAMES_ENV, [text], text, "x", "x", []) is None
    assert [c.target for c in _names_by_line_py(text, "x")[0]] == ["-ab-cd-:ef-gh", "ab-cd"]


class _TwoSlots:
    __slots__ = ("start", "end")


def test_names_by_line_with_bad_arguments_raises(module):
    env, lines = mentions._NAMES_ENV, ["a code-reviewer"]
    good = (env, lines, lines[0], "x", "x", [])
    for args in ((), good[:5], (*good, 1), (env[:7], *good[1:]), ((*env[:7], 1), *good[1:]), ((env[0], 1, *env[2:]), *good[1:]),
                 ((*env[:4], 1, *env[5:]), *good[1:]), ((*env[:5], 1, *env[6:]), *good[1:]), (list(env), *good[1:]),
                 (env, tuple(lines), *good[2:]), (env, lines, b"a", "x", "x", []), (env, lines, lines[0], 1, "x", []),
                 (env, lines, lines[0], "x", None, []), (env, lines, lines[0], "x", "x", ()),
                 (env, lines, lines[0], "x", "x", [(0, 1)]), (env, lines, lines[0], "x", "x", [(0, 1, b"a", "at", False, False)]),
                 (env, lines, lines[0], "x", "x", [("0", 1, "a", "at", False, False)]),
                 (env, lines, lines[0], "x", "x", [(0, 1, "a")]),  # not a _Cand's fields
                 ((env[0][:3], *env[1:]), *good[1:]), ((*env[:3], ("e",), *env[4:]), *good[1:]), ((*env[:6], int, env[7]), *good[1:])):
        with pytest.raises(TypeError):
            module.names_by_line(*args)
    with pytest.raises(TypeError):  # a class whose slots are not a place's six fields
        module.names_by_line((*env[:6], _TwoSlots, env[7]), *good[1:])
    with pytest.raises(ValueError):  # a place before the text's start
        module.names_by_line(env, lines, lines[0], "x", "x", [(-1, 1, "a", "at", False, False)])
    with pytest.raises(ValueError):  # a name past the lines
        module.names_by_line(env, ["a"], lines[0], "x", "x", [])


def test_errors_of_the_name_tests_come_through(module):
    env, text = mentions._NAMES_ENV, "Ask the Code Reviewer or code-reviewer"
    for bad in ((*env[:4], _raise, *env[5:]), (*env[:5], _raise, *env[6:]), (env[0], _raise, *env[2:])):
        with pytest.raises(ValueError):
            module.names_by_line(bad, [text], text, "code-reviewer", "reviewer", [])


def test_names_by_line_leaks_no_memory(module):
    """Names of each kind on several lines, the own name left out, out of order, and calls that fail
    half-way, 20 000 times: no block stays allocated."""
    text = "a code-reviewer @ml-engineer\n\nThe Code Reviewer x\n\u2192 ml-engineer plug:x-y -ab-cd-:ef-gh\n"
    lines, env = text.split("\n"), mentions._NAMES_ENV
    extra = mentions._extra_places(text, True)

    def calls():
        module.names_by_line(env, lines, text, "ml-engineer", "engineer", extra)
        module.names_by_line(env, ["-ab-cd-:ef-gh"], "-ab-cd-:ef-gh", "x", "x", [])
        with pytest.raises(ValueError):
            module.names_by_line((*env[:5], _raise, *env[6:]), lines[:1], lines[0], "code-reviewer", "reviewer", [])
        with pytest.raises(ValueError):
            module.names_by_line(env, ["a"], lines[0], "x", "x", [])
        with pytest.raises(TypeError):
            module.names_by_line(env, lines[:1], lines[0], "x", "x", [(0, 1, "a")])

    assert_no_leak(calls)
