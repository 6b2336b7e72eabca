"""The front end's memo (agentc.compiler.mentions.memo): the C `Memo` (compiler/_mentions.c) against its Python
twin `mentions.MemoPy`, each against the function it keeps the answers of: the same answers, in the same
order of calls, on hypothesis-made arguments (str with CRLF, emoji, "İ", "ı", "ſ", the Kelvin sign,
a long one; ints that equal floats), the bound kept (past `most`, answers are given, not kept), the
function asked once per argument kept, exceptions passed on and not kept. Also: the memos the front
end calls are C ones when built (and must be, where CI says so with AGENTC_REQUIRE_NATIVE=1), bad
arguments are TypeErrors, and it leaks no memory."""

from __future__ import annotations

import os

import pytest
from conftest import assert_no_leak, native_in_use, native_or_skip
from hypothesis import given, settings
from hypothesis import strategies as st

from agentc.compiler import mentions, native, references

EXAMPLES = int(os.environ.get("AGENTC_HYPOTHESIS_EXAMPLES", "300"))


@pytest.fixture(scope="module")
def c_memo():
    """The C `Memo` type, even when this run uses the Python one."""
    return native_or_skip(lambda: native.load("_mentions", "Memo"), "_mentions").Memo


ODD = ["", "x", "\r\n", "a\rb", "\U0001f600", "\u0130", "\u0131", "\u017f", "\u212a", "Delegate to agent-0042", "x" * 5000]
args = st.one_of(st.sampled_from(ODD), st.text(max_size=30), st.integers(-3, 3), st.sampled_from([1.0, 2.0, -0.0]))


def counted(fn):
    """`fn` and the list of the arguments it was called with."""
    asked = []

    def call(arg):
        asked.append(arg)
        return fn(arg)
    return call, asked


def answer(arg):
    return ("said", arg, type(arg).__name__)


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.lists(args, max_size=40), st.integers(0, 6))
def test_c_memo_gives_what_the_python_one_gives(c_memo, calls, most):
    """The same answers and the same calls of the function, for any bound: each answer is the
    function's for the first argument equal to it that was kept (1 and 1.0 are one key, as in a dict)."""
    py_fn, py_asked = counted(answer)
    c_fn, c_asked = counted(answer)
    py, c = mentions.MemoPy(py_fn, most), c_memo(c_fn, most)
    for arg in calls:
        assert c(arg) == py(arg), arg
    assert c_asked == py_asked
    assert len(c) == len(py) <= most


def test_the_bound_is_kept(c_memo):
    """Past `most`, a new argument's answer is given and not kept: the function is asked again."""
    for make in (mentions.MemoPy, c_memo):
        fn, asked = counted(answer)
        m = make(fn, 2)
        assert [m(a) for a in ("a", "b", "c", "a", "c", "c")] == [answer(a) for a in ("a", "b", "c", "a", "c", "c")]
        assert asked == ["a", "b", "c", "c", "c"]
        assert len(m) == 2 and m.most == 2 and m.__wrapped__ is fn
        nothing_kept = make(fn, 0)
        assert nothing_kept("x") == answer("x") and len(nothing_kept) == 0


def test_exceptions_pass_and_are_not_kept(c_memo):
    def fails(arg):
        raise ValueError(arg)

    for make in (mentions.MemoPy, c_memo):
        m = make(fails, 5)
        for _ in range(2):
            with pytest.raises(ValueError):
                m("x")
        assert len(m) == 0
        with pytest.raises(TypeError):
            m(["unhashable"])


def test_bad_arguments_are_type_errors(c_memo):
    for make in (mentions.MemoPy, c_memo):
        for bad in [(None, 3), ("not callable", 3), (answer, -1), (answer, "3"), (answer,)]:
            with pytest.raises(TypeError):
                make(*bad)
        m = make(answer, 3)
        for args, kwargs in [((), {}), ((1, 2), {}), ((), {"arg": 1}), (([1],), {}), (({},), {})]:
            with pytest.raises(TypeError):
                m(*args, **kwargs)
    m = c_memo(answer, 3)
    with pytest.raises(TypeError):
        m(1, arg=2)


def test_a_memo_in_a_cycle_is_collected(c_memo):
    """A memo whose function holds it (a module's function and its globals) is freed by the collector."""
    import gc
    import weakref

    class Holder:
        def said(self, arg):
            return self

    held = Holder()
    held.memo = c_memo(held.said, 3)  # the memo holds the bound method, which holds `held`
    held.memo(1)
    gone = weakref.ref(held)
    del held
    gc.collect()
    assert gone() is None


def test_no_leak(c_memo):
    m = c_memo(answer, 64)
    long = "x" * 5000

    def calls():
        m("hit")
        m(long)
        m(object())  # past the bound: given, not kept
        with pytest.raises(TypeError):
            m([1])
        c_memo(answer, 2)("y")
    for i in range(64):
        m(i)
    assert_no_leak(calls)


def test_the_front_ends_memos_are_the_c_ones_when_built():
    """mentions.role_like and normal, references._title_ctx and _lead_says: one memo each, the C
    one when this run uses it (what _judge.c and _mentions.c call too)."""
    want = mentions.MemoPy if native_in_use("agentc.compiler._mentions") is None else native.load("_mentions", "Memo").Memo
    for fn in (mentions.role_like, mentions.normal, references._title_ctx, references._lead_says):
        assert type(fn) is want, fn
    assert mentions.role_like("code-reviewer") is True and mentions.role_like("real-time") is False
    assert mentions.normal("The Code Reviewer") == "code-reviewer"
