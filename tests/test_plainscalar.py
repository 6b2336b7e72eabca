"""compiler/plainscalar.py answers what PyYAML's resolver answers, without importing PyYAML.

`is_str(s)` must be `Resolver().resolve(ScalarNode, s, (True, False)) == str` for every text:
its table (lazyre.YAML_RESOLVERS) is checked against the installed PyYAML's own, and the
answers are compared on generated text and on the scalars YAML 1.1 reads as something else.
"""

from __future__ import annotations

import subprocess
import sys

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from agentc.compiler import plainscalar
from agentc.compiler.lazyre import YAML_RESOLVERS

_STR = "tag:yaml.org,2002:str"

ODD = [
    "", " ", "a ", " a", "yes", "Yes", "YES", "No", "no", "y", "n", "on", "Off", "true", "False", "TRUE", "~", "null",
    "Null", "NULL", "nul", "1e3", "1.5e+3", "1_0.5", ".inf", "-.Inf", "+.INF", ".nan", ".NaN", "0x1F", "-0x1f", "0o7",
    "0b101", "0b", "0x_", "017", "0", "-0", "+1", "1_000", "12:30", "190:20:30.15", "1:2:3", "2001-12-14",
    "2001-12-14 21:59:43.10", "2001-12-14t21:59:43.10-05:00", "2001-1-1", "- x", ": x", "#x", "x #y", "'", '"', "İ", "ı",
    "ſ", "\u212a", "\U0001f600", "a\tb", "\t", "a\n", "yes\n", "12\n", "a\r\nb", "x" * 5000, "@x", "`x", "!x", "&x", "*x",
    "!", "&", "*", "%x", "|", ">", "---", "...", "<<", "<", "=", "==", "=x", "~x", "agent-0001", "sonnet", "opus", "haiku",
    "inherit", "Read, Grep", "description", "null ", "1 ", ".", "-", "+", "-.", ".5", "5.", "1.2.3", "NaN", "nan",
]


def _resolved_str(s: str) -> bool:
    return yaml.resolver.Resolver().resolve(yaml.ScalarNode, s, (True, False)) == _STR


def test_the_table_is_pyyamls_own():
    """Every implicit resolver of PyYAML's Resolver, filed under the same first characters, with
    the same tag, pattern and flags, in the same order; nothing filed under None (any character)
    and no path resolver."""
    ours: dict[str, list[tuple[str, str, int]]] = {}
    for tag, pattern, flags, firsts in YAML_RESOLVERS:
        for first in firsts:
            ours.setdefault(first, []).append((tag, pattern, flags | 32))  # re.UNICODE, which re adds to a str pattern
    theirs = {first: [(tag, rx.pattern, rx.flags) for tag, rx in resolvers]
              for first, resolvers in yaml.resolver.Resolver.yaml_implicit_resolvers.items()}
    assert ours == theirs
    assert not yaml.resolver.Resolver.yaml_path_resolvers


def test_the_loaders_share_that_resolver():
    for loader in (yaml.SafeLoader, getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
        assert loader.yaml_implicit_resolvers == yaml.resolver.Resolver.yaml_implicit_resolvers


def test_odd_scalars():
    for s in ODD:
        assert plainscalar.is_str(s) == _resolved_str(s), repr(s)
    assert not plainscalar.is_str("yes") and not plainscalar.is_str("0x1F") and plainscalar.is_str("agent-0001")


@settings(max_examples=500, deadline=None)
@given(st.text() | st.sampled_from(ODD))
def test_any_text(s):
    assert plainscalar.is_str(s) == _resolved_str(s)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="0123456789-+._:eExXoObBnNuUlLtTrRfFsSyYaAiI~ \t<=!&*Zz", max_size=24))
def test_text_made_of_what_the_resolvers_read(s):
    """Numbers, dates, times, bools and nulls, near misses of each."""
    assert plainscalar.is_str(s) == _resolved_str(s)


def test_answering_imports_no_yaml():
    code = ("import sys\nfrom agentc.compiler import plainscalar\n"
            "assert [plainscalar.is_str(s) for s in ('yes', '12', 'agent-1', '~', '')] == [False, False, True, False, False]\n"
            "assert 'yaml' not in sys.modules\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
