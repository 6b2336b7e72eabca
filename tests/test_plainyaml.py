"""targets/_shared/plainyaml.py writes exactly what PyYAML writes, whenever it writes anything."""

from __future__ import annotations

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from agentc.targets._shared.plainyaml import plain_yaml, read_plain

# Mostly plain prose and identifiers, so the direct path runs; some characters and words that
# must send the data to PyYAML (indicators, quotes, breaks, non-ASCII, YAML 1.1 booleans, numbers).
PLAIN = "abcXYZ0189 -_.,;()/+*'"
ODD = list(":#\"!&|>%@`?[]{}~=<\t\n\r\x85\u2028é\ufeff") + ["yes", "No", "ON", "null", "~", "---", "...", "0x1", "1e3",
                                                             "2020-01-01", ".inf", "  ", " ", "-", "y", "<<"]
prose = st.text(PLAIN, min_size=1, max_size=14)
odd = st.lists(st.text(PLAIN, max_size=4) | st.sampled_from(ODD), min_size=1, max_size=4).map("".join)
long = st.sampled_from(["agent-0001", "Hand off to ml-engineer", "Claude Sonnet 4.5", "a" * 999, "b" * 1000, "c" * 1001,
                        "x y" * 400, "k" * 64, "k" * 65, "k" * 200])
word = st.one_of(prose, prose, prose, odd, long)
key = st.one_of(st.from_regex(r"[A-Za-z][A-Za-z0-9_-]{0,8}", fullmatch=True), st.from_regex(r"[A-Za-z][A-Za-z0-9_-]{0,8}", fullmatch=True), word)
scalar = st.one_of(word, word, word, st.booleans(), st.integers(-3, 10**12), st.none(), st.floats(-2, 2))
item = scalar | st.dictionaries(key, scalar, min_size=1, max_size=3)
data = st.dictionaries(key, scalar | st.lists(item, max_size=3), max_size=4)
DUMPERS = [yaml.SafeDumper] + ([yaml.CSafeDumper] if hasattr(yaml, "CSafeDumper") else [])


def _pyyaml(d: dict, dumper) -> str:
    return yaml.dump(d, Dumper=dumper, sort_keys=False, allow_unicode=True, default_flow_style=False, width=100000)


@settings(max_examples=3000, deadline=None, derandomize=True)
@given(data)
def test_same_text_as_pyyaml(d):
    text = plain_yaml(d)
    if text is not None:
        assert all(text == _pyyaml(d, dumper) for dumper in DUMPERS)


def test_the_direct_path_runs_on_typical_frontmatter():
    d = {"name": "agent-0000", "description": "Synthetic agent 0. Use PROACTIVELY for task family 0.",
         "model": "Claude Sonnet 4.5", "tools": ["read", "edit", "agent"], "agents": ["agent-0001"],
         "handoffs": [{"label": "Hand off to agent-0001", "agent": "agent-0001", "prompt": "topic 0", "send": False}]}
    assert plain_yaml(d) == _pyyaml(d, yaml.SafeDumper)
    assert plain_yaml({"description": "a: b"}) is None and plain_yaml({"name": "yes"}) is None


# Data of the shape the coding targets make, every string drawn from the characters that can
# stay plain: the direct path must run on most of it, and agree with PyYAML each time.
ident = st.from_regex(r"[A-Za-z][A-Za-z0-9_-]{0,8}", fullmatch=True)
text = st.from_regex(r"[A-Za-z][A-Za-z0-9 _.,;()/+*'-]{0,20}", fullmatch=True)
value = st.one_of(text, text, st.booleans(), st.integers(0, 99))
shaped = st.dictionaries(ident, value | st.lists(value | st.dictionaries(ident, value, min_size=1, max_size=3), min_size=1, max_size=3),
                         min_size=1, max_size=5)
taken = []


@settings(max_examples=1500, deadline=None, derandomize=True)
@given(shaped)
def test_same_text_on_frontmatter_shaped_data(d):
    text = plain_yaml(d)
    taken.append(text is not None)
    if text is not None:
        assert all(text == _pyyaml(d, dumper) for dumper in DUMPERS)


def test_the_direct_path_took_most_of_it():
    assert sum(taken) > len(taken) / 2


def _typed(value):
    """`value` with the type of every scalar in it: True == 1 in Python, not in YAML."""
    if isinstance(value, dict):
        return {k: _typed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_typed(v) for v in value]
    return (type(value).__name__, value)


@settings(max_examples=1500, deadline=None, derandomize=True)
@given(st.one_of(data, shaped))
def test_read_plain_reads_what_it_wrote_as_yaml_does(d):
    text = plain_yaml(d)
    if text is not None:
        assert _typed(read_plain(text)) == _typed(yaml.safe_load(text)) == _typed(d)


# Lines near the ones plain_yaml writes, and some that are not: read_plain gives YAML's data or None.
LINES = ["name: a", "name: b", "k: 1", "k: -0", "k: 007", "k: true", "k: True", "k: yes", "k: a: b", "k:", "tools:",
         "- x", "- 1", "- false", "- k: v", "- k: 1", "  k: v", "  j: true", "  k:", "  - x", "-x", "- ", "k: ", "k:  a",
         "k: a #c", "'k': a", "k: 'a'", "k: [a]", "k: {a: 1}", "k: ~", "k: null", "? k", "", "#c", "---", "k: a  ", "\tk: a"]


@settings(max_examples=3000, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from(LINES), min_size=1, max_size=7).map(lambda lines: "\n".join(lines) + "\n"))
def test_read_plain_is_yaml_or_none(text):
    data = read_plain(text)
    if data is not None:
        assert _typed(data) == _typed(yaml.safe_load(text))


def test_read_plain_takes_a_typical_head():
    d = {"name": "agent-0000", "description": "Synthetic agent 0.", "model": "Claude Sonnet 4.5", "tools": ["read", "agent"],
         "handoffs": [{"label": "Hand off to agent-0001", "agent": "agent-0001", "prompt": "topic 0", "send": False}], "turns": 3}
    assert read_plain(plain_yaml(d)) == d
    assert read_plain("name: a\nname: b\n") is None and read_plain("k: yes\n") is None and read_plain("k: a") is None
