"""compiler/frozen.py: the IR's nodes and Span behave as the frozen dataclasses they were, with a
faster __init__."""

from __future__ import annotations

import dataclasses
import inspect
import pickle
from dataclasses import FrozenInstanceError, dataclass, field

import pytest

from agentc.compiler import ir
from agentc.compiler.diagnostics import Diagnostic
from agentc.compiler.frozen import frozen
from agentc.compiler.span import Span

# ProjectIR is made once per build and keeps its indexes in a __dict__: a plain frozen dataclass.
NODES = [c for c in vars(ir).values() if isinstance(c, type) and issubclass(c, ir.Node) and c not in (ir.Node, ir.ProjectIR)]
FROZEN = [*NODES, Span, Diagnostic]


def _body():
    class C:
        text: str
        count: int = 3
        table: dict = field(default_factory=dict)
        words: tuple[str, ...] = ()
        last: str | None

    return C


PLAIN, FAST = dataclass(frozen=True, slots=True, kw_only=True)(_body()), frozen(_body())


def _outcome(call):
    try:
        return "ok", call()
    except Exception as exc:  # noqa: BLE001 - the error itself is what is compared
        return type(exc).__name__, str(exc)


def test_same_signature_fields_and_errors_as_the_dataclass():
    assert inspect.signature(FAST) == inspect.signature(PLAIN)
    assert inspect.signature(FAST.__init__) == inspect.signature(PLAIN.__init__)
    assert FAST.__init__.__qualname__ == PLAIN.__init__.__qualname__
    assert [(f.name, f.default, f.default_factory) for f in dataclasses.fields(FAST)] == \
        [(f.name, f.default, f.default_factory) for f in dataclasses.fields(PLAIN)]
    calls = [
        lambda c: c(text="é🙂", last=None),
        lambda c: c(text="x", count=5, table={"a": "b"}, words=("w",), last="l"),
        lambda c: c(text="x"),  # a required one missing
        lambda c: c(),  # both missing
        lambda c: c("x", last=None),  # positional
        lambda c: c(text="x", last=None, other=1),  # unknown
    ]
    for call in calls:
        plain, fast = _outcome(lambda c=call: c(PLAIN)), _outcome(lambda c=call: c(FAST))
        assert fast[0] == plain[0]
        assert (repr(fast[1]) if fast[0] == "ok" else fast[1]) == (repr(plain[1]) if plain[0] == "ok" else plain[1])


def _one():
    class One:
        x: str

    return One


def _none():
    class Empty:
        pass

    return Empty


def _pair(cls, **more):
    return cls(text="é🙂\r\n", table={"k": 1}, last=None, **more)


def test_same_methods_as_the_dataclass():
    assert FAST.__doc__ == PLAIN.__doc__  # made from the signature, as pydantic's schema expects
    assert repr(FAST.__dataclass_params__) == repr(PLAIN.__dataclass_params__)
    assert FAST.__match_args__ == PLAIN.__match_args__ and FAST.__slots__ == PLAIN.__slots__
    for name in ("__init__", "__repr__", "__eq__", "__hash__", "__setattr__", "__delattr__"):
        assert getattr(FAST, name).__qualname__ == getattr(PLAIN, name).__qualname__, name
    a, b = _pair(FAST), _pair(FAST, count=4)
    assert repr(a) == repr(_pair(PLAIN)).replace(PLAIN.__qualname__, FAST.__qualname__)
    assert (a == _pair(FAST), a == b, a != b, a == _pair(PLAIN), a.__eq__(1)) == (True, False, True, False, NotImplemented)
    for make in (_one, _none):  # the fields' tuple of one field, and of none
        plain, fast = dataclass(frozen=True, slots=True, kw_only=True)(make()), frozen(make())
        args = {"x": "é"} if make is _one else {}
        assert hash(fast(**args)) == hash(plain(**args)) and fast(**args) == fast(**args)
        assert repr(fast(**args)) == repr(plain(**args)) and fast.__doc__ == plain.__doc__
    assert hash(_item()) == hash((_item().text, None, _item().span)) != hash(ir.Item(text="y", span=_item().span))
    with pytest.raises(TypeError):  # the dict field: unhashable, as the dataclass's hash
        hash(a)
    for do in (lambda o: setattr(o, "text", "y"), lambda o: delattr(o, "text")):
        assert _outcome(lambda d=do: d(_pair(FAST))) == _outcome(lambda d=do: d(_pair(PLAIN)))
    # Not a field: the dataclass's __setattr__ (CPython 3.11) calls super() on the class it had
    # before making it slotted and fails with a TypeError; here it is refused as a field is.
    with pytest.raises(FrozenInstanceError):
        _pair(FAST).other = 1
    assert a.__getstate__() == _pair(PLAIN).__getstate__()
    loop = FAST(text="x", table={}, last=None)
    loop.table["self"] = loop  # a cycle through a field: repr stops as the dataclass's does
    plain_loop = PLAIN(text="x", table={}, last=None)
    plain_loop.table["self"] = plain_loop
    assert repr(loop) == repr(plain_loop).replace(PLAIN.__qualname__, FAST.__qualname__)


def test_a_default_factory_makes_a_new_value_each_time():
    a, b = FAST(text="x", last=None), FAST(text="x", last=None)
    assert a.table == {} and a.table is not b.table
    given = {"k": "v"}
    assert FAST(text="x", table=given, last=None).table is given


@pytest.mark.parametrize("cls", FROZEN, ids=lambda c: c.__name__)
def test_nodes_are_still_frozen_dataclasses_with_the_dataclass_signature(cls):
    assert dataclasses.is_dataclass(cls) and cls.__dataclass_params__.frozen and "__slots__" in vars(cls)
    params = inspect.signature(cls).parameters
    for f in dataclasses.fields(cls):
        p = params[f.name]
        assert p.kind is inspect.Parameter.KEYWORD_ONLY
        if f.default is not dataclasses.MISSING:
            assert p.default is f.default
        elif f.default_factory is not dataclasses.MISSING:
            assert repr(p.default) == "<factory>"
        else:
            assert p.default is inspect.Parameter.empty
    assert list(params) == [f.name for f in dataclasses.fields(cls)]
    # Not dataclasses' frozen __init__ (object.__setattr__ by name): each slot's own setter.
    code = cls.__init__.__code__
    assert "__dataclass_builtins_object__" not in code.co_names + code.co_freevars
    # The other methods are not compiled per class (importing the IR compiled ~130 functions).
    for name in ("__eq__", "__hash__", "__setattr__", "__delattr__", "__getstate__", "__setstate__"):
        assert getattr(cls, name).__code__ is getattr(Span, name).__code__


def _item() -> ir.Item:
    return ir.Item(text="do ✓ this\r\n", title=None, span=Span(file="a.md", line=3, col=2))


def test_assignment_after_init_raises():
    item = _item()
    with pytest.raises(FrozenInstanceError):
        item.text = "other"  # type: ignore[misc]
    with pytest.raises(FrozenInstanceError):
        del item.span  # type: ignore[misc]
    with pytest.raises(FrozenInstanceError):
        item.span.line = 4  # type: ignore[misc]


def test_eq_hash_replace_and_pickle():
    item = _item()
    assert item == _item() and hash(item) == hash(_item())
    moved = dataclasses.replace(item, title="t")
    assert (moved.title, moved.text, moved.span) == ("t", item.text, item.span)
    assert pickle.loads(pickle.dumps(item)) == item
    assert str(item.span) == "a.md:3:2"


def test_pydantic_still_validates_and_dumps_the_nodes():
    item = _item()
    data = ir.dump(item)
    assert data == {"text": "do ✓ this\r\n", "title": None, "span": {"file": "a.md", "line": 3, "col": 2}}
    assert ir.adapter(ir.Item).validate_python(data) == item
    with pytest.raises(Exception, match="Unexpected keyword"):
        ir.adapter(ir.Item).validate_python({**data, "other": 1})
